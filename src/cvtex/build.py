"""The pipeline: cv.yaml + BibTeX -> validated data -> rules -> LaTeX -> PDF.

`check` runs every step that reads the user's files; `build` adds the TeX run. The CLI and
the tests call these two functions and nothing else.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cvtex import compile as tex
from cvtex import latex, model, names, render, rules, themes
from cvtex.bib import read_bibliographies
from cvtex.errors import CvtexError, InputError, OutputError, Problem
from cvtex.profile import LoadedProfile, load_profile, walk
from cvtex.publication import Publication

MAX_PASSES = 3


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


@dataclass(frozen=True)
class Result:
    pdf: Path
    engine: tex.Engine
    passes: int  # TeX runs this build needed (0: nothing changed)
    warnings: list[Problem]


def display_name(path: Path) -> str:
    """How messages name a file: relative to the working folder when it is inside it."""
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    return str(path)


def check(request: Request) -> Checked:
    loaded = load_profile(request.cv, display_name(request.cv))
    profile = loaded.profile
    overrides = {k: v for k, v in (("theme", request.theme), ("engine", request.engine)) if v}
    if request.paper:
        overrides["layout"] = profile.layout.model_copy(update={"paper": request.paper})
    profile = profile.model_copy(update=overrides)
    problems: list[Problem] = list(loaded.warnings)

    bib_paths = _bib_paths(request, loaded, problems)
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
            section_pubs[index] = rules.sort(chosen, section.sort)
    problems.extend(_citation_problems(loaded, {p.key.lower() for p in pubs}))
    if isinstance(theme := themes.find(profile.theme), Problem):
        problems.append(loaded.located.problem(("theme",), theme.message))
    if any(p.is_error for p in problems):
        raise InputError(problems)
    return Checked(profile, pubs, section_pubs, problems)


def _bib_paths(request: Request, loaded: LoadedProfile, problems: list[Problem]
               ) -> list[tuple[Path, str]]:
    if request.bib:
        return [(p, display_name(p)) for p in request.bib]
    paths = []
    files = loaded.profile.bib_files
    for i, name in enumerate(files):
        path = (request.cv.parent / name)
        if not path.is_file():
            where = ("bibliography", i) if isinstance(loaded.profile.bibliography, list) \
                else ("bibliography",)
            problems.append(loaded.located.problem(
                where, f'the BibTeX file "{name}" does not exist (looked for {display_name(path)})'))
        else:
            paths.append((path, display_name(path)))
    if any(p.is_error for p in problems):
        raise InputError(problems)
    return paths


def _citation_problems(loaded: LoadedProfile, keys: set[str]) -> list[Problem]:
    found = []
    for path, value in walk(loaded.located.data, ()):
        if isinstance(value, str) and "[@" in value:
            for key in latex.cite_keys(value):
                if key.lower() not in keys:
                    found.append(loaded.located.problem(
                        path, f'cites "{key}", which no BibTeX file defines'))
    return found


# ---- LaTeX and TeX -------------------------------------------------------------------------

def latex_source(checked: Checked, engine_name: str, cjk_font: str | None = None) -> str:
    options = render.RenderOptions(engine=engine_name, cjk_font=cjk_font, today=_today())
    doc = render.document(checked.profile, checked.section_publications,
                          checked.publications, options)
    return doc.dumps() + "\n"


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = (dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
           if epoch and epoch.isdigit() else dt.date.today())
    return day.strftime("%B %-d, %Y")


# Characters pdflatex sets with T1 fonts and utf8 input: ASCII, Latin-1, Latin Extended-A and
# common typographic punctuation. Anything else needs a Unicode engine.
_PDFLATEX_EXTRA = set("–—‘’‚“”„†‡•…‰‹›€™\u00a0\u2009")


def pdflatex_can_set(char: str) -> bool:
    code = ord(char)
    return code < 0x180 or char in _PDFLATEX_EXTRA or 0x218 <= code <= 0x21B


def choose_engine(requested: str, source: str) -> tuple[tex.Engine, str | None]:
    """The engine and, when the text has Chinese, Japanese or Korean, a CJK font."""
    unsettable = sorted({c for c in source if not pdflatex_can_set(c)})
    cjk = any(_is_cjk(c) for c in unsettable)
    if requested == "auto":
        requested = "pdflatex"
        if unsettable:
            requested = next((e for e in ("xelatex", "lualatex") if tex.has_system_engine(e)), "")
            if not requested:
                shown = "".join(unsettable[:10])
                raise CvtexError(
                    f"the CV holds characters pdflatex cannot set ({shown}); they need xelatex "
                    f"(sudo apt-get install {tex.DEBIAN_PACKAGES['xelatex']})")
    elif requested == "pdflatex" and unsettable:
        shown = "".join(unsettable[:10])
        raise CvtexError(f"pdflatex cannot set these characters of the CV: {shown}; "
                         "use --engine xelatex (or engine: auto)")
    return tex.find_engine(requested), (find_cjk_font() if cjk else None)


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FFFF)


def find_cjk_font() -> str:
    """Noto Serif CJK when fontconfig knows it; TeX Live's Fandol otherwise."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        families = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                                  text=True, timeout=10).stdout
        for wanted in ("Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC"):
            if wanted in families:
                return wanted
    return "FandolSong-Regular.otf"


def default_build_dir(cv: Path) -> Path:
    """Per CV, in the user's cache folder: never clutters the CV's folder."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cvtex"
    digest = hashlib.sha256(str(cv.resolve()).encode()).hexdigest()[:16]
    return base / f"{cv.stem}-{digest}"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One build at a time per build folder; other builds of the same CV wait their turn."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(request: Request) -> Result:
    checked = check(request)
    profile = checked.profile
    theme = themes.find(profile.theme)
    assert isinstance(theme, themes.Theme)
    probe = latex_source(checked, "pdflatex")
    engine, cjk_font = choose_engine(profile.engine, probe)
    source = probe if engine.name == "pdflatex" and not cjk_font else latex_source(
        checked, engine.name, cjk_font)
    output = request.output or request.cv.with_suffix(".pdf")
    folder = request.build_dir or default_build_dir(request.cv)
    try:
        with _locked(folder):
            passes = _compile(folder, source, theme, engine)
            _publish(folder / "cv.pdf", output)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder} or to {output}: {exc.strerror}") from None
    return Result(output, engine, passes, checked.warnings)


def _compile(folder: Path, source: str, theme: themes.Theme, engine: tex.Engine) -> int:
    """Run TeX as often as cross-references need; not at all if nothing changed."""
    digest = hashlib.sha256()
    digest.update(source.encode())
    digest.update(str(engine.executable).encode())
    for f in sorted(theme.folder.iterdir()):
        digest.update(f.name.encode() + f.read_bytes())
    if "SOURCE_DATE_EPOCH" in os.environ:
        digest.update(os.environ["SOURCE_DATE_EPOCH"].encode())
    stamp, pdf = folder / "cv.hash", folder / "cv.pdf"
    if pdf.is_file() and stamp.is_file() and stamp.read_text() == digest.hexdigest():
        return 0
    themes.install(theme, folder)
    tex_file = folder / "cv.tex"
    tex_file.write_text(source, "utf-8")
    stamp.unlink(missing_ok=True)
    aux = folder / "cv.aux"
    passes = 0
    while passes < MAX_PASSES:
        before = aux.read_bytes() if aux.is_file() else b""
        with contextlib.suppress(FileNotFoundError):
            pdf.unlink()  # a stale PDF must not pass for this run's
        tex.run(engine, tex_file)
        passes += 1
        if aux.is_file() and aux.read_bytes() == before:
            break
    stamp.write_text(digest.hexdigest())
    return passes


def _publish(pdf: Path, output: Path) -> None:
    """Copy next to the target, then rename: the last good PDF is replaced whole or not at all."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        shutil.copyfile(pdf, partial)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)

