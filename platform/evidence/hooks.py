"""How evidence plugs into the rest: catalogue progress, the home page and the navigation."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from milepost.evidence.models import Submission
from milepost.extensions import db

from milepost.badges import services as badges
from milepost.evidence import services


def register(app) -> None:
    app.jinja_env.globals["my_submission"] = my_submission
    if services.progress not in badges.hooks.progress:
        badges.hooks.progress.append(services.progress)


def home_cards(user) -> list[dict]:
    return [{"title": "My badges", "text": "Your drafts, feedback to read, submissions waiting and badges earned.",
             "url": url_for("evidence.dashboard")}]


def my_submission(badge) -> Submission | None:
    """The signed-in person's submission for this badge, if they have started it (one query)."""
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(select(Submission).where(Submission.user_id == current_user.id,
                                                      Submission.badge_id == badge.id))
