"""Salesforce record ids: 15 case-sensitive characters plus a 3-character checksum.

An id is ``PPP`` (the object's key prefix) ``IIR`` (instance and reserved characters) and a
nine-character base-62 sequence: 15 characters in all. The 18-character form appends a
checksum that makes the id unique even when compared case-insensitively: for each 5-character
chunk, a bitmask of which characters are uppercase letters (first character = lowest bit),
indexed into ``A-Z0-5``.
"""

from __future__ import annotations

import re
import string
from typing import Final

#: Characters of the base-62 sequence part, in Salesforce's order (digits, upper, lower).
BASE62_ALPHABET: Final[str] = string.digits + string.ascii_uppercase + string.ascii_lowercase
#: The checksum alphabet: index ``n`` is the character for bitmask ``n``.
CHECKSUM_ALPHABET: Final[str] = string.ascii_uppercase + "012345"
#: Instance and reserved characters the emulator uses in every id it makes.
INSTANCE_CHARS: Final[str] = "5g0"
#: Number of base-62 characters holding the sequence.
SEQUENCE_WIDTH: Final[int] = 9
#: The largest sequence number that fits in an id.
MAX_SEQUENCE: Final[int] = 62**SEQUENCE_WIDTH - 1

_ID15 = re.compile(r"^[0-9A-Za-z]{15}$")
_ID18 = re.compile(r"^[0-9A-Za-z]{15}[A-Z0-5]{3}$")


def checksum(id15: str) -> str:
    """Return the 3-character checksum of a 15-character id.

    Args:
        id15: The case-sensitive 15-character id.

    Returns:
        The three checksum characters.
    """
    suffix = []
    for chunk_start in (0, 5, 10):
        mask = 0
        for bit, char in enumerate(id15[chunk_start : chunk_start + 5]):
            if "A" <= char <= "Z":
                mask |= 1 << bit
        suffix.append(CHECKSUM_ALPHABET[mask])
    return "".join(suffix)


def to_18(id15: str) -> str:
    """Return the 18-character form of an id (an 18-character id is returned unchanged).

    Args:
        id15: A 15- or 18-character id.

    Returns:
        The 18-character id.

    Raises:
        ValueError: If ``id15`` is not made of 15 (or 18) letters and digits.
    """
    if len(id15) == 18 and is_valid_id(id15):  # noqa: PLR2004 - the id lengths are the format
        return id15
    if not _ID15.match(id15):
        raise ValueError(
            f"{id15!r} is not a Salesforce id: expected 15 letters and digits "
            "(or 18 with a valid checksum)"
        )
    return id15 + checksum(id15)


def is_valid_id(value: str) -> bool:
    """Whether ``value`` is a well-formed id: 15 characters, or 18 with a correct checksum.

    Args:
        value: Any string.

    Returns:
        True for a 15-character id or an 18-character id whose checksum matches.
    """
    if _ID15.match(value):
        return True
    return bool(_ID18.match(value)) and checksum(value[:15]) == value[15:]


def normalize_id(value: str) -> str | None:
    """The canonical 18-character form of an id given in any form Salesforce accepts.

    Salesforce accepts 15-character ids (case-sensitive) and 18-character ids compared
    case-insensitively: the checksum records which characters are uppercase, so a lowercased
    18-character id still names one record.

    Args:
        value: An id as a client sent it.

    Returns:
        The canonical 18-character id, or None when ``value`` is not an id.
    """
    if _ID15.match(value):
        return value + checksum(value)
    if len(value) != 18 or not value.isascii() or not value.isalnum():  # noqa: PLR2004
        return None
    suffix = value[15:].upper()
    if any(char not in CHECKSUM_ALPHABET for char in suffix):
        return None
    chars = list(value[:15])
    for chunk, check in enumerate(suffix):
        mask = CHECKSUM_ALPHABET.index(check)
        for bit in range(5):
            position = chunk * 5 + bit
            upper = bool(mask & (1 << bit))
            if chars[position].isalpha():
                chars[position] = chars[position].upper() if upper else chars[position].lower()
            elif upper:
                return None
    id15 = "".join(chars)
    return id15 + checksum(id15)


def encode_base62(number: int, width: int = SEQUENCE_WIDTH) -> str:
    """Encode a non-negative integer in base 62, left-padded with ``0`` to ``width`` characters.

    Args:
        number: The integer to encode.
        width: The minimum number of characters.

    Returns:
        The base-62 digits.

    Raises:
        ValueError: If ``number`` is negative.
    """
    if number < 0:
        raise ValueError(f"cannot encode negative number {number} in base 62")
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(BASE62_ALPHABET[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def make_id(key_prefix: str, sequence: int) -> str:
    """Make the 18-character id of record number ``sequence`` of an object.

    Args:
        key_prefix: The object's three-character key prefix (``001`` for Account).
        sequence: The record's sequence number (1 for the first record), unique per object.

    Returns:
        An 18-character id with a correct checksum.

    Raises:
        ValueError: If the prefix is not three letters or digits, or the sequence is out of
            range (1 to :data:`MAX_SEQUENCE`).
    """
    if len(key_prefix) != 3 or not key_prefix.isalnum() or not key_prefix.isascii():  # noqa: PLR2004
        raise ValueError(f"key prefix {key_prefix!r} must be three letters or digits, e.g. '001'")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"id sequence {sequence} is out of range 1..{MAX_SEQUENCE}")
    id15 = key_prefix + INSTANCE_CHARS + encode_base62(sequence)
    return id15 + checksum(id15)
