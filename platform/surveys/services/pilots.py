"""Pilots: saving one with its cohort and badges in scope, its dashboard, and the list of its members."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from milepost.accounts.models import PLCMembership, User
from milepost.badges.models import Badge
from milepost.core import audit
from milepost.core.access import Role
from milepost.core.errors import ValidationFailed
from milepost.evidence.models import Attempt, AttemptOutcome, Submission
from milepost.surveys.models import (
    MemberRole,
    Pilot,
    PilotMember,
    Survey,
    SurveyParticipation,
    SurveyStatus,
    pilot_badge,
)
from milepost.surveys.services.audience import audience_filter, holders_of
from milepost.surveys.services.results import percent, turnaround_days


def save_pilot(session, pilot: Pilot | None, *, name: str, goals: str, starts_on: date | None, ends_on: date | None,
               teacher_ids, reviewer_ids, badge_ids, add_school_id: int | None = None,
               add_plc_id: int | None = None, actor) -> Pilot:
    """Create (pilot=None) or update a pilot. A school or PLC adds its teachers to the cohort. Reviewing is
    a part of its own: a person ticked as a reviewer reviews whether or not they are also in the cohort."""
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
    reviewers = set(reviewer_ids or [])
    everyone = teachers | reviewers
    known = set(session.scalars(select(User.id).where(User.id.in_(everyone)))) if everyone else set()
    wanted = ({(uid, MemberRole.TEACHER) for uid in teachers & known}
              | {(uid, MemberRole.REVIEWER) for uid in reviewers & known})

    if pilot is None:
        pilot = Pilot(created_by_id=getattr(actor, "id", None))
        session.add(pilot)
    pilot.name, pilot.goals, pilot.starts_on, pilot.ends_on = name, (goals or "").strip(), starts_on, ends_on
    pilot.members = [m for m in pilot.members if (m.user_id, m.role) in wanted]
    present = {(m.user_id, m.role) for m in pilot.members}
    for uid, role in sorted(wanted - present):
        pilot.members.append(PilotMember(user_id=uid, role=role))
    ids = list(badge_ids or [])
    pilot.badges = list(session.scalars(select(Badge).where(Badge.id.in_(ids)))) if ids else []
    session.flush()
    audit.record(session, "pilot.save", actor=actor, target=pilot, name=name,
                 cohort=sum(m.role == MemberRole.TEACHER for m in pilot.members),
                 reviewers=sum(m.role == MemberRole.REVIEWER for m in pilot.members), badges=len(pilot.badges))
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
    since: datetime | None = None   # the pilot's first day, 00:00 UTC
    until: datetime | None = None   # the day after its last, 00:00 UTC (exclusive)

    @property
    def participation(self) -> float:
        return percent(self.started, self.teachers)


def pilot_window(pilot: Pilot) -> tuple[datetime, datetime]:
    """The pilot's dates as instants: from the start of its first day to the end of its last (UTC)."""
    since = datetime.combine(pilot.starts_on, time.min, tzinfo=UTC)
    return since, datetime.combine(pilot.ends_on + timedelta(days=1), time.min, tzinfo=UTC)


def pilot_dashboard(session, pilot: Pilot) -> Dashboard:
    """Participation, submissions, awards, review turnaround and survey response rates, in a fixed
    number of queries whatever the size of the cohort.

    Every figure is bounded by the pilot: the cohort's teachers (not its reviewers), the badges in scope,
    and the pilot's dates. A submission counts when it was started during the pilot; an award or a
    decision when it was made during the pilot on work submitted during it. Work from before the pilot
    (or after it) is left out, so the figures say what the pilot did."""
    since, until = pilot_window(pilot)
    cohort = select(PilotMember.user_id).where(PilotMember.pilot_id == pilot.id,
                                               PilotMember.role == MemberRole.TEACHER)
    scope = select(pilot_badge.c.badge_id).where(pilot_badge.c.pilot_id == pilot.id)
    in_pilot = and_(Submission.user_id.in_(cohort), Submission.badge_id.in_(scope))
    started_in_pilot = and_(in_pilot, Submission.created_at >= since, Submission.created_at < until)

    def members(role):
        return (select(func.count()).select_from(PilotMember)
                .where(PilotMember.pilot_id == pilot.id, PilotMember.role == role).scalar_subquery())

    # The cohort's sizes and how many started, in one round trip.
    teachers, reviewers, started = session.execute(select(
        members(MemberRole.TEACHER), members(MemberRole.REVIEWER),
        select(func.count(func.distinct(Submission.user_id))).where(started_in_pilot).scalar_subquery())).one()
    started = started or 0
    by_state = dict(session.execute(select(Submission.state, func.count()).where(started_in_pilot)
                                    .group_by(Submission.state)).all())
    decided = session.execute(select(Attempt.submitted_at, Attempt.decided_at, Attempt.outcome).join(Submission)
                              .where(in_pilot,
                                     Attempt.outcome.in_((AttemptOutcome.AWARDED, AttemptOutcome.RETURNED)),
                                     Attempt.submitted_at >= since, Attempt.decided_at < until)).all()
    mean_days, median_days, decisions = turnaround_days([(a, b) for a, b, _ in decided])
    awards = sum(1 for _, _, outcome in decided if outcome == AttemptOutcome.AWARDED)

    surveys = session.scalars(select(Survey).where(Survey.pilot_id == pilot.id,
                                                   Survey.status == SurveyStatus.PUBLISHED)
                              .order_by(Survey.opens_at, Survey.id)).all()
    rows = []
    if surveys:
        # Answers and audiences of every survey in one statement: who answered among the people it is for.
        counts = session.execute(select(*[
            c for s in surveys for c in (
                select(func.count()).select_from(SurveyParticipation)
                .where(SurveyParticipation.survey_id == s.id, SurveyParticipation.submitted.is_(True),
                       SurveyParticipation.user_id.in_(select(User.id).where(audience_filter(s))))
                .scalar_subquery(),
                select(func.count(User.id)).where(audience_filter(s)).scalar_subquery())])).one()
        for i, survey in enumerate(surveys):
            answered, size = counts[2 * i] or 0, counts[2 * i + 1] or 0
            rows.append({"survey": survey, "answered": answered, "audience": size, "rate": percent(answered, size)})
    return Dashboard(teachers=teachers or 0, reviewers=reviewers or 0, started=started, by_state=by_state,
                     awards=awards, turnaround_mean=mean_days, turnaround_median=median_days, decisions=decisions,
                     surveys=rows, since=since, until=until)


def pilot_members(session, pilot: Pilot) -> list[PilotMember]:
    """The cohort and reviewers with their schools, in one query (a person with two parts has two rows)."""
    return list(session.scalars(select(PilotMember).where(PilotMember.pilot_id == pilot.id)
                                .join(User, User.id == PilotMember.user_id)
                                .options(contains_eager(PilotMember.user).options(joinedload(User.school),
                                                                                 lazyload(User.role_rows)))
                                .order_by(User.display_name, User.id, PilotMember.role)))
