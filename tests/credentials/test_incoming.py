"""Checking credentials teachers bring: Milepost's own (every form) and an outside issuer's (signed with
the npm tools, or RS256 in Python), accepted when good and refused, with a clear reason, when tampered,
revoked, expired, made out to someone else or unsigned. Offline: documents come from the app or a dict."""
from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import RSAKey

from milepost.awards import services as awards
from milepost.core.model import utcnow
from milepost.credentials import incoming, services
from milepost.extensions import db
from tests.helpers.node_verifier import node_issue

OUTSIDE = "issuer.example"


def outside_fetch(documents: dict):
    """Fetch answering this site from the app and issuer.example from `documents`, nothing else."""
    def fetch(url, accept="application/json"):
        if url in documents:
            body = documents[url]
            return incoming.Fetched(200, "application/json",
                                    body.encode() if isinstance(body, str) else json.dumps(body).encode())
        return incoming.own_site_fetch(url, accept)
    return fetch


def reasons(verdict) -> str:
    return " | ".join(verdict.reasons)


def test_milepost_credentials_in_every_form_are_accepted(app, client, make_award):
    award = make_award()
    email = award.user.email
    jwt = client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True)
    ld = client.get(f"/ob/v3/credentials/{award.public_id}").get_data(as_text=True)
    png = client.get(f"/credentials/awards/{award.public_id}/badge.png").get_data()
    svg = client.get(f"/credentials/awards/{award.public_id}/badge.svg").get_data()
    url = f"http://milepost.test/ob/v2/assertions/{award.public_id}"
    for kind, given in (("jwt", {"text": jwt}), ("json", {"text": ld}), ("png", {"data": png}),
                        ("svg", {"data": svg}), ("url", {"text": url})):
        verdict = incoming.verify(email=email, **given)
        assert verdict.status == "valid", (kind, reasons(verdict))
        assert verdict.achievement and verdict.issuer_name, kind
        assert {c["check"] for c in verdict.checks} >= {"dates", "recipient"}, kind
        assert "checks out" in verdict.summary


def test_an_address_of_an_ob3_credential_or_of_the_award_page_is_checked_as_ob3(app, make_award):
    award = make_award()
    for url in (f"http://milepost.test/ob/v3/credentials/{award.public_id}",
                f"http://milepost.test/ob/v3/credentials/{award.public_id}.jwt",
                f"http://milepost.test/credentials/awards/{award.public_id}"):
        verdict = incoming.verify(text=url, email=award.user.email)
        assert verdict.status == "valid", (url, reasons(verdict))
        assert verdict.format.startswith("Open Badges 3.0"), url
    missing = incoming.verify(text="http://milepost.test/ob/v2/assertions/no-such-award")
    assert missing.status == "refused" and "answered 404" in reasons(missing)


def test_tampered_credentials_are_refused(app, client, make_award):
    award = make_award()
    jwt = client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True)
    head, body, sig = jwt.split(".")
    forged = f"{head}.{body[:20]}{'A' if body[20] != 'A' else 'B'}{body[21:]}.{sig}"
    verdict = incoming.verify(text=forged, email=award.user.email)
    assert verdict.status == "refused"
    assert "changed after it was signed" in reasons(verdict) or "malformed" in reasons(verdict)

    doc = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    doc["credentialSubject"]["creditsEarned"] = 99.0
    verdict = incoming.verify(text=json.dumps(doc), email=award.user.email)
    assert verdict.status == "refused" and "changed after signing" in reasons(verdict)


def test_revoked_and_expired_credentials_say_so(app, client, make_award, make_user, make_badge):
    award = make_award()
    jwt = client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True)
    ld = client.get(f"/ob/v3/credentials/{award.public_id}").get_data(as_text=True)
    awards.revoke_award(db.session, award, reason="Awarded by mistake", by=make_user("pd_admin"))
    db.session.commit()
    for given in ({"text": jwt}, {"text": ld}, {"text": f"http://milepost.test/ob/v2/assertions/{award.public_id}"}):
        verdict = incoming.verify(email=award.user.email, **given)
        assert verdict.status == "revoked", reasons(verdict)
        assert "revoked" in reasons(verdict) and "revoked" in verdict.summary

    old = make_award(badge=make_badge("old-badge"), expires_at=utcnow() - timedelta(days=2))
    token = client.get(f"/ob/v3/credentials/{old.public_id}.jwt").get_data(as_text=True)
    verdict = incoming.verify(text=token, email=old.user.email)
    assert verdict.status == "expired" and "expired on" in reasons(verdict)


def test_a_credential_for_someone_else_is_refused(app, client, make_award):
    award = make_award()
    for text in (client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True),
                 f"http://milepost.test/ob/v2/assertions/{award.public_id}"):
        verdict = incoming.verify(text=text, email="someone.else@school.example")
        assert verdict.status == "refused" and "made out to someone else" in reasons(verdict)


def test_unsigned_and_unreadable_input_is_refused(app, client, make_award):
    award = make_award()
    doc = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    assert "not signed" in reasons(incoming.verify(text=json.dumps(unsigned), email=award.user.email))
    from milepost.credentials.keys import b64url

    alg_none = b64url(b'{"alg":"none"}') + "." + b64url(json.dumps(unsigned).encode()) + "."
    assert "not signed" in reasons(incoming.verify(text=alg_none))
    assert "Nothing was given" in reasons(incoming.verify(text=""))
    assert "not a credential Milepost can read" in reasons(incoming.verify(text="hello there"))
    assert "carries no badge" in reasons(incoming.verify(
        data=client.get(f"/ob/v2/badgeclasses/{award.badge_version_id}/image.png").get_data()))
    unknown = copy.deepcopy(doc)
    unknown["@context"].append("https://example.org/unknown-context")
    assert "not one Milepost ships" in reasons(incoming.verify(text=json.dumps(unknown)))


def test_an_outside_issuer_signing_with_the_npm_tools_is_accepted_and_checked(app):
    email = "ada@school.example"
    salt = "pepper123"
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7f8e0f6a-0c54-4a8e-9f57-0d1f7a7ad001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": f"did:web:{OUTSIDE}", "type": ["Profile"], "name": "State Teaching Academy"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Restorative Circles",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": services.hashed_email(email, salt),
                            "identityType": "emailAddress", "hashed": True, "salt": salt}],
            "achievement": {"id": "https://issuer.example/achievements/1", "type": ["Achievement"],
                            "name": "Restorative Circles", "description": "Runs circles.",
                            "criteria": {"narrative": "Ran three circles."}},
        },
    }
    signed, did = node_issue(credential, OUTSIDE)
    fetch = outside_fetch({f"https://{OUTSIDE}/.well-known/did.json": did})

    verdict = incoming.verify(text=json.dumps(signed), email=email, fetch=fetch)
    assert verdict.status == "valid", reasons(verdict)
    assert verdict.issuer_name == "State Teaching Academy" and verdict.achievement == "Restorative Circles"

    assert "made out to someone else" in reasons(incoming.verify(text=json.dumps(signed), email="x@y.example",
                                                                 fetch=fetch))
    tampered = copy.deepcopy(signed)
    tampered["name"] = "Restorative Circlez"
    assert "changed after signing" in reasons(incoming.verify(text=json.dumps(tampered), email=email, fetch=fetch))
    other_key = copy.deepcopy(did)
    other_key["assertionMethod"] = []
    assert "not one the issuer publishes" in reasons(incoming.verify(
        text=json.dumps(signed), email=email, fetch=outside_fetch({f"https://{OUTSIDE}/.well-known/did.json":
                                                                   other_key})))
    unreachable = incoming.verify(text=json.dumps(signed), email=email, fetch=incoming.own_site_fetch)
    assert unreachable.status == "refused" and "could not be fetched" in reasons(unreachable)


def test_an_outside_rs256_jwt_with_its_status_list_is_checked(app):
    email = "ada@school.example"
    private = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    kid = f"did:web:{OUTSIDE}#key-1"
    public = {**private.as_dict(private=False), "kid": kid}
    did = {"id": f"did:web:{OUTSIDE}", "verificationMethod": [{"id": kid, "type": "JsonWebKey",
                                                               "controller": f"did:web:{OUTSIDE}",
                                                               "publicKeyJwk": public}],
           "assertionMethod": [kid]}
    from milepost.credentials import statuslist

    def sign(payload):
        return jws.serialize_compact({"alg": "RS256", "typ": "JWT", "kid": kid}, json.dumps(payload).encode(),
                                     private, algorithms=["RS256"])

    status_url = f"https://{OUTSIDE}/status/1"

    def status_list(revoked):
        return sign({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": status_url,
                     "type": ["VerifiableCredential", "BitstringStatusListCredential"], "issuer": f"did:web:{OUTSIDE}",
                     "validFrom": "2025-01-01T00:00:00Z",
                     "credentialSubject": {"type": "BitstringStatusList", "statusPurpose": "revocation",
                                           "encodedList": statuslist.encode(revoked)}})

    credential = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:1",
                  "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": f"did:web:{OUTSIDE}",
                  "validFrom": "2025-01-01T00:00:00Z", "iss": f"did:web:{OUTSIDE}",
                  "credentialSubject": {"id": f"mailto:{email}", "type": ["AchievementSubject"],
                                        "achievement": {"name": "Math Talks"}},
                  "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                                       "statusListIndex": "42", "statusListCredential": status_url}}
    token = sign(credential)
    docs = {f"https://{OUTSIDE}/.well-known/did.json": did, status_url: status_list([7])}
    verdict = incoming.verify(text=token, email=email, fetch=outside_fetch(docs))
    assert verdict.status == "valid", reasons(verdict)
    docs[status_url] = status_list([42])
    assert incoming.verify(text=token, email=email, fetch=outside_fetch(docs)).status == "revoked"


@pytest.mark.parametrize("url", ["http://issuer.example/x", "https://127.0.0.1/x", "https://localhost/x",
                                 "https://10.0.0.8/x", "file:///etc/passwd"])
def test_the_network_fetch_refuses_private_and_plain_addresses(app, url):
    with pytest.raises(incoming.CannotFetch):
        incoming.guarded_fetch(url)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    import zlib

    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def test_an_ob3_baked_png_or_svg_is_read_and_checked(app, client, make_award):
    """Open Badges 3.0 baking: the JWT in a PNG iTXt chunk 'openbadgecredential' or an SVG element."""
    award = make_award()
    token = client.get(f"/ob/v3/credentials/{award.public_id}.jwt").get_data(as_text=True)
    picture = client.get(f"/ob/v2/badgeclasses/{award.badge_version_id}/image.png").get_data()
    end = picture.rindex(b"IEND") - 4
    baked = picture[:end] + png_chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0" + token.encode()) + picture[end:]
    verdict = incoming.verify(data=baked, email=award.user.email)
    assert verdict.status == "valid", reasons(verdict)
    assert verdict.format == "Open Badges 3.0 (VC-JWT)"

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
           f'<openbadges:credential><![CDATA[{token}]]></openbadges:credential><circle r="4"/></svg>').encode()
    assert incoming.verify(data=svg, email=award.user.email).status == "valid"
    forged = svg.replace(token.encode()[-6:], b"AAAAAA")
    assert incoming.verify(data=forged, email=award.user.email).status == "refused"
