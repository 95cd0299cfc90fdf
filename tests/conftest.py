"""Shared fixtures: paths of the repository, a reference CV built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cvtex import compile as tex
from cvtex.build import Request, build

# Commands the tests run build in their own process: no build server is left behind
# (tests/test_server.py turns it on where it is the subject).
os.environ["CVTEX_SERVER"] = "0"

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REFERENCE = (ROOT / "cv.yaml").read_text("utf-8")


def broken_reference(folder: Path, *swaps: tuple[str, str]) -> Path:
    """A copy of the reference cv.yaml (and its publications.bib) in `folder`, each `old`
    (found exactly once) replaced."""
    shutil.copy(ROOT / "publications.bib", folder / "publications.bib")
    text = REFERENCE
    for old, new in swaps:
        assert text.count(old) == 1, f"{old!r} is not once in the reference cv.yaml"
        text = text.replace(old, new)
    path = folder / "cv.yaml"
    path.write_text(text, "utf-8")
    return path


def position(path: Path, needle: str, skip: int = 0) -> tuple[int, int]:
    """1-based line and column where `needle` starts (plus `skip` characters) in the file."""
    text = path.read_text("utf-8")
    assert text.count(needle) == 1, f"{needle!r} is not once in the copy"
    before = text[: text.index(needle) + skip]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


# Chinese, Greek or Cyrillic text needs a Unicode engine from TeX Live (cvtex's own TeX has
# pdflatex only): such tests are skipped where cvtex finds none.
needs_xelatex = pytest.mark.skipif(not tex.has_system_engine("xelatex"),
                                   reason="no xelatex from TeX Live")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden files under tests/golden/ from the current output")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def reference_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference cv.yaml built once, from a copy so the repository stays untouched."""
    folder = tmp_path_factory.mktemp("reference")
    for name in ("cv.yaml", "publications.bib"):
        shutil.copy(ROOT / name, folder / name)
    result = build(Request(cv=folder / "cv.yaml", build_dir=folder / "build"))
    return result.pdf


def wait_for_format(folder: Path, timeout: float = 60) -> Path | None:
    """The preamble format a build started dumping in `folder`, once it is there (None
    where this TeX cannot dump one)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := sorted(folder.glob("cvfmt-*.fmt")):
            return found[0]
        if any(folder.glob("cvfmt-*.none")):
            return None
        time.sleep(0.05)
    raise AssertionError(f"no format was dumped in {folder}")
