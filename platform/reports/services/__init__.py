"""Report figures and exports as plain functions of a session and plain values, one module per concern; callers
use them from here: `from milepost.reports import services; services.dashboard(...)`."""
from __future__ import annotations

from milepost.reports.services.audit_log import (
                                                 AUDIT_EXPORT_LIMIT,
                                                 AUDIT_HEADER,
                                                 AuditFilters,
                                                 Page,
                                                 audit_choices,
                                                 audit_csv_rows,
                                                 audit_page,
                                                 audit_query,
                                                 describe_detail,
)
from milepost.reports.services.board import (
                                                 DECISION,
                                                 NOT_YET_FLAG_RATE,
                                                 NOT_YET_MIN_DECISIONS,
                                                 OPEN_STATES,
                                                 SURVEY_LIMIT,
                                                 BadgeRate,
                                                 Dashboard,
                                                 Spread,
                                                 SurveyRate,
                                                 dashboard,
                                                 filter_options,
)
from milepost.reports.services.hours import (
                                                 CREDIT_HEADER,
                                                 CreditRow,
                                                 Statement,
                                                 TeacherHours,
                                                 award_hours,
                                                 credit_csv_rows,
                                                 credit_hours,
                                                 hours_by_teacher,
                                                 school_statements,
                                                 teacher_statement,
)
from milepost.reports.services.periods import (
                                                 MAX_RANGE_DAYS,
                                                 SCHOOL_YEAR_STARTS,
                                                 Filters,
                                                 check_range,
                                                 day_start,
                                                 school_year_dates,
                                                 school_year_label,
                                                 school_year_of,
)
from milepost.reports.services.records import TeacherRecord, find_people, person_by_id, teacher_record

__all__ = [
    # periods and filters
    "MAX_RANGE_DAYS", "SCHOOL_YEAR_STARTS", "Filters", "check_range", "day_start", "school_year_dates",
    "school_year_label", "school_year_of",
    # the dashboard
    "DECISION", "NOT_YET_FLAG_RATE", "NOT_YET_MIN_DECISIONS", "OPEN_STATES", "SURVEY_LIMIT", "BadgeRate", "Dashboard",
    "Spread", "SurveyRate", "dashboard", "filter_options",
    # one teacher's record
    "TeacherRecord", "find_people", "person_by_id", "teacher_record",
    # credit hours
    "CREDIT_HEADER", "CreditRow", "Statement", "TeacherHours", "award_hours", "credit_csv_rows", "credit_hours",
    "hours_by_teacher", "school_statements", "teacher_statement",
    # the audit log
    "AUDIT_EXPORT_LIMIT", "AUDIT_HEADER", "AuditFilters", "Page", "audit_choices", "audit_csv_rows", "audit_page",
    "audit_query", "describe_detail",
]
