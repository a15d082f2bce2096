"""Saving a badge from a checked document, its status (draft, published, retired) and its versions: every
status change goes through change_status and the TRANSITIONS table."""
from __future__ import annotations

from sqlalchemy import select

from milepost.badges.models import Badge, BadgePrompt, BadgeStatus, BadgeTag, BadgeVersion, RubricCriterion, Strand
from milepost.badges.services.documents import (
    BadgeInvalid,
    badge_document,
    check_against_catalogue,
    clean_badge_document,
    snapshot,
)
from milepost.core import audit
from milepost.core.errors import InvalidTransition
from milepost.core.model import utcnow


def apply_document(session, badge: Badge, doc: dict, *, strands: dict[str, Strand],
                   badges: dict[str, Badge]) -> None:
    """Write a cleaned document's content onto a badge (not its status)."""
    badge.slug = doc["slug"]
    badge.title = doc["title"]
    badge.kind = doc["kind"]
    badge.strand = strands.get(doc["strand"]) if doc["strand"] else None
    badge.level = doc["level"]
    for key in ("summary", "competency", "key_method", "research", "resources", "points", "estimated_time"):
        setattr(badge, key, doc[key])
    badge.credit_hours = doc["credit_hours"]
    badge.prompts = [BadgePrompt(position=i, kind=p["kind"], title=p["title"], guidance=p["guidance"],
                                 required=p["required"]) for i, p in enumerate(doc["prompts"])]
    rubric = doc["rubric"]
    badge.rubric_levels = list(rubric["levels"])
    badge.meets_level = rubric["levels"].index(rubric["meets_level"]) if rubric["meets_level"] else None
    badge.allow_holistic = bool(rubric.get("allow_holistic"))
    badge.criteria = [RubricCriterion(position=i, name=c["name"], descriptions=list(c["descriptions"]))
                      for i, c in enumerate(rubric["criteria"])]
    have = {row.tag: row for row in badge.tag_rows}
    badge.tag_rows = [have.get(tag) or BadgeTag(tag=tag) for tag in doc["tags"]]
    badge.prerequisites = [badges[slug] for slug in doc["prerequisites"]]


def _record_version_if_changed(session, badge: Badge, actor) -> BadgeVersion | None:
    """A new version when a badge that has been published now reads differently."""
    session.flush()
    content = snapshot(badge)
    latest = badge.versions[-1] if badge.versions else None
    if latest is not None and latest.snapshot == content:
        return None
    number = latest.number + 1 if latest else 1
    version = BadgeVersion(number=number, snapshot=content, created_by_id=getattr(actor, "id", None))
    badge.versions.append(version)
    badge.version = number
    session.flush()
    return version


def save_badge(session, badge: Badge | None, raw: dict, *, actor) -> Badge:
    """Create (badge=None) or update a badge from a document. Status is not changed here.

    Editing a badge that has been published records a new version; drafts are edited in place."""
    doc, problems = clean_badge_document(raw)
    problems += check_against_catalogue(session, doc, badge)
    if problems:
        raise BadgeInvalid("The badge could not be saved. Please fix the problems listed.", problems)
    strands = {s.slug: s for s in session.scalars(select(Strand).where(Strand.slug == doc["strand"]))} \
        if doc["strand"] else {}
    badges = {b.slug: b for b in session.scalars(select(Badge).where(Badge.slug.in_(doc["prerequisites"])))} \
        if doc["prerequisites"] else {}
    return write_badge(session, badge, doc, strands=strands, badges=badges, actor=actor)


def write_badge(session, badge: Badge | None, doc: dict, *, strands: dict, badges: dict, actor,
                creating: bool | None = None) -> Badge:
    """Save an already checked document; a badge that has been published gets a new version."""
    creating = badge is None if creating is None else creating
    if badge is None:
        badge = Badge(status=BadgeStatus.DRAFT, version=1, created_by_id=getattr(actor, "id", None))
        session.add(badge)
    apply_document(session, badge, doc, strands=strands, badges=badges)
    session.flush()
    version = _record_version_if_changed(session, badge, actor) if badge.versions else None
    audit.record(session, "badge.created" if creating else "badge.updated", actor=actor, target=badge,
                 slug=badge.slug, version=badge.version, new_version=version is not None)
    return badge


# Allowed status changes: (from, to). Every change goes through change_status().
TRANSITIONS = {
    (BadgeStatus.DRAFT, BadgeStatus.PUBLISHED),
    (BadgeStatus.PUBLISHED, BadgeStatus.RETIRED),
    (BadgeStatus.RETIRED, BadgeStatus.PUBLISHED),
}


def change_status(session, badge: Badge, to: BadgeStatus, *, actor) -> Badge:
    if (badge.status, to) not in TRANSITIONS:
        if badge.status == to:
            raise InvalidTransition(f"\"{badge.title}\" is already {to}.")
        raise InvalidTransition(f"A {badge.status} badge cannot become {to}.")
    if to == BadgeStatus.PUBLISHED:
        # A draft saved before the rules changed (or imported) is checked again before it goes live.
        doc, problems = clean_badge_document(badge_document(badge))
        if problems:
            raise BadgeInvalid("The badge cannot be published yet.", problems)
        badge.published_at = badge.published_at or utcnow()
        badge.retired_at = None
    else:
        badge.retired_at = utcnow()
    badge.status = to
    _record_version_if_changed(session, badge, actor)
    audit.record(session, f"badge.{to}", actor=actor, target=badge, slug=badge.slug, version=badge.version)
    return badge


def publish(session, badge: Badge, *, actor) -> Badge:
    return change_status(session, badge, BadgeStatus.PUBLISHED, actor=actor)


def retire(session, badge: Badge, *, actor) -> Badge:
    return change_status(session, badge, BadgeStatus.RETIRED, actor=actor)


def unused_slug(session, base: str) -> str:
    base = base[:70].strip("-") or "badge"
    taken = set(session.scalars(select(Badge.slug).where(Badge.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def duplicate(session, badge: Badge, *, actor) -> Badge:
    """A draft copy to start a new badge from: same content, new slug, no versions."""
    doc = badge_document(badge)
    doc["slug"] = unused_slug(session, f"{badge.slug}-copy")
    doc["title"] = f"{badge.title} (copy)"[:160]
    copy = save_badge(session, None, doc, actor=actor)
    copy.image_sha256, copy.image_type = badge.image_sha256, badge.image_type
    audit.record(session, "badge.duplicated", actor=actor, target=copy, source=badge.slug)
    return copy


def version_of(session, badge: Badge, number: int) -> BadgeVersion | None:
    return session.scalar(select(BadgeVersion).where(BadgeVersion.badge_id == badge.id,
                                                     BadgeVersion.number == number))


def load_versions(session, badge: Badge) -> list[BadgeVersion]:
    return session.scalars(select(BadgeVersion).where(BadgeVersion.badge_id == badge.id)
                           .order_by(BadgeVersion.number.desc())).all()


def current_version(session, badge: Badge) -> BadgeVersion | None:
    """The version an award made now would point at (None for a badge never published)."""
    return session.scalar(select(BadgeVersion).where(BadgeVersion.badge_id == badge.id)
                          .order_by(BadgeVersion.number.desc()).limit(1))
