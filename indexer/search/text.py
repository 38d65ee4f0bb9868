"""Tokens for the search: lower-case words, hyphenated compounds, Snowball stems.

``snowballstemmer`` (pure Python, the stemmer NLTK and Sphinx use) maps "taggers"/"tagger",
"stalking"/"stalk", "training"/"train" together, which a hand-written suffix list would get
wrong more often.
"""
from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?(?:-[a-z0-9]+)*")

# Function words that carry no topic. Question-framing words (who, leads, responsible...) are
# listed separately in query.py because they matter for intent, not for matching.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can could did do does doing don't down during each few for from
further had has have having he her here hers herself him himself his how i if in into is isn't it
its itself just let me more most my myself no nor not of off on once only or other our ours
ourselves out over own same she should so some such than that that's the their theirs them
themselves then there these they this those through to too under until up very was we were what
when where which while who whom why will with would you your yours yourself yourselves
like any anything something everything
s t re ve ll d etc eg e g ie i e i.e e.g
""".split())


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Snowball stem of one lower-case word (cached: the vocabulary is small)."""
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """Lower-case surface words; "anti-social" gives "anti-social", "anti" and "social"."""
    out: list[str] = []
    for match in _WORD.finditer(text.lower().replace("’", "'")):
        word = match.group(0)
        word = re.sub(r"'s$", "", word)
        if "-" in word:
            parts = [p for p in word.split("-") if p]
            out.append("".join(parts))
            out.extend(parts)
        else:
            out.append(word.replace("'", ""))
    return out


def content_words(text: str) -> list[str]:
    """Surface words without stopwords and single characters."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


def analyse(text: str) -> list[str]:
    """The analyzer the TF-IDF vectorizers use: stems of content words."""
    return [stem(w) for w in content_words(text)]
