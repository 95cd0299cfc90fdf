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
from cvtex.latex import MATH_CLOSE, MATH_OPEN
from cvtex.errors import InputError, Problem, warning
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
_MATH_MACROS = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta "
    "Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega times cdot pm mp leq geq neq approx sim "
    "infty log ln exp sqrt frac mathcal mathbb mathbf mathrm ell partial nabla sum prod int "
    "to rightarrow leftarrow ldots cdots mid in notin subset subseteq cup cap circ star dagger "
    "ast prime top".split()
)
_DECODER = latex2text.LatexNodes2Text(math_mode="verbatim", keep_braced_groups=False)


@dataclass
class _Found:
    entry: bm.Entry
    file: str
    line: int


def read_bibliographies(paths: list[tuple[Path, str]]) -> tuple[list[Publication], list[Problem]]:
    """Read every (path, display name); return publications in file order and warnings.

    Raise InputError with every error of every file at once.
    """
    problems: list[Problem] = []
    found: list[_Found] = []
    for path, display in paths:
        try:
            found.extend(_read_one(path, display, problems))
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


def _read_one(path: Path, display: str, problems: list[Problem]) -> list[_Found]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem("no such BibTeX file", file=display)]) from None
    except OSError as exc:
        raise InputError([Problem(f"cannot read it: {exc.strerror}", file=display)]) from None
    text = _blank_front_matter(decode(raw, display).replace("\r\n", "\n"))
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # we report problems ourselves
    library = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = dict(_MONTH_MACROS)
    for block in library.blocks:
        if isinstance(block, bm.String):
            strings[block.key.lower()] = _resolve(str(block.value), strings, block, display,
                                                 problems)
    entries: list[_Found] = []
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, bm.Entry):
            entries.append(_Found(block, display, line))
        elif isinstance(block, bm.DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            seen: dict[str, bm.Field] = {}
            for f in list(entry.fields):
                if f.key.lower() in seen:
                    problems.append(warning(
                        f'entry "{entry.key}" repeats the field "{f.key}"; the first value is kept',
                        file=display, line=(f.start_line or block.start_line) + 1))
                    entry.fields.remove(f)
                else:
                    seen[f.key.lower()] = f
            entries.append(_Found(entry, display, line))
        elif isinstance(block, bm.DuplicateBlockKeyBlock):
            first = (block.previous_block.start_line or 0) + 1
            problems.append(Problem(
                f'the key "{block.key}" is used twice (first on line {first}); rename one',
                file=display, line=line))
        elif isinstance(block, bm.ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", "") or str(block.error) or "syntax error"
            reason = reason.strip().splitlines()[0]
            problems.append(Problem(f"this entry cannot be read: {reason}", file=display,
                                    line=line))
    for item in entries:
        for f in item.entry.fields:
            f.value = _resolve(str(f.value), strings, item.entry, display, problems)
    return entries


def _blank_front_matter(text: str) -> str:
    """Jekyll sites start their .bib with a --- front matter ---: blank it, keep line numbers."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return "\n" * i + "\n" + "\n".join(lines[i + 1 :])
    return text


def _resolve(raw: str, strings: dict[str, str], block: bm.Block, file: str,
             problems: list[Problem]) -> str:
    """A field's value as BibTeX reads it: "x" or {x}, numbers, macros, joined by #."""
    out: list[str] = []
    for part in _split_concatenation(raw):
        part = part.strip()
        if part[:1] in "{\"" and part[-1:] == {"{": "}", '"': '"'}[part[:1]] and len(part) > 1:
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        elif part.lower() in strings:
            out.append(strings[part.lower()])
        else:
            problems.append(warning(f'"{part}" is not a defined @string; printed as written',
                                    file=file, line=(block.start_line or 0) + 1))
            out.append(part)
    return "".join(out)


def _split_concatenation(raw: str) -> list[str]:
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return parts


def _fields(entry: bm.Entry) -> dict[str, str]:
    return {f.key.lower(): str(f.value) for f in entry.fields}


def _resolve_crossrefs(found: list[_Found], by_key: dict[str, _Found],
                       problems: list[Problem]) -> set[str]:
    """Copy fields from crossref targets, as BibTeX does; return the keys used as targets."""
    targets: set[str] = set()
    for item in found:
        fields = _fields(item.entry)
        ref = fields.get("crossref", "").strip().lower()
        if not ref:
            continue
        parent = by_key.get(ref)
        if parent is None:
            problems.append(warning(
                f'entry "{item.entry.key}" has crossref "{ref}", which no file defines',
                file=item.file, line=item.line))
            continue
        targets.add(ref)
        parent_fields = _fields(parent.entry)
        inherited = dict(parent_fields)
        if "title" in parent_fields and "booktitle" not in fields:
            inherited["booktitle"] = parent_fields["title"]
        for key, value in inherited.items():
            if key not in fields and key not in ("title", "crossref", "ids"):
                item.entry.set_field(bm.Field(key, value))
    return targets


def decode_field(value: str) -> str:
    """LaTeX in a BibTeX field -> Unicode; math kept verbatim between MATH_OPEN/CLOSE marks.

    A field that uses a macro we cannot read as text is kept exactly as written.
    """
    value = value.replace(MATH_OPEN, "").replace(MATH_CLOSE, "")
    pieces = re.split(r"(?<!\\)\$(.+?)(?<!\\)\$", value)
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if i % 2 == 1:
            if _is_safe_math(piece):
                out.append(f"{MATH_OPEN}{piece}{MATH_CLOSE}")
                continue
            return " ".join(value.split())  # math we will not pass to TeX: print as written
        if any(m not in _DECODABLE for m in _MACRO.findall(piece)) or "^^" in piece:
            return " ".join(value.split())
        out.append(names.decode_latex(piece) if ("\\" in piece or "{" in piece) else piece)
    return " ".join("".join(out).split())


def _is_safe_math(math: str) -> bool:
    macros = re.findall(r"\\([A-Za-z]+)", math)
    rest = re.sub(r"\\[A-Za-z]+", "", math)
    return all(m in _MATH_MACROS for m in macros) and bool(_SAFE_MATH.match(rest))


class _Decodable:
    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or name in _NOT_TEXT:
            return False
        return len(name) == 1 and not name.isalpha() or _LATEX_CONTEXT.get_macro_spec(name) is not None


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
    for i, person in enumerate(split_multiple_persons_names(" ".join(raw.split())), start=1):
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
    return Publication(
        key=item.entry.key,
        entry_type=item.entry.entry_type.lower(),
        fields=fields,
        authors=parse_authors(raw.get("author", ""), raw.get("author+an", "")),
        editors=parse_authors(raw.get("editor", ""), raw.get("editor+an", "")),
        file=item.file,
        line=item.line,
        raw_fields=raw,
    )
