"""Time-based one-time passwords (RFC 6238, via pyotp), the enrolment QR code (SVG, via segno)
and recovery codes. Pure functions: the database side is in services.py."""
from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
import time

import pyotp
import segno
from markupsafe import Markup

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: easy to read off paper. 16 characters of 31 give about 79 bits, enough that a
# plain SHA-256 is a safe way to store them.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 16
INTERVAL = 30
# One step either side, for phones whose clocks drift a little.
WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, interval=INTERVAL).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """An inline SVG of the otpauth:// URI (no script, so it passes our Content-Security-Policy)."""
    qr = segno.make(uri, error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, svgclass="qr-code",
            title="QR code for your authenticator app", dark="#000", light="#fff")
    # Safe: drawn by segno from our own URI.
    return Markup(out.getvalue().decode())  # nosec


def grouped(secret: str) -> str:
    """The manual-entry key in groups of four, easier to type."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def clean_code(raw: str | None) -> str:
    return re.sub(r"[\s-]", "", raw or "").lower()


def matching_counter(secret: str, code: str, *, after: int, at: float | None = None) -> int | None:
    """The time step whose code this is (newer than `after`), or None. Refusing steps at or before
    `after` means each code works once."""
    code = clean_code(code)
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret, interval=INTERVAL)
    now = int(at if at is not None else time.time()) // INTERVAL
    for counter in range(now - WINDOW, now + WINDOW + 1):
        if counter > after and hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def current_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows now (for tests and the CLI's self-check)."""
    return pyotp.TOTP(secret, interval=INTERVAL).at(at if at is not None else time.time())


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i:i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(clean_code(code).encode()).hexdigest()


def looks_like_recovery_code(raw: str | None) -> bool:
    return len(clean_code(raw)) == _RECOVERY_LENGTH
