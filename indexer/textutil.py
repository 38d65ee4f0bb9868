"""Small text helpers shared by the parsers."""
from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t\u00a0\u2002\u2003\u2009]+")
_REF = re.compile(r"^\d{1,2}(?:\.\d{1,3})?$")
_RULER = re.compile(r"^[-–—_=\s]*$")


def clean_cell(text: str) -> str:
    """One table cell as a person reads it: HTML fragments dropped, spaces folded."""
    if "<" in text and ">" in text:
        text = _TAG.sub(" ", text)
    text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def join_wrapped(first: str, more: str) -> str:
    """Join a cell with its continuation (a wrapped line or the part after a page break).

    A word hyphenated at the end of a line ("Multi-" + "Agency") keeps its hyphen, because
    the plans hyphenate compound words rather than split syllables.
    """
    first, more = first.rstrip(), more.strip()
    if not first:
        return more
    if not more:
        return first
    if first.endswith("-") and not first.endswith(" -"):
        return first + more
    return f"{first} {more}"


def looks_like_ref(text: str) -> bool:
    """True for printed action numbers: ``2.27``, ``7``."""
    return bool(_REF.match(text.strip()))


def is_ruler(cells: list[str]) -> bool:
    """A row of dashes drawn as a separator (``---<TAB>-----``)."""
    joined = "".join(cells)
    return bool(joined.strip()) and bool(_RULER.match(joined))


def normalise(text: str) -> str:
    """Lower-case words and digits only, for comparisons."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
