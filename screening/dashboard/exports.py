"""Applicant exports (CSV and XLSX) and the trial's screening log.

Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with
= + - @ tab or carriage return. In CSV such a cell gets a leading apostrophe, except a
cell that holds only a phone number ("+33 6 12 34 56 78"), which stays dialable: a
phone number cannot be a formula. In XLSX every cell is written typed: text cells are
strings (data type "s"), never formulas, so nothing needs a prefix there.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from screening.closing_reasons import reason_label, reason_labels
from screening.models import Application

_CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# An international or national phone number: digits with spaces, dots, dashes and
# brackets, an optional leading + (ITU-T E.123 notation), 6 to 20 digits in all.
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{4,24}$")


def is_phone_number(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return bool(_PHONE.match(text)) and 6 <= digits <= 20


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection); a cell
    holding only a phone number is left as it is."""
    text = "" if value is None else str(value)
    if text.startswith(_CSV_DANGEROUS) and not is_phone_number(text):
        return "'" + text
    return text


def applicant_columns() -> list[str]:
    return [
        _("Reference"),
        _("Trial"),
        _("Site"),
        _("Submitted"),
        _("Status"),
        _("Reason"),
        _("Verdict"),
        _("Score (%)"),
        _("Open points"),
        _("Last contact"),
        _("Next action due"),
        _("Full name"),
        _("Email"),
        _("Phone"),
        _("Preferred contact"),
        _("Best time"),
        _("Assigned to"),
    ]


def _open_points(evaluation: dict[str, Any]) -> str:
    names = []
    for c in evaluation.get("criteria", []):
        if c.get("outcome") == "unknown" or c.get("verify"):
            kind = _("Exclusion") if c.get("kind") == "exclusion" else _("Inclusion")
            names.append(f"{kind} {c.get('number')}")
    return "; ".join(names)


def applicant_rows(applications: Sequence[Application]) -> Iterable[list[Any]]:
    """One row per application, in applicant_columns() order (plain Python values)."""
    labels = reason_labels(trial_ids=sorted({a.trial_id for a in applications}))
    statuses = dict(Application.Status.choices)
    for a in applications:
        reason = reason_label(labels, trial_id=a.trial_id, code=a.closing_reason)
        if a.closing_reason_text:
            reason = f"{reason}: {a.closing_reason_text}" if reason else a.closing_reason_text
        yield [
            a.reference,
            a.trial.nct_id,
            str(a.site) if a.site_id else "",
            timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M"),
            str(statuses.get(a.status, a.status)),
            reason,
            a.get_verdict_display(),
            round(a.score * 100),
            _open_points(a.evaluation or {}),
            timezone.localtime(a.last_contact_at).strftime("%Y-%m-%d %H:%M")
            if a.last_contact_at
            else "",
            a.next_action_on.isoformat() if a.next_action_on else "",
            a.full_name,
            a.email,
            a.phone,
            a.get_contact_method_display(),
            a.get_contact_time_display(),
            a.assigned_to.email if a.assigned_to else "",
        ]


def csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(csv_safe(cell) for cell in row)
    return out.getvalue()


def xlsx_bytes(sheets: list[tuple[str, list[str], Iterable[list[Any]]]]) -> bytes:
    """An XLSX workbook, one sheet per (title, header, rows). Numbers stay numbers;
    every other cell is written as a string cell, so none can be read as a formula."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([_typed(cell) for cell in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    return str(value)
