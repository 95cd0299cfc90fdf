"""Hostile input ends cleanly and fast; parallel builds and broken caches never fail a build."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest

from cvtex.build import Request, build
from cvtex.buildfolder import default_build_dir
from cvtex.errors import OutputError

from .conftest import wait_for_format
from .test_build import copy_reference, pdftext, run_cli, write_cv


def _clean_failure(tmp_path: Path, *args: str, limit: float = 20.0) -> str:
    started = time.monotonic()
    done = run_cli("build", *args, cwd=tmp_path, timeout=limit + 30)
    assert time.monotonic() - started < limit
    assert done.returncode in (1, 2), done.stderr
    assert "Traceback" not in done.stderr and done.stderr.strip()
    return done.stderr


ALIAS_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "name: *i\n"


@pytest.mark.parametrize("content", [
    ALIAS_BOMB.encode(),
    b"name: " + b"x" * 2_000_000 + b"\n",
    b"name: Ann\nx: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    b"name: \xff\xfe Ann\n",
], ids=["alias-bomb", "2MB-value", "deep-nesting", "invalid-utf8"])
def test_hostile_yaml_ends_cleanly_and_fast(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "cv.yaml").write_bytes(content)
    _clean_failure(tmp_path, "cv.yaml", "--build-dir", "b")


@pytest.mark.tex
def test_bom_and_crlf_are_read(tmp_path: Path) -> None:
    (tmp_path / "cv.yaml").write_bytes("\ufeffname: Ann Example\r\nheadline:\r\n  - Hi\r\n"
                                       .encode())
    done = run_cli("build", "cv.yaml", "--build-dir", "b", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


@pytest.mark.tex
def test_output_under_a_file_or_read_only_folder(tmp_path: Path) -> None:
    write_cv(tmp_path, {"name": "Ann Example"})
    (tmp_path / "afile").write_text("x")
    err = _clean_failure(tmp_path, "cv.yaml", "--build-dir", "b", "-o", "afile/cv.pdf")
    assert "afile" in err
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who may write anywhere")
        err = _clean_failure(tmp_path, "cv.yaml", "--build-dir", "b", "-o", "locked/cv.pdf")
        assert "not writable" in err
    finally:
        locked.chmod(0o700)


@pytest.mark.tex
def test_four_parallel_builds_into_one_folder(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cv = copy_reference(tmp_path)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            build(Request(cv=cv, output=tmp_path / "out" / f"cv{i}.pdf"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    pdfs = {(tmp_path / "out" / f"cv{i}.pdf").read_bytes() for i in range(4)}
    assert len(pdfs) == 1 and next(iter(pdfs)).startswith(b"%PDF")


@pytest.mark.tex
def test_corrupt_or_unusable_cache_is_rebuilt_or_bypassed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cv = write_cv(tmp_path, {"name": "Ann Example"})
    build(Request(cv=cv))
    folder = default_build_dir(cv)
    wait_for_format(folder)
    for name in ("cvtex.aux", "cvtex.manifest.json", "cvtex.pdf", "cvtex.out"):
        if (folder / name).exists():
            (folder / name).write_bytes(b"\\garbage{{{ \x00\xff")
    for fmt in folder.glob("cvfmt-*.fmt"):
        fmt.write_bytes(b"\\garbage{{{ \x00\xff")
    cv.write_text(cv.read_text().replace("Ann", "Bea"))
    assert build(Request(cv=cv)).pdf.read_bytes().startswith(b"%PDF")
    # The cache folder is a file: bypassed with a warning.
    import shutil

    shutil.rmtree(folder)
    folder.write_text("not a folder")
    result = build(Request(cv=cv))
    assert result.pdf.is_file()
    assert any("temporary folder" in str(w) for w in result.warnings)
    # A folder the user chose with --build-dir is where they want the files: an error.
    with pytest.raises(OutputError, match="cannot use the build folder"):
        build(Request(cv=cv, build_dir=folder))


@pytest.mark.tex
def test_a_thousand_publications_are_all_printed(tmp_path: Path) -> None:
    bib = "".join(
        f"@inproceedings{{p{i}, title = {{Paper number {i} on systems}}, author = {{Weng, "
        f"Qizhen and Author{i % 97}, Ann}}, booktitle = {{Conference {i % 40}}}, "
        f"year = {{{2000 + i % 25}}}}}\n" for i in range(1000))
    cv = write_cv(tmp_path, {"name": "Qizhen Weng", "sections": [
        {"title": "Publications", "kind": "publications", "numbering": "descending"}]}, bib=bib)
    result = build(Request(cv=cv, build_dir=tmp_path / "build"))
    text = pdftext(result.pdf)
    printed = {int(n) for n in re.findall(r"Paper number (\d+) on systems", text)}
    assert printed == set(range(1000))
    assert "[1000]" in text and "[1]" in text
