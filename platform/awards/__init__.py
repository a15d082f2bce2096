"""Awards: the badges people have earned (or were awarded directly), one per person and badge version."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from milepost.awards import models, receivers, services  # noqa: F401 - models: the tables
    from milepost.core import signals

    signals.submission_changed.connect(receivers.issue_on_meets)
    signals.progress_asked.connect(receivers.earned_badges)
    signals.earner_counts_asked.connect(receivers.earner_counts)
    signals.go_to_people_asked.connect(receivers.go_to_people)
    services.listen()  # badge holder counts kept in step with every award written
