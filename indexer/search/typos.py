"""Is a word a slip of the keyboard for another? Used before correcting a question word."""
from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein
from wordfreq import zipf_frequency


@lru_cache(maxsize=50_000)
def english_frequency(word: str) -> float:
    """How common a word is in English, on the Zipf scale (0 unknown, 3 rare, 6+ very common).

    wordfreq's tables (many sources of written and spoken English) tell a real word from a
    slip, which no rule about letters can: "stuff" is not a typo of "staff", "devises" (2.4)
    is one of "devices" (4.6).
    """
    return zipf_frequency(word, "en")


def likelier_word(typed: str, candidate: str, margin: float = 1.0) -> bool:
    """Is ``candidate`` a likelier word than ``typed``? A non-word (Zipf < 2) always yields;
    a real word only to a word at least ``margin`` Zipf points more common."""
    typed_zipf = english_frequency(typed)
    return typed_zipf < 2.0 or english_frequency(candidate) - typed_zipf >= margin

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = set("aeiouy")
# Letters people swap for the sound, not the key: "devises"/"devices", "defense"/"defence".
_SOUND_ALIKE = {frozenset(p) for p in ("sc", "ck", "sz")}


def _keys_near(a: str, b: str) -> bool:
    """Neighbouring keys on a QWERTY keyboard. Each row sits half a key to the right of the
    one above, so key i of a row touches keys i-1 and i of the row below."""
    where = {c: (r, i) for r, row in enumerate(_KEYBOARD_ROWS) for i, c in enumerate(row)}
    if a not in where or b not in where:
        return False
    (ra, ia), (rb, ib) = where[a], where[b]
    if ra == rb:
        return abs(ia - ib) == 1
    if rb == ra + 1:
        return ib in (ia - 1, ia)
    if ra == rb + 1:
        return ia in (ib - 1, ib)
    return False


def plausible_typo(typed: str, word: str) -> bool:
    """Could ``typed`` be a slip for ``word``? Swapped, missing or doubled letters are; a
    substitution only between neighbouring keys or between vowels ("responsable"). This keeps
    real words apart ("like" is not a typo of "live", "weather" not of "gather")."""
    if typed[0] != word[0] and not (len(typed) > 1 and len(word) > 1 and typed[:2] == word[1::-1]):
        return False  # people rarely mistype the first letter
    if OSA.distance(typed, word) < Levenshtein.distance(typed, word):
        return True  # a transposition
    replaced = [op for op in Levenshtein.editops(typed, word) if op.tag == "replace"]
    if len(replaced) > 1:
        return False  # two wrong letters make a different word more often than a typo
    for op in replaced:
        a, b = typed[op.src_pos], word[op.dest_pos]
        if not (_keys_near(a, b) or (a in _VOWELS and b in _VOWELS) or frozenset((a, b)) in _SOUND_ALIKE):
            return False
    return True
