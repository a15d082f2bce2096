"""The OpenID Connect relying party: discovery, the authorization-code request with PKCE (S256),
state and nonce, the code exchange (Authlib's OAuth2 client) and verification of the ID token
(signature against the provider's JWKS, issuer, audience, expiry, nonce; with joserfc and
Authlib's OIDC claim rules). No request or database access here: views.py passes things in."""
from __future__ import annotations

import hmac
import logging
import secrets
import time
from dataclasses import dataclass

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from flask import current_app
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingKeyError,
)
from joserfc.jwk import KeySet

from milepost.core.errors import DomainError
from milepost.signin.models import ProviderKind

SCOPES = "openid email profile"
# Asymmetric signatures only: never "none", and never HS256 keyed with the client secret.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
HTTP_TIMEOUT = 10
CACHE_SECONDS = 3600
FLOW_SECONDS = 600  # how long someone may take at the provider before coming back
CLOCK_LEEWAY = 60  # seconds of clock difference tolerated on exp/iat

log = logging.getLogger(__name__)

PRESETS = {
    ProviderKind.GOOGLE: {"name": "Google", "issuer": "https://accounts.google.com",
                          "trust_unverified_email_claim": False},
    # Microsoft Entra ID: one tenant (the district's directory), never "common" or "organizations",
    # whose issuer is not fixed and whose email addresses nobody has verified.
    ProviderKind.MICROSOFT: {"name": "Microsoft", "issuer": "https://login.microsoftonline.com/{tenant}/v2.0",
                             "trust_unverified_email_claim": True},
    ProviderKind.OIDC: {"name": "", "issuer": "", "trust_unverified_email_claim": False},
}


class SignInError(DomainError):
    """The provider's answer could not be trusted. `reason` is a short code for the log and tests;
    people see only the kind message."""

    status = 400

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(message or "We could not confirm your sign-in with your district account. "
                                    "Please try again; if it keeps happening, tell your district's help desk.")
        self.reason = reason


@dataclass(frozen=True)
class ProviderConfig:
    """What the relying party needs to know about one provider (read from the database row)."""

    issuer: str
    client_id: str
    client_secret: str


def _cache() -> dict:
    return current_app.extensions.setdefault("milepost_oidc_cache", {})


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignInError("unreachable", "Your district's sign-in service did not answer. Please try again in a "
                                         "few minutes, or sign in another way.") from exc


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def metadata(issuer: str, *, fresh: bool = False) -> dict:
    """The provider's discovery document, cached for an hour. Its issuer must be the configured
    one exactly (OpenID Connect Discovery 1.0, section 4.3)."""
    key = ("metadata", issuer)
    cached = _cache().get(key)
    if cached and not fresh and cached[0] > time.monotonic():
        return cached[1]
    document = _get_json(discovery_url(issuer))
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise SignInError("discovery_issuer_mismatch")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not document.get(name):
            raise SignInError("discovery_incomplete")
    _cache()[key] = (time.monotonic() + CACHE_SECONDS, document)
    return document


def _key_set(meta: dict, *, fresh: bool = False) -> KeySet:
    key = ("jwks", meta["jwks_uri"])
    cached = _cache().get(key)
    if cached and not fresh and cached[0] > time.monotonic():
        return cached[1]
    keys = KeySet.import_key_set(_get_json(meta["jwks_uri"]))
    _cache()[key] = (time.monotonic() + CACHE_SECONDS, keys)
    return keys


def start(provider: ProviderConfig, redirect_uri: str) -> tuple[str, dict]:
    """The URL to send the browser to, and what to keep in the session until it comes back."""
    meta = metadata(provider.issuer)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    client = OAuth2Session(provider.client_id, scope=SCOPES, redirect_uri=redirect_uri, code_challenge_method="S256")
    url, _ = client.create_authorization_url(meta["authorization_endpoint"], state=state, nonce=nonce,
                                             code_verifier=verifier)
    flow = {"state": state, "nonce": nonce, "verifier": verifier, "issuer": meta["issuer"],
            "started": int(time.time())}
    return url, flow


def finish(provider: ProviderConfig, flow: dict | None, args, redirect_uri: str) -> dict:
    """Check the callback against the flow kept in the session, swap the code for tokens and
    return the ID token's verified claims."""
    if not flow:
        raise SignInError("no_flow", "This sign-in was not started from this browser, or it has already been "
                                     "used. Please start again from the sign-in page.")
    if time.time() - flow.get("started", 0) > FLOW_SECONDS:
        raise SignInError("flow_expired", "That sign-in took too long. Please start again from the sign-in page.")
    if not hmac.compare_digest(str(args.get("state", "")), flow["state"]):
        raise SignInError("state")
    if args.get("error"):
        raise SignInError("provider_error:" + str(args.get("error"))[:40],
                          "Your district account did not sign you in. If you cancelled, that is fine: "
                          "you can start again from the sign-in page.")
    meta = metadata(provider.issuer)
    # RFC 9207: when the provider names itself in the callback it must be the one we asked.
    if "iss" in args and args.get("iss") != meta["issuer"]:
        raise SignInError("callback_issuer")
    code = args.get("code")
    if not code:
        raise SignInError("no_code")

    methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth_method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    client = OAuth2Session(provider.client_id, provider.client_secret, redirect_uri=redirect_uri,
                           token_endpoint_auth_method=auth_method)
    try:
        token = client.fetch_token(meta["token_endpoint"], grant_type="authorization_code", code=code,
                                   code_verifier=flow["verifier"], timeout=HTTP_TIMEOUT)
    except (AuthlibBaseError, requests.RequestException, ValueError) as exc:
        log.info("token endpoint refused the code: %s", exc)
        raise SignInError("token_endpoint") from exc
    finally:
        client.close()
    if not token.get("id_token"):
        raise SignInError("no_id_token")
    return verify_id_token(token["id_token"], meta, client_id=provider.client_id, nonce=flow["nonce"],
                           access_token=token.get("access_token"))


def verify_id_token(id_token: str, meta: dict, *, client_id: str, nonce: str, access_token: str | None = None,
                    now: int | None = None) -> dict:
    algorithms = [a for a in meta.get("id_token_signing_alg_values_supported", ["RS256"]) if a in SIGNING_ALGORITHMS]
    if not algorithms:
        raise SignInError("no_usable_algorithm")
    try:
        try:
            decoded = jwt.decode(id_token, _key_set(meta), algorithms=algorithms)
        except (InvalidKeyIdError, MissingKeyError):
            # The provider may have rotated its keys since we cached them.
            decoded = jwt.decode(id_token, _key_set(meta, fresh=True), algorithms=algorithms)
    except BadSignatureError as exc:
        raise SignInError("signature") from exc
    except JoseError as exc:
        raise SignInError("malformed_id_token") from exc

    options = {"iss": {"essential": True, "value": meta["issuer"]},
               "aud": {"essential": True, "value": client_id},
               "exp": {"essential": True}, "sub": {"essential": True}}
    claims = CodeIDToken(decoded.claims, decoded.header, options,
                         {"nonce": nonce, "client_id": client_id, "access_token": access_token})
    try:
        claims.validate(now=now, leeway=CLOCK_LEEWAY)
    except ExpiredTokenError as exc:
        raise SignInError("expired") from exc
    except ClaimError as exc:
        raise SignInError(exc.claim) from exc
    # Belt and braces on the checks that matter most, whatever the library version does.
    audience = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if client_id not in audience:
        raise SignInError("aud")
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignInError("nonce")
    if int(claims["exp"]) + CLOCK_LEEWAY < (now or time.time()):
        raise SignInError("expired")
    return dict(claims)
