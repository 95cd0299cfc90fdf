"""The preamble format: dumped beside a build without holding it up, used by the next
builds, never changing a byte of the PDF, never needed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cvtex import compile as tex
from cvtex.build import Request, build
from cvtex.formatdump import PreambleFormat

from .conftest import wait_for_format
from .test_build import copy_reference


@pytest.mark.tex
def test_next_build_runs_on_the_format_and_prints_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cv = copy_reference(tmp_path)
    folder = tmp_path / "b"
    first = build(Request(cv=cv, output=tmp_path / "first.pdf", build_dir=folder))
    assert first.passes == 1
    assert "format=cvfmt " not in tex.job_file(folder, ".log").read_text()
    fmt = wait_for_format(folder)
    if fmt is None:
        pytest.skip("this TeX has no mylatexformat")
    deadline = time.monotonic() + 10  # the dump tidies up right after moving the format in
    while list(folder.glob("*.pending")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(folder.glob(".cvfmt-*")) and not list(folder.glob("*.pending"))
    tex.job_file(folder, ".hash").unlink()  # run TeX again on the same .tex
    (folder / "cvtex.manifest.json").unlink()
    second = build(Request(cv=cv, output=tmp_path / "second.pdf", build_dir=folder))
    assert second.passes == 1
    assert "format=cvfmt " in tex.job_file(folder, ".log").read_text().splitlines()[0]
    assert first.pdf.read_bytes() == second.pdf.read_bytes()


@pytest.mark.tex
def test_a_changed_preamble_gets_its_own_format(tmp_path: Path) -> None:
    cv = copy_reference(tmp_path)
    folder = tmp_path / "b"
    build(Request(cv=cv, build_dir=folder))
    old = wait_for_format(folder)
    if old is None:
        pytest.skip("this TeX has no mylatexformat")
    build(Request(cv=cv, build_dir=folder, paper="a4"))
    assert "format=cvfmt " not in tex.job_file(folder, ".log").read_text().splitlines()[0]
    deadline = time.monotonic() + 60
    while old.exists() and time.monotonic() < deadline:  # removed once the new one is in
        time.sleep(0.05)
    new = wait_for_format(folder)
    assert new is not None and new != old and not old.exists()


def test_no_format_on_unicode_engines_or_when_turned_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = "\\documentclass{article}\\csname endofdump\\endcsname\\begin{document}"
    xe = tex.Engine("xelatex", Path("/usr/bin/xelatex"), False)
    pdf = tex.Engine("pdflatex", Path("/usr/bin/pdflatex"), False)
    assert not PreambleFormat(tmp_path, source, b"", xe).usable
    assert PreambleFormat(tmp_path, source, b"", pdf).usable
    assert not PreambleFormat(tmp_path, source.replace("endofdump", "x"), b"", pdf).usable
    monkeypatch.setenv("CVTEX_NO_FORMAT", "1")
    assert not PreambleFormat(tmp_path, source, b"", pdf).usable
