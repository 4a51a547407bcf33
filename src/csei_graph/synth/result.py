"""What a synthetic graph holds: its named graph, its counts and the defects put into it."""

from dataclasses import asdict, dataclass, field

from csei_graph.namespaces import CSEIG

DEFECT_KINDS = (
    "missing-name",
    "missing-country",
    "bad-datatype",
    "outside-scheme",
    "membership-without-member",
    "dates-out-of-order",
)


@dataclass(frozen=True)
class Defect:
    """A fault put into the graph on purpose.

    Its kind, the node it is on, the property concerned and, where the fault is in a value, that value
    (an IRI, or a literal's lexical form).
    """

    kind: str
    focus: str
    path: str
    description: str
    value: str | None = None


@dataclass
class SynthResult:
    """What a synthetic graph holds."""

    seed: int
    graph: str
    clusters: int = 0
    organisations: int = 0
    shared_organisations: int = 0
    memberships: int = 0
    partnerships: int = 0
    label_awards: int = 0
    triples: int = 0
    defects: list[Defect] = field(default_factory=list)

    def manifest(self) -> dict[str, object]:
        """The defects and the counts, as written to the manifest file."""
        return asdict(self)


def synthetic_graph_iri(seed: int) -> str:
    """The named graph a synthetic graph lives in."""
    return f"{CSEIG}synthetic-{seed}"
