"""Open Badges 2.0 hosted verification: Issuer, BadgeClass (one per badge version), Assertion (one per
award) and the RevocationList, as JSON-LD in the 2.0 context at stable public URLs.

Evidence is not linked: a hosted assertion is public, and evidence may hold colleagues' or students'
work, so the assertion says what was earned, never what was submitted."""
from __future__ import annotations

from datetime import UTC, datetime

from milepost.awards.models import Award
from milepost.badges.models import BadgeVersion, Strand
from milepost.credentials import services
from milepost.credentials.services import absolute

CONTEXT = "https://w3id.org/openbadges/v2"


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_id() -> str:
    return absolute("credentials.ob2_issuer")


def badgeclass_id(version: BadgeVersion) -> str:
    return absolute("credentials.ob2_badgeclass", version_id=version.id)


def assertion_id(award: Award) -> str:
    return absolute("credentials.ob2_assertion", public_id=award.public_id)


def issuer_document(session) -> dict:
    who = services.issuer(session)
    doc = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_id(),
        "name": who.name,
        "url": who.url,
        "email": who.email,
        "revocationList": absolute("credentials.ob2_revocations"),
    }
    if who.description:
        doc["description"] = who.description
    if who.image:
        doc["image"] = who.image
    return doc


def criteria_narrative(snapshot: dict, judgement: str | None = None) -> str:
    """The badge's criteria in Markdown: the competency, what must be submitted, what "meets" means, and
    (for one award, given its judgement) how that award was judged."""
    parts = []
    if snapshot.get("competency"):
        parts.append(snapshot["competency"].strip())
    prompts = snapshot.get("prompts") or []
    if prompts:
        parts.append("Evidence submitted:\n\n" + "\n".join(
            f"- {p['title']}" + ("" if p.get("required", True) else " (optional)") for p in prompts))
    rubric = snapshot.get("rubric") or {}
    levels, meets = rubric.get("levels") or [], rubric.get("meets_level")
    if meets in levels and rubric.get("criteria"):
        index = levels.index(meets)
        rows = [f"- **{c['name']}**: {c['descriptions'][index]}" for c in rubric["criteria"]
                if index < len(c.get("descriptions") or [])]
        parts.append(f"Reviewed against a rubric; each criterion at “{meets}” or above:\n\n" + "\n".join(rows))
        if rubric.get("allow_holistic"):
            parts.append(f"A reviewer may instead judge the evidence as a whole to meet the standard with a "
                         f"criterion below “{meets}”, giving a written reason; each award says how it was judged.")
    if judgement:
        parts.append(f"How this award was judged: {judgement}")
    return "\n\n".join(parts) or snapshot.get("summary") or snapshot.get("title", "")


def strand_for(session, snapshot: dict) -> Strand | None:
    from sqlalchemy import select

    slug = snapshot.get("strand")
    return session.scalar(select(Strand).where(Strand.slug == slug)) if slug else None


def alignment(session, snapshot: dict) -> list[dict]:
    strand = strand_for(session, snapshot)
    if strand is None:
        return []
    item = {"targetName": strand.name, "targetUrl": absolute("credentials.strands") + f"#strand-{strand.slug}",
            "targetFramework": f"{services.issuer(session).name} professional learning strands"}
    if strand.description:
        item["targetDescription"] = strand.description
    return [item]


def badgeclass_document(session, version: BadgeVersion) -> dict:
    snap = version.snapshot or {}
    doc = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badgeclass_id(version),
        "name": snap.get("title") or version.badge.title,
        "description": (snap.get("summary") or snap.get("competency") or snap.get("title") or "").strip(),
        "image": absolute("credentials.badge_image", version_id=version.id, fmt="png"),
        "criteria": {"id": absolute("credentials.criteria_page", version_id=version.id),
                     "narrative": criteria_narrative(snap)},
        "issuer": issuer_id(),
    }
    if snap.get("tags"):
        doc["tags"] = list(snap["tags"])
    aligned = alignment(session, snap)
    if aligned:
        doc["alignment"] = aligned
    return doc


def assertion_document(session, award: Award) -> dict:
    """The hosted assertion. A revoked one is only its id and the fact (served with 410 Gone)."""
    if award.revoked_at is not None:
        return revoked_stub(award)
    state = services.credential_state(session, award)
    doc = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_id(award),
        "recipient": {"type": "email", "hashed": True, "salt": state.salt,
                      "identity": services.hashed_email(award.user.email, state.salt)},
        "badge": badgeclass_id(award.badge_version),
        "issuedOn": when(award.issued_at),
        "verification": {"type": "hosted"},
        "image": absolute("credentials.baked", public_id=award.public_id, fmt="png"),
    }
    judgement = services.judgement(session, award)
    if judgement:
        doc["narrative"] = f"How this award was judged: {judgement}"
    if award.expires_at is not None:
        doc["expires"] = when(award.expires_at)
    return doc


def revoked_stub(award: Award) -> dict:
    # The reason stays with the earner and the PD office: it may say more about a person than a verifier needs.
    return {"@context": CONTEXT, "type": "Assertion", "id": assertion_id(award), "revoked": True}


def revocation_list_document(session) -> dict:
    return {
        "@context": CONTEXT,
        "type": "RevocationList",
        "id": absolute("credentials.ob2_revocations"),
        "issuer": issuer_id(),
        "revokedAssertions": [{"id": assertion_id(a), "revoked": True} for a in services.revoked_awards(session)],
    }
