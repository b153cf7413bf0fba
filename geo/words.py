"""Swedish wording shared by the outputs: how a list of words is said."""

from __future__ import annotations

from collections.abc import Sequence


def mid_sentence(phrase: str) -> str:
    """Return a label as it reads inside a sentence: its first letter small, the rest kept.

    ``"Motorburen trafik (buskörning/EPA/A-traktor/moped)"`` becomes ``"motorburen trafik
    (buskörning/EPA/A-traktor/moped)"``: abbreviations keep their capitals.
    """
    return phrase[:1].lower() + phrase[1:]


def and_list(words: Sequence[str]) -> str:
    """Join words as Swedish lists them.

    Parameters
    ----------
    words
        One or more words or phrases.

    Returns
    -------
    str
        ``"Polisen"``, ``"Polisen och Kommunen"``, ``"A, B och C"``; empty for no words.
    """
    if not words:
        return ""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} och {words[-1]}"
