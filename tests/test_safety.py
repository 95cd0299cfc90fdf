"""TeX code in any field prints as text and does nothing: no file read, written or run."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvtex import latex
from cvtex.build import Request, build

from .test_build import normal, pdftext, write_cv

PAYLOADS = [
    r"\input{/etc/passwd}", r"\immediate\write18{touch pwned}", "^^5c", r"\catcode`\{=12",
    "}{", "$", "%", "#", "~", r"\def\x{}", "&", "_", "^", "\\", r"\end{document}",
    r"\openout1=pwned.tex",
]
PAYLOAD = " ".join(PAYLOADS)


def _field(tag: str) -> str:
    return f"{tag} {PAYLOAD} end{tag}"


def _cv() -> tuple[dict, list[str]]:
    tags: list[str] = []

    def f(tag: str) -> str:
        tags.append(tag)
        return _field(tag)

    data = {
        "name": f("Name"),
        "headline": [f("Head")],
        "contact": {"phone": f("Phone"), "location": f("Loc"), "github": "octocat"},
        "sections": [
            {"title": f("Ttext"), "kind": "text", "text": f("Text")},
            {"title": f("Tedu"), "kind": "education", "entries": [{
                "institution": f("Inst"), "location": f("Eloc"), "degree": f("Degree"),
                "honors": f("Honors"), "area": f("Area"), "details": [f("Detail")],
                "highlights": [f("Ehigh")], "start": "2017-09", "end": "2022-12"}]},
            {"title": f("Texp"), "kind": "experience", "entries": [{
                "organization": f("Org"), "location": f("Xloc"), "position": f("Pos"),
                "highlights": [f("Xhigh")], "start": 2020}]},
            {"title": f("Tawards"), "kind": "awards", "entries": [{
                "name": f("Award"), "note": f("Note"), "issuer": f("Issuer"), "date": 2021}]},
            {"title": f("Tskills"), "kind": "skills", "items": [f("Skill")]},
            {"title": f("Tlist"), "kind": "list", "items": [f("Item")]},
            {"title": f("Trefs"), "kind": "references", "entries": [{
                "name": f("Rname"), "position": f("Rpos"), "lines": [f("Rline")],
                "phone": f("Rphone")}]},
            {"title": "Publications", "kind": "publications"},
        ],
    }
    return data, tags


# BibTeX is LaTeX: its specials arrive escaped (\$ \% \& \_ \#); macros that read files,
# define commands or change catcodes must print as written or not run at all.
BIB = r"""@inproceedings{evil2020,
  title = {Btitle \input{/etc/passwd} \immediate\write18{touch pwned} \def\x{}
           \$ \% \& \_ \# $\def\y{}$ endBtitle},
  author = {Evil, Eve and \catcode 123=12 Mallory, M},
  booktitle = {Bbook \openout1=pwned.tex ^^5c $\input{/etc/passwd}$ endBbook},
  year = {2020},
}
"""


@pytest.mark.tex
def test_payloads_print_literally_and_do_nothing(tmp_path: Path) -> None:
    data, tags = _cv()
    cv = write_cv(tmp_path, data, bib=BIB)
    result = build(Request(cv=cv, build_dir=tmp_path / "b"))
    text = normal(pdftext(result.pdf, raw=True))
    for tag in tags:
        assert normal(_field(tag)) in text, tag
    assert "Btitle" in text and "endBtitle" in text and "endBbook" in text
    assert "root:x:0:0" not in text and "root:" not in text
    for folder in (tmp_path, tmp_path / "b", Path.cwd()):
        assert not (folder / "pwned").exists()
        assert not (folder / "pwned.tex").exists()


def test_escape_leaves_no_active_tex() -> None:
    escaped = latex.escape(PAYLOAD)
    for bad in ("\\input", "\\immediate", "\\def", "\\catcode", "\\end{", "\\openout"):
        assert bad not in escaped
    assert "^^" not in escaped
    # Braces only as the escaped \{ \} or the {} of a command like \textbackslash{}
    assert escaped.count("{") - escaped.count("\\{") == escaped.count("}") - escaped.count("\\}")


@pytest.mark.parametrize("math", [r"\input{/etc/passwd}", "}{", r"\def\x{}", "^^5c",
                                  r"\catcode`\{=12", r"x\end{document}", r"\write18{ls}"])
def test_unsafe_bibtex_math_prints_as_text(math: str) -> None:
    out = latex.bib_text(f"a {latex.MATH_OPEN}{math}{latex.MATH_CLOSE} b")
    assert not latex.math_is_safe(math)
    assert out.startswith("a \\$") and "\\input{" not in out


def test_plain_bibtex_math_passes() -> None:
    out = latex.bib_text(f"O{latex.MATH_OPEN}(n \\log n){latex.MATH_CLOSE}")
    assert out == "O$(n \\log n)$"
