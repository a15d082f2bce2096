"""Fixtures: an app on SQLite and on PostgreSQL, clients, people with roles, query counting.

Every test that uses `app` runs twice: once on a fresh SQLite file and once on PostgreSQL
(MILEPOST_TEST_DATABASE_URL); without that variable the PostgreSQL runs are skipped with
the reason shown in the summary."""
from __future__ import annotations

import contextvars
import os
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from flask.testing import FlaskClient

from milepost.app import create_app
from milepost.config import normalise_database_url
from milepost.extensions import db

PG_URL = os.environ.get("MILEPOST_TEST_DATABASE_URL")
# A schema of this run's own, so that two runs on one database never drop each other's tables.
PG_SCHEMA = f"milepost_test_{os.getpid()}"
PASSWORD = "correct horse battery"


def pg_url_for_schema(schema: str) -> str:
    """The test database URL with every connection working in its own schema."""
    url = make_url(normalise_database_url(PG_URL))
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def reset_pg_schema(schema: str) -> str:
    assert re.fullmatch(r"[a-z0-9_]+", schema)
    engine = create_engine(normalise_database_url(PG_URL))
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    finally:
        engine.dispose()
    return pg_url_for_schema(schema)


def drop_pg_schema(schema: str) -> None:
    engine = create_engine(normalise_database_url(PG_URL))
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_schema_url():
    if not PG_URL:
        pytest.skip("PostgreSQL run skipped: set MILEPOST_TEST_DATABASE_URL to run it")
    # Once the variable is set PostgreSQL is expected: if it does not answer, the run fails.
    yield reset_pg_schema(PG_SCHEMA)
    drop_pg_schema(PG_SCHEMA)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_schema_url")


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, with its own database session and `g`,
    as it does in production, instead of sharing the test's."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_app(tmp_path, database_url, **extra):
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "FAST_PASSWORD_HASHING": True,
        "SERVER_NAME": "milepost.test",
        "BASE_URL": "http://milepost.test",
        "THEMES_PATH": os.path.join(os.path.dirname(__file__), "..", "themes"),
        "UPLOAD_PATH": str(tmp_path / "uploads"),
        "OUTBOX_PATH": str(tmp_path / "outbox"),
    }
    settings.update(extra)
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def app_factory(tmp_path, monkeypatch):
    """An app with extra settings on a throwaway SQLite file (no tables made)."""
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "instance"))

    def make(**extra):
        return make_test_app(tmp_path, f"sqlite:///{tmp_path / 'factory.db'}", **extra)

    return make


@pytest.fixture
def app_settings():
    """Override in a test module to change settings: return a dict."""
    return {}


@pytest.fixture
def app(tmp_path, database_url, app_settings, monkeypatch):
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_test_app(tmp_path, database_url, **app_settings)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    from milepost.accounts.services import save_user

    counter = iter(range(1, 100000))

    def make(*roles: str, email: str | None = None, name: str | None = None, school=None, plcs=(),
             password: str = PASSWORD, active: bool = True):
        n = next(counter)
        user = save_user(db.session, None, actor=None, email=email or f"person{n}@school.example",
                         display_name=name or f"Person {n}", roles=list(roles) or ["teacher"],
                         school=school, plcs=list(plcs), password=password, active=active)
        db.session.commit()
        return user

    return make


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def as_role(app, make_user):
    """as_role("pd_admin") -> a test client signed in as a new person with that role."""

    def sign_in(*roles: str):
        user = make_user(*roles)
        c = app.test_client()
        response = login(c, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        c.user = user
        return c

    return sign_in


@contextmanager
def count_queries():
    """with count_queries() as queries: ... then len(queries) is how many SQL statements ran."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def pytest_terminal_summary(terminalreporter):
    if not PG_URL:
        terminalreporter.write_line(
            "PostgreSQL runs were skipped: set MILEPOST_TEST_DATABASE_URL (as .ci/run does) to run them.",
            yellow=True)
