"""Evidence rules: starting a badge, answering its prompts, the one function that moves a submission
from state to state (transition), refusing illegal moves with a reason, and place_at_stage for the review
chain's moves between stages that are no change of state. Who may do what is in evidence.access."""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from milepost.badges import services as badges
from milepost.badges.models import Badge, BadgeStatus
from milepost.core import audit, signals
from milepost.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from milepost.core.inputs import split_url
from milepost.core.model import utcnow
from milepost.evidence import access
from milepost.evidence.access import is_reviewer  # noqa: F401 - evidence.services.is_reviewer stays importable
from milepost.evidence.models import (
    Attempt,
    AttemptOutcome,
    EvidenceItem,
    ItemKind,
    StoredFile,
    Submission,
    SubmissionEvent,
    SubmissionState,
)
from milepost.evidence.storage import StoredFile as Kept

MAX_TEXT = 20000  # characters in one written answer (about eight pages)
MAX_ITEMS_PER_PROMPT = 10
OPEN_STATES = (SubmissionState.DRAFT, SubmissionState.RETURNED)  # the teacher can change evidence only in these


@dataclass(frozen=True)
class Rule:
    sources: tuple[str, ...]
    target: str
    who: str  # "earner" or "reviewer"


RULES: dict[str, Rule] = {
    "submit": Rule((SubmissionState.DRAFT,), SubmissionState.SUBMITTED, "earner"),
    "resubmit": Rule((SubmissionState.RETURNED,), SubmissionState.SUBMITTED, "earner"),
    "withdraw": Rule((SubmissionState.DRAFT, SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW,
                      SubmissionState.RETURNED), SubmissionState.WITHDRAWN, "earner"),
    "reopen": Rule((SubmissionState.WITHDRAWN,), SubmissionState.DRAFT, "earner"),
    "begin_review": Rule((SubmissionState.SUBMITTED,), SubmissionState.IN_REVIEW, "reviewer"),
    "advance": Rule((SubmissionState.IN_REVIEW,), SubmissionState.IN_REVIEW, "reviewer"),
    "send_back": Rule((SubmissionState.IN_REVIEW,), SubmissionState.IN_REVIEW, "reviewer"),
    "return": Rule((SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW), SubmissionState.RETURNED, "reviewer"),
    "award": Rule((SubmissionState.IN_REVIEW,), SubmissionState.AWARDED, "reviewer"),
}
ACTION_WORDS = {
    "submit": "submit", "resubmit": "resubmit", "withdraw": "withdraw", "reopen": "reopen",
    "begin_review": "start reviewing", "advance": "pass on", "send_back": "pass back", "return": "return",
    "award": "award",
}


# --------------------------------------------------------------------------- starting


def unmet_prerequisites(session, user, badge: Badge) -> list[Badge]:
    """Published prerequisites not yet earned (a retired one can no longer be earned, so it does not lock)."""
    earned = badges.progress_for(session, user).earned
    return [p for p in badge.prerequisites if p.id not in earned and p.status == BadgeStatus.PUBLISHED]


def start_badge(session, user, badge: Badge) -> Submission:
    """The teacher's submission for this badge: the existing one, or a new draft."""
    existing = session.scalar(select(Submission).where(Submission.user_id == user.id,
                                                       Submission.badge_id == badge.id))
    if existing is not None:
        return existing
    if badge.status != BadgeStatus.PUBLISHED:
        raise InvalidTransition(f"{badge.title} is not open for new starts.")
    missing = unmet_prerequisites(session, user, badge)
    if missing:
        names = ", ".join(p.title for p in missing)
        which = "it is a prerequisite" if len(missing) == 1 else "they are prerequisites"
        raise InvalidTransition(f"Earn {names} first: {which} of {badge.title}.", problems=[p.title for p in missing])
    version = badges.current_version(session, badge)
    if version is None:
        raise InvalidTransition(f"{badge.title} has no published version yet.")
    submission = Submission(user_id=user.id, badge_id=badge.id, badge_version_id=version.id,
                            state=SubmissionState.DRAFT, attempt_number=1)
    submission.attempts.append(Attempt(number=1))
    try:
        with session.begin_nested():  # the unique key (person, badge): two starts at once make one submission
            session.add(submission)
            _log(submission, "start", None, SubmissionState.DRAFT, user)
    except IntegrityError:
        winner = session.scalar(select(Submission).where(Submission.user_id == user.id,
                                                         Submission.badge_id == badge.id))
        if winner is None:
            raise
        return winner
    return submission


# --------------------------------------------------------------------------- evidence


def _editable_attempt(submission: Submission, user) -> Attempt:
    if not access.is_earner(user, submission):
        raise NotAllowed("Only the teacher working on this badge can change its evidence.")
    if submission.state not in OPEN_STATES:
        raise InvalidTransition(f"This submission is {submission.state_label.lower()}; its evidence cannot "
                                "be changed now." + (" Withdraw it first if you need to."
                                                     if submission.state == SubmissionState.SUBMITTED else ""))
    return submission.current_attempt


def _prompt(submission: Submission, index: int) -> dict:
    prompts = submission.prompts
    if not isinstance(index, int) or not 0 <= index < len(prompts):
        raise ValidationFailed("That requirement is not part of this badge.")
    return prompts[index]


def save_text(session, submission: Submission, index: int, text: str, *, by) -> EvidenceItem | None:
    attempt = _editable_attempt(submission, by)
    prompt = _prompt(submission, index)
    if prompt["kind"] != ItemKind.TEXT:
        raise ValidationFailed(f"“{prompt['title']}” asks for a {prompt['kind']}, not a written answer.")
    text = (text or "").replace("\r\n", "\n")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"“{prompt['title']}” can be at most {MAX_TEXT:,} characters; it has {len(text):,}.")
    item = next((i for i in attempt.items if i.prompt_index == index and i.kind == ItemKind.TEXT), None)
    if item is None:
        if not text.strip():
            return None
        item = EvidenceItem(prompt_index=index, kind=ItemKind.TEXT)
        attempt.items.append(item)
    if item.text != text:
        item.text = text
    return item


def check_url(raw: str) -> str:
    url = (raw or "").strip()
    split_url(url, what="That link")  # the scheme, the host, the port and IPv6 brackets, with the reason
    return url


def save_link(session, submission: Submission, index: int, url: str, *, by) -> EvidenceItem | None:
    attempt = _editable_attempt(submission, by)
    prompt = _prompt(submission, index)
    if prompt["kind"] not in (ItemKind.LINK, ItemKind.FILE):
        raise ValidationFailed(f"“{prompt['title']}” asks for a written answer, not a link.")
    item = next((i for i in attempt.items if i.prompt_index == index and i.kind == ItemKind.LINK), None)
    if not (url or "").strip():
        if item is not None:
            attempt.items.remove(item)
        return None
    url = check_url(url)
    if item is None:
        item = EvidenceItem(prompt_index=index, kind=ItemKind.LINK)
        attempt.items.append(item)
    item.url = url
    return item


def add_file(session, submission: Submission, index: int, kept: Kept, filename: str, *, by,
             student_info: bool = False, max_submission_bytes: int) -> EvidenceItem:
    attempt = _editable_attempt(submission, by)
    prompt = _prompt(submission, index)
    if prompt["kind"] != ItemKind.FILE:
        raise ValidationFailed(f"“{prompt['title']}” does not take files.")
    if sum(1 for i in attempt.items if i.prompt_index == index and i.kind == ItemKind.FILE) >= MAX_ITEMS_PER_PROMPT:
        raise ValidationFailed(f"“{prompt['title']}” can have at most {MAX_ITEMS_PER_PROMPT} files.")
    total = attempt_bytes(session, attempt) + kept.size
    if total > max_submission_bytes:
        raise ValidationFailed(f"All the files of one submission can add up to "
                               f"{max_submission_bytes // (1024 * 1024)} MB; this one would take it over. "
                               "Remove a file or upload a shorter video.")
    if session.get(StoredFile, kept.sha256) is None:
        session.add(StoredFile(sha256=kept.sha256, size=kept.size, mime=kept.mime))
    item = EvidenceItem(prompt_index=index, kind=ItemKind.FILE, file_sha256=kept.sha256, filename=filename,
                        student_info=bool(student_info))
    attempt.items.append(item)
    session.flush()
    return item


def attempt_bytes(session, attempt: Attempt) -> int:
    return session.scalar(select(func.coalesce(func.sum(StoredFile.size), 0))
                          .join(EvidenceItem, EvidenceItem.file_sha256 == StoredFile.sha256)
                          .where(EvidenceItem.attempt_id == attempt.id)) or 0


def remove_item(session, item: EvidenceItem, *, by) -> None:
    attempt = _editable_attempt(item.attempt.submission, by)
    if item.attempt_id != attempt.id:
        raise InvalidTransition("Evidence from an earlier attempt stays as it was.")
    attempt.items.remove(item)


def mark_student_info(session, item: EvidenceItem, flag: bool, *, by) -> None:
    attempt = _editable_attempt(item.attempt.submission, by)
    if item.attempt_id != attempt.id:
        raise InvalidTransition("Evidence from an earlier attempt stays as it was.")
    item.student_info = bool(flag)


def missing_required(submission: Submission) -> list[str]:
    attempt = submission.current_attempt
    answered = {i.prompt_index for i in attempt.items
                if (i.kind == ItemKind.TEXT and i.text.strip()) or (i.kind == ItemKind.LINK and i.url) or i.file_sha256}
    return [p["title"] for index, p in enumerate(submission.prompts)
            if p.get("required", True) and index not in answered]


def confirm_privacy(session, submission: Submission, *, by) -> None:
    _editable_attempt(submission, by).privacy_confirmed_at = utcnow()


# --------------------------------------------------------------------------- the state machine


def transition(session, submission: Submission, action: str, *, by, note: str = "",
               stage: int | None = None) -> Submission:
    """The only way a submission changes state. Refuses, with the reason, anything not allowed.

    `stage` is the review stage advance and send_back move the submission to (a later or an earlier one);
    begin_review uses it only for a submission that has no stage yet."""
    rule = RULES.get(action)
    if rule is None:
        raise InvalidTransition(f"Unknown action {action!r}.")
    word = ACTION_WORDS[action]
    if submission.state not in rule.sources:
        raise InvalidTransition(f"A submission that is {submission.state_label.lower()} cannot be {_past(word)}.")
    if rule.who == "earner" and not access.is_earner(by, submission):
        raise NotAllowed(f"Only the teacher who owns this submission can {word} it.")
    if rule.who == "reviewer" and not access.is_reviewer(by, submission):
        raise NotAllowed(f"You cannot {word} this submission: you are not one of its reviewers.")

    now = utcnow()
    attempt = submission.current_attempt
    before = submission.state
    if action in ("submit", "resubmit"):
        missing = missing_required(submission)
        if missing:
            raise InvalidTransition("Some required parts are not answered yet: " + "; ".join(missing) + ".",
                                    problems=missing)
        if attempt.privacy_confirmed_at is None:
            raise InvalidTransition("Please confirm that student names and other identifying details are "
                                    "removed, or the items that show them are marked, before you submit.")
        attempt.submitted_at = submission.submitted_at = now
        # A first sending starts at the first stage; a resubmission keeps the stage that returned it (the
        # review chain may then place it elsewhere, see place_at_stage).
        if action == "submit" or submission.stage is None:
            submission.stage = 1
    elif action == "begin_review":
        # Review begins at the stage the submission waits at; `stage` only places one sent before stages were kept.
        submission.stage = submission.stage or stage or 1
    elif action == "advance":
        if stage is None or stage <= (submission.stage or 0):
            raise InvalidTransition("A submission can only move on to a later review stage.")
        submission.stage = stage
    elif action == "send_back":
        if stage is None or not 1 <= stage < (submission.stage or 0):
            raise InvalidTransition("A submission can only be passed back to an earlier review stage.")
        submission.stage = stage
    elif action == "return":
        if not (note or "").strip():
            raise ValidationFailed("Say what the teacher should work on: feedback is required for “not yet”.")
        attempt.outcome, attempt.feedback, attempt.decided_at, attempt.decided_by_id = (AttemptOutcome.RETURNED, note,
                                                                                        now, by.id)
        submission.decided_at = now
        _next_attempt(submission, attempt)
    elif action == "award":
        attempt.outcome, attempt.feedback, attempt.decided_at, attempt.decided_by_id = (AttemptOutcome.AWARDED, note,
                                                                                        now, by.id)
        submission.decided_at = now
    elif action == "withdraw":
        if attempt.outcome is None:
            attempt.outcome = AttemptOutcome.WITHDRAWN
    elif action == "reopen":
        _next_attempt(submission, attempt)

    submission.state = rule.target
    _log(submission, action, before, rule.target, by, note if rule.who == "earner" else "")
    if rule.who == "reviewer" and action != "begin_review":
        # A decision's entry names no stage: the review that decided records its own.
        audit.record(session, f"submission.{action}", actor=by, target=submission,
                     stage=submission.stage if action in ("advance", "send_back") else None)
    session.flush()
    signals.submission_changed.send(submission, session=session, action=action, by=by)
    return submission


def place_at_stage(session, submission: Submission, stage: int) -> None:
    """Put a sent submission at another stage of its review with no change of state: the review chain skips
    a stage nobody can take, sends a resubmission back to the stage that returned it, or keeps work inside
    a chain that was shortened. Reviewers' own moves are transitions (begin_review, advance, send_back)."""
    if submission.submitted_at is None:
        raise InvalidTransition("Only a submission that has been sent has a review stage.")
    if not isinstance(stage, int) or stage < 1:
        raise InvalidTransition("Review stages are counted from 1.")
    if submission.stage != stage:
        submission.stage = stage
        session.flush()


def _past(word: str) -> str:
    return {"submit": "submitted", "resubmit": "resubmitted", "withdraw": "withdrawn", "reopen": "reopened",
            "start reviewing": "taken into review", "pass on": "passed on", "pass back": "passed back",
            "return": "returned", "award": "awarded"}[word]


def _next_attempt(submission: Submission, previous: Attempt) -> Attempt:
    """A new attempt that starts from a copy of the previous evidence (the old one stays frozen)."""
    nxt = Attempt(number=previous.number + 1)
    for item in previous.items:
        nxt.items.append(EvidenceItem(prompt_index=item.prompt_index, kind=item.kind, text=item.text, url=item.url,
                                      file_sha256=item.file_sha256, filename=item.filename,
                                      student_info=item.student_info))
    submission.attempts.append(nxt)
    submission.attempt_number = nxt.number
    return nxt


def _log(submission, action, before, after, actor, note="") -> None:
    submission.events.append(SubmissionEvent(attempt_number=submission.attempt_number, action=action,
                                             from_state=before, to_state=after,
                                             actor_id=getattr(actor, "id", None), note=note or ""))


# --------------------------------------------------------------------------- reading


def load_submission(session, submission_id: int) -> Submission | None:
    """A submission with everything its pages show, in three queries whatever it holds: the submission
    with its badge, version, earner and attempts; the items with their files; the events with their
    actors (people's roles are not needed to show them)."""
    from milepost.accounts.models import User

    return session.scalars(
        select(Submission).where(Submission.id == submission_id)
        .options(joinedload(Submission.attempts).selectinload(Attempt.items).joinedload(EvidenceItem.file),
                 selectinload(Submission.events).joinedload(SubmissionEvent.actor).lazyload(User.role_rows),
                 joinedload(Submission.badge), joinedload(Submission.badge_version),
                 joinedload(Submission.user).lazyload(User.role_rows))).unique().first()


def my_submissions(session, user) -> dict[str, list[Submission]]:
    """The teacher's dashboard, grouped: returned first (feedback to read), then the rest. One query
    (badges and attempts joined), so the page costs the same whether a teacher has none or many."""
    rows = session.scalars(
        select(Submission).where(Submission.user_id == user.id)
        .options(joinedload(Submission.badge), joinedload(Submission.attempts))
        .order_by(Submission.updated_at.desc(), Submission.id)).unique().all()
    groups = {SubmissionState.RETURNED: [], SubmissionState.DRAFT: [], "waiting": [], SubmissionState.AWARDED: [],
              SubmissionState.WITHDRAWN: []}
    for s in rows:
        key = "waiting" if s.state in (SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW) else s.state
        groups[key].append(s)
    return groups


# --------------------------------------------------------------------------- links


VIDEO_HOSTS = {"youtube.com": "YouTube video", "youtu.be": "YouTube video", "vimeo.com": "Vimeo video",
               "drive.google.com": "Google Drive file", "docs.google.com": "Google document",
               "onedrive.live.com": "OneDrive file", "sharepoint.com": "SharePoint file",
               "loom.com": "Loom video", "flip.com": "Flip video"}


def link_label(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for known, label in VIDEO_HOSTS.items():
        if host == known or host.endswith("." + known):
            return label
    return host or url


def link_warning(url: str, *, mode: str = "public", timeout: float = 3.0) -> str | None:
    """A warning (never a block) when reviewers may not be able to open the link.

    mode "public" only contacts public addresses (no requests into the district's network),
    "any" contacts any address (tests), "off" never checks."""
    if mode == "off":
        return None
    import http.client

    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return "We could not find that website. Check the address."
    if mode == "public":
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                return "That link points inside a private network; reviewers may not be able to open it."
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    try:
        conn = cls(host, parts.port, timeout=timeout)
        conn.request("HEAD", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                     headers={"User-Agent": "Milepost link check"})
        status = conn.getresponse().status
        conn.close()
    except (OSError, http.client.HTTPException):
        return "We could not reach that link just now. Make sure it opens for people outside your account."
    if status in (401, 403):
        return "That link asks for a sign-in or permission. Share it so that reviewers in the district can open it."
    if status == 404:
        return "That link says the page is not found. Check the address."
    if status >= 500:
        return "That website answered with an error just now. Check that the link works."
    return None
