"""The search engine: intents, scope, aliases, typos, abstention, citations, CLI contract.

Questions here are written for these tests (none come from the evaluation set); assertions
are about what a user sees: which actions come first, from which plan, with which lead.
"""
import json

import pytest
from indexfixtures import KNOWLEDGE

from indexer.cli import main


def top(answer, n=1):
    return [(r.action.period, r.action.ref) for r in answer.results[:n]]


def texts(answer, n=3):
    return " | ".join(r.action.action.lower() for r in answer.results[:n])


# ---------------------------------------------------------------- who leads
def test_who_leads_names_the_leads_of_the_topic(engine):
    answer = engine.ask("who is in charge of the knife amnesty events")
    assert answer.intent == "lead"
    first = answer.results[0].action
    assert "knife amnesty" in first.action.lower() and first.period == "2024/25"
    assert first.leads[0] in answer.text() and "Who leads" in answer.heading


@pytest.mark.parametrize("question, words", [
    ("who runs the Ask for Angela initiative", "ask for angela"),
    ("who is responsible for the near miss register", "near miss register"),
    ("which agency tackles organised criminal gangs", "organised criminal gangs"),
    ("who handles serving FPNs to 16 and 17 year olds", "fpns"),
])
def test_who_questions_find_the_action(engine, question, words):
    answer = engine.ask(question)
    assert words in answer.results[0].action.action.lower()
    assert answer.results[0].action.period == "2024/25"


def test_colloquial_words_meet_the_plans_words(engine):
    # "booze" -> alcohol, "kids" -> young people, "pubs" -> licensed premises (glossary synonyms)
    answer = engine.ask("who trains pub staff about booze and aggressive customers")
    assert "licensed premises" in answer.results[0].action.action.lower()


# ---------------------------------------------------------------- agency questions
def test_agency_acronym_resolves_to_its_actions(engine):
    answer = engine.ask("what is KP responsible for")
    assert answer.intent == "agency" and answer.agency == "Kent Police"
    assert answer.total > 20
    assert all(r.action.period == "2024/25" for r in answer.results)
    assert all("Kent Police" in r.action.leads or "KP" in r.action.lead for r in answer.results)


@pytest.mark.parametrize("alias, canonical", [
    ("STP", "Safe Town Partnership"), ("the CSM", "Community Safety Manager"), ("EH", "Early Help"),
    ("the fire service", "Kent Fire and Rescue Service"), ("Kent Polce", "Kent Police"),
])
def test_agency_aliases(engine, alias, canonical):
    answer = engine.ask(f"what does {alias} lead on")
    assert answer.agency == canonical and answer.results
    involved = {engine.actions[i].uid for i in engine.agency_rows(canonical)}
    assert all(r.action.uid in involved for r in answer.results)
    assert all(canonical in r.action.leads or any(
        alias.lower() in r.action.lead.lower() for alias in engine.resolver.glossary.agencies.get(canonical, []))
        for r in answer.results)


def test_agency_with_a_topic_ranks_that_topic_first(engine):
    answer = engine.ask("what does Kent Police do about graffiti taggers")
    assert "tagger" in answer.results[0].action.action.lower()


def test_council_named_as_agency_scopes_to_its_partnership(engine):
    answer = engine.ask("what does TMBC lead")
    assert answer.agency and answer.results
    assert {r.action.partnership for r in answer.results} == {"Tonbridge and Malling"}


def test_not_an_agency_falls_back_to_the_topic(engine):
    answer = engine.ask("what does the sanctuary scheme do")
    assert "sanctuary" in answer.results[0].action.action.lower()


# ---------------------------------------------------------------- measures
def test_measure_question_shows_measure_target_and_progress(engine):
    answer = engine.ask("what is the target for male victims in Tonbridge and Malling")
    assert answer.intent == "measure"
    first = answer.results[0]
    assert first.action.partnership == "Tonbridge and Malling" and "male victims" in first.action.action
    text = answer.text()
    assert f"Target: {first.action.extras['target']}" in text and "Q1:" in text


def test_how_is_it_measured(engine):
    answer = engine.ask("how do we measure the deployable CCTV funding")
    assert answer.intent == "measure"
    assert "deployable cctv" in answer.results[0].action.action.lower()
    assert answer.results[0].action.measure in answer.text()


# ---------------------------------------------------------------- action refs
def test_ref_gives_that_action_of_the_newest_plan_first(engine):
    answer = engine.ask("what is action 4.3")
    assert answer.intent == "ref" and top(answer) == [("2024/25", "4.3")]
    assert all(r.action.ref == "4.3" for r in answer.results)


def test_ref_with_a_year(engine):
    answer = engine.ask("show me 1.12 from the 2022-23 plan")
    assert top(answer, 5) == [("2022/23", "1.12")]


def test_ref_in_a_plan_numbered_per_section(engine):
    answer = engine.ask("action 4 in Tonbridge")
    assert answer.results and all(r.action.ref == "4" and r.action.partnership == "Tonbridge and Malling"
                                  for r in answer.results)
    assert len(answer.results) == 3  # one per section


def test_unknown_ref_says_so(engine):
    answer = engine.ask("action 12.40")
    assert not answer.results and "No action 12.40" in answer.heading


# ---------------------------------------------------------------- plans, priorities, glossary
def test_plans_listing(engine):
    answer = engine.ask("which plans have you got")
    assert answer.intent == "plans" and len(answer.lines) == 5
    assert any("2018/19" in line for line in answer.lines)


def test_priorities_of_a_year(engine):
    answer = engine.ask("what were the priorities in 2015/16")
    assert answer.intent == "priorities"
    joined = "\n".join(answer.lines)
    assert "Priority 5: Substance misuse" in joined and "2024/25" not in joined
    assert "Subsidiary priority 2: Repeat offending/venues" in joined


def test_priorities_default_to_the_newest_plans(engine):
    joined = "\n".join(engine.ask("what are the priorities").lines)
    assert "Priority 5 & 6: Violence, Stalking, Harassment, and VAWG" in joined and "2022/23" not in joined


def test_glossary_from_the_plans_and_from_the_glossary_file(engine):
    pas = engine.ask("what does PAS stand for")
    assert pas.intent == "glossary" and "Protection Against Stalking" in pas.lines[0] and "line" in pas.lines[0]
    kfrs = engine.ask("define KFRS")
    assert "Kent Fire and Rescue Service" in kfrs.lines[0]
    unknown = engine.ask("what does QQZ stand for")
    assert not unknown.lines and "don't know" in unknown.heading


# ---------------------------------------------------------------- history
def test_history_lists_each_plan_year_with_changes(engine):
    answer = engine.ask("how has the sanctuary scheme changed over the years")
    assert answer.intent == "history"
    periods = [r.action.period for r in answer.results]
    assert periods == sorted(periods, reverse=True) and len(periods) >= 4
    assert all("sanctuary" in r.action.action.lower() for r in answer.results)
    assert "lead in" in answer.results[0].note  # the lead changed between plans


# ---------------------------------------------------------------- scope
def test_year_scope_restricts_to_that_plan(engine):
    for question, period in [("who led the sanctuary scheme in 2015-16", "2015/16"),
                             ("who led the sanctuary scheme in 2018", "2018/19"),
                             ("who led the sanctuary scheme 2022/23", "2022/23")]:
        answer = engine.ask(question)
        assert answer.scope["period"] == period
        assert answer.results and all(r.action.period == period for r in answer.results)


def test_partnership_scope(engine):
    for name in ("Tonbridge", "Tonbridge and Malling", "TMBC"):
        answer = engine.ask(f"who runs the sanctuary scheme in {name}")
        assert answer.scope["partnership"] == "Tonbridge and Malling"
        assert all(r.action.partnership == "Tonbridge and Malling" for r in answer.results)
    answer = engine.ask("who runs the sanctuary scheme in Tunbridge Wells")
    assert {r.action.partnership for r in answer.results} == {"Tunbridge Wells"}


def test_without_a_year_the_newest_plan_that_covers_the_topic_answers(engine):
    current = engine.ask("who provides the sanctuary scheme")
    assert top(current) == [("2024/25", "1.3")]
    assert all(r.action.period in ("2024/25", "2014/15") for r in current.results)
    # only the 2015/16 plan has the Safer Socialising Award: it answers, labelled as older
    older = engine.ask("who relaunched the safer socialising award")
    assert older.results[0].action.period == "2015/16" and older.results[0].note == "older plan"
    assert "[2015/16]" in older.text()


# ---------------------------------------------------------------- typos and spelling
@pytest.mark.parametrize("question, words", [
    ("who leeds the grafiti removal polcy", "policy for graffiti removal"),
    ("who is responsable for the sanctuary sheme", "sanctuary scheme"),
    ("who runs the mosquito devises", "mosquito devices"),
    ("who does self defense classes", "self-defence classes"),
])
def test_typos_are_corrected(engine, question, words):
    assert words in engine.ask(question).results[0].action.action.lower()


def test_acronyms_expand_both_ways(engine):
    long_form = engine.ask("who leads the violence against women and girls programme for schools")
    assert "vawg programme for schools" in long_form.results[0].action.action.lower()
    short = engine.ask("who is on the night-time economy presence")
    acronym = engine.ask("who is on the NTE presence")
    assert short.results[0].action.uid == acronym.results[0].action.uid


# ---------------------------------------------------------------- abstention
@pytest.mark.parametrize("question", [
    "what is the capital of France", "who won the football last night", "recommend a good pizza place",
    "who leads on potholes", "what's the forecast for tomorrow", "hello", "<b>hi</b> there 🙂",
    "", "   ", "x" * 5000,
])
def test_abstains_when_the_plans_do_not_answer(engine, question):
    answer = engine.ask(question)
    assert answer.results == []
    assert answer.text()  # always a reply


def test_abstention_suggests_what_the_plans_cover(engine):
    answer = engine.ask("who fixes potholes")
    assert "don't cover" in answer.heading
    assert "Domestic Abuse" in "\n".join(answer.lines)


def test_greeting_gets_help(engine):
    answer = engine.ask("hello")
    assert answer.intent == "help" and any("who leads" in line for line in answer.lines)


# ---------------------------------------------------------------- citations and paging
def test_every_result_carries_its_citation(engine):
    answer = engine.ask("who leads road safety education in schools", limit=10)
    for result in answer.results:
        a = result.action
        citation = result.citation()
        assert result.plan_title in citation and a.period in citation and a.source in citation
        assert f"action {a.ref}" in citation and "line" in citation


def test_paging_gives_the_next_results(engine):
    first = engine.ask("what does Kent Police lead", limit=5)
    second = engine.ask("what does Kent Police lead", limit=5, offset=5)
    assert first.has_more and first.total == second.total
    assert [r.rank for r in second.results] == [6, 7, 8, 9, 10]
    assert not {r.action.uid for r in first.results} & {r.action.uid for r in second.results}


def test_forced_intent_for_commands(engine):
    assert engine.ask("KP", intent="agency").agency == "Kent Police"
    assert engine.ask("2.5 2022/23", intent="ref").results[0].action.uid.startswith("tw-2022-23")
    assert engine.ask("graffiti", intent="lead").results[0].action.period == "2024/25"


# ---------------------------------------------------------------- CLI contract
def test_cli_ask_json_contract(real_index, capsys):
    args = ["--knowledge", str(KNOWLEDGE), "--db", str(real_index.db_path)]
    assert main(["ask", "--json", "who runs the proxy sales events", *args]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert {"query", "intent", "scope", "answer", "results"} <= set(answer)
    assert set(answer["scope"]) == {"period", "partnership"}
    result = answer["results"][0]
    assert {"rank", "score", "plan", "partnership", "period", "priority", "ref", "action", "lead", "leads",
            "measure", "source", "lines"} <= set(result)
    assert result["rank"] == 1 and result["lead"] in answer["answer"]


def test_cli_batch_answers_each_line_in_order(real_index, tmp_path, capsys):
    questions = tmp_path / "q.txt"
    questions.write_text("what does CAP lead on\nwhat is the weather in Kent\naction 2.5\n")
    assert main(["ask", "--json", "--batch", str(questions), "--db", str(real_index.db_path)]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["query"] for a in answers] == questions.read_text().splitlines()
    assert answers[0]["results"] and not answers[1]["results"] and answers[2]["results"][0]["ref"] == "2.5"


def test_cli_plain_reply(real_index, capsys):
    assert main(["ask", "what does SOYD lead on", "--db", str(real_index.db_path)]) == 0
    out = capsys.readouterr().out
    assert "Sport on Your Doorstep leads" in out and "Source:" in out


def test_abstention_offers_did_you_mean(engine):
    answer = engine.ask("who leads the mosqito spaceship launches")
    assert answer.results == [] and not answer.found
    assert answer.suggestions == ["mosquito"]
    glossary = engine.ask("what does KYDSS stand for")
    assert not glossary.lines and "KYDIS" in glossary.suggestions
