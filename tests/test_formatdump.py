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
from .test_build import copy_reference, pdftext


@pytest.mark.tex
def test_next_build_runs_on_the_format(tmp_path: Path) -> None:
    cv = copy_reference(tmp_path)
    folder = tmp_path / "b"
    first = build(Request(cv=cv, output=tmp_path / "first.pdf", build_dir=folder))
    assert first.passes == 1
    assert "format=cvfmt " not in tex.job_file(folder, ".log").read_text().splitlines()[0]
    if wait_for_format(folder) is None:
        pytest.skip("this TeX has no mylatexformat")
    deadline = time.monotonic() + 10  # the dump tidies up right after moving the format in
    while list(folder.glob("*.pending")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(folder.glob(".cvfmt-*")) and not list(folder.glob("*.pending"))
    cv.write_text(cv.read_text().replace("Systems Researcher", "Systems Scientist"))
    second = build(Request(cv=cv, output=tmp_path / "second.pdf", build_dir=folder))
    assert second.passes == 1
    assert "format=cvfmt " in tex.job_file(folder, ".log").read_text().splitlines()[0]
    assert "Systems Scientist" in pdftext(second.pdf)


@pytest.mark.tex
def test_reproducible_builds_never_use_a_format(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A format changes the PDF's bytes (font numbering), not its look: with
    SOURCE_DATE_EPOCH the PDF must not depend on what the cache holds."""
    cv = copy_reference(tmp_path)
    folder = tmp_path / "b"
    build(Request(cv=cv, build_dir=folder))
    if wait_for_format(folder) is None:
        pytest.skip("this TeX has no mylatexformat")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    warm = build(Request(cv=cv, output=tmp_path / "warm.pdf", build_dir=folder))
    assert "format=cvfmt " not in tex.job_file(folder, ".log").read_text().splitlines()[0]
    cold = build(Request(cv=cv, output=tmp_path / "cold.pdf", build_dir=tmp_path / "c"))
    assert warm.pdf.read_bytes() == cold.pdf.read_bytes()


@pytest.mark.tex
def test_a_changed_preamble_gets_its_own_format(tmp_path: Path) -> None:
    cv = copy_reference(tmp_path)
    folder = tmp_path / "b"
    build(Request(cv=cv, build_dir=folder))
    old = wait_for_format(folder)
    if old is None:
        pytest.skip("this TeX has no mylatexformat")
    legacy = folder / "cvfmt.fmt"  # the one name earlier versions used
    legacy.write_bytes(b"old")
    build(Request(cv=cv, build_dir=folder, paper="a4"))
    assert "format=cvfmt " not in tex.job_file(folder, ".log").read_text().splitlines()[0]
    deadline = time.monotonic() + 60
    while old.exists() and time.monotonic() < deadline:  # removed once the new one is in
        time.sleep(0.05)
    new = wait_for_format(folder)
    assert new is not None and new != old and not old.exists() and not legacy.exists()


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
    monkeypatch.delenv("CVTEX_NO_FORMAT")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert not PreambleFormat(tmp_path, source, b"", pdf).usable
