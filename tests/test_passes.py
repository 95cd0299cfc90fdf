"""TeX passes: one pass on a cold build (the page total comes from cvpages.sty in the same
pass), a second only when LaTeX asks for it, none when nothing changed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest

from cvtex import compile as tex
from cvtex import themes
from cvtex.build import Request, build, check, latex_source
from cvtex.engine_choice import choose_engine
from cvtex.passes import run_passes
from tests.conftest import ROOT

PAGE_NUMBER = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def _long_cv(folder: Path, copies: int) -> Path:
    """The reference CV with its publications `copies` times over: several pages."""
    bib = (ROOT / "publications.bib").read_text("utf-8")
    keys = re.findall(r"@\w+\{([^,]+),", bib)
    copy = [bib]  # the first with the keys cv.yaml cites
    for i in range(1, copies):
        text = bib
        for key in keys:
            text = text.replace("{" + key + ",", "{" + f"{key}x{i},")
        copy.append(text)
    text = "\n".join(copy)
    (folder / "publications.bib").write_text(text, "utf-8")
    cv = (ROOT / "cv.yaml").read_text("utf-8")
    (folder / "cv.yaml").write_text(cv, "utf-8")
    return folder / "cv.yaml"


def _page_numbers(pdf: Path) -> list[list[tuple[str, str]]]:
    with pdfplumber.open(pdf) as doc:
        return [[m.groups() for line in (page.extract_text() or "").splitlines()
                 if (m := PAGE_NUMBER.match(line))] for page in doc.pages]


@pytest.mark.tex
def test_cold_build_numbers_every_page_in_one_pass(tmp_path: Path) -> None:
    cv = _long_cv(tmp_path, 4)
    result = build(Request(cv=cv, build_dir=tmp_path / "build"))
    numbers = _page_numbers(result.pdf)
    total = len(numbers)
    assert total >= 4
    assert numbers == [[(str(n), str(total))] for n in range(1, total + 1)]
    assert result.passes == 1


@pytest.mark.tex
def test_a_page_total_that_changes_is_right_in_one_pass(tmp_path: Path) -> None:
    """The previous build's labels (its .aux) never make a total stale."""
    cv = _long_cv(tmp_path, 4)
    build(Request(cv=cv, build_dir=tmp_path / "build"))
    shutil.copy(ROOT / "publications.bib", tmp_path / "publications.bib")
    result = build(Request(cv=cv, build_dir=tmp_path / "build"))
    assert _page_numbers(result.pdf) == [[("1", "2")], [("2", "2")]]
    assert result.passes == 1


@pytest.mark.tex
def test_one_page_cv_has_no_page_number(tmp_path: Path) -> None:
    cv = tmp_path / "cv.yaml"
    cv.write_text("name: Ada Lovelace\nsections:\n  - title: About\n    kind: text\n"
                  "    text: Analyst.\n", "utf-8")
    result = build(Request(cv=cv, build_dir=tmp_path / "build"))
    assert _page_numbers(result.pdf) == [[]]
    assert result.passes == 1


@pytest.mark.tex
def test_a_second_pass_only_when_latex_asks(tmp_path: Path) -> None:
    checked = check(Request(cv=ROOT / "cv.yaml"))
    theme = themes.find(checked.profile.theme)
    assert isinstance(theme, themes.Theme)
    engine = choose_engine("pdflatex", "")[0]
    # A cross-reference: the first pass cannot know it, LaTeX says so, a second pass fills it.
    source = latex_source(checked, "pdflatex").replace(
        r"\end{document}", r"\label{here}Page \pageref{here}.\end{document}")
    assert run_passes(tmp_path, source, theme, engine) == 2
    assert not tex.asks_rerun(tex.job_file(tmp_path, ".log").read_text())
    assert run_passes(tmp_path, source, theme, engine) == 0  # nothing changed: no TeX


def test_asks_rerun_reads_latex_and_package_warnings() -> None:
    assert tex.asks_rerun("LaTeX Warning: Label(s) may have changed. Rerun to get cross-refe")
    assert tex.asks_rerun("(rerunfilecheck)                Rerun to get outlines right")
    assert not tex.asks_rerun("Package: rerunfilecheck 2022-07-10 v1.10 Rerun checks for aux")
    assert not tex.asks_rerun("Output written on cvtex.pdf (2 pages, 80000 bytes).")


@pytest.mark.tex
@pytest.mark.parametrize("theme", ["classic", "modern"])
def test_the_foot_keeps_its_colour_to_itself(tmp_path: Path, theme: str) -> None:
    """A coloured page number must not colour the next page's text."""
    cv = _long_cv(tmp_path, 2)
    result = build(Request(cv=cv, build_dir=tmp_path / "build", theme=theme))
    with pdfplumber.open(result.pdf) as doc:
        assert len(doc.pages) >= 3
        for page in doc.pages:
            colours = [tuple(c["non_stroking_color"] or (0,)) for c in page.chars
                       if c["text"].isalpha()]
            black = sum(1 for c in colours if set(c) == {0})
            assert black > len(colours) / 2, page.page_number
