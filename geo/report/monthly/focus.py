"""Next month's suggested focus, with the comparisons that explain it."""

from __future__ import annotations

import json
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from geo import activity_status, activity_words, months, settings
from geo.model import THEMES
from geo.report.monthly.selection import (
    Coverage,
    compared_counts,
    compared_gaps,
    compared_periods,
)
from geo.report.monthly.tables import FocusItem
from geo.report.monthly.vocabulary import (
    AREA_CELL_SIZE_M,
    BATHING_MONTHS,
    MONTHS_SV,
    MOTOR_MONTHS,
    NO_DATA,
    month_label,
)
from geo.sites import bathing_sites, nearest_place_names, theme_mask
from geo.words import and_list

#: Fewest observations of a theme in the :data:`FORECAST_BASIS_DAYS` before the forecast's
#: history ends and in the month's earlier years (:func:`forecast_basis`) for next month's
#: count to be said (design §6, "för få händelser"). A week's
#: forecast over a month's days multiplies what little there is: 2 events on 29–30 October,
#: the store's first, read "omkring 12 observationer i november 2026". Ten events put the
#: rate's relative error near a third (1/√10); fewer say nothing a council can plan on.
MIN_FORECAST_EVENTS = 10
#: The recent days counted for :data:`MIN_FORECAST_EVENTS`: the baseline's three months.
FORECAST_BASIS_DAYS = 90


def _compared(now: int, other: int, what: str, *, k: int, hidden: bool = False) -> str:
    def shown(n: int) -> str:
        return str(n) if n == 0 or n >= k else f"färre än {k}"

    if 0 < now < k and 0 < other < k:  # both hidden: their order is not shown either
        return f"{what} också färre än {k}"
    if now > other:
        word = "fler än"
    elif now < other:
        word = "färre än"
    else:
        word = "lika många som"
    return f"{word} {what}" if hidden else f"{word} {what} ({shown(other)})"


def who_did_what(executors: Sequence[str], statuses: Sequence[str]) -> str:
    """Say the status of each executor of an activity line, naming a shared status once.

    Parameters
    ----------
    executors
        The line's executors as shown (``"Polisen"``, ``"Kommunen"``).
    statuses
        Their status labels, in the same order.

    Returns
    -------
    str
        ``"Polisen och Kommunen: ej genomförd"`` when they agree, else each on its own:
        ``"Polisen: genomförd, Kommunen: ej genomförd"``.
    """
    if len(set(statuses)) == 1:
        return f"{and_list(executors)}: {statuses[0]}"
    return ", ".join(f"{who}: {said}" for who, said in zip(executors, statuses, strict=True))


def is_behind(line: activity_status.LineStatus) -> bool:
    """Say whether a line whose month is not over has an executor behind what is due so far.

    Parameters
    ----------
    line
        From :func:`geo.activity_status.status_by_line`.

    Returns
    -------
    bool
        True when some executor is ``behind``: it has recorded fewer than the times due by
        the report day (:class:`geo.activity_due.Due`), e.g. 1 when 3 of the month's weeks are
        over for a weekly line. A monthly line is never behind before its month is over:
        nothing of it is due until then; nor is an executor that recorded nothing yet
        (``not_logged_yet``, :func:`not_logged_yet`): nothing entered is no shortfall.
    """
    return "behind" in line.executor_statuses


def not_logged_yet(line: activity_status.LineStatus) -> tuple[str, ...]:
    """Name the executors of a line not behind that recorded nothing though some is due.

    Parameters
    ----------
    line
        From :func:`geo.activity_status.status_by_line`.

    Returns
    -------
    tuple of str
        The executors (``"Kommunen"``) that are ``not_logged_yet`` while the weeks over ask
        something of the line (``due`` > 0), empty for a line :func:`is_behind` names (its
        sentence says each executor's part) or with nothing due yet.
    """
    if is_behind(line) or line.due == 0:
        return ()
    return tuple(
        who
        for who, s in zip(line.executor_labels, line.executor_statuses, strict=True)
        if s == "not_logged_yet"
    )


def done_so_far(line: activity_status.LineStatus) -> tuple[str, ...]:
    """Say for each executor of an open line what it did of what is due so far.

    Parameters
    ----------
    line
        From :func:`geo.activity_status.status_by_line`, a line whose month is not over.

    Returns
    -------
    tuple of str
        One per executor: ``"genomförd"`` when it has done all the month's times,
        ``"inget registrerat ännu"`` when it recorded nothing
        (:func:`geo.activity_words.nothing_recorded_text`), else ``"1 av 3 veckor hittills"``
        (done of due by the report day, in the words of :func:`geo.activity_words.done_of_text`,
        which the page Aktiviteter uses too: ``"4 gånger hittills (3 planerade hittills)"``
        for one ahead of the weeks so far). Never ``"ej genomförd"``: nothing is missed
        before the month is over.
    """
    return tuple(
        activity_words.STATUSES[s]
        if s == "done"
        else activity_words.nothing_recorded_text(s)
        or activity_words.done_of_text(n, line.due, line.unit, so_far=True)
        for s, n in zip(line.executor_statuses, line.done, strict=True)
    )


def done_of_planned(line: activity_status.LineStatus) -> tuple[str, ...]:
    """Say for each executor of a line whose month is over what it did of what was planned.

    Parameters
    ----------
    line
        From :func:`geo.activity_status.status_by_line`.

    Returns
    -------
    tuple of str
        One per executor: its status, and for one done in part how much of the plan,
        ``"delvis, 2 av 4 gånger"`` ("delvis" alone did not say how far from the plan).
    """
    return tuple(
        f"{label}, {activity_words.done_of_text(n, line.planned, line.unit)}"
        if s == "partly"
        else label
        for s, label, n in zip(
            line.executor_statuses, line.executor_status_labels, line.done, strict=True
        )
    )


def plan_reasons(
    lines: Sequence[activity_status.LineStatus], *, theme: str, month: str
) -> list[str]:
    """Say which of a theme's plan lines were not done in full, or are behind so far.

    Parameters
    ----------
    lines
        From :func:`geo.activity_status.status_by_line` for ``month``.
    theme
        Löfte theme id.
    month
        ``YYYY-MM``, the month the lines are told for.

    Returns
    -------
    list of str
        Up to five Swedish sentences, each naming a line once with its executors
        (:func:`who_did_what`): lines whose month is over and not done in full
        (``"S2 (Polisen och Kommunen: ej genomförd)"``, ``"X1 (Polisen: delvis, 3 av 5
        veckor)"``), and lines still running that are behind what is due so far
        (:func:`is_behind`: ``"X1 (Polisen: 1 av 3 veckor hittills)"``); and, apart, not
        called behind, lines still running with an executor that recorded nothing of what
        the weeks over ask (:func:`not_logged_yet`): ``"Inget registrerat ännu i november
        2026 för veckor som är slut, inte nödvändigtvis ej utfört: B1 (Kommunen)."``; and,
        apart, not called undone, lines some executor recorded nothing for (``not_logged``,
        ``partly_logged``): ``"Ej registrerat i oktober 2026, inte nödvändigtvis ej utfört:
        N1 (Polisen: ej registrerat), S1 (Polisen: genomförd, Kommunen: ej registrerat)."``,
        and those counted from the patrol log with no pass logged, ``"Inga pass är
        registrerade i oktober 2026 för X1 (Polisen)."``
    """
    mine = [ln for ln in lines if ln.theme == theme]
    undone = [
        f"{ln.activity_id} ({who_did_what(ln.executor_labels, done_of_planned(ln))})"
        for ln in mine
        if ln.status in ("not_done", "partly")
    ]
    behind = [
        f"{ln.activity_id} ({who_did_what(ln.executor_labels, done_so_far(ln))})"
        for ln in mine
        if is_behind(ln)
    ]
    not_yet = [f"{ln.activity_id} ({and_list(who)})" for ln in mine if (who := not_logged_yet(ln))]
    # a line counted in weeks is counted from the patrol log (activity_due.line_unit): no pass
    no_pass = [ln for ln in mine if ln.status == "not_logged" and ln.unit == "weeks"]
    unlogged = [
        f"{ln.activity_id} ({who_did_what(ln.executor_labels, done_of_planned(ln))})"
        for ln in mine
        if ln.status in ("not_logged", "partly_logged") and ln not in no_pass
    ]
    when = month_label(month)
    said = []
    if undone:
        said.append(f"Aktiviteter som inte genomfördes fullt ut i {when}: {', '.join(undone)}.")
    if behind:
        said.append(f"Aktiviteter som hittills ligger efter planen i {when}: {', '.join(behind)}.")
    if not_yet:
        said.append(
            f"Inget registrerat ännu i {when} för veckor som är slut, inte nödvändigtvis ej "
            f"utfört: {', '.join(not_yet)}."
        )
    if unlogged:
        said.append(
            f"Ej registrerat i {when}, inte nödvändigtvis ej utfört: {', '.join(unlogged)}."
        )
    if no_pass:
        passes = ", ".join(f"{ln.activity_id} ({and_list(ln.executor_labels)})" for ln in no_pass)
        said.append(f"Inga pass är registrerade i {when} för {passes}.")
    return said


def change_reason(
    now: int,
    last: int,
    year: int,
    *,
    month: str,
    k: int,
    days: int | None = None,
    hidden: tuple[bool, bool] = (False, False),
    missing: tuple[bool, bool] = (False, False),
    lacking: tuple[Sequence[str], Sequence[str]] = ((), ()),
) -> str:
    """Say how a theme's count this month compares with last month and the same month last year.

    Parameters
    ----------
    now, last, year
        Observations this month, last month and the same month last year.
    month
        ``YYYY-MM``, this month.
    k
        Suppression threshold: counts from 1 to ``k - 1`` read "färre än k", and two such
        counts are not compared.
    days
        The days of ``month`` counted, if the data ends inside it (the others are counted
        over the same days): the sentence names them, "i 1–22 november 2026".
    hidden
        Whether last month's and last year's counts are left out of the sentence
        (:func:`~geo.report.monthly.selection.compared_counts`); their order is still said.
    missing
        Whether last month and last year's month have no data
        (:meth:`~geo.report.monthly.selection.Coverage.missing`): nothing is compared with
        such a month, "ingen jämförelse med samma månad i fjol (uppgift saknas)"; read as
        0 it was "fler än samma månad i fjol (0)".
    lacking
        The source groups that had not begun in last month and in last year's month
        (:meth:`~geo.report.monthly.selection.Coverage.begun_since`): nothing is compared
        with such a month either, "ingen jämförelse med samma månad i fjol (Kommunen
        rapporterade inte då)", since a rise against it may be the source added.

    Returns
    -------
    str
        E.g. ``"9 observationer i oktober 2026: fler än förra månaden (6), lika många som
        samma månad i fjol (9)."``
    """
    head = str(now) if now == 0 or now >= k else f"färre än {k}"
    # over part of the month the others are its same days, and said so: "förra månaden (8)"
    # read as October's whole 13 (a council member's review)
    before, a_year_ago = (
        ("förra månaden", "samma månad i fjol")
        if days is None
        else ("samma dagar förra månaden", "samma dagar i fjol")
    )
    said = [
        f"ingen jämförelse med {what} ({NO_DATA})"
        if gap
        else f"ingen jämförelse med {what} ({and_list(list(new))} rapporterade inte då)"
        if new
        else _compared(now, other, what, k=k, hidden=hide)
        for other, what, hide, gap, new in zip(
            (last, year), (before, a_year_ago), hidden, missing, lacking, strict=True
        )
    ]
    return (
        f"{head} observationer {'i' if days is None else 'under'} "
        f"{compared_periods(month, days=days)[0][0]}: {said[0]}, {said[1]}."
    )


def _season_months(value: object) -> list[int]:
    if isinstance(value, str):
        return [int(m) for m in json.loads(value)] if value.strip() else []
    return [int(m) for m in value] if value is not None else []  # type: ignore[attr-defined]


def focus_places(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    theme: str,
    month: pd.Period,
    end: pd.Timestamp,
    k: int,
    top: int = 3,
    near_m: float = AREA_CELL_SIZE_M,
) -> list[str]:
    """Name the places where a theme's events are to be expected in ``month``, most first.

    A place's weight is its events of the theme in the same calendar month of the earlier
    years (per year the data hold that month) plus its events of the last 90 days before
    ``end`` (per month): the season and what is happening now. A week's forecast, whose
    long-run part is summer's, named Lanna badgruva and Badplats Leken for November, with no
    event there in November of any year. Bathing sites out of season in ``month`` are left
    out.

    Parameters
    ----------
    incidents
        Incidents (EPSG:3006); those before ``end`` count.
    places
        Named places; an event counts for the nearest
        (:func:`geo.sites.nearest_place_names`) when it lies within ``near_m`` of it.
    theme
        Löfte theme, counted as in the shared outputs (:func:`geo.sites.theme_mask`).
    month
        The month the focus is for.
    end
        Where the data end (tz-aware): nothing after counts.
    k
        Suppression threshold: a place is named only where at least ``k`` of the theme's
        events were counted (the shared report's rule; a data protection review found a
        village named for S on 1 event in a month, where the places table said "ingen med
        minst 5").
    top
        Most names.
    near_m
        How far from a place's area an event may lie and count for it (default the
        report's 1 km cells, which its places table calls "nära"): a council member's
        review read "främst kring Tångeråsa, Fjugesta centrum, Knista" for S in November
        2026 while none of the 9 events counted for Tångeråsa lay within 1 km of the
        village, the farthest 8.7 km off; the countryside's scattered events are no place.

    Returns
    -------
    list of str
        Place names with at least ``k`` counted events, the heaviest first.
    """
    if not len(incidents) or places.empty:
        return []
    t = pd.to_datetime(incidents["occurred_at"]).dt.tz_convert(settings.timezone)
    before = t < end
    same_month = before & (t.dt.month == month.month)
    years = max(int(t[same_month].dt.year.nunique()), 1)
    recent = before & (t >= end - pd.Timedelta(days=90))
    mask = theme_mask(incidents, theme, places, shared=True) & (same_month | recent)
    if not mask.any():
        return []
    points = incidents.geometry[mask]
    names = pd.Series(nearest_place_names(points, places), index=points.index)
    areas = places.drop_duplicates("name").set_index("name").geometry
    area = gpd.GeoSeries(areas.loc[names].to_numpy(), index=points.index, crs=places.crs)
    names = names[points.distance(area) <= near_m]
    if names.empty:
        return []
    counted = names.index
    weight = same_month[counted].astype(float) / years + recent[counted].astype(float) / 3.0
    by_place = weight.groupby(names).sum()
    out_of_season = {
        str(row["name"])
        for _, row in bathing_sites(places).iterrows()
        if (months := _season_months(row.get("season_months"))) and month.month not in months
    }
    enough = names.value_counts().reindex(by_place.index, fill_value=0) >= k
    by_place = by_place[(by_place > 0) & enough & ~by_place.index.isin(out_of_season)]
    return [str(n) for n in by_place.sort_values(ascending=False, kind="stable").index[:top]]


def forecast_basis(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    theme: str,
    month: pd.Period,
    end: pd.Timestamp,
) -> int:
    """Count the observations of a theme a forecast of ``month`` rests on.

    Those of the :data:`FORECAST_BASIS_DAYS` before ``end`` and those of the same calendar
    month in earlier years: what is happening now and the season, as :func:`focus_places`
    weighs them.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at``.
    places
        Named places (the theme as the report counts it, :func:`geo.sites.theme_mask`).
    theme
        Löfte theme id.
    month
        The month forecast.
    end
        Where the forecast's history ends (``attrs["history_end"]`` of
        :func:`geo.forecast.forecast_week`, tz-aware).

    Returns
    -------
    int
        The count; below :data:`MIN_FORECAST_EVENTS` no count is forecast for the theme.
    """
    if not len(incidents):
        return 0
    t = pd.to_datetime(incidents["occurred_at"]).dt.tz_convert(settings.timezone)
    recent = t >= end - pd.Timedelta(days=FORECAST_BASIS_DAYS)
    season = (t.dt.month == month.month) & (t.dt.year < month.year)
    counted = theme_mask(incidents, theme, places, shared=True) & (t < end) & (recent | season)
    return int(counted.sum())


def next_month_focus(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
    k: int,
    status: pd.DataFrame,
    forecast_method: str = "default",
    top: int = 3,
    days: int | None = None,
    coverage: Coverage | None = None,
) -> tuple[list[FocusItem], list[str]]:
    """Suggest next month's focus per theme from the forecast, the trends and the plan.

    Themes are ranked by the expected observations next month (the forecast of the first
    ISO week of next month, :func:`geo.forecast.forecast_week`, over the month's days;
    none for a theme with fewer than :data:`MIN_FORECAST_EVENTS` observations in the
    :data:`FORECAST_BASIS_DAYS` before the forecast's history ends and in next month in
    earlier years, :func:`forecast_basis`, which a note names instead: "för få
    händelser"), with reasons: the expected count ("omkring 14", "färre än 5" under ``k``)
    and where (:func:`focus_places`: season and recent events, no bathing site out of
    season), the change against last month and last year, the season (bathing sites
    May–September, motorburen March–September) and plan
    lines not done this month, each named once with its executors' statuses
    (:func:`geo.activity_status.status_by_line`, :func:`plan_reasons`). A line whose month is
    not over on the day ``status`` was told (``pågår``) is not missed: it is named only
    when it is behind what is due so far, with what each executor did of it ("1 av 3
    hittills"), never "ej genomförd".

    Parameters
    ----------
    incidents
        Incidents up to the end of ``month``.
    places
        Named places.
    month
        ``YYYY-MM``; the focus is for the month after.
    k
        Suppression threshold (counts in reasons below ``k`` read "färre än k").
    status
        From :func:`geo.activity_status.activity_status` for ``month``.
    forecast_method
        Method of :func:`geo.forecast.forecast_week`.
    top
        Most focus items.
    days
        The days of ``month`` the data covers, if it ends inside the month: the months are
        then compared over those days (:func:`~geo.report.monthly.selection.compared_periods`).
    coverage
        The months the observations cover: a theme is said to rise only against a last
        month with data, and a month without data is compared with nothing
        (:func:`change_reason` ``missing``).

    Returns
    -------
    tuple
        Focus items (best first) and Swedish notes (e.g. too few events for a forecast).
    """
    from geo.forecast import forecast_week

    p = months.parse_month(month)
    nxt = str(p + 1)
    weeks = months.iso_weeks_of_month(nxt)
    _, end = months.month_bounds(month)
    history = (
        incidents[pd.to_datetime(incidents["occurred_at"]) < end] if len(incidents) else incidents
    )
    notes: list[str] = []
    expected = dict.fromkeys(THEMES, 0.0)
    where: dict[str, list[str]] = {t: [] for t in THEMES}
    # an event at a bathing site is B's, as the report counts it (B read 0: none is stored so)
    fc = (
        forecast_week(history, week=weeks[0], method=forecast_method, places=places)
        if len(history)
        else None
    )
    nxt_month = (p + 1).month
    if fc is None or fc.empty:
        notes.append("För få händelser för en prognos; fokus bygger på säsong och aktivitetsplan.")
    else:
        basis_end = pd.Timestamp(fc.attrs["history_end"])
        too_few = []
        for t in THEMES:
            basis = forecast_basis(history, places, theme=t, month=p + 1, end=basis_end)
            if basis < MIN_FORECAST_EVENTS:
                # a theme out of season next month is no focus item, and not said either
                if t != "B" or nxt_month in BATHING_MONTHS:
                    too_few.append(t)
                continue
            # a week's forecast over the calendar month's days, as the counts beside it are:
            # times its ISO weeks made December (5 weeks, 35 days) 13 % too many
            expected[t] = float(fc[f"risk_{t}"].sum()) * (p + 1).days_in_month / 7
            where[t] = focus_places(history, places, theme=t, month=p + 1, end=end, k=k)
        if too_few:
            notes.append(
                f"För få händelser för en prognos för {month_label(nxt)} för "
                f"{and_list(too_few)} (färre än {MIN_FORECAST_EVENTS} observationer av temat "
                f"de senaste {FORECAST_BASIS_DAYS} dagarna och i {MONTHS_SV[nxt_month - 1]} "
                "tidigare år): där bygger fokus på utvecklingen, säsongen och aktivitetsplanen."
            )
    counts = compared_counts(incidents, places, month=month, k=k, days=days)
    gaps = compared_gaps(month, coverage)
    lines = activity_status.status_by_line(status)
    items = []
    for t in sorted(THEMES, key=lambda t: -expected[t]):
        reasons = []
        if expected[t] >= 0.5:
            n = round(expected[t])
            # where from: the places table counts this month only (a council member's review
            # read "främst kring …" beside "ingen med minst 5" as a contradiction)
            place_text = (
                f", främst kring {', '.join(where[t])} (utifrån samma månad tidigare år och de "
                "senaste 90 dagarna)"
                if where[t]
                else ""
            )
            # "omkring färre än 5" said nothing a reader could take in
            about = f"omkring {n}" if n >= k else f"färre än {k}"
            reasons.append(f"Prognosen: {about} observationer i {month_label(nxt)}{place_text}.")
        (now, _), (last, hide_last), (year, hide_year) = counts[t]
        lacking = (
            (coverage.begun_since(p - 1, p), coverage.begun_since(p - 12, p))
            if coverage is not None
            else ((), ())
        )
        if now >= k and now > last and not any(gaps[:2]) and not lacking[0]:
            hidden = (hide_last, hide_year)
            reasons.append(
                change_reason(
                    now, last, year, month=month, k=k, days=days, hidden=hidden,
                    missing=(gaps[1], gaps[2]), lacking=lacking,
                )
            )  # fmt: skip
        if t == "B" and nxt_month in BATHING_MONTHS:
            reasons.append("Badsäsongen (maj–september) pågår nästa månad.")
        if t == "T" and nxt_month in MOTOR_MONTHS:
            reasons.append("Motorburen problematik ökar under vår och sommar (Brå).")
        reasons.extend(plan_reasons(lines, theme=t, month=month))
        if t == "B" and nxt_month not in BATHING_MONTHS:
            continue
        if reasons:
            items.append(FocusItem(t, THEMES[t], reasons))
    return items[:top], notes
