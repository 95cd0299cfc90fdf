"""Property: any text in a cv.yaml text field or a BibTeX title comes out of the PDF exactly.

Each example is a batch of 10 strings built into one CV, in one long-lived build folder (so a
build is one TeX pass on a preloaded format). In CI (CI=true) a run tries 200 Latin examples
and 50 Greek/Cyrillic ones, the same every run; elsewhere 20 and 5, new ones every run.
CVTEX_ROUNDTRIP_EXAMPLES scales both.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvtex.build import Request, build

from .conftest import needs_xelatex
from .test_build import normal, pdftext, write_cv

IN_CI = bool(os.environ.get("CI"))
SCALE = float(os.environ.get("CVTEX_ROUNDTRIP_EXAMPLES", "10" if IN_CI else "1"))
# CI draws the same examples on every run, so a run's verdict is about the code, not the
# draw; elsewhere every run draws new ones (and hypothesis keeps the failures it finds).
SPECIALS = "\\{}$&%#_~^<>|\"'`"
PUNCTUATION = "–—‘’“”„…•€ .,;:!?()/@+=-"
LATIN = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
         "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœŒłŁšŠžŽčČřŘőŐ")
GREEK_CYRILLIC = ("αβγδεζηθικλμνξοπρστυφχψωάέήίόύώΑΒΓΔΩΆ"
                  "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЁЖЯ")


def _keep(s: str) -> bool:
    if not re.search(r"\w", s):
        return False
    # BibTeX's own ligatures (-- is an en dash, `` and '' are quotes) mean something there.
    return not any(x in s for x in ("--", "``", "''", "!`", "?`"))


def _strings(alphabet: str) -> st.SearchStrategy[list[str]]:
    one = st.text(alphabet=alphabet + SPECIALS + PUNCTUATION + "  ", min_size=1,
                  max_size=40).filter(_keep)
    return st.lists(one, min_size=10, max_size=10)


# BibTeX counts braces even after a backslash: a title holds \{ and \} in pairs only, so a
# string with unbalanced braces goes to cv.yaml instead.
_BIB_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%",
                "&": r"\&", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}"}


def _bib_value(s: str) -> str:
    return "".join(_BIB_ESCAPES.get(c, c) for c in s)


def _balanced(s: str) -> bool:
    depth = 0
    for c in s:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def _roundtrip(folder: Path, strings: list[str]) -> None:
    items, bib = [], []
    for i, s in enumerate(strings):
        marked = f"Q{i}q {s} q{i}Q"
        # Dashes next to each other are BibTeX ligatures (–- reads as ---): cv.yaml gets them.
        if i % 2 and _balanced(s) and not re.search("[–—-]{2}", s):
            bib.append(f"@misc{{k{i},\n  title = {{{_bib_value(marked)}}},\n"
                       f"  author = {{Doe, Jane}},\n  year = {{2020}},\n}}\n")
        else:
            items.append(marked)
    cv = write_cv(folder, {"name": "Ann Example", "sections": [
        {"title": "Items", "kind": "list", "items": items},
        {"title": "Publications", "kind": "publications"}]}, bib="\n".join(bib))
    result = build(Request(cv=cv, build_dir=folder / "build"))
    text = re.sub(r"\s", "", normal(pdftext(result.pdf, raw=True)))
    for i, s in enumerate(strings):
        want = re.sub(r"\s", "", normal(f"Q{i}q {s} q{i}Q"))
        assert want in text, (s, i)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


def _clean(folder: Path) -> None:
    for name in ("cv.yaml", "refs.bib", "cv.pdf"):
        (folder / name).unlink(missing_ok=True)


@pytest.mark.tex
@settings(max_examples=max(1, int(20 * SCALE)), deadline=None, derandomize=IN_CI,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(strings=_strings(LATIN))
def test_latin_text_and_specials_round_trip(folder: Path, strings: list[str]) -> None:
    _clean(folder)
    _roundtrip(folder, strings)


@pytest.mark.tex
@needs_xelatex
@settings(max_examples=max(1, int(5 * SCALE)), deadline=None, derandomize=IN_CI,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(strings=_strings(LATIN[:26] + GREEK_CYRILLIC))
def test_greek_and_cyrillic_round_trip(folder: Path, strings: list[str]) -> None:
    _clean(folder)
    _roundtrip(folder, strings)


@pytest.mark.tex
@settings(max_examples=max(1, int(5 * SCALE)), deadline=None, derandomize=IN_CI,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(strings=_strings(LATIN))
def test_latin_round_trip_with_embedded_tex(folder: Path, strings: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The TeX that comes with cvtex has other fonts (Charter): the same property holds."""
    monkeypatch.setenv("CVTEX_NO_SYSTEM_TEX", "1")
    embedded = folder / "embedded"
    embedded.mkdir(exist_ok=True)
    _clean(embedded)
    _roundtrip(embedded, strings)
