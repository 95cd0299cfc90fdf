"""profile: the reference cv.yaml with one or two mistakes, and the exact message for each.

Every case is a copy of the reference cv.yaml with a few words replaced; the expected line and
column are found by searching the copy's text, so the cases follow the reference as it changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cvtex.errors import InputError, Problem, Severity
from cvtex.profile import load_profile

from .conftest import ROOT, broken_reference, position

broken = broken_reference
at = position


def errors_of(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_profile(path, "cv.yaml")
    assert all(p.is_error for p in caught.value.problems)
    return caught.value.problems


def only_error(path: Path) -> Problem:
    problems = errors_of(path)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def located(problem: Problem) -> tuple[str | None, int | None, int | None, str | None]:
    return problem.file, problem.line, problem.column, problem.path


def test_reference_is_valid_without_warnings() -> None:
    loaded = load_profile(ROOT / "cv.yaml", "cv.yaml")
    assert loaded.profile.name == "Qizhen Weng"
    assert loaded.warnings == []


def test_misspelled_top_level_key_points_at_the_key(tmp_path: Path) -> None:
    path = broken(tmp_path, ("\nname: Qizhen Weng", "\nnmae: Qizhen Weng"))
    problem = only_error(path)  # not also 'the key "name" is missing'
    assert located(problem) == ("cv.yaml", *at(path, "nmae:"), "nmae")
    assert problem.message == 'unknown key "nmae"; did you mean "name"?'


def test_misspelled_key_inside_an_entry_points_at_the_key(tmp_path: Path) -> None:
    path = broken(tmp_path, ("- name: Wei Wang", "- nmae: Wei Wang"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "nmae:"), "sections[6].entries[0].nmae")
    assert problem.message == 'unknown key "nmae"; did you mean "name"?'


def test_unknown_key_without_a_close_one_lists_the_keys(tmp_path: Path) -> None:
    path = broken(tmp_path, ("theme: classic", "theme: classic\nzzz: 1"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "zzz:"), "zzz")
    assert problem.message.startswith('unknown key "zzz"; the keys here are: name, aliases,')


def test_month_13(tmp_path: Path) -> None:
    path = broken(tmp_path, ("start: 2015-06", "start: 2015-13"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "2015-13"), "sections[1].entries[1].start")
    assert problem.message == ('"2015-13" is not a date (use YYYY, YYYY-MM or YYYY-MM-DD, '
                               'or "present")')


def test_impossible_day(tmp_path: Path) -> None:
    path = broken(tmp_path, ("start: 2015-06", "start: 2015-02-30"))
    problem = only_error(path)
    assert located(problem)[1:3] == at(path, "2015-02-30")
    assert problem.message.startswith('"2015-02-30" is not a date')


def test_name_removed(tmp_path: Path) -> None:
    path = broken(tmp_path, ("\nname: Qizhen Weng\n", "\n"))
    problem = only_error(path)
    # The mapping that lacks it: the first key of the file.
    assert located(problem) == ("cv.yaml", *at(path, "\nheadline:", skip=1), "name")
    assert problem.message == 'the key "name" is missing; add it'


def test_name_left_empty(tmp_path: Path) -> None:
    path = broken(tmp_path, ("\nname: Qizhen Weng\n", "\nname:\n"))
    problem = only_error(path)
    assert located(problem)[3] == "name"
    assert problem.message == "has no value; write one or remove the key"


def test_two_mistakes_come_back_together_in_file_order(tmp_path: Path) -> None:
    path = broken(tmp_path, ("start: 2015-06", "start: 2015-13"),
                  ("\nname: Qizhen Weng", "\nnmae: Qizhen Weng"))
    first, second = errors_of(path)
    assert located(first) == ("cv.yaml", *at(path, "nmae:"), "nmae")
    assert located(second) == ("cv.yaml", *at(path, "2015-13"), "sections[1].entries[1].start")


def test_end_before_start_points_at_the_end(tmp_path: Path) -> None:
    path = broken(tmp_path, ("start: 2015-06\n        end: 2015-08",
                             "start: 2015-09\n        end: 2015-08"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "2015-08"), "sections[1].entries[1].end")
    assert problem.message == "the end 2015-08 is before the start 2015-09; swap them"


def test_same_year_at_different_precision_is_not_an_error(tmp_path: Path) -> None:
    path = broken(tmp_path, ("start: 2015-06\n        end: 2015-08",
                             "start: 2015-06\n        end: 2015"))
    assert load_profile(path, "cv.yaml").warnings == []


def test_bad_email(tmp_path: Path) -> None:
    path = broken(tmp_path, ("email: qwengaa@cse.ust.hk", "email: qwengaa.cse.ust.hk"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "qwengaa.cse"), "contact.email")
    assert problem.message == ('"qwengaa.cse.ust.hk" is not an email address; '
                               "write it as name@example.org")


@pytest.mark.parametrize("url", ["https//qzweng.github.io", "https:qzweng", "qzweng"])
def test_bad_url(tmp_path: Path, url: str) -> None:
    path = broken(tmp_path, ("web: https://qzweng.github.io", f"web: {url}"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, f"web: {url}", skip=5), "contact.web")
    assert problem.message == f'"{url}" is not a URL; write it as https://example.org/...'


def test_url_with_a_space(tmp_path: Path) -> None:
    path = broken(tmp_path, ("web: https://qzweng.github.io", "web: https://qz weng.io"))
    problem = only_error(path)
    assert problem.path == "contact.web"
    assert "holds a space; write it as %20" in problem.message


def test_no_read_as_false(tmp_path: Path) -> None:
    path = broken(tmp_path, ("theme: classic", "theme: no"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "theme: no", skip=7), "theme")
    assert problem.message == ('"no" was read as false (YAML reads yes/no/on/off as true/false); '
                               'put it in quotes: "no"')


def test_version_number_read_as_a_float(tmp_path: Path) -> None:
    path = broken(tmp_path, ("items: [Python,", "items: [1.10,"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "1.10"), "sections[5].items[0]")
    assert problem.message == '1.10 was read as the number 1.1; put it in quotes: "1.10"'


def test_date_read_as_a_date_where_text_was_meant(tmp_path: Path) -> None:
    path = broken(tmp_path, ("note: (2%)", "note: 2017-09-01"))
    problem = only_error(path)
    assert located(problem)[1:3] == at(path, "2017-09-01")
    assert problem.message == '2017-09-01 was read as a date; put it in quotes: "2017-09-01"'


def test_quoted_yaml_11_words_are_fine(tmp_path: Path) -> None:
    path = broken(tmp_path, ("items: [Python,", 'items: ["1.10", "no",'))
    assert load_profile(path, "cv.yaml").profile.sections[5].items[:2] == ["1.10", "no"]


def test_not_a_boolean(tmp_path: Path) -> None:
    path = broken(tmp_path, ("  font_size: 11", "  font_size: 11\n  page_numbers: maybe"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "maybe"), "layout.page_numbers")
    assert problem.message == '"maybe" is not true or false; write true or false'


def test_unknown_section_kind_points_at_the_kind(tmp_path: Path) -> None:
    path = broken(tmp_path, ("kind: experience", "kind: experiance"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "experiance"), "sections[2].kind")
    assert problem.message == 'unknown section kind "experiance"; did you mean "experience"?'


def test_section_without_kind(tmp_path: Path) -> None:
    path = broken(tmp_path, ("    kind: skills\n", ""))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "- title: Skills", skip=2), "sections[5]")
    assert problem.message.startswith('the section has no "kind"; add one of: text, education,')


def test_key_of_another_section_kind(tmp_path: Path) -> None:
    path = broken(tmp_path, ("    entries:\n      - name: Wei Wang",
                             "    entires:\n      - name: Wei Wang"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "entires"), "sections[6].entires")
    assert problem.message == 'unknown key "entires"; did you mean "entries"?'


def test_choices_are_listed(tmp_path: Path) -> None:
    path = broken(tmp_path, ("font_size: 11", "font_size: 13"))
    problem = only_error(path)
    assert located(problem) == ("cv.yaml", *at(path, "font_size: 13", skip=11),
                                "layout.font_size")
    assert problem.message == "13 is not allowed; use 10, 11 or 12"


def test_length_without_unit(tmp_path: Path) -> None:
    path = broken(tmp_path, ("font_size: 11", "font_size: 11\n  margin: 2"))
    problem = only_error(path)
    assert problem.path == "layout.margin"
    assert problem.message == "2 is not a length; write a number and a unit, e.g. 2cm or 0.75in"


def test_empty_list_item(tmp_path: Path) -> None:
    path = broken(tmp_path, ("        highlights:\n          - Large",
                             "        highlights:\n          -\n          - Large"))
    problem = only_error(path)
    assert problem.path == "sections[2].entries[0].highlights[0]"
    assert problem.message == "has no value; write one or remove the line"


@pytest.mark.parametrize(("text", "shown"), [("- a\n- b\n", "a list"), ("hello\n", '"hello"')])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, shown: str) -> None:
    path = tmp_path / "cv.yaml"
    path.write_text(text, "utf-8")
    problem = only_error(path)
    assert (problem.line, problem.column) == (1, 1)
    assert problem.message.startswith(f"the file holds {shown}, not a mapping of keys")


# ---- warnings: legal, but probably not what was meant -------------------------------------

def test_empty_section_is_a_warning(tmp_path: Path) -> None:
    path = broken(tmp_path, ("items: [Python, Golang,", "items: []  # Python, Golang,"))
    [problem] = load_profile(path, "cv.yaml").warnings
    assert problem.severity is Severity.WARNING
    assert located(problem) == ("cv.yaml", *at(path, "[]"), "sections[5].items")
    assert problem.message == ('the section "Skills" is empty and will not be printed; '
                               "add items or remove the section")
    assert str(problem).startswith(f"cv.yaml:{problem.line}:{problem.column}: warning: ")


def test_url_without_scheme_is_a_warning(tmp_path: Path) -> None:
    path = broken(tmp_path, ("web: https://qzweng.github.io", "web: qzweng.github.io"))
    [problem] = load_profile(path, "cv.yaml").warnings
    assert problem.severity is Severity.WARNING
    assert located(problem) == ("cv.yaml", *at(path, "qzweng.github.io"), "contact.web")
    assert problem.message.startswith('"qzweng.github.io" has no scheme; it is linked as '
                                      "https://qzweng.github.io")


def test_files_named_in_cv_yaml_are_checked_with_everything_else(tmp_path: Path) -> None:
    path = broken(tmp_path, ("name: Qizhen Weng", "nmae: Qizhen Weng"),
                  ("theme: classic", "theme: clasic"),
                  ("bibliography: publications.bib", "bibliography: nope.bib"))
    problems = [str(p) for p in errors_of(path)]
    assert [p.split(": ", 2)[1] for p in problems] == ["nmae", "bibliography", "theme"]
    assert 'unknown theme "clasic"; did you mean "classic"?' in problems[2]
    assert 'the BibTeX file "nope.bib" does not exist' in problems[1]
