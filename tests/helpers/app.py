"""The test app: make_test_app, the PostgreSQL schema helpers, signing in, query counting, the test password."""
from __future__ import annotations

import contextvars
import os
import re
from contextlib import contextmanager

from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

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
        "THEMES_PATH": os.path.join(os.path.dirname(__file__), "..", "..", "themes"),
        "UPLOAD_PATH": str(tmp_path / "uploads"),
        "OUTBOX_PATH": str(tmp_path / "outbox"),
    }
    settings.update(extra)
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    return app


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


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
