"""The schools and PLCs offered in the pilot and survey forms and the results filters, by name."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from milepost.accounts.models import PLC, School


def school_choices(session) -> list[tuple[int, str]]:
    return [(s.id, s.name) for s in session.scalars(select(School).order_by(School.name))]


def plc_choices(session) -> list[tuple[int, str]]:
    return [(p.id, p.label) for p in session.scalars(select(PLC).options(selectinload(PLC.school))
                                                     .order_by(PLC.name))]
