"""Parents first: order streams so a target can resolve references in one pass.

An object comes after every object it references (Contact after Account, OpportunityLineItem
after Opportunity and Product2). Ties keep the configured order; self-references are ignored,
and reference cycles (Account.OwnerId to User, User.AccountId to Account) are broken in favour
of the object listed first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def parents_first(names: Sequence[str], references: Mapping[str, set[str]]) -> list[str]:
    """Order ``names`` so that referenced objects come before the objects referencing them.

    Args:
        names: Object names in their preferred order (the tie-break).
        references: For each name, the names it references.

    Returns:
        The names, parents first.
    """
    rank = {name: index for index, name in enumerate(names)}
    parents = {
        name: {
            parent for parent in references.get(name, set()) if parent in rank and parent != name
        }
        for name in names
    }
    ordered: list[str] = []
    placed: set[str] = set()
    while len(ordered) < len(names):
        ready = [n for n in names if n not in placed and parents[n] <= placed]
        # A cycle leaves nothing ready: place the earliest-listed remaining object.
        choice = (
            ready[0] if ready else min((n for n in names if n not in placed), key=rank.__getitem__)
        )
        ordered.append(choice)
        placed.add(choice)
    return ordered
