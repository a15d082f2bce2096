"""Open Badges 3.0: the award as an OpenBadgeCredential (W3C VC Data Model 2.0 with the OB 3.0
context), secured as a VC-JWT (OB 3.0 section 8.2: the credential is the JWT payload beside the
registered claims) signed RS256 with the district's RSA key, the key named by its did:web DID URL."""
from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime

from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import JWKRegistry, RSAKey

from milepost.accounts.models import User
from milepost.awards.models import Award
from milepost.credentials import jsonld, keys, ob2, services, statuslist
from milepost.credentials.services import absolute

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines 1EdTechJsonSchemaValidator2019 (credentialSchema's type), which context-3.0.3 does not.
OB3_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CONTEXTS = [VC_CONTEXT, OB3_CONTEXT, OB3_EXTENSIONS]
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
        "id": services.subject_id(award, state),
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
        "@context": list(CONTEXTS),
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


def jwt_claims(document: dict) -> dict:
    """OB 3.0's registered claims for a credential: iss, sub (the subject's id), jti (the credential's
    id), nbf and iat (validFrom), exp (validUntil). They live in the JWT only, not in the JSON-LD form."""
    issuer = document["issuer"]["id"] if isinstance(document["issuer"], dict) else document["issuer"]
    claims = {"iss": issuer}
    subject = document.get("credentialSubject") or {}
    if isinstance(subject, dict) and subject.get("id"):
        claims["sub"] = subject["id"]
    if document.get("id"):
        claims["jti"] = document["id"]
    valid_from = datetime.strptime(document["validFrom"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    claims["iat"] = claims["nbf"] = int(valid_from.timestamp())
    if document.get("validUntil"):
        valid_until = datetime.strptime(document["validUntil"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        claims["exp"] = int(valid_until.timestamp())
    return claims


def sign(session, document: dict) -> str:
    """A compact JWS of the credential (RS256, current key). OB 3.0 allows only alg, kid and typ "JWT"
    in the header; kid is the key's DID URL, the same string the JWKS and did.json publish. A document
    with an unknown context or an undefined term is refused (jsonld.JsonLdProblem) before signing."""
    jsonld.check(document)
    key = keys.current_key(session, keys.JWT_ALGORITHM)
    header = {"alg": keys.JWT_ALGORITHM, "typ": "JWT", "kid": keys.verification_method(key.kid)}
    payload = {**document, **jwt_claims(document)}
    private = RSAKey.import_key(keys.private_key(key.kid))
    return jws.serialize_compact(header, json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode(),
                                 private, algorithms=[keys.JWT_ALGORITHM])


def signed_credential(session, award: Award) -> str:
    return sign(session, credential(session, award))


def verify(token: str, jwks: dict) -> dict:
    """The payload of a VC-JWT whose signature checks out against the key of the JWKS its kid names.

    Tokens signed before RS256 (EdDSA, kid ending in the bare thumbprint) still verify. ValueError if not."""
    try:
        header = jws.extract_compact(token.encode("ascii")).protected
    except (ValueError, UnicodeError, JoseError) as exc:
        raise ValueError("not a compact JWS") from exc
    algorithm = header.get("alg")
    if algorithm not in (keys.JWT_ALGORITHM, "EdDSA"):
        raise ValueError("unexpected algorithm")
    kid = str(header.get("kid", ""))
    entry = next((k for k in jwks.get("keys", []) if k.get("kid") == kid), None)
    if entry is None:  # a token of the first release named its key by the thumbprint after '#'
        entry = next((k for k in jwks.get("keys", []) if k.get("kid", "").rsplit("#", 1)[-1] == kid.rsplit("#", 1)[-1]
                      and k.get("alg") == algorithm), None)
    if entry is None:
        raise ValueError("unknown key")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc notes that RFC 9864 prefers the name Ed25519 to EdDSA
            obj = jws.deserialize_compact(token, JWKRegistry.import_key(entry), algorithms=[algorithm])
    except BadSignatureError as exc:
        raise ValueError("bad signature") from exc
    except (ValueError, JoseError) as exc:
        raise ValueError("not a valid JWS") from exc
    return json.loads(obj.payload)
