"""The rules of pilots and surveys: saving pilots and their dashboard, building surveys, who is in a
survey's audience, taking a survey (one response per person, editable until it closes), pseudonyms,
linked sets, monthly pulses, and gathering results. Functions take a session and plain values."""
from __future__ import annotations

import calendar
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, delete, false, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from milepost.accounts.models import PLC, PLCMembership, School, User, UserRole
from milepost.badges.models import Badge
from milepost.core import audit
from milepost.core.access import ROLES
from milepost.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from milepost.core.model import utcnow
from milepost.evidence.models import Attempt, Submission
from milepost.surveys import results as calc
from milepost.surveys.models import (AUDIENCES, EVAL_LEVELS, KINDS, WAVES, Pilot, PilotMember, Question, Survey,
                                     SurveyAnswer, SurveyParticipation, SurveyResponse, SurveySet, pilot_badge)
from milepost.surveys.templates import TEMPLATES

SHORT_TEXT = 300
LONG_TEXT = 5000
EDITABLE = ("draft", "template")


def new_key() -> str:
    return secrets.token_hex(32)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def slug_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_")[:80]


# --------------------------------------------------------------------------- pilots


def save_pilot(session, pilot: Pilot | None, *, name: str, goals: str, starts_on: date | None, ends_on: date | None,
               teacher_ids, reviewer_ids, badge_ids, add_school_id: int | None = None,
               add_plc_id: int | None = None, actor) -> Pilot:
    """Create (pilot=None) or update a pilot. A school or PLC adds its teachers to the cohort."""
    name = (name or "").strip()
    problems = []
    if not name:
        problems.append("Please give the pilot a name.")
    else:
        clash = session.scalar(select(Pilot).where(func.lower(Pilot.name) == name.lower()))
        if clash is not None and clash is not pilot:
            problems.append(f"There is already a pilot called {clash.name}.")
    if starts_on is None or ends_on is None:
        problems.append("Please give the start and end dates.")
    elif ends_on < starts_on:
        problems.append("The end date must be on or after the start date.")
    if problems:
        raise ValidationFailed(problems[0], problems=problems)

    teachers = set(teacher_ids or [])
    if add_school_id:
        teachers |= set(session.scalars(select(User.id).where(User.school_id == add_school_id, User.active.is_(True),
                                                             User.id.in_(_role_ids("teacher")))))
    if add_plc_id:
        teachers |= set(session.scalars(select(PLCMembership.user_id).where(PLCMembership.plc_id == add_plc_id)))
    reviewers = set(reviewer_ids or []) - teachers
    wanted = {uid: "teacher" for uid in teachers} | {uid: "reviewer" for uid in reviewers}
    known = set(session.scalars(select(User.id).where(User.id.in_(wanted)))) if wanted else set()

    if pilot is None:
        pilot = Pilot(created_by_id=getattr(actor, "id", None))
        session.add(pilot)
    pilot.name, pilot.goals, pilot.starts_on, pilot.ends_on = name, (goals or "").strip(), starts_on, ends_on
    pilot.members = [m for m in pilot.members if m.user_id in known]
    for member in pilot.members:
        member.role = wanted[member.user_id]
    present = {m.user_id for m in pilot.members}
    for uid in sorted(known - present):
        pilot.members.append(PilotMember(user_id=uid, role=wanted[uid]))
    ids = list(badge_ids or [])
    pilot.badges = list(session.scalars(select(Badge).where(Badge.id.in_(ids)))) if ids else []
    session.flush()
    audit.record(session, "pilot.save", actor=actor, target=pilot, name=name, cohort=len(pilot.members),
                 badges=len(pilot.badges))
    return pilot


def _role_ids(role: str):
    return select(UserRole.user_id).where(UserRole.role == role)


@dataclass
class Dashboard:
    teachers: int
    reviewers: int
    started: int
    by_state: dict[str, int]
    awards: int
    turnaround_mean: float | None
    turnaround_median: float | None
    decisions: int
    surveys: list[dict] = field(default_factory=list)

    @property
    def participation(self) -> float:
        return calc.percent(self.started, self.teachers)


def pilot_dashboard(session, pilot: Pilot) -> Dashboard:
    """Participation, submissions, awards, review turnaround and survey response rates, in a fixed
    number of queries whatever the size of the cohort."""
    cohort = select(PilotMember.user_id).where(PilotMember.pilot_id == pilot.id, PilotMember.role == "teacher")
    scope = select(pilot_badge.c.badge_id).where(pilot_badge.c.pilot_id == pilot.id)
    in_pilot = and_(Submission.user_id.in_(cohort), Submission.badge_id.in_(scope))

    def members(role):
        return (select(func.count()).select_from(PilotMember)
                .where(PilotMember.pilot_id == pilot.id, PilotMember.role == role).scalar_subquery())

    # The cohort's sizes and how many started, in one round trip.
    teachers, reviewers, started = session.execute(select(
        members("teacher"), members("reviewer"),
        select(func.count(func.distinct(Submission.user_id))).where(in_pilot).scalar_subquery())).one()
    roles = {"teacher": teachers or 0, "reviewer": reviewers or 0}
    started = started or 0
    by_state = dict(session.execute(select(Submission.state, func.count()).where(in_pilot)
                                    .group_by(Submission.state)).all())
    pairs = session.execute(select(Attempt.submitted_at, Attempt.decided_at).join(Submission)
                            .where(in_pilot, Attempt.outcome.in_(("awarded", "returned")))).all()
    mean_days, median_days, decisions = calc.turnaround_days(pairs)

    surveys = session.scalars(select(Survey).where(Survey.pilot_id == pilot.id, Survey.status == "published")
                              .order_by(Survey.opens_at, Survey.id)).all()
    answered = dict(session.execute(
        select(SurveyParticipation.survey_id, func.count()).where(
            SurveyParticipation.survey_id.in_([s.id for s in surveys]), SurveyParticipation.submitted.is_(True))
        .group_by(SurveyParticipation.survey_id)).all()) if surveys else {}
    cohort_size = sum(roles.values())
    rows = []
    for survey in surveys:
        size = cohort_size if survey.audience == "pilot" and survey.pilot_id == pilot.id else audience_size(session,
                                                                                                            survey)
        rows.append({"survey": survey, "answered": answered.get(survey.id, 0), "audience": size,
                     "rate": calc.percent(answered.get(survey.id, 0), size)})
    return Dashboard(teachers=roles.get("teacher", 0), reviewers=roles.get("reviewer", 0), started=started,
                     by_state=by_state, awards=by_state.get("awarded", 0), turnaround_mean=mean_days,
                     turnaround_median=median_days, decisions=decisions, surveys=rows)


def pilot_members(session, pilot: Pilot) -> list[PilotMember]:
    """The cohort with their schools, in one query (their roles are not shown)."""
    from sqlalchemy.orm import contains_eager, joinedload, lazyload

    return list(session.scalars(select(PilotMember).where(PilotMember.pilot_id == pilot.id)
                                .join(User, User.id == PilotMember.user_id)
                                .options(contains_eager(PilotMember.user).options(joinedload(User.school),
                                                                                 lazyload(User.role_rows)))
                                .order_by(User.display_name, User.id)))


# --------------------------------------------------------------------------- audience


def audience_filter(survey: Survey):
    """A condition on User for the people a survey is meant for."""
    active = User.active.is_(True)
    if survey.audience == "role":
        return and_(active, User.id.in_(_role_ids(survey.audience_role or "")))
    if survey.audience == "school":
        return and_(active, User.school_id == survey.audience_school_id)
    if survey.audience == "pilot":
        return and_(active, User.id.in_(select(PilotMember.user_id).where(PilotMember.pilot_id == survey.pilot_id)))
    return active


def audience_size(session, survey: Survey) -> int:
    return session.scalar(select(func.count(User.id)).where(audience_filter(survey))) or 0


def in_audience(session, user, survey: Survey) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if survey.audience == "everyone":
        return True
    if survey.audience == "role":
        return user.has_role(survey.audience_role or "")
    if survey.audience == "school":
        return survey.audience_school_id is not None and user.school_id == survey.audience_school_id
    if survey.audience == "pilot":
        return session.scalar(select(PilotMember.user_id).where(PilotMember.pilot_id == survey.pilot_id,
                                                                 PilotMember.user_id == user.id)) is not None
    return False


def surveys_for(session, user, now: datetime | None = None) -> list[dict]:
    """"My surveys": open surveys meant for this person, and closed ones they answered, with their status."""
    now = now or utcnow()
    mine = or_(
        Survey.audience == "everyone",
        and_(Survey.audience == "role", Survey.audience_role.in_(sorted(user.roles))),
        and_(Survey.audience == "school", Survey.audience_school_id == user.school_id)
        if user.school_id else false(),
        and_(Survey.audience == "pilot",
             Survey.pilot_id.in_(select(PilotMember.pilot_id).where(PilotMember.user_id == user.id))),
    )
    surveys = session.scalars(select(Survey).where(Survey.status == "published", Survey.opens_at <= now, mine)
                              .order_by(Survey.closes_at, Survey.id)).all()
    status = dict(session.execute(select(SurveyParticipation.survey_id, SurveyParticipation.submitted).where(
        SurveyParticipation.user_id == user.id, SurveyParticipation.survey_id.in_([s.id for s in surveys])))
        .all()) if surveys else {}
    rows = []
    for survey in surveys:
        state = {True: "submitted", False: "saved"}.get(status.get(survey.id), "not_started")
        is_open = survey.is_open(now)
        if is_open or state != "not_started":
            rows.append({"survey": survey, "state": state, "open": is_open})
    return rows


# --------------------------------------------------------------------------- surveys and questions


def save_survey(session, survey: Survey | None, *, title: str, intro: str = "", anonymous: bool,
                audience: str, audience_role: str | None = None, audience_school_id: int | None = None,
                pilot_id: int | None = None, set_id: int | None = None, wave: str = "",
                opens_on: date | None, closes_on: date | None, actor) -> Survey:
    """Create (survey=None) or change a survey's settings. Closing day counts: it closes at its end."""
    title = (title or "").strip()
    problems = []
    if not title:
        problems.append("Please give the survey a title.")
    if audience not in AUDIENCES:
        problems.append("Please choose who the survey is for.")
    if audience == "role" and audience_role not in ROLES:
        problems.append("Please choose the role the survey is for.")
    if audience == "school" and not (audience_school_id and session.get(School, audience_school_id)):
        problems.append("Please choose the school the survey is for.")
    if audience == "pilot" and pilot_id is None:
        problems.append("Please choose the pilot whose cohort the survey is for.")
    if opens_on is None or closes_on is None:
        problems.append("Please give the opening and closing dates.")
    elif closes_on < opens_on:
        problems.append("The closing date must be on or after the opening date.")
    if wave and wave not in WAVES and not re.fullmatch(r"\d{4}-\d{2}", wave):
        problems.append("Please choose pre, mid or post.")
    if survey is not None and survey.anonymous != anonymous and _has_responses(session, survey):
        problems.append("People have already answered, so whether the survey is anonymous can no longer change.")
    if problems:
        raise ValidationFailed(problems[0], problems=problems)

    if survey is None:
        survey = Survey(own_key=new_key(), created_by_id=getattr(actor, "id", None), status="draft")
        session.add(survey)
    survey.title, survey.intro, survey.anonymous, survey.audience = title, (intro or "").strip(), anonymous, audience
    survey.audience_role = audience_role if audience == "role" else None
    survey.audience_school_id = audience_school_id if audience == "school" else None
    survey.pilot_id = pilot_id
    survey.set_id = set_id
    survey.wave = wave or ""
    survey.opens_at = day_start(opens_on)
    survey.closes_at = day_start(closes_on) + timedelta(days=1)
    session.flush()
    audit.record(session, "survey.save", actor=actor, target=survey, title=title)
    return survey


def _has_responses(session, survey: Survey) -> bool:
    return session.scalar(select(SurveyParticipation.user_id).where(SurveyParticipation.survey_id == survey.id)
                          .limit(1)) is not None


def _check_editable(session, survey: Survey) -> None:
    if survey.status not in EDITABLE or _has_responses(session, survey):
        raise InvalidTransition("The questions of a published survey cannot change, so that every answer means "
                                "the same thing. Make a copy to change them.")


def clean_question(data: dict) -> dict:
    """Check a question's fields and return them tidied; ValidationFailed lists every problem."""
    kind = data.get("kind")
    problems = []
    if kind not in KINDS:
        raise ValidationFailed("Please choose what kind of question this is.")
    prompt = (data.get("prompt") or "").strip()
    if not prompt:
        problems.append("Please write the question." if kind != "section" else "Please give the section a title.")
    if len(prompt) > 500:
        problems.append("Please keep the question under 500 characters.")
    level = data.get("eval_level") or ""
    if level and level not in EVAL_LEVELS:
        problems.append("Please choose an evaluation level from the list.")
    options = [str(o).strip() for o in (data.get("options") or []) if str(o).strip()]
    indicators = []
    min_value = max_value = None
    if kind == "likert":
        if len(options) not in (5, 7):
            problems.append("A Likert scale needs 5 or 7 labels, from most negative to most positive.")
    elif kind in ("single", "multiple"):
        if len(options) < 2:
            problems.append("Give at least two choices, one per line.")
        if len(set(options)) != len(options):
            problems.append("Each choice must be different.")
    elif kind == "rubric":
        if len(options) < 2:
            problems.append("Give at least two levels, one per line (for example Starting, Practicing, Sustaining).")
        for raw in data.get("indicators") or []:
            if isinstance(raw, dict):
                text, descriptions = str(raw.get("text", "")).strip(), list(raw.get("descriptions") or [])
            else:
                parts = [p.strip() for p in str(raw).split("|")]
                text, descriptions = parts[0], parts[1:]
            if text:
                descriptions = (descriptions + [""] * len(options))[:len(options)]
                indicators.append({"text": text, "descriptions": descriptions})
        if not indicators:
            problems.append("Give at least one indicator, one per line.")
    elif kind == "number":
        try:
            min_value = _number_or_none(data.get("min_value"))
            max_value = _number_or_none(data.get("max_value"))
        except ValueError:
            problems.append("The smallest and largest allowed numbers must be numbers.")
        else:
            if min_value is not None and max_value is not None and min_value > max_value:
                problems.append("The smallest allowed number is larger than the largest.")
    if problems:
        raise ValidationFailed(problems[0], problems=problems)
    keep_options = kind in ("likert", "single", "multiple", "rubric")
    return {
        "kind": kind, "prompt": prompt, "help": (data.get("help") or "").strip(),
        "required": bool(data.get("required")) and kind != "section",
        "eval_level": level if kind != "section" else "",
        "key": slug_key(data.get("key") or "") or (slug_key(prompt) if kind != "section" else ""),
        "options": options if keep_options else [], "indicators": indicators,
        "min_value": min_value, "max_value": max_value,
        "retrospective": bool(data.get("retrospective")) and kind == "likert",
    }


def _number_or_none(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return float(str(value).replace(",", "."))


def save_question(session, survey: Survey, question: Question | None, data: dict, *, actor) -> Question:
    _check_editable(session, survey)
    clean = clean_question(data)
    if question is None:
        question = Question(position=max((q.position for q in survey.questions), default=-1) + 1)
        survey.questions.append(question)
    for name, value in clean.items():
        setattr(question, name, value)
    session.flush()
    return question


def move_question(session, survey: Survey, question: Question, direction: str) -> None:
    _check_editable(session, survey)
    order = list(survey.questions)
    i = order.index(question)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    for position, q in enumerate(order):
        q.position = position
    session.flush()
    session.expire(survey, ["questions"])


def delete_question(session, survey: Survey, question: Question) -> None:
    _check_editable(session, survey)
    survey.questions.remove(question)
    session.delete(question)
    session.flush()


def create_from_template(session, key: str, *, actor, pilot: Pilot | None = None, survey_set: SurveySet | None = None,
                         opens_on: date | None = None, closes_on: date | None = None) -> Survey:
    """A draft survey with the template's questions, ready to adjust and publish."""
    if key not in TEMPLATES:
        raise ValidationFailed("There is no such template.")
    doc = TEMPLATES[key]["build"]()
    today = utcnow().date()
    opens_on = opens_on or today
    audience = doc["audience"] if doc["audience"] != "pilot" or pilot is not None else "everyone"
    survey = save_survey(session, None, title=doc["title"], intro=doc["intro"], anonymous=doc["anonymous"],
                         audience=audience, audience_role=doc.get("audience_role"),
                         pilot_id=pilot.id if pilot else None, set_id=survey_set.id if survey_set else None,
                         wave=doc.get("wave", ""), opens_on=opens_on, closes_on=closes_on or opens_on + timedelta(days=14),
                         actor=actor)
    survey.template_key = key
    for position, q in enumerate(doc["questions"]):
        clean = clean_question({"required": False, **q})
        survey.questions.append(Question(position=position, **clean))
    session.flush()
    audit.record(session, "survey.from_template", actor=actor, target=survey, template=key)
    return survey


def create_pilot_waves(session, pilot: Pilot, *, actor) -> SurveySet:
    """One click: a linked pre/mid/post set for the pilot's cohort, timed around its dates."""
    survey_set = SurveySet(name=f"{pilot.name}: educator surveys", kind="waves", pilot_id=pilot.id,
                           pseudonym_key=new_key())
    session.add(survey_set)
    session.flush()
    middle = pilot.starts_on + (pilot.ends_on - pilot.starts_on) / 2
    windows = {"pre": (pilot.starts_on - timedelta(days=7), pilot.starts_on + timedelta(days=14)),
               "mid": (middle - timedelta(days=7), middle + timedelta(days=7)),
               "post": (pilot.ends_on - timedelta(days=7), pilot.ends_on + timedelta(days=21))}
    for wave, (opens_on, closes_on) in windows.items():
        survey = create_from_template(session, f"educator_{wave}", actor=actor, pilot=pilot, survey_set=survey_set,
                                      opens_on=opens_on, closes_on=closes_on)
        survey.title = f"{pilot.name}: {wave} survey"
    audit.record(session, "survey_set.create", actor=actor, target=survey_set, pilot=pilot.id)
    return survey_set


def copy_survey(session, source: Survey, *, actor, **overrides) -> Survey:
    fields = {name: getattr(source, name) for name in ("title", "intro", "anonymous", "audience", "audience_role",
                                                       "audience_school_id", "pilot_id", "set_id", "wave",
                                                       "opens_at", "closes_at", "template_key")}
    fields.update(overrides)
    survey = Survey(status="draft", own_key=new_key(), created_by_id=getattr(actor, "id", None), **fields)
    for q in source.questions:
        survey.questions.append(Question(**{name: getattr(q, name) for name in (
            "position", "kind", "prompt", "help", "required", "eval_level", "key", "options", "indicators",
            "min_value", "max_value", "retrospective")}))
    session.add(survey)
    session.flush()
    return survey


def publish(session, survey: Survey, *, actor, now: datetime | None = None) -> None:
    if survey.status != "draft":
        raise InvalidTransition("Only a draft survey can be published.")
    if not survey.asked:
        raise InvalidTransition("Add at least one question before publishing.")
    if survey.audience == "pilot" and survey.pilot_id is None:
        raise InvalidTransition("Choose the pilot whose cohort this survey is for before publishing.")
    survey.status = "published"
    survey.published_at = now or utcnow()
    session.flush()
    audit.record(session, "survey.publish", actor=actor, target=survey)
    if survey.is_open(survey.published_at):
        # Opening later: `milepost send-survey-reminders` tells the audience on the day it opens.
        from milepost.surveys.reminders import announce_open

        announce_open(session, survey)


def close_now(session, survey: Survey, *, actor, now: datetime | None = None) -> None:
    now = now or utcnow()
    if not survey.is_open(now):
        raise InvalidTransition("This survey is not open.")
    survey.closes_at = max(now, survey.opens_at + timedelta(seconds=1))
    session.flush()
    audit.record(session, "survey.close", actor=actor, target=survey)


def make_pulse(session, survey: Survey, *, days_open: int = 14, actor) -> SurveySet:
    """Turn a draft into the template of a monthly pulse; `milepost open-pulse-surveys` opens each month's copy."""
    if survey.status != "draft" or survey.set_id is not None:
        raise InvalidTransition("Only a draft survey that is not already in a set can become a monthly pulse.")
    if not 1 <= days_open <= 28:
        raise ValidationFailed("A pulse stays open between 1 and 28 days.")
    if not 1 <= len(survey.asked) <= 5:
        raise ValidationFailed("A pulse should be short: one to five questions.")
    pulse = SurveySet(name=survey.title, kind="pulse", pseudonym_key=new_key(), pulse_days_open=days_open,
                      pilot_id=survey.pilot_id)
    session.add(pulse)
    session.flush()
    survey.set_id, survey.status = pulse.id, "template"
    session.flush()
    audit.record(session, "survey.make_pulse", actor=actor, target=survey, days_open=days_open)
    return pulse


def open_pulse_surveys(session, *, month: date | None = None, now: datetime | None = None, actor=None) -> list[Survey]:
    """Open this month's survey of every pulse that does not have one yet (safe to run daily from cron)."""
    now = now or utcnow()
    month = (month or now.date()).replace(day=1)
    wave = month.strftime("%Y-%m")
    opened = []
    for pulse in session.scalars(select(SurveySet).where(SurveySet.kind == "pulse").order_by(SurveySet.id)):
        template = next((s for s in pulse.surveys if s.status == "template"), None)
        if template is None or any(s.wave == wave for s in pulse.surveys):
            continue
        opens_at = max(now, day_start(month))
        survey = copy_survey(session, template, actor=actor, wave=wave, set_id=pulse.id, opens_at=opens_at,
                             closes_at=opens_at + timedelta(days=pulse.pulse_days_open),
                             title=f"{template.title}: {calendar.month_name[month.month]} {month.year}")
        survey.status, survey.published_at = "published", now
        audit.record(session, "survey.pulse_opened", actor=actor, target=survey, month=wave)
        opened.append(survey)
    session.flush()
    return opened


def seal_closed(session, *, now: datetime | None = None, actor=None) -> int:
    """Forget the pseudonym keys of sets and surveys that are finished, so nobody can ever recompute
    who is behind a pseudonym. Pulses recur, so they keep their key. Returns how many were sealed."""
    now = now or utcnow()
    sealed = 0
    for survey_set in session.scalars(select(SurveySet).where(SurveySet.kind == "waves",
                                                              SurveySet.pseudonym_key.is_not(None))):
        if survey_set.surveys and all(s.status == "published" and s.closes_at <= now for s in survey_set.surveys):
            survey_set.pseudonym_key = None
            audit.record(session, "survey_set.seal", actor=actor, target=survey_set)
            sealed += 1
    for survey in session.scalars(select(Survey).where(Survey.set_id.is_(None), Survey.own_key.is_not(None),
                                                       Survey.status == "published", Survey.closes_at <= now)):
        survey.own_key = None
        audit.record(session, "survey.seal", actor=actor, target=survey)
        sealed += 1
    session.flush()
    return sealed


# --------------------------------------------------------------------------- taking a survey


def pseudonym(survey: Survey, user) -> str:
    """HMAC of the person under the set's random key (or the survey's own when it is not in a set).
    The same person gets the same pseudonym on every survey of a set and a different one elsewhere."""
    if survey.survey_set is not None:
        key, scope = survey.survey_set.pseudonym_key, f"set:{survey.survey_set.id}"
    else:
        key, scope = survey.own_key, f"survey:{survey.id}"
    if not key:
        raise InvalidTransition("This survey is finished and sealed: answers can no longer be changed.")
    return hmac.new(bytes.fromhex(key), f"{scope}:{user.id}".encode(), hashlib.sha256).hexdigest()


def check_can_answer(session, survey: Survey, user, now: datetime | None = None) -> None:
    now = now or utcnow()
    if survey.status != "published":
        raise NotAllowed("This survey is not open for answers.")
    if not in_audience(session, user, survey):
        raise NotAllowed("This survey is for a different group of people.")
    if now < survey.opens_at:
        raise InvalidTransition(f"This survey opens on {survey.opens_at:%d %B %Y}.")
    if now >= survey.closes_at:
        raise InvalidTransition(f"This survey closed on {survey.closes_at - timedelta(seconds=1):%d %B %Y}; "
                                "answers can no longer be given or changed.")


def my_response(session, survey: Survey, user) -> SurveyResponse | None:
    try:
        name = pseudonym(survey, user)
    except InvalidTransition:
        return None
    return session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                                       SurveyResponse.pseudonym == name)
                          .options(selectinload(SurveyResponse.answers)))


def field_names(question: Question) -> list[str]:
    if question.kind == "rubric":
        return [f"q{question.id}-{i}" for i in range(len(question.indicators))]
    if question.retrospective:
        return [f"q{question.id}-before", f"q{question.id}-now"]
    return [f"q{question.id}"]


def answers_as_fields(survey: Survey, answers: dict[int, object]) -> MultiDict:
    """Saved answers as the form fields that show them (the inverse of parse_answers)."""
    fields = MultiDict()
    for q in survey.asked:
        value = answers.get(q.id)
        if value is None:
            continue
        if q.kind == "rubric":
            for i, level in enumerate(value):
                if level is not None:
                    fields.add(f"q{q.id}-{i}", str(level))
        elif q.retrospective:
            for part in ("before", "now"):
                if value.get(part) is not None:
                    fields.add(f"q{q.id}-{part}", str(value[part]))
        elif q.kind == "multiple":
            for i in value:
                fields.add(f"q{q.id}", str(i))
        elif q.kind == "number":
            fields.add(f"q{q.id}", f"{value:g}")
        else:
            fields.add(f"q{q.id}", str(value))
    return fields


def _point(raw: str, top: int, *, base: int = 1) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.lstrip("-").isdigit() or not base <= int(raw) < base + top:
        raise ValueError
    return int(raw)


def parse_answers(survey: Survey, form) -> tuple[dict[int, object], dict[int, str]]:
    """Read a survey form into clean values per question id, and a message for each answer in the
    wrong shape. Unanswered questions are left out; `missing_required` checks those."""
    values, errors = {}, {}
    for q in survey.asked:
        name = f"q{q.id}"
        try:
            if q.kind == "likert" and q.retrospective:
                pair = {"before": _point(form.get(f"{name}-before", ""), len(q.options)),
                        "now": _point(form.get(f"{name}-now", ""), len(q.options))}
                value = pair if any(v is not None for v in pair.values()) else None
            elif q.kind == "likert":
                value = _point(form.get(name, ""), len(q.options))
            elif q.kind == "single":
                value = _point(form.get(name, ""), len(q.options), base=0)
            elif q.kind == "multiple":
                picks = sorted({_point(raw, len(q.options), base=0) for raw in form.getlist(name) if raw.strip()})
                value = picks or None
            elif q.kind in ("short_text", "long_text"):
                value = (form.get(name) or "").strip() or None
                limit = SHORT_TEXT if q.kind == "short_text" else LONG_TEXT
                if value and len(value) > limit:
                    errors[q.id] = f"Please keep this answer under {limit} characters (it has {len(value)})."
                    continue
            elif q.kind == "number":
                raw = (form.get(name) or "").strip()
                if not raw:
                    value = None
                else:
                    try:
                        value = float(raw.replace(",", "."))
                    except ValueError:
                        errors[q.id] = "Please enter a number, for example 4 or 2.5."
                        continue
                    if value != value or value in (float("inf"), float("-inf")):
                        errors[q.id] = "Please enter a number, for example 4 or 2.5."
                        continue
                    if q.min_value is not None and value < q.min_value:
                        errors[q.id] = f"Please enter {q.min_value:g} or more."
                        continue
                    if q.max_value is not None and value > q.max_value:
                        errors[q.id] = f"Please enter {q.max_value:g} or less."
                        continue
            elif q.kind == "rubric":
                levels = [_point(form.get(f"{name}-{i}", ""), len(q.options)) for i in range(len(q.indicators))]
                value = levels if any(v is not None for v in levels) else None
            else:
                continue
        except ValueError:
            errors[q.id] = "Please choose one of the options shown."
            continue
        if value is not None:
            values[q.id] = value
    return values, errors


def missing_required(survey: Survey, values: dict[int, object]) -> dict[int, str]:
    missing = {}
    for q in survey.asked:
        if not q.required:
            continue
        value = values.get(q.id)
        if value is None:
            missing[q.id] = "This question needs an answer." if q.kind != "multiple" else "Please choose at least one."
        elif q.kind == "rubric" and any(v is None for v in value):
            missing[q.id] = "Please choose a level for every indicator."
        elif q.retrospective and (value.get("before") is None or value.get("now") is None):
            missing[q.id] = "Please answer both \"before\" and \"now\"."
    return missing


def save_response(session, survey: Survey, user, values: dict[int, object], *, submit: bool,
                  now: datetime | None = None) -> SurveyResponse:
    """Keep this person's answers: their one response, created or changed. Submitting checks the
    required questions; once submitted, every later save must pass that check too."""
    check_can_answer(session, survey, user, now)
    name = pseudonym(survey, user)
    response = my_response(session, survey, user)
    participation = session.get(SurveyParticipation, (survey.id, user.id))
    if submit or (response is not None and response.submitted):
        missing = missing_required(survey, values)
        if missing:
            prompts = {q.id: q.prompt for q in survey.asked}
            raise ValidationFailed("Some required questions are not answered yet.",
                                   problems=[f"{prompts[qid]}: {message}" for qid, message in missing.items()])
        submit = True
    if response is None:
        response = SurveyResponse(id=uuid.uuid4().hex, survey_id=survey.id, pseudonym=name,
                                  user_id=None if survey.anonymous else user.id)
        session.add(response)
    # Anonymous responses keep only what the results filters need, and never the person.
    response.school_id = user.school_id
    response.roles = ",".join(sorted(user.roles))
    response.submitted = response.submitted or submit
    by_question = {a.question_id: a for a in response.answers}
    for q in survey.asked:
        if q.id in values:
            if q.id in by_question:
                by_question[q.id].value = values[q.id]
            else:
                response.answers.append(SurveyAnswer(question_id=q.id, value=values[q.id]))
        elif q.id in by_question:
            response.answers.remove(by_question[q.id])
    if participation is None:
        participation = SurveyParticipation(survey_id=survey.id, user_id=user.id)
        session.add(participation)
    participation.submitted = bool(participation.submitted or submit)
    session.flush()
    return response


# --------------------------------------------------------------------------- results


@dataclass
class Respondent:
    """A submitted response as the results see it: a pseudonym, the filter fields, the answers."""

    pseudonym: str
    school_id: int | None
    roles: set[str]
    answers: dict[int, object]
    name: str | None = None  # identified surveys only, and only for the PD office


def respondents(session, survey: Survey, *, school_id: int | None = None, role: str | None = None,
                with_names: bool = False) -> list[Respondent]:
    query = (select(SurveyResponse).where(SurveyResponse.survey_id == survey.id, SurveyResponse.submitted.is_(True))
             .options(selectinload(SurveyResponse.answers)))
    if school_id:
        query = query.where(SurveyResponse.school_id == school_id)
    if with_names and not survey.anonymous:
        query = query.options(selectinload(SurveyResponse.user))
    rows = []
    for r in session.scalars(query):
        roles = set(filter(None, r.roles.split(",")))
        if role and role not in roles:
            continue
        name = r.user.display_name if with_names and not survey.anonymous and r.user is not None else None
        rows.append(Respondent(r.pseudonym, r.school_id, roles, {a.question_id: a.value for a in r.answers}, name))
    return rows


def summarise(question: Question, people: list[Respondent], minimum: int) -> dict:
    values = [p.answers[question.id] for p in people if question.id in p.answers]
    named = [(p.name, p.answers[question.id]) for p in people if question.id in p.answers and p.name]
    return _summary(question, values, named, minimum)


def _summary(question: Question, values: list, named: list[tuple[str, object]], minimum: int) -> dict:
    """One question's figures from its answers (in any order) and, for identified surveys shown with
    names, the (name, answer) pairs."""
    result = {"question": question, "n": len(values), "suppressed": calc.too_small(len(values), minimum)}
    if result["suppressed"]:
        return result
    if question.kind == "likert" and question.retrospective:
        result["retro"] = calc.retrospective_summary(question.options, values)
    elif question.kind == "likert":
        result["distribution"] = calc.scale_distribution(question.options, values)
    elif question.kind in ("single", "multiple"):
        result["distribution"] = calc.choice_distribution(question.options, values,
                                                          multiple=question.kind == "multiple")
    elif question.kind == "number":
        result["numbers"] = calc.number_summary(values)
    elif question.kind == "rubric":
        result["rubric"] = calc.rubric_summary(question.options, question.indicators, values)
    else:
        if named and len(named) == len(values):
            result["named_texts"] = sorted(((n, t) for n, t in named if isinstance(t, str)),
                                           key=lambda pair: pair[0].casefold())
        else:
            result["texts"] = calc.text_list(values)
    return result


def survey_results(survey: Survey, people: list[Respondent], minimum: int) -> dict:
    """Every question summarised, grouped by evaluation level, plus the heat map of rubric areas."""
    return _report([summarise(q, people, minimum) for q in survey.asked], len(people), minimum)


def results_report(session, survey: Survey, minimum: int, *, school_id: int | None = None, role: str | None = None,
                   with_names: bool = False) -> dict:
    """survey_results(survey, respondents(...), minimum), computed in the database for the results page:
    one count of the matching responses and one GROUP BY of their answers by question and value, each
    distinct value decoded once. Three queries at most whatever the number of responses, and no object
    per answer (issue 13: 1.4 s and 19 queries at 5,000 responses before)."""
    import json
    from collections import defaultdict

    from sqlalchemy import Text, cast, literal

    R, A = SurveyResponse, SurveyAnswer
    where = [R.survey_id == survey.id, R.submitted.is_(True)]
    if school_id:
        where.append(R.school_id == school_id)
    if role:  # the roles column is a comma-separated list, as respondents() splits it
        where.append((literal(",") + R.roles + literal(",")).contains(f",{role},", autoescape=True))
    n = session.scalar(select(func.count()).select_from(R).where(*where)) or 0
    raw = cast(A.value, Text)
    values: dict[int, list] = defaultdict(list)
    for question_id, text, count in session.execute(
            select(A.question_id, raw, func.count()).join(R, R.id == A.response_id).where(*where)
            .group_by(A.question_id, raw)):
        values[question_id].extend([json.loads(text) if text is not None else None] * count)
    named: dict[int, list] = defaultdict(list)
    texts = [q.id for q in survey.asked if q.kind in ("short_text", "long_text")]
    if with_names and not survey.anonymous and texts:
        for question_id, name, value in session.execute(
                select(A.question_id, User.display_name, A.value).join(R, R.id == A.response_id)
                .join(User, User.id == R.user_id).where(*where, A.question_id.in_(texts))):
            if name:
                named[question_id].append((name, value))
    return _report([_summary(q, values.get(q.id, []), named.get(q.id, []), minimum) for q in survey.asked], n,
                   minimum)


def _report(summaries: list[dict], n: int, minimum: int) -> dict:
    groups = []
    for level in list(EVAL_LEVELS) + [""]:
        rows = [s for s in summaries if s["question"].eval_level == level]
        if rows:
            groups.append((level, rows))
    heat = calc.heat_map([(s["question"].prompt, s["rubric"]) for s in summaries if "rubric" in s])
    return {"n": n, "suppressed": calc.too_small(n, minimum), "groups": groups, "heat": heat, "minimum": minimum}


def score(question: Question, value) -> float | None:
    """One answer as a number to follow over time."""
    if question.kind == "rubric":
        return calc.rubric_score(value)
    if question.kind == "likert" and question.retrospective:
        return value.get("now") if isinstance(value, dict) else None
    if question.kind in ("likert", "number") and isinstance(value, (int, float)):
        return float(value)
    return None


def set_comparison(session, survey_set: SurveySet, *, minimum: int, school_id=None, role=None) -> dict:
    """For each question asked (by key) in two or more surveys of the set: the mean at each wave
    for the respondents matched across those waves through their pseudonyms."""
    waves = [s for s in survey_set.surveys if s.status == "published"]
    people = {s.id: respondents(session, s, school_id=school_id, role=role) for s in waves}
    keys: dict[str, list[tuple[Survey, Question]]] = {}
    for s in waves:
        for q in s.asked:
            if q.key and q.kind in ("likert", "number", "rubric"):
                keys.setdefault(q.key, []).append((s, q))
    rows = []
    for key, asked in keys.items():
        if len(asked) < 2:
            continue
        series = [(s.wave or s.title, {p.pseudonym: score(q, p.answers.get(q.id)) for p in people[s.id]
                                       if q.id in p.answers}) for s, q in asked]
        change = calc.matched_change(series)
        first_q = asked[0][1]
        by_survey = {s.id: m for (s, _), m in zip(asked, change.means)}
        rows.append({"key": key, "question": first_q, "change": change,
                     "cells": [(s.id in by_survey, by_survey.get(s.id)) for s in waves],
                     "scale": len(first_q.options) if first_q.kind in ("likert", "rubric") else None,
                     "suppressed": change.n_matched < minimum})
    return {"waves": waves, "rows": rows}


def respondent_label(survey_set_or_survey_key: str, pseudonym_value: str) -> str:
    """A short stand-in for a pseudonym in exports: stable within a set, unrelated to the stored value."""
    return "R-" + hashlib.sha256(f"{survey_set_or_survey_key}:{pseudonym_value}".encode()).hexdigest()[:10]


def export_table(survey: Survey, people: list[Respondent], *, with_names: bool) -> tuple[list[str], list[list]]:
    """One row per submitted response and one column per answer part. Anonymous surveys export a
    respondent code (the same across a set, for matching) and nothing about the person."""
    header = ["respondent"] + (["name"] if with_names and not survey.anonymous else [])
    columns = []
    for q in survey.asked:
        if q.kind == "rubric":
            for i, indicator in enumerate(q.indicators):
                columns.append((q, i, f"{q.prompt}: {indicator['text']}"))
        elif q.retrospective:
            columns += [(q, "before", f"{q.prompt} (before)"), (q, "now", f"{q.prompt} (now)")]
        else:
            columns.append((q, None, q.prompt))
    header += [label for _, _, label in columns]
    scope = f"set:{survey.set_id}" if survey.set_id else f"survey:{survey.id}"
    rows = []
    for p in people:
        row = [respondent_label(scope, p.pseudonym)] + ([p.name or ""] if with_names and not survey.anonymous else [])
        for q, part, _ in columns:
            value = p.answers.get(q.id)
            row.append(_cell(q, value, part))
        rows.append(row)
    rows.sort(key=lambda r: r[0])  # order by code, never by when or who
    return header, rows


def _cell(q: Question, value, part):
    if value is None:
        return ""
    if q.kind == "rubric":
        level = value[part] if part < len(value) else None
        return q.options[level - 1] if level else ""
    if q.retrospective:
        point = value.get(part)
        return q.options[point - 1] if point else ""
    if q.kind == "likert":
        return q.options[value - 1]
    if q.kind == "single":
        return q.options[value]
    if q.kind == "multiple":
        return "; ".join(q.options[i] for i in value)
    if q.kind == "number":
        return f"{value:g}"
    return value


def school_choices(session) -> list[tuple[int, str]]:
    return [(s.id, s.name) for s in session.scalars(select(School).order_by(School.name))]


def plc_choices(session) -> list[tuple[int, str]]:
    return [(p.id, p.label) for p in session.scalars(select(PLC).options(selectinload(PLC.school))
                                                     .order_by(PLC.name))]


def delete_survey(session, survey: Survey, *, actor) -> None:
    if survey.status == "published" and _has_responses(session, survey):
        raise InvalidTransition("A survey with answers cannot be deleted.")
    session.execute(delete(Question).where(Question.survey_id == survey.id))
    audit.record(session, "survey.delete", actor=actor, target=survey, title=survey.title)
    session.delete(survey)
    session.flush()
