"""Find themes and put a theme's files into the build folder."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from cvtex.errors import Problem
from cvtex.paths import SUPPORT_DIR, templates_dir

THEME_FILE = "cvtheme.sty"


@dataclass(frozen=True)
class Theme:
    name: str
    folder: Path
    description: str
    # The OpenType fonts the theme tries on xelatex/lualatex, in its order: when the text
    # needs a font with more characters, cvtex picks one of these first, to keep the style.
    unicode_fonts: tuple[str, ...] = ()


def available() -> list[Theme]:
    # Imported here: an unchanged rebuild never lists themes, and answers faster without it.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    themes = []
    for folder in sorted(templates_dir().iterdir()):
        if (folder / THEME_FILE).is_file():
            meta = folder / "theme.toml"
            info = tomllib.loads(meta.read_text("utf-8")) if meta.is_file() else {}
            themes.append(Theme(folder.name, folder, str(info.get("description", "")),
                                tuple(str(f) for f in info.get("unicode_fonts", ()))))
    return themes


def find(name: str) -> Theme | Problem:
    themes = {t.name: t for t in available()}
    if name in themes:
        return themes[name]
    import difflib

    close = difflib.get_close_matches(name, list(themes), n=1)
    hint = f'did you mean "{close[0]}"?' if close else f"the themes are: {', '.join(themes)}"
    return Problem(f'unknown theme "{name}"; {hint}', path="theme")


def files(theme: Theme) -> list[Path]:
    """What TeX reads of a theme: its own files, then cvtex's support files every theme uses."""
    own = sorted(f for f in theme.folder.iterdir()
                 if f.is_file() and f.suffix in (".sty", ".tex", ".cls", ".def"))
    return own + sorted(SUPPORT_DIR.glob("*.sty"))


def install(theme: Theme, build_dir: Path) -> None:
    """Copy the theme's files next to the .tex (only when they changed, to keep TeX's cache)."""
    for source in files(theme):
        target = build_dir / source.name
        data = source.read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            shutil.copyfile(source, target)
