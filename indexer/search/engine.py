"""The search engine: TF-IDF over the plans' actions, with question understanding on top.

``SearchEngine().fit(kb)`` learns the vocabulary and the weighted field matrices;
``engine.ask(question)`` returns an :class:`~indexer.search.answer.Answer`. No Telegram here:
the CLI, the local chat and the bot all call this.

How a topic question is scored (see :meth:`SearchEngine._rank_topic`):

1. The topic words become *term groups*: each word with its alternatives (typo correction
   against the index vocabulary, glossary synonyms, acronym <-> long form).
2. Relevance = field-weighted cosine of word/bigram TF-IDF (action text weighs most, then
   lead, measure, priority title) + a character n-gram cosine on the action text (partial
   words, spelling variants) + the IDF-weighted share of term groups the action contains.
3. An action is a candidate only when that share (its *coverage*) passes a calibrated bar;
   with no candidate the engine abstains.
4. Scope: a period or partnership in the question restricts the plans. Otherwise, per
   partnership, the newest plan that covers the topic about as well as any plan answers;
   older plans only when no newer plan covers it (their results are labelled).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from ..agencies import AgencyResolver
from ..knowledge import KnowledgeBase
from ..models import ActionRecord, PlanEntry
from ..textutil import normalise
from .answer import INTENTS, Answer, Result
from .query import FRAMING_WORDS, WEAK_WORDS, ParsedQuery, parse_question
from .text import STOPWORDS, analyse, content_words, stem, words
from .typos import english_frequency, likelier_word, plausible_typo

RESULT_CAP = 100  # results kept per answer: twenty pages of "More"
FIELD_WEIGHTS = {"action": 1.0, "lead": 0.45, "measure": 0.35, "priority": 0.25, "extra": 0.2}


def with_bigrams(stems: list[str]) -> list[str]:
    """Stems and stem bigrams (bigrams reward "safe town", "one stop" as phrases)."""
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:])]


def _distinct(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct texts in first-seen order, and for each input its index among them."""
    index: dict[str, int] = {}
    rows = np.fromiter((index.setdefault(text, len(index)) for text in texts), dtype=np.int64, count=len(texts))
    return list(index), rows


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf times idf, each row L2-normalised (as TfidfVectorizer(sublinear_tf=True))."""
    weighted = counts.astype(np.float32, copy=True)
    weighted.data = (1 + np.log(weighted.data)) * idf[weighted.indices]
    return normalize(weighted, norm="l2", copy=False)


def _as_is(tokens: list[str]) -> list[str]:
    """The vectorizer's analyzer: fields arrive already tokenised (module-level, so it pickles)."""
    return tokens


@dataclass
class TermGroup:
    """One topic word (or phrase) of a question and the stems that count as matching it."""

    word: str
    alternatives: list[tuple[str, ...]]  # each alternative: stems that must all be present
    weight: float = 1.0  # IDF of the rarest alternative, set by the engine
    weak: bool = False  # a framing-ish word: scored, but not needed for coverage
    corrected: str | None = None  # the vocabulary word a typo was corrected to


@dataclass
class FieldIndex:
    """One field of the actions (action text, lead, ...) indexed over its *distinct* texts:
    actions that share a text share a row, which keeps memory and fitting proportional to
    what the plans actually say rather than to how often they repeat it."""

    tfidf: sparse.csc_matrix  # distinct texts x terms, column-major: a question reads few columns
    presence: sparse.csc_matrix | None  # binary, same shape
    row_of_action: np.ndarray  # action -> its distinct text

    @classmethod
    def build(cls, counts: sparse.csr_matrix, idf: np.ndarray, row_of_action: np.ndarray) -> "FieldIndex":
        presence = (counts > 0).astype(np.float32).tocsc()
        return cls(_tfidf(counts, idf).tocsc(), presence, row_of_action)

    def scores(self, columns: np.ndarray, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Dot product of each of ``rows`` (actions) with a sparse query vector."""
        return _column_dot(self.tfidf, columns, values)[self.row_of_action[rows]]

    def has(self, column: int, rows: np.ndarray) -> np.ndarray:
        """Does each of ``rows`` (actions) contain the term in ``column``?"""
        has = np.zeros(self.presence.shape[0], dtype=bool)
        has[self.presence.indices[self.presence.indptr[column]:self.presence.indptr[column + 1]]] = True
        return has[self.row_of_action[rows]]


@dataclass
class Scored:
    """Candidate actions as parallel arrays, best first: rows, score, coverage."""

    rows: np.ndarray
    score: np.ndarray
    coverage: np.ndarray

    def __len__(self) -> int:
        return int(self.rows.size)

    def keep(self, mask: np.ndarray) -> "Scored":
        return Scored(self.rows[mask], self.score[mask], self.coverage[mask])

    def sorted(self) -> "Scored":
        order = np.lexsort((self.rows, -self.score))  # ties keep plan order
        return Scored(self.rows[order], self.score[order], self.coverage[order])


@dataclass
class SearchEngine:
    """Fitted search over a :class:`KnowledgeBase`; see the module docstring."""

    min_coverage: float = 0.5
    cover_ratio: float = 0.7  # a newer plan "covers" a topic at this share of the best coverage
    recency_penalty: float = 0.05  # per year behind the newest plan, across partnerships
    page_size: int = 5
    actions: list[ActionRecord] = field(default_factory=list)

    # ------------------------------------------------------------------ fitting
    def fit(self, kb: KnowledgeBase) -> "SearchEngine":
        """Learn vocabulary, IDF and field matrices from the knowledge base."""
        self.actions = list(kb.actions)
        self.plans: dict[str, PlanEntry] = {p.id: p for p in kb.plans}
        self.resolver = AgencyResolver(kb.glossary)
        fields = {
            "action": [a.action for a in self.actions],
            "lead": [f"{a.lead} {' '.join(a.leads)}" for a in self.actions],
            "measure": [a.measure for a in self.actions],
            "priority": [a.priority_title for a in self.actions],
            "extra": [" ".join(a.extras.get(k, "") for k in ("target", "outcome")) for a in self.actions],
        }
        size = len(self.actions)
        # Texts repeat a great deal (priority titles, shared leads, a plan carried over to the
        # next year), so each field is tokenised and counted once per distinct text.
        distinct = {name: _distinct(texts) for name, texts in fields.items()}
        # Surface words once per distinct text: their stems feed the index, the words themselves
        # the typo-correction vocabulary.
        surface_words = {name: [content_words(text) for text in distinct[name][0]] for name in fields}
        grams = {name: [with_bigrams([stem(w) for w in found]) for found in surface_words[name]] for name in fields}
        counter = CountVectorizer(analyzer=_as_is, dtype=np.float32)
        counter.fit(g for name in fields for g in grams[name])
        self.vocabulary: dict[str, int] = counter.vocabulary_
        counts = {name: counter.transform(grams[name]).tocsr() for name in fields}  # distinct texts x terms
        # Document frequencies count actions, so each field's rows are spread to the actions once
        # here (binary, then dropped); the kept matrices stay one row per distinct text.
        own_fields = ("action", "lead", "measure", "extra")
        own = sum((counts[name] > 0).astype(np.float32)[distinct[name][1]] for name in own_fields)
        own_freq = np.asarray((own > 0).sum(axis=0)).ravel()
        in_any = own + (counts["priority"] > 0).astype(np.float32)[distinct["priority"][1]]
        doc_freq = np.asarray((in_any > 0).sum(axis=0)).ravel()
        del own, in_any
        self.idf = (np.log((1 + size) / (1 + doc_freq)) + 1).astype(np.float32)  # sklearn's smooth idf
        self.fields = {name: FieldIndex.build(counts[name], self.idf, distinct[name][1]) for name in fields}
        self.own_fields = own_fields
        # Character n-grams within word boundaries: "tagger"/"taggers", "self-defence"/"self defence".
        self.char_vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                               dtype=np.float32, lowercase=True)
        actions, action_row = distinct["action"]
        self.char_field = FieldIndex(self.char_vectorizer.fit_transform(actions).tocsc(), None, action_row)
        # Stems (unigram columns) for coverage. A word found only in the priority title is
        # weaker evidence than one in the action's own cells.
        self.stem_index = {term: column for term, column in self.vocabulary.items() if " " not in term}
        self.stem_idf = {term: float(np.log((1 + size) / (1 + own_freq[c])) + 1) for term, c in self.stem_index.items()}
        self.unknown_idf = float(np.log(1 + size) + 1)
        # Surface words for typo correction, with roughly how many actions use them.
        surface: dict[str, int] = {}
        for name in fields:
            texts, rows = distinct[name]
            uses = np.bincount(rows, minlength=len(texts))
            for found, used in zip(surface_words[name], uses):
                for word in {w for w in found if w.isalpha() and len(w) >= 3}:
                    surface[word] = surface.get(word, 0) + int(used)
        self.surface_vocab = surface
        self.surface_list = sorted(surface)
        # Lead words -> distinct lead texts -> actions, so "which actions involve Kent Police"
        # reads a few postings and checks each distinct lead once.
        lead_texts, self.lead_of_action = distinct["lead"]
        self.lead_text = [normalise(text) for text in lead_texts]
        postings: dict[str, list[int]] = {}
        for number, text in enumerate(self.lead_text):
            for token in set(text.split()):
                postings.setdefault(token, []).append(number)
        self.lead_postings = {token: np.array(ids, dtype=np.int64) for token, ids in postings.items()}
        order = np.argsort(self.lead_of_action, kind="stable")
        bounds = np.searchsorted(self.lead_of_action[order], np.arange(len(lead_texts) + 1))
        self.actions_of_lead = [order[bounds[i]:bounds[i + 1]] for i in range(len(lead_texts))]
        self._agency_rows_cache: dict[str, np.ndarray] = {}
        self._scope_cache: dict[tuple, np.ndarray] = {}
        # Per-action arrays for scope and ordering without Python loops.
        self.plan_ids = [p.id for p in kb.plans]
        self.plan_code = {plan_id: code for code, plan_id in enumerate(self.plan_ids)}
        self.action_plan = np.array([self.plan_code[a.plan] for a in self.actions], dtype=np.int64)
        # Listings: actions per plan and per priority, priorities and subsidiaries per plan.
        self.plan_sizes = dict(zip(self.plan_ids, np.bincount(self.action_plan, minlength=len(self.plan_ids)).tolist()))
        self.priority_sizes: dict[tuple[str, str], int] = {}
        for action in self.actions:
            key = (action.plan, action.priority)
            self.priority_sizes[key] = self.priority_sizes.get(key, 0) + 1
        self.priorities_of: dict[str, list] = {}
        for priority in kb.priorities:
            self.priorities_of.setdefault(priority.plan, []).append(priority)
        self.subsidiaries_of: dict[str, list] = {}
        for item in kb.items:
            if item.kind == "subsidiary priority":
                self.subsidiaries_of.setdefault(item.plan, []).append(item)
        self.plan_year = np.array([p.start_year for p in kb.plans], dtype=np.int64)
        partnerships = sorted({p.partnership for p in kb.plans})
        self.plan_partnership = np.array([partnerships.index(p.partnership) for p in kb.plans], dtype=np.int64)
        self.partnership_names = partnerships
        self.partnership_code = {name: code for code, name in enumerate(partnerships)}
        refs: dict[str, list[int]] = {}
        for row, action in enumerate(self.actions):
            refs.setdefault(action.ref, []).append(row)
        self.ref_rows = {ref: np.array(rows, dtype=np.int64) for ref, rows in refs.items()}
        self.first_lead = np.array([a.leads[0] if a.leads else "" for a in self.actions], dtype=object)
        # Question words first: a tie ("wat" -> "what" or "want") goes to the likelier one.
        question_words = ["what", "who", "which", "how", "does", "lead", "leads", "responsible"]
        self.framing_list = question_words + sorted(
            w for w in FRAMING_WORDS | WEAK_WORDS if len(w) >= 4 and w not in question_words)
        # Lead words -> actions, so "which actions involve Kent Police" reads a few postings.
        # Agencies: every canonical lead name seen, and the glossary's.
        names = {n for a in self.actions for n in a.leads} | set(kb.glossary.agencies)
        self.agency_names = sorted(n for n in names if n)
        # Normalised name -> name, and every normalised name or alias, for resolving a question.
        self.agency_by_key = {normalise(n): n for n in self.agency_names}
        self.agency_keys = list(self.agency_by_key) + list(self.resolver.alias_to_name)
        lead_counts: dict[str, int] = {}
        for action in self.actions:
            for name in action.leads:
                lead_counts[name] = lead_counts.get(name, 0) + 1
        self.busiest_agencies = sorted(lead_counts, key=lambda n: -lead_counts[n])[:5]
        self.acronyms = {d.term.lower(): d for d in kb.definitions}
        self.long_forms = sorted(((normalise(d.meaning), d.term.lower()) for d in kb.definitions
                                  if len(normalise(d.meaning).split()) >= 2), key=lambda x: -len(x[0]))
        self.synonyms = kb.glossary.synonyms
        # Plans per partnership, newest first.
        self.partnership_plans: dict[str, list[str]] = {}
        for plan in sorted(kb.plans, key=lambda p: -p.start_year):
            self.partnership_plans.setdefault(plan.partnership, []).append(plan.id)
        self.partnership_aliases = self._partnership_aliases(kb.plans)
        self.periods = sorted({p.period for p in kb.plans}, reverse=True)
        return self

    @staticmethod
    def _partnership_aliases(plans: list[PlanEntry]) -> dict[str, str]:
        """Lower-case ways to name each partnership: its name, its words, its council acronym."""
        aliases: dict[str, str] = {}
        for plan in plans:
            name = plan.partnership
            lowered = name.lower()
            aliases[lowered] = name
            words_ = [w for w in re.split(r"\W+", lowered) if w and w not in ("and", "of", "the")]
            aliases[" ".join(words_)] = name
            aliases[words_[0]] = name if len(words_[0]) > 3 else aliases.get(words_[0], name)
            initials = "".join(w[0] for w in re.split(r"\W+", lowered) if w)
            aliases[initials + "bc"] = name  # Tunbridge Wells -> twbc, Tonbridge and Malling -> tambc
            aliases["".join(w[0] for w in words_) + "bc"] = name  # tmbc
            aliases[lowered.replace(" and ", " & ")] = name
        return aliases

    # ------------------------------------------------------------------ answering
    def ask(self, question: str, intent: str | None = None, offset: int = 0, limit: int | None = None) -> Answer:
        """Answer one question. ``intent`` forces an intent (the bot's commands do)."""
        if intent is not None and intent not in INTENTS:
            raise ValueError(f"unknown intent {intent!r} (known: {', '.join(INTENTS)})")
        limit = limit or self.page_size
        corrected = self._correct_framing(question)
        parsed = parse_question(corrected, self.periods, self.partnership_aliases, self._is_acronym)
        if intent and intent != parsed.intent:
            parsed = self._force_intent(parsed, intent)
        handler = {
            "plans": self._answer_plans, "priorities": self._answer_priorities,
            "glossary": self._answer_glossary, "ref": self._answer_ref,
            "agency": self._answer_agency, "history": self._answer_history, "help": self._answer_help,
        }.get(parsed.intent, self._answer_topic)
        answer = handler(parsed)
        answer.query = question
        answer.scope = {"period": parsed.period, "partnership": parsed.partnership}
        return self._page(answer, offset, limit)

    def _force_intent(self, parsed: ParsedQuery, intent: str) -> ParsedQuery:
        """Apply a command's intent to its argument ("/lead KP" -> agency "KP")."""
        text = parsed.raw
        parsed.intent = intent
        if intent == "agency":
            parsed.agency_text = re.sub(r"^\s*(?:the\s+)?", "", _strip_scope(text, parsed))
            parsed.topic = ""
        elif intent == "glossary":
            parsed.glossary_term = text.strip(" ?")
        elif intent == "ref":
            from .query import find_ref
            parsed.ref = find_ref(text) or find_ref(f"action {text}")
        elif intent in ("lead", "measure", "history", "search"):
            parsed.topic = parsed.topic or _strip_scope(text, parsed)
        return parsed

    def _page(self, answer: Answer, offset: int, limit: int) -> Answer:
        everything = answer.results
        answer.total = len(everything)
        answer.offset = max(0, min(offset, max(0, len(everything) - 1)))
        answer.results = everything[answer.offset: answer.offset + limit]
        for position, result in enumerate(answer.results, start=answer.offset + 1):
            result.rank = position
        return answer

    # ------------------------------------------------------------------ intents
    def _answer_help(self, parsed: ParsedQuery) -> Answer:
        """Greetings, thanks and "help": what to ask, with examples drawn from the plans held."""
        newest = [self.plans[ids[0]] for ids in self.partnership_plans.values()]
        agencies = self.busiest_agencies[:2]
        lines = [
            "Ask me who leads a commitment in the partnership plans, for example:",
            "- who leads graffiti work",
            f"- what does {agencies[0] if agencies else 'Kent Police'} lead on",
            "- how is the sanctuary scheme measured",
            f"- action 1.1 in {newest[0].period}" if newest else "- action 1.1",
            "- what are the priorities",
            "- what does VAWG stand for",
            "- how has the one stop shop changed over the years",
            "Add a year (2022/23) or a partnership (" + ", ".join(p.partnership for p in newest) + ") to narrow it down.",
        ]
        return Answer(query=parsed.raw, intent="help", heading="Hello!", lines=lines)

    def _answer_plans(self, parsed: ParsedQuery) -> Answer:
        lines = []
        for partnership, plan_ids in sorted(self.partnership_plans.items()):
            for plan_id in plan_ids:
                plan = self.plans[plan_id]
                count = self.plan_sizes.get(plan_id, 0)
                lines.append(f"{plan.title} ({plan.period}, {partnership}): {count} actions, file {plan.file}")
        return Answer(query=parsed.raw, intent="plans", heading=f"I have {len(lines)} plans:", lines=lines)

    def _answer_priorities(self, parsed: ParsedQuery) -> Answer:
        plan_ids = self._scoped_plans(parsed, newest_only=True)
        lines = []
        for plan_id in plan_ids:
            plan = self.plans[plan_id]
            lines.append(f"{plan.title} ({plan.period}):")
            for priority in self.priorities_of.get(plan_id, []):
                count = self.priority_sizes.get((plan_id, priority.number), 0)
                lines.append(f"  Priority {priority.number}: {priority.title} ({count} actions)")
            for item in self.subsidiaries_of.get(plan_id, []):
                lines.append(f"  Subsidiary priority {item.priority}: {item.text.split(':')[0]}")
        if not lines:
            return self._nothing(parsed, f"I have no plan for {parsed.period or 'that'}.")
        return Answer(query=parsed.raw, intent="priorities", heading="Priorities:", lines=lines)

    def _answer_glossary(self, parsed: ParsedQuery) -> Answer:
        term = (parsed.glossary_term or "").strip()
        key = term.lower().strip("'\" ")
        definition = self.acronyms.get(key) or self.acronyms.get(key.rstrip("s"))
        lines = []
        if definition:
            where = definition.source + (f", line {definition.line}" if definition.line else "")
            lines.append(f"{definition.term} = {definition.meaning} (source: {where})")
        agency = self.resolver.alias_to_name.get(normalise(term))
        if agency and (not definition or normalise(agency) != normalise(definition.meaning)):
            lines.append(f"{term} is an alias of the agency {agency}.")
        if not lines:
            matches = process.extract(key, list(self.acronyms), scorer=fuzz.ratio, limit=3, score_cutoff=70)
            answer = self._nothing(parsed, f"I don't know what {term} stands for.")
            answer.intent = "glossary"
            answer.suggestions = [self.acronyms[m[0]].term for m in matches]
            return answer
        return Answer(query=parsed.raw, intent="glossary", heading="", lines=lines)

    def _answer_ref(self, parsed: ParsedQuery) -> Answer:
        in_scope = self._in_scope(parsed)
        hits = self.ref_rows.get(parsed.ref or "", np.empty(0, dtype=np.int64))
        hits = hits[in_scope[hits]]
        if not hits.size and parsed.ref and "." in parsed.ref:
            # "action 2.5" in a plan that numbers actions per section ("5" in priority "2")
            number, sub = parsed.ref.split(".")
            hits = self.ref_rows.get(sub, np.empty(0, dtype=np.int64))
            hits = np.array([i for i in hits[in_scope[hits]] if self.actions[i].priority == number], dtype=np.int64)
        if not hits.size:
            return self._nothing(parsed, f"No action {parsed.ref} in "
                                         f"{'the ' + parsed.period + ' plan' if parsed.period else 'the plans'}.")
        years = self.plan_year[self.action_plan[hits]]
        hits = hits[np.lexsort((hits, -years))]  # newest plan first
        newest = years.max()
        results = [self._result(int(i), 1.0, "" if parsed.period or self.plan_year[self.action_plan[i]] == newest
                                else "older plan") for i in hits[:RESULT_CAP]]
        return Answer(query=parsed.raw, intent="ref", heading=f"Action {parsed.ref}:", results=results)

    def _answer_agency(self, parsed: ParsedQuery) -> Answer:
        agency = self.resolve_agency(parsed.agency_text or "")
        if agency is None:
            # Not an agency ("what does the sanctuary scheme do"): a topic question after all.
            parsed.intent, parsed.topic = "search", f"{parsed.agency_text} {parsed.topic}".strip()
            return self._answer_topic(parsed)
        hits = self.agency_rows(agency)
        hits = hits[self._in_scope(parsed)[hits]]
        if not hits.size:
            return self._nothing(parsed, f"{agency} leads no action in "
                                         f"{'the ' + parsed.period + ' plan' if parsed.period else 'the plans I have'}.")
        topic_score = np.zeros(hits.size, dtype=np.float32)
        on_topic = self._rank_topic(parsed.topic, hits) if parsed.topic else None
        if on_topic is not None and len(on_topic):
            # "what is KCC doing about road safety": the agency's actions on that topic, from
            # the newest plan that has one.
            if not parsed.period:
                on_topic = self._prefer_newest(on_topic)
            hits, topic_score = on_topic.rows, on_topic.score
        elif not parsed.period:
            # All its actions in the newest plan that has any, per partnership.
            hits = self._newest_plan_rows(hits)
            topic_score = np.zeros(hits.size, dtype=np.float32)
        # Topic first, then newest plan, then where the agency is named first, then plan order.
        not_first = self.first_lead[hits] != agency
        order = np.lexsort((hits, not_first, -self.plan_year[self.action_plan[hits]], -topic_score))
        results = [self._result(int(hits[i]), float(topic_score[i]) or 1.0) for i in order[:RESULT_CAP]]
        return Answer(query=parsed.raw, intent="agency", results=results, agency=agency, topic=parsed.topic,
                      heading=f"{agency} leads {hits.size} action{'s' if hits.size != 1 else ''}:")

    def _answer_history(self, parsed: ParsedQuery) -> Answer:
        scored = self._rank_topic(parsed.topic, self._candidate_rows(parsed))
        if not len(scored):
            return self._nothing(parsed)
        # The best match of each plan that covers the topic (scored is best first).
        covering = scored.keep(scored.coverage >= scored.coverage.max() * self.cover_ratio)
        _, first = np.unique(self.action_plan[covering.rows], return_index=True)
        best = covering.keep(np.isin(np.arange(len(covering)), first))
        order = np.lexsort((-best.score, -self.plan_year[self.action_plan[best.rows]]))[:RESULT_CAP]
        steps = [(int(best.rows[i]), float(best.score[i])) for i in order]
        by_plan = {self.actions[row].plan for row, _ in steps}
        results = []
        for position, (row, score) in enumerate(steps):
            action = self.actions[row]
            older = next((self.actions[r] for r, _ in steps[position + 1:]
                          if self.actions[r].partnership == action.partnership), None)
            results.append(self._result(row, score, self._change_note(action, older)))
        lines = []
        for partnership in sorted({self.plans[p].partnership for p in by_plan}):
            missing = [self.plans[p].period for p in self.partnership_plans[partnership] if p not in by_plan]
            if missing:
                lines.append(f"Not found in the {', '.join(sorted(missing, reverse=True))} "
                             f"{partnership} plan{'s' if len(missing) > 1 else ''}.")
        topic = display_topic(parsed.topic or parsed.raw)
        return Answer(query=parsed.raw, intent="history", results=results, lines=lines, topic=topic,
                      heading=f"\u201c{topic}\u201d across the plan years (newest first):")

    def _answer_topic(self, parsed: ParsedQuery) -> Answer:
        topic = display_topic(parsed.topic or parsed.raw)
        scored = self._rank_topic(topic, self._candidate_rows(parsed))
        if not len(scored):
            return self._nothing(parsed, topic=topic)
        if not parsed.period:
            scored = self._prefer_newest(scored)
        scored = self._recency_order(scored)
        newest = {ids[0] for ids in self.partnership_plans.values()}
        results = []
        for row, score in zip(scored.rows[:RESULT_CAP], scored.score[:RESULT_CAP]):
            note = "" if (parsed.period or self.actions[row].plan in newest) else "older plan"
            results.append(self._result(int(row), float(score), note))
        leads = []
        close = [r for r in results[:3] if r.action.plan == results[0].action.plan and r.score >= 0.75 * results[0].score]
        for result in close:
            for name in result.action.leads or [result.action.lead]:
                if name not in leads:
                    leads.append(name)
        intent = parsed.intent if parsed.intent in ("lead", "measure") else "search"
        if intent == "lead":
            heading = f"Who leads {topic}: {', '.join(leads[:4])}" if leads else ""
        elif intent == "measure":
            heading = f"How {topic} is measured:"
        else:
            heading = f"Actions about {topic}:"
        return Answer(query=parsed.raw, intent=intent, results=results, heading=heading, topic=topic)

    def _nothing(self, parsed: ParsedQuery, message: str | None = None, topic: str | None = None) -> Answer:
        """An honest "not covered" reply, with the nearest priorities and any did-you-mean."""
        suggestions = []
        for group in self._term_groups(topic or parsed.topic or ""):
            if group.corrected and group.corrected != group.word:
                suggestions.append(group.corrected)
        lines = []
        newest = [ids[0] for ids in self.partnership_plans.values()]
        titles = [f"{self.plans[pid].partnership} {self.plans[pid].period}: " +
                  "; ".join(p.title for p in self.priorities_of.get(pid, [])) for pid in newest]
        if parsed.intent not in ("glossary",):
            lines.append("The current plans cover: " + " | ".join(titles))
        return Answer(query=parsed.raw, intent=parsed.intent, topic=topic or parsed.topic,
                      heading=message or "The plans don't cover that, as far as I can find.",
                      lines=lines, suggestions=suggestions, covered=False)

    # ------------------------------------------------------------------ scope
    def _scoped_plans(self, parsed: ParsedQuery, newest_only: bool) -> list[str]:
        """Plan ids within the question's scope; newest plan per partnership if asked."""
        plan_ids = []
        for partnership, ids in self.partnership_plans.items():
            if parsed.partnership and partnership != parsed.partnership:
                continue
            chosen = [i for i in ids if not parsed.period or self.plans[i].period == parsed.period]
            if newest_only and not parsed.period:
                chosen = chosen[:1]
            plan_ids += chosen
        return plan_ids

    def _in_scope(self, parsed: ParsedQuery) -> np.ndarray:
        """Boolean per action: is its plan within the question's period and partnership?"""
        key = (parsed.period, parsed.partnership)
        if key not in self._scope_cache:
            codes = [self.plan_code[p] for p in self._scoped_plans(parsed, newest_only=False)]
            plan_in_scope = np.zeros(len(self.plan_ids), dtype=bool)
            plan_in_scope[codes] = True
            if len(self._scope_cache) > 256:
                self._scope_cache.clear()
            self._scope_cache[key] = plan_in_scope[self.action_plan]
        return self._scope_cache[key]

    def _candidate_rows(self, parsed: ParsedQuery) -> np.ndarray:
        return np.flatnonzero(self._in_scope(parsed))

    def _prefer_newest(self, scored: Scored) -> Scored:
        """Per partnership, keep the newest plan that covers the topic about as well as the best.

        "Covers" compares coverage (how much of the question an action contains), not the raw
        score, so a long older action does not win over a short current one.
        """
        plans = self.action_plan[scored.rows]
        best_by_plan = np.zeros(len(self.plan_ids), dtype=np.float32)
        np.maximum.at(best_by_plan, plans, scored.coverage)
        partnership_of_plan = self.plan_partnership
        best_by_partnership = np.zeros(len(self.partnership_names), dtype=np.float32)
        np.maximum.at(best_by_partnership, partnership_of_plan, best_by_plan)
        chosen = np.zeros(len(self.plan_ids), dtype=bool)
        for partnership, plan_ids in self.partnership_plans.items():
            bar = best_by_partnership[self.partnership_code[partnership]] * self.cover_ratio
            if bar <= 0:
                continue
            for plan_id in plan_ids:  # newest first
                code = self.plan_code[plan_id]
                if best_by_plan[code] >= bar:
                    chosen[code] = True
                    break
        return scored.keep(chosen[plans])

    def _recency_order(self, scored: Scored) -> Scored:
        """Re-rank across plans: a plan some years older than the newest plan held loses a
        little (5% a year), so the current commitments come first when scores are close."""
        age = self.plan_year.max() - self.plan_year[self.action_plan[scored.rows]]
        return Scored(scored.rows, scored.score * (1 - self.recency_penalty) ** age, scored.coverage).sorted()

    def _newest_plan_rows(self, rows: np.ndarray) -> np.ndarray:
        """Of ``rows``, those in the newest plan (among theirs) of each partnership."""
        plans = self.action_plan[rows]
        partnership = self.plan_partnership[plans]
        years = self.plan_year[plans]
        newest = np.zeros(len(self.partnership_names), dtype=np.int64)
        np.maximum.at(newest, partnership, years)
        return rows[years == newest[partnership]]

    # ------------------------------------------------------------------ topic ranking
    def _rank_topic(self, topic: str, rows: np.ndarray, gate: bool = True) -> Scored:
        """Score ``rows`` against ``topic``, best first; with ``gate``, drop those below the
        coverage bar (and everything when the question's words are mostly unknown)."""
        rows = np.asarray(rows, dtype=np.int64)
        nothing = Scored(rows[:0], np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.float32))
        groups = self._term_groups(topic)
        strong = [g for g in groups if not g.weak and g.alternatives]
        if not rows.size or not any(g.alternatives for g in groups):
            return nothing
        if gate:
            known_share = sum(g.weight for g in strong) / max(1e-9, sum(g.weight for g in groups if not g.weak))
            if not strong or known_share < 0.5:
                return nothing  # the question's words are mostly unknown to the plans
        # Word scores first: an action that shares no term with the question (score 0) cannot
        # cover it, so coverage, the costlier part, is only worked out for the others.
        columns, values = self._query_vector(groups)
        score = np.zeros(rows.size, dtype=np.float32)
        for name, weight in FIELD_WEIGHTS.items():
            score += weight * self.fields[name].scores(columns, values, rows)
        touched = score > 0
        rows, score = rows[touched], score[touched]
        coverage = self._coverage(groups, rows)
        if gate:
            keep = coverage >= self.min_coverage
            rows, score, coverage = rows[keep], score[keep], coverage[keep]
            if not rows.size:
                return nothing
        char_columns, char_values = self._char_vector(" ".join(g.word for g in groups))
        score += 0.3 * self.char_field.scores(char_columns, char_values, rows)
        score += 0.6 * coverage
        return Scored(rows, score, coverage).sorted()

    def _query_vector(self, groups: list[TermGroup]) -> tuple[np.ndarray, np.ndarray]:
        """TF-IDF vector of the question as (columns, values), L2-normalised: each group's
        alternatives, original words weighted fully and synonyms/corrections a little less."""
        vocab, idf = self.vocabulary, self.idf
        values: dict[int, float] = {}
        stems_in_order = []
        for group in groups:
            for position, alternative in enumerate(group.alternatives):
                factor = (1.0 if position == 0 and not group.corrected else 0.7) * (0.5 if group.weak else 1.0)
                for term in alternative:
                    if term in vocab:
                        column = vocab[term]
                        values[column] = max(values.get(column, 0.0), factor * idf[column])
                if position == 0:
                    stems_in_order.extend(alternative)
        for a, b in zip(stems_in_order, stems_in_order[1:]):
            column = vocab.get(f"{a} {b}")
            if column is not None:
                values[column] = idf[column]
        return _normalised(values)

    def _char_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Character n-gram TF-IDF of ``text`` (sublinear tf, L2), without sklearn's per-call overhead."""
        vocab = self.char_vectorizer.vocabulary_
        idf = self.char_vectorizer.idf_
        counts: dict[int, int] = {}
        for gram in self.char_vectorizer.build_analyzer()(text):
            column = vocab.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        return _normalised({c: (1 + np.log(n)) * idf[c] for c, n in counts.items()})

    def _coverage(self, groups: list[TermGroup], rows: np.ndarray) -> np.ndarray:
        """IDF-weighted share of the (non-weak) term groups each row contains.

        A group counts fully when the action's own cells contain it, half when only its
        priority title does, and a corrected typo counts a little less than a word as typed.
        """
        strong = [g for g in groups if not g.weak]
        total = sum(g.weight for g in strong) or 1.0
        covered = np.zeros(rows.size, dtype=np.float32)
        for group in strong:
            matched = np.zeros(rows.size, dtype=np.float32)
            for alternative in group.alternatives:
                columns = [self.stem_index[t] for t in alternative if t in self.stem_index]
                if len(columns) != len(alternative) or not columns:
                    continue
                own = self._all_present([self.fields[name] for name in self.own_fields], rows, columns)
                title = self._all_present([self.fields["priority"]], rows, columns)
                matched = np.maximum(matched, np.where(own, 1.0, np.where(title, 0.5, 0.0)))
            certainty = 0.85 if group.corrected else 1.0
            covered += group.weight * certainty * matched
        return covered / total

    @staticmethod
    def _all_present(fields: list["FieldIndex"], rows: np.ndarray, columns: list[int]) -> np.ndarray:
        """For each of ``rows``: do its ``fields`` together contain every one of ``columns``?"""
        present = np.ones(rows.size, dtype=bool)
        for column in columns:
            has = np.zeros(rows.size, dtype=bool)
            for field_index in fields:
                has |= field_index.has(column, rows)
            present &= has
        return present

    def _term_groups(self, topic: str) -> list[TermGroup]:
        """The topic's words as term groups: stems, typo corrections, synonyms, acronyms."""
        text = " " + normalise(topic.replace("-", " ")) + " "
        groups: list[TermGroup] = []
        # Long forms written out ("violence against women and girls") also match their acronym.
        for long_form, acronym in self.long_forms:
            if f" {long_form} " in text and acronym in self.stem_index:
                groups.append(TermGroup(long_form, [tuple(analyse(long_form)), (stem(acronym),)]))
                text = text.replace(f" {long_form} ", " ")
        # Multi-word synonyms ("under 18s", "keeps an eye", "domestic violence").
        for phrase in sorted((p for p in self.synonyms if " " in p), key=len, reverse=True):
            if f" {normalise(phrase)} " in text:
                alternatives = [tuple(analyse(x)) for x in self.synonyms[phrase] if analyse(x)]
                groups.append(TermGroup(phrase, alternatives))
                text = text.replace(f" {normalise(phrase)} ", " ")
        for word in words(text):
            if word in STOPWORDS or word in FRAMING_WORDS or (len(word) < 3 and word not in self.acronyms):
                continue
            groups.append(self._group_for_word(word))
        for group in groups:
            weights = [self.stem_idf.get(t, 0.0) for alt in group.alternatives for t in alt]
            # A word the plans never use counts against an answer: fully when it is a rare word
            # (likely the real topic: "cuckooing"), less when it is everyday English ("inside").
            group.weight = max(weights) if weights else self.unknown_idf * unknown_word_share(group.word)
        return [g for g in groups if g.word]

    def _group_for_word(self, word: str) -> TermGroup:
        weak = word in WEAK_WORDS
        alternatives: list[tuple[str, ...]] = []
        corrected = None
        root = stem(word)
        if root in self.stem_index:
            alternatives.append((root,))
        elif not word.isdigit() and word not in self.synonyms:
            corrected = self._correct(word)
            if corrected:
                alternatives.append((stem(corrected),))
        # Acronym -> long form ("vawg" -> violence against women and girls).
        definition = self.acronyms.get(word)
        if definition:
            long_stems = tuple(analyse(definition.meaning))
            if long_stems and all(t in self.stem_index for t in long_stems):
                alternatives.append(long_stems)
        for synonym in self.synonyms.get(word, []) + (self.synonyms.get(corrected, []) if corrected else []):
            stems = tuple(analyse(synonym))
            if stems and stems not in alternatives:
                alternatives.append(stems)
        return TermGroup(word, alternatives, weak=weak, corrected=corrected)

    def _correct(self, word: str) -> str | None:
        """The index word a typo most likely meant, or None.

        Optimal string alignment distance (a transposition costs 1: "sefl" -> "self") of at most
        1 for short words and 2 for words of seven letters or more; among equals the word more
        actions use.
        """
        if len(word) < 4:
            return None
        limit = 1 if len(word) < 7 else 2
        matches = process.extract(word, self.surface_list, scorer=OSA.distance, score_cutoff=limit, limit=10)
        matches = [m for m in matches if plausible_typo(word, m[0]) and likelier_word(word, m[0])]
        if not matches:
            return None
        best = min(m[1] for m in matches)
        options = [m[0] for m in matches if m[1] == best]
        return max(options, key=lambda w: (self.surface_vocab.get(w, 0), -abs(len(w) - len(word))))

    def _correct_framing(self, question: str) -> str:
        """Fix typos in question words ("who leeds", "responsable") before reading the intent."""
        def fix(match: re.Match) -> str:
            word = match.group(0)
            lower = word.lower()
            if (len(lower) < 3 or lower in STOPWORDS or lower in FRAMING_WORDS or lower in WEAK_WORDS
                    or lower in self.surface_vocab or stem(lower) in self.stem_index):
                return word
            found = process.extractOne(lower, self.framing_list, scorer=OSA.distance,
                                       score_cutoff=1 if len(lower) < 8 else 2)
            # Question words are so common that a smaller margin is enough ("leeds" -> "leads").
            if found and plausible_typo(lower, found[0]) and likelier_word(lower, found[0], margin=0.5):
                return found[0]
            return word
        return re.sub(r"[A-Za-z]+", fix, question)

    # ------------------------------------------------------------------ helpers
    def _is_acronym(self, term: str) -> bool:
        return term.lower() in self.acronyms

    def resolve_agency(self, text: str) -> str | None:
        """The canonical agency a name refers to, or None when it names no agency."""
        text = re.sub(r"^\s*(?:the|our)\s+", "", text.strip(" ?'\""), flags=re.I)
        if not text:
            return None
        key = normalise(text)
        if key in self.resolver.alias_to_name:
            return self.resolver.alias_to_name[key]
        if key in self.agency_by_key:
            return self.agency_by_key[key]
        if len(key) < 3:
            return None
        match = process.extractOne(key, self.agency_keys, scorer=fuzz.ratio, score_cutoff=85)
        if match:
            return self.agency_by_key.get(match[0]) or self.resolver.alias_to_name.get(match[0])
        # A name that appears inside printed leads ("Street Scene", "Look Ahead").
        if self._leads_containing(key):
            return text
        return None

    def agency_rows(self, agency: str) -> np.ndarray:
        """Indices of the actions whose leads involve ``agency`` (a canonical name): its name or
        any alias as whole words in the lead ("Kent Police ASB Officer", "KP Licensing")."""
        if agency not in self._agency_rows_cache:
            forms = {normalise(agency)} | {alias for alias, name in self.resolver.alias_to_name.items()
                                           if name == agency and len(alias) > 2}
            leads = set()
            for form in filter(None, forms):
                leads |= self._leads_containing(form)
            rows = [self.actions_of_lead[i] for i in sorted(leads)]
            self._agency_rows_cache[agency] = np.sort(np.concatenate(rows)) if rows else np.empty(0, dtype=np.int64)
        return self._agency_rows_cache[agency]

    def _leads_containing(self, words: str) -> set[int]:
        """Distinct lead texts that contain ``words`` (normalised) as whole words."""
        tokens = words.split()
        candidates = self.lead_postings.get(tokens[0], np.empty(0, dtype=np.int64))
        for token in tokens[1:]:
            candidates = np.intersect1d(candidates, self.lead_postings.get(token, np.empty(0, dtype=np.int64)))
        # Normalised texts are words joined by single spaces: whole-word containment is a
        # substring test with the spaces kept (no regex per candidate).
        needle = f" {words} "
        return {int(i) for i in candidates if needle in f" {self.lead_text[i]} "}

    def _result(self, index: int, score: float, note: str = "") -> Result:
        action = self.actions[index]
        plan = self.plans.get(action.plan)
        return Result(rank=0, score=score, action=action, plan_title=plan.title if plan else action.plan, note=note)

    def _change_note(self, newer: ActionRecord, older: ActionRecord | None) -> str:
        if older is None:
            return f"earliest plan with it ({newer.period})"
        notes = []
        if set(newer.leads) != set(older.leads):
            notes.append(f"lead in {older.period}: {older.lead}")
        if normalise(newer.measure) != normalise(older.measure) and older.measure:
            notes.append(f"measure in {older.period}: {older.measure}")
        return "; ".join(notes) or f"unchanged since {older.period}"


def display_topic(text: str) -> str:
    """The topic as the reply names it: the question without its opening question words
    ("who is responsible for the one stop shop" -> "one stop shop")."""
    tokens = text.split()
    while tokens and (tokens[0].lower().strip("'?,") in FRAMING_WORDS | WEAK_WORDS | STOPWORDS
                      or tokens[0].lower().endswith("'s") and tokens[0].lower()[:-2] in FRAMING_WORDS):
        tokens.pop(0)
    return " ".join(tokens).strip(" ?") or text.strip(" ?")


def unknown_word_share(word: str) -> float:
    """Share of the full weight an out-of-vocabulary word gets, by how common it is in English."""
    return min(1.0, max(0.3, (7.0 - english_frequency(word)) / 4.0))


def _normalised(values: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    columns = np.fromiter(values.keys(), dtype=np.int64, count=len(values))
    weights = np.fromiter(values.values(), dtype=np.float64, count=len(values))
    norm = np.sqrt((weights ** 2).sum())
    return columns, (weights / norm if norm else weights)


def _column_dot(matrix: sparse.csc_matrix, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``matrix[:, columns] @ values`` as a dense array, reading the CSC arrays directly
    (scipy's column slicing costs more than the arithmetic for a handful of columns)."""
    out = np.zeros(matrix.shape[0], dtype=np.float32)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for column, value in zip(columns, values):
        start, end = indptr[column], indptr[column + 1]
        out[indices[start:end]] += value * data[start:end]
    return out


def _strip_scope(text: str, parsed: ParsedQuery) -> str:
    """The text of a command argument without its year or partnership words."""
    text = re.sub(r"\b(?:20\d\d|\d\d)\s*[/\-–]\s*(?:20\d\d|\d\d)\b|\b20\d\d\b", " ", text)
    if parsed.partnership:
        text = re.sub(re.escape(parsed.partnership), " ", text, flags=re.I)
    return re.sub(r"\s+", " ", text).strip()
