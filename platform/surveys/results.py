"""The arithmetic of survey results under its former name, for the features that import it from here
(reports); it lives with the rest of the results in milepost.surveys.services.results."""
from __future__ import annotations

from milepost.surveys.services.results import (
                                               Distribution,
                                               HeatRow,
                                               MatchedChange,
                                               NumberSummary,
                                               RetroSummary,
                                               RubricSummary,
                                               choice_distribution,
                                               heat_map,
                                               matched_change,
                                               mean,
                                               median,
                                               number_summary,
                                               percent,
                                               retrospective_summary,
                                               rubric_score,
                                               rubric_summary,
                                               scale_distribution,
                                               text_list,
                                               too_small,
                                               turnaround_days,
)

__all__ = ["Distribution", "HeatRow", "MatchedChange", "NumberSummary", "RetroSummary", "RubricSummary",
           "choice_distribution", "heat_map", "matched_change", "mean", "median", "number_summary", "percent",
           "retrospective_summary", "rubric_score", "rubric_summary", "scale_distribution", "text_list", "too_small",
           "turnaround_days"]
