"""A publication as cvtex works with it: decoded fields, parsed authors, where it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from cvtex.names import Name


@dataclass(frozen=True)
class Author:
    name: Name
    cofirst: bool = False
    corresponding: bool = False
    owner: bool = False
    others: bool = False  # BibTeX's "and others": printed as "et al."

    def with_flags(self, **flags: bool) -> Author:
        return replace(self, **flags)


@dataclass(frozen=True)
class Publication:
    key: str
    entry_type: str  # lower-case BibTeX type: inproceedings, article, ...
    fields: dict[str, str]  # decoded to Unicode; math kept between $...$
    authors: tuple[Author, ...]
    file: str
    line: int  # 1-based line of the @ that starts the entry
    editors: tuple[Author, ...] = ()

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    @property
    def year(self) -> int | None:
        # biblatex (and Zotero) write date = {2021-05-03} instead of year and month.
        digits = "".join(c for c in self.get("year") or self.get("date")[:4] if c.isdigit())[:4]
        return int(digits) if len(digits) == 4 else None

    @property
    def month(self) -> int | None:
        if self.get("month"):
            return month_number(self.get("month"))
        date = self.get("date")
        return month_number(date[5:7]) if re.match(r"^\d{4}-\d{2}", date) else None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def month_number(value: str) -> int | None:
    value = value.strip().lower().rstrip(".")
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    for i, m in enumerate(MONTHS):
        if value[:3] == m:
            return i + 1
    return None
