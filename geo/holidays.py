"""Swedish public holidays and the eves before them, by name, for the plan's days."""

from __future__ import annotations

import datetime as dt

from dateutil.easter import easter


def _saturday_between(year: int, month: int, first_day: int) -> dt.date:
    """Return the Saturday in the seven days from ``first_day`` of ``month``."""
    start = dt.date(year, month, first_day)
    return start + dt.timedelta(days=(5 - start.weekday()) % 7)


def holidays(year: int) -> dict[dt.date, str]:
    """Return the year's Swedish public holidays and the eves the police plan for, by date.

    The public holidays of lagen (1989:253) om allmänna helgdagar, the national day, and the
    eves that are days off in practice and evenings of drinking outdoors (valborgsmässoafton,
    midsommarafton, julafton, nyårsafton, påskafton). Pingstdagen and midsommardagen fall on
    a Sunday and a Saturday; alla helgons dag on the Saturday between 31 October and
    6 November.

    Parameters
    ----------
    year
        The calendar year.

    Returns
    -------
    dict of datetime.date to str
        The days and their Swedish names ("juldagen", "midsommarafton" …).
    """
    e = easter(year)
    midsummer = _saturday_between(year, 6, 20)
    days = {
        dt.date(year, 1, 1): "nyårsdagen",
        dt.date(year, 1, 6): "trettondedag jul",
        e - dt.timedelta(days=2): "långfredagen",
        e - dt.timedelta(days=1): "påskafton",
        e: "påskdagen",
        e + dt.timedelta(days=1): "annandag påsk",
        dt.date(year, 4, 30): "valborgsmässoafton",
        dt.date(year, 5, 1): "första maj",
        e + dt.timedelta(days=39): "Kristi himmelsfärdsdag",
        e + dt.timedelta(days=49): "pingstdagen",
        dt.date(year, 6, 6): "Sveriges nationaldag",
        midsummer - dt.timedelta(days=1): "midsommarafton",
        midsummer: "midsommardagen",
        _saturday_between(year, 10, 31): "alla helgons dag",
        dt.date(year, 12, 24): "julafton",
        dt.date(year, 12, 25): "juldagen",
        dt.date(year, 12, 26): "annandag jul",
        dt.date(year, 12, 31): "nyårsafton",
    }
    return days


def holiday_name(day: dt.date) -> str | None:
    """Return the name of a Swedish holiday or holiday eve on ``day``, if it is one.

    Parameters
    ----------
    day
        A date (a ``datetime`` or ``pandas.Timestamp`` counts by its date).

    Returns
    -------
    str or None
        E.g. ``"juldagen"``; ``None`` on an ordinary day.
    """
    d = day.date() if isinstance(day, dt.datetime) else day
    return holidays(d.year).get(d)
