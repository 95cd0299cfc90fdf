"""BibTeX files -> Publications, reading every entry and saying what could not be read.

bibtexparser splits the file into blocks; the rest of BibTeX's language (macros, `#`
concatenation, month names, crossref) and the recovery of blocks it refuses are done here,
following BibTeX's own rules: a repeated field keeps its first value, with a warning.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser import model as bm
from bibtexparser.middlewares.names import split_multiple_persons_names
from pylatexenc import latex2text

from cvtex import names
from cvtex.errors import InputError, Problem, warning
from cvtex.latex import MATH_CLOSE, MATH_OPEN
from cvtex.publication import MONTHS, Author, Publication
from cvtex.yamlfile import decode

_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_MONTH_MACROS = dict(zip(MONTHS, _MONTH_NAMES, strict=True))
# Fields that hold addresses or identifiers: only BibTeX's \_ \% \# \& \~ are undone.
_VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "pdf", "html", "code", "slides", "poster",
                              "preview", "isbn", "issn", "website", "video", "arxiv", "file"})
_NAME_FIELDS = ("author", "editor")
_LATEX_CONTEXT = latex2text.get_default_latex_context_db()
# Macros pylatexenc knows but that mean something other than text: printed as written.
_NOT_TEXT = frozenset({"input", "include", "includegraphics", "usepackage", "documentclass",
                       "newcommand", "renewcommand", "def", "write", "read", "openin", "openout"})
_MACRO = re.compile(r"\\([A-Za-z]+|.)")
_SAFE_MATH = re.compile(r"^[A-Za-z0-9\s^_{}()+\-=<>.,:;|/*'!\[\]]*$")
_MATH_MACROS = frozenset({
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho",
    "sigma", "varsigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma",
    "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "times",
    "cdot", "pm", "mp", "leq", "geq", "neq", "approx", "sim", "infty", "log", "ln", "exp",
    "sqrt", "frac", "mathcal", "mathbb", "mathbf", "mathrm", "ell", "partial", "nabla", "sum",
    "prod", "int", "to", "rightarrow", "leftarrow", "ldots", "cdots", "mid", "in", "notin",
    "subset", "subseteq", "cup", "cap", "circ", "star", "dagger", "ast", "prime", "top",
})


@dataclass
class _Found:
    entry: bm.Entry
    file: str
    line: int


def read_bibliographies(paths: list[tuple[Path, str]]) -> tuple[list[Publication], list[Problem]]:
    """Read every (path, display name); return publications in file order and warnings.

    @string macros carry over from one file to the next, as with BibTeX's own list of files.
    Raise InputError with every error of every file at once.
    """
    problems: list[Problem] = []
    found: list[_Found] = []
    strings: dict[str, str] = dict(_MONTH_MACROS)
    for path, display in paths:
        try:
            found.extend(_read_one(path, display, strings, problems))
        except InputError as exc:
            problems.extend(exc.problems)
    by_key: dict[str, _Found] = {}
    for item in found:
        first = by_key.get(item.entry.key.lower())
        if first is not None:
            problems.append(Problem(
                f'the key "{item.entry.key}" is used twice (first at {first.file}:{first.line}); '
                "rename one", file=item.file, line=item.line))
        else:
            by_key[item.entry.key.lower()] = item
    if any(p.is_error for p in problems):
        raise InputError(problems)
    targets = _resolve_crossrefs(found, by_key, problems)
    publications = [
        _publication(item, problems) for item in found
        if not (item.entry.key.lower() in targets and "author" not in _fields(item.entry))
    ]
    return publications, problems


def _read_one(path: Path, display: str, strings: dict[str, str],
              problems: list[Problem]) -> list[_Found]:
    """One file's entries; its problems are added in line order."""
    found: list[Problem] = []
    try:
        return _read_blocks(path, display, strings, found)
    finally:
        problems.extend(sorted(found, key=lambda p: p.line or 0))


def _read_blocks(path: Path, display: str, strings: dict[str, str],
                 problems: list[Problem]) -> list[_Found]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem("no such BibTeX file", file=display)]) from None
    except OSError as exc:
        raise InputError([Problem(f"cannot read it: {exc.strerror}", file=display)]) from None
    text = _blank_front_matter(decode(raw, display).replace("\r\n", "\n"))
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # we report problems ourselves
    library = bibtexparser.parse_string(text, parse_stack=[])
    entries: list[_Found] = []
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, bm.String):
            value = _resolve(str(block.value), strings, f'@string "{block.key}"', display, line,
                             problems)
            if value is not None:
                strings[block.key.lower()] = value
        elif isinstance(block, bm.Entry):
            entries.append(_Found(_first_values(block, display, problems), display, line))
        elif isinstance(block, bm.DuplicateFieldKeyBlock):
            entry = _first_values(block.ignore_error_block, display, problems)
            entries.append(_Found(entry, display, line))
        elif isinstance(block, bm.DuplicateBlockKeyBlock):
            first = (block.previous_block.start_line or 0) + 1
            problems.append(Problem(
                f'the key "{block.key}" is used twice (first at {display}:{first}); rename one',
                file=display, line=line))
        elif isinstance(block, bm.ParsingFailedBlock):
            problems.append(Problem(f"this entry cannot be read: {_reason(block)}",
                                    file=display, line=line))
    kept: list[_Found] = []
    for item in entries:
        ok = True
        for f in item.entry.fields:
            value = _resolve(str(f.value), strings, f'entry "{item.entry.key}", field "{f.key}"',
                             display, item.line, problems, _field_line(f, item.line))
            ok = ok and value is not None
            f.value = value
        if ok:
            kept.append(item)
    return kept


def _first_values(entry: bm.Entry, file: str, problems: list[Problem]) -> bm.Entry:
    """Drop repeated fields (in any letter case), keeping the first value as BibTeX does."""
    seen: set[str] = set()
    for f in list(entry.fields):
        if f.key.lower() in seen:
            line = f.start_line if f.start_line is not None else entry.start_line or 0
            problems.append(warning(
                f'entry "{entry.key}" repeats the field "{f.key}"; the first value is kept',
                file=file, line=line + 1))
            entry.fields.remove(f)
        else:
            seen.add(f.key.lower())
    return entry


def _reason(block: bm.ParsingFailedBlock) -> str:
    """bibtexparser's abort reason, said the way a user can act on it."""
    reason = getattr(block.error, "abort_reason", "") or str(block.error) or "syntax error"
    reason = " ".join(reason.split())
    if reason.startswith("Unexpected block start"):
        return f"it runs into the next @entry (an unclosed {{ or \"?): {reason}"
    if "end of file" in reason:
        return f"it runs to the end of the file (an unclosed {{ or \"?): {reason}"
    return reason


def _blank_front_matter(text: str) -> str:
    """Jekyll sites start their .bib with a --- front matter ---: blank it, keep line numbers."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return "\n" * i + "\n" + "\n".join(lines[i + 1 :])
    return text


# A macro name as BibTeX reads one: no white space, none of "#%'(),={}, not starting with a digit.
_IDENTIFIER = re.compile(r"[^\s\d\"#%'(),={}][^\s\"#%'(),={}]*")


def _field_line(f: bm.Field, entry_line: int) -> int:
    return f.start_line + 1 if f.start_line is not None else entry_line


def _resolve(raw: str, strings: dict[str, str], what: str, file: str, line: int,
             problems: list[Problem], value_line: int | None = None) -> str | None:
    """A value as BibTeX reads it: "x" or {x}, numbers and macros, joined by #.

    Return None (with an error at `line`, where the entry starts) when the value is not in
    that language, as when a comma is missing and the next field was read into this one.
    An undefined macro is only a warning, at `value_line`.
    """
    out: list[str] = []
    pos, expect_part = 0, True
    raw = raw.strip()
    while pos < len(raw):
        if raw[pos].isspace():
            pos += 1
            continue
        if not expect_part:
            if raw[pos] != "#":
                problems.append(Problem(
                    f'{what} cannot be read: "{_short(raw)}" continues after its value; '
                    "is a comma missing?", file=file, line=line))
                return None
            pos, expect_part = pos + 1, True
            continue
        end = _part_end(raw, pos)
        if end is None:
            why = ("has an unclosed brace or quote" if raw[pos] in "{\"" else
                   f"has {raw[pos]!r} where a value should be")
            problems.append(Problem(f'{what} cannot be read: "{_short(raw)}" {why}',
                                    file=file, line=line))
            return None
        part = raw[pos:end]
        if part[0] in "{\"":
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        elif part.lower() in strings:
            out.append(strings[part.lower()])
        else:
            problems.append(warning(f'{what}: "{part}" is not a defined @string; printed as '
                                    "written", file=file, line=value_line or line))
            out.append(part)
        pos, expect_part = end, False
    if expect_part and out:
        problems.append(Problem(f'{what} cannot be read: "{_short(raw)}" ends with #',
                                file=file, line=line))
        return None
    return "".join(out)


def _part_end(raw: str, pos: int) -> int | None:
    """Where the part starting at `pos` ends: a balanced {...}, a "..." or a word."""
    if raw[pos] == "{":
        depth = 0
        for i in range(pos, len(raw)):
            depth += {"{": 1, "}": -1}.get(raw[i], 0)
            if depth == 0:
                return i + 1
        return None
    if raw[pos] == '"':
        depth = 0
        for i in range(pos + 1, len(raw)):
            if raw[i] == '"' and depth == 0:
                return i + 1
            depth += {"{": 1, "}": -1}.get(raw[i], 0)
        return None
    m = re.compile(r"\d+(?![^\s#])|" + _IDENTIFIER.pattern).match(raw, pos)
    return m.end() if m else None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _fields(entry: bm.Entry) -> dict[str, str]:
    return {f.key.lower(): str(f.value) for f in entry.fields}


def _resolve_crossrefs(found: list[_Found], by_key: dict[str, _Found],
                       problems: list[Problem]) -> set[str]:
    """Copy fields from crossref targets, as BibTeX does; return the keys used as targets.

    A target that itself has a crossref is resolved first; a cycle stops where it closes.
    """
    targets: set[str] = set()
    done: set[str] = set()

    def resolve(item: _Found) -> None:
        key = item.entry.key.lower()
        if key in done:
            return
        done.add(key)
        fields = _fields(item.entry)
        ref = fields.get("crossref", "").strip()
        if not ref:
            return
        parent = by_key.get(ref.lower())
        if parent is None or parent is item:
            why = "itself" if parent is item else f'"{ref}", which no file defines'
            problems.append(warning(f'entry "{item.entry.key}" has a crossref to {why}',
                                    file=item.file, line=item.line))
            return
        resolve(parent)
        targets.add(ref.lower())
        inherited = _fields(parent.entry)
        if "title" in inherited and "booktitle" not in fields:
            inherited["booktitle"] = inherited["title"]
        for name, value in inherited.items():
            if name not in fields and name not in ("title", "crossref", "ids"):
                item.entry.set_field(bm.Field(name, value))

    for item in found:
        resolve(item)
    return targets


def decode_field(value: str) -> str:
    """LaTeX in a BibTeX field -> Unicode; math kept verbatim between MATH_OPEN/CLOSE marks.

    A field that uses a macro we cannot read as text is kept exactly as written.
    """
    value = _plain_macros(value.replace(MATH_OPEN, "").replace(MATH_CLOSE, ""))
    pieces = re.split(r"(?<!\\)\$(.+?)(?<!\\)\$", value)
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if i % 2 == 1:
            if _is_safe_math(piece):
                out.append(f"{MATH_OPEN}{piece}{MATH_CLOSE}")
                continue
            return _squash(value)  # math we will not pass to TeX: print as written
        if any(m not in _DECODABLE for m in _MACRO.findall(piece)) or "^^" in piece:
            return _squash(value)
        try:
            out.append(_ligatures(names.decode_latex(piece)))
        except Exception:  # pylatexenc cannot read it: print it as written, never fail
            return _squash(value)
    return _squash("".join(out))


# Macros common in exported BibTeX that only format text, or name it, rewritten before
# decoding: \href{url}{text} is its text, \url{x} its address, \texttt{x} its x...
_FORMATTING = re.compile(r"\\(?:texttt|textsf|textrm|textnormal|textup|textmd|mbox|hbox|"
                         r"textsubscript|nolinkurl)\s*\{")
_SUPERSCRIPTS = {"1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "o": "\u00ba", "a": "\u00aa"}


def _plain_macros(value: str) -> str:
    value = value.replace("$\\{$", "").replace("$\\}$", "")  # Google Scholar's "protection"
    value = re.sub(r"\\href\s*\{[^{}]*\}\s*\{", "{", value)
    value = re.sub(r"\\url\s*\{([^{}]*)\}",
                   lambda m: re.sub(r"(?<!\\)([%#&_$])", r"\\\1", m.group(1)), value)
    value = _FORMATTING.sub("{", value)
    value = re.sub(r"\\textsuperscript\s*\{([^{}]*)\}",
                   lambda m: _SUPERSCRIPTS.get(m.group(1), m.group(1)), value)
    value = re.sub(r"\\(La)?TeX\b(\{\})?", lambda m: "LaTeX" if m.group(1) else "TeX", value)
    return re.sub(r"\\S(?![A-Za-z])\s*", "\u00a7", value)


def _squash(text: str) -> str:
    """Runs of spaces and line breaks become one space; a no-break space (~) stays."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _ligatures(text: str) -> str:
    """What TeX's fonts make of -- --- `` '' in text: 995--1008 is a range, 995–1008."""
    for typed, char in (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d")):
        text = text.replace(typed, char)
    return text


def _is_safe_math(math: str) -> bool:
    macros = re.findall(r"\\([A-Za-z]+)", math)
    rest = re.sub(r"\\[A-Za-z]+", "", math)
    return all(m in _MATH_MACROS for m in macros) and bool(_SAFE_MATH.match(rest))


class _Decodable:
    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or name in _NOT_TEXT:
            return False
        if len(name) == 1 and not name.isalpha():
            return True
        return _LATEX_CONTEXT.get_macro_spec(name) is not None


_DECODABLE = _Decodable()


def _unescape_verbatim(value: str) -> str:
    return re.sub(r"\\([_%#&~$])", r"\1", value.strip())


def parse_authors(raw: str, annotation: str = "") -> tuple[Author, ...]:
    """An author field -> Authors, with co-first/corresponding marks from the names or from
    biblatex's `author+an = {1=equal; 3=corresponding}`."""
    notes: dict[int, set[str]] = {}
    for item in annotation.split(";"):
        index, _, labels = item.partition("=")
        if index.strip().isdigit():
            notes[int(index)] = {x.strip().lower() for x in labels.split(",")}
    authors: list[Author] = []
    raw = names.protect_accents(" ".join(raw.split()))
    for i, person in enumerate(split_multiple_persons_names(raw), start=1):
        if person.strip().lower() == "others":
            authors.append(Author(names.Name(), others=True))
            continue
        text, marks = names.strip_marks(person)
        labels = notes.get(i, set())
        authors.append(Author(
            names.parse_name(text),
            cofirst=marks.cofirst or bool(labels & {"equal", "cofirst", "co-first"}),
            corresponding=marks.corresponding or "corresponding" in labels,
        ))
    return tuple(authors)


def _publication(item: _Found, problems: list[Problem]) -> Publication:
    raw = _fields(item.entry)
    fields: dict[str, str] = {}
    for key, value in raw.items():
        if key in _NAME_FIELDS or key.endswith("+an"):
            continue
        fields[key] = _unescape_verbatim(value) if key in _VERBATIM_FIELDS else decode_field(value)
    pub = Publication(
        key=item.entry.key,
        entry_type=item.entry.entry_type.lower(),
        fields=fields,
        authors=parse_authors(raw.get("author", ""), raw.get("author+an", "")),
        editors=parse_authors(raw.get("editor", ""), raw.get("editor+an", "")),
        file=item.file,
        line=item.line,
    )
    problems.extend(_gaps(pub))
    return pub


def _gaps(pub: Publication) -> list[Problem]:
    """What a printed entry will visibly lack: said once, where the entry starts."""
    missing = []
    if not pub.get("title"):
        missing.append("no title (its key is printed instead)")
    if pub.year is None:
        missing.append("no year (it is printed without one and sorted last)")
    if pub.get("month") and pub.month is None:
        missing.append(f'a month "{pub.get("month")}" that is not a month (it is left out)')
    return [warning(f'entry "{pub.key}" has {gap}', file=pub.file, line=pub.line)
            for gap in missing]
