"""Domain errors raised by services and mapped once to HTTP answers (pages or JSON)."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, *, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class ValidationFailed(DomainError):
    status = 400


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class InvalidTransition(DomainError):
    status = 409


TITLES = {
    400: "That request could not be used",
    401: "Please sign in",
    403: "You do not have access to this",
    404: "We could not find that page",
    405: "That action is not available here",
    409: "That change cannot be made now",
    413: "That upload is too large",
    416: "That part of the file does not exist",
    429: "Too many attempts",
    503: "Please try again in a moment",
    507: "There is no room to store that",
    500: "Something went wrong on our side",
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str | None = None, problems: list[str] | None = None):
    title = TITLES.get(status, "Error")
    if wants_json():
        body = {"error": {"status": status, "title": title, "message": message or title}}
        if problems:
            body["error"]["problems"] = problems
        return jsonify(body), status
    return render_template("errors/error.html", status=status, title=title,
                           message=message, problems=problems or []), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return error_response(exc.status, exc.message, exc.problems)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc):
        # The database restarting or unreachable: say so; the pool reconnects by itself afterwards.
        from milepost.extensions import db
        app.logger.error("database unavailable: %s", exc.__class__.__name__)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is already gone
            pass
        body, status = error_response(503, "The database is not answering just now. Nothing you sent was "
                                           "half-saved; please try again in a minute.")
        response = app.make_response((body, status))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(exc: StaleDataError):
        from milepost.extensions import db
        db.session.rollback()
        return error_response(409, "Someone else changed this at the same moment. Reload the page to see "
                                   "the latest, then try again.")

    @app.errorhandler(IntegrityError)
    def same_moment(exc: IntegrityError):
        # A unique key decided a race the service did not expect (the expected ones answer with the
        # winner's rule themselves): nothing was saved, so say so rather than answer 500.
        from milepost.extensions import db
        db.session.rollback()
        app.logger.warning("unique key refused a concurrent change: %s", exc.orig.__class__.__name__)
        return error_response(409, "Someone else made the same change at the same moment, so yours was not "
                                   "saved twice. Reload the page to see the latest.")

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        # Usually a page left open too long, or a form posted from another site.
        return error_response(400, "Your form expired or did not come from this site. "
                                   "Go back, reload the page and try again; what you typed may need re-entering.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        message = None if exc.description == type(exc).description else exc.description
        if exc.code == 413:
            limit = app.config["MAX_FILE_MB"]
            message = f"Files up to {limit} MB can be uploaded. Please choose a smaller file."
        body, status = error_response(exc.code, message)
        response = app.make_response((body, status))
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        if exc.code == 416 and getattr(exc, "length", None) is not None:
            # A player asked for bytes past the end: say how long the file is, as RFC 9110 asks.
            response.headers["Content-Range"] = f"{getattr(exc, 'units', 'bytes')} */{exc.length}"
        return response

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        # Never show the exception text: it may hold personal data or internals.
        return error_response(500)
