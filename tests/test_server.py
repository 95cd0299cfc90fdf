"""The build server and the command's front door: a one-shot `cvtex build` goes through a
resident server when one is up, with the same output, files and exit codes as in-process."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cvtex import client
from tests.conftest import ROOT


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The server on, in a runtime folder of the test's own; stopped afterwards."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    environ = {**os.environ, "CVTEX_SERVER": "1", "XDG_RUNTIME_DIR": str(run),
               "XDG_CACHE_HOME": str(tmp_path / "cache")}
    environ.pop("CI", None)
    yield environ
    subprocess.run([sys.executable, "-m", "cvtex", "server", "stop"], env=environ,
                   capture_output=True, check=False)


def cvtex(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cvtex", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _socket(env: dict[str, str]) -> Path:
    """The socket `python -m cvtex` uses: its key covers the module path, which differs in
    this test process (pytest adds to it)."""
    out = subprocess.run([sys.executable, "-c", "import os; from cvtex.client import "
                          "socket_path; print(socket_path(os.environ))"], env=env,
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def _server_up(env: dict[str, str]) -> Path:
    """The socket, once the server the first build started accepts builds."""
    sock = _socket(env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if sock.exists():
            return sock
        time.sleep(0.05)
    raise AssertionError(f"no build server came up; log: {sock.with_suffix('.log')}")


def _builds_served(sock: Path) -> int:
    return sock.with_suffix(".log").read_text().count("build served")


def test_wanted_only_for_one_shot_builds() -> None:
    on = {"CVTEX_SERVER": "1"}
    assert client.wanted(["build", "cv.yaml"], on)
    assert client.wanted(["build"], {})
    assert not client.wanted(["build", "--watch"], on)
    assert not client.wanted(["build", "--debug"], on)
    assert not client.wanted(["build", "--help"], on)
    assert not client.wanted(["validate", "cv.yaml"], on)
    assert not client.wanted([], on)
    assert not client.wanted(["build"], {"CVTEX_SERVER": "0"})
    assert not client.wanted(["build"], {"CI": "true"})
    assert client.wanted(["build"], {"CI": "true", "CVTEX_SERVER": "1"})


def test_socket_is_per_code_not_per_folder(tmp_path: Path, env: dict[str, str]) -> None:
    """Under `python -m`, the working folder leads the module path: one server all the same."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sockets = {line for folder in ("a", "b")
               for line in cvtex(["server", "status"], tmp_path / folder, env).stdout.splitlines()
               if line.startswith("socket: ")}
    assert sockets == {f"socket: {_socket(env)}"}
    assert _socket(env).parent == tmp_path / "run" / "cvtex"
    assert client.socket_path({"XDG_CACHE_HOME": str(tmp_path / "c")}).parent == (
        tmp_path / "c" / "cvtex" / "server")


@pytest.mark.tex
def test_builds_through_the_server_as_in_process(tmp_path: Path, env: dict[str, str]) -> None:
    for name in ("cv.yaml", "publications.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    first = cvtex(["build", "cv.yaml", "-o", "first.pdf"], tmp_path, env)
    assert first.returncode == 0, first.stderr
    sock = _server_up(env)
    assert _builds_served(sock) == 0

    # Relative paths, the environment and the streams are the caller's.
    served = cvtex(["build", "cv.yaml", "-o", "served.pdf", "--build-dir", "b"], tmp_path, env)
    assert served.returncode == 0, served.stderr
    assert served.stdout.startswith("wrote served.pdf (pdflatex")
    assert _builds_served(sock) == 1
    assert (tmp_path / "b" / "cvtex.tex").is_file()
    assert (tmp_path / "served.pdf").read_bytes() == (tmp_path / "first.pdf").read_bytes()

    # Bad input: exit 2, the located message on the caller's stderr, the PDF kept.
    (tmp_path / "cv.yaml").write_text((ROOT / "cv.yaml").read_text().replace("name:", "nmae:"))
    bad = cvtex(["build", "cv.yaml", "-o", "served.pdf", "--build-dir", "b"], tmp_path, env)
    assert bad.returncode == 2
    assert 'cv.yaml:3:1: nmae: unknown key "nmae"' in bad.stderr
    assert "Traceback" not in bad.stderr
    assert _builds_served(sock) == 2
    assert (tmp_path / "served.pdf").read_bytes() == (tmp_path / "first.pdf").read_bytes()


@pytest.mark.tex
def test_a_stale_socket_falls_back_to_building_here(tmp_path: Path, env: dict[str, str]) -> None:
    for name in ("cv.yaml", "publications.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    sock = _socket(env)
    sock.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    sock.write_text("")  # a socket file nobody listens on (a server killed hard)
    done = cvtex(["build", "cv.yaml"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "cv.pdf").read_bytes().startswith(b"%PDF")


def test_stop_removes_the_socket_and_the_server_leaves(tmp_path: Path,
                                                      env: dict[str, str]) -> None:
    sock = _socket(env)
    sock.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    client.start_server(sock)
    _server_up(env)
    stopped = cvtex(["server", "stop"], tmp_path, env)
    assert stopped.stdout.strip() == "stopped 1 build server"
    assert not sock.exists()
    status = cvtex(["server", "status"], tmp_path, env)
    assert "not running" in status.stdout


def test_a_server_that_does_not_answer_is_given_up(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Connected but silent (stopped, overloaded): the command builds by itself, and the
    server, should it wake up, builds nothing (it waits for a go that never comes)."""
    path = tmp_path / "s.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)
    monkeypatch.setattr(client, "START_SECONDS", 0.3)
    started = time.monotonic()
    assert client.forward(path, ["build", "cv.yaml"]) is None
    assert time.monotonic() - started < 5
    conn, _ = listener.accept()
    _, fds, _, _ = socket.recv_fds(conn, client.HEADER.size, client.FDS)
    assert len(fds) == client.FDS
    conn.settimeout(1)
    try:
        conn.sendall(b"started 1\n")
        answer = conn.recv(1)
    except OSError:  # the caller has closed its end
        answer = b""
    assert answer == b""  # no go: the caller has left
    for fd in fds:
        os.close(fd)
    conn.close()
    listener.close()


@pytest.mark.tex
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_ctrl_c_or_a_kill_at_the_caller_stops_the_served_build(
        tmp_path: Path, env: dict[str, str], signum: int) -> None:
    for name in ("cv.yaml", "publications.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    assert cvtex(["build", "cv.yaml"], tmp_path, env).returncode == 0
    sock = _server_up(env)
    # A pdflatex that hangs (the format dump, run with -ini, just fails).
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "pdflatex").write_text(
        f'#!/bin/sh\ncase "$*" in *-ini*) exit 1;; esac\necho $$ > {fake}/pid\nexec sleep 60\n')
    (fake / "pdflatex").chmod(0o755)
    hanging = {**env, "PATH": f"{fake}{os.pathsep}{env['PATH']}"}
    (tmp_path / "cv.yaml").write_text((ROOT / "cv.yaml").read_text() + "\n# changed\n")
    caller = subprocess.Popen([sys.executable, "-m", "cvtex", "build", "cv.yaml"],
                              cwd=tmp_path, env=hanging, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not (fake / "pid").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    tex_pid = int((fake / "pid").read_text())
    assert _builds_served(sock) == 1
    caller.send_signal(signum)
    assert caller.wait(timeout=20) == 128 + signum
    deadline = time.monotonic() + 10
    while _alive(tex_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(tex_pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.tex
def test_served_build_has_the_callers_time_zone(tmp_path: Path, env: dict[str, str]) -> None:
    """'Last updated' is today where the caller is (26 hours separate these two zones)."""
    (tmp_path / "cv.yaml").write_text("name: Ada Lovelace\nlayout:\n  last_updated: true\n"
                                      "sections:\n  - title: About\n    kind: text\n"
                                      "    text: Analyst.\n")
    assert cvtex(["build", "cv.yaml", "-o", "first.pdf"], tmp_path, env).returncode == 0
    sock = _server_up(env)
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
        here = {**env, "TZ": zone}
        done = cvtex(["build", "cv.yaml", "-o", f"{zone[-4:]}.pdf"], tmp_path, here)
        assert done.returncode == 0, done.stderr
        today = subprocess.run([sys.executable, "-c", "import datetime as d; t = d.date.today();"
                                " print(f'{t:%B} {t.day}, {t.year}')"], env=here,
                               capture_output=True, text=True, check=True).stdout.strip()
        text = subprocess.run(["pdftotext", f"{zone[-4:]}.pdf", "-"], cwd=tmp_path,
                              capture_output=True, text=True, check=True).stdout
        assert f"Last updated: {today}" in text
    assert _builds_served(sock) == 2
