"""The format of cv.yaml, as pydantic models: one type per section kind, unknown keys refused.

These models are the single definition of the format: validation, the JSON Schema printed by
`cvtex schema` and docs/format.md all follow from them.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictStr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from cvtex.dates import (
    DATE_HINT,
    PRESENT,
    DateOrPresent,
    PartialDate,
    ends_before_start,
    parse_date,
)


def _parse_date(value: object) -> DateOrPresent:
    return parse_date(value)


Date = Annotated[
    PartialDate | str,
    BeforeValidator(_parse_date),
    PlainSerializer(lambda d: d if isinstance(d, str) else d.display()),
    WithJsonSchema({
        "anyOf": [
            {"type": "string", "pattern": r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$"},
            {"type": "integer", "minimum": 1000, "maximum": 9999},
            {"const": PRESENT},
        ],
        "description": f"A date: {DATE_HINT}",
    }),
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f'"{value}" is not an email address; write it as name@example.org')
    return value


def _check_url(value: str) -> str:
    if any(c.isspace() for c in value):
        raise ValueError(f'"{value}" is not a URL: it holds a space; write it as %20')
    if _BROKEN_SCHEME.match(value):
        raise ValueError(f'"{value}" is not a URL; write it as https://example.org/...')
    # A bare domain is accepted and linked over https; profile.py warns about it.
    if not _URL.match(value) and "." not in value:
        raise ValueError(f'"{value}" is not a URL; write it as https://example.org/...')
    return value


# http or https not followed by "://": a typo, not a bare domain to put behind https://.
_BROKEN_SCHEME = re.compile(r"^https?(?!://)[:/]", re.IGNORECASE)

Email = Annotated[
    StrictStr, AfterValidator(_check_email), Field(json_schema_extra={"format": "email"})]
Url = Annotated[
    StrictStr, AfterValidator(_check_url), Field(json_schema_extra={"format": "uri-reference"})]
Text = Annotated[StrictStr, Field(min_length=1)]
TextList = list[Text]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class Contact(Strict):
    email: Email | None = Field(None, description="Shown as a mailto: link.")
    phone: Text | None = None
    web: Url | None = Field(None, description="Personal website.")
    github: Text | None = Field(None, description="GitHub user name.")
    orcid: Text | None = Field(None, description="ORCID iD, e.g. 0000-0002-1825-0097.")
    location: Text | None = None


class Dated(Strict):
    start: Date | None = Field(None, description=f"Start date: {DATE_HINT}.")
    end: Date | None = Field(None, description="End date, or \"present\".")

    # A field validator (not a model one) so that the message points at `end:` itself.
    @field_validator("end")
    @classmethod
    def _after_start(cls, end: DateOrPresent | None, info: ValidationInfo) -> DateOrPresent | None:
        start = info.data.get("start")  # absent when the start itself was wrong
        if ends_before_start(start, end):
            assert isinstance(start, PartialDate) and isinstance(end, PartialDate)
            raise ValueError(f"the end {_iso(end)} is before the start {_iso(start)}; "
                             "swap them")
        return end


def _iso(date: PartialDate) -> str:
    """A date as the user wrote it in cv.yaml (2017, 2017-09, 2017-09-01)."""
    parts = [f"{date.year:04d}"] + [f"{n:02d}" for n in (date.month, date.day) if n is not None]
    return "-".join(parts)


class EducationEntry(Dated):
    institution: Text
    location: Text | None = None
    url: Url | None = None
    degree: Text | None = Field(None, description="Printed in bold, e.g. Ph.D.")
    honors: Text | None = Field(None, description="Printed after the degree, set off by the theme.")
    area: Text | None = Field(None, description="Field of study.")
    area_url: Url | None = None
    details: TextList = Field(default_factory=list, description="Joined by commas, e.g. GPA.")
    highlights: TextList = Field(default_factory=list)


class ExperienceEntry(Dated):
    organization: Text
    location: Text | None = None
    url: Url | None = None
    position: Text
    highlights: TextList = Field(default_factory=list, description="Bullet points.")


class AwardEntry(Dated):
    name: Text
    note: Text | None = Field(None, description="Printed after the name, e.g. (2%).")
    url: Url | None = None
    issuer: Text | None = None
    date: Date | None = Field(None, description="A single date; or use start and end.")

    @field_validator("date")
    @classmethod
    def _date_or_range(cls, date: DateOrPresent | None, info: ValidationInfo
                       ) -> DateOrPresent | None:
        if date is not None and (info.data.get("start") or info.data.get("end")):
            raise ValueError("give either date or start and end, not both; remove one")
        return date


class ReferenceEntry(Strict):
    name: Text
    position: Text | None = None
    lines: TextList = Field(default_factory=list, description="Department, institution...")
    email: Email | None = None
    web: Url | None = None
    phone: Text | None = None


class SectionBase(Strict):
    title: Text = Field(description="Printed as the section heading.")


class TextSection(SectionBase):
    kind: Literal["text"]
    text: Text


class EducationSection(SectionBase):
    kind: Literal["education"]
    entries: list[EducationEntry]


class ExperienceSection(SectionBase):
    kind: Literal["experience"]
    entries: list[ExperienceEntry]


class AwardsSection(SectionBase):
    kind: Literal["awards"]
    entries: list[AwardEntry]


class SkillsSection(SectionBase):
    kind: Literal["skills"]
    items: TextList = Field(description="Printed as one comma-separated paragraph.")


class ListSection(SectionBase):
    kind: Literal["list"]
    items: TextList = Field(description="Printed as bullet points.")


class ReferencesSection(SectionBase):
    kind: Literal["references"]
    entries: list[ReferenceEntry]


class PublicationsSection(SectionBase):
    kind: Literal["publications"]
    sort: Literal["newest", "oldest", "none"] = Field(
        "newest", description="newest/oldest by year and month; none keeps the BibTeX order.")
    select: Literal["all", "selected"] | list[Text] = Field(
        "all", description='all, "selected" (entries with selected = {true}) or a list of keys.')
    group_by: Literal["none", "kind"] = Field(
        "none", description="kind: sub-headings for conference, journal, preprint, ...")
    numbering: Literal["none", "ascending", "descending"] = "none"
    max_authors: int | None = Field(
        None, ge=1, description="Shorten longer author lists; the owner always stays visible.")


Section = Annotated[
    TextSection | EducationSection | ExperienceSection | PublicationsSection
    | AwardsSection | SkillsSection | ListSection | ReferencesSection,
    Field(discriminator="kind"),
]

SECTION_KINDS = ("text", "education", "experience", "publications", "awards", "skills", "list",
                 "references")


class Layout(Strict):
    paper: Literal["a4", "letter"] = "letter"
    font_size: Literal[10, 11, 12] = Field(11, description="Base font size in points.")
    margin: Annotated[StrictStr, Field(pattern=r"^\d+(\.\d+)?(mm|cm|in|pt)$")] | None = Field(
        None, description="Page margins, e.g. 2cm or 0.75in; the theme's own otherwise.")
    accent: Annotated[StrictStr, Field(pattern=r"^#?[0-9a-fA-F]{6}$")] | None = Field(
        None, description="Accent colour as hex, e.g. #1F3A93; the theme's own otherwise.")
    page_numbers: StrictBool = Field(True, description='"n / N" at the foot of multi-page CVs.')
    last_updated: Date | Literal[True] | None = Field(
        None, description='true prints today\'s date (or SOURCE_DATE_EPOCH\'s); a date prints it.')


class Profile(Strict):
    """The whole of cv.yaml."""

    name: Text = Field(description="The CV owner's name, bold in every author list.")
    aliases: TextList = Field(
        default_factory=list, description="Other spellings of the owner's name in BibTeX files.")
    headline: TextList = Field(default_factory=list, description="Lines under the name.")
    contact: Contact = Field(default_factory=Contact)
    bibliography: Text | list[Text] = Field(
        default_factory=list, description="BibTeX file(s), relative to cv.yaml.")
    theme: Text = Field("classic", description="See `cvtex themes`.")
    engine: Literal["auto", "pdflatex", "xelatex", "lualatex"] = "auto"
    layout: Layout = Field(default_factory=Layout)
    sections: list[Section] = Field(default_factory=list)

    @property
    def bib_files(self) -> list[str]:
        return [self.bibliography] if isinstance(self.bibliography, str) else self.bibliography
