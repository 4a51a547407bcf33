"""What the overview pages know of every cluster, read in three queries: its name, page, countries,
types of innovation, the kinds of actor among its members, and its members.

The home map, the facets that combine (`explore`) and the network view (`network`) all start here.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from csei_graph.namespaces import COUNTRY
from csei_graph.pages.reader import Reader

ACTOR_KIND = "https://w3id.org/csei/id/concept/actor-kind/"
INNOVATION_TYPE = "https://w3id.org/csei/id/concept/innovation-type/"
CLUSTERS = """
SELECT DISTINCT ?cluster ?country ?innovation WHERE {
    ?cluster a/rdfs:subClassOf* org:OrganizationalCollaboration .
    OPTIONAL { ?cluster csei:country ?country }
    OPTIONAL { ?cluster csei:fostersInnovation ?innovation }
}"""
MEMBERS = """
SELECT DISTINCT ?cluster ?member ?kind WHERE {
    { ?cluster org:hasMember ?member } UNION { ?membership org:organization ?cluster ; org:member ?member }
    ?cluster a/rdfs:subClassOf* org:OrganizationalCollaboration .
    OPTIONAL { ?member csei:actorKind ?kind }
}"""
IS_CLUSTER = """
SELECT DISTINCT ?cluster WHERE { ?cluster a/rdfs:subClassOf* csei:Cluster }"""


@dataclass
class ClusterFacts:
    """One cluster (or network of clusters) as the overview pages show it."""

    iri: str
    label: str = ""
    path: str | None = None
    is_cluster: bool = False
    countries: set[str] = field(default_factory=set)
    innovations: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    members: dict[str, str] = field(default_factory=dict)


def code(iri: str, namespace: str) -> str | None:
    """The code of a concept IRI in a namespace, or None outside it."""
    return iri[len(namespace) :] if iri.startswith(namespace) and len(iri) > len(namespace) else None


def read_clusters(reader: Reader) -> dict[str, ClusterFacts]:
    """Every organisational collaboration (clusters, their networks, partnerships) by IRI."""
    found: dict[str, ClusterFacts] = {}
    for row in reader.query(CLUSTERS):
        node = row["cluster"]
        if not isinstance(node, ox.NamedNode):
            continue
        facts = found.setdefault(node.value, ClusterFacts(node.value))
        if isinstance(row["country"], ox.NamedNode) and (country := code(row["country"].value, str(COUNTRY))):
            facts.countries.add(country)
        if isinstance(row["innovation"], ox.NamedNode) and (
            kind := code(row["innovation"].value, INNOVATION_TYPE)
        ):
            facts.innovations.add(kind)
    for row in reader.query(MEMBERS):
        facts = found.get(row["cluster"].value) if isinstance(row["cluster"], ox.NamedNode) else None
        if facts is None:
            continue
        kind = code(row["kind"].value, ACTOR_KIND) if isinstance(row["kind"], ox.NamedNode) else None
        if kind:
            facts.kinds.add(kind)
        facts.members[str(row["member"])] = kind or facts.members.get(str(row["member"]), "")
    for row in reader.query(IS_CLUSTER):
        if row["cluster"].value in found:
            found[row["cluster"].value].is_cluster = True
    for facts in found.values():
        link = reader.link(ox.NamedNode(facts.iri))
        facts.label, facts.path = link.label, link.path
    return found


def concept_labels(reader: Reader, namespace: str, codes: set[str]) -> dict[str, str]:
    """The labels of the concepts of a namespace with these codes."""
    return {c: reader.label(ox.NamedNode(namespace + c)) for c in sorted(codes)}


def shared_members(clusters: dict[str, ClusterFacts]) -> dict[tuple[str, str], dict[str, int]]:
    """For each pair of clusters that share members, how many of each actor kind ("" for none) they share."""
    by_member: dict[str, list[str]] = defaultdict(list)
    kinds: dict[str, str] = {}
    for facts in clusters.values():
        for member, kind in facts.members.items():
            by_member[member].append(facts.iri)
            kinds[member] = kinds.get(member) or kind
    pairs: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for member, found_in in by_member.items():
        owners = sorted(set(found_in))
        for i, one in enumerate(owners):
            for other in owners[i + 1 :]:
                pairs[(one, other)][kinds[member]] += 1
    return {pair: dict(counts) for pair, counts in pairs.items()}
