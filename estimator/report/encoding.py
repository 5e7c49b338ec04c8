"""Output encodings: ASCII stand-ins for the drawing characters where an output cannot show
them (a Windows console or a cp1252 redirect), instead of a crash."""
from __future__ import annotations

from typing import Optional

#: characters the reports draw, and what stands in for them where the output cannot show them
ASCII = str.maketrans({"█": "#", "░": ":", "·": ".", "━": "-", "─": "-", "│": "|", "→": "->",
                       "▲": "^", "▼": "v", "…": "...", "–": "-", "—": "-", "Δ": "d", "≥": ">=",
                       "≤": "<=", "×": "x", "✅": "[ok]", "❌": "[X]", "⭐": "*", "±": "+/-"})


def can_show(encoding: Optional[str]) -> bool:
    """Whether an output encoding can show the box and bar characters of the reports (None:
    a text stream with no encoding, such as a StringIO, takes any character)."""
    if encoding is None:
        return True
    try:
        "━│█→▲…✅".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def for_encoding(text: str, encoding: Optional[str]) -> str:
    """Text that an output in ``encoding`` can take: ASCII stand-ins, then '?' for the rest."""
    if can_show(encoding):
        return text
    enc = encoding or "ascii"
    try:
        return text.translate(ASCII).encode(enc, errors="replace").decode(enc)
    except LookupError:
        return text.translate(ASCII).encode("ascii", errors="replace").decode("ascii")
