"""Catalogue rules: checking and saving badges, publishing and versions, search and filters, and
the questions (signals) through which later features (evidence, awards) tell the catalogue about progress.

A badge travels as a *document*: the dictionary of the exchange format (see exchange.py). The
authoring form, the JSON import, the preview and the version snapshots all use that one shape,
so every path goes through the same checks in clean_badge_document()."""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from milepost.badges.models import (KINDS, LEVELS, PROMPT_KINDS, STATUSES, Badge, BadgePrompt, BadgeTag,
                                    BadgeVersion, Collection, CollectionEntry, RubricCriterion, Strand,
                                    badge_prerequisite)
from milepost.core import audit, signals
from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.core.model import utcnow

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_PROMPTS = 20
MAX_LEVELS = 6
MAX_CRITERIA = 20
MAX_TAGS = 20
MAX_HOURS = 9999


class BadgeInvalid(ValidationFailed):
    """Problems with a badge, each tied to the part of the form it concerns."""

    def __init__(self, message: str, field_problems: list[tuple[str, str]]):
        super().__init__(message, problems=[text for _, text in field_problems])
        self.field_problems = field_problems


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
    return slug[:80].strip("-")


# --------------------------------------------------------------------------- documents


def _hours_out(value) -> int | float:
    hours = round(float(value or 0), 2)
    return int(hours) if hours.is_integer() else hours


def badge_document(badge: Badge) -> dict:
    """The badge in the exchange format (also what a BadgeVersion snapshot holds)."""
    return {
        "slug": badge.slug,
        "title": badge.title,
        "kind": badge.kind,
        "strand": badge.strand.slug if badge.strand else None,
        "level": badge.level,
        "summary": badge.summary,
        "competency": badge.competency,
        "key_method": badge.key_method,
        "research": badge.research,
        "resources": badge.resources,
        "points": badge.points,
        "credit_hours": _hours_out(badge.credit_hours),
        "estimated_time": badge.estimated_time,
        "tags": sorted(badge.tags),
        "prerequisites": sorted(p.slug for p in badge.prerequisites),
        "status": badge.status,
        "prompts": [{"kind": p.kind, "title": p.title, "guidance": p.guidance, "required": bool(p.required)}
                    for p in badge.prompts],
        "rubric": {
            "levels": list(badge.rubric_levels or []),
            "meets_level": badge.meets_level_name,
            "criteria": [{"name": c.name, "descriptions": list(c.descriptions or [])} for c in badge.criteria],
        },
    }


def snapshot(badge: Badge) -> dict:
    doc = badge_document(badge)
    doc.pop("status")
    return doc


def _text(raw: dict, key: str, label: str, problems: list, *, max_len: int | None = None,
          required: bool = False) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append((key, f"{label} must be text."))
        return ""
    value = value.strip()
    if required and not value:
        problems.append((key, f"Please give the {label.lower()}."))
    if max_len and len(value) > max_len:
        problems.append((key, f"{label} can be at most {max_len} characters (it has {len(value)})."))
    return value


def _whole_number(value, key: str, label: str, problems: list) -> int | None:
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append((key, f"{label} must be a whole number."))
        return None
    return value


def clean_badge_document(raw) -> tuple[dict, list[tuple[str, str]]]:
    """A tidy copy of a badge document and every problem with it, as (field, message) pairs.

    Checks what can be checked without the database: types, required text, kinds, the
    prompts and the rubric. Slug uniqueness, strands and prerequisites are checked against
    the catalogue by check_against_catalogue()."""
    problems: list[tuple[str, str]] = []
    if not isinstance(raw, dict):
        return {}, [("badge", "Each badge must be an object with named fields.")]
    doc: dict = {}

    slug = raw.get("slug")
    if not isinstance(slug, str) or not slug.strip():
        problems.append(("slug", "Please give a slug (the short name used in the badge's web address)."))
        slug = ""
    else:
        slug = slug.strip()
        if len(slug) > 80 or not SLUG_RE.match(slug):
            problems.append(("slug", f"The slug {slug!r} may use only lower-case letters, digits and single "
                                     "hyphens, up to 80 characters (for example 'student-goal-setting')."))
    doc["slug"] = slug
    doc["title"] = _text(raw, "title", "Title", problems, max_len=160, required=True)

    kind = raw.get("kind", "practice")
    if kind not in KINDS:
        problems.append(("kind", f"The kind must be one of {', '.join(KINDS)} (got {kind!r})."))
        kind = "practice"
    doc["kind"] = kind

    strand = raw.get("strand")
    if strand is not None and not isinstance(strand, str):
        problems.append(("strand", "The strand must be a strand's slug, or null."))
        strand = None
    doc["strand"] = strand.strip() if strand and strand.strip() else None

    level = _whole_number(raw.get("level", 1), "level", "Level", problems)
    if level is not None and level not in LEVELS:
        problems.append(("level", "The level must be 1, 2 or 3."))
    doc["level"] = level if level in LEVELS else 1

    doc["summary"] = _text(raw, "summary", "Summary", problems, max_len=600, required=True)
    doc["competency"] = _text(raw, "competency", "Competency statement", problems, max_len=4000,
                              required=kind == "practice")
    doc["key_method"] = _text(raw, "key_method", "Key method", problems, max_len=20000)
    doc["research"] = _text(raw, "research", "Research", problems, max_len=40000)
    doc["resources"] = _text(raw, "resources", "Resources", problems, max_len=40000)

    points = _whole_number(raw.get("points", 0), "points", "Points", problems)
    if points is not None and points < 0:
        problems.append(("points", "Points cannot be negative."))
    doc["points"] = points if points is not None and points >= 0 else 0

    hours = raw.get("credit_hours", 0)
    if isinstance(hours, str):
        try:
            hours = float(hours.strip() or "0")
        except ValueError:
            pass
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not math.isfinite(hours):
        problems.append(("credit_hours", "Credit hours must be a number, like 3 or 1.5."))
        hours = 0
    elif hours < 0:
        problems.append(("credit_hours", "Credit hours cannot be negative."))
        hours = 0
    elif hours > MAX_HOURS:
        problems.append(("credit_hours", f"Credit hours can be at most {MAX_HOURS}."))
    elif kind == "outside_learning" and hours == 0:
        problems.append(("credit_hours", "An outside-learning badge needs its fixed number of credit hours."))
    doc["credit_hours"] = _hours_out(hours)
    doc["estimated_time"] = _text(raw, "estimated_time", "Estimated time", problems, max_len=60)

    tags = raw.get("tags", [])
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append(("tags", "Tags must be a list of words or short phrases."))
        tags = []
    tags = sorted({" ".join(t.lower().split()) for t in tags if t.strip()})
    if any(len(t) > 40 for t in tags):
        problems.append(("tags", "Each tag can be at most 40 characters."))
    if len(tags) > MAX_TAGS:
        problems.append(("tags", f"A badge can have at most {MAX_TAGS} tags."))
    doc["tags"] = tags

    prereqs = raw.get("prerequisites", [])
    if not isinstance(prereqs, list) or not all(isinstance(p, str) for p in prereqs):
        problems.append(("prerequisites", "Prerequisites must be a list of badge slugs."))
        prereqs = []
    prereqs = sorted({p.strip() for p in prereqs if p.strip()})
    if slug and slug in prereqs:
        problems.append(("prerequisites", "A badge cannot be its own prerequisite."))
    doc["prerequisites"] = prereqs

    status = raw.get("status", "draft")
    if status not in STATUSES:
        problems.append(("status", f"The status must be one of {', '.join(STATUSES)} (got {status!r})."))
        status = "draft"
    doc["status"] = status

    doc["prompts"] = _clean_prompts(raw.get("prompts"), problems)
    doc["rubric"] = _clean_rubric(raw.get("rubric"), kind, problems)
    return doc, problems


def _clean_prompts(prompts, problems: list) -> list[dict]:
    if prompts is None:
        prompts = []
    if not isinstance(prompts, list):
        problems.append(("prompts", "The prompts must be a list."))
        return []
    if not prompts:
        problems.append(("prompts", "Add at least one submission prompt: what should the teacher send in?"))
    if len(prompts) > MAX_PROMPTS:
        problems.append(("prompts", f"A badge can have at most {MAX_PROMPTS} prompts."))
    cleaned = []
    for n, prompt in enumerate(prompts, start=1):
        if not isinstance(prompt, dict):
            problems.append(("prompts", f"Prompt {n} must be an object with kind, title, guidance and required."))
            continue
        local: list = []
        kind = prompt.get("kind", "text")
        if kind not in PROMPT_KINDS:
            local.append(("prompts", f"Prompt {n}: the kind must be text, file or link (got {kind!r})."))
            kind = "text"
        title = _text(prompt, "title", "Title", local, max_len=200)
        if not title:
            local.append(("prompts", f"Prompt {n} needs a title."))
        guidance = _text(prompt, "guidance", "Guidance", local, max_len=8000)
        required = prompt.get("required", True)
        if not isinstance(required, bool):
            local.append(("prompts", f"Prompt {n}: 'required' must be true or false."))
            required = True
        problems.extend(("prompts", m if m.startswith("Prompt") else f"Prompt {n}: {m}") for _, m in local)
        cleaned.append({"kind": kind, "title": title, "guidance": guidance, "required": required})
    return cleaned


def _clean_rubric(rubric, kind: str, problems: list) -> dict:
    empty = {"levels": [], "meets_level": None, "criteria": []}
    if rubric is None:
        rubric = dict(empty)
    if not isinstance(rubric, dict):
        problems.append(("rubric", "The rubric must be an object with levels, meets_level and criteria."))
        return empty
    levels = rubric.get("levels") or []
    criteria = rubric.get("criteria") or []
    meets = rubric.get("meets_level")
    if not isinstance(levels, list) or not all(isinstance(name, str) for name in levels):
        problems.append(("rubric", "The rubric levels must be a list of names, lowest first."))
        levels = []
    if not isinstance(criteria, list):
        problems.append(("rubric", "The rubric criteria must be a list."))
        criteria = []
    levels = [name.strip() for name in levels]
    if kind == "outside_learning" and not levels and not criteria and meets in (None, ""):
        return empty  # reviewed by the PD office without a rubric

    if not criteria:
        problems.append(("rubric", "Add at least one rubric criterion (a row of the rubric)."))
    if not levels:
        problems.append(("rubric", "Add the rubric's levels, lowest first (for example Beginning, "
                                   "Developing, Meets, Exceeds)."))
    if any(not name for name in levels):
        problems.append(("rubric", "Every rubric level needs a name."))
    if len({name.lower() for name in levels}) != len(levels):
        problems.append(("rubric", "Two rubric levels have the same name."))
    if len(levels) > MAX_LEVELS:
        problems.append(("rubric", f"A rubric can have at most {MAX_LEVELS} levels."))
    if len(criteria) > MAX_CRITERIA:
        problems.append(("rubric", f"A rubric can have at most {MAX_CRITERIA} criteria."))
    if levels and (not isinstance(meets, str) or meets.strip() not in levels):
        problems.append(("rubric", "Choose the rubric level that counts as \"meets\"."))
        meets = None
    elif isinstance(meets, str):
        meets = meets.strip()

    cleaned = []
    for n, criterion in enumerate(criteria, start=1):
        if not isinstance(criterion, dict):
            problems.append(("rubric", f"Criterion {n} must be an object with a name and descriptions."))
            continue
        name = criterion.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(("rubric", f"Criterion {n} needs a name."))
            name = ""
        elif len(name.strip()) > 200:
            problems.append(("rubric", f"Criterion {n}: the name can be at most 200 characters."))
        descriptions = criterion.get("descriptions") or []
        if not isinstance(descriptions, list) or not all(isinstance(d, str) for d in descriptions):
            problems.append(("rubric", f"Criterion {n}: the descriptions must be a list of texts."))
            descriptions = []
        descriptions = [d.strip() for d in descriptions]
        label = f"Criterion {n} ({name.strip()})" if name and name.strip() else f"Criterion {n}"
        if len(descriptions) != len(levels):
            problems.append(("rubric", f"{label} has {len(descriptions)} descriptions; it needs one for each of "
                                       f"the {len(levels)} levels."))
        elif any(not d for d in descriptions):
            problems.append(("rubric", f"{label}: describe what each level looks like (a cell is empty)."))
        cleaned.append({"name": (name or "").strip(), "descriptions": descriptions})
    return {"levels": levels, "meets_level": meets, "criteria": cleaned}


def find_cycle(graph: dict, start) -> list | None:
    """A path start -> ... -> start through the prerequisite graph, or None."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(graph.get(node, ()), key=str):
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def prerequisite_graph(session) -> dict[str, set[str]]:
    """Every badge slug -> the slugs of its prerequisites (one query)."""
    holder, needed = aliased(Badge), aliased(Badge)
    rows = session.execute(
        select(holder.slug, needed.slug)
        .select_from(badge_prerequisite)
        .join(holder, holder.id == badge_prerequisite.c.badge_id)
        .join(needed, needed.id == badge_prerequisite.c.prerequisite_id)
    ).all()
    graph: dict[str, set[str]] = {}
    for badge_slug, prereq_slug in rows:
        graph.setdefault(badge_slug, set()).add(prereq_slug)
    return graph


def cycle_message(path: list[str], titles: dict[str, str]) -> str:
    names = " → ".join(titles.get(slug, slug) for slug in path)
    return f"These prerequisites would go round in a circle: {names}. Remove one of them."


def check_against_catalogue(session, doc: dict, badge: Badge | None) -> list[tuple[str, str]]:
    """Problems only the catalogue can show: a taken slug, an unknown strand or prerequisite, a cycle."""
    problems = []
    if doc.get("slug"):
        clash = session.scalar(select(Badge).where(Badge.slug == doc["slug"]))
        if clash is not None and clash is not badge:
            problems.append(("slug", f"The slug {doc['slug']!r} is already used by \"{clash.title}\". "
                                     "Choose another."))
    if doc.get("strand") and session.scalar(select(Strand.id).where(Strand.slug == doc["strand"])) is None:
        problems.append(("strand", f"There is no strand {doc['strand']!r}."))
    if doc.get("prerequisites"):
        titles = dict(session.execute(select(Badge.slug, Badge.title)
                                      .where(Badge.slug.in_(doc["prerequisites"]))).all())
        missing = [s for s in doc["prerequisites"] if s not in titles]
        if missing:
            problems.append(("prerequisites", f"No badge has the slug {', '.join(repr(s) for s in missing)}."))
        graph = prerequisite_graph(session)
        if badge is not None and badge.slug != doc["slug"]:
            # A renamed badge: follow its old edges under the new name.
            for prereqs in graph.values():
                if badge.slug in prereqs:
                    prereqs.discard(badge.slug)
                    prereqs.add(doc["slug"])
            graph.pop(badge.slug, None)
        graph[doc["slug"]] = set(doc["prerequisites"])
        path = find_cycle(graph, doc["slug"])
        if path:
            titles = dict(session.execute(select(Badge.slug, Badge.title).where(Badge.slug.in_(path))).all())
            titles[doc["slug"]] = doc.get("title") or doc["slug"]
            problems.append(("prerequisites", cycle_message(path, titles)))
    return problems


# --------------------------------------------------------------------------- saving and status


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
        badge = Badge(status="draft", version=1, created_by_id=getattr(actor, "id", None))
        session.add(badge)
    apply_document(session, badge, doc, strands=strands, badges=badges)
    session.flush()
    version = _record_version_if_changed(session, badge, actor) if badge.versions else None
    audit.record(session, "badge.created" if creating else "badge.updated", actor=actor, target=badge,
                 slug=badge.slug, version=badge.version, new_version=version is not None)
    return badge


# Allowed status changes: (from, to). Every change goes through change_status().
TRANSITIONS = {("draft", "published"), ("published", "retired"), ("retired", "published")}


def change_status(session, badge: Badge, to: str, *, actor) -> Badge:
    if (badge.status, to) not in TRANSITIONS:
        if badge.status == to:
            raise InvalidTransition(f"\"{badge.title}\" is already {to}.")
        raise InvalidTransition(f"A {badge.status} badge cannot become {to}.")
    if to == "published":
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
    return change_status(session, badge, "published", actor=actor)


def retire(session, badge: Badge, *, actor) -> Badge:
    return change_status(session, badge, "retired", actor=actor)


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


# --------------------------------------------------------------------------- images

IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": ("image/png", "png"), b"\xff\xd8\xff": ("image/jpeg", "jpg")}


def sniff_image(data: bytes) -> tuple[str, str] | None:
    for magic, kind in IMAGE_TYPES.items():
        if data.startswith(magic):
            return kind
    return None


def set_badge_image(session, badge: Badge, data: bytes, *, folder: str | Path, max_bytes: int, actor) -> None:
    """Keep an uploaded PNG or JPEG (checked by its first bytes, not its name), stored once by hash."""
    if not data:
        raise ValidationFailed("The file is empty.")
    if len(data) > max_bytes:
        raise ValidationFailed(f"A badge image can be at most {max_bytes // 1024} KB; this one is "
                               f"{math.ceil(len(data) / 1024)} KB.")
    kind = sniff_image(data)
    if kind is None:
        raise ValidationFailed("A badge image must be a PNG or JPEG file.")
    digest = hashlib.sha256(data).hexdigest()
    path = Path(folder) / "badge-images" / f"{digest}.{kind[1]}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    badge.image_sha256, badge.image_type = digest, kind[0]
    audit.record(session, "badge.image_uploaded", actor=actor, target=badge, sha256=digest)


def clear_badge_image(session, badge: Badge, *, actor) -> None:
    badge.image_sha256 = badge.image_type = None
    audit.record(session, "badge.image_cleared", actor=actor, target=badge)


def badge_image_path(badge: Badge, folder: str | Path) -> Path | None:
    if not badge.image_sha256:
        return None
    ext = "png" if badge.image_type == "image/png" else "jpg"
    path = Path(folder) / "badge-images" / f"{badge.image_sha256}.{ext}"
    return path if path.is_file() else None


# --------------------------------------------------------------------------- strands and collections


def _check_name_and_slug(session, model: type[Strand] | type[Collection], row, *, slug: str, name: str,
                         noun: str) -> None:
    """A strand or collection needs a name and a well-formed slug that no other of its kind uses."""
    problems = []
    if not name:
        problems.append(("name", f"Please give the {noun} a name."))
    if not SLUG_RE.match(slug) or len(slug) > 80:
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


# --------------------------------------------------------------------------- progress (answered by evidence and awards)


@dataclass(frozen=True)
class Progress:
    """Which badges one person has under way and has earned (badge ids)."""

    in_progress: frozenset = frozenset()
    earned: frozenset = frozenset()


def progress_for(session, user) -> Progress:
    in_progress, earned = set(), set()
    if user is None or not getattr(user, "is_authenticated", False):
        return Progress()
    for started, done in signals.answers(signals.progress_asked, user, session=session):
        in_progress.update(started)
        earned.update(done)
    return Progress(frozenset(in_progress - earned), frozenset(earned))


def earner_counts(session, badge_ids) -> dict[int, int]:
    counts: dict[int, int] = {}
    ids = list(badge_ids)
    for answer in signals.answers(signals.earner_counts_asked, None, session=session, badge_ids=ids):
        for badge_id, n in answer.items():
            counts[badge_id] = counts.get(badge_id, 0) + n
    return counts


def go_to_people(session, badge_id: int, limit: int = 12) -> list:
    people = []
    for answer in signals.answers(signals.go_to_people_asked, None, session=session, badge_id=badge_id, limit=limit):
        people.extend(answer)
    return people[:limit]


# --------------------------------------------------------------------------- catalogue


STATUS_FOR_ME = {"not_started": "Not started", "in_progress": "In progress", "earned": "Earned",
                 "locked": "Locked by prerequisites"}
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
             .where(badge_prerequisite.c.badge_id == Badge.id, needed.status == "published"))
    if progress.earned:
        query = query.where(needed.id.not_in(progress.earned))
    return exists(query)


def _in(ids):
    return Badge.id.in_(ids) if ids else false()


def visible_in_catalogue(progress: Progress):
    """Published badges, and retired ones the person holds."""
    return or_(Badge.status == "published", and_(Badge.status == "retired", _in(progress.earned)))


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
    if filters.status == "earned":
        query = query.where(earned)
    elif filters.status == "in_progress":
        query = query.where(started, ~earned)
    elif filters.status == "locked":
        query = query.where(~earned, ~started, locked)
    elif filters.status == "not_started":
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


def status_for(badge: Badge, progress: Progress) -> str:
    if badge.id in progress.earned:
        return "earned"
    if badge.id in progress.in_progress:
        return "in_progress"
    if any(p.status == "published" and p.id not in progress.earned for p in badge.prerequisites):
        return "locked"
    return "not_started"


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
    return [{"id": r.id, "slug": r.slug, "title": r.title, "status": r.status,
             "met": r.id in progress.earned or r.status != "published"} for r in rows]
