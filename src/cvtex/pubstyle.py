"""The classic publication style: one formatter per kind of entry, written as theme macros.

Every piece of BibTeX data goes through `latex.bib_text` (or `latex.url`); the look of each
role (owner, venue, title...) is the theme's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cvtex import latex, rules
from cvtex.dates import MONTH_ABBREVIATIONS
from cvtex.publication import Author, Publication

# The BibTeX fields this style prints (besides authors and editors); the others (abstract,
# file, keywords...) never reach the PDF.
PRINTED_FIELDS = ("title", "booktitle", "journal", "shortvenue", "abbr", "year", "volume",
                  "number", "pages", "publisher", "address", "edition", "school", "institution",
                  "type", "howpublished", "note")

COFIRST_NOTE = "(co-first author)"
CORRESPONDING_NOTE = "(corresponding author)"


def author_list(pub: Publication, max_authors: int | None = None) -> str:
    """'A, **Owner***, B* (co-first author), and C' as LaTeX.

    With more than `max_authors`, the first ones and the owner, and counts of the rest:
    'A, B, \\ldots (5 more), **Owner**, and 80 others'.
    """
    authors = pub.authors
    others = bool(authors) and authors[-1].others
    people = [a for a in authors if not a.others]
    owner = next((i for i, a in enumerate(people) if a.owner), None)
    shown = rules.visible_authors(len(people), owner, max_authors)
    # The notes go after the last *printed* co-first / corresponding author.
    last_cofirst = max((i for i in shown if i is not None and people[i].cofirst), default=None)
    last_corresponding = max(
        (i for i in shown if i is not None and people[i].corresponding), default=None)
    parts: list[str] = []
    for position, index in enumerate(shown):
        if index is None:  # the authors between the first ones and the owner
            gap = shown[position + 1] - shown[position - 1] - 1  # type: ignore[operator]
            parts.append(rf"\ldots{{}} ({gap} more)")
            continue
        text = _one_author(people[index])
        if index == last_cofirst:
            text += r"\cvcofirstnote{" + latex.escape(COFIRST_NOTE) + "}"
        if index == last_corresponding:
            text += r"\cvcorrespondingnote{" + latex.escape(CORRESPONDING_NOTE) + "}"
        parts.append(text)
    # A shortened list says how many authors it leaves out, so none is lost without a word.
    after = len(people) - 1 - max((i for i in shown if i is not None), default=-1)
    tail = f", and {after} other{'s' if after > 1 else ''}" if after else ""
    if others:
        tail += ", et al."
    if tail:
        return ", ".join(parts) + tail
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + ", and " + parts[-1]


def _one_author(author: Author) -> str:
    name = latex.bib_text(author.name.display())
    if author.owner:
        name = r"\cvowner{" + name + "}"
    if author.cofirst:
        name += r"\cvcofirst{}"
    if author.corresponding:
        name += r"\cvcorresponding{}"
    return name


def link(pub: Publication) -> str | None:
    """Where the title leads: url, DOI, arXiv, or al-folio's html field."""
    if pub.get("url"):
        return pub.get("url")
    if pub.get("doi"):
        doi = re.sub(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", pub.get("doi"),
                     flags=re.IGNORECASE)
        return f"https://doi.org/{doi}"
    archive = (pub.get("archiveprefix") or pub.get("eprinttype")).lower()
    if (rules.is_arxiv(pub) or archive == "arxiv") and rules.arxiv_id(pub):
        return f"https://arxiv.org/abs/{rules.arxiv_id(pub)}"
    return pub.get("html") or None


def title(pub: Publication) -> str:
    text = latex.bib_text(pub.get("title") or pub.key)
    target = link(pub)
    return latex.href(target, text) if target else text


def short_label(pub: Publication) -> str:
    """'ATC ’23': the entry's short name and year, as bullets cite it.

    abbr, else shortvenue, else the venue's own acronym in parentheses ('... (NSDI)'), else
    'arXiv' for a preprint, else the key.
    """
    name = (pub.get("abbr") or pub.get("shortvenue") or _acronym(rules.venue(pub))
            or ("arXiv" if rules.is_arxiv(pub) else pub.key))
    return f"{name} {_year_suffix(pub)}".strip()


def _acronym(venue: str) -> str:
    """'19th USENIX Symposium ... (NSDI 22)' -> 'NSDI'."""
    m = re.search(r"\(([^()]*)\)\s*$", venue)
    if not m:
        return ""
    text = re.sub(r"\s*[’']?\d{2,4}$", "", m.group(1).strip())
    return text if 0 < len(text) <= 20 and any(c.isupper() for c in text) else ""


def _year_suffix(pub: Publication) -> str:
    return f"\u2019{pub.year % 100:02d}" if pub.year else ""


def _date(pub: Publication) -> str:
    if pub.year is None:
        return latex.bib_text(pub.get("year"))  # "forthcoming", "in press"
    month = pub.month
    return f"{MONTH_ABBREVIATIONS[month - 1]} {pub.year}" if month else str(pub.year)


def _venue(pub: Publication, full: str) -> str:
    """The short venue with its year ('USENIX ATC ’23') when the data gives one."""
    short = pub.get("shortvenue")
    if short:
        return f"{short} {_year_suffix(pub)}".strip()
    return full


def _join(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def _numbers(pub: Publication) -> str:
    return _join(
        f"vol. {pub.get('volume')}" if pub.get("volume") else "",
        f"no. {pub.get('number')}" if pub.get("number") else "",
        (f"pp. {pub.get('pages')}" if any(c in pub.get("pages") for c in "-–") else
         f"p. {pub.get('pages')}") if pub.get("pages") else "",
    )


def _v(text: str) -> str:
    return r"\cvvenue{" + latex.bib_text(text) + "}" if text else ""


def _in(prefix: str, venue: str, *rest: str) -> str:
    """'in the Proc. Venue, rest' -- or only the rest when there is no venue to be in."""
    return _join(f"{prefix} {venue}" if venue else "", *rest)


def _conference(pub: Publication) -> str:
    # "in the Proc. Proceedings of the 13th ..." says it twice.
    full = re.sub(r"^(?:\d{4}\s+)?Proceedings\s+of\s+(?:the\s+)?", "", pub.get("booktitle"),
                  flags=re.IGNORECASE)
    return _in("in the Proc.", _v(_venue(pub, full)), _date(pub))


def _poster(pub: Publication) -> str:
    text = _conference(pub)
    return f"poster paper {text}" if text.startswith("in ") else _join("Poster", text)


def _journal(pub: Publication) -> str:
    short = bool(pub.get("shortvenue"))
    return _in("in the", _v(_venue(pub, pub.get("journal"))),
               "" if short else latex.bib_text(_numbers(pub)), _date(pub))


def _preprint(pub: Publication) -> str:
    ident = rules.arxiv_id(pub)
    journal = pub.get("journal")
    venue = journal if re.search(r"\barxiv\b", journal, re.IGNORECASE) else (
        f"arXiv preprint arXiv:{ident}" if ident else "arXiv preprint")
    return _in("in the", _v(venue), _date(pub))


def _patent(pub: Publication) -> str:
    number = pub.get("number")
    return _join(_v(f"Patent {number}" if number else "Patent"),
                 latex.bib_text(pub.get("address")), _date(pub))


def _thesis(pub: Publication) -> str:
    label = "Master\u2019s thesis" if pub.entry_type == "mastersthesis" else "Ph.D. thesis"
    return _join(latex.bib_text(pub.get("type") or label), _v(pub.get("school")), _date(pub))


def _report(pub: Publication) -> str:
    number = pub.get("number")
    kind = pub.get("type") or "Technical Report"
    return _join(latex.bib_text(f"{kind} {number}".strip()), _v(pub.get("institution")),
                 _date(pub))


def _book(pub: Publication) -> str:
    return _join(_v(pub.get("publisher")), latex.bib_text(pub.get("edition")), _date(pub))


def _editors(pub: Publication) -> str:
    people = [a.name.display() for a in pub.editors if not a.others]
    if not people:
        return ""
    names = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]
    etal = " et al." if pub.editors[-1].others else ""
    return latex.bib_text(f"{names}{etal}, Ed{'s' if len(people) > 1 or etal else ''}.")


def _chapter(pub: Publication) -> str:
    return _in("in", _v(_venue(pub, pub.get("booktitle"))), _editors(pub),
               latex.bib_text(pub.get("publisher")), latex.bib_text(_numbers(pub)), _date(pub))


def _misc(pub: Publication) -> str:
    return _join(_v(pub.get("howpublished") or pub.get("booktitle") or pub.get("journal")),
                 latex.bib_text(pub.get("note")), _date(pub))


FORMATTERS: dict[str, Callable[[Publication], str]] = {
    "conference": _conference,
    "poster": _poster,
    "journal": _journal,
    "preprint": _preprint,
    "patent": _patent,
    "thesis": _thesis,
    "report": _report,
    "book": _book,
    "chapter": _chapter,
    "misc": _misc,
}


def details(pub: Publication) -> str:
    """What follows the title: '“Title,” in the Proc. USENIX ATC ’23, Jul. 2023.'"""
    kind = rules.kind(pub)
    text = FORMATTERS[kind](pub)
    text = text.rstrip(".") + "." if text else ""
    if pub.get("note") and kind != "misc":  # misc prints its note in its own place
        text += " " + latex.bib_text(pub.get("note").rstrip(".")) + "."
    return text
