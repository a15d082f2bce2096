"""Open Badges 3.0 credentials: the schema, the VC-JWT signature against the published keys, the
Bitstring status list, key rotation and the did:web document."""
from __future__ import annotations

import json
import os
import stat
from datetime import timedelta

import jsonschema
import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import JWKRegistry, KeySet

from milepost.awards import services as awards
from milepost.core.model import utcnow
from milepost.credentials import ob3, services, statuslist
from milepost.credentials.models import AwardCredential
from milepost.extensions import db


def check_schema(schema: dict, document: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def verify_with_published_keys(client, token: str) -> dict:
    """Verify with joserfc (not our own code) and the JWKS as any verifier would fetch it: the key is
    the one whose kid is the token's kid, exactly."""
    response = client.get("/.well-known/jwks.json")
    assert response.mimetype == "application/jwk-set+json"
    key_set = KeySet.import_key_set(response.get_json())
    header = jws.extract_compact(token.encode()).protected
    obj = jws.deserialize_compact(token, key_set.get_by_kid(header["kid"]), algorithms=["RS256"])
    return json.loads(obj.payload)


def verify_through_did_web(client, token: str) -> dict:
    """Resolve the kid as a DID URL: did:web:milepost.test -> /.well-known/did.json, then the method."""
    kid = jws.extract_compact(token.encode()).protected["kid"]
    did, _, fragment = kid.partition("#")
    assert did == "did:web:milepost.test" and fragment
    document = client.get("/.well-known/did.json").get_json()
    method = next(m for m in document["verificationMethod"] if m["id"] == kid)
    assert method["controller"] == did and kid in document["assertionMethod"]
    obj = jws.deserialize_compact(token, JWKRegistry.import_key(method["publicKeyJwk"]), algorithms=["RS256"])
    return json.loads(obj.payload)


def test_the_credential_passes_the_ob3_schema(app, client, make_award, make_badge, make_strand, ob3_schema):
    make_strand("agency", name="Student agency")
    award = make_award(badge=make_badge("goal-setting", strand="agency", credit_hours=4.5))
    response = client.get(f"/ob/v3/credentials/{award.public_id}")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    doc = response.get_json()

    assert check_schema(ob3_schema, doc) == []
    assert doc["@context"] == ["https://www.w3.org/ns/credentials/v2",
                               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                               "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"]
    assert doc["credentialSubject"]["creditsEarned"] == 4.5
    assert doc["credentialSubject"]["achievement"]["alignment"][0]["targetName"] == "Student agency"
    assert doc["issuer"]["id"] == "did:web:milepost.test"
    assert doc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert doc["credentialStatus"]["statusListCredential"] == "http://milepost.test/ob/v3/status/1"
    assert "validUntil" not in doc


def test_expiry_and_source_appear_in_the_credential(app, client, make_award, make_user, ob3_schema):
    from milepost.accounts.models import School

    school = School(name="Hillside Elementary")
    db.session.add(school)
    db.session.commit()
    teacher = make_user("teacher", school=school)
    award = make_award(user=teacher, expires_at=utcnow() + timedelta(days=365 * 3))
    doc = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    assert check_schema(ob3_schema, doc) == []
    assert doc["validUntil"] == award.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert doc["credentialSubject"]["source"]["name"] == "Hillside Elementary"
    assert doc["credentialSubject"]["source"]["parentOrg"]["id"] == "did:web:milepost.test"
    payload = verify_with_published_keys(client, client.get(f"/ob/v3/credentials/{award.public_id}.jwt")
                                         .get_data(as_text=True))
    assert payload["exp"] == int(award.expires_at.replace(microsecond=0).timestamp())


def test_the_signature_verifies_with_the_published_key_and_fails_when_one_byte_changes(app, client, make_award):
    award = make_award()
    response = client.get(f"/ob/v3/credentials/{award.public_id}.jwt")
    assert response.mimetype == "application/vc+jwt"
    token = response.get_data(as_text=True)

    payload = verify_with_published_keys(client, token)
    assert payload["id"] == f"http://milepost.test/ob/v3/credentials/{award.public_id}"
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["iss"] == "did:web:milepost.test"

    head, body, signature = token.split(".")
    changed_body = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    changed_signature = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    for forged in (f"{head}.{changed_body}.{signature}", f"{head}.{body}.{changed_signature}"):
        with pytest.raises(BadSignatureError):
            verify_with_published_keys(client, forged)
        with pytest.raises(ValueError):
            ob3.verify(forged, client.get("/.well-known/jwks.json").get_json())


def test_the_did_web_document_names_the_signing_key(app, client, make_award):
    award = make_award()
    token = client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True)
    kid = jws.extract_compact(token.encode()).protected["kid"]
    response = client.get("/.well-known/did.json")
    assert response.mimetype == "application/did+ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    did = response.get_json()
    assert did["id"] == "did:web:milepost.test"
    assert kid in did["assertionMethod"]
    method = next(m for m in did["verificationMethod"] if m["id"] == kid)
    assert method["type"] == "JsonWebKey" and method["publicKeyJwk"]["kty"] == "RSA"
    assert not {"d", "p", "q"} & set(method["publicKeyJwk"])
    assert verify_through_did_web(client, token)["sub"].startswith("urn:uuid:")
    ed25519 = [m for m in did["verificationMethod"] if m["type"] == "Multikey"]
    assert len(ed25519) == 1 and ed25519[0]["publicKeyMultibase"].startswith("z6Mk")
    assert ed25519[0]["id"] in did["assertionMethod"]
    assert did["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def test_the_status_list_bit_flips_when_the_award_is_revoked(app, client, make_award, make_user):
    award = make_award()
    index = int(client.get(f"/ob/v3/credentials/{award.public_id}").get_json()["credentialStatus"]["statusListIndex"])
    assert index == db.session.get(AwardCredential, award.id).status_index

    def bit_now() -> int:
        response = client.get("/ob/v3/status/1")
        assert response.mimetype == "application/vc+jwt"
        status = verify_with_published_keys(client, response.get_data(as_text=True))
        assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        bits = statuslist.decode(status["credentialSubject"]["encodedList"])
        assert len(bits) * 8 >= 131072
        return statuslist.bit(bits, index)

    assert bit_now() == 0
    awards.revoke_award(db.session, award, reason="Awarded by mistake", by=make_user("pd_admin"))
    db.session.commit()
    assert bit_now() == 1


def test_the_bitstring_counts_from_the_left(app):
    bits = statuslist.decode(statuslist.encode([0, 9], size=16))
    assert bits == bytes([0b10000000, 0b01000000])


def test_key_rotation_keeps_old_credentials_verifiable(app, client, make_award):
    award = make_award()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["credentials", "keygen"]).exit_code == 0
    old = client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True)
    result = runner.invoke(args=["credentials", "rotate-key"])
    assert result.exit_code == 0, result.output

    new = client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True)
    old_kid = jws.extract_compact(old.encode()).protected["kid"]
    new_kid = jws.extract_compact(new.encode()).protected["kid"]
    assert old_kid != new_kid
    assert verify_with_published_keys(client, old)["id"] == verify_with_published_keys(client, new)["id"]
    did = client.get("/.well-known/did.json").get_json()
    assert {old_kid, new_kid} <= set(did["assertionMethod"])
    assert verify_through_did_web(client, old)["id"] == verify_through_did_web(client, new)["id"]
    assert len([m for m in did["verificationMethod"] if m["type"] == "Multikey"]) == 2


def test_keygen_keeps_the_private_key_in_the_instance_folder(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["credentials", "keygen"])
    assert result.exit_code == 0, result.output
    for key in client.get("/.well-known/jwks.json").get_json()["keys"]:
        path = os.path.join(app.instance_path, "credential-keys", f"{key['kid'].rsplit('#', 1)[-1]}.pem")
        assert os.path.isfile(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "PRIVATE" not in client.get("/.well-known/jwks.json").get_data(as_text=True)
    again = runner.invoke(args=["credentials", "keygen"])
    assert "already exist" in again.output
    published = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert sorted(k["alg"] for k in published) == ["EdDSA", "RS256"]


def test_the_jose_header_is_what_ob3_allows_and_sub_is_the_subject(app, client, make_award, make_badge):
    award = make_award()
    token = client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True)
    header = jws.extract_compact(token.encode()).protected
    assert set(header) == {"alg", "kid", "typ"}
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    payload = verify_with_published_keys(client, token)
    doc = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    subject = doc["credentialSubject"]
    assert payload["sub"] == subject["id"] == payload["credentialSubject"]["id"]
    assert subject["id"].startswith("urn:uuid:")
    # The hashed email stays: it is what a verifier matches the earner by.
    identity = subject["identifier"][0]
    assert identity["identityType"] == "emailAddress" and identity["hashed"] is True
    assert identity["identityHash"] == services.hashed_email(award.user.email, identity["salt"])
    assert payload["jti"] == doc["id"] and payload["iss"] == doc["issuer"]["id"]
    # The JWT claims are not part of the JSON-LD credential.
    assert not {"jti", "sub", "iss", "nbf", "iat", "exp"} & set(doc)
    # The same award always has the same subject id; another award has another.
    assert client.get(f"/ob/v3/credentials/{award.public_id}").get_json()["credentialSubject"]["id"] == subject["id"]
    other = make_award(user=award.user, badge=make_badge("another-badge"))
    assert client.get(f"/ob/v3/credentials/{other.public_id}").get_json()["credentialSubject"]["id"] != subject["id"]


def test_a_token_signed_with_the_first_release_ed25519_key_still_verifies(app, client, make_award):
    """Before RS256, VC-JWTs were signed EdDSA; such a key stays published and its tokens verify."""
    from milepost.credentials import keys
    from milepost.credentials.keys import b64url

    award = make_award()
    legacy = keys.generate_key(db.session, algorithm="EdDSA")
    db.session.commit()
    header = {"alg": "EdDSA", "kid": keys.verification_method(legacy.kid), "typ": "vc+jwt", "cty": "vc"}
    body = {"id": "x", "iss": "did:web:milepost.test"}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(body).encode())
    token = signing_input + "." + b64url(keys.private_key(legacy.kid).sign(signing_input.encode()))
    assert ob3.verify(token, client.get("/.well-known/jwks.json").get_json())["id"] == "x"
    with pytest.raises(ValueError, match="unknown key"):
        ob3.verify(token, {"keys": []})
    assert award


def test_an_unknown_algorithm_or_garbage_is_refused(app, client):
    jwks = client.get("/.well-known/jwks.json").get_json()
    for token in ("not-a-token", "a.b.c", "eyJhbGciOiJub25lIn0.e30."):
        with pytest.raises(ValueError):
            ob3.verify(token, jwks)
