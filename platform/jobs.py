"""Entry points of the background jobs on the RQ queue. `milepost worker` runs them inside its app; a
bare `rq worker` gets an app made here, since a job needs the settings and the database of one."""
from __future__ import annotations

from contextlib import contextmanager

from flask import has_app_context


@contextmanager
def _app_context():
    if has_app_context():
        yield
        return
    from milepost.app import create_app

    with create_app().app_context():
        yield


def deliver_mail(ids: list[int]) -> None:
    """Send these outgoing mails (notifications.delivery.enqueue puts them on the queue)."""
    from milepost.notifications import delivery

    with _app_context():
        delivery.deliver(ids)
