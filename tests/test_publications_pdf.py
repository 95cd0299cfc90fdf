"""End to end: a CV whose BibTeX spells the owner every way, built to PDF.

Only the owner's spellings are bold (pdfplumber's fonts per character), DBLP numbers never
reach the page, links reach the PDF unchanged, citations print their short label.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pdfplumber
import pytest

from cvtex import compile as tex
from cvtex.build import Request, build, check
from cvtex.errors import InputError

URL = "https://example.org/a_b/~c?x=1&y=%20z#frag"

CASES = {
    "jose": {
        "name": "José Müller-Šimić",
        "aliases": ["Müller, Pepe"],
        # (as written in BibTeX, as printed in bold)
        "owner": [
            ("José Müller-Šimić", "José Müller-Šimić"),
            ("Müller-Šimić, José", "José Müller-Šimić"),
            (r"Jos{\'e} M{\"u}ller-{\v{S}}imi{\'c}", "José Müller-Šimić"),
            (r"M\"{u}ller-\v{S}imi\'{c}, Jos\'{e}", "José Müller-Šimić"),
            ("Muller-Simic, Jose", "Jose Muller-Simic"),
            ("J. Müller-Šimić", "J. Müller-Šimić"),
            ("MÜLLER-ŠIMIĆ, JOSÉ", "JOSÉ MÜLLER-ŠIMIĆ"),
            ("José Müller-Šimić 0001", "José Müller-Šimić"),
            ("Pepe Müller", "Pepe Müller"),
        ],
        "near": ["José Müller", "J. Müller", "Josefa Müller-Šimić", "Jorge Müller-Šimić",
                 "José Šimić", "M. Müller-Šimić"],
    },
    "qizhen": {
        "name": "Qizhen Weng 翁祈桢",
        "aliases": [],
        "owner": [
            ("Qizhen Weng", "Qizhen Weng"),
            ("Weng, Qizhen", "Qizhen Weng"),
            ("{Weng}, {Qizhen}", "Qizhen Weng"),
            ("WENG, QIZHEN", "QIZHEN WENG"),
            ("Q. Weng", "Q. Weng"),
            ("Weng, Q.", "Q. Weng"),
            ("Qi-Zhen Weng", "Qi-Zhen Weng"),
            ("Qi Zhen Weng", "Qi Zhen Weng"),
            ("Qizhen Weng 0002", "Qizhen Weng"),
            ("Qizhen Weng 翁祈桢", "Qizhen Weng 翁祈桢"),
        ],
        "near": ["Qiang Weng", "Qizhen Wang", "Zhen Weng", "Z. Weng", "Q. Wang"],
    },
}


def _bib(case: dict) -> str:
    entries = []
    spellings = [s for s, _ in case["owner"]] + case["near"]
    for i, spelling in enumerate(spellings):
        entries.append(
            f"@inproceedings{{p{i},\n"
            f"  author = {{Wei Wang 0002 and {spelling} and Zed Zimmer}},\n"
            f"  title = {{Paper {i}}},\n"
            f"  booktitle = {{Conference {i}}},\n"
            f"  year = {2000 + i},\n"
            "}\n")
    entries.append(
        "@article{cited,\n"
        f"  author = {{Luping Wang* and {case['owner'][0][0]}* and Wei Wang 0001}},\n"
        "  title = {A Cited Paper},\n"
        "  journal = {Journal of Tests},\n"
        "  abbr = {ATC},\n"
        "  year = 2023,\n"
        f"  url = {{{URL}}},\n"
        "}\n")
    return "\n".join(entries)


def _cv(case: dict) -> str:
    aliases = "".join(f"\n  - {a}" for a in case["aliases"]) or " []"
    return (
        f"name: {case['name']}\n"
        f"aliases:{aliases}\n"
        "bibliography: papers.bib\n"
        "sections:\n"
        "  - title: Summary\n"
        "    kind: text\n"
        "    text: Built this [@cited].\n"
        "  - title: Publications\n"
        "    kind: publications\n"
        "    sort: oldest\n"
        "    numbering: descending\n"
        "  - title: Skills\n"
        "    kind: skills\n"
        "    items: [Testing]\n"
    )


def _bold_runs(pdf: Path, start: str, end: str) -> list[str]:
    """Runs of bold characters between two section titles, spaces dropped."""
    chars = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            chars.extend(c for c in page.chars if c["text"].strip())
    text = "".join(c["text"] for c in chars)
    lo, hi = text.index(start) + len(start), text.rindex(end)
    runs, current = [], ""
    for c in chars[lo:hi]:
        if "Bold" in c["fontname"]:
            current += c["text"]
        elif current:
            runs.append(current)
            current = ""
    return [_compose(r) for r in ([*runs, current] if current else runs)]


# pdflatex builds letters T1 lacks (ć) from an accent drawn before the letter: "´c".
_SPACING_ACCENTS = {"\u00b4": "\u0301", "\u02c7": "\u030c", "\u00a8": "\u0308", "`": "\u0300"}


def _compose(run: str) -> str:
    for spacing, combining in _SPACING_ACCENTS.items():
        run = re.sub(f"{re.escape(spacing)}(.)", lambda m, c=combining: m.group(1) + c, run)
    return unicodedata.normalize("NFC", run)


@pytest.mark.tex
@pytest.mark.parametrize("which", sorted(CASES))
def test_only_the_owner_is_bold(which: str, tmp_path: Path) -> None:
    case = CASES[which]
    if any(ord(c) > 0x2E80 for c in case["name"]) and not tex.has_system_engine("xelatex"):
        pytest.skip("a name in Chinese needs xelatex")
    (tmp_path / "cv.yaml").write_text(_cv(case), "utf-8")
    (tmp_path / "papers.bib").write_text(_bib(case), "utf-8")
    result = build(Request(cv=tmp_path / "cv.yaml", output=tmp_path / "cv.pdf",
                           build_dir=tmp_path / "build"))

    # Every near miss is warned about, with its file and line; no owner spelling is.
    warned = sorted(int(m) for p in result.warnings
                    for m in re.findall(r"papers\.bib:(\d+): warning: the owner", str(p)))
    first_near = len(case["owner"])
    assert warned == [1 + 7 * i for i in range(first_near, first_near + len(case["near"]))]

    runs = [r for r in _bold_runs(result.pdf, "Publications", "Skills")
            if "co-first" not in r]
    expected = sorted([shown.replace(" ", "") for _, shown in case["owner"]]
                      + [case["owner"][0][1].replace(" ", "")])  # the cited paper
    assert sorted(runs) == expected
    for near in case["near"]:
        assert near.replace(" ", "") not in runs

    text = subprocess.run(["pdftotext", str(result.pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "0001" not in text and "0002" not in text
    assert "Zed Zimmer" in flat and "Wei Wang" in flat
    assert "Built this (ATC ’23)." in flat
    assert "(co-first author)" in flat
    count = len(case["owner"]) + len(case["near"]) + 1
    assert f"[{count}]" in flat and "[1]" in flat  # numbered, counting down

    with pdfplumber.open(result.pdf) as doc:
        uris = [link["uri"] for page in doc.pages for link in page.hyperlinks]
    assert uris.count(URL) == 2  # the title and the citation's label


def test_unknown_citation_is_an_error_with_its_line(tmp_path: Path) -> None:
    case = CASES["jose"]
    text = _cv(case).replace("[@cited]", "[@nope]")
    line = text.splitlines().index("    text: Built this [@nope].") + 1
    (tmp_path / "cv.yaml").write_text(text, "utf-8")
    (tmp_path / "papers.bib").write_text(_bib(case), "utf-8")
    with pytest.raises(InputError) as caught:
        check(Request(cv=tmp_path / "cv.yaml"))
    messages = [str(p) for p in caught.value.problems if p.is_error]
    assert len(messages) == 1
    assert re.search(rf"cv\.yaml:{line}:\d+: .*cites \"nope\", which no BibTeX file defines",
                     messages[0])
