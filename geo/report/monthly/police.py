"""Sections on the police's work: presence per week, controls, bathing-site visits."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from geo import activity_words, months, patrol_log_controls, presence_weeks
from geo.patrol_log import PROMISE_MIN, places_of
from geo.patrol_log_fields import (
    COUNT_SHORT_NAMES,
    OFFENCE_COUNTS,
    cancelled_by_week,
    cancelled_text,
    count_sums,
    done_passes,
)
from geo.report.monthly.bathing import bathing_counts
from geo.report.monthly.selection import Coverage, compared_periods, in_period
from geo.report.monthly.tables import Table, suppress_parts
from geo.report.monthly.vocabulary import CONTROL_TYPES, NO_DATA, month_label
from geo.sites import Gazetteer, bathing_sites
from geo.words import and_list

#: ``Uppfyllt`` of a week whose promise is met, or not met once the week is over.
WEEK_MET, WEEK_NOT_MET = activity_words.WEEK_MET, activity_words.WEEK_NOT_MET
#: ``Uppfyllt`` of a week not met yet that is still running on the report day, or begins
#: after it: the words an activity line whose month is not over reads.
WEEK_RUNNING = activity_words.STATUSES["running"]
WEEK_AHEAD = activity_words.STATUSES["not_begun"]
#: ``Uppfyllt`` of a week over when no pass at all is logged in the month's weeks.
WEEK_NOT_LOGGED = activity_words.WEEK_NOT_LOGGED
#: The column of :func:`police_presence` that says the weeks' cancelled trips and why.
CANCELLED_COLUMN = "Inställda pass"
#: The columns of :func:`controls_table` with the control counts: field → heading (the
#: count's short name, :data:`~geo.patrol_log_fields.COUNT_SHORT_NAMES`, capitalised).
COUNT_COLUMNS: dict[str, str] = {f: s.capitalize() for f, s in COUNT_SHORT_NAMES.items()}
#: ``Kontrolltyp`` of :func:`controls_table`'s last row, the columns' sums, as the report's
#: other totals are worded (the HTML sets it in bold).
TOTAL_ROW = "Totalt"


def police_presence(
    weekly_minutes: pd.DataFrame,
    *,
    month: str,
    promise_min: int = PROMISE_MIN,
    now: pd.Timestamp | None = None,
    patrol_log: pd.DataFrame | None = None,
) -> Table:
    """Show police minutes per ISO week of the month against the promise.

    Parameters
    ----------
    weekly_minutes
        From :func:`geo.patrol_log.minutes_per_week` (``iso_week``, ``minutes``, ``met``).
    month
        ``YYYY-MM``; its weeks are those whose Thursday falls in it.
    promise_min
        The promised minutes per week.
    now
        The report day (tz-aware); default the clock now. A week not met is "nej" only once
        it is over: the week that holds ``now`` is "pågår", a later one "ej påbörjad".
    patrol_log
        :func:`geo.patrol_log.read_log`, for the passes logged as cancelled
        (:func:`~geo.patrol_log_fields.cancelled_by_week`); ``None``: none. (A week with
        only a cancelled pass is logged, by ``weekly_minutes``' ``cancelled``: over and
        short of the promise it reads "nej", not "ej registrerat".)

    Returns
    -------
    Table
        ``polisnarvaro``: ``Vecka``, ``Minuter``, ``Löfte (minuter)``, ``Uppfyllt`` (one of
        :data:`WEEK_MET`, :data:`WEEK_NOT_MET`, :data:`WEEK_RUNNING`, :data:`WEEK_AHEAD`, or
        :data:`WEEK_NOT_LOGGED` for a week over when the month's weeks have no pass at all),
        ``Dagar`` (:func:`geo.months.week_days_label`), and when a pass of the month's
        weeks was cancelled :data:`CANCELLED_COLUMN` (``"2 inställda pass: personalbrist,
        väder/väglag"``, empty for a week without).
    """
    weeks = months.iso_weeks_of_month(month)
    by_week = weekly_minutes.set_index("iso_week")
    cancelled = cancelled_by_week(patrol_log, weeks)
    logged = presence_weeks.any_pass_logged(weekly_minutes, weeks)
    rows = []
    for week in weeks:
        minutes = presence_weeks.shown_minutes(by_week["minutes"].get(week, 0.0))
        met = bool(by_week["met"].get(week, False))
        verdict = presence_weeks.week_verdict(week, met=met, now=now, logged=logged)
        rows.append([week, minutes, promise_min, verdict, months.week_days_label(week)])
    frame = pd.DataFrame(rows, columns=["Vecka", "Minuter", "Löfte (minuter)", "Uppfyllt", "Dagar"])
    if cancelled:
        frame[CANCELLED_COLUMN] = [cancelled_text(cancelled.get(w, [])) for w in weeks]
    return Table("polisnarvaro", "Polisens närvaro per ISO-vecka mot löftet", frame)


def presence_note(presence: Table, *, promise_min: int = PROMISE_MIN) -> str:
    """Say in how many weeks the promise was met; weeks not over are named, not counted.

    Parameters
    ----------
    presence
        From :func:`police_presence`.
    promise_min
        The promised minutes per week.

    Returns
    -------
    str
        E.g. ``"Löftet om minst 120 minuter uppfylldes i 2 av 3 veckor; vecka 2026-W48 pågår
        och räknas när den är slut."``; each week short of the promise with a cancelled pass
        (:data:`CANCELLED_COLUMN`) is said with the reasons: ``"vecka 2026-W46 nådde inte
        120 minuter (1 inställt pass: personalbrist)"``.
    """
    frame = presence.frame
    verdicts = list(frame["Uppfyllt"])
    met = verdicts.count(WEEK_MET)
    decided = met + verdicts.count(WEEK_NOT_MET)
    unlogged = verdicts.count(WEEK_NOT_LOGGED)
    if unlogged:
        parts = [
            f"Inga pass är registrerade för månadens veckor, så löftet om minst {promise_min} "
            f"minuter kan inte följas upp för {unlogged} avslutade "
            f"{'vecka' if unlogged == 1 else 'veckor'} (ej registrerat, inte nödvändigtvis ej "
            "utfört); passen förs in på sidan Pass eller med geo log import"
        ]
    elif decided:
        parts = [f"Löftet om minst {promise_min} minuter uppfylldes i {met} av {decided} veckor"]
    else:
        parts = ["Ingen av månadens veckor är slut ännu"]
    for verdict, said in ((WEEK_RUNNING, "pågår"), (WEEK_AHEAD, "har inte börjat")):
        weeks = list(frame.loc[frame["Uppfyllt"] == verdict, "Vecka"])
        if weeks:
            which = f"vecka {weeks[0]}" if len(weeks) == 1 else f"veckorna {', '.join(weeks)}"
            parts.append(
                f"{which} {said} och räknas när {'den' if len(weeks) == 1 else 'de'} är slut"
            )
    parts.extend(_short_weeks_cancelled(frame, promise_min=promise_min))
    return "; ".join(parts) + "."


def _short_weeks_cancelled(frame: pd.DataFrame, *, promise_min: int) -> list[str]:
    """Say, for each week short of the promise with a cancelled pass, how many and why."""
    if CANCELLED_COLUMN not in frame.columns:
        return []
    said = []
    for week, minutes, text in zip(
        frame["Vecka"], frame["Minuter"], frame[CANCELLED_COLUMN], strict=True
    ):
        if not text or minutes >= promise_min:
            continue
        said.append(f"vecka {week} nådde inte {promise_min} minuter ({text})")
    return said


#: A road by its number as the police write it: "E18", "väg 204", "länsväg 529".
_ROAD = re.compile(r"\b(?:E\s?\d{1,2}|(?:riks|läns)?väg\s*\d{1,4})\b", re.IGNORECASE)
#: What the shared report says for a place it cannot name safely.
OTHER_PLACE = "övrig plats"


def shared_place(text: str, gazetteer: Gazetteer) -> str:
    """Return a patrol-log place as the shared report may show it: a named place or a road.

    The log's places are typed by the police (the pass form takes free text), so a street
    address, a name or a registration number may stand there; the shared report shows only
    the named place the text mentions, the road number, both ("väg 204 vid Fjugesta
    centrum"), or :data:`OTHER_PLACE`.

    Parameters
    ----------
    text
        One place as logged.
    gazetteer
        The named places.

    Returns
    -------
    str
        The shareable name.
    """
    place = gazetteer.find_in_text(text)
    road = _ROAD.search(text)
    if road is not None and place is not None:
        return f"{road.group()} vid {place.name}"
    if road is not None:
        return road.group()
    return place.name if place is not None else OTHER_PLACE


def controls_table(
    patrol_log: pd.DataFrame, *, month: str, places: gpd.GeoDataFrame, k: int
) -> Table:
    """Count traffic controls in the month by type, their results, and where they were held.

    A pass is one row of the patrol log with one set of counts, whatever controls it held:
    "nykterhetskontroll; hastighetskontroll" with 40 kontrollerade cannot say how many of the
    40 were checked for what. It is counted on one row of the table, that of its types
    together (``"Nykterhet och hastighet"``), so no pass's minutes or counts are in two rows
    and a column's sum counts each pass once (until 2026-11-29 it counted under each type,
    and the columns' sums held it twice); :func:`controls_note` says so under the table. A last
    row, :data:`TOTAL_ROW`, gives the columns' sums, the month's passes each once.

    Parameters
    ----------
    patrol_log
        From :func:`geo.patrol_log.read_log` (``start``, ``activity``, ``places``, and the
        control counts when logged); a cancelled pass is no control.
    month
        ``YYYY-MM``.
    places
        The named places: a logged place is shown only as :func:`shared_place` tells it.
    k
        Smallest count of an offence shown (design §8): the counts in
        :data:`~geo.patrol_log_fields.OFFENCE_COUNTS` (suspected drink driving, fines,
        reports) are people caught, as the incidents are, and read ``"< k"`` from 1 to
        ``k - 1``; the vehicles checked and breath-tested are the police's work, shown as
        they are.

    Returns
    -------
    Table
        ``kontroller``: ``Kontrolltyp``, ``Tillfällen``, ``Minuter``, the count columns
        (:data:`COUNT_COLUMNS`: the passes' counts summed; empty when no pass of the type
        gave that count, so a count not reported does not read 0), ``Platser``. One row per
        control type (:data:`CONTROL_TYPES`, with 0 when none was held), for the passes of
        that type alone, then one per combination of types some pass held
        (:func:`kinds_label`), for those passes; then :data:`TOTAL_ROW`, each column's sum
        (empty where no row has a count, as a row's count not reported; ``Platser`` empty). An
        offence count is hidden as :func:`~geo.report.monthly.tables.suppress_parts` hides a
        breakdown of a total shown: with one row's count under ``k`` hidden, the sum would
        give it away, so the smallest other count is hidden with it (both ``"–"``). With no
        pass at all logged in the month (not even one called off) the table has no rows and
        says so, "inga pass är registrerade …": a council member's review read its rows of
        "0 | 0" as no control held in a month nobody had entered a pass for, while the
        presence table above it said "ej registrerat".
    """
    title = f"Kontroller per typ och plats, {month_label(month)}"
    columns = ["Kontrolltyp", "Tillfällen", "Minuter", *COUNT_COLUMNS.values(), "Platser"]
    if not len(patrol_log) or not in_period(patrol_log["start"], *months.month_bounds(month)).any():
        return Table(
            "kontroller",
            title,
            pd.DataFrame(columns=columns),
            empty_text=f"inga pass är registrerade i {month_label(month)}, så kontrollerna kan "
            "inte redovisas (ej registrerat, inte nödvändigtvis inga kontroller)",
        )
    kinds = (
        patrol_log_controls.patrol_controls_in_month(patrol_log, month=month)
        if len(patrol_log)
        else pd.Series([], dtype=object)
    )
    log = patrol_log.loc[kinds.index]
    gaz = Gazetteer(places) if len(log) else None
    held: set[tuple[str, ...]] = {tuple(ks) for ks in kinds}
    groups: list[tuple[str, ...]] = [(kind,) for kind in CONTROL_TYPES]
    groups += sorted((ks for ks in held if len(ks) > 1), key=_in_type_order)
    cells = []
    for group in groups:
        mine = kinds.map(lambda ks, group=group: ks == group).to_numpy(dtype=bool)
        cells.append(_control_cells(log[mine], gaz))
    # every pass is on one row (its types together), so a column's sum counts it once
    total = [sum(c[0] for c in cells), sum(c[1] for c in cells)]
    counts = {
        field: _count_column([c[2][field] for c in cells], field, k=k) for field in COUNT_COLUMNS
    }
    rows = [
        [kinds_label(group), occasions, minutes, *(counts[f][i] for f in COUNT_COLUMNS), where]
        for i, (group, (occasions, minutes, _, where)) in enumerate(zip(groups, cells, strict=True))
    ]
    rows.append([TOTAL_ROW, *total, *(counts[f][-1] for f in COUNT_COLUMNS), ""])
    return Table("kontroller", title, pd.DataFrame(rows, columns=columns))


def kinds_label(kinds: tuple[str, ...]) -> str:
    """Return a row's ``Kontrolltyp``: ``"Nykterhet"``, ``"Nykterhet och hastighet"``."""
    return and_list(list(kinds)).capitalize()


def _in_type_order(kinds: tuple[str, ...]) -> tuple[int, ...]:
    """Return a combination's sort key: fewer types first, then :data:`CONTROL_TYPES` order."""
    order = list(CONTROL_TYPES)
    return (len(kinds), *(order.index(kind) for kind in kinds))


def controls_note(controls: Table) -> str:
    """Say, under the controls table, what its rows of several control types are.

    Parameters
    ----------
    controls
        From :func:`controls_table`.

    Returns
    -------
    str
        ``""`` when no pass held several types; else e.g. ``"Raden ”Nykterhet och
        hastighet” gäller pass där flera kontroller gjordes under samma pass. …"``, saying
        that such a pass is counted on that row only, so no pass counts twice in a column's
        sum.
    """
    singles = {kinds_label((kind,)) for kind in CONTROL_TYPES} | {TOTAL_ROW}
    names = [f"”{n}”" for n in controls.frame["Kontrolltyp"] if n not in singles]
    if not names:
        return ""
    which = f"Raden {names[0]}" if len(names) == 1 else f"Raderna {and_list(names)}"
    return (
        f"{which} gäller pass där flera kontroller gjordes under samma pass. Antalen"
        " (kontrollerade, blåsta och de andra) räknas för hela passet och kan inte delas upp"
        " per kontroll, så passet redovisas bara på den raden och inte under varje kontrolltyp"
        " för sig: varje pass räknas en gång när kolumnerna summeras."
    )


def broken_counts_note(patrol_log: pd.DataFrame, *, month: str) -> str:
    """Say, under the controls table, which passes' counts cannot be true, and the fix.

    Such a pass was stored before the cross-check of its counts came; the table sums
    neither of the two (:func:`geo.patrol_log_controls.without_broken_counts`), and says
    which passes, by their day, and where each is set right (:func:`_broken_fix`).

    Parameters
    ----------
    patrol_log
        :func:`geo.patrol_log.read_log`, as stored.
    month
        ``YYYY-MM``.

    Returns
    -------
    str
        ``""`` when every control's counts agree; else e.g. ``"1 pass (7 okt) har fler blåsta
        än kontrollerade, vilket inte kan stämma: … rätta raden i filen och läs in den
        igen."``.
    """
    said = []
    broken = patrol_log_controls.broken_controls_in_month(patrol_log, month=month)
    for bound, passes in broken.items():
        one = len(passes) == 1
        part, whole = COUNT_SHORT_NAMES[bound.part], COUNT_SHORT_NAMES[bound.whole]
        said.append(
            f"{len(passes)} pass ({_days(passes)}) har {bound.reason}, vilket inte kan stämma:"
            f" {bound.why}. {'Passets' if one else 'Passens'} {whole} och {part} räknas därför"
            f" inte i tabellen; {_broken_fix(passes)}."
        )
    return " ".join(said)


def _days(passes: list[patrol_log_controls.BrokenPass]) -> str:
    """Return the passes' days as the note names them: ``"7 okt och 9 okt"``.

    As the table of weeks says its days ("28 sep–4 okt"): "7/10" was the one date of the
    council's document in another form, and reads as 10 July to some.
    """
    return and_list([f"{p.start.day} {months.MONTH_ABBR[p.start.month - 1]}" for p in passes])


def _broken_fix(passes: list[patrol_log_controls.BrokenPass]) -> str:
    """Return where the passes are set right: a file's row imported again, or the page Pass.

    A file's pass cannot be corrected on the page; its row set right and the file imported
    again corrects it (:func:`geo.patrol_log.import_log`). A pass logged on the page is
    corrected there by its author.
    """
    files = [p for p in passes if not p.from_app]
    app = [p for p in passes if p.from_app]
    if not files:
        return f"rätta {'det' if len(app) == 1 else 'dem'} på sidan Pass"
    in_file = (
        "rätta raden i filen och läs in den igen"
        if len(files) == 1
        else "rätta raderna i filerna de lästes in från och läs in dem igen"
    )
    if not app:
        return in_file
    return f"{in_file} ({_days(files)}), och {_days(app)} på sidan Pass"


def _control_cells(
    passes: pd.DataFrame, gaz: Gazetteer | None
) -> tuple[int, int, dict[str, int | None], str]:
    """Return one row's passes: occasions, minutes, counts (``None``: not given), places shown."""
    if passes.empty or gaz is None:
        return 0, 0, dict.fromkeys(COUNT_COLUMNS), ""
    where = sorted({shared_place(p, gaz) for v in passes["places"] for p in places_of(v)})
    minutes = round(float(pd.to_numeric(passes["minutes"]).sum()))
    # no place is an empty cell
    return len(passes), minutes, count_sums(passes), ", ".join(where)


def _count_column(counts: list[int | None], field: str, *, k: int) -> list[int | str]:
    """Return a count column as shared, its sum last.

    A count not given is an empty cell, and so is the sum when no row gives one; an offence
    (:data:`~geo.patrol_log_fields.OFFENCE_COUNTS`) under ``k`` is hidden, with a partner when
    the sum is shown (:func:`~geo.report.monthly.tables.suppress_parts`; ``"–"`` is the
    legend's hidden count). A 0 given reads ``"< k"`` too, the sum's as well: "< 5" beside 0
    told that someone was caught at the places of that row, and a row of one control at
    Hidinge is one village in one week (a privacy review, 2026-11-30).
    """
    given = [n for n in counts if n is not None]
    if field not in OFFENCE_COUNTS:
        total = sum(given) if given else None
        return ["" if n is None else n for n in [*counts, total]]
    if not given:
        return [""] * (len(counts) + 1)
    total = sum(given)
    small = f"< {k}"
    # under k in all, every row is: no row's count is shown beside a sum that would tell it
    shown = [small] * len(given) if total < k else suppress_parts(given, total=total, k=k, floor=0)
    said = iter(shown)
    parts = ["" if n is None else next(said) for n in counts]
    return [*parts, small if total < k else total]


def bathing_table(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    patrol_log: pd.DataFrame | None,
    *,
    month: str,
    k: int,
    days: int | None = None,
    coverage: Coverage | None = None,
) -> Table:
    """Count observations and police visits at each bathing site in the month.

    Parameters
    ----------
    incidents
        Incidents covering the month and the same month last year.
    places
        Named places (the bathing sites are :func:`geo.sites.bathing_sites`).
    patrol_log
        The patrol log, or ``None``.
    month
        ``YYYY-MM``.
    k
        Suppression threshold (with complementary suppression against the B total).
    days
        The days of ``month`` the observations cover when they end inside it
        (:func:`~geo.report.monthly.selection.covered_days`): both columns then count those
        days only and say so ("1–12 juli 2026", "1–12 juli 2025"), as the themes table does;
        a council member's review: July 1–12 beside the whole July of last year read as
        Lanna badgruva's observations halved (21 against 42) while theme B had risen (31
        against 24 over the same days).
    coverage
        The months the observations cover: a column of a month outside them reads
        :data:`~geo.report.monthly.vocabulary.NO_DATA`, not 0 (the police's visits are
        counted from the patrol log whatever the observations).

    Returns
    -------
    Table
        ``badplatser``: ``Badplats``, the month, the same month last year (each over
        ``days`` when given), ``Polisbesök`` (the month's visits up to the report day).
    """
    p = months.parse_month(month)
    baths = bathing_sites(places)
    this, _, year = compared_periods(month, days=days)
    cols = ["Badplats", this[0], year[0], "Polisbesök"]
    shown = [
        [NO_DATA] * len(baths)
        if coverage is not None and coverage.missing(q)
        else [n for _, n in bathing_counts(incidents, places, month=str(q), k=k, days=days)]
        for q in (p, p - 12)
    ]
    visits = [0] * len(baths)
    if patrol_log is not None and len(patrol_log):
        s, e = months.month_bounds(month)
        done = done_passes(patrol_log)  # a trip called off visited no site
        log = done[in_period(done["start"], s, e).to_numpy()]
        # a site named anywhere in a visit's places, as the controls table reads them
        # (:func:`shared_place`): "Parkeringen vid Lanna badgruva" and "badplatsen Leken" were
        # no visit while matched whole only
        gaz = Gazetteer(places)
        visited = [
            {m.place_id for m in gaz.find_all_in_text("; ".join(places_of(v)))}
            for v in log["places"]
        ]
        for i, pid in enumerate(baths["place_id"]):
            visits[i] = sum(1 for v in visited if str(pid) in v)
    rows = [[name, shown[0][i], shown[1][i], visits[i]] for i, name in enumerate(baths["name"])]
    return Table(
        "badplatser",
        f"Badplatser: observationer och polisbesök, {month_label(month)}",
        pd.DataFrame(rows, columns=cols),
        tuple(cols[1:3]),
    )
