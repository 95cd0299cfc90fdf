"""With no TeX Live on the machine, the reference CV builds with the TeX that ships with cvtex."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cvtex import compile as tex
from cvtex.build import Request, build

from .conftest import ROOT


@pytest.fixture
def no_system_tex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CVTEX_NO_SYSTEM_TEX", "1")


def test_embedded_pdflatex_is_installed_with_the_package() -> None:
    exe = tex.embedded_pdflatex()
    assert exe is not None and exe.is_file()


@pytest.mark.tex
def test_reference_builds_with_embedded_tex(no_system_tex: None, tmp_path: Path) -> None:
    for name in ("cv.yaml", "publications.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    result = build(Request(cv=tmp_path / "cv.yaml", build_dir=tmp_path / "build"))
    assert result.engine.embedded
    text = subprocess.run(["pdftotext", str(result.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Beware of Fragmentation" in text and "Wei Wang, Associate Professor" in text


def test_missing_engine_is_named(no_system_tex: None) -> None:
    with pytest.raises(tex.EngineNotFoundError, match=r"xelatex.*apt-get install"):
        tex.find_engine("xelatex")
