"""Taking a survey: the pseudonym that stands for the person, reading the answer form, the required
questions, and saving the one response each person has (editable until the survey closes)."""
from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.core.inputs import parse_int
from milepost.surveys import access
from milepost.surveys.models import Question, QuestionKind, Survey, SurveyAnswer, SurveyParticipation, SurveyResponse

SHORT_TEXT = 300
LONG_TEXT = 5000


def shares_set_pseudonyms(survey: Survey) -> bool:
    """Whether this survey's respondents carry the set's shared pseudonym: only an anonymous survey in an
    anonymous set. Anywhere else a pseudonym (and the respondent code drawn from it) belongs to one survey,
    so an identified answer can never be matched with an anonymous one."""
    return survey.survey_set is not None and survey.anonymous and survey.survey_set.anonymous


def pseudonym(survey: Survey, user) -> str:
    """HMAC of the person under the set's random key (or the survey's own when it shares nothing).
    The same person gets the same pseudonym on every survey of an anonymous set and a different one elsewhere."""
    if shares_set_pseudonyms(survey):
        key, scope = survey.survey_set.pseudonym_key, f"set:{survey.survey_set.id}"
    else:
        key, scope = survey.own_key, f"survey:{survey.id}"
    if not key:
        raise InvalidTransition("This survey is finished and sealed: answers can no longer be changed.")
    return hmac.new(bytes.fromhex(key), f"{scope}:{user.id}".encode(), hashlib.sha256).hexdigest()


def my_response(session, survey: Survey, user) -> SurveyResponse | None:
    query = select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
    if survey.anonymous:
        try:
            query = query.where(SurveyResponse.pseudonym == pseudonym(survey, user))
        except InvalidTransition:
            return None
    else:  # an identified response keeps its person (older ones may hold a pseudonym of another scope)
        query = query.where(SurveyResponse.user_id == user.id)
    return session.scalar(query.options(selectinload(SurveyResponse.answers)))


def field_names(question: Question) -> list[str]:
    if question.kind == QuestionKind.RUBRIC:
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
        if q.kind == QuestionKind.RUBRIC:
            for i, level in enumerate(value):
                if level is not None:
                    fields.add(f"q{q.id}-{i}", str(level))
        elif q.retrospective:
            for part in ("before", "now"):
                if value.get(part) is not None:
                    fields.add(f"q{q.id}-{part}", str(value[part]))
        elif q.kind == QuestionKind.MULTIPLE:
            for i in value:
                fields.add(f"q{q.id}", str(i))
        elif q.kind == QuestionKind.NUMBER:
            fields.add(f"q{q.id}", f"{value:g}")
        else:
            fields.add(f"q{q.id}", str(value))
    return fields


def _point(raw: str, top: int, *, base: int = 1) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    value = parse_int(raw, minimum=base, maximum=base + top - 1)
    if value is None:
        raise ValueError
    return value


def parse_answers(survey: Survey, form) -> tuple[dict[int, object], dict[int, str]]:
    """Read a survey form into clean values per question id, and a message for each answer in the
    wrong shape. Unanswered questions are left out; `missing_required` checks those."""
    values, errors = {}, {}
    for q in survey.asked:
        name = f"q{q.id}"
        try:
            if q.kind == QuestionKind.LIKERT and q.retrospective:
                pair = {"before": _point(form.get(f"{name}-before", ""), len(q.options)),
                        "now": _point(form.get(f"{name}-now", ""), len(q.options))}
                value = pair if any(v is not None for v in pair.values()) else None
            elif q.kind == QuestionKind.LIKERT:
                value = _point(form.get(name, ""), len(q.options))
            elif q.kind == QuestionKind.SINGLE:
                value = _point(form.get(name, ""), len(q.options), base=0)
            elif q.kind == QuestionKind.MULTIPLE:
                picks = sorted({_point(raw, len(q.options), base=0) for raw in form.getlist(name) if raw.strip()})
                value = picks or None
            elif q.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
                value = (form.get(name) or "").strip() or None
                limit = SHORT_TEXT if q.kind == QuestionKind.SHORT_TEXT else LONG_TEXT
                if value and len(value) > limit:
                    errors[q.id] = f"Please keep this answer under {limit} characters (it has {len(value)})."
                    continue
            elif q.kind == QuestionKind.NUMBER:
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
            elif q.kind == QuestionKind.RUBRIC:
                levels = [_point(form.get(f"{name}-{i}", ""), len(q.options)) for i in range(len(q.indicators))]
                value = levels if any(v is not None for v in levels) else None
            else:
                continue
        except ValueError:
            errors[q.id] = "Please choose one of the options shown."
            continue
        if value is not None:
            values[q.id] = value
    return skip(survey, values), errors


def skip(survey: Survey, values: dict[int, object]) -> dict[int, object]:
    """The answers without those to questions not asked (skip logic), in question order, so a question
    hidden because an earlier one is hidden drops too."""
    kept: dict[int, object] = {}
    for q in survey.asked:
        if q.id in values and q.shown_for(kept):
            kept[q.id] = values[q.id]
    return kept


def missing_required(survey: Survey, values: dict[int, object]) -> dict[int, str]:
    missing = {}
    for q in survey.asked:
        if not q.required or not q.shown_for(values):
            continue
        value = values.get(q.id)
        if value is None:
            missing[q.id] = ("This question needs an answer." if q.kind != QuestionKind.MULTIPLE
                             else "Please choose at least one.")
        elif q.kind == QuestionKind.RUBRIC and any(v is None for v in value):
            missing[q.id] = "Please choose a level for every indicator."
        elif q.retrospective and (value.get("before") is None or value.get("now") is None):
            missing[q.id] = "Please answer both \"before\" and \"now\"."
    return missing


def save_response(session, survey: Survey, user, values: dict[int, object], *, submit: bool,
                  now: datetime | None = None) -> SurveyResponse:
    """Keep this person's answers: their one response, created or changed. Submitting checks the
    required questions; once submitted, every later save must pass that check too."""
    access.check_may_answer(session, user, survey, now)
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
