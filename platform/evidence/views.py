"""Evidence pages: start a badge, answer its prompts, upload files (whole or in chunks), the privacy
check before submitting, withdraw and reopen, downloads, and the teacher's dashboard."""
from __future__ import annotations

import secrets
from pathlib import Path

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
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from milepost.badges.models import Badge
from milepost.core.access import signed_in
from milepost.core.errors import DomainError, ValidationFailed
from milepost.core.forms import apply_change
from milepost.core.inputs import header_int, json_body
from milepost.evidence import access, previews, services
from milepost.evidence.forms import ActionForm, PrivacyCheckForm
from milepost.evidence.models import ChunkedUpload, EvidenceItem, ItemKind, Submission, SubmissionState
from milepost.evidence.storage import INLINE_TYPES, FileRejected, FileStore, safe_filename
from milepost.extensions import db

bp = Blueprint("evidence", __name__)
CHUNK_BYTES = 4 * 1024 * 1024


def store() -> FileStore:
    return FileStore(Path(current_app.config["UPLOAD_PATH"]) / "evidence",
                     strip_metadata=current_app.config["STRIP_IMAGE_METADATA"])


def file_limit() -> int:
    return int(current_app.config["MAX_FILE_MB"]) * 1024 * 1024


def submission_limit() -> int:
    return int(current_app.config["MAX_SUBMISSION_MB"]) * 1024 * 1024


def _submission_or_404(submission_id: int) -> Submission:
    """The submission if this person may see it; 404 otherwise, so ids reveal nothing."""
    submission = services.load_submission(db.session, submission_id)
    if submission is None or not access.can_view_submission(current_user, submission):
        abort(404)
    return submission


def _own_submission_or_404(submission_id: int) -> Submission:
    submission = _submission_or_404(submission_id)
    if not access.is_earner(current_user, submission):
        abort(403)
    return submission


@bp.get("/my/badges")
@signed_in
def dashboard():
    groups = services.my_submissions(db.session, current_user)
    return render_template("evidence/dashboard.html", groups=groups)


@bp.post("/badges/<slug>/start")
@signed_in
def start(slug: str):
    ActionForm().validate_on_submit() or abort(400)
    badge = db.session.scalar(select(Badge).where(Badge.slug == slug))
    if badge is None:
        abort(404)
    return apply_change(lambda: services.start_badge(db.session, current_user, badge),
                        back=url_for("badges.badge_page", slug=slug), success=None,
                        then=lambda submission: url_for("evidence.submission", submission_id=submission.id))


@bp.route("/submissions/<int:submission_id>", methods=["GET", "POST"])
@signed_in
def submission(submission_id: int):
    submission = _submission_or_404(submission_id)
    mine = access.is_earner(current_user, submission)
    editable = mine and submission.state in services.OPEN_STATES
    form = ActionForm()
    errors, typed = [], {}
    if request.method == "POST":
        if not mine:
            abort(403)
        if not form.validate_on_submit():
            abort(400)
        errors, typed = _save_evidence(submission)
        if not errors:
            db.session.commit()
            if request.form.get("action") == "submit":
                return redirect(url_for("evidence.check", submission_id=submission.id))
            flash("Your draft is saved. You can come back to it at any time.", "success")
            return redirect(url_for("evidence.submission", submission_id=submission.id))
        db.session.commit()  # keep everything that was fine; the page shows what was not
    items = access.visible_items(current_user, submission, submission.current_attempt.items)
    earlier = [(a, access.visible_items(current_user, submission, a.items))
               for a in submission.attempts if a.number != submission.attempt_number]
    return render_template("evidence/submission.html", submission=submission, items=items, earlier=earlier,
                           editable=editable, mine=mine, form=form, errors=errors, typed=typed,
                           file_mb=current_app.config["MAX_FILE_MB"], chunk_bytes=CHUNK_BYTES,
                           link_label=services.link_label), 400 if errors else 200


def _save_evidence(submission: Submission) -> tuple[list[str], dict]:
    """Save every answer, link and file in the form; keep going past problems and report them all."""
    errors, typed = [], {}
    for index, prompt in enumerate(submission.prompts):
        try:
            if prompt["kind"] == ItemKind.TEXT and f"answer-{index}" in request.form:
                services.save_text(db.session, submission, index, request.form[f"answer-{index}"], by=current_user)
            if prompt["kind"] in (ItemKind.LINK, ItemKind.FILE) and f"link-{index}" in request.form:
                services.save_link(db.session, submission, index, request.form[f"link-{index}"], by=current_user)
        except DomainError as exc:
            errors.append(exc.message)
            typed[index] = request.form.get(f"answer-{index}", request.form.get(f"link-{index}", ""))
        for upload in request.files.getlist(f"file-{index}"):
            if not upload or not upload.filename:
                continue
            try:
                _keep_upload(submission, index, upload.stream, upload.filename,
                             request.form.get(f"student-info-{index}") == "y")
            except DomainError as exc:
                errors.append(exc.message)
    db.session.flush()
    return errors, typed


def _keep_upload(submission: Submission, index: int, stream, filename: str, student_info: bool) -> EvidenceItem:
    kept = store().save(stream, filename=filename, max_bytes=file_limit())
    name = safe_filename(filename, kept.mime, store().allowed)
    return services.add_file(db.session, submission, index, kept, name, by=current_user,
                             student_info=student_info, max_submission_bytes=submission_limit())


@bp.post("/submissions/<int:submission_id>/autosave")
@signed_in
def autosave(submission_id: int):
    """Keeps one written answer while the teacher types (JSON from evidence.js)."""
    submission = _own_submission_or_404(submission_id)
    try:
        data = json_body({"prompt": int, "text": str}, what="The saved answer")
        index = data["prompt"]
        if not isinstance(index, int):
            raise ValidationFailed("Which answer is this?")
        services.save_text(db.session, submission, index, data["text"] or "", by=current_user)
    except DomainError as exc:
        db.session.rollback()
        return jsonify(error={"status": exc.status, "message": exc.message}), exc.status
    db.session.commit()
    return jsonify(saved=True)


@bp.post("/submissions/<int:submission_id>/items/<int:item_id>/remove")
@signed_in
def remove_item(submission_id: int, item_id: int):
    submission = _own_submission_or_404(submission_id)
    ActionForm().validate_on_submit() or abort(400)
    item = _item_of(submission, item_id)
    services.remove_item(db.session, item, by=current_user)
    db.session.commit()
    flash("The item is removed from this attempt.", "success")
    return redirect(url_for("evidence.submission", submission_id=submission.id))


@bp.post("/submissions/<int:submission_id>/items/<int:item_id>/student-info")
@signed_in
def mark_student_info(submission_id: int, item_id: int):
    submission = _own_submission_or_404(submission_id)
    ActionForm().validate_on_submit() or abort(400)
    item = _item_of(submission, item_id)
    services.mark_student_info(db.session, item, request.form.get("flag") == "1", by=current_user)
    db.session.commit()
    return redirect(url_for("evidence.submission", submission_id=submission.id) + f"#prompt-{item.prompt_index}")


def _item_of(submission: Submission, item_id: int) -> EvidenceItem:
    for attempt in submission.attempts:
        for item in attempt.items:
            if item.id == item_id:
                return item
    abort(404)


@bp.route("/submissions/<int:submission_id>/check", methods=["GET", "POST"])
@signed_in
def check(submission_id: int):
    """The privacy check and last look before submitting."""
    submission = _own_submission_or_404(submission_id)
    form = PrivacyCheckForm()
    missing = services.missing_required(submission)
    mode = current_app.config["LINK_CHECK"]
    warnings = {item.id: services.link_warning(item.url, mode=mode)
                for item in submission.current_attempt.items
                if item.kind == ItemKind.LINK} if request.method == "GET" else {}
    refused = []
    if form.validate_on_submit():
        done = apply_change(
            lambda: _submit(submission), errors=refused,
            success=lambda _: f"{submission.badge.title} is submitted. We will let you know when a reviewer has "
                              "looked at it.",
            then=url_for("evidence.submission", submission_id=submission.id))
        if done:
            return done
    problem = refused[0] if refused else None
    return render_template("evidence/check.html", submission=submission, form=form, missing=missing,
                           warnings=warnings, problem=problem, link_label=services.link_label), \
        400 if (problem or form.errors) else 200


def _submit(submission: Submission) -> None:
    services.confirm_privacy(db.session, submission, by=current_user)
    action = "resubmit" if submission.state == SubmissionState.RETURNED else "submit"
    services.transition(db.session, submission, action, by=current_user)


@bp.post("/submissions/<int:submission_id>/<any(withdraw, reopen):action>")
@signed_in
def earner_action(submission_id: int, action: str):
    submission = _own_submission_or_404(submission_id)
    ActionForm().validate_on_submit() or abort(400)
    services.transition(db.session, submission, action, by=current_user)
    db.session.commit()
    flash("The submission is withdrawn. Its record is kept and you can reopen it later." if action == "withdraw"
          else "The submission is open again as a draft, with your earlier evidence copied in.", "success")
    return redirect(url_for("evidence.submission", submission_id=submission.id))


@bp.get("/evidence/files/<int:item_id>")
@signed_in
def download(item_id: int):
    item = db.session.get(EvidenceItem, item_id)
    if item is None or item.file_sha256 is None:
        abort(404)
    submission = item.attempt.submission
    if not access.can_view_item(current_user, item, submission):
        abort(404)
    return send_evidence_file(item)


def send_evidence_file(item: EvidenceItem) -> Response:
    """An evidence file: shown in the browser when its type is safe to show (plain images, and video and
    audio for the page's players; unless ?download=1), else downloaded; never sniffed, never able to run
    script, never cached. Byte ranges (Range: bytes=...) are answered with 206 and the bytes asked for, or
    416 for a range outside the file, so a player can seek through a long phone video."""
    shown = item.file.mime in INLINE_TYPES or item.file.mime in previews.PLAYABLE_TYPES
    inline = shown and request.args.get("download") != "1"
    if not request.headers.get("Range", "bytes=").strip().lower().startswith("bytes="):
        # A range in a unit other than bytes is ignored (RFC 9110, 14.2): the whole file, not a 416.
        request.environ.pop("HTTP_RANGE", None)
    response = send_file(store().path_for(item.file_sha256), mimetype=item.file.mime, as_attachment=not inline,
                         download_name=item.filename or "evidence", max_age=0, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _preview_cache() -> Path:
    return Path(current_app.config["UPLOAD_PATH"]) / "previews"


@bp.get("/evidence/files/<int:item_id>/pages/<int:number>.png")
@signed_in
def pdf_page(item_id: int, number: int):
    """One page of a PDF item as an image, for people who may see the item (the same rule as the file)."""
    item = db.session.get(EvidenceItem, item_id)
    if item is None or item.file_sha256 is None or item.file.mime != previews.PDF:
        abort(404)
    if not access.can_view_item(current_user, item, item.attempt.submission):
        abort(404)
    png = previews.page_png(store().path_for(item.file_sha256), _preview_cache(), item.file_sha256, number)
    if png is None:
        abort(404)
    response = send_file(png, mimetype="image/png", max_age=0, conditional=True)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global("evidence_preview")
def evidence_preview(item: EvidenceItem) -> dict:
    """How the page shows a file item: its viewer, the player's type, a PDF's pages, an Office label."""
    mime = item.file.mime if item.file else ""
    kind = previews.viewer(mime)
    found = {"kind": kind, "type": previews.player_type(mime), "label": previews.OFFICE_LABELS.get(mime, "")}
    if kind == "pdf":
        pages = previews.page_count(store().path_for(item.file_sha256), _preview_cache(), item.file_sha256)
        found.update(pages=pages, shown=min(pages, previews.MAX_PAGES))
    return found


# --------------------------------------------------------------------------- chunked uploads


def _upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_PATH"]) / "chunks"
    path.mkdir(parents=True, exist_ok=True)
    return path


@bp.post("/submissions/<int:submission_id>/uploads")
@signed_in
def upload_begin(submission_id: int):
    """Start (or find again) a chunked upload: {prompt, filename, size, student_info}."""
    submission = _own_submission_or_404(submission_id)
    try:
        data = json_body({"prompt": int, "size": int, "filename": str, "student_info": bool},
                         what="The upload request")
        index, size = data["prompt"], data["size"]
        if not isinstance(index, int) or not isinstance(size, int) or size < 0:
            raise ValidationFailed("The upload did not say which requirement and how large the file is.")
        prompt = services._prompt(submission, index)
        if prompt["kind"] != ItemKind.FILE:
            raise ValidationFailed(f"“{prompt['title']}” does not take files.")
        if size == 0:
            raise FileRejected(f"{data.get('filename') or 'That file'} is empty. Please choose the file again.")
        if size > file_limit():
            return jsonify(error={"status": 413, "message": f"{data.get('filename')} is larger than the "
                                  f"{current_app.config['MAX_FILE_MB']} MB limit for one file."}), 413
        services._editable_attempt(submission, current_user)
    except DomainError as exc:
        return jsonify(error={"status": exc.status, "message": exc.message}), exc.status
    upload = ChunkedUpload(id=secrets.token_hex(16), user_id=current_user.id, submission_id=submission.id,
                           prompt_index=index, filename=str(data.get("filename") or "upload")[:255], size=size,
                           student_info=bool(data.get("student_info")))
    db.session.add(upload)
    db.session.commit()
    return jsonify(id=upload.id, offset=0, size=size, chunk=CHUNK_BYTES,
                   url=url_for("evidence.upload_chunk", upload_id=upload.id)), 201


def _own_upload(upload_id: str) -> ChunkedUpload:
    upload = db.session.get(ChunkedUpload, upload_id)
    if not access.can_use_upload(current_user, upload):
        abort(404)
    return upload


@bp.get("/uploads/<upload_id>")
@signed_in
def upload_status(upload_id: str):
    upload = _own_upload(upload_id)
    return jsonify(id=upload.id, offset=upload.received, size=upload.size, done=upload.completed_item_id is not None)


@bp.put("/uploads/<upload_id>")
@signed_in
def upload_chunk(upload_id: str):
    """Append one chunk at the offset the client names; the file is kept when the last one arrives."""
    upload = _own_upload(upload_id)
    if upload.completed_item_id is not None:
        return jsonify(id=upload.id, offset=upload.size, size=upload.size, done=True, item=upload.completed_item_id)
    offset = header_int("Upload-Offset")
    if offset != upload.received:
        # The client and the server disagree (a chunk was lost): tell it where to resume.
        return jsonify(error={"status": 409, "message": "Resume from the offset given."}, offset=upload.received), 409
    part = _upload_dir() / f"{upload.id}.part"
    written = 0
    with open(part, "ab") as out:
        out.truncate(upload.received)  # drop any bytes of a chunk that was cut off half-way
        while True:
            block = request.stream.read(64 * 1024)
            if not block:
                break
            written += len(block)
            if upload.received + written > upload.size or written > CHUNK_BYTES:
                out.truncate(upload.received)
                return jsonify(error={"status": 413, "message": "More data than the file's size."}), 413
            out.write(block)
    upload.received += written
    if upload.received < upload.size:
        db.session.commit()
        return jsonify(id=upload.id, offset=upload.received, size=upload.size, done=False)
    submission = services.load_submission(db.session, upload.submission_id)
    try:
        with open(part, "rb") as fh:
            item = _keep_upload(submission, upload.prompt_index, fh, upload.filename, upload.student_info)
    except DomainError as exc:
        db.session.rollback()
        db.session.delete(db.session.get(ChunkedUpload, upload_id))
        db.session.commit()
        return jsonify(error={"status": exc.status, "message": exc.message}), exc.status
    finally:
        part.unlink(missing_ok=True)
    upload.completed_item_id = item.id
    db.session.commit()
    return jsonify(id=upload.id, offset=upload.size, size=upload.size, done=True, item=item.id,
                   filename=item.filename)


def home_cards(user) -> list[dict]:
    return [{"title": "My badges", "text": "Your drafts, feedback to read, submissions waiting and badges earned.",
             "url": url_for("evidence.dashboard")}]


def my_submission(badge) -> Submission | None:
    """For templates: the signed-in person's submission for this badge, if they have started it (one query)."""
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(select(Submission).where(Submission.user_id == current_user.id,
                                                      Submission.badge_id == badge.id))
