"""Selecting the incidents a section counts: by period, source group, theme and place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo import months, settings
from geo.model import THEMES
from geo.pointperiod import main_period
from geo.report.monthly.vocabulary import (
    NO_DATA,
    SOURCE_GROUP_LABELS,
    SOURCE_GROUPS,
    month_label,
)
from geo.sites import theme_mask
from geo.words import and_list


def in_period(times: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Return which times lie in ``[start, end)``.

    Parameters
    ----------
    times
        Timestamps (tz-aware, like ``start`` and ``end``).
    start, end
        The period, end excluded.

    Returns
    -------
    pandas.Series
        A boolean mask.
    """
    t = pd.to_datetime(times)
    return (t >= start) & (t < end)


def incidents_in(
    incidents: gpd.GeoDataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> gpd.GeoDataFrame:
    """Return the incidents that happened in ``[start, end)`` (:func:`in_period`).

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` (may be empty, even without columns).
    start, end
        The period, end excluded.

    Returns
    -------
    geopandas.GeoDataFrame
        Those incidents.
    """
    if not len(incidents):
        return incidents
    return incidents[in_period(incidents["occurred_at"], start, end).to_numpy()]


def data_start(times: pd.Series) -> tuple[pd.Period | None, bool]:
    """Return the month the store's observations begin in, and whether a few lie before it.

    The first month of the observations' main period (:func:`geo.pointperiod.main_period`,
    as the hot-spot analyses read it): a source that began later than another leaves the
    months before it thin (the police's 1 or 2 events a month before the kommun's reports
    began), and those are no months to compare.

    Parameters
    ----------
    times
        When every stored observation occurred (``occurred_at`` of
        :func:`geo.store.occurrences`), tz-aware.

    Returns
    -------
    tuple
        The first month (``None`` without observations), and whether the store holds
        observations before it.
    """
    if times.empty:
        return None, False
    local = pd.to_datetime(times).dt.tz_convert(settings.timezone).dt.tz_localize(None)
    stored = pd.PeriodIndex(local.dt.to_period("M"))
    first, _ = main_period(stored)
    return first, bool(stored.min() < first)


def source_starts(stored: pd.DataFrame) -> tuple[tuple[str, pd.Period], ...]:
    """Return the month each source group's observations begin in, in the order of the groups.

    Parameters
    ----------
    stored
        :func:`geo.store.occurrences`: ``occurred_at`` (tz-aware) and ``source``.

    Returns
    -------
    tuple
        ``(label, month)`` per source group with observations
        (:data:`~geo.report.monthly.vocabulary.SOURCE_GROUP_LABELS`), the first month of the
        group's own main period (:func:`data_start`: a group's few early events are no
        beginning).
    """
    if stored.empty:
        return ()
    groups = source_group(stored["source"])
    out = []
    for group, label in SOURCE_GROUP_LABELS.items():
        first, _ = data_start(stored.loc[(groups == group).to_numpy(), "occurred_at"])
        if first is not None:
            out.append((label, first))
    return tuple(out)


@dataclass(frozen=True)
class Coverage:
    """The months the store's observations cover: a month outside them has no data, not 0.

    Attributes
    ----------
    first
        The month the observations begin in (:func:`data_start`); ``None``: not known, every
        month before ``end`` is taken as covered.
    end
        The store's last observation (:attr:`ReportInputs.data_end`); ``None``: not known.
    earlier
        Whether a few observations lie before ``first`` (a source that began earlier).
    sources
        The month each source group began in (:func:`source_starts`): a group that began
        inside the months shown after :attr:`first` is named in :meth:`notes`, since the
        months before it count fewer sources.
    """

    first: pd.Period | None = None
    end: pd.Timestamp | None = None
    earlier: bool = False
    sources: tuple[tuple[str, pd.Period], ...] = ()

    def missing(self, month: pd.Period | str) -> bool:
        """Say whether a month has no data: it lies before the first or after the last.

        Parameters
        ----------
        month
            A month (``YYYY-MM`` or a monthly period).

        Returns
        -------
        bool
            True for a month before :attr:`first` or beginning after :attr:`end`; its counts
            read :data:`~geo.report.monthly.vocabulary.NO_DATA`, not 0, and nothing is
            compared with it.
        """
        q = months.parse_month(str(month))
        if self.first is not None and q < self.first:
            return True
        return self.end is not None and months.month_bounds(str(q))[0] > pd.Timestamp(self.end)

    def begun_since(self, before: pd.Period, month: pd.Period) -> tuple[str, ...]:
        """Name the source groups that began after ``before`` and by ``month``.

        Parameters
        ----------
        before
            A month compared with ``month`` (last month, the same month last year).
        month
            The report's month.

        Returns
        -------
        tuple of str
            Their labels (``"Kommunen"``): ``before`` counts none of their observations.
        """
        return tuple(label for label, began in self.sources if before < began <= month)

    def empty_text(self, month: pd.Period | str) -> str:
        """Say why a table of a month without data (:meth:`missing`) has no rows.

        Parameters
        ----------
        month
            The month.

        Returns
        -------
        str
            E.g. ``"uppgift saknas: inga observationer har kommit in för november 2026
            ännu"``, not the "inget att redovisa" of a month without events.
        """
        q = months.parse_month(str(month))
        if self.first is not None and q < self.first:
            return f"{NO_DATA}: lagrets observationer börjar i {month_label(str(self.first))}"
        return f"{NO_DATA}: inga observationer har kommit in för {month_label(str(q))} ännu"

    def notes(self, shown: Sequence[pd.Period | str]) -> list[str]:
        """Say why months the report shows read "uppgift saknas", for its introduction.

        Parameters
        ----------
        shown
            The months the report shows (its trend's 13, and the same month last year).

        Returns
        -------
        list of str
            A sentence for months before the data begin, one for months after they end
            (nothing has come in for them yet), one per source group that began after the
            data's first month and inside those shown ("Kommunen har observationer från juni
            2026 …": the months before count fewer sources, and a rise may be the source
            added); none when every month is covered by every source.
        """
        qs = sorted({months.parse_month(str(m)) for m in shown})
        said = []
        for label, began in self.sources:
            if qs[0] < began <= qs[-1] and (self.first is None or began > self.first):
                said.append(
                    f"Källan {label} har observationer från {month_label(str(began))}: "
                    "månaderna före dess räknar inte dess observationer, så en jämförelse över "
                    "den gränsen kan visa att källan tillkom snarare än en förändring."
                )
        before = [q for q in qs if self.first is not None and q < self.first]
        if before and self.first is not None:
            begins = month_label(str(self.first))
            why = (
                f"Lagrets observationer börjar i {begins} (före dess finns bara enstaka, från "
                "färre källor)"
                if self.earlier
                else f"Lagret har inga observationer före {begins}"
            )
            said.append(
                f"{why}: månader före dess står som ”{NO_DATA}”, inte som 0, och jämförs inte."
            )
        after = [q for q in qs if q not in before and self.missing(q)]
        if after and self.end is not None:
            last = pd.Timestamp(self.end).tz_convert(settings.timezone)
            named = and_list([month_label(str(q)) for q in after])
            said.append(
                f"Inga observationer har kommit in för {named} ännu (lagrets senaste är från "
                f"{last.day} {month_label(last.strftime('%Y-%m'))}): "
                f"{'månaden står' if len(after) == 1 else 'månaderna står'} som ”{NO_DATA}”, "
                "inte som 0 händelser."
            )
        return said


def covered_days(
    data_end: pd.Timestamp | None, *, month: str, now: pd.Timestamp | None = None
) -> int | None:
    """Return how many days of the month the data covers, if it ends inside the month.

    Parameters
    ----------
    data_end
        The store's last observation (:attr:`ReportInputs.data_end`), or ``None``.
    month
        ``YYYY-MM``.
    now
        The report day (tz-aware; ``None``: the month is taken as over). While the month is
        not over, observations that reach its last day still cover only part of it: a report
        made at 20:00 on 31 October read as the whole month's, shared, and the report made
        once October was over, one event more, told the evening's event (under k).

    Returns
    -------
    int or None
        The day of the month of the last observation, when that is before the month's last
        day or the month is not over on the report day (a report made before the month is
        over); 0 when the observations end before the month begins (none has come in for
        it: the report made on 3 December, or for a month nothing was imported for, is no
        month of zeros); ``None`` for a month covered to its end, or an unknown end.
    """
    if data_end is None or pd.isna(data_end):
        return None
    start, end = months.month_bounds(month)
    last = pd.Timestamp(data_end).tz_convert(settings.timezone)
    if last < start:
        return 0
    if last >= end:
        return None
    over = now is None or pd.Timestamp(now) >= end
    if over and last.day >= months.parse_month(month).days_in_month:
        return None
    return int(last.day)


def compared_periods(
    month: str, *, days: int | None = None
) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """Return the month, the month before and the same month a year before, to compare.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    days
        The days of ``month`` the data covers (:func:`covered_days`): each period is then its
        month's first ``days`` days (a shorter month whole), so a month not yet over is
        compared with the same days.

    Returns
    -------
    list of tuple
        ``(label, start, end)`` for each, e.g. ``("1–22 oktober 2026", start, end)``.
    """
    p = months.parse_month(month)
    out = []
    for q in (p, p - 1, p - 12):
        start, end = months.month_bounds(str(q))
        label = month_label(str(q))
        # the report's own month is said with its days even when they are all its days: it
        # is not over (:func:`covered_days`), "1–31 oktober 2026"
        if days is not None and (q == p or days < q.days_in_month):
            cut = (start.tz_localize(None) + pd.Timedelta(days=days)).tz_localize(settings.timezone)
            end, label = cut, f"1–{days} {label}"
        out.append((label, start, end))
    return out


def compared_gaps(month: str, coverage: Coverage | None) -> list[bool]:
    """Tell which of the compared months have no data (:meth:`Coverage.missing`).

    Parameters
    ----------
    month
        ``YYYY-MM``.
    coverage
        The months the observations cover; ``None``: all of them.

    Returns
    -------
    list of bool
        For the month, the month before and the same month a year before
        (:func:`compared_periods`).
    """
    p = months.parse_month(month)
    return [coverage is not None and coverage.missing(q) for q in (p, p - 1, p - 12)]


def compared_counts(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    k: int,
    days: int | None = None,
) -> dict[str, list[tuple[int, bool]]]:
    """Count each theme's observations in the compared periods, telling which to hide.

    In a month the data cover in part (``days``), the month before and the same month last
    year are counted over the same days (:func:`compared_periods`) while the trend shows
    them whole: a count shown beside a whole month larger by 1 to ``k`` − 1 would give away
    the hidden count of that month's last days, so it is marked hidden (the themes table's
    "–", no number in the focus's sentence).

    Parameters
    ----------
    incidents
        Incidents.
    places
        Named places (theme B counts at bathing sites, :func:`geo.sites.theme_mask` with
        ``shared=True``).
    month
        ``YYYY-MM``.
    k
        Suppression threshold.
    days
        The days of ``month`` the data covers (:func:`covered_days`), or ``None``.

    Returns
    -------
    dict
        Theme → ``(count, hidden)`` for this month, the month before and last year's.
    """
    periods = compared_periods(month, days=days)
    p = months.parse_month(month)
    out: dict[str, list[tuple[int, bool]]] = {}
    for theme in THEMES:
        if not len(incidents):
            out[theme] = [(0, False)] * len(periods)
            continue
        mask = theme_mask(incidents, theme, places, shared=True)
        times = incidents["occurred_at"]
        counted = []
        for (_, start, end), q in zip(periods, (p, p - 1, p - 12), strict=True):
            n = int((mask & in_period(times, start, end)).sum())
            whole = int((mask & in_period(times, *months.month_bounds(str(q)))).sum())
            rest = whole - n
            counted.append((n, 0 < rest < k and n >= k and whole >= k))
        out[theme] = counted
    return out


def source_group(source: pd.Series) -> pd.Series:
    """Return each source id's group (:data:`SOURCE_GROUPS`), ``"ovriga"`` when unknown."""
    return source.map(SOURCE_GROUPS).fillna("ovriga")


def theme_incidents(
    incidents: gpd.GeoDataFrame, theme: str, places: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the incidents of a löfte theme (:func:`geo.sites.theme_mask`).

    Parameters
    ----------
    incidents
        Incidents (EPSG:3006).
    theme
        Theme id (``N``, ``T``, ``B``, ``S``); bathing-site incidents count for ``B``.
    places
        Named places.

    Returns
    -------
    geopandas.GeoDataFrame
        The theme's incidents.
    """
    if incidents.empty:
        return incidents
    return incidents[theme_mask(incidents, theme, places, shared=True).to_numpy()]
