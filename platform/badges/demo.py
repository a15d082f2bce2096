"""The demo catalogue for `milepost seed-demo`: demo_catalogue.json imported once, through the
same import as any district's file."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from milepost.badges import exchange
from milepost.badges.models import Badge

CATALOGUE = Path(__file__).with_name("demo_catalogue.json")
PD_OFFICE = "dana.whitfield@riverbend.example"


def seed_demo_catalogue(session, people: dict, path: Path = CATALOGUE) -> None:
    """Import the demo catalogue when the catalogue is still empty (so running it again changes nothing)."""
    if session.scalar(select(Badge.id).limit(1)) is not None or not path.exists():
        return
    exchange.import_catalogue(session, exchange.parse(path.read_bytes()), actor=people.get(PD_OFFICE))
