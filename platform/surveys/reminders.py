"""Survey notices that follow the calendar rather than a click, for `milepost send-survey-reminders`
(cron, daily): the audience hears when a survey published in advance opens, and the people who have
not answered hear again shortly before it closes. Each goes through notifications, so every person's
email choice and unsubscribe link apply. The notification itself is the record of who was told:
each person hears about each survey at most once of each kind, however often the command runs."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select

from milepost.accounts.models import User
from milepost.core import audit
from milepost.core.errors import InvalidTransition
from milepost.core.model import utcnow
from milepost.notifications import delivery
from milepost.notifications.models import Notification
from milepost.notifications.services import notify_survey
from milepost.surveys.models import Survey, SurveyParticipation, SurveyStatus
from milepost.surveys.services import audience_filter

# A closing reminder waits until the survey has been open (and announced) this long, so that a short
# survey does not send "closes soon" hours after "a survey for you".
SETTLE = timedelta(days=1)


def take_path(survey: Survey) -> str:
    """The survey's page: also the key that says whether someone was already told about it."""
    return delivery.path_for("surveys.take", survey_id=survey.id)


def _not_told(session, survey: Survey, kind: str | None, *, unanswered_only: bool) -> list[User]:
    """The audience, without those already told of this `kind` (None: told or not)."""
    query = select(User).where(audience_filter(survey))
    if kind is not None:
        query = query.where(~exists().where(Notification.user_id == User.id, Notification.kind == kind,
                                            Notification.url == take_path(survey)))
    if unanswered_only:
        answered = select(SurveyParticipation.user_id).where(SurveyParticipation.survey_id == survey.id,
                                                             SurveyParticipation.submitted.is_(True))
        query = query.where(User.id.not_in(answered))
    return list(session.scalars(query.order_by(User.id)))


def _hold(session, survey: Survey) -> None:
    """Two runs at once take turns per survey (a row lock on PostgreSQL, the write lock on SQLite: see
    core/sqlite.py), so the second sees who the first told."""
    session.execute(select(Survey.id).where(Survey.id == survey.id).with_for_update())


def announce_open(session, survey: Survey) -> int:
    """Tell everyone in an open survey's audience who has not been told yet; returns how many were told."""
    _hold(session, survey)
    people = _not_told(session, survey, "survey_open", unanswered_only=True)
    notify_survey(session, people, title=survey.title, url=take_path(survey), closes_at=survey.closes_at,
                  survey_id=survey.id)
    return len(people)


def remind_closing(session, survey: Survey) -> int:
    """Remind the audience members who have not submitted answers yet (once each); returns how many."""
    _hold(session, survey)
    people = _not_told(session, survey, "survey_closing", unanswered_only=True)
    notify_survey(session, people, title=survey.title, url=take_path(survey), closing=True,
                  closes_at=survey.closes_at, survey_id=survey.id)
    return len(people)


def invite(session, survey: Survey, *, actor, now: datetime | None = None) -> int:
    """The PD office's "send invitations": everyone in the audience who has not submitted answers hears about
    the survey now, told before or not. A survey notice like the others, so each person's email choice and
    unsubscribe link apply. Returns how many were invited."""
    now = now or utcnow()
    if not survey.is_open(now):
        raise InvalidTransition("Invitations can only go out while the survey is open.")
    _hold(session, survey)
    people = _not_told(session, survey, None, unanswered_only=True)
    privacy = ("Your answers are anonymous: nobody can see which answers are yours." if survey.anonymous
               else "Your name is kept with your answers.")
    notify_survey(session, people, title=survey.title, url=take_path(survey), closes_at=survey.closes_at,
                  survey_id=survey.id, note=f"You can save your answers and come back until it closes. {privacy}")
    rows = session.scalars(select(SurveyParticipation).where(
        SurveyParticipation.survey_id == survey.id, SurveyParticipation.user_id.in_([p.id for p in people])))
    for row in rows:
        row.invited_at = now
    audit.record(session, "survey.invite", actor=actor, target=survey, sent=len(people))
    return len(people)


@dataclass
class SurveyNotices:
    opened: list[tuple[Survey, int]] = field(default_factory=list)   # (survey, people told it is open)
    closing: list[tuple[Survey, int]] = field(default_factory=list)  # (survey, people reminded)


def send_survey_notices(session, *, now: datetime | None = None, days: float | None = None) -> SurveyNotices:
    """For every open survey: in its last `days` (SURVEY_REMINDER_DAYS), once it has been open a day, remind
    the people who have not answered; before that, tell audience members who have not heard it is open
    (everyone, for a survey published in advance; after that, only people who joined the audience since)."""
    now = now or utcnow()
    days = float(current_app.config["SURVEY_REMINDER_DAYS"] if days is None else days)
    report = SurveyNotices()
    open_now = session.scalars(select(Survey).where(Survey.status == SurveyStatus.PUBLISHED, Survey.opens_at <= now,
                                                    Survey.closes_at > now).order_by(Survey.closes_at, Survey.id)).all()
    for survey in open_now:
        started = max(survey.opens_at, survey.published_at or survey.opens_at)
        if days > 0 and survey.closes_at - timedelta(days=days) <= now and started <= now - SETTLE:
            # One message, not two: "closes soon" also tells anyone who never heard that it opened.
            count = remind_closing(session, survey)
            if count:
                report.closing.append((survey, count))
        else:
            count = announce_open(session, survey)
            if count:
                report.opened.append((survey, count))
    return report
