"""How fast cvtex builds, as ratios to one bare pdflatex pass over the same .tex.

Run: python benchmarks/bench_build.py [--repeat N]. Prints numbers; asserts nothing.
Each cvtex build runs as its own process (`python -m cvtex build`), as a user runs it: with
the build server up (what every build after the first of a session gets) and without it
(CVTEX_SERVER=0: the first build of a session, or a machine where it is off). Between cold
builds the benchmark waits for the background format dump, as a user's next build would.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


def bare_pass(build_dir: Path, repeat: int) -> float:
    """One pdflatex pass over the .tex cvtex wrote (its aux present), no format."""
    copy = Path(tempfile.mkdtemp(prefix="bare-"))
    for path in [*build_dir.glob("*.sty"), *build_dir.glob("cvtex.[ta][eu]x")]:
        shutil.copy(path, copy / path.name)
    times = [timed(["pdflatex", "-interaction=nonstopmode", "cvtex.tex"], copy)
             for _ in range(repeat)]
    shutil.rmtree(copy)
    return median(times)


def cvtex(cv: Path, build_dir: Path, env: dict[str, str]) -> float:
    return timed([sys.executable, "-m", "cvtex", "build", str(cv), "--build-dir",
                  str(build_dir), "-o", str(cv.with_suffix(".pdf"))], cv.parent, env)


RESIDENT = """
import statistics, sys, time
from pathlib import Path
from cvtex.build import Request, build
cv, build_dir, repeat = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
request = Request(cv=cv, build_dir=build_dir, output=cv.with_suffix(".pdf"))
original = cv.read_text()
build(request)
times = []
for i in range(repeat):
    cv.write_text(original.replace("Systems Researcher", f"Systems Researcher r{i}", 1))
    started = time.perf_counter()
    build(request)
    times.append(time.perf_counter() - started)
cv.write_text(original)
print(statistics.median(times))
"""


def resident_rebuild(cv: Path, build_dir: Path, env: dict[str, str], repeat: int) -> float:
    """A content-change rebuild in a Python process that stays up, as `cvtex build --watch`
    runs it: no interpreter start, no imports, only the work of the rebuild."""
    out = subprocess.run([sys.executable, "-c", RESIDENT, str(cv), str(build_dir), str(repeat)],
                         cwd=cv.parent, env=env, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def generate_bib(path: Path, n: int) -> None:
    rnd = random.Random(1)
    words = ["scalable", "learning", "systems", "graph", "cluster", "scheduling", "inference",
             "training", "memory", "efficient", "distributed", "GPU", "serving", "model"]
    with path.open("w") as f:
        for i in range(n):
            title = " ".join(rnd.choice(words).capitalize() for _ in range(8))
            authors = " and ".join(f"Author{rnd.randint(1, 300)}, A." for _ in range(5))
            f.write(f"@inproceedings{{p{i},\n  title = {{{title}}},\n  author = {{{authors} and "
                    f"Weng, Qizhen}},\n  booktitle = {{Proceedings of Conference {i % 40}}},\n"
                    f"  pages = {{{i}--{i + 12}}},\n  year = {{{2000 + i % 25}}},\n}}\n\n")


def settle(build_dir: Path) -> None:
    """Wait until the format dump a build started in the background is over."""
    deadline = time.monotonic() + 30
    while (list(build_dir.glob("*.pending")) or not list(build_dir.glob("cvfmt-*.*"))) \
            and time.monotonic() < deadline:
        time.sleep(0.05)


def server_up(env: dict[str, str], cwd: Path) -> None:
    """Start the build server (a first build does) and wait until it listens."""
    subprocess.run([sys.executable, "-m", "cvtex", "server", "stop"], env=env, cwd=cwd,
                   check=True, capture_output=True)
    probe = cwd / "probe"
    probe.mkdir(exist_ok=True)
    (probe / "cv.yaml").write_text("name: A B\nsections: []\n")
    subprocess.run([sys.executable, "-m", "cvtex", "build", str(probe / "cv.yaml")], env=env,
                   cwd=cwd, check=False, capture_output=True)
    from cvtex.client import socket_path

    sock = socket_path(env)
    deadline = time.monotonic() + 30
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cvtex-bench-"))
    run_dir = work / "run"
    run_dir.mkdir(mode=0o700)
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "XDG_RUNTIME_DIR": str(run_dir),
           "CVTEX_SERVER": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    solo = {**env, "CVTEX_SERVER": "0"}
    for name in ("cv.yaml", "publications.bib"):
        shutil.copy(ROOT / name, work / name)
    cv = work / "cv.yaml"
    original = cv.read_text()

    def cold_builds(environ: dict[str, str], tag: str) -> float:
        times = []
        for i in range(args.repeat):
            shutil.rmtree(work / "cache", ignore_errors=True)
            times.append(cvtex(cv, work / f"{tag}{i}", environ))
            settle(work / f"{tag}{i}")
        return median(times)

    def changed_builds(environ: dict[str, str], build_dir: Path) -> float:
        times = []
        for i in range(args.repeat):
            cv.write_text(original.replace("Systems Researcher", f"Systems Researcher {i}", 1))
            times.append(cvtex(cv, build_dir, environ))
        return median(times)

    cold_solo = cold_builds(solo, "solo")
    bare = bare_pass(work / "solo0", args.repeat)
    changed_solo = changed_builds(solo, work / "solo0")
    server_up(env, work)
    cold_served = cold_builds(env, "served")
    changed_served = changed_builds(env, work / "served0")
    nothing = median([cvtex(cv, work / "served0", env) for _ in range(args.repeat)])
    nothing_solo = median([cvtex(cv, work / "served0", solo) for _ in range(args.repeat)])
    cv.write_text(original)
    resident = resident_rebuild(cv, work / "served0", env, args.repeat)

    rows: list[tuple[str, float, float | None, str]] = [
        ("bare pdflatex pass (baseline)", bare, None, "ref"),
        ("cold build (fresh build dir, empty cache)", cold_served, 2.2, "ref"),
        ("  the same, no server (first of a session)", cold_solo, 2.2, "ref"),
        ("rebuild after a content change", changed_served, 1.3, "ref"),
        ("  the same, no server", changed_solo, 1.3, "ref"),
        ("rebuild with nothing changed", nothing, 0.5, "ref"),
        ("  the same, no server", nothing_solo, 0.5, "ref"),
        ("rebuild after a content change, --watch", resident, 1.3, "ref")]

    # 1,000 publications
    big = work / "big"
    big.mkdir()
    generate_bib(big / "pubs.bib", 1000)
    (big / "cv.yaml").write_text(
        "name: Qizhen Weng\nbibliography: pubs.bib\nsections:\n"
        "  - title: Publications\n    kind: publications\n    numbering: descending\n")
    big_time = cvtex(big / "cv.yaml", big / "build", env)
    settle(big / "build")
    big_solo = cvtex(big / "cv.yaml", big / "build-solo", solo)
    settle(big / "build-solo")
    big_bare = bare_pass(big / "build", max(1, args.repeat // 2))
    peak_mb = (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
               + resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
    rows.append(("1,000 publications, cold", big_time, 2.5, "big"))
    rows.append(("  the same, no server", big_solo, 2.5, "big"))
    subprocess.run([sys.executable, "-m", "cvtex", "server", "stop"], env=env, check=True,
                   capture_output=True)

    print(f"{'case':<44} {'seconds':>8} {'ratio':>6} {'target':>7}")
    for name, seconds, target, baseline in rows:
        ratio = seconds / (big_bare if baseline == "big" else bare)
        mark = "" if target is None else f"<= {target}" + ("" if ratio <= target else " MISSED")
        print(f"{name:<44} {seconds:8.3f} {ratio:6.2f} {mark:>7}")
    print(f"{'bare pass of the 1,000-publication .tex':<44} {big_bare:8.3f}")
    print(f"peak memory (the largest build process run from here, with its TeX, + this "
          f"process): {peak_mb:.0f} MB (target <= 300 MB)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
