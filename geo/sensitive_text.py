"""Free text checked for identifying details: personnummer, registration numbers, street addresses.

Design §8: no names, personnummer or registration numbers anywhere. Every free text a user types
into the project (a spot's description, unit and status comment, an EST observation, an
activity-log comment, a patrol pass's places, activity and results, from a form or a file) is
checked by :func:`find_identifying`, with the patterns kept here once. Each caller chooses
whether a street address with a house number counts: it does in a spot's description (an
address to a home, which the shared list must not hold) and in an activity comment, not in a
pass (where the police name the place they patrolled). Names are not guessed at: a heuristic
would refuse place names; the forms' warnings ask not to write them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "GENERIC_ROAD_WORDS",
    "STREET_SUFFIXES",
    "Identifying",
    "find_identifying",
    "has_street_address",
    "redact_identifying",
]

#: A personnummer or samordningsnummer: ``YYMMDD-NNNN``, ``YYYYMMDDNNNN``, ``YYMMDD+NNNN``,
#: ``YYMMDD NNNN`` (no date or checksum test: a mistyped one is still one).
_PERSONNUMMER_RE = re.compile(r"(?<!\d)(?:19|20)?\d{6}[-+ ]?\d{4}(?!\d)")

#: A Swedish registration number: three capitals, two digits, a digit or capital (``ABC 123``,
#: ``ABC12D``).
_REGNR_RE = re.compile(r"(?<![A-ZÅÄÖ])[A-Z]{3} ?\d{2}[A-Z0-9](?![A-Za-z0-9])")

#: Endings of Swedish street names (``Storgatan``, ``Ekkroken``, ``Lindallén`` …). ``väg`` and
#: ``led`` alone are not here: ``väg 204``, ``riksväg 50`` and ``E18`` are road numbers.
STREET_SUFFIXES: tuple[str, ...] = (
    "gatan",
    "gata",
    "vägen",
    "gränden",
    "gränd",
    "stigen",
    "backen",
    "torget",
    "torg",
    "allén",
    "allé",
    "leden",
    "platsen",
    "gången",
    "slingan",
    "liden",
    "ringen",
    "kroken",
)

#: Numbers after a street name that count something rather than name a house.
_NOT_HOUSE_NUMBER = (
    r"km|m|meter|gånger|ggr|st|stycken|bilar|fordon|mopeder|personer|min|minuter|timmar"
    r"|dagar|kvällar|nätter|helger|veckor|månader|år|kr|procent"
)

#: Words that make a generic road or place, not a street name, of a street ending: road kinds
#: that take a number (``riksvägen 50``) and what a complaint names by its kind
#: (``gång- och cykelvägen``, ``GC-vägen``, ``vändplatsen``, ``gågatan``), so that a number
#: after them (``vändplatsen 4 av 5 dagar``, ``infartsvägen 70 i 40-zon``) is no house number.
GENERIC_ROAD_WORDS: tuple[str, ...] = (
    "riks",
    "läns",
    "europa",
    "motor",
    "cykel",
    "gång",
    "gc",
    "grus",
    "lands",
    "infarts",
    "utfarts",
    "tillfarts",
    "genomfarts",
    "omfarts",
    "förbifarts",
    "skogsbil",
    "gå",
    "buss",
    "bad",
    "grill",
    "rast",
    "parkerings",
    "vänd",
    "hållplats",
    "busshållplats",
    "cirkulations",
)

#: A street name (at least one letter before the ending, so "på vägen 3 gånger" is not one)
#: followed by a house number of 1–3 digits: ``Storgatan 5``, ``kungsvägen 12B``; not a
#: generic road (:data:`GENERIC_ROAD_WORDS`) followed by a number.
_ADDRESS_RE = re.compile(
    r"(?<![^\W\d_])"
    rf"(?!(?:{'|'.join(GENERIC_ROAD_WORDS)})-?(?:{'|'.join(STREET_SUFFIXES)})(?![^\W\d_]))"
    r"[^\W\d_][^\W\d_-]*?(?:-[^\W\d_]+)*?"
    rf"-?(?:{'|'.join(STREET_SUFFIXES)})(?![^\W\d_])"
    r"\s*\d{1,3}(?!\d)(?![.:,]\d)"
    rf"(?!\s*(?:%|(?:{_NOT_HOUSE_NUMBER})(?!\w)))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Kind:
    """One kind of identifying detail: its pattern and its names in the two languages."""

    swedish: str
    english: str
    pattern: re.Pattern[str]


_PERSONNUMMER = _Kind("ett personnummer", "a personnummer", _PERSONNUMMER_RE)
_REGNR = _Kind("ett registreringsnummer", "a registration number", _REGNR_RE)
_ADDRESS = _Kind("en gatuadress med husnummer", "a street address with a house number", _ADDRESS_RE)


def _kinds(*, addresses: bool) -> tuple[_Kind, ...]:
    return (_PERSONNUMMER, _REGNR, _ADDRESS) if addresses else (_PERSONNUMMER, _REGNR)


def _listed(words: list[str], conjunction: str) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


@dataclass(frozen=True)
class Identifying:
    """The kinds of identifying detail a text holds (false when it holds none).

    Attributes
    ----------
    found
        The kinds found, in a fixed order (personnummer, registration number, street address).
    """

    found: tuple[_Kind, ...] = ()

    def __bool__(self) -> bool:
        """Return whether the text holds any identifying detail."""
        return bool(self.found)

    @property
    def swedish(self) -> str:
        """The kinds in Swedish: ``"ett personnummer och ett registreringsnummer"``."""
        return _listed([k.swedish for k in self.found], "och") if self.found else ""

    @property
    def english(self) -> str:
        """The kinds in English: ``"a personnummer and a registration number"``."""
        return _listed([k.english for k in self.found], "and") if self.found else ""

    @property
    def pronoun(self) -> str:
        """The Swedish pronoun for the kinds: ``det`` (ett …), ``den`` (en …), ``dem`` (several)."""
        if len(self.found) > 1:
            return "dem"
        return "den" if self.found and self.found[0].swedish.startswith("en ") else "det"

    @property
    def english_pronoun(self) -> str:
        """The English pronoun for the kinds: ``it`` or ``them``."""
        return "them" if len(self.found) > 1 else "it"

    @property
    def has_address(self) -> bool:
        """Whether a street address with a house number is among the kinds."""
        return _ADDRESS in self.found

    def sentence(self, subject: str = "Texten") -> str:
        """Return the Swedish sentence a form shows next to the field, or ``""`` for none.

        Parameters
        ----------
        subject
            What the sentence is about: ``"Texten"``, ``"Kommentaren"``.

        Returns
        -------
        str
            E.g. ``"Texten ser ut att innehålla ett personnummer och ett registreringsnummer;
            ta bort dem."``; with an address, the advice to describe the place instead.
        """
        if not self:
            return ""
        sentence = f"{subject} ser ut att innehålla {self.swedish}; ta bort {self.pronoun}."
        if self.has_address:
            sentence += (
                " Beskriv platsen utan adresser till bostäder, t.ex. ”korsningen vid skolan”."
            )
        return sentence


def find_identifying(text: str, *, addresses: bool = True) -> Identifying:
    """Tell which kinds of identifying detail a free text holds: the one check of all free text.

    All kinds are found at once, so that a text holding a personnummer, a registration number
    and an address is mended in one round, not three.

    Parameters
    ----------
    text
        Free text from a form or a file.
    addresses
        Whether a street address with a house number counts (:func:`has_street_address`):
        yes for a spot's texts and an activity comment, no for a patrol pass, whose places
        the police may name by their address.

    Returns
    -------
    Identifying
        False when the text holds none; else the kinds, with the Swedish sentence
        (:meth:`Identifying.sentence`) and the English list (:attr:`Identifying.english`).
        Times (``18:00-20:00``), dates (``2025-12-02``), weeks (``2025-W49``) and counts are
        none; any run of ten digits (``YYMMDDNNNN``, optionally with ``-``, ``+`` or a space
        before the last four, or twelve with the century) is taken for a personnummer, a
        mobile number written without spaces too.
    """
    return Identifying(tuple(k for k in _kinds(addresses=addresses) if k.pattern.search(text)))


def redact_identifying(text: str, *, addresses: bool = True, mark: str = "[borttaget]") -> str:
    """Return a text with every identifying detail :func:`find_identifying` finds replaced.

    For what is kept of a refused row (a quarantined file row's raw cells), so that a
    personnummer refused is not stored either.

    Parameters
    ----------
    text
        The text.
    addresses
        Whether street addresses are replaced too, as for :func:`find_identifying`.
    mark
        What stands in their place.

    Returns
    -------
    str
        The text without them.
    """
    for kind in _kinds(addresses=addresses):
        text = kind.pattern.sub(mark, text)
    return text


def has_street_address(text: str) -> bool:
    """Tell whether a text names a street address with a house number.

    Parameters
    ----------
    text
        Free text from a form.

    Returns
    -------
    bool
        True for e.g. ``Storgatan 5`` or ``kungsvägen 12B``; False for road numbers
        (``väg 204``, ``E18``), streets without a number and counts after a street
        (``Storgatan 3 gånger``).
    """
    return _ADDRESS_RE.search(text) is not None
