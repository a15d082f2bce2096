"""Credentials fixtures: awards in one line, and the official Open Badges 2.0 validator running offline.

The validator (PyPI `openbadges`, module openbadges.verifier) fetches the hosted documents, the images
and the JSON-LD context over HTTP with `requests`. Here every request goes to the Flask test client
for BASE_URL (http://milepost.test), the 2.0 context comes from the copy the validator package ships,
and anything else fails as if the network were down."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from milepost.awards import services as awards
from milepost.badges import services as badges
from milepost.extensions import db
from tests.helpers.credentials import VALIDATOR, FlaskAdapter, official_ob3_schema


@pytest.fixture
def make_award(app, make_user, make_badge):
    """make_award(user=None, badge=None, **award fields) -> an award issued directly by the PD office."""

    def make(user=None, badge=None, **fields):
        user = user or make_user("teacher")
        badge = badge or make_badge(f"badge-{user.id}")
        version = badges.current_version(db.session, badge)
        award, _ = awards.issue_award(db.session, user_id=user.id, badge=badge, version=version, how="direct",
                                      note="test")
        for key, value in fields.items():
            setattr(award, key, value)
        db.session.commit()
        return award

    return make


@pytest.fixture(scope="session")
def openbadges_validator(tmp_path_factory):
    """The official validator's verify(). Installed with --no-deps when missing (see setup.cfg's test extra)."""
    try:
        import openbadges  # noqa: F401
    except ImportError:
        target = tmp_path_factory.mktemp("openbadges-validator")
        result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                                 str(target), VALIDATOR], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"the official validator ({VALIDATOR}) could not be installed: {result.stderr[-400:]}")
        sys.path.insert(0, str(target))
    from openbadges import verify
    from openbadges.verifier import utils

    _adapt_loader_to_current_pyld(utils.CachableDocumentLoader)
    return verify


def _adapt_loader_to_current_pyld(loader_class) -> None:
    """The validator was written for PyLD 0.7, whose document loader took the URL alone and accepted
    the document as text; PyLD 1+ passes (url, options) and wants it parsed. Same loader, new call."""
    if getattr(loader_class, "_milepost_adapted", False):
        return
    original = loader_class.__call__

    def call(self, url, options=None):
        remote = original(self, url)
        if isinstance(remote.get("document"), str):
            remote["document"] = json.loads(remote["document"])
        return remote

    loader_class.__call__ = call
    loader_class._milepost_adapted = True


@pytest.fixture
def offline_http(app, monkeypatch, openbadges_validator):
    adapter = FlaskAdapter(app)
    monkeypatch.setattr(requests.Session, "get_adapter", lambda self, url: adapter)
    return adapter


@pytest.fixture
def validate(offline_http, openbadges_validator):
    """validate(url_or_file, email) -> the validator's report (no cache, so each run fetches afresh)."""

    def run(badge_input, email: str) -> dict:
        result = openbadges_validator(badge_input, recipient_profile={"email": email}, use_cache=False,
                                      cache_backend=None)
        return result["report"]

    return run


@pytest.fixture(scope="session")
def ob3_schema():
    """The official OB 3.0 schema from ../shared/vendor/1edtech (skips, or fails in CI, without it)."""
    return official_ob3_schema()
