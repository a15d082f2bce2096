"""Small groups that cannot be unmasked: which filtered views of a survey's answers may be shown.

A view is what one filter choice shows (everyone, one school, one role, or a school and a role). Hiding a
view of fewer than the district minimum is not enough: with everyone (9 answers) and one school (5) both
shown, subtracting one from the other reveals the other 4. So a view is also hidden when some other view
a person can reach holds all of its people plus fewer than the minimum others (complementary
suppression). Keeping the larger view and hiding the smaller one means no two views that are both
shown differ by a small group, whichever two a person compares.

Views are unions of *cells*: the responses that share a school and a set of roles. Membership and sizes
come from the cells' counts, never from the people, so the check costs the same at 50 or 5,000 responses."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Cell = tuple  # (school_id or None, frozenset of roles)


@dataclass(frozen=True)
class View:
    """One filter choice: a school (None: every school) and a role (None: every role)."""

    school_id: int | None = None
    role: str | None = None

    def holds(self, cell: Cell) -> bool:
        school_id, roles = cell
        return ((self.school_id is None or school_id == self.school_id)
                and (self.role is None or self.role in roles))


def cell_of(school_id: int | None, roles: str | Iterable[str]) -> Cell:
    """The cell of a response, from its school and its roles (a comma-separated list or any iterable)."""
    if isinstance(roles, str):
        roles = roles.split(",")
    return school_id, frozenset(r for r in roles if r)


def reachable_views(cells: Iterable[Cell]) -> list[View]:
    """Every view a person can reach through the filters that holds anyone: the filters list every school
    and role, but a view over a school or role nobody in the cells has is empty and hides nothing."""
    cells = list(cells)
    schools = sorted({s for s, _ in cells if s is not None})
    roles = sorted({r for _, rs in cells for r in rs})
    return [View(s, r) for s in [None, *schools] for r in [None, *roles]]


def hidden(view: View, counts: Mapping[Cell, int], minimum: int, views: Iterable[View] | None = None) -> bool:
    """Whether a view of these cell counts must be hidden: it has fewer than `minimum` (but some) people, or
    another view holds all of them and fewer than `minimum` more. Empty views are empty, not hidden."""
    filled = {cell: n for cell, n in counts.items() if n}
    mine = {cell for cell in filled if view.holds(cell)}
    size = sum(filled[c] for c in mine)
    if size == 0:
        return False
    if size < minimum:
        return True
    for other in (views if views is not None else reachable_views(filled)):
        if other == view:
            continue
        theirs = {cell for cell in filled if other.holds(cell)}
        if mine <= theirs:
            extra = sum(filled[c] for c in theirs - mine)
            if 0 < extra < minimum:
                return True
    return False


class Suppressor:
    """hidden() for many count tables over the same cells (one per question of a survey): each view's cells
    are worked out once, and the checks are set operations."""

    def __init__(self, cells: Iterable[Cell], minimum: int):
        self.cells = frozenset(cells)
        self.minimum = minimum
        self.views = reachable_views(self.cells)
        self.cells_of = {v: frozenset(c for c in self.cells if v.holds(c)) for v in self.views}

    def hidden(self, view: View, counts: Mapping[Cell, int]) -> bool:
        filled = frozenset(c for c, n in counts.items() if n)
        mine = (self.cells_of.get(view) or frozenset(c for c in self.cells if view.holds(c))) & filled
        size = sum(counts[c] for c in mine)
        if size == 0:
            return False
        if size < self.minimum:
            return True
        for other, cells in self.cells_of.items():
            if other == view:
                continue
            theirs = cells & filled
            if mine < theirs and sum(counts[c] for c in theirs - mine) < self.minimum:
                return True
        return False


def hidden_sets(target: frozenset, others: Iterable[frozenset], minimum: int) -> bool:
    """The same rule on explicit sets of people (matched respondents across waves, where the matching, not
    the cells, decides who is in a view)."""
    if not target:
        return False
    if len(target) < minimum:
        return True
    return any(target < other and len(other) - len(target) < minimum for other in others)
