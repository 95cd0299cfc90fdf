"""latex: the one place user text becomes LaTeX."""

from __future__ import annotations

import pytest

from cvtex import latex


@pytest.mark.parametrize(("typed", "emitted"), [
    ("50% & $5 #1 a_b ~ ^", r"50\% \& \$5 \#1 a\_b \textasciitilde{} \textasciicircum{}"),
    ("{x} \\y", r"\{x\} \textbackslash{}y"),
    ("a--b ''q'' ,,x", "a-{}-b '{}'q'{}' ,{},x"),
    ("<a|b>", r"\textless{}a\textbar{}b\textgreater{}"),
    ("line\nbreak\ttab", "line break tab"),
])
def test_escape_prints_what_was_typed(typed: str, emitted: str) -> None:
    assert latex.escape(typed) == emitted


def test_url_keeps_the_address_and_escapes_what_tex_reads() -> None:
    assert latex.url("https://x.org/a_b%20c#frag~d") == r"https://x.org/a_b\%20c\#frag~d"
    assert latex.url("https://x.org/{a}\\b") == r"https://x.org/\%7Ba\%7D\%5Cb"


def test_links_may_hold_parentheses_in_pairs() -> None:
    out = latex.markup("see [Wiki](https://en.wikipedia.org/wiki/Scheduling_(computing)) page")
    assert out == (r"see \cvlink{https://en.wikipedia.org/wiki/Scheduling_(computing)}{Wiki}"
                   " page")


def test_bold_italic_and_a_lone_star() -> None:
    assert latex.markup("**AI** and *ML*, Weng* alone") == (
        r"\textbf{AI} and \emph{ML}, Weng* alone")


def test_citations_with_locators() -> None:
    assert latex.cite_keys("a [@x, p. 3] b [@y; @z, ch. 2]") == ["x", "y", "z"]
    seen = []
    out = latex.markup("a [@x, p. 3] b", cite=lambda found: seen.append(found) or "(X)")
    assert seen == [[("x", "p. 3")]] and out == "a (X) b"


def test_a_bracket_that_is_not_a_citation_prints_as_typed() -> None:
    assert latex.markup("[see @x]") == "[see @x]"
    assert latex.cite_keys("[see @x] and [@y, p. 1; not a key]") == []


def test_bare_addresses_become_links_that_may_break() -> None:
    out = latex.markup("see https://en.wikipedia.org/wiki/A_(b), or (https://x.org/y).")
    assert r"\cvlink{https://en.wikipedia.org/wiki/A_(b)}" in out
    assert r"\cvlink{https://x.org/y}" in out and out.endswith("}).")
    assert latex.url_text("https://x.org/a/") == (
        r"\cvurl{https://\penalty5000{}x.\penalty5000{}org/\penalty5000{}a/}")


def test_quote_pairs_stay_two_quotes() -> None:
    """Found by the round trip: ' then ’ became ’’, which T1 fonts set as one ”."""
    assert latex.typographic("0'\u2019") == "0\u2019{}\u2019"
    assert latex.escape("\u2018\u2018x") == "\u2018{}\u2018x"
    # !‘ and ?‘ would set as ¡ and ¿ (found by the round trip as well).
    assert latex.escape("0!\u2018 ?\u2018") == "0!{}\u2018 ?{}\u2018"
