"""Fixtures: an app on SQLite and on PostgreSQL, clients, people with roles; the fixture plugins under
tests/helpers/. Plain helpers (make_test_app, login, count_queries, PASSWORD, ...) are in tests/helpers/app.py.

Every test that uses `app` runs twice: once on a fresh SQLite file and once on PostgreSQL
(MILEPOST_TEST_DATABASE_URL); without that variable the PostgreSQL runs are skipped with
the reason shown in the summary."""
from __future__ import annotations

import pytest

# Before the helpers are imported, so that their asserts explain a failure as a test's own do.
pytest.register_assert_rewrite("tests.helpers")

from sqlalchemy import text  # noqa: E402

from milepost.extensions import db  # noqa: E402
from tests.helpers.app import (  # noqa: E402
    PASSWORD,
    PG_SCHEMA,
    PG_URL,
    drop_pg_schema,
    login,
    make_test_app,
    reset_pg_schema,
)

# Fixtures that tests in more than one folder use (a folder's own stay in that folder's conftest.py).
pytest_plugins = [
    "tests.helpers.fixtures_badges",
    "tests.helpers.fixtures_evidence",
    "tests.helpers.fixtures_points",
    "tests.helpers.fixtures_reviews",
    "tests.helpers.fixtures_surveys",
]


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


def pytest_terminal_summary(terminalreporter):
    if not PG_URL:
        terminalreporter.write_line(
            "PostgreSQL runs were skipped: set MILEPOST_TEST_DATABASE_URL (as .ci/run does) to run them.",
            yellow=True)
