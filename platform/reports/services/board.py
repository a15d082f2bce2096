"""The dashboard and its filter menus: every figure an aggregate computed in SQL (GROUP BY, window functions), so
the page runs the same number of queries for 30 teachers or 30,000."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import case, func, literal, literal_column, or_, select, union, union_all

from milepost.accounts.models import School, User
from milepost.awards.models import Award
from milepost.badges.models import Badge, Strand
from milepost.core.model import UTCDateTime, utcnow
from milepost.evidence.models import Attempt, AttemptOutcome, Submission, SubmissionState
from milepost.points.models import ClaimStatus, DegreeTier, Reward, RewardClaim, TierReached
from milepost.reports.services.periods import (
    Filters,
    attempts_in_scope,
    check_range,
    constant_text,
    days_between,
    in_period,
    month_of,
    people_scope,
    school_condition,
    scope_conditions,
)
from milepost.reviews.models import STAGE_KINDS, StageVisit, VisitOutcome
from milepost.surveys import results as calc
from milepost.surveys.models import Pilot, Survey, SurveyParticipation, SurveyStatus
from milepost.surveys.services import audience_filter

SURVEY_LIMIT = 12               # the most recent surveys in the period
NOT_YET_FLAG_RATE = 50.0        # a badge returned this often (percent) ...
NOT_YET_MIN_DECISIONS = 3       # ... over at least this many decisions may need clearer requirements
OPEN_STATES = (SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW)
DECIDED = (AttemptOutcome.RETURNED, AttemptOutcome.AWARDED)  # "not yet" or "meets"
DECISION = "decision"           # the overall step: evidence sent -> "meets" or "not yet"


@dataclass
class Spread:
    """Durations in days: how many, the median and 90th percentile (interpolated, like PostgreSQL's
    percentile_cont) and the longest."""

    n: int = 0
    median: float | None = None
    p90: float | None = None
    longest: float | None = None


@dataclass
class BadgeRate:
    badge_id: int
    title: str
    decisions: int
    not_yet: int

    @property
    def rate(self) -> float:
        return calc.percent(self.not_yet, self.decisions)

    @property
    def flagged(self) -> bool:
        return self.decisions >= NOT_YET_MIN_DECISIONS and self.rate >= NOT_YET_FLAG_RATE


@dataclass
class SurveyRate:
    survey_id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    answered: int
    audience: int

    @property
    def rate(self) -> float:
        return calc.percent(self.answered, self.audience)


@dataclass
class Dashboard:
    filters: Filters
    active_earners: int = 0
    months: list[str] = field(default_factory=list)
    started: dict[str, int] = field(default_factory=dict)
    submitted: dict[str, int] = field(default_factory=dict)
    awarded: dict[str, int] = field(default_factory=dict)
    awards_by_strand: list[tuple[str, int]] = field(default_factory=list)
    awards_by_school: list[tuple[str, int]] = field(default_factory=list)
    backlog: dict[str, Spread] = field(default_factory=dict)      # stage kind -> waiting now
    turnaround: dict[str, Spread] = field(default_factory=dict)   # stage kind or DECISION -> finished in period
    not_yet: list[BadgeRate] = field(default_factory=list)
    tiers: list[tuple[str, int]] = field(default_factory=list)
    claims: list[tuple[str, int, datetime]] = field(default_factory=list)
    surveys: list[SurveyRate] = field(default_factory=list)

    def total(self, series: str) -> int:
        return sum(getattr(self, series).values())

    @property
    def waiting(self) -> int:
        return sum(s.n for s in self.backlog.values())

    @property
    def claims_waiting(self) -> int:
        return sum(n for _name, n, _since in self.claims)


def dashboard(session, f: Filters, *, now: datetime | None = None) -> Dashboard:
    """Every figure of the district (or a coach's) dashboard, in seven queries whatever the data size (eight
    for the whole district, whose review backlog is read by position: see _district_backlog)."""
    check_range(f.start, f.end)
    board = Dashboard(filters=f, months=f.months())
    _activity(session, f, board)
    _awards_by_group(session, f, board)
    _durations(session, f, board, now or utcnow())
    _not_yet(session, f, board)
    _tiers_and_claims(session, f, board)
    _surveys(session, f, board)
    return board


def _activity(session, f: Filters, board: Dashboard) -> None:
    """Badges started, evidence sent (first sending and resubmissions) and badges awarded per month,
    and the active earners: people who did any of the three in the period. One query, in one of two
    shapes that give the same figures. For the district (or a strand) each month of each series is a
    count over a range of its timestamp index: no row is visited and nothing is sorted. When the filters
    name people (a school, a coach's schools, a pilot) their rows are few and reached person by person,
    so each series is read once and grouped by month instead of once per month."""
    def started(columns, since=f.since, until=f.until):
        return select(*columns).where(Submission.created_at >= since, Submission.created_at < until,
                                      *scope_conditions(f, Submission.user_id, Submission.badge_id))

    def sent(columns, since=f.since, until=f.until):
        return attempts_in_scope(f, select(*columns).where(Attempt.submitted_at >= since, Attempt.submitted_at < until))

    def won(columns, since=f.since, until=f.until):
        return select(*columns).where(Award.issued_at >= since, Award.issued_at < until, Award.revoked_at.is_(None),
                                      *scope_conditions(f, Award.user_id, Award.badge_id))

    series = (("started", started, Submission.created_at), ("submitted", sent, Attempt.submitted_at),
              ("awarded", won, Award.issued_at))
    people = union(started([Submission.user_id.label("user_id")]), sent([Attempt.user_id]),
                   won([Award.user_id])).subquery()
    earners = select(func.count()).select_from(people).scalar_subquery()
    if people_scope(f, Submission.user_id):
        parts = []
        for kind, rows, column in series:
            month = month_of(session, column)
            parts.append(rows([constant_text(kind).label("kind"), month.label("month"), func.count().label("n")])
                         .group_by(month))
        parts.append(select(constant_text("active"), constant_text(""), earners))
        found = session.execute(union_all(*parts)).all()
    else:
        spans = f.month_spans()
        counts = [rows([func.count()], since, until).scalar_subquery()
                  for _kind, rows, _column in series for _month, since, until in spans]
        values = session.execute(select(*counts, earners)).one()
        found = [(kind, month, n) for (kind, month), n in
                 zip([(kind, month) for kind, _rows, _column in series for month, _since, _until in spans], values,
                     strict=False)]  # values ends with the earners, appended below
        found.append(("active", "", values[-1]))
    for kind, month, n in found:
        if kind == "active":
            board.active_earners = int(n or 0)
        elif n:
            getattr(board, kind)[month] = int(n)


def _awards_by_group(session, f: Filters, board: Dashboard) -> None:
    """Awards issued in the period (not revoked) by strand and by school. One query: the awards are
    counted per badge and per person from the issue-date index first, so only the badges and people
    involved are joined, once each, instead of once per award."""
    period = [in_period(Award.issued_at, f), Award.revoked_at.is_(None),
              *scope_conditions(f, Award.user_id, Award.badge_id)]
    per_badge = select(Award.badge_id.label("badge_id"), func.count().label("n")).where(*period) \
        .group_by(Award.badge_id).subquery()
    per_person = select(Award.user_id.label("user_id"), func.count().label("n")).where(*period) \
        .group_by(Award.user_id).subquery()
    by_strand = (select(constant_text("strand").label("by"), Strand.name.label("name"),
                        func.sum(per_badge.c.n).label("n"))
                 .select_from(per_badge).join(Badge, Badge.id == per_badge.c.badge_id)
                 .outerjoin(Strand, Strand.id == Badge.strand_id).group_by(Strand.id, Strand.name))
    by_school = (select(constant_text("school"), School.name, func.sum(per_person.c.n))
                 .select_from(per_person).join(User, User.id == per_person.c.user_id)
                 .outerjoin(School, School.id == User.school_id).group_by(School.id, School.name))
    strands, schools = [], []
    for by, name, n in session.execute(union_all(by_strand, by_school)).all():
        if by == "strand":
            strands.append((name or "No strand", int(n)))
        else:
            schools.append((name or "No school", int(n)))
    board.awards_by_strand = sorted(strands, key=lambda r: (-r[1], r[0]))
    board.awards_by_school = sorted(schools, key=lambda r: (-r[1], r[0]))


def _durations(session, f: Filters, board: Dashboard, now: datetime) -> None:
    """Waiting times of the review backlog now, per stage; time spent in each stage and from sending
    evidence to a decision, for what finished in the period. Medians and 90th percentiles come from
    the database: each part ranks its rows (ROW_NUMBER and COUNT over its own window) and only the two
    rows around each percentile, and the longest, come back (at most five per group), so no list of
    reviews is ever loaded. Ranking each part in its own window sorts less than one window over them
    all, and the rows ranked carry only their durations (and stage kind): the labels are added to the
    few rows kept. Both databases run the same SQL (SQLite has no percentile_cont). One query, and one
    more for the district's backlog (see _district_backlog)."""
    at_now = literal(now, UTCDateTime())
    in_scope = scope_conditions(f, Submission.user_id, Submission.badge_id)  # joined only when a filter needs it
    in_stage = (select(StageVisit.kind.label("kind"),
                       days_between(session, StageVisit.entered_at, StageVisit.left_at).label("days"))
                .where(in_period(StageVisit.left_at, f),
                       StageVisit.outcome.not_in((VisitOutcome.SKIPPED, VisitOutcome.WITHDRAWN))))
    to_decision = attempts_in_scope(f, select(days_between(session, Attempt.submitted_at, Attempt.decided_at)
                                              .label("days"))
                                    .where(Attempt.outcome.in_(DECIDED),
                                           Attempt.submitted_at.is_not(None), in_period(Attempt.decided_at, f)))
    parts = [_ranked(in_stage, "stage"), _ranked(to_decision, "stage", kind=DECISION)]
    if in_scope:
        # Reviews close a submission's stage visit whenever it leaves review (award, "not yet", withdrawal), so
        # an open visit is work waiting. The submissions are read only when a filter needs their teacher or badge,
        # as a list of the few in scope that each visit is checked against.
        waiting = (select(StageVisit.kind.label("kind"),
                          days_between(session, StageVisit.entered_at, at_now).label("days"))
                   .where(StageVisit.left_at.is_(None), StageVisit.submission_id.in_(
                       select(Submission.id).where(Submission.state.in_(OPEN_STATES), *in_scope))))
        in_stage = in_stage.where(StageVisit.submission_id.in_(select(Submission.id).where(*in_scope)))
        parts = [_ranked(waiting, "wait"), _ranked(in_stage, "stage"), _ranked(to_decision, "stage", kind=DECISION)]
    picked: dict[tuple[str, str], dict] = defaultdict(dict)
    sizes: dict[tuple[str, str], int] = {}
    rows = session.execute(union_all(*parts)).all()
    if not in_scope:
        rows += _district_backlog(session, at_now)
    for measure, kind, n_rows, rank, days in rows:
        picked[(measure, kind)][int(rank)] = max(0.0, float(days))
        sizes[(measure, kind)] = int(n_rows)
    for (measure, kind), by_rank in picked.items():
        size = sizes[(measure, kind)]
        spread = Spread(size, _percentile(by_rank, size, 1, 2), _percentile(by_rank, size, 9, 10), by_rank[size])
        (board.backlog if measure == "wait" else board.turnaround)[kind] = spread


def _rank_positions(n):
    """The ranks (from 1) out of n that _percentile and the longest need: the two around the median, the
    two around the 90th percentile, and the last. n is a number or a SQL expression."""
    return [(n - 1) // 2 + 1, n // 2 + 1, ((n - 1) * 9) // 10 + 1, ((n - 1) * 9 + 9) // 10 + 1, n]


def _district_backlog(session, at_now) -> list[tuple]:
    """The whole district's work waiting now, per stage kind, as _ranked's rows (measure, kind, n, rank, days),
    without ranking every open visit: waiting longest means arriving first, so the visit at a given rank is
    read by its position in the index of open visits by kind and arrival (ix_review_stage_visit_waiting).
    One query whatever the backlog: the number waiting at each kind (counted once), then the visit at each
    rank needed."""
    def waiting(kind):
        return StageVisit.left_at.is_(None), StageVisit.kind == kind

    sizes = select(*[select(func.count()).select_from(StageVisit).where(*waiting(kind)).scalar_subquery().label(kind)
                     for kind in STAGE_KINDS]).cte("waiting_sizes")
    columns = []
    for kind in STAGE_KINDS:
        n = select(sizes.c[kind]).scalar_subquery()
        columns.append(n)
        columns += [select(days_between(session, StageVisit.entered_at, at_now)).where(*waiting(kind))
                    .order_by(StageVisit.entered_at.desc()).limit(1)
                    .offset(case((n > 0, rank - 1), else_=0)).scalar_subquery()  # PostgreSQL refuses OFFSET -1
                    for rank in _rank_positions(n)]
    values = session.execute(select(*columns)).one()
    rows = []
    for i, kind in enumerate(STAGE_KINDS):
        n, *days = values[i * 6:(i + 1) * 6]
        n = int(n or 0)
        if not n:
            continue
        by_rank = dict(zip(_rank_positions(n), days, strict=True))
        rows += [("wait", kind, n, rank, by_rank[rank]) for rank in sorted(by_rank)]
    return rows


def _ranked(durations, measure: str, *, kind: str | None = None):
    """Of rows of days (per stage kind, unless one kind is given): the ranks around the median and the
    90th percentile, and the last, labelled (measure, kind, n, rank, days)."""
    d = durations.subquery()
    window = {} if kind else {"partition_by": d.c.kind}
    ranked = select(*([] if kind else [d.c.kind]), d.c.days,
                    func.row_number().over(order_by=d.c.days, **window).label("rn"),
                    func.count().over(**window).label("n")).subquery()
    wanted = or_(*[ranked.c.rn == rank for rank in _rank_positions(ranked.c.n)])
    return select(constant_text(measure).label("measure"),
                  (constant_text(kind) if kind else ranked.c.kind).label("kind"),
                  ranked.c.n, ranked.c.rn, ranked.c.days).where(wanted)


def _percentile(by_rank: dict[int, float], n: int, num: int, den: int) -> float:
    """Linear interpolation between the ranked values around position (n - 1) * num / den (0-based)."""
    low = ((n - 1) * num) // den
    share = ((n - 1) * num % den) / den
    below, above = by_rank[low + 1], by_rank[low + 1 + (1 if share else 0)]
    return below + (above - below) * share


def _not_yet(session, f: Filters, board: Dashboard) -> None:
    """Per badge: decisions made in the period and how many were "not yet". One query: the attempts are
    counted per badge from the decision index (an attempt carries its badge), then the (few) badge
    titles joined."""
    returned = func.sum(case((Attempt.outcome == AttemptOutcome.RETURNED, 1), else_=0))
    per_badge = (attempts_in_scope(f, select(Attempt.badge_id.label("badge_id"), func.count().label("n"),
                                             returned.label("back"))
                                   .where(Attempt.outcome.in_(DECIDED), in_period(Attempt.decided_at, f)))
                 .group_by(Attempt.badge_id).subquery())
    rows = session.execute(select(Badge.id, Badge.title, per_badge.c.n, per_badge.c.back)
                           .join(per_badge, per_badge.c.badge_id == Badge.id)).all()
    rates = [BadgeRate(bid, title, int(n), int(back or 0)) for bid, title, n, back in rows]
    board.not_yet = sorted(rates, key=lambda r: (-r.rate, -r.decisions, r.title))


def _tiers_and_claims(session, f: Filters, board: Dashboard) -> None:
    """Per degree tier, the people who reached it in the period; per reward, the claims waiting for the
    PD office now (whatever the period), with the oldest. One query."""
    claims = (select(constant_text("claim").label("what"), Reward.name.label("name"), func.count().label("n"),
                     func.min(RewardClaim.claimed_at).label("since"), literal_column("0").label("rank"),
                     Reward.id.label("id"))
              .join(Reward, Reward.id == RewardClaim.reward_id)
              .where(RewardClaim.status == ClaimStatus.CLAIMED, *scope_conditions(f, RewardClaim.user_id))
              .group_by(Reward.id, Reward.name))
    reached = (select(TierReached.tier_id.label("tier_id"), func.count().label("n"))
               .where(in_period(TierReached.reached_at, f), *scope_conditions(f, TierReached.user_id))
               .group_by(TierReached.tier_id).subquery())
    tiers = (select(constant_text("tier"), DegreeTier.name, func.coalesce(reached.c.n, 0), literal_column("NULL"),
                    DegreeTier.threshold, DegreeTier.id)
             .outerjoin(reached, reached.c.tier_id == DegreeTier.id))
    rows = session.execute(union_all(claims, tiers)).all()  # claims first: their column types read the dates
    board.tiers = [(r.name, int(r.n)) for r in sorted((r for r in rows if r.what == "tier"),
                                                      key=lambda r: (r.rank, r.id))]
    board.claims = [(r.name, int(r.n), r.since) for r in sorted((r for r in rows if r.what == "claim"),
                                                               key=lambda r: (r.since, r.id))]


def _surveys(session, f: Filters, board: Dashboard) -> None:
    """Response rates of the published surveys open during the period (the latest few; those of the
    pilot when one is chosen): people who submitted over the audience, both counted within the school
    filter. The audience is surveys.services.audience_filter, the rule that decides who may answer.
    Two queries: the surveys with their answer counts, then every audience size in one statement."""
    school = school_condition(f, SurveyParticipation.user_id)
    answered = (select(func.count()).where(SurveyParticipation.survey_id == Survey.id,
                                           SurveyParticipation.submitted.is_(True),
                                           *([school] if school is not None else []))
                .correlate(Survey).scalar_subquery().label("answered"))
    query = (select(Survey.id, Survey.title, Survey.opens_at, Survey.closes_at, Survey.audience, Survey.audience_role,
                    Survey.audience_school_id, Survey.pilot_id, Survey.audience_pilot_role, answered)
             .where(Survey.status == SurveyStatus.PUBLISHED, Survey.opens_at < f.until, Survey.closes_at >= f.since)
             .order_by(Survey.opens_at.desc(), Survey.id.desc()).limit(SURVEY_LIMIT))
    if f.pilot_id:
        query = query.where(Survey.pilot_id == f.pilot_id)
    rows = session.execute(query).all()
    if not rows:
        return
    in_school = school_condition(f, User.id)
    sizes = session.execute(select(*[
        select(func.count(User.id))
        .where(audience_filter(_audience_of(r)), *([in_school] if in_school is not None else []))
        .scalar_subquery().label(f"a{i}") for i, r in enumerate(rows)])).one()
    board.surveys = [SurveyRate(r.id, r.title, r.opens_at, r.closes_at, int(r.answered or 0), int(size or 0))
                     for r, size in zip(rows, sizes, strict=True)]


def _audience_of(row) -> SimpleNamespace:
    """The fields audience_filter reads, from a result row instead of a loaded Survey."""
    return SimpleNamespace(audience=row.audience, audience_role=row.audience_role,
                           audience_school_id=row.audience_school_id, pilot_id=row.pilot_id,
                           audience_pilot_role=row.audience_pilot_role)


def filter_options(session, schools: frozenset[int] | None) -> dict[str, list[tuple[int, str]]]:
    """Schools (a coach's own only), strands (in the PD office's order) and pilots, in one query."""
    school_q = select(constant_text("school").label("kind"), School.id.label("id"), School.name.label("name"),
                      literal_column("0").label("position"))
    if schools is not None:
        school_q = school_q.where(School.id.in_(sorted(schools)))
    rows = session.execute(union_all(
        school_q,
        select(constant_text("strand"), Strand.id, Strand.name, Strand.position),
        select(constant_text("pilot"), Pilot.id, Pilot.name, literal_column("0")))).all()
    out: dict[str, list] = {"school": [], "strand": [], "pilot": []}
    for kind, id_, name, _position in sorted(rows, key=lambda r: (r[3], r[2].lower())):
        out[kind].append((id_, name))
    return out
