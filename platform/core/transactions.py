"""Work that must happen only once the caller's transaction has really committed (mail, file
removal): never for work that rolled back, and not when only a SAVEPOINT was released."""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

KEY = "milepost_on_commit"
BATCHES = "milepost_commit_batches"


def real_session(session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def on_commit(session, fn: Callable[[], None]) -> None:
    """Call fn() after the outermost commit of this session (in the app context that committed)."""
    real_session(session).info.setdefault(KEY, []).append(fn)


def commit_batch(session, key: str, flush: Callable[[list], None]) -> list:
    """A list that collects items during this transaction and is handed to flush(items) once it
    commits (one call per transaction, whatever the number of items); dropped on rollback."""
    real = real_session(session)
    batches = real.info.setdefault(BATCHES, {})
    if key not in batches:
        items = batches[key] = []
        on_commit(real, lambda: flush(items))
    return batches[key]


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a SAVEPOINT was released; the real commit is still to come
    session.info.pop(BATCHES, None)
    callbacks = session.info.pop(KEY, None) or []
    for fn in callbacks:
        try:
            fn()
        except Exception:  # noqa: BLE001 - follow-up work must never undo or break the committed work
            if has_app_context():
                current_app.logger.exception("work after commit failed")


def _after_soft_rollback(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction rolled back: forget what was to follow it
        session.info.pop(KEY, None)
        session.info.pop(BATCHES, None)


if not event.contains(Session, "after_commit", _after_commit):
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)
