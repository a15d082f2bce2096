"""Notification pages: my list (open, mark read), my email choices, and the sign-in-free unsubscribe link."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from milepost.core.access import public, safe_next, signed_in
from milepost.core.errors import DomainError
from milepost.core.inputs import query_int
from milepost.extensions import csrf, db
from milepost.notifications import services
from milepost.notifications.forms import preferences_form
from milepost.notifications.services import KINDS

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@signed_in
def mine():
    page = db.paginate(services.list_query(current_user.id), page=query_int("page", 1), per_page=25, error_out=False)
    return render_template("notifications/list.html", pager=page, kinds=KINDS)


@bp.get("/notifications/<int:notification_id>/open")
@signed_in
def open_one(notification_id: int):
    """Follow a notification's link, marking it read on the way (only your own)."""
    row = services.mark_read(db.session, current_user, notification_id)
    db.session.commit()
    return redirect(safe_next(row.url, url_for("notifications.mine")))


@bp.post("/notifications/<int:notification_id>/read")
@signed_in
def mark_read(notification_id: int):
    services.mark_read(db.session, current_user, notification_id)
    db.session.commit()
    return redirect(url_for("notifications.mine", page=query_int("page") or None))


@bp.post("/notifications/read-all")
@signed_in
def mark_all_read():
    count = services.mark_all_read(db.session, current_user)
    db.session.commit()
    flash(f"{count} notification{'s' if count != 1 else ''} marked as read." if count else "Nothing was unread.",
          "success")
    return redirect(url_for("notifications.mine"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@signed_in
def preferences():
    current = services.preferences(db.session, current_user.id)
    form = preferences_form(current)
    if form.validate_on_submit():
        for name in current:
            services.set_preference(db.session, current_user.id, name, form[name].data)
        db.session.commit()
        flash("Your email choices are saved.", "success")
        return redirect(url_for("notifications.preferences"))
    security = [k for k in KINDS.values() if k.security]
    return render_template("notifications/preferences.html", form=form, names=list(current), kinds=KINDS,
                           security=security), 400 if form.errors else 200


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt  # RFC 8058 one-click: mail apps POST here without a form; the signed token is the proof
def unsubscribe(token: str):
    try:
        if request.method == "POST":
            found = services.unsubscribe(db.session, token)
            db.session.commit()
        else:
            found = services.read_unsubscribe(db.session, token)
    except DomainError as exc:
        db.session.rollback()
        return render_template("notifications/unsubscribe.html", problem=exc.message), 404
    return render_template("notifications/unsubscribe.html", found=found, token=token,
                           done=request.method == "POST")


def unread_notifications() -> int:
    """For the header: one indexed COUNT per request, and only for someone signed in."""
    if not current_user.is_authenticated:
        return 0
    if "milepost_unread" not in g:
        g.milepost_unread = services.unread_count(db.session, current_user.id)
    return g.milepost_unread
