"""Run TeX as often as the document's cross-references need, on a dumped preamble when the
engine can dump one; not at all when the LaTeX has not changed since the last run."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from pathlib import Path

from cvtex import compile as tex
from cvtex import themes
from cvtex.engine_choice import describe_chars
from cvtex.errors import CompileError

# One pass, then as many as LaTeX asks for. The themes print nothing that needs one: the page
# total comes from cvpages.sty in the same pass.
MAX_PASSES = 3
# Where the part of the preamble that goes into the dumped format ends.
END_OF_DUMP = r"\csname endofdump\endcsname"


def run_passes(folder: Path, source: str, theme: themes.Theme, engine: tex.Engine) -> int:
    """Run TeX as often as cross-references need; not at all if nothing changed."""
    digest = hashlib.sha256()
    digest.update(source.encode())
    digest.update(str(engine.executable).encode())
    theme_bytes = b"".join(f.name.encode() + f.read_bytes() for f in themes.files(theme))
    digest.update(theme_bytes)
    if "SOURCE_DATE_EPOCH" in os.environ:
        digest.update(os.environ["SOURCE_DATE_EPOCH"].encode())
    stamp, pdf = tex.job_file(folder, ".hash"), tex.job_file(folder, ".pdf")
    with contextlib.suppress(OSError):
        if pdf.is_file() and stamp.read_text() == digest.hexdigest():
            return 0
    stamp.unlink(missing_ok=True)
    themes.install(theme, folder)
    tex_file = tex.job_file(folder, ".tex")
    tex_file.write_text(source, "utf-8")

    dump = _Format(folder, source, theme_bytes, engine)
    passes = 0
    reused = dump.ready or tex.job_file(folder, ".aux").is_file()
    try:
        while True:
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
                for name in (f"{tex.JOB}.aux", f"{tex.JOB}.out"):
                    (folder / name).unlink(missing_ok=True)
                log = tex.run(engine, tex_file)
            passes += 1
            if missing := tex.missing_characters(log):
                them = "it" if len(missing) == 1 else "them"
                raise CompileError(
                    f"no font of this theme has {describe_chars(sorted(missing))} (font: "
                    f"{next(iter(missing.values()))}); TeX would drop {them}. Remove {them} "
                    f"or use a font that has {them}.\nFull log: {tex.job_file(folder, '.log')}")
            if not tex.asks_rerun(log) or passes == MAX_PASSES:
                break
    finally:
        dump.finish()
    stamp.write_text(digest.hexdigest())
    return passes


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
            self.thread = threading.Thread(target=self._dump,
                                           args=(engine, tex.job_file(folder, ".tex")),
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
