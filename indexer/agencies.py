"""Leads: split a printed lead cell into agencies and resolve each to one canonical name.

"TWBC Community Safety Team (CST), KCC Early Help, Kent Police and outreach partners" becomes
``["TWBC Community Safety Team", "Early Help", "Kent Police", "Partners"]``. Aliases and
acronyms come from the glossary; near-misses ("Kenwood Trust", "KRFS") are matched with
rapidfuzz against the known names.
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from .glossary import Glossary, initials_match
from .textutil import normalise

# Separators between agencies in a lead cell. "&" joins two agencies ("TWBC Comms & Community
# Safety Team"); " and " too, except inside a known name ("Tonbridge and Malling").
_SPLIT = re.compile(r"\s*(?:,|;|/|\s&\s|\band\b|\bthru\b|\bwith\b)\s*", re.I)
_PAREN = re.compile(r"\(([^()]*)\)")
_FILLER = re.compile(r"^(?:the|and|others?|etc\.?|inc\.?|\(?and others\)?)$", re.I)


class AgencyResolver:
    """Canonical agency names from aliases, acronyms and fuzzy matches.

    ``fit`` learns the names (glossary aliases plus every lead seen in the plans);
    ``canonical`` maps one name; ``split`` maps a whole lead cell.
    """

    def __init__(self, glossary: Glossary | None = None, fuzzy_cutoff: float = 90):
        self.glossary = glossary or Glossary()
        self.fuzzy_cutoff = fuzzy_cutoff
        self.alias_to_name: dict[str, str] = {}
        self.protected: list[str] = []  # known names that contain a separator word
        for name, aliases in self.glossary.agencies.items():
            for alias in [name, *aliases]:
                self.alias_to_name[normalise(alias)] = name
        for name in list(self.alias_to_name.values()) + list(self.glossary.acronyms.values()):
            if _SPLIT.search(name):
                self.protected.append(name)
        self.protected.sort(key=len, reverse=True)
        self._choices = list(self.alias_to_name)

    def canonical(self, name: str) -> str:
        """The canonical form of one agency name (the name itself when unknown)."""
        name = re.sub(r"\s+", " ", name).strip(" .,*;:-")
        key = normalise(name)
        if not key:
            return ""
        if key in self.alias_to_name:
            return self.alias_to_name[key]
        if len(key) >= 6 and self._choices:
            match = process.extractOne(key, self._choices, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff)
            if match:
                return self.alias_to_name[match[0]]
        return name

    def split(self, lead: str) -> list[str]:
        """The individual agencies of a printed lead cell, canonical, in order, no repeats."""
        parts: list[str] = []
        for chunk in self._chunks(lead):
            for piece in self._split_protected(chunk):
                piece = piece.strip(" .,*;:-()")
                if not piece or _FILLER.match(piece):
                    continue
                name = self.canonical(piece)
                if name and name not in parts:
                    parts.append(name)
        return parts

    def _chunks(self, lead: str) -> list[str]:
        """Open up parentheses in place: an acronym of the name before it is an alias and is
        dropped ("Safe Town Partnership (STP)"); anything else is more agencies
        ("CSU Officers (TWBC, KCC, Kent Police)", "TWBC (CSU)")."""
        def replace(match: re.Match) -> str:
            inner = match.group(1).strip()
            before = re.split(r"[,;/]", lead[: match.start()])[-1]
            if re.fullmatch(r"[A-Z][A-Za-z&]{1,7}", inner) and initials_match(inner, before):
                return ""
            return ", " + re.sub(r"^(?:with|inc\.?|and)\s+", "", inner, flags=re.I) + ","
        opened = _PAREN.sub(replace, lead)
        return [opened.replace("(", ",").replace(")", ",")]

    def _split_protected(self, text: str) -> list[str]:
        """Split on separators, keeping known names that contain one ("Tonbridge and Malling")."""
        keep: dict[str, str] = {}
        for index, name in enumerate(self.protected):
            pattern = re.compile(re.escape(name), re.I)
            if pattern.search(text):
                token = f"\x00{index}\x00"
                keep[token] = name
                text = pattern.sub(token, text)
        pieces = _SPLIT.split(text)
        out = []
        for piece in pieces:
            for token, name in keep.items():
                piece = piece.replace(token, name)
            out.append(piece)
        return out
