"""The reader layer: what a page reads of the store, in as few reads as the page needs.

A page asks its reader for the facts of a node (with their graphs), the nodes that point at it (of a
property, no more than the page shows, and how many: see `bounds`), labels, graph descriptions and
class counts. `Reader` answers from the store, a few batched queries per page,
and keeps what every page asks again (labels, inverse properties, graph descriptions) for the store's
lifetime: `csei publish` and `csei serve` only read a store, never change it. `GraphIndex` (index.py)
answers the same questions from one pass over the whole graph, for publishing every page at once.
"""

import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from csei_graph import export
from csei_graph.namespaces import BASE
from csei_graph.pages import paths
from csei_graph.pages.bounds import sort_key, sort_key_sparql
from csei_graph.pages.model import Link, Value
from csei_graph.pages.vocabulary import (
    LABEL_PREDICATES,
    LABEL_VALUES,
    PLAIN_DATATYPES,
    SPARQL_PREFIXES,
    FacetDefinition,
    LabelRank,
    label_rank,
    labels_of,
    link_order,
    local_name,
)
from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.terms import OxTerm

# A fact of a node: its predicate, its object and the named graph stating it (None: the default graph).
Fact = tuple[ox.NamedNode, OxTerm, str | None]
# How many distinct values (objects, or subjects pointing at a node) each predicate IRI has.
Counts = dict[str, int]

OUTGOING = f"""
SELECT DISTINCT ?s ?p ?o ?g ?lp ?l WHERE {{
    {{ GRAPH ?g {{ ?s ?p ?o }} }} UNION {{ ?s ?p ?o FILTER NOT EXISTS {{ GRAPH ?any {{ ?s ?p ?o }} }} }}
    {labels_of("o")}
}}"""
INCOMING = f"SELECT DISTINCT ?o ?s ?p ?lp ?l WHERE {{ ?s ?p ?o {labels_of('s')} }}"
# How many values a node has by property (the store counts, so that a page reads no more values than it
# shows); for a property with more, the first values by `bounds.sort_key` and those tied with the last.
OUTGOING_COUNTS = "SELECT ?s ?p (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ?p"
INCOMING_COUNTS = "SELECT ?o ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o ?p"
FIRST = "SELECT DISTINCT ?s ?p ?o ?k WHERE {{ ?s ?p ?o BIND({key} AS ?k) }} ORDER BY ?k LIMIT {limit}"
TIED = "SELECT DISTINCT ?s ?p ?o ?boundary WHERE {{ ?s ?p ?o FILTER({key} = ?boundary) }}"
UP_TO = "FILTER({key} <= ?boundary)"
# The best label of a node whose labels are too many to read: `label_rank` as an order.
BEST_LABEL = f"""
SELECT ?x ?lp ?l WHERE {{
    ?x ?lp ?l VALUES (?lp ?rank) {{ {" ".join(f"(<{iri}> {n})" for n, iri in enumerate(LABEL_PREDICATES))} }}
    FILTER(isLiteral(?l)) BIND(IF(STRSTARTS(LANG(?l), "en"), 0, IF(LANG(?l) = "", 1, 2)) AS ?language)
}} ORDER BY ?rank ?language STR(?l) LIMIT 1"""
LABELS_OF_X = f"SELECT ?x ?lp ?l WHERE {{ ?x ?lp ?l VALUES ?lp {{ {LABEL_VALUES} }} FILTER(isLiteral(?l)) }}"
INVERSES = """
SELECT DISTINCT ?p ?inverse WHERE { { ?p owl:inverseOf ?inverse } UNION { ?inverse owl:inverseOf ?p } }"""
GRAPH_DESCRIPTION = "SELECT ?g ?p ?o WHERE { ?g ?p ?o }"
MENTIONED = "ASK { { ?x ?p ?o } UNION { ?s ?x ?o } UNION { ?s ?p ?x } UNION { GRAPH ?x { ?s ?p ?o } } }"
INSTANCE_COUNT = (
    "SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?t . ?t rdfs:subClassOf* ?class } GROUP BY ?class"
)
ALL_SUBJECT_NAMES = (
    f"SELECT ?x ?lp ?l WHERE {{ ?x ?lp ?l VALUES ?lp {{ {LABEL_VALUES} skos:altLabel }} "
    "FILTER(isIRI(?x) && isLiteral(?l)) }"
)
ALL_TYPES = "SELECT DISTINCT ?x ?t WHERE { ?x a ?t FILTER(isIRI(?x) && isIRI(?t)) }"
ALL_IRIS = """
SELECT DISTINCT ?x WHERE {
    { ?x ?p ?o } UNION { ?s ?x ?o } UNION { ?s ?p ?x }
    FILTER(isIRI(?x))
}"""

# What readers have found in a store and will find again: a store is not changed while it is read.
_FOUND: "weakref.WeakKeyDictionary[Store, dict[str, dict]]" = weakref.WeakKeyDictionary()


def forget(store: Store) -> None:
    """Drop what readers found in a store that has changed (a contribution accepted while serving)."""
    _FOUND.pop(store, None)


def found_in(store: Store) -> dict[str, dict]:
    """The store's kept findings: labels, inverse properties, graph descriptions."""
    return _FOUND.setdefault(store, {"labels": {}, "graphs": {}})


class Reader:
    """Reads one page's worth of the store, remembering the labels it has already found."""

    def __init__(self, store: Store, settings: Settings | None = None, *, check_links: bool = False) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.base = BASE
        # Pages about things outside the store (the shapes) may name IRIs the graph lacks: no page.
        self.check_links = check_links
        self._found = found_in(store)
        self._labels: dict[str, str] = self._found["labels"]
        self._candidates: dict[str, list[LabelRank]] = {}
        self._kept_solutions: dict[tuple[str, tuple[tuple[str, OxTerm], ...]], list[ox.QuerySolution]] = {}

    # ------------------------------------------------------------------------------ queries

    def query(self, sparql: str, **bindings: OxTerm) -> Iterator[ox.QuerySolution]:
        """The solutions of a SELECT query written with the pages' prefixes."""
        yield from self.store.query(SPARQL_PREFIXES + sparql, bindings)  # type: ignore[misc]

    def kept_solutions(self, sparql: str, **bindings: OxTerm) -> list[ox.QuerySolution]:
        """The solutions of a SELECT query, read once for this reader (the graph does not change while a
        reader lives): for what many pages of a publish ask alike."""
        key = (sparql, tuple(sorted(bindings.items())))
        if key not in self._kept_solutions:
            self._kept_solutions[key] = list(self.query(sparql, **bindings))
        return self._kept_solutions[key]

    def ask(self, sparql: str, **bindings: OxTerm) -> bool:
        """The answer of an ASK query written with the pages' prefixes."""
        return bool(self.store.query(SPARQL_PREFIXES + sparql, bindings))

    # ------------------------------------------------------------------------------- labels

    def remember_label(self, term: OxTerm, predicate: OxTerm | None, literal: OxTerm | None) -> None:
        """Keep a (label predicate, label) pair that a larger query found, saving a query per label."""
        if not isinstance(term, ox.NamedNode | ox.BlankNode) or str(term) in self._labels:
            return
        candidates = self._candidates.setdefault(str(term), [])
        if isinstance(predicate, ox.NamedNode) and isinstance(literal, ox.Literal):
            candidates.append(label_rank(predicate.value, literal))

    def label(self, term: OxTerm) -> str:
        """The best label of a term, its local name when it has none."""
        key = str(term)
        found = self._labels.get(key)
        if found is None:
            found = self._find_label(key, term)
            if found is None:
                found = local_name(term.value) if isinstance(term, ox.NamedNode) else "(anonymous)"
            self._labels[key] = found
        return found

    def _find_label(self, key: str, term: OxTerm) -> str | None:
        if key in self._candidates:
            ranked = sorted(self._candidates.pop(key))
        else:
            ranked = sorted(label_rank(row["lp"].value, row["l"]) for row in self.query(LABELS_OF_X, x=term))
        return ranked[0][2] if ranked else None

    def link(self, term: OxTerm) -> Link:
        """A term as a link to its page (none for what the site has no page for)."""
        if isinstance(term, ox.NamedNode):
            path = paths.page_path(term.value, self.base)
            if path and self.check_links and not path.startswith(paths.SHAPES_PAGE):
                path = path if self.is_in_graph(term.value) else None
            return Link(term.value, self.label(term), path)
        return Link(str(term), self.label(term))

    def links(self, terms: Iterable[OxTerm]) -> tuple[Link, ...]:
        """Links to terms, each once, by label."""
        return tuple(sorted({self.link(t) for t in terms}, key=link_order))

    def literal_value(self, literal: ox.Literal, graphs: tuple[str, ...] = ()) -> Value:
        """A literal as a value: its text, language, and datatype where it is not plain text."""
        datatype = literal.datatype.value
        shown = None if literal.language or datatype in PLAIN_DATATYPES else self.link(literal.datatype)
        return Value(literal.value, language=literal.language or "", datatype=shown, graphs=graphs)

    # ------------------------------------------------------------------ the reads of a page

    def outgoing(self, node: ox.NamedNode | ox.BlankNode, shown: int) -> tuple[list[Fact], Counts]:
        """What the graph says of a node, each fact with the graph that says it (None: the default
        graph), at most `shown` values of a property but those tied with the last (see `bounds`); and
        how many values each property has. The labels of the objects are kept."""
        counts = self._counts(OUTGOING_COUNTS, s=node)
        over = [p for p, n in counts.items() if n > shown]
        facts: list[Fact] = []
        for row in self._chosen(OUTGOING, "o", counts, shown, s=node):
            graph = row["g"]
            facts.append((row["p"], row["o"], graph.value if graph is not None else None))
            self.remember_label(row["o"], row["lp"], row["l"])
        if str(node) in self._labels:
            return facts, counts
        if any(p in LABEL_PREDICATES for p in over):
            # Not every label was read: the best one is the store's to find.
            best = [label_rank(row["lp"].value, row["l"]) for row in self.query(BEST_LABEL, x=node)]
            self._candidates[str(node)] = best
            return facts, counts
        # The node's own labels are among its facts: no query for them.
        self.remember_label(node, None, None)
        for predicate, obj, _ in facts:
            if predicate.value in LABEL_PREDICATES and isinstance(obj, ox.Literal):
                self.remember_label(node, predicate, obj)
        return facts, counts

    def incoming(self, node: ox.NamedNode, shown: int) -> tuple[dict[str, list[OxTerm]], Counts]:
        """The nodes that point at a node, each once, by predicate IRI, at most `shown` of a predicate but
        those tied with the last (see `bounds`); and how many there are by predicate. Their labels kept."""
        counts = self._counts(INCOMING_COUNTS, o=node)
        subjects: dict[str, dict[str, OxTerm]] = defaultdict(dict)
        for row in self._chosen(INCOMING, "s", counts, shown, o=node):
            subjects[row["p"].value][str(row["s"])] = row["s"]
            self.remember_label(row["s"], row["lp"], row["l"])
        return {predicate: list(found.values()) for predicate, found in subjects.items()}, counts

    def _counts(self, sparql: str, **bindings: OxTerm) -> Counts:
        """How many distinct values each predicate IRI has (`OUTGOING_COUNTS`, `INCOMING_COUNTS`)."""
        # rdflib answers a grouped count of nothing with one empty solution: no predicate, no count.
        rows = self.query(sparql, **bindings)
        return {row["p"].value: int(row["n"].value) for row in rows if row["p"] is not None}

    def _chosen(
        self, sparql: str, value: str, counts: Counts, shown: int, **bindings: OxTerm
    ) -> Iterator[ox.QuerySolution]:
        """The rows of a node's query (`OUTGOING`, `INCOMING`) for the values a page shows: all of them
        in one query when no predicate has more than `shown`; otherwise predicate by predicate, and
        for a predicate with more, value by value, so that the store never hands over the others."""
        if all(n <= shown for n in counts.values()):
            yield from self.query(sparql, **bindings)
            return
        for predicate, count in sorted(counts.items()):
            node = ox.NamedNode(predicate)
            if count <= shown:
                yield from self.query(sparql, **bindings, p=node)
                continue
            chosen = self._first_values(value, shown, **bindings, p=node)
            if len(chosen) > 2 * shown:
                # Many values tie with the last (blank nodes, all ranked ""): one query, filtered.
                up_to = _extend(sparql, "?boundary", UP_TO.format(key=sort_key_sparql(value)))
                yield from self.query(up_to, **bindings, p=node, boundary=ox.Literal(sort_key(chosen[-1])))
                continue
            for term in chosen:
                yield from self.query(sparql, **bindings, p=node, **{value: term})

    def _first_values(self, value: str, shown: int, **bindings: OxTerm) -> list[OxTerm]:
        """The values of one predicate of a node that `bounds` chooses, by key: the first `shown`, and
        every other one tied with the last of them (bound as terms, never written into the text; a
        store binds only variables a query projects, hence the projected ?s ?p ?o)."""
        key = sort_key_sparql(value)
        first = list(self.query(FIRST.format(key=key, limit=shown + 1), **bindings))
        chosen = [row[value] for row in first[:shown]]
        last = first[shown - 1]["k"]
        if len(first) > shown and first[shown]["k"].value == last.value:
            known = set(chosen)
            tied = (row[value] for row in self.query(TIED.format(key=key), **bindings, boundary=last))
            chosen += [term for term in tied if term not in known]
        return chosen

    def graph_facts(self, graph: str) -> dict[str, list[OxTerm]]:
        """What the graph says of a named graph (its description), by predicate IRI."""
        described = self._found["graphs"]
        if graph not in described:
            facts: dict[str, list[OxTerm]] = defaultdict(list)
            for row in self.query(GRAPH_DESCRIPTION, g=ox.NamedNode(graph)):
                facts[row["p"].value].append(row["o"])
            described[graph] = dict(facts)
        return described[graph]

    def inverse_properties(self) -> dict[str, str]:
        """For each property with a declared inverse, the inverse (the smallest IRI when several)."""
        if "inverses" not in self._found:
            inverses: dict[str, str] = {}
            for row in self.query(INVERSES):
                if isinstance(row["p"], ox.NamedNode) and isinstance(row["inverse"], ox.NamedNode):
                    known = inverses.get(row["p"].value, "~")
                    inverses[row["p"].value] = min(row["inverse"].value, known)
            self._found["inverses"] = inverses
        return self._found["inverses"]

    def is_in_graph(self, iri: str) -> bool:
        """True when the IRI is a subject, predicate, object or graph name somewhere in the store."""
        return self.ask(MENTIONED, x=ox.NamedNode(iri))

    def instance_count(self, iri: str) -> int:
        """How many resources are instances of a class (with its subclasses) (call it for classes only:
        counting walks the class hierarchy)."""
        node = ox.NamedNode(iri)
        return sum(int(row["n"].value) for row in self.query(INSTANCE_COUNT, **{"class": node}))

    def class_members(self, iri: str, facet: FacetDefinition | None = None, value: str = "") -> list[OxTerm]:
        """The instances of a class (with its subclasses), those with a facet's value when given."""
        bindings: dict[str, OxTerm] = {"class": ox.NamedNode(iri)}
        if facet:
            bindings["value"] = ox.NamedNode(value)
        members: dict[str, OxTerm] = {}
        for row in self.query(_class_members_query(facet), **bindings):
            members[str(row["x"])] = row["x"]
            self.remember_label(row["x"], row["lp"], row["l"])
        return list(members.values())

    def facet_counts(
        self, iri: str, facet: FacetDefinition, selected: FacetDefinition | None = None, value: str = ""
    ) -> dict[ox.NamedNode, int]:
        """How many instances of a class (with the selected facet's value) have each value of a facet."""
        bindings: dict[str, OxTerm] = {"class": ox.NamedNode(iri)}
        if selected:
            bindings["value"] = ox.NamedNode(value)
        return {
            row["v"]: int(row["n"].value)
            for row in self.query(_facet_counts_query(facet, selected), **bindings)
            if isinstance(row["v"], ox.NamedNode)
        }

    def all_names(self) -> dict[str, list[str]]:
        """Every name (label or other name) of every IRI, its labels remembered."""
        names: dict[str, list[str]] = defaultdict(list)
        for row in self.query(ALL_SUBJECT_NAMES):
            if row["lp"].value in LABEL_PREDICATES:
                self.remember_label(row["x"], row["lp"], row["l"])
            names[row["x"].value].append(row["l"].value)
        return names

    def all_types(self) -> dict[str, set[str]]:
        """The classes of every IRI that has any, by IRI."""
        types: dict[str, set[str]] = defaultdict(set)
        for row in self.query(ALL_TYPES):
            types[row["x"].value].add(row["t"].value)
        return types

    def describe(self, iri: str) -> list[ox.Quad]:
        """The statements of a resource's documents (see `export.describe`)."""
        return export.describe(self.store, iri)  # type: ignore[arg-type]

    def resource_iris(self) -> list[str]:
        """Every IRI of the graph that has a page of its own (see `paths.document_stem`), sorted."""
        found = {row["x"].value for row in self.query(ALL_IRIS)} | set(self.store.graph_names())
        return sorted(iri for iri in found if paths.document_stem(iri, self.base) is not None)


def _extend(sparql: str, projected: str, condition: str) -> str:
    """A `SELECT DISTINCT ... WHERE { ... }` query with more variables projected and a condition added."""
    head, body = sparql.split(" WHERE ", 1)
    return f"{head} {projected} WHERE {body.rstrip()[:-1]} {condition} }}"


def _class_members_query(facet: FacetDefinition | None) -> str:
    """Members of ?class (with subclasses), filtered on a facet's ?value when given."""
    if facet is None:
        members = f"?x a ?t . ?t rdfs:subClassOf* ?class . {labels_of('x')}"
        return f"SELECT DISTINCT ?class ?x ?lp ?l WHERE {{ {members} }}"
    return (
        "SELECT DISTINCT ?class ?value ?x ?lp ?l WHERE { ?x a ?t . ?t rdfs:subClassOf* ?class . "
        f"?x {facet.sparql_path} ?value . {labels_of('x')} }}"
    )


def _facet_counts_query(facet: FacetDefinition, selected: FacetDefinition | None) -> str:
    """How many members of ?class have each value ?v of a facet, within the selected facet's ?value."""
    projected = "?class ?value" if selected else "?class"
    within = f"?x {selected.sparql_path} ?value ." if selected else ""
    value_class = f"?v a <{facet.value_class}> ." if facet.value_class else ""
    return (
        f"SELECT {projected} ?v (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?t . ?t rdfs:subClassOf* ?class . "
        f"{within} ?x {facet.sparql_path} ?v . {value_class} }} GROUP BY {projected} ?v"
    )
