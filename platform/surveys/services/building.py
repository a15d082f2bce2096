"""Building surveys: their settings, their questions (checked and tidied), ready-made surveys, a pilot's
linked pre/mid/post set, copies, and deleting a survey nobody has answered."""
from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select, update

from milepost.accounts.models import School
from milepost.core import audit
from milepost.core.access import ROLES
from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.core.model import utcnow
from milepost.surveys.models import (
    AUDIENCES,
    EVAL_LEVELS,
    KINDS,
    MEMBER_ROLES,
    WAVES,
    Audience,
    EvalLevel,
    MemberRole,
    Pilot,
    Question,
    QuestionKind,
    SetKind,
    Survey,
    SurveyParticipation,
    SurveySet,
    SurveyStatus,
    Wave,
)
from milepost.surveys.ready_made import TEMPLATES, ReadyMade

EDITABLE = (SurveyStatus.DRAFT, SurveyStatus.TEMPLATE)  # the questions may still change


def new_key() -> str:
    return secrets.token_hex(32)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def slug_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_")[:80]


def save_survey(session, survey: Survey | None, *, title: str, intro: str = "", anonymous: bool,
                audience: str, audience_role: str | None = None, audience_school_id: int | None = None,
                pilot_id: int | None = None, set_id: int | None = None, wave: str = "",
                opens_on: date | None, closes_on: date | None, actor, audience_pilot_role: str = "") -> Survey:
    """Create (survey=None) or change a survey's settings. Closing day counts: it closes at its end."""
    title = (title or "").strip()
    problems = []
    if not title:
        problems.append("Please give the survey a title.")
    if audience not in AUDIENCES:
        problems.append("Please choose who the survey is for.")
    if audience == Audience.ROLE and audience_role not in ROLES:
        problems.append("Please choose the role the survey is for.")
    if audience == Audience.SCHOOL and not (audience_school_id and session.get(School, audience_school_id)):
        problems.append("Please choose the school the survey is for.")
    if audience == Audience.PILOT and pilot_id is None:
        problems.append("Please choose the pilot whose cohort the survey is for.")
    if audience_pilot_role and audience_pilot_role not in MEMBER_ROLES:
        problems.append("Please choose which of the pilot's people the survey is for.")
    if opens_on is None or closes_on is None:
        problems.append("Please give the opening and closing dates.")
    elif closes_on < opens_on:
        problems.append("The closing date must be on or after the opening date.")
    if wave and wave not in WAVES and not re.fullmatch(r"\d{4}-\d{2}", wave):
        problems.append("Please choose pre, mid or post.")
    if survey is not None and survey.anonymous != anonymous and _has_responses(session, survey):
        problems.append("People have already answered, so whether the survey is anonymous can no longer change.")
    survey_set = session.get(SurveySet, set_id) if set_id else None
    if set_id and survey_set is None:
        problems.append("Please choose a set from the list.")
    elif survey_set is not None:
        problems += _set_problems(session, survey_set, survey, anonymous)
    if problems:
        raise ValidationFailed(problems[0], problems=problems)

    audience = Audience(audience)
    if survey is None:
        survey = Survey(own_key=new_key(), created_by_id=getattr(actor, "id", None),
                        status=SurveyStatus.DRAFT)
        session.add(survey)
    survey.title, survey.intro, survey.anonymous, survey.audience = title, (intro or "").strip(), anonymous, audience
    survey.audience_role = audience_role if audience == Audience.ROLE else None
    survey.audience_school_id = audience_school_id if audience == Audience.SCHOOL else None
    survey.pilot_id = pilot_id
    survey.audience_pilot_role = MemberRole(audience_pilot_role) if audience == Audience.PILOT and audience_pilot_role \
        else ""
    survey.set_id = set_id
    if survey_set is not None:
        survey_set.anonymous = anonymous  # unchanged, or the first survey of an empty set decides it
    survey.wave = wave or ""
    survey.opens_at = day_start(opens_on)
    survey.closes_at = day_start(closes_on) + timedelta(days=1)
    session.flush()
    audit.record(session, "survey.save", actor=actor, target=survey, title=title)
    return survey


def _set_problems(session, survey_set: SurveySet, survey: Survey | None, anonymous: bool) -> list[str]:
    """Why this survey may not sit in this set with this anonymity: a set is anonymous or identified as a
    whole. Only an empty set (no other survey) takes its anonymity from the survey joining it."""
    others = session.scalars(select(Survey.id).where(Survey.set_id == survey_set.id,
                                                     Survey.id != (survey.id if survey is not None else -1))
                             .limit(1)).all()
    if survey_set.anonymous == anonymous or not others:
        if not others and survey_set.anonymous != anonymous and set_has_answers(session, survey_set):
            return ["People have already answered surveys of this set, so whether it is anonymous is fixed."]
        return []
    if survey_set.anonymous:
        return [f"\"{survey_set.name}\" is an anonymous set: an identified survey cannot join it, because its "
                "names could be matched with the set's anonymous answers. Make this survey anonymous, or keep it "
                "out of the set."]
    return [f"\"{survey_set.name}\" is an identified set: every survey in it keeps names, so an anonymous "
            "survey cannot join it (its people were promised no name). Keep this survey out of the set, or make "
            "it identified."]


def set_has_answers(session, survey_set: SurveySet) -> bool:
    """Whether anyone has answered (or saved answers to) any survey of the set."""
    return session.scalar(select(SurveyParticipation.user_id).join(Survey, Survey.id == SurveyParticipation.survey_id)
                          .where(Survey.set_id == survey_set.id).limit(1)) is not None


def set_anonymity(session, survey_set: SurveySet, anonymous: bool, *, actor) -> SurveySet:
    """Make a whole set (and every survey in it) anonymous or identified: only before anyone answers."""
    if survey_set.anonymous == anonymous:
        return survey_set
    if set_has_answers(session, survey_set):
        raise InvalidTransition("People have already answered surveys of this set, so whether it is anonymous "
                                "can no longer change.")
    survey_set.anonymous = anonymous
    for survey in survey_set.surveys:
        survey.anonymous = anonymous
    session.flush()
    audit.record(session, "survey_set.anonymity", actor=actor, target=survey_set, anonymous=anonymous)
    return survey_set


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
    kind = QuestionKind(kind)
    prompt = (data.get("prompt") or "").strip()
    if not prompt:
        problems.append("Please write the question." if kind != QuestionKind.SECTION
                        else "Please give the section a title.")
    if len(prompt) > 500:
        problems.append("Please keep the question under 500 characters.")
    level = data.get("eval_level") or ""
    if level and level not in EVAL_LEVELS:
        problems.append("Please choose an evaluation level from the list.")
    elif level:
        level = EvalLevel(level)
    options = [str(o).strip() for o in (data.get("options") or []) if str(o).strip()]
    indicators = []
    min_value = max_value = None
    if kind == QuestionKind.LIKERT:
        if len(options) not in (5, 7):
            problems.append("A Likert scale needs 5 or 7 labels, from most negative to most positive.")
    elif kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < 2:
            problems.append("Give at least two choices, one per line.")
        if len(set(options)) != len(options):
            problems.append("Each choice must be different.")
    elif kind == QuestionKind.RUBRIC:
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
    elif kind == QuestionKind.NUMBER:
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
    keep_options = kind in (QuestionKind.LIKERT, QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RUBRIC)
    section = kind == QuestionKind.SECTION
    return {
        "kind": kind, "prompt": prompt, "help": (data.get("help") or "").strip(),
        "required": bool(data.get("required")) and not section,
        "eval_level": level if not section else "",
        "key": slug_key(data.get("key") or "") or (slug_key(prompt) if not section else ""),
        "options": options if keep_options else [], "indicators": indicators,
        "min_value": min_value, "max_value": max_value,
        "retrospective": bool(data.get("retrospective")) and kind == QuestionKind.LIKERT,
        "show_if_key": slug_key(data.get("show_if_key") or "") if not section else "",
        "show_if_value": _int_or_none(data.get("show_if_value")) if data.get("show_if_key") and not section else None,
    }


def _int_or_none(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _check_condition(survey: Survey, question: Question) -> None:
    """Skip logic must point at an earlier single-choice or agreement question and one of its answers."""
    if not question.show_if_key:
        return
    if question.condition() is None:
        raise ValidationFailed("Show this question only after an answer to an earlier single-choice or "
                               "agreement question: choose the question and the answer from the list.")


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
    _check_condition(survey, question)
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
    """A draft survey with a ready-made survey's questions (`key`: a ReadyMade value), ready to adjust and
    publish."""
    if key not in TEMPLATES:
        raise ValidationFailed("There is no such template.")
    key = ReadyMade(key)
    doc = TEMPLATES[key]["build"]()
    today = utcnow().date()
    opens_on = opens_on or today
    audience = doc["audience"] if doc["audience"] != Audience.PILOT or pilot is not None else Audience.EVERYONE
    survey = save_survey(session, None, title=doc["title"], intro=doc["intro"], anonymous=doc["anonymous"],
                         audience=audience, audience_role=doc.get("audience_role"),
                         pilot_id=pilot.id if pilot else None, set_id=survey_set.id if survey_set else None,
                         wave=doc.get("wave", ""), opens_on=opens_on,
                         closes_on=closes_on or opens_on + timedelta(days=14), actor=actor)
    survey.template_key = key
    for position, q in enumerate(doc["questions"]):
        clean = clean_question({"required": False, **q})
        survey.questions.append(Question(position=position, **clean))
    session.flush()
    audit.record(session, "survey.from_template", actor=actor, target=survey, template=key)
    return survey


def create_pilot_waves(session, pilot: Pilot, *, actor) -> tuple[SurveySet, bool]:
    """One click: a linked pre/mid/post set for the pilot's cohort of teachers (not its reviewers), timed
    around its dates. Idempotent: a pilot has one such set, and a second click (or two at once) returns it.
    Returns the set and whether it was made now."""
    # Lock the pilot first (a row lock on PostgreSQL, the write lock on SQLite) so two clicks queue here.
    session.execute(update(Pilot).where(Pilot.id == pilot.id).values(updated_at=utcnow()))
    existing = session.scalar(select(SurveySet).where(SurveySet.pilot_id == pilot.id, SurveySet.kind == SetKind.WAVES)
                              .order_by(SurveySet.id).limit(1))
    if existing is not None:
        return existing, False
    survey_set = SurveySet(name=waves_name(pilot), kind=SetKind.WAVES, pilot_id=pilot.id,
                           pseudonym_key=new_key(), anonymous=True)
    session.add(survey_set)
    session.flush()
    middle = pilot.starts_on + (pilot.ends_on - pilot.starts_on) / 2
    windows = {Wave.PRE: (pilot.starts_on - timedelta(days=7), pilot.starts_on + timedelta(days=14)),
               Wave.MID: (middle - timedelta(days=7), middle + timedelta(days=7)),
               Wave.POST: (pilot.ends_on - timedelta(days=7), pilot.ends_on + timedelta(days=21))}
    for wave, (opens_on, closes_on) in windows.items():
        survey = create_from_template(session, ReadyMade(f"educator_{wave}"), actor=actor, pilot=pilot,
                                      survey_set=survey_set, opens_on=opens_on, closes_on=closes_on)
        survey.title = f"{pilot.name}: {wave} survey"
        survey.audience_pilot_role = MemberRole.TEACHER  # the educator surveys are for the cohort
    session.flush()
    audit.record(session, "survey_set.create", actor=actor, target=survey_set, pilot=pilot.id)
    return survey_set, True


def waves_name(pilot: Pilot) -> str:
    return f"{pilot.name}: educator surveys"


def copy_survey(session, source: Survey, *, actor, **overrides) -> Survey:
    fields = {name: getattr(source, name) for name in ("title", "intro", "anonymous", "audience", "audience_role",
                                                       "audience_school_id", "pilot_id", "audience_pilot_role",
                                                       "set_id", "wave", "opens_at", "closes_at", "template_key")}
    fields.update(overrides)
    survey = Survey(status=SurveyStatus.DRAFT, own_key=new_key(), created_by_id=getattr(actor, "id", None), **fields)
    for q in source.questions:
        survey.questions.append(Question(**{name: getattr(q, name) for name in (
            "position", "kind", "prompt", "help", "required", "eval_level", "key", "options", "indicators",
            "min_value", "max_value", "retrospective", "show_if_key", "show_if_value")}))
    session.add(survey)
    session.flush()
    return survey


def delete_survey(session, survey: Survey, *, actor) -> None:
    if survey.status == SurveyStatus.PUBLISHED and _has_responses(session, survey):
        raise InvalidTransition("A survey with answers cannot be deleted.")
    session.execute(delete(Question).where(Question.survey_id == survey.id))
    audit.record(session, "survey.delete", actor=actor, target=survey, title=survey.title)
    session.delete(survey)
    session.flush()
