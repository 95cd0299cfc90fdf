"""The build server: a process that has imported cvtex and its libraries once, and forks a
child per `cvtex build` that the front door (`client.py`) hands it.

The child takes on the caller's standard streams (passed over the socket), working folder,
environment and umask, runs the command exactly as the CLI would, and sends back its exit
code: the build sees no difference but the 0.3 s of imports it no longer pays. Each build
runs in a fresh child, so nothing one build does outlives it. The server listens on a UNIX
socket in a folder only its user can reach, serves only that user, and exits after
IDLE_SECONDS without a build or when its socket is replaced or removed.

Run as `python -m cvtex.server SOCKET` (by `client.start_server`).
"""

from __future__ import annotations

import contextlib
import io
import json
import locale
import os
import select
import signal
import socket
import sys
import time
from pathlib import Path

from cvtex.client import FDS, GO, HEADER, START_SECONDS, same_user

IDLE_SECONDS = 20 * 60


def _warm() -> None:
    """Import what a build uses, once, before any child is forked."""
    import cvtex.bib
    import cvtex.build
    import cvtex.cli
    import cvtex.model
    import cvtex.profile
    import cvtex.render
    import cvtex.watch  # noqa: F401


def serve(path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Bound under a private name, then moved into place in one step: a server that finds its
    # socket replaced knows to leave. In place before the imports, so `cvtex server stop`
    # reaches a server that is still starting; builds wait in the queue meanwhile.
    private = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    private.unlink(missing_ok=True)
    listener.bind(os.fspath(private))
    listener.listen(16)
    mine = private.stat().st_ino
    os.replace(private, path)
    _warm()
    children: set[int] = set()
    last = time.monotonic()
    while True:
        children -= _reaped(children)
        try:
            if path.stat().st_ino != mine:
                break  # replaced by a newer server
        except OSError:
            break  # removed (`cvtex server stop`, a cleaned cache)
        if not children and time.monotonic() - last > IDLE_SECONDS:
            with contextlib.suppress(OSError):
                if path.stat().st_ino == mine:  # never another server's socket
                    path.unlink()
            break
        ready, _, _ = select.select([listener], [], [], 1.0)
        if not ready:
            continue
        conn, _ = listener.accept()
        last = time.monotonic()
        if not same_user(conn):
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                listener.close()
                code = _child(conn)
            finally:
                os._exit(code)  # whatever happened, this child never returns to the loop
        children.add(pid)
        conn.close()
    listener.close()


def _reaped(children: set[int]) -> set[int]:
    done = set()
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                done.add(pid)
    return done


def _child(conn: socket.socket) -> int:
    """One build, in the caller's place; returns the exit code, also sent to the caller."""
    code = 1
    log = os.fdopen(os.dup(2), "w")  # the server's log, before fd 2 becomes the caller's
    try:
        conn.settimeout(START_SECONDS)  # a caller that connects and says nothing
        header, fds, _, _ = socket.recv_fds(conn, HEADER.size, FDS)
        if len(header) != HEADER.size or len(fds) != FDS:
            return 1
        (length,) = HEADER.unpack(header)
        body = b""
        while len(body) < length:
            chunk = conn.recv(length - len(body))
            if not chunk:
                return 1
            body += chunk
        request = json.loads(body)
        print(f"build served: {request['cwd']}: cvtex {' '.join(request['argv'])}", flush=True)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()  # "last updated: today" is the caller's today
        with contextlib.suppress(locale.Error):
            locale.setlocale(locale.LC_ALL, "")
        os.umask(request["umask"])
        os.setpgid(0, 0)  # Ctrl-C at the caller reaches this build only
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _streams(request["encoding"], request["errors"])
        conn.sendall(f"started {os.getpid()}\n".encode())
        if conn.recv(1) != GO:
            return 1  # the caller gave up waiting and builds by itself
        conn.settimeout(None)
        code = _run(request["argv"])
        _flush()
        conn.sendall(bytes([code & 0xFF]))
    except Exception as exc:  # never a traceback at the caller; the log keeps the reason
        print(f"build failed in the server: {type(exc).__name__}: {exc}", file=log)
    finally:
        _flush()
        log.close()
    return code


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _streams(encoding: str, errors: str) -> None:
    """Python's standard streams on the caller's descriptors and encoding."""
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding=encoding)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding=encoding,
                                  errors=errors, line_buffering=os.isatty(1))
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding=encoding,
                                  errors="backslashreplace", line_buffering=True)


def _run(argv: list[str]) -> int:
    from cvtex.cli import main

    try:
        main.main(args=argv, prog_name="cvtex", standalone_mode=True)
    except SystemExit as done:
        if done.code is None:
            return 0
        return done.code if isinstance(done.code, int) else 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    with contextlib.suppress(OSError, KeyboardInterrupt):
        serve(Path(sys.argv[1]))
