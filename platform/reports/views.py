"""Report pages: the dashboard and its CSV files, one teacher's record, the credit-hours export and
printable statement, and the audit log. Each view reads its filters, asks access.py, calls services."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user

from milepost.accounts.models import School
from milepost.core import audit
from milepost.core.access import roles
from milepost.core.csvsafe import csv_text
from milepost.core.errors import DomainError, ValidationFailed
from milepost.core.forms import choices
from milepost.core.inputs import query_int
from milepost.core.model import utcnow
from milepost.extensions import db
from milepost.points.models import KIND_LABELS
from milepost.reports import access, figures, services
from milepost.reports.forms import AuditFilterForm, CreditHoursForm, DashboardFilterForm, PersonSearchForm

bp = Blueprint("reports", __name__)
dashboard_readers = roles(*access.DASHBOARD_ROLES)
record_readers = roles(*access.RECORD_ROLES)
auditors = roles(*access.AUDIT_ROLES)
YEARS_OFFERED = 6
ANY = 0


@bp.context_processor
def report_links() -> dict:
    """Which report pages the menu of the reports (reports/_nav.html) offers the reader."""
    return {"may_read_records": access.can_read_records(current_user),
            "may_read_audit": access.can_read_audit(current_user)}


def home_cards(user) -> list[dict]:
    cards = []
    if access.sees_district(user):
        cards.append({"title": "District reports", "text": "Earners, awards, the review backlog, “not yet” rates, "
                                                           "degree tiers, rewards and survey response, as charts "
                                                           "with tables and CSV files.",
                      "url": url_for("reports.dashboard")})
    elif access.can_read_dashboard(user):
        cards.append({"title": "My schools' reports", "text": "Badges and reviews at the schools you coach.",
                      "url": url_for("reports.dashboard")})
    if access.can_read_records(user):
        cards.append({"title": "Teacher records and credit hours", "text": "One teacher's badges, hours, points "
                                                                           "and degree; credit hours for HR.",
                      "url": url_for("reports.teachers")})
    if access.can_read_audit(user):
        cards.append({"title": "Audit log", "text": "Who did what and when.", "url": url_for("reports.audit_log")})
    return cards


def _csv(filename: str, header: list[str], rows) -> Response:
    response = Response(csv_text(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _exported(report: str, rows: int, **detail) -> None:
    """Every report that leaves the building is in the audit log."""
    audit.record(db.session, "report.exported", actor=current_user, report=report, rows=rows, **detail)
    db.session.commit()


# --------------------------------------------------------------------------- the dashboard


def _dashboard_filters(form: DashboardFilterForm, scope) -> tuple[services.Filters, dict]:
    """The filters asked for, within the reader's scope (a coach naming another school gets 403)."""
    this_year = services.school_year_of(utcnow().date())
    year = query_int("year", minimum=1, maximum=9998) or this_year
    if not this_year - 50 <= year <= this_year:
        year = this_year
    first, last = services.school_year_dates(year)
    if not form.validate():
        raise ValidationFailed("Check the dates: " + " ".join(e for errors in form.errors.values() for e in errors))
    start, end = form.start.data or first, form.end.data or last
    school_id = query_int("school") or None
    access.check_school(scope, school_id)
    f = services.Filters(start=start, end=end, school_id=school_id,
                         strand_id=query_int("strand") or None,
                         pilot_id=query_int("pilot") or None, schools=scope)
    services.check_range(f.start, f.end)
    return f, {"year": year, "this_year": this_year}


def _dashboard_form(options: dict, year_info: dict, scope) -> DashboardFilterForm:
    form = DashboardFilterForm(request.args)
    this_year = year_info["this_year"] if year_info else services.school_year_of(utcnow().date())
    form.year.choices = choices([(y, services.school_year_label(y))
                                 for y in range(this_year, this_year - YEARS_OFFERED, -1)])
    form.year.data = year_info.get("year", this_year) if year_info else this_year
    all_schools = "All my schools" if scope is not None else "All schools"
    form.school.choices = choices([(ANY, all_schools)] + options["school"])
    form.strand.choices = choices([(ANY, "All strands")] + options["strand"])
    form.pilot.choices = choices([(ANY, "No pilot: everyone")] + options["pilot"])
    for name in ("school", "strand", "pilot"):
        getattr(form, name).data = query_int(name) or ANY
    return form


@bp.get("/reports/")
@dashboard_readers
def dashboard():
    scope = access.school_scope(db.session, current_user)
    options = services.filter_options(db.session, scope)
    form = DashboardFilterForm(request.args)
    try:
        f, year_info = _dashboard_filters(form, scope)
    except ValidationFailed as exc:
        return render_template("reports/dashboard.html", board=None, figures=[], error=exc.message, scope=scope,
                               form=_dashboard_form(options, {}, scope), filter_args={}), 400
    board = services.dashboard(db.session, f)
    return render_template("reports/dashboard.html", board=board, figures=figures.figures(board), error=None,
                           scope=scope, form=_dashboard_form(options, year_info, scope), names=_names(options, f),
                           filter_args=_filter_args())


def _filter_args() -> dict:
    return {k: v for k, v in request.args.items() if k in ("year", "start", "end", "school", "strand", "pilot") and v}


def _names(options: dict, f: services.Filters) -> dict:
    def name(kind, id_):
        return next((n for i, n in options[kind] if i == id_), None)

    return {"school": name("school", f.school_id), "strand": name("strand", f.strand_id),
            "pilot": name("pilot", f.pilot_id)}


@bp.get("/reports/figures/<key>.csv")
@dashboard_readers
def figure_csv(key: str):
    f, _ = _dashboard_filters(DashboardFilterForm(request.args), access.school_scope(db.session, current_user))
    figure = next((fig for fig in figures.figures(services.dashboard(db.session, f)) if fig.key == key), None)
    if figure is None:
        abort(404)
    _exported(f"dashboard:{key}", len(figure.rows), filters=f.describe())
    return _csv(f"milepost-{key}-{f.start.isoformat()}-to-{f.end.isoformat()}.csv", figure.columns, figure.rows)


# --------------------------------------------------------------------------- one teacher's record


@bp.get("/reports/teachers")
@record_readers
def teachers():
    form = PersonSearchForm(request.args)
    people = services.find_people(db.session, form.q.data or "")
    return render_template("reports/teachers.html", form=form, people=people,
                           searched=bool((form.q.data or "").strip()))


@bp.get("/reports/teachers/<int:user_id>")
@record_readers
def teacher_record(user_id: int):
    record = _readable_record(user_id)
    from milepost.credentials.services import absolute

    urls = {a.id: absolute("credentials.award_page", public_id=a.public_id) for a in record.awards}
    return render_template("reports/teacher.html", record=record, urls=urls, hours=services.award_hours,
                           kind_labels=KIND_LABELS, year=_default_year())


def _default_year() -> tuple[date, date]:
    return services.school_year_dates(services.school_year_of(utcnow().date()))


def _readable_record(user_id: int) -> services.TeacherRecord:
    """The record, if there is such a person (404) and the reader may read it (403)."""
    record = services.teacher_record(db.session, user_id)
    if record is None:
        abort(404)
    if not access.can_read_record(current_user, record.person):
        abort(403)
    return record


# --------------------------------------------------------------------------- credit hours


def _credit_filters(form: CreditHoursForm) -> tuple[date, date, int | None]:
    first, last = _default_year()
    if not form.validate():
        raise ValidationFailed("Check the dates: " + " ".join(e for errors in form.errors.values() for e in errors))
    start, end = form.start.data or first, form.end.data or last
    services.check_range(start, end)
    return start, end, query_int("school") or None


def _credit_form() -> CreditHoursForm:
    form = CreditHoursForm(request.args)
    form.school.choices = choices([(ANY, "All schools")] + services.filter_options(db.session, None)["school"])
    form.school.data = query_int("school") or ANY
    return form


@bp.get("/reports/credit-hours")
@record_readers
def credit_hours():
    form = _credit_form()
    try:
        start, end, school_id = _credit_filters(form)
    except ValidationFailed as exc:
        return render_template("reports/credit_hours.html", form=form, error=exc.message, totals=[]), 400
    rows = services.credit_hours(db.session, start=start, end=end, school_id=school_id)
    school_name = next((c.label for c in form.school.choices if c.value == school_id), None) if school_id else None
    return render_template("reports/credit_hours.html", form=form, error=None, start=start, end=end,
                           totals=services.hours_by_teacher(rows), awards=len(rows), school_name=school_name,
                           args={"start": start.isoformat(), "end": end.isoformat(),
                                 **({"school": school_id} if school_id else {})})


@bp.get("/reports/credit-hours.csv")
@record_readers
def credit_hours_csv():
    start, end, school_id = _credit_filters(CreditHoursForm(request.args))
    rows = services.credit_hours(db.session, start=start, end=end, school_id=school_id)
    _exported("credit_hours", len(rows), start=start.isoformat(), end=end.isoformat(), school=school_id)
    return _csv(f"credit-hours-{start.isoformat()}-to-{end.isoformat()}.csv", services.CREDIT_HEADER,
                services.credit_csv_rows(rows))


@bp.get("/reports/teachers/<int:user_id>/statement")
@record_readers
def statement(user_id: int):
    person = services.person_by_id(db.session, user_id) or abort(404)  # who it is for: not their whole record
    if not access.can_read_record(current_user, person):
        abort(403)
    start, end, _ = _credit_filters(CreditHoursForm(request.args))
    sheet = services.teacher_statement(db.session, person, start=start, end=end)
    _exported("credit_hours_statement", len(sheet.rows), user_id=user_id, start=start.isoformat(), end=end.isoformat())
    return _printed("reports/statement.html", person=person, rows=sheet.rows, start=start, end=end, total=sheet.total)


@bp.get("/reports/credit-hours/statements")
@record_readers
def school_statements():
    """Printable statements for every teacher of one school for a period, one per printed page."""
    start, end, school_id = _credit_filters(CreditHoursForm(request.args))
    if school_id is None:
        raise ValidationFailed("Choose a school: statements are printed for one school at a time.")
    statements = services.school_statements(db.session, school_id=school_id, start=start, end=end)
    _exported("credit_hours_statements", sum(len(s.rows) for s in statements), school=school_id,
              teachers=len(statements), start=start.isoformat(), end=end.isoformat())
    return _printed("reports/statements.html", statements=statements, start=start, end=end,
                    school=db.session.get(School, school_id),
                    back={"start": start.isoformat(), "end": end.isoformat(), "school": school_id})


def _printed(template: str, **context) -> str:
    """A printable statement page, with who records it (the district as issuer) and when it was made."""
    from milepost.credentials.services import issuer

    return render_template(template, issuer=issuer(db.session), generated_at=utcnow(), **context)


# --------------------------------------------------------------------------- the audit log


def _audit_filters(form: AuditFilterForm) -> services.AuditFilters:
    if not form.validate():
        raise ValidationFailed("Check the filters: " + " ".join(e for errors in form.errors.values() for e in errors))
    return services.AuditFilters(action=(form.action.data or "").strip(), actor=(form.actor.data or "").strip(),
                                 start=form.start.data, end=form.end.data,
                                 target_type=(form.target_type.data or "").strip(), target_id=form.target_id.data)


@bp.get("/reports/audit")
@auditors
def audit_log():
    form = AuditFilterForm(request.args)
    actions, targets = services.audit_choices(db.session)
    families = sorted({a.split(".", 1)[0] for a in actions})
    form.action.choices = choices([("", "Any action")] + [(f, f"{f}.* (all)") for f in families]
                                  + [(a, a) for a in actions])
    form.target_type.choices = choices([("", "Any")] + [(t, t) for t in targets])
    try:
        f = _audit_filters(form)
    except DomainError as exc:
        return render_template("reports/audit.html", form=form, page=None, error=exc.message, args={}), 400
    page = services.audit_page(db.session, f, page=query_int("page", 1),
                               per_page=current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("reports/audit.html", form=form, page=page, error=None, args=args,
                           describe=services.describe_detail)


@bp.get("/reports/audit.csv")
@auditors
def audit_csv():
    f = _audit_filters(AuditFilterForm(request.args))
    rows = list(services.audit_csv_rows(db.session, f))
    _exported("audit_log", len(rows), filters={k: (v.isoformat() if isinstance(v, date) else v)
                                               for k, v in vars(f).items() if v not in ("", None)})
    return _csv(f"audit-log-{utcnow().date().isoformat()}.csv", services.AUDIT_HEADER, rows)
