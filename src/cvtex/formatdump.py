"""The preamble dumped into a format (pdflatex with mylatexformat), made off the build's path.

A pass on the format skips reading the preamble (about 0.1 s of a 0.25 s pass). The format is
keyed by the preamble, the theme files and the engine: `cvfmt-<key>.fmt` in the build folder.
When it is missing, a detached process dumps it from a copy of the .tex while the build goes
on without it, so no build ever waits for a dump; a later build finds it ready. A format is
never needed for a correct build.

Run as `python -m cvtex.formatdump ENGINE EXECUTABLE WORKDIR TARGET` (by `start_dump` only).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cvtex import compile as tex

PREFIX = "cvfmt-"
# Where the part of the preamble that goes into the format ends.
END_OF_DUMP = r"\csname endofdump\endcsname"
# A dump still running after this long was killed: another may start.
PENDING_SECONDS = 2 * tex.TIME_LIMIT_SECONDS


class PreambleFormat:
    def __init__(self, folder: Path, source: str, theme_bytes: bytes, engine: tex.Engine):
        preamble, found, _ = source.partition(END_OF_DUMP)
        key = hashlib.sha256(preamble.encode() + theme_bytes + str(engine.executable).encode())
        self.folder = folder
        self.engine = engine
        self.name = PREFIX + key.hexdigest()[:20]
        self.fmt = folder / f"{self.name}.fmt"
        # XeTeX and LuaTeX cannot keep their OpenType fonts in a format. A pass on a format
        # numbers its fonts differently (same page, other bytes): a reproducible build
        # (SOURCE_DATE_EPOCH) never uses one, so its PDF never depends on the cache.
        self.usable = (engine.name == "pdflatex" and bool(found)
                       and os.environ.get("CVTEX_NO_FORMAT") != "1"
                       and "SOURCE_DATE_EPOCH" not in os.environ)

    def ready(self) -> bool:
        return self.usable and self.fmt.is_file()

    def start_dump(self, tex_file: Path) -> None:
        """Dump the format in a detached process, unless it is there, being made, or this
        TeX cannot make it (no mylatexformat, as in the embedded TeX)."""
        if not self.usable or self.fmt.is_file() or self.fmt.with_suffix(".none").is_file():
            return
        pending = self.fmt.with_suffix(".pending")
        with contextlib.suppress(OSError):
            if time.time() - pending.stat().st_mtime < PENDING_SECONDS:
                return
        try:
            work = Path(tempfile.mkdtemp(prefix=".cvfmt-", dir=self.folder))
            # A copy: the next build may rewrite the .tex while this one is dumped.
            for source in (tex_file, *self.folder.glob("*.sty")):
                shutil.copyfile(source, work / source.name)
            pending.write_text(str(os.getpid()))
            subprocess.Popen(
                [sys.executable, "-m", "cvtex.formatdump", self.engine.name,
                 str(self.engine.executable), str(work), str(self.fmt)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True, close_fds=True)
        except OSError:
            pending.unlink(missing_ok=True)

    def discard(self) -> None:
        """A pass failed on this format: remove it (the next build dumps a fresh one)."""
        self.fmt.unlink(missing_ok=True)


def dump(engine: tex.Engine, work: Path, target: Path) -> None:
    """Dump the preamble of work/cvtex.tex and move the format to `target` in one step; keep
    only that format in its folder; remember when this TeX cannot make one."""
    try:
        made = tex.dump_format(engine, work / f"{tex.JOB}.tex")
        if made is not None:
            os.replace(made, target)
            # Older keys, and the plain cvfmt.fmt of earlier cvtex versions.
            for old in target.parent.glob("cvfmt*.fmt"):
                if old != target:
                    old.unlink(missing_ok=True)
        elif target.parent.is_dir():
            target.with_suffix(".none").write_text("this TeX cannot dump the preamble\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        target.with_suffix(".pending").unlink(missing_ok=True)


if __name__ == "__main__":
    name, executable, work_dir, target_fmt = sys.argv[1:5]
    with contextlib.suppress(OSError):
        dump(tex.Engine(name, Path(executable), False), Path(work_dir), Path(target_fmt))
