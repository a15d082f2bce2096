"""The form of the email-choices page: one radio group per kind a person can choose for."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField

from milepost.core.forms import choices
from milepost.notifications.services import CHANNEL_LABELS, KINDS


def preferences_form(current: dict[str, str]):
    class PreferencesForm(FlaskForm):
        pass

    for name, channel in current.items():
        kind = KINDS[name]
        setattr(PreferencesForm, name, RadioField(kind.label, description=kind.description, default=channel,
                                                  choices=choices(CHANNEL_LABELS.items())))
    return PreferencesForm()
