"""Text normalization: what every string goes through before it reaches Akountify.

Two jobs live here, both pure functions:

* :func:`clean_text` makes a source string safe to store: Unicode NFC, control characters
  removed (tab, line feed and carriage return survive only where a field allows several lines),
  and Akountify's forbidden characters replaced or reported.
* :func:`name_key` turns a display name into a matching key for natural-key matching: NFKC,
  case folded, accents, punctuation and legal suffixes ("Inc.", "GmbH") removed, whitespace
  collapsed, each step by setting.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: Characters kept by :func:`clean_text` when a field allows several lines.
MULTILINE_KEEP = frozenset("\t\n\r")

#: Legal-form suffixes ignored by default when names are matched (compared after casefolding
#: and punctuation removal, so "Inc." and "inc" are the same entry).
DEFAULT_LEGAL_SUFFIXES: tuple[str, ...] = (
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "plc",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "ug",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "aps",
    "pty",
    "pte",
    "kk",
)

_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class CleanResult:
    """The outcome of :func:`clean_text`.

    Attributes:
        value: The cleaned text.
        removed_controls: How many control characters were removed.
        forbidden_found: The forbidden characters that were present (sorted, unique).
    """

    value: str
    removed_controls: int = 0
    forbidden_found: tuple[str, ...] = ()


def clean_text(
    value: str,
    *,
    multiline: bool = False,
    forbidden: frozenset[str] = frozenset(),
    replacement: str | None = "-",
) -> CleanResult:
    """Normalize a string to NFC, drop control characters and handle forbidden characters.

    Args:
        value: The source text.
        multiline: Keep tab, line feed and carriage return (other controls always go).
        forbidden: Characters the destination field refuses (e.g. ``":"`` in a display name).
        replacement: What a forbidden character becomes; None keeps it (the caller rejects the
            value using ``forbidden_found``).

    Returns:
        The cleaned value with what was found, so that callers can warn or reject.
    """
    if is_clean(value, forbidden):
        return CleanResult(value)  # the common case, without a pass over every character
    text = value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    kept: list[str] = []
    removed = 0
    found: set[str] = set()
    for char in text:
        if _is_control(char) and not (multiline and char in MULTILINE_KEEP):
            removed += 1
            continue
        if char in forbidden:
            found.add(char)
            if replacement is not None:
                kept.append(replacement)
                continue
        kept.append(char)
    return CleanResult("".join(kept), removed, tuple(sorted(found)))


def is_clean(value: str, forbidden: frozenset[str] = frozenset()) -> bool:
    """Return True when :func:`clean_text` would return ``value`` as it is, finding nothing.

    That is: already NFC, no control character (not even a line break), none of ``forbidden``.
    """
    if value.isascii() and value.isprintable():  # NFC, and no control character: only a scan
        return forbidden.isdisjoint(value)
    return (
        unicodedata.is_normalized("NFC", value)
        and not _CONTROL.search(value)
        and forbidden.isdisjoint(value)
    )


def _is_control(char: str) -> bool:
    """Return True for C0/C1 controls, and the line/paragraph separators."""
    return unicodedata.category(char) == "Cc" or char in "\u2028\u2029"


def truncate(value: str, limit: int) -> str:
    """Cut ``value`` to at most ``limit`` characters without leaving a dangling combining mark.

    Args:
        value: The text (already NFC).
        limit: Maximum number of characters.

    Returns:
        ``value`` itself when short enough, else its longest prefix within the limit that does
        not end in the middle of a grapheme built from combining marks, with trailing
        whitespace removed.
    """
    if len(value) <= limit:
        return value
    cut = limit
    while cut > 0 and unicodedata.combining(value[cut]):
        cut -= 1
    return value[:cut].rstrip()


@dataclass(frozen=True)
class NameKeyOptions:
    """How display names are reduced to matching keys.

    Attributes:
        casefold: Ignore letter case (Unicode case folding).
        strip_accents: Ignore accents ("Société" matches "Societe").
        strip_punctuation: Ignore punctuation and symbols ("A.B.C." matches "ABC").
        legal_suffixes: Trailing legal-form words to ignore ("Acme Inc." matches "ACME").
    """

    casefold: bool = True
    strip_accents: bool = True
    strip_punctuation: bool = True
    legal_suffixes: tuple[str, ...] = field(default=DEFAULT_LEGAL_SUFFIXES)


def name_key(value: str | None, options: NameKeyOptions | None = None) -> str | None:
    """Reduce a display name to the key used for natural-key matching.

    Args:
        value: The display name (may be None).
        options: What to ignore; the defaults ignore case, accents, punctuation and legal
            suffixes.

    Returns:
        The key, or None when nothing meaningful is left (no key never matches anything).
    """
    if value is None:
        return None
    opts = options or NameKeyOptions()
    text = unicodedata.normalize("NFKC", value)
    if opts.casefold:
        text = text.casefold()
    if opts.strip_accents:
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    if opts.strip_punctuation:
        text = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text)
    words = _WHITESPACE.sub(" ", text).strip().split(" ")
    suffixes = {_suffix_form(s, opts) for s in opts.legal_suffixes}
    while len(words) > 1 and _suffix_form(words[-1], opts) in suffixes:
        words.pop()
    key = " ".join(w for w in words if w)
    return key or None


def _suffix_form(word: str, opts: NameKeyOptions) -> str:
    """Compare suffixes the way names are compared (dots ignored, case per option)."""
    word = word.replace(".", "")
    return word.casefold() if opts.casefold else word


def email_key(value: str | None) -> str | None:
    """Return the matching key of an email address: trimmed and case-folded, or None."""
    if value is None:
        return None
    key = unicodedata.normalize("NFKC", value).strip().casefold()
    return key or None


def tax_id_key(value: str | None) -> str | None:
    """Return the matching key of a tax id: letters and digits only, upper case, or None."""
    if value is None:
        return None
    key = "".join(c for c in unicodedata.normalize("NFKC", value) if c.isalnum()).upper()
    return key or None
