"""My learning record: a CLR 2.0 ClrCredential wrapping the person's OB 3.0 credentials, each nested
credential carrying its own embedded proof (so a wallet verifies them one by one) and the CLR its own
proof and VC-JWT, with each credential's VC-JWT, the baked images and a printable transcript, in one zip.

The CLR 2.0.1 JSON-LD context ships in no package: `make install` bundles the copy in
../shared/vendor/1edtech (checked against its published sha256). Where it is missing, signing the CLR
would need a context Milepost cannot check, so the zip leaves the CLR out and says why."""
from __future__ import annotations

import io
import json
import logging
import zipfile

from flask import render_template

from milepost.accounts.models import User
from milepost.core.model import utcnow
from milepost.credentials import baking, dataintegrity, jsonld, keys, ob2, ob3, services

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
log = logging.getLogger(__name__)


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
            "id": services.person_subject_id(person),
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
    plain = [ob3.credential(session, a) for a in awards]
    credentials = [dataintegrity.add_proof(session, c) for c in plain]
    clr = clr_jwt = None
    if jsonld.has_context(CLR_CONTEXT):
        unsigned = clr_credential(session, person, awards, credentials)
        clr, clr_jwt = dataintegrity.add_proof(session, unsigned), ob3.sign(session, unsigned)
    else:
        log.warning("learning record without its CLR: the CLR 2.0.1 JSON-LD context is not installed")
    rows = [{"award": a, "credential": c, "hours": float(c["credentialSubject"]["creditsEarned"] or 0),
             "file": _file_stem(a)} for a, c in zip(awards, credentials, strict=True)]
    transcript = render_template("credentials/transcript.html", person=person, rows=rows,
                                 issuer=services.issuer(session), generated_at=utcnow(),
                                 total_hours=sum(r["hours"] for r in rows), did=keys.did_web(),
                                 jwks_url=services.absolute("credentials.jwks"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", _readme(person, with_clr=clr is not None))
        zf.writestr("transcript.html", transcript)
        if clr is not None:
            zf.writestr("learning-record.clr.jwt", clr_jwt)
            zf.writestr("learning-record.clr.json", json.dumps(clr, indent=2, ensure_ascii=False))
        for row, unsigned_credential in zip(rows, plain, strict=True):
            award = row["award"]
            zf.writestr(f"credentials/{row['file']}.jwt", ob3.sign(session, unsigned_credential))
            zf.writestr(f"credentials/{row['file']}.json", json.dumps(row["credential"], indent=2, ensure_ascii=False))
            zf.writestr(f"images/{row['file']}.png", baking.baked(session, award, "png"))
            zf.writestr(f"images/{row['file']}.svg", baking.baked(session, award, "svg"))
    return buffer.getvalue()


def _readme(person: User, *, with_clr: bool = True) -> str:
    clr = ("learning-record.clr.jwt    all your badges as one signed CLR 2.0 credential (VC-JWT, RS256)\n"
           "learning-record.clr.json   the same record with an embedded proof (eddsa-rdfc-2022), each badge\n"
           "                           inside it signed too\n") if with_clr else (
           "(no CLR 2.0 record: this server lacks the CLR JSON-LD context; each badge below is complete)\n")
    return (
        f"Professional learning record of {person.display_name}\n\n"
        "transcript.html            a printable list of your badges and credit hours\n"
        + clr +
        "credentials/*.jwt          each badge as a signed Open Badges 3.0 credential (VC-JWT)\n"
        "credentials/*.json         each badge with an embedded proof (eddsa-rdfc-2022)\n"
        "images/*.png, *.svg        each badge image with its Open Badges 2.0 assertion baked in\n\n"
        f"The district's public keys: {services.absolute('credentials.jwks')} and {keys.did_web()}\n"
    )
