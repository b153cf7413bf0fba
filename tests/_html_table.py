"""A table of a rendered report (or page) as the reader sees its cells."""

from __future__ import annotations

from html.parser import HTMLParser


def html_table(html: str, name: str) -> list[list[str]]:
    """Return the body rows of the report's table ``name`` as the reader sees their cells."""

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.inside = self.in_body = self.in_cell = False

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "table":
                self.inside = ("data-table", name) in attrs
            elif self.inside and tag == "tbody":
                self.in_body = True
            elif self.in_body and tag == "tr":
                self.rows.append([])
            elif self.in_body and tag == "td":
                self.in_cell = True
                self.rows[-1].append("")

        def handle_endtag(self, tag: str) -> None:
            if tag == "td":
                self.in_cell = False
            elif tag in ("tbody", "table"):
                self.in_body = self.inside = False

        def handle_data(self, data: str) -> None:
            if self.in_cell:
                self.rows[-1][-1] = " ".join((self.rows[-1][-1] + data).split())

    parser = Cells()
    parser.feed(html)
    return parser.rows
