"""My data (download everything), and removing a departed teacher's personal data (site admins)."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for
from flask_login import current_user

from milepost.accounts.models import User
from milepost.core.access import roles, signed_in
from milepost.core.forms import apply_change
from milepost.extensions import db
from milepost.privacy import access, services
from milepost.privacy.forms import RemoveDataForm

bp = Blueprint("privacy", __name__)


@bp.get("/account/my-data")
@signed_in
def my_data():
    return render_template("privacy/my_data.html")


@bp.get("/account/my-data.zip")
@signed_in
def my_data_zip():
    data = services.export_person(db.session, current_user)
    db.session.commit()
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": 'attachment; filename="milepost-my-data.zip"', "Cache-Control": "private, no-store"})


@bp.route("/admin/people/<int:user_id>/remove-data", methods=["GET", "POST"])
@roles(*access.REMOVER_ROLES)
def remove_data(user_id: int):
    person = db.get_or_404(User, user_id)
    form = RemoveDataForm()
    if form.validate_on_submit():
        if form.confirm_email.data.strip().lower() != person.email:
            form.confirm_email.errors.append("That is not this person's email.")
        else:
            done = apply_change(
                lambda: services.anonymise_person(db.session, person, reason=form.reason.data,
                                                  revoke_credentials=form.revoke.data, by=current_user),
                errors=form.reason.errors, then=url_for("admin.people"),
                success="The person's personal data is removed. The district's totals are unchanged.")
            if done:
                return done
    return render_template("privacy/remove_data.html", form=form, person=person), 400 if form.errors else 200
