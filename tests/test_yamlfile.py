"""yamlfile: values with their locations, and every unreadable file as one located problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvtex.errors import InputError, Problem
from cvtex.yamlfile import Located, decode, format_path, load, loads


def _problems(text: str) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        loads(text, "cv.yaml")
    return caught.value.problems


def _only(text: str) -> Problem:
    problems = _problems(text)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# ---- values and where they stand ----------------------------------------------------------

def test_values_keys_and_their_lines_and_columns() -> None:
    located = loads("name: Ada\nsections:\n  - title: One\n    kind: text\n", "cv.yaml")
    assert located.data == {"name": "Ada", "sections": [{"title": "One", "kind": "text"}]}
    assert located.values[("name",)] == (1, 7)
    assert located.keys[("name",)] == (1, 1)
    assert located.values[("sections", 0)] == (3, 5)
    assert located.keys[("sections", 0, "kind")] == (4, 5)
    assert located.values[("sections", 0, "kind")] == (4, 11)


def test_where_falls_back_to_the_nearest_located_parent() -> None:
    located = loads("contact:\n  email: a@b.org\n", "cv.yaml")
    # A key that is not there (a missing one) is reported on its mapping.
    assert located.where(("contact", "phone")) == (2, 3)
    assert located.where(("contact", "email"), key=True) == (2, 3)
    assert located.where(("contact", "email")) == (2, 10)


def test_problem_carries_file_line_column_and_path() -> None:
    located = loads("sections:\n  - title: x\n", "my/cv.yaml")
    problem = located.problem(("sections", 0, "title"), "is wrong; fix it")
    assert str(problem) == "my/cv.yaml:2:12: sections[0].title: is wrong; fix it"


def test_format_path() -> None:
    assert format_path(("sections", 2, "entries", 0, "start")) == "sections[2].entries[0].start"
    assert format_path(()) == ""


def test_keys_stay_as_written() -> None:
    # YAML 1.1 would make these keys false and 2017; a message must name them as typed.
    located = loads("no: 1\n2017: 2\n", "cv.yaml")
    assert isinstance(located.data, dict)
    assert list(located.data) == ["no", "2017"]


def test_plain_scalars_remember_their_text() -> None:
    located = loads("a: 1.10\nb: no\nc: '1.10'\n", "cv.yaml")
    assert located.data == {"a": 1.1, "b": False, "c": "1.10"}
    assert located.plain[("a",)] == "1.10"
    assert located.plain[("b",)] == "no"
    assert ("c",) not in located.plain  # quoted: nothing to explain


def test_an_impossible_timestamp_stays_text_for_the_model_to_explain() -> None:
    located = loads("start: 2017-02-30\n", "cv.yaml")
    assert located.data == {"start": "2017-02-30"}


# ---- problems -----------------------------------------------------------------------------

def test_syntax_error_keeps_pyyaml_words_and_location() -> None:
    problem = _only("name: Ada\nlayout:\n  font_size: [11\nsections: []\n")
    assert (problem.file, problem.line, problem.column) == ("cv.yaml", 4, 9)
    assert "YAML syntax: expected ',' or ']', but got ':'" in problem.message
    assert "flow sequence that starts at line 3, column 14" in problem.message
    assert "close the bracket" in problem.message


def test_colon_inside_a_value() -> None:
    problem = _only("name: Ada\ntitle: Research: systems\n")
    assert (problem.line, problem.column) == (2, 16)
    assert "mapping values are not allowed here" in problem.message
    assert "quotes" in problem.message


def test_tab_indentation() -> None:
    problem = _only("layout:\n\tpaper: a4\n")
    assert (problem.line, problem.column) == (2, 1)
    assert "cannot start any token" in problem.message
    assert "indent with spaces, not tabs" in problem.message


def test_unclosed_quote_names_where_it_opened() -> None:
    problem = _only("name: 'Ada\ntheme: classic\n")
    assert "quoted scalar that starts at line 1, column 7" in problem.message
    assert "close the quote" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(text: str) -> None:
    problem = _only(text)
    assert (problem.line, problem.column) == (1, 1)
    assert problem.message.startswith("the file is empty;")
    assert "docs/format.md" in problem.message


def test_repeated_key_names_both_lines() -> None:
    problem = _only("name: Ada\ntheme: classic\ntheme: modern\n")
    assert str(problem) == ('cv.yaml:3:1: theme: the key "theme" is repeated (first on line 2); '
                            "keep one")


def test_python_tags_are_refused_where_they_stand() -> None:
    problem = _only("name: Ada\ntheme: !!python/object/apply:os.system [ls]\n")
    assert (problem.line, problem.column, problem.path) == (2, 8, "theme")
    assert "remove the tag" in problem.message


def test_merge_keys_are_refused() -> None:
    problem = _only("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert (problem.line, problem.column) == (3, 3)
    assert "merge keys" in problem.message


def test_alias_bomb_ends_with_a_message() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    problem = _only("\n".join(lines) + "\n")
    assert "too large" in problem.message
    assert problem.line is not None


# ---- bytes that are not UTF-8 text --------------------------------------------------------

def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "cv.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError) as caught:
        load(path, "cv.yaml")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("cv.yaml", 3, 1)
    assert "binary file" in problem.message


def test_invalid_utf8_is_located_to_the_character() -> None:
    raw = "name: Ada\ncontact:\n  location: Zürich\n".encode().replace("ü".encode(), b"\xfc")
    with pytest.raises(InputError) as caught:
        decode(raw, "cv.yaml")
    [problem] = caught.value.problems
    assert str(problem) == "cv.yaml:3:14: byte 0xfc is not UTF-8; save the file as UTF-8"


def test_invalid_utf8_column_counts_characters_not_bytes() -> None:
    raw = "a: é".encode() + b"\xff\n"
    with pytest.raises(InputError) as caught:
        decode(raw, "cv.yaml")
    assert (caught.value.problems[0].line, caught.value.problems[0].column) == (1, 5)


def test_utf16_is_named() -> None:
    with pytest.raises(InputError) as caught:
        decode("name: Ada\n".encode("utf-16"), "cv.yaml")
    assert "UTF-16" in caught.value.problems[0].message


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "cv.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: Ada\n")
    assert load(path).data == {"name": "Ada"}


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load(tmp_path / "nope.yaml", "nope.yaml")
    assert str(caught.value.problems[0]) == "nope.yaml: no such file"
    with pytest.raises(InputError) as caught:
        load(tmp_path, "folder")
    assert "folder, not a YAML file" in caught.value.problems[0].message


def test_located_is_plain_data() -> None:
    located = Located({"a": 1}, "cv.yaml")
    assert located.where(("a",)) == (None, None)
