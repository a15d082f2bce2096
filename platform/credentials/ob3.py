"""Open Badges 3.0: the award as an OpenBadgeCredential (W3C VC Data Model 2.0 with the OB 3.0
context), secured as a VC-JWT (VC-JOSE-COSE: the credential is the JWT payload) signed with the
district's Ed25519 key (alg EdDSA), the key named by its did:web verification method.

An embedded eddsa-rdfc-2022 Data Integrity proof is not produced: it needs RDF canonicalisation over
the VC 2.0 and OB 3.0 JSON-LD contexts (and local copies of them at run time); the JWT form is what
OB 3.0 verifiers accept without it."""
from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from milepost.accounts.models import User
from milepost.awards.models import Award
from milepost.credentials import keys, ob2, services, statuslist
from milepost.credentials.keys import b64url
from milepost.credentials.services import absolute

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"


def credential_id(award: Award) -> str:
    return absolute("credentials.ob3_credential", public_id=award.public_id)


def issuer_profile(session) -> dict:
    who = services.issuer(session)
    profile = {"id": keys.did_web(), "type": ["Profile"], "name": who.name, "url": who.url, "email": who.email}
    if who.description:
        profile["description"] = who.description
    if who.image:
        profile["image"] = {"id": who.image, "type": "Image"}
    return profile


def source_profile(session, award: Award, issuer: dict) -> dict | None:
    """The school that assessed the award for the district: the deciding reviewer's, else the earner's."""
    school = None
    if award.issued_by_id:
        reviewer = session.get(User, award.issued_by_id)
        school = reviewer.school if reviewer else None
    school = school or award.user.school
    if school is None:
        return None
    return {"id": ob2.issuer_id() + f"#school-{school.id}", "type": ["Profile"], "name": school.name,
            "parentOrg": {"id": issuer["id"], "type": ["Profile"], "name": issuer["name"]}}


def achievement(session, award: Award) -> dict:
    version = award.badge_version
    snap = version.snapshot or {}
    hours = float(snap.get("credit_hours") or 0)
    item = {
        "id": ob2.badgeclass_id(version),
        "type": ["Achievement"],
        "achievementType": "Badge",
        "name": snap.get("title") or award.badge.title,
        "description": (snap.get("summary") or snap.get("competency") or snap.get("title") or "").strip(),
        "criteria": {"id": absolute("credentials.criteria_page", version_id=version.id),
                     "narrative": ob2.criteria_narrative(snap, services.judgement(session, award))},
        "image": {"id": absolute("credentials.badge_image", version_id=version.id, fmt="png"), "type": "Image"},
        "creditsAvailable": hours,
        "version": str(version.number),
    }
    if snap.get("tags"):
        item["tag"] = list(snap["tags"])
    aligned = [{"type": ["Alignment"], **a} for a in ob2.alignment(session, snap)]
    if aligned:
        item["alignment"] = aligned
    return item


def credential(session, award: Award) -> dict:
    state = services.credential_state(session, award)
    issuer = issuer_profile(session)
    snap = award.badge_version.snapshot or {}
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [{"type": "IdentityObject", "identityHash": services.hashed_email(award.user.email, state.salt),
                        "identityType": "emailAddress", "hashed": True, "salt": state.salt}],
        "achievement": achievement(session, award),
        "creditsEarned": float(snap.get("credit_hours") or 0),
    }
    source = source_profile(session, award, issuer)
    if source:
        subject["source"] = source
    doc = {
        "@context": [VC_CONTEXT, OB3_CONTEXT],
        "id": credential_id(award),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": snap.get("title") or award.badge.title,
        "description": f"Awarded by {issuer['name']} for the professional-learning badge "
                       f"“{snap.get('title') or award.badge.title}” (version {award.badge_version.number}).",
        "issuer": issuer,
        "validFrom": ob2.when(award.issued_at),
        "awardedDate": ob2.when(award.issued_at),
        "credentialSubject": subject,
        "credentialStatus": statuslist.entry(state),
        "credentialSchema": [{"id": SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if award.expires_at is not None:
        doc["validUntil"] = ob2.when(award.expires_at)
    return doc


# --------------------------------------------------------------------------- VC-JWT


def sign(session, document: dict) -> str:
    """A compact JWS of the credential with the current key; registered claims mirror the VC's own."""
    key = keys.current_key(session)
    header = {"alg": "EdDSA", "kid": keys.verification_method(key.kid), "typ": "vc+jwt", "cty": "vc"}
    payload = dict(document)
    issuer = document["issuer"]["id"] if isinstance(document["issuer"], dict) else document["issuer"]
    payload["iss"] = issuer
    payload["jti"] = document["id"]
    valid_from = datetime.strptime(document["validFrom"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    payload["iat"] = payload["nbf"] = int(valid_from.timestamp())
    if document.get("validUntil"):
        valid_until = datetime.strptime(document["validUntil"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        payload["exp"] = int(valid_until.timestamp())
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")))
    signature = keys.private_key(key.kid).sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url(signature)


def signed_credential(session, award: Award) -> str:
    return sign(session, credential(session, award))


def verify(token: str, jwks: dict) -> dict:
    """The payload of a VC-JWT whose EdDSA signature checks out against a key of the JWKS; ValueError if not."""
    def unb64(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    try:
        head_b64, body_b64, sig_b64 = token.split(".")
        header = json.loads(unb64(head_b64))
    except ValueError as exc:
        raise ValueError("not a compact JWS") from exc
    if header.get("alg") != "EdDSA":
        raise ValueError("unexpected algorithm")
    kid = str(header.get("kid", "")).rsplit("#", 1)[-1]
    jwk = next((k for k in jwks.get("keys", []) if k.get("kid") == kid), None)
    if jwk is None:
        raise ValueError("unknown key")
    try:
        Ed25519PublicKey.from_public_bytes(unb64(jwk["x"])).verify(unb64(sig_b64), f"{head_b64}.{body_b64}".encode())
    except InvalidSignature as exc:
        raise ValueError("bad signature") from exc
    return json.loads(unb64(body_b64))
