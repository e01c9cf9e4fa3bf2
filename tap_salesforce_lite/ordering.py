"""Parents first: order streams so a target can resolve references in one pass.

An object comes after every object it references (Contact after Account, OpportunityLineItem
after Opportunity and Product2). Objects that reference each other (Account.OwnerId to User and
User.AccountId to Account) form a group that stays together, in the configured order; groups
and independent objects keep the configured order whenever references allow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def _cycles(names: Sequence[str], parents: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), each a list of names."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for parent in parents[node]:
            if parent not in index:
                visit(parent)
                low[node] = min(low[node], low[parent])
            elif parent in on_stack:
                low[node] = min(low[node], index[parent])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(component)

    for name in names:
        if name not in index:
            visit(name)
    return components


def parents_first(names: Sequence[str], references: Mapping[str, set[str]]) -> list[str]:
    """Order ``names`` so that referenced objects come before the objects referencing them.

    Args:
        names: Object names in their preferred order (the tie-break).
        references: For each name, the names it references.

    Returns:
        The names, parents first.
    """
    rank = {name: position for position, name in enumerate(names)}
    parents = {
        name: {p for p in references.get(name, set()) if p in rank and p != name} for name in names
    }
    components = [sorted(c, key=rank.__getitem__) for c in _cycles(names, parents)]
    component_of = {name: i for i, members in enumerate(components) for name in members}
    needs = {
        i: {component_of[p] for name in members for p in parents[name]} - {i}
        for i, members in enumerate(components)
    }
    ordered: list[str] = []
    placed: set[int] = set()
    while len(placed) < len(components):
        ready = [i for i in range(len(components)) if i not in placed and needs[i] <= placed]
        chosen = min(ready, key=lambda i: rank[components[i][0]])
        ordered.extend(components[chosen])
        placed.add(chosen)
    return ordered
