"""Journey: district reports. The PD office reads the dashboard, narrows it to a school, reads a chart's
table and downloads its CSV, finds a teacher and prints her credit-hours statement, then prints the
statements of a whole school; a coach reads the reports of her own schools; the site admin reads the
audit log and narrows it to sign-ins. Every page is checked with axe and for sideways scrolling, in a
desktop window and at phone width."""
import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from milepost.demo import PASSWORD, seed
from milepost.extensions import db
from tests.helpers.browser import DESKTOP, PHONE, assert_accessible, sign_in

pytestmark = pytest.mark.browser

PD = "dana.whitfield@riverbend.example"
COACH = "grace.okafor@riverbend.example"
SITE = "priya.raman@riverbend.example"
ALICIA = "alicia.chen@riverbend.example"
SCHOOL = "Riverbend Elementary School"


@pytest.fixture
def demo(live_app):
    """The demo district (its people, catalogue, degree and this year's badges), and what its pages should
    show, read through the services the pages use: Alicia's awards and this year's statement rows, and the
    statements of her school."""
    from sqlalchemy import select

    from milepost.accounts.models import School, User
    from milepost.awards.services import awards_of
    from milepost.core.model import utcnow
    from milepost.reports import services

    with live_app.app_context():
        seed(db.session)
        db.session.commit()
        alicia = db.session.scalar(select(User).where(User.email == ALICIA))
        school = db.session.scalar(select(School).where(School.name == SCHOOL))
        start, end = services.school_year_dates(services.school_year_of(utcnow().date()))
        expected = {"awards": len(awards_of(db.session, alicia)),
                    "statement_rows": len(services.credit_hours(db.session, start=start, end=end, user_id=alicia.id)),
                    "statements": [s.name for s in services.school_statements(db.session, school_id=school.id,
                                                                               start=start, end=end)]}
    assert expected["statement_rows"] and "Alicia Chen" in expected["statements"]
    return expected


# tables.js gives a table that overflows its box a tab stop (and takes it away when it fits) a moment after
# the window is resized: wait until every box is in the state the script leaves it in.
SCROLL_STOPS_SETTLED = """() => [...document.querySelectorAll('table, .table-scroll')].every(
  box => (box.scrollWidth > box.clientWidth + 1) === box.hasAttribute('tabindex'))"""


def resize(page, viewport: dict) -> None:
    page.set_viewport_size(viewport)
    page.wait_for_function(SCROLL_STOPS_SETTLED)


def accessible_at_both_widths(page, label: str) -> None:
    assert_accessible(page, f"{label} (desktop)")
    resize(page, PHONE)
    assert_accessible(page, f"{label} (phone)")
    resize(page, DESKTOP)


def go_to_reports(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()


def read_the_dashboard(page) -> None:
    go_to_reports(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("District reports")
    accessible_at_both_widths(page, "district dashboard")

    filters = page.get_by_role("search", name="Choose what the reports cover")
    filters.get_by_label("School", exact=True).select_option(label=SCHOOL)
    filters.get_by_role("button", name="Show").click()
    expect(page.locator("#report-scope")).to_contain_text(SCHOOL)
    assert "school=" in page.url
    accessible_at_both_widths(page, "dashboard for one school")

    # The chart's numbers are in the table beside it; the CSV holds the same rows.
    figure = page.get_by_role("region", name="Awards by strand")
    table = figure.get_by_role("table", name="Awards by strand: the numbers in the chart")
    expect(table).to_be_visible()
    shown = {row.get_by_role("rowheader").inner_text(): row.get_by_role("cell").last.inner_text()
             for row in table.locator("tbody tr").all()}
    assert shown and all(re.fullmatch(r"[\d,]+", n) for n in shown.values()), shown
    with page.expect_download() as download:
        figure.get_by_role("link", name=re.compile("Download as CSV")).click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["Strand", "Awards"]
    assert {r[0]: r[1] for r in rows[1:]} == {k: v.replace(",", "") for k, v in shown.items()}


def find_a_teacher_and_print_her_statement(page, demo) -> None:
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Teacher records").click()
    accessible_at_both_widths(page, "teacher search")
    page.get_by_label("Name or email").fill("alicia")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("table")).to_contain_text("1 person found")
    accessible_at_both_widths(page, "teacher search results")
    page.get_by_role("link", name="Alicia Chen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alicia Chen")
    expect(page.get_by_role("table", name=re.compile(rf"^{demo['awards']} awards?,"))).to_be_visible()
    accessible_at_both_widths(page, "teacher record")

    page.get_by_role("button", name="Printable statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement of professional learning credit hours")
    statement = page.get_by_role("table", name="Badges earned and their credit hours")
    expect(statement.locator("tbody tr")).to_have_count(demo["statement_rows"])
    expect(statement.locator("tfoot")).to_contain_text("Total")
    accessible_at_both_widths(page, "printable statement")


def print_a_schools_statements(page, demo) -> None:
    go_to_reports(page)
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Credit hours").click()
    page.get_by_label("School", exact=True).select_option(label=SCHOOL)
    page.get_by_role("button", name="Show").click()
    accessible_at_both_widths(page, "credit hours for one school")
    page.get_by_role("link", name=f"Printable statements for every teacher at {SCHOOL}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Credit-hours statements: {SCHOOL}")
    alicia = page.get_by_role("article", name=re.compile("Alicia Chen"))
    expect(alicia.get_by_role("table")).to_contain_text("Total")
    # One per teacher of the school, in name order, those who earned nothing this year included.
    expect(page.get_by_role("article")).to_have_count(len(demo["statements"]))
    names = [n.strip() for n in page.locator("article .statement-who strong").all_inner_texts()]
    assert names == demo["statements"]
    accessible_at_both_widths(page, "a school's statements")


def test_the_pd_office_reads_reports_and_prints_statements(open_page, demo):
    page = open_page(DESKTOP)
    sign_in(page, PD, PASSWORD)
    read_the_dashboard(page)
    find_a_teacher_and_print_her_statement(page, demo)
    print_a_schools_statements(page, demo)


def test_a_coach_reads_the_reports_of_her_schools(open_page, demo):
    page = open_page(PHONE)  # coaches check in between classes
    sign_in(page, COACH, PASSWORD)
    go_to_reports(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports for my schools")
    expect(page.get_by_role("main")).to_contain_text("You see the teachers of 1 school")
    options = page.get_by_label("School", exact=True).locator("option").all_inner_texts()
    assert options == ["All my schools", SCHOOL]
    resize(page, DESKTOP)
    accessible_at_both_widths(page, "coach's school reports")


def test_the_site_admin_reads_the_audit_log_and_narrows_it_to_sign_ins(open_page, demo):
    page = open_page(DESKTOP)
    sign_in(page, SITE, PASSWORD)
    go_to_reports(page)
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    accessible_at_both_widths(page, "audit log")
    filters = page.get_by_role("search", name="Filter the audit log")
    filters.get_by_label("Action").select_option("account.login")
    filters.get_by_role("button", name="Filter").click()
    log = page.get_by_role("table", name=re.compile(r"\d+ events?"))
    expect(log).to_contain_text("Priya Raman")
    actions = {c.strip() for c in log.locator("tbody tr th").all_inner_texts()}
    assert actions == {"account.login"}, actions
    accessible_at_both_widths(page, "audit log of sign-ins")
