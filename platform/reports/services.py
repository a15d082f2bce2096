"""Report figures and exports. Every figure is an aggregate computed in SQL (GROUP BY, window
functions) over the same tables and rules the rest of the app uses, so the dashboard runs the same
number of queries for 30 teachers or 30,000; one teacher's record calls the points and awards
services the teacher's own pages call. Functions take a session and plain values."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import and_, case, extract, func, literal, literal_column, or_, select, union, union_all
from sqlalchemy.orm import aliased, selectinload

from milepost.accounts.models import School, User
from milepost.awards import services as awards
from milepost.awards.models import Award
from milepost.badges.models import Badge, BadgeVersion, Strand
from milepost.core.audit import AuditEvent
from milepost.core.errors import ValidationFailed
from milepost.core.model import UTCDateTime, utcnow
from milepost.evidence.models import Attempt, Submission
from milepost.points import services as points
from milepost.points.models import DegreeTier, Reward, RewardClaim, TierReached
from milepost.points.standings import SCHOOL_YEAR_STARTS, school_year_of  # noqa: F401 - the leaderboards' school year
from milepost.reviews.models import STAGE_KINDS, StageVisit
from milepost.surveys import results as calc
from milepost.surveys.models import Pilot, PilotMember, Survey, SurveyParticipation, pilot_badge
from milepost.surveys.services import audience_filter

MAX_RANGE_DAYS = 366 * 5        # the monthly chart stays readable
SURVEY_LIMIT = 12               # the most recent surveys in the period
NOT_YET_FLAG_RATE = 50.0        # a badge returned this often (percent) ...
NOT_YET_MIN_DECISIONS = 3       # ... over at least this many decisions may need clearer requirements
OPEN_STATES = ("submitted", "in_review")
DECISION = "decision"           # the overall step: evidence sent -> "meets" or "not yet"


# --------------------------------------------------------------------------- periods and filters


def school_year_dates(start_year: int) -> tuple[date, date]:
    return date(start_year, SCHOOL_YEAR_STARTS, 1), date(start_year + 1, SCHOOL_YEAR_STARTS, 1) - timedelta(days=1)


def school_year_label(start_year: int) -> str:
    return f"{start_year}–{(start_year + 1) % 100:02d}"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def check_range(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed("The end date is before the start date.")
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed("Choose a period of at most five years.")


@dataclass(frozen=True)
class Filters:
    """What a report covers: whole days from start to end (inclusive, UTC), and optionally one school,
    strand or pilot. `schools` is a coach's scope (None: the whole district)."""

    start: date
    end: date
    school_id: int | None = None
    strand_id: int | None = None
    pilot_id: int | None = None
    schools: frozenset[int] | None = None

    @property
    def since(self) -> datetime:
        return day_start(self.start)

    @property
    def until(self) -> datetime:  # exclusive
        return day_start(self.end + timedelta(days=1))

    def months(self) -> list[str]:
        return [month for month, _since, _until in self.month_spans()]

    def month_spans(self) -> list[tuple[str, datetime, datetime]]:
        """Each month of the period as ('YYYY-MM', since, until), cut to the period at both ends."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            following = (y + 1, 1) if m == 12 else (y, m + 1)
            since = max(self.since, day_start(date(y, m, 1)))
            until = min(self.until, day_start(date(*following, 1)))
            out.append((f"{y:04d}-{m:02d}", since, until))
            y, m = following
        return out

    def describe(self) -> dict:
        """For the audit log of an export."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "school": self.school_id,
                "strand": self.strand_id, "pilot": self.pilot_id,
                "scope": "district" if self.schools is None else sorted(self.schools)}


def _in_period(column, f: Filters):
    return and_(column >= f.since, column < f.until)


def _school_condition(f: Filters, user_col):
    if f.school_id:
        return user_col.in_(select(User.id).where(User.school_id == f.school_id))
    if f.schools is not None:
        return user_col.in_(select(User.id).where(User.school_id.in_(sorted(f.schools))))
    return None


def _people_scope(f: Filters, user_col) -> list:
    conditions = []
    school = _school_condition(f, user_col)
    if school is not None:
        conditions.append(school)
    if f.pilot_id:
        conditions.append(user_col.in_(select(PilotMember.user_id).where(PilotMember.pilot_id == f.pilot_id,
                                                                         PilotMember.role == "teacher")))
    return conditions


def _badge_scope(f: Filters, badge_col) -> list:
    conditions = []
    if f.strand_id:
        conditions.append(badge_col.in_(select(Badge.id).where(Badge.strand_id == f.strand_id)))
    if f.pilot_id:
        conditions.append(badge_col.in_(select(pilot_badge.c.badge_id).where(pilot_badge.c.pilot_id == f.pilot_id)))
    return conditions


def _scope(f: Filters, user_col, badge_col=None) -> list:
    """Conditions that keep rows of the people and badges the filters cover. A pilot means its cohort
    of teachers and the badges in its scope, as on the pilot's own dashboard."""
    return _people_scope(f, user_col) + ([] if badge_col is None else _badge_scope(f, badge_col))


def _attempts_in_scope(f: Filters, query):
    """`query` (over attempts) narrowed to the people and badges the filters cover. An attempt carries its
    submission's teacher and badge, so the whole district or a strand is read from the attempt indexes
    alone. A school, a coach's schools or a pilot's cohort is a few hundred people: their attempts are
    reached through their submissions (the submission index by person) instead of testing every attempt
    of the period, as the district's would be."""
    if not _people_scope(f, Submission.user_id):
        return query.where(*_badge_scope(f, Attempt.badge_id))
    return (query.join(Submission, Submission.id == Attempt.submission_id)
            .where(*_scope(f, Submission.user_id, Submission.badge_id)))


# --------------------------------------------------------------------------- SQL that differs by database


def _dialect(session) -> str:
    return session.get_bind().dialect.name


def _month(session, column):
    """'YYYY-MM' of a UTC timestamp."""
    if _dialect(session) == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    # SQLite keeps UTCDateTime as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC: the first seven characters are the
    # month, read without parsing a date per row (strftime takes twice as long on a year of attempts).
    return func.substr(column, 1, 7)


def _days_between(session, start, end):
    """Days (with fractions) from start to end."""
    if _dialect(session) == "postgresql":
        return extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def _text(value: str):
    """A constant text column (a SQL literal, so a UNION's columns agree on every database)."""
    if value and not value.replace("_", "").isalnum():  # only our own constant words ever reach SQL
        raise ValueError(f"not a plain word: {value!r}")
    return literal_column(f"'{value}'")


# --------------------------------------------------------------------------- the dashboard


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
                                      *_scope(f, Submission.user_id, Submission.badge_id))

    def sent(columns, since=f.since, until=f.until):
        return _attempts_in_scope(f, select(*columns).where(Attempt.submitted_at >= since, Attempt.submitted_at < until))

    def won(columns, since=f.since, until=f.until):
        return select(*columns).where(Award.issued_at >= since, Award.issued_at < until, Award.revoked_at.is_(None),
                                      *_scope(f, Award.user_id, Award.badge_id))

    series = (("started", started, Submission.created_at), ("submitted", sent, Attempt.submitted_at),
              ("awarded", won, Award.issued_at))
    people = union(started([Submission.user_id.label("user_id")]), sent([Attempt.user_id]),
                   won([Award.user_id])).subquery()
    earners = select(func.count()).select_from(people).scalar_subquery()
    if _people_scope(f, Submission.user_id):
        parts = []
        for kind, rows, column in series:
            month = _month(session, column)
            parts.append(rows([_text(kind).label("kind"), month.label("month"), func.count().label("n")])
                         .group_by(month))
        parts.append(select(_text("active"), _text(""), earners))
        found = session.execute(union_all(*parts)).all()
    else:
        spans = f.month_spans()
        counts = [rows([func.count()], since, until).scalar_subquery()
                  for _kind, rows, _column in series for _month, since, until in spans]
        values = session.execute(select(*counts, earners)).one()
        found = [(kind, month, n) for (kind, month), n in
                 zip([(kind, month) for kind, _rows, _column in series for month, _since, _until in spans], values)]
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
    period = [_in_period(Award.issued_at, f), Award.revoked_at.is_(None), *_scope(f, Award.user_id, Award.badge_id)]
    per_badge = select(Award.badge_id.label("badge_id"), func.count().label("n")).where(*period) \
        .group_by(Award.badge_id).subquery()
    per_person = select(Award.user_id.label("user_id"), func.count().label("n")).where(*period) \
        .group_by(Award.user_id).subquery()
    by_strand = (select(_text("strand").label("by"), Strand.name.label("name"), func.sum(per_badge.c.n).label("n"))
                 .select_from(per_badge).join(Badge, Badge.id == per_badge.c.badge_id)
                 .outerjoin(Strand, Strand.id == Badge.strand_id).group_by(Strand.id, Strand.name))
    by_school = (select(_text("school"), School.name, func.sum(per_person.c.n))
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
    in_scope = _scope(f, Submission.user_id, Submission.badge_id)  # joined only when a filter needs it
    in_stage = (select(StageVisit.kind.label("kind"),
                       _days_between(session, StageVisit.entered_at, StageVisit.left_at).label("days"))
                .where(_in_period(StageVisit.left_at, f), StageVisit.outcome.not_in(("skipped", "withdrawn"))))
    to_decision = _attempts_in_scope(f, select(_days_between(session, Attempt.submitted_at, Attempt.decided_at)
                                               .label("days"))
                                     .where(Attempt.outcome.in_(("returned", "awarded")),
                                            Attempt.submitted_at.is_not(None), _in_period(Attempt.decided_at, f)))
    parts = [_ranked(in_stage, "stage"), _ranked(to_decision, "stage", kind=DECISION)]
    if in_scope:
        # Reviews close a submission's stage visit whenever it leaves review (award, "not yet", withdrawal), so
        # an open visit is work waiting. The submissions are read only when a filter needs their teacher or badge,
        # as a list of the few in scope that each visit is checked against.
        waiting = (select(StageVisit.kind.label("kind"),
                          _days_between(session, StageVisit.entered_at, at_now).label("days"))
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
        columns += [select(_days_between(session, StageVisit.entered_at, at_now)).where(*waiting(kind))
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
        by_rank = dict(zip(_rank_positions(n), days))
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
    return select(_text(measure).label("measure"), (_text(kind) if kind else ranked.c.kind).label("kind"),
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
    returned = func.sum(case((Attempt.outcome == "returned", 1), else_=0))
    per_badge = (_attempts_in_scope(f, select(Attempt.badge_id.label("badge_id"), func.count().label("n"),
                                              returned.label("back"))
                                    .where(Attempt.outcome.in_(("returned", "awarded")), _in_period(Attempt.decided_at, f)))
                 .group_by(Attempt.badge_id).subquery())
    rows = session.execute(select(Badge.id, Badge.title, per_badge.c.n, per_badge.c.back)
                           .join(per_badge, per_badge.c.badge_id == Badge.id)).all()
    rates = [BadgeRate(bid, title, int(n), int(back or 0)) for bid, title, n, back in rows]
    board.not_yet = sorted(rates, key=lambda r: (-r.rate, -r.decisions, r.title))


def _tiers_and_claims(session, f: Filters, board: Dashboard) -> None:
    """Per degree tier, the people who reached it in the period; per reward, the claims waiting for the
    PD office now (whatever the period), with the oldest. One query."""
    claims = (select(_text("claim").label("what"), Reward.name.label("name"), func.count().label("n"),
                     func.min(RewardClaim.claimed_at).label("since"), literal_column("0").label("rank"),
                     Reward.id.label("id"))
              .join(Reward, Reward.id == RewardClaim.reward_id)
              .where(RewardClaim.status == "claimed", *_scope(f, RewardClaim.user_id))
              .group_by(Reward.id, Reward.name))
    reached = (select(TierReached.tier_id.label("tier_id"), func.count().label("n"))
               .where(_in_period(TierReached.reached_at, f), *_scope(f, TierReached.user_id))
               .group_by(TierReached.tier_id).subquery())
    tiers = (select(_text("tier"), DegreeTier.name, func.coalesce(reached.c.n, 0), literal_column("NULL"),
                    DegreeTier.threshold, DegreeTier.id)
             .outerjoin(reached, reached.c.tier_id == DegreeTier.id))
    rows = session.execute(union_all(claims, tiers)).all()  # claims first: their column types read the dates
    board.tiers = [(r.name, int(r.n)) for r in sorted((r for r in rows if r.what == "tier"), key=lambda r: (r.rank, r.id))]
    board.claims = [(r.name, int(r.n), r.since) for r in sorted((r for r in rows if r.what == "claim"),
                                                               key=lambda r: (r.since, r.id))]


def _surveys(session, f: Filters, board: Dashboard) -> None:
    """Response rates of the published surveys open during the period (the latest few; those of the
    pilot when one is chosen): people who submitted over the audience, both counted within the school
    filter. The audience is surveys.services.audience_filter, the rule that decides who may answer.
    Two queries: the surveys with their answer counts, then every audience size in one statement."""
    school = _school_condition(f, SurveyParticipation.user_id)
    answered = (select(func.count()).where(SurveyParticipation.survey_id == Survey.id,
                                           SurveyParticipation.submitted.is_(True),
                                           *([school] if school is not None else []))
                .correlate(Survey).scalar_subquery().label("answered"))
    query = (select(Survey.id, Survey.title, Survey.opens_at, Survey.closes_at, Survey.audience, Survey.audience_role,
                    Survey.audience_school_id, Survey.pilot_id, answered)
             .where(Survey.status == "published", Survey.opens_at < f.until, Survey.closes_at >= f.since)
             .order_by(Survey.opens_at.desc(), Survey.id.desc()).limit(SURVEY_LIMIT))
    if f.pilot_id:
        query = query.where(Survey.pilot_id == f.pilot_id)
    rows = session.execute(query).all()
    if not rows:
        return
    in_school = _school_condition(f, User.id)
    sizes = session.execute(select(*[
        select(func.count(User.id)).where(audience_filter(_audience_of(r)), *([in_school] if in_school is not None else []))
        .scalar_subquery().label(f"a{i}") for i, r in enumerate(rows)])).one()
    board.surveys = [SurveyRate(r.id, r.title, r.opens_at, r.closes_at, int(r.answered or 0), int(size or 0))
                     for r, size in zip(rows, sizes)]


def _audience_of(row) -> SimpleNamespace:
    """The fields audience_filter reads, from a result row instead of a loaded Survey."""
    return SimpleNamespace(audience=row.audience, audience_role=row.audience_role,
                           audience_school_id=row.audience_school_id, pilot_id=row.pilot_id)


def filter_options(session, schools: frozenset[int] | None) -> dict[str, list[tuple[int, str]]]:
    """Schools (a coach's own only), strands (in the PD office's order) and pilots, in one query."""
    school_q = select(_text("school").label("kind"), School.id.label("id"), School.name.label("name"),
                      literal_column("0").label("position"))
    if schools is not None:
        school_q = school_q.where(School.id.in_(sorted(schools)))
    rows = session.execute(union_all(
        school_q,
        select(_text("strand"), Strand.id, Strand.name, Strand.position),
        select(_text("pilot"), Pilot.id, Pilot.name, literal_column("0")))).all()
    out: dict[str, list] = {"school": [], "strand": [], "pilot": []}
    for kind, id_, name, position in sorted(rows, key=lambda r: (r[3], r[2].lower())):
        out[kind].append((id_, name))
    return out


# --------------------------------------------------------------------------- one teacher's record


@dataclass
class TeacherRecord:
    person: User
    progress: points.Progress
    balance: int
    history: list
    awards: list
    submissions: list
    claims: list

    @property
    def credit_hours(self) -> float:
        return self.progress.standing.credit_hours


def person_by_id(session, user_id: int) -> User | None:
    """Whose record or statement it is, with their school."""
    return session.scalar(select(User).where(User.id == user_id).options(selectinload(User.school)))


def teacher_record(session, user_id: int) -> TeacherRecord | None:
    """What /points and /my/badges show the teacher, through the same functions: points.balance,
    points.degree_progress (credit hours and tiers), points.history and awards.awards_of."""
    person = person_by_id(session, user_id)
    if person is None:
        return None
    progress = points.degree_progress(session, person.id)
    submissions = session.scalars(select(Submission).where(Submission.user_id == person.id)
                                  .options(selectinload(Submission.badge))
                                  .order_by(Submission.updated_at.desc())).all()
    claims = session.scalars(select(RewardClaim).where(RewardClaim.user_id == person.id)
                             .options(selectinload(RewardClaim.reward)).order_by(RewardClaim.claimed_at)).all()
    return TeacherRecord(person=person, progress=progress, balance=points.balance(session, person.id),
                         history=points.history(session, person.id), awards=awards.awards_of(session, person),
                         submissions=submissions, claims=claims)


def find_people(session, text: str, *, limit: int = 50) -> list[User]:
    """People whose name or email contains the text (for choosing whose record to open)."""
    words = (text or "").strip().lower()
    if not words:
        return []
    return session.scalars(select(User).where(or_(func.lower(User.display_name).contains(words, autoescape=True),
                                                  User.email.contains(words, autoescape=True)))
                           .options(selectinload(User.school)).order_by(User.display_name, User.id).limit(limit)).all()


# --------------------------------------------------------------------------- credit hours


def award_hours(snapshot: dict | None) -> float:
    """Credit hours of an award: those of the badge version it was earned under, the figure
    points.services.standing adds up for the degree and the credential states as creditsEarned."""
    return float((snapshot or {}).get("credit_hours") or 0)


@dataclass
class CreditRow:
    user_id: int
    name: str
    email: str
    school: str
    badge: str
    version: int
    earned_on: date
    hours: float
    status: str
    how: str
    url: str


CREDIT_HEADER = ["Teacher", "Email", "School", "Badge", "Version", "Earned on", "Credit hours", "Status",
                 "How", "Verification URL"]


def credit_hours(session, *, start: date, end: date, school_id: int | None = None,
                 user_id: int | None = None) -> list[CreditRow]:
    """Badges earned from start to end (inclusive), one row per award, for HR and licence renewal.

    Revoked awards are left out. A badge counts once per person: an award of a badge the person already
    held (a later version) is left out, as the degree's credit hours count each badge once. Expired
    awards stay, marked, since the hours were earned in the period. Only award facts: no evidence."""
    from milepost.credentials.services import absolute

    check_range(start, end)
    f = Filters(start=start, end=end, school_id=school_id)
    earlier = aliased(Award)
    held_before = (select(earlier.id).where(earlier.user_id == Award.user_id, earlier.badge_id == Award.badge_id,
                                            earlier.revoked_at.is_(None),
                                            or_(earlier.issued_at < Award.issued_at,
                                                and_(earlier.issued_at == Award.issued_at, earlier.id < Award.id)))
                   .exists())
    query = (select(Award, User.display_name, User.email, School.name, BadgeVersion.number, BadgeVersion.snapshot,
                    Badge.title)
             .join(User, User.id == Award.user_id).outerjoin(School, School.id == User.school_id)
             .join(BadgeVersion, BadgeVersion.id == Award.badge_version_id).join(Badge, Badge.id == Award.badge_id)
             .where(_in_period(Award.issued_at, f), Award.revoked_at.is_(None), ~held_before,
                    *_scope(f, Award.user_id))
             .order_by(func.lower(User.display_name), User.id, Award.issued_at, Award.id))
    if user_id is not None:
        query = query.where(Award.user_id == user_id)
    rows = []
    for award, name, email, school, number, snapshot, title in session.execute(query).all():
        rows.append(CreditRow(user_id=award.user_id, name=name, email=email, school=school or "",
                              badge=(snapshot or {}).get("title") or title, version=number,
                              earned_on=award.issued_at.date(), hours=award_hours(snapshot), status=award.status,
                              how="Awarded directly" if award.how == "direct" else "Earned",
                              url=absolute("credentials.award_page", public_id=award.public_id)))
    return rows


def credit_csv_rows(rows: list[CreditRow]):
    for r in rows:
        yield [r.name, r.email, r.school, r.badge, r.version, r.earned_on.isoformat(), r.hours, r.status, r.how, r.url]


@dataclass
class TeacherHours:
    user_id: int
    name: str
    school: str
    badges: int
    hours: float


def hours_by_teacher(rows: list[CreditRow]) -> list[TeacherHours]:
    totals: dict[int, TeacherHours] = {}
    for r in rows:
        t = totals.setdefault(r.user_id, TeacherHours(r.user_id, r.name, r.school, 0, 0.0))
        t.badges += 1
        t.hours += r.hours
    return list(totals.values())


@dataclass
class Statement:
    """One teacher's credit-hours statement for a period: who, and the rows of credit_hours."""

    user_id: int
    name: str
    email: str
    school: str
    rows: list[CreditRow] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(r.hours for r in self.rows)


def school_statements(session, *, school_id: int, start: date, end: date) -> list[Statement]:
    """A statement for every teacher of a school for a period (licence renewal season): each active
    teacher at the school, with no badges if they earned none, and anyone else at the school who earned
    credit hours in it. Their rows are those of credit_hours, the one rule for what counts. Three queries
    whatever the school's size: the school, its people, then every row of the school's period."""
    from milepost.accounts.models import UserRole

    school = session.get(School, school_id)
    if school is None:
        raise ValidationFailed("Choose one of the district's schools.")
    teachers = session.execute(
        select(User.id, User.display_name, User.email)
        .where(User.school_id == school_id, User.active.is_(True),
               select(UserRole.user_id).where(UserRole.user_id == User.id, UserRole.role == "teacher").exists())
    ).all()
    statements = {uid: Statement(uid, name, email, school.name) for uid, name, email in teachers}
    for row in credit_hours(session, start=start, end=end, school_id=school_id):
        statements.setdefault(row.user_id, Statement(row.user_id, row.name, row.email, row.school)).rows.append(row)
    return sorted(statements.values(), key=lambda s: (s.name.lower(), s.user_id))


# --------------------------------------------------------------------------- the audit log


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""          # part of a name or email
    start: date | None = None
    end: date | None = None
    target_type: str = ""
    target_id: int | None = None


def audit_query(f: AuditFilters):
    """Events with the actor's name and email, newest first, narrowed by the filters."""
    query = (select(AuditEvent, User.display_name, User.email).outerjoin(User, User.id == AuditEvent.actor_id)
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    if f.action:  # an exact action, or a whole family without the dot ("award" for award.*)
        query = query.where(AuditEvent.action == f.action) if "." in f.action else query.where(
            AuditEvent.action.startswith(f.action + ".", autoescape=True))
    if f.actor:
        words = f.actor.strip().lower()
        query = query.where(AuditEvent.actor_id.in_(select(User.id).where(
            or_(func.lower(User.display_name).contains(words, autoescape=True),
                User.email.contains(words, autoescape=True)))))
    if f.start:
        query = query.where(AuditEvent.at >= day_start(f.start))
    if f.end:
        query = query.where(AuditEvent.at < day_start(f.end + timedelta(days=1)))
    if f.target_type:
        query = query.where(AuditEvent.target_type == f.target_type)
    if f.target_id is not None:
        query = query.where(AuditEvent.target_id == f.target_id)
    return query


@dataclass
class Page:
    """One page of rows, with what macros.pager_nav needs."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def audit_page(session, f: AuditFilters, *, page: int, per_page: int) -> Page:
    query = audit_query(f)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    items = session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items, page, per_page, total)


def audit_choices(session) -> tuple[list[str], list[str]]:
    """The actions and target kinds that occur, for the filter menus (one query)."""
    rows = session.execute(union_all(
        select(_text("action"), AuditEvent.action).distinct(),
        select(_text("target"), AuditEvent.target_type).where(AuditEvent.target_type != "").distinct())).all()
    return (sorted(v for k, v in rows if k == "action"), sorted(v for k, v in rows if k == "target"))


AUDIT_HEADER = ["When (UTC)", "Who", "Email", "Action", "Target", "Target id", "Details"]
AUDIT_EXPORT_LIMIT = 100000


def describe_detail(detail) -> str:
    if not isinstance(detail, dict):
        return "" if detail is None else str(detail)
    return "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in sorted(detail.items()))


def audit_csv_rows(session, f: AuditFilters):
    for event, name, email in session.execute(audit_query(f).limit(AUDIT_EXPORT_LIMIT)):
        yield [event.at.strftime("%Y-%m-%d %H:%M:%S"), name or "", email or "", event.action, event.target_type,
               event.target_id if event.target_id is not None else "", describe_detail(event.detail)]
