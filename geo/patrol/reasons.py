"""The Swedish reasons of a stop: what the data say about its place, and why its time."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo.model import CATEGORIES, SOURCES, THEMES
from geo.patrol.profiles import as_profile
from geo.patrol.windows import Windows
from geo.weeks import DAY_ABBR, parse_week, week_monday


def _share_text(share: float) -> str:
    return f"{share * 100:.0f} %"


def _window_text(how: int, length_h: int) -> str:
    day, hour = divmod(how, 24)
    return f"{DAY_ABBR[day % 7]} {hour:02d}–{(hour + length_h) % 24 or 24:02d}"


def explain_time(profile: object, how: int, windows: Windows) -> str:
    """Say in Swedish why a stop is at its trip's time, from the place's weekly forecast profile.

    A stop's reason counts the busiest hours of the last year ("flest lör 14–17"); the trip's
    time is chosen for all its stops within the allowed days and hours. This sentence says
    how much of the place's forecast for the week falls in the trip's window, and, when
    another allowed window holds clearly more, which.

    Parameters
    ----------
    profile
        The candidate's 168-hour forecast profile (Monday 00:00 first).
    how
        Hour of the week the trip's window starts.
    windows
        The week's allowed trip windows.

    Returns
    -------
    str
        E.g. "Tid: 14 % av platsens prognos för veckan faller fre 20–22, turens tid (mest lör
        14–16: 21 %; tiden väljs för alla turens stopp)."
    """
    prof = as_profile(profile)
    hours = np.arange(windows.length_h)
    shares = np.array([prof[(h + hours) % 168].sum() for h in windows.how])
    here = float(prof[(how + hours) % 168].sum())
    text = (
        f"Tid: {_share_text(here)} av platsens prognos för veckan faller "
        f"{_window_text(how, windows.length_h)}, turens tid"
    )
    best = int(np.argmax(shares)) if len(shares) else -1
    if best >= 0 and shares[best] > 1.2 * here and int(windows.how[best]) != how:
        text += (
            f" (mest {_window_text(int(windows.how[best]), windows.length_h)}: "
            f"{_share_text(float(shares[best]))}; tiden väljs för alla turens stopp)"
        )
    return text + "."


def _peak(times: pd.Series) -> str | None:
    """Return the busiest 3-hour band of the week, e.g. ``"fre 21–24"``."""
    if len(times) < 3:
        return None
    local = pd.to_datetime(times).dt.tz_convert(settings.timezone)
    how = (local.dt.day_of_week * 24 + local.dt.hour).to_numpy()
    counts = np.bincount(how, minlength=168).astype(float)
    window = counts + np.roll(counts, -1) + np.roll(counts, -2)
    best = int(np.argmax(window))
    day, hour = divmod(best, 24)
    end = (hour + 3) % 24 or 24
    days = local.dt.day_of_week.value_counts()
    top_days = [DAY_ABBR[int(d)] for d in days.index[:2] if days[d] >= 0.25 * len(local)]
    text = f"{DAY_ABBR[day]} {hour:02d}–{end:02d}"
    if len(top_days) == 2 and DAY_ABBR[day] in top_days:
        text += f" (mest {top_days[0]} och {top_days[1]})"
    return text


def vs_last_year(times: pd.Series, end: pd.Timestamp) -> str:
    """Say how the 90 days before ``end`` compare with the same 90 days a year earlier."""
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


def _source_group(source: str) -> str:
    if source.startswith("polis"):
        return "polisen"
    if source.startswith("kommun"):
        return "kommunen"
    return SOURCES.get(source, source).lower()


def candidate_incidents(candidate: pd.Series, incidents: gpd.GeoDataFrame) -> pd.Series:
    """Tell the incidents a candidate stop speaks for, whenever they happened.

    Parameters
    ----------
    candidate
        A row of :func:`geo.patrol.candidates.plan_candidates`.
    incidents
        Incidents (EPSG:3006) with ``location_precision_m``, ``theme`` and ``place_id``.

    Returns
    -------
    pandas.Series
        Boolean, aligned with ``incidents``: those located within 1000 m inside the
        candidate's ``area`` (traffic ones alone for a control point or a marked spot), or
        tied to its place.
    """
    precise = pd.to_numeric(incidents["location_precision_m"], errors="coerce").fillna(0) <= 1000
    in_area: pd.Series = incidents.geometry.within(candidate["area"]) & precise
    if str(candidate["kind"]) in ("kontrollpunkt", "markerad plats"):
        in_area &= incidents["theme"].astype(str) == "T"
    if candidate.get("place_id") and "place_id" in incidents.columns:
        in_area |= incidents["place_id"].astype(str) == str(candidate["place_id"])
    return in_area


def explain_stop(
    candidate: pd.Series,
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    places: gpd.GeoDataFrame,
    lookback_days: int = 365,
) -> str:
    """Explain in Swedish why a stop is in the plan, from the data and the löfte theme.

    Parameters
    ----------
    candidate
        A row of :func:`plan_candidates`.
    incidents
        Incidents (EPSG:3006); those in the candidate's ``area`` in the ``lookback_days``
        before the week, located within 1000 m (or tied to its place), are counted.
    week
        The plan's ISO week.
    places
        Places (bathing-site incidents count for theme B).
    lookback_days
        Days of history the reason speaks about.

    Returns
    -------
    str
        Counts, period, categories, peak weekday/hours, trend, forecast, löfte theme and
        sources; no free text from incidents and no names.
    """
    end = week_monday(week)
    begin = end - pd.Timedelta(days=lookback_days)
    kind = str(candidate["kind"])
    parts: list[str] = []
    if len(incidents):
        t = pd.to_datetime(incidents["occurred_at"])
        in_area = candidate_incidents(candidate, incidents)
        mask = in_area & (t >= begin) & (t < end)
        sub = incidents[mask]
        hist_mask = in_area & (t < end)
        before = t[t < end]
        # the data may end before the plan week (an import a week ago): say up to where
        last = min(end - pd.Timedelta(days=1), before.max()) if len(before) else end
        period = f"{begin:%Y-%m-%d} – {last:%Y-%m-%d}"
        if len(sub):
            cats = sub["category"].value_counts()
            cat_text = ", ".join(
                f"{n} {CATEGORIES[c].label.split(' (')[0].split('/')[0].lower()}"
                if c in CATEGORIES else f"{n} {c}"
                for c, n in cats.head(3).items()
            )  # fmt: skip
            noun = "händelse" if len(sub) == 1 else "händelser"
            scope = "inom 300 m: " if kind in ("kontrollpunkt", "markerad plats") else ""
            parts.append(f"{scope}{len(sub)} {noun} {period} ({cat_text})")
            peak = _peak(sub["occurred_at"])
            if peak and len(sub) >= 3:
                parts.append(f"flest {peak}")
            elif len(sub) < 3:
                parts.append("för få händelser för säkra slutsatser")
            parts.append(vs_last_year(t[hist_mask], end))
            srcs = sub["source"].astype(str).map(_source_group).value_counts()
            src_text = ", ".join(f"{s} {n}" for s, n in srcs.items())
        else:
            parts.append(f"inga registrerade händelser {period}")
            src_text = ""
    else:
        parts.append("inga registrerade händelser")
        src_text = ""
    risk = float(candidate["risk_week"])
    _year, num = parse_week(week)
    risk_text = f"{risk:.1f}".replace(".", ",")
    parts.append(f"prognos vecka {num}: {risk_text} händelser")
    text = "; ".join(parts) + "."
    text = text[0].upper() + text[1:]
    if kind == "plats" and str(candidate.get("place_id")) in set(
        places.loc[places["kind"] == "badplats", "place_id"].astype(str)
    ):
        text += " Badplats under badsäsongen."
    note = str(candidate.get("source_note") or "")
    if kind == "kontrollpunkt" and note:
        text += f" Hela vägavsnittet: {note}"
    elif kind == "markerad plats" and note:
        text += f" {note}"
    theme = str(candidate["theme"])
    text += f" Löfte: {THEMES.get(theme, theme)}."
    sources = [src_text] if src_text else []
    if kind == "markerad plats":
        sources.append("markerad plats (kommunen)")
    if sources:
        text += " Källor: " + ", ".join(sources) + "."
    return text
