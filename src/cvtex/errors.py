"""User-facing problems and the exceptions that carry them.

Anything a user can cause ends as a `CvtexError`; the CLI prints its problems and exits with
its `exit_code`, never with a traceback.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in the user's input, located where an editor can jump."""

    message: str
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str | None = None  # e.g. "sections[2].entries[0].start"
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        label = "warning: " if self.severity is Severity.WARNING else ""
        path = f"{self.path}: " if self.path else ""
        return f"{where}{label}{path}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def display_name(path: Path) -> str:
    """How messages name a file: relative to the working folder when it is inside it."""
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    return str(path)


def warning(message: str, **where: object) -> Problem:
    return Problem(message, severity=Severity.WARNING, **where)  # type: ignore[arg-type]


class CvtexError(Exception):
    """Base of every error a user can cause."""

    exit_code = 1

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class InputError(CvtexError):
    """The YAML profile or a BibTeX file is wrong; nothing was built."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        n = sum(p.is_error for p in problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the input", problems)


class EngineNotFoundError(CvtexError):
    """No TeX engine of the kind asked for is on this machine."""

    exit_code = 1


class CompileError(CvtexError):
    """The TeX run failed; the message holds the first real error of its log."""

    exit_code = 1


class OutputError(CvtexError):
    """The PDF could not be written where it was asked for."""

    exit_code = 1
