"""Swedish wording shared by the outputs: how a list of words is said."""

from __future__ import annotations

from collections.abc import Sequence


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
