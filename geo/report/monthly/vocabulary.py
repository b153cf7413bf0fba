"""The report's words and fixed settings: months, source groups, seasons, the promise."""

from __future__ import annotations

from geo import months, patrol_log_controls, patrol_log_fields
from geo.model import CATEGORIES
from geo.words import and_list, mid_sentence

#: Swedish month names, January first.
MONTHS_SV = months.MONTHS_SV


#: Source id → source group shown in the report.
SOURCE_GROUPS: dict[str, str] = {
    "polis": "polis",
    "polisen_api": "polis",
    "kommun": "kommun",
    "kommun_est": "kommun",
    "kommun_traffic_spot": "kommun",
    "skola": "kommun",
    "socialtjanst": "kommun",
    "bevakning": "kommun",
    "bostadsbolag": "kommun",
    "medborgare": "medborgare",
    "syntetisk": "syntetisk",
}


#: Source group → Swedish column label.
SOURCE_GROUP_LABELS: dict[str, str] = {
    "polis": "Polisen",
    "kommun": "Kommunen",
    "medborgare": "Medborgare",
    "syntetisk": "Syntetiska exempeldata",
    "ovriga": "Övriga källor",
}


#: Bathing season (months) when the bathing-site section is shown.
BATHING_MONTHS: tuple[int, ...] = (5, 6, 7, 8, 9)


#: Season of motorburen problematik (Brå / Polisregion Bergslagen: grows in spring).
MOTOR_MONTHS: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 9)


#: Months of history of an emerging-hot-spot run (the report reads one more, for last
#: month's run), also read for the trends and the forecast.
HISTORY_MONTHS = 24


#: Grid cell of the aggregated top areas (metres).
AREA_CELL_SIZE_M = 1000.0


#: Patrol-log activity keywords (normalised) → control type; the activity plan's
#: ``patrol_controls`` count the same rows (:func:`geo.patrol_log_controls.control_type`).
CONTROL_TYPES = patrol_log_fields.CONTROL_TYPES


control_type = patrol_log_controls.control_type


SPOT_IN_PROGRESS = ("bedomd", "atgard_planerad")


#: How the report may be handled (design §8): a shared document, small counts suppressed. It
#: opens the report's privacy note and stands at the foot of every printed page.
HANDLING_NOTE = "Delad rapport"
#: How a report of a month not over is handled: kept in, not shared. Two reports over
#: different days of one month can be subtracted (1–15 and 1–22 October: 2 observations of
#: S in 16–22 October, under k; a council member's review), so only the month's own report,
#: made once it is over, is shared.
PRELIMINARY_NOTE = "Preliminär rapport – sprids inte; dela rapporten som görs efter månadens slut"


def handling_note(covered_days: int | None) -> str:
    """Return how a report may be handled: shared, or preliminary and kept in.

    Parameters
    ----------
    covered_days
        The days of the month the observations cover when they end inside it, else ``None``.

    Returns
    -------
    str
        :data:`HANDLING_NOTE` for a whole month, :data:`PRELIMINARY_NOTE` for part of one,
        :data:`NO_DATA_NOTE` for one no observation has come in for (``covered_days`` 0).
    """
    if covered_days is None:
        return HANDLING_NOTE
    return PRELIMINARY_NOTE if covered_days else NO_DATA_NOTE


#: What a count reads in a month without data: before the store's observations begin, or
#: after they end (:class:`~geo.report.monthly.selection.Coverage`). "0" there read as a
#: month without events; "–" is a hidden count.
NO_DATA = "uppgift saknas"
#: How a report of a month no observation has come in for is handled: it is no report of the
#: month (it could be mistaken for one without events).
NO_DATA_NOTE = "Preliminär rapport – sprids inte; månadens observationer har inte kommit in"


#: A month in Swedish words, ``"november 2026"`` (:func:`geo.months.month_label`).
month_label = months.month_label


def report_title(month: str, covered_days: int | None = None) -> str:
    """Return the report's Swedish title, e.g. ``"Uppföljning av medborgarlöftet – november 2026"``.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    covered_days
        The days of the month the observations cover when they end inside it: the title
        then says the report is preliminary ("november 2026 (preliminär, observationer
        1–22 nov)", and "(preliminär, inga observationer ännu)" for 0); a council member's
        review found a running month's report titled as a whole month, its limit said only
        in one sentence.

    Returns
    -------
    str
        The title of the page, its heading and the foot of every printed page.
    """
    title = f"Uppföljning av medborgarlöftet – {month_label(month)}"
    if covered_days == 0:  # no observation has come in: "observationer 1–0 nov" said nothing
        title += " (preliminär, inga observationer ännu)"
    elif covered_days is not None:
        title += f" (preliminär, observationer {days_label(month, covered_days)})"
    return title


def days_label(month: str, days: int) -> str:
    """Return the first ``days`` days of a month as a report says them, e.g. ``"1–22 nov"``.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    days
        The days covered.

    Returns
    -------
    str
        The days and the month's short name.
    """
    return f"1–{days} {months.MONTH_ABBR[months.parse_month(month).month - 1]}"


def theme_categories(theme: str) -> str:
    """Return the categories that count for a theme, in Swedish words, as a list to read.

    Parameters
    ----------
    theme
        Theme id (``N``, ``T``, ``B`` or ``S``; :data:`geo.model.CATEGORIES`).

    Returns
    -------
    str
        E.g. ``"nedskräpning, skadegörelse, …, otrygg plats och övrigt"`` for ``S``: the
        report's paragraph on the themes names them from the categories themselves (until
        2026-11-29 it named "stöld, inbrott, ordningsstörning, otrygga platser" by hand, and
        a council member read nedskräpning and skadegörelse, S's largest, out of S).
    """
    return and_list([mid_sentence(c.label) for c in CATEGORIES.values() if c.theme == theme])
