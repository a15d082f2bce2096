"""Security helpers: a seeded app on a real HTTP server, signing in with CSRF tokens, filling forms as a browser."""
from __future__ import annotations

import re
import threading
from html.parser import HTMLParser

import requests
from werkzeug.serving import make_server

from milepost.accounts.models import PLC, School
from milepost.accounts.services import save_user
from milepost.badges import services as badges
from milepost.extensions import db
from tests.helpers.app import PASSWORD, make_test_app
from tests.helpers.badges import badge_doc
from tests.helpers.evidence import PROMPTS

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ROLES = ("teacher", "coach", "pd_admin", "leader", "site_admin")


def start_server(tmp_path, **settings):
    """A seeded app served by a real threaded HTTP server: people in every role (`<role>@probe.example`),
    `other` (a teacher elsewhere), `earner` and `peer` (teachers in one PLC at Maple), one published badge."""
    options = dict(WTF_CSRF_ENABLED=True, SERVER_NAME=None, RATELIMIT_ENABLED=True,
                   LOGIN_RATE_LIMIT="20 per minute", LOGIN_ACCOUNT_RATE_LIMIT="5 per minute", MAX_FILE_MB=1,
                   LINK_CHECK="off")
    options.update(settings)
    app = make_test_app(tmp_path, f"sqlite:///{tmp_path / 'probe.db'}", **options)
    with app.app_context():
        db.create_all()
        maple, oak = School(name="Maple Elementary"), School(name="Oak Middle")
        plc = PLC(name="Grade 4 team", school=maple)
        db.session.add_all([maple, oak, plc])
        db.session.flush()

        def person(key, roles, name, school=None, plcs=()):
            return save_user(db.session, None, actor=None, email=f"{key}@probe.example", display_name=name,
                             roles=roles, school=school, plcs=list(plcs), password=PASSWORD).id

        people = {role: person(role, [role], f"{role.title()} Person") for role in ROLES}
        people["other"] = person("other", ["teacher"], "Other Teacher", oak)
        people["earner"] = person("earner", ["teacher"], "Erin Earner", maple, [plc])
        people["peer"] = person("peer", ["teacher"], "Pat Peer", maple, [plc])
        badge = badges.save_badge(db.session, None, badge_doc("goals", prompts=PROMPTS), actor=None)
        badges.publish(db.session, badge, actor=None)
        db.session.commit()
        app.schools = {"maple": maple.id, "oak": oak.id}
        app.plc_id = plc.id
        app.badge_id = badge.id
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    app.base = f"http://127.0.0.1:{http.server_port}"
    app.people = people
    app.http = http
    return app


def stop_server(app) -> None:
    app.http.shutdown()
    app.http.server_close()
    with app.app_context():
        db.engine.dispose()


def csrf(session: requests.Session, base: str, path: str) -> str:
    page = session.get(base + path).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', page).group(1)


def sign_in(server, session: requests.Session, email: str, *, password: str = PASSWORD,
            next_url: str | None = None, **extra) -> requests.Response:
    """The sign-in form posted as a browser would, with its token; `next_url` is the page asked for."""
    token = csrf(session, server.base, "/login")
    return session.post(server.base + "/login", params=None if next_url is None else {"next": next_url},
                        data={"email": email, "password": password, "csrf_token": token, **extra},
                        allow_redirects=False)


def signed_in(server, who: str) -> requests.Session:
    s = requests.Session()
    r = sign_in(server, s, f"{who}@probe.example")
    assert r.status_code == 302, r.text[:300]
    return s


def teacher_submission(server, session) -> int:
    token = csrf(session, server.base, "/badges/goals")
    r = session.post(server.base + "/badges/goals/start", data={"csrf_token": token}, allow_redirects=False)
    return int(r.headers["Location"].rsplit("/", 1)[1])


# --------------------------------------------------------------------------- forms, as a browser fills them


class _Forms(HTMLParser):
    """Every form of a page with what a browser would send as it stands: text and hidden inputs, checked
    boxes and radios, textareas, the selected (or first) option of each select."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                               "fields": []})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append([name, a.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": [], "multiple": "multiple" in a}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"].append(value)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] or ([] if self._select["multiple"] or self._select["first"] is None
                                                else [self._select["first"]])
            for value in chosen:
                self.forms[-1]["fields"].append([self._select["name"], value])
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def form_fields(page: str, action: str, *, here: str = "") -> list[list[str]]:
    """The fields of the page's POST form whose action ends with `action` (a path, query string ignored;
    "" for the form that posts back to the page itself, whose path is `here`)."""
    parser = _Forms()
    parser.feed(page)
    for form in parser.forms:
        target = form["action"].split("?", 1)[0]
        if form["method"] != "post":
            continue
        if target.endswith(action) if action else target in ("", here.split("?", 1)[0]):
            return [list(pair) for pair in form["fields"]]
    found = [(f["method"], f["action"]) for f in parser.forms]
    raise AssertionError(f"no POST form to {action!r} on the page; its forms: {found}")


def fill(session: requests.Session, base: str, page_path: str, action: str, changes: dict, *,
         files=None, allow_redirects=False) -> requests.Response:
    """Open a page, fill its form as it stands with `changes` (a value, or a list for repeated fields), post it
    (to `action`, or back to the page when `action` is "")."""
    page = session.get(base + page_path)
    assert page.status_code == 200, (page_path, page.status_code)
    fields = [pair for pair in form_fields(page.text, action, here=page_path) if pair[0] not in changes]
    for name, value in changes.items():
        for one in value if isinstance(value, list) else [value]:
            if one is not None:  # None: leave the field out (an unticked box)
                fields.append([name, one])
    target = action or page_path
    return session.post(base + target, data=[tuple(pair) for pair in fields], files=files,
                        allow_redirects=allow_redirects)
