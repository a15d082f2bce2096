"""A built survey's life: publishing it, closing it early, monthly pulses (the template and each month's
copy), and sealing finished surveys so their pseudonyms can never be traced back."""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from sqlalchemy import select

from milepost.core import audit
from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.core.model import utcnow
from milepost.surveys.models import Audience, SetKind, Survey, SurveySet, SurveyStatus
from milepost.surveys.services.building import copy_survey, day_start, new_key


def publish(session, survey: Survey, *, actor, now: datetime | None = None) -> None:
    if survey.status != SurveyStatus.DRAFT:
        raise InvalidTransition("Only a draft survey can be published.")
    if not survey.asked:
        raise InvalidTransition("Add at least one question before publishing.")
    if survey.audience == Audience.PILOT and survey.pilot_id is None:
        raise InvalidTransition("Choose the pilot whose cohort this survey is for before publishing.")
    survey.status = SurveyStatus.PUBLISHED
    survey.published_at = now or utcnow()
    session.flush()
    audit.record(session, "survey.publish", actor=actor, target=survey)
    if survey.is_open(survey.published_at):
        # Opening later: `milepost send-survey-reminders` tells the audience on the day it opens.
        # (Imported here: reminders imports these services.)
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
    if survey.status != SurveyStatus.DRAFT or survey.set_id is not None:
        raise InvalidTransition("Only a draft survey that is not already in a set can become a monthly pulse.")
    if not 1 <= days_open <= 28:
        raise ValidationFailed("A pulse stays open between 1 and 28 days.")
    if not 1 <= len(survey.asked) <= 5:
        raise ValidationFailed("A pulse should be short: one to five questions.")
    pulse = SurveySet(name=survey.title, kind=SetKind.PULSE, pseudonym_key=new_key(), pulse_days_open=days_open,
                      pilot_id=survey.pilot_id, anonymous=survey.anonymous)
    session.add(pulse)
    session.flush()
    survey.set_id, survey.status = pulse.id, SurveyStatus.TEMPLATE
    session.flush()
    audit.record(session, "survey.make_pulse", actor=actor, target=survey, days_open=days_open)
    return pulse


def open_pulse_surveys(session, *, month: date | None = None, now: datetime | None = None, actor=None) -> list[Survey]:
    """Open this month's survey of every pulse that does not have one yet (safe to run daily from cron).
    With `month` in the past, fill in that month with its own dates (a backfill)."""
    now = now or utcnow()
    month = (month or now.date()).replace(day=1)
    wave = month.strftime("%Y-%m")
    opened = []
    for pulse in session.scalars(select(SurveySet).where(SurveySet.kind == SetKind.PULSE).order_by(SurveySet.id)):
        template = next((s for s in pulse.surveys if s.status == SurveyStatus.TEMPLATE), None)
        if template is None or any(s.wave == wave for s in pulse.surveys):
            continue
        opens_at = pulse_opening(month, now)
        survey = copy_survey(session, template, actor=actor, wave=wave, set_id=pulse.id, opens_at=opens_at,
                             closes_at=opens_at + timedelta(days=pulse.pulse_days_open),
                             title=f"{template.title}: {calendar.month_name[month.month]} {month.year}")
        survey.status, survey.published_at = SurveyStatus.PUBLISHED, now
        audit.record(session, "survey.pulse_opened", actor=actor, target=survey, month=wave)
        opened.append(survey)
    session.flush()
    return opened


def pulse_opening(month: date, now: datetime) -> datetime:
    """When a month's pulse opens: the start of its month, or now when it is opened during its own month
    (so it opens at once). A month filled in afterwards (a backfill) keeps its own dates, so it sorts
    before the months after it and the trend runs the right way."""
    start = day_start(month)
    this_month = now.date().replace(day=1)
    return max(now, start) if month == this_month else start


def seal_closed(session, *, now: datetime | None = None, actor=None) -> int:
    """Forget the pseudonym keys of sets and surveys that are finished, so nobody can ever recompute
    who is behind a pseudonym. Pulses recur, so they keep their key. Returns how many were sealed."""
    now = now or utcnow()
    sealed = 0
    for survey_set in session.scalars(select(SurveySet).where(SurveySet.kind == SetKind.WAVES,
                                                              SurveySet.pseudonym_key.is_not(None))):
        if survey_set.surveys and all(s.status == SurveyStatus.PUBLISHED and s.closes_at <= now
                                      for s in survey_set.surveys):
            survey_set.pseudonym_key = None
            audit.record(session, "survey_set.seal", actor=actor, target=survey_set)
            sealed += 1
    for survey in session.scalars(select(Survey).where(Survey.set_id.is_(None), Survey.own_key.is_not(None),
                                                       Survey.status == SurveyStatus.PUBLISHED,
                                                       Survey.closes_at <= now)):
        survey.own_key = None
        audit.record(session, "survey.seal", actor=actor, target=survey)
        sealed += 1
    session.flush()
    return sealed
