"""Partial dates as CVs write them (2017, 2017-09, 2017-09-01, present) and their display."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH_ABBREVIATIONS = (
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sep.", "Oct.", "Nov.", "Dec.",
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
DATE_HINT = 'use YYYY, YYYY-MM or YYYY-MM-DD, or "present"'


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def display(self) -> str:
        if self.month is None:
            return str(self.year)
        return f"{MONTH_ABBREVIATIONS[self.month - 1]} {self.year}"

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)


PRESENT = "present"
DateOrPresent = PartialDate | str  # the str is always PRESENT


def parse_date(value: object) -> DateOrPresent:
    """Read a cv.yaml date; raise ValueError with a message a user can act on."""
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is not a date ({DATE_HINT})")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date ({DATE_HINT})")
    text = value.strip()
    if text.lower() == PRESENT:
        return PRESENT
    m = _DATE.match(text)
    if not m:
        raise ValueError(f'"{value}" is not a date ({DATE_HINT})')
    year, month, day = (int(g) if g else None for g in m.groups())
    assert year is not None
    try:
        if day is not None:
            dt.date(year, month or 1, day)
        elif month is not None and not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise ValueError(f'"{value}" is not a date ({DATE_HINT})') from None
    return PartialDate(year, month, day)


def display(value: DateOrPresent) -> str:
    return value if isinstance(value, str) else value.display()


def date_range(start: DateOrPresent | None, end: DateOrPresent | None) -> str:
    """'Sep. 2017 – Dec. 2022' (en dash), 'Nov. 2022 – present', or one date alone."""
    if start is None:
        return display(end) if end is not None else ""
    if end is None or end == start:
        return display(start)
    return f"{display(start)} \u2013 {display(end)}"


def ends_before_start(start: DateOrPresent | None, end: DateOrPresent | None) -> bool:
    if not isinstance(start, PartialDate) or not isinstance(end, PartialDate):
        return False
    # Compare only to the precision both dates share: 2017 vs 2017-09 is not an error.
    s, e = start.sort_key(), end.sort_key()
    if start.month is None or end.month is None:
        return e[0] < s[0]
    if start.day is None or end.day is None:
        return e[:2] < s[:2]
    return e < s
