"""Credential rules: the issuer identity, each award's salt and status-list place, badge validity,
finding the awards a public page or a learning record shows, and learning-record requests. Plain
functions over a session; who may see what is in credentials.access."""
from __future__ import annotations

import calendar
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from milepost.accounts.models import User
from milepost.awards.models import Award
from milepost.core import audit
from milepost.core.errors import NotFound, ValidationFailed
from milepost.core.model import utcnow
from milepost.credentials.models import (
    STATUS_LIST_SIZE,
    AwardCredential,
    BadgeValidity,
    IssuerProfile,
    LearningRecordRequest,
    OutsideCredential,
)

# --------------------------------------------------------------------------- URLs


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def absolute(endpoint: str, **values) -> str:
    """A public URL on BASE_URL, never on the Host header of whoever asked (ids must be stable)."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return base_url() + adapter.build(endpoint, values)


# --------------------------------------------------------------------------- issuer


@dataclass
class Issuer:
    name: str
    url: str
    email: str
    image: str
    description: str


def issuer_row(session) -> IssuerProfile | None:
    return session.get(IssuerProfile, 1)


def issuer(session) -> Issuer:
    """The district as issuer: what the site admin set, else the theme's name and BASE_URL."""
    row = issuer_row(session)
    theme = current_app.extensions["milepost_theme"]
    image = row.image_url if row and row.image_url else ""
    if not image and theme.logo:
        image = absolute("theme.static", filename=theme.logo)
    return Issuer(
        name=(row.name if row and row.name else theme.display_name),
        url=(row.url if row and row.url else base_url()),
        email=(row.email if row and row.email else parseaddr(current_app.config["MAIL_FROM"])[1]),
        image=image,
        description=(row.description if row and row.description else theme.tagline or ""),
    )


def save_issuer(session, *, name: str, url: str, email: str, image_url: str, description: str, actor) -> IssuerProfile:
    problems = []
    for label, value in (("The website", url), ("The image", image_url)):
        if value and not value.startswith(("https://", "http://")):
            problems.append(f"{label} must be a full address starting with https://.")
    if email and "@" not in email:
        problems.append("The email address does not look right.")
    if problems:
        raise ValidationFailed("The issuer details could not be saved.", problems=problems)
    row = issuer_row(session) or IssuerProfile(id=1)
    row.name, row.url, row.email = name.strip(), url.strip(), email.strip()
    row.image_url, row.description = image_url.strip(), description.strip()
    row.updated_by_id = getattr(actor, "id", None)
    session.add(row)
    session.flush()
    audit.record(session, "credentials.issuer_saved", actor=actor, target=row, name=row.name, url=row.url)
    return row


# --------------------------------------------------------------------------- per-award state


def credential_state(session, award: Award) -> AwardCredential:
    """The award's salt and status-list index, made once (at issue, or on first use for older awards).

    Indexes are drawn at random so neighbouring bits do not reveal who was awarded when."""
    state = session.get(AwardCredential, award.id)
    if state is not None:
        return state
    for _ in range(20):
        index = secrets.randbelow(STATUS_LIST_SIZE)
        if session.scalar(select(AwardCredential.award_id).where(AwardCredential.status_list == 1,
                                                                 AwardCredential.status_index == index)):
            continue
        state = AwardCredential(award_id=award.id, salt=secrets.token_hex(8), status_list=1, status_index=index)
        try:
            with session.begin_nested():
                session.add(state)
        except IntegrityError:  # the same index taken at the same moment, or the award's row made meanwhile
            existing = session.get(AwardCredential, award.id)
            if existing is not None:
                return existing
            continue
        return state
    raise RuntimeError("no free status-list index found")


def judgement(session, award: Award) -> str | None:
    """How the award was judged (every criterion met, or as a whole with the reviewer's reason), in words
    for its credential; the rule and its wording belong to reviews. None for an award made directly."""
    from milepost.reviews.services import award_judgement

    return award_judgement(session, award)


def subject_id(award: Award, state: AwardCredential) -> str:
    """The earner as credentialSubject.id (and the JWT's sub): a urn:uuid fixed by the award's secret
    salt, so it is stable, names nobody and cannot link one person's credentials; the hashed email in
    identifier is what a verifier matches the earner by."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_url()}/awards/{award.public_id}#{state.salt}')}"


def person_subject_id(person: User) -> str:
    """The person as a CLR's credentialSubject.id: a urn:uuid keyed by the site's secret, stable for
    the person and meaningless to anyone else."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    digest = hmac.new(secret, f"clr-subject:{person.id}".encode(), hashlib.sha256).hexdigest()
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_url()}/people/{digest}')}"


def hashed_email(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def revoked_indexes(session, list_number: int = 1) -> list[int]:
    rows = session.execute(select(AwardCredential.status_index).join(Award, Award.id == AwardCredential.award_id)
                           .where(AwardCredential.status_list == list_number, Award.revoked_at.is_not(None)))
    return [r[0] for r in rows]


def revoked_awards(session) -> list[Award]:
    return session.scalars(select(Award).where(Award.revoked_at.is_not(None)).order_by(Award.revoked_at)).all()


def prepare_credential(session, award: Award) -> None:
    """For a new award: fix its credential state and apply the badge's validity (an expiry)."""
    credential_state(session, award)
    if award.expires_at is None:
        validity = session.get(BadgeValidity, award.badge_id)
        if validity is not None:
            award.expires_at = add_months(award.issued_at or utcnow(), validity.months)


def add_months(moment: datetime, months: int) -> datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# --------------------------------------------------------------------------- badge validity


def set_badge_validity(session, badge, months: int | None, *, actor) -> None:
    row = session.get(BadgeValidity, badge.id)
    if not months:
        if row is not None:
            session.delete(row)
    else:
        if not 1 <= months <= 600:
            raise ValidationFailed("A validity period is between 1 and 600 months.")
        if row is None:
            row = BadgeValidity(badge_id=badge.id, months=months)
            session.add(row)
        row.months = months
    audit.record(session, "credentials.validity_set", actor=actor, target=badge, months=months or None)


def validities(session) -> dict[int, int]:
    return {row.badge_id: row.months for row in session.scalars(select(BadgeValidity))}


# --------------------------------------------------------------------------- finding awards


def award_by_public_id(session, public_id: str) -> Award:
    """The award with its badge, version, earner and school in one query (the earner's roles are not
    needed by any public page or document): the verification pages are the busiest public URLs."""
    from sqlalchemy.orm import joinedload, lazyload

    award = session.scalar(select(Award).where(Award.public_id == public_id)
                           .options(joinedload(Award.badge), joinedload(Award.badge_version),
                                    joinedload(Award.user).options(joinedload(User.school),
                                                                   lazyload(User.role_rows))))
    if award is None:
        raise NotFound("There is no credential at this address.")
    return award


def awards_for_record(session, user: User) -> list[Award]:
    """Every award of a person that still stands or has only expired (revoked ones are not theirs to show)."""
    return session.scalars(select(Award).where(Award.user_id == user.id, Award.revoked_at.is_(None))
                           .options(selectinload(Award.badge), selectinload(Award.badge_version))
                           .order_by(Award.issued_at)).all()


# --------------------------------------------------------------------------- learning-record requests


def request_learning_record(session, *, email: str, note: str, by) -> LearningRecordRequest:
    person = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if person is None:
        raise ValidationFailed("Nobody has that email address here.")
    if not (note or "").strip():
        raise ValidationFailed("Note who asked for the record and how (it is kept with the request).")
    row = LearningRecordRequest(user_id=person.id, requested_by_id=by.id, note=note.strip())
    session.add(row)
    session.flush()
    audit.record(session, "credentials.record_requested", actor=by, target=row, user_id=person.id)
    return row


def record_requests(session, limit: int = 50) -> list[LearningRecordRequest]:
    return session.scalars(select(LearningRecordRequest)
                           .options(selectinload(LearningRecordRequest.user),
                                    selectinload(LearningRecordRequest.requested_by))
                           .order_by(LearningRecordRequest.created_at.desc()).limit(limit)).all()


# --------------------------------------------------------------------------- outside credentials

MAX_ORIGINAL = 3 * 1024 * 1024


def credential_fetch():
    """How brought credentials' documents are fetched: the app's own, then guarded https (tests set
    app.extensions['milepost_credential_fetch'] to answer an outside test issuer offline)."""
    from milepost.credentials import incoming

    return current_app.extensions.get("milepost_credential_fetch") or incoming.guarded_fetch


def add_outside_credential(session, user: User, *, data: bytes | None = None, text: str = "",
                           submission=None, fetch=None) -> OutsideCredential:
    """Check a credential the teacher brought (made out to their email) and keep it with every check made,
    whatever the outcome; as evidence for one of their own submissions when one is given."""
    import base64

    from milepost.credentials import incoming

    if not data and not (text or "").strip():
        raise ValidationFailed("Upload a badge image or credential file, or paste a credential or its address.")
    if submission is not None and submission.user_id != user.id:
        raise ValidationFailed("That submission is not yours.")
    original = base64.b64encode(data).decode("ascii") if data else text.strip()
    if len(original) > MAX_ORIGINAL:
        raise ValidationFailed("That credential is too large to keep (at most 2 MB).")
    verdict = incoming.verify(data=data, text=text, email=user.email, fetch=fetch or credential_fetch())
    row = OutsideCredential(user_id=user.id, submission_id=getattr(submission, "id", None), format=verdict.format[:60],
                            original=original, status=verdict.status, issuer_id=verdict.issuer_id[:500],
                            issuer_name=verdict.issuer_name[:300], achievement=verdict.achievement[:300],
                            checks=verdict.checks, checked_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, "credentials.outside_added", actor=user, target=row, status=row.status,
                 issuer=row.issuer_id, submission_id=row.submission_id)
    return row


def outside_credentials(session, user: User) -> list[OutsideCredential]:
    return session.scalars(select(OutsideCredential).where(OutsideCredential.user_id == user.id)
                           .order_by(OutsideCredential.created_at.desc(), OutsideCredential.id.desc())).all()


def outside_for_submission(session, submission_id: int) -> list[OutsideCredential]:
    return session.scalars(select(OutsideCredential).where(OutsideCredential.submission_id == submission_id)
                           .order_by(OutsideCredential.created_at)).all()
