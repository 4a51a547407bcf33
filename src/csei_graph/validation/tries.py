"""The shapes' walks as tries of steps, and walking a trie from nodes on any index of the data."""

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from csei_graph.validation.reads import Step, Walk

END: Step = (False, "")
Trie = dict[Step, "Trie"]


def trie(walks: Iterable[Walk]) -> Trie:
    """The walks as a tree of steps: walking it from a node reads each triple once per branch."""
    root: Trie = {}
    for walk in walks:
        node = root
        for step in walk:
            node = node.setdefault(step, {})
    return root


def reverse_trie(walks: Iterable[Walk]) -> Trie:
    """From each step that reads a triple, the steps back to the focus node (marked END)."""
    root: Trie = {}
    for walk in walks:
        for index, step in enumerate(walk):
            node = root.setdefault(step, {})
            for back in reversed(walk[:index]):
                node = node.setdefault(back, {})
            node[END] = {}
    return root


Node_ = TypeVar("Node_")
Item = TypeVar("Item")
# A step read from a node: for each triple it crosses, an item and the node the walk goes on from.
StepReader = Callable[[Node_, bool, str | None, bool], Iterable[tuple[Item, Node_ | None]]]


def crossed(starts: Iterable[Node_], walks: Trie, read: StepReader[Node_, Item]) -> Iterator[Item]:
    """What the walks of a trie cross from these nodes, on any index of the data.

    `read(node, forward, predicate, onward)` gives, for each triple the step reads from the node, an
    item (the triple, or its line) and, when `onward` (the walk goes on), the node at its other end.
    Each node is walked once per branch of the trie.
    """
    states: list[tuple[Node_, Trie]] = [(node, walks) for node in starts]
    seen: set[tuple[Node_, int]] = set()
    while states:
        node, tail = states.pop()
        if (node, id(tail)) in seen:
            continue
        seen.add((node, id(tail)))
        for (forward, predicate), rest in tail.items():
            onward = bool(rest)
            for item, other in read(node, forward, predicate, onward):
                yield item
                if onward:
                    states.append((other, rest))  # type: ignore[arg-type]
