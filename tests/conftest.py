"""Shared fixtures: paths of the repository, a reference CV built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cvtex.build import Request, build

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


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
