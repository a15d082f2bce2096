"""Journey: a coach on a phone scores a resubmission: they see the earlier decision and feedback and what
changed, the video is in the page (its file route answers byte ranges), a "meets" the scores do not support
is refused and every score stays; the rubric fits a 390 px phone and a 1280 px desk without sideways scroll."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from milepost.accounts.models import School
from milepost.accounts.services import save_user
from milepost.badges import services as badges
from milepost.evidence import services as evidence
from milepost.evidence.models import Submission
from milepost.extensions import db
from milepost.reviews import services as reviews
from tests.helpers.badges import badge_doc
from tests.helpers.browser import PHONE, TEACHER_PASSWORD, assert_accessible, sign_in
from tests.helpers.evidence import PROMPTS, send_evidence

pytestmark = pytest.mark.browser

COACH = "cora@school.example"
# A phone-style QuickTime file (H.264 video, AAC sound) of 5 min 10 s, small enough to keep in the repository.
MOV = (Path(__file__).parent / "media" / "phone-5min.mov").read_bytes()
NO_SIDEWAYS = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def resubmitted(live_app):
    with live_app.app_context():
        school = School(name="Maple Elementary")
        db.session.add(school)
        db.session.flush()
        teacher = save_user(db.session, None, actor=None, email="tess@school.example", display_name="Tess Teacher",
                            roles=["teacher"], school=school, plcs=[], password=TEACHER_PASSWORD)
        coach = save_user(db.session, None, actor=None, email=COACH, display_name="Cora Coach",
                          roles=["coach", "teacher"], school=school, plcs=[], password=TEACHER_PASSWORD)
        badge = badges.save_badge(db.session, None, badge_doc("goal-setting", title="Student Goal-Setting",
                                                              prompts=PROMPTS), actor=None)
        badges.publish(db.session, badge, actor=None)
        reviews.save_chain(db.session, f"badge:{badge.id}", [{"kind": "coach", "required_reviews": 1,
                                                              "skip_after_days": None}], by=None, badge=badge)
        sub = send_evidence(live_app, teacher, badge, text="Students write one goal a week.",
                            files=[("lesson.mov", MOV, False)])
        reviews.save_review(db.session, sub, reviews.ReviewInput(
            decision="not_yet", feedback="Show a goal a student wrote in their own words.",
            scores={0: {"level": 1, "comment": "Goals are yours, not theirs."}, 1: {"level": 2, "comment": "Good."}}),
            by=coach, submit=True)
        db.session.commit()
        sub = db.session.get(Submission, sub.id)
        evidence.save_text(db.session, sub, 0, "Students write one goal a week in their own words.", by=teacher)
        evidence.confirm_privacy(db.session, sub, by=teacher)
        evidence.transition(db.session, sub, "resubmit", by=teacher)
        db.session.commit()
        return sub.id


def test_a_coach_scores_a_resubmission_on_a_phone(open_page, live_app, resubmitted):
    coach = open_page(PHONE)
    sign_in(coach, COACH)
    coach.goto(f"/reviews/{resubmitted}")
    context = coach.get_by_role("region", name="Resubmission: attempt 2")
    expect(context).to_contain_text("Attempt 1: not yet")
    expect(context).to_contain_text("Show a goal a student wrote in their own words.")
    expect(context).to_contain_text("Goals are yours, not theirs.")
    expect(context.locator(".text-diff ins")).to_contain_text("in their own words.")
    assert_accessible(coach, "resubmission on a phone")
    assert coach.evaluate(NO_SIDEWAYS), "the review page scrolls sideways at 390 px"

    video = coach.locator("video.evidence-media source")
    src = video.get_attribute("src")
    ranged = coach.request.get(src, headers={"Range": "bytes=0-99"})
    assert ranged.status == 206 and ranged.body() == MOV[:100]
    player = coach.locator("video.evidence-media")
    player.scroll_into_view_if_needed()
    coach.wait_for_function("v => v.readyState >= 1", arg=player.element_handle(), timeout=15000)
    assert player.evaluate("v => v.duration") > 300, "the whole five-minute recording is there"
    player.evaluate("v => { v.muted = true; v.currentTime = 240; return v.play(); }")  # seek past four minutes
    coach.wait_for_function("v => v.currentTime > 240.5 && !v.paused && !v.error", arg=player.element_handle(),
                            timeout=15000)
    player.evaluate("v => v.pause()")

    for criterion, level in (("Goal quality", "Developing"), ("Reflection", "Exceeds")):
        group = coach.get_by_role("group", name=criterion)
        label = group.get_by_label(level, exact=True)
        box = group.locator("label", has_text=level).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 250, "level targets are large on a phone"
        label.check()
    expect(coach.locator("#meets-check")).to_contain_text("do not support “meets”")
    coach.get_by_label("Your decision").select_option(label="Meets")
    coach.get_by_label("Feedback for the teacher").fill("Much better.")
    coach.get_by_role("button", name="Submit review").click()
    expect(coach.get_by_role("alert")).to_contain_text("“Meets” needs every criterion")
    expect(coach.get_by_role("group", name="Goal quality").get_by_label("Developing", exact=True)).to_be_checked()
    expect(coach.get_by_role("group", name="Reflection").get_by_label("Exceeds", exact=True)).to_be_checked()
    expect(coach.get_by_label("Feedback for the teacher")).to_have_value("Much better.")
    assert coach.get_by_label("Note for the next stage").count() == 0  # the coach's stage is the last
    assert_accessible(coach, "refused submit on a phone")

    desk = open_page({"width": 1280, "height": 900})
    sign_in(desk, COACH)
    desk.goto(f"/reviews/{resubmitted}")
    assert desk.evaluate(NO_SIDEWAYS), "the review page scrolls sideways at 1280 px"
    table = desk.locator("table.rubric")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1"), "the rubric hides a sideways scroll"
