"""The glossary: acronyms, agency aliases, synonyms, and definitions found in the plans.

``knowledge/glossary.toml`` holds what the plans never define; :func:`extract_definitions`
finds the definitions they do give, in both patterns "Long Form (ABBR)" and
"ABBR (Long Form)", with the source line.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .models import Definition, PlanError


@dataclass
class Glossary:
    """Acronyms, agency aliases and synonyms from ``glossary.toml``."""

    acronyms: dict[str, str] = field(default_factory=dict)
    agencies: dict[str, list[str]] = field(default_factory=dict)
    synonyms: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Glossary":
        """Read ``glossary.toml``; a missing file gives an empty glossary."""
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PlanError(f"{path}: not a valid glossary file: {exc}") from exc
        for section in ("acronyms", "agencies", "synonyms"):
            if not isinstance(data.get(section, {}), dict):
                raise PlanError(f"{path}: [{section}] must be a table")
        agencies = {}
        for name, aliases in data.get("agencies", {}).items():
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise PlanError(f"{path}: agency {name!r} must list its aliases as strings")
            agencies[name] = aliases
        return cls(acronyms={k: str(v) for k, v in data.get("acronyms", {}).items()},
                   agencies=agencies,
                   synonyms={k.lower(): [str(x) for x in v] for k, v in data.get("synonyms", {}).items()})


# "Long Form (ABBR)": up to eight words before an all-capitals parenthesis.
_LONG_THEN_SHORT = re.compile(
    r"((?:[A-Za-z][\w'’&-]*[ ,]+){1,8}?)\(([A-Z][A-Za-z&]{1,7})\)")
# "ABBR (Long Form)": an all-capitals word followed by a parenthesis of words.
_SHORT_THEN_LONG = re.compile(r"\b([A-Z][A-Z&]{1,7})\s+\(([A-Z][^()]{3,80})\)")
_SMALL_WORDS = {"of", "and", "the", "for", "to", "in", "on", "&", "a", "against", "with"}


def initials_match(short: str, long: str) -> str | None:
    """The shortest tail of ``long`` whose word initials spell ``short``, else None.

    Follows Schwartz & Hearst's idea (the abbreviation's letters appear, in order, at word
    starts of the long form), simplified: small words may be skipped, hyphenated parts count
    as words, and the first letter must start the long form.
    """
    if len(short) > 2 and short.endswith("s") and short[:-1].isupper():
        short = short[:-1]  # a plural acronym: "OCGs"
    letters = [c.lower() for c in short if c.isalpha()]
    words = re.findall(r"[A-Za-z][\w'’]*", long)
    if not letters or not words:
        return None
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        if tail[0][0].lower() != letters[0] or tail[0].lower() in _SMALL_WORDS:
            continue
        if _spells(letters, tail):
            # Cut ``long`` at the start word, keeping its punctuation.
            position = [m.start() for m in re.finditer(r"[A-Za-z][\w'’]*", long)][start]
            return long[position:].strip(" ,")
    return None


def _spells(letters: list[str], words: list[str]) -> bool:
    """Can the letters be read off the words' starts (each word used once, small words optional)?"""
    def walk(i: int, j: int) -> bool:
        if i == len(letters):
            return all(w.lower() in _SMALL_WORDS for w in words[j:])
        if j == len(words):
            return False
        word = words[j]
        parts = [p for p in re.split(r"[-]", word) if p]
        # use the word's first letter, or the first letters of its hyphenated parts
        k = i
        for part in parts:
            if k < len(letters) and part[0].lower() == letters[k]:
                k += 1
            else:
                break
        if k > i and walk(k, j + 1):
            return True
        # allow two letters from one word ("Kent Fire" -> "KF"): a mid-word capital
        caps = [c.lower() for c in word[1:] if c.isupper()]
        if word[0].lower() == letters[i] and caps and letters[i + 1:i + 1 + len(caps)] == caps:
            if walk(i + 1 + len(caps), j + 1):
                return True
        if word.lower() in _SMALL_WORDS:
            return walk(i, j + 1)
        return False

    return walk(0, 0)


def extract_definitions(text: str, source: str) -> list[Definition]:
    """Definitions a plan gives itself, each with its line number; the first one per term wins."""
    found: dict[str, Definition] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _LONG_THEN_SHORT.finditer(line):
            short = match.group(2)
            long = initials_match(short, match.group(1))
            if long and short not in found:
                found[short] = Definition(short, long, source, number)
        for match in _SHORT_THEN_LONG.finditer(line):
            short, long = match.group(1), match.group(2).strip()
            if short not in found and initials_match(short, long):
                found[short] = Definition(short, long.rstrip(" .,…"), source, number)
    return list(found.values())
