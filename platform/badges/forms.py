"""Authoring and catalogue forms. The badge form edits a badge document (see services/documents.py);
its list editors (prompts, rubric levels and rows) work without JavaScript through named
submit buttons that change the list and show the form again with everything kept."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from milepost.badges.models import KIND_LABELS, LEVELS, PROMPT_KIND_LABELS, BadgeKind, BadgeStatus, PromptKind
from milepost.badges.services import SORTS, STATUS_FOR_ME
from milepost.core.forms import MultiCheckboxField, db_int
from milepost.core.forms import choices as options
from milepost.core.inputs import parse_int

NONE = 0


class PromptForm(Form):
    kind = SelectField("Asks for", choices=options(list(PROMPT_KIND_LABELS.items())))
    title = StringField("Prompt")
    guidance = TextAreaField("Guidance for the teacher", description="Markdown is allowed.")
    required = BooleanField("Required")


class CriterionForm(Form):
    name = StringField("Criterion")
    descriptions = FieldList(TextAreaField("Description"))


class BadgeForm(FlaskForm):
    title = StringField("Title")
    slug = StringField("Slug", description="Used in the badge's web address: lower-case letters, digits and "
                                           "hyphens. Leave empty to make one from the title.")
    kind = SelectField("Kind", choices=options(list(KIND_LABELS.items())),
                       description="Outside learning covers conferences, courses and book studies: a "
                                   "certificate or reflection with fixed credit hours, reviewed by the PD office.")
    strand_id = SelectField("Strand", coerce=db_int)
    level = SelectField("Level in the strand", coerce=db_int, choices=options([(n, f"Level {n}") for n in LEVELS]))
    summary = TextAreaField("Summary", description="One or two sentences shown in the catalogue.")
    competency = TextAreaField("Competency statement", description="What an earner can do.")
    key_method = TextAreaField("Key method", description="Markdown is allowed.")
    research = TextAreaField("Supporting research", description="Markdown is allowed.")
    resources = TextAreaField("Resources", description="Markdown is allowed.")
    points = StringField("Points", render_kw={"inputmode": "numeric"})
    credit_hours = StringField("Credit hours", render_kw={"inputmode": "decimal"})
    estimated_time = StringField("Estimated time", description="For example \"6-8 hours\".")
    tags = StringField("Tags", description="Separate tags with commas.")
    prerequisite_ids = MultiCheckboxField("Prerequisites", coerce=db_int,
                                          description="Badges a teacher must earn before starting this one.")
    prompts = FieldList(FormField(PromptForm), label="Submission prompts")
    levels = FieldList(StringField("Level name"), label="Rubric levels")
    meets_level = SelectField("Level that counts as \"meets\"", coerce=db_int, validate_choice=False,
                              description="This level and the ones above it meet the standard.")
    allow_holistic = BooleanField(
        "Allow a holistic \u201cmeets\u201d", default=False,
        description="Off: \u201cmeets\u201d needs every criterion at the meets level or above. On: a reviewer may "
                    "still decide \u201cmeets\u201d with a criterion below it, if they write why; the credential "
                    "then says it was judged as a whole.")
    criteria = FieldList(FormField(CriterionForm), label="Rubric criteria")


# Which form field shows a problem about each part of a badge document.
DOCUMENT_FIELDS = {"strand": "strand_id", "prerequisites": "prerequisite_ids", "rubric": "criteria"}


def blank_prompt() -> dict:
    return {"kind": PromptKind.TEXT, "title": "", "guidance": "", "required": True}


def new_badge_data() -> dict:
    """What a new badge form starts with: one prompt and a four-level rubric with one row."""
    levels = ["Beginning", "Developing", "Meets", "Exceeds"]
    return {"kind": BadgeKind.PRACTICE, "level": 1, "points": "10", "credit_hours": "0", "strand_id": NONE,
            "prompts": [blank_prompt()], "levels": levels, "meets_level": 2,
            "criteria": [{"name": "", "descriptions": [""] * len(levels)}], "prerequisite_ids": []}


def data_from_document(doc: dict, *, strand_id: int, prerequisite_ids: list[int]) -> dict:
    levels = doc["rubric"]["levels"]
    meets = doc["rubric"]["meets_level"]
    return {
        **{key: doc[key] for key in ("title", "slug", "kind", "level", "summary", "competency", "key_method",
                                     "research", "resources", "estimated_time")},
        "points": str(doc["points"]),
        "credit_hours": str(doc["credit_hours"]),
        "tags": ", ".join(doc["tags"]),
        "strand_id": strand_id or NONE,
        "prerequisite_ids": prerequisite_ids,
        "prompts": [dict(p) for p in doc["prompts"]],
        "levels": list(levels),
        "meets_level": levels.index(meets) if meets in levels else NONE,
        "criteria": [{"name": c["name"], "descriptions": list(c["descriptions"])} for c in doc["rubric"]["criteria"]],
        "allow_holistic": bool(doc["rubric"].get("allow_holistic")),
    }


def form_data(form: BadgeForm) -> dict:
    data = {name: form[name].data for name in (
        "title", "slug", "kind", "strand_id", "level", "summary", "competency", "key_method", "research",
        "resources", "points", "credit_hours", "estimated_time", "tags", "prerequisite_ids", "meets_level",
        "allow_holistic")}
    data["prompts"] = [dict(entry.data) for entry in form.prompts]
    data["levels"] = [entry.data or "" for entry in form.levels]
    data["criteria"] = [{"name": entry["name"].data or "",
                         "descriptions": [d.data or "" for d in entry["descriptions"]]}
                        for entry in form.criteria]
    return data


def document_from_data(data: dict, *, strand_slug: str | None, prerequisite_slugs: list[str]) -> dict:
    """The badge document the form describes (checked later by services.clean_badge_document)."""
    levels = [name.strip() for name in data["levels"]]
    meets = data.get("meets_level")
    title = (data.get("title") or "").strip()
    slug = (data.get("slug") or "").strip()
    if not slug and title:
        from milepost.badges.services import slugify
        slug = slugify(title)
    return {
        "slug": slug,
        "title": title,
        "kind": data["kind"],
        "strand": strand_slug,
        "level": data["level"],
        **{key: data.get(key) or "" for key in ("summary", "competency", "key_method", "research", "resources",
                                                "estimated_time")},
        "points": (data.get("points") or "0").strip(),
        "credit_hours": (data.get("credit_hours") or "0").strip(),
        "tags": (data.get("tags") or "").split(","),
        "prerequisites": prerequisite_slugs,
        "status": BadgeStatus.DRAFT,
        "prompts": [{"kind": p["kind"], "title": p["title"] or "", "guidance": p["guidance"] or "",
                     "required": bool(p["required"])} for p in data["prompts"]],
        "rubric": {
            "levels": levels,
            "meets_level": levels[meets] if isinstance(meets, int) and 0 <= meets < len(levels) else None,
            "criteria": [{"name": c["name"], "descriptions": c["descriptions"]} for c in data["criteria"]],
            **({"allow_holistic": True} if data.get("allow_holistic") else {}),
        },
    }


def _move(items: list, index: int, step: int) -> None:
    target = index + step
    if 0 <= index < len(items) and 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


def apply_list_action(data: dict, action: str) -> str | None:
    """Change the prompt or rubric lists for an editing button; a message for screen readers, or None."""
    verb, _, number = action.rpartition("-")
    index = parse_int(number, minimum=0, maximum=10_000)
    index = -1 if index is None else index
    prompts, levels, criteria = data["prompts"], data["levels"], data["criteria"]
    if action == "add-prompt":
        prompts.append(blank_prompt())
        return f"Prompt {len(prompts)} added."
    if action == "add-level":
        levels.append("")
        for criterion in criteria:
            criterion["descriptions"].append("")
        return f"Level {len(levels)} added."
    if action == "add-criterion":
        criteria.append({"name": "", "descriptions": [""] * len(levels)})
        return f"Criterion {len(criteria)} added."
    if verb in ("prompt-up", "prompt-down") and 0 <= index < len(prompts):
        _move(prompts, index, -1 if verb.endswith("up") else 1)
        return "Prompt moved."
    if verb == "prompt-remove" and 0 <= index < len(prompts):
        prompts.pop(index)
        return f"Prompt {index + 1} removed."
    if verb in ("criterion-up", "criterion-down") and 0 <= index < len(criteria):
        _move(criteria, index, -1 if verb.endswith("up") else 1)
        return "Criterion moved."
    if verb == "criterion-remove" and 0 <= index < len(criteria):
        criteria.pop(index)
        return f"Criterion {index + 1} removed."
    if verb in ("level-up", "level-down") and 0 <= index < len(levels):
        step = -1 if verb.endswith("up") else 1
        _move(levels, index, step)
        for criterion in criteria:
            _move(criterion["descriptions"], index, step)
        meets = data.get("meets_level")
        if meets == index and 0 <= index + step < len(levels):
            data["meets_level"] = index + step
        elif meets == index + step:
            data["meets_level"] = index
        return "Level moved."
    if verb == "level-remove" and 0 <= index < len(levels):
        levels.pop(index)
        for criterion in criteria:
            if index < len(criterion["descriptions"]):
                criterion["descriptions"].pop(index)
        meets = data.get("meets_level")
        if isinstance(meets, int) and meets >= index:
            data["meets_level"] = max(0, meets - 1)
        return f"Level {index + 1} removed."
    return None


class ImageForm(FlaskForm):
    image = FileField("Badge image (PNG or JPEG)", validators=[FileRequired("Please choose an image file.")])


class StrandForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=160)])
    slug = StringField("Slug", validators=[Length(max=80)],
                       description="Lower-case letters, digits and hyphens; leave empty to make one from the name.")
    description = TextAreaField("Description", validators=[Optional()])


class CollectionForm(StrandForm):
    badge_ids = MultiCheckboxField("Badges in the collection", coerce=db_int)


class ImportForm(FlaskForm):
    file = FileField("Catalogue file (JSON)", validators=[FileRequired("Please choose a JSON file.")])


class CatalogueFilterForm(Form):
    """The catalogue's search and filters, read from the query string (a GET form needs no CSRF)."""

    q = StringField("Search", validators=[Optional(), Length(max=200)])
    strand = SelectField("Strand", validate_choice=False)
    level = SelectField("Level", choices=options([("", "Any level")] + [(str(n), f"Level {n}") for n in LEVELS]),
                        validate_choice=False)
    kind = SelectField("Kind", choices=options([("", "Any kind")] + list(KIND_LABELS.items())),
                       validate_choice=False)
    collection = SelectField("Collection", validate_choice=False)
    status = SelectField("Status for me", choices=options([("", "Any status")] + list(STATUS_FOR_ME.items())),
                         validate_choice=False)
    min_points = StringField("Points from", render_kw={"inputmode": "numeric", "size": 4})
    max_points = StringField("Points to", render_kw={"inputmode": "numeric", "size": 4})
    min_hours = StringField("Hours from", render_kw={"inputmode": "decimal", "size": 4})
    max_hours = StringField("Hours to", render_kw={"inputmode": "decimal", "size": 4})
    sort = SelectField("Sort by", choices=options(list(SORTS.items())), validate_choice=False)


def _number(text, cast):
    if cast is int:
        return parse_int(text, minimum=0)
    try:
        value = cast((text or "").strip())
    except (ValueError, OverflowError):
        return None
    return value if 0 <= value < 1e12 else None


def filters_from(form: CatalogueFilterForm):
    from milepost.badges.services import CatalogueFilters

    level = form.level.data or ""
    return CatalogueFilters(
        q=(form.q.data or "").strip()[:200],
        strand=form.strand.data or "",
        level=parse_int(level) if parse_int(level) in LEVELS else None,
        kind=form.kind.data or "",
        collection=form.collection.data or "",
        min_points=_number(form.min_points.data, int),
        max_points=_number(form.max_points.data, int),
        min_hours=_number(form.min_hours.data, float),
        max_hours=_number(form.max_hours.data, float),
        status=form.status.data if form.status.data in STATUS_FOR_ME else "",
        sort=form.sort.data if form.sort.data in SORTS else "strand",
    )
