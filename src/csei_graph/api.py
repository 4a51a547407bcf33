"""The public Python API: what `from csei_graph import ...` gives, one function per command."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from csei_graph.namespaces import BASE, BUILTIN_NAMESPACES, CSEI, MAX_SEGMENT, ONTOLOGY_IRI
from csei_graph.settings import Settings
from csei_graph.sources import builtin_sources, discover
from csei_graph.stores.base import Store
from csei_graph.stores.embedded import GraphStore

RESOURCE_IRI = re.compile(
    re.escape(BASE) + r"id/(?:concept/[a-z0-9-]+(?:/[a-z0-9-]+)?|[a-z]+/[a-z0-9]+(?:-[a-z0-9]+)*)"
)
DECLARATION_KINDS = (
    "owl:Class",
    "rdfs:Class",
    "owl:ObjectProperty",
    "owl:DatatypeProperty",
    "owl:AnnotationProperty",
    "rdf:Property",
)
PREFIXES = """
PREFIX csei: <https://w3id.org/csei/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def open_graph(
    sources: Sequence[Path] = (), *, builtin: bool = True, settings: Settings | None = None
) -> GraphStore:
    """Load the graph in use (unless builtin is False: the built-in release, the workspace's data and
    data_dir) together with the given files or folders."""
    settings = settings or Settings()
    found = builtin_sources(settings) if builtin else []
    found += discover(sources)
    return GraphStore.from_sources(found, settings)


@dataclass(frozen=True)
class Summary:
    """What the graph holds."""

    triples: int
    graphs: int
    classes: dict[str, int] = field(default_factory=dict)
    clusters_per_country: dict[str, int] = field(default_factory=dict)


def summary(store: Store) -> Summary:
    """Count triples, graphs, instances per class and clusters per country."""
    classes = {
        str(row["class"].value): int(row["n"].value)
        for row in store.query(
            PREFIXES + "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } "
            "GROUP BY ?class ORDER BY DESC(?n) ?class"
        )
    }
    countries = {
        str(row["name"].value): int(row["n"].value)
        for row in store.query(
            PREFIXES
            + """SELECT ?name (COUNT(DISTINCT ?cluster) AS ?n) WHERE {
                ?cluster a ?type . ?type rdfs:subClassOf* csei:Cluster .
                OPTIONAL {
                    ?cluster csei:country ?country .
                    OPTIONAL { ?country skos:prefLabel ?label FILTER(langMatches(lang(?label), "en")) }
                }
                BIND(COALESCE(?label, STR(?country), "(not stated)") AS ?name)
            } GROUP BY ?name ORDER BY DESC(?n) ?name"""
        )
    }
    return Summary(
        triples=len(store),
        graphs=len(store.graph_names()),
        classes=classes,
        clusters_per_country=countries,
    )


@dataclass(frozen=True)
class Problem:
    """Something wrong in the graph, and the resource or term it is about."""

    message: str
    focus: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.severity}: <{self.focus}>: {self.message}"


def check(store: Store) -> list[Problem]:
    """Report undefined terms, IRIs outside the IRI policy and resources without a name."""
    return sorted(
        _undefined_terms(store) + _bad_iris(store) + _unnamed_resources(store),
        key=lambda p: (p.focus, p.message),
    )


def _undefined_terms(store: Store) -> list[Problem]:
    kinds = " ".join(DECLARATION_KINDS)
    declared_in_ontology = {
        row["t"].value
        for row in store.query(
            PREFIXES
            + f"SELECT DISTINCT ?t WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?t a ?k VALUES ?k {{ {kinds} }} }} }}"
        )
    }
    declared = {
        row["t"].value
        for row in store.query(PREFIXES + f"SELECT DISTINCT ?t WHERE {{ ?t a ?k VALUES ?k {{ {kinds} }} }}")
    }
    used = store.query(PREFIXES + "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }")
    problems = []
    for row in used:
        term = row["t"]
        if not isinstance(term, ox.NamedNode) or term.value.startswith(BUILTIN_NAMESPACES):
            continue
        if term.value.startswith(str(CSEI)) and term.value not in declared_in_ontology:
            problems.append(Problem("term used but not defined by the CSEI ontology", term.value))
        elif term.value not in declared:
            problems.append(Problem("term of another vocabulary used but not declared", term.value))
    return problems


def _bad_iris(store: Store) -> list[Problem]:
    rows = store.query(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}id/")) }}')
    problems = [
        Problem("IRI does not follow the IRI policy of docs/model.md", row["s"].value)
        for row in rows
        if not RESOURCE_IRI.fullmatch(row["s"].value)
    ]
    named = store.query(
        f"SELECT DISTINCT ?x WHERE {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} "
        f'FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}id/")) }}'
    )
    problems += [
        Problem(
            f"slug longer than {MAX_SEGMENT} characters: the site can write no page for it; shorten it",
            row["x"].value,
        )
        for row in named
        if any(len(segment) > MAX_SEGMENT for segment in row["x"].value[len(BASE) :].split("/"))
    ]
    return problems


def _unnamed_resources(store: Store) -> list[Problem]:
    rows = store.query(
        PREFIXES
        + f"""SELECT DISTINCT ?s WHERE {{
            ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}id/"))
            FILTER NOT EXISTS {{ ?s skos:prefLabel|rdfs:label ?name }}
        }}"""
    )
    return [Problem("resource has no skos:prefLabel", row["s"].value) for row in rows]
