"""`cvtex init`: a starter cv.yaml and publications.bib that build at once.

The files live in the package (cvtex/starter/) so that they install with the wheel.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cvtex.errors import CvtexError

FILES = ("cv.yaml", "publications.bib")


class StarterExistsError(CvtexError):
    """The folder already holds a CV (or its BibTeX file): nothing is overwritten."""

    exit_code = 2


def starter_text(name: str) -> str:
    return resources.files("cvtex").joinpath("starter", name).read_text("utf-8")


def write_starter(folder: Path) -> list[Path]:
    """Write the starter files into `folder` (made if missing); return the paths written.

    Refuses, writing nothing, when any of the files already exists there.
    """
    targets = [folder / name for name in FILES]
    existing = [t for t in targets if t.exists()]
    if existing:
        shown = ", ".join(str(t) for t in existing)
        raise StarterExistsError(
            f"{shown} already exist{'s' if len(existing) == 1 else ''}; cvtex init "
            "overwrites nothing: name another folder (cvtex init DIR)")
    texts = {t: starter_text(t.name) for t in targets}
    folder.mkdir(parents=True, exist_ok=True)
    for target, text in texts.items():
        with open(target, "x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    return targets
