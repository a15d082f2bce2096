"""Shared tables: the audit log of admin actions, decisions and exports."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from milepost.core.model import utcnow
from milepost.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


def record(session, action: str, *, actor=None, target=None, **detail) -> AuditEvent:
    """Add an audit event to the caller's unit of work (it commits with the change)."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        detail=detail,
    )
    session.add(event)
    return event
