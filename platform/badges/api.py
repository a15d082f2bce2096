"""The catalogue as JSON for other district tools: GET /api/badges and GET /api/badges/<slug>.

Signed-in users only (401 JSON otherwise); each person sees what the catalogue shows them."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_login import current_user

from milepost.badges import access, services
from milepost.badges.forms import CatalogueFilterForm, filters_from
from milepost.badges.models import Badge
from milepost.core.access import signed_in
from milepost.core.inputs import query_int
from milepost.extensions import db

bp = Blueprint("badges_api", __name__, url_prefix="/api/badges")
MAX_PER_PAGE = 100


def _summary(badge: Badge, progress: services.Progress) -> dict:
    return {
        "slug": badge.slug,
        "title": badge.title,
        "kind": badge.kind,
        "strand": {"slug": badge.strand.slug, "name": badge.strand.name} if badge.strand else None,
        "level": badge.level,
        "summary": badge.summary,
        "points": badge.points,
        "credit_hours": services.hours_value(badge.credit_hours),
        "estimated_time": badge.estimated_time,
        "tags": badge.tags,
        "status": badge.status,
        "version": badge.version,
        "status_for_me": services.status_for(badge, progress),
        "url": url_for("badges.badge_page", slug=badge.slug, _external=True),
        "api_url": url_for("badges_api.detail", slug=badge.slug, _external=True),
        "image_url": url_for("badges.image", slug=badge.slug, _external=True),
    }


@bp.get("")
@signed_in
def index():
    progress = services.progress_for(db.session, current_user)
    filters = filters_from(CatalogueFilterForm(request.args))
    per_page = max(1, min(query_int("per_page", current_app.config["PAGE_SIZE"]), MAX_PER_PAGE))
    pager = db.paginate(services.catalogue_query(filters, progress), page=query_int("page", 1),
                        per_page=per_page, error_out=False)
    return jsonify(
        items=[_summary(b, progress) for b in pager.items],
        page=pager.page, per_page=pager.per_page, total=pager.total, pages=pager.pages,
    )


@bp.get("/<slug>")
@signed_in
def detail(slug: str):
    badge = services.load_badge(db.session, slug)
    progress = services.progress_for(db.session, current_user)
    if badge is None or not access.can_view(current_user, badge, progress):
        abort(404)
    body = _summary(badge, progress)
    body["document"] = services.badge_document(badge)
    body["prerequisites"] = [{"slug": p.slug, "title": p.title, "status": p.status,
                              "met": services.prerequisite_met(p, progress)} for p in badge.prerequisites]
    body["earners"] = services.earner_counts(db.session, [badge.id]).get(badge.id, 0)
    return jsonify(body)
