"""The benchmark corpus generator: valid, deterministic, the right size (no timings here)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.synthetic import FIRST_YEAR, LAST_YEAR, make_corpus, period_label
from indexer.knowledge import build_knowledge
from indexer.models import ActionRecord

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
FACTOR = 6


@pytest.fixture(scope="module")
def real():
    return build_knowledge(KNOWLEDGE)


@pytest.fixture(scope="module")
def corpus(real):
    return make_corpus(real, FACTOR, seed=0)


@pytest.fixture(scope="module")
def distinct(real):
    return make_corpus(real, FACTOR, seed=0, distinct=True)


def test_size(real, corpus):
    assert len(corpus.plans) == FACTOR * len(real.plans)
    assert len(corpus.actions) == FACTOR * len(real.actions)
    assert len({p.partnership for p in corpus.plans}) == FACTOR // 5 + 1


def test_deterministic(real, corpus):
    again = make_corpus(real, FACTOR, seed=0)
    assert [a.to_json() for a in again.actions] == [a.to_json() for a in corpus.actions]
    assert again.plans == corpus.plans and again.priorities == corpus.priorities
    other = make_corpus(real, FACTOR, seed=1)
    assert [a.to_json() for a in other.actions] != [a.to_json() for a in corpus.actions]


def test_real_kb_untouched(real):
    before = [a.to_json() for a in real.actions]
    make_corpus(real, 2, seed=3)
    assert [a.to_json() for a in real.actions] == before


def test_plans_and_periods_valid(corpus):
    ids = [p.id for p in corpus.plans]
    assert len(ids) == len(set(ids))
    valid_periods = {period_label(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)}
    seen = set()
    for plan in corpus.plans:
        assert plan.period in valid_periods
        assert (plan.partnership, plan.period) not in seen  # one plan per partnership and period
        seen.add((plan.partnership, plan.period))
        assert plan.partnership in plan.title and plan.period in plan.title


def test_distinct_mode(real, corpus, distinct):
    assert len(distinct.actions) == len(corpus.actions)
    assert [a.to_json() for a in make_corpus(real, FACTOR, seed=0, distinct=True).actions] == \
        [a.to_json() for a in distinct.actions]
    for name in ("action", "lead", "measure"):
        assert len({getattr(a, name) for a in distinct.actions}) > 2 * len({getattr(a, name) for a in corpus.actions})
    for action in distinct.actions:
        assert action.leads and set(action.leads) <= {n for a in real.actions for n in a.leads}
        assert ActionRecord.from_row(action.to_row()) == action


def test_actions_have_the_exact_shape(real, corpus):
    plans = {p.id: p for p in corpus.plans}
    priorities = {(p.plan, p.number): p.title for p in corpus.priorities}
    real_texts = {a.action for a in real.actions}
    real_leads = {(a.lead, tuple(a.leads)) for a in real.actions}
    real_measures = {a.measure for a in real.actions}
    uids = set()
    for action in corpus.actions:
        assert isinstance(action, ActionRecord)
        assert set(vars(action)) == set(ActionRecord.__dataclass_fields__)
        plan = plans[action.plan]
        assert (action.partnership, action.period, action.source) == (plan.partnership, plan.period, plan.file)
        assert priorities[(action.plan, action.priority)] == action.priority_title
        assert re.fullmatch(r"\d+\.\d+", action.ref)
        assert isinstance(action.leads, list) and all(isinstance(n, str) for n in action.leads)
        assert (action.lead, tuple(action.leads)) in real_leads
        assert action.measure in real_measures
        assert action.action and (action.action in real_texts or ", " in action.action)
        assert action.uid not in uids
        uids.add(action.uid)
        assert ActionRecord.from_row(action.to_row()) == action  # the store's row shape round-trips


def test_glossary_copied(real, corpus):
    assert corpus.glossary == real.glossary and corpus.glossary is not real.glossary
    assert corpus.definitions == real.definitions


def test_benchmark_questions_are_seeded(corpus):
    from benchmarks.bench_search import QUESTION_MIX, make_questions

    first = make_questions(corpus, 200, seed=5)
    assert first == make_questions(corpus, 200, seed=5)
    assert {q.kind for q in first} == {kind for kind, _ in QUESTION_MIX}
    assert all(q.text.strip() for q in first)


def test_rejects_bad_factor(real):
    with pytest.raises(ValueError):
        make_corpus(real, 0)
