"""The authorization audit: every route, every role, against a declared table (access_table.py).

A new route without an entry in the table fails here; so does a route whose decorator and table
disagree, and any route whose real answer to a role differs from what its rule promises."""
import re

import pytest

from tests.helpers.app import login
from tests.security.access_table import ACCESS, FEATURE_DECIDES

ROLES = ("teacher", "coach", "pd_admin", "leader", "site_admin")
REFUSED = {401, 403}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def sample_url(rule) -> str:
    """The rule with every parameter filled with something that exists nowhere."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        kind = converter.__class__.__name__
        values[name] = 999999 if kind.endswith("IntegerConverter") else (
            sorted(converter.items)[0] if kind == "AnyConverter" else "no-such-thing")
    url = rule.rule
    for name, value in values.items():
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), url)
    return url


def test_every_route_is_in_the_declared_table_with_the_same_rule(app):
    seen = {}
    for rule in routes(app):
        view = app.view_functions[rule.endpoint]
        seen[rule.endpoint] = getattr(view, "milepost_access", None)
    missing = sorted(set(seen) - set(ACCESS))
    assert missing == [], f"routes without a declared rule in tests/security/access_table.py: {missing}"
    stale = sorted(set(ACCESS) - set(seen))
    assert stale == [], f"table entries for routes that no longer exist: {stale}"
    differ = {e: (seen[e], ACCESS[e]) for e in seen if seen[e] != ACCESS[e]}
    assert differ == {}, f"decorator and table disagree (decorator, table): {differ}"


@pytest.fixture
def clients(app, make_user):
    made = {"anonymous": app.test_client()}
    for role in ROLES:
        user = make_user(role)
        client = app.test_client()
        assert login(client, user.email).status_code == 302
        made[role] = client
    return made


def allowed(rule: str, role: str) -> bool:
    if rule == "public":
        return True
    if role == "anonymous":
        return False
    if rule == "signed_in":
        return True
    return role in rule.split(":", 1)[1].split(",")


# Signing out ends the session the walk goes on with.
NOT_WALKED = {"signin.logout"}


def test_every_route_answers_each_role_as_its_rule_says(app, clients):
    problems = []
    for rule in routes(app):
        if rule.endpoint in NOT_WALKED:
            continue
        declared = ACCESS[rule.endpoint]
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS", "HEAD"})[0]
        url = sample_url(rule)
        for who, client in clients.items():
            response = client.open(url, method=method)
            status = response.status_code
            to_login = status == 302 and "/login" in response.headers.get("Location", "")
            # A public page may still send someone to sign in (a second-factor step with nothing pending).
            refused = status in REFUSED or (to_login and declared != "public")
            if allowed(declared, who) and refused and not (rule.endpoint in FEATURE_DECIDES and who != "anonymous"):
                problems.append(f"{method} {url} refused {who} ({status}) though the rule is {declared}")
            if not allowed(declared, who) and not refused:
                problems.append(f"{method} {url} let {who} through ({status}) though the rule is {declared}")
    assert not problems, "\n" + "\n".join(problems)
