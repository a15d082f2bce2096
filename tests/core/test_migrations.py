"""The schema that `milepost db upgrade` builds is exactly the one the models describe."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

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
