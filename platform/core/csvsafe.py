"""CSV that is safe to open in a spreadsheet: a cell that starts like a formula is made plain text.

Spreadsheet programs run a cell starting with =, +, -, @ (and, in some, a tab or carriage return)
as a formula, which an attacker can fill with a form answer (OWASP "CSV injection"). Prefixing
such a cell with a single quote makes it text. Numbers stay numbers: only strings are changed."""
from __future__ import annotations

import csv
import io

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> object:
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_text(header: list[str], rows) -> str:
    """The whole file as text, every cell guarded (the header too: it may hold question wording)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
