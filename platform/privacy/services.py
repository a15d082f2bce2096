"""What Milepost holds about a person, section by section (EXPORTERS), and how each part is forgotten
(ANONYMISERS); this module runs them all, in the order declared at its end. Aggregates (points, counts)
survive anonymising."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from milepost.core import audit
from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.core.model import utcnow
from milepost.core.transactions import on_commit
from milepost.privacy import access


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def export_person(session, user) -> bytes:
    """A zip: data.json with one section per feature, and the person's own uploaded files."""
    sections, files = {}, []
    for exporter in EXPORTERS:
        name, data, paths = exporter(session, user)
        sections[name] = data
        files.extend(paths)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(sections, indent=2, default=_jsonable, ensure_ascii=False))
        archive.writestr("README.txt", "Everything Milepost holds about you: data.json, and your uploaded files "
                                       "under files/. Dates are in UTC.\n")
        seen = set()
        for name, path in files:
            if name not in seen and Path(path).is_file():
                archive.write(path, f"files/{name}")
                seen.add(name)
    audit.record(session, "privacy.exported", actor=user, target=user)
    return out.getvalue()


def anonymise_person(session, user, *, reason: str, revoke_credentials: bool, by) -> None:
    if not (reason or "").strip():
        raise ValidationFailed("Give the reason (for example, the teacher left the district on a date).")
    if not access.may_anonymise(by, user):
        raise InvalidTransition("You cannot anonymise your own account.")
    if user.email.endswith("@removed.invalid"):
        raise InvalidTransition("This person's data has already been removed.")
    for anonymiser in ANONYMISERS:
        anonymiser(session, user, revoke_credentials=revoke_credentials, by=by)
    audit.record(session, "privacy.anonymised", actor=by, target=user, reason=reason.strip(),
                 revoked=revoke_credentials)


# --------------------------------------------------------------------------- the features we own


def export_account(session, user):
    return "account", {
        "name": user.display_name, "email": user.email, "roles": sorted(user.roles),
        "school": user.school.name if user.school else None, "active": user.active,
        "created_at": user.created_at, "last_login_at": user.last_login_at,
        "plcs": [m.plc.label for m in user.memberships],
    }, []


def anonymise_account(session, user, *, revoke_credentials, by):
    from milepost.accounts.models import PasswordResetToken

    user.display_name = f"Former educator {user.id}"
    user.email = f"former-{user.id}@removed.invalid"
    user.password_hash = None
    user.active = False
    user.session_version += 1
    user.memberships = []
    for token in session.scalars(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)):
        session.delete(token)


def export_evidence(session, user):
    from milepost.evidence.models import Submission
    from milepost.evidence.views import store

    files, data = [], []
    for sub in session.scalars(select(Submission).where(Submission.user_id == user.id)):
        attempts = []
        for attempt in sub.attempts:
            items = []
            for item in attempt.items:
                entry = {"prompt": sub.prompts[item.prompt_index]["title"] if item.prompt_index < len(sub.prompts)
                         else item.prompt_index, "kind": item.kind, "text": item.text, "url": item.url,
                         "file": item.filename or None, "student_information": item.student_info}
                if item.file_sha256:
                    stored_name = f"{sub.id}-{attempt.number}-{item.id}-{item.filename}"
                    entry["file"] = stored_name
                    files.append((stored_name, store().path_for(item.file_sha256)))
                items.append(entry)
            attempts.append({"number": attempt.number, "submitted_at": attempt.submitted_at,
                             "outcome": attempt.outcome, "feedback": attempt.feedback, "items": items})
        data.append({"badge": sub.badge.title, "state": sub.state, "attempts": attempts,
                     "timeline": [{"at": e.at, "action": e.action, "note": e.note} for e in sub.events]})
    return "submissions", data, files


def anonymise_evidence(session, user, *, revoke_credentials, by):
    """Written answers, links and files go; the submissions stay as numbers for the district's counts."""
    from milepost.evidence.models import Attempt, EvidenceItem, Submission

    items = session.scalars(select(EvidenceItem).join(Attempt).join(Submission)
                            .where(Submission.user_id == user.id)).all()
    for item in items:
        item.text, item.url, item.filename = "", "", ""
        item.file_sha256 = None
    session.flush()
    remove_unreferenced_files(session)


def remove_unreferenced_files(session) -> int:
    """Delete stored files no evidence item points at any more (from the database and the disk)."""
    from milepost.evidence.models import EvidenceItem, StoredFile
    from milepost.evidence.views import store

    used = select(EvidenceItem.file_sha256).where(EvidenceItem.file_sha256.is_not(None))
    orphans = session.scalars(select(StoredFile).where(StoredFile.sha256.not_in(used))).all()
    paths = [store().path_for(f.sha256) for f in orphans]
    for f in orphans:
        session.delete(f)
    session.flush()

    def unlink():
        for path in paths:
            path.unlink(missing_ok=True)

    on_commit(session, unlink)
    return len(orphans)


def export_awards_and_points(session, user):
    from milepost.awards.models import Award
    from milepost.points.models import LedgerEntry

    awards = [{"badge": a.badge.title, "version": a.badge_version.number, "issued_at": a.issued_at,
               "status": a.status, "how": a.how}
              for a in session.scalars(select(Award).where(Award.user_id == user.id))]
    ledger = [{"at": e.created_at, "kind": e.kind, "amount": e.amount, "reason": e.reason}
              for e in session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user.id)
                                       .order_by(LedgerEntry.id))]
    return "awards_and_points", {"awards": awards, "points": ledger}, []


def anonymise_awards(session, user, *, revoke_credentials, by):
    from milepost.awards.models import Award
    from milepost.awards.services import revoke_award

    for award in session.scalars(select(Award).where(Award.user_id == user.id, Award.revoked_at.is_(None))):
        award.private = True  # public pages stop naming them; the credential itself stays verifiable
        award.go_to = False
        if revoke_credentials:
            revoke_award(session, award, reason="The educator's data was removed at their request.", by=by)


def prune_evidence_files(session, *, days: int) -> int:
    """Files of submissions finished (awarded or withdrawn) more than `days` ago are removed;
    the items stay, saying the file was removed after the retention period."""
    from milepost.evidence.models import Attempt, EvidenceItem, Submission, SubmissionState

    cutoff = utcnow() - timedelta(days=days)
    items = session.scalars(select(EvidenceItem).join(Attempt).join(Submission).where(
        Submission.state.in_((SubmissionState.AWARDED, SubmissionState.WITHDRAWN)), Submission.updated_at < cutoff,
        EvidenceItem.file_sha256.is_not(None))).all()
    for item in items:
        item.file_sha256 = None
        item.filename = f"{item.filename} (removed after {days} days)"
    session.flush()
    remove_unreferenced_files(session)
    return len(items)


# Each exporter: fn(session, user) -> (section name, JSON-able data, [(name in zip, path on disk)]).
EXPORTERS = (export_account, export_evidence, export_awards_and_points)
# Each anonymiser: fn(session, user, *, revoke_credentials: bool, by) -> None.
ANONYMISERS = (anonymise_evidence, anonymise_awards, anonymise_account)
