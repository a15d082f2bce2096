"""A school's credit-hours statements in one printable page: one statement per teacher (none left out for
having earned nothing), the same hours as the single statement and the export, no evidence, for the
PD office and site admins only, in the same number of queries however many teachers the school has."""
from __future__ import annotations

import re

from sqlalchemy import select

from milepost.core.audit import AuditEvent
from milepost.extensions import db
from tests.helpers.app import count_queries
from tests.helpers.reports import INLINE, PERIOD, _direct, at

URL = "/reports/credit-hours/statements"


def statements(html: str) -> dict[str, str]:
    """Each statement on the page, by the teacher's name."""
    found = {}
    for article in html.split('<article class="statement statement-page"')[1:]:
        body = article.split("</article>")[0]
        found[re.search(r"<strong>([^<]+)</strong>", body).group(1)] = body
    return found


def total(body: str) -> str:
    return re.search(r'<th scope="row" colspan="2">Total</th><td class="num">([^<]+)</td>', body).group(1)


def test_every_teacher_of_the_school_gets_a_statement_with_their_hours(district, client_for, make_user):
    make_user("teacher", name="Gone Away", school=district.maple, active=False)  # left the district, earned nothing
    response = client_for(district.pd).get(URL, query_string={**PERIOD, "school": district.maple.id})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = statements(html)
    # Cora coaches and teaches at Maple and earned nothing this year: she still gets her (empty) statement.
    assert list(found) == ["Cora Maple", "Tess One", "Theo Two"]
    assert total(found["Tess One"]) == "3" and "Goal Setting" in found["Tess One"]
    assert total(found["Theo Two"]) == "2" and "Read Aloud" in found["Theo Two"]
    assert "Exit Tickets" not in found["Theo Two"]  # revoked
    assert total(found["Cora Maple"]) == "0" and "No badges were earned in this period." in found["Cora Maple"]
    assert "Tom Four" not in html and "Tara Three" not in html  # other schools
    assert html.count('<h2 id="statement-') == 3 and "Maple Elementary" in html
    assert not INLINE.search(html)  # the CSP forbids inline style and script


def test_the_batch_agrees_with_each_teachers_own_statement(district, client_for):
    pd = client_for(district.pd)
    batch = statements(pd.get(URL, query_string={**PERIOD, "school": district.maple.id}).get_data(as_text=True))
    for teacher in (district.t1, district.t2, district.coach_maple):
        own = pd.get(f"/reports/teachers/{teacher.id}/statement", query_string=PERIOD).get_data(as_text=True)
        assert total(batch[teacher.display_name]) == total(own)
        rows = re.findall(r'<tr><th scope="row">(.+?)</tr>', own)
        assert rows == re.findall(r'<tr><th scope="row">(.+?)</tr>', batch[teacher.display_name])


def test_statements_show_no_evidence(district, client_for):
    html = (client_for(district.site).get(URL, query_string={**PERIOD, "school": district.maple.id})
            .get_data(as_text=True))
    for evidence in ("HYPERLINK", "class-photo.pdf", "sheet.png", "my class of 26", "Add a second goal sheet",
                     "/submissions/", "/evidence/"):
        assert evidence not in html


def test_printing_the_statements_is_audited(district, client_for):
    client_for(district.pd).get(URL, query_string={**PERIOD, "school": district.maple.id})
    [event] = [e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.exported"))
               if e.detail.get("report") == "credit_hours_statements"]
    assert event.actor_id == district.pd.id
    assert (event.detail["school"], event.detail["teachers"], event.detail["rows"]) == (district.maple.id, 3, 2)


def test_only_the_pd_office_and_site_admins_print_statements(district, client_for, client):
    args = {**PERIOD, "school": district.maple.id}
    for person in (district.pd, district.site):
        assert client_for(person).get(URL, query_string=args).status_code == 200
    for person in (district.t1, district.coach_maple, district.coach_far, district.leader):
        assert client_for(person).get(URL, query_string=args).status_code == 403, person.display_name
    response = client.get(URL, query_string=args)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_school_must_be_chosen(district, client_for):
    pd = client_for(district.pd)
    assert pd.get(URL, query_string=PERIOD).status_code == 400
    assert pd.get(URL, query_string={**PERIOD, "school": 999999}).status_code == 400
    backwards = {"start": "2026-01-01", "end": "2025-01-01", "school": district.maple.id}
    assert pd.get(URL, query_string=backwards).status_code == 400


def test_the_credit_hours_page_links_to_the_schools_statements(district, client_for):
    pd = client_for(district.pd)
    html = pd.get("/reports/credit-hours", query_string={**PERIOD, "school": district.maple.id}).get_data(as_text=True)
    link = f'{URL}?start=2025-08-01&amp;end=2026-07-31&amp;school={district.maple.id}'
    assert link in html and "Printable statements for every teacher at Maple Elementary" in html
    assert URL not in pd.get("/reports/credit-hours", query_string=PERIOD).get_data(as_text=True)


def test_the_page_runs_the_same_number_of_queries_for_a_larger_school(district, client_for, make_user):
    pd = client_for(district.pd)
    args = {**PERIOD, "school": district.maple.id}

    def counted() -> int:
        with count_queries() as queries:
            assert pd.get(URL, query_string=args).status_code == 200
        return len(queries)

    pd.get(URL, query_string=args)  # warm
    small = counted()
    for i in range(8):
        teacher = make_user("teacher", name=f"New Teacher {i}", school=district.maple)
        for badge in (district.b1, district.b2, district.b3)[: 1 + i % 3]:
            _direct(teacher, badge, at(2026, 2, 1 + i), district.pd)
    html = pd.get(URL, query_string=args).get_data(as_text=True)
    assert len(statements(html)) == 11
    assert counted() == small, small
