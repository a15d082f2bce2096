"""Strands (the district's priorities, in the PD office's order) and collections (curated lists of badges)."""
from __future__ import annotations

from sqlalchemy import func, select

from milepost.badges.models import Badge, Collection, CollectionEntry, Strand
from milepost.badges.services.documents import BadgeInvalid, is_slug
from milepost.core import audit


def _check_name_and_slug(session, model: type[Strand] | type[Collection], row, *, slug: str, name: str,
                         noun: str) -> None:
    """A strand or collection needs a name and a well-formed slug that no other of its kind uses."""
    problems = []
    if not name:
        problems.append(("name", f"Please give the {noun} a name."))
    if not is_slug(slug):
        problems.append(("slug", "The slug may use only lower-case letters, digits and single hyphens."))
    clash = session.scalar(select(model).where(model.slug == slug)) if slug else None
    if clash is not None and clash is not row:
        problems.append(("slug", f"The slug {slug!r} is already used by the {noun} {clash.name}."))
    if problems:
        raise BadgeInvalid(f"The {noun} could not be saved.", problems)


def save_strand(session, strand: Strand | None, *, slug: str, name: str, description: str = "", actor) -> Strand:
    slug, name = (slug or "").strip(), (name or "").strip()
    _check_name_and_slug(session, Strand, strand, slug=slug, name=name, noun="strand")
    if strand is None:
        last = session.scalar(select(func.max(Strand.position)))
        strand = Strand(position=(last or 0) + 1)
        session.add(strand)
    strand.slug, strand.name, strand.description = slug, name, (description or "").strip()
    session.flush()
    audit.record(session, "strand.saved", actor=actor, target=strand, slug=slug)
    return strand


def move_strand(session, strand: Strand, step: int, *, actor) -> None:
    strands = list(session.scalars(select(Strand).order_by(Strand.position, Strand.id)))
    i = strands.index(strand)
    j = max(0, min(len(strands) - 1, i + step))
    strands.insert(j, strands.pop(i))
    for position, row in enumerate(strands, start=1):
        row.position = position
    audit.record(session, "strand.moved", actor=actor, target=strand, position=j + 1)


def save_collection(session, collection: Collection | None, *, slug: str, name: str, description: str,
                    badges: list[Badge], actor) -> Collection:
    slug, name = (slug or "").strip(), (name or "").strip()
    _check_name_and_slug(session, Collection, collection, slug=slug, name=name, noun="collection")
    if collection is None:
        collection = Collection()
        session.add(collection)
    collection.slug, collection.name, collection.description = slug, name, (description or "").strip()
    have = {entry.badge_id: entry for entry in collection.entries if entry.badge_id is not None}
    entries = []
    for position, badge in enumerate(badges):
        entry = have.get(badge.id) or CollectionEntry(badge=badge)
        entry.position = position
        entries.append(entry)
    collection.entries = entries
    session.flush()
    audit.record(session, "collection.saved", actor=actor, target=collection, slug=slug, badges=len(badges))
    return collection
