"""`cvtex validate`: each mistake as `cv.yaml:LINE:COL: path: message`, all at once, exit 2.

The cases are copies of the reference cv.yaml (with its publications.bib) with a few words
replaced; expected locations are found by searching the copy, as in test_profile.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cvtex import cli

from .conftest import ROOT, broken_reference, position

write = broken_reference


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding the reference publications.bib; messages name cv.yaml."""
    shutil.copy(ROOT / "publications.bib", tmp_path / "publications.bib")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def at(path: Path, needle: str, skip: int = 0) -> str:
    """`cv.yaml:LINE:COL:` of where `needle` starts (plus `skip` characters)."""
    line, column = position(path, needle, skip)
    return f"cv.yaml:{line}:{column}:"


def validate(*args: str) -> Result:
    result = CliRunner().invoke(cli.main, ["validate", *args])
    assert "Traceback" not in result.output
    # Only SystemExit: any other exception would be a crash shown to the user.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def problem_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line]


# Each case: the swaps that break the copy, and per expected problem (in file order) the text
# whose position it names, how far into that text, and the rest of the line after LINE:COL:.
Case = tuple[list[tuple[str, str]], list[tuple[str, int, str]]]
CASES: dict[str, Case] = {
    "syntax error": (
        [("  font_size: 11", "  font_size: [11")],
        [("\nsections:", 9, " YAML syntax: expected ',' or ']', but got ':' (while parsing a "
                            "flow sequence that starts at line ")]),
    "misspelled top-level key": (
        [("\nname: Qizhen Weng", "\nnmae: Qizhen Weng")],
        [("nmae:", 0, ' nmae: unknown key "nmae"; did you mean "name"?')]),
    "misspelled key in an entry": (
        [("- name: Wei Wang", "- nmae: Wei Wang")],
        [("nmae:", 0, ' sections[6].entries[0].nmae: unknown key "nmae"; did you mean "name"?')]),
    "month 13": (
        [("start: 2015-06", "start: 2015-13")],
        [("2015-13", 0, ' sections[1].entries[1].start: "2015-13" is not a date (use YYYY, '
                        'YYYY-MM or YYYY-MM-DD, or "present")')]),
    "name removed": (
        [("\nname: Qizhen Weng\n", "\n")],
        [("\nheadline:", 1, ' name: the key "name" is missing; add it')]),
    "two mistakes": (
        [("\nname: Qizhen Weng", "\nnmae: Qizhen Weng"), ("start: 2015-06", "start: 2015-13")],
        [("nmae:", 0, ' nmae: unknown key "nmae"; did you mean "name"?'),
         ("2015-13", 0, ' sections[1].entries[1].start: "2015-13" is not a date')]),
    "start after end": (
        [("start: 2015-06\n        end: 2015-08", "start: 2015-09\n        end: 2015-08")],
        [("2015-08", 0, " sections[1].entries[1].end: the end 2015-08 is before the start "
                        "2015-09; swap them")]),
    "bad email": (
        [("email: qwengaa@cse.ust.hk", "email: qwengaa.cse.ust.hk")],
        [("qwengaa.cse", 0, ' contact.email: "qwengaa.cse.ust.hk" is not an email address; '
                            "write it as name@example.org")]),
    "bad URL": (
        [("web: https://qzweng.github.io", "web: https//qzweng.github.io")],
        [("https//", 0, ' contact.web: "https//qzweng.github.io" is not a URL; write it as '
                        "https://example.org/...")]),
    "no read as false": (
        [("theme: classic", "theme: no")],
        [("theme: no", 7, ' theme: "no" was read as false (YAML reads yes/no/on/off as '
                          'true/false); put it in quotes: "no"')]),
    "1.10 read as a float": (
        [("items: [Python,", "items: [1.10,")],
        [("1.10", 0, ' sections[5].items[0]: 1.10 was read as the number 1.1; put it in '
                     'quotes: "1.10"')]),
    "unknown section kind": (
        [("kind: experience", "kind: experiance")],
        [("experiance", 0, ' sections[2].kind: unknown section kind "experiance"; did you mean '
                           '"experience"?')]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_broken_copy(folder: Path, name: str) -> None:
    swaps, expected = CASES[name]
    path = write(folder, *swaps)
    result = validate("cv.yaml")
    assert result.exit_code == 2, result.output
    lines = problem_lines(result)
    assert len(lines) == len(expected), lines
    for line, (needle, skip, rest) in zip(lines, expected, strict=True):
        assert line.startswith(at(path, needle, skip) + rest), line
    assert result.stdout == ""  # no "ok" line


def test_missing_bibtex_file_is_named_with_the_line_of_its_key(folder: Path) -> None:
    path = write(folder, ("bibliography: publications.bib", "bibliography: missing.bib"))
    result = validate("cv.yaml")
    assert result.exit_code == 2
    [line] = problem_lines(result)
    line_of_key = at(path, "bibliography:").split(":")[1]
    assert line.startswith(f"cv.yaml:{line_of_key}:")
    assert 'bibliography: the BibTeX file "missing.bib" does not exist' in line


@pytest.mark.parametrize(("content", "where", "message"), [
    (b"", "cv.yaml:1:1:", "the file is empty;"),
    (b"# nothing here yet\n", "cv.yaml:1:1:", "the file is empty;"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "cv.yaml:3:1:", "this is a binary file"),
    ("name: Qizhen Weng\ncontact:\n  location: Zürich\n".encode().replace(b"\xc3\xbc", b"\xfc"),
     "cv.yaml:3:14:", "byte 0xfc is not UTF-8; save the file as UTF-8"),
], ids=["empty", "comment only", "binary", "invalid UTF-8"])
def test_unreadable_file(folder: Path, content: bytes, where: str, message: str) -> None:
    (folder / "cv.yaml").write_bytes(content)
    result = validate("cv.yaml")
    assert result.exit_code == 2
    [line] = problem_lines(result)
    assert line.startswith(f"{where} {message}"), line


def test_missing_cv(folder: Path) -> None:
    result = validate("nope.yaml")
    assert result.exit_code == 2
    assert problem_lines(result) == ["nope.yaml: no such file"]


@pytest.mark.parametrize(("swap", "needle", "message"), [
    (("items: [Python, Golang,", "items: []  # Python, Golang,"), "[]",
     ' warning: sections[5].items: the section "Skills" is empty and will not be printed'),
    (("web: https://qzweng.github.io", "web: qzweng.github.io"), "qzweng.github.io",
     ' warning: contact.web: "qzweng.github.io" has no scheme; it is linked as '
     "https://qzweng.github.io"),
], ids=["empty section", "URL without scheme"])
def test_warnings_exit_0_with_their_lines(folder: Path, swap: tuple[str, str], needle: str,
                                          message: str) -> None:
    path = write(folder, swap)
    result = validate("cv.yaml")
    assert result.exit_code == 0, result.output
    [line] = problem_lines(result)
    assert line.startswith(at(path, needle) + message), line
    assert result.stdout.splitlines() == [
        "ok: cv.yaml: 7 sections, 10 publications, 1 warning"]


def test_reference_prints_one_ok_line(folder: Path) -> None:
    write(folder)
    result = validate()  # the default argument is cv.yaml
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "ok: cv.yaml: 7 sections, 10 publications, 0 warnings"]


def test_a_bug_is_one_line_not_a_traceback(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "check", crash)
    write(folder)
    result = validate("cv.yaml")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "cvtex: internal error (RuntimeError: boom); this is a bug in cvtex, run again with "
        "--debug and report the traceback"]


def _cvtex() -> str:
    beside = Path(sys.executable).parent / "cvtex"
    found = str(beside) if beside.is_file() else shutil.which("cvtex")
    if found is None:
        pytest.fail("the cvtex command is not installed in this environment")
    return found


BREAKERS: dict[str, Callable[[Path], None]] = {
    "syntax": lambda f: write(f, ("  font_size: 11", "  font_size: [11")),
    "two mistakes": lambda f: write(f, ("\nname: Qizhen Weng", "\nnmae: Qizhen Weng"),
                                    ("start: 2015-06", "start: 2015-13")),
    "binary": lambda f: (f / "cv.yaml").write_bytes(b"\x00\x01\x02"),
}


@pytest.mark.parametrize("name", list(BREAKERS))
def test_real_process_exit_code_and_no_traceback(folder: Path, name: str) -> None:
    BREAKERS[name](folder)
    run = subprocess.run([_cvtex(), "validate", "cv.yaml"], capture_output=True, text=True,
                         cwd=folder, timeout=60)
    assert run.returncode == 2
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stdout == ""
    assert run.stderr.startswith("cv.yaml:")
