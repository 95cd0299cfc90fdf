"""Themes: every theme implements the macro vocabulary, builds the reference CV within three
pages with whole entries, looks different from the others, and takes the layout options."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
import yaml
from click.testing import CliRunner
from PIL import Image, ImageChops

from cvtex import starter, themes
from cvtex.build import Request, build
from cvtex.cli import main

from .conftest import ROOT

THEMES = [t.name for t in themes.available()]
VOCABULARY = [
    "cvheader", "cvtext", "cveducation", "cvexperience", "cvitems", "cvitem", "cvpublication",
    "cvpubgroup", "cvaward", "cvskills", "cvlist", "cvreference", "cvlastupdated",
    "cvlink", "cvurl", "cvlabel", "cvowner", "cvcofirst", "cvcofirstnote", "cvcorresponding",
    "cvcorrespondingnote", "cvvenue", "cvdegree", "cvhonors", "cvpubtitle", "cvpagefoot",
]
PAGE_NUMBER = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
ENGINES = ["system", "embedded"]


def _reference(folder: Path, theme: str, **layout: object) -> Path:
    """A copy of the reference CV in `folder`, in `theme`, with layout keys replaced."""
    data = yaml.safe_load((ROOT / "cv.yaml").read_text("utf-8"))
    data["theme"] = theme
    data.setdefault("layout", {}).update(layout)
    folder.mkdir(parents=True, exist_ok=True)
    cv = folder / "cv.yaml"
    cv.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    shutil.copy(ROOT / "publications.bib", folder / "publications.bib")
    return cv


def _build(cv: Path, **options: object) -> Path:
    return build(Request(cv=cv, build_dir=cv.parent / "build", **options)).pdf  # type: ignore[arg-type]


def _use_engine(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if engine == "embedded":
        monkeypatch.setenv("CVTEX_NO_SYSTEM_TEX", "1")
    elif shutil.which("pdflatex") is None:
        pytest.skip("no system pdflatex")
    else:
        monkeypatch.delenv("CVTEX_NO_SYSTEM_TEX", raising=False)


def _png(pdf: Path, page: int = 1) -> Image.Image:
    prefix = pdf.with_name(f"{pdf.stem}-p{page}")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(prefix)], check=True)
    with Image.open(prefix.with_suffix(".png")) as image:
        return image.convert("L")


def _inked(image: Image.Image) -> float:
    """The share of the page's pixels that are not white."""
    histogram = image.histogram()
    return 1 - sum(histogram[240:]) / sum(histogram)


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def _lines(page: pdfplumber.page.Page) -> list[str]:
    return [line["text"].strip() for line in page.extract_text_lines() if line["text"].strip()]


# ---- without TeX -----------------------------------------------------------------------------

def test_there_are_two_themes_at_least() -> None:
    assert {"classic", "modern"} <= set(THEMES)


@pytest.mark.parametrize("theme", THEMES)
def test_theme_implements_the_vocabulary(theme: str) -> None:
    found = themes.find(theme)
    assert isinstance(found, themes.Theme)
    sty = (found.folder / themes.THEME_FILE).read_text("utf-8")
    defined = set(re.findall(r"\\(?:newcommand|renewcommand|def)\*?\s*\\(cv[a-z]+)", sty))
    assert not set(VOCABULARY) - defined
    assert r"\newenvironment{cvsection}" in sty
    for setting in ("cvpaper", "cvmargin", "cvaccenthex", "cvpagenumbers", "cvcjkfont"):
        assert "\\" + setting in sty, setting
    assert found.description


def test_themes_command_lists_name_and_description() -> None:
    run = CliRunner().invoke(main, ["themes"])
    assert run.exit_code == 0
    lines = run.output.splitlines()
    assert len(lines) == len(THEMES)
    for line, theme in zip(lines, themes.available(), strict=True):
        name, description = line.split(None, 1)
        assert name == theme.name and description == theme.description


# ---- the reference CV in every theme, with either TeX ---------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """The reference CV in every theme, with the system TeX and the embedded one (built once)."""
    found: dict[tuple[str, str], Path] = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for engine in ENGINES:
            if engine == "system" and shutil.which("pdflatex") is None:
                continue
            for theme in THEMES:
                if engine == "embedded":
                    monkeypatch.setenv("CVTEX_NO_SYSTEM_TEX", "1")
                else:
                    monkeypatch.delenv("CVTEX_NO_SYSTEM_TEX", raising=False)
                folder = tmp_path_factory.mktemp(f"{theme}-{engine}")
                found[theme, engine] = _build(_reference(folder, theme))
    return found


def _pdf(built: dict[tuple[str, str], Path], theme: str, engine: str) -> Path:
    if (theme, engine) not in built:
        pytest.skip(f"no {engine} TeX")
    return built[theme, engine]


@pytest.mark.tex
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("theme", THEMES)
def test_reference_fits_three_pages_numbered_n_of_n(built: dict[tuple[str, str], Path],
                                                     theme: str, engine: str) -> None:
    with pdfplumber.open(_pdf(built, theme, engine)) as pdf:
        pages = len(pdf.pages)
        assert 1 <= pages <= 3
        for n, page in enumerate(pdf.pages, 1):
            numbers = [m.groups() for line in _lines(page) if (m := PAGE_NUMBER.match(line))]
            assert numbers == ([(str(n), str(pages))] if pages > 1 else [])


@pytest.mark.tex
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("theme", THEMES)
def test_entries_whole_and_titles_never_alone(built: dict[tuple[str, str], Path],
                                              theme: str, engine: str) -> None:
    data = yaml.safe_load((ROOT / "cv.yaml").read_text("utf-8"))
    titles = {s["title"] for s in data["sections"]}
    with pdfplumber.open(_pdf(built, theme, engine)) as pdf:
        pages = [_lines(page) for page in pdf.pages]
    texts = [" ".join(lines) for lines in pages]
    for lines in pages:
        content = [line for line in lines if not PAGE_NUMBER.match(line)]
        assert content[-1] not in titles, f"section title alone at a page foot: {content[-1]}"
    # A publication is a title, its authors and its details: all on one page.
    bib = (ROOT / "publications.bib").read_text("utf-8")
    for key, title in re.findall(r"@\w+\{(\w+),\s*title\s*=\s*\{(.+)\},", bib):
        words = re.sub(r"[{}]", "", title).split()
        head, tail = " ".join(words[:3]), " ".join(words[-2:])
        holding = [i for i, text in enumerate(texts) if head in text]
        assert len(holding) == 1, key
        assert tail in texts[holding[0]], f"{key} split across pages"


@pytest.mark.tex
@pytest.mark.parametrize("engine", ENGINES)
def test_themes_look_different_and_pages_are_not_blank(built: dict[tuple[str, str], Path],
                                                       engine: str) -> None:
    images = {}
    for theme in THEMES:
        image = _png(_pdf(built, theme, engine))
        assert _inked(image) > 0.02, f"{theme}: page 1 is blank"
        images[theme] = image
    for a in THEMES:
        for b in THEMES:
            if a < b:
                assert images[a].size == images[b].size  # the same paper
                difference = ImageChops.difference(images[a], images[b])
                assert _inked(ImageChops.invert(difference)) > 0.02, f"{a} and {b} look alike"


# ---- layout options reach every theme -------------------------------------------------------

@pytest.mark.tex
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_paper_option(theme: str, paper: str, size: tuple[int, int], tmp_path: Path) -> None:
    cv = _reference(tmp_path, theme, paper="letter" if paper == "a4" else "a4")
    pdf = _build(cv, paper=paper)  # --paper wins over cv.yaml
    with pdfplumber.open(pdf) as doc:
        assert 1 <= len(doc.pages) <= 3
        for page in doc.pages:
            assert (round(page.width), round(page.height)) == size


@pytest.mark.tex
@pytest.mark.parametrize("theme", THEMES)
def test_layout_options(theme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    plain = _build(_reference(tmp_path / "plain", theme, font_size=10))
    custom = _build(_reference(tmp_path / "custom", theme, font_size=12, accent="#AA3300",
                               margin="1in", page_numbers=False, last_updated=True))
    text_a, text_b = _text(plain), _text(custom)
    assert "Last updated" not in text_a
    assert "Last updated: November 14, 2023" in text_b
    assert not any(PAGE_NUMBER.match(line) for line in text_b.splitlines())
    with pdfplumber.open(plain) as a, pdfplumber.open(custom) as b:
        assert len(b.pages) <= 3

        def body_size(doc: pdfplumber.PDF) -> float:
            sizes = [round(c["size"], 1) for c in doc.pages[0].chars if c["text"].isalpha()]
            return max(set(sizes), key=sizes.count)

        assert body_size(a) < body_size(b)
        # margin: 1in all round
        chars = [c for p in b.pages for c in p.chars if c["text"].strip()]
        assert min(c["x0"] for c in chars) == pytest.approx(72, abs=2)
        assert max(c["x1"] for c in chars) <= b.pages[0].width - 72 + 2
        assert min(c["top"] for c in b.pages[0].chars) >= 72 - 12
        # accent: #AA3300 colours something (links, titles)
        colours = {tuple(round(x, 2) for x in c["non_stroking_color"] or ())
                   for p in b.pages for c in p.chars}
        assert (0.67, 0.2, 0.0) in colours


@pytest.mark.tex
@pytest.mark.parametrize("theme", THEMES)
def test_theme_option_on_the_command_line(theme: str, tmp_path: Path) -> None:
    starter.write_starter(tmp_path)  # the starter names theme: classic
    build_dir = tmp_path / "build"
    run = CliRunner().invoke(main, ["build", str(tmp_path / "cv.yaml"), "--theme", theme,
                                    "--paper", "letter", "--build-dir", str(build_dir)])
    assert run.exit_code == 0, run.output
    assert f"cvtex {theme} theme" in (build_dir / themes.THEME_FILE).read_text("utf-8")
    with pdfplumber.open(tmp_path / "cv.pdf") as pdf:
        assert (round(pdf.pages[0].width), round(pdf.pages[0].height)) == (612, 792)


def test_unknown_theme_is_refused(tmp_path: Path) -> None:
    cv = _reference(tmp_path, "classic")
    run = CliRunner().invoke(main, ["build", str(cv), "--theme", "nosuch"])
    assert run.exit_code == 2
    assert 'unknown theme "nosuch"' in run.output and "modern" in run.output
