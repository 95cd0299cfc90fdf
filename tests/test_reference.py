"""The reference CV: its LaTeX, its words, and the owner in bold, against the reference."""

from __future__ import annotations

import difflib
import re
import subprocess
import unicodedata
from pathlib import Path

import pdfplumber
import pytest

from cvtex.build import Request, check, latex_source

from .conftest import ROOT, SHARED

GOLDEN = ROOT / "tests" / "golden" / "reference-classic.tex"
SEED = SHARED / "reference" / "seed_cv.txt"

# Where cvtex deliberately differs from the hand-made reference, and why:
ALLOWED_DIFFERENCES = {
    # a date range takes an en dash, as every other range of the reference does
    ("-", "–"),
    # the serial comma, as the other nine author lists of the reference have it
    ("Li", "Li,"),
}


def test_golden_tex(update_golden: bool) -> None:
    """The emitted .tex of the reference CV, compared whole (refresh: pytest --update-golden)."""
    source = latex_source(check(Request(cv=ROOT / "cv.yaml")), "pdflatex")
    if update_golden:
        GOLDEN.write_text(source, "utf-8")
    assert source == GOLDEN.read_text("utf-8")


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"</?u>", "", text)
    # The reference marks bold with ** and italics with *...*; the co-first * stays.
    text = text.replace("**", "")
    # An italic span opens on a letter: "Weng*, Lingyun Yang*" is two co-first marks.
    text = re.sub(r"\*([A-Za-z][^*\n]*?)\*", r"\1", text)
    text = text.replace("- ·", "").replace("·", "")
    # "Yang*(co-first author)" and "Yang* (co-first author)" read the same.
    text = re.sub(r"\*\s*\(co-first", "* (co-first", text)
    return text.split()


def _pdf_text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return re.sub(r"^\d+ / \d+$", "", text, flags=re.MULTILINE)  # page numbers


@pytest.mark.tex
def test_words_match_reference(reference_pdf: Path) -> None:
    seed = _words(SEED.read_text("utf-8"))
    ours = _words(_pdf_text(reference_pdf))
    # The header's two columns are run together differently by each extraction: compare the
    # header line by line, the body word by word.
    body_seed = seed[seed.index("Research"):]
    body_ours = ours[ours.index("Research"):]
    for line in ("Qizhen Weng", "Ph.D. in Computer Science and Engineering",
                 "Systems Researcher in AI Infrastructure",
                 "Shanghai AI Laboratory, Xuhui District, Shanghai, China",
                 "Email: qwengaa@cse.ust.hk", "Web: https://qzweng.github.io"):
        assert line in " ".join(ours[: ours.index("Research")]), line
    differences = []
    matcher = difflib.SequenceMatcher(a=body_seed, b=body_ours, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op != "equal":
            differences.append((" ".join(body_seed[a1:a2]), " ".join(body_ours[b1:b2])))
    unexpected = [d for d in differences if d not in ALLOWED_DIFFERENCES]
    assert not unexpected, "\n".join(f"reference: {a!r}\n    cvtex: {b!r}" for a, b in unexpected)


@pytest.mark.tex
def test_no_word_is_hyphenated(reference_pdf: Path) -> None:
    text = subprocess.run(["pdftotext", str(reference_pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert not re.search(r"[a-z]-\n[a-z]", text)


def _bold_runs(pdf: Path, start: str, end: str) -> list[str]:
    """Runs of bold characters between two section titles, in reading order."""
    chars = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            chars.extend(page.chars)
    text = "".join(c["text"] for c in chars)
    lo, hi = text.index(start), text.index(end)
    runs, current = [], ""
    for c in chars[lo + len(start):hi]:
        if "Bold" in c["fontname"]:
            current += c["text"]
        elif current:
            runs.append(current)
            current = ""
    return [*runs, current] if current else runs


@pytest.mark.tex
def test_owner_bold_in_every_publication_and_nowhere_else(reference_pdf: Path) -> None:
    # pdfplumber's characters carry no spaces: "QizhenWeng".
    runs = [r.replace(" ", "") for r in _bold_runs(reference_pdf, "Publications", "Awards")]
    owner, note = "QizhenWeng", "(co-firstauthor)"
    # In order: the owner in each of the 10 publications, and the bold co-first note after
    # the second (ATC ’23, where the owner comes first) and the sixth (SC ’20, the owner last).
    assert runs == [owner, owner, note, owner, owner, owner, owner, note, owner, owner, owner,
                    owner], runs


@pytest.mark.tex
def test_cofirst_marks_on_atc23_and_sc20(reference_pdf: Path) -> None:
    text = " ".join(_pdf_text(reference_pdf).split())
    assert "Qizhen Weng*, Lingyun Yang*(co-first author), Yinghao Yu" in text
    assert "Luping Wang*, Qizhen Weng*(co-first author), Wei Wang" in text
    assert text.count("(co-first author)") == 2
