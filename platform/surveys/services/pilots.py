"""Pilots: saving one with its cohort and badges in scope, its dashboard, and the list of its members."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from milepost.accounts.models import PLCMembership, User
from milepost.badges.models import Badge
from milepost.core import audit
from milepost.core.access import Role
from milepost.core.errors import ValidationFailed
from milepost.evidence.models import Attempt, AttemptOutcome, Submission, SubmissionState
from milepost.surveys.models import (
    Audience,
    MemberRole,
    Pilot,
    PilotMember,
    Survey,
    SurveyParticipation,
    SurveyStatus,
    pilot_badge,
)
from milepost.surveys.services.audience import audience_size, holders_of
from milepost.surveys.services.results import percent, turnaround_days


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
                                                             User.id.in_(holders_of(Role.TEACHER)))))
    if add_plc_id:
        teachers |= set(session.scalars(select(PLCMembership.user_id).where(PLCMembership.plc_id == add_plc_id)))
    reviewers = set(reviewer_ids or []) - teachers
    wanted = {uid: MemberRole.TEACHER for uid in teachers} | {uid: MemberRole.REVIEWER for uid in reviewers}
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
        return percent(self.started, self.teachers)


def pilot_dashboard(session, pilot: Pilot) -> Dashboard:
    """Participation, submissions, awards, review turnaround and survey response rates, in a fixed
    number of queries whatever the size of the cohort."""
    cohort = select(PilotMember.user_id).where(PilotMember.pilot_id == pilot.id,
                                               PilotMember.role == MemberRole.TEACHER)
    scope = select(pilot_badge.c.badge_id).where(pilot_badge.c.pilot_id == pilot.id)
    in_pilot = and_(Submission.user_id.in_(cohort), Submission.badge_id.in_(scope))

    def members(role):
        return (select(func.count()).select_from(PilotMember)
                .where(PilotMember.pilot_id == pilot.id, PilotMember.role == role).scalar_subquery())

    # The cohort's sizes and how many started, in one round trip.
    teachers, reviewers, started = session.execute(select(
        members(MemberRole.TEACHER), members(MemberRole.REVIEWER),
        select(func.count(func.distinct(Submission.user_id))).where(in_pilot).scalar_subquery())).one()
    roles = {MemberRole.TEACHER: teachers or 0, MemberRole.REVIEWER: reviewers or 0}
    started = started or 0
    by_state = dict(session.execute(select(Submission.state, func.count()).where(in_pilot)
                                    .group_by(Submission.state)).all())
    pairs = session.execute(select(Attempt.submitted_at, Attempt.decided_at).join(Submission)
                            .where(in_pilot,
                                   Attempt.outcome.in_((AttemptOutcome.AWARDED, AttemptOutcome.RETURNED)))).all()
    mean_days, median_days, decisions = turnaround_days(pairs)

    surveys = session.scalars(select(Survey).where(Survey.pilot_id == pilot.id,
                                                   Survey.status == SurveyStatus.PUBLISHED)
                              .order_by(Survey.opens_at, Survey.id)).all()
    answered = dict(session.execute(
        select(SurveyParticipation.survey_id, func.count()).where(
            SurveyParticipation.survey_id.in_([s.id for s in surveys]), SurveyParticipation.submitted.is_(True))
        .group_by(SurveyParticipation.survey_id)).all()) if surveys else {}
    cohort_size = sum(roles.values())
    rows = []
    for survey in surveys:
        size = (cohort_size if survey.audience == Audience.PILOT and survey.pilot_id == pilot.id
                else audience_size(session, survey))
        rows.append({"survey": survey, "answered": answered.get(survey.id, 0), "audience": size,
                     "rate": percent(answered.get(survey.id, 0), size)})
    return Dashboard(teachers=roles.get(MemberRole.TEACHER, 0), reviewers=roles.get(MemberRole.REVIEWER, 0),
                     started=started, by_state=by_state, awards=by_state.get(SubmissionState.AWARDED, 0),
                     turnaround_mean=mean_days, turnaround_median=median_days, decisions=decisions, surveys=rows)


def pilot_members(session, pilot: Pilot) -> list[PilotMember]:
    """The cohort with their schools, in one query (their roles are not shown)."""
    return list(session.scalars(select(PilotMember).where(PilotMember.pilot_id == pilot.id)
                                .join(User, User.id == PilotMember.user_id)
                                .options(contains_eager(PilotMember.user).options(joinedload(User.school),
                                                                                 lazyload(User.role_rows)))
                                .order_by(User.display_name, User.id)))
