"""JSON-LD for the credentials: a closed, offline document loader and the check that a document
expands without losing anything.

The loader serves only the context documents that the install step gathered from the registry packages
shipping them (`make install` runs bundle_contexts.cjs after `npm ci`) and the CLR 2.0.1 context from
../shared/vendor/1edtech; any other URL is an error, never a network fetch. PyLD silently drops a term
that no context defines (it has no safe mode), so `check` expands a copy with one more context entry
whose @vocab marks every undefined term and type, and refuses the document when one shows up. Signing
calls it first: a credential that a JSON-LD verifier would read differently is never signed."""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

from flask import current_app, has_app_context
from pyld import jsonld

from milepost.core.errors import DomainError

BUNDLE_NAME = ".milepost-jsonld-contexts.json"
# The repository's node_modules (an editable install); MILEPOST_CREDENTIAL_CONTEXTS points elsewhere.
DEFAULT_BUNDLE = Path(__file__).resolve().parents[2] / "node_modules" / BUNDLE_NAME
UNDEFINED = "urn:milepost:undefined-term:"
# VC 2.0's own catch-all for terms no context defines: a credential of ours must not need it.
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"


class JsonLdProblem(DomainError):
    status = 500


def bundle_path() -> Path:
    configured = current_app.config.get("CREDENTIAL_CONTEXTS") if has_app_context() else None
    return Path(configured) if configured else DEFAULT_BUNDLE


@lru_cache(maxsize=4)
def _contexts(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise JsonLdProblem(f"The JSON-LD contexts are not installed ({path} is missing): run `make install`, "
                            "which runs `npm ci` and gathers them from the packages.") from exc
    return data["contexts"]


def contexts() -> dict:
    return _contexts(str(bundle_path()))


def has_context(url: str) -> bool:
    try:
        return url in contexts()
    except JsonLdProblem:
        return False


def document_loader(url: str, options=None) -> dict:
    """PyLD's loader, closed: a packaged context or an error."""
    served = contexts()
    if url not in served:
        raise jsonld.JsonLdError(f"The JSON-LD context {url} is not one Milepost ships.", "jsonld.LoadDocumentError",
                                 {"url": url}, code="loading remote context failed")
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(served[url])}


def options(**more) -> dict:
    return {"documentLoader": document_loader, **more}


def expand(document: dict) -> list:
    return jsonld.expand(copy.deepcopy(document), options())


def _marked(node, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key.startswith((UNDEFINED, ISSUER_DEPENDENT)):
                found.add(key.removeprefix(UNDEFINED).removeprefix(ISSUER_DEPENDENT))
            if key in ("@type", "@id"):
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and item.startswith((UNDEFINED, ISSUER_DEPENDENT)):
                        found.add(item.removeprefix(UNDEFINED).removeprefix(ISSUER_DEPENDENT))
            _marked(value, found)
    elif isinstance(node, list):
        for item in node:
            _marked(item, found)


def undefined_terms(document: dict) -> list[str]:
    """Terms and types of the document that its contexts do not define (sorted); JsonLdProblem when a
    context is unknown or the document is not valid JSON-LD."""
    probe = copy.deepcopy(document)
    context = probe.get("@context")
    if context is None:
        return sorted(k for k in probe if not k.startswith("@"))
    probe["@context"] = [*(context if isinstance(context, list) else [context]), {"@vocab": UNDEFINED}]
    try:
        expanded = jsonld.expand(probe, options())
    except jsonld.JsonLdError as exc:
        raise JsonLdProblem(f"The document is not valid JSON-LD with the packaged contexts: {_reason(exc)}") from exc
    found: set[str] = set()
    _marked(expanded, found)
    return sorted(found)


def check(document: dict) -> None:
    """Refuse (JsonLdProblem) a document with an unknown context or a term no context defines."""
    terms = undefined_terms(document)
    if terms:
        raise JsonLdProblem("The credential uses terms its JSON-LD contexts do not define: " + ", ".join(terms))


def canonical(document: dict) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, which PyLD names URDNA2015) as N-Quads."""
    try:
        return jsonld.normalize(copy.deepcopy(document), options(algorithm="URDNA2015", format="application/n-quads"))
    except jsonld.JsonLdError as exc:
        raise JsonLdProblem(f"The document could not be canonicalised: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    """The innermost error's message (PyLD wraps the loader's own in a generic one)."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    message = exc.args[0] if exc.args else str(exc)
    return str(message).splitlines()[0]
