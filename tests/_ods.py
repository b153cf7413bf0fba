"""Write OpenDocument spreadsheets (``.ods``) as LibreOffice does, for the readers' tests."""

from __future__ import annotations

import datetime
import itertools
import zipfile


def ods_cell(value):
    """One cell of an OpenDocument sheet as LibreOffice writes it, typed by ``value``."""
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, str):
        text = value.replace("&", "&amp;").replace("<", "&lt;")
        p = f"<text:p>{text}</text:p>"
        return f'<table:table-cell office:value-type="string">{p}</table:table-cell>'
    if isinstance(value, datetime.time):
        iso = f"PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S"
        return f'<table:table-cell office:value-type="time" office:time-value="{iso}"/>'
    if isinstance(value, datetime.datetime):
        iso = value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
        return f'<table:table-cell office:value-type="date" office:date-value="{iso}"/>'
    return f'<table:table-cell office:value-type="float" office:value="{value!r}"/>'


def ods_row(row, indent):
    """One row as LibreOffice writes it: equal cells side by side as one, repeated."""
    cells = []
    for cell, same in itertools.groupby(map(ods_cell, row)):
        n = len(list(same))
        repeat = f' table:number-columns-repeated="{n}"' if n > 1 else ""
        cells.append(cell.replace("<table:table-cell", f"<table:table-cell{repeat}", 1))
    return f"<table:table-row>{indent}{indent.join(cells)}{indent}</table:table-row>"


def write_ods(path, sheets, indent=""):
    """Write an OpenDocument spreadsheet: ``{sheet name: rows of cells}``, as LibreOffice does.

    Equal rows and cells side by side are written once, repeated, and each sheet ends with
    LibreOffice's run of a million repeated empty rows. ``indent`` goes between elements
    (GDAL writes one line each).
    """
    ns = " ".join(
        f'xmlns:{p}="urn:oasis:names:tc:opendocument:xmlns:{u}"'
        for p, u in [("office", "office:1.0"), ("table", "table:1.0"), ("text", "text:1.0")]
    )
    tables = []
    for name, rows in sheets.items():
        xml = [f'<table:table table:name="{name}">']
        for row, same in itertools.groupby(ods_row(r, indent) for r in rows):
            n = len(list(same))
            repeat = f' table:number-rows-repeated="{n}"' if n > 1 else ""
            xml.append(row.replace("<table:table-row", f"<table:table-row{repeat}", 1))
        xml.append(
            '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
            'table:number-columns-repeated="1024"/></table:table-row></table:table>'
        )
        tables.append(indent.join(xml))
    tables = indent.join(tables)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
