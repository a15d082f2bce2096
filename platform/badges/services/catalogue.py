"""The catalogue as people browse it: search, filters and sorting, each badge's status for the reader,
and loading a badge with everything its page shows in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from milepost.badges.access import visible_in_catalogue
from milepost.badges.models import (
    KINDS,
    Badge,
    BadgeStatus,
    BadgeTag,
    Collection,
    CollectionEntry,
    Strand,
    badge_prerequisite,
)
from milepost.badges.services.progress import Progress


class StatusForMe(StrEnum):
    """Where the reader stands with a badge (status_for); the catalogue filters by it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    EARNED = "earned"
    LOCKED = "locked"


STATUS_FOR_ME = {StatusForMe.NOT_STARTED: "Not started", StatusForMe.IN_PROGRESS: "In progress",
                 StatusForMe.EARNED: "Earned", StatusForMe.LOCKED: "Locked by prerequisites"}
SORTS = {
    "strand": "Strand and level",
    "title": "Title (A to Z)",
    "newest": "Newest first",
    "points_desc": "Most points",
    "points_asc": "Fewest points",
    "hours_desc": "Most credit hours",
    "hours_asc": "Fewest credit hours",
}


@dataclass
class CatalogueFilters:
    q: str = ""
    strand: str = ""
    level: int | None = None
    kind: str = ""
    collection: str = ""
    min_points: int | None = None
    max_points: int | None = None
    min_hours: float | None = None
    max_hours: float | None = None
    status: str = ""
    sort: str = "strand"


def like_pattern(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _unmet_prerequisites(progress: Progress):
    """Published prerequisites of Badge that the person has not earned."""
    needed = aliased(Badge)
    query = (select(badge_prerequisite.c.badge_id)
             .join(needed, needed.id == badge_prerequisite.c.prerequisite_id)
             .where(badge_prerequisite.c.badge_id == Badge.id, needed.status == BadgeStatus.PUBLISHED))
    if progress.earned:
        query = query.where(needed.id.not_in(progress.earned))
    return exists(query)


def _in(ids):
    return Badge.id.in_(ids) if ids else false()


def catalogue_query(filters: CatalogueFilters, progress: Progress):
    query = select(Badge).outerjoin(Strand, Strand.id == Badge.strand_id).where(visible_in_catalogue(progress))
    for word in filters.q.split()[:8]:
        like = like_pattern(word)
        tag_match = exists(select(BadgeTag.badge_id).where(BadgeTag.badge_id == Badge.id,
                                                            BadgeTag.tag.like(like, escape="\\")))
        query = query.where(or_(func.lower(Badge.title).like(like, escape="\\"),
                                func.lower(Badge.summary).like(like, escape="\\"),
                                func.lower(Badge.competency).like(like, escape="\\"),
                                tag_match))
    if filters.strand:
        query = query.where(Strand.slug == filters.strand)
    if filters.level:
        query = query.where(Badge.level == filters.level)
    if filters.kind in KINDS:
        query = query.where(Badge.kind == filters.kind)
    if filters.collection:
        query = query.where(exists(
            select(CollectionEntry.badge_id).join(Collection, Collection.id == CollectionEntry.collection_id)
            .where(CollectionEntry.badge_id == Badge.id, Collection.slug == filters.collection)))
    if filters.min_points is not None:
        query = query.where(Badge.points >= filters.min_points)
    if filters.max_points is not None:
        query = query.where(Badge.points <= filters.max_points)
    if filters.min_hours is not None:
        query = query.where(Badge.credit_hours >= filters.min_hours)
    if filters.max_hours is not None:
        query = query.where(Badge.credit_hours <= filters.max_hours)

    earned, started = _in(progress.earned), _in(progress.in_progress)
    locked = _unmet_prerequisites(progress)
    if filters.status == StatusForMe.EARNED:
        query = query.where(earned)
    elif filters.status == StatusForMe.IN_PROGRESS:
        query = query.where(started, ~earned)
    elif filters.status == StatusForMe.LOCKED:
        query = query.where(~earned, ~started, locked)
    elif filters.status == StatusForMe.NOT_STARTED:
        query = query.where(~earned, ~started, ~locked)

    order = {
        "title": [func.lower(Badge.title)],
        "newest": [Badge.published_at.desc(), func.lower(Badge.title)],
        "points_desc": [Badge.points.desc(), func.lower(Badge.title)],
        "points_asc": [Badge.points, func.lower(Badge.title)],
        "hours_desc": [Badge.credit_hours.desc(), func.lower(Badge.title)],
        "hours_asc": [Badge.credit_hours, func.lower(Badge.title)],
    }.get(filters.sort, [func.coalesce(Strand.position, 1_000_000), Badge.level, func.lower(Badge.title)])
    return query.order_by(*order, Badge.id).options(
        joinedload(Badge.strand), selectinload(Badge.tag_rows),
        selectinload(Badge.prerequisites).load_only(Badge.id, Badge.status),
    )


def prerequisite_met(prerequisite, progress: Progress) -> bool:
    """Earned, or not published (a draft or retired prerequisite holds nobody back). `prerequisite` is a Badge
    or a row with its id and status."""
    return prerequisite.id in progress.earned or prerequisite.status != BadgeStatus.PUBLISHED


def prerequisite_row(prerequisite, progress: Progress) -> dict:
    """What a badge page lists for one prerequisite."""
    return {"id": prerequisite.id, "slug": prerequisite.slug, "title": prerequisite.title,
            "status": prerequisite.status, "met": prerequisite_met(prerequisite, progress)}


def status_for(badge: Badge, progress: Progress) -> StatusForMe:
    if badge.id in progress.earned:
        return StatusForMe.EARNED
    if badge.id in progress.in_progress:
        return StatusForMe.IN_PROGRESS
    if not all(prerequisite_met(p, progress) for p in badge.prerequisites):
        return StatusForMe.LOCKED
    return StatusForMe.NOT_STARTED


def strand_counts(session, progress: Progress) -> list[tuple[Strand, int]]:
    """Each strand, in order, with how many badges of it the person can see."""
    return session.execute(
        select(Strand, func.count(Badge.id))
        .outerjoin(Badge, and_(Badge.strand_id == Strand.id, visible_in_catalogue(progress)))
        .group_by(Strand.id).order_by(Strand.position, Strand.id)
    ).all()


def load_badge(session, slug: str) -> Badge | None:
    """A badge with everything its page shows, in a fixed number of queries."""
    return session.scalar(
        select(Badge).where(Badge.slug == slug).options(
            joinedload(Badge.strand), selectinload(Badge.prompts), selectinload(Badge.criteria),
            selectinload(Badge.tag_rows), selectinload(Badge.prerequisites),
        )
    )


def strand_names(session, slugs) -> dict[str, str]:
    slugs = [s for s in slugs if s]
    if not slugs:
        return {}
    return dict(session.execute(select(Strand.slug, Strand.name).where(Strand.slug.in_(slugs))).all())


def prerequisite_rows(session, slugs, progress: Progress) -> list[dict]:
    """The prerequisites named in a document, each with whether the person has met it."""
    if not slugs:
        return []
    rows = session.execute(select(Badge.id, Badge.slug, Badge.title, Badge.status)
                           .where(Badge.slug.in_(list(slugs))).order_by(Badge.title)).all()
    return [prerequisite_row(r, progress) for r in rows]
