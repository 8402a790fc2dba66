"""避头尾: Chinese line breaking for the PDF (fpdf2 breaks between any two characters).

A line never starts with a closing mark (，。、：；！？）】》」』〕… and the like): such a mark stays at
the end of the line before, overhanging the margin by its width (悬挂, as typesetters do), so the
text is never pushed about. A line never ends with an opening mark (（【《「『〔“): it moves to the
next line with what it opens. A run of digits and Latin letters (2026, 12345, COVID-19) is not
split when it can go whole onto the next line.
"""

from __future__ import annotations

from typing import Callable

NO_START = set("、，。．：；？！）】》」』〕〉〗”’…—～%‰·,.:;?!)]}>")
NO_END = set("（【《「『〔〈〖“‘([{<")


def _joins(a: str, b: str) -> bool:
    """Whether a line must not break between these two characters (inside 2026 or COVID)."""
    return a.isascii() and b.isascii() and (a.isalnum() or a in ".-_/") and (b.isalnum() or b in ".-_/%")


def break_lines(text: str, width: float, measure: Callable[[str], float], hang: bool = True) -> list[str]:
    """The lines `text` takes at `width` (in the unit `measure` returns), breaking by 避头尾.
    `hang=False` (a table cell, which must not overflow): the character before a closing mark
    goes down with it instead."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in paragraph:
            if not line or measure(line + ch) <= width:
                line += ch
                continue
            carry = ""
            if ch in NO_START:                    # never a line that starts with 。
                if hang or len(line) < 2:
                    line += ch                    # hang it over the margin
                    continue
                i = len(line) - 1                 # or take the character before down with it
                while i > 0 and line[i] in NO_START:
                    i -= 1
                carry, line = line[i:], line[:i]
                lines.append(line)
                line = carry + ch
                continue
            while len(line) > 1 and line[-1] in NO_END:        # （ goes down with what it opens
                carry, line = line[-1] + carry, line[:-1]
            if not carry and _joins(line[-1], ch):
                i = len(line)
                while i > 0 and _joins(line[i - 1], line[i] if i < len(line) else ch):
                    i -= 1
                if i > 0:                            # the whole number fits on the next line
                    carry, line = line[i:], line[:i]
            lines.append(line)
            line = carry + ch
        lines.append(line)
    return lines
