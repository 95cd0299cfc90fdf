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
import os
import select
import signal
import socket
import struct
import sys
import time
from pathlib import Path

from cvtex.client import FDS, GO, HEADER, START_SECONDS

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
    _warm()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Bound under a private name, then moved into place in one step: a client never meets a
    # half-made server, and a server that finds its socket replaced knows to leave.
    private = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    private.unlink(missing_ok=True)
    listener.bind(os.fspath(private))
    listener.listen(16)
    os.replace(private, path)
    mine = path.stat().st_ino
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
                path.unlink()
            break
        ready, _, _ = select.select([listener], [], [], 1.0)
        if not ready:
            continue
        conn, _ = listener.accept()
        last = time.monotonic()
        if not _same_user(conn):
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            listener.close()
            os._exit(_child(conn))
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


def _same_user(conn: socket.socket) -> bool:
    """Linux tells who is on the other end; elsewhere the private folder is the guard."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1] == os.getuid()


def _child(conn: socket.socket) -> int:
    """One build, in the caller's place; returns the exit code, also sent to the caller."""
    code = 1
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
        os.umask(request["umask"])
        os.setpgid(0, 0)  # Ctrl-C at the caller reaches this build only
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _streams(request["encoding"], request["errors"])
        conn.sendall(f"started {os.getpid()}\n".encode())
        if conn.recv(1) != GO:
            return 1  # the caller gave up waiting and builds by itself
        conn.settimeout(None)
        code = _run(request["argv"])
        conn.sendall(bytes([code & 0xFF]))
    except OSError:
        pass
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
    return code


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
