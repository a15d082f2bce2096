"""Who may see a notification: only the person it was made for. Opening one and marking it read go
through notifications.services.own, which asks here; the list shows only the viewer's own."""
from __future__ import annotations

from milepost.notifications.models import Notification


def can_see(user, notification: Notification | None) -> bool:
    return notification is not None and notification.user_id == user.id
