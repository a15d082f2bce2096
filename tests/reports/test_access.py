"""Who may read which report: teachers none, leaders the dashboard but never evidence, coaches their own
schools only, the PD office teacher records and credit hours, site admins the audit log."""
from __future__ import annotations

import pytest

from milepost.accounts.models import PLC, PLCMembership
from milepost.evidence.models import EvidenceItem, Submission
from milepost.extensions import db
from milepost.reports import access
from tests.helpers.reports import YEAR_ARGS

EVERY_REPORT = ["/reports/", "/reports/figures/activity.csv", "/reports/teachers", "/reports/teachers/{t1}",
                "/reports/teachers/{t1}/statement", "/reports/credit-hours", "/reports/credit-hours.csv",
                "/reports/audit", "/reports/audit.csv"]
RECORDS = ["/reports/teachers", "/reports/teachers/{t1}", "/reports/teachers/{t1}/statement", "/reports/credit-hours",
           "/reports/credit-hours.csv"]
AUDIT = ["/reports/audit", "/reports/audit.csv"]


def urls(paths, district):
    return [p.format(t1=district.t1.id) for p in paths]


def stat(html: str, label: str) -> str:
    import re

    return re.search(rf"<dt>{label}</dt><dd>([^<]*)</dd>", html).group(1)


def test_teachers_get_403_on_every_report(district, client_for):
    teacher = client_for(district.t1)
    for url in urls(EVERY_REPORT, district):
        assert teacher.get(url, query_string=YEAR_ARGS).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(district, client):
    response = client.get("/reports/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_leaders_read_the_dashboard_but_not_records_or_the_audit_log(district, client_for):
    leader = client_for(district.leader)
    assert leader.get("/reports/", query_string=YEAR_ARGS).status_code == 200
    assert leader.get("/reports/figures/awards-by-school.csv", query_string=YEAR_ARGS).status_code == 200
    for url in urls(RECORDS + AUDIT, district):
        assert leader.get(url, query_string=YEAR_ARGS).status_code == 403, url


def test_leaders_cannot_open_evidence_pages_or_files(district, client_for):
    leader = client_for(district.leader)
    sub = db.session.get(Submission, district.subs["s3"].id)
    items = db.session.scalars(db.select(EvidenceItem).where(EvidenceItem.attempt_id == sub.current_attempt.id)).all()
    assert {i.filename for i in items if i.kind == "file"} == {"sheet.png", "class-photo.pdf"}
    assert leader.get(f"/submissions/{sub.id}").status_code in (403, 404)
    assert leader.get(f"/reviews/{sub.id}").status_code in (403, 404)
    for item in items:
        if item.kind == "file":
            assert leader.get(f"/evidence/files/{item.id}").status_code in (403, 404), item.filename
    # ... while the same reader sees the submission counted on the dashboard.
    html = leader.get("/reports/", query_string=YEAR_ARGS).get_data(as_text=True)
    assert stat(html, "Waiting for review now") == "2"
    assert "class-photo.pdf" not in html and f"/submissions/{sub.id}" not in html


def test_a_coachs_schools_are_their_own_and_those_of_their_plcs(district, make_user):
    assert access.coach_school_ids(db.session, district.coach_maple) == {district.maple.id}
    assert access.coach_school_ids(db.session, district.coach_far) == {district.pine.id}  # facilitates Pine readers
    member = make_user("coach", school=district.oak)
    db.session.add(PLCMembership(plc_id=db.session.scalar(db.select(PLC.id).filter_by(name="Pine readers")),
                                 user_id=member.id))
    district_wide = PLC(name="Science across the district")
    db.session.add(district_wide)
    db.session.flush()
    db.session.add(PLCMembership(plc_id=district_wide.id, user_id=member.id))
    db.session.commit()
    assert access.coach_school_ids(db.session, member) == {district.oak.id, district.pine.id}
    assert access.school_scope(db.session, district.pd) is None
    assert access.school_scope(db.session, district.leader) is None


def test_coaches_see_only_their_schools(district, client_for):
    coach = client_for(district.coach_maple)
    page = coach.get("/reports/", query_string=YEAR_ARGS)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Reports for my schools" in html
    assert stat(html, "Active earners") == "2" and stat(html, "Badges awarded") == "2"
    assert stat(html, "Waiting for review now") == "0"  # Oak's and Pine's evidence is not theirs to count
    assert "Oak Middle" not in html and "Pine High" not in html
    assert coach.get("/reports/", query_string={**YEAR_ARGS, "school": district.maple.id}).status_code == 200
    far = client_for(district.coach_far)
    html = far.get("/reports/", query_string=YEAR_ARGS).get_data(as_text=True)
    assert stat(html, "Active earners") == "1" and stat(html, "Waiting for review now") == "1"  # t4 at Pine


@pytest.mark.parametrize("path", ["/reports/", "/reports/figures/awards-by-school.csv"])
def test_a_coach_asking_for_another_school_gets_403(district, client_for, path):
    coach = client_for(district.coach_maple)
    assert coach.get(path, query_string={**YEAR_ARGS, "school": district.oak.id}).status_code == 403


def test_a_coachs_csv_holds_only_their_schools(district, client_for):
    body = client_for(district.coach_maple).get("/reports/figures/awards-by-school.csv",
                                                 query_string=YEAR_ARGS).get_data(as_text=True)
    assert "Maple Elementary" in body and "Pine High" not in body


def test_a_coach_without_a_school_sees_an_empty_report(district, make_user, client_for):
    lonely = client_for(make_user("coach"))
    html = lonely.get("/reports/", query_string=YEAR_ARGS).get_data(as_text=True)
    assert "not linked to a school yet" in html and stat(html, "Active earners") == "0"


def test_coaches_cannot_open_records_credit_hours_or_the_audit_log(district, client_for):
    coach = client_for(district.coach_maple)
    for url in urls(RECORDS + AUDIT, district):
        assert coach.get(url, query_string=YEAR_ARGS).status_code == 403, url


def test_the_pd_office_reads_records_but_not_the_audit_log(district, client_for):
    pd = client_for(district.pd)
    for url in urls(RECORDS, district):
        assert pd.get(url, query_string=YEAR_ARGS).status_code == 200, url
    for url in urls(AUDIT, district):
        assert pd.get(url).status_code == 403, url
    assert pd.get("/reports/teachers/999999").status_code == 404


def test_site_admins_read_the_audit_log(district, client_for):
    site = client_for(district.site)
    assert site.get("/reports/audit").status_code == 200
    assert site.get("/reports/", query_string=YEAR_ARGS).status_code == 200


def test_the_menu_and_home_page_offer_reports_to_the_roles_that_may_read_them(district, client_for):
    for person, expected in ((district.pd, True), (district.leader, True), (district.coach_maple, True),
                             (district.t1, False)):
        html = client_for(person).get("/").get_data(as_text=True)
        assert ('href="/reports/"' in html) is expected, person.display_name
