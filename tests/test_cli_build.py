"""`cvtex build` that fails, for bad input or in TeX, leaves the last good PDF as it was."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def _cvtex(*args: str, cwd: Path, path_first: Path | None = None
           ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path_first is not None:  # a fake engine found before the real one
        env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
        env.pop("CVTEX_NO_SYSTEM_TEX", None)
    return subprocess.run([sys.executable, "-m", "cvtex", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _reference(folder: Path) -> Path:
    for name in ("cv.yaml", "publications.bib"):
        shutil.copy(ROOT / name, folder / name)
    return folder / "cv.yaml"


def _untouched(pdf: Path, before: bytes, mtime: int) -> None:
    assert pdf.read_bytes() == before
    assert pdf.stat().st_mtime_ns == mtime
    assert not [p.name for p in pdf.parent.iterdir() if p.name.endswith(".partial")]


def test_bad_input_leaves_the_pdf_alone(tmp_path: Path) -> None:
    cv = _reference(tmp_path)
    pdf = tmp_path / "cv.pdf"
    pdf.write_bytes(b"%PDF-1.5 the last good one\n")
    mtime = pdf.stat().st_mtime_ns
    cv.write_text(cv.read_text("utf-8").replace("start: 2015-06", "start: 2015-13"), "utf-8")
    done = _cvtex("build", "cv.yaml", "--build-dir", "b", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "sections[1].entries[1].start" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    _untouched(pdf, b"%PDF-1.5 the last good one\n", mtime)


@pytest.mark.tex
def test_failed_tex_run_leaves_the_last_good_pdf(tmp_path: Path) -> None:
    cv = _reference(tmp_path)
    first = _cvtex("build", "cv.yaml", "--build-dir", "b", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    pdf = tmp_path / "cv.pdf"
    good, mtime = pdf.read_bytes(), pdf.stat().st_mtime_ns
    assert good.startswith(b"%PDF")

    # A valid change, so TeX must run again; the engine then fails after writing a broken PDF.
    cv.write_text(cv.read_text("utf-8").replace("Systems Researcher in", "Researcher in"),
                  "utf-8")
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    engine = fake / "pdflatex"
    engine.write_text("#!/bin/sh\necho broken > cv.pdf\n"
                      "printf '! Undefined control sequence.\\n' > cv.log\nexit 1\n")
    engine.chmod(engine.stat().st_mode | stat.S_IXUSR)
    failed = _cvtex("build", "cv.yaml", "--engine", "pdflatex", "--build-dir", "b",
                    cwd=tmp_path, path_first=fake)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stdout + failed.stderr
    _untouched(pdf, good, mtime)

    # And bad input after that: still the same PDF.
    cv.write_text(cv.read_text("utf-8").replace("\nname:", "\nnmae:"), "utf-8")
    bad = _cvtex("build", "cv.yaml", "--build-dir", "b", cwd=tmp_path)
    assert bad.returncode == 2
    assert 'unknown key "nmae"; did you mean "name"?' in bad.stderr
    _untouched(pdf, good, mtime)


def test_the_pdf_is_never_written_over_the_cvs_own_files(tmp_path: Path) -> None:
    cv = _reference(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for target in ("cv.yaml", "publications.bib"):
        run = _cvtex("build", "cv.yaml", "-o", target, "--build-dir", "b", cwd=tmp_path)
        assert run.returncode == 2, run.stdout + run.stderr
        assert "one of the CV's own files" in run.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert cv.read_bytes() == before["cv.yaml"]


@pytest.mark.tex
def test_a_build_folder_shared_with_the_cv_keeps_its_files(tmp_path: Path) -> None:
    """--build-dir . : cvtex's files there have names of their own (cvtex.tex, cvtex.pdf)."""
    cv = _reference(tmp_path)
    (tmp_path / "cv.tex").write_text("the user's own LaTeX", "utf-8")
    first = _cvtex("build", "cv.yaml", "--build-dir", ".", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    pdf = tmp_path / "cv.pdf"
    good, mtime = pdf.read_bytes(), pdf.stat().st_mtime_ns
    bib = tmp_path / "publications.bib"
    bib.write_text(bib.read_text("utf-8").replace("{{OpuS}: Fair", "{Broken $a^$ Fair"),
                   "utf-8")
    failed = _cvtex("build", "cv.yaml", "--build-dir", ".", cwd=tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    _untouched(pdf, good, mtime)
    assert (tmp_path / "cv.tex").read_text("utf-8") == "the user's own LaTeX"
    assert cv.is_file()
