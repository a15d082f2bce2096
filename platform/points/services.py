"""Points rules. Every change is a ledger entry; the cached balance moves in the same
transaction; reaching a tier is recorded once; rewards never take points away. Also the
leaderboards (read from the totals in points.standings) and direct awards."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError

from milepost.awards.models import Award, AwardHow
from milepost.awards.services import active_filter
from milepost.badges.models import Badge, BadgeStatus, BadgeVersion
from milepost.core import audit, signals
from milepost.core.errors import InvalidTransition, ValidationFailed
from milepost.core.model import utcnow
from milepost.points import access, standings
from milepost.points.models import (
    ClaimStatus,
    DegreeTier,
    EntryKind,
    LedgerEntry,
    PLCTotals,
    PointsAccount,
    Reward,
    RewardClaim,
    SchoolTotals,
    TierReached,
)

MAX_ADJUSTMENT = 100000


# --------------------------------------------------------------------------- the ledger


def _account(session, user_id: int) -> PointsAccount:
    account = session.get(PointsAccount, user_id)
    if account is None:
        try:
            with session.begin_nested():
                account = PointsAccount(user_id=user_id, balance=0)
                session.add(account)
        except IntegrityError:
            account = session.get(PointsAccount, user_id)
    return account


def credit(session, *, user_id: int, kind: str, amount: int, source: str, by=None, reason: str = "",
           award_id: int | None = None) -> LedgerEntry | None:
    """Write one ledger entry for `source`, or nothing if that source was credited before."""
    _account(session, user_id)
    now = utcnow()
    entry = LedgerEntry(user_id=user_id, kind=kind, amount=int(amount), source=source, reason=reason or "",
                        award_id=award_id, created_by_id=getattr(by, "id", None), created_at=now)
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        return None  # already credited: the unique source key decided, not a check in Python
    # In SQL, not in Python, so two transactions crediting the same person both count; the balance,
    # the period totals and the person's school and PLC totals move with the entry.
    standings.add_credit(session, user_id, int(amount), kind, now)
    session.expire(session.get(PointsAccount, user_id))
    return entry


def balance(session, user_id: int) -> int:
    account = session.get(PointsAccount, user_id)
    return account.balance if account else 0


def credit_award(session, award: Award) -> None:
    """A new award's points, once (its source key is the award), then any tier it reaches."""
    points = int(award.badge_version.snapshot.get("points", 0) or 0)
    credit(session, user_id=award.user_id, kind=EntryKind.AWARD, amount=points, source=f"award:{award.id}",
           award_id=award.id, by=None, reason=award.badge_version.snapshot.get("title", ""))
    evaluate_tiers(session, award.user_id)


def reverse_award(session, award: Award) -> None:
    """A revoked award's points taken back by a reversing entry (the original entry stays)."""
    original = session.scalar(select(LedgerEntry).where(LedgerEntry.source == f"award:{award.id}"))
    if original is not None and original.amount:
        credit(session, user_id=award.user_id, kind=EntryKind.REVERSAL, amount=-original.amount,
               source=f"reversal:award:{award.id}", award_id=award.id,
               by=None, reason=f"Award revoked: {award.revoked_reason}")


def adjust(session, *, user, amount: int, reason: str, by) -> LedgerEntry:
    if not (reason or "").strip():
        raise ValidationFailed("Give a reason for the adjustment: the teacher sees it in their history.")
    if not isinstance(amount, int) or amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise ValidationFailed("The adjustment must be a whole number of points, not zero, "
                               f"at most {MAX_ADJUSTMENT:,}.")
    import secrets

    entry = credit(session, user_id=user.id, kind=EntryKind.ADJUSTMENT, amount=amount, by=by, reason=reason.strip(),
                   source=f"adjustment:{secrets.token_hex(8)}")
    audit.record(session, "points.adjusted", actor=by, target=user, amount=amount, reason=reason.strip())
    evaluate_tiers(session, user.id)
    return entry


def history(session, user_id: int, limit: int = 200) -> list[LedgerEntry]:
    return session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user_id)
                           .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()).limit(limit)).all()


@dataclass
class Difference:
    user_id: int
    cached: int
    ledger: int


def verify(session) -> list[Difference]:
    """Every cached balance recomputed from the ledger; the ones that differ (standings.rebuild repairs them)."""
    sums = dict(session.execute(select(LedgerEntry.user_id, func.sum(LedgerEntry.amount))
                                .group_by(LedgerEntry.user_id)).all())
    cached = dict(session.execute(select(PointsAccount.user_id, PointsAccount.balance)).all())
    differences = [Difference(uid, cached.get(uid, 0), int(sums.get(uid, 0) or 0))
                   for uid in sorted(set(sums) | set(cached)) if cached.get(uid, 0) != int(sums.get(uid, 0) or 0)]
    return differences


# --------------------------------------------------------------------------- the degree


@dataclass
class Standing:
    """Where a person stands: the numbers every tier rule is checked against."""

    points: int = 0
    credit_hours: float = 0.0
    badge_ids: set[int] = field(default_factory=set)
    per_strand: dict[int, int] = field(default_factory=dict)  # strand id -> badges held

    def strands_with(self, n: int) -> int:
        return sum(1 for count in self.per_strand.values() if count >= n)


def standing(session, user_id: int) -> Standing:
    rows = session.execute(select(Award.badge_id, Badge.strand_id, BadgeVersion.snapshot)
                           .join(Badge, Badge.id == Award.badge_id)
                           .join(BadgeVersion, BadgeVersion.id == Award.badge_version_id)
                           .where(Award.user_id == user_id, active_filter())).all()
    result = Standing(points=balance(session, user_id))
    for badge_id, strand_id, snapshot in rows:
        if badge_id in result.badge_ids:
            continue
        result.badge_ids.add(badge_id)
        result.credit_hours += float(snapshot.get("credit_hours", 0) or 0)
        if strand_id is not None:
            result.per_strand[strand_id] = result.per_strand.get(strand_id, 0) + 1
    return result


@dataclass
class TierCheck:
    tier: DegreeTier
    met: bool
    points_missing: int
    hours_missing: float
    strands_missing: int
    badges_missing: list


def check_tier(tier: DegreeTier, s: Standing) -> TierCheck:
    points_missing = max(0, tier.threshold - s.points)
    hours_missing = max(0.0, float(tier.min_credit_hours or 0) - s.credit_hours)
    strands_missing = max(0, (tier.min_strands or 0) - s.strands_with(tier.badges_per_strand or 1))
    badges_missing = [b for b in tier.required_badges if b.id not in s.badge_ids]
    met = not (points_missing or hours_missing > 0 or strands_missing or badges_missing)
    return TierCheck(tier, met, points_missing, round(hours_missing, 2), strands_missing, badges_missing)


def tiers(session) -> list[DegreeTier]:
    from sqlalchemy.orm import selectinload

    return session.scalars(select(DegreeTier).options(selectinload(DegreeTier.required_badges))
                           .order_by(DegreeTier.threshold, DegreeTier.id)).all()


def evaluate_tiers(session, user_id: int) -> list[TierReached]:
    """Record every tier the person now meets and has not reached before (once, by a unique key)."""
    s = standing(session, user_id)
    reached = set(session.scalars(select(TierReached.tier_id).where(TierReached.user_id == user_id)))
    new = []
    for tier in tiers(session):
        if tier.id in reached or not check_tier(tier, s).met:
            continue
        row = TierReached(user_id=user_id, tier_id=tier.id)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue
        audit.record(session, "degree.tier_reached", target=row, tier=tier.name, user_id=user_id)
        new.append(row)
    for row in new:
        signals.tier_reached.send(row, session=session)
    return new


@dataclass
class Progress:
    standing: Standing
    checks: list[TierCheck]
    current: DegreeTier | None
    next: TierCheck | None
    reached: list[TierReached]


def degree_progress(session, user_id: int) -> Progress:
    s = standing(session, user_id)
    checks = [check_tier(t, s) for t in tiers(session)]
    reached = session.scalars(select(TierReached).where(TierReached.user_id == user_id)
                              .order_by(TierReached.reached_at)).all()
    reached_ids = {r.tier_id for r in reached}
    current = None
    for check in checks:
        if check.tier.id in reached_ids or check.met:
            current = check.tier
    nxt = next((c for c in checks if c.tier.id not in reached_ids and not c.met), None)
    return Progress(s, checks, current, nxt, reached)


def uncelebrated(session, user_id: int) -> list[TierReached]:
    return session.scalars(select(TierReached).where(TierReached.user_id == user_id,
                                                     TierReached.celebrated_at.is_(None))).all()


def save_tier(session, tier: DegreeTier | None, *, name: str, description: str, threshold: int,
              min_credit_hours: float, min_strands: int, badges_per_strand: int, required_badges, actor) -> DegreeTier:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the tier a name, such as “Bachelor of Practice”.")
    for label, value in (("points", threshold), ("credit hours", min_credit_hours), ("strands", min_strands),
                         ("badges per strand", badges_per_strand)):
        if value is None or value < 0:
            raise ValidationFailed(f"The {label} cannot be negative.")
    clash = session.scalar(select(DegreeTier).where(func.lower(DegreeTier.name) == name.lower()))
    if clash is not None and clash is not tier:
        raise ValidationFailed(f"There is already a tier called {clash.name}.")
    if tier is None:
        tier = DegreeTier(name=name)
        session.add(tier)
    tier.name, tier.description, tier.threshold = name, description or "", int(threshold)
    tier.min_credit_hours, tier.min_strands = float(min_credit_hours), int(min_strands)
    tier.badges_per_strand = max(1, int(badges_per_strand or 1))
    tier.required_badges = list(required_badges)
    session.flush()
    audit.record(session, "degree.tier_saved", actor=actor, target=tier, name=name, threshold=threshold)
    return tier


# --------------------------------------------------------------------------- rewards


def unlocked(reward: Reward, points: int, reached_tier_ids: set[int]) -> bool:
    if not reward.active:
        return False
    if reward.tier_id is not None and reward.tier_id not in reached_tier_ids:
        return False
    return reward.points_needed is None or points >= reward.points_needed


def rewards_for(session, user_id: int, *, points: int | None = None,
                reached: set[int] | None = None) -> list[tuple[Reward, bool, RewardClaim | None]]:
    """Active rewards with whether each is unlocked; a page that already read the balance and the
    tiers reached (the points page) passes them in instead of reading them again."""
    points = balance(session, user_id) if points is None else points
    if reached is None:
        reached = set(session.scalars(select(TierReached.tier_id).where(TierReached.user_id == user_id)))
    claims = {c.reward_id: c for c in session.scalars(select(RewardClaim).where(RewardClaim.user_id == user_id))}
    rewards = session.scalars(select(Reward).where(Reward.active.is_(True))
                              .order_by(Reward.points_needed.is_(None), Reward.points_needed, Reward.id)).all()
    return [(r, unlocked(r, points, reached), claims.get(r.id)) for r in rewards]


def claim_reward(session, reward: Reward, *, user) -> RewardClaim:
    reached = set(session.scalars(select(TierReached.tier_id).where(TierReached.user_id == user.id)))
    if not unlocked(reward, balance(session, user.id), reached):
        raise InvalidTransition(f"“{reward.name}” is not unlocked for you yet.")
    existing = session.scalar(select(RewardClaim).where(RewardClaim.reward_id == reward.id,
                                                        RewardClaim.user_id == user.id))
    if existing is not None:
        raise InvalidTransition(f"You have already claimed “{reward.name}”.")
    claim = RewardClaim(reward_id=reward.id, user_id=user.id)
    try:
        with session.begin_nested():  # the unique key (reward, person) decides a race between two clicks
            session.add(claim)
    except IntegrityError:
        raise InvalidTransition(f"You have already claimed “{reward.name}”.") from None
    audit.record(session, "reward.claimed", actor=user, target=claim, reward=reward.name)
    return claim


def fulfil_claim(session, claim: RewardClaim, *, by, note: str = "") -> RewardClaim:
    if claim.status != ClaimStatus.CLAIMED:
        raise InvalidTransition(f"This claim is already {claim.status}.")
    claim.status, claim.fulfilled_at = ClaimStatus.FULFILLED, utcnow()
    claim.fulfilled_by_id, claim.note = by.id, note or ""
    audit.record(session, "reward.fulfilled", actor=by, target=claim, note=note or "")
    signals.reward_fulfilled.send(claim, session=session)
    return claim


def save_reward(session, reward: Reward | None, *, name: str, description: str, points_needed: int | None,
                tier: DegreeTier | None, active: bool, actor) -> Reward:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the reward a name.")
    if points_needed is None and tier is None:
        raise ValidationFailed("Say what unlocks the reward: a number of points, a degree tier, or both.")
    if points_needed is not None and points_needed < 0:
        raise ValidationFailed("The points needed cannot be negative.")
    if reward is None:
        reward = Reward(name=name)
        session.add(reward)
    reward.name, reward.description, reward.points_needed = name, description or "", points_needed
    reward.tier, reward.active = tier, bool(active)
    session.flush()
    audit.record(session, "reward.saved", actor=actor, target=reward, name=name)
    return reward


# --------------------------------------------------------------------------- leaderboards

PERIODS = {"month": "This month", "year": "This school year", "all": "All time"}


@dataclass
class Board:
    rows: list
    hidden: int  # people with points who did not opt in: counted, never named


def _period_columns(model, period: str, all_points):
    """(points, badges, condition) of `model`'s totals for the period: a stale period counts as nothing."""
    if period == "all":
        return all_points, model.badges, None
    start = standings.starts()[period]
    return (getattr(model, f"{period}_points"), getattr(model, f"{period}_badges"),
            getattr(model, f"{period}_start") == start)


def people_board(session, period: str, limit: int = 20) -> Board:
    """The top of the people who chose to be shown, and how many others earned points in the period.
    Reads the pre-aggregated totals on the points accounts through their board indexes."""
    from milepost.accounts.models import User

    A = PointsAccount
    points, badges, current = _period_columns(A, period, A.balance)
    shown = select(User.display_name, User.id, points, badges).join(User, User.id == A.user_id).where(
        *access.named_on_leaderboard(), points > 0)
    hidden = select(func.count()).select_from(A).where(A.leaderboard_opt_in.is_(False), points > 0)
    if current is not None:
        shown, hidden = shown.where(current), hidden.where(current)
    rows = session.execute(shown.order_by(points.desc(), User.display_name).limit(limit)).all()
    return Board(rows, session.scalar(hidden) or 0)


@dataclass
class GroupBoard:
    rows: list      # the groups with the most points per member
    yours: list     # the viewer's own groups that are not among them
    more: bool      # there are groups with members beyond the rows shown


def group_board(session, period: str, by: str, *, limit: int = 20, viewer=None) -> GroupBoard:
    """Schools or PLCs: collective points and badges, and per member, so small and large groups compare.
    Reads the pre-aggregated group totals: the top `limit` by points per member (then name), and the
    viewer's own groups. The top is read along the stored points-per-member index while at least `limit`
    groups have points in the period; only before that (the first days of a period) are all groups sorted."""
    from milepost.accounts.models import PLC, PLCMembership, School

    if by == "school":
        group, model, key = School, SchoolTotals, SchoolTotals.school_id
    else:
        group, model, key = PLC, PLCTotals, PLCTotals.plc_id
    points, badges, current = _period_columns(model, period, model.points)
    stored = getattr(model, "per_member" if period == "all" else f"{period}_per_member")
    if current is not None:
        points, badges = case((current, points), else_=0), case((current, badges), else_=0)
    query = select(group.id, group.name, model.members, points, badges).join(model, key == group.id).where(
        model.members > 0)
    if current is None:
        ahead, behind, per = stored > 0, stored <= 0, stored
    else:
        stamp = getattr(model, f"{period}_start")
        ahead = and_(current, stored > 0)
        behind = or_(stamp.is_(None), ~current, stored <= 0)
        per = case((current, stored), else_=0.0)
    top = session.execute(query.where(ahead).order_by(stored.desc(), group.name, group.id).limit(limit + 1)).all()
    # The groups without points in the period follow (zero, then below zero). Early in a period this sorts
    # them all; once enough groups have points it asks for none (LIMIT 0), so the page's queries stay the same.
    top += session.execute(query.where(behind).order_by(per.desc(), group.name, group.id)
                           .limit(max(0, limit + 1 - len(top)))).all()
    more, top = len(top) > limit, top[:limit]
    yours = []
    if viewer is not None:
        if by == "school":
            mine = [viewer.school_id] if viewer.school_id is not None and viewer.active else []
            mine_clause = group.id.in_(mine)
        else:
            mine_clause = group.id.in_(select(PLCMembership.plc_id).where(PLCMembership.user_id == viewer.id))
        shown = {r[0] for r in top}
        yours = [r for r in session.execute(query.where(mine_clause).order_by(group.name)) if r[0] not in shown]

    def row(r):
        _gid, name, n, p, b = r
        return {"name": name, "members": n, "points": int(p or 0), "badges": int(b or 0),
                "per_member": round(int(p or 0) / n, 1) if n else 0.0}

    return GroupBoard([row(r) for r in top], [row(r) for r in yours], more)


# --------------------------------------------------------------------------- direct awards


def direct_award(session, *, badge: Badge, people, reason: str, by) -> tuple[list, list]:
    """Award a badge to many people at once (e.g. everyone at a PD day). Returns (awarded, already held)."""
    from milepost.awards.services import issue_award
    from milepost.badges.services import current_version

    if not (reason or "").strip():
        raise ValidationFailed("Give the reason for the award, such as the event people attended.")
    if badge.status != BadgeStatus.PUBLISHED:
        raise InvalidTransition(f"{badge.title} is not published, so it cannot be awarded.")
    version = current_version(session, badge)
    made, held = [], []
    for person in people:
        award, new = issue_award(session, user_id=person.id, badge=badge, version=version, by=by,
                                 how=AwardHow.DIRECT, note=reason.strip())
        (made if new else held).append(person)
    audit.record(session, "award.direct", actor=by, target=badge, people=len(made), reason=reason.strip())
    return made, held
