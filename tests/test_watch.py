"""`cvtex build --watch`: a change to the CV or a BibTeX file rebuilds; errors do not end the
watch; Ctrl-C ends it cleanly. Every wait here is bounded."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cvtex import starter
from cvtex.build import Request
from cvtex.watch import watch_and_build, watched_files

TIMEOUT = 20.0


def test_watched_files_are_the_cv_and_its_bibliography(tmp_path: Path) -> None:
    cv = tmp_path / "cv.yaml"
    cv.write_text("name: A\nbibliography: [a.bib, sub/b.bib]\n")
    assert watched_files(Request(cv=cv)) == {
        cv.resolve(), (tmp_path / "a.bib").resolve(), (tmp_path / "sub" / "b.bib").resolve()}
    cv.write_text("name: A\nbibliography: a.bib\n")
    assert watched_files(Request(cv=cv)) == {cv.resolve(), (tmp_path / "a.bib").resolve()}
    # --bib replaces the CV's own list
    other = tmp_path / "other.bib"
    assert watched_files(Request(cv=cv, bib=(other,))) == {cv.resolve(), other.resolve()}


def test_a_cv_that_does_not_parse_keeps_the_files_watched(tmp_path: Path) -> None:
    cv = tmp_path / "cv.yaml"
    cv.write_text("name: [unclosed\n")
    before = frozenset({cv.resolve(), (tmp_path / "a.bib").resolve()})
    assert watched_files(Request(cv=cv), before) == before
    assert watched_files(Request(cv=cv)) == {cv.resolve()}


class Watcher:
    """watch_and_build in a thread, with a fake build that returns the codes given."""

    def __init__(self, request: Request, codes: list[int]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.builds = 0
        self.codes = codes
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(request,), daemon=True)

    def _build(self, _request: Request) -> int:
        self.builds += 1
        return self.codes[min(self.builds, len(self.codes)) - 1]

    def _run(self, request: Request) -> None:
        watch_and_build(request, self._build, stop_event=self.stop, echo=self.lines.put)

    def wait_for(self, text: str, poke: Callable[[], None] | None = None) -> str:
        """The next line holding `text`; `poke` is repeated until it comes (the watch may not
        be listening yet when the first change is made)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if poke:
                poke()
            try:
                line = self.lines.get(timeout=1.0)
            except queue.Empty:
                continue
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {TIMEOUT} s")


@pytest.fixture
def cv_folder(tmp_path: Path) -> Path:
    starter.write_starter(tmp_path)
    return tmp_path


@pytest.fixture
def watcher_factory() -> Iterator[Callable[[Request, list[int]], Watcher]]:
    started: list[Watcher] = []

    def start(request: Request, codes: list[int]) -> Watcher:
        w = Watcher(request, codes)
        started.append(w)
        w.thread.start()
        w.wait_for("watching")
        return w

    yield start
    for w in started:
        w.stop.set()
        w.thread.join(TIMEOUT)
        assert not w.thread.is_alive(), "the watch did not stop"


def _appender(path: Path, text: str) -> Callable[[], None]:
    def poke() -> None:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    return poke


def test_changes_to_cv_and_bib_rebuild(cv_folder: Path, watcher_factory: Callable) -> None:
    w = watcher_factory(Request(cv=cv_folder / "cv.yaml"), [0])
    assert w.builds == 1  # the first build, before watching
    line = w.wait_for("changed", _appender(cv_folder / "cv.yaml", "# edit\n"))
    assert "cv.yaml changed: rebuilt" in line
    line = w.wait_for("changed", _appender(cv_folder / "publications.bib", "% edit\n"))
    assert "publications.bib changed: rebuilt" in line


def test_other_files_do_not_rebuild(cv_folder: Path, watcher_factory: Callable) -> None:
    w = watcher_factory(Request(cv=cv_folder / "cv.yaml"), [0])
    time.sleep(0.5)
    for name in ("cv.pdf", "notes.txt"):
        (cv_folder / name).write_text("x")
    time.sleep(1.0)
    assert w.builds == 1 and w.lines.empty()


def test_a_failed_build_does_not_end_the_watch(cv_folder: Path, watcher_factory: Callable
                                               ) -> None:
    w = watcher_factory(Request(cv=cv_folder / "cv.yaml"), [0, 2, 0])
    poke = _appender(cv_folder / "cv.yaml", "# edit\n")
    assert "build failed (exit 2), still watching" in w.wait_for("changed", poke)
    assert "rebuilt" in w.wait_for("changed", poke)


@pytest.mark.tex
def test_cli_watch_rebuilds_and_ends_on_ctrl_c(cv_folder: Path) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "cvtex", "build", "cv.yaml", "--build-dir", "build", "--watch"],
        cwd=cv_folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in process.stdout], daemon=True)
    reader.start()
    seen: list[str] = []

    def wait_for(text: str, poke: Callable[[], None] | None = None) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if poke:
                poke()
            try:
                seen.append(lines.get(timeout=1.5))
            except queue.Empty:
                continue
            if text in seen[-1]:
                return
        raise AssertionError(f"no {text!r} in {seen}")

    try:
        wait_for("watching")
        cv = cv_folder / "cv.yaml"
        original = cv.read_text("utf-8")
        renamed = original.replace("name: Ada Lovelace", "name: Ada King")
        wait_for("cv.yaml changed: rebuilt", lambda: cv.write_text(renamed, "utf-8"))
        assert (cv_folder / "cv.pdf").is_file()
        # a broken CV is reported, and the watch goes on
        wait_for("build failed", lambda: cv.write_text("name: [oops\n", "utf-8"))
        wait_for("rebuilt", lambda: cv.write_text(original, "utf-8"))
        process.send_signal(signal.SIGINT)
        assert process.wait(TIMEOUT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(TIMEOUT)
    reader.join(TIMEOUT)
    while not lines.empty():
        seen.append(lines.get())
    output = "".join(seen)
    assert "stopped watching" in output and "Traceback" not in output
