"""cvtex against RenderCV on the same CV: the reference, converted to RenderCV's YAML.

Run: python benchmarks/bench_rendercv.py RENDERCV_PYTHON [--repeat N], where RENDERCV_PYTHON
is the Python of an environment that has RenderCV (`pip install "rendercv[full]"`; it is not a
dependency of cvtex). Prints seconds; asserts nothing.

RenderCV's themes import a Typst package (fontawesome 0.5.0) that Typst downloads from its
registry at render time. Where the registry cannot be reached, `--stub-fontawesome` gives
RenderCV a local stand-in with the same `fa-icon` interface (it prints a bullet instead of the
icon), in a cache folder of its own; RenderCV's time is then a little lower than with the
real package (which also parses a table of some 2,000 icon names).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from bench_build import timed  # this folder is on sys.path when the script runs

from cvtex.build import Request, check
from cvtex.dates import PartialDate

ROOT = Path(__file__).resolve().parents[1]


def _date(value: object) -> str | None:
    if isinstance(value, PartialDate):
        return f"{value.year}-{value.month:02d}" if value.month else str(value.year)
    return value if isinstance(value, str) else None


def to_rendercv(cv: Path) -> dict:
    """The reference CV in RenderCV's format: the same sections, entries and publications."""
    checked = check(Request(cv=cv))
    profile = checked.profile
    sections: dict[str, list] = {}
    for index, section in enumerate(profile.sections):
        if section.kind == "text":
            sections[section.title] = [section.text]
        elif section.kind == "education":
            sections[section.title] = [
                {"institution": e.institution, "area": e.area or e.degree or "",
                 "degree": e.degree, "location": e.location, "start_date": _date(e.start),
                 "end_date": _date(e.end), "highlights": e.details} for e in section.entries]
        elif section.kind == "experience":
            sections[section.title] = [
                {"company": e.organization, "position": e.position, "location": e.location,
                 "start_date": _date(e.start), "end_date": _date(e.end),
                 "highlights": [h.split(" [@")[0] for h in e.highlights]}
                for e in section.entries]
        elif section.kind == "publications":
            sections[section.title] = [
                {"title": p.get("title"), "authors": [a.name.display() for a in p.authors],
                 "journal": p.get("shortvenue") or p.get("journal") or p.get("booktitle"),
                 "date": f"{p.year}-{p.month:02d}" if p.month else str(p.year),
                 "url": p.get("url") or None}
                for p in checked.section_publications[index]]
        elif section.kind == "awards":
            sections[section.title] = [
                {"label": e.name, "details": ", ".join(x for x in (e.issuer, _date(e.date)) if x)}
                for e in section.entries]
        elif section.kind == "skills":
            sections[section.title] = [", ".join(section.items)]
        elif section.kind == "references":
            sections[section.title] = [
                {"label": e.name, "details": ", ".join([e.position or "", *e.lines])}
                for e in section.entries]
    return {"cv": {"name": profile.name, "email": profile.contact.email,
                   "website": profile.contact.web, "sections": sections}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rendercv_python")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stub-fontawesome", action="store_true",
                        help="a local stand-in for the Typst package RenderCV downloads")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cvtex-vs-rendercv-"))
    peer_env = dict(os.environ)
    if args.stub_fontawesome:
        package = work / "typst-cache" / "typst" / "packages" / "preview" / "fontawesome" / "0.5.0"
        package.mkdir(parents=True)
        (package / "typst.toml").write_text(
            '[package]\nname = "fontawesome"\nversion = "0.5.0"\nentrypoint = "lib.typ"\n'
            'authors = ["stand-in"]\nlicense = "MIT"\ndescription = "stand-in"\n')
        (package / "lib.typ").write_text(
            '#let fa-icon(name, solid: false, ..args) = text(..args.named(), "•")\n')
        peer_env["XDG_CACHE_HOME"] = str(work / "typst-cache")
    for name in ("cv.yaml", "publications.bib"):
        shutil.copy(ROOT / name, work / name)
    (work / "rendercv.yaml").write_text(yaml.safe_dump(to_rendercv(work / "cv.yaml"),
                                                       allow_unicode=True, sort_keys=False))
    rendercv = [args.rendercv_python, "-m", "rendercv", "render", "rendercv.yaml",
                "--dont-generate-html", "--dont-generate-markdown", "--dont-generate-png"]
    try:
        peer = [timed(rendercv, work, peer_env) for _ in range(args.repeat)]
    except subprocess.CalledProcessError:
        failed = subprocess.run(rendercv, cwd=work, env=peer_env, capture_output=True,
                                text=True)
        sys.exit("RenderCV could not render the CV:\n" + failed.stdout[-800:])
    cvtex_cold = []
    for i in range(args.repeat):
        cvtex_cold.append(timed([sys.executable, "-m", "cvtex", "build", "cv.yaml",
                                 "--build-dir", f"b{i}"], work))
    (work / "cv.yaml").write_text((work / "cv.yaml").read_text().replace("Spark", "Spark, Go"))
    changed = [timed([sys.executable, "-m", "cvtex", "build", "cv.yaml", "--build-dir", "b0"],
                     work)]
    print(f"RenderCV render (every run is a full render)   {statistics.median(peer):6.3f} s")
    print(f"cvtex build, new build folder                  {statistics.median(cvtex_cold):6.3f} s")
    print(f"cvtex build after a content change             {changed[0]:6.3f} s")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
