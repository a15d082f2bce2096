"""The public verification page, the earner's pages, the learning record and the admin pages."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest

from milepost.awards import services as awards
from milepost.core.model import utcnow
from milepost.credentials import ob3
from milepost.extensions import db
from tests.helpers.app import login


def test_the_public_page_shows_badge_earner_date_issuer_and_status(app, client, make_user, make_award):
    teacher = make_user("teacher", name="Ada Lovelace")
    award = make_award(user=teacher)
    response = client.get(f"/credentials/awards/{award.public_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ada Lovelace" in html and award.badge.title in html
    assert award.issued_at.strftime("%d %B %Y") in html
    assert "Valid" in html and app.extensions["milepost_theme"].display_name in html
    assert "Goal quality" in html  # the criteria
    assert f"/ob/v2/assertions/{award.public_id}" in html and f"/ob/v3/credentials/{award.public_id}.jwt" in html
    assert "linkedin.com" not in html  # sharing links are for the earner


def test_a_private_award_shows_no_name(app, client, make_user, make_award):
    award = make_award(user=make_user("teacher", name="Grace Hopper"), private=True)
    html = client.get(f"/credentials/awards/{award.public_id}").get_data(as_text=True)
    assert "Grace Hopper" not in html
    assert "exists" in html and "Valid" in html


def test_the_earner_of_a_private_award_still_sees_their_name_and_sharing_links(app, make_user, make_award):
    teacher = make_user("teacher", name="Grace Hopper")
    award = make_award(user=teacher, private=True)
    c = app.test_client()
    login(c, teacher.email)
    html = c.get(f"/credentials/awards/{award.public_id}").get_data(as_text=True)
    assert "Grace Hopper" in html and "chosen not to show their name" not in html
    assert "linkedin.com/profile/add" in html


def test_a_revoked_award_offers_its_earner_no_sharing_links(app, make_user, make_award):
    teacher = make_user("teacher")
    award = make_award(user=teacher)
    awards.revoke_award(db.session, award, reason="Issued by mistake", by=make_user("pd_admin"))
    db.session.commit()
    c = app.test_client()
    login(c, teacher.email)
    html = c.get(f"/credentials/awards/{award.public_id}").get_data(as_text=True)
    assert "Revoked" in html and "Issued by mistake" in html  # the reason is shown to the earner only
    assert "linkedin.com" not in html


def test_the_earner_gets_sharing_links(app, make_user, make_award):
    teacher = make_user("teacher")
    award = make_award(user=teacher)
    c = app.test_client()
    login(c, teacher.email)
    html = c.get(f"/credentials/awards/{award.public_id}").get_data(as_text=True)
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in html
    assert "certUrl=http%3A%2F%2Fmilepost.test%2Fcredentials%2Fawards%2F" in html
    assert "mailto:?subject=" in html and 'id="credential-link"' in html


def test_revoked_and_expired_awards_say_so_publicly(app, client, make_user, make_award):
    revoked = make_award()
    awards.revoke_award(db.session, revoked, reason="Private reason for the office", by=make_user("pd_admin"))
    expired = make_award(issued_at=utcnow() - timedelta(days=800), expires_at=utcnow() - timedelta(days=5))
    db.session.commit()
    html = client.get(f"/credentials/awards/{revoked.public_id}").get_data(as_text=True)
    assert "Revoked" in html and "Private reason" not in html
    html = client.get(f"/credentials/awards/{expired.public_id}").get_data(as_text=True)
    assert "Expired" in html and expired.expires_at.strftime("%d %B %Y") in html


def test_unknown_awards_are_not_found(app, client):
    assert client.get("/credentials/awards/nothing-here").status_code == 404
    assert client.get("/ob/v3/credentials/nothing-here.jwt").status_code == 404


def test_the_points_page_links_each_award_to_its_public_page(app, make_user, make_award):
    teacher = make_user("teacher")
    award = make_award(user=teacher)
    c = app.test_client()
    login(c, teacher.email)
    html = c.get("/points").get_data(as_text=True)
    assert f"/credentials/awards/{award.public_id}" in html


def test_a_badge_validity_period_puts_an_expiry_on_every_form(app, client, as_role, make_badge, make_award):
    badge = make_badge("first-aid")
    office = as_role("pd_admin")
    response = office.post("/admin/credentials/validity", data={"badge_id": badge.id, "months": 36})
    assert response.status_code == 302
    award = make_award(badge=badge)
    assert award.expires_at is not None
    assert 1090 <= (award.expires_at - award.issued_at).days <= 1097
    stamp = award.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert client.get(f"/ob/v2/assertions/{award.public_id}").get_json()["expires"] == stamp
    assert client.get(f"/ob/v3/credentials/{award.public_id}").get_json()["validUntil"] == stamp
    assert award.expires_at.strftime("%d %B %Y") in client.get(f"/credentials/awards/{award.public_id}").get_data(
        as_text=True)
    assert as_role("teacher").get("/admin/credentials/validity").status_code == 403


def open_record(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_a_teacher_downloads_their_learning_record(app, client, make_user, make_award, make_badge):
    teacher = make_user("teacher", name="Ada Lovelace")
    first = make_award(user=teacher, badge=make_badge("goal-setting", credit_hours=3))
    make_award(user=teacher, badge=make_badge("feedback-loops", credit_hours=2.5))
    revoked = make_award(user=teacher, badge=make_badge("withdrawn-badge"))
    awards.revoke_award(db.session, revoked, reason="mistake", by=make_user("pd_admin"))
    db.session.commit()
    c = app.test_client()
    login(c, teacher.email)

    response = c.get("/credentials/mine/learning-record.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    record = open_record(response.get_data())
    names = set(record.namelist())
    assert {"transcript.html", "learning-record.clr.jwt", "learning-record.clr.json", "README.txt",
            "credentials/goal-setting-v1.jwt", "images/goal-setting-v1.png", "images/goal-setting-v1.svg",
            "credentials/feedback-loops-v1.jwt"} <= names
    assert not any("withdrawn-badge" in n for n in names)

    clr = ob3.verify(record.read("learning-record.clr.jwt").decode(), client.get("/.well-known/jwks.json").get_json())
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    wrapped = clr["credentialSubject"]["verifiableCredential"]
    assert sorted(c["name"] for c in wrapped) == ["Feedback Loops", "Goal Setting"]
    assert json.loads(record.read("learning-record.clr.json"))["id"] == clr["id"]
    single = ob3.verify(record.read("credentials/goal-setting-v1.jwt").decode(),
                        client.get("/.well-known/jwks.json").get_json())
    assert single["id"].endswith(first.public_id)
    transcript = record.read("transcript.html").decode()
    assert "Ada Lovelace" in transcript and "5.5" in transcript and "Goal Setting" in transcript
    assert record.read("images/goal-setting-v1.png").startswith(b"\x89PNG")


def test_the_pd_office_produces_the_record_of_a_deactivated_teacher(app, as_role, make_user, make_award):
    teacher = make_user("teacher", email="left@school.example", active=False)
    make_award(user=teacher)
    office = as_role("pd_admin")
    response = office.post("/admin/credentials/learning-records",
                           data={"email": "left@school.example", "note": "Asked by email on 3 May"})
    assert response.status_code == 302
    page = office.get("/admin/credentials/learning-records").get_data(as_text=True)
    assert "deactivated" in page and "Asked by email" in page
    from milepost.credentials.models import LearningRecordRequest

    row = db.session.scalars(db.select(LearningRecordRequest)).one()
    response = office.get(f"/admin/credentials/learning-records/{row.id}.zip")
    assert response.status_code == 200
    assert "learning-record.clr.jwt" in open_record(response.get_data()).namelist()
    assert as_role("teacher").get(f"/admin/credentials/learning-records/{row.id}.zip").status_code == 403


def test_the_cli_exports_a_learning_record(app, make_user, make_award, tmp_path):
    teacher = make_user("teacher", email="gone@school.example", active=False)
    make_award(user=teacher)
    out = tmp_path / "record.zip"
    result = app.test_cli_runner().invoke(args=["export-learning-record", "gone@school.example", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "transcript.html" in open_record(out.read_bytes()).namelist()
    result = app.test_cli_runner().invoke(args=["export-learning-record", "nobody@school.example"])
    assert result.exit_code != 0


@pytest.mark.parametrize("path", ["/credentials/mine", "/credentials/mine/learning-record.zip"])
def test_the_earner_pages_need_sign_in(app, client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_public_credential_url_is_declared_public(app):
    public = {"ob2_issuer", "ob2_badgeclass", "badge_image", "ob2_assertion", "ob2_revocations", "ob3_credential",
              "ob3_credential_jwt", "status_list", "status_list_json", "jwks", "did", "did_path", "award_page",
              "baked", "criteria_page", "strands"}
    for name in public:
        assert app.view_functions[f"credentials.{name}"].milepost_access == "public", name
