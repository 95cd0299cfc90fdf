"""`cvtex init`: starter files that validate and build at once, never written over a CV."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cvtex import starter
from cvtex.build import Request, build, check
from cvtex.cli import main


def test_init_writes_the_starter(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "cv"
    run = CliRunner().invoke(main, ["init", str(folder)])
    assert run.exit_code == 0, run.output
    assert sorted(p.name for p in folder.iterdir()) == ["cv.yaml", "publications.bib"]
    text = (folder / "cv.yaml").read_text("utf-8")
    assert text.startswith("#") and "docs/format.md" in text
    assert "cvtex build" in run.output


def test_starter_validates_without_warnings(tmp_path: Path) -> None:
    starter.write_starter(tmp_path)
    checked = check(Request(cv=tmp_path / "cv.yaml"))
    assert checked.warnings == []
    assert len(checked.publications) == 3
    assert any(a.cofirst for p in checked.publications for a in p.authors), \
        "the starter shows a co-first publication"
    assert all(any(a.owner for a in p.authors) for p in checked.publications)


@pytest.mark.parametrize("present", ["cv.yaml", "publications.bib"])
def test_init_refuses_to_overwrite(tmp_path: Path, present: str) -> None:
    (tmp_path / present).write_text("mine\n")
    run = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert run.exit_code == 2
    assert "already exists" in run.output and present in run.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [present]  # nothing else written
    assert (tmp_path / present).read_text() == "mine\n"


def test_init_twice_refuses_the_second_time(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path)]).exit_code == 0
    before = (tmp_path / "cv.yaml").read_bytes()
    second = runner.invoke(main, ["init", str(tmp_path)])
    assert second.exit_code == 2 and "already exist" in second.output
    assert (tmp_path / "cv.yaml").read_bytes() == before


def test_init_defaults_to_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    assert (tmp_path / "cv.yaml").is_file()


def test_starter_ships_inside_the_package() -> None:
    folder = Path(starter.__file__).parent / "starter"
    assert sorted(p.name for p in folder.iterdir()) == sorted(starter.FILES)


@pytest.mark.tex
def test_starter_builds_at_once(tmp_path: Path) -> None:
    starter.write_starter(tmp_path)
    result = build(Request(cv=tmp_path / "cv.yaml", build_dir=tmp_path / "build"))
    assert result.pdf == tmp_path / "cv.pdf" and result.pdf.stat().st_size > 1000
    assert result.warnings == []
