"""Free-text names → codes, through normalized keys built once, lazily, in tiers.

A :class:`NameIndex` answers "which code does this name stand for?" for names people type in
any language and script ("Deutschland", "대한민국", "U.S.A.", "the Gambia"). Each name is
reduced to a key: Unicode NFKC, casefolded, punctuation, symbols, spaces and control
characters dropped, and the English word "the" left out. A second, *folded* key also drops
accents and other combining marks ("Espana" finds "España", "Osterreich" finds "Österreich").

Names come from *tiers* (for example: ISO codes and curated aliases, then English names, then
every other language), each built the first time a lookup misses every tier before it, so a
run that only sees codes and English names never pays for the others. Within a tier, a key
two different codes share is *ambiguous* and resolves to none of them (the candidates are
kept, for the error message); an earlier tier always wins over a later one. Lookups are two
dictionary reads per tier.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

#: Unicode categories whose characters separate words and never belong to a key (currency
#: symbols, ``Sc``, are kept: "€" and "R$" are names of currencies).
_SEPARATOR_CATEGORIES = frozenset({"P", "Z", "C", "Sm", "Sk", "So"})


def _separates(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in _SEPARATOR_CATEGORIES or category in _SEPARATOR_CATEGORIES


#: The ASCII separators, as a translation table to spaces (the fast path of ASCII names).
_ASCII_SEPARATORS = str.maketrans({chr(i): " " for i in range(128) if _separates(chr(i))})
#: Letters that carry no combining mark in NFKD but that people often type without one.
_FOLD_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ħ": "h"}
    | {"\N{LATIN SMALL LETTER DOTLESS I}": "i"}
)
#: Words left out of keys ("The Netherlands", "Bahamas, The", "Republic of the Congo").
_NOISE_WORDS = frozenset({"the"})


def name_key(text: str) -> str:
    """Return the lookup key of a name: its letters, digits, marks and currency symbols.

    NFKC, casefolded; punctuation, other symbols, spaces and the word "the" are dropped.

    Args:
        text: A name as typed ("U.S.A.", "Côte d'Ivoire", "Bahamas, The").

    Returns:
        The key ("usa", "côtedivoire", "bahamas"); ``""`` when nothing is left.
    """
    if text.isascii():
        spaced = text.translate(_ASCII_SEPARATORS).lower()
    else:
        normalized = unicodedata.normalize("NFKC", text).casefold()
        spaced = "".join(" " if _separates(c) else c for c in normalized)
    return "".join(word for word in spaced.split() if word not in _NOISE_WORDS)


def folded_key(key: str) -> str:
    """Return a key without accents or other combining marks ("españa" → "espana")."""
    if key.isascii():
        return key
    decomposed = unicodedata.normalize("NFKD", key.translate(_FOLD_LETTERS))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


@dataclass(frozen=True)
class Resolution:
    """What a name stands for.

    Attributes:
        code: The code, when exactly one fits.
        candidates: The codes an ambiguous name could stand for (sorted); empty otherwise.
    """

    code: str | None
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """Whether several codes fit the name."""
        return bool(self.candidates)


_UNKNOWN = Resolution(None)


class _Tier:
    """The exact and folded keys of one tier's names."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        exact: dict[str, set[str]] = {}
        folded: dict[str, set[str]] = {}
        for name, code in pairs:
            key = name_key(name)
            if not key:
                continue
            exact.setdefault(key, set()).add(code)
            folded.setdefault(folded_key(key), set()).add(code)
        self.exact = {k: _resolution(codes) for k, codes in exact.items()}
        self.folded = {k: _resolution(codes) for k, codes in folded.items()}

    def get(self, key: str, folded: str) -> Resolution | None:
        return self.exact.get(key) or self.folded.get(folded)


def _resolution(codes: set[str]) -> Resolution:
    return _shared_resolution(frozenset(codes))


@cache
def _shared_resolution(codes: frozenset[str]) -> Resolution:
    """One Resolution object per distinct answer, shared by every key that gives it."""
    if len(codes) == 1:
        return Resolution(next(iter(codes)))
    return Resolution(None, tuple(sorted(codes)))


class NameIndex:
    """Names → codes, from tiers of (name, code) pairs built lazily (see the module doc).

    Args:
        tiers: The tiers' name sources, most trusted first.
    """

    def __init__(self, tiers: Sequence[Callable[[], Iterable[tuple[str, str]]]]) -> None:
        """Keep the sources; nothing is built yet."""
        self._sources = list(tiers)
        self._tiers: list[_Tier] = []
        self._lock = threading.Lock()

    def _tier(self, position: int) -> _Tier:
        if position < len(self._tiers):
            return self._tiers[position]
        with self._lock:
            while len(self._tiers) <= position:
                self._tiers.append(_Tier(self._sources[len(self._tiers)]()))
            return self._tiers[position]

    @property
    def tiers_built(self) -> int:
        """How many tiers were built so far (the later ones wait for a lookup to miss)."""
        return len(self._tiers)

    def resolve(self, text: str) -> Resolution:
        """Return what a name stands for: one code, several (ambiguous) or none (unknown).

        Args:
            text: The name as typed.
        """
        key = name_key(text)
        if not key:
            return _UNKNOWN
        folded = folded_key(key)
        for position in range(len(self._sources)):
            found = self._tier(position).get(key, folded)
            if found is not None:
                return found
        return _UNKNOWN

    def build_all(self) -> None:
        """Build every tier now (for checks and measures; lookups build them as needed)."""
        if self._sources:
            self._tier(len(self._sources) - 1)
