"""Backups: one archive holding a consistent copy of the database, the uploaded files and the
keys, taken while the app runs; and restoring it into an empty instance.

The database is written table by table as JSON lines inside one read transaction (REPEATABLE
READ on PostgreSQL, a single read transaction on SQLite), so it is the same moment for every
table, and it restores into either database."""
from __future__ import annotations

import base64
import contextlib
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


def create_backup(engine, metadata, instance: Path, target: Path, *, extra_folders=(),
                  key: BackupKey | None = None) -> dict:
    """Write the archive (encrypted when a key is given); returns its manifest (counts per table, files and
    their SHA-256)."""
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
                    order = [c for c in table.primary_key.columns] or list(table.columns)
                    for row in conn.execute(select(table).order_by(*order)).mappings():
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
        if key is not None:
            sealed = tmp + ".sealed"
            try:
                encrypt_file(Path(tmp), Path(sealed), key)
                os.replace(sealed, tmp)
            finally:
                if os.path.exists(sealed):
                    os.unlink(sealed)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    manifest["encrypted"] = key is not None
    return manifest


@contextlib.contextmanager
def opened_archive(archive: Path, key: BackupKey | None = None):
    """The archive as a plain .tar.gz path: itself, or (encrypted) a private temporary copy, removed after."""
    if not is_encrypted(archive):
        yield Path(archive)
        return
    fd, tmp = tempfile.mkstemp(prefix=".restore-", suffix=".tar.gz")
    os.close(fd)
    try:
        decrypt_file(Path(archive), Path(tmp), key)
        yield Path(tmp)
    finally:
        os.unlink(tmp)


def archive_manifest(archive: Path, key: BackupKey | None = None) -> dict:
    with opened_archive(archive, key) as plain:
        try:
            with tarfile.open(plain, "r:gz") as tar:
                return json.loads(tar.extractfile("manifest.json").read())
        except (tarfile.TarError, KeyError, OSError, ValueError):
            raise RestoreRefused("This file is not a Milepost backup.") from None


class RestoreRefused(Exception):
    pass


def restore_backup(engine, metadata, archive: Path, instance: Path, *, folder_map: dict | None = None,
                   key: BackupKey | None = None) -> dict:
    """Load an archive into an empty database (tables made, no rows) and instance folder; an encrypted one
    only with its passphrase or key file."""
    with opened_archive(archive, key) as plain:
        return _restore(engine, metadata, plain, instance, folder_map)


def _restore(engine, metadata, archive: Path, instance: Path, folder_map: dict | None) -> dict:
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


# --------------------------------------------------------------------------- encryption at rest
# An archive holds every secret of the instance (the database with its sealed values, and the instance
# folder with the keys that open them), so it is encrypted as a whole: AES-256-GCM in 1 MiB chunks (so a
# large archive never sits in memory twice), each chunk's nonce counting up and the last chunk marked, so
# a truncated, reordered or altered file is refused. The key comes from a passphrase (scrypt) or a key file.

SEALED_MAGIC = b"MILEPOST-BACKUP-AESGCM/1\n"
_CHUNK = 1024 * 1024
_KINDS = {b"p": "passphrase", b"k": "key file"}
MIN_KEY_FILE_BYTES = 32


class BackupKey:
    """A passphrase or the bytes of a key file; the archive's own salt turns it into the AES key."""

    def __init__(self, *, passphrase: str | None = None, key_file: str | Path | None = None):
        if key_file:
            try:
                self.secret = Path(key_file).read_bytes().strip()
            except OSError as exc:
                raise RestoreRefused(f"The backup key file {key_file} cannot be read: {exc.strerror}.") from None
            if len(self.secret) < MIN_KEY_FILE_BYTES:
                raise RestoreRefused(f"The backup key file {key_file} is too short: it needs at least "
                                     f"{MIN_KEY_FILE_BYTES} random bytes (make one with `milepost secrets new-key`).")
            self.kind = b"k"
        elif passphrase:
            if len(passphrase) < 12:
                raise RestoreRefused("A backup passphrase needs at least 12 characters.")
            self.secret, self.kind = passphrase.encode(), b"p"
        else:
            raise RestoreRefused("Give a passphrase or a key file.")

    def derive(self, salt: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        if self.kind == b"p":
            return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(self.secret)
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"milepost backup").derive(self.secret)


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(SEALED_MAGIC)) == SEALED_MAGIC


def encrypt_file(source: Path, target: Path, key: BackupKey) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, prefix = os.urandom(16), os.urandom(8)
    header = SEALED_MAGIC + key.kind + salt + prefix
    aead = AESGCM(key.derive(salt))
    with open(source, "rb") as src, open(target, "wb") as out:
        out.write(header)
        counter, chunk = 0, src.read(_CHUNK)
        while True:
            following = src.read(_CHUNK)
            flag = b"\x01" if not following else b"\x00"
            sealed = aead.encrypt(prefix + counter.to_bytes(4, "big"), chunk, header + flag)
            out.write(flag + len(sealed).to_bytes(4, "big") + sealed)
            if not following:
                break
            counter, chunk = counter + 1, following


def decrypt_file(source: Path, target: Path, key: BackupKey | None) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    with open(source, "rb") as src, open(target, "wb") as out:
        header = src.read(len(SEALED_MAGIC) + 1 + 16 + 8)
        kind, salt, prefix = header[len(SEALED_MAGIC):][:1], header[-24:-8], header[-8:]
        if not header.startswith(SEALED_MAGIC) or kind not in _KINDS:
            raise RestoreRefused("This file is not an encrypted Milepost backup.")
        if key is None:
            raise RestoreRefused(f"This backup is encrypted with a {_KINDS[kind]}: give it (--key-file, or "
                                 "MILEPOST_BACKUP_KEY_FILE / MILEPOST_BACKUP_PASSPHRASE) to restore it.")
        if key.kind != kind:
            raise RestoreRefused(f"This backup was encrypted with a {_KINDS[kind]}, not a {_KINDS[key.kind]}.")
        aead = AESGCM(key.derive(salt))
        counter = 0
        while True:
            head = src.read(5)
            if len(head) < 5:
                raise RestoreRefused("The backup is cut short (its last part is missing).")
            flag, size = head[:1], int.from_bytes(head[1:], "big")
            sealed = src.read(size)
            try:
                out.write(aead.decrypt(prefix + counter.to_bytes(4, "big"), sealed, header + flag))
            except InvalidTag:
                raise RestoreRefused("The backup cannot be opened with that passphrase or key file "
                                     "(or the file is damaged).") from None
            if flag == b"\x01":
                if src.read(1):
                    raise RestoreRefused("The backup has data after its last part; it is damaged.")
                return
            counter += 1
