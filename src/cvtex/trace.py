"""Where in cv.yaml or the BibTeX files a failing line of the .tex came from."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from cvtex import compile as tex

if TYPE_CHECKING:
    from cvtex.build import Checked


def origin_of_error(folder: Path, checked: Checked) -> str:
    """Where in cv.yaml or the BibTeX files the failing .tex line came from, when it is found."""
    with contextlib.suppress(Exception):  # a best effort on top of TeX's own message
        log = tex.job_file(folder, ".log").read_text("utf-8", errors="replace")
        number = tex.error_line(log)
        if number is None:
            return ""
        lines = tex.job_file(folder, ".tex").read_text("utf-8").splitlines()
        return _origin(lines, number - 1, checked)
    return ""


def _origin(lines: list[str], index: int, checked: Checked) -> str:
    from cvtex import latex, pubstyle

    line = lines[index]
    loaded = checked.loaded
    located = loaded.located if loaded else None

    def at(path: tuple[str | int, ...], what: str) -> str:
        if located is None:
            return f"\nIt comes from {what}."
        return f"\nIt comes from {what}: {located.problem(path, 'here')}"

    body_start = next((i for i, t in enumerate(lines) if t.startswith(r"\begin{document}")), 0)
    if index < body_start or line.startswith(r"\cvheader"):
        return at(("name",), "the name, headline or contact of cv.yaml")
    titles = {str(latex.markup(s.title)): i for i, s in enumerate(checked.profile.sections)}
    for i in range(index, body_start, -1):
        m = re.match(r"\\begin\{cvsection\}\{(.*)\}%?$", lines[i])
        if not m or m.group(1) not in titles:
            continue
        number = titles[m.group(1)]
        for pub in checked.section_publications.get(number, []):
            if str(pubstyle.title(pub)) in line:
                return (f"\nIt comes from the BibTeX entry {pub.key} ({pub.where}), in section "
                        f'"{checked.profile.sections[number].title}".')
        if i == index:
            return at(("sections", number, "title"), "a section title")
        entry = sum(1 for t in lines[i + 1:index] if t.startswith(r"\cv")
                    and not t.startswith(r"\cvpubgroup"))
        section = checked.profile.sections[number]
        path: tuple[str | int, ...] = ("sections", number)
        if getattr(section, "entries", None):
            path = ("sections", number, "entries", entry)
        return at(path, f'section "{section.title}"')
    return ""
