"""Plans whose action tables were flowed out of a PDF as plain text, with no tabs (layout 4).

What such a table looks like (Tunbridge Wells 2018/19)::

    Priority 1: Domestic abuse
    Action Primary agency/agencies Measure          <- header, or one column name a line
    Refer women to the Freedom programme for        <- action cell, wrapped
    domestic abuse awareness and support.
    DAVSS, DA Forum Number of programmes run.       <- lead and measure share a line
    Organise two restorative justice road checks. KFRS, Kent Police
    Road checks held and drivers engaged
    with.
    Other recommendations
     Work with others to ensure ...                 <- bullets (glyph lost, or U+F0B7)
    Overall target: To reduce the harm ...

Every cell is wrapped over several lines, and the text of one row comes in column order
(action, then lead, then measure), but nothing marks where one cell ends and the next begins:
two or three cells may even share one line. Blank lines and lines holding a single space
appear between most text blocks and mean little on their own.

How the rows are recovered
--------------------------
Each line of a table is given one of a few *segmentations*: the whole line is one cell
(action, lead or measure), or it is split at a word boundary into action|lead, lead|measure
or action|lead|measure. A small Viterbi search then picks, for the whole table at once, the
sequence of segmentations with the best score, subject to the column order: a cell continues,
or the next column starts, or (after the last column) a new row starts with an action.

The scores are general cues, not knowledge of this plan:

* a lead is a list of agency names: acronyms, capitalised words, commas, "and", a small
  vocabulary of agency words ("Police", "Trust", "partners"...). Text that is not like that
  cannot be a lead; a lead that is like that is rewarded, so the rows find their leads;
* a line that plainly continues the previous one (that one ended with "-", ",", "and",
  "of"..., left a bracket open, or this one starts in lower case) stays in the same cell;
* a new row starts a new text block (after a blank line) and usually opens with an
  imperative verb ("Provide", "Ensure", "To deploy"); a measure usually opens with a noun
  ("Number of", "Sessions held") and a second paragraph of a measure does too;
* a cell split inside a line follows a sentence end (action|lead) or the end of an agency
  list (lead|measure), and the text after the split reads as the start of a sentence.

The column order comes from the header row, so a table printed as Action / Measure / Lead
is read in that order too. Refs are not printed in these plans: they are generated as
``"{priority}.{n}"`` with ``ref_generated=True``.

After a priority's rows may come "Other recommendations" (a bullet list), "Overall target:"
and "Specific target:" lines; they become :class:`~indexer.models.PlanItem` records. A
``Priority N:`` heading with no action header before the next heading (narrative that happens
to look like one) is skipped with a warning; so is unrecognised text after a table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import ActionRecord, ParsedPlan, ParseWarning, PlanEntry, PlanItem, Priority
from ..textutil import clean_cell, join_wrapped

NEG = float("-inf")

PRIORITY_HEADING = re.compile(
    r"^\s*Priority\s+(?P<number>\d+(?:\s*(?:&|and)\s*\d+)?)\s*[:.\-–]\s*(?P<title>.*?)\s*$", re.I)
OTHER_HEADING = re.compile(r"^\s*(?:other|further)\s+(?:recommendations?|actions?|commitments?)\s*:?\s*$", re.I)
TARGET = re.compile(r"^\s*(?P<kind>overall|specific|key|main)\s+targets?\s*:\s*(?P<text>.*?)\s*$", re.I)
#: A bullet: a glyph (PDF symbol-font bullets arrive as U+F0B7, or as nothing but the space
#: that followed them), then the text.
BULLET = re.compile(r"^(?:\s*[\uf0b7\uf0a7\u2022\u25cf\u25aa\u2023\u2043\u25e6\-–*]\s*|\s+)(?P<text>\S.*?)\s*$")
#: A bullet whose glyph survived: it cannot be part of the table, so it ends the rows.
GLYPH_BULLET = re.compile(r"^\s*[\uf0b7\uf0a7\u2022\u25cf\u25aa]\s*\S")
NOISE = re.compile(r"^\s*(?:\d{1,3}|page\s+\d+(?:\s+of\s+\d+)?)?\s*$", re.I)

# -- header rows --------------------------------------------------------------------------
# Words a header row is made of; a header is one or more lines of nothing else.
HEADER_WORDS = {
    "action", "actions", "proposed", "primary", "lead", "leads", "agency", "agencies", "other",
    "partner", "partners", "responsible", "owner", "measure", "measures", "outcome", "outcomes",
    "of", "success", "performance", "and", "officer", "organisation", "organisations",
}
HEADER_COLUMNS = [  # column -> how the header names it; the first match in the text fixes its place
    ("action", re.compile(r"\bactions?\b", re.I)),
    ("lead", re.compile(r"\b(?:lead|primary|agency|agencies|responsible|owner|partners?)\b", re.I)),
    ("measure", re.compile(r"\b(?:measures?|outcomes?)\b", re.I)),
]
A, L, M = "action", "lead", "measure"

# -- agencies -----------------------------------------------------------------------------
#: Words that name (part of) an agency. Capitalised, they mark a strong lead; in lower case
#: ("statutory partners", "key agencies") they are the only lower-case words a lead may have.
AGENCY_WORDS = {
    "police", "trust", "team", "teams", "council", "councils", "partnership", "partnerships",
    "forum", "housing", "wardens", "warden", "pastors", "agency", "agencies", "partner",
    "partners", "provider", "providers", "services", "service", "unit", "board", "authority",
    "officer", "officers", "co-ordinator", "coordinator", "co-ordinators", "coordinators",
    "manager", "managers", "probation", "health", "fire", "rescue", "nhs", "churches", "church",
    "standards", "network", "centre", "society", "association", "charity", "foundation",
    "commissioner", "department", "directorate", "group", "groups", "schools", "colleges",
    "practitioners", "staff", "organisations", "organisation", "bodies", "committee",
    "statutory", "key", "local", "other", "relevant", "voluntary", "all", "community",
    "program", "programme", "commissioned", "specialist", "county", "borough", "district",
}
#: Little words an agency list may contain between names ("Churches for Tunbridge Wells").
CONNECTORS = {"and", "&", "/", "for", "of", "the", "+"}
ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]+(?:s)?$")
NAME_WORD = re.compile(r"^[A-Z][a-z]+(?:[-'’][A-Za-z][a-z]*)*(?:['’]s)?$")

# -- sentences and cells ------------------------------------------------------------------
#: Words after which a wrapped line must go on: the cell is not finished.
OPEN_ENDINGS = {
    "and", "or", "of", "to", "the", "with", "for", "in", "at", "by", "a", "an", "on", "from",
    "into", "including", "such", "as", "their", "its", "our", "via", "e.g.", "i.e.", "&",
}
ABBREVIATIONS = {"e.g.", "i.e.", "eg.", "ie.", "no.", "st.", "cf."}
#: Verbs that open an action ("Provide", "Ensure"...). One cue among several.
ACTION_VERBS = {
    "provide", "prioritise", "prioritize", "refer", "evaluate", "convene", "work", "involve",
    "organise", "organize", "direct", "investigate", "run", "contribute", "carry", "deliver",
    "support", "replace", "ensure", "exclude", "use", "tackle", "scope", "identify", "focus",
    "acquire", "drive", "collate", "meet", "consider", "develop", "promote", "raise", "continue",
    "establish", "review", "undertake", "engage", "encourage", "monitor", "implement",
    "maintain", "create", "hold", "explore", "produce", "share", "attend", "commission",
    "coordinate", "co-ordinate", "conduct", "launch", "deploy", "target", "map", "train",
    "assess", "embed", "introduce", "publish", "signpost", "respond", "set", "agree", "analyse",
    "seek", "build", "educate", "inform", "offer", "arrange", "facilitate", "improve", "reduce",
    "increase", "enable", "enforce", "design", "host", "fund", "secure", "strengthen", "extend",
    "expand", "link", "liaise", "gather", "collect", "record", "report", "visit", "patrol",
    "pilot", "trial", "recruit", "plan", "prepare", "submit", "update", "complete", "address",
    "adopt", "apply", "challenge", "protect", "prevent", "disrupt", "locate", "give",
    "make", "take", "keep", "put", "bring", "help", "assist", "during", "through",
}
#: Nouns that open a measure ("Number of...", "Reduction in...").
MEASURE_NOUNS = {
    "number", "numbers", "no.", "percentage", "proportion", "rate", "rates", "reduction",
    "level", "levels", "amount", "feedback", "evidence", "outcome", "outcomes", "attendance",
    "take-up", "uptake", "data", "figures", "count", "volume",
}
NOUN_SUFFIX = re.compile(r"(?:tion|tions|ment|ments|ness|ity|ities)$")


def _word(token: str) -> str:
    """A token without the punctuation around it, in lower case."""
    return token.strip("()[]{},.;:!?*\"'‘’“”").lower()


def _agency_strength(text: str) -> int | None:
    """How much ``text`` looks like a list of agencies: None (it cannot be one), 1 (names
    only, such as "Dave Allen") or 2 (it has an acronym or an agency word, "Kent Police")."""
    tokens = [t for t in re.split(r"\s+|(?<=[/,])|(?=/)", text.strip()) if t and t not in {",", "/"}]
    if not tokens:
        return None
    strong = named = False
    for index, token in enumerate(tokens):
        core = token.strip("()[],;:*.")
        core = re.sub(r"\*+$", "", core)
        if not core:
            continue
        lower = core.lower()
        if lower in CONNECTORS:
            # "for"/"of"/"the" only inside a name: the next word must be capitalised.
            if lower in {"for", "of", "the"}:
                following = tokens[index + 1].strip("(") if index + 1 < len(tokens) else ""
                if not following[:1].isupper():
                    return None
            continue
        if ACRONYM.match(core):
            strong = named = True
        elif lower in AGENCY_WORDS and (core[0].isupper() or core == lower):
            named = True
            strong = strong or core[0].isupper() or lower not in {"key", "local", "other", "all", "relevant"}
        elif NAME_WORD.match(core):
            named = True
        else:
            return None
    if not named:
        return None
    return 2 if strong else 1


def _ends_sentence(text: str) -> bool:
    """True when ``text`` ends a sentence ("crime." but not "E.g.")."""
    text = text.rstrip(" )\"'’”")
    if not text or text[-1] not in ".!?":
        return False
    last = text.split()[-1].lower().lstrip("(")
    return last not in ABBREVIATIONS


def _ends_open(text: str) -> bool:
    """True when a line plainly goes on: it ends with a hyphen, comma, slash or a little word
    ("and", "of"), or leaves a bracket open."""
    text = text.rstrip()
    if not text:
        return False
    if text[-1] in ",/&(" or (text.endswith("-") and not text.endswith(" -")):
        return True
    if text.split()[-1].lower() in OPEN_ENDINGS:
        return True
    return text.count("(") > text.count(")")


def _starts_lower(text: str) -> bool:
    first = text.lstrip("(\"'‘“")
    return bool(first) and first[0].islower()


def _starts_cell(text: str) -> bool:
    """A cell's first word starts with a capital, a digit or a bracket/quote."""
    first = text.lstrip()
    return bool(first) and (first[0].isupper() or first[0].isdigit() or first[0] in "(\"'‘“")


def _opener(text: str) -> tuple[str | None, float]:
    """How ``text`` opens: ("action", w) for an imperative verb, "To <verb>" or an adverb;
    ("measure", w) for a counting noun ("Number of") or, more weakly, a plural or abstract
    noun ("Sessions", "Identification"); (None, 0) otherwise. ``w`` is how sure the cue is."""
    words = text.split()
    if not words:
        return None, 0.0
    first = _word(words[0])
    second = _word(words[1]) if len(words) > 1 else ""
    if first in MEASURE_NOUNS or first.startswith("number"):
        return M, 1.0
    if first in ACTION_VERBS:
        return A, 1.0
    if first == "to" and second and words[1][0].islower():
        return A, 0.5  # "To deploy workers" (an action), but also "To feed into plans" (a measure)
    if first.endswith("ly") and len(first) > 4:  # "Locally engage residents..."
        return A, 0.5
    if NOUN_SUFFIX.search(first) or (first.endswith("s") and not first.endswith(("ss", "us", "is")) and len(first) > 3):
        return M, 0.5
    return None, 0.0


def _opens_with_agency(text: str) -> bool:
    """True when ``text`` opens with an agency name rather than a sentence: an acronym or
    agency word not followed by a lower-case word ("Police", "KCC Wardens", "Police Violent
    offences..." but not "Group convened..." or "CSU to report...")."""
    words = text.split()
    first = words[0].strip("(),*") if words else ""
    if not first or not (ACRONYM.match(first) or first.lower() in AGENCY_WORDS):
        return False
    return len(words) == 1 or not words[1][:1].islower()


# -- the search ---------------------------------------------------------------------------
@dataclass
class _Line:
    number: int  # 1-based line number in the file
    text: str  # stripped
    gap: bool  # a blank (or lone-space) line came between this line and the previous one
    tokens: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tokens = self.text.split()


@dataclass
class _Option:
    """One way to read a line: its cells, as (column, text) pairs, and their score."""

    cells: list[tuple[str, str]]
    score: float


class _RowReader:
    """Finds the rows of one flowed table (see the module docstring).

    ``columns`` is the column order from the header, action first.
    """

    # Score weights. Only their relative sizes matter; they are on a log-odds-like scale.
    LEAD_STRONG = 1.0  # a lead cell with an acronym or agency word
    LEAD_WEAK = 0.3  # a lead cell of capitalised names only
    LEAD_FULL_STOP = -1.5  # leads are lists, they rarely end with a full stop
    LEAD_MEASURE_NOUN = -2.0  # a lead does not open with "Number", "Reduction"...
    LOOKS_LIKE_LEAD = -1.0  # an action or measure line that reads as an agency list
    PARAGRAPH_LOOKS_LIKE_LEAD = -1.5  # ...and it opens a text block
    OPEN_SWITCH = -5.0  # a new cell after a line that plainly goes on
    UNFINISHED_SWITCH = -0.5  # a new cell after a line with no sentence end
    SWITCH_IN_BLOCK = -0.3  # a new cell without a blank line before it
    ROW_IN_BLOCK = -3.0  # a new row without a blank line before it
    SKIPPED_CELL = -6.0  # a row with an empty cell
    PARAGRAPH = -0.5  # a second paragraph in a cell
    GAP_IN_CELL = -0.2  # a wrapped line after a blank line
    ACTION_OPENS_ROW = 1.5
    MEASURE_OPENS_ROW = -2.0
    MEASURE_OPENS_MEASURE = 1.0
    ACTION_OPENS_MEASURE_PARAGRAPH = -1.5
    INLINE_SPLIT = -0.3  # two cells on one line: fine, but not without reason
    INLINE_NO_SENTENCE_END = -4.0  # action|lead inside a line, the action not ending a sentence
    MEASURE_OPENS_WITH_AGENCY = -2.0  # a measure opening on "Police" or "KCC": the lead goes on
    INLINE_NAME_AFTER = -1.0  # lead|measure with the measure opening on two capitalised words

    def __init__(self, columns: list[str]):
        self.columns = columns

    # -- scoring ----------------------------------------------------------------------------
    def _cell_score(self, column: str, text: str, paragraph: bool = False) -> float:
        """How well ``text`` fits ``column`` on its own; ``paragraph`` when the text is a
        whole line that opens a text block (a blank line before it)."""
        strength = _agency_strength(text)
        if column == L:
            if strength is None:
                return NEG
            score = self.LEAD_STRONG if strength == 2 else self.LEAD_WEAK
            if _word(text.split()[0]) in MEASURE_NOUNS:  # "Number of Tunbridge Wells ..." is a measure
                score += self.LEAD_MEASURE_NOUN
            if text.rstrip().endswith(".") and not text.rstrip().endswith(".."):
                score += self.LEAD_FULL_STOP
            return score
        if strength != 2:
            return 0.0
        # A wrapped line of an action may read as names ("PROTECT, PREVENT and PREPARE."),
        # a whole paragraph that does is far more likely a lead.
        return self.LOOKS_LIKE_LEAD + (self.PARAGRAPH_LOOKS_LIKE_LEAD if paragraph else 0.0)

    def _opening_score(self, column: str, text: str, start: str) -> float:
        """Cues in the first words of a cell: ``start`` is "row" (an action opening a row),
        "cell" (the next column of a row) or "paragraph" (a new paragraph in a cell)."""
        kind, weight = _opener(text)
        if column == A and start == "row":
            return weight * {A: self.ACTION_OPENS_ROW, M: self.MEASURE_OPENS_ROW}.get(kind, 0.0)
        if column == M and start == "paragraph":
            return weight * {M: self.MEASURE_OPENS_MEASURE, A: self.ACTION_OPENS_MEASURE_PARAGRAPH}.get(kind, 0.0)
        if column == M and start == "cell":
            score = weight * self.MEASURE_OPENS_MEASURE if kind == M else 0.0
            if _opens_with_agency(text):  # more likely the rest of a wrapped lead
                score += self.MEASURE_OPENS_WITH_AGENCY
            return score
        return 0.0

    def _step(self, prev: str | None, column: str, before: _Line | None, line: _Line, text: str) -> float:
        """Score of going from a cell of column ``prev`` (ending line ``before``) to text of
        ``column`` that starts line ``line``."""
        order = self.columns
        if prev is None:  # first line of the table: a row starts
            return 0.0 if column == A else NEG
        p, q = order.index(prev), order.index(column)
        open_end = _ends_open(before.text) or _starts_lower(text)
        if p == q:  # the same cell goes on
            if not line.gap:
                return 0.0
            if not _ends_sentence(before.text) or open_end:
                return self.GAP_IN_CELL
            return self.PARAGRAPH + self._opening_score(column, text, "paragraph")
        if q == p + 1:
            score = 0.0
        elif q == 0:  # a new row; cells left empty in the row before are penalised
            score = self.SKIPPED_CELL * (len(order) - 1 - p)
            if not line.gap:
                score += self.ROW_IN_BLOCK
        elif q == p + 2:
            score = self.SKIPPED_CELL
        else:
            return NEG
        if open_end:
            score += self.OPEN_SWITCH
        elif prev != L and not _ends_sentence(before.text):  # (a lead never ends a sentence)
            score += self.UNFINISHED_SWITCH
        if not line.gap and q != 0:
            score += self.SWITCH_IN_BLOCK
        return score + self._opening_score(column, text, "row" if q == 0 else "cell")

    def _inline_step(self, prev: str, column: str, left: str, right: str) -> float:
        """Score of a new cell starting inside a line: ``left`` ends one cell, ``right`` starts
        the next."""
        order = self.columns
        if order.index(column) != order.index(prev) + 1 or not _starts_cell(right):
            return NEG
        score = self.INLINE_SPLIT
        if _ends_open(left):
            score += self.OPEN_SWITCH
        if prev != L and not _ends_sentence(left):
            score += self.INLINE_NO_SENTENCE_END
        words = right.split()
        if prev == L and not _opens_with_agency(right) and len(words) > 1 \
                and NAME_WORD.match(words[1].strip(",.")) and not ACRONYM.match(words[1]):
            score += self.INLINE_NAME_AFTER  # "Family | Matters Number of...": the split cut a name
        return score + self._opening_score(column, right, "cell")

    def _options(self, line: _Line) -> list[_Option]:
        """Every reading of one line: one cell, or two or three cells split at word
        boundaries (in column order)."""
        tokens = line.tokens
        n = len(tokens)
        options = []
        for column in self.columns:
            score = self._cell_score(column, line.text, paragraph=line.gap)
            if score > NEG:
                options.append(_Option([(column, line.text)], score))
        # Split points: each further cell starts at a capitalised word (or bracket, digit).
        starts = [k for k in range(1, n) if _starts_cell(tokens[k])]
        for i in range(len(self.columns) - 1):
            first, second = self.columns[i], self.columns[i + 1]
            third = self.columns[i + 2] if i + 2 < len(self.columns) else None
            for k in starts:
                left = " ".join(tokens[:k])
                base = self._cell_score(first, left)
                if base == NEG:
                    continue
                right = " ".join(tokens[k:])
                two = base + self._inline_step(first, second, left, right) + self._cell_score(second, right)
                if two > NEG:
                    options.append(_Option([(first, left), (second, right)], two))
                if third is None:
                    continue
                for m in (s for s in starts if s > k):
                    middle, last = " ".join(tokens[k:m]), " ".join(tokens[m:])
                    three = (base + self._inline_step(first, second, left, middle)
                             + self._cell_score(second, middle)
                             + self._inline_step(second, third, middle, last) + self._cell_score(third, last))
                    if three > NEG:
                        options.append(_Option([(first, left), (second, middle), (third, last)], three))
        return options

    def read(self, lines: list[_Line]) -> list[list[tuple[str, str, _Line]]]:
        """The best reading of the table: its rows, each a list of (column, text, line)."""
        if not lines:
            return []
        # Viterbi over lines; the state is the column of the last cell read so far.
        table: list[dict[str, tuple[float, int, str | None]]] = []  # state -> (score, option, prev state)
        all_options = [self._options(line) for line in lines]
        for index, (line, options) in enumerate(zip(lines, all_options)):
            best: dict[str, tuple[float, int, str | None]] = {}
            previous_states = table[-1] if table else {None: (0.0, -1, None)}
            for o, option in enumerate(options):
                first_column, first_text = option.cells[0]
                last_column = option.cells[-1][0]
                for state, (score, _, _) in previous_states.items():
                    if score == NEG:
                        continue
                    before = lines[index - 1] if index else None
                    total = score + option.score + self._step(state, first_column, before, line, first_text)
                    if total > best.get(last_column, (NEG,))[0]:
                        best[last_column] = (total, o, state)
            # ``best`` is never empty: any line can be read as an action, and an action may
            # follow any column (a cell going on, or a new row).
            table.append(best)
        # The table ends after a complete row; a missing last cell is penalised.
        final = {state: score + self.SKIPPED_CELL * (len(self.columns) - 1 - self.columns.index(state))
                 for state, (score, _, _) in table[-1].items()}
        state = max(final, key=final.get)
        chosen: list[_Option] = []
        for index in range(len(lines) - 1, -1, -1):
            _, o, previous = table[index][state]
            chosen.append(all_options[index][o])
            state = previous
        chosen.reverse()
        # Group the cells into rows: a row starts with an action after any other column.
        rows: list[list[tuple[str, str, _Line]]] = []
        last_column = None
        for line, option in zip(lines, chosen):
            for column, text in option.cells:
                if not rows or (column == A and last_column != A):
                    rows.append([])
                rows[-1].append((column, text, line))
                last_column = column
        return rows


# -- the parser ---------------------------------------------------------------------------
def _header_columns(text: str) -> list[str] | None:
    """Column order named by a header row's text, or None when it is not an action header
    (it must name an Action column and a lead column)."""
    words = [w for w in re.split(r"[\s/*]+", text.lower()) if w]
    if not words or any(w.strip(":") not in HEADER_WORDS for w in words):
        return None
    found = []
    for column, pattern in HEADER_COLUMNS:
        match = pattern.search(text)
        if match:
            found.append((match.start(), column))
    columns = [c for _, c in sorted(found)]
    if A not in columns or L not in columns or columns[0] != A:
        return None
    return columns


def _is_header_line(text: str) -> bool:
    """A line made only of column-name words ("Action", "Proposed primary agency* /")."""
    words = [w for w in re.split(r"[\s/*]+", text.lower()) if w]
    return bool(words) and all(w.strip(":") in HEADER_WORDS for w in words)


def _drop_headers(lines: list[_Line]) -> list[_Line]:
    """``lines`` without header rows (runs of column names that name an action table).
    A lone "agencies" that ends a wrapped lead is not a header."""
    out, index = [], 0
    while index < len(lines):
        run = index
        while run < len(lines) and _is_header_line(lines[run].text):
            run += 1
        if run > index and _header_columns(" ".join(l.text for l in lines[index:run])):
            index = run
            continue
        out.extend(lines[index:max(run, index + 1)])
        index = max(run, index + 1)
    return out


def _join_cell(column: str, parts: list[tuple[str, _Line]]) -> str:
    """Join the lines of one cell. Wrapped lines are joined with a space ("Multi-" +
    "Agency" keeps its hyphen). In a lead cell, a line after a blank or lone-space line is a
    separate paragraph, i.e. another agency: it is joined with ", " ("CSU" / " " / "KRFS"
    gives "CSU, KRFS") so the agency list can be split later."""
    text = ""
    for index, (part, line) in enumerate(parts):
        if column == L and index and line.gap and text and not _ends_open(text):
            text = f"{text.rstrip()}, {part.strip()}"
        else:
            text = join_wrapped(text, part)
    return clean_cell(text)


class _FlowedParser:
    def __init__(self, text: str, entry: PlanEntry, source: str):
        self.entry, self.source = entry, source
        self.lines = text.splitlines()
        self.priorities: list[Priority] = []
        self.actions: list[ActionRecord] = []
        self.items: list[PlanItem] = []
        self.warnings: list[ParseWarning] = []

    def warn(self, message: str, line: int | None = None) -> None:
        self.warnings.append(ParseWarning(self.source, message, line))

    def parse(self) -> ParsedPlan:
        headings = [i for i, line in enumerate(self.lines) if self._heading(line)]
        for position, start in enumerate(headings):
            end = headings[position + 1] if position + 1 < len(headings) else len(self.lines)
            self._priority_section(start, end)
        return ParsedPlan(entry=self.entry, priorities=self.priorities, actions=self.actions,
                          items=self.items, warnings=self.warnings)

    @staticmethod
    def _heading(line: str) -> re.Match | None:
        match = PRIORITY_HEADING.match(line)
        return match if match and 0 < len(match.group("title")) < 160 else None

    def _text_lines(self, start: int, end: int) -> list[_Line]:
        """Non-noise lines of ``lines[start:end]`` (0-based), with their 1-based numbers and
        whether a blank, lone-space or page-number line came before each."""
        out, gap = [], False
        for index in range(start, end):
            raw = self.lines[index]
            if NOISE.match(raw):
                gap = True
                continue
            out.append(_Line(index + 1, raw.strip(), gap))
            gap = False
        return out

    def _priority_section(self, start: int, end: int) -> None:
        """One ``Priority N: Title`` heading up to the next: header, rows, then items."""
        match = self._heading(self.lines[start])
        number = re.sub(r"\s*(?:&|and)\s*", " & ", match.group("number"))
        title = clean_cell(match.group("title"))
        lines = self._text_lines(start + 1, end)

        # The header: the first run of lines made only of column names.
        columns, first_row = None, 0
        for index, line in enumerate(lines):
            if not _is_header_line(line.text):
                continue
            run = index
            while run < len(lines) and _is_header_line(lines[run].text):
                run += 1
            columns = _header_columns(" ".join(l.text for l in lines[index:run]))
            if columns:
                if index:
                    self.warn(f"priority {number}: {index} line(s) between heading and header ignored",
                              lines[0].number)
                first_row = run
                break
        if columns is None:
            self.warn(f"priority {number} ({title}): no action table header found; heading ignored",
                      start + 1)
            return
        priority = Priority(self.entry.id, number, title, start + 1)
        self.priorities.append(priority)

        # Rows run to the first plan-level item (or the next heading).
        body_end = next((i for i in range(first_row, len(lines))
                         if OTHER_HEADING.match(lines[i].text) or TARGET.match(lines[i].text)
                         or GLYPH_BULLET.match(lines[i].text)), len(lines))
        body = _drop_headers(lines[first_row:body_end])  # a header repeated after a page break
        rows = _RowReader(columns).read(body)
        for n, row in enumerate(rows, start=1):
            self._add_action(priority, n, row)
        if not rows:
            self.warn(f"priority {number}: action table has no rows", start + 1)
        self._items(priority, [lines[i] for i in range(body_end, len(lines))])

    def _add_action(self, priority: Priority, n: int, row: list[tuple[str, str, _Line]]) -> None:
        cells: dict[str, list[tuple[str, _Line]]] = {}
        for column, text, line in row:
            cells.setdefault(column, []).append((text, line))
        values = {column: _join_cell(column, parts) for column, parts in cells.items()}
        first, last = row[0][2].number, row[-1][2].number
        for column in (L, M):
            if not values.get(column):
                self.warn(f"priority {priority.number} row {n}: no {column} text found; the row may be "
                          f"merged with a neighbour", first)
        self.actions.append(ActionRecord(
            plan=self.entry.id, partnership=self.entry.partnership, period=self.entry.period,
            priority=priority.number, priority_title=priority.title,
            ref=f"{priority.number}.{n}", ref_generated=True,
            action=values.get(A, ""), lead=values.get(L, ""), measure=values.get(M, ""),
            source=self.source, line_first=first, line_last=last))

    def _items(self, priority: Priority, lines: list[_Line]) -> None:
        """"Other recommendations" bullets and target lines after a priority's rows.

        A bullet is a line with a bullet glyph or the leading space a lost glyph leaves; a
        line without one continues the open item when it starts in lower case or the item
        has not ended its sentence ("...Transformation) is" / "suitably implemented...").
        """
        current: PlanItem | None = None
        in_bullets = False
        skipped = None
        for line in lines:
            raw = self.lines[line.number - 1]
            target = TARGET.match(raw)
            if OTHER_HEADING.match(raw):
                in_bullets, current = True, None
                continue
            if target:
                current = PlanItem(self.entry.id, f"{target.group('kind').lower()} target", priority.number,
                                   target.group("text"), self.source, line.number, line.number)
                self.items.append(current)
                in_bullets = False
                continue
            bullet = BULLET.match(raw)
            if bullet and (in_bullets or GLYPH_BULLET.match(raw)):
                current = PlanItem(self.entry.id, "other recommendation", priority.number,
                                   bullet.group("text"), self.source, line.number, line.number)
                self.items.append(current)
                continue
            if current is not None and (_starts_lower(line.text) or not _ends_sentence(current.text)):
                current.text = join_wrapped(current.text, line.text)
                current.line_last = line.number
                continue
            if skipped is None:
                skipped = line.number
        if skipped is not None:
            self.warn(f"priority {priority.number}: text after the action table not recognised "
                      f"(not a bullet or target); ignored", skipped)


def parse_flowed(text: str, entry: PlanEntry, source: str) -> ParsedPlan:
    """Parse a plan whose action tables were flowed out of a PDF (no tabs)."""
    return _FlowedParser(text, entry, source).parse()
