"""Credentials helpers: the Open Badges 2.0 validator's pin, a requests transport answering from the app, errors."""
from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.models import Response
from requests.structures import CaseInsensitiveDict

FIXTURES = Path(__file__).resolve().parents[1] / "credentials" / "fixtures"
VALIDATOR = "openbadges==1.1.2"
ROOT = Path(__file__).resolve().parents[2]
OB3_SCHEMA = "ob_v3p0_achievementcredential_schema.json"


def standards_required() -> bool:
    """MILEPOST_REQUIRE_STANDARDS=1 (CI): a missing standards file or verifier fails instead of skipping."""
    return os.environ.get("MILEPOST_REQUIRE_STANDARDS", "").lower() not in ("", "0", "false", "no")


def missing_standard(reason: str):
    """Skip with the reason, or fail when the standards are required."""
    if standards_required():
        pytest.fail(f"{reason} (MILEPOST_REQUIRE_STANDARDS is set, so this fails instead of skipping)")
    pytest.skip(reason)


def standards_folder() -> Path:
    return Path(os.environ.get("MILEPOST_STANDARDS_PATH") or ROOT.parent / "shared" / "vendor" / "1edtech")


def official_ob3_schema() -> dict:
    path = standards_folder() / OB3_SCHEMA
    if not path.is_file():
        missing_standard(f"the official OB 3.0 JSON schema is not at {path}: the schema tests need "
                         "../shared/vendor/1edtech beside the repository (or MILEPOST_STANDARDS_PATH)")
    return json.loads(path.read_text(encoding="utf-8"))


class FlaskAdapter(BaseAdapter):
    """A requests transport answering from the app (BASE_URL) and the validator's own context copy."""

    def __init__(self, app):
        super().__init__()
        from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT, OPENBADGES_CONTEXT_V2_URI

        self.app = app
        self.host = urlsplit(app.config["BASE_URL"]).netloc
        self.contexts = {OPENBADGES_CONTEXT_V2_URI: OPENBADGES_CONTEXT_V2_DICT,
                         OPENBADGES_CONTEXT_V2_URI + "/": OPENBADGES_CONTEXT_V2_DICT}
        self.fetched: list[str] = []

    def send(self, request, **kwargs):
        self.fetched.append(request.url)
        response = Response()
        response.url, response.request, response.encoding = request.url, request, "utf-8"
        if request.url in self.contexts:
            response.status_code = 200
            response._content = json.dumps(self.contexts[request.url]).encode()
            response.headers = CaseInsensitiveDict({"Content-Type": "application/ld+json"})
            return response
        parts = urlsplit(request.url)
        if parts.netloc != self.host:
            raise requests.ConnectionError(f"offline test: no network for {request.url}")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        served = self.app.test_client().open(path, method=request.method, headers=dict(request.headers))
        response.status_code = served.status_code
        response._content = served.get_data()
        response.headers = CaseInsensitiveDict(dict(served.headers))
        return response

    def close(self):
        pass


def report_errors(report: dict) -> list[str]:
    return [f"{m.get('name')}: {m.get('result')}" for m in report.get("messages", []) if m["messageLevel"] == "ERROR"]
