"""The one input layer every view reads through, so that no junk input reaches the database or the
code as something it cannot handle: integers (paths, query strings, form fields) in ASCII digits and in
the database's range, JSON bodies with a depth limit and a declared shape, and URLs parsed defensively.
Each refusal is a 404 (paths), the default (query strings) or a ValidationFailed (400) with a clear message."""
from __future__ import annotations

import json
import re
from urllib.parse import SplitResult, urlsplit

from flask import request
from werkzeug.routing import IntegerConverter

from milepost.core.errors import ValidationFailed

# Ids are INTEGER columns on both databases; anything beyond cannot name a row.
DB_INT_MAX = 2**31 - 1
DB_INT_MIN = -(2**31)
JSON_MAX_DEPTH = 20
_ASCII_INT = re.compile(r"[+-]?[0-9]{1,12}")


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` for every route of the app: ASCII digits only and at most DB_INT_MAX (larger ids are a
    404, like any id that names no row)."""

    regex = r"[0-9]{1,12}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=DB_INT_MIN if min is None and signed else min or 0,
                         max=DB_INT_MAX if max is None else max, signed=signed)


def parse_int(raw, *, minimum: int = DB_INT_MIN, maximum: int = DB_INT_MAX) -> int | None:
    """The integer written in raw (ASCII digits, optional sign, in range), or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if minimum <= raw <= maximum else None
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if not _ASCII_INT.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def query_int(name: str, default: int | None = None, *, minimum: int = 0, maximum: int = DB_INT_MAX) -> int | None:
    """An integer query parameter; anything that is not one in range reads as the default."""
    value = parse_int(request.args.get(name), minimum=minimum, maximum=maximum)
    return default if value is None else value


def header_int(name: str, *, minimum: int = 0, maximum: int = 2**62) -> int | None:
    return parse_int(request.headers.get(name), minimum=minimum, maximum=maximum)


def _too_deep(text: str, limit: int) -> bool:
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def parse_json(data: bytes | str, *, what: str = "The request", max_depth: int = JSON_MAX_DEPTH):
    """JSON text to Python, refusing text that is not UTF-8, not JSON or nested deeper than max_depth."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(f"{what} is not UTF-8 text.") from None
    if _too_deep(data, max_depth):
        raise ValidationFailed(f"{what} is nested more than {max_depth} levels deep.")
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise ValidationFailed(f"{what} is not valid JSON ({where}).") from None
    except (ValueError, RecursionError):
        raise ValidationFailed(f"{what} is not valid JSON.") from None


_TYPE_NAMES = {int: "a whole number", str: "text", bool: "true or false", list: "a list", dict: "an object"}


def json_object(data, shape: dict[str, type], *, what: str = "The request") -> dict:
    """data (a parsed JSON value) checked against shape {key: type}: it must be an object and each key present
    must hold that type (integers in the database's range). Keys not in shape are dropped; missing are None."""
    if not isinstance(data, dict):
        raise ValidationFailed(f"{what} must be a JSON object.")
    out = {}
    for key, kind in shape.items():
        value = data.get(key)
        if value is not None:
            wrong = not isinstance(value, kind) or (kind is int and isinstance(value, bool))
            if not wrong and kind is int and parse_int(value, minimum=-(2**62), maximum=2**62) is None:
                wrong = True
            if wrong:
                raise ValidationFailed(f"In {what.lower()}, {key!r} must be {_TYPE_NAMES.get(kind, kind.__name__)}.")
        out[key] = value
    return out


def json_body(shape: dict[str, type], *, what: str = "The request") -> dict:
    """The request's JSON body in the declared shape; an empty body is an object with every key None."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return dict.fromkeys(shape)
    return json_object(parse_json(raw, what=what), shape, what=what)


def split_url(raw: str, *, schemes=("http", "https"), what: str = "A link") -> SplitResult:
    """raw split into its parts, or ValidationFailed saying what is wrong with it (the scheme, a missing
    host, a broken IPv6 address, a port out of range)."""
    url = (raw or "").strip()
    if len(url) > 2000:
        raise ValidationFailed(f"{what} is longer than 2,000 characters.")
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        detail = "its port must be a number from 1 to 65535" if "port" in str(exc).lower() else \
            "its address is malformed (check the brackets of an IPv6 address)"
        raise ValidationFailed(f"{what} cannot be used: {detail}.") from None
    if parts.scheme.lower() not in schemes or not host:
        raise ValidationFailed(f"{what} must start with {' or '.join(s + '://' for s in schemes)} and name a website.")
    if port == 0:
        raise ValidationFailed(f"{what} cannot be used: its port must be a number from 1 to 65535.")
    if any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise ValidationFailed(f"{what} cannot contain control characters.")
    return parts


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def init_inputs(app) -> None:
    """`<int:...>` bounded for every route, and every JSON body checked before any view (or a Flask-WTF form,
    which reads JSON bodies as form data) sees it: an object, UTF-8, at most JSON_MAX_DEPTH levels deep."""
    app.url_map.converters["int"] = BoundedIntegerConverter

    @app.before_request
    def _check_input():
        from milepost.core.errors import error_response
        # PostgreSQL text cannot hold NUL characters, and no form of this site needs one.
        if "\x00" in request.path:
            return error_response(404)
        if _has_nul(request.args) or (request.method not in ("GET", "HEAD") and _has_nul(request.form)):
            return error_response(400, "Something you sent contains a NUL character (\\0), which no field accepts.")
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.is_json:
            return None
        raw = request.get_data(cache=True)
        if not raw.strip():
            return None
        try:
            data = parse_json(raw, what="The request body")
            if not isinstance(data, dict):
                raise ValidationFailed("The request body must be a JSON object.")
            if "\\u0000" in raw.decode("utf-8-sig", "replace"):
                raise ValidationFailed("The request body contains a NUL character (\\u0000), which no field accepts.")
        except ValidationFailed as exc:
            return error_response(400, exc.message)
        return None
