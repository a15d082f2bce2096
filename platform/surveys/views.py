"""Survey and pilot pages: "My surveys" and answering, the builder and preview for the PD office,
results (with the small-group rule) and CSV export, linked-set comparisons, pilots and their dashboards."""
from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from milepost.accounts.models import User, UserRole
from milepost.badges.models import Badge, BadgeStatus
from milepost.core import audit
from milepost.core.access import ROLE_LABELS, ROLES, Role, roles, signed_in
from milepost.core.csvsafe import csv_text
from milepost.core.errors import ValidationFailed
from milepost.core.forms import apply_change, choices
from milepost.core.inputs import query_int
from milepost.core.model import utcnow
from milepost.evidence.models import STATE_LABELS, STATES
from milepost.extensions import db
from milepost.surveys import access, charts, reminders, services
from milepost.surveys.forms import NONE, ActionForm, PilotForm, PulseForm, QuestionForm, SurveyForm
from milepost.surveys.models import (
    AUDIENCE_LABELS,
    EVAL_LEVEL_LABELS,
    KIND_LABELS,
    KINDS,
    WAVE_LABELS,
    Audience,
    MemberRole,
    Pilot,
    Question,
    QuestionKind,
    SetKind,
    Survey,
    SurveyParticipation,
    SurveySet,
)
from milepost.surveys.ready_made import AGREE5, READINESS_LEVELS, TEMPLATES

bp = Blueprint("surveys", __name__)
managers = roles(*access.MANAGER_ROLES)
readers = roles(*access.RESULT_ROLES)


@bp.app_context_processor
def survey_labels():
    return {"survey_kind_labels": KIND_LABELS, "eval_level_labels": EVAL_LEVEL_LABELS,
            "audience_labels": AUDIENCE_LABELS, "wave_labels": WAVE_LABELS}


@bp.app_template_filter("closing_day")
def closing_day(survey: Survey) -> str:
    """The last day answers are taken (a survey closes at the end of it)."""
    last = survey.closes_at - timedelta(seconds=1)
    return f"{last.day} {last:%B %Y}"


@bp.app_template_filter("day")
def day(value) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def home_cards(user) -> list[dict]:
    cards = [{"title": "My surveys", "text": "Surveys from the PD office waiting for your answers.",
              "url": url_for("surveys.mine")}]
    if access.can_manage(user):
        cards.append({"title": "Pilots and surveys", "text": "Run pilots, build surveys, read results and export.",
                      "url": url_for("surveys.manage")})
    elif access.can_read_results(user):
        cards.append({"title": "Survey results and pilots", "text": "Pilot dashboards and survey results.",
                      "url": url_for("surveys.manage")})
    return cards


def minimum() -> int:
    return int(current_app.config["SURVEY_MIN_GROUP"])


def _survey_or_404(survey_id: int) -> Survey:
    from sqlalchemy.orm import joinedload

    # The set joined in: one query whether or not the survey belongs to a set.
    survey = db.session.scalar(select(Survey).where(Survey.id == survey_id)
                               .options(selectinload(Survey.questions), joinedload(Survey.survey_set)))
    if survey is None:
        abort(404)
    return survey


def _checked_action() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


# --------------------------------------------------------------------------- answering


@bp.get("/surveys/")
@signed_in
def mine():
    return render_template("surveys/mine.html", rows=services.surveys_for(db.session, current_user),
                           can_manage=access.can_manage(current_user),
                           can_read=access.can_read_results(current_user))


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@signed_in
def take(survey_id: int):
    survey = _survey_or_404(survey_id)
    access.check_may_take(db.session, current_user, survey)
    now = utcnow()
    response = services.my_response(db.session, survey, current_user)
    saved = {a.question_id: a.value for a in response.answers} if response else {}
    submitted = bool(response and response.submitted)
    form = ActionForm()
    errors, problem = {}, None
    current = services.answers_as_fields(survey, saved)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        access.check_may_answer(db.session, current_user, survey, now)  # closed or not yet open: 409 with why
        submit = request.form.get("action") == "submit"
        values, errors = services.parse_answers(survey, request.form)
        if not errors:
            try:
                services.save_response(db.session, survey, current_user, values, submit=submit, now=now)
            except ValidationFailed:
                db.session.rollback()
                errors = services.missing_required(survey, values)
                if not submitted:  # keep the progress; only the submitting waits
                    services.save_response(db.session, survey, current_user, values, submit=False, now=now)
                    db.session.commit()
                    problem = "Your answers are saved, but some required questions still need an answer."
            else:
                db.session.commit()
                if submit or submitted:
                    flash("Thank you: your answers are in. You can change them until the survey closes.", "success")
                else:
                    flash("Your answers are saved. Come back to finish them before the survey closes.", "success")
                return redirect(url_for("surveys.take", survey_id=survey.id))
        current = MultiDict(request.form)
    return render_template("surveys/take.html", survey=survey, form=form, current=current, errors=errors,
                           problem=problem, submitted=submitted, is_open=survey.is_open(now), now=now,
                           preview=False), 400 if errors else 200


@bp.get("/surveys/<int:survey_id>/preview")
@managers
def preview(survey_id: int):
    survey = _survey_or_404(survey_id)
    return render_template("surveys/take.html", survey=survey, form=ActionForm(), current=MultiDict(), errors={},
                           problem=None, submitted=False, is_open=False, now=utcnow(), preview=True)


# --------------------------------------------------------------------------- managing surveys


@bp.get("/surveys/manage")
@readers
def manage():
    surveys = db.session.scalars(select(Survey).options(selectinload(Survey.pilot))
                                 .order_by(Survey.opens_at.desc(), Survey.id.desc())).all()
    answered = dict(db.session.execute(select(SurveyParticipation.survey_id, func.count())
                                       .where(SurveyParticipation.submitted.is_(True))
                                       .group_by(SurveyParticipation.survey_id)).all())
    pilots = db.session.scalars(select(Pilot).order_by(Pilot.starts_on.desc(), Pilot.id)).all()
    sets = db.session.scalars(select(SurveySet).order_by(SurveySet.id)).all()
    answered_sets = set(db.session.scalars(select(Survey.set_id).join(SurveyParticipation,
                                                                     SurveyParticipation.survey_id == Survey.id)
                                           .where(Survey.set_id.is_not(None)).distinct()))
    return render_template("surveys/manage.html", surveys=surveys, answered=answered, pilots=pilots, sets=sets,
                           answered_sets=answered_sets,
                           templates=TEMPLATES, now=utcnow(), can_manage=access.can_manage(current_user),
                           form=ActionForm())


@bp.post("/surveys/manage/from-template")
@managers
def from_template():
    _checked_action()
    return apply_change(
        lambda: services.create_from_template(db.session, request.form.get("template", ""), actor=current_user),
        back=url_for("surveys.manage"),
        success=lambda survey: f"\"{survey.title}\" is ready as a draft. Check the settings and questions, "
                               "then publish it.",
        then=lambda survey: url_for("surveys.questions", survey_id=survey.id))


def _survey_choices(form: SurveyForm) -> None:
    form.audience_school_id.choices = choices([(NONE, "Choose a school")] + services.school_choices(db.session))
    pilots = db.session.execute(select(Pilot.id, Pilot.name).order_by(Pilot.name)).all()
    form.pilot_id.choices = choices([(NONE, "No pilot")] + [(p.id, p.name) for p in pilots])
    sets = db.session.execute(select(SurveySet.id, SurveySet.name).where(SurveySet.kind == SetKind.WAVES)
                              .order_by(SurveySet.name)).all()
    form.set_id.choices = choices([(NONE, "Not compared with other surveys")] + [(s.id, s.name) for s in sets])


def _edit_survey(survey: Survey | None):
    if request.method == "GET":
        if survey is None:
            today = utcnow().date()
            data = {"anonymous": True, "audience": Audience.EVERYONE, "opens_on": today}
        else:
            data = {"title": survey.title, "intro": survey.intro, "anonymous": survey.anonymous,
                    "audience": survey.audience, "audience_role": survey.audience_role or "",
                    "audience_school_id": survey.audience_school_id or NONE, "pilot_id": survey.pilot_id or NONE,
                    "audience_pilot_role": survey.audience_pilot_role or "",
                    "set_id": survey.set_id or NONE, "wave": survey.wave if survey.wave in WAVE_LABELS else "",
                    "opens_on": survey.opens_at.date(), "closes_on": survey.closes_at.date() - timedelta(days=1)}
        form = SurveyForm(formdata=None, data=data)
        _survey_choices(form)
        return render_template("surveys/settings.html", form=form, survey=survey)
    form = SurveyForm()
    _survey_choices(form)
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.save_survey(
                db.session, survey, title=form.title.data, intro=form.intro.data, anonymous=form.anonymous.data,
                audience=form.audience.data, audience_role=form.audience_role.data or None,
                audience_school_id=form.audience_school_id.data or None, pilot_id=form.pilot_id.data or None,
                audience_pilot_role=form.audience_pilot_role.data or "", set_id=form.set_id.data or None,
                wave=form.wave.data or (survey.wave if survey else ""),
                opens_on=form.opens_on.data, closes_on=form.closes_on.data, actor=current_user),
            errors=form.form_errors, each_problem=True, success="The survey settings are saved.",
            then=lambda saved: url_for("surveys.questions", survey_id=saved.id))
        if done:
            return done
    return render_template("surveys/settings.html", form=form, survey=survey), 400


@bp.route("/surveys/manage/new", methods=["GET", "POST"])
@managers
def new_survey():
    return _edit_survey(None)


@bp.route("/surveys/<int:survey_id>/settings", methods=["GET", "POST"])
@managers
def settings(survey_id: int):
    return _edit_survey(_survey_or_404(survey_id))


@bp.get("/surveys/<int:survey_id>/questions")
@managers
def questions(survey_id: int):
    survey = _survey_or_404(survey_id)
    answered = db.session.scalar(select(func.count()).select_from(SurveyParticipation)
                                 .where(SurveyParticipation.survey_id == survey.id,
                                        SurveyParticipation.submitted.is_(True)))
    return render_template("surveys/questions.html", survey=survey, form=ActionForm(), kinds=KINDS,
                           editable=survey.status in services.EDITABLE, answered=answered, now=utcnow(),
                           pulse_form=PulseForm(), audience_size=services.audience_size(db.session, survey))


def _question_data(form: QuestionForm, kind: str) -> dict:
    return {"kind": kind, "prompt": form.prompt.data, "help": form.help.data, "required": form.required.data,
            "eval_level": form.eval_level.data, "key": form.key.data,
            "options": (form.options.data or "").splitlines(), "indicators": (form.indicators.data or "").splitlines(),
            "min_value": form.min_value.data, "max_value": form.max_value.data,
            "retrospective": form.retrospective.data,
            **dict(zip(("show_if_key", "show_if_value"), (form.show_if.data or "|").split("|", 1), strict=True))}


def _condition_choices(form: QuestionForm, survey: Survey, question: Question | None) -> None:
    """Skip logic: every answer of the earlier single-choice and agreement questions."""
    options = [("", "Always ask it")]
    for q in survey.questions:
        if question is not None and q.id == question.id:
            break
        if q.kind in (QuestionKind.SINGLE, QuestionKind.LIKERT) and not q.retrospective and q.key:
            base = 1 if q.kind == QuestionKind.LIKERT else 0
            options += [(f"{q.key}|{i + base}", f"After \u201c{label}\u201d to \u201c{q.prompt}\u201d")
                        for i, label in enumerate(q.options)]
    form.show_if.choices = options


def _edit_question(survey: Survey, question: Question | None, kind: str):
    if kind not in KINDS:
        abort(404)
    if request.method == "GET":
        if question is None:
            defaults = {QuestionKind.LIKERT: AGREE5, QuestionKind.RUBRIC: READINESS_LEVELS}.get(kind, [])
            data = {"options": "\n".join(defaults), "required": kind != QuestionKind.SECTION}
        else:
            data = {"prompt": question.prompt, "help": question.help, "required": question.required,
                    "eval_level": question.eval_level, "key": question.key, "options": "\n".join(question.options),
                    "indicators": "\n".join(" | ".join([i["text"]] + [d for d in i.get("descriptions", []) if d])
                                            for i in question.indicators),
                    "min_value": "" if question.min_value is None else f"{question.min_value:g}",
                    "max_value": "" if question.max_value is None else f"{question.max_value:g}",
                    "retrospective": question.retrospective,
                    "show_if": f"{question.show_if_key}|{question.show_if_value}" if question.show_if_key else ""}
        form = QuestionForm(formdata=None, data=data)
        _condition_choices(form, survey, question)
        return render_template("surveys/question_form.html", form=form, survey=survey, question=question, kind=kind)
    form = QuestionForm()
    _condition_choices(form, survey, question)
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.save_question(db.session, survey, question, _question_data(form, kind),
                                           actor=current_user),
            errors=form.form_errors, each_problem=True, success="The question is saved.",
            then=url_for("surveys.questions", survey_id=survey.id))
        if done:
            return done
    return render_template("surveys/question_form.html", form=form, survey=survey, question=question,
                           kind=kind), 400


def _question_of(survey: Survey, question_id: int) -> Question:
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


@bp.route("/surveys/<int:survey_id>/questions/new", methods=["GET", "POST"])
@managers
def new_question(survey_id: int):
    survey = _survey_or_404(survey_id)
    if survey.status not in services.EDITABLE:
        flash("The questions of a published survey cannot change.", "error")
        return redirect(url_for("surveys.questions", survey_id=survey.id))
    return _edit_question(survey, None, request.args.get("kind", QuestionKind.LIKERT))


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@managers
def edit_question(survey_id: int, question_id: int):
    survey = _survey_or_404(survey_id)
    question = _question_of(survey, question_id)
    return _edit_question(survey, question, question.kind)


def _change(survey: Survey, apply, message: str | None = None):
    _checked_action()
    return apply_change(apply, success=message, then=url_for("surveys.questions", survey_id=survey.id))


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/move")
@managers
def move_question(survey_id: int, question_id: int):
    survey = _survey_or_404(survey_id)
    question = _question_of(survey, question_id)
    direction = "up" if request.form.get("direction") == "up" else "down"
    return _change(survey, lambda: services.move_question(db.session, survey, question, direction))


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/delete")
@managers
def delete_question(survey_id: int, question_id: int):
    survey = _survey_or_404(survey_id)
    question = _question_of(survey, question_id)
    return _change(survey, lambda: services.delete_question(db.session, survey, question), "The question is removed.")


@bp.post("/surveys/<int:survey_id>/publish")
@managers
def publish(survey_id: int):
    survey = _survey_or_404(survey_id)
    return _change(survey, lambda: services.publish(db.session, survey, actor=current_user),
                   "The survey is published. It appears on people's \"My surveys\" page from its opening date.")


@bp.post("/surveys/<int:survey_id>/close")
@managers
def close(survey_id: int):
    survey = _survey_or_404(survey_id)
    return _change(survey, lambda: services.close_now(db.session, survey, actor=current_user),
                   "The survey is closed: answers can no longer be given or changed.")


@bp.post("/surveys/<int:survey_id>/invite")
@managers
def invite(survey_id: int):
    survey = _survey_or_404(survey_id)
    return _change(survey, lambda: reminders.invite(db.session, survey, actor=current_user),
                   "Invitations are on their way to everyone who has not answered yet.")


@bp.post("/surveys/<int:survey_id>/pulse")
@managers
def make_pulse(survey_id: int):
    survey = _survey_or_404(survey_id)
    form = PulseForm()
    if not form.validate_on_submit():
        flash("Please give the number of days (1 to 28) each month's survey stays open.", "error")
        return redirect(url_for("surveys.questions", survey_id=survey.id))
    return _change(survey, lambda: services.make_pulse(db.session, survey, days_open=form.days_open.data,
                                                       actor=current_user),
                   "This survey is now a monthly pulse template. Each month's copy opens when "
                   "`milepost open-pulse-surveys` runs.")


@bp.post("/surveys/<int:survey_id>/delete")
@managers
def delete(survey_id: int):
    survey = _survey_or_404(survey_id)
    _checked_action()
    return apply_change(lambda: services.delete_survey(db.session, survey, actor=current_user),
                        back=url_for("surveys.questions", survey_id=survey.id),
                        success="The survey is deleted.", then=url_for("surveys.manage"))


# --------------------------------------------------------------------------- results


def _filters() -> dict:
    school = query_int("school") or None
    role = request.args.get("role", "")
    return {"school_id": school, "role": role if role in ROLES else None}


def _filter_choices() -> dict:
    return {"schools": services.school_choices(db.session), "roles": list(ROLE_LABELS.items())}


@bp.get("/surveys/<int:survey_id>/results")
@readers
def results(survey_id: int):
    survey = _survey_or_404(survey_id)
    filters = _filters()
    names = access.sees_names(current_user, survey)
    report = services.results_report(db.session, survey, minimum(), with_names=names, **filters)
    return render_template("surveys/results.html", survey=survey, report=report, filters=filters, charts=charts,
                           can_export=access.can_export(current_user), **_filter_choices())


@bp.get("/surveys/<int:survey_id>/results.json")
@readers
def results_json(survey_id: int):
    """The figures of the results page (same filters, same hiding of small groups), never with names."""
    survey = _survey_or_404(survey_id)
    if survey.status != "published":
        abort(404)
    report = services.results_report(db.session, survey, minimum(), **_filters())
    response = jsonify(services.report_document(survey, report))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/surveys/<int:survey_id>/results.csv")
@managers
def export(survey_id: int):
    survey = _survey_or_404(survey_id)
    names = access.sees_names(current_user, survey)
    people = services.respondents(db.session, survey, with_names=names)
    refusal = access.export_refusal(survey, len(people), minimum())
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("surveys.results", survey_id=survey.id))
    header, rows = services.export_table(survey, people, with_names=names)
    audit.record(db.session, "survey.export", actor=current_user, target=survey, rows=len(rows),
                 anonymous=survey.anonymous)
    db.session.commit()
    response = Response(csv_text(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=survey-{survey.id}-results.csv"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/surveys/sets/<int:set_id>/anonymity")
@managers
def set_anonymity(set_id: int):
    survey_set = db.get_or_404(SurveySet, set_id)
    _checked_action()
    anonymous = request.form.get("anonymous") == "1"
    return apply_change(lambda: services.set_anonymity(db.session, survey_set, anonymous, actor=current_user),
                        back=url_for("surveys.manage") + f"#set-{survey_set.id}",
                        success="Every survey of the set is now " + ("anonymous." if anonymous else "identified."),
                        then=url_for("surveys.manage") + f"#set-{survey_set.id}")


@bp.get("/surveys/<int:survey_id>/codebook.csv")
@managers
def codebook(survey_id: int):
    """What each column of the answers export means (no answers in it)."""
    survey = _survey_or_404(survey_id)
    header, rows = services.codebook_table(survey)
    response = Response(csv_text(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=survey-{survey.id}-codebook.csv"
    return response


@bp.get("/surveys/sets/<int:set_id>/results")
@readers
def set_results(set_id: int):
    survey_set = db.get_or_404(SurveySet, set_id)
    filters = _filters()
    comparison = services.set_comparison(db.session, survey_set, minimum=minimum(), **filters)
    return render_template("surveys/set_results.html", survey_set=survey_set, comparison=comparison, filters=filters,
                           minimum=minimum(), method=services.PAIRED_METHOD, charts=charts,
                           trends=(services.pulse_trend(db.session, survey_set, minimum=minimum())
                                   if survey_set.kind == SetKind.PULSE else []),
                           **_filter_choices())


# --------------------------------------------------------------------------- pilots


@bp.get("/pilots/")
@readers
def pilots():
    return redirect(url_for("surveys.manage") + "#pilots")


def _pilot_choices(form: PilotForm) -> None:
    def people(role):
        return db.session.execute(select(User.id, User.display_name).where(
            User.active.is_(True), User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(role))))
            .order_by(User.display_name, User.id)).all()

    form.teacher_ids.choices = choices([(u.id, u.display_name) for u in people([Role.TEACHER])])
    form.reviewer_ids.choices = choices([(u.id, u.display_name)
                                         for u in people([Role.COACH, Role.PD_ADMIN, Role.TEACHER])])
    form.add_school_id.choices = choices([(NONE, "No school")] + services.school_choices(db.session))
    form.add_plc_id.choices = choices([(NONE, "No PLC")] + services.plc_choices(db.session))
    badges = db.session.execute(select(Badge.id, Badge.title).where(Badge.status == BadgeStatus.PUBLISHED)
                                .order_by(Badge.title)).all()
    form.badge_ids.choices = choices([(b.id, b.title) for b in badges])


def _edit_pilot(pilot: Pilot | None):
    if request.method == "GET":
        data = {"add_school_id": NONE, "add_plc_id": NONE}
        if pilot is not None:
            data.update(name=pilot.name, goals=pilot.goals, starts_on=pilot.starts_on, ends_on=pilot.ends_on,
                        teacher_ids=[m.user_id for m in pilot.members if m.role == MemberRole.TEACHER],
                        reviewer_ids=[m.user_id for m in pilot.members if m.role == MemberRole.REVIEWER],
                        badge_ids=[b.id for b in pilot.badges])
        form = PilotForm(formdata=None, data=data)
        _pilot_choices(form)
        return render_template("surveys/pilot_form.html", form=form, pilot=pilot)
    form = PilotForm()
    _pilot_choices(form)
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.save_pilot(
                db.session, pilot, name=form.name.data, goals=form.goals.data, starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, teacher_ids=form.teacher_ids.data, reviewer_ids=form.reviewer_ids.data,
                badge_ids=form.badge_ids.data, add_school_id=form.add_school_id.data or None,
                add_plc_id=form.add_plc_id.data or None, actor=current_user),
            errors=form.form_errors, each_problem=True, success=lambda saved: f"The pilot \"{saved.name}\" is saved.",
            then=lambda saved: url_for("surveys.pilot", pilot_id=saved.id))
        if done:
            return done
    return render_template("surveys/pilot_form.html", form=form, pilot=pilot), 400


@bp.route("/pilots/new", methods=["GET", "POST"])
@managers
def new_pilot():
    return _edit_pilot(None)


@bp.route("/pilots/<int:pilot_id>/edit", methods=["GET", "POST"])
@managers
def edit_pilot(pilot_id: int):
    return _edit_pilot(db.get_or_404(Pilot, pilot_id))


@bp.get("/pilots/<int:pilot_id>")
@readers
def pilot(pilot_id: int):
    from sqlalchemy.orm import joinedload

    pilot = db.session.scalars(select(Pilot).where(Pilot.id == pilot_id)
                               .options(joinedload(Pilot.badges))).unique().first()
    if pilot is None:
        abort(404)
    dashboard = services.pilot_dashboard(db.session, pilot)
    members = services.pilot_members(db.session, pilot)
    sets = db.session.scalars(select(SurveySet).where(SurveySet.pilot_id == pilot.id).order_by(SurveySet.id)).all()
    return render_template("surveys/pilot.html", pilot=pilot, dashboard=dashboard, members=members, sets=sets,
                           states=STATES, state_labels=STATE_LABELS, can_manage=access.can_manage(current_user),
                           form=ActionForm(), minimum=minimum())


@bp.post("/pilots/<int:pilot_id>/surveys")
@managers
def pilot_surveys(pilot_id: int):
    pilot = db.get_or_404(Pilot, pilot_id)
    _checked_action()
    survey_set, made = services.create_pilot_waves(db.session, pilot, actor=current_user)
    db.session.commit()
    if made:
        flash("Pre, mid-point and post surveys for the cohort's teachers are ready as drafts, linked so answers "
              "can be compared over time. Check their dates, then publish each one.", "success")
    else:
        flash("This pilot already has its linked pre, mid-point and post surveys: here they are. "
              "Nothing new was made.", "info")
    return redirect(url_for("surveys.manage") + f"#set-{survey_set.id}")
