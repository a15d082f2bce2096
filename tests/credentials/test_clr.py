"""The learning record's CLR: each nested credential signed and verifying on its own, the CLR's own
proof and VC-JWT, and revocation showing in both forms of the status list."""
from __future__ import annotations

import io
import json
import zipfile

from milepost.awards import services as awards
from milepost.credentials import jsonld, ob3, statuslist
from milepost.extensions import db
from tests.helpers.app import login
from tests.helpers.node_verifier import node_verify


def learning_record(app, teacher) -> zipfile.ZipFile:
    c = app.test_client()
    login(c, teacher.email)
    response = c.get("/credentials/mine/learning-record.zip")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def test_every_nested_credential_of_the_clr_verifies_one_by_one(app, client, make_user, make_award, make_badge):
    teacher = make_user("teacher", name="Grace Hopper")
    make_award(user=teacher, badge=make_badge("goal-setting", credit_hours=3))
    make_award(user=teacher, badge=make_badge("feedback-loops", credit_hours=2))
    record = learning_record(app, teacher)
    did = client.get("/.well-known/did.json").get_json()

    clr = json.loads(record.read("learning-record.clr.json"))
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["credentialSubject"]["id"].startswith("urn:uuid:")
    assert node_verify(clr, did)["verified"] is True
    nested = clr["credentialSubject"]["verifiableCredential"]
    assert len(nested) == 2
    for credential in nested:
        assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
        assert node_verify(credential, did) == {"verified": True, "errors": []}
    assert jsonld.undefined_terms(clr) == []

    # Changing one nested credential breaks both its own proof and the CLR's.
    nested[0]["credentialSubject"]["creditsEarned"] = 30.0
    assert node_verify(nested[0], did)["verified"] is False
    assert node_verify(clr, did)["verified"] is False
    assert node_verify(nested[1], did)["verified"] is True

    token = record.read("learning-record.clr.jwt").decode()
    payload = ob3.verify(token, client.get("/.well-known/jwks.json").get_json())
    assert payload["sub"] == payload["credentialSubject"]["id"]
    assert [c["proof"][0]["proofValue"] for c in payload["credentialSubject"]["verifiableCredential"]] == \
        [c["proof"][0]["proofValue"] for c in json.loads(record.read("learning-record.clr.json"))
         ["credentialSubject"]["verifiableCredential"]]
    single = json.loads(record.read("credentials/goal-setting-v1.json"))
    assert node_verify(single, did)["verified"] is True
    assert "proof" not in ob3.verify(record.read("credentials/goal-setting-v1.jwt").decode(),
                                     client.get("/.well-known/jwks.json").get_json())


def test_without_the_clr_context_the_record_keeps_its_signed_badges(app, make_user, make_award, tmp_path):
    bundle = json.loads(jsonld.bundle_path().read_text())
    bundle["contexts"].pop("https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", None)
    trimmed = tmp_path / "contexts.json"
    trimmed.write_text(json.dumps(bundle))
    app.config["CREDENTIAL_CONTEXTS"] = str(trimmed)
    teacher = make_user("teacher")
    make_award(user=teacher)
    record = learning_record(app, teacher)
    names = set(record.namelist())
    assert "learning-record.clr.json" not in names and "learning-record.clr.jwt" not in names
    assert any(n.endswith(".json") and n.startswith("credentials/") for n in names)
    assert "no CLR 2.0 record" in record.read("README.txt").decode()


def test_revocation_shows_in_the_bitstring_of_both_forms(app, client, make_award, make_user):
    award = make_award()
    index = int(client.get(f"/ob/v3/credentials/{award.public_id}").get_json()["credentialStatus"]["statusListIndex"])
    jwks = client.get("/.well-known/jwks.json").get_json()
    did = client.get("/.well-known/did.json").get_json()

    def bits() -> tuple[int, int]:
        jwt_form = ob3.verify(client.get("/ob/v3/status/1").get_data(as_text=True), jwks)
        ld_form = client.get("/ob/v3/status/1", headers={"Accept": "application/ld+json"}).get_json()
        assert node_verify(ld_form, did)["verified"] is True
        return tuple(statuslist.bit(statuslist.decode(f["credentialSubject"]["encodedList"]), index)
                     for f in (jwt_form, ld_form))

    assert bits() == (0, 0)
    awards.revoke_award(db.session, award, reason="Awarded by mistake", by=make_user("pd_admin"))
    db.session.commit()
    assert bits() == (1, 1)
