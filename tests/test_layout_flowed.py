"""Layout 4: an action plan flowed out of a PDF with no tabs (Tunbridge Wells 2018/19).

Counts, whole records field by field, the rows whose cells share a line or have two
paragraphs, the plan-level items, and a small made-up plan to show the parser is not tied
to this file.
"""
from collections import Counter
from pathlib import Path

import pytest

from indexer.layouts import detect_layout, parse_plan
from indexer.layouts.flowed import parse_flowed
from indexer.models import PlanEntry

REPO = Path(__file__).parents[1]
PLAN_FILE = "tunbridge-wells-2018-19-partnership-plan.txt"
ENTRY = PlanEntry(id="tw-2018-19", file=PLAN_FILE, partnership="Tunbridge Wells", period="2018/19",
                  title="Tunbridge Wells Community Safety Partnership Plan 2018/19")


@pytest.fixture(scope="module")
def text():
    return (REPO / "knowledge" / "plans" / PLAN_FILE).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan(text):
    return parse_plan(text, ENTRY)


def record(plan, ref):
    found = [a for a in plan.actions if a.ref == ref]
    assert len(found) == 1, f"{len(found)} actions with ref {ref}"
    return found[0]


def fields(action):
    return {"priority": action.priority, "ref": action.ref, "action": action.action, "lead": action.lead,
            "measure": action.measure, "lines": action.lines}


# Every row: ref, first and last line, how the action opens, the lead, how the measure opens.
# Checked by hand against the plan.
ROWS = [
    ("1.1", 790, 803, "Provide DA support services", "DAVSS", "Number of referrals."),
    ("1.2", 805, 815, "Prioritise and refer all", "DAVSS, Kent Police, West Kent MARAC Co-ordinator", "Number of cases"),
    ("1.3", 817, 820, "Refer women to the", "DAVSS, DA Forum", "Number of programmes"),
    ("1.4", 822, 828, "Provide support to perpetrators", "Kent CDAP", "Number of men"),
    ("1.5", 830, 833, "Provide support to victims", "Family Matters", "Number of victims"),
    ("1.6", 835, 838, "Evaluate the provision of", "DA Forum", "Number of clients"),
    ("1.7", 840, 844, "Provide the sanctuary scheme", "TWBC Housing, Look Ahead", "Number of properties"),
    ("2.1", 873, 882, "Convene a Task and", "CSU, KFRS, KCC, Kent Police", "Group convened on"),
    ("2.2", 884, 891, "Education in schools and", "KFRS KCC Wardens", "Projects completed and"),
    ("2.3", 893, 897, "Work with KCC and", "CSU", "Number of campaigns"),
    ("2.4", 899, 907, "Involve Tunbridge Wells students", "KFRS, CSU", "Number of sessions"),
    ("2.5", 909, 918, "During Road Safety Week:", "CSU, KRFS", "Number of presentations/activities."),
    ("2.6", 920, 922, "Organise two restorative justice", "KFRS, Kent Police", "Road checks held"),
    ("2.7", 924, 930, "Direct KCC Warden public", "CSU, KCC Wardens", "Number and type"),
    ("2.8", 932, 937, "Locally engage Tunbridge Wells", "KFRS, CSU", "Number/type of events"),
    ("2.9", 939, 945, "Investigate programs such as", "CSU, program providers", "Identification and implementation"),
    ("2.10", 947, 952, "Run Captain Safety event", "CSU, Dave Allen", "Number of schools/students"),
    ("2.11", 954, 959, "Contribute funding for Safety", "CSU, Project Salus", "Number of Tunbridge"),
    ("3.1", 970, 974, "To deploy substance misuse", "Kenward Trust", "Number of individuals"),
    ("3.2", 976, 981, "Carry out targeted work", "CGL", "Individuals engaged through"),
    ("3.3", 983, 993, "Provide drug and alcohol", "Addaction, Kent Police", "Number of young"),
    ("3.4", 995, 998, "Deliver Drug Use Screening", "Addaction", "Number of professionals"),
    ("3.5", 1000, 1008, "Support the Winter Shelter,", "Churches for Tunbridge Wells, TWBC, CSU", "Number of positive"),
    ("3.6", 1010, 1016, "Replace Alcohol Control Zones", "TWBC, CSU", "Prohibitions in place."),
    ("3.7", 1018, 1022, "Ensure frontline officers access", "PHE", "Number of professionals"),
    ("3.8", 1024, 1030, "Exclude individuals convicted of", "Safe Town Partnership (STP), CCTV, Kent Police",
     "Number of exclusions"),
    ("3.9", 1032, 1038, "Use Safe Town radios", "STP, TWBC CCTV, Kent Police", "Pubwatch instigated incidents"),
    ("3.10", 1040, 1040, "Use CCTV to assist", "TWBC, Kent Police", "Violent offences monitored."),
    ("3.11", 1042, 1048, "Provide a positive presence", "Street Pastors", "Number of people"),
    ("3.12", 1050, 1058, "Tackle criminal gangs that", "Kent Police", "Number of arrests"),
    ("3.13", 1060, 1067, "Provide licensing training to", "Kent Police, STP", "Number of training"),
    ("3.14", 1069, 1080, "Work with Trading Standards", "Trading Standards, TWBC (CSU, Health)",
     "Identification and location"),
    ("4.1", 1105, 1114, "Scope agency knowledge and",
     "Community Safety Team* (CST), statutory partners, key agencies", "An understanding of"),
    ("4.2", 1116, 1123, "Identify education and awareness", "CST*, statutory partners and key agencies",
     "Awareness of current"),
    ("4.3", 1125, 1131, "Identify the availability of", "CST*, police, KSCB", "Awareness of available"),
    ("4.4", 1133, 1138, "Identify multi-agency staff appropriate", "CST*, local agencies", "Staff roles and"),
    ("4.5", 1140, 1148, "Focus awareness campaigns around", "CST*, police, key agencies", "Many agencies focus"),
    ("4.6", 1150, 1158, "Acquire promotional materials to", "CST*, police, KCC", "The CSU already"),
    ("4.7", 1160, 1169, "Drive to raise awareness", "CST, EH, KCC, key agencies", "Embedding awareness training"),
    ("4.8", 1171, 1174, "Collate national and regional", "CST*", "To feed into"),
    ("4.9", 1176, 1187, "Ensure agencies link in", "CST*, police", "Ensure victims’ needs"),
    ("4.10", 1189, 1206, "Meet with representatives of", "CST*, statutory and key agencies", "Task and Finish"),
    ("4.11", 1208, 1214, "Regular attendance at county", "CST*, police*, key agencies", "To feed into"),
    ("4.12", 1216, 1223, "Consider a West Kent", "West Kent Community Safety Managers", "To improve work"),
]


# ---------------------------------------------------------------- counts and shape
def test_detected_as_flowed(text):
    assert detect_layout(text) == "flowed"


def test_counts_and_priorities(plan):
    assert len(plan.actions) == 44
    assert Counter(a.priority for a in plan.actions) == {"1": 7, "2": 11, "3": 14, "4": 12}
    assert [(p.number, p.title, p.line) for p in plan.priorities] == [
        ("1", "Domestic abuse", 786),
        ("2", "Road safety", 865),
        ("3", "Substance misuse and alcohol abuse (including in the night-time economy)", 966),
        ("4", "Safeguarding (Organised Crime Groups, CSE, modern slavery and gangs)", 1097),
    ]
    assert not plan.warnings


def test_every_row(plan):
    got = [(a.ref, a.line_first, a.line_last, a.action, a.lead, a.measure) for a in plan.actions]
    assert [g[0] for g in got] == [r[0] for r in ROWS]
    for (ref, first, last, action, lead, measure), (_, g_first, g_last, g_action, g_lead, g_measure) in zip(ROWS, got):
        assert (g_first, g_last) == (first, last), ref
        assert g_action.startswith(action + " ") or g_action == action, ref
        assert g_lead == lead, ref
        assert g_measure.startswith(measure), ref


def test_rows_start_and_end_where_the_plan_does(plan, text):
    """Each action opens its first source line, each measure closes its last one, and the
    lead never leaks into the action's end or the measure's start."""
    lines = text.splitlines()
    seen = Counter()
    for a in plan.actions:
        first_line = lines[a.line_first - 1].strip()
        assert first_line.startswith(" ".join(a.action.split()[:3])), a.ref
        assert lines[a.line_last - 1].strip().endswith(a.measure.split()[-1]), a.ref
        assert not a.action.endswith(a.lead) and not a.measure.startswith(a.lead), a.ref
        seen[a.priority] += 1
        assert a.ref_generated and a.ref == f"{a.priority}.{seen[a.priority]}"


def test_record_metadata(plan):
    a = record(plan, "3.7")
    assert (a.plan, a.partnership, a.period, a.source) == ("tw-2018-19", "Tunbridge Wells", "2018/19", PLAN_FILE)
    assert a.priority_title == "Substance misuse and alcohol abuse (including in the night-time economy)"
    assert a.ref_generated


# ---------------------------------------------------------------- whole records
def test_first_row_two_paragraph_measure(plan):
    assert fields(record(plan, "1.1")) == {
        "priority": "1", "ref": "1.1",
        "action": "Provide DA support services to men and women at all levels of risk. Encourage early reporting "
                  "by promoting the helpline and available services. Provide workshops/training aimed at "
                  "awareness raising and prevention.",
        "lead": "DAVSS",
        "measure": "Number of referrals. Number of high, medium and standard risk referrals dealt with. "
                   "Number/types of training provided.",
        "lines": [790, 803]}


def test_hyphenated_wrap_and_wrapped_lead(plan):
    assert fields(record(plan, "1.2")) == {
        "priority": "1", "ref": "1.2",
        "action": "Prioritise and refer all high risk cases to a Multi-Agency Risk Assessment Conference (MARAC), "
                  "and regularly assess volatility of risk levels in all other cases and refer to MARAC as "
                  "necessary.",
        "lead": "DAVSS, Kent Police, West Kent MARAC Co-ordinator",
        "measure": "Number of cases referred to/supported at MARAC number of repeat cases.",
        "lines": [805, 815]}


def test_lead_and_measure_share_a_line(plan):
    assert fields(record(plan, "1.3")) == {
        "priority": "1", "ref": "1.3",
        "action": "Refer women to the Freedom programme for domestic abuse awareness and support.",
        "lead": "DAVSS, DA Forum", "measure": "Number of programmes run.", "lines": [817, 820]}


def test_action_and_lead_share_a_line(plan):
    assert fields(record(plan, "2.6")) == {
        "priority": "2", "ref": "2.6",
        "action": "Organise two restorative justice road checks.",
        "lead": "KFRS, Kent Police", "measure": "Road checks held and drivers engaged with.", "lines": [920, 922]}


def test_action_lead_and_measure_share_a_line(plan):
    assert fields(record(plan, "3.10")) == {
        "priority": "3", "ref": "3.10",
        "action": "Use CCTV to assist with detecting violent crime.",
        "lead": "TWBC, Kent Police", "measure": "Violent offences monitored.", "lines": [1040, 1040]}


def test_two_paragraph_action_and_measure_is_one_row(plan):
    assert fields(record(plan, "2.4")) == {
        "priority": "2", "ref": "2.4",
        "action": "Involve Tunbridge Wells students in innovative new Road Safety Experience (RSE) at Rochester. "
                  "CSU to support efforts to engage schools.",
        "lead": "KFRS, CSU",
        "measure": "Number of sessions held. Sessions held and feedback received.",
        "lines": [899, 907]}


def test_lead_split_by_lone_space_line(plan):
    """"CSU" / " " / "KRFS": the lone-space line is a paragraph break inside the lead cell, so
    the two paragraphs are two agencies and are joined with ", " (a plain wrap, "KFRS" /
    "KCC Wardens" in 2.2, is joined with a space as printed)."""
    assert fields(record(plan, "2.5")) == {
        "priority": "2", "ref": "2.5",
        "action": "During Road Safety Week: Provide safety message to primary school children Organise activity "
                  "with partners to tackle all road users.",
        "lead": "CSU, KRFS", "measure": "Number of presentations/activities.", "lines": [909, 918]}
    assert record(plan, "2.2").lead == "KFRS KCC Wardens"


def test_measure_opening_with_a_place_name_is_not_lead(plan):
    a = record(plan, "2.11")
    assert a.lead == "CSU, Project Salus"
    assert a.measure == "Number of Tunbridge Wells students attending."


def test_multi_line_lead_with_markers(plan):
    assert fields(record(plan, "4.1")) == {
        "priority": "4", "ref": "4.1",
        "action": "Scope agency knowledge and awareness of issues, reporting routes and safeguarding lead.",
        "lead": "Community Safety Team* (CST), statutory partners, key agencies",
        "measure": "An understanding of agency needs/gaps and relevant contacts established with key agencies.",
        "lines": [1105, 1114]}
    assert record(plan, "4.3").lead == "CST*, police, KSCB"


def test_capitalised_action_lines_stay_in_the_action(plan):
    """Wrapped action lines that read like names ("Sexual Exploitation Awareness Day",
    "PROTECT, PREVENT and PREPARE.") are not taken for leads."""
    a = record(plan, "4.5")
    assert a.action == ("Focus awareness campaigns around Awareness Weeks: E.g. National Child Sexual Exploitation "
                        "Awareness Day (March) and Anti-Slavery Day (Oct).")
    assert a.lead == "CST*, police, key agencies"
    b = record(plan, "4.10")
    assert b.action == ("Meet with representatives of key agencies to formulate the above into rolling Action Plans, "
                        "based around the government’s model of: PURSUE, PROTECT, PREVENT and PREPARE. Subjects to "
                        "be covered under these categories will be drawn from national action plans and "
                        "supplemented by outcomes from Task and Finish groups.")
    assert b.lead == "CST*, statutory and key agencies"
    assert b.measure == ("Task and Finish groups to establish actions plans for the key themes of Prevent, CSE, "
                         "Modern slavery and London gang-based activity in Tunbridge Wells.")


def test_measure_opening_with_a_verb_after_the_lead(plan):
    a = record(plan, "4.9")
    assert a.lead == "CST*, police"
    assert a.measure.startswith("Ensure victims’ needs are addressed")
    assert record(plan, "4.11").action == "Regular attendance at county or regional meetings."


def test_last_row(plan):
    assert fields(plan.actions[-1]) == {
        "priority": "4", "ref": "4.12",
        "action": "Consider a West Kent approach to these thematic areas.",
        "lead": "West Kent Community Safety Managers",
        "measure": "To improve work streams and make better use of resources.",
        "lines": [1216, 1223]}


# ---------------------------------------------------------------- plan-level items
def test_other_recommendations_of_priority_1(plan):
    recs = [i for i in plan.items if i.kind == "other recommendation" and i.priority == "1"]
    assert [i.text for i in recs] == [
        "Work with others to ensure the West Kent service directory is kept updated.",
        "Raise awareness of DA with partners and continue to ensure signposting information is current.",
        "Work to increase numbers attending CDAP and Freedom programmes.",
        "Work with Offender Management (Probation, KSSCRC) to address DA related issues within cohorts.",
        "Consider a West Kent DA Forum to make better use of available resources (principally, officer time).",
        "Ensure Home Office funded VAWG (Violence against Women and Girls) project (Support Plus Transformation) "
        "is suitably implemented by DAVSS and extended to West Kent partners.",
    ]
    assert (recs[-1].line_first, recs[-1].line_last) == (858, 860)
    assert all(i.plan == "tw-2018-19" and i.source == PLAN_FILE for i in recs)


def test_other_recommendations_of_priority_3(plan):
    recs = [i for i in plan.items if i.kind == "other recommendation" and i.priority == "3"]
    assert len(recs) == 4
    assert recs[0].text == "Promote Alcohol Awareness week"
    assert recs[-1].text == ("Encourage frontline professionals to promote the Know Your Score online evaluation "
                             "tool for alcohol consumption for over-18")
    assert (recs[-1].line_first, recs[-1].line_last) == (1090, 1091)


def test_targets(plan):
    targets = [(i.kind, i.priority, i.text, i.line_first, i.line_last) for i in plan.items if "target" in i.kind]
    assert targets == [
        ("overall target", "1", "To reduce the harm caused by domestic abuse incidents.", 862, 862),
        ("specific target", "1", "To see a reduction in the number of repeat cases of domestic abuse.", 864, 864),
        ("overall target", "2", "Increase road safety for all road users and contribute to KCC’s 2020 target to "
                                "reduce killed and seriously injured casualties.", 961, 963),
        ("specific target", "2", "To see a reduction in child casualties of road traffic collisions.", 965, 965),
        ("specific target", "3", "To engage youths caught with small amounts of illegal substances to engage with "
                                 "support services.", 1095, 1096),
        ("specific target", "4", "To ensure the local authority and partner agencies comply with statutory "
                                 "requirements and offer support to vulnerable individuals in helping to address "
                                 "and reduce the risks associated with these themes", 1225, 1227),
    ]
    assert len(plan.items) == 16


# ---------------------------------------------------------------- not tied to this plan
SYNTHETIC = """Introduction

Last year the partnership reviewed its priorities. Priority setting took place in March.

Priority 1: Anti-social behaviour 

Action 

Lead agency 

Measure 

Hold monthly problem-solving meetings for 
persistent ASB cases. 

Maidstone BC, Golding Homes 
Housing Associations 

Number of cases closed within 
three months. 

Train neighbourhood officers to use Community 
Protection Notices. Victim Support, KCC Number of notices issued. 

 

7 

Publish a quarterly newsletter for residents 
of the town centre. 

Maidstone BC 

Newsletters distributed to every 
household. 

Residents' survey results. 

\uf0b7 Review the ASB policy. 

\uf0b7 Share best practice with neighbouring 
partnerships across the county. 

Overall target: To reduce repeat ASB 
complaints. 
"""


def test_synthetic_plan():
    entry = PlanEntry(id="mbc-2020-21", file="maidstone.txt", partnership="Maidstone", period="2020/21",
                      title="Maidstone plan")
    parsed = parse_flowed(SYNTHETIC, entry, "maidstone.txt")
    assert [(p.number, p.title) for p in parsed.priorities] == [("1", "Anti-social behaviour")]
    assert [fields(a) for a in parsed.actions] == [
        {"priority": "1", "ref": "1.1",
         "action": "Hold monthly problem-solving meetings for persistent ASB cases.",
         "lead": "Maidstone BC, Golding Homes Housing Associations",
         "measure": "Number of cases closed within three months.", "lines": [13, 20]},
        {"priority": "1", "ref": "1.2",
         "action": "Train neighbourhood officers to use Community Protection Notices.",
         "lead": "Victim Support, KCC", "measure": "Number of notices issued.", "lines": [22, 23]},
        {"priority": "1", "ref": "1.3",
         "action": "Publish a quarterly newsletter for residents of the town centre.",
         "lead": "Maidstone BC",
         "measure": "Newsletters distributed to every household. Residents' survey results.", "lines": [29, 37]},
    ]
    assert all(a.ref_generated and a.plan == "mbc-2020-21" and a.source == "maidstone.txt" for a in parsed.actions)
    assert [(i.kind, i.text) for i in parsed.items] == [
        ("other recommendation", "Review the ASB policy."),
        ("other recommendation", "Share best practice with neighbouring partnerships across the county."),
        ("overall target", "To reduce repeat ASB complaints."),
    ]
    assert not parsed.warnings


def test_synthetic_column_order_from_header():
    """A header naming the measure before the lead is read in that order."""
    text = """Priority 2: Hate crime 

Action Measure Responsible agency 

Promote third-party reporting centres. 

Increase in reports received. 

Kent Police 

Train frontline staff to recognise and 
report hate incidents. Staff trained. Borough Council, Victim Support 
"""
    entry = PlanEntry(id="x", file="x.txt", partnership="X", period="2020/21", title="x")
    parsed = parse_flowed(text, entry, "x.txt")
    assert [(a.ref, a.action, a.measure, a.lead) for a in parsed.actions] == [
        ("2.1", "Promote third-party reporting centres.", "Increase in reports received.", "Kent Police"),
        ("2.2", "Train frontline staff to recognise and report hate incidents.", "Staff trained.",
         "Borough Council, Victim Support"),
    ]


def test_heading_without_table_is_warned():
    text = "Priority 1: Burglary\n\nWe will look at burglary next year.\n"
    entry = PlanEntry(id="x", file="x.txt", partnership="X", period="2020/21", title="x")
    parsed = parse_flowed(text, entry, "x.txt")
    assert not parsed.actions and not parsed.priorities
    assert len(parsed.warnings) == 1 and "no action table" in parsed.warnings[0].message
