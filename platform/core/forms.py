"""Form helpers every feature shares: WTForms pieces, and the one way a submitted form changes anything."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect
from werkzeug.wrappers import Response
from wtforms import IntegerField as _IntegerField
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from milepost.core.errors import DomainError
from milepost.core.inputs import parse_int
from milepost.extensions import db

T = TypeVar("T")


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def db_int(value) -> int:
    """`coerce=` for select boxes and checkboxes of ids: ASCII digits in the database's range (ValueError
    otherwise, which WTForms reports as an invalid choice)."""
    number = parse_int(value)
    if number is None:
        raise ValueError("Not a valid choice.")
    return number


class IntegerField(_IntegerField):
    """WTForms' IntegerField reading only ASCII digits in the database's range, with a plain message."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            return
        self.data = parse_int(valuelist[0])
        if self.data is None:
            raise ValueError(f"Write a whole number (digits 0-9) for {self.label.text.lower()}.")


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (the templates wrap it in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def apply_change(change: Callable[[], T], *, success: str | Callable[[T], str] | None,
                 then: str | Callable[[T], str], errors: list[str] | Callable[[DomainError], object] | None = None,
                 each_problem: bool = False, back: str | None = None,
                 catch: type[DomainError] = DomainError) -> Response | None:
    """Run change() (a service call) as the request's unit of work, for a submitted form or button.

    Refused (change() raised `catch`): roll back and give the reason to `errors`, which is a field's or
    the form's error list, or a page's list of problems (the error's message; with each_problem, each
    problem it lists), or a function of the error. Without `errors`, flash the message and redirect to
    `back`, or to `then` (a URL here). With `errors`, redirect to `back` if given; otherwise answer None
    so the view shows its form again, still holding what was typed.

    Done: commit, flash `success` (if any) and redirect to `then`; either may be a function of what
    change() returned.
    """
    try:
        result = change()
    except catch as exc:
        db.session.rollback()
        if errors is None:
            flash(exc.message, "error")
            return redirect(back or then)
        if callable(errors):
            errors(exc)
        else:
            errors.extend((exc.problems or [exc.message]) if each_problem else [exc.message])
        return redirect(back) if back else None
    db.session.commit()
    if success:
        flash(success(result) if callable(success) else success, "success")
    return redirect(then(result) if callable(then) else then)
