"""Backup and restore: every table and every file comes back as it was, on SQLite and PostgreSQL."""
import os
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from milepost.core.backup import RestoreRefused, create_backup, restore_backup
from milepost.demo import seed
from milepost.extensions import db
from tests.helpers.app import drop_pg_schema, make_test_app, reset_pg_schema


def snapshot(metadata):
    tables = {}
    for table in metadata.sorted_tables:
        key = list(table.primary_key.columns) or list(table.columns)
        tables[table.name] = [tuple(row) for row in db.session.execute(select(table).order_by(*key))]
    return tables


def files(folder: Path):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
            and p.name not in ("milepost.db", "milepost.db-wal", "milepost.db-shm") and "backups" not in p.parts}


@pytest.fixture
def second_database(request, app, tmp_path):
    if db.engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    schema = f"milepost_restore_{os.getpid()}"
    yield reset_pg_schema(schema)
    drop_pg_schema(schema)


def test_a_backup_restores_every_table_and_file(app, tmp_path, second_database, monkeypatch):
    seed(db.session)
    db.session.commit()
    instance = Path(app.instance_path)
    (instance / "uploads" / "evidence").mkdir(parents=True, exist_ok=True)
    (instance / "uploads" / "evidence" / "photo.png").write_bytes(b"\\x89PNG fake")
    before_rows, before_files = snapshot(db.metadata), files(instance)
    archive = tmp_path / "backup.tar.gz"
    manifest = create_backup(db.engine, db.metadata, instance, archive)
    assert manifest["tables"]["user"] == len(before_rows["user"]) > 0

    restored_instance = tmp_path / "restored-instance"
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(restored_instance))
    other = make_test_app(tmp_path, second_database)
    with other.app_context():
        db.create_all()
        try:
            restore_backup(db.engine, db.metadata, archive, restored_instance)
            assert snapshot(db.metadata) == before_rows
            assert files(restored_instance) == before_files
            with pytest.raises(RestoreRefused, match="not empty"):
                restore_backup(db.engine, db.metadata, archive, restored_instance)
            if db.engine.dialect.name == "postgresql":  # sequences continue after the restored ids
                from milepost.accounts.services import save_user
                user = save_user(db.session, None, actor=None, email="new@school.example", display_name="New",
                                 roles=["teacher"], school=None, plcs=[])
                db.session.commit()
                assert user.id > max(row[0] for row in before_rows["user"])
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_the_cli_backs_up_and_restores_into_a_fresh_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "one"))
    first = make_test_app(tmp_path, f"sqlite:///{tmp_path / 'one.db'}", UPLOAD_PATH=str(tmp_path / "one" / "uploads"),
                          SECRET_KEY=None)
    with first.app_context():
        upgrade()
        seed(db.session)
        db.session.commit()
        people = db.session.execute(db.text('SELECT COUNT(*) FROM "user"')).scalar()
        db.engine.dispose()
    key_file = tmp_path / "backup.key"
    key_file.write_bytes(os.urandom(32).hex().encode())
    refused = first.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.tar.gz")])
    assert refused.exit_code != 0 and "Backups are encrypted" in refused.output  # no key: no backup
    result = first.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.tar.gz"), "--key-file", str(key_file)])
    assert result.exit_code == 0 and "encrypted" in result.output, result.output
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "two"))
    second = make_test_app(tmp_path, f"sqlite:///{tmp_path / 'two.db'}", UPLOAD_PATH=str(tmp_path / "two" / "uploads"),
                           SECRET_KEY=None)
    refused = second.test_cli_runner().invoke(args=["restore", str(tmp_path / "b.tar.gz")])
    assert refused.exit_code != 0 and "This backup is encrypted with a key file" in refused.output
    result = second.test_cli_runner().invoke(args=["restore", str(tmp_path / "b.tar.gz"), "--key-file", str(key_file)])
    assert result.exit_code == 0, result.output
    with second.app_context():
        assert db.session.execute(db.text('SELECT COUNT(*) FROM "user"')).scalar() == people
        db.engine.dispose()
    assert (tmp_path / "two" / "secret_key").read_text() == (tmp_path / "one" / "secret_key").read_text()


def test_an_encrypted_backup_hides_everything_and_refuses_a_wrong_or_missing_key(app, tmp_path):
    from milepost.core.backup import BackupKey, archive_manifest, is_encrypted

    seed(db.session)
    db.session.commit()
    instance = Path(app.instance_path)
    (instance / "note.txt").write_bytes(b"a plain file in the instance" * 100000)  # several 1 MiB chunks
    archive = tmp_path / "backup.tar.gz.enc"
    key = BackupKey(passphrase="correct horse battery staple")
    create_backup(db.engine, db.metadata, instance, archive, key=key)
    data = archive.read_bytes()
    assert is_encrypted(archive) and b"dana.whitfield" not in data and b"manifest" not in data
    assert archive_manifest(archive, key)["tables"]["user"] > 0
    for wrong in (None, BackupKey(passphrase="not the right passphrase")):
        with pytest.raises(RestoreRefused):
            archive_manifest(archive, wrong)
    cut = tmp_path / "cut.enc"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(RestoreRefused, match="cut short|cannot be opened"):
        archive_manifest(cut, key)
    flipped = bytearray(data)
    flipped[-10] ^= 1
    (tmp_path / "flipped.enc").write_bytes(bytes(flipped))
    with pytest.raises(RestoreRefused, match="cannot be opened"):
        archive_manifest(tmp_path / "flipped.enc", key)
    with pytest.raises(RestoreRefused, match="at least 12"):
        BackupKey(passphrase="short")
