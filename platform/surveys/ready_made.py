"""Ready-made surveys a PD office starts from in one click: the district readiness self-assessment,
the educator pilot questions for pre/mid/post, and a three-question monthly pulse."""
from __future__ import annotations

from enum import StrEnum

from milepost.core.access import Role
from milepost.surveys.models import Audience, EvalLevel, QuestionKind, Wave


class ReadyMade(StrEnum):
    """The ready-made surveys, as kept in Survey.template_key ("" for a survey built from scratch)."""

    READINESS = "readiness"
    EDUCATOR_PRE = "educator_pre"
    EDUCATOR_MID = "educator_mid"
    EDUCATOR_POST = "educator_post"
    PULSE = "pulse"


AGREE5 = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
READINESS_LEVELS = ["Starting", "Practicing", "Sustaining"]


def _section(prompt: str, help: str = "") -> dict:
    return {"kind": QuestionKind.SECTION, "prompt": prompt, "help": help}


def _agree(key: str, prompt: str, level: str, required: bool = True, **extra) -> dict:
    return {"kind": QuestionKind.LIKERT, "key": key, "prompt": prompt, "eval_level": level, "required": required,
            "options": list(AGREE5), **extra}


def _area(key: str, prompt: str, help: str, indicators: list[tuple[str, str, str, str]]) -> dict:
    return {"kind": QuestionKind.RUBRIC, "key": key, "prompt": prompt, "help": help, "eval_level": EvalLevel.SUPPORT,
            "required": True, "options": list(READINESS_LEVELS),
            "indicators": [{"text": text, "descriptions": [a, b, c]} for text, a, b, c in indicators]}


READINESS = {
    "title": "District readiness self-assessment",
    "intro": ("For the leadership team. Rate where the district stands today on each indicator of the seven "
              "readiness areas for competency-based micro-credentials and learner records. Choose the level "
              "that best matches what is already true, not what is planned. The results show the team's "
              "ratings side by side as a heat map, so the conversation can start where views differ."),
    "anonymous": False,
    "audience": Audience.ROLE,
    "audience_role": Role.LEADER,
    "questions": [
        _area("readiness_change", "Readiness for change",
              "Resources, plans and community support for the work.", [
                  ("Knowing the barriers learners furthest from opportunity face",
                   "We can name the barriers.", "We put money and people toward removing them.",
                   "We keep improving from what those learners tell us."),
                  ("A plan for micro-credentials and learner records",
                   "We see what they could offer.", "A written plan involves educators and families.",
                   "There is broad agreement and the plan is scaling district-wide."),
                  ("Students owning their learning and their data",
                   "We are reviewing our policies for student choice.",
                   "New policies give students choice and ownership.",
                   "We coach students in ownership and keep refining the policies."),
              ]),
        _area("equity_inclusion", "Equity and inclusion",
              "Learners who have been left out, and their families, shape the programme.", [
                  ("Support for learners furthest from opportunity",
                   "Some funding is set aside.", "Programmes help them move on to college and careers.",
                   "Learners, families, staff and partners design pathways together, and all can reach them."),
                  ("Listening to learners, families and educators",
                   "We could collect their views.", "We ask for their views actively.",
                   "Their views are gathered on a schedule and change what we do."),
              ]),
        _area("competency_based", "Competency-based education",
              "Showing what you can do counts for more than time in a seat.", [
                  ("Competency-based learning and assessment in classrooms",
                   "We have resources to begin.", "It runs in one course.", "It runs across many courses."),
                  ("Micro-credentials and digital badges",
                   "We are talking about them.", "We are designing our own.",
                   "We award them and have experience with learner records."),
                  ("Professional learning on personalised teaching and assessment",
                   "We know where to find it.", "We are building our own.", "It is available to every educator."),
              ]),
        _area("partnerships", "Institutional and community partnerships",
              "Colleges, employers and community groups extend learning beyond school.", [
                  ("Partners", "We have a list of possible partners.",
                   "Agreements are signed with some of them.", "Several partnerships run over many years."),
                  ("Managing partner relationships", "We hold conversations with the community.",
                   "We are building a system to manage partners and students' needs.",
                   "Named liaisons manage the partnerships."),
                  ("Internships and dual enrolment", "We know which local partners could offer them.",
                   "We are setting some up.", "Students can take part in them now."),
              ]),
        _area("advising_career", "Student advising and career support",
              "Every learner gets personal guidance toward what comes after school.", [
                  ("Personal career counselling", "We can train counsellors for it.",
                   "It covers one or two pathways.", "It covers many pathways."),
                  ("Skills-based learning opportunities", "We know what the region offers.",
                   "Some students can take part.", "Every student can take part."),
                  ("Help with jobs, résumés and interviews", "We point students to outside help.",
                   "We offer it to everyone once or twice a year.", "It is a regular programme."),
              ]),
        _area("technology_access", "Technology access and adoption",
              "Learners can reach their records and badges on a working device and connection.", [
                  ("Devices and broadband", "We are looking for funding.", "Guaranteed at school.",
                   "Guaranteed at school and at home."),
                  ("Digital skills for students and families", "We share outside training.",
                   "We run sessions when they are asked for.", "Sessions run on a regular schedule."),
                  ("People who help families with technology", "Staff are named to help during the day.",
                   "Support staff are employed for school hours.",
                   "Digital navigators help during and after school."),
              ]),
        _area("data_privacy", "Data security, privacy and infrastructure",
              "Systems that share data safely and put learners in control.", [
                  ("Privacy and security training for students and families", "We have resources for it.",
                   "We offer it when asked.", "It runs regularly, in person and online."),
                  ("Being open about the data we collect", "We explain it when someone asks.",
                   "It is written down, but hard for some families to reach.",
                   "It is published and easy for anyone to find."),
                  ("Systems that work together", "We know which platforms can connect.",
                   "We have a plan for connecting them.", "They are connected."),
              ]),
        {"kind": QuestionKind.LONG_TEXT, "key": "next_step",
         "prompt": "What is the one next step the district should take?", "eval_level": EvalLevel.SUPPORT,
         "required": False},
    ],
}

EDUCATOR_CORE = [
    _section("The micro-credential process"),
    _agree("value", "Earning micro-credentials is a worthwhile use of my professional learning time.",
           EvalLevel.REACTION),
    _agree("relevance", "The badges on offer fit what I want to improve in my classroom.", EvalLevel.REACTION),
    _section("Time and support"),
    {"kind": QuestionKind.NUMBER, "key": "hours", "prompt": "In a typical month, how many hours do you spend on "
                                                            "micro-credential work?",
     "help": "A rough figure is fine.", "eval_level": EvalLevel.SUPPORT, "required": False, "min_value": 0,
     "max_value": 80},
    _agree("time", "I have enough time in my working week to gather evidence and reflect.", EvalLevel.SUPPORT),
    _agree("plc_support", "Colleagues in my PLC help me improve my evidence before I submit it.", EvalLevel.SUPPORT),
    _agree("coach_support", "Feedback from my coach helps me strengthen my teaching.", EvalLevel.SUPPORT),
    _section("Your practice"),
    _agree("confidence", "I am confident using the practice from my badge with my students.", EvalLevel.LEARNING),
    {"kind": QuestionKind.SINGLE, "key": "frequency", "prompt": "How often do you use the practice in your lessons?",
     "eval_level": EvalLevel.USE, "required": True,
     "options": ["Not yet", "A few times so far", "About once a week", "In most lessons"]},
    _agree("student_change", "I see changes in my students' learning that I link to this practice.",
           EvalLevel.OUTCOMES),
    {"kind": QuestionKind.MULTIPLE, "key": "supports_wanted", "prompt": "Which supports would help you most?",
     "help": "Choose all that apply.", "eval_level": EvalLevel.SUPPORT, "required": False,
     "options": ["Protected time during the school day", "Examples of strong evidence", "More PLC meeting time",
                 "One-to-one coaching conversations", "Help with recording or uploading evidence"]},
    {"kind": QuestionKind.LONG_TEXT, "key": "improve",
     "prompt": "What would make the micro-credential process work better for you?", "eval_level": EvalLevel.REACTION,
     "required": False},
]

EDUCATOR_POST_ONLY = [
    _section("Looking back", "Answer each pair twice: as things were before the pilot, and as they are now."),
    _agree("retro_confidence", "I can use the practice from my badge well.", EvalLevel.LEARNING, retrospective=True),
    _agree("retro_evidence", "I can collect evidence of my students' learning and explain what it shows.",
           EvalLevel.LEARNING, retrospective=True),
]


def educator(wave: Wave) -> dict:
    intro = {
        Wave.PRE: "Before the pilot starts: tell us what you expect, so we can shape support around you.",
        Wave.MID: "Half way through: how is it going? Your answers change what we do in the second half.",
        Wave.POST: "The pilot is over. Tell us what worked, what did not, and how your practice has changed.",
    }[wave]
    questions = EDUCATOR_CORE + (EDUCATOR_POST_ONLY if wave == Wave.POST else [])
    return {"title": f"Educator pilot survey ({wave})", "intro": intro, "anonymous": True, "audience": Audience.PILOT,
            "questions": questions, "wave": wave}


PULSE = {
    "title": "Monthly pulse",
    "intro": "Three quick questions about the past month. It takes a minute.",
    "anonymous": True,
    "audience": Audience.EVERYONE,
    "questions": [
        _agree("manageable", "This month, micro-credential work felt manageable alongside my teaching.",
               EvalLevel.REACTION),
        _agree("supported", "This month, I got the support I needed from my PLC or coach.", EvalLevel.SUPPORT),
        {"kind": QuestionKind.SHORT_TEXT, "key": "one_thing",
         "prompt": "One thing we should change, or keep doing:", "eval_level": EvalLevel.REACTION, "required": False},
    ],
}

TEMPLATES = {
    ReadyMade.READINESS: {"label": "District readiness self-assessment",
                          "text": "The leadership team rates the district on the seven readiness areas; results "
                                  "show as a heat map by area.", "build": lambda: READINESS},
    ReadyMade.EDUCATOR_PRE: {"label": "Educator pilot survey: pre",
                             "text": "Expectations, time, support and confidence before the pilot.",
                             "build": lambda: educator(Wave.PRE)},
    ReadyMade.EDUCATOR_MID: {"label": "Educator pilot survey: mid-point",
                             "text": "The same questions half way through.", "build": lambda: educator(Wave.MID)},
    ReadyMade.EDUCATOR_POST: {"label": "Educator pilot survey: post",
                              "text": "The same questions at the end, plus \"before / now\" pairs.",
                              "build": lambda: educator(Wave.POST)},
    ReadyMade.PULSE: {"label": "Monthly pulse", "text": "Three questions; can repeat every month.",
                      "build": lambda: PULSE},
}
