"""Who a survey reaches, as database conditions: the people it is meant for, how many they are, and the
surveys on a person's "My surveys" page. The same rule for one person is access.in_audience."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, false, func, or_, select

from milepost.accounts.models import User, UserRole
from milepost.core.model import utcnow
from milepost.surveys.models import Audience, PilotMember, Survey, SurveyParticipation, SurveyStatus


def holders_of(role: str):
    """The ids of the people who hold a role, as a subquery."""
    return select(UserRole.user_id).where(UserRole.role == role)


def audience_filter(survey: Survey):
    """A condition on User for the people a survey is meant for."""
    active = User.active.is_(True)
    if survey.audience == Audience.ROLE:
        return and_(active, User.id.in_(holders_of(survey.audience_role or "")))
    if survey.audience == Audience.SCHOOL:
        return and_(active, User.school_id == survey.audience_school_id)
    if survey.audience == Audience.PILOT:
        return and_(active, User.id.in_(pilot_part(survey.pilot_id, getattr(survey, "audience_pilot_role", ""))))
    return active


def pilot_part(pilot_id, part: str = ""):
    """The ids of a pilot's members, or of those who play one part in it (a MemberRole), as a subquery."""
    query = select(PilotMember.user_id).where(PilotMember.pilot_id == pilot_id)
    return query.where(PilotMember.role == part) if part else query


def audience_size(session, survey: Survey) -> int:
    return session.scalar(select(func.count(User.id)).where(audience_filter(survey))) or 0


def surveys_for(session, user, now: datetime | None = None) -> list[dict]:
    """"My surveys": open surveys meant for this person, and closed ones they answered, with their status."""
    now = now or utcnow()
    mine = or_(
        Survey.audience == Audience.EVERYONE,
        and_(Survey.audience == Audience.ROLE, Survey.audience_role.in_(sorted(user.roles))),
        and_(Survey.audience == Audience.SCHOOL, Survey.audience_school_id == user.school_id)
        if user.school_id else false(),
        and_(Survey.audience == Audience.PILOT, or_(
            and_(Survey.audience_pilot_role == "",
                 Survey.pilot_id.in_(select(PilotMember.pilot_id).where(PilotMember.user_id == user.id))),
            exists().where(PilotMember.pilot_id == Survey.pilot_id, PilotMember.user_id == user.id,
                           PilotMember.role == Survey.audience_pilot_role))),
    )
    surveys = session.scalars(select(Survey).where(Survey.status == SurveyStatus.PUBLISHED, Survey.opens_at <= now,
                                                   mine)
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
