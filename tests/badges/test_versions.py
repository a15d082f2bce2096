"""Versioning: editing a published badge makes a new version; earlier versions stay readable."""
from sqlalchemy import select

from milepost.badges import services
from milepost.badges.models import Badge, BadgeVersion
from milepost.extensions import db
from tests.helpers.badges import badge_doc, form_payload


def test_editing_a_published_badge_creates_version_2_and_version_1_stays_readable(as_role, make_badge):
    badge = make_badge("goal-setting", title="Goal setting")
    first = services.current_version(db.session, badge)
    assert first.number == 1

    author = as_role("pd_admin")
    changed = badge_doc("goal-setting", title="Goal setting", summary="A sharper summary.", points=15)
    assert author.post(f"/authoring/badges/{badge.id}", data=form_payload(changed)).status_code == 302

    db.session.expire_all()
    assert badge.version == 2 and badge.summary == "A sharper summary."
    numbers = db.session.scalars(select(BadgeVersion.number).where(BadgeVersion.badge_id == badge.id)
                                 .order_by(BadgeVersion.number)).all()
    assert numbers == [1, 2]
    # version 1 is frozen as it was: an award made then keeps pointing at this row
    old = db.session.get(BadgeVersion, first.id)
    assert old.snapshot["summary"] == "Students set and track their own learning goals."
    assert old.snapshot["points"] == 10

    teacher = as_role("teacher")
    page = teacher.get("/badges/goal-setting/versions/1").get_data(as_text=True)
    assert "Students set and track their own learning goals." in page and "version 1" in page
    assert "A sharper summary." in teacher.get("/badges/goal-setting").get_data(as_text=True)
    listing = teacher.get("/badges/goal-setting/versions").get_data(as_text=True)
    assert "Version 1" in listing and "Version 2" in listing


def test_saving_a_published_badge_without_changes_keeps_its_version(as_role, make_badge):
    badge = make_badge("goal-setting", title="Goal setting")
    author = as_role("pd_admin")
    author.post(f"/authoring/badges/{badge.id}", data=form_payload(badge_doc("goal-setting", title="Goal setting")))
    db.session.expire_all()
    assert badge.version == 1
    assert len(badge.versions) == 1


def test_editing_a_draft_changes_it_in_place(make_badge):
    badge = make_badge(status="draft")
    services.save_badge(db.session, badge, badge_doc(summary="Changed while still a draft."), actor=None)
    db.session.commit()
    assert badge.version == 1 and badge.versions == []


def test_reordering_prompts_of_a_published_badge_is_a_new_version(make_badge):
    badge = make_badge()
    doc = badge_doc()
    doc["prompts"].reverse()
    services.save_badge(db.session, badge, doc, actor=None)
    db.session.commit()
    assert badge.version == 2
    assert [p["title"] for p in badge.versions[0].snapshot["prompts"]][0] == "Describe your class"
    assert [p["title"] for p in badge.versions[1].snapshot["prompts"]][0] == "Upload three goal sheets"


def test_a_version_that_does_not_exist_is_404(as_role, make_badge):
    make_badge()
    assert as_role("teacher").get("/badges/goal-setting/versions/7").status_code == 404


def test_versions_of_a_draft_are_hidden_from_teachers(as_role, make_badge):
    make_badge(status="draft")
    assert as_role("teacher").get("/badges/goal-setting/versions").status_code == 404
    assert db.session.scalar(select(Badge.status)) == "draft"
