"""Sharing badges between districts: the catalogue (or one badge) as a JSON document.

Format "milepost.badges/1" (documented in docs/integrators.md):

    {"format": "milepost.badges/1",
     "strands": [{"slug", "name", "description"}],
     "collections": [{"slug", "name", "description", "badges": [badge slugs]}],
     "badges": [{"slug", "title", "kind", "strand", "level", "summary", "competency", "key_method",
                 "research", "resources", "points", "credit_hours", "estimated_time", "tags",
                 "prerequisites", "status", "prompts": [...], "rubric": {...}}]}

Import checks the whole document first and reports every problem; if there is any, nothing
is written. Otherwise strands, badges and collections are matched by slug: new ones are
added, changed ones updated (a published badge gets a new version), equal ones left alone."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from milepost.badges import services
from milepost.badges.models import Badge, BadgeStatus, Collection, CollectionEntry, Strand
from milepost.core import audit
from milepost.core.errors import ValidationFailed
from milepost.core.inputs import parse_json

FORMAT = "milepost.badges/1"
MAX_BADGES = 5000


def _badge_options():
    return (selectinload(Badge.strand), selectinload(Badge.prompts), selectinload(Badge.criteria),
            selectinload(Badge.tag_rows), selectinload(Badge.prerequisites))


def strand_document(strand: Strand) -> dict:
    return {"slug": strand.slug, "name": strand.name, "description": strand.description}


def export_catalogue(session) -> dict:
    """Every strand, collection and badge (drafts and retired ones included)."""
    strands = session.scalars(select(Strand).order_by(Strand.position, Strand.id)).all()
    collections = session.scalars(
        select(Collection).order_by(Collection.slug)
        .options(selectinload(Collection.entries).selectinload(CollectionEntry.badge))).all()
    badges = session.scalars(select(Badge).order_by(Badge.slug).options(*_badge_options())).all()
    return {
        "format": FORMAT,
        "strands": [strand_document(s) for s in strands],
        "collections": [{"slug": c.slug, "name": c.name, "description": c.description,
                         "badges": [b.slug for b in c.badges]} for c in collections],
        "badges": [services.badge_document(b) for b in badges],
    }


def export_badge(badge: Badge) -> dict:
    """One badge with its strand, to share on its own (prerequisites are named by slug only)."""
    return {
        "format": FORMAT,
        "strands": [strand_document(badge.strand)] if badge.strand else [],
        "collections": [],
        "badges": [services.badge_document(badge)],
    }


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    strands_created: list[str] = field(default_factory=list)
    collections_saved: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.created)} badges added, {len(self.updated)} updated, {len(self.unchanged)} unchanged; "
                f"{len(self.strands_created)} new strands; {len(self.collections_saved)} collections saved.")


def parse(data: bytes | str) -> dict:
    try:
        document = parse_json(data, what="The file", max_depth=40)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message.rstrip(".") + "; nothing was imported.") from None
    if not isinstance(document, dict):
        raise ValidationFailed("The file must hold one JSON object (a catalogue); nothing was imported.")
    return document


def _named_list(document: dict, key: str, problems: list[str]) -> list:
    value = document.get(key, [])
    if not isinstance(value, list):
        problems.append(f"\"{key}\" must be a list.")
        return []
    return value


def _check_simple(items: list, what: str, problems: list[str]) -> list[dict]:
    """Strands or collections: slug, name, description; duplicates reported."""
    cleaned, seen = [], {}
    for n, item in enumerate(items, start=1):
        label = f"{what.capitalize()} {n}"
        if not isinstance(item, dict):
            problems.append(f"{label} must be an object with slug, name and description.")
            continue
        slug, name, description = item.get("slug"), item.get("name"), item.get("description", "") or ""
        if not services.is_slug(slug):
            problems.append(f"{label}: the slug {slug!r} may use only lower-case letters, digits and single hyphens.")
            slug = None
        else:
            label = f"{what.capitalize()} {n} ({slug})"
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{label} needs a name.")
        elif len(name.strip()) > 160:
            problems.append(f"{label}: the name can be at most 160 characters.")
        if not isinstance(description, str):
            problems.append(f"{label}: the description must be text.")
            description = ""
        if slug and slug in seen:
            problems.append(f"{label}: the slug {slug!r} is used twice in the file ({what} {seen[slug]} and {n}).")
            continue
        if slug:
            seen[slug] = n
        cleaned.append({"slug": slug, "name": (name or "").strip() if isinstance(name, str) else "",
                        "description": description.strip(), "raw": item, "label": label})
    return cleaned


def check_document(session, document) -> tuple[list[dict], list[dict], list[dict], list[str]]:
    """(strands, badges, collections, problems): every problem in the file, none written."""
    problems: list[str] = []
    if not isinstance(document, dict):
        return [], [], [], ["The file must hold a JSON object with \"format\", \"strands\", \"collections\" "
                            "and \"badges\"."]
    if document.get("format") != FORMAT:
        problems.append(f"\"format\" must be \"{FORMAT}\" (got {document.get('format')!r}).")
    unknown = set(document) - {"format", "strands", "collections", "badges"}
    if unknown:
        problems.append(f"Unknown top-level field(s): {', '.join(sorted(unknown))}.")
    strands = _check_simple(_named_list(document, "strands", problems), "strand", problems)
    collections = _check_simple(_named_list(document, "collections", problems), "collection", problems)
    raw_badges = _named_list(document, "badges", problems)
    if len(raw_badges) > MAX_BADGES:
        problems.append(f"A file can hold at most {MAX_BADGES} badges.")
        raw_badges = raw_badges[:MAX_BADGES]

    existing = {b.slug: b for b in session.scalars(select(Badge))}
    strand_slugs = {s["slug"] for s in strands if s["slug"]} | set(session.scalars(select(Strand.slug)))

    badges, seen = [], {}
    for n, raw in enumerate(raw_badges, start=1):
        doc, badge_problems = services.clean_badge_document(raw)
        label = f"Badge {n} ({doc['slug']})" if doc.get("slug") else f"Badge {n}"
        problems.extend(f"{label}: {message}" for _, message in badge_problems)
        if not doc:
            continue
        if doc["slug"] and doc["slug"] in seen:
            problems.append(f"{label}: the slug {doc['slug']!r} is used twice in the file "
                            f"(badges {seen[doc['slug']]} and {n}).")
            continue
        seen[doc["slug"]] = n
        if doc["strand"] and doc["strand"] not in strand_slugs:
            problems.append(f"{label}: there is no strand {doc['strand']!r} in the file or the catalogue.")
        current = existing.get(doc["slug"])
        if current is not None and current.status != BadgeStatus.DRAFT and doc["status"] == BadgeStatus.DRAFT:
            problems.append(f"{label}: the badge is {current.status} here and cannot go back to draft.")
        badges.append({"doc": doc, "label": label})

    known_badges = set(existing) | {b["doc"]["slug"] for b in badges}
    for b in badges:
        missing = [s for s in b["doc"]["prerequisites"] if s not in known_badges]
        if missing:
            problems.append(f"{b['label']}: no badge in the file or the catalogue has the slug "
                            f"{', '.join(repr(s) for s in missing)} (named as a prerequisite).")

    graph = services.prerequisite_graph(session)
    for b in badges:
        graph[b["doc"]["slug"]] = set(b["doc"]["prerequisites"])
    titles = {slug: badge.title for slug, badge in existing.items()} | {b["doc"]["slug"]: b["doc"]["title"]
                                                                       for b in badges}
    reported = set()
    for b in badges:
        path = services.find_cycle(graph, b["doc"]["slug"])
        if path and frozenset(path) not in reported:
            reported.add(frozenset(path))
            problems.append(f"{b['label']}: " + services.cycle_message(path, titles))

    for c in collections:
        member_slugs = c["raw"].get("badges", [])
        if not isinstance(member_slugs, list) or not all(isinstance(s, str) for s in member_slugs):
            problems.append(f"{c['label']}: \"badges\" must be a list of badge slugs.")
            member_slugs = []
        missing = [s for s in member_slugs if s not in known_badges]
        if missing:
            problems.append(f"{c['label']}: no badge has the slug {', '.join(repr(s) for s in missing)}.")
        c["badges"] = list(dict.fromkeys(member_slugs))
    return strands, badges, collections, problems


def import_catalogue(session, document, *, actor=None) -> ImportResult:
    """Import in the caller's transaction; ValidationFailed lists every problem and writes nothing."""
    strands, badges, collections, problems = check_document(session, document)
    if problems:
        raise ValidationFailed(f"The file has {len(problems)} problem(s); nothing was imported.", problems=problems)
    result = ImportResult()

    by_slug = {s.slug: s for s in session.scalars(select(Strand))}
    position = session.scalar(select(func.max(Strand.position))) or 0
    for item in strands:
        strand = by_slug.get(item["slug"])
        if strand is None:
            position += 1
            strand = by_slug[item["slug"]] = Strand(slug=item["slug"], position=position)
            session.add(strand)
            result.strands_created.append(item["slug"])
        strand.name, strand.description = item["name"], item["description"]

    existing = {b.slug: b for b in session.scalars(select(Badge).options(*_badge_options()))}
    new_slugs = set()
    for item in badges:
        doc = item["doc"]
        if doc["slug"] not in existing:
            # Made first so that prerequisites can point at badges further down the file.
            badge = existing[doc["slug"]] = Badge(slug=doc["slug"], title=doc["title"], status=BadgeStatus.DRAFT,
                                                  version=1, created_by_id=getattr(actor, "id", None))
            session.add(badge)
            new_slugs.add(doc["slug"])
    session.flush()

    for item in badges:
        doc = item["doc"]
        badge = existing[doc["slug"]]
        creating = doc["slug"] in new_slugs
        same_content = not creating and services.snapshot(badge) == {k: v for k, v in doc.items() if k != "status"}
        if same_content and badge.status == doc["status"]:
            result.unchanged.append(doc["slug"])
            continue
        if not same_content:
            services.write_badge(session, badge, doc, strands=by_slug, badges=existing, actor=actor,
                                 creating=creating)
        for step in _status_path(badge.status, doc["status"]):
            services.change_status(session, badge, step, actor=actor)
        (result.created if creating else result.updated).append(doc["slug"])

    collection_rows = {c.slug: c for c in session.scalars(select(Collection))}
    for item in collections:
        services.save_collection(session, collection_rows.get(item["slug"]), slug=item["slug"], name=item["name"],
                                 description=item["description"], badges=[existing[s] for s in item["badges"]],
                                 actor=actor)
        result.collections_saved.append(item["slug"])
    session.flush()
    audit.record(session, "catalogue.imported", actor=actor, created=len(result.created),
                 updated=len(result.updated), unchanged=len(result.unchanged))
    return result


def _status_path(current: str, wanted: str) -> list[BadgeStatus]:
    if current == wanted:
        return []
    if current == BadgeStatus.DRAFT and wanted == BadgeStatus.RETIRED:
        return [BadgeStatus.PUBLISHED, BadgeStatus.RETIRED]  # it was live somewhere, so it keeps a version 1
    return [BadgeStatus(wanted)]
