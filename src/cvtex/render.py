"""Profile + publications -> a PyLaTeX document written in the theme's macro vocabulary.

This module decides what goes where; the theme decides how it looks. Every piece of user
text reaches LaTeX through `cvtex.latex`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pylatex import Command, Document
from pylatex.base_classes import Arguments, Environment
from pylatex.utils import NoEscape

from cvtex import latex, model, pubstyle, rules
from cvtex.dates import date_range, display
from cvtex.formatdump import END_OF_DUMP
from cvtex.publication import Publication


class CvSection(Environment):
    """`\\begin{cvsection}{Title} ... \\end{cvsection}`"""

    _latex_name = "cvsection"


@dataclass(frozen=True)
class RenderOptions:
    engine: str  # pdflatex, xelatex or lualatex
    cjk_font: str | None = None
    # A Unicode engine's main font when the theme's cannot set the text (Greek, Cyrillic...)
    main_font: str | None = None
    today: str | None = None  # the "last updated" date when the layout asks for today's


def _font_preamble(options: RenderOptions) -> list[NoEscape]:
    """Fonts cvtex chose for the text on a Unicode engine, after the theme's own."""
    out: list[NoEscape] = []
    if options.engine == "pdflatex":
        return out
    main = latex.escape(options.main_font) if options.main_font else ""
    if options.engine == "lualatex" and options.cjk_font:
        # xeCJK is XeTeX's only: LuaTeX falls back to the CJK font glyph by glyph.
        cjk = re.sub(r"[^\w .-]", "", options.cjk_font)  # a font name from fontconfig
        out.append(NoEscape(r'\directlua{luaotfload.add_fallback("cvfallback",{"' + cjk
                            + r':mode=node;"})}'))
        out.append(NoEscape(r"\setmainfont{" + (main or "Latin Modern Roman")
                            + "}[RawFeature={fallback=cvfallback}]"))
    elif main:
        out.append(NoEscape(r"\setmainfont{" + main + "}"))
    # xeCJK would set dashes, quotes and ellipses between Latin words in the CJK font and
    # drop the spaces around them: they belong to the Latin text.
    out.append(NoEscape(r"\ifdefined\xeCJKDeclareCharClass\xeCJKDeclareCharClass{Default}"
                        r"{`–,`—,`‘,`’,`“,`”,`…,`·}\fi"))
    # A character no font has is an error (TeX would otherwise drop it with a log line).
    out.append(NoEscape(r"\tracinglostchars=1"))
    return out


def _cmd(name: str, *args: str) -> Command:
    return Command(name, arguments=Arguments(*(NoEscape(a) for a in args)))


def _def(name: str, value: str) -> NoEscape:
    return NoEscape(rf"\newcommand\{name}{{{value}}}")


def document(profile: model.Profile, sections_pubs: dict[int, list[Publication]],
             all_pubs: Sequence[Publication], options: RenderOptions) -> Document:
    layout = profile.layout
    doc = Document(
        documentclass="article",
        document_options=[f"{layout.font_size}pt"],
        fontenc=None, inputenc=None, lmodern=False, textcomp=False,
        # The theme owns paragraphs and fonts; the page foot comes from cvpages, below
        # (page_numbers=False sets \pagestyle{empty}: no LaTeX head or foot).
        page_numbers=False, indent=True, microtype=False,
    )
    doc.preamble.append(_def("cvpaper", f"{layout.paper}paper"))
    if layout.margin:
        doc.preamble.append(_def("cvmargin", layout.margin))
    doc.preamble.append(_def("cvpagenumbers", "1" if layout.page_numbers else "0"))
    if layout.accent:
        doc.preamble.append(_def("cvaccenthex", layout.accent.lstrip("#").upper()))
    if options.cjk_font and options.engine == "xelatex":
        doc.preamble.append(_def("cvcjkfont", latex.escape(options.cjk_font)))
    doc.preamble.append(NoEscape(r"\usepackage{cvtheme}"))
    # "n / N" in one TeX pass, drawn by the theme's \cvpagefoot.
    doc.preamble.append(NoEscape(r"\usepackage{cvpages}"))
    doc.preamble.extend(_font_preamble(options))
    # Everything above depends on the layout and the theme only: cvtex may dump it into a
    # format (mylatexformat), which stops reading here. Undefined, this line does nothing.
    doc.preamble.append(NoEscape(END_OF_DUMP))
    doc.preamble.append(NoEscape(
        r"\hypersetup{pdftitle={" + latex.escape(f"{profile.name} \u2013 Curriculum Vitae")
        + "},pdfauthor={" + latex.escape(profile.name)
        + "},pdfsubject={Curriculum Vitae},pdfkeywords={"
        + latex.escape(", ".join(["CV", profile.name,
                                  *(latex.plain_text(h) for h in profile.headline[:2])])) + "}}"
    ))

    by_key = {p.key.lower(): p for p in all_pubs}
    cite = _citer(by_key)
    doc.append(_header(profile, cite))
    for index, section in enumerate(profile.sections):
        body = _section_body(section, sections_pubs.get(index, []), cite)
        if not body:
            continue
        env = CvSection(arguments=Arguments(NoEscape(latex.markup(section.title, cite))))
        for item in body:
            env.append(item)
        doc.append(env)
    if layout.last_updated is not None:
        when = options.today if layout.last_updated is True else display(layout.last_updated)
        doc.append(_cmd("cvlastupdated", latex.escape(when or "")))
    return doc


def _citer(by_key: dict[str, Publication]) -> latex.CiteRenderer:
    """[@a; @b, p. 3] in cv.yaml -> '(ATC ’23, SC ’20, p. 3)', each label a link to the entry."""
    def cite(found: list[latex.Citation]) -> str:
        labels = []
        for key, locator in found:
            pub = by_key[key.lower()]  # unknown keys were reported during validation
            text = latex.bib_text(pubstyle.short_label(pub))
            target = pubstyle.link(pub)
            label = latex.href(target, text) if target else text
            labels.append(label + (", " + latex.typographic(locator) if locator else ""))
        return "(" + ", ".join(labels) + ")"
    return cite


def _header(profile: model.Profile, cite: latex.CiteRenderer) -> Command:
    left = r"\\".join(latex.markup(line, cite) for line in profile.headline)
    c = profile.contact
    right = _contacts(c.email, c.phone, c.web)
    if c.github:
        right.append(r"\cvlabel{GitHub}: " + latex.href(
            f"https://github.com/{c.github}", latex.escape(c.github)))
    if c.orcid:
        right.append(r"\cvlabel{ORCID}: " + latex.href(
            f"https://orcid.org/{c.orcid}", latex.escape(c.orcid)))
    if c.location:
        right.append(latex.escape(c.location))
    return _cmd("cvheader", latex.escape(profile.name), left, r"\\".join(right))


def _contacts(email: str | None, phone: str | None, web: str | None) -> list[str]:
    """'Email: ...', 'Phone: ...', 'Web: ...' lines, the addresses linked."""
    lines = []
    if email:
        lines.append(r"\cvlabel{Email}: " + latex.href(f"mailto:{email}", latex.url_text(email)))
    if phone:
        lines.append(r"\cvlabel{Phone}: " + latex.escape(phone))
    if web:
        lines.append(r"\cvlabel{Web}: " + latex.href(_absolute(web), latex.url_text(web)))
    return lines


def _absolute(address: str) -> str:
    return address if ":" in address.split("/")[0] else f"https://{address}"


def _linked(text: str, url: str | None, cite: latex.CiteRenderer) -> str:
    body = latex.markup(text, cite)
    return latex.href(_absolute(url), body) if url else body


def _items(items: Sequence[str], cite: latex.CiteRenderer) -> str:
    return "".join(r"\cvitem{" + latex.markup(i, cite) + "}" for i in items)


def _section_body(section: model.Section, pubs: list[Publication],
                  cite: latex.CiteRenderer) -> list[Command | NoEscape]:
    renderer = _RENDERERS[section.kind]
    return renderer(section, pubs, cite)  # type: ignore[operator]


def _text(s: model.TextSection, _p: object, cite: latex.CiteRenderer) -> list[Command]:
    return [_cmd("cvtext", latex.markup(s.text, cite))]


def _education(s: model.EducationSection, _p: object, cite: latex.CiteRenderer
               ) -> list[Command]:
    out = []
    for e in s.entries:
        parts = []
        if e.degree:
            degree = r"\cvdegree{" + latex.markup(e.degree, cite) + "}"
            if e.honors:
                degree += r" \cvhonors{" + latex.markup(e.honors, cite) + "}"
            parts.append(degree)
        if e.area:
            parts.append(_linked(e.area, e.area_url, cite))
        parts.extend(latex.markup(d, cite) for d in e.details)
        out.append(_cmd("cveducation", _linked(e.institution, e.url, cite),
                        latex.markup(e.location or "", cite), ", ".join(parts),
                        latex.escape(date_range(e.start, e.end)), _items(e.highlights, cite)))
    return out


def _experience(s: model.ExperienceSection, _p: object, cite: latex.CiteRenderer
                ) -> list[Command]:
    return [
        _cmd("cvexperience", _linked(e.organization, e.url, cite),
             latex.markup(e.location or "", cite), latex.markup(e.position, cite),
             latex.escape(date_range(e.start, e.end)), _items(e.highlights, cite))
        for e in s.entries
    ]


def _publications(s: model.PublicationsSection, pubs: list[Publication],
                  _c: latex.CiteRenderer) -> list[Command | NoEscape]:
    groups = rules.group_by_kind(pubs) if s.group_by == "kind" else [("", pubs)]
    total = len(pubs)
    out: list[Command | NoEscape] = []
    n = 0
    for title, members in groups:
        if title:
            out.append(_cmd("cvpubgroup", latex.escape(title)))
        for pub in members:
            n += 1
            number = {"none": "", "ascending": str(n), "descending": str(total - n + 1)}
            out.append(_cmd("cvpublication", number[s.numbering],
                            pubstyle.author_list(pub, s.max_authors),
                            pubstyle.title(pub), pubstyle.details(pub)))
    return out


def _awards(s: model.AwardsSection, _p: object, cite: latex.CiteRenderer) -> list[Command]:
    out = []
    for e in s.entries:
        when = display(e.date) if e.date is not None else date_range(e.start, e.end)
        line = ", ".join(x for x in (latex.markup(e.issuer or "", cite), latex.escape(when)) if x)
        out.append(_cmd("cvaward", _linked(e.name, e.url, cite),
                        latex.markup(e.note or "", cite), line))
    return out


def _skills(s: model.SkillsSection, _p: object, cite: latex.CiteRenderer) -> list[Command]:
    return [_cmd("cvskills", ", ".join(latex.markup(i, cite) for i in s.items))] if s.items else []


def _list(s: model.ListSection, _p: object, cite: latex.CiteRenderer) -> list[Command]:
    # One block per item: a long list runs on over pages, between items.
    return [_cmd("cvlist", latex.markup(item, cite)) for item in s.items]


def _references(s: model.ReferencesSection, _p: object, cite: latex.CiteRenderer
                ) -> list[Command]:
    out = []
    for e in s.entries:
        contacts = _contacts(e.email, e.phone, e.web)
        out.append(_cmd("cvreference", latex.markup(e.name, cite),
                        latex.markup(e.position or "", cite),
                        r"\\".join(latex.markup(x, cite) for x in e.lines), r"\\".join(contacts)))
    return out


_RENDERERS: dict[str, Callable[..., list[Command | NoEscape]]] = {
    "text": _text,
    "education": _education,
    "experience": _experience,
    "publications": _publications,
    "awards": _awards,
    "skills": _skills,
    "list": _list,
    "references": _references,
}
