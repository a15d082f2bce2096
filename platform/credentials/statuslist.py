"""W3C Bitstring Status List v1.0: one revocation list whose bits follow the awards' revoked_at, so
nothing extra has to be kept in step when the PD office revokes."""
from __future__ import annotations

import base64
import gzip

from milepost.credentials import services
from milepost.credentials.models import STATUS_LIST_SIZE
from milepost.credentials.services import absolute

PURPOSE = "revocation"


def list_url(number: int = 1) -> str:
    return absolute("credentials.status_list", number=number)


def encode(indexes, size: int = STATUS_LIST_SIZE) -> str:
    """Multibase base64url (no padding) of the GZIP-compressed bitstring; index 0 is the left-most bit."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (starting with 'u')")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit(bitstring: bytes, index: int) -> int:
    return (bitstring[index // 8] >> (7 - index % 8)) & 1


def entry(state) -> dict:
    url = list_url(state.status_list)
    return {"id": f"{url}#{state.status_index}", "type": "BitstringStatusListEntry", "statusPurpose": PURPOSE,
            "statusListIndex": str(state.status_index), "statusListCredential": url}


def status_list_credential(session, number: int = 1) -> dict:
    from milepost.core.model import utcnow
    from milepost.credentials import keys
    from milepost.credentials.ob2 import when

    url = list_url(number)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": keys.did_web(),
        "validFrom": when(utcnow()),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": PURPOSE,
                              "encodedList": encode(services.revoked_indexes(session, number))},
    }
