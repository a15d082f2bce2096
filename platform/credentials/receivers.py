"""What credentials does when an award is issued (connected in milepost.credentials.init_app).

Revocation needs no receiver: the revocation list, the status-list bit and the public page all read
Award.revoked_at, which awards.services.revoke_award sets."""
from __future__ import annotations

from milepost.credentials import services


def prepare_credential(award, *, session) -> None:
    """awards' award_issued: the award's credential state and expiry."""
    services.prepare_credential(session, award)


STATUS_LABELS = {"valid": "Valid", "revoked": "Revoked", "expired": "Expired", "refused": "Not accepted"}


def outside_credentials(submission, *, session) -> list[dict]:
    """reviews' outside_credentials_asked: what the teacher brought as evidence, with Milepost's check."""
    from flask import url_for

    return [{"title": row.achievement or row.format or "Credential", "issuer": row.issuer_name or row.issuer_id,
             "status": row.status, "status_label": STATUS_LABELS.get(row.status, row.status),
             "checked_at": row.checked_at, "reasons": [c["detail"] for c in row.checks if not c["ok"]],
             "url": url_for("credentials.outside_detail", row_id=row.id)}
            for row in services.outside_for_submission(session, submission.id)]
