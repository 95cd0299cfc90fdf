"""The pipeline: cv.yaml + BibTeX -> validated data -> rules -> LaTeX -> PDF.

`check` runs every step that reads the user's files; `build` adds the TeX run. The CLI and
the tests call these two functions and nothing else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cvtex import buildfolder, paths, themes
from cvtex import compile as tex
from cvtex.engine_choice import choose_engine, describe_chars, unsupported_characters
from cvtex.errors import (
    CompileError,
    InputError,
    OutputError,
    Problem,
    Severity,
    display_name,
)
from cvtex.passes import run_passes
from cvtex.trace import origin_of_error

if TYPE_CHECKING:
    from cvtex import model
    from cvtex.profile import LoadedProfile
    from cvtex.publication import Publication

# The heavy modules (pydantic models, bibtexparser, PyLaTeX) are imported inside `check` and
# `latex_source`: a build with nothing changed never needs them, and answers in a few
# hundredths of a second (see docs/performance.md).


@dataclass(frozen=True)
class Request:
    cv: Path
    output: Path | None = None  # default: the CV's name with .pdf, next to it
    bib: tuple[Path, ...] = ()  # replaces the profile's bibliography: files
    theme: str | None = None
    engine: str | None = None
    paper: str | None = None
    build_dir: Path | None = None


@dataclass
class Checked:
    """Everything read from the user's files, validated, with the rules applied."""

    profile: model.Profile
    publications: list[Publication]  # all entries of all files, owner marked
    section_publications: dict[int, list[Publication]]
    warnings: list[Problem] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)  # cv.yaml and the BibTeX files read
    loaded: LoadedProfile | None = None


@dataclass(frozen=True)
class Result:
    pdf: Path
    engine: tex.Engine
    passes: int  # TeX runs this build needed (0: nothing changed)
    warnings: list[Problem]


def check(request: Request) -> Checked:
    from cvtex import model, names, rules
    from cvtex.bib import read_bibliographies
    from cvtex.profile import load_profile

    try:
        loaded = load_profile(request.cv, display_name(request.cv),
                              check_bibliography=not request.bib)
    except RecursionError:
        raise InputError([Problem("the file nests lists or mappings too deeply to read",
                                  file=display_name(request.cv))]) from None
    profile = loaded.profile
    overrides = {k: v for k, v in (("theme", request.theme), ("engine", request.engine)) if v}
    if request.paper:
        overrides["layout"] = profile.layout.model_copy(update={"paper": request.paper})
    profile = profile.model_copy(update=overrides)
    problems: list[Problem] = list(loaded.warnings)

    bib_paths = _bib_paths(request, loaded)
    try:
        pubs, bib_problems = read_bibliographies(bib_paths)
    except InputError as exc:
        raise InputError(problems + exc.problems) from None
    problems.extend(bib_problems)
    pubs, owner_problems = rules.mark_owner(pubs, names.owner_keys(profile.name, profile.aliases))
    problems.extend(owner_problems)

    section_pubs: dict[int, list[Publication]] = {}
    for index, section in enumerate(profile.sections):
        if isinstance(section, model.PublicationsSection):
            chosen, unknown = rules.select(pubs, section.select)
            for key in unknown:
                problems.append(loaded.located.problem(
                    ("sections", index, "select"), f'no BibTeX entry has the key "{key}"'))
            # A list of keys is an order of its own, unless a sort is asked for as well.
            listed = isinstance(section.select, list) and "sort" not in section.model_fields_set
            section_pubs[index] = rules.sort(chosen, "none" if listed else section.sort)
            if not chosen and not unknown:
                problems.append(_warning(loaded.located.problem(
                    ("sections", index), f'the section "{section.title}" selects no '
                    "publication and will not be printed")))
    problems.extend(_citation_problems(loaded, {p.key.lower() for p in pubs}))
    printed = {id(p): p for chosen in section_pubs.values() for p in chosen}.values()
    problems.extend(_character_problems(loaded, list(printed)))
    if request.theme and isinstance(theme := themes.find(request.theme), Problem):
        problems.append(Problem(f"--theme: {theme.message}"))  # cv.yaml's was checked on load
    if any(p.is_error for p in problems):
        raise InputError(problems)
    return Checked(profile, pubs, section_pubs, problems,
                   [request.cv, *(p for p, _ in bib_paths)], loaded)


def _bib_paths(request: Request, loaded: LoadedProfile) -> list[tuple[Path, str]]:
    if request.bib:
        unique = {p.resolve(): p for p in reversed(request.bib)}  # a file given twice: once
        return [(p, display_name(p)) for p in request.bib if unique[p.resolve()] is p]
    paths: list[tuple[Path, str]] = []
    for name in loaded.profile.bib_files:  # each one exists: load_profile checked
        path = request.cv.parent / name
        if all(path.resolve() != seen.resolve() for seen, _ in paths):  # listed twice: once
            paths.append((path, display_name(path)))
    return paths


def _character_problems(loaded: LoadedProfile, pubs: list[Publication]) -> list[Problem]:
    """Characters that would not print right, named with the field or entry that holds them."""
    from cvtex import pubstyle
    from cvtex.profile import walk

    texts: list[tuple[str, Callable[[str], Problem]]] = [
        (value, lambda message, path=path: loaded.located.problem(path, message))
        for path, value in walk(loaded.located.data, ()) if isinstance(value, str)]
    for pub in pubs:
        fields = [(name, pub.get(name)) for name in pubstyle.PRINTED_FIELDS if pub.get(name)]
        fields += [("author", a.name.display()) for a in pub.authors]
        for name, text in fields:
            texts.append((text, lambda message, pub=pub, name=name: Problem(
                f'entry "{pub.key}", field "{name}": {message}', file=pub.file, line=pub.line)))
    bad = unsupported_characters("".join(text for text, _ in texts))
    found = []
    for text, problem in texts:
        by_reason: dict[str, list[str]] = {}
        for char in sorted({c for c in text if c in bad}):
            by_reason.setdefault(bad[char], []).append(char)
        for reason, chars in by_reason.items():
            found.append(problem(f"{describe_chars(chars, limit=5)}: {reason}; remove "
                                 f"{'it' if len(chars) == 1 else 'them'}"))
    return found


def _warning(problem: Problem) -> Problem:
    return dataclasses.replace(problem, severity=Severity.WARNING)


def _citation_problems(loaded: LoadedProfile, keys: set[str]) -> list[Problem]:
    from cvtex import latex
    from cvtex.profile import walk

    found = []
    for path, value in walk(loaded.located.data, ()):
        if isinstance(value, str) and "[@" in value:
            for key in latex.cite_keys(value):
                if key.lower() not in keys:
                    found.append(loaded.located.problem(
                        path, f'cites "{key}", which no BibTeX file defines'))
    return found


# ---- LaTeX ---------------------------------------------------------------------------------

def latex_source(checked: Checked, engine_name: str, cjk_font: str | None = None,
                 main_font: str | None = None) -> str:
    from cvtex import render

    options = render.RenderOptions(engine=engine_name, cjk_font=cjk_font, main_font=main_font,
                                   today=_today())
    doc = render.document(checked.profile, checked.section_publications,
                          checked.publications, options)
    return _format_ready(doc.dumps()) + "\n"


def _format_ready(source: str) -> str:
    """Drop PyLaTeX's `%` at the ends of preamble lines: mylatexformat reads the preamble line
    by line to find where the dumped part ends, and a `%` would join every line into one."""
    head, sep, body = source.partition(r"\begin{document}")
    return re.sub(r"(?<!\\)%$", "", head, flags=re.MULTILINE) + sep + body


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = (dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
           if epoch and epoch.isdigit() else dt.date.today())
    return f"{day:%B} {day.day}, {day.year}"


# ---- the build -----------------------------------------------------------------------------

def build(request: Request) -> Result:
    output = request.output or request.cv.with_suffix(".pdf")
    _check_output(output)
    _not_an_input(output, [request.cv, *request.bib])
    folder = request.build_dir or buildfolder.default_build_dir(request.cv)
    with buildfolder.build_folder(folder, chosen=request.build_dir is not None) as (where, notes):
        key = request_key(request)
        if (same := buildfolder.unchanged(where, key)) is not None:
            _publish(tex.job_file(where, ".pdf"), output)
            return Result(output, same[0], 0, notes + same[1])
        with contextlib.suppress(OSError):
            (where / buildfolder.MANIFEST).unlink(missing_ok=True)
        if output.resolve() == tex.job_file(where, ".pdf").resolve():
            raise OutputError(f"the output {output} is the build folder's own PDF, which a "
                              "failed build would remove; write the PDF elsewhere")
        checked = check(request)
        _not_an_input(output, checked.inputs)
        # Hashed now, not after TeX: an edit made during the run must not pass as built.
        inputs = buildfolder.digests(checked.inputs)
        theme = themes.find(checked.profile.theme)
        assert isinstance(theme, themes.Theme)
        engine, source = _source_for(checked, theme)
        try:
            passes = run_passes(where, source, theme, engine)
        except CompileError as exc:
            raise CompileError(f"{exc}{origin_of_error(where, checked)}") from None
        except OSError as exc:
            raise OutputError(f"cannot write in the build folder {where}: "
                              f"{exc.strerror or exc}") from None
        _publish(tex.job_file(where, ".pdf"), output)
        buildfolder.save_manifest(where, key, inputs, engine, checked.warnings)
    return Result(output, engine, passes, notes + checked.warnings)


def _source_for(checked: Checked, theme: themes.Theme) -> tuple[tex.Engine, str]:
    probe = latex_source(checked, "pdflatex")
    engine, cjk_font, main_font = choose_engine(checked.profile.engine, probe,
                                                theme.unicode_fonts)
    if engine.name == "pdflatex":
        return engine, probe
    return engine, latex_source(checked, engine.name, cjk_font, main_font)


def _not_an_input(output: Path, inputs: list[Path]) -> None:
    """The PDF must never be written over the CV's own files."""
    target = output.resolve()
    for path in inputs:
        if path.resolve() == target:
            raise InputError([Problem(
                f"the output {output} is {display_name(path)}, one of the CV's own files; "
                "write the PDF elsewhere (-o NAME.pdf)")])


def _check_output(output: Path) -> None:
    """Fail before any work when the PDF cannot be written where it was asked for."""
    parent = output.parent if str(output.parent) else Path(".")
    existing = parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    problem = None
    if output.is_dir():
        problem = "it is a folder"
    elif not existing.is_dir():
        problem = f"{existing} is a file, not a folder"
    elif not os.access(existing, os.W_OK | os.X_OK):
        problem = f"{existing} is not writable"
    if problem:
        raise OutputError(f"cannot write the PDF to {output}: {problem}")


def request_key(request: Request) -> str:
    """Everything besides the input files that shapes the PDF."""
    key = {
        "cv": str(request.cv.resolve()), "bib": [str(p.resolve()) for p in request.bib],
        "theme": request.theme, "engine": request.engine, "paper": request.paper,
        "cwd": os.getcwd(), "today": _today(), "code": paths.code_hash(),
        "python": sys.version,
        "env": {k: os.environ.get(k) for k in ("SOURCE_DATE_EPOCH", "CVTEX_NO_SYSTEM_TEX",
                                               "PATH", "TEXINPUTS", "TEXMFHOME")},
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def _publish(pdf: Path, output: Path) -> None:
    """Copy next to the target, then rename: the last good PDF is replaced whole or not at all."""
    try:
        with contextlib.suppress(OSError):
            if output.read_bytes() == pdf.read_bytes():
                return  # already this PDF: keep its time stamp for viewers and watchers
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(f".{output.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            shutil.copyfile(pdf, partial)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write the PDF to {output}: {exc.strerror or exc}") from None
