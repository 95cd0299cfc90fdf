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
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cvtex import compile as tex
from cvtex import themes
from cvtex.errors import CompileError, CvtexError, InputError, OutputError, Problem, Severity

if TYPE_CHECKING:
    from cvtex import model
    from cvtex.profile import LoadedProfile
    from cvtex.publication import Publication

# The heavy modules (pydantic models, bibtexparser, PyLaTeX) are imported inside `check` and
# `latex_source`: a build with nothing changed never needs them, and answers in a few
# hundredths of a second (see docs/performance.md).

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
    inputs: list[Path] = field(default_factory=list)  # cv.yaml and the BibTeX files read
    loaded: LoadedProfile | None = None


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
    from cvtex import model, names, rules, themes
    from cvtex.bib import read_bibliographies
    from cvtex.profile import load_profile

    try:
        loaded = load_profile(request.cv, display_name(request.cv))
    except RecursionError:
        raise InputError([Problem("the file nests lists or mappings too deeply to read",
                                  file=display_name(request.cv))]) from None
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
    return Checked(profile, pubs, section_pubs, problems,
                   [request.cv, *(p for p, _ in bib_paths)], loaded)


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
            problems.append(loaded.located.problem(where, f'the BibTeX file "{name}" does not '
                                                   f'exist (looked for {display_name(path)})'))
        else:
            paths.append((path, display_name(path)))
    if any(p.is_error for p in problems):
        raise InputError(problems)
    return paths


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


# ---- LaTeX and TeX -------------------------------------------------------------------------

END_OF_DUMP = r"\csname endofdump\endcsname"


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
    return day.strftime("%B %-d, %Y")


# Characters pdflatex sets with T1 fonts and utf8 input: ASCII, Latin-1, Latin Extended-A and
# common typographic punctuation. Anything else needs a Unicode engine.
_PDFLATEX_EXTRA = set("–—‘’‚“”„†‡•…‰‹›€™\u00a0\u2009")


def pdflatex_can_set(char: str) -> bool:
    code = ord(char)
    return code < 0x180 or char in _PDFLATEX_EXTRA or 0x218 <= code <= 0x21B


def _show(chars: list[str], limit: int = 10) -> str:
    shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in chars[:limit])
    return shown + (f" and {len(chars) - limit} more" if len(chars) > limit else "")


def choose_engine(requested: str, source: str
                  ) -> tuple[tex.Engine, str | None, str | None]:
    """The engine, a CJK font when the text has Chinese, Japanese or Korean, and a main font
    when the theme's cannot set the text (Greek, Cyrillic...) on a Unicode engine."""
    unsettable = sorted({c for c in source if not pdflatex_can_set(c)})
    cjk = [c for c in unsettable if _is_cjk(c)]
    other = [c for c in unsettable if not _is_cjk(c)]
    if requested == "auto":
        requested = "pdflatex"
        if unsettable:
            requested = next((e for e in ("xelatex", "lualatex") if tex.has_system_engine(e)), "")
            if not requested:
                raise CvtexError(
                    f"the CV holds characters pdflatex cannot set: {_show(unsettable)}. They "
                    "need xelatex (or lualatex), which is not installed; the TeX that comes with "
                    "cvtex has pdflatex only. On Debian or Ubuntu: sudo apt-get install "
                    f"{tex.DEBIAN_PACKAGES['xelatex']}")
    elif requested == "pdflatex" and unsettable:
        raise CvtexError(f"pdflatex cannot set these characters of the CV: {_show(unsettable)}; "
                         "use --engine xelatex (or engine: auto)")
    engine = tex.find_engine(requested)
    if engine.name == "pdflatex":
        return engine, None, None
    main_font = None
    if other:
        main_font, uncovered = find_main_font(other)
        if uncovered:
            raise CvtexError(f"no font on this machine can set {_show(uncovered)}; remove "
                             "these characters or install a font that has them (fonts-noto)")
    return engine, (find_cjk_font() if cjk else None), main_font


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FFFF)


def find_cjk_font() -> str:
    """Noto Serif CJK when fontconfig knows it; TeX Live's Fandol otherwise."""
    families = _font_families(":lang=zh") or set()
    for wanted in ("Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC"):
        if wanted in families:
            return wanted
    return "FandolSong-Regular.otf"


# Main fonts for a Unicode engine, best first: each covers Latin, Greek and Cyrillic.
_MAIN_FONTS = ("TeX Gyre Pagella", "DejaVu Serif", "Noto Serif", "FreeSerif",
               "Liberation Serif", "Noto Sans", "DejaVu Sans", "FreeSans")


def find_main_font(chars: list[str]) -> tuple[str | None, list[str]]:
    """A font that has every one of `chars`, and the characters no font on the machine has."""
    families = _font_families(_charset(chars))
    if families is None:  # no fontconfig: trust the usual font, TeX reports what it lacks
        return "DejaVu Serif", []
    for name in _MAIN_FONTS:
        if name in families:
            return name, []
    plain = sorted(f for f in families if "Mono" not in f and "CJK" not in f)
    if plain or families:
        return (plain or sorted(families))[0], []
    uncovered = [c for c in chars[:200] if not _font_families(_charset([c]))]
    covered = [c for c in chars if c not in uncovered]
    best = find_main_font(covered)[0] if covered else None
    return best, uncovered


def _charset(chars: list[str]) -> str:
    return ":charset=" + " ".join(f"{ord(c):x}" for c in chars)


def _font_families(pattern: str) -> set[str] | None:
    try:
        listed = subprocess.run(["fc-list", pattern, "family"], capture_output=True, text=True,
                                timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in listed.splitlines() for name in line.split(",")
            if name.strip()}


# ---- build folders -------------------------------------------------------------------------

def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cvtex"


def default_build_dir(cv: Path) -> Path:
    """Per CV, in the user's cache folder: never clutters the CV's folder."""
    digest = hashlib.sha256(str(cv.resolve()).encode()).hexdigest()[:16]
    return cache_root() / f"{cv.stem}-{digest}"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One build at a time per build folder; other builds of the same CV wait their turn."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        if os.name == "posix":
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@contextlib.contextmanager
def _build_folder(folder: Path) -> Iterator[tuple[Path, list[Problem]]]:
    """The build folder, locked; a fresh temporary one when it cannot be used (a file where
    the folder should be, no permission, a full disk): a cache never stops a build."""
    try:
        lock = _locked(folder)
        lock.__enter__()
    except OSError as exc:
        note = Problem(f"the build folder {folder} cannot be used ({exc.strerror or exc}); "
                       "built in a temporary folder instead", severity=Severity.WARNING)
        with tempfile.TemporaryDirectory(prefix="cvtex-") as temporary:
            yield Path(temporary), [note]
        return
    try:
        yield folder, []
    finally:
        lock.__exit__(None, None, None)


# ---- nothing changed? ----------------------------------------------------------------------

MANIFEST = "cv.manifest.json"
_code_digest: str | None = None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _code_hash() -> str:
    """cvtex's own code and themes: a new version never reuses an old build."""
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256()
        files = sorted(Path(__file__).parent.glob("*.py"))
        with contextlib.suppress(OSError):
            files += sorted(p for p in themes.templates_dir().rglob("*") if p.is_file())
        for f in files:
            with contextlib.suppress(OSError):
                digest.update(f.name.encode() + f.read_bytes())
        _code_digest = digest.hexdigest()
    return _code_digest


def _request_key(request: Request) -> str:
    key = {
        "cv": str(request.cv.resolve()), "bib": [str(p.resolve()) for p in request.bib],
        "theme": request.theme, "engine": request.engine, "paper": request.paper,
        "cwd": os.getcwd(), "today": _today(), "code": _code_hash(), "python": sys.version,
        "env": {k: os.environ.get(k) for k in ("SOURCE_DATE_EPOCH", "CVTEX_NO_SYSTEM_TEX",
                                               "PATH", "TEXINPUTS", "TEXMFHOME")},
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def _unchanged(folder: Path, request: Request) -> tuple[tex.Engine, list[Problem]] | None:
    """The last build's engine and warnings when it was made from exactly these inputs."""
    try:
        saved = json.loads((folder / MANIFEST).read_text("utf-8"))
        if saved["request"] != _request_key(request) or saved["pdf"] != _sha256(
                folder / "cv.pdf"):
            return None
        for name, digest in saved["inputs"].items():
            if _sha256(Path(name)) != digest:
                return None
        engine = tex.Engine(saved["engine"]["name"], Path(saved["engine"]["executable"]),
                            bool(saved["engine"]["embedded"]))
        if not engine.executable.is_file():
            return None
        warnings = [Problem(**{**w, "severity": Severity(w["severity"])})
                    for w in saved["warnings"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return engine, warnings


def _save_manifest(folder: Path, request: Request, checked: Checked,
                   engine: tex.Engine) -> None:
    with contextlib.suppress(OSError, ValueError):
        manifest = {
            "request": _request_key(request),
            "inputs": {str(p.resolve()): _sha256(p) for p in checked.inputs},
            "pdf": _sha256(folder / "cv.pdf"),
            "engine": {"name": engine.name, "executable": str(engine.executable),
                       "embedded": engine.embedded},
            "warnings": [{**dataclasses.asdict(w), "severity": w.severity.value}
                         for w in checked.warnings],
        }
        partial = folder / f"{MANIFEST}.{os.getpid()}"
        partial.write_text(json.dumps(manifest), "utf-8")
        os.replace(partial, folder / MANIFEST)


# ---- the build -----------------------------------------------------------------------------

def build(request: Request) -> Result:
    output = request.output or request.cv.with_suffix(".pdf")
    _check_output(output)
    folder = request.build_dir or default_build_dir(request.cv)
    with _build_folder(folder) as (where, notes):
        if (same := _unchanged(where, request)) is not None:
            _publish(where / "cv.pdf", output)
            return Result(output, same[0], 0, notes + same[1])
        with contextlib.suppress(OSError):
            (where / MANIFEST).unlink(missing_ok=True)
        checked = check(request)
        engine, source = _source_for(checked)
        theme = themes.find(checked.profile.theme)
        assert isinstance(theme, themes.Theme)
        try:
            passes = _compile(where, source, theme, engine)
        except CompileError as exc:
            raise CompileError(f"{exc}{_traced(where, checked)}") from None
        except OSError as exc:
            raise OutputError(f"cannot write in the build folder {where}: "
                              f"{exc.strerror or exc}") from None
        _publish(where / "cv.pdf", output)
        _save_manifest(where, request, checked, engine)
    return Result(output, engine, passes, notes + checked.warnings)


def _source_for(checked: Checked) -> tuple[tex.Engine, str]:
    probe = latex_source(checked, "pdflatex")
    engine, cjk_font, main_font = choose_engine(checked.profile.engine, probe)
    if engine.name == "pdflatex":
        return engine, probe
    return engine, latex_source(checked, engine.name, cjk_font, main_font)


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


def _state(folder: Path) -> bytes:
    """What the next pass reads back: labels (.aux) and bookmarks (.out)."""
    return b"".join((folder / n).read_bytes() if (folder / n).is_file() else b"-"
                    for n in ("cv.aux", "cv.out"))


def _compile(folder: Path, source: str, theme: themes.Theme, engine: tex.Engine) -> int:
    """Run TeX as often as cross-references need; not at all if nothing changed."""
    digest = hashlib.sha256()
    digest.update(source.encode())
    digest.update(str(engine.executable).encode())
    theme_bytes = b"".join(f.name.encode() + f.read_bytes()
                           for f in sorted(theme.folder.iterdir()) if f.is_file())
    digest.update(theme_bytes)
    if "SOURCE_DATE_EPOCH" in os.environ:
        digest.update(os.environ["SOURCE_DATE_EPOCH"].encode())
    stamp, pdf = folder / "cv.hash", folder / "cv.pdf"
    with contextlib.suppress(OSError):
        if pdf.is_file() and stamp.read_text() == digest.hexdigest():
            return 0
    stamp.unlink(missing_ok=True)
    themes.install(theme, folder)
    tex_file = folder / "cv.tex"
    tex_file.write_text(source, "utf-8")

    dump = _Format(folder, source, theme_bytes, engine)
    if not (folder / "cv.aux").is_file():
        _seed_aux(folder)
    passes = 0
    reused = dump.ready or (folder / "cv.aux").is_file()
    try:
        while passes < MAX_PASSES:
            before = _state(folder)
            pdf.unlink(missing_ok=True)  # a stale PDF must not pass for this run's
            try:
                log = tex.run(engine, tex_file, fmt=dump.name())
            except CompileError:
                if passes or not reused:
                    raise
                # Perhaps the cached state (format, labels) is stale or damaged: once more
                # from scratch, and only then is the error the text's.
                reused = False
                dump.discard()
                for name in ("cv.aux", "cv.out"):
                    (folder / name).unlink(missing_ok=True)
                before = _state(folder)
                log = tex.run(engine, tex_file)
            passes += 1
            if missing := tex.missing_characters(log):
                raise CompileError(
                    "no font of this theme has " + _show(sorted(missing)) + f" (font: "
                    f"{next(iter(missing.values()))}); TeX would drop "
                    f"{'it' if len(missing) == 1 else 'them'}. Remove "
                    f"{'it' if len(missing) == 1 else 'them'} or use a font that has "
                    f"{'it' if len(missing) == 1 else 'them'}.\nFull log: {folder / 'cv.log'}")
            if _state(folder) == before:
                break
    finally:
        dump.finish()
    stamp.write_text(digest.hexdigest())
    return passes


def _seed_aux(folder: Path) -> None:
    """A new build folder for a CV built before: start from that build's labels, so the page
    total is known in the first pass (the pass still checks it)."""
    with contextlib.suppress(OSError):
        for other in cache_root().iterdir():
            if other != folder and (other / "cv.tex").is_file() and (other / "cv.aux").is_file():
                mine = (folder / "cv.tex").read_text("utf-8").partition(r"\begin{document}")[2]
                theirs = (other / "cv.tex").read_text("utf-8").partition(r"\begin{document}")[2]
                if mine == theirs:
                    shutil.copyfile(other / "cv.aux", folder / "cv.aux")
                    return


class _Format:
    """The preamble dumped into a format (pdflatex with mylatexformat): a pass then skips
    loading the preamble. Kept in the build folder, keyed by the preamble and theme; dumped
    beside the first pass (in a thread) when missing; never needed for a correct build."""

    def __init__(self, folder: Path, source: str, theme_bytes: bytes, engine: tex.Engine):
        self.folder = folder
        self.fmt = folder / f"{tex.FORMAT_NAME}.fmt"
        self.keyfile = folder / f"{tex.FORMAT_NAME}.key"
        preamble, found, _ = source.partition(END_OF_DUMP)
        key = hashlib.sha256(preamble.encode() + theme_bytes + str(engine.executable).encode())
        self.key = key.hexdigest()
        self.ready = False
        self.thread: threading.Thread | None = None
        if engine.name != "pdflatex" or not found or os.environ.get("CVTEX_NO_FORMAT") == "1":
            return
        with contextlib.suppress(OSError):
            saved = self.keyfile.read_text()
            if saved == f"none {self.key}":
                return  # this TeX cannot dump it: do not try again
            self.ready = saved == self.key and self.fmt.is_file()
        if not self.ready:
            self.keyfile.unlink(missing_ok=True)
            self.fmt.unlink(missing_ok=True)
            self.thread = threading.Thread(target=self._dump, args=(engine, folder / "cv.tex"),
                                           daemon=True)
            self.thread.start()

    def _dump(self, engine: tex.Engine, tex_file: Path) -> None:
        with contextlib.suppress(OSError):
            made = tex.dump_format(engine, tex_file)
            self.keyfile.write_text(self.key if made else f"none {self.key}")

    def name(self) -> str | None:
        if self.thread is not None and not self.thread.is_alive():
            self.thread = None
            self.ready = self.fmt.is_file() and self.keyfile.is_file()
        return tex.FORMAT_NAME if self.ready else None

    def discard(self) -> None:
        self.finish()
        self.ready = False
        for f in (self.fmt, self.keyfile):
            f.unlink(missing_ok=True)

    def finish(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None


def _traced(folder: Path, checked: Checked) -> str:
    """Where in cv.yaml or the BibTeX files the failing .tex line came from, when it is found."""
    with contextlib.suppress(Exception):  # a best effort on top of TeX's own message
        log = (folder / "cv.log").read_text("utf-8", errors="replace")
        number = tex.error_line(log)
        if number is None:
            return ""
        lines = (folder / "cv.tex").read_text("utf-8").splitlines()
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
