"""The audit log viewer: events filtered by action, person, period and target, a page at a time, and the CSV
export."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select, union_all

from milepost.accounts.models import User
from milepost.core.audit import AuditEvent
from milepost.reports.services.periods import constant_text, day_start


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
        select(constant_text("action"), AuditEvent.action).distinct(),
        select(constant_text("target"), AuditEvent.target_type).where(AuditEvent.target_type != "").distinct())).all()
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
