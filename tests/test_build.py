"""The build: engines and fonts, errors traced to their source, time limits, reproducibility,
PDF metadata and links. Also the helpers the other TeX tests share."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from cvtex import compile as tex
from cvtex.build import Request, build, check
from cvtex.errors import CompileError, InputError, OutputError

from .conftest import needs_xelatex

ROOT = Path(__file__).resolve().parents[1]


# ---- helpers shared by the TeX tests ---------------------------------------------------------

def write_cv(folder: Path, data: dict, bib: str | None = None) -> Path:
    """cv.yaml written as JSON (a subset of YAML), so any string goes in as it is."""
    if bib is not None:
        (folder / "refs.bib").write_text(bib, "utf-8")
        data = {**data, "bibliography": "refs.bib"}
    path = folder / "cv.yaml"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    return path


def pdftext(pdf: Path, raw: bool = False) -> str:
    """The PDF's text; `raw` keeps the order of the content stream (a narrow column's lines
    are not interleaved with its neighbour's)."""
    mode = ["-raw"] if raw else []
    return subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def normal(text: str) -> str:
    """NFKC, one space for any run of white space, typographic apostrophes as ASCII ones."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    return " ".join(text.split())


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "cvtex", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def copy_reference(folder: Path) -> Path:
    for name in ("cv.yaml", "publications.bib"):
        shutil.copy(ROOT / name, folder / name)
    return folder / "cv.yaml"




# ---- engines and fonts -----------------------------------------------------------------------

@pytest.mark.tex
@needs_xelatex
def test_cjk_name_picks_a_unicode_engine_and_prints(tmp_path: Path) -> None:
    cv = write_cv(tmp_path, {"name": "Qizhen Weng 翁祈桢", "sections": [
        {"title": "Research", "kind": "text", "text": "Systems — 系统 and “quotes”"}]})
    result = build(Request(cv=cv, build_dir=tmp_path / "b"))
    assert result.engine.name in ("xelatex", "lualatex")
    text = normal(pdftext(result.pdf))
    assert "Qizhen Weng 翁祈桢" in text
    assert "Systems — 系统 and “quotes”" in text


@pytest.mark.tex
@needs_xelatex
def test_greek_and_cyrillic_print_with_a_font_that_has_them(tmp_path: Path) -> None:
    cv = write_cv(tmp_path, {"name": "Γιώργος Παπαδόπουλος", "headline": ["Иван Петрович"],
                             "sections": [{"title": "Ερευνα", "kind": "text",
                                           "text": "Ολοκληρωμένα συστήματα — Системы ёЁ"}]})
    result = build(Request(cv=cv, build_dir=tmp_path / "b"))
    text = normal(pdftext(result.pdf))
    for words in ("Γιώργος Παπαδόπουλος", "Иван Петрович", "Ολοκληρωμένα συστήματα — Системы ёЁ"):
        assert words in text


@pytest.mark.tex
def test_missing_named_engine_exits_1_naming_it_and_keeps_the_last_pdf(tmp_path: Path) -> None:
    cv = write_cv(tmp_path, {"name": "Ann Example"})
    first = run_cli("build", str(cv), "--build-dir", "b", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = (tmp_path / "cv.pdf").read_bytes()
    empty = tmp_path / "empty-path"
    empty.mkdir()
    done = run_cli("build", str(cv), "--engine", "xelatex", "--build-dir", "b", cwd=tmp_path,
                   env={"PATH": str(empty)})
    assert done.returncode == 1
    assert "xelatex is not installed" in done.stderr and "texlive-xetex" in done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "cv.pdf").read_bytes() == before


@pytest.mark.tex
def test_without_system_tex_cjk_says_which_engine_it_needs(tmp_path: Path) -> None:
    cv = write_cv(tmp_path, {"name": "翁祈桢"})
    done = run_cli("build", str(cv), "--build-dir", "b", cwd=tmp_path,
                   env={"CVTEX_NO_SYSTEM_TEX": "1"})
    assert done.returncode == 1
    assert "xelatex" in done.stderr and "翁 (U+7FC1)" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_characters_are_named_not_dropped(tmp_path: Path) -> None:
    """Bad input, found before any TeX run: named with its field, in validate as in build."""
    cv = write_cv(tmp_path, {"name": "Ann \U0010fffd Example",
                             "headline": ["Lab \u0645\u062e\u062a\u0628\u0631"]})
    with pytest.raises(InputError) as caught:
        check(Request(cv=cv))
    messages = [str(p) for p in caught.value.problems]
    assert any("cv.yaml:2:" in m and "name:" in m and "U+10FFFD" in m
               and "no font on this machine has it" in m for m in messages), messages
    assert any("headline[0]:" in m and "U+0645" in m and "right-to-left" in m
               for m in messages), messages


# ---- failed and hanging runs -----------------------------------------------------------------

BAD_MATH_BIB = """@article{bad2020,
  title = {A title with $x__y$ in it},
  author = {Example, Ann},
  journal = {J},
  year = {2020},
}
"""


@pytest.mark.tex
def test_tex_error_names_the_tex_line_and_the_bibtex_entry(tmp_path: Path) -> None:
    cv = write_cv(tmp_path, {"name": "Ann Example", "sections": [
        {"title": "Publications", "kind": "publications"}]}, bib=BAD_MATH_BIB)
    with pytest.raises(CompileError) as caught:
        build(Request(cv=cv, build_dir=tmp_path / "b"))
    message = str(caught.value)
    assert re.search(r"cvtex\.tex:\d+: ", message)
    assert "bad2020" in message and "refs.bib:1" in message


def test_first_error_reads_file_line_errors() -> None:
    log = "junk\n./cvtex.tex:42: Undefined control sequence.\nl.42 \\foo\n! later\n"
    assert tex.first_error(log) == "cvtex.tex:42: Undefined control sequence."
    assert tex.error_line(log) == 42
    assert tex.first_error("! Emergency stop.\n") == "Emergency stop."


def test_missing_characters_are_read_from_the_log() -> None:
    log = ("Missing character: There is no ^^^^0378 (U+0378) in font DejaVuSerif:mode=node;!\n"
           "Missing character: There is no ^^e9 in font ec-lmr10!\n")
    found = tex.missing_characters(log)
    assert "\u0378" in found and "\u00e9" in found


def _fake_engine(folder: Path, body: str) -> tex.Engine:
    script = folder / "fake-pdflatex"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return tex.Engine("pdflatex", script, embedded=False)


def test_hanging_tex_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    engine = _fake_engine(tmp_path, "sleep 30")
    (tmp_path / "cv.tex").write_text("x")
    with pytest.raises(CompileError, match=r"longer than 0\.5 s"):
        tex.run(engine, tmp_path / "cv.tex", timeout=0.5)


@pytest.mark.tex
def test_a_killed_run_keeps_the_last_good_pdf(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cv = write_cv(tmp_path, {"name": "Ann Example"})
    build(Request(cv=cv, build_dir=tmp_path / "b"))
    good = (tmp_path / "cv.pdf").read_bytes()
    cv.write_text(cv.read_text().replace("Ann", "Bea"))
    hanging = _fake_engine(tmp_path, "echo partial > cv.pdf; sleep 30")
    monkeypatch.setattr(tex, "find_engine", lambda name: hanging)
    monkeypatch.setenv("CVTEX_TIME_LIMIT", "1")
    with pytest.raises(CompileError, match="time limit"):
        build(Request(cv=cv, build_dir=tmp_path / "b"))
    assert (tmp_path / "cv.pdf").read_bytes() == good


# ---- reproducible output, metadata, links ---------------------------------------------------

@pytest.mark.tex
@pytest.mark.parametrize("engine", ["pdflatex", pytest.param("xelatex", marks=needs_xelatex)])
def test_source_date_epoch_gives_byte_identical_pdfs(tmp_path: Path, engine: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cv = copy_reference(tmp_path)
    one = build(Request(cv=cv, output=tmp_path / "one.pdf", build_dir=tmp_path / "b1",
                        engine=engine))
    # The second build runs in another folder, from another working folder.
    monkeypatch.chdir(tmp_path / "b1")
    two = build(Request(cv=cv, output=tmp_path / "two.pdf", build_dir=tmp_path / "b2",
                        engine=engine))
    assert one.pdf.read_bytes() == two.pdf.read_bytes()
    assert b"2023" in subprocess.run(["pdfinfo", str(one.pdf)], capture_output=True,
                                     check=True).stdout


@pytest.mark.tex
def test_pdf_metadata_text_and_links(tmp_path: Path) -> None:
    pdfplumber = pytest.importorskip("pdfplumber")
    cv = copy_reference(tmp_path)
    result = build(Request(cv=cv, build_dir=tmp_path / "b"))
    info = subprocess.run(["pdfinfo", str(result.pdf)], capture_output=True, text=True,
                          check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip() == "Qizhen Weng – Curriculum Vitae"
    assert fields["Author"].strip() == "Qizhen Weng"
    assert fields["Subject"].strip() == "Curriculum Vitae"
    assert "Qizhen Weng" in fields["Keywords"]
    text = normal(pdftext(result.pdf))
    assert "Beware of Fragmentation: Scheduling GPU-Sharing Workloads" in text
    with pdfplumber.open(result.pdf) as pdf:
        uris = {link.get("uri") for page in pdf.pages for link in page.hyperlinks}
    assert "mailto:qwengaa@cse.ust.hk" in uris
    assert "https://qzweng.github.io" in uris
    assert any(u and "usenix.org" in u for u in uris)


# ---- what check() says about publications sections --------------------------------------------

SMALL_BIB = "".join(
    f"@article{{{key}, author = {{Weng, Qizhen}}, title = {{{key}}}, journal = {{J}}, "
    f"year = {{{year}}}}}\n" for key, year in (("old", 2001), ("mid", 2010), ("new", 2020)))


def test_a_list_of_keys_keeps_its_order_unless_a_sort_is_given(tmp_path: Path) -> None:
    section = {"title": "P", "kind": "publications", "select": ["mid", "old", "new"]}
    cv = write_cv(tmp_path, {"name": "Qizhen Weng", "sections": [section]}, bib=SMALL_BIB)
    assert [p.key for p in check(Request(cv=cv)).section_publications[0]] == [
        "mid", "old", "new"]
    cv = write_cv(tmp_path, {"name": "Qizhen Weng", "sections": [{**section, "sort": "newest"}]},
                  bib=SMALL_BIB)
    assert [p.key for p in check(Request(cv=cv)).section_publications[0]] == [
        "new", "mid", "old"]


def test_a_section_that_selects_nothing_is_a_warning(tmp_path: Path) -> None:
    section = {"title": "Selected", "kind": "publications", "select": "selected"}
    cv = write_cv(tmp_path, {"name": "Qizhen Weng", "sections": [section]}, bib=SMALL_BIB)
    warnings = [str(w) for w in check(Request(cv=cv)).warnings]
    assert any('"Selected" selects no publication' in w for w in warnings), warnings


def test_a_bibtex_file_given_twice_is_read_once(tmp_path: Path) -> None:
    cv = write_cv(tmp_path, {"name": "Qizhen Weng", "sections": [
        {"title": "P", "kind": "publications"}]}, bib=SMALL_BIB)
    bib = tmp_path / "refs.bib"
    checked = check(Request(cv=cv, bib=(bib, tmp_path / "." / "refs.bib")))
    assert len(checked.publications) == 3


def test_fields_never_printed_are_not_checked_for_characters(tmp_path: Path) -> None:
    bib = ("@article{a, author = {Weng, Qizhen}, title = {T}, journal = {J}, year = 2020,\n"
           "  abstract = {\u0645\u062e\u062a\u0628\u0631},\n"
           "  file = {\u05e9\u05dc\u05d5\u05dd.pdf}}\n")
    cv = write_cv(tmp_path, {"name": "Qizhen Weng", "sections": [
        {"title": "P", "kind": "publications", "select": ["a", "a"]}]}, bib=bib)
    checked = check(Request(cv=cv))
    assert [p.key for p in checked.section_publications[0]] == ["a"]  # listed twice, once


def test_the_output_is_never_the_build_folders_own_pdf(tmp_path: Path) -> None:
    cv = write_cv(tmp_path, {"name": "Ann Example"})
    with pytest.raises(OutputError, match="build folder's own PDF"):
        build(Request(cv=cv, build_dir=tmp_path / "b", output=tmp_path / "b" / "cvtex.pdf"))
