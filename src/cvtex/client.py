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
    """One server per cvtex code, Python and module path: an upgrade never talks to an old
    server (which then idles out)."""
    import hashlib

    # sys.path[0] is the script's folder or, under -m, the working folder: not where
    # modules come from, and it must not make a server per folder.
    where = [paths.code_hash(), str(paths.PACKAGE_DIR), sys.executable, *sys.path[1:]]
    key = hashlib.sha256("\0".join(where).encode())
    return server_dir(env) / f"{key.hexdigest()[:16]}.sock"


def forward(path: Path, argv: list[str]) -> int | None:
    """Run `cvtex ARGV` in the server; its exit code, or None when no server took it (then
    nothing has been done and the command runs here)."""
    if len(os.fsencode(path)) > 100:  # longer than a UNIX socket address can be
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(os.fspath(path))
        mask = os.umask(0)
        os.umask(mask)
        request = json.dumps({
            "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": mask,
            "encoding": sys.stdout.encoding, "errors": sys.stdout.errors,
        }).encode()
        socket.send_fds(conn, [HEADER.pack(len(request))], [0, 1, 2])
        conn.sendall(request)
        conn.settimeout(START_SECONDS)  # a server that hangs must not hang the command
        started = _read_line(conn)
        if not started.startswith(b"started "):
            raise OSError("the server did not take the build")
        # Only now does the build begin: a server that answers after we gave up builds nothing.
        conn.sendall(GO)
        conn.settimeout(None)
    except OSError:
        conn.close()
        return None
    child = int(started.split()[1])
    try:
        code = conn.recv(1)
    except KeyboardInterrupt:
        # Ctrl-C: the build stops as it would here (its TeX run is killed), then we leave.
        with contextlib.suppress(OSError):
            os.kill(child, 2)
            conn.settimeout(10)
            conn.recv(1)
        return 130
    finally:
        conn.close()
    if not code:
        print("cvtex: the build server stopped during the build; run the command again "
              "(CVTEX_SERVER=0 builds without it)", file=sys.stderr)
        return 1
    return code[0]


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
        info = folder.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
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
    from cvtex.cli import main as cli_main

    cli_main(prog_name="cvtex")
