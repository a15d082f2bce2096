"""The StrEnums of stored values keep the strings already in the database (no data migration), and the
tuples and label maps other code imports stay what they were."""
from milepost.awards.models import HOWS, AwardHow, AwardStatus
from milepost.core.access import ROLE_LABELS, ROLES, STAFF_ROLES, Role
from milepost.notifications.models import CHANNELS, DIGEST_STATES, MAIL_STATUSES, Channel
from milepost.points.models import CLAIM_STATUSES, KIND_LABELS, KINDS, ClaimStatus, EntryKind
from milepost.signin.models import PROVIDER_KINDS, ProviderKind


def test_stored_values_are_the_strings_the_database_already_holds():
    assert ROLES == ("teacher", "coach", "pd_admin", "leader", "site_admin")
    assert STAFF_ROLES == ("pd_admin", "site_admin")
    assert KINDS == ("award", "review", "plc_bonus", "reward_bonus", "adjustment", "reversal")
    assert CLAIM_STATUSES == ("claimed", "fulfilled", "cancelled")
    assert HOWS == ("earned", "direct")
    assert CHANNELS == ("immediate", "digest", "off")
    assert MAIL_STATUSES == ("pending", "sent", "failed")
    assert DIGEST_STATES == ("pending", "sent", "dropped")
    assert PROVIDER_KINDS == ("google", "microsoft", "oidc")
    assert tuple(AwardStatus) == ("valid", "revoked", "expired")


def test_a_member_is_its_string_in_comparisons_lookups_and_text():
    assert Role.PD_ADMIN == "pd_admin" and f"{Role.PD_ADMIN}" == "pd_admin" and str(EntryKind.AWARD) == "award"
    assert ROLE_LABELS["coach"] == "Instructional coach" and KIND_LABELS["reversal"] == "Reversal"
    assert {"digest": 1}[Channel.DIGEST] == 1
    assert ",".join(STAFF_ROLES) == "pd_admin,site_admin"  # the access marker of roles(*STAFF_ROLES)
    assert ClaimStatus("claimed") is ClaimStatus.CLAIMED and ProviderKind("oidc") is ProviderKind.OIDC
    assert AwardHow.DIRECT in ("earned", "direct")
