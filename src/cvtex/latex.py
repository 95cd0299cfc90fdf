"""The only module that turns user text into LaTeX.

`escape` makes any Unicode string print exactly as typed; `url` makes an address safe inside
`\\href`; `markup` adds the few inline marks cv.yaml text may carry (**bold**, *italic*,
[text](url), [@key] citations). Everything else in cvtex builds LaTeX from these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from pylatex.utils import NoEscape

# TeX's special characters, each replaced by a command that prints the character itself.
_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # With T1 fonts these select other glyphs than the ones typed.
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    # A lone backquote is an opening quote in TeX's fonts.
    "`": r"\textasciigrave{}",
    "\u00a0": "~",
    # Unicode line and paragraph separators would otherwise end the line or the paragraph.
    "\u2028": " ",
    "\u2029": " ",
}
# Pairs that T1 fonts turn into other glyphs: -- en dash, –- em dash, '' closing quote, ``
# opening quote, ,, low quote, !` ¡, ?` ¿; ’ and ‘ are the same glyphs as ' and `. A brace
# group between the two keeps what was typed.
_LIGATURES = frozenset({"--", "\u2013-", ",,", "!`", "?`", "!\u2018", "?\u2018",
                        *(a + b for a in "'\u2019" for b in "'\u2019"),
                        *(a + b for a in "`\u2018" for b in "`\u2018")})
# Control characters print nothing; U+E000/U+E001 are reserved for math from BibTeX.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000\ue001]")
MATH_OPEN, MATH_CLOSE = "\ue000", "\ue001"


def escape(text: str) -> str:
    """Return LaTeX that prints `text` literally (one line; newlines become spaces)."""
    text = _CONTROL.sub("", text).replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    out: list[str] = []
    for i, ch in enumerate(text):
        out.append(_SPECIALS.get(ch, ch))
        if text[i : i + 2] in _LIGATURES:
            out.append("{}")
    return "".join(out)


def typographic(text: str) -> str:
    """Like `escape`, but an ASCII apostrophe becomes a typographic one (’23, don’t)."""
    return escape(text.replace("'", "\u2019"))


def bib_text(text: str) -> str:
    """A decoded BibTeX field: escaped text, with the math that decoding kept passed through.

    Math is LaTeX the user wrote, so it reaches TeX as it is, unless it could do more than set
    a formula (read or write files, redefine commands, change catcodes, leave math mode):
    such math prints as the text it is.
    """
    out: list[str] = []
    for i, piece in enumerate(re.split(f"{MATH_OPEN}(.*?){MATH_CLOSE}", text, flags=re.S)):
        if i % 2 and math_is_safe(piece):
            out.append(f"${piece}$")
        elif i % 2:
            out.append(typographic(f"${piece}$"))
        else:
            out.append(typographic(piece))
    return "".join(out)


# Commands that act beyond the formula they stand in: files, definitions, catcodes, the engine.
_UNSAFE_MATH = re.compile(
    r"\\(?:input|include|openin|openout|read|write|immediate|special|closein|closeout"
    r"|[gex]?def|let|futurelet|catcode|lccode|uccode|mathcode|sfcode|delcode|csname"
    r"|expandafter|noexpand|afterassignment|aftergroup|every\w*|output|newcommand"
    r"|renewcommand|providecommand|DeclareRobustCommand|makeatletter|makeatother|usepackage"
    r"|RequirePackage|documentclass|begin|end|shipout|pdf\w*|directlua|lua\w*|XeTeX\w*"
    r"|scantokens|endinput|end|dump|batchmode|errorstopmode|nonstopmode|scrollmode"
    r"|outer|global|long|newlinechar|endlinechar|escapechar|jobname|loop|repeat"
    r"|href|url|hyper\w*|string)(?![A-Za-z])")


def math_is_safe(math: str) -> bool:
    """Math from BibTeX that only sets a formula: balanced braces, no `$`, no catcode tricks."""
    if "^^" in math or "$" in math or "%" in math or "#" in math or _UNSAFE_MATH.search(math):
        return False
    depth = 0
    for i, ch in enumerate(math):
        escaped = i > 0 and math[i - 1] == "\\" and (i < 2 or math[i - 2] != "\\")
        if ch == "{" and not escaped:
            depth += 1
        elif ch == "}" and not escaped:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def url(address: str) -> str:
    """Make `address` safe as the first argument of `\\href` without changing where it leads.

    Characters TeX would read specially are percent-encoded, which is the same address for
    any browser; `%` and `#` are escaped for hyperref, which restores them.
    """
    safe = quote(address, safe="/:@!$&'()*+,;=?#%[]-._~")
    return safe.replace("\\", "%5C").replace("%", r"\%").replace("#", r"\#")


def href(address: str, text_latex: str) -> str:
    return rf"\cvlink{{{url(address)}}}{{{text_latex}}}"


def url_text(address: str) -> str:
    """An address shown as text: it may break after / . @ only where it would otherwise run
    past the margin (a costly break, so a short address stays whole and reads back whole)."""
    parts = [p for p in re.split(r"(?<=[/.@])(?!/)", address) if p]
    return r"\cvurl{" + r"\penalty5000{}".join(escape(p) for p in parts) + "}"


# ---- inline markup of cv.yaml text --------------------------------------------------------

_MARKUP = re.compile(
    r"\*\*(?P<bold>\S(?:.*?\S)?)\*\*"
    r"|(?<![\w*])\*(?P<ital>[^\s*](?:[^*]*?[^\s*])?)\*(?![\w*])"
    r"|\[(?P<cite>@[^\]]+)\]"
    # An address may hold parentheses in pairs: [Wiki](https://.../Scheduling_(computing)).
    r"|\[(?P<ltext>[^\]]+)\]\((?P<lurl>(?:[^()\s]|\([^()\s]*\))+)\)"
)
# One citation of [@key], [@key, p. 3] or [@a; @b, ch. 2]: the key and its locator.
_CITATION = re.compile(r"^\s*@([^\s;,\]]+)\s*(?:,\s*(.*?))?\s*$")

Citation = tuple[str, str]  # BibTeX key, locator ("" or "p. 3")
CiteRenderer = Callable[[list[Citation]], str]


def citations(group: str) -> list[Citation] | None:
    """The citations of one [@...] group, or None when a part of it is not one."""
    found = [_CITATION.match(part) for part in group.split(";")]
    if not all(found):
        return None
    return [(m.group(1), m.group(2) or "") for m in found if m]


def cite_keys(text: str) -> list[str]:
    """The BibTeX keys cited in a piece of cv.yaml text, in order."""
    keys: list[str] = []
    for m in _MARKUP.finditer(text):
        if m.group("cite"):
            keys.extend(key for key, _ in citations(m.group("cite")) or [])
    return keys


_BARE_URL = re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]")


def _plain(text: str) -> str:
    """Text between marks: escaped, with bare https:// addresses linked and breakable."""
    out, pos = [], 0
    for m in _BARE_URL.finditer(text):
        if m.start() < pos:
            continue
        address, end = m.group(0), m.end()
        if address.count("(") > address.count(")") and text[end : end + 1] == ")":
            address, end = address + ")", end + 1  # .../Scheduling_(computing)
        out.append(typographic(text[pos : m.start()]))
        out.append(href(address, url_text(address)))
        pos = end
    out.append(typographic(text[pos:]))
    return "".join(out)


def plain_text(text: str) -> str:
    """A cv.yaml text without its marks, for places that take no formatting (PDF keywords)."""
    def unmark(m: re.Match[str]) -> str:
        return m.group("bold") or m.group("ital") or m.group("ltext") or m.group(0)
    return _MARKUP.sub(unmark, text)


def markup(text: str, cite: CiteRenderer | None = None) -> NoEscape:
    """LaTeX for a cv.yaml text: escaped, with **bold**, *italic*, [text](url) and [@key]."""
    out: list[str] = []
    pos = 0
    for m in _MARKUP.finditer(text):
        out.append(_plain(text[pos : m.start()]))
        if m.group("bold") is not None:
            out.append(r"\textbf{" + markup(m.group("bold"), cite) + "}")
        elif m.group("ital") is not None:
            out.append(r"\emph{" + markup(m.group("ital"), cite) + "}")
        elif m.group("cite") is not None and cite is not None and (
                found := citations(m.group("cite"))):
            out.append(cite(found))
        elif m.group("lurl") is not None:
            out.append(href(m.group("lurl"), markup(m.group("ltext"), cite)))
        else:
            out.append(typographic(m.group(0)))
        pos = m.end()
    out.append(_plain(text[pos:]))
    return NoEscape("".join(out))
