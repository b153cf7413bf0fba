"""The report's containers, and the suppression of small counts in what it shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo import settings


def suppress(n: int, *, k: int) -> int | str:
    """Return a count as it may be shown in a shared document.

    Parameters
    ----------
    n
        A count of incidents.
    k
        Smallest count shown.

    Returns
    -------
    int or str
        ``n`` when it is 0 or at least ``k``; otherwise ``"< k"`` (e.g. ``"< 5"``).
    """
    return int(n) if n == 0 or n >= k else f"< {k}"


def suppress_parts(
    parts: Sequence[int],
    *,
    total: int,
    k: int,
    hide: Sequence[bool] | None = None,
    floor: int = 1,
) -> list[int | str]:
    """Suppress small counts of a breakdown whose total is shown, so none can be derived.

    Counts from 1 to ``k - 1`` are suppressed; when the total is shown and the hidden parts
    would follow from it (:func:`_pinned`: exactly one part hidden, the total minus the
    others; or several whose sum, the total less the parts shown, leaves each one value, as
    two ``"< 5"`` summing to 2 are both 1 and two summing to 8 both 4), the smallest other
    nonzero part is suppressed too, and all the hidden ones then read ``"–"``: were the
    small ones ``"< k"`` and their partner ``"–"``, the reader would know which is which, and
    with a total of ``k`` + 1 both counts. With no other part to hide, parts that sum to their
    number times ``k - 1`` read ``"–"`` as well, so that none is known to be under ``k``
    (each a 1 cannot be hidden so: a count shown as hidden is not 0).

    Parameters
    ----------
    parts
        Counts that add up to ``total``.
    total
        Their sum, shown elsewhere in the report.
    k
        Smallest count shown.
    hide
        Per part, whether it must be hidden for another reason (a count over a month's first
        days beside its whole month elsewhere, :func:`~geo.report.monthly.bathing.bathing_counts`);
        such a nonzero part reads ``"–"``, and so do the parts hidden with it.
    floor
        Smallest count hidden: 1, or 0 where a 0 must read as a small count does, so that
        ``"< k"`` beside ``0`` does not tell which part holds anyone (a control's offences,
        :func:`~geo.report.monthly.police.controls_table`).

    Returns
    -------
    list
        The parts as shown: int, ``"< k"``, or ``"–"`` for each of the parts hidden together.
    """
    forced = [bool(h) and n > 0 for n, h in zip(parts, hide or [False] * len(parts), strict=True)]
    hidden = [floor <= n < k or f for n, f in zip(parts, forced, strict=True)]
    paired = any(forced)
    small = [int(n) for n, h in zip(parts, hidden, strict=True) if h]
    # a part hidden for another reason reads "–" and may be any count: only one alone follows
    pinned = len(small) == 1 if paired else _pinned(small, k=k, floor=floor)
    if (total == 0 or total >= k) and pinned:
        others = [(n, i) for i, n in enumerate(parts) if n > 0 and not hidden[i]]
        if others:
            hidden[min(others)[1]] = True
        paired = True
    marker = "–" if paired else f"< {k}"
    return [marker if hidden[i] else int(parts[i]) for i in range(len(parts))]


def _pinned(small: Sequence[int], *, k: int, floor: int = 1) -> bool:
    """Return whether hidden parts, each read as ``floor`` to ``k - 1``, follow from their sum.

    The reader knows the sum (the total less the parts shown) and that each hidden part is
    ``floor`` to ``k - 1``; they leave each part one value when there is one part, or when the
    sum is their number times ``floor`` (all 1; all 0 tells no one, and is left) or times
    ``k - 1``.
    """
    m, s = len(small), sum(small)
    return m == 1 or (m > 1 and (s == m * (k - 1) or (floor > 0 and s == m * floor)))


@dataclass
class Table:
    """One table of the report, as shown and exported.

    Attributes
    ----------
    name
        File-safe id (CSV file name, XLSX sheet name).
    title
        Swedish caption.
    frame
        The table as shown: counts of incidents are already suppressed.
    event_counts
        Columns holding counts of incidents (k-suppressed; checked by the privacy test).
    empty_text
        What the report says when the table has no rows: "inget att redovisa", or why it has
        none (a running month's hotspot changes: "jämförs när månaden är hel", not a line
        reading as "no change").
    """

    name: str
    title: str
    frame: pd.DataFrame
    event_counts: tuple[str, ...] = ()
    empty_text: str = "inget att redovisa"


@dataclass
class FocusItem:
    """A suggested focus for next month.

    Attributes
    ----------
    theme
        Löfte theme id.
    title
        Swedish headline.
    reasons
        Swedish sentences, each traceable to a table or the forecast.
    """

    theme: str
    title: str
    reasons: list[str]


@dataclass
class MonthlyReport:
    """Everything the monthly follow-up shows.

    Attributes
    ----------
    month
        ``YYYY-MM``.
    k
        Suppression threshold used.
    tables
        Tables by name, in report order.
    charts
        PNG data URIs by name.
    notes
        Swedish sentences by section key.
    focus
        Next month's suggested focus.
    made_at
        The instant the report stands at (tz-aware, Europe/Stockholm; ``geo report --as-of``:
        the end of that day, :func:`geo.reportday.end_of_day`): it decides which week and
        activity line are still running, and its day (:func:`geo.reportday.day_of`) is the
        date the report says it was made.
    covered_days
        The days of the month the observations cover when they end inside it
        (:func:`~geo.report.monthly.selection.covered_days`): the report is then preliminary
        and its title says so; 0 when no observation has come in for the month; ``None``
        for a month covered to its end.
    """

    month: str
    k: int
    covered_days: int | None = None
    made_at: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.now(tz=settings.timezone))
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    focus: list[FocusItem] = field(default_factory=list)

    def add(self, table: Table) -> None:
        """Add a table (replacing one with the same name)."""
        self.tables[table.name] = table

    def note(self, section: str, text: str) -> None:
        """Add a Swedish sentence to a section."""
        self.notes.setdefault(section, []).append(text)


@dataclass
class ReportInputs:
    """What the report reads from the store, gathered once.

    Attributes
    ----------
    incidents
        Incidents of the history window (EPSG:3006, ``occurred_at`` tz-aware).
    places
        Named places (:func:`geo.sites.load_places`).
    plan
        The activity plan (:func:`geo.activity_plan.load_plan`).
    activity_log
        The activity log (:func:`geo.activity_log.read_activity_log`).
    patrol_log
        The patrol log (:func:`geo.patrol_log.read_log`), or ``None`` when unavailable.
    weekly_minutes
        Police minutes per ISO week of the month (:func:`geo.patrol_log.minutes_per_week`),
        or ``None``.
    spots
        Kommun traffic spots (:func:`geo.spots.read_spots`), or ``None``.
    spot_changes
        Their audit trail (:func:`geo.spots.read_changes`), or ``None``.
    data_end
        The store's last observation (any time, not only up to the month), or ``None``.
    data_start
        The month the store's observations begin in
        (:func:`~geo.report.monthly.selection.data_start`), or ``None`` (not known: every
        month up to ``data_end`` is taken as covered).
    data_earlier
        Whether a few observations lie before ``data_start`` (a source that began earlier).
    source_starts
        The month each source group began in
        (:func:`~geo.report.monthly.selection.source_starts`).
    """

    incidents: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    plan: pd.DataFrame
    activity_log: pd.DataFrame
    patrol_log: pd.DataFrame | None = None
    weekly_minutes: pd.DataFrame | None = None
    spots: gpd.GeoDataFrame | None = None
    spot_changes: pd.DataFrame | None = None
    data_end: pd.Timestamp | None = None
    data_start: pd.Period | None = None
    data_earlier: bool = False
    source_starts: tuple[tuple[str, pd.Period], ...] = ()
