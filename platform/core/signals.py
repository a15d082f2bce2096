"""Every signal one feature sends and others receive, in one place.

A feature lower in the stack (evidence, awards, points, badges, accounts) never imports the features
above it; it sends a signal here, and each feature above connects its receivers in its own `init_app`.
The table of who sends what and who listens is in docs/contributors.md (a test keeps the two in step).

Two kinds:
- events ("this happened"): receivers do their part of the same unit of work, inside the sender's
  transaction; a receiver that raises rolls the whole change back.
- questions ("who ...?"): the sender collects the receivers' answers; receivers only read.

Receivers are called in the order they were connected, which is the order of `milepost.app.FEATURES`.
Every receiver takes the sender as its one positional argument and the rest as keywords.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSet

import blinker


class _OrderedSet(MutableSet):
    """A set that iterates in insertion order, so receivers run in the order they were connected."""

    def __init__(self, items: Iterable = ()) -> None:
        self._items = dict.fromkeys(items)

    def __contains__(self, item) -> bool:
        return item in self._items

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item) -> None:
        self._items[item] = None

    def discard(self, item) -> None:
        self._items.pop(item, None)

    def copy(self) -> _OrderedSet:
        return _OrderedSet(self._items)


class Signal(blinker.Signal):
    set_class = _OrderedSet


ALL: dict[str, Signal] = {}


def _signal(name: str, doc: str) -> Signal:
    ALL[name] = Signal(doc)
    return ALL[name]


def answers(signal: Signal, sender, **kwargs) -> list:
    """The receivers' answers to a question signal, in connection order."""
    return [value for _receiver, value in signal.send(sender, **kwargs)]


# --------------------------------------------------------------------------- events

submission_changed = _signal("submission_changed", """A submission moved from one state to another.

Sent by evidence.services.transition after every legal move (submit, resubmit, withdraw, reopen,
begin_review, advance, send_back, return, award), once the new state is flushed, inside the caller's
transaction. Sender: the Submission. Keywords: session, action (the rule's name), by (who moved it).""")

award_issued = _signal("award_issued", """A new award exists.

Sent by awards.services.issue_award when it adds an award row (never for the loser of a race that finds
the winner's row), inside the caller's transaction, after the audit entry. Sender: the Award.
Keywords: session.""")

award_revoked = _signal("award_revoked", """An award was revoked.

Sent by awards.services.revoke_award after revoked_at is set and flushed, inside the caller's transaction.
Sender: the Award. Keywords: session.""")

tier_reached = _signal("tier_reached", """A person reached a degree tier for the first time.

Sent by points.services.evaluate_tiers for each TierReached row it records (after all of them are
recorded), inside the caller's transaction. Sender: the TierReached row. Keywords: session.""")

reward_fulfilled = _signal("reward_fulfilled", """The PD office fulfilled a reward claim.

Sent by points.services.fulfil_claim after the claim is marked fulfilled and audited, inside the caller's
transaction. Sender: the RewardClaim. Keywords: session.""")

account_link_issued = _signal("account_link_issued", """A one-time link to choose a password was made.

Sent by accounts.services.issue_reset_token, inside the caller's transaction, for a forgotten password
(welcome=False) or a new account's invitation (welcome=True). Sender: the User. Keywords: session,
token (the secret for the link; only its hash is stored), hours (how long the link lasts), welcome.""")

# --------------------------------------------------------------------------- questions

reviewer_asked = _signal("reviewer_asked", """Question: is this person a reviewer of this submission?

Asked by evidence.access.is_reviewer (who may read evidence they did not write) after its own checks
(signed in, not the earner, submitted at least once). Sender: the Submission. Keywords: user.
Answer: True or False; any True makes the person a reviewer. With no receiver, coaches and the PD office
review everything.""")

progress_asked = _signal("progress_asked", """Question: which badges has this person under way or earned?

Asked by badges.services.progress_for for the catalogue and the prerequisites. Sender: the User.
Keywords: session. Answer: (ids of badges in progress, ids of badges earned); a fixed number of queries.""")

earner_counts_asked = _signal("earner_counts_asked", """Question: how many people hold each of these badges?

Asked by badges.services.earner_counts for the catalogue and badge pages. Sender: None. Keywords: session,
badge_ids. Answer: {badge id: number of holders}; one query whatever the number of awards.""")

go_to_people_asked = _signal("go_to_people_asked", """Question: who holds this badge and agreed to be asked about it?

Asked by badges.services.go_to_people for the badge page. Sender: None. Keywords: session, badge_id,
limit. Answer: a list of users, each with .school loaded.""")

outside_credentials_asked = _signal("outside_credentials_asked", """Question: which outside credentials did the
teacher bring as evidence for this submission?

Asked by reviews.views.review for the review page. Sender: the Submission. Keywords: session. Answer: a
list of dicts (title, issuer, status, status_label, checked_at, reasons, url), oldest first.""")
