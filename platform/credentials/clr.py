"""My learning record: a signed CLR 2.0 ClrCredential wrapping the person's OB 3.0 credentials, with
each credential's own VC-JWT, the baked images and a printable transcript, in one zip file."""
from __future__ import annotations

import io
import json
import zipfile

from flask import render_template

from milepost.accounts.models import User
from milepost.core.model import utcnow
from milepost.credentials import baking, keys, ob2, ob3, services

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


def clr_credential(session, person: User, awards, credentials: list[dict]) -> dict:
    now = utcnow()
    issuer = ob3.issuer_profile(session)
    hours = sum(float(c["credentialSubject"].get("creditsEarned") or 0) for c in credentials)
    identifier = credentials[0]["credentialSubject"]["identifier"] if credentials else [
        {"type": "IdentityObject", "identityHash": person.display_name, "identityType": "name", "hashed": False}]
    return {
        "@context": [ob3.VC_CONTEXT, CLR_CONTEXT, ob3.OB3_CONTEXT, ob3.OB3_EXTENSIONS],
        "id": f"urn:uuid:{_uuid()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"Professional learning record of {person.display_name}",
        "description": f"{len(credentials)} badge{'s' if len(credentials) != 1 else ''} and {hours:g} credit hours "
                       f"from {issuer['name']}, as of {now:%d %B %Y}.",
        "issuer": issuer,
        "validFrom": ob2.when(now),
        "credentialSubject": {
            "type": ["ClrSubject"],
            "identifier": identifier,
            "achievement": [c["credentialSubject"]["achievement"] for c in credentials],
            "verifiableCredential": credentials,
        },
    }


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def _file_stem(award) -> str:
    return f"{award.badge.slug}-v{award.badge_version.number}"


def learning_record_zip(session, person: User) -> bytes:
    awards = services.awards_for_record(session, person)
    credentials = [ob3.credential(session, a) for a in awards]
    clr = clr_credential(session, person, awards, credentials)
    clr_jwt = ob3.sign(session, clr)
    rows = [{"award": a, "credential": c, "hours": float(c["credentialSubject"]["creditsEarned"] or 0),
             "file": _file_stem(a)} for a, c in zip(awards, credentials, strict=True)]
    transcript = render_template("credentials/transcript.html", person=person, rows=rows,
                                 issuer=services.issuer(session), generated_at=utcnow(),
                                 total_hours=sum(r["hours"] for r in rows), did=keys.did_web(),
                                 jwks_url=services.absolute("credentials.jwks"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", _readme(person))
        zf.writestr("transcript.html", transcript)
        zf.writestr("learning-record.clr.jwt", clr_jwt)
        zf.writestr("learning-record.clr.json", json.dumps(clr, indent=2, ensure_ascii=False))
        for row in rows:
            award = row["award"]
            zf.writestr(f"credentials/{row['file']}.jwt", ob3.sign(session, row["credential"]))
            zf.writestr(f"credentials/{row['file']}.json", json.dumps(row["credential"], indent=2, ensure_ascii=False))
            zf.writestr(f"images/{row['file']}.png", baking.baked(session, award, "png"))
            zf.writestr(f"images/{row['file']}.svg", baking.baked(session, award, "svg"))
    return buffer.getvalue()


def _readme(person: User) -> str:
    return (
        f"Professional learning record of {person.display_name}\n\n"
        "transcript.html            a printable list of your badges and credit hours\n"
        "learning-record.clr.jwt    all your badges as one signed CLR 2.0 credential (VC-JWT, EdDSA)\n"
        "learning-record.clr.json   the same record, readable\n"
        "credentials/*.jwt          each badge as a signed Open Badges 3.0 credential\n"
        "images/*.png, *.svg        each badge image with its Open Badges 2.0 assertion baked in\n\n"
        f"The district's public keys: {services.absolute('credentials.jwks')} and {keys.did_web()}\n"
    )
