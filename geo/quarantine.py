"""The quarantined rows an import shows its user: the first few of each reason, by line.

Every quarantined row is kept in the store (``quarantine``, ``patrol_log_quarantine``); the
command that imported them names the first :data:`FIRST_ROWS` of each reason with the file,
the line and what to fix, so a user can mend the file without opening the store.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["FIRST_ROWS", "QuarantinedRow", "first_rows"]

#: How many quarantined rows per reason (and swapped rows) are named by line.
FIRST_ROWS = 3


@dataclass(frozen=True)
class QuarantinedRow:
    """One quarantined row, as shown to the user.

    Attributes
    ----------
    file
        The file as given on the command line.
    line
        The row's line (CSV), sheet row (XLSX) or feature number (1-based).
    reason
        A key of :data:`geo.ingest.REASONS`, or a patrol-log reason (``ogiltig tid``).
    detail
        What is wrong with the row and how to fix it.
    """

    file: str
    line: int
    reason: str
    detail: str

    def __str__(self) -> str:
        """Return ``"rapporter.csv line 4: no_location — …"``."""
        return f"{self.file} line {self.line}: {self.reason} — {self.detail}"


def first_rows(file: str, quarantine: pd.DataFrame) -> tuple[QuarantinedRow, ...]:
    """Return the first :data:`FIRST_ROWS` quarantined rows of each reason, by line.

    Parameters
    ----------
    file
        The file's name as the user gave it.
    quarantine
        ``line``, ``reason``, ``detail`` of the rows not stored.

    Returns
    -------
    tuple of QuarantinedRow
        Reasons with most rows first (ties by name), each reason's rows by line.
    """
    if not len(quarantine):
        return ()
    q = quarantine.assign(line=quarantine["line"].astype(int)).sort_values("line", kind="stable")
    counts = q["reason"].value_counts()
    order = sorted(counts.index, key=lambda r: (-int(counts[r]), str(r)))
    return tuple(
        QuarantinedRow(file, int(r.line), str(r.reason), str(r.detail))
        for reason in order
        for r in q[q["reason"] == reason].head(FIRST_ROWS).itertuples()
    )
