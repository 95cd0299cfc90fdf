"""bib.py: every entry of a messy file read whole, every problem reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvtex.bib import decode_field, parse_authors, read_bibliographies
from cvtex.errors import InputError, Problem
from cvtex.latex import MATH_CLOSE, MATH_OPEN
from cvtex.publication import Publication

from .conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = SHARED / "corpus" / "owner_site_papers.bib"


def _read(*names: str) -> tuple[dict[str, Publication], list[Problem]]:
    pubs, problems = read_bibliographies([(FIXTURES / n, n) for n in names])
    return {p.key: p for p in pubs}, problems


def _errors(*names: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_bibliographies([(FIXTURES / n, n) for n in names])
    return [str(p) for p in caught.value.problems]


@pytest.fixture(scope="module")
def messy() -> tuple[dict[str, Publication], list[Problem]]:
    return _read("messy.bib")


# ---- the messy file ---------------------------------------------------------------------------


def test_every_entry_is_read_in_file_order(messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    assert list(pubs) == [
        "weng2023fgd", "chen2021accelerating", "li2024caraserve", "weng2022preprint",
        "wang2020metis", "yang2025prism", "weng2019poster", "hua2016phishing",
        "weng2022thesis", "weng2021report", "beethoven1824", "weng2025green", "weng2018talk",
        "weng2024chapter", "handbook2024",
    ]  # nsdi25 is only a crossref target without authors: not printed


def test_warnings_name_the_line_of_the_problem(messy: tuple[dict, list[Problem]]) -> None:
    _, problems = messy
    assert [str(p) for p in problems] == [
        'messy.bib:26: warning: entry "weng2023fgd" repeats the field "title"; '
        "the first value is kept",
        'messy.bib:39: warning: entry "chen2021accelerating" repeats the field "DOI"; '
        "the first value is kept",
        'messy.bib:154: warning: entry "handbook2024", field "address": "berlin" is not a '
        "defined @string; printed as written",
    ]


def test_repeated_field_keeps_the_first_value(messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    assert pubs["weng2023fgd"].get("title").startswith("Beware of Fragmentation")
    assert pubs["chen2021accelerating"].get("doi") == "10.1109/TCC.2021.3102593"


def test_front_matter_is_skipped_and_lines_kept(messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    assert pubs["weng2023fgd"].line == 16  # the line of its @ in the file, front matter included
    assert pubs["weng2023fgd"].where == "messy.bib:16"


def test_comments_preamble_and_text_between_entries_are_no_entries(
        messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    assert "ignored" not in pubs


def test_string_macros_concatenation_and_months(messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    fgd = pubs["weng2023fgd"]
    assert fgd.get("booktitle") == "USENIX Annual Technical Conference (ATC)"
    assert (fgd.year, fgd.month) == (2023, 7)
    assert pubs["chen2021accelerating"].month == 8  # "Aug", quoted
    assert pubs["li2024caraserve"].month == 1  # {1}


def test_quoted_braced_and_bare_values(messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    chen = pubs["chen2021accelerating"]
    assert chen.get("title") == "Accelerating Distributed Learning in Non-Dedicated Environments"
    assert (chen.get("volume"), chen.get("number"), chen.get("year")) == ("11", "1", "2021")


def test_upper_case_types_are_read(messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    assert pubs["weng2023fgd"].entry_type == "inproceedings"


def test_crossref_inherits_fields(messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    prism = pubs["yang2025prism"]
    assert prism.get("booktitle") == (
        "22nd USENIX Symposium on Networked Systems Design and Implementation (NSDI)")
    assert prism.get("title") == "GPU-Disaggregated Serving at Scale"  # its own, not the target's
    assert (prism.year, prism.month, prism.get("publisher")) == (2025, 4, "USENIX Association")
    chapter = pubs["weng2024chapter"]
    assert chapter.get("booktitle") == "The Handbook of Clusters"
    assert [a.name.family for a in chapter.editors] == ["Smith", "Roe", ""]
    assert [a.name.family for a in chapter.authors] == ["Weng"]  # its own authors only
    assert "handbook2024" in pubs  # a target with authors is a publication too


def test_latex_is_decoded_to_unicode(messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    assert pubs["weng2022preprint"].get("title") == (
        f"Sorting in {MATH_OPEN}O(n \\log n){MATH_CLOSE} Time, & Other Über Results")
    assert pubs["li2024caraserve"].get("title") == (
        "CaraServe: CPU-Assisted and Rank-Aware LoRA Serving for Generative LLM Inference")
    assert pubs["weng2018talk"].get("howpublished") == "Invited talk at Tsinghua University"
    assert pubs["chen2021accelerating"].get("pages") == "515\u2013531"


def test_urls_and_identifiers_are_kept_as_written(
        messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    assert pubs["weng2023fgd"].get("url") == (
        "https://www.usenix.org/conference/atc23/presentation/weng?a=1&b=2#page_3")
    assert pubs["li2024caraserve"].get("eprint") == "2401.11240"


def _people(pub: Publication) -> list[str]:
    return [("et al." if a.others else a.name.display()) for a in pub.authors]


def test_names_in_the_messy_file(messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    assert _people(pubs["weng2023fgd"]) == [
        "Qizhen Weng", "Lingyun Yang", "Yinghao Yu", "Wei Wang", "Liping Zhang"]  # no 0002
    assert _people(pubs["li2024caraserve"])[-2:] == ["Qizhen Weng", "et al."]
    assert _people(pubs["weng2021report"]) == [
        "Qizhen Weng", "The Alibaba PAI Team", "Barnes and Noble, Inc."]
    assert _people(pubs["beethoven1824"]) == [
        "Ludwig van Beethoven", "Jan van der Berg, Jr.", "Qizhen Weng"]
    assert _people(pubs["weng2025green"]) == ["Qizhen Weng", "Ana Delgado de Molina"]
    assert _people(pubs["weng2018talk"]) == ["Qizhen Weng 翁祈桢"]


def test_cofirst_and_corresponding_marks(messy: tuple[dict[str, Publication], list]) -> None:
    pubs, _ = messy
    metis = pubs["wang2020metis"].authors
    assert [(a.name.display(), a.cofirst) for a in metis[:3]] == [
        ("Luping Wang", True), ("Qizhen Weng", True), ("Wei Wang", False)]
    prism = pubs["yang2025prism"].authors
    assert [(a.cofirst, a.corresponding) for a in prism] == [
        (True, False), (True, False), (False, True)]


# ---- parse_authors and decode_field -----------------------------------------------------------


@pytest.mark.parametrize(("raw", "annotation", "expected"), [
    ("Luping Wang* and Qizhen Weng*", "", [("Luping Wang", True, False),
                                           ("Qizhen Weng", True, False)]),
    ("Wang, Luping and Weng, Qizhen", "1=equal; 2=equal",
     [("Luping Wang", True, False), ("Qizhen Weng", True, False)]),
    ("A. One and B. Two† and C. Three", "", [("A. One", False, False), ("B. Two", False, True),
                                            ("C. Three", False, False)]),
    ("A. One and B. Two", "2=corresponding", [("A. One", False, False),
                                              ("B. Two", False, True)]),
    ("Wei  Wang 0002\nand\tQizhen Weng", "", [("Wei Wang", False, False),
                                              ("Qizhen Weng", False, False)]),
])
def test_parse_authors(raw: str, annotation: str, expected: list[tuple[str, bool, bool]]) -> None:
    got = [(a.name.display(), a.cofirst, a.corresponding)
           for a in parse_authors(raw, annotation)]
    assert got == expected


def test_and_others_is_et_al() -> None:
    authors = parse_authors("Weng, Qizhen and others")
    assert [a.others for a in authors] == [False, True]


@pytest.mark.parametrize(("raw", "decoded"), [
    (r"{\"U}ber {GPU} Clusters", "Über GPU Clusters"),
    (r"Caf\'e \& Bar", "Café & Bar"),
    ("pp. 1--2 --- and ``quoted''", "pp. 1\u20132 \u2014 and \u201cquoted\u201d"),
    ("Fig.~3", "Fig.\u00a03"),
    ("$\\alpha$-Net", f"{MATH_OPEN}\\alpha{MATH_CLOSE}-Net"),
    ("plain   text\n  on lines", "plain text on lines"),
    # What is not text (or math that is not safe to pass to TeX) is printed as written.
    (r"\input{secret}", r"\input{secret}"),
    (r"$\input{x}$", r"$\input{x}$"),
])
def test_decode_field(raw: str, decoded: str) -> None:
    assert decode_field(raw) == decoded


# ---- several files ----------------------------------------------------------------------------


def test_strings_carry_over_to_the_next_file() -> None:
    pubs, problems = _read("strings.bib", "uses_strings.bib")
    assert problems == []
    assert pubs["uses"].get("booktitle") == (
        "19th USENIX Symposium on Networked Systems Design and Implementation (NSDI)")
    assert pubs["uses"].where == "uses_strings.bib:1"


def test_same_key_in_two_files_is_an_error_naming_both() -> None:
    errors = _errors("uses_strings.bib", "strings.bib", "uses_strings.bib")
    assert errors == [
        'uses_strings.bib:4: warning: entry "uses", field "booktitle": "nsdi" is not a defined '
        "@string; printed as written",
        'uses_strings.bib:1: the key "uses" is used twice (first at uses_strings.bib:1); '
        "rename one",
    ]


# ---- errors -----------------------------------------------------------------------------------


def test_same_key_twice_is_an_error_naming_both_lines() -> None:
    assert _errors("duplicate_keys.bib") == [
        'duplicate_keys.bib:13: the key "other" is used twice (first at duplicate_keys.bib:5); '
        "rename one",
        'duplicate_keys.bib:9: the key "Weng2023" is used twice (first at duplicate_keys.bib:1); '
        "rename one",
    ]


def test_syntax_errors_name_the_line_where_the_entry_starts_and_why() -> None:
    errors = _errors("broken.bib")
    assert len(errors) == 3
    assert errors[0].startswith('broken.bib:7: entry "missingcomma", field "title" cannot be '
                                "read: ")
    assert errors[0].endswith("continues after its value; is a comma missing?")
    assert errors[1].startswith("broken.bib:12: this entry cannot be read: it runs into the "
                                "next @entry (an unclosed { or \"?)")
    assert errors[2] == ("broken.bib:17: this entry cannot be read: Expected comma after entry "
                         "key, but found =")


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_bibliographies([(tmp_path / "none.bib", "none.bib")])
    assert [str(p) for p in caught.value.problems] == ["none.bib: no such BibTeX file"]


def test_errors_of_every_file_at_once() -> None:
    errors = _errors("broken.bib", "duplicate_keys.bib")
    assert [e.split(":")[0] for e in errors] == ["broken.bib"] * 3 + ["duplicate_keys.bib"] * 2


# ---- the real file ----------------------------------------------------------------------------


def test_real_corpus_is_read_whole() -> None:
    pubs, problems = read_bibliographies([(CORPUS, "papers.bib")])
    assert len(pubs) == 24
    assert [str(p) for p in problems] == [
        'papers.bib:208: warning: entry "yang2025Prism" repeats the field "publisher"; '
        "the first value is kept",
        'papers.bib:289: warning: entry "weng2022MLaaS" repeats the field "slides"; '
        "the first value is kept",
    ]
    lines = CORPUS.read_text("utf-8").splitlines()
    assert lines[208 - 1].strip().startswith("publisher")  # the repeat, not the first one
    assert lines[289 - 1].strip().startswith("slides")
    by_key = {p.key: p for p in pubs}
    assert by_key["yang2025Prism"].get("publisher") == "USENIX Association"
    assert by_key["yang2025Prism"].get("title") == (
        "GPU-Disaggregated Serving for Deep Learning Recommendation Models at Scale")


def test_crossref_chains_cycles_and_missing_targets(tmp_path: Path) -> None:
    (tmp_path / "x.bib").write_text(
        "@inproceedings{paper, author = {A, B}, title = {Paper}, crossref = {proc}}\n"
        "@proceedings{proc, title = {Proc of Things}, crossref = {series}}\n"
        "@misc{series, publisher = {ACM}, year = 2020}\n"
        "@misc{self, author = {C, D}, title = {Self}, crossref = {self}, year = 2020}\n"
        "@misc{lost, author = {E, F}, title = {Lost}, crossref = {Nowhere}, year = 2020}\n",
        "utf-8")
    pubs, problems = read_bibliographies([(tmp_path / "x.bib", "x.bib")])
    by_key = {p.key: p for p in pubs}
    assert list(by_key) == ["paper", "self", "lost"]  # targets without authors are not printed
    assert by_key["paper"].get("booktitle") == "Proc of Things"
    assert (by_key["paper"].get("publisher"), by_key["paper"].year) == ("ACM", 2020)
    assert [str(p) for p in problems] == [
        'x.bib:4: warning: entry "self" has a crossref to itself',
        'x.bib:5: warning: entry "lost" has a crossref to "Nowhere", which no file defines',
    ]


def test_entries_lacking_what_is_printed_are_named(tmp_path: Path) -> None:
    (tmp_path / "x.bib").write_text(
        "@article{notitle, author = {A, B}, journal = {J}, year = 2020}\n"
        "@article{noyear, author = {A, B}, title = {T}, journal = {J}}\n"
        "@article{badmonth, author = {A, B}, title = {T}, journal = {J}, year = 2020,"
        " month = {13}}\n"
        "@article{dated, author = {A, B}, title = {T}, journal = {J}, date = {2021-05-03}}\n",
        "utf-8")
    pubs, problems = read_bibliographies([(tmp_path / "x.bib", "x.bib")])
    assert [str(p) for p in problems] == [
        'x.bib:1: warning: entry "notitle" has no title (its key is printed instead)',
        'x.bib:2: warning: entry "noyear" has no year (it is printed without one and sorted '
        "last)",
        'x.bib:3: warning: entry "badmonth" has a month "13" that is not a month (it is left '
        "out)",
    ]
    dated = pubs[-1]
    assert (dated.year, dated.month) == (2021, 5)


@pytest.mark.parametrize(("raw", "printed"), [
    (r"See \href{https://x.org/a}{here}", "See here"),
    (r"$\{$GPU-Sharing$\}$ Workloads", "GPU-Sharing Workloads"),
    (r"50\% and x\textsuperscript{2}", "50% and x²"),
    (r"\texttt{code} in \LaTeX{} and \TeX", "code in LaTeX and TeX"),
    (r"at \url{https://a.org/b_c%20d}", "at https://a.org/b_c%20d"),
    (r"\S 3 of \mbox{the rules}", "§3 of the rules"),
])
def test_formatting_macros_decode_to_their_text(raw: str, printed: str) -> None:
    assert decode_field(raw) == printed


@pytest.mark.parametrize(("raw", "names"), [
    (r"Smith, John and \'{E}lise Dupr\'e", ["John Smith", "Élise Dupré"]),
    (r"Ca\~{n}ete, Jos\'e", ["José Cañete"]),
    (r"Jos\'{e} Ca\~{n}ete and \v Simi\'c, Ana", ["José Cañete", "Ana Šimić"]),
])
def test_unbraced_accents_stay_in_their_names(raw: str, names: list[str]) -> None:
    assert [a.name.display() for a in parse_authors(raw)] == names
