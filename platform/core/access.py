"""Who may use a view: the decorators every view declares itself with (a test checks), the roles and
the role groups features share, and safe redirects. Each feature's rules about its own objects are in
its access.py."""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for
from flask_login import current_user


class Role(StrEnum):
    """What a person does in the district; one person may hold several (user_role rows)."""

    TEACHER = "teacher"
    COACH = "coach"
    PD_ADMIN = "pd_admin"
    LEADER = "leader"
    SITE_ADMIN = "site_admin"


ROLES = tuple(Role)
ROLE_LABELS = {
    Role.TEACHER: "Teacher",
    Role.COACH: "Instructional coach",
    Role.PD_ADMIN: "PD office",
    Role.LEADER: "District leader",
    Role.SITE_ADMIN: "Site administrator",
}
STAFF_ROLES = (Role.PD_ADMIN, Role.SITE_ADMIN)


def _mark(view: Callable, rule: str) -> None:
    view.milepost_access = rule


def public(view: Callable) -> Callable:
    """Open to anyone, signed in or not."""
    _mark(view, "public")
    return view


def signed_in(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _to_login()
        return view(*args, **kwargs)

    _mark(wrapper, "signed_in")
    return wrapper


def roles(*names: str) -> Callable[[Callable], Callable]:
    """Signed in and holding at least one of the named roles; 403 otherwise."""
    unknown = set(names) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_login()
            if not current_user.has_role(*names):
                abort(403)
            return view(*args, **kwargs)

        _mark(wrapper, "roles:" + ",".join(names))
        return wrapper

    return decorator


def _to_login():
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("signin.login", next=request.full_path.rstrip("?")))


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths: never let ?next= send someone to another site."""
    if not target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default  # control characters: browsers drop tabs and newlines, turning "/\t/x" into "//x"
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
