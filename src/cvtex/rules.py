"""Rules on publications: who is the owner, which entries, in what order, in which group.

Pure functions on the model; nothing here knows LaTeX.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from cvtex import names
from cvtex.errors import Problem, warning
from cvtex.publication import Publication

KIND_TITLES = {
    "conference": "Conference Papers",
    "journal": "Journal Articles",
    "preprint": "Preprints",
    "poster": "Posters",
    "chapter": "Book Chapters",
    "book": "Books",
    "thesis": "Theses",
    "report": "Technical Reports",
    "patent": "Patents",
    "misc": "Other",
}


def mark_owner(pubs: Sequence[Publication], owner: list[names.NameKey]
               ) -> tuple[list[Publication], list[Problem]]:
    """Flag the owner in every author list; warn where the owner cannot be found."""
    marked: list[Publication] = []
    problems: list[Problem] = []
    for pub in pubs:
        authors = tuple(
            a.with_flags(owner=not a.others and names.matches(a.name, owner)) for a in pub.authors
        )
        if authors and not any(a.owner for a in authors):
            problems.append(warning(
                f'the owner\'s name is not among the authors of "{pub.key}"; if one of them is '
                "you under another spelling, add it to aliases: in cv.yaml",
                file=pub.file, line=pub.line))
        marked.append(replace(pub, authors=authors))
    return marked, problems


def kind(pub: Publication) -> str:
    """conference, journal, preprint, poster, patent, thesis, report, book, chapter or misc."""
    if is_arxiv(pub):
        return "preprint"
    if pub.get("type").lower() == "poster" or pub.get("pubtype").lower() == "poster":
        return "poster"
    return {
        "inproceedings": "conference", "conference": "conference",
        "article": "journal",
        "patent": "patent",
        "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
        "techreport": "report", "report": "report",
        "book": "book",
        "incollection": "chapter", "inbook": "chapter",
    }.get(pub.entry_type, "misc")


def venue(pub: Publication) -> str:
    return pub.get("journal") or pub.get("booktitle") or pub.get("howpublished")


def is_arxiv(pub: Publication) -> bool:
    """An arXiv preprint: its venue names arXiv (or DBLP's CoRR), or it has no venue but an
    arXiv eprint. A conference paper that also carries an eprint stays a conference paper."""
    where = venue(pub)
    if where:
        return bool(re.search(r"\barxiv\b", where, re.IGNORECASE)) or where.strip() == "CoRR"
    return (pub.get("archiveprefix").lower() == "arxiv"
            or pub.get("eprinttype").lower() == "arxiv"
            or pub.get("publisher").lower() == "arxiv")


def arxiv_id(pub: Publication) -> str:
    """'2401.11240' from eprint, an arXiv journal string, DBLP's volume 'abs/...', or the url."""
    eprint = pub.get("eprint").strip()
    archive = (pub.get("archiveprefix") or pub.get("eprinttype")).lower()
    if eprint and archive in ("", "arxiv"):  # an eprint of another archive is no arXiv id
        return re.sub(r"^arxiv:", "", eprint, flags=re.IGNORECASE)
    for source in (pub.get("journal"), pub.get("volume"), pub.get("url"),
                   pub.get("howpublished"), pub.get("note")):
        if m := re.search(r"(\d{4}\.\d{4,5}(?:v\d+)?)", source):
            return m.group(1)
    return ""


def is_selected(pub: Publication) -> bool:
    return pub.get("selected").strip().lower() in ("true", "yes", "1")


def select(pubs: Sequence[Publication], how: str | list[str]
           ) -> tuple[list[Publication], list[str]]:
    """'all', 'selected', or a list of keys (in that order); also return unknown keys."""
    if how == "all":
        return list(pubs), []
    if how == "selected":
        return [p for p in pubs if is_selected(p)], []
    by_key = {p.key.lower(): p for p in pubs}
    keys = list(dict.fromkeys(k.lower() for k in how))  # a key listed twice counts once
    chosen = [by_key[k] for k in keys if k in by_key]
    return chosen, [k for k in dict.fromkeys(how) if k.lower() not in by_key]


def sort(pubs: Sequence[Publication], order: str) -> list[Publication]:
    """newest/oldest first by year and month (undated last); none keeps the given order."""
    if order == "none":
        return list(pubs)
    newest = order == "newest"

    def key(p: Publication) -> tuple[int, int, int]:
        dated = p.year is not None
        year, month = p.year or 0, p.month or 0
        return (0 if dated else 1, -year if newest else year, -month if newest else month)

    return sorted(pubs, key=key)  # stable: equal dates keep the file order


def group_by_kind(pubs: Sequence[Publication]) -> list[tuple[str, list[Publication]]]:
    groups: dict[str, list[Publication]] = {}
    for p in pubs:
        groups.setdefault(kind(p), []).append(p)
    return [(KIND_TITLES[k], groups[k]) for k in KIND_TITLES if k in groups]


def visible_authors(n: int, owner_index: int | None, limit: int | None) -> list[int | None]:
    """Indices of the authors to print; None stands for an ellipsis.

    With more than `limit` authors, the first ones are kept and the owner always stays visible:
    [0, 1, 2, None, 7] for 40 authors, limit 4, owner at 7.
    """
    if limit is None or n <= limit:
        return list(range(n))
    if owner_index is None or owner_index < limit:
        return list(range(limit))
    if owner_index == limit:  # a gap of one author: print the author, not "…"
        return list(range(owner_index + 1))
    return [*range(limit - 1), None, owner_index]
