"""Junk to every route of the access table: huge and non-ASCII integers in paths, query strings and forms,
malformed URLs, JSON of the wrong shape or nested thousands deep. No answer may be a 5xx and nothing may
log a traceback. The table of parameters is generated from the source (every name a view or form reads)."""
from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pytest

from milepost.extensions import db
from tests.helpers.app import login
from tests.security.access_table import ACCESS

SOURCE = Path(__file__).resolve().parents[2] / "platform"
JUNK = ["99999999999999999999", "-99999999999999999999", "²", "٣", "1e309", "\x00", "[]", "💥",
        "http://example.org:99999/", "http://[::1/", "' OR 1=1 --", "x" * 3000]
JSON_BODIES = ["[1,2,3]", "[" * 5000 + "]" * 5000, '{"prompt": 99999999999999999999, "size": 1e400}',
               '{"prompt": "²", "size": [], "text": {}, "filename": 5, "student_info": "yes"}', "{not json"]
PATH_JUNK = ["99999999999999999999", "²", "..%2F..%2Fetc", "%00", "x" * 400]


def _names() -> list[str]:
    """Every query, form and JSON field name the application reads, found in its source."""
    names = set()
    patterns = [r'request\.(?:args|form|files|values)\.get(?:list)?\(\s*f?"([\w-]+?)(?:-\{)?[\w}]*"',
                r'query_int\(\s*"(\w+)"', r"^\s+(\w+)\s*=\s*\w*Field\(", r'data\["(\w+)"\]']
    for path in SOURCE.rglob("*.py"):
        text = path.read_text()
        for pattern in patterns:
            names.update(re.findall(pattern, text, flags=re.M))
    names = {n for n in names if n and not n.startswith("_")}
    return sorted(names | {f"{n}-{i}" for n in ("level", "glow", "grow", "comment", "answer", "q") for i in (0, 1)})


@pytest.fixture
def app_settings():
    return {"TWO_FACTOR_REQUIRED": False}


@pytest.fixture
def everyone(app, make_user):
    """The demo district (so ids in paths name real rows) and one person who holds every role."""
    from milepost.demo import seed
    seed(db.session)
    db.session.commit()
    return make_user("teacher", "coach", "pd_admin", "leader", "site_admin", email="fuzz@school.example")


def _urls(rule) -> list[str]:
    """The rule with real-looking values (1, and the names of demo rows), then with junk in each parameter."""
    def fill(value_for):
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+(?:\([^)]*\))?:)?{name}>", value_for(name), url)
        return url

    def plain(name):
        converter = rule._converters[name]
        if converter.__class__.__name__ == "AnyConverter":
            return sorted(converter.items)[0]
        return "1"

    urls = [fill(plain)]
    for junk in PATH_JUNK:
        urls.append(fill(lambda _name, junk=junk: junk))
    return urls


def test_junk_to_every_route_never_answers_5xx_or_logs_a_traceback(app, everyone, caplog):
    names = _names()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint in ACCESS and r.endpoint != "signin.logout"]
    assert len(rules) >= len(ACCESS) - 1
    anonymous = app.test_client()
    problems, sent, started = [], 0, time.monotonic()
    caplog.set_level(logging.WARNING)
    for rule in rules:
        client = app.test_client()
        assert login(client, everyone.email).status_code == 302
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for i, url in enumerate(_urls(rule)):
            requests = []
            for junk in (JUNK if i == 0 else JUNK[:2]):
                fields = dict.fromkeys(names, junk)
                if "GET" in methods:
                    requests.append(("GET", {"query_string": fields}))
                for method in set(methods) - {"GET"}:
                    requests.append((method, {"data": fields}))
            if i == 0:
                for method in set(methods) - {"GET"}:
                    requests += [(method, {"data": body, "content_type": "application/json"}) for body in JSON_BODIES]
                requests += [("GET", {"query_string": dict.fromkeys(names, junk)}) for junk in JUNK[:2]
                             if "GET" in methods and rule.endpoint != "core.healthz"]
            for method, kwargs in requests:
                for who in (client, anonymous) if i == 0 and kwargs is requests[0][1] else (client,):
                    sent += 1
                    try:
                        response = who.open(url, method=method, headers={"Upload-Offset": "²"}, **kwargs)
                    except Exception as exc:  # noqa: BLE001 (the test reports every route's crash at once)
                        problems.append(f"{method} {url} {str(kwargs)[:80]}: raised {exc.__class__.__name__}: {exc}")
                        db.session.rollback()
                        continue
                    if response.status_code >= 500:
                        problems.append(f"{method} {url} {str(kwargs)[:80]}: {response.status_code}")
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    elapsed = time.monotonic() - started
    print(f"fuzz: {sent} requests to {len(rules)} routes in {elapsed:.0f} s")
    assert not problems, f"{len(problems)} crashes:\n" + "\n".join(sorted(set(problems))[:80])
    assert not tracebacks, "\n".join(r.getMessage() for r in tracebacks[:20])
