"""The one way to tell someone something: `notify` writes the in-app row in the caller's transaction
and queues the email their choice asks for (sent only after the transaction commits).

Other features call `notify`, or one of the helpers below made for them: `notify_review_waiting`,
`notify_review_reminder`, `notify_reviews_stuck`, `notify_survey`. Also here: the kinds and each person's
email choice per kind, the signed unsubscribe links, the in-app list and the daily digests."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from milepost.accounts.models import User
from milepost.core.errors import NotFound, ValidationFailed
from milepost.core.model import utcnow
from milepost.notifications import access, delivery
from milepost.notifications.models import (
    CHANNELS,
    Channel,
    DigestState,
    Notification,
    NotificationPreference,
    OutgoingMail,
)

CHANNEL_LABELS = {Channel.IMMEDIATE: "Email me straight away", Channel.DIGEST: "Daily digest", Channel.OFF: "No email"}
DIGEST_ALL = "digest"  # the unsubscribe "kind" of a digest mail: every kind now set to the digest


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    description: str
    default: str = Channel.IMMEDIATE
    security: bool = False  # always emailed at once, never in a digest, no unsubscribe


KINDS: dict[str, Kind] = {}


def register_kind(name: str, label: str, description: str, *, default: str = Channel.IMMEDIATE,
                  security: bool = False) -> Kind:
    """Add an event kind (a feature with events of its own calls this at import time)."""
    if default not in CHANNELS:
        raise ValueError(f"unknown channel {default!r}")
    KINDS[name] = Kind(name, label, description, default, security)
    return KINDS[name]


register_kind("submission_received", "Evidence received", "Your submitted evidence has reached the review chain.")
register_kind("review_waiting", "Reviews waiting for you",
              "A colleague's evidence is waiting at a review stage you can take.", default=Channel.DIGEST)
register_kind("review_reminder", "Review reminders", "Reviews have waited longer than the district's target.")
register_kind("review_stuck", "Stuck reviews", "Submissions nobody can review, or waiting far too long (PD office).")
register_kind("decision", "Decisions and feedback", "A reviewer decided “meets” or “not yet”, with their feedback.")
register_kind("award_issued", "Badges awarded", "A badge is yours, with its link to share.")
register_kind("tier_reached", "Degree tiers reached",
              "You, or a teacher you coach, reached a degree tier.")
register_kind("reward_fulfilled", "Rewards fulfilled", "The PD office has fulfilled a reward you claimed.")
register_kind("survey_open", "Surveys opening", "A survey for you is open.")
register_kind("survey_closing", "Surveys closing soon", "A survey you have not finished closes soon.")
register_kind("password_reset", "Password reset", "A link to choose a new password.", security=True)
register_kind("account_invitation", "Account invitation", "A link to set up a new account.", security=True)


# --------------------------------------------------------------------------- notify


def notify(session, user_or_id, kind: str, *, subject: str, context: dict | None = None, url: str = "",
           security: bool = False) -> Notification | None:
    """Tell one person: an in-app row now, email as they chose (sent after commit, never on rollback).

    `url` is the page of the thing concerned (a path, or an absolute address for links to other
    sites). Security mails are always sent at once and keep no link in the in-app row.
    Returns None for an unknown or deactivated person."""
    user = user_or_id if isinstance(user_or_id, User) else session.get(User, user_or_id)
    if user is None or not user.active:
        return None
    spec = _kind(kind)
    security = security or spec.security
    channel = Channel.IMMEDIATE if security else channel_for(session, user.id, kind)
    return _make(session, user, spec, channel, subject=subject, context=context or {}, url=url or "",
                 security=security)


def notify_many(session, users, kind: str, *, subject: str, context: dict | None = None,
                url: str = "") -> list[Notification]:
    """The same message to several people, reading everyone's choice in one query."""
    spec = _kind(kind)
    people = {u.id: u for u in users if u is not None and u.active}
    channels = channels_for(session, list(people), kind)
    return [_make(session, person, spec, channels[person.id], subject=subject, context=dict(context or {}),
                  url=url or "", security=spec.security) for person in people.values()]


def _make(session, user: User, spec: Kind, channel: str, *, subject: str, context: dict, url: str,
          security: bool) -> Notification:
    row = Notification(user_id=user.id, kind=spec.name, subject=subject[:300], context=context,
                       url="" if security else url[:500], email=channel, created_at=utcnow())
    session.add(row)
    if channel == Channel.IMMEDIATE:
        row.mail = delivery.queue(session, user, spec.name, subject=subject, context=context, url=url,
                                  security=security,
                                  unsubscribe=None if security else unsubscribe_url(user.id, spec.name))
        session.flush()  # the mail's id, to send it once the caller commits
        delivery.remember(session, row.mail)
    elif channel == Channel.DIGEST:
        row.digest_state = DigestState.PENDING
    return row


def _kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown notification kind {kind!r}; add it with register_kind()") from None


# --------------------------------------------------------------------------- helpers for other features


def notify_review_waiting(session, users, submission, *, stage_label: str = "", url: str | None = None
                          ) -> list[Notification]:
    """Each of `users` may now review `submission` (most people get these in their daily digest)."""
    badge = submission.badge.title
    where = f" at the {stage_label.lower()} stage" if stage_label else ""
    return notify_many(session, users, "review_waiting", subject=f"Evidence for “{badge}” is waiting for review",
                       context={"message": f"A colleague's evidence for “{badge}” is waiting for review{where}.",
                                "badge": badge, "submission_id": submission.id},
                       url=url or review_path(submission))


def _items(items: list[dict]) -> list[dict]:
    return [{"label": str(i.get("label", "")), "url": str(i.get("url", "")), "days": i.get("days")} for i in items]


def notify_review_reminder(session, user, items: list[dict], *, url: str = "") -> Notification | None:
    """Reviews waiting longer than the target: items are {"label", "url", "days"} dicts, one per submission
    (`url` a path on this site; emails show it in full)."""
    count = len(items)
    return notify(session, user, "review_reminder",
                  subject=f"{count} review{'s' if count != 1 else ''} waiting for you",
                  context={"message": "These submissions have waited longer than the district's target for a review. "
                                      "Thank you for keeping colleagues' work moving.",
                           "items": _items(items), "action": "Open your review queue"},
                  url=url or delivery.path_if_exists("reviews.queue", fallback="/reviews"))


def notify_reviews_stuck(session, user, items: list[dict], *, url: str = "") -> Notification | None:
    """For the PD office: submissions nobody can review, or waiting far too long (items as above, "days" None)."""
    count = len(items)
    return notify(session, user, "review_stuck",
                  subject=f"{count} submission{'s' if count != 1 else ''} stuck in review",
                  context={"message": "These submissions need someone to assign a reviewer or change the chain.",
                           "items": _items(items), "action": "See all reviews"},
                  url=url or delivery.path_if_exists("reviews.overview", fallback="/reviews/overview"))


def notify_survey(session, users, *, title: str, url: str, closing: bool = False,
                  closes_at: datetime | None = None, survey_id: int | None = None,
                  note: str = "") -> list[Notification]:
    """A survey for `users` has opened (closing=False) or closes soon (closing=True). `closes_at` is the
    moment answers stop (the end of the closing day), shown as that last day; `note` is added to the message."""
    when = ""
    if closes_at:
        last = closes_at - timedelta(seconds=1)
        when = f" The last day to answer is {last.day} {last:%B %Y}."
    if closing:
        subject = f"“{title}” closes soon"
        message = f"The survey “{title}” closes soon and your answers are not in yet.{when}"
    else:
        subject, message = f"A survey for you: “{title}”", f"The survey “{title}” is open for you.{when}"
    if note:
        message = f"{message} {note}"
    context = {"message": message, "survey": title, "action": "Answer the survey"}
    if survey_id is not None:
        context["survey_id"] = survey_id
    return notify_many(session, users, "survey_closing" if closing else "survey_open", subject=subject,
                       context=context, url=url)


def review_path(submission) -> str:
    return delivery.path_if_exists("reviews.review", submission_id=submission.id,
                                   fallback=delivery.path_for("evidence.submission", submission_id=submission.id))


# --------------------------------------------------------------------------- preferences


def channel_for(session, user_id: int, kind: str) -> str:
    row = session.get(NotificationPreference, (user_id, kind))
    return row.channel if row else _kind(kind).default


def channels_for(session, user_ids: list[int], kind: str) -> dict[int, str]:
    default = _kind(kind).default
    found = {}
    if user_ids:
        found = dict(session.execute(select(NotificationPreference.user_id, NotificationPreference.channel)
                                     .where(NotificationPreference.kind == kind,
                                            NotificationPreference.user_id.in_(user_ids))).all())
    return {uid: found.get(uid, default) for uid in user_ids}


def preferences(session, user_id: int) -> dict[str, str]:
    """Every kind a person can choose for, with their choice (security kinds are left out)."""
    rows = dict(session.execute(select(NotificationPreference.kind, NotificationPreference.channel)
                                .where(NotificationPreference.user_id == user_id)).all())
    return {k.name: rows.get(k.name, k.default) for k in KINDS.values() if not k.security}


def set_preference(session, user_id: int, kind: str, channel: str) -> None:
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationFailed("There is no such kind of notification.")
    if spec.security:
        raise ValidationFailed(f"“{spec.label}” emails are always sent: they keep your account safe.")
    if channel not in CHANNELS:
        raise ValidationFailed("Choose straight away, daily digest or no email.")
    row = session.get(NotificationPreference, (user_id, kind))
    if row is None:
        session.add(NotificationPreference(user_id=user_id, kind=kind, channel=channel))
    else:
        row.channel = channel


# --------------------------------------------------------------------------- unsubscribe links


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="milepost.notifications.unsubscribe")


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer().dumps([user_id, kind])


def unsubscribe_url(user_id: int, kind: str) -> str:
    return delivery.absolute(delivery.path_for("notifications.unsubscribe", token=unsubscribe_token(user_id, kind)))


@dataclass
class Unsubscribe:
    user: User
    kind: str
    label: str


def read_unsubscribe(session, token: str) -> Unsubscribe:
    """The person and kind a token names; NotFound for anything tampered with or unknown."""
    try:
        user_id, kind = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        raise NotFound(
            "This unsubscribe link is not valid. You can change your email choices after signing in.") from None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not (kind == DIGEST_ALL or (kind in KINDS and not KINDS[kind].security)):
        raise NotFound("This unsubscribe link is not valid. You can change your email choices after signing in.")
    label = "the daily digest" if kind == DIGEST_ALL else f"“{KINDS[kind].label}” emails"
    return Unsubscribe(user, kind, label)


def unsubscribe(session, token: str) -> Unsubscribe:
    """Turn off what the token names, for the person it names, and nothing else."""
    found = read_unsubscribe(session, token)
    if found.kind == DIGEST_ALL:
        for kind, channel in preferences(session, found.user.id).items():
            if channel == Channel.DIGEST:
                set_preference(session, found.user.id, kind, Channel.OFF)
    else:
        set_preference(session, found.user.id, found.kind, Channel.OFF)
    return found


# --------------------------------------------------------------------------- the in-app list


def unread_count(session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def list_query(user_id: int):
    return select(Notification).where(Notification.user_id == user_id).order_by(Notification.created_at.desc(),
                                                                                 Notification.id.desc())


def own(session, user, notification_id: int) -> Notification:
    row = session.get(Notification, notification_id)
    if not access.can_see(user, row):
        raise NotFound("That notification is not yours or no longer exists.")
    return row


def mark_read(session, user, notification_id: int) -> Notification:
    row = own(session, user, notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
    return row


def mark_all_read(session, user) -> int:
    result = session.execute(update(Notification).where(Notification.user_id == user.id,
                                                        Notification.read_at.is_(None))
                             .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount or 0


# --------------------------------------------------------------------------- digests


@dataclass
class DigestReport:
    mails: int = 0
    items: int = 0
    dropped: int = 0
    people: list[int] = field(default_factory=list)


def send_digests(session) -> DigestReport:
    """One email per person with everything waiting for their digest; each item goes in one digest.

    Each person is claimed with a conditional UPDATE, so two runs at once never send an item twice."""
    report = DigestReport()
    user_ids = session.scalars(select(Notification.user_id).where(Notification.digest_state == DigestState.PENDING)
                               .distinct()).all()
    for user_id in user_ids:
        user = session.get(User, user_id)
        choices = preferences(session, user_id)
        mail = OutgoingMail(user_id=user_id, kind="digest", to_address=user.email, subject="(digest)")
        session.add(mail)
        session.flush()
        claimed = session.execute(update(Notification)
                                  .where(Notification.user_id == user_id,
                                         Notification.digest_state == DigestState.PENDING)
                                  .values(digest_state=DigestState.SENT, mail_id=mail.id)
                                  .execution_options(synchronize_session=False)).rowcount
        if not claimed:
            session.delete(mail)
            continue
        items = session.scalars(select(Notification).where(Notification.mail_id == mail.id)
                                .order_by(Notification.created_at, Notification.id)
                                .execution_options(populate_existing=True)).all()
        # Turned off since (or the person has left): dropped, not sent.
        keep = [n for n in items if choices.get(n.kind) != Channel.OFF] if user.active else []
        for n in items:
            if n not in keep:
                n.digest_state, n.mail_id = DigestState.DROPPED, None
                report.dropped += 1
        if not keep:
            session.delete(mail)
            continue
        groups = defaultdict(list)
        for n in keep:
            groups[n.kind].append(n)
        delivery.fill_digest(mail, user, [(KINDS[k], groups[k], unsubscribe_url(user_id, k)) for k in groups],
                             unsubscribe=unsubscribe_url(user_id, DIGEST_ALL))
        delivery.remember(session, mail)
        report.mails += 1
        report.items += len(keep)
        report.people.append(user_id)
    return report
