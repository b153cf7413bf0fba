"""Features of the analysis layers the internal map draws beside Gi*: emerging hot spots, forecast.

Each function turns a store layer into GeoJSON-ready features (``_title``, ``_color``,
``_rows`` for the popups of :func:`geo.maps.base.geojson_layer`) and the legend items of
what it shows; :func:`geo.maps.lagesbild.lagesbild_map` adds them as layers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.forecast import STALE_HISTORY_DAYS
from geo.maps.base import MIN_ANALYSIS_CELL_PX, busiest_hours, list_value

#: Colours of the emerging-hot-spot patterns (the Swedish labels of
#: :data:`geo.hotspots.EMERGING_LABELS`): reds darker the stronger and more lasting the hot
#: spot, brown for one fading (not purple, narkotika's colour), grey for one that was; a cold
#: pattern is blue. None is a category's colour (:data:`geo.maps.base.CATEGORY_COLORS`).
EMERGING_COLORS: dict[str, str] = {
    "intensifierande": "#67000d",
    "ihållande": "#a50f15",
    "konsekutiv": "#de2d26",
    "ny": "#fb6a4a",
    "oscillerande": "#fc9272",
    "sporadisk": "#fcbba1",
    "avtagande": "#a6761d",
    "historisk": "#969696",
}
COLD_COLOR = "#4393c3"
#: A cell whose pattern is this (or ``för få händelser``) is not drawn.
NO_PATTERNS: tuple[str, ...] = ("inget mönster", "för få händelser")

#: Share of the week's expected events the forecast layer draws, riskiest cells first.
FORECAST_SHARE = 0.5
#: Colours of the forecast cells, from the least to the most expected events of those drawn.
#: ColorBrewer's RdPu: pinks are no theme's, category's or other layer's colour (oranges are
#: traffic's, and the darkest one was trafikolycka's).
FORECAST_RAMP: tuple[str, ...] = ("#fde0dd", "#fcc5c0", "#fa9fb5", "#f768a1", "#c51b8a", "#7a0177")


def _pattern_color(pattern: str) -> str:
    if pattern.endswith(" kall"):
        return COLD_COLOR
    return EMERGING_COLORS.get(pattern, "#333333")


def emerging_features(
    emerging: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, list[tuple[str, str, str]]]:
    """Return the cells with an emerging-hot-spot pattern, and the legend of those present.

    Parameters
    ----------
    emerging
        The store layer ``emerging`` (:func:`geo.hotspots.emerging_hotspots`): ``pattern``,
        ``n_events``, ``hot_steps``, ``cold_steps``, ``n_steps``.

    Returns
    -------
    tuple
        Features (one per cell with a pattern, popups naming it and its hot and cold steps)
        and legend items ``(colour, label, "fill")`` in the order of :data:`EMERGING_COLORS`.
    """
    shown = emerging[~emerging["pattern"].astype(str).isin(NO_PATTERNS)]
    rows = []
    for rec in shown.to_dict("records"):
        pattern = str(rec["pattern"])
        cold = pattern.endswith(" kall")
        name = pattern.removesuffix(" kall")
        steps = int(rec.get("n_steps") or 0)
        rows.append(
            {
                "_title": f"{name.capitalize()} {'kall ruta' if cold else 'hot spot'}",
                # its button's name, with the nearest place (mapkeys.js)
                "_name": f"{name.capitalize()} {'kall ruta' if cold else 'hot spot'} "
                f"(framväxande): {int(rec.get('n_events') or 0)} händelser i rutan",
                "_near": True,
                "_color": _pattern_color(pattern),
                "_min_px": MIN_ANALYSIS_CELL_PX,
                "_rows": [
                    ["Mönster", pattern],
                    ["Händelser i rutan", str(int(rec.get("n_events") or 0))],
                    ["Heta månader", f"{int(rec.get('hot_steps') or 0)} av {steps}"],
                    ["Kalla månader", f"{int(rec.get('cold_steps') or 0)} av {steps}"],
                ],
            }
        )
    features = gpd.GeoDataFrame(rows, geometry=shown.geometry.to_numpy(), crs=emerging.crs)
    present = set(shown["pattern"].astype(str))
    legend = [
        (color, f"Framväxande: {label}", "fill")
        for label, color in EMERGING_COLORS.items()
        if label in present
    ]
    if any(p.endswith(" kall") for p in present):
        legend.append((COLD_COLOR, "Framväxande: kall ruta", "fill"))
    return features, legend


def forecast_features(
    forecast: gpd.GeoDataFrame, *, share: float = FORECAST_SHARE
) -> tuple[gpd.GeoDataFrame, float]:
    """Return the riskiest forecast cells holding ``share`` of the week's expected events.

    Parameters
    ----------
    forecast
        The store layer ``forecast`` (:func:`geo.forecast.forecast_week`): ``risk_week`` and
        ``how_profile`` per cell.
    share
        Draw the riskiest cells until they hold this share of the expected events (the
        rest is a thin spread over the kommun that would hide the map).

    Returns
    -------
    tuple
        Features (riskiest first, shaded by rank: each of :data:`FORECAST_RAMP`'s shades
        for about as many cells, the darkest for the riskiest; popups with the expected
        events, their share of the week's and the likeliest hours) and the share of the
        expected events they hold.
    """
    total = float(forecast["risk_week"].sum()) if len(forecast) else 0.0
    if total <= 0:
        return gpd.GeoDataFrame({"_title": []}, geometry=[], crs=forecast.crs), 0.0
    ranked = forecast.sort_values("risk_week", ascending=False, kind="stable")
    cum = ranked["risk_week"].cumsum().to_numpy() / total
    keep = ranked.iloc[: int(np.searchsorted(cum, share)) + 1]
    # colour by rank, each shade for as many cells (equal cells alike): by the share of the
    # top cell's, most of a week's 67 cells were the palest pink at the kommun's zoom (a map
    # reviewer); the popup says each cell's number
    ranks = keep["risk_week"].rank(ascending=False, method="min").to_numpy() - 1
    levels = len(FORECAST_RAMP) - 1 - (ranks * len(FORECAST_RAMP) // len(keep)).astype(int)
    rows: list[dict[str, Any]] = []
    for rec, level in zip(keep.to_dict("records"), levels, strict=True):
        risk = float(rec["risk_week"])
        rows.append(
            {
                "_title": "Prognos för veckan",
                # its button's name, with the nearest place (mapkeys.js)
                "_name": f"Prognos för veckan: {f'{risk:.2f}'.replace('.', ',')} väntade händelser",
                "_near": True,
                "_color": FORECAST_RAMP[level],
                "_min_px": MIN_ANALYSIS_CELL_PX,
                "_rows": [
                    ["Väntade händelser", f"{risk:.2f}".replace(".", ",")],
                    ["Andel av veckans", f"{100 * risk / total:.1f} %".replace(".", ",")],
                    ["Troligaste timmar", busiest_hours(list_value(rec.get("how_profile")))],
                ],
            }
        )
    held = float(keep["risk_week"].sum()) / total
    features = gpd.GeoDataFrame(rows, geometry=keep.geometry.to_numpy(), crs=forecast.crs)
    return features, held


def forecast_week_label(forecast: gpd.GeoDataFrame) -> str:
    """Return the forecast's week as the map names it (``2026-W49``), or ``""``.

    With the last day of its history when that is more than
    :data:`geo.forecast.STALE_HISTORY_DAYS` before the week, as ``geo forecast`` warns
    (``2027-W20, data t.o.m. 22/11 2026``), so a forecast made far ahead of its data is not
    read as made from this week's.
    """
    if "week" not in forecast.columns or forecast.empty or pd.isna(forecast["week"].iloc[0]):
        return ""
    week = str(forecast["week"].iloc[0])
    if "-W" not in week:
        return ""
    label = week
    if "history_end" in forecast.columns and pd.notna(forecast["history_end"].iloc[0]):
        end = pd.Timestamp(str(forecast["history_end"].iloc[0]))
        year, num = (int(v) for v in week.split("-W"))
        if (date.fromisocalendar(year, num, 1) - end.date()).days > STALE_HISTORY_DAYS:
            last = end - pd.Timedelta(days=1)
            label += f", data t.o.m. {last.day}/{last.month} {last.year}"
    return label
