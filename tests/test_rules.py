"""rules.py: owner flags, kinds, selection, order, groups and shortened author lists."""

from __future__ import annotations

import pytest

from cvtex import names, rules
from cvtex.bib import parse_authors
from cvtex.publication import Publication


def pub(key: str = "k", entry_type: str = "inproceedings", authors: str = "Weng, Qizhen",
        **fields: str) -> Publication:
    return Publication(key=key, entry_type=entry_type, fields=fields,
                       authors=parse_authors(authors), file="papers.bib", line=7)


OWNER = names.owner_keys("Qizhen Weng", ["Chi-Chun Weng"])


def test_mark_owner_flags_every_spelling() -> None:
    p = pub(authors="Q. Weng and Qiang Weng and Weng, Chi-Chun and Qizhen Wang and others")
    (marked,), problems = rules.mark_owner([p], OWNER)
    assert [a.owner for a in marked.authors] == [True, False, True, False, False]
    assert problems == []


def test_mark_owner_warns_with_file_and_line() -> None:
    _, problems = rules.mark_owner([pub(key="x", authors="Zhen Weng and Qiang Weng")], OWNER)
    assert [str(p) for p in problems] == [
        'papers.bib:7: warning: the owner\'s name is not among the authors of "x"; if one of '
        "them is you under another spelling, add it to aliases: in cv.yaml"]


def test_mark_owner_is_silent_for_entries_without_authors() -> None:
    _, problems = rules.mark_owner([pub(authors="")], OWNER)
    assert problems == []


@pytest.mark.parametrize(("entry_type", "fields", "kind"), [
    ("inproceedings", {"booktitle": "NSDI"}, "conference"),
    ("conference", {"booktitle": "NSDI"}, "conference"),
    ("article", {"journal": "IEEE TCC"}, "journal"),
    ("article", {"journal": "arXiv preprint arXiv:2401.11240"}, "preprint"),
    ("article", {"journal": "CoRR", "volume": "abs/2401.11240"}, "preprint"),
    ("misc", {"eprint": "2401.11240", "archiveprefix": "arXiv"}, "preprint"),
    ("misc", {"eprint": "2401.11240", "eprinttype": "arxiv"}, "preprint"),
    ("misc", {"publisher": "arXiv"}, "preprint"),
    # A published paper that also carries its arXiv eprint stays a conference paper.
    ("inproceedings", {"booktitle": "ATC", "eprint": "2401.11240", "archiveprefix": "arXiv"},
     "conference"),
    ("inproceedings", {"booktitle": "SoCC", "type": "poster"}, "poster"),
    ("misc", {"howpublished": "SoCC", "pubtype": "Poster"}, "poster"),
    ("patent", {"number": "CN1"}, "patent"),
    ("phdthesis", {"school": "HKUST"}, "thesis"),
    ("mastersthesis", {"school": "SJTU"}, "thesis"),
    ("techreport", {"institution": "Alibaba"}, "report"),
    ("book", {"publisher": "Springer"}, "book"),
    ("incollection", {"booktitle": "Handbook"}, "chapter"),
    ("inbook", {"booktitle": "Handbook"}, "chapter"),
    ("misc", {"howpublished": "Talk"}, "misc"),
    ("unpublished", {}, "misc"),
])
def test_kind(entry_type: str, fields: dict[str, str], kind: str) -> None:
    assert rules.kind(pub(entry_type=entry_type, **fields)) == kind


@pytest.mark.parametrize(("fields", "ident"), [
    ({"eprint": "2401.11240", "archiveprefix": "arXiv"}, "2401.11240"),
    ({"eprint": "arXiv:2401.11240v2"}, "2401.11240v2"),
    ({"eprint": "hep-th/9901001", "archiveprefix": "arXiv"}, "hep-th/9901001"),
    ({"journal": "arXiv preprint arXiv:2203.01234"}, "2203.01234"),
    ({"journal": "CoRR", "volume": "abs/2401.11240"}, "2401.11240"),
    ({"url": "https://arxiv.org/abs/2401.11240"}, "2401.11240"),
    ({"eprint": "12345", "eprinttype": "pubmed"}, ""),
    ({}, ""),
])
def test_arxiv_id(fields: dict[str, str], ident: str) -> None:
    assert rules.arxiv_id(pub(entry_type="misc", **fields)) == ident


PUBS = [
    pub("a", year="2020", month="November", selected="true"),
    pub("b", year="2023", month="July"),
    pub("c", year="2023", month="April", selected="yes"),
    pub("d"),  # undated
    pub("e", year="2020"),
]


@pytest.mark.parametrize(("order", "keys"), [
    ("newest", ["b", "c", "a", "e", "d"]),
    ("oldest", ["e", "a", "c", "b", "d"]),
    ("none", ["a", "b", "c", "d", "e"]),
])
def test_sort(order: str, keys: list[str]) -> None:
    assert [p.key for p in rules.sort(PUBS, order)] == keys


def test_sort_is_stable_for_equal_dates() -> None:
    same = [pub("x", year="2021"), pub("y", year="2021"), pub("z", year="2021")]
    assert [p.key for p in rules.sort(same, "newest")] == ["x", "y", "z"]


def test_select() -> None:
    assert [p.key for p in rules.select(PUBS, "all")[0]] == ["a", "b", "c", "d", "e"]
    assert [p.key for p in rules.select(PUBS, "selected")[0]] == ["a", "c"]
    chosen, unknown = rules.select(PUBS, ["E", "b", "nope"])
    assert [p.key for p in chosen] == ["e", "b"]  # in the order of the list, any case
    assert unknown == ["nope"]


def test_group_by_kind_in_a_fixed_order() -> None:
    pubs = [
        pub("p1", "misc", eprint="1", archiveprefix="arXiv"),
        pub("c1", "inproceedings", booktitle="A"),
        pub("j1", "article", journal="J"),
        pub("c2", "inproceedings", booktitle="B"),
        pub("t1", "phdthesis"),
    ]
    groups = [(title, [p.key for p in members]) for title, members in rules.group_by_kind(pubs)]
    assert groups == [
        ("Conference Papers", ["c1", "c2"]),
        ("Journal Articles", ["j1"]),
        ("Preprints", ["p1"]),
        ("Theses", ["t1"]),
    ]


@pytest.mark.parametrize(("n", "owner", "limit", "shown"), [
    (5, 1, None, [0, 1, 2, 3, 4]),
    (5, 4, 5, [0, 1, 2, 3, 4]),
    (10, 1, 4, [0, 1, 2, 3]),
    (10, 3, 4, [0, 1, 2, 3]),
    (40, 7, 4, [0, 1, 2, None, 7]),
    (40, 39, 3, [0, 1, None, 39]),
    (10, None, 3, [0, 1, 2]),
    (10, 5, 1, [None, 5]),
])
def test_visible_authors_keep_the_owner(n: int, owner: int | None, limit: int | None,
                                        shown: list[int | None]) -> None:
    assert rules.visible_authors(n, owner, limit) == shown


def test_is_selected() -> None:
    assert [rules.is_selected(p) for p in PUBS] == [True, False, True, False, False]
