"""Bytes to text the way English news is really encoded, and text fit to store.

The order of decisions:
1. A byte-order mark names the encoding (UTF-32, UTF-8, UTF-16, little or big endian).
2. Without one, UTF-16 is recognised by its pattern of NUL bytes (every other byte of English).
3. Otherwise UTF-8 first; the bytes that are not UTF-8 are read as Windows-1252 (latin-1 for
   the five bytes cp1252 leaves undefined), so a file mixing UTF-8 and cp1252 reads right in
   both parts. A charset detector is not used: on short English text it guesses Baltic or
   Cyrillic code pages for plain latin-1 ("café" -> "cafķ").
4. Text that is already mojibake (UTF-8 read as cp1252 or Mac Roman upstream: "â€œ", "‚Äú")
   is repaired by ftfy, which only changes text it is confident was mis-decoded.
The encoding decided is returned with the text, so it is recorded per article.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# Longest BOMs first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Bytes looked at to recognise UTF-16 without a BOM, and to call a file binary.
SNIFF_BYTES = 8192
# C0 and C1 control characters other than tab, line feed and carriage return; DEL; and
# lone surrogates, which no encoder accepts.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # e.g. "utf-8", "utf-16-le (BOM)", "utf-8 + cp1252", "cp1252", "utf-8, mojibake repaired"


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return "".join(_cp1252_byte(b) for b in bad), error.end


def _cp1252_byte(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D
        return bytes([byte]).decode("latin-1")


codecs.register_error("quotewire-cp1252", _cp1252_fallback)


def bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NUL bytes alternate as in UTF-16 English text."""
    sample = data[:SNIFF_BYTES]
    if len(sample) < 16:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.6 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> Decoded | None:
    """The text of these bytes and the encoding decided; None when a stated encoding fails."""
    stated = bom_encoding(data)
    if stated is not None:
        try:
            text = data[len(_bom(stated)):].decode(stated)
        except UnicodeDecodeError:
            return None
        return _repaired(text, f"{stated} (BOM)")
    guessed = utf16_without_bom(data)
    if guessed is not None:
        try:
            return _repaired(data.decode(guessed), guessed)
        except UnicodeDecodeError:
            pass
    try:
        return _repaired(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="quotewire-cp1252")
    # Valid multi-byte UTF-8 besides the cp1252 bytes: a file mixing the two.
    mixed = any(b >= 0x80 for b in data) and _has_utf8_sequence(data)
    return _repaired(text, "utf-8 + cp1252" if mixed else "cp1252")


def _bom(encoding: str) -> bytes:
    return next(bom for bom, name in _BOMS if name == encoding)


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _has_utf8_sequence(data: bytes) -> bool:
    return _UTF8_SEQUENCE.search(data) is not None


def _repaired(text: str, encoding: str) -> Decoded:
    if text.isascii():
        return Decoded(text, encoding)
    import ftfy

    fixed = ftfy.fix_encoding(text)
    if fixed != text:
        return Decoded(fixed, f"{encoding}, mojibake repaired")
    return Decoded(text, encoding)


def strip_controls(text: str) -> str:
    """Text without control characters (NUL, escape, C1 codes) or lone surrogates."""
    return _CONTROLS.sub("", text)


def looks_binary(data: bytes) -> bool:
    """NUL bytes near the start of a file that is not UTF-16/32 text."""
    if bom_encoding(data) or utf16_without_bom(data):
        return False
    return b"\x00" in data[:SNIFF_BYTES]
