"""Names of people: parse, normalise, and decide whether an author is the CV's owner.

Pure functions, Unicode in and Unicode out; nothing here knows LaTeX output.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db


def _decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    # pylatexenc reads these as the spacing accents ˆ and ˜; in text they are ^ and ~.
    context.add_context_category("cvtex", prepend=True, macros=[
        MacroTextSpec("textasciicircum", simplify_repl="^"),
        MacroTextSpec("textasciitilde", simplify_repl="~"),
    ])
    return LatexNodes2Text(latex_context=context, math_mode="text", keep_braced_groups=False)


_LATEX = _decoder()

# Marks typed after a name: * or $^*$ or \textsuperscript{*} for co-first, † or \dag for
# corresponding authors.
_COFIRST_MARK = re.compile(r"(?:\$\^\{?\*\}?\$|\\textsuperscript\{\*\}|\*)\s*$")
_CORRESPONDING_MARK = re.compile(
    r"(?:\$\^\{?\\dag(?:ger)?\}?\$|\\textsuperscript\{\\dag(?:ger)?\}|\\dag(?:ger)?(?:\{\})?|†)\s*$"
)
# DBLP tells homonyms apart with a number: "Wei Wang 0002".
_HOMONYM = re.compile(r"\s+\d{4}\s*$")
# "Jan van der Berg, Jr.": BibTeX would read "Jr." as the given name; people mean a suffix.
_SUFFIX_AFTER_COMMA = re.compile(r",\s*((?:Jr|Sr|Jun|Sen)\.?|I{2,3}|IV|V|VI{1,3}|2nd|3rd)\s*$")


@dataclass(frozen=True)
class Name:
    given: str = ""
    von: str = ""
    family: str = ""
    suffix: str = ""

    def display(self) -> str:
        """'Given von Family, Jr.' as CVs print names."""
        core = " ".join(p for p in (self.given, self.von, self.family) if p)
        return f"{core}, {self.suffix}" if self.suffix else core


@dataclass(frozen=True)
class Marks:
    cofirst: bool = False
    corresponding: bool = False


def strip_marks(raw: str) -> tuple[str, Marks]:
    """Remove trailing co-first and corresponding marks from one author as written."""
    cofirst = corresponding = False
    text = raw.strip()
    while True:
        if m := _COFIRST_MARK.search(text):
            cofirst, text = True, text[: m.start()].rstrip()
        elif m := _CORRESPONDING_MARK.search(text):
            corresponding, text = True, text[: m.start()].rstrip()
        else:
            return text, Marks(cofirst, corresponding)


def strip_homonym_number(raw: str) -> str:
    """'Wei Wang 0002' -> 'Wei Wang'; also 'Wang 0002, Wei'."""
    if "," in raw:
        head, _, rest = raw.partition(",")
        return f"{_HOMONYM.sub('', head)},{rest}"
    return _HOMONYM.sub("", raw)


_ACCENT = re.compile(
    r"(?<!\{)\\(?:(['`^\"~=.])\s*(\{\w\}|\w)|([uvHckrtbd])(?:\s*(\{\w\})|\s+(\w)))")


def protect_accents(text: str) -> str:
    """Brace accent commands as BibTeX wants them: Ca\\~{n}ete -> Ca{\\~{n}}ete.

    Unbraced, BibTeX's name splitting reads the ~ of \\~{n} as a space and may take
    \\'{E}lise for a lower-case word; braced, the accented letter stays in its word.
    """
    def brace(m: re.Match[str]) -> str:
        command = m.group(1) or m.group(3)
        letter = (m.group(2) or m.group(4) or m.group(5)).strip("{}")
        return "{\\" + command + "{" + letter + "}}"
    return _ACCENT.sub(brace, text)


def decode_latex(text: str) -> str:
    """LaTeX accents and braces to Unicode: M{\\"u}ller -> Müller."""
    if "\\" not in text and "{" not in text and "$" not in text and "~" not in text:
        return unicodedata.normalize("NFC", text)
    return unicodedata.normalize("NFC", _LATEX.latex_to_text(text))


def is_corporate(raw: str) -> bool:
    """A name wholly in braces, {Barnes and Noble, Inc.}, is one corporate author."""
    raw = raw.strip()
    if not (raw.startswith("{") and raw.endswith("}")):
        return False
    depth = 0
    for i, ch in enumerate(raw):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and i < len(raw) - 1:
            return False
    return True


@functools.lru_cache(maxsize=8192)
def parse_name(raw: str) -> Name:
    """Parse one name in BibTeX's forms (First von Last, von Last, First, von Last, Jr, First).

    Each part is decoded from LaTeX after splitting, so protective braces steer the split.
    """
    raw = strip_homonym_number(protect_accents(raw.strip()))
    if is_corporate(raw):
        return Name(family=decode_latex(raw[1:-1]))
    if raw.count(",") == 1 and (m := _SUFFIX_AFTER_COMMA.search(raw)):
        head = raw[: m.start()].split()
        if len(head) >= 2:
            # "First von Last, Jr" -> BibTeX's own "von Last, Jr, First".
            raw = f"{_von_last(head)}, {m.group(1)}, {' '.join(_first(head))}"
    try:
        parts = parse_single_name_into_parts(raw, strict=False)
    except InvalidNameError:
        return Name(family=decode_latex(raw))
    von, last = list(parts.von), list(parts.last)
    if "," in raw and von and von[0][:1].isupper():
        # "Delgado de Molina, Ana": before the comma, a capitalised first word starts the
        # family name, not a von part.
        von, last = [], [*von, *last]
    decode = lambda words: decode_latex(" ".join(words))  # noqa: E731
    return Name(decode(parts.first), decode(von), decode(last), decode(parts.jr))


def _first(words: list[str]) -> list[str]:
    """Words before the von part, or before the last word when there is none."""
    for i, w in enumerate(words[:-1]):
        if i and w[:1].islower():
            return words[:i]
    return words[:-1]


def _von_last(words: list[str]) -> str:
    return " ".join(words[len(_first(words)):])


def latin_part(name: str) -> str:
    """'Qizhen Weng 翁祈桢' -> 'Qizhen Weng': drop words in scripts without letter case."""
    words = [w for w in name.split() if not _is_caseless_script(w)]
    return " ".join(words) if words else name


def caseless_part(name: str) -> str:
    """'Qizhen Weng 翁祈桢' -> '翁祈桢': the words in scripts without letter case, if any."""
    return " ".join(w for w in name.split() if _is_caseless_script(w))


def _is_caseless_script(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and all(not (c.isupper() or c.islower()) for c in letters)


# ---- matching ---------------------------------------------------------------------------------


# Matching is pure and the same co-authors recur across a bibliography: memoised.
@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Case-fold, drop accents, braces and dots; hyphens become spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "o").replace("ł", "l")
    text = text.replace("đ", "d").replace("æ", "ae").replace("ı", "i")
    text = re.sub(r"[{}.]", " ", text.casefold())
    text = re.sub(r"[-\u2010\u2011\u2013'\u2019]", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class NameKey:
    """A name reduced to what matching compares."""

    family: str  # von + family, folded, no spaces: "vanderberg", "mullersimic"
    given_joined: str  # "qizhen" for Qizhen, Qi-Zhen and Qi Zhen alike
    given_initials: str  # "q" for Qizhen, "qz" for Qi-Zhen
    initials_only: bool  # the given name was written as initials: "Q.", "Q. Z.", "QZ"


@functools.lru_cache(maxsize=8192)
def name_key(name: Name) -> NameKey:
    family = fold(f"{name.von} {name.family}").replace(" ", "")
    given_words = fold(name.given).split()
    initials_only = bool(given_words) and all(len(w) == 1 for w in given_words)
    if (len(given_words) == 1 and len(given_words[0]) <= 3
            and name.given.replace(".", "").isupper() and not name.family.isupper()):
        # "QZ Weng": capitals run together are initials too (but not in "WENG, QI", all caps).
        given_words, initials_only = list(given_words[0]), True
    return NameKey(
        family=family,
        given_joined="".join(given_words),
        given_initials="".join(w[0] for w in given_words),
        initials_only=initials_only,
    )


def owner_keys(name: str, aliases: list[str] | tuple[str, ...] = ()) -> list[NameKey]:
    """Every key under which the owner may appear: the name, its Latin part, its part in a
    caseless script ('翁祈桢' alone), and the same for each alias."""
    variants: list[str] = []
    for v in (name, *aliases):
        variants += [v, latin_part(v), caseless_part(v)]
    keys: list[NameKey] = []
    for v in variants:
        if not v.strip():
            continue
        key = name_key(parse_name(v))
        if key.family and key not in keys:
            keys.append(key)
    return keys


@functools.lru_cache(maxsize=8192)
def candidate_keys(name: Name) -> tuple[NameKey, ...]:
    """The keys one author as written may stand for.

    'Qizhen Weng 翁祈桢' is also read without its other-script part; a name written without
    a comma in family-first order ('Weng Qizhen') is also read swapped, but only when both
    words are full names, never initials.
    """
    keys = [name_key(name)]
    shown = name.display()
    if latin_part(shown) != shown:
        keys.append(name_key(parse_name(latin_part(shown))))
    if name.given and " " not in name.given and not name.von and not name.suffix:
        # "WENG Qizhen", "LI Bo": read swapped, unless the given name would then be initials.
        swapped = name_key(Name(given=name.family, family=name.given))
        if not swapped.initials_only:
            keys.append(swapped)
    return tuple(keys)


def matches(candidate: Name, owner: list[NameKey]) -> bool:
    """Whether `candidate` is the owner: same family name (von part included), and the same
    given name once spaces and hyphens are dropped, or initials that agree with it.

    'Q. Weng' and 'Weng, Q.' are Qizhen Weng; 'Q. Z. Weng' only when an alias spells the
    given name in two parts ('Qi-Zhen Weng'): nothing tells where 'Qizhen' splits.
    """
    return any(_same(key, own) for key in candidate_keys(candidate) for own in owner)


def _same(key: NameKey, own: NameKey) -> bool:
    if not key.family or key.family != own.family:
        return False
    if not key.given_joined or not own.given_joined:
        # A bare family name is the owner only when the owner has no given name either.
        return key.given_joined == own.given_joined
    if key.initials_only:
        return key.given_joined in (own.given_initials, own.given_joined[:1])
    return key.given_joined == own.given_joined
