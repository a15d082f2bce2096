"""Sign-in helpers: the test OpenID provider's settings and accounts, walking its whole flow, two-factor enrolment."""
from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from milepost.extensions import db
from milepost.signin import services, totp

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "signin" / "provider"
APP_ORIGIN = "http://milepost.test"  # BASE_URL of the test app (tests/helpers/app.py)
CLIENT_ID = "milepost-test"
CLIENT_SECRET = "a-long-client-secret-for-tests"
SLUG = "district"  # the slug Milepost gives a provider named "District"
DOMAIN = "district.example"


class OIDCProvider:
    """The running provider, and what tests may ask of it."""

    def __init__(self, issuer: str, process: subprocess.Popen):
        self.issuer = issuer
        self.process = process

    def add_account(self, email: str, *, verified=True, name: str = "Test Person", mutation: str | None = None,
                    sub: str | None = None) -> str:
        """An account at the provider; returns its subject (which is also what its login page takes)."""
        sub = sub or f"acct-{uuid.uuid4().hex[:12]}"
        account = {"sub": sub, "email": email, "email_verified": verified, "name": name}
        if mutation:
            account["id_token_mutation"] = mutation
        requests.post(f"{self.issuer}/__test/accounts", json=account, timeout=5).raise_for_status()
        return sub


def _install_provider() -> None:
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(PROVIDER_DIR)],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        pytest.fail(f"npm ci for the test OpenID provider failed:\n{result.stdout}\n{result.stderr}")


def provider_login(authorization_url: str, login_as: str) -> str:
    """Act as the person's browser at the provider: follow its redirects, fill in its login page
    (consent is auto-approved there) and return the URL it sends the browser back to."""
    browser = requests.Session()
    response = browser.get(authorization_url, allow_redirects=False, timeout=10)
    for _ in range(20):
        location = response.headers.get("Location")
        if location is None:
            assert response.status_code == 200, response.text
            assert 'name="login"' in response.text, response.text
            action = response.text.split('action="', 1)[1].split('"', 1)[0]
            response = browser.post(urljoin(response.url, action), data={"login": login_as},
                                    allow_redirects=False, timeout=10)
            continue
        location = urljoin(response.url, location)
        if location.startswith(APP_ORIGIN):
            return location
        response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back to Milepost")


def start_sign_in(client, slug: str = SLUG, **params) -> str:
    response = client.get(f"/signin/{slug}", query_string=params)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def back_to_milepost(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(parts.path, query_string=parts.query)


def sso_sign_in(client, login_as: str, *, slug: str = SLUG, change_url=None):
    """The whole flow: Milepost -> provider -> Milepost's callback. `change_url` may alter the
    authorization URL (as an attacker would) before the browser goes to the provider."""
    url = start_sign_in(client, slug)
    if change_url:
        url = change_url(url)
    return back_to_milepost(client, provider_login(url, login_as))


def signed_in_user_name(client) -> str | None:
    response = client.get("/")
    if response.status_code != 200:
        return None
    page = response.get_data(as_text=True)
    return page.split("Welcome, ", 1)[1].split("<", 1)[0] if "Welcome, " in page else None


# --- two-factor helpers -------------------------------------------------------------------

def enrol_directly(user) -> tuple[str, list[str]]:
    """Set up TOTP for someone without the pages; returns (secret, recovery codes)."""
    secret = totp.new_secret()
    # Enrol with the previous step's code (still inside the window), so the current one is unused.
    codes = services.enrol(db.session, user, secret, totp.current_code(secret, at=time.time() - totp.INTERVAL))
    db.session.commit()
    return secret, codes
