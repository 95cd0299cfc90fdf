"""cvtex: a CV kept as data (YAML + BibTeX) typeset into a PDF through LaTeX."""

__version__ = "0.1.0"
