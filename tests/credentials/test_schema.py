"""Every served Open Badges 3.0 credential (JSON-LD with its proof, the VC-JWT's payload, the copies in
the learning record and the ones nested in its CLR) against the official 1EdTech JSON schema read from
../shared/vendor/1edtech. Without that folder these skip with the reason; MILEPOST_REQUIRE_STANDARDS=1
makes them fail."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import jsonschema
import pytest

from milepost.core.model import utcnow
from milepost.credentials import ob3
from tests.helpers import credentials as helpers
from tests.helpers.app import login


def schema_errors(schema: dict, document: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_schema_is_the_official_file(ob3_schema):
    assert ob3_schema["$id"] == ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/"
                                 "ob_v3p0_achievementcredential_schema.json")
    assert "$comment" not in ob3_schema  # the hand-written stand-in of earlier releases had one


def test_every_served_form_of_a_credential_passes_the_official_schema(app, client, make_award, make_badge,
                                                                      make_strand, make_user, ob3_schema):
    make_strand("agency", name="Student agency")
    teacher = make_user("teacher")
    award = make_award(user=teacher, badge=make_badge("goal-setting", strand="agency", credit_hours=4.5))
    make_award(user=teacher, badge=make_badge("feedback-loops"), expires_at=utcnow() + timedelta(days=400))
    jwks = client.get("/.well-known/jwks.json").get_json()

    served = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    assert "proof" in served
    payload = ob3.verify(client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True), jwks)
    c = app.test_client()
    login(c, teacher.email)
    record = zipfile.ZipFile(io.BytesIO(c.get("/credentials/mine/learning-record.zip").get_data()))
    in_record = [json.loads(record.read(n)) for n in record.namelist() if n.startswith("credentials/")
                 and n.endswith(".json")]
    record_jwts = [ob3.verify(record.read(n).decode(), jwks) for n in record.namelist()
                   if n.startswith("credentials/") and n.endswith(".jwt")]
    clr = json.loads(record.read("learning-record.clr.json"))
    nested = clr["credentialSubject"]["verifiableCredential"]
    assert len(in_record) == len(record_jwts) == len(nested) == 2

    for document in [served, payload, *in_record, *record_jwts, *nested]:
        assert schema_errors(ob3_schema, document) == [], document["id"]


def test_the_schema_check_refuses_what_the_standard_refuses(app, client, make_award, ob3_schema):
    award = make_award()
    doc = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    del doc["credentialSubject"]["identifier"][0]["identityHash"]
    assert schema_errors(ob3_schema, doc)
    assert schema_errors(ob3_schema, {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["X"]})


def test_without_the_standards_folder_the_tests_skip_or_fail_when_required(monkeypatch, tmp_path):
    monkeypatch.setenv("MILEPOST_STANDARDS_PATH", str(tmp_path))
    monkeypatch.delenv("MILEPOST_REQUIRE_STANDARDS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="official OB 3.0 JSON schema is not at"):
        helpers.official_ob3_schema()
    monkeypatch.setenv("MILEPOST_REQUIRE_STANDARDS", "1")
    with pytest.raises(pytest.fail.Exception, match="MILEPOST_REQUIRE_STANDARDS is set"):
        helpers.official_ob3_schema()
