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
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            # Tags such as !!python/object would otherwise pass as a plain list or mapping.
            self._refuse_tag(node, path)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, object] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(Problem(
                        "YAML merge keys (<<) are not supported; write the keys out",
                        file=self.located.file, line=self._mark(key_node)[0],
                        column=self._mark(key_node)[1]))
                    continue
                key = self._key(key_node, path)
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
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:  # a tag such as !!python/object
            self._refuse_tag(node, path)
            return None
        except ValueError:
            # A timestamp-looking value such as 2017-02-30: keep the text, the model explains it.
            return node.value

    def _refuse_tag(self, node: yaml.Node, path: PathKey) -> None:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        line, col = self._mark(node)
        self.problems.append(Problem(
            f"the YAML tag {tag} is not supported here; remove the tag",
            file=self.located.file, line=line, column=col, path=format_path(path) or None))

    def _key(self, node: yaml.Node, path: PathKey) -> str:
        """A key as written: `no:` stays "no" and `2017:` stays "2017" (not false, 2017)."""
        if isinstance(node, yaml.ScalarNode):
            return str(node.value)
        line, col = self._mark(node)
        self.problems.append(Problem(
            "a key must be a plain word, not a list or a mapping; check the indentation",
            file=self.located.file, line=line, column=col, path=format_path(path) or None))
        return f"<key at line {line}>"


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class _TooBig(Exception):
    def __init__(self, message: str, node: yaml.Node) -> None:
        super().__init__(message)
        self.node = node


def decode(raw: bytes, file: str) -> str:
    """The text of a file that must be UTF-8; located problems for anything else."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem("the file is saved as UTF-16; save it as UTF-8",
                                  file=file, line=1, column=1)])
    nul = raw.find(b"\x00", 0, 8192)
    if nul >= 0:
        line, col = _line_col(raw, nul)
        raise InputError([Problem(
            "this is a binary file, not text (it holds NUL bytes); check the file name",
            file=file, line=line, column=col)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        raise InputError([Problem(
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8",
            file=file, line=line, column=col)]) from None


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as an editor counts them) of a byte offset."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    before = raw[line_start:offset].decode("utf-8", errors="replace")
    return raw.count(b"\n", 0, offset) + 1, len(before) + 1


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
        raise InputError([_syntax_problem(exc, file)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(f"YAML syntax: {exc}", file=file, line=1, column=1)]) from None
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ""
                        and node.tag == "tag:yaml.org,2002:null"):
        raise InputError([Problem(
            "the file is empty; run `cvtex init` for a starter, or see docs/format.md",
            file=file, line=1, column=1)])
    builder = _Builder(file)
    try:
        builder.located.data = builder.build(node, (), 0)
    except _TooBig as exc:
        mark = exc.node.start_mark
        raise InputError([Problem(f"the YAML is too large: {exc}; write the values out",
                                  file=file, line=mark.line + 1, column=mark.column + 1)]) from None
    if builder.problems:
        raise InputError(builder.problems)
    return builder.located


# What usually causes PyYAML's complaints, as advice appended to its own words.
_SYNTAX_HINTS = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("mapping values are not allowed", 'put a text holding ": " in quotes, or fix the indentation'),
    ("cannot start any token", "put the text in quotes"),
    ("end of stream", "close the quote or bracket"),
    ("expected ',' or", "close the bracket, or put a text holding a comma in quotes"),
    ("undefined alias", 'put a text starting with "*" in quotes'),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    """PyYAML's own words, where it stopped, what it was reading and since when."""
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or str(exc)
    if exc.context:
        context = exc.context
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != mark.line:
            context += (f" that starts at line {exc.context_mark.line + 1}, "
                        f"column {exc.context_mark.column + 1}")
        message = f"{message} ({context})"
    hint = next((h for needle, h in _SYNTAX_HINTS if needle in message),
                "check the indentation and the quotes on this line and the one before")
    return Problem(f"YAML syntax: {message}; {hint}", file=file,
                   line=mark.line + 1 if mark else 1, column=mark.column + 1 if mark else 1)
