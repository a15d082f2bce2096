"""Open Badges 2.0 hosted verification, checked by the official validator (openbadges 1.1.2) offline."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest

from milepost.awards import services as awards
from milepost.core.model import utcnow
from milepost.credentials import services
from milepost.extensions import db
from tests.helpers.credentials import report_errors

# The validator runs on current rfc3986, which warns about the older calls it makes.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_a_served_assertion_passes_the_official_validator(app, client, make_award, make_strand, make_badge,
                                                           validate, offline_http):
    make_strand("agency", name="Student agency", description="Learners steer their own learning.")
    award = make_award(badge=make_badge("goal-setting", strand="agency"))
    url = f"http://milepost.test/ob/v2/assertions/{award.public_id}"

    report = validate(url, award.user.email)

    assert report["valid"], report_errors(report)
    assert report["openBadgesVersion"] == "2.0"
    # It really went to the hosted documents, the image and the context, all without a network.
    fetched = " ".join(offline_http.fetched)
    assert "/ob/v2/badgeclasses/" in fetched and "/ob/v2/issuer" in fetched and "w3id.org/openbadges/v2" in fetched


def test_the_validator_refuses_the_assertion_for_someone_else(app, make_award, validate):
    award = make_award()
    report = validate(f"http://milepost.test/ob/v2/assertions/{award.public_id}", "somebody.else@school.example")
    assert not report["valid"]
    assert any("recipient" in e.lower() or "profile" in e.lower() for e in report_errors(report))


def test_a_baked_png_passes_the_official_validator(app, client, make_award, validate):
    award = make_award()
    response = client.get(f"/credentials/awards/{award.public_id}/badge.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    baked = io.BytesIO(response.get_data())
    baked.name = "badge.png"

    report = validate(baked, award.user.email)

    assert report["valid"], report_errors(report)


def test_a_baked_svg_passes_the_official_validator(app, client, make_award, validate):
    award = make_award()
    response = client.get(f"/credentials/awards/{award.public_id}/badge.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"openbadges:assertion" in response.get_data()
    baked = io.BytesIO(response.get_data())
    baked.name = "badge.svg"

    report = validate(baked, award.user.email)

    assert report["valid"], report_errors(report)


def test_a_revoked_award_fails_the_official_validator(app, client, make_award, make_user, validate):
    award = make_award()
    url = f"http://milepost.test/ob/v2/assertions/{award.public_id}"
    baked = io.BytesIO(client.get(f"/credentials/awards/{award.public_id}/badge.png").get_data())
    baked.name = "badge.png"
    assert validate(url, award.user.email)["valid"]

    awards.revoke_award(db.session, award, reason="Evidence was not the teacher's own.", by=make_user("pd_admin"))
    db.session.commit()

    assert not validate(url, award.user.email)["valid"]
    # A baked image made before the revocation fails too: hosted verification fetches the assertion again.
    assert not validate(baked, award.user.email)["valid"]
    answer = client.get(f"/ob/v2/assertions/{award.public_id}")
    assert answer.status_code == 410
    assert answer.get_json() == {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                                 "id": url, "revoked": True}
    revocations = client.get("/ob/v2/revocations").get_json()
    assert revocations["revokedAssertions"] == [{"id": url, "revoked": True}]


def test_a_revoked_award_is_refused_when_revoked_through_the_pd_office_page(app, make_award, as_role, validate):
    award = make_award()
    office = as_role("pd_admin")
    response = office.post(f"/admin/awards/{award.id}/revoke", data={"reason": "Awarded by mistake"})
    assert response.status_code == 302
    assert not validate(f"http://milepost.test/ob/v2/assertions/{award.public_id}", award.user.email)["valid"]


def test_an_expired_award_fails_the_official_validator(app, make_award, validate):
    award = make_award(issued_at=utcnow() - timedelta(days=730), expires_at=utcnow() - timedelta(days=1))
    report = validate(f"http://milepost.test/ob/v2/assertions/{award.public_id}", award.user.email)
    assert not report["valid"]
    assert any("expired" in e.lower() for e in report_errors(report)), report_errors(report)


def test_the_documents_are_json_ld_open_to_every_site(app, client, make_award):
    award = make_award()
    paths = ["/ob/v2/issuer", f"/ob/v2/badgeclasses/{award.badge_version_id}",
             f"/ob/v2/assertions/{award.public_id}", "/ob/v2/revocations"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "application/ld+json", path
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert response.get_json()["@context"] == "https://w3id.org/openbadges/v2"
    assert client.get("/ob/v2/assertions/no-such-award").status_code == 404


def test_the_assertion_hashes_a_salted_email_and_links_no_evidence(app, client, make_award):
    award = make_award()
    doc = client.get(f"/ob/v2/assertions/{award.public_id}").get_json()
    recipient = doc["recipient"]
    assert recipient["hashed"] is True and recipient["type"] == "email"
    assert award.user.email not in str(doc)
    assert recipient["identity"] == services.hashed_email(award.user.email, recipient["salt"])
    assert "evidence" not in doc
    # The salt is kept: the document is the same every time it is fetched.
    assert client.get(f"/ob/v2/assertions/{award.public_id}").get_json() == doc


def test_the_badge_class_carries_criteria_alignment_and_tags(app, client, make_award, make_badge, make_strand):
    make_strand("agency", name="Student agency", description="Learners steer their own learning.")
    award = make_award(badge=make_badge("goal-setting", strand="agency"))
    doc = client.get(f"/ob/v2/badgeclasses/{award.badge_version_id}").get_json()
    assert doc["name"] == "Goal Setting"
    assert doc["tags"] == ["agency", "goals"]
    assert "Goal quality" in doc["criteria"]["narrative"]
    assert doc["criteria"]["id"] == f"http://milepost.test/credentials/badges/{award.badge_version_id}"
    assert doc["alignment"][0]["targetName"] == "Student agency"
    assert doc["alignment"][0]["targetUrl"].endswith("/credentials/strands#strand-agency")
    assert client.get(doc["criteria"]["id"].replace("http://milepost.test", "")).status_code == 200
    image = client.get(doc["image"].replace("http://milepost.test", ""))
    assert image.status_code == 200 and image.mimetype == "image/png"


def test_the_issuer_is_the_theme_until_the_site_admin_sets_it(app, client, as_role):
    doc = client.get("/ob/v2/issuer").get_json()
    assert doc["name"] == app.extensions["milepost_theme"].display_name
    assert doc["url"] == "http://milepost.test"
    assert doc["revocationList"] == "http://milepost.test/ob/v2/revocations"

    admin = as_role("site_admin")
    response = admin.post("/admin/credentials", data={
        "name": "Riverbend Unified", "url": "https://riverbend.example", "email": "pd@riverbend.example",
        "image_url": "https://riverbend.example/logo.png", "description": "Professional learning in Riverbend."})
    assert response.status_code == 302

    doc = client.get("/ob/v2/issuer").get_json()
    assert (doc["name"], doc["url"], doc["email"]) == ("Riverbend Unified", "https://riverbend.example",
                                                       "pd@riverbend.example")
    assert doc["image"] == "https://riverbend.example/logo.png"


def test_only_the_site_admin_sets_the_issuer(app, as_role):
    assert as_role("pd_admin").get("/admin/credentials").status_code == 403
    assert as_role("teacher").post("/admin/credentials", data={"name": "X"}).status_code == 403
    response = as_role("site_admin").post("/admin/credentials", data={"url": "riverbend.example"})
    assert response.status_code == 400
    assert "https://" in response.get_data(as_text=True)
