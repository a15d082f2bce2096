"""Credentials helpers: the Open Badges 2.0 validator's pin, a requests transport answering from the app, errors."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.models import Response
from requests.structures import CaseInsensitiveDict

FIXTURES = Path(__file__).resolve().parents[1] / "credentials" / "fixtures"
VALIDATOR = "openbadges==1.1.2"


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
