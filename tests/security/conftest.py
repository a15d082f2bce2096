"""The live server the probes attack (real HTTP on 127.0.0.1, real cookies, CSRF protection on). The
people in it, and helpers that fill in the site's own forms the way a browser does, are in
tests/helpers/security.py."""
from __future__ import annotations

import pytest

from tests.helpers.security import start_server, stop_server


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "instance"))
    app = start_server(tmp_path)
    yield app
    stop_server(app)
