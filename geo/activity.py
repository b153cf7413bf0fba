"""The activity plan's follow-up under one name: re-exports from the modules that do the work.

Callers write ``activity.parse_month``, ``activity.load_plan``, ``activity.status_by_line``;
each name lives in the module named after what it does:

- :mod:`geo.months`: ``YYYY-MM``, its bounds and ISO weeks, Swedish month names;
- :mod:`geo.reportday`: the ``--as-of`` day, its end, the rows before it;
- :mod:`geo.activity_words`: statuses, units and how a count is said;
- :mod:`geo.activity_plan`: ``data/aktivitetsplan.toml``, loaded and validated;
- :mod:`geo.activity_log_rows`: the rules an activity-log row passes;
- :mod:`geo.activity_log`: the log in the store and its one audited write;
- :mod:`geo.activity_log_import`: ``geo activity import``'s file;
- :mod:`geo.patrol_log_controls`: the controls the patrol log holds in a month;
- :mod:`geo.presence_weeks`: a week's verdict, whether any pass was logged;
- :mod:`geo.activity_due`: what a plan line asks and what is due by a day;
- :mod:`geo.activity_status`: the status per line and executor, and per line.
"""

from __future__ import annotations

from geo.activity_due import Due, due_by, line_period, line_unit, planned_times
from geo.activity_log import (
    CHANGES_TABLE,
    CLI_CHANGED_BY,
    LOG_COLUMNS,
    EntryWrite,
    ensure_schema,
    file_changed_by,
    log_activity,
    read_activity_log,
    set_entries,
    write_entries,
)
from geo.activity_log_import import IMPORT_ALIASES, import_activity_log, read_import_file
from geo.activity_log_rows import (
    MAX_COMMENT_CHARS,
    MAX_TIMES,
    LogEntry,
    check_month_begun,
    validate_entry,
)
from geo.activity_plan import (
    EXECUTORS,
    FREQUENCIES,
    MEASURES,
    PLAN_COLUMNS,
    load_plan,
    plan_path,
    season_text,
    validate_plan,
)
from geo.activity_status import (
    STATUS_COLUMNS,
    LineStatus,
    activity_status,
    line_status,
    status_by_line,
)
from geo.activity_words import (
    NOTHING_LOGGED_YET,
    OPEN_STATUSES,
    STATUSES,
    UNITS,
    WEEK_MET,
    WEEK_NOT_LOGGED,
    WEEK_NOT_MET,
    count_text,
    done_of_text,
    nothing_recorded_text,
)
from geo.months import (
    MONTH_ABBR,
    MONTHS_SV,
    iso_weeks_of_month,
    month_bounds,
    month_label,
    parse_month,
    previous_month,
    today_month,
    week_days_label,
)
from geo.patrol_log_controls import control_type, patrol_controls_in_month
from geo.presence_weeks import any_pass_logged, week_verdict
from geo.reportday import day_of, end_of_day, parse_day, rows_before

__all__ = [
    "CHANGES_TABLE",
    "CLI_CHANGED_BY",
    "EXECUTORS",
    "FREQUENCIES",
    "IMPORT_ALIASES",
    "LOG_COLUMNS",
    "MAX_COMMENT_CHARS",
    "MAX_TIMES",
    "MEASURES",
    "MONTHS_SV",
    "MONTH_ABBR",
    "NOTHING_LOGGED_YET",
    "OPEN_STATUSES",
    "PLAN_COLUMNS",
    "STATUSES",
    "STATUS_COLUMNS",
    "UNITS",
    "WEEK_MET",
    "WEEK_NOT_LOGGED",
    "WEEK_NOT_MET",
    "Due",
    "EntryWrite",
    "LineStatus",
    "LogEntry",
    "activity_status",
    "any_pass_logged",
    "check_month_begun",
    "control_type",
    "count_text",
    "day_of",
    "done_of_text",
    "due_by",
    "end_of_day",
    "ensure_schema",
    "file_changed_by",
    "import_activity_log",
    "iso_weeks_of_month",
    "line_period",
    "line_status",
    "line_unit",
    "load_plan",
    "log_activity",
    "month_bounds",
    "month_label",
    "nothing_recorded_text",
    "parse_day",
    "parse_month",
    "patrol_controls_in_month",
    "plan_path",
    "planned_times",
    "previous_month",
    "read_activity_log",
    "read_import_file",
    "rows_before",
    "season_text",
    "set_entries",
    "status_by_line",
    "today_month",
    "validate_entry",
    "validate_plan",
    "week_days_label",
    "week_verdict",
    "write_entries",
]
