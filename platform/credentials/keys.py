"""The district's signing keys: private keys as PEM files in the instance folder (never in the
database), sealed with the SEALING_KEYS (core.sealing) so a copied folder or backup alone does not give
them away; public keys as rows so every app server publishes the same JWKS and did:web document.

Two kinds, each with its own row: an RSA key signs VC-JWTs with RS256 (the algorithm Open Badges 3.0
requires every verifier to accept), an Ed25519 key signs the embedded eddsa-rdfc-2022 Data Integrity
proofs. Rotation retires the current keys but keeps publishing them, so credentials they signed still
verify. Each key is named by its RFC 7638 thumbprint; published, its id is the did:web DID URL
`did:web:<host>#<thumbprint>`, the same string in the JWKS (`kid`) and in did.json, so a JWKS lookup
and a DID resolution both find it from the token's `kid`."""
from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from sqlalchemy import select

from milepost.core import audit, sealing
from milepost.core.errors import DomainError
from milepost.core.model import utcnow
from milepost.credentials.models import SigningKey

# What each key signs: the JWT algorithm, or the Data Integrity proofs (stored as the JOSE name EdDSA).
JWT_ALGORITHM = "RS256"
PROOF_ALGORITHM = "EdDSA"
ALGORITHMS = (JWT_ALGORITHM, PROOF_ALGORITHM)
RSA_BITS = 3072
# Multicodec prefix of an Ed25519 public key (0xed, varint-encoded) for publicKeyMultibase.
ED25519_MULTICODEC = b"\xed\x01"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class KeyMissing(DomainError):
    status = 500


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = BASE58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def keys_folder() -> Path:
    return Path(current_app.config.get("CREDENTIAL_KEYS_PATH") or Path(current_app.instance_path) / "credential-keys")


def _uint(number: int) -> str:
    return b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def public_jwk(private) -> dict:
    if isinstance(private, Ed25519PrivateKey):
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}
    numbers = private.public_key().public_numbers()
    return {"kty": "RSA", "n": _uint(numbers.n), "e": _uint(numbers.e)}


def thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint: the key's own name, the same wherever it is computed."""
    required = ("crv", "kty", "x") if jwk["kty"] == "OKP" else ("e", "kty", "n")
    members = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(members.encode()).digest())


def generate_key(session, *, algorithm: str = JWT_ALGORITHM, actor=None) -> SigningKey:
    """A new key: the private half written (mode 0600) before the public row is added."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown signing algorithm {algorithm}")
    private = (Ed25519PrivateKey.generate() if algorithm == PROOF_ALGORITHM
               else rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS))
    jwk = public_jwk(private)
    kid = thumbprint(jwk)
    folder = keys_folder()
    folder.mkdir(parents=True, exist_ok=True)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(folder / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(sealing.seal_bytes(pem))
    row = SigningKey(kid=kid, algorithm=algorithm, public_jwk={**jwk, "kid": kid, "alg": algorithm, "use": "sig"})
    session.add(row)
    session.flush()
    audit.record(session, "credentials.key_generated", actor=actor, target=row, kid=kid, algorithm=algorithm)
    return row


def current_key(session, algorithm: str = JWT_ALGORITHM) -> SigningKey:
    """The key that signs now with this algorithm, made on first use if the CLI has not made one."""
    row = session.scalar(select(SigningKey).where(SigningKey.retired_at.is_(None), SigningKey.algorithm == algorithm)
                         .order_by(SigningKey.created_at.desc(), SigningKey.id.desc()).limit(1))
    return row if row is not None else generate_key(session, algorithm=algorithm)


def ensure_keys(session, *, actor=None) -> list[SigningKey]:
    """The keys missing among the two kinds, made now (what `milepost credentials keygen` does)."""
    made = []
    for algorithm in ALGORITHMS:
        if session.scalar(select(SigningKey.id).where(SigningKey.retired_at.is_(None),
                                                      SigningKey.algorithm == algorithm)) is None:
            made.append(generate_key(session, algorithm=algorithm, actor=actor))
    return made


def rotate_key(session, *, actor=None) -> list[SigningKey]:
    """Retire every signing key and make one of each kind; the retired ones stay published."""
    now = utcnow()
    for row in session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        row.retired_at = now
        audit.record(session, "credentials.key_retired", actor=actor, target=row, kid=row.kid)
    session.flush()
    return [generate_key(session, algorithm=algorithm, actor=actor) for algorithm in ALGORITHMS]


def private_key(kid: str):
    path = keys_folder() / f"{kid}.pem"
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyMissing(
            f"The private signing key {kid} is not in {path.parent}. Copy the instance folder's "
            "credential-keys from the server that made it, or run `milepost credentials rotate-key`.") from exc
    try:
        return _load_private(data, sealing.key_ring())
    except sealing.SealBroken as exc:
        raise KeyMissing(f"The private signing key {kid} cannot be opened: {exc} Restore the SEALING_KEYS "
                         "setting that was in use when it was made.") from None


@lru_cache(maxsize=32)
def _load_private(data: bytes, sealing_keys: tuple[str, ...]):
    """Loaded once per process for the same file and sealing keys: checking an RSA key on load costs about
    150 ms, more than signing."""
    return serialization.load_pem_private_key(sealing.unseal_bytes(data), password=None)


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


def published_jwk(row: SigningKey) -> dict:
    """The public JWK as the JWKS and did.json give it: kid is the key's DID URL."""
    fields = ("kty", "crv", "x") if row.public_jwk["kty"] == "OKP" else ("kty", "n", "e")
    return {**{k: row.public_jwk[k] for k in fields}, "kid": verification_method(row.kid), "alg": row.algorithm,
            "use": "sig"}


def jwks(session) -> dict:
    return {"keys": [published_jwk(row) for row in all_keys(session)]}


def find_published(session, kid: str) -> SigningKey | None:
    """The key a token or proof names, by its DID URL (or, for tokens made before, its bare thumbprint)."""
    thumb = kid.rsplit("#", 1)[-1]
    row = session.scalar(select(SigningKey).where(SigningKey.kid == thumb))
    if row is None or ("#" in kid and kid != verification_method(row.kid)):
        return None
    return row


def did_web() -> str:
    """did:web for BASE_URL: the host (port percent-encoded), then any path segments."""
    parts = urlsplit(current_app.config["BASE_URL"])
    segments = [quote(parts.netloc, safe="")] + [quote(s, safe="") for s in parts.path.split("/") if s]
    return "did:web:" + ":".join(segments)


def verification_method(kid: str) -> str:
    return f"{did_web()}#{kid}"


def multibase_key(row: SigningKey) -> str:
    """publicKeyMultibase of an Ed25519 key: base58btc ('z') of the multicodec prefix and the raw key."""
    return "z" + base58btc(ED25519_MULTICODEC + unb64url(row.public_jwk["x"]))


def did_document(session) -> dict:
    """Every key as a verification method: Ed25519 keys as Multikey (what Data Integrity verifiers
    read), RSA keys as JsonWebKey with their JWK (what VC-JWT verifiers resolving the kid read)."""
    did = did_web()
    methods = []
    for row in all_keys(session):
        method = {"id": verification_method(row.kid), "controller": did}
        if row.public_jwk["kty"] == "OKP":
            method.update(type="Multikey", publicKeyMultibase=multibase_key(row))
        else:
            method.update(type="JsonWebKey", publicKeyJwk=published_jwk(row))
        methods.append(method)
    refs = [m["id"] for m in methods]
    return {
        # JsonWebKey and publicKeyJwk are read as plain JSON by JOSE verifiers (DID Core's JSON form): no
        # packaged context defines them, and none is named here that a JSON-LD reader could not load.
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": refs,
        "authentication": refs,
    }
