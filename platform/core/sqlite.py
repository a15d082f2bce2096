"""SQLite connections (the embedded default database): pragmas, and transactions that begin where
SQLAlchemy expects them to.

Python's sqlite3 driver, in its default mode, emits BEGIN by itself only before INSERT, UPDATE, DELETE
and REPLACE. A SAVEPOINT issued first (`session.begin_nested()` around the first write of a unit of
work, as points.services.credit does) then opens a transaction of its own that RELEASE SAVEPOINT
commits at once: a later rollback of the unit of work left the ledger entry committed without the
balance that goes with it. So the driver is put in autocommit mode (isolation_level = None: it never
emits BEGIN or COMMIT on its own; commit() and rollback() still end a transaction that is open) and
the BEGIN is ours, as the SQLAlchemy documentation recommends for pysqlite.

Where the BEGIN goes, and which kind, is chosen for correctness under concurrency and for speed:

- Not at the first statement (the documentation's plain "begin" event recipe). In WAL mode a
  deferred transaction that has read takes a snapshot, and if another connection commits a write
  before this one writes, its first write fails at once with SQLITE_BUSY (snapshot), without waiting
  for busy_timeout: nearly every request reads (the signed-in user) before it writes, so concurrent
  requests, the review race and the live/HTTP servers would fail with "database is locked". A BEGIN
  IMMEDIATE at the first statement instead would make every page, reads only, take the single write
  lock and queue behind the others.
- So reads that come before a transaction's first write run in autocommit, each seeing the latest
  committed data (what PostgreSQL's READ COMMITTED, the level the app is built and tested for, gives),
  and never hold the write lock; a page that only reads never begins a transaction at all.
- BEGIN IMMEDIATE goes right before the first statement that writes or means to: INSERT, UPDATE,
  DELETE, REPLACE, a SAVEPOINT (the bug above), DDL (so a migration step is really transactional), a
  WITH ... that writes, and a SELECT ... FOR UPDATE (SQLite drops the clause; taking the write lock
  there gives the serialisation PostgreSQL's row lock gives). IMMEDIATE takes the write lock at once,
  waiting up to busy_timeout for another writer; from then on nobody else writes until COMMIT, so
  what this transaction reads is current and its writes cannot hit a stale snapshot.
- Code that wants one snapshot for several reads (the backup) issues BEGIN itself, which runs as it is.

Connections in SQLAlchemy's AUTOCOMMIT isolation level are left alone (every statement commits)."""
from __future__ import annotations

import re
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 5000

# Statements that write (or take the write lock), by their first word; WITH only if it writes.
_WRITES = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT|CREATE|DROP|ALTER)\b", re.IGNORECASE)
_WITH = re.compile(r"\s*WITH\b", re.IGNORECASE)
_DML = re.compile(r"\b(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)


def _on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return  # PostgreSQL and anything else: untouched
    dbapi_connection.isolation_level = None  # the driver never begins or commits by itself: see above
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # a no-op inside a transaction: here there is none
    cursor.execute("PRAGMA journal_mode=WAL")  # cannot run inside a transaction either
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _writes(statement: str, context) -> bool:
    if _WRITES.match(statement):
        return True
    if _WITH.match(statement):
        return bool(_DML.search(statement))
    if _SELECT.match(statement):
        compiled = getattr(context, "compiled", None)
        return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None
    return False


def _before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
    dbapi_connection = getattr(cursor, "connection", None)
    if (isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction
            and _writes(statement, context)
            and conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT"):
        # Not echoed by SQLAlchemy's logging; an error here (locked past busy_timeout) is raised as
        # sqlalchemy.exc.OperationalError for the statement, as a lock wait of the statement would be.
        dbapi_connection.execute("BEGIN IMMEDIATE")


def install() -> None:
    """Listen on every engine (idempotent): only sqlite3 connections are touched."""
    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)
        event.listen(Engine, "before_cursor_execute", _before_cursor_execute)
