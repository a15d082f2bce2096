"""The schema that `milepost db upgrade` builds is exactly the one the models describe."""
import os
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from milepost.extensions import db
from tests.helpers.app import PG_URL, drop_pg_schema, make_test_app, reset_pg_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL run skipped: set MILEPOST_TEST_DATABASE_URL to run it")
    schema = f"milepost_migrations_{os.getpid()}"
    yield reset_pg_schema(schema)
    drop_pg_schema(schema)


def test_upgrade_builds_a_schema_identical_to_the_models(tmp_path, empty_database_url, monkeypatch):
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_test_app(tmp_path, empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations differ: {differences}"
        assert "user" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_the_cli_upgrade_works_on_a_fresh_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_test_app(tmp_path, f"sqlite:///{tmp_path / 'cli.db'}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    assert "plc_membership" in inspect(engine).get_table_names()
    engine.dispose()


SET_ANONYMITY_REVISION = "0019_pilot_evaluation"


def test_existing_sets_take_the_anonymity_of_their_surveys_and_keep_every_answer(tmp_path, empty_database_url,
                                                                                 monkeypatch):
    """The upgrade that makes a survey set anonymous or identified as a whole keeps the existing answers and
    unlinks the identified ones that shared a set's pseudonym."""
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_test_app(tmp_path, empty_database_url)
    with app.app_context():
        scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        upgrade(revision=scripts.get_revision(SET_ANONYMITY_REVISION).down_revision)
        now = datetime(2026, 10, 1, tzinfo=UTC)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO survey_set (id, name, kind, pseudonym_key, pulse_days_open, created_at, "
                              "updated_at) VALUES (1, 'Mixed', 'waves', 'k', 14, :t, :t), "
                              "(2, 'Named', 'waves', 'k', 14, :t, :t), (3, 'Empty', 'waves', 'k', 14, :t, :t)"),
                         {"t": now})
            for sid, set_id, anonymous in [(1, 1, True), (2, 1, False), (3, 2, False), (4, 2, False)]:
                conn.execute(text("INSERT INTO survey (id, title, intro, status, anonymous, audience, set_id, wave, "
                                  "opens_at, closes_at, template_key, created_at, updated_at) VALUES (:id, 'S', '', "
                                  "'published', :anonymous, 'everyone', :set_id, '', :t, :later, '', :t, :t)"),
                             {"id": sid, "set_id": set_id, "anonymous": anonymous, "t": now,
                              "later": datetime(2026, 11, 1, tzinfo=UTC)})
            for rid, sid in [("a" * 32, 1), ("b" * 32, 2), ("c" * 32, 3)]:
                conn.execute(text("INSERT INTO survey_response (id, survey_id, pseudonym, roles, submitted) "
                                  "VALUES (:id, :sid, 'shared', '', :yes)"), {"id": rid, "sid": sid, "yes": True})
        upgrade(revision=SET_ANONYMITY_REVISION)
        with db.engine.connect() as conn:
            sets = dict(conn.execute(text("SELECT id, anonymous FROM survey_set")).all())
            pseudonyms = dict(conn.execute(text("SELECT survey_id, pseudonym FROM survey_response")).all())
        assert {k: bool(v) for k, v in sets.items()} == {1: True, 2: False, 3: True}
        assert pseudonyms == {1: "shared", 2: "b" * 32, 3: "c" * 32}  # every answer kept; named ones unlinked
        db.engine.dispose()
