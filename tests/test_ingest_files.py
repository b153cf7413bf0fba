"""Files as real tools write them: encodings, line ends, quoting, stray columns (geo import)."""

import itertools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo.ingest.readers import read_file

_counter = itertools.count()


#: Characters of Swedish free text that a CSV must quote or that an encoding must carry.
_TEXT = st.text(alphabet="abåäöÅÄÖé -.,;\t\"'\r\n0123456789", max_size=12)
#: What Excel, LibreOffice and older Mac programs write: encoding and line end.
_SAVED_AS = [
    ("utf-8", "\r\n"),
    ("utf-8-sig", "\r\n"),  # Excel "CSV UTF-8"
    ("cp1252", "\r\n"),  # Excel "CSV (semicolon)" on a Swedish Windows
    ("utf-16", "\r\n"),  # Excel "Unicode text": UTF-16 with BOM, tab-separated
    ("utf-8", "\n"),
    ("cp1252", "\r"),  # Excel "CSV (Macintosh)": lone CR
]


@st.composite
def saved_tables(draw):
    rows = draw(
        st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=6).map(
            lambda rs: [[f"2026-07-0{i % 9 + 1} 18:30", *r] for i, r in enumerate(rs)]
        )
    )
    encoding, newline = draw(st.sampled_from(_SAVED_AS))
    delimiter = "\t" if encoding == "utf-16" else draw(st.sampled_from([";", ","]))
    text = _excel_csv([["Datum", "Plats", "Beskrivning"], *rows], delimiter, newline)
    return rows, text.encode(encoding)


def _excel_csv(rows: list[list[str]], delimiter: str, newline: str) -> str:
    """Return rows as Excel writes them: a cell quoted when it holds a delimiter, quote or break."""

    def cell(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\r", "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(map(cell, row)) + newline for row in rows)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=saved_tables())
# found by this test: Excel's "Unicode text" (UTF-16) was decoded as cp1252 and refused as
# "not a readable CSV table", and so was a file with lone CR line ends
@example(
    table=(
        [["2026-07-01 18:30", "Tångeråsa", "Klotter"]],
        "Datum\tPlats\tBeskrivning\r\n2026-07-01 18:30\tTångeråsa\tKlotter\r\n".encode("utf-16"),
    )
)
@example(
    table=(
        [["2026-07-01 18:30", "Tångeråsa", "Klotter"]],
        "Datum;Plats;Beskrivning\r2026-07-01 18:30;Tångeråsa;Klotter\r".encode("cp1252"),
    )
)
def test_a_table_saved_by_any_tool_reads_as_its_cells(tmp_path, table):
    rows, data = table
    path = tmp_path / f"saved{next(_counter)}.csv"
    path.write_bytes(data)
    read = read_file(path)
    assert read.malformed.empty
    assert read.rows.columns.tolist() == ["Datum", "Plats", "Beskrivning"]
    assert read.rows.to_numpy().tolist() == rows
