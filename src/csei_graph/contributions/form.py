"""The contribution form, made from the shapes: one field per property shape of a cluster, a member
organisation and its membership, with names, descriptions, groups, order, what is required, pick lists
and input types all read from `shapes/`. A change of the shapes changes the form, and nothing else has to.

`form_spec(store)` reads the shapes (by default the built-in `shapes/`) and the pick lists' values
from the store; `csei_graph.contributions.formdata` turns what is filled in into statements.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from csei_graph.namespaces import CSEI, PREFIXES, shorten
from csei_graph.sources import resource_dir
from csei_graph.stores.base import Store
from csei_graph.validation.refusals import CITING_PREDICATES

CLUSTER, MEMBER, MEMBERSHIP = "cluster", "member", "membership"
TARGETS = {
    CLUSTER: f"{CSEI}Cluster",
    MEMBER: f"{PREFIXES['org']}Organization",
    MEMBERSHIP: f"{PREFIXES['org']}Membership",
}
# Paths the form's structure states itself: the type, the members' rows and their memberships.
STRUCTURAL = frozenset(
    {
        str(RDF.type),
        f"{PREFIXES['org']}hasMember",
        f"{PREFIXES['org']}member",
        f"{PREFIXES['org']}organization",
        *(p.value for p in CITING_PREDICATES),
    }
)
XSD = PREFIXES["xsd"]
DATE_TYPES = frozenset(f"{XSD}{name}" for name in ("gYear", "gYearMonth", "date", "dateTime"))
NUMBER_TYPES = frozenset(
    f"{XSD}{name}" for name in ("integer", "decimal", "double", "nonNegativeInteger", "positiveInteger")
)
LANG_STRING = f"{PREFIXES['rdf']}langString"
SKOS = PREFIXES["skos"]
# A list longer than this is one value picked from a drop-down, not several ticked in a long list.
MOST_MULTIPLE = 30
# A class with more instances than this is asked for by IRI: a list that long helps nobody.
MOST_CHOICES = 400
NO_GROUP = ("Other", 99.0)
_CONCEPTS = f"""SELECT $scheme ?value (SAMPLE(?en) AS ?english) (SAMPLE(?any) AS ?other) WHERE {{
    ?value <{SKOS}inScheme> $scheme .
    OPTIONAL {{ ?value <{SKOS}prefLabel>|<{RDFS}label> ?en FILTER(LANGMATCHES(LANG(?en), "en")) }}
    OPTIONAL {{ ?value <{SKOS}prefLabel>|<{RDFS}label> ?any }}
}} GROUP BY $scheme ?value"""
_INSTANCES = f"""SELECT $class ?value (SAMPLE(?en) AS ?english) (SAMPLE(?any) AS ?other) WHERE {{
    ?value a $class .
    OPTIONAL {{ ?value <{SKOS}prefLabel>|<{RDFS}label> ?en FILTER(LANGMATCHES(LANG(?en), "en")) }}
    OPTIONAL {{ ?value <{SKOS}prefLabel>|<{RDFS}label> ?any }}
}} GROUP BY $class ?value LIMIT {MOST_CHOICES + 1}"""
_LABELS = f"""SELECT $value (SAMPLE(?en) AS ?english) (SAMPLE(?any) AS ?other) WHERE {{
    OPTIONAL {{ $value <{SKOS}prefLabel>|<{RDFS}label> ?en FILTER(LANGMATCHES(LANG(?en), "en")) }}
    OPTIONAL {{ $value <{SKOS}prefLabel>|<{RDFS}label> ?any }}
}} GROUP BY $value"""


@dataclass(frozen=True)
class Choice:
    """One value of a pick list: its IRI (or literal text) and its name."""

    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One input of the form, made from the property shapes of one path.

    `input` is text, langtext (text with the form's language), date, number, url, iri or select.
    """

    path: str
    key: str
    name: str
    description: str
    group: str
    group_order: float
    order: float
    required: bool
    recommended: bool
    input: str
    datatype: str | None = None
    choices: tuple[Choice, ...] = ()
    multiple: bool = False
    shapes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """The fields of one kind of resource, in the shapes' groups and order."""

    role: str
    title: str
    description: str
    fields: tuple[Field, ...]

    def groups(self) -> list[tuple[str, list[Field]]]:
        """The fields by property group, groups and fields in the shapes' order."""
        grouped: dict[tuple[float, str], list[Field]] = {}
        for item in self.fields:
            grouped.setdefault((item.group_order, item.group), []).append(item)
        return [(name, items) for (_, name), items in sorted(grouped.items())]

    def by_key(self, key: str) -> Field | None:
        """The field of this short path (such as foaf:homepage), if the section has one."""
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class FormSpec:
    """The whole form: the cluster, each member row (an organisation and its membership), the kinds."""

    cluster: Section
    member: Section
    membership: Section
    kinds: tuple[Choice, ...] = field(default=())

    def section(self, role: str) -> Section:
        """The section of a role (cluster, member or membership)."""
        return {CLUSTER: self.cluster, MEMBER: self.member, MEMBERSHIP: self.membership}[role]


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """The shapes of a folder's `*.ttl` files (by default the built-in `shapes/`) as one graph."""
    folder = shapes_dir or resource_dir("shapes")
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def form_spec(store: Store, shapes: Graph | None = None) -> FormSpec:
    """The form the shapes describe, its pick lists filled from the store."""
    shapes = shapes if shapes is not None else load_shapes()
    sections = {role: _section(shapes, store, role, URIRef(target)) for role, target in TARGETS.items()}
    return FormSpec(sections[CLUSTER], sections[MEMBER], sections[MEMBERSHIP], _kinds(shapes, store))


def _section(shapes: Graph, store: Store, role: str, target: URIRef) -> Section:
    node_shapes = sorted(
        set(shapes.subjects(SH.targetClass, target)),
        key=lambda s: (_number(shapes.value(s, SH.order), 99), str(s)),
    )
    title = next((str(o) for s in node_shapes for o in shapes.objects(s, SH.name)), role)
    description = next((str(o) for s in node_shapes for o in shapes.objects(s, SH.description)), "")
    merged: dict[str, Field] = {}
    for node_shape in node_shapes:
        for property_shape in shapes.objects(node_shape, SH.property):
            made = _field(shapes, store, property_shape)
            if made is None:
                continue
            merged[made.path] = _merge(merged[made.path], made) if made.path in merged else made
    ordered = sorted(merged.values(), key=lambda f: (f.group_order, f.order, f.name))
    return Section(role, title, description, tuple(ordered))


def _field(shapes: Graph, store: Store, shape: object) -> Field | None:
    path = shapes.value(shape, SH.path)  # type: ignore[arg-type]
    if not isinstance(path, URIRef) or str(path) in STRUCTURAL:
        return None
    value = shapes.value
    group = value(shape, SH.group)  # type: ignore[arg-type]
    group_label = str(value(group, RDFS.label) or NO_GROUP[0]) if group is not None else NO_GROUP[0]
    group_order = _number(value(group, SH.order)) if group is not None else NO_GROUP[1]
    severity = value(shape, SH.severity)  # type: ignore[arg-type]
    at_least = _number(value(shape, SH.minCount), 0) > 0  # type: ignore[arg-type]
    warning = severity in (SH.Warning, SH.Info)
    at_most_one = _number(value(shape, SH.maxCount), 0) == 1  # type: ignore[arg-type]
    kind, datatype, choices = _input(shapes, store, shape)
    return Field(
        path=str(path),
        key=shorten(str(path)),
        name=str(value(shape, SH.name) or shorten(str(path))),  # type: ignore[arg-type]
        description=str(value(shape, SH.description) or ""),  # type: ignore[arg-type]
        group=group_label,
        group_order=group_order,
        order=_number(value(shape, SH.order), 50),  # type: ignore[arg-type]
        required=at_least and not warning,
        recommended=at_least and warning,
        input=kind,
        datatype=datatype,
        choices=choices,
        multiple=kind == "select" and not at_most_one and len(choices) <= MOST_MULTIPLE,
        shapes=(str(shape),) if isinstance(shape, URIRef) else (),
    )


def _merge(first: Field, other: Field) -> Field:
    """One field for two property shapes of the same path: the stricter of each, the first's words."""
    richer = first if first.input != "text" or other.input == "text" else other
    return replace(
        richer,
        name=first.name,
        description=first.description or other.description,
        group=first.group,
        group_order=min(first.group_order, other.group_order),
        order=min(first.order, other.order),
        required=first.required or other.required,
        recommended=(first.recommended or other.recommended) and not (first.required or other.required),
        multiple=first.multiple and other.multiple,
        shapes=first.shapes + other.shapes,
    )


Input = tuple[str, str | None, tuple[Choice, ...]]


def _input(shapes: Graph, store: Store, shape: object) -> Input:
    """The input a property shape asks for, the datatype of its values and its pick list."""
    for rule in (_listed, _typed, _from_list):
        found = rule(shapes, store, shape)
        if found is not None:
            return found
    return "text", None, ()


def _listed(shapes: Graph, store: Store, shape: object) -> Input | None:
    """sh:in: its values."""
    listed = shapes.value(shape, SH["in"])  # type: ignore[arg-type]
    if listed is None:
        return None
    return "select", None, _labelled(store, [str(v) for v in Collection(shapes, listed)])  # type: ignore[arg-type]


def _typed(shapes: Graph, store: Store, shape: object) -> Input | None:
    """sh:datatype (on the shape, or each of its sh:or): text, a date, a number, a web address."""
    datatypes = set(_constraint(shapes, shape, SH.datatype))
    if not datatypes:
        return None
    first = sorted(datatypes)[0]
    if datatypes == {f"{XSD}boolean"}:
        return "select", first, (Choice("true", "yes"), Choice("false", "no"))
    kinds = (
        ({LANG_STRING}, "langtext"),
        (DATE_TYPES, "date"),
        (NUMBER_TYPES, "number"),
        ({f"{XSD}anyURI"}, "url"),
    )
    kind = next((name for allowed, name in kinds if datatypes <= allowed), "text")
    return kind, None if kind in ("date", "url") else first, ()


def _from_list(shapes: Graph, store: Store, shape: object) -> Input | None:
    """Values that are resources: concepts of a scheme, instances of a class, web addresses, IRIs."""
    for scheme in _schemes(shapes, shape):
        return "select", None, _choices(store, _CONCEPTS, "scheme", scheme)
    for cls in _constraint(shapes, shape, SH["class"]):
        found = _choices(store, _INSTANCES, "class", cls)
        if 0 < len(found) <= MOST_CHOICES:
            return "select", None, found
    nodes = _constraint(shapes, shape, SH.node)
    if any(_is_web_address(shapes, node) for node in nodes):
        return "url", None, ()
    return ("iri", None, ()) if nodes or _constraint(shapes, shape, SH.nodeKind) else None


def _constraint(shapes: Graph, shape: object, predicate: URIRef) -> list[str]:
    """The values of a constraint on the shape itself or on the members of its sh:or."""
    found = [str(v) for v in shapes.objects(shape, predicate)]  # type: ignore[arg-type]
    for alternatives in shapes.objects(shape, SH["or"]):  # type: ignore[arg-type]
        for member in Collection(shapes, alternatives):  # type: ignore[arg-type]
            found += [str(v) for v in shapes.objects(member, predicate)]
    return found


def _schemes(shapes: Graph, shape: object) -> Iterator[str]:
    """The concept schemes the values must be in: a node shape requiring skos:inScheme of one."""
    for node in _constraint(shapes, shape, SH.node):
        for inner in shapes.objects(URIRef(node), SH.property):
            if shapes.value(inner, SH.path) == URIRef(f"{SKOS}inScheme"):
                scheme = shapes.value(inner, SH.hasValue)
                if scheme is not None:
                    yield str(scheme)


def _is_web_address(shapes: Graph, node: str) -> bool:
    pattern = shapes.value(URIRef(node), SH.pattern)
    return pattern is not None and str(pattern).startswith("^https?")


def _kinds(shapes: Graph, store: Store) -> tuple[Choice, ...]:
    """The kinds of cluster a contribution may be: the classes the shapes target under csei:Cluster."""
    targets = {str(t) for t in shapes.objects(None, SH.targetClass) if isinstance(t, URIRef)}
    query = "ASK { $class <http://www.w3.org/2000/01/rdf-schema#subClassOf>* $cluster }"
    cluster = URIRef(TARGETS[CLUSTER])
    kinds = [
        iri
        for iri in sorted(targets)
        if bool(store.query(query, {"class": _node(iri), "cluster": _node(str(cluster))}))  # type: ignore[arg-type]
    ]
    preferred = f"{CSEI}CSEI"
    kinds.sort(key=lambda iri: (iri != preferred, iri))
    return _labelled(store, kinds, keep_order=True)


def _choices(store: Store, query: str, name: str, iri: str) -> tuple[Choice, ...]:
    rows = store.query(query, {name: _node(iri)})  # type: ignore[arg-type]
    found = [
        Choice(row["value"].value, _label_of(row, row["value"].value))  # type: ignore[index,union-attr]
        for row in rows  # type: ignore[union-attr]
        if row["value"] is not None and not isinstance(row["value"], BNode)  # type: ignore[index]
    ]
    return tuple(sorted(found, key=lambda c: (c.label.casefold(), c.value)))


def _labelled(store: Store, values: list[str], keep_order: bool = False) -> tuple[Choice, ...]:
    found = []
    for value in values:
        rows = list(store.query(_LABELS, {"value": _node(value)})) if value.startswith("http") else []  # type: ignore[arg-type,union-attr]
        found.append(Choice(value, _label_of(rows[0], value) if rows else value))
    return tuple(found if keep_order else sorted(found, key=lambda c: c.label.casefold()))


def _label_of(row: object, iri: str) -> str:
    for name in ("english", "other"):
        term = row[name]  # type: ignore[index]
        if term is not None:
            return str(term.value)
    return re.split(r"[/#]", iri.rstrip("/"))[-1] or iri


def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _number(term: object, default: float = 0) -> float:
    try:
        return float(term.toPython()) if isinstance(term, Literal) else default  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return default
