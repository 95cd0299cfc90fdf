"""The build folder: where it is, one build at a time in it, and whether it already holds
the PDF of exactly these inputs (the manifest)."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cvtex import compile as tex
from cvtex.errors import OutputError, Problem, Severity


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
def build_folder(folder: Path, chosen: bool = False) -> Iterator[tuple[Path, list[Problem]]]:
    """The build folder, locked. When the cache folder cannot be used (a file where the folder
    should be, no permission, a full disk) a fresh temporary one serves: a cache never stops a
    build. A folder the user `chosen` (--build-dir) is where they want the files: an error."""
    try:
        lock = _locked(folder)
        lock.__enter__()
    except OSError as exc:
        if chosen:
            raise OutputError(f"cannot use the build folder {folder}: "
                              f"{exc.strerror or exc}") from None
        note = Problem(f"the build folder {folder} cannot be used ({exc.strerror or exc}); "
                       "built in a temporary folder instead", severity=Severity.WARNING)
        with tempfile.TemporaryDirectory(prefix="cvtex-") as temporary:
            yield Path(temporary), [note]
        return
    try:
        yield folder, []
    finally:
        lock.__exit__(None, None, None)


MANIFEST = "cvtex.manifest.json"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unchanged(folder: Path, request_key: str) -> tuple[tex.Engine, list[Problem]] | None:
    """The last build's engine and warnings when it was made from exactly these inputs."""
    try:
        saved = json.loads((folder / MANIFEST).read_text("utf-8"))
        if saved["request"] != request_key or saved["pdf"] != sha256(
                tex.job_file(folder, ".pdf")):
            return None
        for name, digest in saved["inputs"].items():
            if sha256(Path(name)) != digest:
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


def digests(paths: list[Path]) -> dict[str, str]:
    """The SHA-256 of each input file, keyed by its resolved path."""
    return {str(p.resolve()): sha256(p) for p in paths}


def save_manifest(folder: Path, request_key: str, inputs: dict[str, str], engine: tex.Engine,
                  warnings: list[Problem]) -> None:
    with contextlib.suppress(OSError, ValueError):
        manifest = {
            "request": request_key,
            "inputs": inputs,
            "pdf": sha256(tex.job_file(folder, ".pdf")),
            "engine": {"name": engine.name, "executable": str(engine.executable),
                       "embedded": engine.embedded},
            "warnings": [{**dataclasses.asdict(w), "severity": w.severity.value}
                         for w in warnings],
        }
        partial = folder / f"{MANIFEST}.{os.getpid()}"
        partial.write_text(json.dumps(manifest), "utf-8")
        os.replace(partial, folder / MANIFEST)
