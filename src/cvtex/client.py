"""The `cvtex` command's front door.

A one-shot `cvtex build` hands its work to the build server (`server.py`) when one is up for
this very cvtex, Python and module path: the server has imported pydantic, PyLaTeX,
bibtexparser and click once, which a new process pays about 0.3 s for, more than one TeX
pass. Otherwise the command runs here, as any command does, and a build leaves a server up
for the next one. The standard library alone is imported before that choice.

CVTEX_SERVER=0 turns the server off; it is off by default where CI is set (a CI job builds
once), and CVTEX_SERVER=1 turns it on there.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
from pathlib import Path

from cvtex import paths

# Options that keep the command in this process: it stays up anyway, or wants tracebacks.
_IN_PROCESS = {"--watch", "--debug", "-h", "--help"}
HEADER = struct.Struct("!I")  # length of the JSON request that follows
FDS = 3  # the client's stdin, stdout and stderr, passed to the build
GO = b"g"
START_SECONDS = 10


def wanted(argv: list[str], env: dict[str, str] | os._Environ[str]) -> bool:
    """Whether this command may go through a build server."""
    setting = env.get("CVTEX_SERVER", "")
    if setting == "0" or (env.get("CI") and setting != "1"):
        return False
    if os.name != "posix" or not hasattr(socket, "send_fds"):
        return False
    return bool(argv) and argv[0] == "build" and not _IN_PROCESS & set(argv[1:])


def server_dir(env: dict[str, str] | os._Environ[str]) -> Path:
    """Private to the user: the runtime folder when there is one, else the cache."""
    if runtime := env.get("XDG_RUNTIME_DIR"):
        return Path(runtime) / "cvtex"
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "cvtex" / "server"


def socket_path(env: dict[str, str] | os._Environ[str]) -> Path:
    """One server per cvtex code, Python and installed libraries: an upgrade of either never
    talks to an old server (which then idles out)."""
    import hashlib

    # sys.path[0] is the script's folder or, under -m, the working folder: not where
    # modules come from, and it must not make a server per folder. A library installed,
    # upgraded or removed changes its folder's time (a new dist-info folder in it).
    where = [paths.code_hash(), str(paths.PACKAGE_DIR), sys.executable]
    for entry in sys.path[1:]:
        with contextlib.suppress(OSError):
            where.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
    key = hashlib.sha256("\0".join(where).encode())
    return server_dir(env) / f"{key.hexdigest()[:16]}.sock"


def private(folder: Path) -> bool:
    """A folder of this user's that no one else can enter."""
    try:
        info = folder.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o077


def forward(path: Path, argv: list[str]) -> int | None:
    """Run `cvtex ARGV` in the server; its exit code, or None when no server took it (then
    nothing has been done and the command runs here)."""
    if len(os.fsencode(path)) > 100:  # longer than a UNIX socket address can be
        return None
    if sys.stdout is None or sys.stderr is None or not private(path.parent):
        return None  # the environment and the terminal go only to this user's own server
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(START_SECONDS)  # a server that hangs must not hang the command
    try:
        conn.connect(os.fspath(path))
        if not same_user(conn):
            raise OSError("the socket is not this user's")
        mask = os.umask(0)
        os.umask(mask)
        request = json.dumps({
            "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": mask,
            "encoding": sys.stdout.encoding, "errors": sys.stdout.errors,
        }).encode()
        socket.send_fds(conn, [HEADER.pack(len(request))], [0, 1, 2])
        conn.sendall(request)
        started = _read_line(conn)
        if not started.startswith(b"started "):
            raise OSError("the server did not take the build")
        # Only now does the build begin: a server that answers after we gave up builds nothing.
        conn.sendall(GO)
        conn.settimeout(None)
    except (OSError, ValueError):
        conn.close()
        return None
    except KeyboardInterrupt:
        conn.close()  # before the go: nothing was built
        return 130
    return _wait(conn, int(started.split()[1]))


def _wait(conn: socket.socket, child: int) -> int:
    """The served build's exit code. Ctrl-C, a hang-up or a kill of this command stops the
    build as they would here (its TeX run is killed first), then this command leaves."""
    def stop(signum: int, _frame: object) -> None:
        raise _Stopped(signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    try:
        code = conn.recv(1)
    except (KeyboardInterrupt, _Stopped) as stopped:
        signum = stopped.signum if isinstance(stopped, _Stopped) else signal.SIGINT
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGINT)  # the child cleans up on SIGINT
            conn.settimeout(10)
            conn.recv(1)
        return 128 + signum
    finally:
        conn.close()
    if not code:
        print("cvtex: the build server stopped during the build; run the command again "
              "(CVTEX_SERVER=0 builds without it)", file=sys.stderr)
        return 1
    return code[0]


class _Stopped(Exception):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def same_user(conn: socket.socket) -> bool:
    """Linux tells who is on the other end; elsewhere the private folder is the guard."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1] == os.getuid()


def _read_line(conn: socket.socket) -> bytes:
    line = b""
    while not line.endswith(b"\n"):
        chunk = conn.recv(64)
        if not chunk:
            break
        line += chunk
    return line


def start_server(path: Path) -> None:
    """Start a detached build server on `path` for the next builds; quietly, if at all."""
    try:
        folder = path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not private(folder):
            return  # not a folder only this user can reach: no server
        with open(path.with_suffix(".log"), "w") as log:
            subprocess.Popen([sys.executable, "-m", "cvtex.server", os.fspath(path)],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd="/",
                             start_new_session=True, close_fds=True)
    except OSError:
        return


def main() -> None:
    argv = sys.argv[1:]
    if wanted(argv, os.environ):
        path = socket_path(os.environ)
        code = forward(path, argv)
        if code is not None:
            sys.exit(code)
        if len(os.fsencode(path)) <= 100:
            atexit.register(start_server, path)  # after this build: it keeps both cores
    # A kill or hang-up stops a build here as Ctrl-C does: the TeX run is killed, not left.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signum, signal.default_int_handler)
    from cvtex.cli import main as cli_main

    cli_main(prog_name="cvtex")
