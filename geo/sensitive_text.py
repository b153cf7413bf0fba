"""Free text checked for identifying details: personnummer, registration numbers, street addresses.

Design §8: no names, personnummer or registration numbers anywhere. Every free text a user types
into the project (a spot's description, unit and status comment, an EST observation, an
activity-log comment, a patrol pass's places, activity and results, from a form or a file) is
checked by :func:`find_identifying`, with the patterns kept here once. Each caller chooses
whether a street address with a house number counts: it does in a spot's texts (an address to a
home, which the list shared with the public side must not hold), not in an activity comment
(seen only inside its own organisation, a note of where the activity was done) nor in a pass
(where the police name the place they patrolled). Names are not guessed at: a heuristic would
refuse place names; the forms' warnings ask not to write them.

What counts, so that ordinary texts of counts, times and dates pass:

- a personnummer or samordningsnummer is ten digits ``YYMMDDNNNC`` (or twelve with the
  century), optionally with ``-``, ``+``, a space or a Unicode dash (``–``, ``—`` …) before the
  last four, whose date part is one (month 01–12, day 01–31, or 61–91 for a
  samordningsnummer) and, written with nothing or a space before the last four, whose last
  digit is the Luhn check digit over the ten; with a dash or ``+`` (``850312-1235``) the check
  digit is not asked for: a personnummer with a typo still points at one person, and a date
  and a time are not written so. A time (``251202 1800``) or an organisation number
  (``212000-2981``, month ≥ 20) is none; one
  date-and-time in ten still passes the Luhn test by chance when written ``YYMMDD HHMM`` with
  nothing after, and a mobile number written as ten digits without spaces likewise;
- a registration number is three letters of the plates' alphabet (A–Z without I, Q and V, which
  plates never use, nor Å, Ä, Ö), two digits and a digit or such a letter: ``ABC 123``,
  ``ABC-123``, ``ABC12D``; without a separator in any case (``abc123``, ``Bil abc123
  stoppad``); with a space or dash in capitals only, so that ``och 123`` in a sentence is none
  (``Abc 123`` is not found either). Acronyms that fit the pattern and are written with a
  number (:data:`NOT_PLATES`: ``SOS 112``, ``AML 123``, ``PBL 10A`` …) are none;
- a street address is a street name (:data:`STREET_SUFFIXES`) followed by a house number, not a
  count (``Storgatan 3 gånger``, ``Skolvägen 2 tillfällen``, ``Östansjövägen 3 av 4 helger``)
  or a day (``Lekebergsvägen 13 nov``); a range (``Stortorget 18-20``) stays one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "GENERIC_ROAD_WORDS",
    "NOT_PLATES",
    "STREET_SUFFIXES",
    "Identifying",
    "find_identifying",
    "has_street_address",
    "redact_identifying",
]

#: Dashes people and their phones type between digits: the hyphen-minus and its Unicode kin
#: (hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign),
#: escaped for a character class.
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"

#: Spaces between the parts of a number: the plain one, the no-break and the narrow no-break.
_SPACES = " \u00a0\u202f"

#: A personnummer or samordningsnummer as written: ``YYMMDD-NNNC``, ``YYYYMMDDNNNC``,
#: ``YYMMDD+NNNC``, ``YYMMDD NNNC``, ``YYMMDD–NNNC``, with a date part (month 01–12, day 01–31
#: or, a samordningsnummer, 61–91); not followed by a dash and a digit (``251202 1800-2100``
#: is a day and a time span). :func:`_luhn_holds` tests the check digit.
_PERSONNUMMER_RE = re.compile(
    r"(?<!\d)(?:19|20)?(?P<date>\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01]))"
    rf"(?P<sep>[+{_DASHES}{_SPACES}]?)(?P<tail>\d{{4}})(?!\d)(?![{_DASHES}]\d)"
)

#: Letters of Swedish registration plates: A–Z without I, Q and V (nor Å, Ä, Ö).
_PLATE_LETTERS = "A-HJ-PR-UW-Z"

#: Acronyms and law abbreviations of the kommun's and the police's texts that fit a plate's
#: pattern when a number follows (``SOS 112``, ``AML 123``, ``PBL 10A``, ``FAP 201-1``), so
#: are no registration number, in any case: SOS, the laws AML (arbetsmiljö-), BRB
#: (brottsbalken), LOB (berusade), LSO (skydd mot olyckor), LSS, OSL (offentlighet och
#: sekretess), PBL (plan och bygg), PUL, SOL (socialtjänst), TSL (trafikskade-), the series
#: FAP (the police's rules), SFS and SOU, the authorities MSB, RPS and SKR, and OBS. (LVU, LVM
#: and others with I, Q or V never fit.)
NOT_PLATES: tuple[str, ...] = (
    "AML",
    "BRB",
    "FAP",
    "LOB",
    "LSO",
    "LSS",
    "MSB",
    "OBS",
    "OSL",
    "PBL",
    "PUL",
    "RPS",
    "SFS",
    "SKR",
    "SOL",
    "SOS",
    "SOU",
    "TSL",
)

#: A Swedish registration number: three plate letters, two digits, a digit or plate letter.
#: In capitals with a space or a dash (``ABC 123``, ``ABC-123``, ``ABC 12D``), in any case
#: without (``ABC123``, ``abc123``); a mixed- or lower-case one with a space (``Abc 123``) is
#: not found, since ``och 123`` in a sentence has the same shape. Not an acronym of
#: :data:`NOT_PLATES`, nor inside a longer word or number.
_REGNR_RE = re.compile(
    r"(?<![^\W_])"
    rf"(?!(?i:{'|'.join(NOT_PLATES)}))"
    rf"(?:[{_PLATE_LETTERS}]{{3}}[{_SPACES}{_DASHES}]\d{{2}}[0-9{_PLATE_LETTERS}]"
    rf"|(?i:[{_PLATE_LETTERS}]{{3}}\d{{2}}[0-9{_PLATE_LETTERS}]))"
    r"(?![^\W_])"
)


def _luhn_holds(digits: str) -> bool:
    """Tell whether the last of ten digits is their Luhn check digit, as in every personnummer."""
    total = 0
    for i, char in enumerate(digits):
        d = int(char) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return total % 10 == 0


def _is_personnummer(match: re.Match[str]) -> bool:
    """Tell a personnummer: a dash or ``+`` before the last four makes one, else the Luhn digit.

    Written ``YYMMDD-NNNN`` the number is a personnummer even when its check digit fails: a
    typo in one digit still points at one person, and nothing else is written so. Without a
    separator or with a space, only the check digit tells it from a date and a time.
    """
    sep = match["sep"]
    return bool(sep and sep not in _SPACES) or _luhn_holds(match["date"] + match["tail"])


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
#: Counts of times, things, people and time (``Storgatan 3 gånger``, ``Skolvägen 2 tillfällen``,
#: ``Kyrkvägen 2 v``), ``3 av 4``, and months after a day (``Lekebergsvägen 13 nov``).
_NOT_HOUSE_NUMBER = (
    r"km|m|meter|gång|gånger|ggr|st|stycken|tillfälle|tillfällen|kontroll|kontroller|pass"
    r"|bilar|fordon|mopeder|förare|personer|ungdomar|elever|besök|samtal|möten|rapporter"
    r"|min|minuter|tim|timme|timmar|dag|dagar|kväll|kvällar|natt|nätter|helg|helger"
    r"|v|vecka|veckor|månad|månader|år|kr|procent|av\s+\d+"
    r"|jan|januari|feb|februari|mars?|apr|april|maj|juni?|juli?|aug|augusti"
    r"|sep|sept|september|okt|oktober|nov|november|dec|december"
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
    """One kind of identifying detail: its pattern, a test of a match and its names."""

    swedish: str
    english: str
    pattern: re.Pattern[str]
    holds: Callable[[re.Match[str]], bool] = lambda match: True

    def found_in(self, text: str) -> bool:
        """Tell whether the text holds one."""
        return any(self.holds(m) for m in self.pattern.finditer(text))

    def redact(self, text: str, mark: str) -> str:
        """Return the text with each one replaced by ``mark``."""
        return self.pattern.sub(lambda m: mark if self.holds(m) else m[0], text)


_PERSONNUMMER = _Kind("ett personnummer", "a personnummer", _PERSONNUMMER_RE, _is_personnummer)
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
        yes for a spot's texts; no for an activity comment (seen only inside its own
        organisation, a note of where the activity was done) and a patrol pass, whose places
        the police may name by their address.

    Returns
    -------
    Identifying
        False when the text holds none; else the kinds, with the Swedish sentence
        (:meth:`Identifying.sentence`) and the English list (:attr:`Identifying.english`).
        Times (``18:00-20:00``, ``1800-2100``), dates (``2025-12-02``, ``251202``), weeks
        (``2025-W49``), counts, road numbers (``E18``), organisation numbers and acronyms with
        a number (``SOS 112``) are none; ten digits ``YYMMDDNNNC`` (optionally with ``-``,
        ``+``, a space or a dash before the last four, or twelve with the century) are a
        personnummer when the date part is one and, unless a dash or ``+`` stands before
        the last four, the Luhn check digit holds (see the module's notes).
    """
    return Identifying(tuple(k for k in _kinds(addresses=addresses) if k.found_in(text)))


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
        text = kind.redact(text, mark)
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
