"""Catalogue pages for everyone signed in, and authoring pages for the PD office."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from milepost.badges import access, exchange, images, services
from milepost.badges.forms import (
    DOCUMENT_FIELDS,
    NONE,
    BadgeForm,
    CatalogueFilterForm,
    CollectionForm,
    ImageForm,
    ImportForm,
    StrandForm,
    apply_list_action,
    data_from_document,
    document_from_data,
    filters_from,
    form_data,
    new_badge_data,
    options,
)
from milepost.badges.models import KIND_LABELS, PROMPT_KIND_LABELS, STATUSES, Badge, BadgeStatus, Collection, Strand
from milepost.badges.services import BadgeInvalid
from milepost.core.access import roles, signed_in
from milepost.core.errors import ValidationFailed
from milepost.core.forms import apply_change
from milepost.core.inputs import query_int
from milepost.core.markdown import render_markdown
from milepost.extensions import db

bp = Blueprint("badges", __name__)
bp.add_app_template_filter(render_markdown, "markdown")


@bp.app_template_filter("hours")
def format_hours(value) -> str:
    """Credit hours without needless decimals: 3, 1.5, 0.25."""
    return f"{float(value or 0):g}"


authors = roles(*access.AUTHOR_ROLES)
STATUS_PILLS = {BadgeStatus.DRAFT: "neutral", BadgeStatus.PUBLISHED: "success", BadgeStatus.RETIRED: "muted"}
STATUS_CHANGED = {"publish": "\"{title}\" is published (version {version}).",
                  "retire": "\"{title}\" is retired. People who hold it can still see it."}


@bp.app_context_processor
def catalogue_labels():
    return {"kind_labels": KIND_LABELS, "prompt_kind_labels": PROMPT_KIND_LABELS,
            "status_for_me_labels": services.STATUS_FOR_ME, "badge_status_pills": STATUS_PILLS}


# --------------------------------------------------------------------------- catalogue


@bp.get("/badges/")
@signed_in
def catalogue():
    progress = services.progress_for(db.session, current_user)
    form = CatalogueFilterForm(request.args)
    strands = services.strand_counts(db.session, progress)
    collections = db.session.scalars(select(Collection).order_by(Collection.name)).all()
    form.strand.choices = options([("", "Any strand")] + [(s.slug, s.name) for s, _ in strands])
    form.collection.choices = options([("", "Any collection")] + [(c.slug, c.name) for c in collections])
    filters = filters_from(form)
    pager = db.paginate(services.catalogue_query(filters, progress), page=query_int("page", 1),
                        per_page=current_app.config["PAGE_SIZE"], error_out=False)
    badge_ids = [b.id for b in pager.items]
    return render_template(
        "badges/catalogue.html", form=form, pager=pager, strands=strands, filters=filters,
        statuses={b.id: services.status_for(b, progress) for b in pager.items},
        earners=services.earner_counts(db.session, badge_ids),
        filtered=any(v for k, v in request.args.items() if k not in ("page", "sort")),
    )


def _viewable(slug: str, may=access.can_view) -> tuple[Badge, services.Progress]:
    """The badge and the reader's progress, if `may` (an access rule) lets the reader see it."""
    badge = services.load_badge(db.session, slug)
    progress = services.progress_for(db.session, current_user)
    # Not found, rather than forbidden, so drafts do not reveal that they exist.
    if badge is None or not may(current_user, badge, progress):
        abort(404)
    return badge, progress


@bp.get("/badges/<slug>")
@signed_in
def badge_page(slug: str):
    badge, progress = _viewable(slug)
    prereqs = [services.prerequisite_row(p, progress) for p in badge.prerequisites]
    return render_template(
        "badges/badge.html", badge=badge, doc=services.badge_document(badge),
        strand_name=badge.strand.name if badge.strand else None, prereqs=prereqs,
        status_for_me=services.status_for(badge, progress),
        earners=services.earner_counts(db.session, [badge.id]).get(badge.id, 0),
        go_to=services.go_to_people(db.session, badge.id),
        image_url=url_for("badges.image", slug=badge.slug, v=badge.image_sha256 or badge.version),
        version=badge.version, can_author=access.can_author(current_user),
    )


@bp.get("/badges/<slug>/versions")
@signed_in
def versions(slug: str):
    badge, _ = _viewable(slug, access.can_view_version)
    rows = services.load_versions(db.session, badge)
    return render_template("badges/versions.html", badge=badge, versions=rows)


@bp.get("/badges/<slug>/versions/<int:number>")
@signed_in
def version_page(slug: str, number: int):
    badge, progress = _viewable(slug, access.can_view_version)
    version = services.version_of(db.session, badge, number)
    if version is None:
        abort(404)
    doc = dict(version.snapshot)
    return render_template(
        "badges/version.html", badge=badge, version_row=version, doc=doc,
        strand_name=services.strand_names(db.session, [doc.get("strand")]).get(doc.get("strand")),
        prereqs=services.prerequisite_rows(db.session, doc.get("prerequisites", []), progress),
        image_url=url_for("badges.image", slug=badge.slug, v=badge.image_sha256 or badge.version),
        version=number, status_for_me=None, earners=None, go_to=[],
    )


def _image_response(body, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.cache_control.private = True
    response.cache_control.max_age = 300
    return response


@bp.get("/badges/<slug>/image")
@signed_in
def image(slug: str):
    """The badge's uploaded image, or the generated one."""
    badge, _ = _viewable(slug, access.can_view_image)
    path = services.badge_image_path(badge, current_app.config["UPLOAD_PATH"])
    if path is not None:
        response = send_file(path, mimetype=badge.image_type, max_age=300, conditional=True)
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response
    return generated_image(slug, "svg")


@bp.get("/badges/<slug>/image.<any(svg, png):fmt>")
@signed_in
def generated_image(slug: str, fmt: str):
    badge, _ = _viewable(slug, access.can_view_image)
    colours = current_app.extensions["milepost_theme"].colours
    if fmt == "png":
        return _image_response(images.badge_png(badge.title, badge.level, colours), "image/png")
    return _image_response(images.badge_svg(badge.title, badge.level, colours), "image/svg+xml")


# --------------------------------------------------------------------------- authoring


@bp.get("/authoring/")
@authors
def authoring():
    q = request.args.get("q", "").strip()
    status = request.args.get("status", "")
    query = select(Badge).options(selectinload(Badge.strand)).order_by(func.lower(Badge.title), Badge.id)
    if q:
        like = services.like_pattern(q)
        query = query.where(or_(func.lower(Badge.title).like(like, escape="\\"), Badge.slug.like(like, escape="\\")))
    if status in STATUSES:
        query = query.where(Badge.status == status)
    pager = db.paginate(query, page=query_int("page", 1),
                        per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("badges/authoring/index.html", pager=pager, q=q, status=status, statuses=STATUSES)


def _badge_label(row) -> str:
    """A badge in an authoring list of choices: its title, and its status unless it is published."""
    return row.title if row.status == BadgeStatus.PUBLISHED else f"{row.title} ({row.status})"


def _set_choices(form: BadgeForm, badge: Badge | None) -> None:
    strands = db.session.scalars(select(Strand).order_by(Strand.position, Strand.id)).all()
    form.strand_id.choices = options([(NONE, "No strand")] + [(s.id, s.name) for s in strands])
    others = db.session.execute(select(Badge.id, Badge.title, Badge.status).order_by(func.lower(Badge.title))
                                .where(Badge.id != (badge.id if badge else -1))).all()
    form.prerequisite_ids.choices = options((b.id, _badge_label(b)) for b in others)
    form.meets_level.choices = options((i, entry.data or f"Level {i + 1}") for i, entry in enumerate(form.levels))


def _document(data: dict) -> dict:
    strand = db.session.get(Strand, data["strand_id"]) if data.get("strand_id") else None
    ids = data.get("prerequisite_ids") or []
    slugs = list(db.session.scalars(select(Badge.slug).where(Badge.id.in_(ids)))) if ids else []
    return document_from_data(data, strand_slug=strand.slug if strand else None, prerequisite_slugs=slugs)


def _show_problems(form: FlaskForm, field_problems) -> None:
    for name, message in field_problems:
        target = DOCUMENT_FIELDS.get(name, name)
        if target in form._fields and target != "csrf_token":
            field = form[target]
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)


def _edit(badge: Badge | None):
    if request.method == "GET":
        if badge is None:
            data = new_badge_data()
        else:
            data = data_from_document(services.badge_document(badge), strand_id=badge.strand_id or NONE,
                                      prerequisite_ids=[p.id for p in badge.prerequisites])
        form = BadgeForm(formdata=None, data=data)
        _set_choices(form, badge)
        return _render_edit(form, badge)

    form = BadgeForm()
    _set_choices(form, badge)
    if not form.validate_on_submit():
        return _render_edit(form, badge), 400
    action = request.form.get("action", "save")
    data = form_data(form)
    announcement = apply_list_action(data, action)
    if announcement is not None:
        form = BadgeForm(formdata=None, data=data)
        _set_choices(form, badge)
        return _render_edit(form, badge, announcement=announcement, focus=action)

    doc = _document(data)
    if action == "preview":
        cleaned, problems = services.clean_badge_document(doc)
        problems += services.check_against_catalogue(db.session, cleaned, badge)
        _show_problems(form, problems)
        return _render_edit(form, badge, preview=cleaned or doc)
    done = apply_change(lambda: services.save_badge(db.session, badge, doc, actor=current_user),
                        catch=BadgeInvalid, errors=lambda exc: _show_problems(form, exc.field_problems),
                        success=lambda saved: _saved_message(saved, new=badge is None),
                        then=lambda saved: url_for("badges.edit_badge", badge_id=saved.id))
    return done or (_render_edit(form, badge), 400)


def _saved_message(saved: Badge, *, new: bool) -> str:
    if new:
        return f"\"{saved.title}\" is saved as a draft. Publish it when it is ready."
    if saved.status != BadgeStatus.DRAFT:
        return f"\"{saved.title}\" is saved. Teachers now see version {saved.version}."
    return f"\"{saved.title}\" is saved."


def _render_edit(form: BadgeForm, badge: Badge | None, *, preview: dict | None = None, announcement: str = "",
                 focus: str = ""):
    context = {}
    if preview is not None:
        progress = services.Progress()
        context = {
            "doc": preview,
            "strand_name": services.strand_names(db.session, [preview.get("strand")]).get(preview.get("strand")),
            "prereqs": services.prerequisite_rows(db.session, preview.get("prerequisites", []), progress),
            "image_url": url_for("badges.image", slug=badge.slug) if badge else None,
            "version": badge.version if badge else 1, "status_for_me": None, "earners": None, "go_to": [],
        }
    return render_template("badges/authoring/edit.html", form=form, badge=badge, preview=preview,
                           announcement=announcement, focus=focus, **context)


@bp.route("/authoring/badges/new", methods=["GET", "POST"])
@authors
def new_badge():
    return _edit(None)


@bp.route("/authoring/badges/<int:badge_id>", methods=["GET", "POST"])
@authors
def edit_badge(badge_id: int):
    return _edit(db.get_or_404(Badge, badge_id))


@bp.post("/authoring/badges/<int:badge_id>/<any(publish, retire):change>")
@authors
def change_status(badge_id: int, change: str):
    badge = db.get_or_404(Badge, badge_id)
    here = url_for("badges.edit_badge", badge_id=badge_id)
    service = services.publish if change == "publish" else services.retire
    return apply_change(lambda: service(db.session, badge, actor=current_user),
                        errors=lambda exc: flash(" ".join([exc.message, *exc.problems]), "error"), back=here,
                        success=lambda _: STATUS_CHANGED[change].format(title=badge.title, version=badge.version),
                        then=here)


@bp.post("/authoring/badges/<int:badge_id>/duplicate")
@authors
def duplicate_badge(badge_id: int):
    badge = db.get_or_404(Badge, badge_id)
    copy = services.duplicate(db.session, badge, actor=current_user)
    db.session.commit()
    flash(f"A draft copy of \"{badge.title}\" is ready to edit.", "success")
    return redirect(url_for("badges.edit_badge", badge_id=copy.id))


@bp.route("/authoring/badges/<int:badge_id>/image", methods=["GET", "POST"])
@authors
def badge_image(badge_id: int):
    badge = db.get_or_404(Badge, badge_id)
    form = ImageForm()
    max_kb = int(current_app.config.get("BADGE_IMAGE_MAX_KB", 512))
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.set_badge_image(db.session, badge, form.image.data.read(max_kb * 1024 + 1),
                                             folder=current_app.config["UPLOAD_PATH"], max_bytes=max_kb * 1024,
                                             actor=current_user),
            catch=ValidationFailed, errors=form.image.errors,
            success="The new image is saved.", then=url_for("badges.badge_image", badge_id=badge_id))
        if done:
            return done
    return render_template("badges/authoring/image.html", form=form, badge=badge, max_kb=max_kb), \
        400 if form.errors else 200


@bp.post("/authoring/badges/<int:badge_id>/image/clear")
@authors
def clear_image(badge_id: int):
    badge = db.get_or_404(Badge, badge_id)
    services.clear_badge_image(db.session, badge, actor=current_user)
    db.session.commit()
    flash("The badge now uses the generated image.", "success")
    return redirect(url_for("badges.badge_image", badge_id=badge_id))


def _download(document: dict, filename: str) -> Response:
    response = Response(exchange.dumps(document), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/authoring/badges/<int:badge_id>/export")
@authors
def export_badge(badge_id: int):
    badge = db.get_or_404(Badge, badge_id)
    return _download(exchange.export_badge(badge), f"badge-{badge.slug}.json")


@bp.get("/authoring/export")
@authors
def export_catalogue():
    document = exchange.export_catalogue(db.session)
    from milepost.core import audit
    audit.record(db.session, "catalogue.exported", actor=current_user, badges=len(document["badges"]))
    db.session.commit()
    return _download(document, "milepost-badges.json")


@bp.route("/authoring/import", methods=["GET", "POST"])
@authors
def import_catalogue():
    form = ImportForm()
    message, problems, result = None, [], None
    if form.validate_on_submit():
        try:
            result = exchange.import_catalogue(db.session, exchange.parse(form.file.data.read()), actor=current_user)
        except ValidationFailed as exc:
            db.session.rollback()
            message, problems = exc.message, exc.problems
        else:
            db.session.commit()
            flash("Imported: " + result.summary(), "success")
    status = 400 if (form.errors or message) else 200
    return render_template("badges/authoring/import.html", form=form, message=message, problems=problems,
                           result=result), status


@bp.get("/authoring/strands")
@authors
def strands():
    rows = db.session.execute(
        select(Strand, func.count(Badge.id)).outerjoin(Badge, Badge.strand_id == Strand.id)
        .group_by(Strand.id).order_by(Strand.position, Strand.id)).all()
    return render_template("badges/authoring/strands.html", rows=rows)


@bp.route("/authoring/strands/new", methods=["GET", "POST"])
@bp.route("/authoring/strands/<int:strand_id>", methods=["GET", "POST"])
@authors
def edit_strand(strand_id: int | None = None):
    strand = db.get_or_404(Strand, strand_id) if strand_id else None
    return _group_form(StrandForm(obj=strand), strand, "strand", "badges.strands",
                       lambda **named: services.save_strand(db.session, strand, actor=current_user, **named))


@bp.post("/authoring/strands/<int:strand_id>/move")
@authors
def move_strand(strand_id: int):
    strand = db.get_or_404(Strand, strand_id)
    services.move_strand(db.session, strand, -1 if request.form.get("direction") == "up" else 1, actor=current_user)
    db.session.commit()
    return redirect(url_for("badges.strands"))


@bp.get("/authoring/collections")
@authors
def collections():
    rows = db.session.scalars(select(Collection).order_by(Collection.name)
                              .options(selectinload(Collection.entries))).all()
    return render_template("badges/authoring/collections.html", rows=rows)


@bp.route("/authoring/collections/new", methods=["GET", "POST"])
@bp.route("/authoring/collections/<int:collection_id>", methods=["GET", "POST"])
@authors
def edit_collection(collection_id: int | None = None):
    collection = db.get_or_404(Collection, collection_id) if collection_id else None
    form = CollectionForm(obj=collection)
    badges = db.session.execute(select(Badge.id, Badge.title, Badge.status)
                                .order_by(func.lower(Badge.title))).all()
    form.badge_ids.choices = options((b.id, _badge_label(b)) for b in badges)
    if request.method == "GET" and collection is not None:
        form.badge_ids.data = [entry.badge_id for entry in collection.entries]

    def save(**named):
        chosen = db.session.scalars(select(Badge).where(Badge.id.in_(form.badge_ids.data or []))
                                    .order_by(func.lower(Badge.title))).all()
        return services.save_collection(db.session, collection, badges=chosen, actor=current_user, **named)

    return _group_form(form, collection, "collection", "badges.collections", save)


def _group_form(form, group, noun: str, listing: str, save):
    """A strand's or collection's form: on a valid submit, save(slug=, name=, description=) and go back to
    the list; otherwise the form again, with what was wrong (400)."""
    if form.validate_on_submit():
        done = apply_change(
            lambda: save(slug=form.slug.data or services.slugify(form.name.data), name=form.name.data,
                         description=form.description.data),
            catch=BadgeInvalid, errors=lambda exc: _show_problems(form, exc.field_problems),
            success=f"The {noun} is saved.", then=url_for(listing))
        if done:
            return done
    return render_template("badges/authoring/group_form.html", form=form, group=group, noun=noun,
                           cancel_url=url_for(listing)), 400 if form.errors else 200


def home_cards(user) -> list[dict]:
    cards = [{"title": "Badge catalogue", "text": "Browse and search the badges you can earn, by strand and level.",
              "url": url_for("badges.catalogue")}]
    if access.can_author(user):
        cards.append({"title": "Author badges", "text": "Write, publish and retire badges; curate strands and "
                                                         "collections; import and export the catalogue.",
                      "url": url_for("badges.authoring")})
    return cards
