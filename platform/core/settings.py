"""Site settings a site admin changes while the app runs (kept in the database, not in files)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from milepost.core.model import utcnow
from milepost.extensions import db


class SiteSetting(db.Model):
    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict | list | str | int | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


def get_setting(key: str, default=None):
    row = db.session.scalar(select(SiteSetting).where(SiteSetting.key == key))
    return default if row is None else row.value


def set_setting(session, key: str, value, *, by=None) -> None:
    row = session.get(SiteSetting, key)
    if row is None:
        row = SiteSetting(key=key)
        session.add(row)
    row.value, row.updated_by_id = value, getattr(by, "id", None)
