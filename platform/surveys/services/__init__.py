"""The rules of pilots and surveys as plain functions that take a session and plain values, one module per
part; everything callers use is re-exported here, so `services.save_survey(...)` needs no module name."""
from __future__ import annotations

from milepost.surveys.access import in_audience
from milepost.surveys.services.audience import audience_filter, audience_size, surveys_for
from milepost.surveys.services.building import (
                                                EDITABLE,
                                                clean_question,
                                                copy_survey,
                                                create_from_template,
                                                create_pilot_waves,
                                                day_start,
                                                delete_question,
                                                delete_survey,
                                                move_question,
                                                new_key,
                                                save_question,
                                                save_survey,
                                                set_anonymity,
                                                set_has_answers,
                                                slug_key,
)
from milepost.surveys.services.export import codebook_table, export_table, respondent_label
from milepost.surveys.services.lifecycle import (
                                                close_now,
                                                make_pulse,
                                                open_pulse_surveys,
                                                publish,
                                                pulse_opening,
                                                seal_closed,
)
from milepost.surveys.services.pick_lists import plc_choices, school_choices
from milepost.surveys.services.pilots import Dashboard, pilot_dashboard, pilot_members, save_pilot
from milepost.surveys.services.results import (
                                                PairedChange,
                                                Respondent,
                                                Trend,
                                                paired_change,
                                                pulse_trend,
                                                report_document,
                                                respondents,
                                                results_report,
                                                score,
                                                set_comparison,
                                                summarise,
                                                survey_results,
)
from milepost.surveys.services.taking import (
                                                LONG_TEXT,
                                                SHORT_TEXT,
                                                answers_as_fields,
                                                field_names,
                                                missing_required,
                                                my_response,
                                                parse_answers,
                                                pseudonym,
                                                save_response,
                                                shares_set_pseudonyms,
)

PAIRED_METHOD = PairedChange.METHOD

__all__ = [
    # audience (in_audience, the rule for one person, is access.in_audience)
    "audience_filter", "audience_size", "in_audience", "surveys_for",
    # building surveys and their questions
    "EDITABLE", "clean_question", "copy_survey", "create_from_template", "create_pilot_waves", "day_start",
    "delete_question", "delete_survey", "move_question", "new_key", "save_question", "save_survey", "slug_key",
    "set_anonymity", "set_has_answers",
    # publishing, closing, pulses, sealing
    "close_now", "make_pulse", "open_pulse_surveys", "publish", "pulse_opening", "seal_closed",
    # pilots
    "Dashboard", "pilot_dashboard", "pilot_members", "save_pilot",
    # taking a survey
    "LONG_TEXT", "SHORT_TEXT", "answers_as_fields", "field_names", "missing_required", "my_response",
    "parse_answers", "pseudonym", "save_response", "shares_set_pseudonyms",
    # results and export
    "PAIRED_METHOD", "PairedChange", "paired_change", "Trend", "pulse_trend",
    "Respondent", "report_document", "respondents", "results_report", "score", "set_comparison", "summarise",
    "survey_results",
    "codebook_table", "export_table", "respondent_label",
    # form pick lists
    "plc_choices", "school_choices",
]
