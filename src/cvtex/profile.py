"""cv.yaml -> Profile: parse with locations, validate with the model, report every problem.

All problems of one file come back at once, each as `cv.yaml:LINE:COL: path: message`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from cvtex import errors, model, yamlfile
from cvtex.errors import InputError, Problem, warning
from cvtex.yamlfile import Located, PathKey

_SECTION_CLASSES: dict[str, type[BaseModel]] = {
    get_args(cls.model_fields["kind"].annotation)[0]: cls
    for cls in get_args(get_args(model.Section)[0])
}


@dataclass(frozen=True)
class LoadedProfile:
    profile: model.Profile
    located: Located  # where each value stood, for messages found later (citations, keys)
    warnings: list[Problem]


def load_profile(path: Path, display_name: str | None = None, *,
                 check_bibliography: bool = True) -> LoadedProfile:
    """Read and validate cv.yaml; return the profile and its warnings, or raise InputError.

    The files cv.yaml names (the theme, the BibTeX files unless `check_bibliography` is off
    because --bib replaces them) are checked with the rest, so they come in the same report.
    """
    located = yamlfile.load(path, display_name)
    if not isinstance(located.data, dict):
        raise InputError([located.problem(
            (), f"the file holds {_show(located.data)}, not a mapping of keys "
            "(name:, sections:, ...); see docs/format.md")])
    references = _reference_problems(located, path.parent, check_bibliography)
    try:
        profile = model.Profile.model_validate(located.data)
    except ValidationError as exc:
        problems = problems_from(exc, located)
        reported = {p.path for p in problems}
        problems += [p for p in references if p.path not in reported]
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise InputError(problems) from None
    if references:
        raise InputError(references)
    return LoadedProfile(profile, located, profile_warnings(profile, located))


def _reference_problems(located: Located, folder: Path, check_bibliography: bool
                        ) -> list[Problem]:
    """A theme that does not exist, BibTeX files that are not there: read from the raw data,
    so they are found even while other keys are wrong."""
    from cvtex import themes

    data = located.data
    assert isinstance(data, dict)
    found = []
    theme = data.get("theme")
    if isinstance(theme, str) and isinstance(problem := themes.find(theme), Problem):
        found.append(located.problem(("theme",), problem.message))
    files = data.get("bibliography") if check_bibliography else None
    listed = [(("bibliography",), files)] if isinstance(files, str) else [
        (("bibliography", i), name) for i, name in enumerate(files or [])
        if isinstance(files, list)]
    for where, name in listed:
        if isinstance(name, str) and name and not (folder / name).is_file():
            found.append(located.problem(
                where, f'the BibTeX file "{name}" does not exist (looked for '
                f"{errors.display_name(folder / name)}); fix the path, which is relative to "
                "cv.yaml"))
    return found


def problems_from(exc: ValidationError, located: Located) -> list[Problem]:
    found: dict[PathKey, tuple[str, bool, str]] = {}
    for err in exc.errors(include_url=False):
        path, _ = _data_path(err["loc"], located.data)
        node = _at(located.data, path)
        if err["type"] == "union_tag_invalid" and isinstance(node, dict) and "kind" in node:
            path = (*path, "kind")  # point at the kind the user wrote, not at the section
        if path in found:  # a union reports each branch; the first says enough
            continue
        message, on_key = _message(err, path, located)
        found[path] = (message, on_key, err["type"])
    problems = [located.problem(path, message, key=on_key)
                for path, (message, on_key, kind) in found.items()
                if not (kind == "missing" and _misspelled(path, found, located))]
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return problems


def _misspelled(missing: PathKey, found: dict[PathKey, tuple[str, bool, str]],
                located: Located) -> bool:
    """Whether an unknown key next to the missing one is its misspelling (already reported)."""
    parent, wanted = missing[:-1], missing[-1]
    allowed = _allowed_keys(parent, located.data)
    return any(
        kind == "extra_forbidden" and path[:-1] == parent
        and difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=_CUTOFF) == [wanted]
        for path, (_, _, kind) in found.items())


def _at(data: object, path: PathKey) -> object:
    """The value at `path`, or None when the path ends at a key that is not there."""
    node: Any = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _data_path(loc: tuple[Any, ...], data: object) -> tuple[PathKey, bool]:
    """Map pydantic's location (with union tags and validator names) onto the YAML's path."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]  # type: ignore[index]
            path.append(part)
        elif i == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            path.append(part)  # a missing or unknown key
            return tuple(path), False
    return tuple(path), True


_SECTION = object()  # stands for "a section, its class chosen by its kind"


def _allowed_keys(path: PathKey, data: object) -> list[str]:
    """The keys the model accepts for the mapping at `path`."""
    cls: Any = model.Profile
    node: Any = data
    for part in path:
        node = node[part]
        if isinstance(part, int):
            if cls is _SECTION:
                kind = node.get("kind") if isinstance(node, dict) else None
                cls = _SECTION_CLASSES.get(kind) if isinstance(kind, str) else None
            continue
        if not (isinstance(cls, type) and part in cls.model_fields):
            return []
        if cls is model.Profile and part == "sections":
            cls = _SECTION
        else:
            cls = _model_in(cls.model_fields[part].annotation)
    return list(cls.model_fields) if isinstance(cls, type) else []


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside Optional[...] / list[...] / Annotated[...], if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


_CUTOFF = 0.6  # difflib's default: "nmae" -> "name", "entires" -> "entries"


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=_CUTOFF)
    if close:
        return f'; did you mean "{close[0]}"?'
    return f"; the keys here are: {', '.join(choices)}" if choices else "; remove it"


# Fields whose form is easier to show than to describe with a pattern or a list.
_FORMS = {
    "margin": "is not a length; write a number and a unit, e.g. 2cm or 0.75in",
    "accent": "is not a colour; write six hex digits, e.g. #1F3A93",
    "select": 'is not a choice of publications; write all, selected or a list of BibTeX keys',
}

_WANTED = {
    "string_type": "a text", "list_type": "a list (lines starting with -)",
    "model_type": "a mapping of keys", "dict_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
}


def _message(err: Any, path: PathKey, located: Located) -> tuple[str, bool]:
    """What is wrong and what to do, and whether it is about the key rather than its value."""
    kind = err["type"]
    value = err.get("input")
    last = path[-1] if path else ""
    plain = located.plain.get(path)
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1], located.data)
        return f'unknown key "{last}"{_suggest(str(last), allowed)}', True
    if kind == "missing":
        return f'the key "{last}" is missing; add it', False
    if kind == "union_tag_invalid":
        tag = err["ctx"]["tag"]
        kinds = list(_SECTION_CLASSES)
        close = difflib.get_close_matches(str(tag), kinds, n=1)
        hint = f'did you mean "{close[0]}"?' if close else f"use one of: {', '.join(kinds)}"
        return f'unknown section kind "{tag}"; {hint}', False
    if kind == "union_tag_not_found":
        return f'the section has no "kind"; add one of: {", ".join(_SECTION_CLASSES)}', False
    if value is None and kind in (*_WANTED, "literal_error", "bool_type", "int_type"):
        where = "line" if isinstance(last, int) else "key"
        return f"has no value; write one or remove the {where}", False
    if last in _FORMS and kind in ("string_type", "string_pattern_mismatch", "literal_error"):
        return f"{_show(value)} {_FORMS[str(last)]}", False
    texts_wanted = kind == "string_type" or (kind == "literal_error"
                                             and "'" in err["ctx"]["expected"])
    if texts_wanted and plain is not None and not isinstance(value, str):
        return _yaml11(plain, value), False
    if kind in ("bool_type", "bool_parsing"):
        return f"{_show(value)} is not true or false; write true or false", False
    if kind == "literal_error":
        expected = err["ctx"]["expected"].replace("'", '"')
        return f"{_show(value)} is not allowed; use {expected}", False
    if kind == "string_too_short":
        return "is empty; write a value or remove the key", False
    if kind in _WANTED:
        return f"{_show(value)} is not {_WANTED[kind]}", False
    if kind == "string_pattern_mismatch":
        return f"{_show(value)} does not have the expected form ({err['ctx']['pattern']})", False
    message = re.sub(r"^(Value|Assertion) error, ", "", err["msg"])
    if message.startswith("Input should be "):  # pydantic's words for numbers and the like
        message = f"{_show(value)} should be {message.removeprefix('Input should be ')}"
    return message, False


def _yaml11(plain: str, value: object) -> str:
    """Explain a value YAML 1.1 read as something else than the text that was meant."""
    if isinstance(value, bool):
        return (f'"{plain}" was read as {str(value).lower()} (YAML reads yes/no/on/off as '
                f'true/false); put it in quotes: "{plain}"')
    if isinstance(value, (dt.date, dt.datetime)):
        return f'{plain} was read as a date; put it in quotes: "{plain}"'
    return f'{plain} was read as the number {value!r}; put it in quotes: "{plain}"'


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if not isinstance(value, (dt.date, dt.datetime)) else value.isoformat()


def profile_warnings(profile: model.Profile, located: Located) -> list[Problem]:
    """What is legal but likely wrong: empty sections, URLs without a scheme."""
    found: list[Problem] = []
    for i, section in enumerate(profile.sections):
        for key in ("entries", "items"):
            content = getattr(section, key, None)
            if content is not None and not content and section.kind != "publications":
                found.append(_warn(located, ("sections", i, key),
                                   f'the section "{section.title}" is empty and will not be '
                                   f"printed; add {key} or remove the section"))
    for path, value in walk(located.data, ()):
        if isinstance(path[-1], str) and (path[-1] in ("url", "web", "area_url")) \
                and isinstance(value, str) and value and not re.match(r"^[a-zA-Z][\w+.-]*:", value):
            found.append(_warn(located, path,
                               f'"{value}" has no scheme; it is linked as https://{value} '
                               f"(write https://{value} to say so)"))
    return found


def _warn(located: Located, path: PathKey, message: str) -> Problem:
    p = located.problem(path, message)
    return warning(p.message, file=p.file, line=p.line, column=p.column, path=p.path)


def walk(node: object, path: PathKey) -> Iterator[tuple[PathKey, object]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, (*path, i))
    elif path:
        yield path, node
