"""A large graph validated in pieces: its focus nodes in groups, each with the triples its checks read."""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from csei_graph.validation.reads import Walk
from csei_graph.validation.tries import crossed, trie

RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_SUBCLASS_OF = b"<http://www.w3.org/2000/01/rdf-schema#subClassOf>"


class Neighbourhoods:
    """The N-Triples lines of a graph, indexed by subject and by object of the inbound predicates.

    Terms are compared as written in N-Triples, so a piece's data is made of the lines themselves,
    without reading or writing a triple again. `inbound` are the predicates the walks follow
    backwards (None: any), `walks` what the checks of a focus node read (`reads.Reads.walks`), `terms`
    whether they read the descriptions of the predicates they meet.
    """

    def __init__(
        self, ntriples: bytes, inbound: Iterable[bytes] | None, walks: Iterable[Walk], terms: bool = False
    ) -> None:
        self.lines = ntriples.split(b"\n")
        self.walks = trie(walks)
        # Whether checks read the description of the predicates they meet (`reads.Reads.terms`).
        self.terms = terms
        inbound_predicates = None if inbound is None else frozenset(inbound)
        self.outgoing: dict[bytes, list[int]] = defaultdict(list)
        self.incoming: dict[bytes, list[int]] = defaultdict(list)
        # The object of each line when it is a node; each term is held once, however many lines name it.
        self.objects: list[bytes | None] = [None] * len(self.lines)
        self.predicates: list[bytes] = [b""] * len(self.lines)
        terms: dict[bytes, bytes] = {}
        self.typed: dict[bytes, list[bytes]] = defaultdict(list)
        self.subclasses: dict[bytes, list[bytes]] = defaultdict(list)
        # The class hierarchy goes with every piece, wherever it is written: every class check reads it.
        self.shared: set[int] = set()
        for number, line in enumerate(self.lines):
            if not line:
                continue
            subject, predicate, rest = line.split(b" ", 2)
            subject = terms.setdefault(subject, subject)
            self.predicates[number] = terms.setdefault(predicate, predicate)
            self.outgoing[subject].append(number)
            value = rest[:-2]  # the object, without the closing " ."
            is_node = rest[:1] == b"<" or rest[:2] == b"_:"
            if is_node:
                value = terms.setdefault(value, value)
                self.objects[number] = value
            if inbound_predicates is None or predicate in inbound_predicates:
                self.incoming[value].append(number)
            if is_node and predicate == RDF_TYPE:
                self.typed[value].append(subject)
            elif is_node and predicate == RDFS_SUBCLASS_OF:
                self.subclasses[value].append(subject)
                self.shared.add(number)

    def instances(self, cls: bytes) -> set[bytes]:
        """The SHACL instances of a class: the nodes typed with it or with a subclass of it, at any depth."""
        classes, frontier = {cls}, [cls]
        while frontier:
            below = {sub for c in frontier for sub in self.subclasses.get(c, ())} - classes
            classes |= below
            frontier = list(below)
        return {node for c in classes for node in self.typed.get(c, ())}

    def neighbours(self, node: bytes) -> set[bytes]:
        """The nodes one step away: those the node's triples point at, and those pointing at it inbound."""
        reached = {value for n in self.outgoing.get(node, ()) if (value := self.objects[n]) is not None}
        reached.update(self.lines[n].split(b" ", 1)[0] for n in self.incoming.get(node, ()))
        return reached

    def read_by(self, nodes: Iterable[bytes]) -> set[int]:
        """The lines the checks of these nodes read: those their walks cross.

        The same triples as the store gives `walks.read_by`.
        """
        read = set(crossed(nodes, self.walks, self._step))
        if self.terms:
            for predicate in {self.predicates[number] for number in read}:
                read.update(self.outgoing.get(predicate, ()))
        return read

    def _step(
        self, node: bytes, forward: bool, predicate: str | None, onward: bool
    ) -> Iterator[tuple[int, bytes | None]]:
        """The lines a step reads from a node, and the node at their other end when the walk goes on."""
        wanted = None if predicate is None else f"<{predicate}>".encode()
        for number in self.outgoing.get(node, ()) if forward else self.incoming.get(node, ()):
            if wanted is not None and self.predicates[number] != wanted:
                continue
            if not onward:
                yield number, None
                continue
            line = self.lines[number]
            if not forward:
                yield number, line.split(b" ", 1)[0]
                continue
            # A walk may go on from a literal, backwards: its text is its term.
            yield number, self.objects[number] or line.split(b" ", 2)[2][:-2]

    def share(self, lines: Iterable[bytes]) -> None:
        """Send these lines with every piece (the ontology), those the graph lacks too."""
        wanted = set(lines)
        for number, line in enumerate(self.lines):
            if line in wanted:
                self.shared.add(number)
                wanted.discard(line)
        for line in sorted(wanted):
            self.shared.add(len(self.lines))
            self.lines.append(line)

    def data(self, numbers: set[int]) -> bytes:
        """The N-Triples document of these lines and the shared ones."""
        return b"\n".join(self.lines[n] for n in sorted(numbers | self.shared)) + b"\n"


def grouped(focus: Iterable[bytes], around: Neighbourhoods, size: int) -> Iterator[list[bytes]]:
    """The focus nodes in groups of about `size`, each node near those its checks read.

    Nodes are taken in order, each followed by the focus nodes up to two steps from it not taken yet
    (a cluster by its memberships and members): a group's neighbourhoods then overlap, and the data
    handed to the engine for it stays close to the group's own triples.
    """
    wanted = set(focus)
    taken: set[bytes] = set()
    group: list[bytes] = []
    for start in sorted(wanted):
        if start in taken:
            continue
        near = around.neighbours(start)
        for node in [start, *sorted(near), *sorted(set().union(*map(around.neighbours, near)))]:
            if node in wanted and node not in taken:
                taken.add(node)
                group.append(node)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group
