"""Embedded eddsa-rdfc-2022 proofs: verified by @digitalbazaar/vc in node (the verifier wallets use)
and by our own check, and refused by both when one byte of the credential changes."""
from __future__ import annotations

import copy

import pytest

from milepost.credentials import dataintegrity
from tests.helpers.node_verifier import node_verify


def flip_one_byte(text: str) -> str:
    return text[:-1] + ("a" if text[-1] != "a" else "b")


def test_the_served_credential_carries_a_proof_that_a_wallet_verifies(app, client, make_award):
    award = make_award()
    doc = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    did = client.get("/.well-known/did.json").get_json()
    proof = doc["proof"][0]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod" and proof["proofValue"].startswith("z")
    method = next(m for m in did["verificationMethod"] if m["id"] == proof["verificationMethod"])
    assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")

    assert node_verify(doc, did) == {"verified": True, "errors": []}
    assert dataintegrity.verify_proof(doc, did)["proofValue"] == proof["proofValue"]


def test_one_changed_byte_fails_in_node_and_here(app, client, make_award):
    award = make_award()
    doc = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    did = client.get("/.well-known/did.json").get_json()
    changed = copy.deepcopy(doc)
    achievement = changed["credentialSubject"]["achievement"]
    achievement["name"] = flip_one_byte(achievement["name"])
    forged_signature = copy.deepcopy(doc)
    forged_signature["proof"][0]["proofValue"] = flip_one_byte(doc["proof"][0]["proofValue"])
    for forged in (changed, forged_signature):
        assert node_verify(forged, did)["verified"] is False
        with pytest.raises(dataintegrity.ProofInvalid):
            dataintegrity.verify_proof(forged, did)


def test_the_status_list_has_a_json_ld_form_with_a_proof(app, client, make_award):
    make_award()
    did = client.get("/.well-known/did.json").get_json()
    by_url = client.get("/ob/v3/status/1.json")
    negotiated = client.get("/ob/v3/status/1", headers={"Accept": "application/vc+ld+json"})
    assert negotiated.status_code == 200 and "Accept" in negotiated.headers["Vary"]
    assert client.get("/ob/v3/status/1").mimetype == "application/vc+jwt"
    for response in (by_url, negotiated):
        assert response.mimetype == "application/ld+json"
        doc = response.get_json()
        assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        assert node_verify(doc, did)["verified"] is True


def test_a_rotated_key_keeps_earlier_proofs_verifiable(app, client, make_award):
    award = make_award()
    before = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    assert app.test_cli_runner().invoke(args=["credentials", "rotate-key"]).exit_code == 0
    after = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    did = client.get("/.well-known/did.json").get_json()
    assert before["proof"][0]["verificationMethod"] != after["proof"][0]["verificationMethod"]
    assert node_verify(before, did)["verified"] and node_verify(after, did)["verified"]


def test_a_proof_by_a_key_the_issuer_does_not_publish_is_refused(app, client, make_award):
    award = make_award()
    doc = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    did = client.get("/.well-known/did.json").get_json()
    did["assertionMethod"] = []
    with pytest.raises(dataintegrity.ProofInvalid, match="not one the issuer publishes"):
        dataintegrity.verify_proof(doc, did)
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    with pytest.raises(dataintegrity.ProofInvalid, match="no embedded proof"):
        dataintegrity.verify_proof(unsigned, did)
