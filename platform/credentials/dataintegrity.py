"""Embedded Data Integrity proofs (W3C VC Data Integrity EdDSA, cryptosuite eddsa-rdfc-2022): the
credential and the proof options are each canonicalised with RDFC-1.0 (jsonld.canonical), hashed with
SHA-256, and the two hashes signed with the district's Ed25519 key; proofValue is multibase base58btc.
The verification method is the key's DID URL, published in did.json as a Multikey."""
from __future__ import annotations

import copy
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from milepost.core.model import utcnow
from milepost.credentials import jsonld, keys

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofInvalid(ValueError):
    """The proof is missing, malformed, names an unknown key, or does not match the document."""


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def the_proof(document: dict) -> dict | None:
    """The document's eddsa-rdfc-2022 proof, whether proof is one object or a list of them."""
    proof = document.get("proof")
    if isinstance(proof, list):
        proof = next((p for p in proof if isinstance(p, dict) and p.get("cryptosuite") == CRYPTOSUITE), None)
    return proof if isinstance(proof, dict) else None


def _hash_data(document: dict, proof_options: dict) -> bytes:
    # A proof set: each proof signs the document without any proof (VC Data Integrity, section 4.2).
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {**proof_options, "@context": document["@context"]}
    config.pop("proofValue", None)
    return (hashlib.sha256(jsonld.canonical(config).encode("utf-8")).digest()
            + hashlib.sha256(jsonld.canonical(unsecured).encode("utf-8")).digest())


def add_proof(session, document: dict, *, purpose: str = "assertionMethod") -> dict:
    """The document with an embedded proof by the current Ed25519 key (replacing any earlier one). It is
    checked first: an unknown context or undefined term is refused (jsonld.JsonLdProblem), never signed."""
    document = {k: v for k, v in document.items() if k != "proof"}
    jsonld.check(document)
    key = keys.current_key(session, keys.PROOF_ALGORITHM)
    options = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "created": _when(utcnow()),
               "verificationMethod": keys.verification_method(key.kid), "proofPurpose": purpose}
    signature = keys.private_key(key.kid).sign(_hash_data(document, options))
    secured = copy.deepcopy(document)
    # A list of one: the OB 3.0 schema wants proof as an array (a VC Data Integrity proof set).
    secured["proof"] = [{**options, "proofValue": "z" + keys.base58btc(signature)}]
    return secured


def _unbase58(text: str) -> bytes:
    number = 0
    for char in text:
        index = keys.BASE58.find(char)
        if index < 0:
            raise ProofInvalid("proofValue is not base58btc")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ProofInvalid("publicKeyMultibase is not base58btc")
    raw = _unbase58(value[1:])
    if not raw.startswith(keys.ED25519_MULTICODEC) or len(raw) != 34:
        raise ProofInvalid("the verification method is not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def verify_proof(document: dict, did_document: dict) -> dict:
    """The proof of a document whose eddsa-rdfc-2022 proof checks out against a Multikey of the
    controller's DID document (listed under assertionMethod); ProofInvalid with the reason if not."""
    proof = the_proof(document)
    if proof is None:
        raise ProofInvalid("the credential has no embedded proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofInvalid(f"the proof is {proof.get('type')}/{proof.get('cryptosuite')}, not {CRYPTOSUITE}")
    method_id = proof.get("verificationMethod")
    method = next((m for m in did_document.get("verificationMethod", []) if m.get("id") == method_id), None)
    if method is None or method_id not in did_document.get("assertionMethod", []):
        raise ProofInvalid("the proof's key is not one the issuer publishes for signing credentials")
    if method.get("type") != "Multikey":
        raise ProofInvalid("the proof's key is not a Multikey")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofInvalid("the proof has no base58btc proofValue")
    try:
        public_key_from_multibase(method["publicKeyMultibase"]).verify(_unbase58(value[1:]),
                                                                       _hash_data(document, proof))
    except InvalidSignature as exc:
        raise ProofInvalid("the proof does not match the credential: it was changed after signing") from exc
    except jsonld.JsonLdProblem as exc:
        raise ProofInvalid(str(exc)) from exc
    return proof
