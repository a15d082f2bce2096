"""The public verify page and a teacher's credentials from elsewhere, through the test client."""
from __future__ import annotations

import io
import json

from milepost.awards import services as awards
from milepost.badges import services as badges
from milepost.credentials.models import OutsideCredential
from milepost.evidence import services as evidence
from milepost.extensions import db
from tests.helpers.app import login
from tests.helpers.node_verifier import node_issue


def post_verify(client, **data):
    page = client.get("/credentials/verify")
    assert page.status_code == 200
    return client.post("/credentials/verify", data=data, content_type="multipart/form-data")


def test_anyone_checks_a_milepost_credential_on_the_verify_page(app, make_award, make_user):
    award = make_award()
    client = app.test_client()
    jwt = client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True)
    page = post_verify(client, text=jwt).get_data(as_text=True)
    assert "Valid" in page and "checks out" in page and "Signed (RS256)" in page

    png = client.get(f"/credentials/awards/{award.public_id}/badge.png").get_data()
    page = post_verify(client, file=(io.BytesIO(png), "badge.png")).get_data(as_text=True)
    assert "Valid" in page and "Open Badges 2.0 (hosted)" in page

    awards.revoke_award(db.session, award, reason="mistake", by=make_user("pd_admin"))
    db.session.commit()
    page = post_verify(client, text=jwt).get_data(as_text=True)
    assert "Revoked" in page and "has revoked it" in page


def test_the_verify_page_reaches_no_other_site_and_refuses_garbage(app):
    client = app.test_client()
    page = post_verify(client, text="https://elsewhere.example/assertions/1").get_data(as_text=True)
    assert "Not accepted" in page and "is not on this site" in page
    page = post_verify(client, text="not a credential at all").get_data(as_text=True)
    assert "not a credential Milepost can read" in page
    assert post_verify(client, text="").status_code == 200


def test_a_teacher_adds_an_outside_credential_as_evidence_and_the_reviewer_sees_the_checks(app, make_user,
                                                                                          make_badge):
    teacher = make_user("teacher", email="ada@school.example")
    badge = make_badge("outside-learning")
    submission = evidence.start_badge(db.session, teacher, badge)
    db.session.commit()
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2b7c1f0e-5b0a-4c52-8b7d-111111111111",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:web:academy.example", "type": ["Profile"], "name": "Summer Academy"},
        "validFrom": "2025-06-01T00:00:00Z",
        "credentialSubject": {"id": "mailto:ada@school.example", "type": ["AchievementSubject"],
                              "achievement": {"id": "https://academy.example/a/1", "type": ["Achievement"],
                                              "name": "Project-Based Learning", "description": "PBL.",
                                              "criteria": {"narrative": "Built a unit."}}},
    }
    signed, did = node_issue(credential, "academy.example")

    def fetch(url, accept="application/json"):
        from milepost.credentials import incoming

        if url == "https://academy.example/.well-known/did.json":
            return incoming.Fetched(200, "application/json", json.dumps(did).encode())
        return incoming.own_site_fetch(url, accept)

    app.extensions["milepost_credential_fetch"] = fetch
    try:
        c = app.test_client()
        login(c, teacher.email)
        assert c.get("/credentials/mine/outside").status_code == 200
        response = c.post("/credentials/mine/outside", data={
            "text": json.dumps(signed), "submission_id": submission.id})
        assert response.status_code == 302, response.get_data(as_text=True)
        row = db.session.query(OutsideCredential).one()
        assert row.status == "valid" and row.submission_id == submission.id
        assert row.issuer_name == "Summer Academy" and row.checked_at is not None
        assert {c["check"] for c in row.checks} >= {"signature", "issuer key", "dates", "recipient"}
        detail = c.get(response.headers["Location"]).get_data(as_text=True)
        assert "Project-Based Learning" in detail and "it is valid" in detail

        tampered = dict(signed, name="changed")
        c.post("/credentials/mine/outside", data={"text": json.dumps(tampered), "submission_id": 0})
        refused = db.session.query(OutsideCredential).order_by(OutsideCredential.id.desc()).first()
        assert refused.status == "refused" and refused.submission_id is None
        assert any("changed after signing" in ch["detail"] for ch in refused.checks)

        assert c.post("/credentials/mine/outside", data={"text": "", "submission_id": 0}).status_code == 400
    finally:
        app.extensions.pop("milepost_credential_fetch", None)

    # Before the evidence is sent nobody else sees it; the PD office always may; a stranger never.
    stranger = app.test_client()
    login(stranger, make_user("teacher").email)
    assert stranger.get(f"/credentials/outside/{row.id}").status_code == 404
    office = app.test_client()
    login(office, make_user("pd_admin").email)
    assert "Summer Academy" in office.get(f"/credentials/outside/{row.id}").get_data(as_text=True)
    coach = make_user("coach")
    coach_client = app.test_client()
    login(coach_client, coach.email)
    assert coach_client.get(f"/credentials/outside/{row.id}").status_code == 404
    version = badges.current_version(db.session, badge)
    assert version is not None


def test_the_reviewer_sees_the_outside_credential_brought_as_evidence(app, people, use_chain, client_for, make_badge,
                                                                     make_award):
    from milepost.credentials import services as credential_services

    use_chain("coach")
    badge = make_badge("state-conference")
    submission = evidence_sent(app, people.teacher, badge)
    # The teacher brings a Milepost credential earned earlier (it checks out offline, from the app itself).
    earlier = make_award(user=people.teacher, badge=make_badge("earlier-badge"))
    token = app.test_client().get(f"/ob/v3/credentials/{earlier.public_id}.jwt").get_data(as_text=True)
    with app.test_request_context("/"):
        row = credential_services.add_outside_credential(db.session, people.teacher, text=token,
                                                         submission=submission)
    db.session.commit()
    assert row.status == "valid"

    coach = client_for(people.coach)
    page = coach.get(f"/reviews/{submission.id}").get_data(as_text=True)
    assert "Credentials from elsewhere" in page and "Valid" in page
    assert f"/credentials/outside/{row.id}" in page
    detail = coach.get(f"/credentials/outside/{row.id}")
    assert detail.status_code == 200 and "Signed (RS256)" in detail.get_data(as_text=True)
    assert client_for(people.outsider).get(f"/credentials/outside/{row.id}").status_code == 404


def evidence_sent(app, teacher, badge):
    from tests.helpers.evidence import send_evidence

    return send_evidence(app, teacher, badge)
