"""What a feature's `init_app(app)` may add besides blueprints, commands and signal receivers: cards on
the home page and steps of the demo district. Both keep the order of `milepost.app.FEATURES`."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

HOME_CARDS = "milepost_home"
DEMO_STEPS = "milepost_demo_steps"


def add_home_cards(app: Flask, provider: Callable, *, place: int) -> None:
    """provider(user) -> [{"title", "text", "url"}, ...]: the cards this feature shows that person.
    `place` orders the cards on the page (lower first): a teacher's own work leads, staff tools follow."""
    app.extensions.setdefault(HOME_CARDS, []).append((place, provider))


def home_card_providers(app: Flask) -> list[Callable]:
    return [provider for _place, provider in sorted(app.extensions.get(HOME_CARDS, []), key=lambda p: p[0])]


def add_demo_step(app: Flask, step: Callable) -> None:
    """step(session, people) adds this feature's part of the demo district; `people` maps each demo
    person's email to their User. Every step is idempotent: it looks before it adds."""
    app.extensions.setdefault(DEMO_STEPS, []).append(step)


def demo_steps(app: Flask) -> list[Callable]:
    return app.extensions.get(DEMO_STEPS, [])
