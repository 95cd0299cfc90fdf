"""`cvtex build --watch`: rebuild whenever the CV or one of its BibTeX files changes.

The folders holding the files are watched, not the files themselves: editors often save by
writing a new file and renaming it over the old one, which a watch on the file would lose.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import click
import watchfiles

from cvtex import yamlfile
from cvtex.errors import CvtexError

if TYPE_CHECKING:
    from cvtex.build import Request

DEBOUNCE_MS = 200  # changes this close together (an editor's save) make one rebuild


class StopEvent(Protocol):
    def is_set(self) -> bool: ...


def watched_files(request: Request, before: frozenset[Path] = frozenset()) -> frozenset[Path]:
    """The CV and its BibTeX files: --bib's, or those cv.yaml names. While cv.yaml does not
    parse, the files watched `before` stay watched."""
    files = {request.cv}
    if request.bib:
        files.update(request.bib)
    else:
        try:
            data = yamlfile.load(request.cv).data
        except CvtexError:
            return before | {request.cv.resolve()}
        names = data.get("bibliography") if isinstance(data, dict) else None
        if isinstance(names, str):
            names = [names]
        if isinstance(names, list):
            files.update(request.cv.parent / n for n in names if isinstance(n, str) and n)
    return frozenset(p.resolve() for p in files)


def watch_and_build(request: Request, build_once: Callable[[Request], int], *,
                    stop_event: StopEvent | None = None,
                    echo: Callable[[str], None] = click.echo) -> int:
    """Build once, then again after every change, until Ctrl-C (or `stop_event`).

    `build_once` builds and reports and returns its exit code; a failed build (bad input,
    a TeX error) is reported and the watch goes on. Returns 0.
    """
    try:
        build_once(request)
        targets = watched_files(request)
        echo(f"watching {', '.join(sorted(_shown(p) for p in targets))} (Ctrl-C to stop)")
        while True:
            folders = sorted({p.parent for p in targets if p.parent.is_dir()})
            if not folders:
                echo(f"cvtex: cannot watch {_shown(request.cv)}: its folder does not exist")
                return 1

            def wanted(_change: watchfiles.Change, path: str, targets: frozenset[Path] = targets
                       ) -> bool:
                return Path(path).resolve() in targets

            restart = False
            for changes in watchfiles.watch(*folders, watch_filter=wanted, debounce=DEBOUNCE_MS,
                                            stop_event=stop_event, raise_interrupt=True,
                                            recursive=False):
                names = ", ".join(sorted({Path(p).name for _, p in changes}))
                code = build_once(request)
                outcome = "rebuilt" if code == 0 else f"build failed (exit {code}), still watching"
                echo(f"[{time.strftime('%H:%M:%S')}] {names} changed: {outcome}")
                new_targets = watched_files(request, targets)
                if new_targets != targets:  # bibliography: now names other files
                    targets, restart = new_targets, True
                    echo(f"watching {', '.join(sorted(_shown(p) for p in targets))}")
                    break
            if not restart:
                break  # stop_event
    except KeyboardInterrupt:  # Ctrl-C, while waiting or during a build
        pass
    echo("stopped watching")
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
