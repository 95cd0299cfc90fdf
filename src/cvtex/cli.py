"""The command line: parses options, calls the library, maps errors to exit codes."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import click

from cvtex import __version__, themes
from cvtex.build import Request, build, check
from cvtex.errors import CvtexError, Problem

ENGINE_CHOICE = click.Choice(["auto", "pdflatex", "xelatex", "lualatex"])


def _report(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(str(p), err=True)


def _fail(exc: CvtexError, debug: bool) -> None:
    _report(exc.problems)
    if not exc.problems:
        click.echo(f"cvtex: {exc}", err=True)
    if debug:
        raise exc
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cvtex")
def main() -> None:
    """Typeset a CV kept as data (cv.yaml + BibTeX) into a PDF through LaTeX."""


@main.command("build")
@click.argument("cv", type=click.Path(path_type=Path), default="cv.yaml")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the PDF (default: next to CV, same name).")
@click.option("--bib", multiple=True, type=click.Path(path_type=Path),
              help="BibTeX file; repeat for several. Replaces bibliography: in the CV.")
@click.option("--theme", help="Theme name (see `cvtex themes`).")
@click.option("--engine", type=ENGINE_CHOICE, help="TeX engine (default: auto).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), help="Paper size.")
@click.option("--build-dir", type=click.Path(path_type=Path),
              help="Keep the .tex, theme files and log here (default: the user's cache).")
@click.option("--watch", is_flag=True, help="Rebuild whenever the CV or a BibTeX file changes.")
@click.option("--debug", is_flag=True, help="Show Python tracebacks.")
def build_command(cv: Path, output: Path | None, bib: tuple[Path, ...], theme: str | None,
                  engine: str | None, paper: str | None, build_dir: Path | None, watch: bool,
                  debug: bool) -> None:
    """Build the PDF of CV (default: cv.yaml)."""
    request = Request(cv=cv, output=output, bib=bib, theme=theme, engine=engine, paper=paper,
                      build_dir=build_dir)
    if watch:
        from cvtex.watch import watch_and_build

        sys.exit(watch_and_build(request, lambda r: build_once(r, debug)))
    sys.exit(build_once(request, debug))


def build_once(request: Request, debug: bool = False) -> int:
    """Build and report; return the exit code (0 built, 1 TeX or engine, 2 bad input)."""
    started = time.perf_counter()
    try:
        result = build(request)
    except CvtexError as exc:
        _report(exc.problems)
        if not exc.problems:
            click.echo(f"cvtex: {exc}", err=True)
        if debug:
            raise
        return exc.exit_code
    except Exception as exc:  # a bug in cvtex, not in the CV: one line, the traceback on demand
        if debug:
            raise
        _internal_error(exc)
        return 1
    _report(result.warnings)
    where = "embedded TeX" if result.engine.embedded else "TeX Live"
    runs = "up to date, TeX not run" if result.passes == 0 else (
        f"{result.passes} pass{'es' if result.passes > 1 else ''}")
    click.echo(f"wrote {result.pdf} ({result.engine.name} from {where}; {runs}; "
               f"{time.perf_counter() - started:.2f} s)")
    return 0


def _internal_error(exc: Exception) -> None:
    click.echo(f"cvtex: internal error ({type(exc).__name__}: {exc}); this is a bug in cvtex, "
               "run again with --debug and report the traceback", err=True)


@main.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
def init_command(folder: Path) -> None:
    """Write a starter cv.yaml and publications.bib into FOLDER (default: here)."""
    from cvtex.starter import write_starter

    try:
        written = write_starter(folder)
    except CvtexError as exc:
        click.echo(f"cvtex: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:
        click.echo(f"cvtex: cannot write in {folder}: {exc.strerror}", err=True)
        sys.exit(1)
    click.echo("wrote " + " and ".join(str(p) for p in written))
    cv = written[0]
    click.echo(f"next: edit {cv}, then run: cvtex build {shlex.quote(str(cv))}")


@main.command("validate")
@click.argument("cv", type=click.Path(path_type=Path), default="cv.yaml")
@click.option("--bib", multiple=True, type=click.Path(path_type=Path))
@click.option("--debug", is_flag=True, help="Show Python tracebacks.")
def validate_command(cv: Path, bib: tuple[Path, ...], debug: bool) -> None:
    """Check CV and its BibTeX files without building; exit 2 when something is wrong."""
    try:
        checked = check(Request(cv=cv, bib=bib))
    except CvtexError as exc:
        _fail(exc, debug)
        return
    except Exception as exc:  # a bug in cvtex, not in the CV: one line, the traceback on demand
        if debug:
            raise
        _internal_error(exc)
        sys.exit(1)
    _report(checked.warnings)
    n_sections = len(checked.profile.sections)
    n_warn = len(checked.warnings)
    click.echo(f"ok: {cv}: {n_sections} sections, {len(checked.publications)} publications, "
               f"{n_warn} warning{'s' if n_warn != 1 else ''}")


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of cv.yaml (for editor completion and checks)."""
    from cvtex.model import Profile

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Profile.model_json_schema(mode="validation"),
        "title": "cvtex cv.yaml",
    }
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))


@main.command("themes")
def themes_command() -> None:
    """List the themes: a name and a description per line."""
    for theme in themes.available():
        click.echo(f"{theme.name:<10} {theme.description}")


@main.group("server")
def server_group() -> None:
    """The build server that spares one-shot builds Python's start-up (docs/performance.md)."""


@server_group.command("status")
def server_status_command() -> None:
    """Say whether a build server is up for this cvtex, and where."""
    import os

    from cvtex.client import socket_path, wanted

    path = socket_path(os.environ)
    state = "up" if path.exists() else "not running (the next build starts one)"
    if not wanted(["build"], os.environ):
        state = "off here (CVTEX_SERVER=0, CI set, or no UNIX sockets)"
    click.echo(f"build server: {state}\nsocket: {path}")


@server_group.command("stop")
def server_stop_command() -> None:
    """Stop every build server of this user (each leaves within a second)."""
    import os

    from cvtex.client import server_dir

    stopped = 0
    for sock in server_dir(os.environ).glob("*.sock"):
        sock.unlink(missing_ok=True)
        stopped += 1
    click.echo(f"stopped {stopped} build server{'s' if stopped != 1 else ''}")
