"""One teacher's record agrees with the teacher's own pages; the credit-hours export, its statement and
its command hold award facts only, with formula-like cells made plain text."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

from sqlalchemy import select, update

from milepost.accounts.models import School, User
from milepost.awards.models import Award
from milepost.core.audit import AuditEvent
from milepost.extensions import db
from milepost.points import services as points
from milepost.reports import services
from tests.helpers.reports import INLINE, PERIOD, YEAR, _direct, at

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def stat(html: str, label: str) -> str:
    return re.search(rf"<dt>{label}</dt><dd>([^<]*)</dd>", html).group(1).strip()


def parse(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body)))


def exported(report: str) -> list[AuditEvent]:
    db.session.expire_all()
    return [e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.exported"))
            if e.detail.get("report") == report]


def test_the_record_shows_the_points_hours_and_degree_the_teacher_sees(district, client_for):
    pd = client_for(district.pd)
    for teacher in (district.t1, district.t2, district.t3, district.t4):
        own = client_for(teacher).get("/points").get_data(as_text=True)
        record = pd.get(f"/reports/teachers/{teacher.id}").get_data(as_text=True)
        for label in ("Points", "Badges held", "Degree tier"):
            assert stat(record, label) == stat(own, label), (teacher.display_name, label)
        assert float(stat(record, "Credit hours")) == float(stat(own, "Credit hours")), teacher.display_name
        assert (float(stat(record, "Credit hours"))
                == points.degree_progress(db.session, teacher.id).standing.credit_hours)
    # Known values: t1 earned Goal Setting (10 points, 3 hours); t2's Exit Tickets was revoked.
    t1 = services.teacher_record(db.session, district.t1.id)
    assert (t1.balance, t1.credit_hours, t1.progress.current.name) == (10, 3.0, "Associate")
    t2 = services.teacher_record(db.session, district.t2.id)
    assert (t2.balance, t2.credit_hours) == (20, 2.0)


def test_the_record_lists_badges_work_history_and_claims_but_no_evidence(district, client_for):
    html = client_for(district.pd).get(f"/reports/teachers/{district.t1.id}").get_data(as_text=True)
    award = db.session.scalar(select(Award).where(Award.user_id == district.t1.id))
    assert f"http://milepost.test/credentials/awards/{award.public_id}" in html
    assert "Goal Setting" in html and "Coffee with the superintendent" in html and "Badge earned" in html
    assert "HYPERLINK" not in html and "class-photo.pdf" not in html and "sheet.png" not in html
    assert "/submissions/" not in html


def test_people_can_be_found_by_name_or_email(district, client_for):
    pd = client_for(district.pd)
    html = pd.get("/reports/teachers", query_string={"q": "tess"}).get_data(as_text=True)
    assert f"/reports/teachers/{district.t1.id}" in html and "Theo Two" not in html
    html = pd.get("/reports/teachers", query_string={"q": district.t2.email}).get_data(as_text=True)
    assert f"/reports/teachers/{district.t2.id}" in html
    assert "1 person found" in html


def test_credit_hours_list_each_badge_earned_in_the_period_once(district):
    rows = services.credit_hours(db.session, start=date(2025, 8, 1), end=date(2026, 7, 31))
    assert [(r.name, r.badge, r.earned_on, r.hours, r.status, r.how) for r in rows] == [
        ("Tess One", "Goal Setting", date(2025, 10, 11), 3.0, "valid", "Earned"),
        ("Theo Two", "Read Aloud", date(2025, 11, 5), 2.0, "valid", "Earned"),   # the revoked award is left out
        ("Tom Four", "Exit Tickets", date(2026, 1, 15), 1.5, "valid", "Awarded directly"),
    ]  # Tara's award of July 2025 belongs to the year before
    assert all(r.url.startswith("http://milepost.test/credentials/awards/") for r in rows)
    maple = services.credit_hours(db.session, start=date(2025, 8, 1), end=date(2026, 7, 31),
                                  school_id=district.maple.id)
    assert [r.name for r in maple] == ["Tess One", "Theo Two"]
    assert sum(t.hours for t in services.hours_by_teacher(rows)) == 6.5


def test_a_badge_held_already_is_not_counted_again(district, make_badge):
    from milepost.badges import services as badges

    b1 = db.session.get(type(district.b1), district.b1.id)
    badges.save_badge(db.session, b1, {**badges.badge_document(b1), "summary": "Now clearer."}, actor=None)
    db.session.commit()
    assert badges.current_version(db.session, b1).number == 2
    _direct(district.t1, b1, at(2026, 3, 1), district.pd)  # the new version, given again
    rows = services.credit_hours(db.session, start=date(2025, 8, 1), end=date(2026, 7, 31), user_id=district.t1.id)
    assert [(r.badge, r.version) for r in rows] == [("Goal Setting", 1)]
    assert points.degree_progress(db.session, district.t1.id).standing.credit_hours == 3.0  # the degree agrees


def test_all_time_credit_hours_agree_with_each_teachers_degree_progress(district):
    rows = services.credit_hours(db.session, start=date(2020, 8, 1), end=date(2025, 7, 31))
    rows += services.credit_hours(db.session, start=date(2025, 8, 1), end=date(2026, 7, 31))
    totals = {t.user_id: t.hours for t in services.hours_by_teacher(rows)}
    for teacher in (district.t1, district.t2, district.t3, district.t4):
        assert totals.get(teacher.id, 0) == points.degree_progress(db.session, teacher.id).standing.credit_hours


def test_the_csv_export_is_award_facts_only_and_audited(district, client_for):
    response = client_for(district.pd).get("/reports/credit-hours.csv", query_string=PERIOD)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = parse(response.get_data(as_text=True))
    assert rows[0] == services.CREDIT_HEADER
    assert rows[1][:9] == ["Tess One", district.t1.email, "Maple Elementary", "Goal Setting", "1", "2025-10-11", "3.0",
                           "valid", "Earned"]
    assert len(rows) == 4
    body = response.get_data(as_text=True)
    for evidence in ("HYPERLINK", "class-photo.pdf", "sheet.png", "26 students", "Add a second goal sheet"):
        assert evidence not in body  # no written answers, files, feedback or student-information items
    [event] = exported("credit_hours")
    assert event.actor_id == district.pd.id and event.detail["rows"] == 3 and event.detail["start"] == "2025-08-01"


def test_export_cells_that_look_like_formulas_are_made_plain_text(district, client_for, make_user, make_badge):
    db.session.execute(update(User).where(User.id == district.t1.id).values(display_name="=HYPERLINK(\"x\")"))
    school = School(name="@SUM(A1)")
    db.session.add(school)
    db.session.commit()
    plus = make_user("teacher", name="+Plus One", school=school)
    minus = make_badge("minus-badge", title="-2+3 cmd", credit_hours=1)
    _direct(plus, minus, at(2026, 2, 2), district.pd)
    pd = client_for(district.pd)
    bodies = [pd.get("/reports/credit-hours.csv", query_string=PERIOD).get_data(as_text=True),
              pd.get("/reports/figures/awards-by-school.csv", query_string={"year": YEAR}).get_data(as_text=True)]
    for body in bodies:
        cells = [cell for row in parse(body) for cell in row]
        assert not [c for c in cells if c.startswith(DANGEROUS)], body
    assert ({"'=HYPERLINK(\"x\")", "'+Plus One", "'@SUM(A1)", "'-2+3 cmd"}
            <= {c for row in parse(bodies[0]) for c in row})
    assert "'@SUM(A1)" in bodies[1]


def test_the_printable_statement_lists_one_teachers_badges_and_total(district, client_for):
    response = client_for(district.pd).get(f"/reports/teachers/{district.t4.id}/statement", query_string=PERIOD)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tom Four" in html and "Exit Tickets" in html and ">1.5<" in html
    assert "/credentials/awards/" in html and "Goal Setting" not in html  # the waiting submission is not earned
    assert not INLINE.search(html)  # the CSP forbids inline style and script
    [event] = exported("credit_hours_statement")
    assert event.detail["user_id"] == district.t4.id


def test_the_credit_hours_page_sums_each_teacher(district, client_for):
    html = client_for(district.pd).get("/reports/credit-hours", query_string=PERIOD).get_data(as_text=True)
    assert "3 teachers earned 3 badges" in html
    assert f"/reports/teachers/{district.t1.id}/statement?start=2025-08-01&amp;end=2026-07-31" in html
    bad = client_for(district.pd).get("/reports/credit-hours",
                                      query_string={"start": "2026-01-01", "end": "2025-01-01"})
    assert bad.status_code == 400


def test_the_export_command_writes_the_same_csv(district, app, client_for):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "credit-hours", "--from", "2025-08-01", "--to", "2026-07-31"])
    assert result.exit_code == 0, result.output
    web = client_for(district.pd).get("/reports/credit-hours.csv", query_string=PERIOD).get_data(as_text=True)
    assert parse(result.stdout) == parse(web)
    result = runner.invoke(args=["export", "credit-hours", "--from", "2025-08-01", "--to", "2026-07-31",
                                 "--school", "Maple Elementary"])
    assert [r[0] for r in parse(result.stdout)[1:]] == ["Tess One", "Theo Two"]
    events = exported("credit_hours")
    assert any(e.detail.get("via") == "command line" and e.actor_id is None for e in events)
    refused = runner.invoke(args=["export", "credit-hours", "--from", "2025-08-01", "--to", "2026-07-31",
                                  "--school", "Nowhere"])
    assert refused.exit_code != 0 and "No school is called" in refused.output
    assert runner.invoke(args=["export", "credit-hours", "--from", "August", "--to", "2026-07-31"]).exit_code != 0
