"""The declarative base every model inherits, with stable constraint names for Alembic."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def in_list(values) -> str:
    """The quoted values of a CHECK constraint's IN (...): in_list(("a", "b")) -> "'a', 'b'"."""
    return ", ".join(f"'{v}'" for v in values)


# A moment that utcnow() answers instead of the clock, for this context only (the demo's backdated history).
_fixed_now: ContextVar[datetime | None] = ContextVar("milepost_fixed_now", default=None)


def utcnow() -> datetime:
    fixed = _fixed_now.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Within the block, utcnow() (and so every service and column default) answers `moment` (aware, UTC).
    A context variable: other threads and requests keep the real clock."""
    token = _fixed_now.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _fixed_now.reset(token)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use milepost.core.model.utcnow()")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING), type_annotation_map={datetime: UTCDateTime()})


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
