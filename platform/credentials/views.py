"""Every public credential URL (Open Badges 2.0 documents, 3.0 credentials, status list, keys, the
verification page, baked images), the earner's page and learning record, and the admin pages."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from milepost.accounts.models import User
from milepost.badges.models import Badge, BadgeStatus, BadgeVersion, Strand
from milepost.core import audit
from milepost.core.access import public, roles, signed_in
from milepost.core.forms import apply_change, choices
from milepost.core.model import utcnow
from milepost.credentials import access, baking, clr, dataintegrity, keys, ob2, ob3, services, statuslist
from milepost.credentials.forms import IssuerForm, OutsideCredentialForm, RecordRequestForm, ValidityForm, VerifyForm
from milepost.credentials.models import LearningRecordRequest
from milepost.extensions import db

bp = Blueprint("credentials", __name__)
office = roles(*access.OFFICE_ROLES)
issuer_admin = roles(*access.ISSUER_ROLES)

LD_JSON = "application/ld+json"
VC_JWT = "application/vc+jwt"
VC_LD_JSON = "application/vc+ld+json"
# Public documents anyone may fetch from any site (badge backpacks and verifiers run in browsers).
OPEN_ENDPOINTS = {"ob2_issuer", "ob2_badgeclass", "ob2_assertion", "ob2_revocations", "badge_image", "baked",
                  "ob3_credential", "ob3_credential_jwt", "status_list", "status_list_json", "jwks", "did",
                  "did_path"}


@bp.after_request
def open_to_other_sites(response: Response) -> Response:
    if request.endpoint and request.endpoint.split(".")[-1] in OPEN_ENDPOINTS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers.setdefault("Cache-Control", "public, max-age=300")
    return response


def _document(doc: dict, mimetype: str = LD_JSON, status: int = 200) -> Response:
    return Response(json.dumps(doc, indent=2, ensure_ascii=False), status=status, mimetype=mimetype)


def _version(version_id: int) -> BadgeVersion:
    version = db.session.get(BadgeVersion, version_id)
    if version is None:
        abort(404)
    return version


# --------------------------------------------------------------------------- Open Badges 2.0


@bp.get("/ob/v2/issuer")
@public
def ob2_issuer():
    return _document(ob2.issuer_document(db.session))


@bp.get("/ob/v2/badgeclasses/<int:version_id>")
@public
def ob2_badgeclass(version_id: int):
    return _document(ob2.badgeclass_document(db.session, _version(version_id)))


@bp.get("/ob/v2/badgeclasses/<int:version_id>/image.<any(png, svg):fmt>")
@public
def badge_image(version_id: int, fmt: str):
    body = baking.badge_picture(_version(version_id), fmt)
    response = Response(body, mimetype="image/png" if fmt == "png" else "image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/ob/v2/assertions/<public_id>")
@public
def ob2_assertion(public_id: str):
    award = services.award_by_public_id(db.session, public_id)
    doc = ob2.assertion_document(db.session, award)
    # Open Badges 2.0: a revoked hosted assertion answers 410 Gone with {"revoked": true}. Read before the
    # commit, which expires the award (reading it after would load it and its relations again).
    status = 410 if award.revoked_at is not None else 200
    db.session.commit()  # the salt and status index, made on first use for awards older than this feature
    return _document(doc, status=status)


@bp.get("/ob/v2/revocations")
@public
def ob2_revocations():
    return _document(ob2.revocation_list_document(db.session))


# --------------------------------------------------------------------------- Open Badges 3.0, status, keys


@bp.get("/ob/v3/credentials/<public_id>")
@public
def ob3_credential(public_id: str):
    award = services.award_by_public_id(db.session, public_id)
    doc = dataintegrity.add_proof(db.session, ob3.credential(db.session, award))
    db.session.commit()
    return _document(doc)


@bp.get("/ob/v3/credentials/<public_id>.jwt")
@public
def ob3_credential_jwt(public_id: str):
    award = services.award_by_public_id(db.session, public_id)
    token = ob3.signed_credential(db.session, award)
    db.session.commit()  # a key made on first use
    return Response(token, mimetype=VC_JWT)


@bp.get("/ob/v3/status/<int:number>")
@public
def status_list(number: int):
    """The status list as a VC-JWT, or (Accept: application/ld+json or application/vc+ld+json) as a
    JSON-LD credential with an embedded proof, the same as /ob/v3/status/<number>.json."""
    if number != 1:
        abort(404)
    wanted = request.accept_mimetypes.best_match([VC_JWT, LD_JSON, VC_LD_JSON, "application/json"], default=VC_JWT)
    if wanted != VC_JWT and request.accept_mimetypes[wanted] > request.accept_mimetypes[VC_JWT]:
        response = status_list_json(number)
        response.vary.add("Accept")
        return response
    token = ob3.sign(db.session, statuslist.status_list_credential(db.session, number))
    db.session.commit()
    response = Response(token, mimetype=VC_JWT)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.add("Accept")
    return response


@bp.get("/ob/v3/status/<int:number>.json")
@public
def status_list_json(number: int):
    if number != 1:
        abort(404)
    doc = dataintegrity.add_proof(db.session, statuslist.status_list_credential(db.session, number))
    db.session.commit()  # a key made on first use
    response = _document(doc)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/.well-known/jwks.json")
@public
def jwks():
    return _keys_document(keys.jwks, mimetype="application/jwk-set+json")


@bp.get("/.well-known/did.json")
@public
def did():
    return _keys_document(keys.did_document, mimetype="application/did+ld+json")


def _keys_document(document, *, mimetype: str) -> Response:
    """A document publishing the signing keys; the first keys are made on first use."""
    keys.ensure_keys(db.session)
    db.session.commit()
    return _document(document(db.session), mimetype=mimetype)


@bp.get("/did.json")
@public
def did_path():
    """did:web with a path (BASE_URL below a folder) resolves to <path>/did.json."""
    return did()


# --------------------------------------------------------------------------- human-readable pages


@bp.get("/credentials/awards/<public_id>")
@public
def award_page(public_id: str):
    award = services.award_by_public_id(db.session, public_id)
    snap = award.badge_version.snapshot or {}
    who = services.issuer(db.session)
    mine = access.is_earner(current_user, award)
    page_url = services.absolute("credentials.award_page", public_id=public_id)
    title = snap.get("title") or award.badge.title
    share = None
    if access.can_share(current_user, award):
        linkedin = {"startTask": "CERTIFICATION_NAME", "name": title, "organizationName": who.name,
                    "issueYear": award.issued_at.year, "issueMonth": award.issued_at.month,
                    "certUrl": page_url, "certId": award.public_id}
        if award.expires_at:
            linkedin.update(expirationYear=award.expires_at.year, expirationMonth=award.expires_at.month)
        share = {
            "linkedin": "https://www.linkedin.com/profile/add?" + urlencode(linkedin),
            "mailto": "mailto:?" + urlencode({"subject": f"My badge: {title}",
                                              "body": f"I earned “{title}” from {who.name}. "
                                                      f"You can check it here: {page_url}"},
                                             quote_via=_quote),
        }
    return render_template("credentials/award.html", award=award, snap=snap, issuer=who, mine=mine,
                           show_earner=access.can_see_earner(current_user, award), page_url=page_url, share=share,
                           strand=ob2.strand_for(db.session, snap),
                           narrative=ob2.criteria_narrative(snap, services.judgement(db.session, award)))


def _quote(value, safe="", encoding=None, errors=None):
    from urllib.parse import quote

    return quote(value, safe="", encoding=encoding, errors=errors)


@bp.get("/credentials/awards/<public_id>/badge.<any(png, svg):fmt>")
@public
def baked(public_id: str, fmt: str):
    award = services.award_by_public_id(db.session, public_id)
    body = baking.baked(db.session, award, fmt)
    db.session.commit()
    response = Response(body, mimetype="image/png" if fmt == "png" else "image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{award.badge.slug}-badge.{fmt}"'
    return response


@bp.get("/credentials/badges/<int:version_id>")
@public
def criteria_page(version_id: int):
    version = _version(version_id)
    snap = version.snapshot or {}
    return render_template("credentials/criteria.html", version=version, snap=snap,
                           narrative=ob2.criteria_narrative(snap), issuer=services.issuer(db.session),
                           strand=ob2.strand_for(db.session, snap))


@bp.get("/credentials/strands")
@public
def strands():
    rows = db.session.scalars(select(Strand).order_by(Strand.position, Strand.name)).all()
    return render_template("credentials/strands.html", strands=rows, issuer=services.issuer(db.session))


# --------------------------------------------------------------------------- the earner


@bp.get("/credentials/mine")
@signed_in
def mine():
    from milepost.awards import services as awards

    rows = awards.awards_of(db.session, current_user)
    return render_template("credentials/mine.html", awards=rows)


@bp.get("/credentials/mine/learning-record.zip")
@signed_in
def my_learning_record():
    data = clr.learning_record_zip(db.session, current_user)
    audit.record(db.session, "credentials.record_downloaded", actor=current_user, target=current_user)
    db.session.commit()
    return _zip(data, current_user)


def _zip(data: bytes, person: User) -> Response:
    response = Response(data, mimetype="application/zip")
    stamp = utcnow().strftime("%Y-%m-%d")
    response.headers["Content-Disposition"] = f'attachment; filename="learning-record-{person.id}-{stamp}.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response


def home_cards(user) -> list[dict]:
    cards = [{"title": "My credentials", "text": "Share your badges, download them as verifiable credentials "
                                                 "and your whole learning record.",
              "url": url_for("credentials.mine")}]
    if access.can_manage_issuer(user):
        cards.append({"title": "Issuer and signing keys", "text": "How the district appears on every credential.",
                      "url": url_for("credentials.admin")})
    if access.can_handle_record_requests(user):
        cards.append({"title": "Learning records on request", "text": "Records for people who have left; "
                                                                      "badge validity periods.",
                      "url": url_for("credentials.record_requests")})
    return cards


# --------------------------------------------------------------------------- admin


@bp.route("/admin/credentials", methods=["GET", "POST"])
@issuer_admin
def admin():
    row = services.issuer_row(db.session)
    form = IssuerForm(obj=row)
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.save_issuer(db.session, name=form.name.data or "", url=form.url.data or "",
                                         email=form.email.data or "", image_url=form.image_url.data or "",
                                         description=form.description.data or "", actor=current_user),
            errors=form.form_errors, each_problem=True, then=url_for("credentials.admin"),
            success="The issuer details are saved. Every credential shows them from now on.")
        if done:
            return done
    return render_template("credentials/admin.html", form=form, issuer=services.issuer(db.session),
                           keys=keys.all_keys(db.session), did=keys.did_web()), 400 if form.errors else 200


@bp.post("/admin/credentials/rotate-key")
@issuer_admin
def rotate_key():
    rows = keys.rotate_key(db.session, actor=current_user)
    db.session.commit()
    flash("New signing keys (" + ", ".join(f"{row.algorithm} {row.kid}" for row in rows)
          + ") sign from now on; the old ones stay published.", "success")
    return redirect(url_for("credentials.admin"))


@bp.route("/admin/credentials/validity", methods=["GET", "POST"])
@office
def validity():
    badges = db.session.execute(select(Badge.id, Badge.title).where(Badge.status == BadgeStatus.PUBLISHED)
                                .order_by(func.lower(Badge.title))).all()
    form = ValidityForm()
    form.badge_id.choices = choices(badges)
    if form.validate_on_submit():
        badge = db.get_or_404(Badge, form.badge_id.data)
        done = apply_change(
            lambda: services.set_badge_validity(db.session, badge, form.months.data, actor=current_user),
            errors=form.months.errors, then=url_for("credentials.validity"),
            success=f"“{badge.title}”: " + (f"new awards are valid for {form.months.data} months."
                                            if form.months.data else "new awards do not expire."))
        if done:
            return done
    titles = dict(badges)
    rows = sorted(((titles.get(b, "?"), m) for b, m in services.validities(db.session).items()))
    return render_template("credentials/validity.html", form=form, rows=rows), 400 if form.errors else 200


@bp.route("/admin/credentials/learning-records", methods=["GET", "POST"])
@office
def record_requests():
    form = RecordRequestForm()
    if form.validate_on_submit():
        done = apply_change(
            lambda: services.request_learning_record(db.session, email=form.email.data, note=form.note.data,
                                                     by=current_user),
            errors=form.email.errors, then=url_for("credentials.record_requests"),
            success=lambda row: f"Recorded. Download the record for {row.user.display_name} below and send it to them.")
        if done:
            return done
    return render_template("credentials/requests.html", form=form,
                           requests=services.record_requests(db.session)), 400 if form.errors else 200


@bp.get("/admin/credentials/learning-records/<int:request_id>.zip")
@office
def record_request_zip(request_id: int):
    row = db.get_or_404(LearningRecordRequest, request_id)
    data = clr.learning_record_zip(db.session, row.user)
    row.downloaded_at = utcnow()
    audit.record(db.session, "credentials.record_exported", actor=current_user, target=row, user_id=row.user_id)
    db.session.commit()
    return _zip(data, row.user)


# --------------------------------------------------------------------------- checking credentials


def _brought(form) -> tuple[bytes | None, str]:
    upload = form.file.data
    data = upload.read(services.MAX_ORIGINAL + 1) if upload and getattr(upload, "filename", "") else None
    return data or None, form.text.data or ""


@bp.route("/credentials/verify", methods=["GET", "POST"])
@public
def verify_page():
    """Anyone checks a credential this site issued: file, JWT, JSON or address. Only this site's documents
    are consulted (no outside fetch), so the page cannot be used to reach other hosts."""
    from milepost.credentials import incoming

    form = VerifyForm()
    verdict = None
    if form.validate_on_submit():
        data, text = _brought(form)
        if data and len(data) > services.MAX_ORIGINAL:
            form.file.errors.append("That file is too large to check (at most 2 MB).")
        else:
            verdict = incoming.verify(data=data, text=text, fetch=incoming.own_site_fetch)
    status = 400 if form.errors else 200
    return render_template("credentials/verify.html", form=form, verdict=verdict,
                           issuer=services.issuer(db.session)), status


def _my_open_submissions(user):
    from milepost.evidence.models import Submission, SubmissionState

    return db.session.execute(
        select(Submission.id, Badge.title).join(Badge, Badge.id == Submission.badge_id)
        .where(Submission.user_id == user.id,
               Submission.state.not_in([SubmissionState.AWARDED, SubmissionState.WITHDRAWN]))
        .order_by(func.lower(Badge.title))).all()


@bp.route("/credentials/mine/outside", methods=["GET", "POST"])
@signed_in
def my_outside():
    from milepost.evidence.models import Submission

    form = OutsideCredentialForm()
    form.submission_id.choices = choices([(0, "My record only"), *_my_open_submissions(current_user)])
    if form.validate_on_submit():
        data, text = _brought(form)
        submission = db.session.get(Submission, form.submission_id.data) if form.submission_id.data else None
        done = apply_change(
            lambda: services.add_outside_credential(db.session, current_user, data=data, text=text,
                                                    submission=submission),
            errors=form.text.errors, then=lambda row: url_for("credentials.outside_detail", row_id=row.id),
            success=lambda row: "Checked and kept: " + _plain_status(row.status) + ".")
        if done:
            return done
    return render_template("credentials/outside.html", form=form,
                           rows=services.outside_credentials(db.session, current_user)), 400 if form.errors else 200


def _plain_status(status: str) -> str:
    return {"valid": "it is valid", "revoked": "the issuer has revoked it", "expired": "it has expired"}.get(
        status, "it could not be accepted (the reasons are listed)")


@bp.get("/credentials/outside/<int:row_id>")
@signed_in
def outside_detail(row_id: int):
    from milepost.credentials.models import OutsideCredential

    row = db.session.get(OutsideCredential, row_id)
    if row is None or not access.can_view_outside(current_user, row):
        abort(404)
    return render_template("credentials/outside_detail.html", row=row, plain=_plain_status(row.status))
