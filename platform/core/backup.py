"""Backups: one archive holding a consistent copy of the database, the uploaded files and the
keys, taken while the app runs; and restoring it into an empty instance.

The database is written table by table as JSON lines inside one read transaction (REPEATABLE
READ on PostgreSQL, a single read transaction on SQLite), so it is the same moment for every
table, and it restores into either database."""
from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy import insert, inspect, select, text

FORMAT = "milepost-backup/1"
SKIP_FILES = {"milepost.db", "milepost.db-wal", "milepost.db-shm"}


def _encode(value):
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$dec": str(value)}
    if isinstance(value, (bytes, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        (key, raw), = value.items()
        if key == "$dt":
            return dt.datetime.fromisoformat(raw)
        if key == "$date":
            return dt.date.fromisoformat(raw)
        if key == "$dec":
            return decimal.Decimal(raw)
        if key == "$b64":
            return base64.b64decode(raw)
    return value


def _revision(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None  # a database built without migrations (tests)
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def create_backup(engine, metadata, instance: Path, target: Path, *, extra_folders=()) -> dict:
    """Write the archive; returns its manifest (counts per table, files and their SHA-256)."""
    manifest = {"format": FORMAT, "created": dt.datetime.now(dt.UTC).isoformat(),
                "dialect": engine.dialect.name, "tables": {}, "files": {}}
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".backup-")
    os.close(fd)
    try:
        with tarfile.open(tmp, "w:gz") as tar:
            with engine.connect() as conn:
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
                else:
                    conn.exec_driver_sql("BEGIN")  # SQLite: one read transaction = one snapshot (WAL)
                manifest["revision"] = _revision(conn)
                for table in metadata.sorted_tables:
                    lines, count = [], 0
                    key = [c for c in table.primary_key.columns] or list(table.columns)
                    for row in conn.execute(select(table).order_by(*key)).mappings():
                        lines.append(json.dumps({k: _encode(v) for k, v in row.items()}, sort_keys=True))
                        count += 1
                    _add_bytes(tar, f"db/{table.name}.jsonl", ("\n".join(lines) + ("\n" if lines else "")).encode())
                    manifest["tables"][table.name] = count
                conn.rollback()
            for label, folder in [("instance", instance), *((Path(f).name, f) for f in extra_folders)]:
                folder = Path(folder)
                if not folder.exists():
                    continue
                for path in sorted(folder.rglob("*")):
                    if not path.is_file() or path.name in SKIP_FILES or path.resolve() == Path(tmp).resolve():
                        continue
                    if "backups" in path.relative_to(folder).parts[:1] or path.suffix == ".part":
                        continue
                    name = f"files/{label}/{path.relative_to(folder).as_posix()}"
                    data = path.read_bytes()
                    manifest["files"][name] = hashlib.sha256(data).hexdigest()
                    _add_bytes(tar, name, data)
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return manifest


class RestoreRefused(Exception):
    pass


def restore_backup(engine, metadata, archive: Path, instance: Path, *, folder_map: dict | None = None) -> dict:
    """Load an archive into an empty database (tables made, no rows) and instance folder."""
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        if manifest.get("format") != FORMAT:
            raise RestoreRefused("This file is not a Milepost backup.")
        with engine.begin() as conn:
            for table in metadata.sorted_tables:
                if conn.execute(select(table).limit(1)).first() is not None:
                    raise RestoreRefused(f"The database is not empty (table {table.name} has rows). "
                                         "Restore into a new, empty instance.")
            for table in metadata.sorted_tables:
                member = tar.extractfile(f"db/{table.name}.jsonl")
                rows = [json.loads(line) for line in member.read().decode().splitlines() if line] if member else []
                batch = [{k: _decode(v) for k, v in row.items() if k in table.c} for row in rows]
                for start in range(0, len(batch), 1000):
                    conn.execute(insert(table), batch[start:start + 1000])
            if engine.dialect.name == "postgresql":
                _reset_sequences(conn, metadata)
        folder_map = folder_map or {}
        for name, digest in manifest["files"].items():
            _, folder, rel = name.split("/", 2)
            base = Path(instance if folder == "instance" else folder_map.get(folder, instance / folder))
            dest = (base / rel).resolve()
            if not str(dest).startswith(str(base.resolve())):
                raise RestoreRefused(f"Unsafe path in the backup: {name}")
            data = tar.extractfile(name).read()
            if hashlib.sha256(data).hexdigest() != digest:
                raise RestoreRefused(f"{name} is damaged in the backup (checksum differs).")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
    return manifest


def _reset_sequences(conn, metadata) -> None:
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int
                                                and len(table.primary_key.columns) == 1):
                seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                   {"t": f'"{table.name}"', "c": column.name}).scalar()
                if seq:
                    # Table and column names come from our own metadata, never from input.
                    statement = (f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") '  # nosec
                                 f'FROM "{table.name}"), 0) + 1, false)')
                    conn.execute(text(statement), {"s": seq})
