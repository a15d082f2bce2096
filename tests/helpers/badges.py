"""Catalogue helpers: a complete badge document (practice or outside learning) and the authoring form's fields."""
from __future__ import annotations

import copy


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
