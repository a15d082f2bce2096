"""Reminders (`milepost send-reminders`, once a day): skip stages nobody can take, expire claims, and tell
reviewers and the PD office about waiting and stuck work, at most once per person, kind and day."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from milepost.accounts.models import User, UserRole
from milepost.core.access import Role
from milepost.core.model import utcnow
from milepost.reviews.models import ReminderKind, ReminderSent, StageKind
from milepost.reviews.services.chains import setting
from milepost.reviews.services.claims import expire_claims
from milepost.reviews.services.eligibility import eligible_reviewers
from milepost.reviews.services.feedback import show_names
from milepost.reviews.services.review_queue import QueueRow, ensure_tracks, overview
from milepost.reviews.services.track import apply_skips


@dataclass
class ReminderReport:
    skipped: int = 0
    expired: int = 0
    reviewer_mails: int = 0
    admin_mails: int = 0
    already_sent: int = 0


def target_days(kind: str) -> float:
    return float(setting("REVIEW_COMPLETENESS_TARGET_DAYS") if kind == StageKind.COMPLETENESS
                 else setting("REVIEW_TARGET_DAYS"))


def send_reminders(session, *, now: datetime | None = None) -> ReminderReport:
    """Skip stages nobody can take, expire claims, then one reminder per reviewer and per PD admin per day,
    through notifications (kinds review_reminder and review_stuck: each person's email choice applies)."""
    from milepost.notifications.services import notify_review_reminder, notify_reviews_stuck

    now = now or utcnow()
    report = ReminderReport()
    ensure_tracks(session)
    report.expired = expire_claims(session, now=now)
    rows = overview(session, limit=100000)
    for row in rows:
        report.skipped += apply_skips(session, row.submission, row.track, now=now)
    rows = overview(session, limit=100000)
    waiting: dict[int, list[QueueRow]] = defaultdict(list)
    stuck: list[tuple[QueueRow, str]] = []
    people: dict[int, User] = {}
    for row in rows:
        age = now - row.track.entered_at
        if age > timedelta(days=target_days(row.stage.kind)):
            holders = [c.user for c in row.claims]
            candidates = holders or eligible_reviewers(session, row.submission)
            for person in candidates:
                people[person.id] = person
                waiting[person.id].append(row)
            if not candidates:
                stuck.append((row, "nobody is eligible to review it"))
        if age > timedelta(days=float(setting("REVIEW_STUCK_DAYS"))) and not any(r is row for r, _ in stuck):
            stuck.append((row, f"waiting {age.days} days at {row.stage.label.lower()}"))
    day = now.date()

    def once(user_id: int, kind: str, count: int) -> bool:
        try:
            with session.begin_nested():
                session.add(ReminderSent(user_id=user_id, kind=kind, day=day, items=count, sent_at=now))
        except IntegrityError:
            report.already_sent += 1
            return False
        return True

    for user_id, items in waiting.items():
        person = people[user_id]
        if not person.active or not once(user_id, ReminderKind.REVIEWER, len(items)):
            continue
        notify_review_reminder(session, person, [
            {"label": f"{_label_for(row)}: {row.submission.badge.title}, {row.stage.label.lower()}",
             "url": _review_path(row), "days": (now - row.track.entered_at).days} for row in items])
        report.reviewer_mails += 1
    if stuck:
        admins = session.scalars(select(User).join(UserRole).where(UserRole.role == Role.PD_ADMIN,
                                                                   User.active.is_(True))).all()
        lines = [{"label": f"{_label_for(row)}: {row.submission.badge.title}: {why}", "url": _review_path(row),
                  "days": None} for row, why in stuck]
        for admin in admins:
            if not once(admin.id, ReminderKind.STUCK, len(stuck)):
                continue
            notify_reviews_stuck(session, admin, lines)
            report.admin_mails += 1
    return report


def _review_path(row: QueueRow) -> str:
    from milepost.notifications.delivery import path_for

    return path_for("reviews.review", submission_id=row.submission.id)


def _label_for(row: QueueRow) -> str:
    return row.track.ref if not show_names() else row.submission.user.display_name


