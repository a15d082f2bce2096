"""What a report covers (a period of whole days, and optionally a school, strand or pilot) as SQL conditions,
and the few SQL expressions that differ between SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, extract, func, literal_column, select

from milepost.accounts.models import User
from milepost.badges.models import Badge
from milepost.core.errors import ValidationFailed
from milepost.evidence.models import Attempt, Submission
from milepost.points.standings import SCHOOL_YEAR_STARTS, school_year_of  # noqa: F401 - the leaderboards' school year
from milepost.surveys.models import MemberRole, PilotMember, pilot_badge

MAX_RANGE_DAYS = 366 * 5        # the monthly chart stays readable


# --------------------------------------------------------------------------- periods and filters


def school_year_dates(start_year: int) -> tuple[date, date]:
    return date(start_year, SCHOOL_YEAR_STARTS, 1), date(start_year + 1, SCHOOL_YEAR_STARTS, 1) - timedelta(days=1)


def school_year_label(start_year: int) -> str:
    return f"{start_year}–{(start_year + 1) % 100:02d}"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


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


def in_period(column, f: Filters):
    """The timestamp falls within the report's days."""
    return and_(column >= f.since, column < f.until)


def school_condition(f: Filters, user_col):
    """The person is at the chosen school, or at one of a coach's schools; None for the whole district."""
    if f.school_id:
        return user_col.in_(select(User.id).where(User.school_id == f.school_id))
    if f.schools is not None:
        return user_col.in_(select(User.id).where(User.school_id.in_(sorted(f.schools))))
    return None


def people_scope(f: Filters, user_col) -> list:
    """Conditions on the person: the school filter, and a pilot's cohort of teachers."""
    conditions = []
    school = school_condition(f, user_col)
    if school is not None:
        conditions.append(school)
    if f.pilot_id:
        conditions.append(user_col.in_(select(PilotMember.user_id).where(PilotMember.pilot_id == f.pilot_id,
                                                                         PilotMember.role == MemberRole.TEACHER)))
    return conditions


def badge_scope(f: Filters, badge_col) -> list:
    """Conditions on the badge: the strand filter, and the badges in a pilot's scope."""
    conditions = []
    if f.strand_id:
        conditions.append(badge_col.in_(select(Badge.id).where(Badge.strand_id == f.strand_id)))
    if f.pilot_id:
        conditions.append(badge_col.in_(select(pilot_badge.c.badge_id).where(pilot_badge.c.pilot_id == f.pilot_id)))
    return conditions


def scope_conditions(f: Filters, user_col, badge_col=None) -> list:
    """Conditions that keep rows of the people and badges the filters cover. A pilot means its cohort
    of teachers and the badges in its scope, as on the pilot's own dashboard."""
    return people_scope(f, user_col) + ([] if badge_col is None else badge_scope(f, badge_col))


def attempts_in_scope(f: Filters, query):
    """`query` (over attempts) narrowed to the people and badges the filters cover. An attempt carries its
    submission's teacher and badge, so the whole district or a strand is read from the attempt indexes
    alone. A school, a coach's schools or a pilot's cohort is a few hundred people: their attempts are
    reached through their submissions (the submission index by person) instead of testing every attempt
    of the period, as the district's would be."""
    if not people_scope(f, Submission.user_id):
        return query.where(*badge_scope(f, Attempt.badge_id))
    return (query.join(Submission, Submission.id == Attempt.submission_id)
            .where(*scope_conditions(f, Submission.user_id, Submission.badge_id)))


# --------------------------------------------------------------------------- SQL that differs by database


def _dialect(session) -> str:
    return session.get_bind().dialect.name


def month_of(session, column):
    """'YYYY-MM' of a UTC timestamp."""
    if _dialect(session) == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    # SQLite keeps UTCDateTime as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC: the first seven characters are the
    # month, read without parsing a date per row (strftime takes twice as long on a year of attempts).
    return func.substr(column, 1, 7)


def days_between(session, start, end):
    """Days (with fractions) from start to end."""
    if _dialect(session) == "postgresql":
        return extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def constant_text(value: str):
    """A constant text column (a SQL literal, so a UNION's columns agree on every database)."""
    if value and not value.replace("_", "").isalnum():  # only our own constant words ever reach SQL
        raise ValueError(f"not a plain word: {value!r}")
    return literal_column(f"'{value}'")
