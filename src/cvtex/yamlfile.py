"""Read a YAML file into plain Python values plus the line and column of every node.

PyYAML's composer gives nodes with marks; we build the values ourselves so that every
location is kept, a repeated key is caught (PyYAML keeps the last silently), and an alias
bomb or absurd nesting ends with a message instead of eating the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cvtex.errors import InputError, Problem

MAX_NODES = 200_000  # a large CV has a few thousand
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]


@dataclass
class Located:
    """Parsed YAML and where each value (and each mapping key) stood in the file."""

    data: object
    file: str
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    # The source text of plain (unquoted) scalars, to explain YAML 1.1 surprises.
    plain: dict[PathKey, str] = field(default_factory=dict)

    def where(self, path: PathKey, *, key: bool = False) -> tuple[int | None, int | None]:
        """1-based line and column of `path`, or of its nearest located parent."""
        table = self.keys if key and path in self.keys else self.values
        probe = path
        while probe not in table and probe:
            probe = probe[:-1]
            table = self.values
        line_col = table.get(probe)
        return line_col if line_col else (None, None)

    def problem(self, path: PathKey, message: str, *, key: bool = False, **kw: object) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(message, file=self.file, line=line, column=col,
                       path=format_path(path) or None, **kw)  # type: ignore[arg-type]


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Builder:
    def __init__(self, file: str) -> None:
        self.located = Located(None, file)
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used
        self.count = 0
        self.problems: list[Problem] = []

    def _mark(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> object:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES:,} values (an alias bomb?)", node)
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested more than {MAX_DEPTH} levels deep", node)
        self.located.values[path] = self._mark(node)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, object] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(Problem(
                        "YAML merge keys (<<) are not supported; write the keys out",
                        file=self.located.file, line=self._mark(key_node)[0],
                        column=self._mark(key_node)[1]))
                    continue
                key = self.build(key_node, (*path, "<key>"), depth + 1)
                key = str(key) if not isinstance(key, str) else key
                child = (*path, key)
                if key in result:
                    line, col = self._mark(key_node)
                    first = self.located.keys[child][0]
                    self.problems.append(Problem(
                        f'the key "{key}" is repeated (first on line {first}); keep one',
                        file=self.located.file, line=line, column=col,
                        path=format_path(child)))
                    continue
                self.located.keys[child] = self._mark(key_node)
                result[key] = self.build(value_node, child, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(n, (*path, i), depth + 1) for i, n in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.style is None:
            self.located.plain[path] = node.value
        return self.constructor.construct_object(node, deep=True)


class _TooBig(Exception):
    def __init__(self, message: str, node: yaml.Node) -> None:
        super().__init__(message)
        self.node = node


def decode(raw: bytes, file: str) -> str:
    if b"\x00" in raw[:8192]:
        raise InputError([Problem("this is not a text file (it holds NUL bytes)", file=file)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8",
            file=file, line=line)]) from None


def load(path: Path, display_name: str | None = None) -> Located:
    """Parse `path`; raise InputError with located problems for anything unreadable."""
    file = display_name or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem("no such file", file=file)]) from None
    except IsADirectoryError:
        raise InputError([Problem("this is a folder, not a YAML file", file=file)]) from None
    except OSError as exc:
        raise InputError([Problem(f"cannot read it: {exc.strerror}", file=file)]) from None
    return loads(decode(raw, file), file)


def loads(text: str, file: str) -> Located:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{message} ({exc.context})"
        raise InputError([Problem(
            f"YAML syntax: {message}", file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(f"YAML syntax: {exc}", file=file)]) from None
    if node is None:
        raise InputError([Problem(
            "the file is empty; start from `cvtex init` or see docs/format.md", file=file)])
    builder = _Builder(file)
    try:
        builder.located.data = builder.build(node, (), 0)
    except _TooBig as exc:
        mark = exc.node.start_mark
        raise InputError([Problem(f"the YAML is too large: {exc}", file=file,
                                  line=mark.line + 1, column=mark.column + 1)]) from None
    except (yaml.constructor.ConstructorError, ValueError) as exc:
        raise InputError([Problem(f"YAML: {exc}", file=file)]) from None
    if builder.problems:
        raise InputError(builder.problems)
    return builder.located
