"""The tab-separated layouts (1, 2, 3, 5): counts and whole records, field by field."""
from collections import Counter

from indexfixtures import by_ref, parsed_plan

from indexer.layouts import detect_layout, parse_plan
from indexer.models import PlanEntry


def fields(action):
    return {"priority": action.priority, "ref": action.ref, "action": action.action, "lead": action.lead,
            "measure": action.measure, "lines": action.lines}


# ---------------------------------------------------------------- layout 1: 2024/25
def test_2024_25_counts_and_priorities():
    plan = parsed_plan("tw-2024-25")
    assert len(plan.actions) == 93
    assert [p.number for p in plan.priorities] == ["1", "2", "3", "4", "5 & 6", "7"]
    assert Counter(a.priority for a in plan.actions) == {"1": 8, "2": 28, "3": 10, "4": 8, "5 & 6": 27, "7": 12}
    assert not plan.warnings


def test_2024_25_plain_row():
    a = by_ref(parsed_plan("tw-2024-25"), "1.3")
    assert fields(a) == {
        "priority": "1", "ref": "1.3",
        "action": "Provide the Sanctuary scheme to victims of domestic abuse, securing properties to allow them "
                  "to remain in their own home.",
        "lead": "SAFER Scheme and Look Ahead", "measure": "Number of properties secured.", "lines": [8, 8]}
    assert a.leads == ["SAFER Scheme", "Look Ahead"]
    assert a.priority_title == "Domestic Abuse" and not a.ref_generated


def test_2024_25_row_broken_by_page_break_2_10():
    a = by_ref(parsed_plan("tw-2024-25"), "2.10")
    assert a.action == ("Develop multi-agency action plans to ensure appropriate levels of frontline staffing in "
                        "the public realm aligned with the police Spring and Summer Action Plans.")
    assert a.lead == "CSU Officers (TWBC, KCC, Kent Police, STP and other partners)"
    assert a.measure == "Agency attendance and engagement. Reduction in reports of anti-social behaviour."
    assert a.lines == [27, 30]  # the row, the repeated header, and its continuation
    assert a.leads == ["CSU Officers", "Tunbridge Wells Borough Council", "Kent County Council", "Kent Police",
                       "Safe Town Partnership", "Partners"]


def test_2024_25_row_broken_by_page_break_2_18():
    a = by_ref(parsed_plan("tw-2024-25"), "2.18")
    assert fields(a) == {
        "priority": "2", "ref": "2.18",
        "action": "Maintain regular Teams meetings for Ward/Parish councillors to meet with local police officers "
                  "and the Council's Community Safety Team.",
        "lead": "KP and TWBC Community Safety Team",
        "measure": "Second round of meetings scheduled to take place during March 2024", "lines": [38, 41]}
    assert a.leads == ["Kent Police", "TWBC Community Safety Team"]


def test_2024_25_wrapped_cells_2_27_and_2_28():
    plan = parsed_plan("tw-2024-25")
    assert fields(by_ref(plan, "2.27")) == {
        "priority": "2", "ref": "2.27",
        "action": "Sports Co-ordinator to link in with Kenwood Trust regarding referrals, also JS and BID when applicable",
        "lead": "Sport on Your Doorstep (SOYD)", "measure": "Contact made, and two-way communications taking place",
        "lines": [52, 53]}
    assert fields(by_ref(plan, "2.28")) == {
        "priority": "2", "ref": "2.28", "action": "Sports Co-ordinator to undertake some outreach work with Kenwood Trust",
        "lead": "SOYD and Kenwood Trust", "measure": "Sessions attended and local knowledge reinforced", "lines": [54, 55]}
    # the glossary's alias resolves the plan's spelling of the Kenward Trust
    assert by_ref(plan, "2.28").leads == ["Sport on Your Doorstep", "Kenward Trust"]


def test_2024_25_wrapped_cells_7_11_and_7_12():
    plan = parsed_plan("tw-2024-25")
    assert fields(by_ref(plan, "7.11")) == {
        "priority": "7", "ref": "7.11",
        "action": "Encourage speedier removal of graffiti on public and private property and graffiti cleaning kits "
                  "to businesses and residents (as appropriate).",
        "lead": "CSU Team, Street Scene, developers, property owners",
        "measure": "Tags in high profile locations identified and landowners encouraged to remove them quickly. "
                   "Kits taken up by those in need.",
        "lines": [133, 136]}
    assert fields(by_ref(plan, "7.12")) == {
        "priority": "7", "ref": "7.12", "action": "Work with retailers to improve CCTV systems", "lead": "BID",
        "measure": "Options made available to retailers and good take up; evidence produced.", "lines": [137, 138]}


def test_2024_25_combined_priority_and_closing_items():
    plan = parsed_plan("tw-2024-25")
    a = by_ref(plan, "5.1")
    assert a.priority == "5 & 6" and a.priority_title == "Violence, Stalking, Harassment, and VAWG"
    bullets = [i.text for i in plan.items if i.kind == "other commitment"]
    assert bullets[1] == "Fly tipping in rural areas." and len(bullets) == 3


# ---------------------------------------------------------------- layout 2: 2022/23
def test_2022_23_skips_the_crime_statistics_table():
    plan = parsed_plan("tw-2022-23")
    assert len(plan.actions) == 71
    assert Counter(a.priority for a in plan.actions) == {"1": 14, "2": 7, "3": 13, "4": 15, "5": 22}
    assert not any("7,679" in a.action or a.action.startswith("All crime") for a in plan.actions)


def test_2022_23_records():
    plan = parsed_plan("tw-2022-23")
    a = by_ref(plan, "3.11")
    assert fields(a) == {
        "priority": "3", "ref": "3.11",
        "action": "Consider partnership ops to address shoplifting and town centre anti-social behaviour thru PCC funding",
        "lead": "Safe Town Partnership (STP), TWBC (CSU), BID", "measure": "Number of ops run and noticeable outcomes achieved.",
        "lines": [249, 249]}
    assert a.extras == {}  # the Outcome column is empty in this plan
    assert a.leads == ["Safe Town Partnership", "Tunbridge Wells Borough Council", "Community Safety Unit",
                       "Business Improvement District"]
    last = by_ref(plan, "5.22")
    assert last.action.startswith("Undertake an environmental visual audit (EVA) at Dunorlan Park")
    assert last.lead == "TWBC, Kent Police Crime Reduction Officer"
    assert last.priority_title == "Violence, including VAWG and NTE-related issues"


# ---------------------------------------------------------------- layout 3: 2015/16
def test_2015_16_unnumbered_rows_get_generated_refs():
    plan = parsed_plan("tw-2015-16")
    assert len(plan.actions) == 42
    assert Counter(a.priority for a in plan.actions) == {"1": 7, "2": 5, "3": 8, "4": 13, "5": 9}
    assert all(a.ref_generated for a in plan.actions)
    a = by_ref(plan, "3.7")
    assert fields(a) == {
        "priority": "3", "ref": "3.7",
        "action": "Re-launch the Safer Socialising Award and encourage licensees to take part in the scheme",
        "lead": "STP", "measure": "Number of SSAs awarded", "lines": [156, 156]}


def test_2015_16_html_fragment_and_ruler_row():
    plan = parsed_plan("tw-2015-16")
    a = by_ref(plan, "4.1")
    assert "<" not in a.action and "list-style" not in a.action
    assert a.action.startswith("Identify caller requiring raised service through CSU Daily and MARAC meetings to ensure: "
                               "- Risk assessments are completed")
    assert a.lead == "All CSU partners"
    assert a.measure == "Number of high risk and medium risk Themis cases opened and closed"
    # the dashes row after priority 2 is not an action
    assert not any(set(x.action) <= set("- ") for x in plan.actions)
    assert by_ref(plan, "2.5").action.startswith("During Road Safety Week")


def test_2015_16_subsidiary_priorities_are_plan_items():
    items = [i for i in parsed_plan("tw-2015-16").items if i.kind == "subsidiary priority"]
    assert [i.priority for i in items] == ["1", "2", "3", "4"]
    assert items[1].text.startswith("Repeat offending/venues: The CSP has a statutory responsibility")


# ---------------------------------------------------------------- layout 5: Tonbridge and Malling 2014/15
def test_2014_15_sections_and_restarting_numbers():
    plan = parsed_plan("tm-2014-15")
    assert len(plan.actions) == 39
    assert [(p.number, p.title) for p in plan.priorities] == [
        ("1", "Anti-social behaviour (ASB)"), ("2", "Domestic Abuse"), ("3", "Substance misuse")]
    assert Counter(a.priority for a in plan.actions) == {"1": 11, "2": 16, "3": 12}
    assert [a.ref for a in plan.actions if a.priority == "3"][:3] == ["1", "2", "3"]


def test_2014_15_progress_columns():
    a = by_ref(parsed_plan("tm-2014-15"), "2", priority="1")
    assert a.action == "The YISP Power Project to receive at least 20 referrals"
    assert a.lead == "KIASS" and a.measure == ""
    assert a.extras == {"baseline": "33", "target": "20", "q1": "5 referrals received during this quarter",
                        "q2": "Data to be provided"}
    assert a.lines == [9, 9]
    b = by_ref(parsed_plan("tm-2014-15"), "5", priority="2")
    assert b.lead == "NKWA/DAVSS/ Circle Russet"
    assert b.leads == ["North Kent Women's Aid", "DAVSS", "Circle Russet"]
    assert b.extras["target"] == "Establish One Stop Shop"


# ---------------------------------------------------------------- a new plan with a similar table
def test_columns_come_from_header_names_not_positions():
    text = ("Safer Streets Action Plan 2025/26\n\nPriority 1: Burglary\n\n"
            "No.\tLead agency\tAction\tTarget\tMeasure of success\n"
            "1.1\tKent Police\tRun burglary\tFewer burglaries\tBurglaries down\n"
            "\t\tprevention surgeries.\t\t\n"
            "1.2\tKFRS, TWBC\tFit smoke alarms\t200 homes\tAlarms fitted\n")
    entry = PlanEntry("x", "x.txt", "Somewhere", "2025/26", "Safer Streets")
    assert detect_layout(text) == "tabbed"
    plan = parse_plan(text, entry)
    first, second = plan.actions
    assert (first.ref, first.action, first.lead, first.measure, first.extras) == (
        "1.1", "Run burglary prevention surgeries.", "Kent Police", "Burglaries down", {"target": "Fewer burglaries"})
    assert (second.lead, second.measure, second.lines) == ("KFRS, TWBC", "Alarms fitted", [8, 8])
