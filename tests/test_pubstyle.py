"""pubstyle.py: one formatter per kind of entry, and the author list, as exact LaTeX."""

from __future__ import annotations

import pytest

from cvtex import names, pubstyle, rules
from cvtex.bib import decode_field, parse_authors
from cvtex.publication import Publication

OWNER = names.owner_keys("Qizhen Weng")


def pub(entry_type: str, authors: str = "Weng, Qizhen", annotation: str = "",
        editors: str = "", **fields: str) -> Publication:
    """A publication as bib.py would make it: fields decoded, owner marked."""
    p = Publication(
        key="k", entry_type=entry_type,
        fields={k: v if k in ("url", "doi", "eprint") else decode_field(v)
                for k, v in fields.items()},
        authors=parse_authors(authors, annotation), editors=parse_authors(editors),
        file="papers.bib", line=1)
    (marked,), _ = rules.mark_owner([p], OWNER)
    return marked


# ---- one formatter per kind -------------------------------------------------------------------

DETAILS = [
    ("conference",
     pub("inproceedings", booktitle="19th USENIX Symposium on Networked Systems Design and "
         "Implementation (NSDI)", year="2022", month="April"),
     r"in the Proc. \cvvenue{19th USENIX Symposium on Networked Systems Design and "
     r"Implementation (NSDI)}, Apr. 2022."),
    ("conference, short venue",
     pub("inproceedings", booktitle="2023 USENIX Annual Technical Conference",
         shortvenue="USENIX ATC", year="2023", month="jul"),
     r"in the Proc. \cvvenue{USENIX ATC ’23}, Jul. 2023."),
    ("conference, Proceedings of",
     pub("inproceedings", booktitle="Proceedings of the 13th Symposium on Cloud Computing",
         year="2022", month="11"),
     r"in the Proc. \cvvenue{13th Symposium on Cloud Computing}, Nov. 2022."),
    ("journal",
     pub("article", journal="IEEE Transactions on Cloud Computing", volume="11", number="1",
         pages="515--531", year="2021", month="Aug"),
     r"in the \cvvenue{IEEE Transactions on Cloud Computing}, vol. 11, no. 1, pp. 515–531, "
     r"Aug. 2021."),
    ("journal, one page",
     pub("article", journal="Nature", volume="7", pages="e12", year="2020"),
     r"in the \cvvenue{Nature}, vol. 7, p. e12, 2020."),
    ("journal, short venue",
     pub("article", journal="IEEE Transactions on Cloud Computing", shortvenue="IEEE TCC",
         volume="11", year="2021", month="jul"),
     r"in the \cvvenue{IEEE TCC ’21}, Jul. 2021."),
    ("preprint from eprint",
     pub("misc", eprint="2401.11240", archiveprefix="arXiv", year="2024", month="jan"),
     r"in the \cvvenue{arXiv preprint arXiv:2401.11240}, Jan. 2024."),
    ("preprint from the journal string",
     pub("article", journal="arXiv preprint arXiv:2203.01234", year="2022"),
     r"in the \cvvenue{arXiv preprint arXiv:2203.01234}, 2022."),
    ("preprint from CoRR",
     pub("article", journal="CoRR", volume="abs/2401.11240", year="2024"),
     r"in the \cvvenue{arXiv preprint arXiv:2401.11240}, 2024."),
    ("poster",
     pub("inproceedings", booktitle="ACM Symposium on Cloud Computing (SoCC)", type="poster",
         year="2018", month="oct"),
     r"poster paper in the Proc. \cvvenue{ACM Symposium on Cloud Computing (SoCC)}, Oct. 2018."),
    ("patent",
     pub("patent", number="CN105357221A", address="China", year="2016", month="feb"),
     r"\cvvenue{Patent CN105357221A}, China, Feb. 2016."),
    ("patent without number",
     pub("patent", year="2016"),
     r"\cvvenue{Patent}, 2016."),
    ("Ph.D. thesis",
     pub("phdthesis", school="Hong Kong University of Science and Technology", year="2022",
         month="dec"),
     r"Ph.D. thesis, \cvvenue{Hong Kong University of Science and Technology}, Dec. 2022."),
    ("master's thesis",
     pub("mastersthesis", school="SJTU", year="2017"),
     r"Master’s thesis, \cvvenue{SJTU}, 2017."),
    ("thesis with its own type",
     pub("phdthesis", school="ETH Z{\\\"u}rich", type="Doctoral dissertation", year="2019"),
     r"Doctoral dissertation, \cvvenue{ETH Zürich}, 2019."),
    ("tech report",
     pub("techreport", institution="Alibaba Group", number="TR-2021-07", year="2021"),
     r"Technical Report TR-2021-07, \cvvenue{Alibaba Group}, 2021."),
    ("book",
     pub("book", publisher="Schott", edition="Second", year="1824"),
     r"\cvvenue{Schott}, Second, 1824."),
    ("chapter",
     pub("incollection", booktitle="Handbook of Sustainable Computing", publisher="Springer",
         pages="101--120", year="2025", editors="Smith, John and Roe, Richard"),
     r"in \cvvenue{Handbook of Sustainable Computing}, John Smith and Richard Roe, Eds., "
     r"Springer, pp. 101–120, 2025."),
    ("chapter, one editor",
     pub("inbook", booktitle="Handbook", editors="Smith, John", year="2025"),
     r"in \cvvenue{Handbook}, John Smith, Ed., 2025."),
    ("misc",
     pub("misc", howpublished="Invited talk at {T}singhua University", note="Slides online",
         year="2018"),
     r"\cvvenue{Invited talk at Tsinghua University}, Slides online, 2018."),
    ("misc, special characters",
     pub("misc", howpublished=r"R\&D Day, 100\% online", year="2018"),
     r"\cvvenue{R\&D Day, 100\% online}, 2018."),
    ("undated",
     pub("misc", howpublished="Talk"),
     r"\cvvenue{Talk}."),
    ("no venue", pub("article", year="2020"), "2020."),
    ("conference without venue", pub("inproceedings", year="2020"), "2020."),
    ("poster without venue", pub("inproceedings", type="poster", year="2020"), "Poster, 2020."),
    ("nothing at all", pub("misc"), ""),
]


@pytest.mark.parametrize(("label", "p", "expected"), DETAILS, ids=[d[0] for d in DETAILS])
def test_details(label: str, p: Publication, expected: str) -> None:
    assert pubstyle.details(p) == expected


def test_every_kind_has_a_formatter() -> None:
    assert set(pubstyle.FORMATTERS) == set(rules.KIND_TITLES)


# ---- titles, links, labels --------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "target"), [
    ({"url": "https://x.org/a?b=1&c=2#d", "doi": "10.1/x"}, "https://x.org/a?b=1&c=2#d"),
    ({"doi": "10.1145/3542929.3563465"}, "https://doi.org/10.1145/3542929.3563465"),
    ({"doi": "https://doi.org/10.1/x"}, "https://doi.org/10.1/x"),
    ({"eprint": "2401.11240", "archiveprefix": "arXiv"}, "https://arxiv.org/abs/2401.11240"),
    ({"journal": "arXiv preprint arXiv:2203.01234"}, "https://arxiv.org/abs/2203.01234"),
    ({"booktitle": "ATC", "eprint": "2401.11240", "archiveprefix": "arXiv"},
     "https://arxiv.org/abs/2401.11240"),
    ({"html": "https://site/paper"}, "https://site/paper"),
    ({"booktitle": "ATC"}, None),
])
def test_link(fields: dict[str, str], target: str | None) -> None:
    assert pubstyle.link(pub("misc", **fields)) == target


def test_title_is_linked_and_escaped() -> None:
    p = pub("inproceedings", title="{GPU}s \\& $O(n^2)$ Tricks", url="https://x.org/a_b%20c#s")
    assert pubstyle.title(p) == r"\cvlink{https://x.org/a_b\%20c\#s}{GPUs \& $O(n^2)$ Tricks}"
    assert pubstyle.title(pub("misc", title="Plain")) == "Plain"


@pytest.mark.parametrize(("fields", "label"), [
    ({"abbr": "ATC", "shortvenue": "USENIX ATC", "year": "2023"}, "ATC ’23"),
    ({"shortvenue": "USENIX ATC", "year": "2023"}, "USENIX ATC ’23"),
    ({"year": "2009"}, "k ’09"),
    ({"booktitle": "19th Symposium on Networked Systems (NSDI 22)", "year": "2022"}, "NSDI ’22"),
    ({"booktitle": "2023 USENIX Annual Technical Conference (USENIX ATC '23)", "year": "2023"},
     "USENIX ATC ’23"),
    ({"journal": "Transactions (in print)", "year": "2020"}, "k ’20"),
    ({"eprint": "2401.11240", "archiveprefix": "arXiv", "year": "2024"}, "arXiv ’24"),
    ({"abbr": "arXiv"}, "arXiv"),
])
def test_short_label(fields: dict[str, str], label: str) -> None:
    assert pubstyle.short_label(pub("misc", **fields)) == label


# ---- author lists -----------------------------------------------------------------------------

AUTHORS = [
    ("one", "Weng, Qizhen", "", None, r"\cvowner{Qizhen Weng}"),
    ("two", "Weng, Qizhen and Wang, Wei", "", None, r"\cvowner{Qizhen Weng} and Wei Wang"),
    ("three, serial comma", "Tian, Huangshi and Q. Weng and Wang, Wei", "", None,
     r"Huangshi Tian, \cvowner{Q. Weng}, and Wei Wang"),
    ("co-first from marks", "Luping Wang* and Qizhen Weng* and Wei Wang", "", None,
     r"Luping Wang\cvcofirst{}, \cvowner{Qizhen Weng}\cvcofirst{}"
     r"\cvcofirstnote{(co-first author)}, and Wei Wang"),
    ("co-first from author+an, corresponding", "Weng, Qizhen and Yang, Lingyun and Wang, Wei",
     "1=equal; 2=equal; 3=corresponding", None,
     r"\cvowner{Qizhen Weng}\cvcofirst{}, Lingyun Yang\cvcofirst{}"
     r"\cvcofirstnote{(co-first author)}, and Wei Wang\cvcorresponding{}"
     r"\cvcorrespondingnote{(corresponding author)}"),
    ("corresponding mark", "Weng, Qizhen and Wei Wang†", "", None,
     r"\cvowner{Qizhen Weng} and Wei Wang\cvcorresponding{}"
     r"\cvcorrespondingnote{(corresponding author)}"),
    ("and others", "Li, Suyi and Weng, Qizhen and others", "", None,
     r"Suyi Li, \cvowner{Qizhen Weng}, et al."),
    ("DBLP numbers never printed", "Wei Wang 0002 and Qizhen Weng 0001", "", None,
     r"Wei Wang and \cvowner{Qizhen Weng}"),
    ("corporate and von/Jr", "{Barnes and Noble, Inc.} and van der Berg, Jr., Jan and Weng, Q.",
     "", None, r"Barnes and Noble, Inc., Jan van der Berg, Jr., and \cvowner{Q. Weng}"),
    ("accents", r"M{\"u}ller-{\v{S}}imi{\'c}, Jos{\'e} and Weng, Qizhen", "", None,
     r"José Müller-Šimić and \cvowner{Qizhen Weng}"),
    ("shortened, owner in front", "A, A and B, B and Weng, Qizhen and D, D and E, E", "", 3,
     r"A A, B B, \cvowner{Qizhen Weng}, and 2 others"),
    ("shortened, owner kept visible", "A, A and B, B and C, C and D, D and Weng, Qizhen and F, F",
     "", 3, r"A A, B B, \ldots{} (2 more), \cvowner{Qizhen Weng}, and 1 other"),
    ("shortened, owner last", "A, A and B, B and C, C and D, D and Weng, Qizhen", "", 3,
     r"A A, B B, \ldots{} (2 more), and \cvowner{Qizhen Weng}"),
    ("shortened, a gap of one is printed", "A, A and B, B and C, C and Weng, Qizhen and E, E",
     "", 3, r"A A, B B, C C, \cvowner{Qizhen Weng}, and 1 other"),
    ("shortened and others", "A, A and B, B and C, C and others", "", 2,
     r"A A, B B, and 1 other, et al."),
    ("shortened, note on the last shown co-first",
     "A, A* and B, B* and C, C* and D, D and Weng, Qizhen", "", 2,
     r"A A\cvcofirst{}\cvcofirstnote{(co-first author)}, \ldots{} (3 more), and "
     r"\cvowner{Qizhen Weng}"),
]


@pytest.mark.parametrize(("label", "raw", "annotation", "limit", "expected"), AUTHORS,
                         ids=[a[0] for a in AUTHORS])
def test_author_list(label: str, raw: str, annotation: str, limit: int | None,
                     expected: str) -> None:
    p = pub("misc", authors=raw, annotation=annotation)
    assert pubstyle.author_list(p, limit) == expected


def test_a_year_in_words_is_escaped() -> None:
    p = pub("article", title="T", journal="J", year=r"In press \& 100\%")
    assert pubstyle.details(p) == r"in the \cvvenue{J}, In press \& 100\%."


@pytest.mark.parametrize("doi", ["10.1/x", "doi:10.1/x", "DOI: 10.1/x", "https://doi.org/10.1/x",
                                 "http://dx.doi.org/10.1/x"])
def test_doi_links_take_the_doi_once(doi: str) -> None:
    assert pubstyle.link(pub("article", title="T", doi=doi)) == "https://doi.org/10.1/x"
