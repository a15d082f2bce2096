"""Catalogue fixtures: badge documents, badges and strands in one line, a progress hook."""
from __future__ import annotations

import copy

import pytest

from milepost.badges import services
from milepost.core import signals
from milepost.badges.models import Badge, Strand
from milepost.extensions import db


def badge_doc(slug: str = "goal-setting", **overrides) -> dict:
    """A complete, valid practice-badge document; override any field."""
    doc = {
        "slug": slug,
        "title": overrides.pop("title", slug.replace("-", " ").title()),
        "kind": "practice",
        "strand": None,
        "level": 1,
        "summary": "Students set and track their own learning goals.",
        "competency": "The educator coaches students to write goals and check progress against them.",
        "key_method": "Goal conferences: *short*, regular, student-led.",
        "research": "Hattie (2009) on **self-reported grades**.",
        "resources": "- [A guide](https://example.org/guide)",
        "points": 10,
        "credit_hours": 3,
        "estimated_time": "6-8 hours",
        "tags": ["goals", "agency"],
        "prerequisites": [],
        "status": "draft",
        "prompts": [
            {"kind": "text", "title": "Describe your class", "guidance": "Grade and subject.", "required": True},
            {"kind": "file", "title": "Upload three goal sheets", "guidance": "Remove names.", "required": True},
        ],
        "rubric": {
            "levels": ["Beginning", "Developing", "Meets", "Exceeds"],
            "meets_level": "Meets",
            "criteria": [
                {"name": "Goal quality", "descriptions": ["Vague", "Some specific", "Specific", "Specific and owned"]},
                {"name": "Reflection", "descriptions": ["None", "Brief", "Thoughtful", "Insightful"]},
            ],
        },
    }
    doc.update(copy.deepcopy(overrides))
    return doc


def outside_doc(slug: str = "state-conference", **overrides) -> dict:
    fields = {"kind": "outside_learning", "competency": "", "credit_hours": 6, "points": 5,
              "prompts": [{"kind": "file", "title": "Certificate of attendance", "guidance": "", "required": True}],
              "rubric": {"levels": [], "meets_level": None, "criteria": []}}
    return badge_doc(slug, **{**fields, **overrides})


@pytest.fixture
def make_strand(app):
    def make(slug: str = "agency", name: str | None = None, description: str = "") -> Strand:
        strand = services.save_strand(db.session, None, slug=slug, name=name or slug.title(),
                                      description=description, actor=None)
        db.session.commit()
        return strand

    return make


@pytest.fixture
def make_badge(app):
    """make_badge("slug", status="published", strand="agency", prerequisites=[...], **document fields)"""

    def make(slug: str = "goal-setting", status: str = "published", **overrides) -> Badge:
        badge = services.save_badge(db.session, None, badge_doc(slug, **overrides), actor=None)
        if status in ("published", "retired"):
            services.publish(db.session, badge, actor=None)
        if status == "retired":
            services.retire(db.session, badge, actor=None)
        db.session.commit()
        return badge

    return make


@pytest.fixture
def progress(app):
    """progress[user_id] = {"in_progress": {ids}, "earned": {ids}}; also counts earners per badge."""
    table: dict[int, dict[str, set]] = {}

    def provider(user, *, session):
        row = table.get(user.id, {})
        return row.get("in_progress", set()), row.get("earned", set())

    def counts(_sender, *, session, badge_ids):
        result = {}
        for row in table.values():
            for badge_id in row.get("earned", set()):
                if badge_id in badge_ids:
                    result[badge_id] = result.get(badge_id, 0) + 1
        return result

    signals.progress_asked.connect(provider)
    signals.earner_counts_asked.connect(counts)
    yield table
    signals.progress_asked.disconnect(provider)
    signals.earner_counts_asked.disconnect(counts)


def form_payload(doc: dict | None = None, *, strand_id: int = 0, prerequisite_ids=(), action: str = "save") -> dict:
    """The authoring form's fields for a badge document, as a browser would post them."""
    doc = doc or badge_doc()
    data = {
        "title": doc["title"], "slug": doc["slug"], "kind": doc["kind"], "strand_id": str(strand_id),
        "level": str(doc["level"]), "summary": doc["summary"], "competency": doc["competency"],
        "key_method": doc["key_method"], "research": doc["research"], "resources": doc["resources"],
        "points": str(doc["points"]), "credit_hours": str(doc["credit_hours"]),
        "estimated_time": doc["estimated_time"], "tags": ", ".join(doc["tags"]),
        "prerequisite_ids": [str(i) for i in prerequisite_ids], "action": action,
    }
    for i, prompt in enumerate(doc["prompts"]):
        data[f"prompts-{i}-kind"] = prompt["kind"]
        data[f"prompts-{i}-title"] = prompt["title"]
        data[f"prompts-{i}-guidance"] = prompt["guidance"]
        if prompt["required"]:
            data[f"prompts-{i}-required"] = "y"
    levels = doc["rubric"]["levels"]
    for i, name in enumerate(levels):
        data[f"levels-{i}"] = name
    if doc["rubric"]["meets_level"] in levels:
        data["meets_level"] = str(levels.index(doc["rubric"]["meets_level"]))
    for i, criterion in enumerate(doc["rubric"]["criteria"]):
        data[f"criteria-{i}-name"] = criterion["name"]
        for j, text in enumerate(criterion["descriptions"]):
            data[f"criteria-{i}-descriptions-{j}"] = text
    return data
