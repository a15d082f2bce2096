"""Demo data for `milepost seed-demo`: a finished pilot with answered pre/mid/post surveys, and the
readiness self-assessment answered by a leadership team. Answers go through the same services as
real ones; a fixed random seed makes them the same on every run, and the step looks before it adds."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from milepost.accounts.demo import PASSWORD, SCHOOLS
from milepost.accounts.models import School, User
from milepost.accounts.services import save_user
from milepost.badges.models import Badge
from milepost.core.access import Role
from milepost.core.model import utcnow
from milepost.surveys import services
from milepost.surveys.models import Pilot, QuestionKind, Survey, SurveyStatus, Wave
from milepost.surveys.ready_made import ReadyMade

PILOT_NAME = "Student goal-setting pilot"
PD_OFFICE = "dana.whitfield@riverbend.example"
BADGES = ["student-goal-setting", "self-assessment-and-reflection", "formative-checks-that-shape-teaching"]
COACHES = ["grace.okafor@riverbend.example", "tomas.rivera@riverbend.example"]
TEACHERS = ["alicia.chen@riverbend.example", "ben.adeyemi@riverbend.example", "carmen.diaz@riverbend.example",
            "devon.price@riverbend.example", "elena.petrova@riverbend.example", "farid.haddad@riverbend.example",
            "hannah.lindqvist@riverbend.example", "isaac.moreno@riverbend.example"]
# More people, so that each school's group reaches the reporting minimum of five.
EXTRA_TEACHERS = [("Jordan Blake", "jordan.blake@riverbend.example", 0),
                  ("Keiko Tanaka", "keiko.tanaka@riverbend.example", 0),
                  ("Luis Navarro", "luis.navarro@riverbend.example", 1),
                  ("Maya Singh", "maya.singh@riverbend.example", 1)]
LEADERS = [("Renée Dubois", "renee.dubois@riverbend.example"), ("Samuel Okoro", "samuel.okoro@riverbend.example"),
           ("Teresa Lin", "teresa.lin@riverbend.example"), ("Victor Hale", "victor.hale@riverbend.example")]
IMPROVE = [
    "Protected time in PLC meetings to look at each other's evidence.",
    "Clearer examples of what a strong video clip looks like.",
    "Faster feedback from coaches in the busy weeks before report cards.",
    "A shorter reflection prompt; the third question felt repetitive.",
    "Being able to record evidence on my phone during the lesson.",
    "More time. The process itself was worth it.",
    "Pairing up with someone who earned the badge last year.",
]
NEXT_STEPS = [
    "Write down what data we collect and publish it for families.",
    "Agree on a district plan for learner records before buying any platform.",
    "Bring students and families into the design of the first pathway.",
    "Name one liaison for our college and employer partners.",
    "Close the home broadband gap for the middle school first.",
]


def seed_surveys(session, people: dict) -> None:
    schools = list(session.scalars(select(School).where(School.name.in_(SCHOOLS)).order_by(School.id)))
    by_name = {s.name: s for s in schools}
    school_list = [by_name[name] for name in SCHOOLS if name in by_name]
    if len(school_list) < 2:
        return
    for name, email, school_index in EXTRA_TEACHERS:
        people[email] = _person(session, name, email, [Role.TEACHER], school_list[school_index])
    for name, email in LEADERS:
        people[email] = _person(session, name, email, [Role.LEADER], None)
    admin = people.get(PD_OFFICE)
    if session.scalar(select(Pilot.id).where(Pilot.name == PILOT_NAME)) is None:
        _seed_pilot(session, people, admin)
    if session.scalar(select(Survey.id).where(Survey.template_key == ReadyMade.READINESS)) is None:
        _seed_readiness(session, people, admin)


def _person(session, name, email, roles, school) -> User:
    user = session.scalar(select(User).filter_by(email=email))
    if user is None:
        user = save_user(session, None, actor=None, email=email, display_name=name, roles=roles, school=school,
                         plcs=[], password=PASSWORD)
    return user


def _seed_pilot(session, people, admin) -> None:
    today = utcnow().date()
    teachers = [people[e] for e in TEACHERS + [e for _, e, _ in EXTRA_TEACHERS] if e in people]
    badges = list(session.scalars(select(Badge).where(Badge.slug.in_(BADGES))))
    pilot = services.save_pilot(
        session, None, name=PILOT_NAME,
        goals=("Find out whether earning goal-setting and self-assessment badges changes how often teachers hand "
               "goal-setting over to students, and what support from PLCs and coaches makes that possible."),
        starts_on=today - timedelta(days=160), ends_on=today - timedelta(days=30),
        teacher_ids=[t.id for t in teachers], reviewer_ids=[people[e].id for e in COACHES if e in people],
        badge_ids=[b.id for b in badges], actor=admin)
    survey_set, _ = services.create_pilot_waves(session, pilot, actor=admin)
    rng = random.Random(2024)
    # Who answers each wave: most people every time, a few miss one.
    skips = {Wave.PRE: set(), Wave.MID: {1, 6}, Wave.POST: {9}}
    for survey in survey_set.surveys:
        survey.status, survey.published_at = SurveyStatus.PUBLISHED, survey.opens_at
        moment = survey.opens_at + timedelta(days=3)
        for i, teacher in enumerate(teachers):
            if i in skips[survey.wave]:
                continue
            values = _educator_answers(survey, i, rng)
            services.save_response(session, survey, teacher, values, submit=True, now=moment)
    session.flush()


def _educator_answers(survey: Survey, person: int, rng: random.Random) -> dict:
    """Believable answers: confidence and use grow over the pilot, time stays tight, support is good."""
    step = {Wave.PRE: 0, Wave.MID: 1, Wave.POST: 2}[survey.wave]
    lean = (person % 3) - 1  # some people are more positive than others

    def point(base: float, growth: float) -> int:
        return max(1, min(5, round(base + growth * step + lean * 0.6 + rng.uniform(-0.7, 0.7))))

    values = {}
    for q in survey.asked:
        if q.retrospective:
            before = point(2.2, 0)
            values[q.id] = {"before": before, "now": min(5, before + rng.choice([1, 1, 2, 2, 3]))}
        elif q.kind == QuestionKind.LIKERT:
            base, growth = {"value": (3.2, 0.4), "relevance": (3.4, 0.2), "time": (2.3, 0.1),
                            "plc_support": (3.0, 0.45), "coach_support": (3.3, 0.4), "confidence": (2.6, 0.7),
                            "student_change": (2.4, 0.6)}.get(q.key, (3, 0.3))
            values[q.id] = point(base, growth)
        elif q.kind == QuestionKind.NUMBER:
            values[q.id] = float(rng.choice([2, 3, 4, 4, 5, 6, 8]) + step)
        elif q.kind == QuestionKind.SINGLE:
            values[q.id] = max(0, min(3, step + rng.choice([0, 0, 1]) + (1 if lean > 0 else 0)))
        elif q.kind == QuestionKind.MULTIPLE:
            values[q.id] = sorted(rng.sample(range(len(q.options)), rng.choice([1, 2, 2, 3])))
        elif q.kind == QuestionKind.LONG_TEXT and rng.random() < 0.6:
            values[q.id] = rng.choice(IMPROVE)
    return values


def _seed_readiness(session, people, admin) -> None:
    today = utcnow().date()
    survey = services.create_from_template(session, ReadyMade.READINESS, actor=admin,
                                           opens_on=today - timedelta(days=40), closes_on=today - timedelta(days=26))
    survey.status, survey.published_at = SurveyStatus.PUBLISHED, survey.opens_at
    team = [people[e] for e in ["marcus.ortega@riverbend.example"] + [e for _, e in LEADERS] if e in people]
    rng = random.Random(7)
    # Where this district stands: strong on technology, still starting on partnerships and advising.
    lean = {"readiness_change": 2, "equity_inclusion": 1.6, "competency_based": 2.1, "partnerships": 1.3,
            "advising_career": 1.4, "technology_access": 2.5, "data_privacy": 1.9}
    for i, person in enumerate(team):
        values = {}
        for q in survey.asked:
            if q.kind == QuestionKind.RUBRIC:
                values[q.id] = [max(1, min(3, round(lean.get(q.key, 2) + rng.uniform(-0.7, 0.7))))
                                for _ in q.indicators]
            elif q.kind == QuestionKind.LONG_TEXT:
                values[q.id] = NEXT_STEPS[i % len(NEXT_STEPS)]
        services.save_response(session, survey, person, values, submit=True, now=survey.opens_at + timedelta(days=2))
    session.flush()
