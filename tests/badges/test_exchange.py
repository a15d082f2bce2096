"""JSON import and export: the documented format, a faithful round trip, all-or-nothing imports."""
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from milepost.badges import exchange, services
from milepost.badges.demo import CATALOGUE, seed_demo_catalogue
from milepost.badges.models import Badge, BadgeVersion, Collection, Strand
from milepost.core.errors import ValidationFailed
from milepost.extensions import db
from tests.helpers.app import drop_pg_schema, make_test_app, reset_pg_schema
from tests.helpers.badges import badge_doc, outside_doc

FIXTURE = Path(__file__).with_name("sample_catalogue.json")


def sample() -> dict:
    return json.loads(FIXTURE.read_text())


def counts() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count(Badge.id))), db.session.scalar(select(func.count(Strand.id))),
            db.session.scalar(select(func.count(Collection.id))))


def test_export_then_import_into_an_empty_database_gives_an_identical_catalogue(app, tmp_path, make_strand,
                                                                               make_badge):
    make_strand("agency", "Learner agency", "Students steer their learning.")
    make_strand("partnership", "Family partnership")
    first = make_badge("goal-setting", strand="agency", tags=["goals"], credit_hours=1.5)
    make_badge("goal-conferences", strand="agency", level=2, prerequisites=["goal-setting"])
    make_badge("home-visits", strand="partnership", status="draft")
    make_badge("old-one", status="retired")
    outside = {k: v for k, v in outside_doc("conference").items() if k not in ("slug", "status")}
    make_badge("conference", **outside)
    services.save_collection(db.session, None, slug="pilot", name="This year's pilot", description="Autumn cohort",
                             badges=[first], actor=None)
    db.session.commit()
    exported = exchange.export_catalogue(db.session)
    assert exported["format"] == "milepost.badges/1"

    # a second, empty database
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    if db.engine.dialect.name == "postgresql":
        other_url = reset_pg_schema(f"milepost_roundtrip_{os.getpid()}")
    other = make_test_app(tmp_path, other_url)
    with other.app_context():
        db.create_all()
        try:
            result = exchange.import_catalogue(db.session, json.loads(exchange.dumps(exported)))
            db.session.commit()
            assert len(result.created) == 5
            assert exchange.export_catalogue(db.session) == exported
            imported = db.session.scalar(select(Badge).where(Badge.slug == "old-one"))
            assert imported.status == "retired" and imported.versions[0].number == 1
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
            if "roundtrip" in other_url:
                drop_pg_schema(f"milepost_roundtrip_{os.getpid()}")


def test_importing_the_same_file_twice_changes_nothing(app):
    exchange.import_catalogue(db.session, sample())
    db.session.commit()
    result = exchange.import_catalogue(db.session, sample())
    assert result.created == [] and result.updated == [] and len(result.unchanged) == len(sample()["badges"])
    assert db.session.scalar(select(func.count(BadgeVersion.id))) == sum(
        1 for b in sample()["badges"] if b["status"] != "draft")


def test_importing_a_changed_published_badge_makes_a_new_version(app):
    exchange.import_catalogue(db.session, sample())
    db.session.commit()
    document = sample()
    published = next(b for b in document["badges"] if b["status"] == "published")
    published["summary"] = "Rewritten by a neighbouring district."
    result = exchange.import_catalogue(db.session, document)
    db.session.commit()
    assert result.updated == [published["slug"]]
    badge = db.session.scalar(select(Badge).where(Badge.slug == published["slug"]))
    assert badge.version == 2 and badge.summary == "Rewritten by a neighbouring district."


def test_import_reports_every_problem_and_writes_nothing(app, make_badge):
    make_badge("already-here")
    document = sample()
    document["format"] = "something/else"
    document["strands"].append({"slug": "Bad Slug", "name": ""})
    bad = document["badges"]
    bad[0]["points"] = -3
    bad[0]["prompts"] = []
    bad[1]["rubric"]["meets_level"] = "Outstanding"
    bad[1]["strand"] = "no-such-strand"
    bad.append(badge_doc("loop-a", prerequisites=["loop-b"]))
    bad.append(badge_doc("loop-b", prerequisites=["loop-a"]))
    bad.append(badge_doc("orphan", prerequisites=["missing-badge"]))
    bad.append(badge_doc("loop-a"))
    document["collections"].append({"slug": "pilot-x", "name": "Pilot", "description": "", "badges": ["ghost"]})
    before = counts()

    with pytest.raises(ValidationFailed) as exc:
        exchange.import_catalogue(db.session, document)
    db.session.rollback()
    problems = "\n".join(exc.value.problems)
    for expected in ('"format" must be "milepost.badges/1"',
                     "Strand 3: the slug 'Bad Slug' may use only",
                     "needs a name",
                     "Points cannot be negative.",
                     "Add at least one submission prompt",
                     "Choose the rubric level that counts as \"meets\".",
                     "there is no strand 'no-such-strand'",
                     "would go round in a circle",
                     "'missing-badge' (named as a prerequisite)",
                     "the slug 'loop-a' is used twice in the file",
                     "no badge has the slug 'ghost'"):
        assert expected in problems, expected
    assert exc.value.message.endswith("nothing was imported.")
    assert counts() == before


def test_import_refuses_files_that_are_not_json(app):
    with pytest.raises(ValidationFailed, match="not valid JSON"):
        exchange.parse(b"{not json")
    with pytest.raises(ValidationFailed) as exc:
        exchange.import_catalogue(db.session, ["a", "list"])
    assert "must hold a JSON object" in exc.value.problems[0]


def test_a_published_badge_cannot_be_imported_back_to_draft(app, make_badge):
    make_badge("goal-setting")
    document = {"format": exchange.FORMAT, "strands": [], "collections": [],
                "badges": [badge_doc("goal-setting", status="draft")]}
    with pytest.raises(ValidationFailed) as exc:
        exchange.import_catalogue(db.session, document)
    assert "cannot go back to draft" in exc.value.problems[0]


def test_one_badge_exports_with_its_strand(as_role, make_strand, make_badge):
    make_strand("agency", "Learner agency")
    badge = make_badge(strand="agency")
    response = as_role("pd_admin").get(f"/authoring/badges/{badge.id}/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="badge-goal-setting.json"'
    document = response.get_json()
    assert [s["slug"] for s in document["strands"]] == ["agency"]
    assert [b["slug"] for b in document["badges"]] == ["goal-setting"]


def test_the_import_page_lists_every_problem(as_role):
    import io
    document = sample()
    document["badges"][0]["level"] = 9
    document["badges"][1]["credit_hours"] = "lots"
    response = as_role("pd_admin").post("/authoring/import", data={
        "file": (io.BytesIO(json.dumps(document).encode()), "catalogue.json")}, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The level must be 1, 2 or 3." in page and "Credit hours must be a number" in page
    assert db.session.scalar(select(func.count(Badge.id))) == 0


def test_the_import_page_imports_a_good_file(as_role):
    import io
    response = as_role("site_admin").post("/authoring/import", data={
        "file": (io.BytesIO(FIXTURE.read_bytes()), "catalogue.json")}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Badge.id))) == len(sample()["badges"])


def test_cli_export_and_import(app, tmp_path, make_badge):
    make_badge("goal-setting")
    runner = app.test_cli_runner()
    out = tmp_path / "catalogue.json"
    result = runner.invoke(args=["export-badges", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["badges"][0]["slug"] == "goal-setting"

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"format": "milepost.badges/1", "badges": [badge_doc("x", points=-1, prompts=[])]}))
    result = runner.invoke(args=["import-badges", str(broken)])
    assert result.exit_code == 1
    assert "Points cannot be negative." in result.output and "Add at least one submission prompt" in result.output

    good = tmp_path / "good.json"
    good.write_text(FIXTURE.read_text())
    result = runner.invoke(args=["import-badges", str(good)])
    assert result.exit_code == 0, result.output
    assert "badges added" in result.output


def test_the_demo_catalogue_imports_cleanly_and_only_once(app, make_user):
    if not CATALOGUE.exists():
        pytest.skip("demo_catalogue.json is not written yet")
    seed_demo_catalogue(db.session, {})
    db.session.commit()
    document = json.loads(CATALOGUE.read_text())
    assert db.session.scalar(select(func.count(Badge.id))) == len(document["badges"]) >= 20
    assert 6 <= db.session.scalar(select(func.count(Strand.id))) <= 8
    seed_demo_catalogue(db.session, {})
    assert db.session.scalar(select(func.count(Badge.id))) == len(document["badges"])


def test_the_demo_step_is_registered_with_seed_demo(app):
    from milepost.accounts.demo import seed_people
    from milepost.core.features import demo_steps

    steps = demo_steps(app)
    assert seed_demo_catalogue in steps and steps.index(seed_people) < steps.index(seed_demo_catalogue)
