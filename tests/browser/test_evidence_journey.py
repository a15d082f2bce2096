"""A teacher finds a badge, starts it, writes, uploads a photo and a PDF in chunks, leaves,
comes back to the draft and submits it."""
import pytest
from playwright.sync_api import expect

from milepost.badges import services as badges
from milepost.evidence.models import EvidenceItem, Submission
from milepost.extensions import db
from tests.badges.conftest import badge_doc
from tests.browser.conftest import assert_accessible
from tests.evidence.conftest import PDF, PNG, PROMPTS

pytestmark = pytest.mark.browser


@pytest.fixture
def teacher_and_badge(live_app):
    from milepost.accounts.services import save_user

    with live_app.app_context():
        save_user(db.session, None, actor=None, email="tess@school.example", display_name="Tess Teacher",
                  roles=["teacher"], school=None, plcs=[], password="correct horse battery")
        badge = badges.save_badge(db.session, None, badge_doc("goal-setting", title="Student Goal-Setting",
                                                              prompts=PROMPTS), actor=None)
        badges.publish(db.session, badge, actor=None)
        db.session.commit()


def test_a_teacher_drafts_uploads_comes_back_and_submits(page, live_app, teacher_and_badge):
    page.goto("/login")
    page.get_by_label("Email").fill("tess@school.example")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Catalogue").first.click()
    page.get_by_role("searchbox").fill("goal")
    page.get_by_role("searchbox").press("Enter")
    assert_accessible(page, "catalogue search")
    page.get_by_role("link", name="Student Goal-Setting").first.click()
    assert_accessible(page, "badge page")
    page.get_by_role("button", name="Start this badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Student Goal-Setting")

    page.get_by_label("Your answer").fill("Grade 4, twenty-six students, a maths goal each week.")
    page.wait_for_timeout(300)
    page.get_by_label("Add files").set_input_files([
        {"name": "goal-sheet.png", "mimeType": "image/png", "buffer": PNG},
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF},
    ])
    # the chunked upload finishes, then the page saves the form and reloads
    expect(page.get_by_role("link", name="goal-sheet.png")).to_be_visible()
    expect(page.get_by_role("link", name="plan.pdf")).to_be_visible()
    expect(page.get_by_label("Your answer")).to_have_value("Grade 4, twenty-six students, a maths goal each week.")
    assert_accessible(page, "evidence page")

    page.goto("/")  # leave, then come back from the dashboard
    page.get_by_role("link", name="My badges").first.click()
    page.get_by_role("link", name="Student Goal-Setting").click()
    expect(page.get_by_label("Your answer")).to_have_value("Grade 4, twenty-six students, a maths goal each week.")
    page.get_by_role("button", name="Save and review before submitting").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("alert")).to_contain_text("Please confirm the privacy check")
    assert_accessible(page, "privacy check")
    page.get_by_label("I have removed students").check()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("is submitted")

    with live_app.app_context():
        submission = db.session.scalar(db.select(Submission))
        assert submission.state == "submitted"
        names = sorted(db.session.scalars(db.select(EvidenceItem.filename).where(EvidenceItem.kind == "file")))
        assert names == ["goal-sheet.png", "plan.pdf"]


def test_the_keyboard_alone_can_write_and_save_a_draft(page, live_app, teacher_and_badge):
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand link
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type("tess@school.example")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Tess Teacher")
    page.goto("/badges/goal-setting")
    start = page.get_by_role("button", name="Start this badge")
    start.focus()
    page.keyboard.press("Enter")
    answer = page.get_by_label("Your answer")
    answer.focus()
    page.keyboard.type("Typed with the keyboard only.")
    page.keyboard.press("Tab")  # leaving the box saves it straight away
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved at")
    with live_app.app_context():
        assert db.session.scalar(db.select(EvidenceItem.text)) == "Typed with the keyboard only."
