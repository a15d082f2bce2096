"""Who may do what with pilots and surveys: the roles behind each page, and every rule about one survey
(answering it, names beside its answers, exporting it). Views and services both ask here; the tests go
route by route."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from milepost.core.access import STAFF_ROLES, Role
from milepost.core.errors import InvalidTransition, NotAllowed
from milepost.core.model import utcnow
from milepost.surveys.models import Audience, PilotMember, Survey, SurveyStatus

MANAGER_ROLES = STAFF_ROLES                      # build surveys, run pilots, export
RESULT_ROLES = STAFF_ROLES + (Role.LEADER,)     # read results and pilot dashboards


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage(user) -> bool:
    return _signed_in(user) and user.has_role(*MANAGER_ROLES)


def can_read_results(user) -> bool:
    """Results of every published survey and every pilot's dashboard (names only as sees_names says)."""
    return _signed_in(user) and user.has_role(*RESULT_ROLES)


def sees_names(user, survey: Survey) -> bool:
    """Names beside written answers: identified surveys, and only for the PD office. Leaders read
    results but never an identified person's answers; anonymous surveys never show a name."""
    return not survey.anonymous and can_manage(user)


def names_shown(survey: Survey, with_names: bool) -> bool:
    """Whether results and exports asked for names (by sees_names) carry them: never for an anonymous
    survey, whatever the caller asked."""
    return with_names and not survey.anonymous


def can_export(user) -> bool:
    return can_manage(user)


def export_refusal(survey: Survey, answered: int, minimum: int) -> str | None:
    """Why an anonymous survey's answers cannot be exported yet (None when they can): a group smaller than
    the district minimum could point to the people in it."""
    if survey.anonymous and 0 < answered < minimum:
        return (f"Fewer than {minimum} people have answered, so the answers cannot be exported yet: with so few, "
                "they could point to the people who gave them.")
    return None


def can_preview(user) -> bool:
    return can_manage(user)


def in_audience(session, user, survey: Survey) -> bool:
    """Whether this person is one of the people the survey is meant for. The same rule as
    services.audience_filter (a condition on User) and the one surveys_for lists a person's surveys by."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if survey.audience == Audience.EVERYONE:
        return True
    if survey.audience == Audience.ROLE:
        return user.has_role(survey.audience_role or "")
    if survey.audience == Audience.SCHOOL:
        return survey.audience_school_id is not None and user.school_id == survey.audience_school_id
    if survey.audience == Audience.PILOT:
        query = select(PilotMember.user_id).where(PilotMember.pilot_id == survey.pilot_id,
                                                  PilotMember.user_id == user.id)
        if survey.audience_pilot_role:  # a survey for one part of the pilot (the cohort's teachers)
            query = query.where(PilotMember.role == survey.audience_pilot_role)
        return session.scalar(query.limit(1)) is not None
    return False


def check_may_take(session, user, survey: Survey) -> None:
    """Refuses (403) anyone outside the survey's audience, and drafts to everyone."""
    if survey.status != SurveyStatus.PUBLISHED or not in_audience(session, user, survey):
        raise NotAllowed("This survey is for a different group of people.")


def check_may_answer(session, user, survey: Survey, now: datetime | None = None) -> None:
    """Refuses answers from outside the audience or to a survey that is not published (403), and answers
    before it opens or after it closes (409, saying when)."""
    now = now or utcnow()
    if survey.status != SurveyStatus.PUBLISHED:
        raise NotAllowed("This survey is not open for answers.")
    if not in_audience(session, user, survey):
        raise NotAllowed("This survey is for a different group of people.")
    if now < survey.opens_at:
        raise InvalidTransition(f"This survey opens on {survey.opens_at:%d %B %Y}.")
    if now >= survey.closes_at:
        raise InvalidTransition(f"This survey closed on {survey.closes_at - timedelta(seconds=1):%d %B %Y}; "
                                "answers can no longer be given or changed.")
