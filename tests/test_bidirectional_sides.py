"""The bidirectional path search widens the side whose frontier has fewer links, counting each
frontier only as far as that choice needs: at x1,000 a frontier can touch 100,000 links."""

from __future__ import annotations

from collections.abc import Sequence

from registry.store.bidirectional import _cheaper, _Side


def test_the_side_widened_has_fewer_links_and_the_wider_one_is_never_counted_in_full() -> None:
    # given a start whose frontier touches 100,000 links and an end whose frontier touches 40,000,
    # the end's side counted when the start's frontier touched only 300
    links = {"start-frontier": 100_000, "end-frontier": 40_000}
    counted: list[int] = []

    def cost(frontier: Sequence[str], bound: int | None) -> int:
        total = sum(links[key] for key in frontier)
        figure = total if bound is None else min(total, bound + 1)  # what a LIMIT bound + 1 counts
        counted.append(figure)
        return figure

    ahead, behind = _Side("start"), _Side("end")
    ahead.frontier, ahead.cost = ["start-frontier"], None
    behind.frontier, behind.cost, behind.floor = ["end-frontier"], 301, True  # "more than 300"
    # when the search chooses the side to widen
    side, other = _cheaper(ahead, behind, cost)
    # then it is the end's, counted exactly, and the start's 100,000 links were not all read
    assert (side, other) == (behind, ahead)
    assert (side.cost, side.floor) == (40_000, False)
    assert ahead.floor and ahead.cost is not None and ahead.cost > 40_000
    assert sum(figure for figure in counted if figure > 40_000) < 100_000
