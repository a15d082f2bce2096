"""Fixtures for district sign-in: a real OpenID Connect provider (node-oidc-provider, run with
Node from tests/signin/provider/) on 127.0.0.1, a Milepost provider pointing at it, and a client
signed in with two factors. The helper that walks the whole authorization-code flow and the
two-factor helpers are in tests/helpers/signin.py."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading

import pytest

from milepost.extensions import db
from milepost.signin import services, totp
from tests.helpers.app import login
from tests.helpers.signin import (
    APP_ORIGIN,
    CLIENT_ID,
    CLIENT_SECRET,
    DOMAIN,
    PROVIDER_DIR,
    SLUG,
    OIDCProvider,
    _install_provider,
    enrol_directly,
)


@pytest.fixture
def app_settings():
    # Production behaviour: PD admins and site admins need a second factor with a password.
    return {"TWO_FACTOR_REQUIRED": True}


@pytest.fixture(scope="session")
def oidc_provider():
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("OpenID Connect tests skipped: Node.js and npm are needed to run the test provider "
                    "(node-oidc-provider); install them (apt-get install nodejs npm)")
    _install_provider()
    clients = [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{APP_ORIGIN}/signin/{SLUG}/callback"]}]
    env = dict(os.environ, OIDC_CLIENTS=json.dumps(clients), OIDC_PORT="0")
    process = subprocess.Popen(["node", str(PROVIDER_DIR / "server.mjs")], cwd=PROVIDER_DIR, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    ready = threading.Event()

    def read_stdout():
        for line in process.stdout:
            lines.append(line)
            if line.startswith("READY "):
                ready.set()

    threading.Thread(target=read_stdout, daemon=True).start()
    if not ready.wait(30):
        process.kill()
        pytest.fail("the test OpenID provider did not start:\n" + "".join(lines) + process.stderr.read())
    issuer = next(line for line in lines if line.startswith("READY ")).split()[1]
    try:
        yield OIDCProvider(issuer, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def district(app, oidc_provider):
    """A Milepost sign-in provider named District, pointing at the test provider, for
    @district.example addresses, not creating accounts (tests change that where needed)."""
    provider = services.save_provider(
        db.session, None, actor=None, name="District", kind="oidc", issuer=oidc_provider.issuer,
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, allowed_domains=DOMAIN, create_accounts=False,
        trust_unverified_email_claim=False, enabled=True)
    db.session.commit()
    assert provider.slug == SLUG
    return provider


@pytest.fixture
def staff_client(app, make_user):
    """staff_client("site_admin") -> a client signed in with password and authenticator code."""

    def sign_in(*roles: str, **kwargs):
        user = make_user(*roles, **kwargs)
        secret, _ = enrol_directly(user)
        client = app.test_client()
        assert login(client, user.email).headers["Location"] == "/signin/two-factor"
        response = client.post("/signin/two-factor", data={"code": totp.current_code(secret)})
        assert response.status_code == 302, response.get_data(as_text=True)
        client.user, client.secret = user, secret
        return client

    return sign_in
