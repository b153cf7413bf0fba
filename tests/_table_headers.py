"""Which header cells a screen reader gives each data cell of an HTML table.

The HTML standard's table model (§ 4.9.12 "Forming a table" and "Forming relationships
between data cells and header cells"): a cell with a ``headers`` attribute has the header
cells it names; any other cell has the column headers above it and the row headers left of
it (a header block seen after a data cell hides the headers above it in the same column),
and the row group headers of its row group. Column groups are not modelled (the pages
tested have none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass(eq=False)
class Cell:
    """One ``<td>`` or ``<th>``: where it is anchored, its span and what it says."""

    tag: str
    attrs: dict[str, str]
    x: int = 0
    y: int = 0
    width: int = 1
    height: int = 1
    group: int = -1
    text: str = ""
    headers: list[Cell] = field(default_factory=list)

    @property
    def is_header(self) -> bool:
        """True for a ``<th>``."""
        return self.tag == "th"


class _Table(HTMLParser):
    """The first table of a page as a grid of slots, each holding the cell covering it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[Cell] = []
        self.grid: dict[tuple[int, int], Cell] = {}
        self.depth = 0
        self.done = False
        self.y = -1
        self.group = -1
        self.group_start = 0
        self.open: Cell | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "table":
            self.depth += 1
        elif self.depth == 1 and tag in ("thead", "tbody", "tfoot"):
            self.group += 1
            self.group_start = self.y + 1
        elif self.depth == 1 and tag == "tr":
            self.y += 1
        elif self.depth == 1 and tag in ("td", "th"):
            a = {k: v or "" for k, v in attrs}
            x = 0
            while (x, self.y) in self.grid:
                x += 1
            cell = Cell(
                tag, a, x, self.y, int(a.get("colspan", 1)), int(a.get("rowspan", 1)), self.group
            )
            for dx in range(cell.width):
                for dy in range(cell.height):
                    self.grid[(x + dx, self.y + dy)] = cell
            self.cells.append(cell)
            self.open = cell

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if tag in ("td", "th"):
            self.open = None
        elif tag == "table":
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data: str) -> None:
        if self.open is not None:
            self.open.text = " ".join((self.open.text + " " + data).split())


def _is_column_header(cell: Cell, grid: dict[tuple[int, int], Cell]) -> bool:
    scope = cell.attrs.get("scope", "")
    if scope in ("col", "colgroup"):
        return True
    if scope:
        return False
    return all(  # auto: no data cell in the rows it covers
        c.is_header for (_, y), c in grid.items() if cell.y <= y < cell.y + cell.height
    )


def _is_row_header(cell: Cell, grid: dict[tuple[int, int], Cell]) -> bool:
    scope = cell.attrs.get("scope", "")
    if scope in ("row", "rowgroup"):
        return True
    if scope:
        return False
    return not _is_column_header(cell, grid) and all(
        c.is_header for (x, _), c in grid.items() if cell.x <= x < cell.x + cell.width
    )


def _scan(
    grid: dict[tuple[int, int], Cell], start: tuple[int, int], step: tuple[int, int]
) -> list[Cell]:
    """The standard's "internal algorithm for scanning and assigning header cells"."""
    found: list[Cell] = []
    x, y = start
    dx, dy = step
    in_block = False
    block: list[Cell] = []
    opaque: list[Cell] = []
    while True:
        x, y = x + dx, y + dy
        if x < 0 or y < 0:
            return found
        cell = grid.get((x, y))
        if cell is None:
            continue
        if cell.is_header:
            in_block = True
            block.append(cell)
            if dx == 0:
                blocked = any(o.x == cell.x and o.width == cell.width for o in opaque)
                blocked = blocked or not _is_column_header(cell, grid)
            else:
                blocked = any(o.y == cell.y and o.height == cell.height for o in opaque)
                blocked = blocked or not _is_row_header(cell, grid)
            if not blocked:
                found.append(cell)
        elif in_block:
            in_block = False
            opaque.extend(block)
            block = []


def table_headers(page: str) -> list[Cell]:
    """Return the first table's cells of ``page``, each with its header cells (``headers``).

    Empty header cells are left out, as the standard does.
    """
    parser = _Table()
    parser.feed(page)
    grid = parser.grid
    by_id = {c.attrs["id"]: c for c in parser.cells if "id" in c.attrs}
    for cell in parser.cells:
        if "headers" in cell.attrs:
            found = [by_id[i] for i in cell.attrs["headers"].split()]
        else:
            found = []
            for y in range(cell.y, cell.y + cell.height):
                found += _scan(grid, (cell.x, y), (-1, 0))
            for x in range(cell.x, cell.x + cell.width):
                found += _scan(grid, (x, cell.y), (0, -1))
            found += [
                c
                for c in parser.cells
                if c.is_header
                and c.attrs.get("scope") == "rowgroup"
                and c.group == cell.group
                and c.x < cell.x + cell.width
                and c.y < cell.y + cell.height
            ]
        unique: list[Cell] = []
        for c in found:
            if c is not cell and c.text and c not in unique:
                unique.append(c)
        cell.headers = unique
    return parser.cells
