"""Write legacy Excel workbooks (``.xls``) for the tests of the readers that take them."""

from __future__ import annotations

import datetime

import xlwt


def write_xls(path, sheets, *, dates_1904=False):
    """Write a legacy Excel workbook (``.xls``, BIFF8) with xlwt: ``{sheet name: rows of cells}``.

    A ``datetime`` is a date cell, a ``time`` a time-of-day cell, formatted as Excel shows them.
    """
    book = xlwt.Workbook()
    book.set_dates_1904(dates_1904)
    styles = {
        datetime.datetime: xlwt.easyxf(num_format_str="YYYY-MM-DD hh:mm:ss"),
        datetime.time: xlwt.easyxf(num_format_str="hh:mm:ss"),
    }
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write(i, j, value, styles.get(type(value), xlwt.Style.default_style))
    book.save(str(path))
