"""The Swedish reasons of a stop: what the data say about its place, and why its time."""

from __future__ import annotations

from collections.abc import Collection

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo.model import SOURCES, THEMES, has_clock_time, short_label
from geo.patrol.profiles import HOURS_OF_WEEK, as_profile, hour_of_week
from geo.patrol.windows import Windows
from geo.sites import bathing_site_ids, theme_mask
from geo.timespan import covered_span, whole_steps
from geo.weeks import DAY_ABBR, parse_week, week_monday
from geo.words import and_list

#: Radius (m) of the circle a control point's or a marked spot's reason counts in; an event
#: placed less precisely than this may lie outside it and is left out (and said so).
NEAR_RADIUS_M = 300.0
#: Days of history a stop's reason (and the plan's road segments) speak about.
LOOKBACK_DAYS = 365
#: Days a stop's events may have paused before the data end before its reason says when the
#: last was: W49's vehicle checks went to villages whose mopeds had stopped on 31 October.
QUIET_DAYS = 14
#: The stop's hour is compared with an average hour of the week (1/168 of it) from this many
#: times it: "5 %" alone read as little to a planner, though it is eight average hours' worth.
ABOVE_AVERAGE = 2.0
#: A better time is named when it holds this many times the stop's share and this much more
#: of the week: "(mest fre 20–21: 7 %)" beside a stop's 6 % was no advice (a planner's review).
BETTER_BY = (1.2, 0.05)


def _share_text(share: float) -> str:
    return f"{share * 100:.0f} %"


def _window_text(how: int, length_h: int) -> str:
    day, hour = divmod(how, 24)
    return f"{DAY_ABBR[day % 7]} {hour:02d}–{(hour + length_h) % 24 or 24:02d}"


def explain_time(profile: object, start: pd.Timestamp, end: pd.Timestamp, windows: Windows) -> str:
    """Say in Swedish why a stop is at its time, from the place's weekly forecast profile.

    A stop's reason counts the busiest hours of the last year ("flest händelser lör 14–17");
    the trip's time is chosen for all its stops within the allowed days and hours. This
    sentence says how much of the place's forecast for the week falls in the clock hour the
    stop's middle lies in (21:22–21:38 is "lör 21–22"; it said the trip's two-hour window,
    "lör 21–23", which two planners' reviews read against a 16-minute stop), and, when another
    allowed hour holds clearly more (:data:`BETTER_BY`), which. A share of the week reads small
    (a place's week has 168 hours); from :data:`ABOVE_AVERAGE` times an average hour's share
    the sentence says how many times.

    Parameters
    ----------
    profile
        The candidate's 168-hour forecast profile (Monday 00:00 first).
    start, end
        The stop's start and end (tz-aware or local).
    windows
        The week's allowed trip windows (the other times compared start where they do).

    Returns
    -------
    str
        E.g. "Tid: 7 % av platsens prognos för veckan infaller under stoppets timme, fre 20–21,
        12 gånger en genomsnittlig timme (mest lör 14–15: 21 %; tiden väljs för alla turens
        stopp)."
    """
    prof = as_profile(profile)
    local = [pd.Timestamp(x).tz_convert(settings.timezone) if pd.Timestamp(x).tzinfo else
             pd.Timestamp(x) for x in (start, end)]  # fmt: skip
    # the clock hour the stop's middle falls in: a 16-minute stop over 21:00 read "fre 20–22"
    # and twice the share of the same stop a week earlier at 20:28 (a planner's review)
    middle = (local[0] + (local[1] - local[0]) / 2).floor("h")
    how = middle.day_of_week * 24 + middle.hour
    shares = np.array([prof[h % 168] for h in windows.how])
    here = float(prof[how % 168])
    text = (
        f"Tid: {_share_text(here)} av platsens prognos för veckan infaller under stoppets "
        f"timme, {_window_text(how, 1)}"
    )
    if here * HOURS_OF_WEEK >= ABOVE_AVERAGE:
        text += f", {here * HOURS_OF_WEEK:.0f} gånger en genomsnittlig timme"
    best = int(np.argmax(shares)) if len(shares) else -1
    if (
        best >= 0
        and shares[best] > BETTER_BY[0] * here
        and shares[best] >= here + BETTER_BY[1]
        and int(windows.how[best]) != how
    ):
        text += (
            f" (mest {_window_text(int(windows.how[best]), 1)}: "
            f"{_share_text(float(shares[best]))}; tiden väljs för alla turens stopp)"
        )
    return text + "."


def _peak(times: pd.Series) -> str | None:
    """Return the busiest 3-hour band of the week, e.g. ``"fre 21–24 (oftast lör och fre)"``.

    The days in brackets are the two with the most events, when each holds a quarter of them
    ("(mest tis och lör)" beside "flest" read as a second busiest band: a planner's review).
    """
    if len(times) < 3:
        return None
    local = pd.to_datetime(times).dt.tz_convert(settings.timezone)
    counts = np.bincount(hour_of_week(local), minlength=HOURS_OF_WEEK).astype(float)
    window = counts + np.roll(counts, -1) + np.roll(counts, -2)
    best = int(np.argmax(window))
    day, hour = divmod(best, 24)
    end = (hour + 3) % 24 or 24
    days = local.dt.day_of_week.value_counts()
    top_days = [DAY_ABBR[int(d)] for d in days.index[:2] if days[d] >= 0.25 * len(local)]
    text = f"{DAY_ABBR[day]} {hour:02d}–{end:02d}"
    if len(top_days) == 2 and DAY_ABBR[day] in top_days:
        text += f" (oftast {top_days[0]} och {top_days[1]})"
    return text


def data_end(times: pd.Series, before: pd.Timestamp) -> pd.Timestamp:
    """Return the end of the last whole ISO week the data cover before ``before``.

    A week planned on Monday the 30th with data imported to Sunday the 22nd must not count
    the week in between as a week without events; comparisons of "the last 90 days" end here.

    Parameters
    ----------
    times
        Times of all the events (tz-aware), not only those of one place: the data's end is
        where the import ended, not a place's last event.
    before
        The time nothing after counts (the planned week's Monday), tz-aware.

    Returns
    -------
    pandas.Timestamp
        tz-aware Monday 00:00 after the data's last whole week (:func:`geo.timespan.covered_span`,
        :func:`geo.timespan.whole_steps`), at most ``before``; ``before`` when the data cover
        no whole week before it.
    """
    t = pd.to_datetime(times).dropna()
    t = t[t < before]
    if t.empty:
        return before
    local = t.dt.tz_convert(settings.timezone).dt.tz_localize(None)
    start, end = covered_span(local)
    weeks = whole_steps(start, end, "W")
    if not len(weeks):
        return before
    after = pd.Timestamp(weeks[-1].end_time).normalize() + pd.Timedelta(days=1)
    return min(before, after.tz_localize(settings.timezone))


def vs_last_year(times: pd.Series, end: pd.Timestamp) -> str:
    """Say how the 90 days before ``end`` compare with the same 90 days a year earlier.

    Parameters
    ----------
    times
        The place's event times (tz-aware).
    end
        Where the data end (:func:`data_end`), not the planned week's Monday: days with no
        data yet would count as days without events and bias the comparison to "färre".

    Returns
    -------
    str
        E.g. "färre än samma 90 dagar i fjol (22 mot 66)".
    """
    recent = int(((times >= end - pd.Timedelta(days=90)) & (times < end)).sum())
    ly_end = end - pd.DateOffset(years=1)
    last_year = int(((times >= ly_end - pd.Timedelta(days=90)) & (times < ly_end)).sum())
    if recent + last_year < 5:
        return "för få händelser för att jämföra med i fjol"
    diff = recent - last_year
    if (last_year and abs(diff) / last_year < 0.2) or diff == 0:
        word = "ungefär lika många som"
    else:
        word = "fler än" if diff > 0 else "färre än"
    return f"{word} samma 90 dagar i fjol ({recent} mot {last_year})"


def reason_period(
    times: pd.Series, week: str, *, lookback_days: int = LOOKBACK_DAYS
) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """Return the period a week's reasons count events in, and how they name it.

    Parameters
    ----------
    times
        Times of all the events (tz-aware).
    week
        The planned ISO week: nothing from its Monday on counts.
    lookback_days
        Days of history before the week.

    Returns
    -------
    tuple
        ``(begin, end, text)``: events at ``begin <= t < end`` (``end`` the week's Monday)
        count; ``text`` is "2025-11-23 – 2026-11-22": ``lookback_days`` ending with the data's
        last day before the week (an import a week ago). The year ends where the data do, so a
        week planned later on the same data counts the same year: anchored on the week's
        Monday, W52 read "95 händelser 2025-12-21 – 2026-11-22" where W49 read 110, with no
        new data (a planner's review).
    """
    end = week_monday(week)
    t = pd.to_datetime(times)
    before = t[t < end] if len(t) else t
    last = min(end - pd.Timedelta(days=1), before.max()) if len(before) else end
    last = pd.Timestamp(last).tz_convert(settings.timezone)
    # from the data before the week alone, so a past week's plan made again later, with more
    # data, counts the same year (a quiet Sunday before the week ends its year a day early)
    stop = min(end, last.normalize() + pd.Timedelta(days=1))
    begin = stop - pd.Timedelta(days=lookback_days)
    return begin, end, f"{begin:%Y-%m-%d} – {last:%Y-%m-%d}"


def _number(value: float) -> str:
    """Return ``value`` with one decimal and a decimal comma, e.g. ``"1,9"``."""
    return f"{value:.1f}".replace(".", ",")


def _count_text(events: pd.DataFrame, period: str = "") -> str:
    """Return e.g. ``"142 händelser <period> (61 alkohol, 49 narkotika, 19 ordningsstörning)"``."""
    cats = events["category"].value_counts()
    cat_text = ", ".join(f"{n} {short_label(str(c))}" for c, n in cats.head(3).items())
    noun = "händelse" if len(events) == 1 else "händelser"
    return f"{len(events)} {noun} {period} ({cat_text})".replace("  ", " ")


def _source_group(source: str) -> str:
    if source.startswith("polis"):
        return "polisen"
    if source.startswith("kommun"):
        return "kommunen"
    return SOURCES.get(source, source).lower()


def _is_near_kind(candidate: pd.Series) -> bool:
    """Tell a control point or a marked spot: its reason counts a circle (:data:`NEAR_RADIUS_M`)."""
    return str(candidate["kind"]) in ("kontrollpunkt", "markerad plats")


def candidate_incidents(
    candidate: pd.Series, incidents: gpd.GeoDataFrame, *, vague: bool = False
) -> pd.Series:
    """Tell the incidents a candidate stop speaks for, whenever they happened.

    Parameters
    ----------
    candidate
        A row of :func:`geo.patrol.candidates.plan_candidates`.
    incidents
        Incidents (EPSG:3006) with ``location_precision_m``, ``theme`` and ``place_id``.
    vague
        Tell instead the incidents in the candidate's ``area`` left out because they are
        placed less precisely than it asks.

    Returns
    -------
    pandas.Series
        Boolean, aligned with ``incidents``: those located inside the candidate's ``area``
        (those of its theme alone for a control point or a marked spot) within 1000 m, or tied to
        its place; for a control point or a marked spot, whose area is a circle of
        :data:`NEAR_RADIUS_M`, within that radius (a police event placed on Fjugesta
        centrum's point, 700 m, may lie anywhere in the town, not within 300 m of the road).
    """
    near_kind = _is_near_kind(candidate)
    limit = NEAR_RADIUS_M if near_kind else 1000.0
    precision = pd.to_numeric(incidents["location_precision_m"], errors="coerce").fillna(0)
    in_area: pd.Series = incidents.geometry.within(candidate["area"])
    if near_kind:  # a check's traffic; an "övrigt" spot's (theme S) samverkan och övrigt
        in_area &= incidents["theme"].astype(str) == str(candidate["theme"])
    if vague:
        out: pd.Series = in_area & (precision > limit)
        return out
    in_area &= precision <= limit
    if candidate.get("place_id") and "place_id" in incidents.columns:
        in_area |= incidents["place_id"].astype(str) == str(candidate["place_id"])
    return in_area


def explain_stop(
    candidate: pd.Series,
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    places: gpd.GeoDataFrame,
    lookback_days: int = LOOKBACK_DAYS,
    check_categories: Collection[str] | None = None,
) -> str:
    """Explain in Swedish why a stop is in the plan, from the data and the löfte theme.

    Parameters
    ----------
    candidate
        A row of :func:`plan_candidates`.
    incidents
        Incidents (EPSG:3006); those of the stop's löfte theme (at a bathing site all there,
        :func:`geo.sites.theme_mask`) in the candidate's ``area`` in the ``lookback_days``
        before the week, located within 1000 m (or tied to its place), are counted, and the
        other themes' events there are named apart ("andra teman på platsen: …"); for a
        control point or a marked spot, those within :data:`NEAR_RADIUS_M` ("inom 300 m"),
        and how many were left out for being placed less precisely. The comparison with
        last year ends where the data do (:func:`data_end`).
    week
        The plan's ISO week.
    places
        Places (bathing-site incidents count for theme B).
    lookback_days
        Days of history the reason speaks about.
    check_categories
        For a control point, the categories its check is for
        (:meth:`~geo.patrol.priorities.PlanSettings.activity_categories`): its comparison
        with last year counts those alone and names them ("hastighet och vårdslös körning:
        färre än …"); a speed check read "färre än samma 90 dagar i fjol (3 mot 24)" where 20
        of last year's 24 were loud cars and mopeds.

    Returns
    -------
    str
        The theme and its counts, period, categories, the last event's day when it is
        :data:`QUIET_DAYS` or more before the data end, peak weekday/hours, the comparison
        with last year, the other themes, the forecast (and the theme's part of it), löfte
        theme and sources; no free text from incidents and no names.
    """
    kind = str(candidate["kind"])
    theme = str(candidate["theme"])
    near = _is_near_kind(candidate)
    parts: list[str] = []
    if len(incidents):
        t = pd.to_datetime(incidents["occurred_at"])
        begin, end, period = reason_period(t, week, lookback_days=lookback_days)
        in_area = candidate_incidents(candidate, incidents)
        in_period = (t >= begin) & (t < end)
        # a place's stop speaks for its löfte theme: a speed check at Gropen is not
        # explained by a theft there (a control point or spot counts its theme only anyway)
        of_theme = in_area if near else in_area & theme_mask(incidents, theme, places)
        sub = incidents[of_theme & in_period]
        others = incidents[in_area & in_period & ~of_theme]
        hist_mask = of_theme & (t < end)
        scope = f"inom {NEAR_RADIUS_M:.0f} m: " if near else f"{THEMES.get(theme, theme)}: "
        vague = (
            int((candidate_incidents(candidate, incidents, vague=True) & in_period).sum())
            if near
            else 0
        )
        vague_text = (
            f"{vague} {'händelse' if vague == 1 else 'händelser'} med läge osäkrare än "
            f"{NEAR_RADIUS_M:.0f} m (t.ex. bara ortens mittpunkt) är inte medräknade"
        )
        if len(sub):
            parts.append(f"{scope}{_count_text(sub, period)}")
            if vague:
                parts.append(vague_text)
            # a problem that paused (motorburen problematik in winter) says since when
            latest = pd.to_datetime(sub["occurred_at"]).max()
            if t[t < end].max() - latest >= pd.Timedelta(days=QUIET_DAYS):
                parts.append(f"senaste {latest.tz_convert(settings.timezone):%Y-%m-%d}")
            peak = _peak(sub.loc[has_clock_time(sub), "occurred_at"])  # not dates alone
            if peak and len(sub) >= 3:
                parts.append(f"flest händelser {peak}")
            elif len(sub) < 3:
                parts.append("för få händelser för säkra slutsatser")
            srcs = sub["source"].astype(str).map(_source_group).value_counts()
            src_text = ", ".join(f"{s} ({n})" for s, n in srcs.items())
        else:
            parts.append(f"{scope}inga registrerade händelser {period}")
            if vague:
                parts.append(vague_text)
            src_text = ""
        compared = ""
        if kind == "kontrollpunkt" and check_categories:
            category = incidents["category"].astype(str)
            seen = category[hist_mask].value_counts()
            named = [c for c in seen.index if c in set(check_categories)]
            hist_mask &= category.isin(set(check_categories))
            compared = and_list([short_label(c) for c in named]) + ": " if named else ""
        if len(sub) or hist_mask.any():
            parts.append(compared + vs_last_year(t[hist_mask], data_end(t, end)))
        if len(others):
            parts.append(f"andra teman på platsen: {_count_text(others)}")
    else:
        parts.append("inga registrerade händelser")
        src_text = ""
    risk = float(candidate["risk_week"])
    _year, num = parse_week(week)
    parts.append(f"prognos vecka {num}: {_number(risk)} händelser")
    risk_theme = candidate.get(f"risk_{theme}")
    if (
        risk_theme is not None
        and theme != "B"
        and not near
        and _number(float(risk_theme)) != _number(risk)
    ):
        # the stop's value counts every theme; say how much of it is the stop's own
        parts[-1] += f", varav {_number(float(risk_theme))} {THEMES.get(theme, theme).lower()}"
    text = "; ".join(parts) + "."
    text = text[0].upper() + text[1:]
    if kind == "plats" and str(candidate.get("place_id")) in bathing_site_ids(places):
        text += " Badplats under badsäsongen."
    note = str(candidate.get("source_note") or "")
    if kind == "kontrollpunkt" and note:
        text += f" Hela vägavsnittet: {note}"
    elif kind == "markerad plats" and note:
        text += f" {note}"
    text += f" Löfte: {THEMES.get(theme, theme)}."
    sources = [src_text] if src_text else []
    if kind == "markerad plats":
        sources.append("markerad plats (kommunen)")
    if sources:
        text += " Källor: " + ", ".join(sources) + "."
    return text
