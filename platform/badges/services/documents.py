"""A badge as a document (the exchange format's dictionary, which the form, the import, the preview and version
snapshots all use) and every check it must pass: clean_badge_document, then check_against_catalogue."""
from __future__ import annotations

import math
import re

from sqlalchemy import select
from sqlalchemy.orm import aliased

from milepost.badges.models import (
    KINDS,
    LEVELS,
    PROMPT_KINDS,
    STATUSES,
    Badge,
    BadgeKind,
    BadgeStatus,
    PromptKind,
    Strand,
    badge_prerequisite,
)
from milepost.core.errors import ValidationFailed

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


def is_slug(value) -> bool:
    """A badge's, strand's or collection's slug: lower-case letters, digits and single hyphens, up to 80."""
    return isinstance(value, str) and len(value) <= 80 and SLUG_RE.match(value) is not None


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
    return slug[:80].strip("-")


def hours_value(value) -> int | float:
    """Credit hours as a document holds them: rounded to hundredths, a whole number without decimals."""
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
        "credit_hours": hours_value(badge.credit_hours),
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
            # Only when allowed, so the documents (and versions) of every other badge read as before.
            **({"allow_holistic": True} if badge.allow_holistic else {}),
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
        if not is_slug(slug):
            problems.append(("slug", f"The slug {slug!r} may use only lower-case letters, digits and single "
                                     "hyphens, up to 80 characters (for example 'student-goal-setting')."))
    doc["slug"] = slug
    doc["title"] = _text(raw, "title", "Title", problems, max_len=160, required=True)

    kind = raw.get("kind", BadgeKind.PRACTICE)
    if kind not in KINDS:
        problems.append(("kind", f"The kind must be one of {', '.join(KINDS)} (got {kind!r})."))
        kind = BadgeKind.PRACTICE
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
                              required=kind == BadgeKind.PRACTICE)
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
    elif kind == BadgeKind.OUTSIDE_LEARNING and hours == 0:
        problems.append(("credit_hours", "An outside-learning badge needs its fixed number of credit hours."))
    doc["credit_hours"] = hours_value(hours)
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

    status = raw.get("status", BadgeStatus.DRAFT)
    if status not in STATUSES:
        problems.append(("status", f"The status must be one of {', '.join(STATUSES)} (got {status!r})."))
        status = BadgeStatus.DRAFT
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
        kind = prompt.get("kind", PromptKind.TEXT)
        if kind not in PROMPT_KINDS:
            local.append(("prompts", f"Prompt {n}: the kind must be text, file or link (got {kind!r})."))
            kind = PromptKind.TEXT
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
    if kind == BadgeKind.OUTSIDE_LEARNING and not levels and not criteria and meets in (None, ""):
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
    holistic = rubric.get("allow_holistic", False)
    if not isinstance(holistic, bool):
        problems.append(("rubric", "The rubric's allow_holistic must be true or false."))
        holistic = False
    cleaned_rubric = {"levels": levels, "meets_level": meets, "criteria": cleaned}
    if holistic:
        cleaned_rubric["allow_holistic"] = True
    return cleaned_rubric


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
