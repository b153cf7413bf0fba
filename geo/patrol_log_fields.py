"""The patrol log's closed fields: why a pass was cancelled, and the counts of its controls.

A trip called off (an emergency elsewhere, too few staff) is logged as *inställt* with a
reason from :data:`CANCEL_REASONS`: it counts no minutes and no visit of its places, and the
monthly follow-up says it for a week short of the promise by the reason's label, which may be
shared since it is one of a fixed list (design §8: no free text in shared outputs; what else
the police want to say of it goes in the pass's internal ``results``).

A control's results are counts (:data:`CONTROL_COUNTS`): how many vehicles or drivers were
checked, breath-tested, suspected of drink or drug driving, fined or reported, one set for
the whole pass, summed in the follow-up's table of controls on the row of the pass's control
types together (a pass of two types counts once). :func:`parse_count` reads one cell or
form field, :func:`count_conflicts` cross-checks a pass's counts (:data:`COUNT_BOUNDS`: no
more blåsta than kontrollerade); :func:`parse_cancel_reason` reads the reason. None depends
on the rest of the log, so the file import and the pass form share them through
:func:`geo.patrol_log_rows.check_log_row`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from geo.model import keyword_in, normalize_text
from geo.weeks import week_label

#: Traffic-control types in the patrol log's activity text: type → keywords (normalised).
CONTROL_TYPES: dict[str, tuple[str, ...]] = {
    "nykterhet": ("nykter", "alkoholutandning", "rattfyll", "sallskontroll"),
    "hastighet": ("hastighet", "fart"),
    "motorburen": ("motorburen", "epa", "a-traktor", "moped"),
}
#: Keywords of :data:`CONTROL_TYPES` that count only at the start of a word: inside one they
#: are other words ("infarten", "avfart", "separat", "reparation"), and a pass logged as
#: "närvaro vid infarten" counted as a speed control for T1, "separat möte med skolan" as
#: T2's motorburen insats (a council member's review, 2026-11-29). The others also end a
#: compound ("trafiknykterhetskontroll", "EU-mopeder").
WORD_START_KEYWORDS: frozenset[str] = frozenset({"fart", "epa"})
#: Why a pass was cancelled: key (stored) → Swedish label (the form, the report).
CANCEL_REASONS: dict[str, str] = {
    "larm": "annat larm/prioriterat ärende",
    "personal": "personalbrist",
    "fordon": "fordon saknades",
    "vader": "väder/väglag",
    "annat": "annat",
}
#: The control counts of a pass: field → (short name, what the full label adds to it).
_COUNT_NAMES: dict[str, tuple[str, str]] = {
    "checked": ("kontrollerade", " förare/fordon"),
    "breath_tests": ("blåsta", " (utandningsprov)"),
    "dui_suspected": ("misstänkt rattfylleri", "/drograttfylleri"),
    "fines": ("ordningsböter", ""),
    "reports": ("rapporter", "/anmälningar"),
}
#: The control counts of a pass: field (stored column, form field) → Swedish label.
CONTROL_COUNTS: dict[str, str] = {f: short + more for f, (short, more) in _COUNT_NAMES.items()}
#: Each count's short name, the start of its label: the follow-up's column heading
#: ("Blåsta") and the name a cross-check's refusal uses (:class:`CountBound`).
COUNT_SHORT_NAMES: dict[str, str] = {f: short for f, (short, _) in _COUNT_NAMES.items()}


@dataclass(frozen=True)
class CountBound:
    """A count of a pass that cannot exceed another: ``part`` ≤ ``whole`` when both are given.

    Attributes
    ----------
    part, whole
        Fields of :data:`CONTROL_COUNTS`.
    why
        Why, in Swedish, for the refusal: ``"varje förare som blåst är också kontrollerad"``.
    """

    part: str
    whole: str
    why: str

    @property
    def fields(self) -> tuple[str, str]:
        """Return ``(part, whole)``: a pass breaking the bound is mended in either."""
        return self.part, self.whole

    @property
    def reason(self) -> str:
        """Return the refusal's short key: ``"fler blåsta än kontrollerade"``."""
        return f"fler {COUNT_SHORT_NAMES[self.part]} än {COUNT_SHORT_NAMES[self.whole]}"


#: The cross-checks of one pass's counts: only what is certainly true of Swedish police
#: work (:func:`count_conflicts` says why these and not others).
COUNT_BOUNDS: tuple[CountBound, ...] = (
    CountBound("breath_tests", "checked", "varje förare som blåst är också kontrollerad"),
)
#: Counts that are offences found rather than the police's own work: shown in a shared
#: report only from k up (design §8), like the incidents they are.
OFFENCE_COUNTS: frozenset[str] = frozenset({"dui_suspected", "fines", "reports"})
#: Largest count accepted on one pass: more is a typing slip (a clock time, a year).
MAX_COUNT = 5000


class FieldValueError(ValueError):
    """A cancel reason or a count that cannot be read; ``fix`` says what to write instead."""

    def __init__(self, value: str, fix: str) -> None:
        super().__init__(f"{value!r}: {fix}")
        self.value, self.fix = value, fix


def parse_count(text: object) -> int | None:
    """Read one control count: a whole number from 0 to :data:`MAX_COUNT`, or nothing.

    Parameters
    ----------
    text
        The cell or form field (``"40"``, ``" 3 "``, ``""``); an ``int`` is taken as it is.

    Returns
    -------
    int or None
        The count; ``None`` when the field is empty (not reported).

    Raises
    ------
    FieldValueError
        With the fix in Swedish, when it is not a whole number in range.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise FieldValueError(str(text), "skriv ett heltal, t.ex. 12")
    if isinstance(text, int):
        value = text
    else:
        raw = str(text).strip()
        if not raw:
            return None
        if not raw.isascii() or not raw.isdigit():
            fix = "skriv ett heltal från 0, t.ex. 12 (bara siffror, inget minustecken)"
            raise FieldValueError(raw, fix)
        value = int(raw)
    if value < 0:
        raise FieldValueError(str(value), "skriv ett heltal från 0, t.ex. 12")
    if value > MAX_COUNT:
        raise FieldValueError(str(value), f"högst {MAX_COUNT} på ett pass; kontrollera siffran")
    return value


def count_conflicts(counts: Mapping[str, int | None]) -> list[CountBound]:
    """Return the cross-checks (:data:`COUNT_BOUNDS`) a pass's counts break.

    A count left empty (``None``, or missing) was not counted and breaks nothing: 12
    kontrollerade with blåsta empty, or 40 blåsta with kontrollerade empty, is stored. The
    counts are the whole pass's, whatever controls it held, and a refusal makes the police
    re-type a true pass, so only a bound certainly true in Swedish police work is checked:

    - **blåsta ≤ kontrollerade**: a breath test (sållningsprov) is a check of a driver, so
      every driver who blew is one of the drivers checked; a driver who blew twice (a
      sållningsprov, then a bevisprov) is one driver blåst.

    Not checked, since a true pass may break them:

    - misstänkt rattfylleri ≤ blåsta: drug-influenced driving (drograttfylleri) is suspected
      from signs and a blood or urine test, without a breath test, and a driver who will
      not blow but shows signs of drink is suspected too;
    - misstänkt rattfylleri ≤ kontrollerade: a suspicion may arise during the pass from a tip
      (a driver found after driving, never stopped in the control);
    - ordningsböter ≤ kontrollerade: a passenger of 15 or over without a seat belt is fined
      in his own name, and is no driver or vehicle checked;
    - rapporter ≤ kontrollerade: one driver is often reported for several offences (drug
      driving, driving without a licence and a drug offence are three reports), and a
      passenger found with drugs is reported too.

    Parameters
    ----------
    counts
        Field of :data:`CONTROL_COUNTS` → the count (:func:`parse_count`), ``None`` when
        not given.

    Returns
    -------
    list of CountBound
        The bounds broken, in :data:`COUNT_BOUNDS` order; empty when the counts agree.
    """
    out = []
    for bound in COUNT_BOUNDS:
        part, whole = counts.get(bound.part), counts.get(bound.whole)
        if part is not None and whole is not None and part > whole:
            out.append(bound)
    return out


def parse_cancel_reason(text: object) -> str:
    """Read why a pass was cancelled: a key or a label of :data:`CANCEL_REASONS`, or nothing.

    Parameters
    ----------
    text
        The cell or form field: ``"personalbrist"``, ``"Personal"``, ``"annat larm"`` (the
        label's first words do), or empty for a pass that was done.

    Returns
    -------
    str
        The reason's key; ``""`` when the field is empty.

    Raises
    ------
    FieldValueError
        When the text names no reason ("ja", "x", a free text), with the reasons to choose.
    """
    raw = "" if text is None else str(text).strip()
    if not raw:
        return ""
    key = normalize_text(raw)
    labels = {reason: normalize_text(label) for reason, label in CANCEL_REASONS.items()}
    exact = [r for r, words in labels.items() if key in (r, words)]
    # "annat" is a reason of its own, not the start of "annat larm…"
    begun = [r for r, words in labels.items() if len(key) >= 4 and words.startswith(key)]
    if exact or len(begun) == 1:
        return (exact or begun)[0]
    choices = ", ".join(f"”{label}”" for label in CANCEL_REASONS.values())
    raise FieldValueError(raw, f"skriv en av orsakerna {choices} (mer i Resultat)")


def cancel_label(reason: object) -> str:
    """Return the Swedish label of a stored reason (``""`` for a pass that was done)."""
    key = "" if reason is None or (isinstance(reason, float) and pd.isna(reason)) else str(reason)
    return CANCEL_REASONS.get(key, key)


def is_cancelled(log: pd.DataFrame) -> pd.Series:
    """Tell, per row of the patrol log, whether its pass was cancelled.

    Parameters
    ----------
    log
        :func:`geo.patrol_log.read_log`, or a frame without ``cancelled`` (none was).

    Returns
    -------
    pandas.Series
        Booleans, index as ``log``'s.
    """
    if "cancelled" not in log.columns:
        return pd.Series(False, index=log.index, dtype=bool)
    return log["cancelled"].fillna("").astype(str).str.strip() != ""


def done_passes(log: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of the patrol log whose pass was done (a cancelled one is left out).

    Minutes, visits of places and controls are counted on these only: a cancelled trip was
    not there.
    """
    return log[~is_cancelled(log).to_numpy(dtype=bool)]


def count_sums(log: pd.DataFrame) -> dict[str, int | None]:
    """Return each of :data:`CONTROL_COUNTS` summed over the log's rows.

    Parameters
    ----------
    log
        Patrol-log rows; a missing count column (an older store, a constructed frame) is
        a count not given.

    Returns
    -------
    dict
        Field → the sum of the rows that give it (an empty cell adds nothing), or ``None``
        when no row does: a count not reported is not a 0.
    """
    sums: dict[str, int | None] = {}
    for field in CONTROL_COUNTS:
        values = pd.to_numeric(log[field], errors="coerce") if field in log else pd.Series([])
        sums[field] = int(values.sum()) if values.notna().any() else None
    return sums


def cancelled_by_week(
    patrol_log: pd.DataFrame | None, weeks: Sequence[str]
) -> dict[str, list[str]]:
    """Return the reasons of the passes cancelled in each of ``weeks`` (only weeks with any).

    Parameters
    ----------
    patrol_log
        :func:`geo.patrol_log.read_log` (``start``, ``cancelled``), or ``None``.
    weeks
        ISO weeks.

    Returns
    -------
    dict
        Week → the reasons' labels (:data:`CANCEL_REASONS`, never the
        pass's free text), one per cancelled pass, by start.
    """
    if patrol_log is None:
        return {}
    called_off = is_cancelled(patrol_log)
    if not called_off.any():
        return {}
    rows = patrol_log[called_off.to_numpy(dtype=bool)].sort_values("start")
    wanted = set(weeks)
    out: dict[str, list[str]] = {}
    for start, reason in zip(rows["start"], rows["cancelled"], strict=True):
        week = week_label(pd.Timestamp(start))
        if week in wanted:
            out.setdefault(week, []).append(cancel_label(reason))
    return out


def cancelled_text(reasons: list[str]) -> str:
    """Return ``"1 inställt pass: personalbrist"`` (``""`` for none; a reason said once)."""
    if not reasons:
        return ""
    n = len(reasons)
    kind = "inställt pass" if n == 1 else "inställda pass"
    return f"{n} {kind}: {', '.join(dict.fromkeys(reasons))}"


def control_types(activity_text: object) -> tuple[str, ...]:
    """Return every control type a patrol activity names, in :data:`CONTROL_TYPES` order.

    A pass is logged per trip (the page Pass fills a ticked trip), so one row often holds
    several controls, "nykterhetskontroll; hastighetskontroll": each is named (a kommunpolis's
    review: the first alone was, and the speed check went uncounted). The activity plan counts
    the pass for each of its lines; the follow-up's table of controls counts it once, on the
    row of its types together (:func:`geo.report.monthly.police.controls_table`).

    Parameters
    ----------
    activity_text
        The patrol log's ``activity`` value.

    Returns
    -------
    tuple of str
        Keys of :data:`CONTROL_TYPES` (keywords of :data:`WORD_START_KEYWORDS` only at the
        start of a word); empty when the activity is no control.
    """
    text = normalize_text(str(activity_text or ""))
    return tuple(
        kind
        for kind, words in CONTROL_TYPES.items()
        if any(keyword_in(w, text, WORD_START_KEYWORDS) for w in words)
    )
