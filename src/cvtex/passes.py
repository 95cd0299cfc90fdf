"""Run TeX as often as the document's cross-references need, on a dumped preamble when the
engine can dump one; not at all when the LaTeX has not changed since the last run."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from cvtex import compile as tex
from cvtex import themes
from cvtex.engine_choice import describe_chars
from cvtex.errors import CompileError
from cvtex.formatdump import PreambleFormat

# One pass, then as many as LaTeX asks for. The themes print nothing that needs one: the page
# total comes from cvpages.sty in the same pass.
MAX_PASSES = 3


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

    fmt = PreambleFormat(folder, source, theme_bytes, engine)
    use_fmt = fmt.ready()
    fmt.start_dump(tex_file)  # when missing: made beside this build, for the next one
    passes = 0
    reused = use_fmt or tex.job_file(folder, ".aux").is_file()
    while True:
        pdf.unlink(missing_ok=True)  # a stale PDF must not pass for this run's
        try:
            log = tex.run(engine, tex_file, fmt=fmt.name if use_fmt else None)
        except CompileError:
            if passes or not reused:
                raise
            # Perhaps the cached state (format, labels) is stale or damaged: once more
            # from scratch, and only then is the error the text's.
            reused = False
            fmt.discard()
            use_fmt = False
            tex.job_file(folder, ".aux").unlink(missing_ok=True)
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
    stamp.write_text(digest.hexdigest())
    return passes
