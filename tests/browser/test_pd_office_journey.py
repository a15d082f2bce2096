"""Journey 3: the PD office writes a badge with a rubric and publishes it, imports a roster from a CSV
file, defines a pilot and publishes its pre survey; a teacher from the roster accepts the emailed
invitation and answers the survey; the PD office reads the results."""
import email
import re
from datetime import date, timedelta
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import expect

from milepost.accounts.services import save_user
from milepost.badges.models import Badge
from milepost.extensions import db
from tests.helpers.browser import DESKTOP, PHONE, TEACHER_PASSWORD, assert_accessible, sign_in

pytestmark = pytest.mark.browser

ADMIN = "dana@district.example"
ROSTER = (b"name,email,school,roles,plcs\n"
          b"Rosa Rivera,rosa.rivera@district.example,Oak Middle School,teacher,Grade 7 science team\n"
          b"Sam Singh,sam.singh@district.example,Oak Middle School,teacher,Grade 7 science team\n"
          b"Cal Coach,cal.coach@district.example,Oak Middle School,coach;teacher,\n")


@pytest.fixture
def live_settings():
    # One teacher answers in this journey; the district's smallest reported group is lowered to one
    # so the PD office can see that answer (the default of five would hide it, as it should).
    return {"SURVEY_MIN_GROUP": 1}


@pytest.fixture
def pd_admin(live_app):
    with live_app.app_context():
        save_user(db.session, None, actor=None, email=ADMIN, display_name="Dana District", roles=["pd_admin"],
                  school=None, plcs=[], password=TEACHER_PASSWORD)
        db.session.commit()


def invitation_link(live_app, address: str) -> str:
    """The link in the welcome email the roster import sent (mail goes to the outbox folder here)."""
    for path in sorted(Path(live_app.config["OUTBOX_PATH"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in str(message["To"]):
            body = message.get_body(preferencelist=("plain",)).get_content()
            found = re.search(r"https?://\S+/reset/\S+", body)
            if found:  # she is also told the survey is open: that mail has no such link
                return found.group(0)
    raise AssertionError(f"no invitation was sent to {address}")


def author_badge(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Authoring").click()
    assert_accessible(page, "authoring list")
    page.get_by_role("main").locator(".toolbar").get_by_role("link", name="New badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New badge")
    assert_accessible(page, "new badge form")
    page.set_viewport_size(PHONE)  # the wide rubric editor scrolls in its box, not the whole page
    assert_accessible(page, "new badge form in a narrow window")
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Title").fill("Exit Tickets")
    page.get_by_label("Summary").fill("Short end-of-lesson checks that steer the next lesson.")
    page.get_by_label("Competency statement").fill("The educator uses exit tickets to adjust the next lesson.")
    page.get_by_label("Points").fill("20")
    page.get_by_label("Credit hours").fill("2")
    first = page.get_by_role("group", name="Prompt 1")
    first.get_by_label("Prompt", exact=True).fill("Describe how you used the exit tickets")
    page.get_by_role("button", name="Add a prompt").click()
    expect(page.get_by_role("status")).to_contain_text("Prompt 2 added.")
    second = page.get_by_role("group", name="Prompt 2")
    second.get_by_label("Asks for").select_option(label="File upload")
    second.get_by_label("Prompt", exact=True).fill("Upload three exit tickets")

    page.get_by_label("Criterion 1 name").fill("Use of evidence")
    for level, text in zip(("Beginning", "Developing", "Meets", "Exceeds"),
                           ("Collected only", "Read", "Changes the next lesson", "Students act on it too"),
                           strict=True):
        page.get_by_label(f"Criterion 1 at {level}").fill(text)
    page.get_by_role("button", name="Add a criterion").click()
    page.get_by_label("Criterion 2 name").fill("Reflection")
    for level, text in zip(("Beginning", "Developing", "Meets", "Exceeds"),
                           ("None", "Brief", "Names a change", "Names a change and its effect"), strict=True):
        page.get_by_label(f"Criterion 2 at {level}").fill(text)
    page.get_by_label('Level that counts as "meets"').select_option(label="Meets")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview (not saved yet)")
    expect(preview.get_by_role("table")).to_contain_text("Changes the next lesson")
    assert_accessible(page, "badge preview")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("status").first).to_contain_text('"Exit Tickets" is saved as a draft')
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").first).to_contain_text('"Exit Tickets" is published (version 1)')
    assert_accessible(page, "published badge in the editor")
    page.get_by_role("link", name="View the badge page").click()
    rubric = page.get_by_role("table").filter(has_text="Use of evidence")
    expect(rubric).to_contain_text("Names a change and its effect")
    assert_accessible(page, "the new badge's page")


def import_roster(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Import a roster").click()
    assert_accessible(page, "roster page")
    broken = ROSTER.replace(b"sam.singh@district.example", b"sam.singh-at-district")
    page.get_by_label("Roster file (CSV)").set_input_files(
        {"name": "oak-middle.csv", "mimeType": "text/csv", "buffer": broken})
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("alert")).to_contain_text("Line 3")
    assert_accessible(page, "roster page with problems")
    page.get_by_label("Roster file (CSV)").set_input_files(
        {"name": "oak-middle.csv", "mimeType": "text/csv", "buffer": ROSTER})
    page.get_by_role("button", name="Check and import").click()
    result = page.get_by_role("status").filter(has=page.get_by_role("heading", name="Imported"))
    expect(result).to_contain_text("3 added")
    expect(result).to_contain_text("New schools: Oak Middle School")
    expect(result).to_contain_text("New PLCs: Grade 7 science team")
    assert_accessible(page, "roster imported")


def define_pilot_and_publish_pre_survey(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="Pilots, surveys and results").click()
    assert_accessible(page, "pilots and surveys")
    page.get_by_role("link", name="Define a pilot").click()
    page.get_by_label("Name").fill("Exit ticket pilot")
    page.get_by_label("Goals").fill("Find out whether exit tickets change next-day planning.")
    page.get_by_label("Starts on").fill(date.today().isoformat())
    page.get_by_label("Ends on").fill((date.today() + timedelta(days=90)).isoformat())
    page.get_by_label("Also add every member of a PLC").select_option(label="Grade 7 science team (Oak Middle School)")
    page.get_by_role("group", name="Their reviewers").get_by_label("Cal Coach").check()
    page.get_by_role("group", name="Badges in scope").get_by_label("Exit Tickets").check()
    assert_accessible(page, "pilot form")
    page.get_by_role("button", name="Save the pilot").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exit ticket pilot")
    cohort = page.get_by_role("region", name="Cohort")
    expect(cohort).to_contain_text("Rosa Rivera")
    expect(cohort).to_contain_text("Sam Singh")
    assert_accessible(page, "pilot dashboard")
    page.get_by_role("button", name="Create linked pre, mid and post surveys").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Pre, mid-point and post surveys for the cohort's teachers are ready as drafts")
    assert_accessible(page, "pilots and surveys with a set")
    page.get_by_role("link", name="Exit ticket pilot: pre survey").first.click()
    # the teacher survey goes to the cohort's two teachers, not to their reviewer
    expect(page.get_by_role("main")).to_contain_text("A pilot's cohort: Exit ticket pilot (2 people)")
    assert_accessible(page, "pre survey questions")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("main").locator(".pill", has_text="Open")).to_be_visible()
    assert_accessible(page, "published pre survey")


def answer_pre_survey(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    open_now = page.get_by_role("region", name="Open now")
    expect(open_now).to_contain_text("Not started")
    assert_accessible(page, "my surveys")
    open_now.get_by_role("link", name="Exit ticket pilot: pre survey").click()
    assert_accessible(page, "the pre survey")
    questions = page.locator("fieldset.question")
    for n in range(questions.count()):
        group = questions.nth(n)
        agree = group.get_by_label("Agree", exact=True)
        if agree.count():
            agree.check()
    page.get_by_role("group", name="How often do you use the practice").get_by_label("A few times so far").check()
    page.get_by_label("In a typical month, how many hours").fill("4")
    page.get_by_label("What would make the micro-credential process work better").fill("Time in PLC meetings.")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you: your answers are in")
    assert_accessible(page, "the pre survey, answered")


def test_the_pd_office_authors_imports_pilots_and_reads_survey_results(open_page, live_app, pd_admin):
    page = open_page(DESKTOP)
    sign_in(page, ADMIN)
    author_badge(page)
    import_roster(page)
    define_pilot_and_publish_pre_survey(page)

    # Rosa, from the roster, opens her emailed invitation on her phone and answers the pre survey.
    rosa = open_page(PHONE)
    rosa.goto(invitation_link(live_app, "rosa.rivera@district.example"))
    rosa.get_by_role("textbox", name="New password", exact=True).fill("exit tickets every day")
    rosa.get_by_role("textbox", name="Type the new password again").fill("exit tickets every day")
    assert_accessible(rosa, "choose a password from the invitation")
    rosa.get_by_role("button", name="Save the password").click()
    expect(rosa.get_by_role("heading", level=1)).to_have_text("Welcome, Rosa Rivera")
    assert_accessible(rosa, "a new teacher's home page")
    answer_pre_survey(rosa)

    # The PD office reads the results.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="Pilots, surveys and results").click()
    page.get_by_role("link", name="Results of Exit ticket pilot: pre survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results: Exit ticket pilot: pre survey")
    expect(page.get_by_text("1 submitted response")).to_be_visible()
    worthwhile = page.get_by_role("article", name=re.compile("Earning micro-credentials is a worthwhile use"))
    expect(worthwhile.get_by_role("row", name=re.compile(r"^Agree 1 100%"))).to_be_visible()
    expect(page.get_by_role("article", name=re.compile("What would make"))).to_contain_text("Time in PLC meetings.")
    assert_accessible(page, "survey results")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="Pilots, surveys and results").click()
    page.get_by_role("link", name="Exit ticket pilot", exact=True).click()
    rates = page.get_by_role("table", name="Survey response rates")
    expect(rates.get_by_role("row", name=re.compile("pre survey"))).to_contain_text("1 of 2")
    assert_accessible(page, "pilot dashboard with an answer")

    with live_app.app_context():
        badge = db.session.scalar(db.select(Badge).where(Badge.slug == "exit-tickets"))
        assert badge.status == "published"
        assert [c.name for c in badge.criteria] == ["Use of evidence", "Reflection"]
        assert (badge.meets_level_name, [p.kind for p in badge.prompts]) == ("Meets", ["text", "file"])
