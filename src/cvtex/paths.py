"""Where cvtex's own files are (its code, its TeX support files, the themes) and one hash of
them all. Standard library only: the command's front door uses it before any heavy import."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent
# TeX files of cvtex's own that every theme relies on (the page total).
SUPPORT_DIR = PACKAGE_DIR / "tex"
_code_digest: str | None = None


def templates_dir() -> Path:
    """Inside the wheel: cvtex/templates; in a source checkout: the repository's templates/."""
    packaged = PACKAGE_DIR / "templates"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.resolve().parents[1] / "templates"


def code_hash() -> str:
    """cvtex's own code, TeX files and themes: a new version never reuses an old build (or
    an old build server)."""
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256()
        files = sorted(PACKAGE_DIR.glob("*.py")) + sorted(SUPPORT_DIR.glob("*.sty"))
        with contextlib.suppress(OSError):
            files += sorted(p for p in templates_dir().rglob("*") if p.is_file())
        for f in files:
            try:
                digest.update(f.name.encode() + f.read_bytes())
            except OSError:
                continue
        _code_digest = digest.hexdigest()
    return _code_digest
