"""Journey 1: a teacher finds a badge by search, starts it, writes an answer, uploads a photo and a
PDF (sent in chunks by evidence.js), saves a draft, signs out, comes back later and submits it.
The same journey is then done again with the keyboard alone."""
import pytest
from playwright.sync_api import expect

from milepost.badges import services as badges
from milepost.evidence.models import EvidenceItem, Submission
from milepost.extensions import db
from tests.helpers.badges import badge_doc
from tests.helpers.browser import PHONE, assert_accessible, sign_in, sign_out
from tests.helpers.evidence import PDF, PNG, PROMPTS

pytestmark = pytest.mark.browser

ANSWER = "Grade 4, twenty-six students, a maths goal each week."
FILES = [{"name": "goal-sheet.png", "mimeType": "image/png", "buffer": PNG},
         {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}]


@pytest.fixture
def teacher_and_badge(live_app):
    from milepost.accounts.services import save_user

    with live_app.app_context():
        save_user(db.session, None, actor=None, email="tess@school.example", display_name="Tess Teacher",
                  roles=["teacher"], school=None, plcs=[], password="correct horse battery")
        for slug, title, prompts in (("goal-setting", "Student Goal-Setting", PROMPTS),
                                     ("classroom-talk", "Classroom Talk Moves", None)):
            doc = badge_doc(slug, title=title, **({"prompts": prompts} if prompts else {}),
                            summary=f"{title}: practice and evidence.", tags=["practice"])
            if slug == "classroom-talk":
                doc["competency"] = "The educator structures student discussion with talk moves."
            badges.publish(db.session, badges.save_badge(db.session, None, doc, actor=None), actor=None)
        db.session.commit()


def submitted_files(live_app) -> tuple[str, list[str], str]:
    with live_app.app_context():
        submission = db.session.scalar(db.select(Submission))
        names = sorted(db.session.scalars(db.select(EvidenceItem.filename).where(EvidenceItem.kind == "file")))
        text = db.session.scalar(db.select(EvidenceItem.text).where(EvidenceItem.kind == "text"))
        return submission.state, names, text


def test_a_teacher_searches_starts_drafts_comes_back_later_and_submits(open_page, live_app, teacher_and_badge):
    page = open_page(PHONE)  # on the phone that took the photo
    sign_in(page, "tess@school.example")
    assert_accessible(page, "home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalogue").click()
    assert_accessible(page, "catalogue")
    page.get_by_role("searchbox").fill("goal")
    page.get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("heading", name="1 badge found")).to_be_visible()
    expect(page.get_by_role("link", name="Classroom Talk Moves")).to_have_count(0)
    assert_accessible(page, "catalogue search results")
    page.get_by_role("link", name="Student Goal-Setting").first.click()
    assert_accessible(page, "badge page")
    page.get_by_role("button", name="Start this badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Student Goal-Setting")
    assert_accessible(page, "new evidence page")

    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_label("Add files").set_input_files(FILES)
    # evidence.js sends each file in chunks, then saves the form and reloads the page
    expect(page.get_by_role("link", name="goal-sheet.png")).to_be_visible()
    expect(page.get_by_role("link", name="plan.pdf")).to_be_visible()
    expect(page.get_by_label("Your answer")).to_have_value(ANSWER)
    page.get_by_label("Your answer").fill(ANSWER + " Goals are reviewed on Fridays.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="Your draft is saved")).to_be_visible()
    assert_accessible(page, "evidence page with files")

    # Later: sign out, sign in again and pick the draft up from the dashboard.
    sign_out(page)
    sign_in(page, "tess@school.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My badges").click()
    expect(page.get_by_role("region", name="In progress")).to_contain_text("Student Goal-Setting")
    assert_accessible(page, "my badges with a draft")
    page.get_by_role("link", name="Student Goal-Setting").click()
    expect(page.get_by_label("Your answer")).to_have_value(ANSWER + " Goals are reviewed on Fridays.")
    expect(page.get_by_role("link", name="plan.pdf")).to_be_visible()
    page.get_by_role("button", name="Save and review before submitting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and submit: Student Goal-Setting")
    assert_accessible(page, "check page")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("alert")).to_contain_text("Please confirm the privacy check")
    assert_accessible(page, "check page with an error")
    page.get_by_label("I have removed students").check()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("is submitted")
    assert_accessible(page, "submitted evidence")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My badges").click()
    expect(page.get_by_role("region", name="Submitted and waiting")).to_contain_text("Student Goal-Setting")
    assert_accessible(page, "my badges with work waiting")

    assert submitted_files(live_app) == ("submitted", ["goal-sheet.png", "plan.pdf"],
                                         ANSWER + " Goals are reviewed on Fridays.")


def is_focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


FOCUS_RING = """el => { const s = getComputedStyle(el);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"""


def tab_to(page, locator, limit: int = 120) -> None:
    """Press Tab (and nothing else) until the locator has the focus; it must show a focus ring."""
    expect(locator).to_be_visible()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(locator):
            assert locator.evaluate(FOCUS_RING), f"{locator} has the focus but shows no focus ring"
            return
    raise AssertionError(f"{locator} was never reached with the Tab key")


def test_the_keyboard_alone_completes_the_journey(page, live_app, teacher_and_badge):
    main_nav = page.get_by_role("navigation", name="Main")
    page.goto("/login")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type("tess@school.example")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Tess Teacher")

    tab_to(page, main_nav.get_by_role("link", name="Catalogue"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("searchbox"))
    page.keyboard.type("goal")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 badge found")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Student Goal-Setting").first)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Start this badge"))
    page.keyboard.press("Enter")

    answer = page.get_by_label("Your answer")
    tab_to(page, answer)
    page.keyboard.type("Typed with the keyboard only.")
    files = page.get_by_label("Add files")
    tab_to(page, files)  # leaving the answer box saves it straight away
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved at")
    # A file chooser is a native dialog Playwright cannot type into: the input is reached with Tab
    # above, and only the choice of files is made with set_input_files.
    files.set_input_files(FILES)
    expect(page.get_by_role("link", name="goal-sheet.png")).to_be_visible()
    expect(page.get_by_role("link", name="plan.pdf")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Save draft"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Your draft is saved")).to_be_visible()

    # Come back to it from the dashboard.
    tab_to(page, main_nav.get_by_role("link", name="Home"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Tess Teacher")
    tab_to(page, main_nav.get_by_role("link", name="My badges"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Student Goal-Setting"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your answer")).to_have_value("Typed with the keyboard only.")
    tab_to(page, page.get_by_role("button", name="Save and review before submitting"))
    page.keyboard.press("Enter")
    confirm = page.get_by_label("I have removed students")
    tab_to(page, confirm)
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Submit for review"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("is submitted")

    assert submitted_files(live_app) == ("submitted", ["goal-sheet.png", "plan.pdf"], "Typed with the keyboard only.")
