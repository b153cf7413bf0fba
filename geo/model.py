"""The vocabulary: löfte themes, incident categories with Swedish labels, sources and columns."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd

#: The löfte's themes: id → Swedish label.
THEMES: dict[str, str] = {
    "N": "Narkotika och alkohol",
    "T": "Trafik",
    "B": "Badplatser",
    "S": "Samverkan och övrigt",
}


@dataclass(frozen=True)
class Category:
    """One incident category.

    Attributes
    ----------
    id
        Stable identifier used in the store (ASCII).
    label
        Swedish label shown to users.
    theme
        The löfte theme (``N``, ``T``, ``B`` or ``S``) the category counts for.
    """

    id: str
    label: str
    theme: str


CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category("narkotika", "Narkotika (misstänkt handel/bruk)", "N"),
        Category("alkohol", "Alkohol/berusning på allmän plats", "N"),
        Category("hastighet", "Hastighet", "T"),
        Category("vardslos_korning", "Vårdslös körning", "T"),
        Category("rattfylleri", "Rattfylleri", "T"),
        Category("motorburen", "Motorburen problematik (EPA/A-traktor/moped/buskörning)", "T"),
        Category("buller", "Buller/hög musik/varvning", "T"),
        Category("trafikfarlig_plats", "Trafikfarlig plats", "T"),
        Category("trafikolycka", "Trafikolycka", "T"),
        Category("nedskrapning", "Nedskräpning", "S"),
        Category("skadegorelse", "Skadegörelse", "S"),
        Category("ordningsstorning", "Ordningsstörning", "S"),
        Category("inbrott", "Inbrott", "S"),
        Category("stold", "Stöld", "S"),
        Category("otrygg_plats", "Otrygg plats", "S"),
        Category("parkering", "Felparkering/olämplig parkering", "S"),
        Category("ovrigt", "Övrigt", "S"),
    )
}

#: Categories the kommun answers on its own, not the police: parking is the kommun's
#: parkeringsövervakning. A marked spot of one makes no road control point and no stop in
#: the police plan (it was marked "Olämplig körning/parkering", ``vardslos_korning``, and
#: the plan answered it with a speed check).
KOMMUN_MATTERS: frozenset[str] = frozenset({"parkering"})

#: Activities a patrol stop can have (the plan's, the road control points', the follow-up's).
ACTIVITIES: tuple[str, ...] = (
    "närvaro/synlighet",
    "nykterhetskontroll",
    "hastighetskontroll",
    "riktad narkotikainsats",
    "fordonskontroll (A-traktor/EPA/moped)",
    "riktad alkoholinsats (langning/ungdomar)",
)
#: Being seen at a place: what a place calls for when no control answers its problem.
PRESENCE = ACTIVITIES[0]
#: The check motorburen problematik calls for: A-traktorer, EPA, mopeds, loud cars.
VEHICLE_CHECK = ACTIVITIES[4]
#: The activities that control road users: a sobriety, speed or vehicle check.
CHECKS: tuple[str, ...] = (ACTIVITIES[1], ACTIVITIES[2], VEHICLE_CHECK)
#: What a place where drinking in public leads calls for (its theme's own is against drugs).
ALCOHOL_ACTION = ACTIVITIES[5]

#: Where an incident came from: id → Swedish label.
SOURCES: dict[str, str] = {
    "polis": "Polisen",
    "polisen_api": "Polisens öppna händelse-API",
    "kommun": "Kommunen",
    "kommun_est": "Kommunen (EST-rapport)",
    "kommun_traffic_spot": "Kommunen (markerad trafikplats)",
    "medborgare": "Medborgare",
    "skola": "Skola",
    "socialtjanst": "Socialtjänsten",
    "bostadsbolag": "Bostadsbolag",
    "bevakning": "Bevakning/rondering",
    "syntetisk": "Syntetiska exempeldata",
}

#: The source of the synthetic sample (:mod:`geo.sample`).
SYNTHETIC_SOURCE = "syntetisk"


def synthetic_note(subject: str) -> str:
    """Return what an output made (partly) from the synthetic sample says of itself.

    Parameters
    ----------
    subject
        The output, as a sentence begins with it: ``"Planen"``, ``"Kartan"``.

    Returns
    -------
    str
        ``"Kartan bygger helt eller delvis på syntetiska exempeldata; de beskriver inga
        verkliga händelser."``: the real police events beside them are real.
    """
    return (
        f"{subject} bygger helt eller delvis på syntetiska exempeldata; de beskriver inga "
        "verkliga händelser."
    )


#: How precise an incident's time is.
TIME_PRECISIONS: tuple[str, ...] = ("exact", "hour", "day", "week", "month")
#: The precisions of a time without its hour of the day: these stay out of hour-of-week profiles.
DATE_ONLY_PRECISIONS: tuple[str, ...] = ("day", "week", "month")


def has_clock_time(incidents: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Tell which incidents' times carry an hour of the day (not :data:`DATE_ONLY_PRECISIONS`).

    A report dated only (precision ``day``, ``week``, ``month``) is stored at midnight; read
    as a time it put every such report at 00–01 in the hour-of-week profiles (a place's busy
    hours, a forecast's hours, the plan's timing). Without a ``time_precision`` column, or
    where it is empty, a time counts.

    Parameters
    ----------
    incidents
        Incidents, with or without ``time_precision``.

    Returns
    -------
    numpy.ndarray
        One bool per row.
    """
    if "time_precision" not in incidents.columns:
        return np.ones(len(incidents), dtype=bool)
    dated = incidents["time_precision"].isin(DATE_ONLY_PRECISIONS).to_numpy()
    return np.asarray(~dated, dtype=bool)


#: The incident table's columns, in order (``geometry`` is a Point in the working CRS).
INCIDENT_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "source",
    "reporter_org",
    "occurred_at",
    "occurred_until",
    "time_precision",
    "time_flag",
    "category",
    "theme",
    "place_id",
    "place_name",
    "location_precision_m",
    "location_flag",
    "description",
    "reported_to_police",
    "weight",
    "kommunkod",
    "import_id",
    "geometry",
)

#: Police open-API event types → category. Types not listed map to ``ovrigt``.
POLISEN_TYPE_CATEGORY: dict[str, str] = {
    "Narkotikabrott": "narkotika",
    "Fylleri/LOB": "alkohol",
    "Fylleri": "alkohol",
    "Alkohollagen": "alkohol",
    "Rattfylleri": "rattfylleri",
    "Trafikbrott": "vardslos_korning",
    "Olovlig körning": "vardslos_korning",
    "Trafikhinder": "trafikfarlig_plats",
    "Trafikolycka": "trafikolycka",
    "Trafikolycka, personskada": "trafikolycka",
    "Trafikolycka, vilt": "trafikolycka",
    "Trafikolycka, singel": "trafikolycka",
    "Trafikolycka, smitning från": "trafikolycka",
    "Skadegörelse": "skadegorelse",
    "Sabotage mot blåljusverksamhet": "skadegorelse",
    "Mordbrand": "skadegorelse",
    "Stöld/inbrott": "inbrott",
    "Inbrott": "inbrott",
    "Inbrott, försök": "inbrott",
    "Larm Inbrott": "inbrott",
    "Stöld": "stold",
    "Stöld, försök": "stold",
    "Motorfordon, stöld": "stold",
    "Motorfordon, anträffat stulet": "stold",
    "Häleri": "stold",
    "Bråk": "ordningsstorning",
    "Ordningslagen": "ordningsstorning",
    "Ofredande/förargelse": "ordningsstorning",
    "Smällar": "ordningsstorning",
    "Olaga intrång": "ordningsstorning",
    "Hemfridsbrott": "ordningsstorning",
}

#: Police open-API types that are summaries of a shift, not events (quarantined on import).
POLISEN_SUMMARY_PREFIX = "Sammanfattning"

#: Keywords (lower case, without diacritics) in Swedish free text → category, checked in order
#: (two of them, other words without diacritics, only with them where a text writes å/ä/ö:
#: :data:`FOLDED_KEYWORDS`).
#: What happened decides over where: the words of an offence or a nuisance come first, the
#: conditions of a place (a blind exit, a dark path) next, the bare names of places last. A
#: place word used to decide over an offence: "bråk på parkeringen vid skolan" and "inbrott i
#: bil på parkeringsplatsen" were trafikfarliga platser, as "parkering" was a word of
#: ``trafikfarlig_plats`` checked before the crimes.
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("rattfylleri", ("rattfyll", "rattonykter", "onykter forare", "drograttfyll")),
    ("narkotika", ("narkotika", "knark", "hasch", "cannabis", "droger", "langning av narkotika")),
    ("alkohol", ("alkohol", "berus", "fylle", "langning", "lob", "full ")),
    ("motorburen", ("motorburen", "epa", "a-traktor", "atraktor", "moped", "buskor", "crossmc")),
    ("buller", ("buller", "hog musik", "varvning", "varvar", "ljudniva", "musik")),
    ("hastighet", ("hastighet", "fortkor", "kor fort", "hog fart", "for fort")),
    ("trafikolycka", ("trafikolycka", "olycka", "kollision", "avakning")),
    (
        "vardslos_korning",
        ("vardslos", "olamplig korning", "farlig korning", "trafikbrott", "olovlig korning"),
    ),
    ("nedskrapning", ("nedskrap", "skrap", "sopor", "avfall", "glas pa")),
    ("skadegorelse", ("skadegorelse", "klotter", "vandalis", "sonder", "krossad", "brand")),
    ("inbrott", ("inbrott",)),
    ("stold", ("stold", "stulen", "stulit", "snatteri")),
    ("ordningsstorning", ("ordningsstorning", "brak", "stok", "storning", "slagsmal")),
    # Parking after the crimes: it is the kommun's matter (KOMMUN_MATTERS), and a text that
    # also names something the police act on ("inbrott i parkerad bil") is that. "parkera"
    # is the verb ("parkerad", "parkerar", "felparkerade"), not the place ("parkeringen").
    (
        "parkering",
        (
            "parkera",
            "felparker",
            "olamplig parkering",
            "olovlig parkering",
            "olaglig parkering",
            "parkeringsovervakning",
            "parkeringsanmarkning",
            "parkeringsbot",
        ),
    ),
    # The conditions of a place: "skymd sikt vid utfart", "dålig belysning".
    ("trafikfarlig_plats", ("trafikfarlig", "skymd", "sikt", "korsning", "overgangsstalle")),
    ("otrygg_plats", ("otrygg", "belysning", "morkt", "buskage")),
    # Last, bare places and words. A parking place alone is a parking complaint ("kaos på
    # parkeringen vid hämtning"); "parkering", not "parker", which is also "parks".
    ("parkering", ("parkering",)),
    # A generic traffic word ("trafik", "trafikproblem", "trafiksäkerhet", "traffic") that
    # named nothing more specific above. There is no general traffic category; a traffic
    # complaint without details is the löfte's "trafikmiljön uppfattas som problematisk",
    # i.e. a traffic-dangerous place, theme T (before this it fell through to ovrigt, theme S).
    ("trafikfarlig_plats", ("trafik", "traffic")),
)


def normalize_text(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics and with single spaces.

    Parameters
    ----------
    text
        Any string.

    Returns
    -------
    str
        The normalised string, for case- and diacritics-insensitive matching.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped).strip()


def category_from_polisen_type(event_type: str) -> str:
    """Map a police open-API event type to a category id (``ovrigt`` when unknown).

    Parameters
    ----------
    event_type
        The ``type`` field of a police event, e.g. ``"Rattfylleri"``.

    Returns
    -------
    str
        A key of :data:`CATEGORIES`.
    """
    return POLISEN_TYPE_CATEGORY.get(event_type.strip(), "ovrigt")


@cache
def _exact_names() -> dict[str, str]:
    """Normalised exact names → category id; a category's id or label wins over a police type."""
    names: dict[str, str] = {}
    for event_type, cat_id in POLISEN_TYPE_CATEGORY.items():
        names[normalize_text(event_type)] = cat_id
    for cat in CATEGORIES.values():  # written last: a category's own names win
        for name in (cat.id, normalize_text(cat.label), normalize_text(cat.label.split(" (")[0])):
            names[name] = cat.id
    return names


#: Keywords of :data:`_KEYWORDS` that count only at the start of a word: short ones that sit
#: inside other words ("epa" in "separat", "lob" in "global", "sikt" in "uppsikt" and
#: "avsiktligt": "Separat cykelväg önskas" was motorburen problematik). The others also end a
#: compound ("trafikbuller", "bilinbrott"), so they count anywhere.
TEXT_WORD_START_KEYWORDS: frozenset[str] = frozenset({"epa", "lob", "sikt"})


def keyword_in(word: str, text: str, word_start: Collection[str]) -> bool:
    """Return whether a keyword occurs in normalised text (:func:`normalize_text`).

    Parameters
    ----------
    word
        The keyword, lower case without diacritics.
    text
        The text, normalised.
    word_start
        Keywords that count only at the start of a word (after a character that is no letter
        or digit), not inside one.

    Returns
    -------
    bool
        Whether ``word`` occurs in ``text``.
    """
    if word in word_start:
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}", text) is not None
    return word in text


#: Keywords of :data:`_KEYWORDS` whose folded spelling is also another Swedish word, with the
#: spelling they stand for: "skrap" is "skräp" (litter) and "skrapa" (scrape: "bilen skrapad
#: längs sidan" is no littering), "brak" is "bråk" (a fight) and "brak" (a crash: "det brakade
#: till"). In a text that writes å, ä or ö anywhere (:func:`writes_swedish_letters`) the writer
#: has those letters, so there such a keyword counts only as spelled with them; in a text
#: without any (an ASCII keyboard) the folded spelling counts, as it cannot tell them apart.
FOLDED_KEYWORDS: dict[str, str] = {"skrap": "skräp", "brak": "bråk"}


def writes_swedish_letters(text: str) -> bool:
    """Return whether ``text`` writes å, ä or ö (in either case, composed or not).

    Parameters
    ----------
    text
        Any string.

    Returns
    -------
    bool
        Whether the writer had the Swedish letters: a keyword of :data:`FOLDED_KEYWORDS`
        then counts only as spelled with them.
    """
    return not frozenset("åäö").isdisjoint(_spelled(text))


def _spelled(text: str) -> str:
    """Return ``text`` lower-cased with its diacritics composed (``"a\u0308"`` → ``"ä"``)."""
    return unicodedata.normalize("NFC", text.casefold())


def _has_keyword(word: str, folded: str, spelled: str | None) -> bool:
    """Return whether a keyword is in a text: ``folded``, and ``spelled`` if it writes å/ä/ö."""
    if spelled is not None and word in FOLDED_KEYWORDS:
        return FOLDED_KEYWORDS[word] in spelled
    return keyword_in(word, folded, TEXT_WORD_START_KEYWORDS)


def category_from_text(text: str) -> str | None:
    """Guess the category from a category name or Swedish free text.

    Exact category ids and Swedish labels win; then police event types; then keywords, what
    happened before where it happened: "bråk på parkeringen" is ``ordningsstorning``, "bil
    parkerad på övergångsställe" ``parkering``, a parking place alone ``parkering``. A
    generic traffic word (``trafik``, ``trafikproblem``, ``trafiksäkerhet``, ``traffic``) that
    names nothing more specific maps to ``trafikfarlig_plats`` (theme T). Keywords match
    without diacritics, except those whose folded spelling is another word
    (:data:`FOLDED_KEYWORDS`) in a text that writes å, ä or ö: "Mycket skräp kvar" and
    "mycket skrap kvar" are ``nedskrapning``, "Bilen skrapad längs sidan" is not.

    Parameters
    ----------
    text
        A category column value or a description.

    Returns
    -------
    str or None
        A key of :data:`CATEGORIES`, or ``None`` when nothing matches.
    """
    norm = normalize_text(text)
    if not norm:
        return None
    exact = _exact_names()
    if norm in exact:
        return exact[norm]
    padded = f" {norm} "
    spelled = _spelled(text) if writes_swedish_letters(text) else None
    for cat_id, words in _KEYWORDS:
        if any(_has_keyword(word, padded, spelled) for word in words):
            return cat_id
    return None


def short_label(category: str) -> str:
    """Return a category's label as a reason says it, e.g. ``"vårdslös körning"``."""
    if category not in CATEGORIES:
        return category
    return CATEGORIES[category].label.split(" (")[0].split("/")[0].lower()


def theme_of(category: str, default: str | None = None) -> str:
    """Return the löfte theme of a category id.

    Parameters
    ----------
    category
        A key of :data:`CATEGORIES`.
    default
        The theme of an unknown category; ``None``: an unknown one is an error.

    Returns
    -------
    str
        ``N``, ``T``, ``B`` or ``S``.

    Raises
    ------
    KeyError
        If the category is unknown and there is no ``default``.
    """
    known = CATEGORIES.get(category)
    if known is not None:
        return known.theme
    if default is None:
        raise KeyError(category)
    return default
