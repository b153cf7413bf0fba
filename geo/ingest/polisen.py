"""The police open events API (``polisen.se/api/events``): parse its events and fetch them politely.

The API's ``location.gps`` is the centroid of the kommun or län, not the event; events are
stored at that centroid with an honest ``location_precision_m`` and moved to a named place
when the title, summary or archived text names one in the gazetteer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import numpy as np
import pandas as pd

from geo import settings
from geo.errors import NetworkError
from geo.ingest.normalize import Normalized, _hash, empty_quarantine
from geo.model import (
    CATEGORIES,
    INCIDENT_COLUMNS,
    POLISEN_SUMMARY_PREFIX,
    category_from_polisen_type,
)
from geo.projection import to_working
from geo.sites import (
    Gazetteer,
    PlaceMatch,
    assign_places,
    bathing_site_ids,
    inside_kommun,
    load_boundary,
)

logger = logging.getLogger(__name__)

#: A road named in an event's text: "E18", "E 18", "Lv 691", "länsväg 204", "väg 204",
#: "riksväg 50", "trafikplats Lekhyttan", or a stretch "mellan Fjugesta och Lanna".
ROAD_TEXT = re.compile(
    r"\b(?:E\s?\d{1,2}|(?:Lv|Rv|länsväg|riksväg|väg)\s?\d{2,3}|trafikplats)\b"
    r"|\bmellan\s+\w+\s+och\s+\w+",
    re.IGNORECASE,
)
#: An event on a stretch between two places: somewhere along it, not at the first one named.
BETWEEN_TEXT = re.compile(r"\bmellan\s+\w+\s+och\s+\w+", re.IGNORECASE)
#: Least precision (m) of an event on a road "mellan X och Y" placed at X: the villages of
#: Lekeberg lie a few km apart, so the event may be that far from X.
BETWEEN_PRECISION_M = 2000.0


def place_from_text(
    gazetteer: Gazetteer, text: str, *, bathing: set[str], category: str
) -> tuple[PlaceMatch | None, float | None]:
    """Return the place a police event's text puts it at, and how precisely.

    A traffic event or one naming a road ("Singelolycka på E 18 vid Lekhyttan", "kolliderat
    på Lv 691 mellan Lanna och Lekhyttan") happened on the road, not at a bathing site the
    text names beside it: bathing sites are skipped for it (the next place named is taken, or
    none, and the event stays at the kommun centroid), so it neither counts for theme B nor
    sits 250 m from the beach. An event "mellan X och Y" lies somewhere on that stretch: it
    is placed at X, but at least :data:`BETWEEN_PRECISION_M` imprecise and tied to no place.

    Parameters
    ----------
    gazetteer
        The places' gazetteer.
    text
        The event's title, summary and archived text.
    bathing
        ``place_id`` of the bathing sites.
    category
        The event's category.

    Returns
    -------
    tuple
        The place (``None``: none named, or only bathing sites for a road event) and the
        precision in metres to store, ``None`` when the event is to be tied to the place.
    """
    found = gazetteer.find_all_in_text(text, case_sensitive=True)
    road = category == "trafikolycka" or bool(ROAD_TEXT.search(text))
    if road:
        found = [m for m in found if m.place_id not in bathing]
    if not found:
        return None, None
    match = found[0]
    if road and BETWEEN_TEXT.search(text):
        return match, max(match.precision_m, BETWEEN_PRECISION_M)
    return match, None


def centroid_precision_m() -> float:
    """Return how far an event at the kommun centroid may be from the truth: the kommun's radius."""
    boundary = load_boundary()
    return float(np.ceil(boundary.hausdorff_distance(boundary.centroid) / 100.0) * 100.0)


def normalize_events(
    events: list[dict[str, Any]], lines: np.ndarray, places: gpd.GeoDataFrame
) -> Normalized:
    """Turn police open-API events into incidents and quarantined rows.

    Parameters
    ----------
    events
        Events as the API returns them (``id``, ``datetime``, ``name``, ``summary``,
        ``type``, ``location.name``, ``location.gps``; dumps may add ``html_text_excerpt``).
    lines
        The record number of each event in its file (1-based).
    places
        Places for the gazetteer.

    Returns
    -------
    Normalized
        Events of the kommun (or naming one of its places) as incidents; summaries and
        events elsewhere quarantined with the reason.
    """
    gazetteer = Gazetteer(places)
    bathing = bathing_site_ids(places)
    kommun = settings.kommun_name
    centroid_prec = centroid_precision_m()
    records: list[dict[str, Any]] = []
    quarantined: list[dict[str, Any]] = []
    for line, ev in zip(lines, events, strict=True):
        raw = json.dumps(ev, ensure_ascii=False)
        etype = str(ev.get("type", ""))
        loc = ev.get("location") or {}
        loc_name = str(loc.get("name", ""))
        text = " ".join(str(ev.get(k) or "") for k in ("name", "summary", "html_text_excerpt"))
        try:
            at = pd.Timestamp(str(ev["datetime"]).replace(" +", "+")).tz_convert(settings.timezone)
            lat, lon = (float(v) for v in str(loc["gps"]).split(","))
            event_id = int(ev["id"])
        except (KeyError, ValueError, TypeError) as e:
            quarantined.append(
                {
                    "line": int(line),
                    "reason": "no_time",
                    "detail": f"unreadable event: {e}; the file is not an intact police open-API"
                    " export, fetch it again (geo import --polisen-api)",
                    "raw": raw,
                }
            )
            continue
        if etype.startswith(POLISEN_SUMMARY_PREFIX):
            quarantined.append(
                {
                    "line": int(line),
                    "reason": "summary_not_incident",
                    "detail": f"type {etype!r} summarises a shift; not an incident, nothing to fix",
                    "raw": raw,
                }
            )
            continue
        found = gazetteer.find_in_text(text, case_sensitive=True)
        place = found.name if found is not None else None
        place = place or next(
            (
                name
                for name in settings.kommun_localities
                if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)
            ),
            None,
        )
        in_kommun = loc_name == kommun or (
            place is not None and (loc_name == settings.lan_name or kommun in text)
        )
        if not in_kommun:
            # an event the police place in a neighbouring kommun may still name a place of
            # ours (Vintrosa, at the border with Örebro): said so, not "names none"
            detail = (
                f"the police place the event in {loc_name!r}, not {kommun!r}, though it names "
                f"{place!r} (a place by the kommun border); nothing to fix when they placed it "
                "right"
                if place
                else f"police location {loc_name!r} is not {kommun!r} and names none of its "
                "places; nothing to fix when the event happened elsewhere"
            )
            quarantined.append(
                {"line": int(line), "reason": "outside_kommun", "detail": detail, "raw": raw}
            )
            continue
        category = category_from_polisen_type(etype)
        match, stretch_prec = place_from_text(gazetteer, text, bathing=bathing, category=category)
        if match is not None:
            x, y, prec, flag = match.point.x, match.point.y, match.precision_m, "place_from_text"
            if stretch_prec is not None:  # somewhere on the road between two places
                prec, match = stretch_prec, None
        else:
            tx, ty = to_working([lon], [lat], 4326)
            x, y, prec, flag = float(tx[0]), float(ty[0]), centroid_prec, "kommun_centroid"
        records.append(
            {
                "incident_id": f"polisen:{event_id}",
                "source": "polisen_api",
                "reporter_org": "Polisen",
                "occurred_at": at,
                "occurred_until": pd.NaT,
                "time_precision": "hour",
                "time_flag": None,
                "category": category,
                "theme": CATEGORIES[category].theme,
                "place_id": match.place_id if match else None,
                "place_name": match.name if match else None,
                "location_precision_m": prec,
                "location_flag": flag,
                "description": f"{etype}: {ev.get('summary') or ''}".strip(),
                "reported_to_police": "ja",
                "weight": 1.0,
                "kommunkod": settings.kommunkod,
                "import_id": None,
                "content_hash": _hash(
                    ev.get("datetime"), etype, ev.get("name"), ev.get("summary"), loc_name
                ),
                "x": x,
                "y": y,
            }
        )
    df = pd.DataFrame.from_records(
        records, columns=[*INCIDENT_COLUMNS[:-1], "content_hash", "x", "y"]
    )
    geoms = gpd.points_from_xy(
        df.pop("x").astype(float), df.pop("y").astype(float), crs=settings.working_crs
    )
    gdf = gpd.GeoDataFrame(df, geometry=geoms, crs=settings.working_crs)
    if len(gdf):
        outside = ~inside_kommun(gdf.geometry)
        if outside.any():
            logger.warning(
                "%d police events located outside the boundary kept at their named place",
                int(outside.sum()),
            )
        # an event at the kommun centroid may lie in a place; one on a stretch "mellan X och
        # Y", at X's point, is tied to no place
        missing = gdf["place_id"].isna() & (gdf["location_flag"] == "kommun_centroid")
        assigned = assign_places(gdf.geometry[missing], places)
        gdf.loc[missing, "place_id"] = assigned["place_id"]
        gdf.loc[missing, "place_name"] = assigned["place_name"]
    quarantine = pd.DataFrame.from_records(quarantined) if quarantined else empty_quarantine()
    return Normalized(gdf, quarantine)


@dataclass
class RateLimiter:
    """Keep to the police API's rules: ≥ ``min_interval_s`` apart, ≤ ``max_per_hour`` calls an hour.

    Call times are kept in a small JSON file so the rule holds across runs.

    Parameters
    ----------
    state_file
        Where the recent call times are kept.
    min_interval_s, max_per_hour
        The limits (defaults from settings: 10 s and 60 an hour).
    clock, sleep
        Injected for tests.
    """

    state_file: Path
    min_interval_s: float = field(default_factory=lambda: settings.polisen_min_interval_s)
    max_per_hour: int = field(default_factory=lambda: settings.polisen_max_calls_per_hour)
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    def _calls(self) -> list[float]:
        try:
            calls = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return []
        return [float(t) for t in calls if isinstance(t, int | float)]

    def acquire(self) -> None:
        """Wait until a call is allowed and record it.

        Raises
        ------
        NetworkError
            If the hourly budget is spent (the message says when to try again).
        """
        now = self.clock()
        calls = [t for t in self._calls() if now - t < 3600.0]
        if len(calls) >= self.max_per_hour:
            wait_min = (3600.0 - (now - min(calls))) / 60.0
            msg = (
                f"The police API allows {self.max_per_hour} calls an hour and they are used; "
                f"try again in {wait_min:.0f} minutes."
            )
            raise NetworkError(msg)
        if calls and now - max(calls) < self.min_interval_s:
            self.sleep(self.min_interval_s - (now - max(calls)))
            now = self.clock()
        calls.append(now)
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(calls), encoding="utf-8")


def fetch_events(
    *,
    location_names: list[str],
    out_dir: Path,
    base_url: str | None = None,
    limiter: RateLimiter | None = None,
) -> Path:
    """Fetch current events for some locations and archive the response as a JSON file.

    Parameters
    ----------
    location_names
        Police location names (``["Lekeberg", "Örebro län"]``); sent as ``locationname``.
    out_dir
        Folder for the archived response (``events-<UTC time>-<hash>.json``).
    base_url
        The API URL; default ``settings.polisen_api_url``.
    limiter
        Rate limiter; default one keeping its state in ``out_dir/.api_calls.json``.

    Returns
    -------
    Path
        The archived response, ready for :func:`geo.ingest.import_file`.

    Raises
    ------
    NetworkError
        If the API cannot be reached, answers an error, or returns no list of events.
    """
    url = base_url or settings.polisen_api_url
    limiter = limiter or RateLimiter(out_dir / ".api_calls.json")
    limiter.acquire()
    params = {"locationname": ";".join(location_names)}
    headers = {"User-Agent": settings.user_agent, "Accept": "application/json"}
    try:
        response = httpx.get(url, params=params, headers=headers, timeout=settings.http_timeout_s)
    except httpx.HTTPError as e:
        msg = f"Cannot reach the police API at {url!r} ({e}); check the connection or try later."
        raise NetworkError(msg) from e
    if response.status_code == 429:
        msg = f"The police API at {url!r} says too many requests (429); wait an hour, then retry."
        raise NetworkError(msg)
    if response.status_code != 200:
        msg = f"The police API at {url!r} answered HTTP {response.status_code}; try later."
        raise NetworkError(msg)
    try:
        events = response.json()
    except json.JSONDecodeError as e:
        msg = f"The police API at {url!r} did not return JSON; try later."
        raise NetworkError(msg) from e
    if not isinstance(events, list):
        msg = f"The police API at {url!r} returned {type(events).__name__}, not a list of events."
        raise NetworkError(msg)
    body = json.dumps(events, ensure_ascii=False, indent=1)
    digest = hashlib.sha256(body.encode()).hexdigest()[:12]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"events-{stamp}-{digest}.json"
    path.write_text(body + "\n", encoding="utf-8")
    logger.info("%d events from %s archived in %s", len(events), url, path)
    return path
