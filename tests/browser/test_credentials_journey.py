"""Journey: checking credentials. A visitor drops a baked badge image onto the public verify page and
reads that it is valid and who issued it, then pastes a forged token and reads why it is refused; a
teacher adds a credential she earned to her record from "credentials from elsewhere" and opens what was
checked. Every page is checked with axe, in a desktop window and at phone width."""
import pytest
from playwright.sync_api import expect

from milepost.demo import PASSWORD
from milepost.extensions import db
from tests.helpers.browser import PHONE, assert_accessible, sign_in

pytestmark = pytest.mark.browser

ALICIA = "alicia.chen@riverbend.example"
# tables.js gives a table that overflows its box a tab stop a moment after the window is resized.
SCROLL_STOPS_SETTLED = """() => [...document.querySelectorAll('table, .table-scroll')].every(
  box => (box.scrollWidth > box.clientWidth + 1) === box.hasAttribute('tabindex'))"""


@pytest.fixture
def alicia_award(live_app, demo):
    from sqlalchemy import select

    from milepost.accounts.models import User
    from milepost.awards.services import awards_of

    with live_app.app_context():
        alicia = db.session.scalar(select(User).where(User.email == ALICIA))
        award = awards_of(db.session, alicia)[0]
        return award.public_id, award.badge.title


def test_a_visitor_checks_a_badge_image_and_a_forged_token(open_page, live_app, alicia_award, tmp_path):
    public_id, title = alicia_award
    page = open_page()
    png = page.request.get(f"/credentials/awards/{public_id}/badge.png").body()
    token = page.request.get(f"/ob/v3/credentials/{public_id}.jwt").text()
    image = tmp_path / "badge.png"
    image.write_bytes(png)

    page.goto(f"/credentials/awards/{public_id}")
    page.get_by_role("link", name="Check a credential").click()
    assert_accessible(page, "verify page")
    page.get_by_label("A badge image or credential file").set_input_files(str(image))
    page.get_by_role("button", name="Check it").click()
    result = page.get_by_role("region", name=title)
    expect(result).to_contain_text("Valid")
    expect(result).to_contain_text("checks out")
    assert_accessible(page, "verify page with a result")

    head, body, signature = token.split(".")
    forged = f"{head}.{body[:-3]}{'A' if body[-3] != 'A' else 'B'}{body[-2:]}.{signature}"
    page.get_by_label("…or paste the credential or its address").fill(forged)
    page.get_by_role("button", name="Check it").click()
    expect(page.locator("#verdict-title")).to_contain_text("Not accepted")
    expect(page.get_by_role("table", name="What was checked")).to_contain_text("changed after it was signed")
    page.set_viewport_size(PHONE)
    page.wait_for_function(SCROLL_STOPS_SETTLED)
    assert_accessible(page, "verify page at phone width")


def test_a_teacher_adds_a_credential_to_her_record(open_page, live_app, alicia_award):
    public_id, title = alicia_award
    page = open_page()
    sign_in(page, ALICIA, PASSWORD)
    page.goto("/credentials/mine")
    page.get_by_role("link", name="Add or see them").click()
    assert_accessible(page, "credentials from elsewhere")
    token = page.request.get(f"/ob/v3/credentials/{public_id}.jwt").text()
    page.get_by_label("…or paste the credential or its address").fill(token)
    page.get_by_role("button", name="Check and add").click()
    expect(page.get_by_role("status")).to_contain_text("Checked and kept: it is valid")
    expect(page.get_by_role("table", name="What was checked")).to_contain_text("Signed (RS256)")
    assert_accessible(page, "an outside credential")
    page.get_by_role("link", name="Back to credentials from elsewhere").click()
    expect(page.get_by_role("table", name="What you have added")).to_contain_text(title)
