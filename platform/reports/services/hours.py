"""Credit hours: badges earned in a period, one row per award, for the HR export, the CLI and the printable
statements of one teacher or a whole school."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from milepost.accounts.models import School, User, UserRole
from milepost.awards.models import Award, AwardHow
from milepost.badges.models import Badge, BadgeVersion
from milepost.core.access import Role
from milepost.core.errors import ValidationFailed
from milepost.reports.services.periods import Filters, check_range, in_period, scope_conditions


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
             .where(in_period(Award.issued_at, f), Award.revoked_at.is_(None), ~held_before,
                    *scope_conditions(f, Award.user_id))
             .order_by(func.lower(User.display_name), User.id, Award.issued_at, Award.id))
    if user_id is not None:
        query = query.where(Award.user_id == user_id)
    rows = []
    for award, name, email, school, number, snapshot, title in session.execute(query).all():
        rows.append(CreditRow(user_id=award.user_id, name=name, email=email, school=school or "",
                              badge=(snapshot or {}).get("title") or title, version=number,
                              earned_on=award.issued_at.date(), hours=award_hours(snapshot), status=award.status,
                              how="Awarded directly" if award.how == AwardHow.DIRECT else "Earned",
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


def teacher_statement(session, person: User, *, start: date, end: date) -> Statement:
    """One teacher's statement for a period: the rows of credit_hours for that person alone."""
    return Statement(person.id, person.display_name, person.email, person.school.name if person.school else "",
                     credit_hours(session, start=start, end=end, user_id=person.id))


def school_statements(session, *, school_id: int, start: date, end: date) -> list[Statement]:
    """A statement for every teacher of a school for a period (licence renewal season): each active
    teacher at the school, with no badges if they earned none, and anyone else at the school who earned
    credit hours in it. Their rows are those of credit_hours, the one rule for what counts. Three queries
    whatever the school's size: the school, its people, then every row of the school's period."""
    school = session.get(School, school_id)
    if school is None:
        raise ValidationFailed("Choose one of the district's schools.")
    teachers = session.execute(
        select(User.id, User.display_name, User.email)
        .where(User.school_id == school_id, User.active.is_(True),
               select(UserRole.user_id).where(UserRole.user_id == User.id, UserRole.role == Role.TEACHER).exists())
    ).all()
    statements = {uid: Statement(uid, name, email, school.name) for uid, name, email in teachers}
    for row in credit_hours(session, start=start, end=end, school_id=school_id):
        statements.setdefault(row.user_id, Statement(row.user_id, row.name, row.email, row.school)).rows.append(row)
    return sorted(statements.values(), key=lambda s: (s.name.lower(), s.user_id))
