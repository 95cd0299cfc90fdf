"""docs/format.md follows model.py: every key is documented and the examples are valid."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel

from cvtex import model
from cvtex.build import Request, check

from .conftest import ROOT

DOC = (ROOT / "docs" / "format.md").read_text("utf-8")
MODELS: list[type[BaseModel]] = [
    model.Profile, model.Contact, model.Layout, model.TextSection, model.EducationSection,
    model.EducationEntry, model.ExperienceSection, model.ExperienceEntry,
    model.PublicationsSection, model.AwardsSection, model.AwardEntry, model.SkillsSection,
    model.ListSection, model.ReferencesSection, model.ReferenceEntry,
]


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_every_key_has_a_table_row(cls: type[BaseModel]) -> None:
    missing = [key for key in cls.model_fields if f"| `{key}` |" not in DOC]
    assert missing == [], f"docs/format.md does not describe {missing} of {cls.__name__}"


def test_every_section_kind_has_a_heading() -> None:
    for kind in model.SECTION_KINDS:
        assert f"\n### {kind}\n" in DOC


def test_examples_make_a_valid_cv(tmp_path: Path) -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)
    sections = [b for b in blocks if b.startswith("  - title:")]
    top = [b for b in blocks
           if b.startswith(("contact:", "layout:")) or (b.startswith("#") and "\nname:" in b)]
    assert len(top) == 3
    assert len(sections) == len(model.SECTION_KINDS)
    text = "".join(top) + "sections:\n" + "".join(sections)
    (tmp_path / "cv.yaml").write_text(text, "utf-8")
    shutil.copy(ROOT / "publications.bib", tmp_path / "publications.bib")
    checked = check(Request(cv=tmp_path / "cv.yaml"))
    assert [s.kind for s in checked.profile.sections] == [
        "text", "education", "experience", "publications", "awards", "skills", "list",
        "references"]
    assert checked.profile.contact.orcid == "0000-0002-1825-0097"
    assert checked.profile.layout.accent == "#1F3A93"
    assert checked.warnings == []
