"""Secrets sealed at rest: sign-in client secrets, TOTP secrets and the private signing keys are encrypted
with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under keys that live outside the database.

SEALING_KEYS (MILEPOST_SEALING_KEYS) is a comma-separated list of Fernet keys, newest first: values are sealed
with the first and opened with any, so a key is rotated by putting a new one in front, running
`milepost secrets reseal`, then dropping the old one. Without the setting, one key is derived from SECRET_KEY
(also outside the database), so the demo seals too. A sealed value is text starting with "sealed:"; a value
without the prefix is a plain one written before sealing existed, read as it is until it is sealed."""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

PREFIX = "sealed:"


class SealBroken(Exception):
    """A sealed value that none of the configured keys opens (a key dropped too early, or the wrong settings)."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def _configured(config) -> list[str]:
    raw = config.get("SEALING_KEYS") or ""
    keys = [k.strip() for k in (raw.split(",") if isinstance(raw, str) else raw) if k and k.strip()]
    if keys:
        return keys
    digest = hashlib.sha256(b"milepost sealing key\0" + str(config["SECRET_KEY"]).encode()).digest()
    return [base64.urlsafe_b64encode(digest).decode()]


def key_ring(config=None) -> tuple[str, ...]:
    """The sealing keys in use, newest first (what a cache of opened secrets must be keyed by)."""
    return tuple(_configured(config if config is not None else current_app.config))


def _fernet(config=None) -> MultiFernet:
    config = config if config is not None else current_app.config
    try:
        return MultiFernet([Fernet(key) for key in _configured(config)])
    except ValueError as exc:
        raise SealBroken("SEALING_KEYS must hold Fernet keys (make one with `milepost secrets new-key`).") from exc


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(text: str, config=None) -> str:
    if not text or is_sealed(text):
        return text
    return PREFIX + _fernet(config).encrypt(text.encode()).decode()


def unseal(value: str, config=None) -> str:
    if not is_sealed(value):
        return value
    try:
        return _fernet(config).decrypt(value[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise SealBroken("A sealed secret cannot be opened with the configured SEALING_KEYS.") from None


def reseal(value: str, config=None) -> str:
    """value sealed under the newest key (plain values are sealed, old seals re-encrypted)."""
    if not value:
        return value
    if not is_sealed(value):
        return seal(value, config)
    try:
        return PREFIX + _fernet(config).rotate(value[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise SealBroken("A sealed secret cannot be opened with the configured SEALING_KEYS.") from None


def seal_bytes(data: bytes, config=None) -> bytes:
    return PREFIX.encode() + _fernet(config).encrypt(data)


def unseal_bytes(data: bytes, config=None) -> bytes:
    if not data.startswith(PREFIX.encode()):
        return data
    try:
        return _fernet(config).decrypt(data[len(PREFIX):])
    except InvalidToken:
        raise SealBroken("A sealed file cannot be opened with the configured SEALING_KEYS.") from None


class SealedString(TypeDecorator):
    """A String column whose value is sealed on the way in and opened on the way out."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return seal(value) if value else value

    def process_result_value(self, value, dialect):
        return unseal(value) if value else value


def reseal_column(conn, table_name: str, key_columns: list[str], column: str, config=None) -> int:
    """Seal (or re-seal under the newest key) every value of one column, reading and writing the raw text;
    used by `milepost secrets reseal` and by the migration that sealed the values already stored."""
    import sqlalchemy as sa

    table = sa.table(table_name, *(sa.column(c) for c in key_columns), sa.column(column, sa.String))
    count = 0
    for row in conn.execute(sa.select(*table.c).where(table.c[column].is_not(None), table.c[column] != "")).all():
        value = row._mapping[column]
        fresh = reseal(value, config)
        if fresh != value:
            conn.execute(table.update().where(*(table.c[k] == row._mapping[k] for k in key_columns))
                         .values({column: fresh}))
            count += 1
    return count


def sealed_columns(metadata):
    """(table name, primary-key column names, column name) of every SealedString column."""
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, SealedString):
                yield table.name, [c.name for c in table.primary_key.columns], column.name


def reseal_all(conn, metadata, config=None) -> int:
    return sum(reseal_column(conn, *where, config=config) for where in sealed_columns(metadata))
