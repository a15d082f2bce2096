"""PD office and site administrator pages: people, schools, PLCs and roster import."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from milepost.accounts import access, services
from milepost.accounts.forms import PLCForm, RosterForm, SchoolForm, UserForm
from milepost.accounts.models import PLC, PLCMembership, School, User, UserRole
from milepost.accounts.roster import import_roster
from milepost.core.access import ROLE_LABELS, ROLES, Role, roles
from milepost.core.errors import NotAllowed, ValidationFailed
from milepost.core.forms import apply_change, choices
from milepost.core.inputs import query_int
from milepost.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
staff = roles(*access.MANAGER_ROLES)
NONE = 0  # the "no school" / "no facilitator" choice in select boxes


def _school_choices(none_label: str):
    schools = db.session.scalars(select(School).order_by(School.name))
    return choices([(NONE, none_label)] + [(s.id, s.name) for s in schools])


def _get_or_404(model, ident):
    return db.get_or_404(model, ident)


@bp.get("/")
@staff
def index():
    counts = {
        "people": db.session.scalar(select(func.count(User.id))),
        "active": db.session.scalar(select(func.count(User.id)).where(User.active.is_(True))),
        "schools": db.session.scalar(select(func.count(School.id))),
        "plcs": db.session.scalar(select(func.count(PLC.id))),
    }
    return render_template("admin/index.html", counts=counts)


@bp.get("/people")
@staff
def people():
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    page = query_int("page", 1)
    query = select(User).options(selectinload(User.school)).order_by(User.display_name, User.id)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.display_name).like(like), User.email.like(like)))
    if role in ROLES:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    pager = db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/people.html", pager=pager, q=q, role=role, roles=ROLES)


def _user_form(user: User | None) -> UserForm:
    form = UserForm(obj=user) if user else UserForm()
    form.school_id.choices = _school_choices("No school")
    # Only the roles this person may give (and those the account already has, which stay as they are).
    offered = set(access.grantable_roles(current_user)) | (user.roles if user is not None else set())
    form.roles.choices = choices((role, label) for role, label in ROLE_LABELS.items() if role in offered)
    plcs = db.session.scalars(select(PLC).options(selectinload(PLC.school)).order_by(PLC.name)).all()
    form.plc_ids.choices = choices((p.id, p.label) for p in plcs)
    if request.method == "GET" and user is not None:
        form.school_id.data = user.school_id or NONE
        form.roles.data = sorted(user.roles)
        form.plc_ids.data = [m.plc_id for m in user.memberships]
    return form


def _editable_or_403(user: User) -> User:
    if not access.may_edit_person(current_user, user):
        raise NotAllowed(f"Only a site administrator can change {user.display_name}'s account.")
    return user


def _save_user(user: User | None, form: UserForm):
    try:
        saved = services.save_user(
            db.session, user, actor=current_user,
            email=form.email.data, display_name=form.display_name.data, roles=form.roles.data,
            school=db.session.get(School, form.school_id.data) if form.school_id.data else None,
            plcs=db.session.scalars(select(PLC).where(PLC.id.in_(form.plc_ids.data or []))).all(),
            active=form.active.data,
        )
    except ValidationFailed as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        return None
    return saved


@bp.route("/people/new", methods=["GET", "POST"])
@staff
def new_person():
    form = _user_form(None)
    if form.validate_on_submit():
        user = _save_user(None, form)
        if user is not None:
            services.issue_reset_token(db.session, user, hours=services.INVITE_HOURS, welcome=True)
            db.session.commit()
            flash(f"{user.display_name} is added and has been emailed a link to choose a password.", "success")
            return redirect(url_for("admin.people"))
    return (render_template("admin/person_form.html", form=form, person=None),
            400 if form.errors or form.form_errors else 200)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@staff
def edit_person(user_id: int):
    user = _editable_or_403(_get_or_404(User, user_id))
    form = _user_form(user)
    if form.validate_on_submit():
        if _save_user(user, form) is not None:
            db.session.commit()
            flash(f"Changes to {user.display_name} are saved.", "success")
            return redirect(url_for("admin.people"))
    return (render_template("admin/person_form.html", form=form, person=user),
            400 if form.errors or form.form_errors else 200)


@bp.post("/people/<int:user_id>/active")
@staff
def set_person_active(user_id: int):
    user = _editable_or_403(_get_or_404(User, user_id))
    active = request.form.get("active") == "1"
    services.set_active(db.session, user, active, actor=current_user)
    db.session.commit()
    flash(f"{user.display_name} is {'active again' if active else 'deactivated and signed out'}.", "success")
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("admin.people"))


@bp.get("/schools")
@staff
def schools():
    rows = db.session.execute(
        select(School, func.count(User.id)).outerjoin(User, User.school_id == School.id)
        .group_by(School.id).order_by(School.name)
    ).all()
    return render_template("admin/schools.html", rows=rows, form=SchoolForm())


@bp.route("/schools/new", methods=["GET", "POST"])
@bp.route("/schools/<int:school_id>", methods=["GET", "POST"])
@staff
def edit_school(school_id: int | None = None):
    school = _get_or_404(School, school_id) if school_id else None
    form = SchoolForm(obj=school)
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.save_school(db.session, school, name=form.name.data, actor=current_user),
            catch=ValidationFailed, errors=form.name.errors,
            success="The school is saved.", then=url_for("admin.schools"))
        if done:
            return done
    return render_template("admin/school_form.html", form=form, school=school), 400 if form.errors else 200


@bp.get("/plcs")
@staff
def plcs():
    rows = db.session.execute(
        select(PLC, func.count(PLCMembership.user_id))
        .outerjoin(PLCMembership, PLCMembership.plc_id == PLC.id)
        .options(selectinload(PLC.school), selectinload(PLC.facilitator))
        .group_by(PLC.id).order_by(PLC.name)
    ).all()
    return render_template("admin/plcs.html", rows=rows)


@bp.route("/plcs/new", methods=["GET", "POST"])
@bp.route("/plcs/<int:plc_id>", methods=["GET", "POST"])
@staff
def edit_plc(plc_id: int | None = None):
    plc = _get_or_404(PLC, plc_id) if plc_id else None
    form = PLCForm(obj=plc)
    people = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name)).all()
    form.school_id.choices = _school_choices("District-wide")
    form.facilitator_id.choices = choices([(NONE, "No facilitator yet")] + [(u.id, u.display_name) for u in people])
    form.member_ids.choices = choices((u.id, f"{u.display_name} ({u.email})") for u in people)
    if request.method == "GET" and plc is not None:
        form.school_id.data = plc.school_id or NONE
        form.facilitator_id.data = plc.facilitator_id or NONE
        form.member_ids.data = [m.user_id for m in plc.memberships]
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.save_plc(
                db.session, plc, name=form.name.data, description=form.description.data,
                school=db.session.get(School, form.school_id.data) if form.school_id.data else None,
                facilitator=db.session.get(User, form.facilitator_id.data) if form.facilitator_id.data else None,
                members=db.session.scalars(select(User).where(User.id.in_(form.member_ids.data or []))).all(),
                actor=current_user),
            catch=ValidationFailed, errors=form.name.errors, success="The PLC is saved.", then=url_for("admin.plcs"))
        if done:
            return done
    return render_template("admin/plc_form.html", form=form, plc=plc), 400 if form.errors else 200


@bp.route("/roster", methods=["GET", "POST"])
@staff
def roster():
    form = RosterForm()
    problems, message, result = [], None, None
    if form.validate_on_submit():
        try:
            result = import_roster(db.session, form.file.data.read(), actor=current_user)
        except ValidationFailed as exc:
            db.session.rollback()
            message, problems = exc.message, exc.problems
        else:
            services.invite_people(db.session, result.created)
            db.session.commit()
            flash(f"Roster imported: {len(result.created)} added, {len(result.updated)} updated, "
                  f"{result.unchanged} unchanged.", "success")
    status = 400 if (form.errors or message) else 200
    return render_template("admin/roster.html", form=form, problems=problems, message=message, result=result), status


def home_cards(user) -> list[dict]:
    if not access.can_manage_people(user):
        return []
    return [
        {"title": "People", "text": "Add, edit and deactivate accounts; give roles.", "url": url_for("admin.people")},
        {"title": "Schools and PLCs", "text": "Keep schools and learning communities up to date.",
         "url": url_for("admin.plcs")},
        {"title": "Import a roster", "text": "Bring in many people at once from a CSV file.",
         "url": url_for("admin.roster")},
    ] + ([{"title": "Site settings", "text": "The district's theme: name, logo and colours.",
           "url": url_for("core.site_settings")}] if user.has_role(Role.SITE_ADMIN) else [])
