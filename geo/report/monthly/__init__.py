"""The monthly follow-up for the crime-prevention council: HTML + PDF and CSV/XLSX tables.

One module per part, imported one way (each only from those above it):

- :mod:`~geo.report.monthly.vocabulary`: months, source groups, seasons, the promise;
- :mod:`~geo.report.monthly.tables`: the report's containers and small-count suppression;
- :mod:`~geo.report.monthly.selection`: the incidents a section counts;
- :mod:`~geo.report.monthly.incidents`, :mod:`~geo.report.monthly.police`,
  :mod:`~geo.report.monthly.spots`: the sections;
- :mod:`~geo.report.monthly.focus`: next month's suggested focus;
- :mod:`~geo.report.monthly.build`: the whole report, rendered and exported.
"""

from geo.patrol_log import PROMISE_MIN
from geo.report.monthly.build import (
    build_report,
    collect_inputs,
    compute_report,
    export_tables,
    render_html,
    write_report,
)
from geo.report.monthly.focus import change_reason, next_month_focus
from geo.report.monthly.spots import spot_tables
from geo.report.monthly.tables import (
    FocusItem,
    MonthlyReport,
    ReportInputs,
    Table,
    suppress,
    suppress_parts,
)
from geo.report.monthly.vocabulary import (
    MONTHS_SV,
    SOURCE_GROUP_LABELS,
    control_type,
    month_label,
)

__all__ = [
    "MONTHS_SV",
    "PROMISE_MIN",
    "SOURCE_GROUP_LABELS",
    "FocusItem",
    "MonthlyReport",
    "ReportInputs",
    "Table",
    "build_report",
    "change_reason",
    "collect_inputs",
    "compute_report",
    "control_type",
    "export_tables",
    "month_label",
    "next_month_focus",
    "render_html",
    "spot_tables",
    "suppress",
    "suppress_parts",
    "write_report",
]
