"""names.py: parsing, normalising and owner matching, as tables of names seen in real files."""

from __future__ import annotations

import pytest

from cvtex import names
from cvtex.names import Marks, Name

# ---- parsing ----------------------------------------------------------------------------------

PARSED = [
    # as written in BibTeX -> (given, von, family, suffix)
    ("Qizhen Weng", ("Qizhen", "", "Weng", "")),
    ("Weng, Qizhen", ("Qizhen", "", "Weng", "")),
    ("  Weng ,  Qizhen ", ("Qizhen", "", "Weng", "")),
    ("Ludwig van Beethoven", ("Ludwig", "van", "Beethoven", "")),
    ("van Beethoven, Ludwig", ("Ludwig", "van", "Beethoven", "")),
    ("van der Berg, Jr., Jan", ("Jan", "van der", "Berg", "Jr.")),
    # One comma followed by a suffix: people mean "First von Last, Jr.", not a given name "Jr.".
    ("Jan van der Berg, Jr.", ("Jan", "van der", "Berg", "Jr.")),
    ("Martin Luther King, Jr.", ("Martin Luther", "", "King", "Jr.")),
    ("Henry Ford, III", ("Henry", "", "Ford", "III")),
    # A capitalised word before the comma belongs to the family name.
    ("Delgado de Molina, Ana", ("Ana", "", "Delgado de Molina", "")),
    ("{Delgado de Molina}, Ana", ("Ana", "", "Delgado de Molina", "")),
    # Decoded part by part after splitting: the braces steered the split.
    (r"Jos{\'e} M{\"u}ller-{\v{S}}imi{\'c}", ("José", "", "Müller-Šimić", "")),
    (r"M\"{u}ller-\v{S}imi\'{c}, Jos\'{e}", ("José", "", "Müller-Šimić", "")),
    ("Jose\u0301 Mu\u0308ller-S\u030cimic\u0301", ("José", "", "Müller-Šimić", "")),  # NFD -> NFC
    # Corporate authors: one family name, kept whole.
    ("{Barnes and Noble, Inc.}", ("", "", "Barnes and Noble, Inc.", "")),
    ("{The Alibaba PAI Team}", ("", "", "The Alibaba PAI Team", "")),
    # DBLP's homonym numbers are never part of a name.
    ("Wei Wang 0002", ("Wei", "", "Wang", "")),
    ("Wang 0002, Wei", ("Wei", "", "Wang", "")),
    ("Q. Weng", ("Q.", "", "Weng", "")),
]


@pytest.mark.parametrize(("raw", "parts"), PARSED, ids=[r for r, _ in PARSED])
def test_parse_name(raw: str, parts: tuple[str, str, str, str]) -> None:
    name = names.parse_name(raw)
    assert (name.given, name.von, name.family, name.suffix) == parts


@pytest.mark.parametrize(("name", "shown"), [
    (Name("Jan", "van der", "Berg", "Jr."), "Jan van der Berg, Jr."),
    (Name("", "", "Barnes and Noble, Inc.", ""), "Barnes and Noble, Inc."),
    (Name("Qizhen", "", "Weng", ""), "Qizhen Weng"),
])
def test_display(name: Name, shown: str) -> None:
    assert name.display() == shown


@pytest.mark.parametrize(("raw", "text", "marks"), [
    ("Qizhen Weng*", "Qizhen Weng", Marks(cofirst=True)),
    ("Weng, Qizhen*", "Weng, Qizhen", Marks(cofirst=True)),
    ("Qizhen Weng$^*$", "Qizhen Weng", Marks(cofirst=True)),
    (r"Qizhen Weng\textsuperscript{*}", "Qizhen Weng", Marks(cofirst=True)),
    ("Wei Wang†", "Wei Wang", Marks(corresponding=True)),
    (r"Wei Wang\dag", "Wei Wang", Marks(corresponding=True)),
    (r"Wei Wang$^\dagger$", "Wei Wang", Marks(corresponding=True)),
    ("Wei Wang*†", "Wei Wang", Marks(cofirst=True, corresponding=True)),
    ("Wei Wang", "Wei Wang", Marks()),
])
def test_strip_marks(raw: str, text: str, marks: Marks) -> None:
    assert names.strip_marks(raw) == (text, marks)


@pytest.mark.parametrize(("raw", "folded"), [
    ("Müller-Šimić", "muller simic"),
    ("MÜLLER-ŠIMIĆ", "muller simic"),
    ("Q.-Z.", "q z"),
    ("Strauß", "strauss"),
    ("Ørsted", "orsted"),
])
def test_fold(raw: str, folded: str) -> None:
    assert names.fold(raw) == folded


def test_decode_latex() -> None:
    assert names.decode_latex(r"M{\"u}ller") == "Müller"
    assert names.decode_latex(r"{\"U}ber \& Co.") == "Über & Co."
    assert names.decode_latex("plain") == "plain"


def test_latin_and_caseless_parts() -> None:
    assert names.latin_part("Qizhen Weng 翁祈桢") == "Qizhen Weng"
    assert names.caseless_part("Qizhen Weng 翁祈桢") == "翁祈桢"
    assert names.latin_part("翁祈桢") == "翁祈桢"
    assert names.caseless_part("Qizhen Weng") == ""


# ---- owner matching ---------------------------------------------------------------------------

QIZHEN = ("Qizhen Weng 翁祈桢", ())
JOSE = ("José Müller-Šimić", ())

MATCHES = [
    # (owner, as written in BibTeX, is the owner?)
    (QIZHEN, "Qizhen Weng", True),
    (QIZHEN, "Weng, Qizhen", True),
    (QIZHEN, "WENG, QIZHEN", True),
    (QIZHEN, "qizhen weng", True),
    (QIZHEN, "{Weng}, {Qizhen}", True),
    (QIZHEN, "{Qizhen Weng}", False),  # one corporate name, not a person
    (QIZHEN, "Q. Weng", True),
    (QIZHEN, "Weng, Q.", True),
    (QIZHEN, "Q Weng", True),
    (QIZHEN, "Weng, Q", True),
    (QIZHEN, "Qi-Zhen Weng", True),
    (QIZHEN, "Qi Zhen Weng", True),
    (QIZHEN, "Weng, Qi-Zhen", True),
    (QIZHEN, "Weng, Qi Zhen", True),
    (QIZHEN, "Qizhen Weng 0002", True),
    (QIZHEN, "Weng 0002, Qizhen", True),
    (QIZHEN, "Qizhen Weng*", True),
    (QIZHEN, "Qizhen Weng†", True),
    (QIZHEN, "Qizhen Weng 翁祈桢", True),
    (QIZHEN, "翁祈桢", True),
    (QIZHEN, "Weng Qizhen", True),  # family first, no comma
    (QIZHEN, "WENG Qizhen", True),
    (("Bo Li", ()), "LI Bo", True),
    (("Bo Li", ()), "Li B.", False),
    (QIZHEN, "Qiang Weng", False),
    (QIZHEN, "Weng, Qiang", False),
    (QIZHEN, "Qizhen Wang", False),
    (QIZHEN, "Q. Wang", False),
    (QIZHEN, "Zhen Weng", False),
    (QIZHEN, "Z. Weng", False),
    (QIZHEN, "Weng", False),
    (QIZHEN, "Weng Q.", False),  # swapped order is read for full names only
    (QIZHEN, "Wang Qizhen", False),
    (QIZHEN, "Qizhen K. Weng", False),
    (QIZHEN, "Q. Z. Weng", False),  # two initials for one given name: where would it split?
    (QIZHEN, "QZ Weng", False),
    (QIZHEN, "翁祈", False),
    (QIZHEN, "Wei Wang 0002", False),
    (JOSE, "José Müller-Šimić", True),
    (JOSE, "Müller-Šimić, José", True),
    (JOSE, r"Jos{\'e} M{\"u}ller-{\v{S}}imi{\'c}", True),
    (JOSE, r"M\"{u}ller-\v{S}imi\'{c}, Jos\'{e}", True),
    (JOSE, r"Jos\'e M\"uller-\v{S}imi\'c", True),
    (JOSE, "Jose\u0301 Mu\u0308ller-S\u030cimic\u0301", True),  # Unicode, decomposed
    (JOSE, "Muller-Simic, Jose", True),  # accents dropped by the publisher
    (JOSE, "Jose Muller-Simic", True),
    (JOSE, "MÜLLER-ŠIMIĆ, JOSÉ", True),
    (JOSE, "Muller Simic, Jose", True),  # hyphen dropped in the family name
    (JOSE, "J. Müller-Šimić", True),
    (JOSE, "Muller-Simic, J.", True),
    (JOSE, "José Müller", False),
    (JOSE, "J. Müller", False),
    (JOSE, "José Šimić", False),
    (JOSE, "Josefa Müller-Šimić", False),
    (JOSE, "Jorge Müller-Šimić", False),
    (JOSE, "M. Müller-Šimić", False),
    # Aliases: any spelling the owner lists, in any order.
    (("Qizhen Weng", ("Qi-Zhen Weng",)), "Q. Z. Weng", True),
    (("Qizhen Weng", ("Qi-Zhen Weng",)), "Q.-Z. Weng", True),
    (("Qizhen Weng", ("Qi-Zhen Weng",)), "Q. N. Weng", False),
    (("Qizhen Weng", ("Weng, Chi-Chun",)), "C. Weng", True),
    (("Qizhen Weng", ("Weng, Chi-Chun",)), "Chichun Weng", True),
    (("Qizhen Weng", ("Weng, Chi-Chun",)), "Chun Weng", False),
    (("Weng, Qizhen", ()), "Qizhen Weng", True),
    (("Jan van der Berg, Jr.", ()), "van der Berg, Jan", True),
    (("Jan van der Berg, Jr.", ()), "Van der Berg, Jan", True),
    (("Jan van der Berg, Jr.", ()), "Berg, Jan", False),
    (("Ludwig van Beethoven", ()), "L. van Beethoven", True),
    (("Ludwig van Beethoven", ()), "Ludwig Beethoven", False),
]


@pytest.mark.parametrize(
    ("owner", "written", "expected"), MATCHES,
    ids=[f"{o[0]}|{w}" for o, w, _ in MATCHES],
)
def test_matches(owner: tuple[str, tuple[str, ...]], written: str, expected: bool) -> None:
    text, _marks = names.strip_marks(written)
    keys = names.owner_keys(owner[0], list(owner[1]))
    assert names.matches(names.parse_name(text), keys) is expected


def test_table_is_large_enough() -> None:
    assert len(MATCHES) >= 40
    assert any(not expected for _, _, expected in MATCHES)


def test_owner_keys_have_no_duplicates() -> None:
    keys = names.owner_keys("Qizhen Weng", ["Weng, Qizhen", "QIZHEN WENG"])
    assert len(keys) == len(set(keys)) == 1
