"""Checking a credential someone brings: an Open Badges 2.0 hosted assertion (its URL, or a baked PNG or
SVG carrying it), or an Open Badges 3.0 credential as a VC-JWT or as JSON-LD with an embedded
eddsa-rdfc-2022 proof. What is checked: the signature (or the hosted copy), that the key belongs to
the issuer, the validity dates, the revocation status, and that the credential is made out to the
expected email. Every check is written down with its outcome so the result can be kept and shown.

Documents are fetched through a `Fetch` callable: `own_site_fetch` answers this Milepost's own URLs
from the app itself, without the network; `guarded_fetch` adds outside https URLs, refusing private
and loopback addresses, large bodies and slow hosts. Tests pass their own for an outside test issuer."""
from __future__ import annotations

import hashlib
import html
import ipaddress
import json
import re
import socket
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import JWKRegistry

from milepost.core.model import utcnow
from milepost.credentials import dataintegrity, jsonld, statuslist

MAX_BYTES = 2 * 1024 * 1024
TIMEOUT = 5
JWT_ALGORITHMS = ("RS256", "ES256", "EdDSA")


@dataclass
class Fetched:
    status: int
    content_type: str
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


Fetch = Callable[[str, str], Fetched]


class CannotFetch(Exception):
    """A document the check needs could not be had (network, refused address, not found)."""


@dataclass
class Verdict:
    """The outcome: valid, revoked, expired or refused, with every check made and its detail."""
    status: str = "refused"
    format: str = ""
    issuer_id: str = ""
    issuer_name: str = ""
    achievement: str = ""
    credential_id: str = ""
    valid_until: str = ""
    checks: list[dict] = field(default_factory=list)
    checked_at: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "valid"

    @property
    def reasons(self) -> list[str]:
        return [c["detail"] for c in self.checks if not c["ok"]]

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append({"check": name, "ok": bool(ok), "detail": detail})
        return bool(ok)

    def as_dict(self) -> dict:
        return {**asdict(self), "reasons": self.reasons}

    @property
    def summary(self) -> str:
        who = self.issuer_name or self.issuer_id or "an unknown issuer"
        what = f"“{self.achievement}”" if self.achievement else "This credential"
        return {
            "valid": f"{what} was issued by {who} and checks out.",
            "revoked": f"{what} was issued by {who} but the issuer has revoked it.",
            "expired": f"{what} was issued by {who} but it has expired.",
        }.get(self.status, "This credential could not be accepted: " + "; ".join(self.reasons or ["unknown reason"]))


class Refused(Exception):
    """Stops the checks: the reason is already recorded in the verdict."""


# --------------------------------------------------------------------------- fetching


def own_site_fetch(url: str, accept: str = "application/json") -> Fetched:
    """This Milepost's public documents, answered by the app itself (no network)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if not (url == base or url.startswith(base + "/")):
        raise CannotFetch(f"{url} is not on this site")
    response = current_app.test_client().get(url[len(base):] or "/", headers={"Accept": accept})
    return Fetched(response.status_code, response.mimetype or "", response.get_data())


def _public_address(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    return bool(addresses) and all(a.is_global for a in addresses)


def guarded_fetch(url: str, accept: str = "application/json") -> Fetched:
    """Own-site URLs from the app; other https URLs over the network, never to a private address."""
    try:
        return own_site_fetch(url, accept)
    except CannotFetch:
        pass
    import requests

    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise CannotFetch(f"only https addresses are fetched, not {url}")
    if not _public_address(parts.hostname):
        raise CannotFetch(f"{parts.hostname} is not a public internet address")
    try:
        with requests.get(url, headers={"Accept": accept}, timeout=TIMEOUT, stream=True,
                          allow_redirects=False) as response:
            body = response.raw.read(MAX_BYTES + 1, decode_content=True)
            if len(body) > MAX_BYTES:
                raise CannotFetch(f"{url} is larger than {MAX_BYTES // 1024 // 1024} MB")
            return Fetched(response.status_code, response.headers.get("Content-Type", "").split(";")[0], body)
    except requests.RequestException as exc:
        raise CannotFetch(f"{url} could not be reached") from exc


def _get_json(verdict: Verdict, fetch: Fetch, url: str, what: str, accept: str = "application/json"):
    try:
        fetched = fetch(url, accept)
    except CannotFetch as exc:
        verdict.check(what, False, f"The {what} could not be fetched: {exc}.")
        raise Refused from exc
    if fetched.status != 200:
        verdict.check(what, False, f"The {what} at {url} answered {fetched.status}.")
        raise Refused
    try:
        return fetched.json()
    except ValueError as exc:
        verdict.check(what, False, f"The {what} at {url} is not JSON.")
        raise Refused from exc


# --------------------------------------------------------------------------- entry point


def parse_input(*, data: bytes | None = None, text: str = "") -> tuple[str, object]:
    """What was brought, as (kind, value): ("url", str), ("jwt", str), ("json", dict) or ("ob2", dict)."""
    if data:
        if data.startswith(b"\x89PNG") or data.lstrip()[:5] in (b"<?xml", b"<svg ") or b"<svg" in data[:512]:
            return _unbaked(data)
        text = data.decode("utf-8", errors="replace")
    text = (text or "").strip()
    if not text:
        return "empty", None
    if text.startswith(("https://", "http://")) and " " not in text:
        return "url", text
    if text.count(".") == 2 and not text.startswith("{"):
        return "jwt", text
    try:
        value = json.loads(text)
    except ValueError:
        return "unknown", text
    if isinstance(value, dict):
        context = value.get("@context")
        contexts = context if isinstance(context, list) else [context]
        if "https://w3id.org/openbadges/v2" in contexts:
            return "ob2", value
        return "json", value
    return "unknown", text


def png_text_chunks(data: bytes) -> dict[str, str]:
    """The iTXt and tEXt chunks of a PNG, keyword -> text (uncompressed iTXt only, as baking uses)."""
    found, position = {}, 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind, body = data[position + 4:position + 8], data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"iTXt":
            keyword, _, rest = body.partition(b"\0")
            if len(rest) >= 2 and rest[0] == 0:  # not compressed
                _language, _, rest = rest[2:].partition(b"\0")
                _translated, _, text = rest.partition(b"\0")
                found[keyword.decode("latin-1")] = text.decode("utf-8", errors="replace")
        elif kind == b"tEXt":
            keyword, _, text = body.partition(b"\0")
            found[keyword.decode("latin-1")] = text.decode("latin-1")
        elif kind == b"IEND":
            break
    return found


SVG_CREDENTIAL = re.compile(rb"<openbadges:credential[^>]*>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*"
                            rb"</openbadges:credential>", re.DOTALL)
SVG_CREDENTIAL_ATTRIBUTE = re.compile(rb"<openbadges:credential[^>]*\bverify=\"([^\"]+)\"")


def _ob3_baked(data: bytes) -> str | None:
    """Open Badges 3.0 baking: the credential (JWT or JSON) in a PNG iTXt chunk `openbadgecredential`,
    or in an SVG `openbadges:credential` element."""
    if data.startswith(b"\x89PNG"):
        return png_text_chunks(data).get("openbadgecredential")
    match = SVG_CREDENTIAL.search(data) or SVG_CREDENTIAL_ATTRIBUTE.search(data)
    return html.unescape(match.group(1).decode("utf-8", errors="replace")).strip() if match else None


def _unbaked(data: bytes) -> tuple[str, object]:
    import io

    from openbadges_bakery import unbake

    ob3 = _ob3_baked(data)
    if ob3:
        kind, value = parse_input(text=ob3)
        return ("baked-" + kind if kind in ("jwt", "json") else "image"), value

    image = io.BytesIO(data)
    image.name = "badge.png" if data.startswith(b"\x89PNG") else "badge.svg"
    try:
        found = unbake(image)
    except Exception:  # noqa: BLE001 - the baker raises bare errors on a malformed image
        found = None
    if not found:
        return "image", None
    kind, value = parse_input(text=found if isinstance(found, str) else json.dumps(found))
    return ("baked-" + kind if kind in ("ob2", "url", "jwt", "json") else "image"), value


def verify(*, data: bytes | None = None, text: str = "", email: str | None = None,
           fetch: Fetch = own_site_fetch, now: datetime | None = None) -> Verdict:
    """Check a brought credential; `email` is whom it must be made out to (None: not checked)."""
    moment = now or utcnow()
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    verdict = Verdict(checked_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    kind, value = parse_input(data=data, text=text)
    verdict.format = kind
    try:
        if kind == "empty":
            verdict.check("input", False, "Nothing was given: upload a file, or paste a credential or its address.")
        elif kind == "image":
            verdict.check("input", False, "The image carries no badge (it is not a baked Open Badge).")
        elif kind == "unknown":
            verdict.check("input", False, "This is not a credential Milepost can read (an Open Badges 2.0 "
                                          "assertion or address, or an Open Badges 3.0 JWT or JSON-LD).")
        elif kind in ("url", "baked-url"):
            _by_address(verdict, fetch, str(value), email, moment)
        elif kind in ("ob2", "baked-ob2"):
            url = value.get("id") if isinstance(value.get("id"), str) else ""
            if not verdict.check("hosted", url.startswith(("https://", "http://")),
                                 "The Open Badges 2.0 assertion has no hosted address to check it against."):
                raise Refused
            _ob2_hosted(verdict, fetch, url, email, moment, brought=value)
        elif kind in ("jwt", "baked-jwt"):
            _ob3_jwt(verdict, fetch, str(value), email, moment)
        elif kind in ("json", "baked-json"):
            _ob3_json(verdict, fetch, value, email, moment)
    except Refused:
        pass
    if not verdict.reasons and verdict.status == "refused":
        verdict.status = "valid"
    elif verdict.reasons and verdict.status not in ("revoked", "expired"):
        verdict.status = "refused"
    return verdict


def _by_address(verdict: Verdict, fetch: Fetch, url: str, email, moment) -> None:
    """An address: an OB 2.0 hosted assertion, or an OB 3.0 credential served at it (JSON-LD or JWT).
    This site's human-readable award page stands for the award's OB 3.0 credential."""
    base = current_app.config["BASE_URL"].rstrip("/")
    page = base + "/credentials/awards/"
    if url.startswith(page) and "/" not in url[len(page):].strip("/"):
        url = base + "/ob/v3/credentials/" + url[len(page):].strip("/")
    try:
        fetched = fetch(url, "application/ld+json, application/json, application/vc+jwt")
    except CannotFetch as exc:
        verdict.check("hosted", False, f"The credential could not be fetched from its issuer: {exc}.")
        raise Refused from exc
    body = fetched.body.decode("utf-8", errors="replace").strip()
    if fetched.status == 200 and body.count(".") == 2 and not body.startswith("{"):
        _ob3_jwt(verdict, fetch, body, email, moment)
        return
    if fetched.status == 200 and body.startswith("{"):
        try:
            document = json.loads(body)
        except ValueError:
            document = {}
        if isinstance(document, dict) and "VerifiableCredential" in (document.get("type") or []):
            _ob3_json(verdict, fetch, document, email, moment)
            return
    _ob2_hosted(verdict, fetch, url, email, moment, fetched=fetched)


# --------------------------------------------------------------------------- Open Badges 2.0


def _ob2_hash(email: str, salt: str | None) -> str:
    return "sha256$" + hashlib.sha256((email.strip().lower() + (salt or "")).encode("utf-8")).hexdigest()


def _ob2_hosted(verdict: Verdict, fetch: Fetch, url: str, email, moment, brought: dict | None = None,
                fetched: Fetched | None = None) -> None:
    verdict.format = "Open Badges 2.0 (hosted)"
    if fetched is None:
        try:
            fetched = fetch(url, "application/ld+json, application/json")
        except CannotFetch as exc:
            verdict.check("hosted", False, f"The assertion could not be fetched from its issuer: {exc}.")
            raise Refused from exc
    if fetched.status == 410:
        verdict.check("status", False, "The issuer says this badge was revoked.")
        verdict.status = "revoked"
        raise Refused
    if not verdict.check("hosted", fetched.status == 200, f"The issuer's copy at {url} answered {fetched.status}."):
        raise Refused
    try:
        assertion = fetched.json()
    except ValueError as exc:
        verdict.check("hosted", False, "The issuer's copy is not JSON.")
        raise Refused from exc
    verdict.credential_id = url
    if not verdict.check("hosted", assertion.get("id") == url and assertion.get("type") == "Assertion",
                         "The hosted document is not the Open Badges 2.0 assertion at that address."):
        raise Refused
    if brought is not None:
        verdict.check("hosted", brought.get("recipient") == assertion.get("recipient")
                      and brought.get("badge") == assertion.get("badge"),
                      "The badge image does not carry what the issuer hosts (it was changed).")
    if assertion.get("revoked"):
        verdict.check("status", False, "The issuer says this badge was revoked.")
        verdict.status = "revoked"
    badge = assertion.get("badge")
    badge = _get_json(verdict, fetch, badge, "badge class") if isinstance(badge, str) else (badge or {})
    verdict.achievement = str(badge.get("name") or "")
    issuer = badge.get("issuer")
    issuer = _get_json(verdict, fetch, issuer, "issuer profile") if isinstance(issuer, str) else (issuer or {})
    verdict.issuer_id, verdict.issuer_name = str(issuer.get("id") or ""), str(issuer.get("name") or "")
    origin = urlsplit(url).netloc
    verdict.check("issuer", urlsplit(verdict.issuer_id).netloc == origin,
                  "The issuer's profile is not on the same site as the assertion, so the site cannot vouch for it.")
    if verdict.status != "revoked" and isinstance(issuer.get("revocationList"), str):
        revocations = _get_json(verdict, fetch, issuer["revocationList"], "revocation list")
        revoked = {r.get("id") if isinstance(r, dict) else r for r in revocations.get("revokedAssertions", [])}
        if url in revoked:
            verdict.check("status", False, "The issuer's revocation list names this badge.")
            verdict.status = "revoked"
        else:
            verdict.check("status", True, "Not on the issuer's revocation list.")
    _dates(verdict, assertion.get("issuedOn"), assertion.get("expires"), moment)
    if email is not None:
        recipient = assertion.get("recipient") or {}
        identity = str(recipient.get("identity", ""))
        expected = _ob2_hash(email, recipient.get("salt")) if recipient.get("hashed") else email.strip().lower()
        verdict.check("recipient", recipient.get("type") == "email" and identity.lower() == expected.lower(),
                      "The badge is made out to someone else (its recipient is not your email address).")


# --------------------------------------------------------------------------- Open Badges 3.0


def _parse_time(value) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _dates(verdict: Verdict, valid_from, valid_until, moment) -> None:
    start, end = _parse_time(valid_from), _parse_time(valid_until)
    if valid_until:
        verdict.valid_until = str(valid_until)
    if start is not None and start > moment:
        verdict.check("dates", False, f"The credential is not valid before {start:%d %B %Y}.")
    if end is not None and end <= moment:
        verdict.check("dates", False, f"The credential expired on {end:%d %B %Y}.")
        if verdict.status != "revoked":
            verdict.status = "expired"
    elif start is None or start <= moment:
        verdict.check("dates", True, "Within its validity dates.")


def _issuer_of(credential: dict) -> tuple[str, str]:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        return str(issuer.get("id") or ""), str(issuer.get("name") or "")
    return str(issuer or ""), ""


def did_web_url(did: str) -> str:
    """did:web:host[:path...] -> https://host/.well-known/did.json or https://host/path/did.json."""
    from urllib.parse import unquote

    from milepost.credentials import keys

    if did == keys.did_web():  # this site's own, on its BASE_URL (http on a development machine)
        base = current_app.config["BASE_URL"].rstrip("/")
        return base + ("/did.json" if urlsplit(base).path.strip("/") else "/.well-known/did.json")
    parts = did.split(":")
    host = unquote(parts[2])
    scheme = "https"
    if len(parts) == 3:
        return f"{scheme}://{host}/.well-known/did.json"
    return f"{scheme}://{host}/" + "/".join(unquote(p) for p in parts[3:]) + "/did.json"


def _did_document(verdict: Verdict, fetch: Fetch, did: str) -> dict:
    if not verdict.check("issuer key", did.startswith("did:web:"),
                         f"The signing key is not published with did:web ({did or 'no key named'}), "
                         "so Milepost cannot find it."):
        raise Refused
    document = _get_json(verdict, fetch, did_web_url(did), "issuer's DID document")
    if not verdict.check("issuer key", document.get("id") == did, "The DID document is not the issuer's own."):
        raise Refused
    return document


def _jwk_of(method: dict) -> dict | None:
    if isinstance(method.get("publicKeyJwk"), dict):
        return method["publicKeyJwk"]
    if method.get("type") == "Multikey" and isinstance(method.get("publicKeyMultibase"), str):
        try:
            key = dataintegrity.public_key_from_multibase(method["publicKeyMultibase"])
        except dataintegrity.ProofInvalid:
            return None
        from cryptography.hazmat.primitives import serialization

        from milepost.credentials.keys import b64url

        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}
    return None


def verify_jwt(verdict: Verdict, fetch: Fetch, token: str, what: str = "signature") -> tuple[dict, dict]:
    """The (header, payload) of a JWT whose signature checks against the issuer's did:web key."""
    try:
        header = jws.extract_compact(token.encode("ascii")).protected
    except (ValueError, UnicodeError, JoseError) as exc:
        verdict.check(what, False, "The JWT is malformed.")
        raise Refused from exc
    algorithm = header.get("alg")
    if algorithm in (None, "none"):
        verdict.check(what, False, "The credential is not signed.")
        raise Refused
    if not verdict.check(what, algorithm in JWT_ALGORITHMS, f"The JWT uses {algorithm}, which Milepost does not "
                                                            "accept (RS256, ES256 or EdDSA)."):
        raise Refused
    kid = str(header.get("kid") or "")
    did = kid.split("#", 1)[0]
    document = _did_document(verdict, fetch, did)
    method = next((m for m in document.get("verificationMethod", []) if m.get("id") == kid), None)
    jwk = _jwk_of(method) if method else None
    if not verdict.check("issuer key", jwk is not None and kid in document.get("assertionMethod", []),
                         "The issuer does not publish the key that signed this credential."):
        raise Refused
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = jws.deserialize_compact(token, JWKRegistry.import_key(jwk), algorithms=[algorithm])
        payload = json.loads(obj.payload)
    except (BadSignatureError, JoseError, ValueError) as exc:
        verdict.check(what, False, "The signature does not match: the credential was changed after it was signed.")
        raise Refused from exc
    verdict.check(what, True, f"Signed ({algorithm}) by the key {kid}.")
    return header, payload


def _ob3_jwt(verdict: Verdict, fetch: Fetch, token: str, email, moment) -> None:
    verdict.format = "Open Badges 3.0 (VC-JWT)"
    header, payload = verify_jwt(verdict, fetch, token)
    credential = payload.get("vc") if isinstance(payload.get("vc"), dict) else payload
    issuer_id, _ = _issuer_of(credential)
    verdict.check("issuer key", header["kid"].split("#", 1)[0] == issuer_id and payload.get("iss", issuer_id)
                  == issuer_id, "The key that signed it does not belong to the credential's issuer.")
    if payload.get("exp") and not credential.get("validUntil"):
        credential = {**credential, "validUntil": datetime.fromtimestamp(payload["exp"], UTC).isoformat()}
    _ob3_common(verdict, fetch, credential, email, moment)


def _ob3_json(verdict: Verdict, fetch: Fetch, credential: dict, email, moment) -> None:
    verdict.format = "Open Badges 3.0 (JSON-LD with proof)"
    proof = dataintegrity.the_proof(credential)
    if proof is None:
        verdict.check("signature", False, "The credential is not signed (it has no eddsa-rdfc-2022 proof).")
        raise Refused
    try:
        terms = jsonld.undefined_terms(credential)
    except jsonld.JsonLdProblem as exc:
        verdict.check("signature", False, f"The credential cannot be checked: {exc}")
        raise Refused from exc
    if not verdict.check("signature", not terms, "The credential uses terms its contexts do not define: "
                         + ", ".join(terms)):
        raise Refused
    did = str(proof.get("verificationMethod", "")).split("#", 1)[0]
    issuer_id, _ = _issuer_of(credential)
    if not verdict.check("issuer key", did == issuer_id,
                         "The key that signed it does not belong to the credential's issuer."):
        raise Refused
    document = _did_document(verdict, fetch, did)
    try:
        dataintegrity.verify_proof(credential, document)
    except dataintegrity.ProofInvalid as exc:
        verdict.check("signature", False, f"The proof does not hold: {exc}.")
        raise Refused from exc
    verdict.check("signature", True, f"Embedded proof (eddsa-rdfc-2022) by the key {proof['verificationMethod']}.")
    _ob3_common(verdict, fetch, credential, email, moment)


def _ob3_common(verdict: Verdict, fetch: Fetch, credential: dict, email, moment) -> None:
    types = credential.get("type") or []
    if not verdict.check("format", "VerifiableCredential" in types and
                         ({"OpenBadgeCredential", "AchievementCredential"} & set(types)),
                         "It is not an Open Badges 3.0 credential."):
        raise Refused
    verdict.issuer_id, verdict.issuer_name = _issuer_of(credential)
    verdict.credential_id = str(credential.get("id") or "")
    subject = credential.get("credentialSubject") or {}
    verdict.achievement = str((subject.get("achievement") or {}).get("name") or credential.get("name") or "")
    _dates(verdict, credential.get("validFrom") or credential.get("issuanceDate"),
           credential.get("validUntil") or credential.get("expirationDate"), moment)
    status = credential.get("credentialStatus")
    if isinstance(status, dict):
        _status(verdict, fetch, status, verdict.issuer_id)
    if email is not None:
        verdict.check("recipient", _made_out_to(subject, email),
                      "The credential is made out to someone else (its recipient is not your email address).")


def _made_out_to(subject: dict, email: str) -> bool:
    address = email.strip().lower()
    if str(subject.get("id", "")).lower() == f"mailto:{address}":
        return True
    for identity in subject.get("identifier") or []:
        if not isinstance(identity, dict) or identity.get("identityType") != "emailAddress":
            continue
        value = str(identity.get("identityHash", ""))
        if identity.get("hashed"):
            if value.lower() == _ob2_hash(address, identity.get("salt")).lower():
                return True
        elif value.strip().lower() == address:
            return True
    return False


def _status(verdict: Verdict, fetch: Fetch, status: dict, issuer_id: str) -> None:
    if status.get("type") != "BitstringStatusListEntry":
        verdict.check("status", True, f"Status of type {status.get('type')} is not checked.")
        return
    url = str(status.get("statusListCredential") or "")
    try:
        index = int(status.get("statusListIndex"))
    except (TypeError, ValueError) as exc:
        verdict.check("status", False, "The credential's status entry is malformed.")
        raise Refused from exc
    try:
        fetched = fetch(url, "application/vc+jwt")
    except CannotFetch as exc:
        verdict.check("status", False, f"The issuer's status list could not be fetched: {exc}.")
        raise Refused from exc
    if not verdict.check("status", fetched.status == 200, f"The issuer's status list answered {fetched.status}."):
        raise Refused
    body = fetched.body.decode("utf-8", errors="replace").strip()
    if body.startswith("{"):
        listing = json.loads(body)
        proof = dataintegrity.the_proof(listing) or {}
        document = _did_document(verdict, fetch, str(proof.get("verificationMethod", "")).split("#", 1)[0])
        try:
            dataintegrity.verify_proof(listing, document)
        except dataintegrity.ProofInvalid as exc:
            verdict.check("status", False, f"The status list's proof does not hold: {exc}.")
            raise Refused from exc
    else:
        _, listing = verify_jwt(verdict, fetch, body, what="status list signature")
    if not verdict.check("status", _issuer_of(listing)[0] == issuer_id,
                         "The status list is not the credential issuer's own."):
        raise Refused
    try:
        revoked = statuslist.bit(statuslist.decode(listing["credentialSubject"]["encodedList"]), index)
    except (KeyError, ValueError, IndexError, OSError) as exc:
        verdict.check("status", False, "The issuer's status list cannot be read.")
        raise Refused from exc
    if revoked:
        verdict.check("status", False, "The issuer has revoked this credential.")
        verdict.status = "revoked"
    else:
        verdict.check("status", True, "Not revoked (checked against the issuer's status list).")

