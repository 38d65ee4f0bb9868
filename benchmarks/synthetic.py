"""Synthetic knowledge bases for benchmarks: the real actions recombined at scale.

``make_corpus(kb, factor)`` returns a :class:`~indexer.knowledge.KnowledgeBase` with
``factor`` x (number of real plans) made-up plans spread over ``factor // 5 + 1`` (or more)
made-up partnerships ("Northbury", "Eastwick", ...) and the periods 2005/06 .. 2030/31. Each
synthetic plan copies the *shape* of one real plan (how many priorities, how many actions per
priority, its plan-level items), so the corpus holds exactly ``factor`` x the real number of
actions. Each synthetic action takes

* its action text from one real action, sometimes with a clause spliced in from another,
* its lead (and resolved ``leads``) from another real action,
* its measure (and progress extras) from a third,

(with ``distinct=True``: texts and measures from clauses of three actions, two or three
lead cells joined),
* its priority title from the pool of real priority titles,

and is renumbered ``<priority>.<n>`` within its priority. The glossary and definitions are
copied from the real knowledge base. Everything is drawn from one seeded ``random.Random``,
so the same ``(kb, factor, seed)`` always gives the same corpus.
"""
from __future__ import annotations

import copy
import itertools
import math
import random
import re
from collections.abc import Iterator

from indexer.knowledge import KnowledgeBase
from indexer.models import ActionRecord, PlanEntry, PlanItem, Priority

FIRST_YEAR, LAST_YEAR = 2005, 2030  # start years of the periods 2005/06 .. 2030/31
SPLICE_SHARE = 0.3  # share of actions whose text gets a clause from a second action

_PREFIXES = ("North", "East", "West", "South", "Ash", "Elm", "Oak", "Brook", "Thorn", "Wood",
             "Stan", "Marl", "Brad", "Chil", "Hart", "Kings", "Lang", "Mel", "Pen", "Red",
             "Sel", "Wil", "Bex", "Dun")
_SUFFIXES = ("bury", "wick", "field", "ford", "ham", "ley", "ton", "worth", "stead", "mouth",
             "by", "combe", "hurst", "minster", "well", "thorpe")
_SECOND_WORDS = ("Vale", "Heath", "Downs", "Marsh", "Weald", "Forest")
_CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s+(?:and|including|through|to ensure|in order to)\s+")


def period_label(start_year: int) -> str:
    """"2024/25" for 2024."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def partnership_names() -> Iterator[str]:
    """Made-up partnership names, one-word first ("Northbury"), then two-word ones."""
    for prefix, suffix in itertools.product(_PREFIXES, _SUFFIXES):
        yield prefix + suffix
    for second, prefix, suffix in itertools.product(_SECOND_WORDS, _PREFIXES, _SUFFIXES):
        yield f"{prefix}{suffix} {second}"


def slug(text: str) -> str:
    """Lower-case, hyphenated: "Northbury Vale" -> "northbury-vale"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def splice(rng: random.Random, text: str, *donors: str) -> str:
    """The first clause of ``text`` joined to a later clause of each donor.

    "Provide the Sanctuary scheme to victims, securing properties" + "Run awareness events
    and train staff" -> "Provide the Sanctuary scheme to victims, train staff."
    """
    head = _CLAUSE_BREAK.split(text.strip().rstrip("."), maxsplit=1)[0]
    tails = []
    for donor in donors:
        clauses = [c for c in _CLAUSE_BREAK.split(donor.strip().rstrip(".")) if c and c.strip()]
        if not clauses:
            continue
        tail = rng.choice(clauses[1:] if len(clauses) > 1 else clauses).strip()
        tails.append(tail[0].lower() + tail[1:] if not tail[:2].isupper() else tail)
    if not head or not tails:
        return text
    return f"{head}, {', '.join(tails)}."


def ref_prefix(priority_number: str, position: int) -> str:
    """The leading number of a priority ("5 & 6" -> "5"), or its position when it has none."""
    match = re.match(r"\d+", priority_number.strip())
    return match.group(0) if match else str(position)


def plan_layout(rng: random.Random, n_plans: int, factor: int) -> list[tuple[str, int]]:
    """(partnership, start year) for each synthetic plan; no partnership repeats a period."""
    periods = LAST_YEAR - FIRST_YEAR + 1
    n_partnerships = max(factor // 5 + 1, math.ceil(n_plans / periods))
    names = list(itertools.islice(partnership_names(), n_partnerships))
    if len(names) < n_partnerships:
        raise ValueError(f"factor {factor} needs more made-up partnership names than there are")
    per_partnership = [n_plans // n_partnerships + (1 if i < n_plans % n_partnerships else 0)
                       for i in range(n_partnerships)]
    layout = []
    for name, count in zip(names, per_partnership):
        years = sorted(rng.sample(range(FIRST_YEAR, LAST_YEAR + 1), count))
        layout += [(name, year) for year in years]
    return layout


def synthetic_plan(template: PlanEntry, partnership: str, start_year: int) -> PlanEntry:
    """A made-up plan entry shaped like ``template`` (ids are unique: one plan per period)."""
    period = period_label(start_year)
    plan_id = f"{slug(partnership)}-{start_year}-{(start_year + 1) % 100:02d}"
    return PlanEntry(
        id=plan_id,
        file=f"{plan_id}-action-plan.txt",
        partnership=partnership,
        period=period,
        title=f"{partnership} Community Safety Partnership Action Plan {period}",
        layout=template.layout,
    )


def synthetic_priorities(rng: random.Random, plan: PlanEntry, numbers: list[str],
                         title_pool: list[str]) -> list[Priority]:
    """One priority per number, titles drawn (without repeats when possible) from the pool."""
    titles = rng.sample(title_pool, len(numbers)) if len(numbers) <= len(title_pool) \
        else [rng.choice(title_pool) for _ in numbers]
    return [Priority(plan=plan.id, number=number, title=title, line=None)
            for number, title in zip(numbers, titles)]


def combined_lead(*donors: ActionRecord) -> tuple[str, list[str]]:
    """Real lead cells as one ("KCC, Kent Police"), with their resolved leads merged."""
    lead = ", ".join(d.lead.strip().rstrip(".") for d in donors if d.lead.strip())
    return lead, list(dict.fromkeys(name for d in donors for name in d.leads))


def synthetic_action(rng: random.Random, real: list[ActionRecord], plan: PlanEntry,
                     priority: Priority, ref: str, template: ActionRecord, line: int,
                     distinct: bool = False) -> ActionRecord:
    """One action recombined from three (sometimes four) random real actions.

    With ``distinct``, every action text and measure joins clauses of three real ones and every
    lead joins two or three real lead cells, so nearly all texts differ (see :func:`make_corpus`)."""
    text_donor, lead_donor, measure_donor = rng.choice(real), rng.choice(real), rng.choice(real)
    text, lead, leads, measure = text_donor.action, lead_donor.lead, list(lead_donor.leads), measure_donor.measure
    if distinct:
        text = splice(rng, text, rng.choice(real).action, rng.choice(real).action)
        lead, leads = combined_lead(lead_donor, *rng.sample(real, rng.randint(1, 2)))
        measure = splice(rng, measure, rng.choice(real).measure, rng.choice(real).measure) if measure else measure
    elif rng.random() < SPLICE_SHARE:
        text = splice(rng, text, rng.choice(real).action)
    return ActionRecord(
        plan=plan.id,
        partnership=plan.partnership,
        period=plan.period,
        priority=priority.number,
        priority_title=priority.title,
        ref=ref,
        action=text,
        lead=lead,
        measure=measure,
        source=plan.file,
        line_first=line,
        line_last=line,
        ref_generated=template.ref_generated,
        leads=leads,
        extras=dict(measure_donor.extras),
    )


def synthetic_items(template_items: list[PlanItem], plan: PlanEntry) -> list[PlanItem]:
    """The template plan's plan-level items, moved to the synthetic plan."""
    return [PlanItem(plan=plan.id, kind=i.kind, priority=i.priority, text=i.text, source=plan.file,
                     line_first=i.line_first, line_last=i.line_last) for i in template_items]


def make_corpus(kb: KnowledgeBase, factor: int, seed: int = 0, distinct: bool = False) -> KnowledgeBase:
    """A deterministic synthetic knowledge base ``factor`` times the size of ``kb``.

    By default most texts repeat real ones (at x1000 about 48k distinct action texts and the
    ~200 real lead and measure cells), which flatters anything that works per distinct text.
    ``distinct=True`` recombines every action text, lead and measure, for a corpus whose texts
    mostly differ, as a real corpus of that size would. ``kb`` is not modified. Raises
    ``ValueError`` for a non-positive factor or an empty ``kb``.
    """
    if factor < 1:
        raise ValueError("factor must be at least 1")
    if not kb.plans or not kb.actions:
        raise ValueError("the real knowledge base has no plans or no actions")
    rng = random.Random(seed)
    real = list(kb.actions)
    templates = list(kb.plans)
    title_pool = sorted({p.title for p in kb.priorities} | {a.priority_title for a in real})
    out = KnowledgeBase(glossary=copy.deepcopy(kb.glossary), definitions=copy.deepcopy(kb.definitions))
    layout = plan_layout(rng, factor * len(templates), factor)
    for ordinal, (partnership, start_year) in enumerate(layout):
        template = templates[ordinal % len(templates)]
        plan = synthetic_plan(template, partnership, start_year)
        template_actions = [a for a in real if a.plan == template.id]
        numbers = list(dict.fromkeys([p.number for p in kb.priorities if p.plan == template.id]
                                     + [a.priority for a in template_actions]))
        priorities = synthetic_priorities(rng, plan, numbers, title_pool)
        by_number = {p.number: p for p in priorities}
        counters: dict[str, int] = {}
        line = 1
        for shape in template_actions:
            priority = by_number[shape.priority]
            counters[priority.number] = counters.get(priority.number, 0) + 1
            position = numbers.index(priority.number) + 1
            ref = f"{ref_prefix(priority.number, position)}.{counters[priority.number]}"
            out.actions.append(synthetic_action(rng, real, plan, priority, ref, shape, line, distinct))
            line += 1
        out.plans.append(plan)
        out.priorities += priorities
        out.items += synthetic_items([i for i in kb.items if i.plan == template.id], plan)
    out.plans.sort(key=lambda p: (p.partnership, -p.start_year))
    return out
