"""The tables as CSV and as one XLSX workbook (openpyxl)."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .tables import Table


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # what French spreadsheets open as columns
    writer.writerow(table.headers)
    writer.writerows([_safe(v) for v in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM tells Excel it is UTF-8


def to_xlsx(tables: list[Table]) -> bytes:
    book = Workbook(write_only=False)
    for sheet in list(book.worksheets):  # the empty sheet a new workbook comes with
        book.remove(sheet)
    for table in tables:
        sheet = book.create_sheet(table.name[:31])  # Excel's limit on sheet names
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_safe(v) for v in row])
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(value: object) -> object:
    """Text from participants must never run as a formula in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
