"""Personal data in what leaves the system: phone numbers, ID-card numbers and e-mail addresses
are masked in exports and reports (the stored items keep the public text as collected).

An 18-character string of digits is masked as an ID number only when its checksum (GB 11643)
holds and its birth date is a date — a long order or tracking number is left alone.
"""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def valid_id(number: str) -> bool:
    """Whether an 18-character resident ID number has a true checksum and birth date."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS)) % 11] != number[17].upper():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def mask(text: str | None) -> str:
    """The text with ID numbers, phone numbers and e-mail addresses masked."""
    if not text:
        return text or ""

    def id_number(m: re.Match) -> str:
        whole = m.group(0)
        return f"{m.group(1)}********{whole[-4:]}" if valid_id(whole) else whole

    text = _ID.sub(id_number, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(4)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-{m.group(2)[:2]}{'*' * (len(m.group(2)) - 4)}{m.group(2)[-2:]}", text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def defuse_formula(value):
    """A spreadsheet cell's value that can never run: text starting with = + - @ (or a tab or
    carriage return, which some programs skip) gets a leading apostrophe, as Excel writes it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
