"""Which TeX engine and fonts the text of a CV needs.

pdflatex with T1 fonts sets Latin scripts; Chinese, Japanese and Korean text needs a Unicode
engine and a CJK font, Greek and Cyrillic a main font that has them. Fonts are looked up with
fontconfig; a character no font on the machine has is an error naming it.
"""

from __future__ import annotations

import subprocess
import unicodedata

from cvtex import compile as tex
from cvtex.errors import CvtexError

# Characters pdflatex sets with T1 fonts and utf8 input: ASCII, Latin-1, Latin Extended-A and
# common typographic punctuation. Anything else needs a Unicode engine.
_PDFLATEX_EXTRA = set("–—‘’‚“”„†‡•…‰‹›€™\u00a0\u2009")


def pdflatex_can_set(char: str) -> bool:
    code = ord(char)
    return code < 0x180 or char in _PDFLATEX_EXTRA or 0x218 <= code <= 0x21B


def describe_chars(chars: list[str], limit: int = 10) -> str:
    shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in chars[:limit])
    return shown + (f" and {len(chars) - limit} more" if len(chars) > limit else "")


def unsupported_characters(text: str) -> dict[str, str]:
    """Characters that no engine would print right, each with the reason.

    Right-to-left scripts (Arabic, Hebrew) would come out in the wrong order; a character no
    font on the machine has would be dropped. Latin text costs nothing: fonts are looked up
    only for what pdflatex cannot set.
    """
    special = sorted({c for c in text if not pdflatex_can_set(c) and not c.isspace()})
    found = {c: "right-to-left text is not supported yet: it would print in the wrong order"
             for c in special if unicodedata.bidirectional(c) in ("R", "AL")}
    others = [c for c in special if c not in found and not _is_cjk(c)]
    if others:
        for c in find_main_font(others)[1]:
            found[c] = "no font on this machine has it"
    return found


def choose_engine(requested: str, source: str, theme_fonts: tuple[str, ...] = ()
                  ) -> tuple[tex.Engine, str | None, str | None]:
    """The engine, a CJK font when the text has Chinese, Japanese or Korean, and a main font
    when the theme's cannot set the text (Greek, Cyrillic...) on a Unicode engine."""
    unsettable = sorted({c for c in source if not pdflatex_can_set(c)})
    cjk = [c for c in unsettable if _is_cjk(c)]
    other = [c for c in unsettable if not _is_cjk(c)]
    if requested == "auto":
        requested = "pdflatex"
        if unsettable:
            requested = next((e for e in ("xelatex", "lualatex") if tex.has_system_engine(e)), "")
            if not requested:
                raise CvtexError(
                    "the CV holds characters pdflatex cannot set: "
                    f"{describe_chars(unsettable)}. They need xelatex (or lualatex), which is "
                    "not installed; the TeX that comes with cvtex has pdflatex only. "
                    "On Debian or Ubuntu: sudo apt-get install "
                    f"{tex.DEBIAN_PACKAGES['xelatex']}")
    elif requested == "pdflatex" and unsettable:
        raise CvtexError("pdflatex cannot set these characters of the CV: "
                         f"{describe_chars(unsettable)}; use --engine xelatex (or engine: auto)")
    engine = tex.find_engine(requested)
    if engine.name == "pdflatex":
        return engine, None, None
    main_font = None
    if other:
        main_font, uncovered = find_main_font(other, theme_fonts)
        if uncovered:
            raise CvtexError(f"no font on this machine can set {describe_chars(uncovered)}; remove "
                             "these characters or install a font that has them (fonts-noto)")
    if cjk and engine.name == "lualatex" and main_font is None:
        # LuaTeX takes CJK glyphs from a fallback of the main font, which cvtex then sets:
        # the theme's own font, so its style stays.
        installed = _font_families(":") or set()
        main_font = next((f for f in theme_fonts if f in installed), None)
    return engine, (find_cjk_font() if cjk else None), main_font


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FFFF)


def find_cjk_font() -> str:
    """Noto Serif CJK when fontconfig knows it; TeX Live's Fandol otherwise."""
    families = _font_families(":lang=zh") or set()
    for wanted in ("Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC"):
        if wanted in families:
            return wanted
    return "FandolSong-Regular.otf"


# Main fonts for a Unicode engine, best first: each covers Latin, Greek and Cyrillic.
_MAIN_FONTS = ("TeX Gyre Pagella", "DejaVu Serif", "Noto Serif", "FreeSerif",
               "Liberation Serif", "Noto Sans", "DejaVu Sans", "FreeSans")


def find_main_font(chars: list[str], theme_fonts: tuple[str, ...] = ()
                   ) -> tuple[str | None, list[str]]:
    """A main font that has every one of `chars` (None: the theme's own font has them), and
    the characters no font on the machine has.

    `theme_fonts` are the fonts the theme itself tries, in its order (its theme.toml): the
    first installed one is what the theme sets; another of them keeps the theme's style.
    """
    families = _font_families(_charset(chars))
    if families is None:  # no fontconfig: trust the usual font, TeX reports what it lacks
        return None, []
    installed = _font_families(":") or set()
    own = next((f for f in theme_fonts if f in installed), None)
    if own is not None and own in families:
        return None, []
    for name in (*theme_fonts, *_MAIN_FONTS):
        if name in families:
            return name, []
    if families:
        plain = sorted(f for f in families if "Mono" not in f and "CJK" not in f)
        return (plain or sorted(families))[0], []
    uncovered = [c for c in chars[:200] if not _font_families(_charset([c]))]
    covered = [c for c in chars if c not in uncovered]
    best = find_main_font(covered, theme_fonts)[0] if covered else None
    return best, uncovered


def _charset(chars: list[str]) -> str:
    return ":charset=" + " ".join(f"{ord(c):x}" for c in chars)


def _font_families(pattern: str) -> set[str] | None:
    try:
        listed = subprocess.run(["fc-list", pattern, "family"], capture_output=True, text=True,
                                timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in listed.splitlines() for name in line.split(",")
            if name.strip()}
