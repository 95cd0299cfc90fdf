"""How fast cvtex builds, as ratios to one bare pdflatex pass over the same .tex.

Run: python benchmarks/bench_build.py [--repeat N]. Prints numbers; asserts nothing.
Each cvtex build runs as its own process (`python -m cvtex build`), as a user runs it.
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
    for path in [*build_dir.glob("*.sty"), *build_dir.glob("cvtex.tex"), *build_dir.glob("cvtex.aux")]:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cvtex-bench-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
    for name in ("cv.yaml", "publications.bib"):
        shutil.copy(ROOT / name, work / name)
    cv = work / "cv.yaml"
    original = cv.read_text()

    cold = []
    for i in range(args.repeat):
        shutil.rmtree(work / "cache", ignore_errors=True)
        cold.append(cvtex(cv, work / f"cold{i}", env))
    build_dir = work / "cold0"
    bare = bare_pass(build_dir, args.repeat)

    changed = []
    for i in range(args.repeat):
        cv.write_text(original.replace("Systems Researcher", f"Systems Researcher {i}", 1))
        changed.append(cvtex(cv, build_dir, env))
    nothing = [cvtex(cv, build_dir, env) for _ in range(args.repeat)]
    cv.write_text(original)
    resident = resident_rebuild(cv, build_dir, env, args.repeat)

    rows = [("bare pdflatex pass (baseline)", bare, None),
            ("cold build (fresh build dir, empty cache)", median(cold), 2.2),
            ("rebuild after a content change", median(changed), 1.3),
            ("rebuild with nothing changed", median(nothing), 0.5),
            ("rebuild after a content change, --watch", resident, 1.3)]

    # 1,000 publications
    big = work / "big"
    big.mkdir()
    generate_bib(big / "pubs.bib", 1000)
    (big / "cv.yaml").write_text(
        "name: Qizhen Weng\nbibliography: pubs.bib\nsections:\n"
        "  - title: Publications\n    kind: publications\n    numbering: descending\n")
    big_time = cvtex(big / "cv.yaml", big / "build", env)
    big_bare = bare_pass(big / "build", max(1, args.repeat // 2))
    peak_mb = (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
               + resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
    rows.append(("1,000 publications, cold", big_time, 2.5))

    print(f"{'case':<44} {'seconds':>8} {'ratio':>6} {'target':>7}")
    for name, seconds, target in rows:
        base = big_bare if name.startswith("1,000") else bare
        ratio = seconds / base
        mark = "" if target is None else f"<= {target}" + ("" if ratio <= target else " MISSED")
        print(f"{name:<44} {seconds:8.3f} {ratio:6.2f} {mark:>7}")
    print(f"{'bare pass of the 1,000-publication .tex':<44} {big_bare:8.3f}")
    print(f"peak memory (largest child + this process): {peak_mb:.0f} MB (target <= 300 MB)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
