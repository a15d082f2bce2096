"""The district's Ed25519 signing keys: private keys as PEM files in the instance folder (never in
the database), sealed with the SEALING_KEYS (core.sealing) so a copied folder or backup alone does not
give them away; public keys as rows so every app server publishes the same JWKS and did:web document.
Rotation retires the current key but keeps publishing it, so credentials it signed still verify."""
from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from sqlalchemy import select

from milepost.core import audit, sealing
from milepost.core.errors import DomainError
from milepost.core.model import utcnow
from milepost.credentials.models import SigningKey


class KeyMissing(DomainError):
    status = 500


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def keys_folder() -> Path:
    return Path(current_app.config.get("CREDENTIAL_KEYS_PATH") or Path(current_app.instance_path) / "credential-keys")


def public_jwk(private: Ed25519PrivateKey) -> dict:
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint: the key's own name, the same wherever it is computed."""
    members = json.dumps({k: jwk[k] for k in ("crv", "kty", "x")}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(members.encode()).digest())


def generate_key(session, *, actor=None) -> SigningKey:
    """A new key: the private half written (mode 0600) before the public row is added."""
    private = Ed25519PrivateKey.generate()
    jwk = public_jwk(private)
    kid = thumbprint(jwk)
    folder = keys_folder()
    folder.mkdir(parents=True, exist_ok=True)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(folder / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(sealing.seal_bytes(pem))
    row = SigningKey(kid=kid, algorithm="EdDSA", public_jwk={**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"})
    session.add(row)
    session.flush()
    audit.record(session, "credentials.key_generated", actor=actor, target=row, kid=kid)
    return row


def current_key(session) -> SigningKey:
    """The key that signs now, made on first use if the CLI has not made one."""
    row = session.scalar(select(SigningKey).where(SigningKey.retired_at.is_(None))
                         .order_by(SigningKey.created_at.desc(), SigningKey.id.desc()).limit(1))
    return row if row is not None else generate_key(session)


def rotate_key(session, *, actor=None) -> SigningKey:
    now = utcnow()
    for row in session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        row.retired_at = now
        audit.record(session, "credentials.key_retired", actor=actor, target=row, kid=row.kid)
    return generate_key(session, actor=actor)


def private_key(kid: str) -> Ed25519PrivateKey:
    path = keys_folder() / f"{kid}.pem"
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyMissing(
            f"The private signing key {kid} is not in {path.parent}. Copy the instance folder's "
            "credential-keys from the server that made it, or run `milepost credentials rotate-key`.") from exc
    try:
        return serialization.load_pem_private_key(sealing.unseal_bytes(data), password=None)
    except sealing.SealBroken as exc:
        raise KeyMissing(f"The private signing key {kid} cannot be opened: {exc} Restore the SEALING_KEYS "
                         "setting that was in use when it was made.") from None


def reseal_key_files() -> int:
    """Seal plain PEM files (made before sealing) and re-seal the others under the newest key; how many."""
    count = 0
    folder = keys_folder()
    for path in sorted(folder.glob("*.pem")) if folder.exists() else []:
        data = path.read_bytes()
        opened = sealing.unseal_bytes(data)
        fresh = sealing.seal_bytes(opened)
        tmp = path.with_suffix(".pem.new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(fresh)
        os.replace(tmp, path)
        count += 1
    return count


def all_keys(session) -> list[SigningKey]:
    return session.scalars(select(SigningKey).order_by(SigningKey.created_at, SigningKey.id)).all()


def jwks(session) -> dict:
    return {"keys": [dict(row.public_jwk) for row in all_keys(session)]}


def did_web() -> str:
    """did:web for BASE_URL: the host (port percent-encoded), then any path segments."""
    parts = urlsplit(current_app.config["BASE_URL"])
    segments = [quote(parts.netloc, safe="")] + [quote(s, safe="") for s in parts.path.split("/") if s]
    return "did:web:" + ":".join(segments)


def verification_method(kid: str) -> str:
    return f"{did_web()}#{kid}"


def did_document(session) -> dict:
    did = did_web()
    rows = all_keys(session)
    methods = [{"id": f"{did}#{row.kid}", "type": "JsonWebKey2020", "controller": did,
                "publicKeyJwk": {k: v for k, v in row.public_jwk.items() if k in ("kty", "crv", "x", "kid")}}
               for row in rows]
    refs = [m["id"] for m in methods]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": refs,
        "authentication": refs,
    }
