"""The CSEI ontology: both parsers read it alike, every term is documented, the ontology and the
declarations of reused terms match docs/model.md, and the graph is consistent under OWL 2 RL."""

import re
from pathlib import Path

import owlrl
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from csei_graph.namespaces import CSEI, CSEID, ONTOLOGY_IRI, PREFIXES
from csei_graph.terms import to_rdflib

REPO_ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_FILE = REPO_ROOT / "ontology" / "csei.ttl"
REUSED_FILE = REPO_ROOT / "ontology" / "reused-terms.ttl"
MODEL_DOC = REPO_ROOT / "docs" / "model.md"

ONTOLOGY = URIRef(ONTOLOGY_IRI)
XSD_DATE = URIRef(PREFIXES["xsd"] + "date")
CSEI_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
REUSED_KINDS = (*CSEI_KINDS, OWL.AnnotationProperty)
# The vocabularies whose terms must be declared in reused-terms.ttl; RDF, RDFS, OWL and XSD are the
# languages the graph is written in and need no declaration.
REUSED_PREFIXES = (
    "cv",
    "dcat",
    "dct",
    "essglobal",
    "foaf",
    "legal",
    "org",
    "prov",
    "schema",
    "skos",
    "vann",
    "void",
)
# owlrl writes each inconsistency it finds into the closure as an error message node.
OWLRL_ERRORS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")


def _parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def _parse_with_oxigraph(path: Path) -> Graph:
    graph = Graph()
    for parsed in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        graph.add((to_rdflib(parsed.subject), to_rdflib(parsed.predicate), to_rdflib(parsed.object)))
    return graph


def _expand(name: str) -> URIRef:
    """The IRI of a name as docs/model.md writes it; an unprefixed name is a CSEI term."""
    prefix, _, local = name.rpartition(":")
    return URIRef(PREFIXES[prefix] + local) if prefix else CSEI[local]


def _table(markdown: str, first_header: str) -> list[list[str]]:
    """The body rows of the markdown table whose first column is headed `first_header`."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _backticked(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def _model_classes(markdown: str) -> list[tuple[URIRef, URIRef]]:
    """(class, superclass) for each row of the class table."""
    return [
        (_expand(_backticked(name)[0]), _expand(_backticked(sup)[0]))
        for name, sup, _ in _table(markdown, "class")
    ]


def _model_properties(markdown: str) -> list[tuple[URIRef, URIRef | None]]:
    """(property, superproperty or None) for each property named in the property table."""
    found: list[tuple[URIRef, URIRef | None]] = []
    for row in _table(markdown, "property"):
        names, _, parent = row[0].partition("(⊑")
        superproperty = _expand(_backticked(parent)[0]) if parent else None
        found.extend((_expand(name), superproperty) for name in _backticked(names))
    return found


def _name(term: URIRef) -> str:
    """The prefixed name of a term, for test ids and messages."""
    for prefix, namespace in PREFIXES.items():
        if term.startswith(namespace):
            return f"{prefix}:{term.removeprefix(namespace)}"
    return str(term)


def _english(graph: Graph, subject: URIRef, predicate: URIRef) -> list[Literal]:
    return [o for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language == "en"]


def _declared(graph: Graph, kinds: tuple[URIRef, ...], namespace: str = "") -> list[URIRef]:
    return sorted(
        {
            s
            for kind in kinds
            for s in graph.subjects(RDF.type, kind)
            if isinstance(s, URIRef) and s.startswith(namespace)
        }
    )


def _in_reused_vocabulary(term: object) -> bool:
    return isinstance(term, URIRef) and term.startswith(tuple(PREFIXES[p] for p in REUSED_PREFIXES))


def _clashes(graph: Graph) -> list[str]:
    """What owlrl finds inconsistent in the OWL 2 RL closure of the graph."""
    # The closure is computed in place, so a copy keeps the shared fixtures untouched.
    closure = Graph()
    closure += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    errors = closure.subjects(RDF.type, OWLRL_ERRORS.ErrorMessage)
    messages = [str(closure.value(error, OWLRL_ERRORS.error)) for error in errors]
    messages += [f"{s} has type owl:Nothing" for s in closure.subjects(RDF.type, OWL.Nothing)]
    return sorted(messages)


# Parametrisation needs the terms when the tests are collected, so the files are read at import.
CSEI_GRAPH = _parse(ONTOLOGY_FILE)
REUSED_GRAPH = _parse(REUSED_FILE)
MODEL = MODEL_DOC.read_text(encoding="utf-8")
CSEI_TERMS = _declared(CSEI_GRAPH, CSEI_KINDS, str(CSEI))
REUSED_TERMS = _declared(REUSED_GRAPH, REUSED_KINDS)
MODEL_CLASSES = _model_classes(MODEL)
MODEL_PROPERTIES = _model_properties(MODEL)
MODEL_REUSED_NAMES = sorted(
    {f"{p}:{local}" for p, local in re.findall(r"`([a-z]+):([A-Za-z]\w*)`", MODEL) if p in REUSED_PREFIXES}
)


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, REUSED_FILE], ids=lambda path: path.name)
def test_rdflib_and_oxigraph_read_the_same_graph(path: Path) -> None:
    by_rdflib = _parse(path)
    by_oxigraph = _parse_with_oxigraph(path)
    assert len(by_rdflib) == len(by_oxigraph)
    assert isomorphic(by_rdflib, by_oxigraph)


def test_ontology_header() -> None:
    graph = CSEI_GRAPH
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    version_iri = graph.value(ONTOLOGY, OWL.versionIRI)
    assert str(version_iri).startswith(f"{ONTOLOGY_IRI}/")
    # The version IRI and the version number must name the same release.
    assert str(version_iri).endswith(f"/{graph.value(ONTOLOGY, OWL.versionInfo)}")
    assert graph.value(ONTOLOGY, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(ONTOLOGY, DCTERMS.creator) == CSEID["organisation/csei-graph-maintainers"]
    for date in (DCTERMS.created, DCTERMS.modified):
        assert graph.value(ONTOLOGY, date).datatype == XSD_DATE
    assert _english(graph, ONTOLOGY, DCTERMS.title)
    assert _english(graph, ONTOLOGY, DCTERMS.description)


@pytest.mark.parametrize("term", CSEI_TERMS, ids=_name)
def test_csei_term_is_documented(term: URIRef) -> None:
    assert len(_english(CSEI_GRAPH, term, RDFS.label)) == 1, "needs one rdfs:label in English"
    assert len(_english(CSEI_GRAPH, term, SKOS.definition)) == 1, "needs one skos:definition in English"
    assert (term, RDFS.isDefinedBy, ONTOLOGY) in CSEI_GRAPH


def test_every_csei_term_used_in_the_ontology_is_declared() -> None:
    used = {t for triple in CSEI_GRAPH for t in triple if isinstance(t, URIRef) and t.startswith(str(CSEI))}
    assert sorted(used - set(CSEI_TERMS)) == []


@pytest.mark.parametrize(("term", "superclass"), MODEL_CLASSES, ids=[_name(t) for t, _ in MODEL_CLASSES])
def test_model_class_is_in_the_ontology(term: URIRef, superclass: URIRef) -> None:
    assert (term, RDF.type, OWL.Class) in CSEI_GRAPH
    assert (term, RDFS.subClassOf, superclass) in CSEI_GRAPH


@pytest.mark.parametrize(
    ("term", "superproperty"), MODEL_PROPERTIES, ids=[_name(t) for t, _ in MODEL_PROPERTIES]
)
def test_model_property_is_in_the_ontology(term: URIRef, superproperty: URIRef | None) -> None:
    kinds = set(CSEI_GRAPH.objects(term, RDF.type))
    assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, "not declared as an OWL property"
    if superproperty is not None:
        assert (term, RDFS.subPropertyOf, superproperty) in CSEI_GRAPH


def test_every_ontology_term_is_in_the_model() -> None:
    in_model = {term for term, _ in MODEL_CLASSES} | {term for term, _ in MODEL_PROPERTIES}
    assert [_name(term) for term in CSEI_TERMS if term not in in_model] == []


def test_model_tables_are_read() -> None:
    # Guards the table parser: an empty result would let the drift tests above pass vacuously.
    assert len(MODEL_CLASSES) >= 10
    assert len(MODEL_PROPERTIES) >= 30


@pytest.mark.parametrize("term", REUSED_TERMS, ids=_name)
def test_reused_term_is_declared_with_kind_label_and_vocabulary(term: URIRef) -> None:
    kinds = set(REUSED_GRAPH.objects(term, RDF.type))
    assert len(kinds) == 1, f"needs exactly one kind, has {sorted(kinds)}"
    assert len(_english(REUSED_GRAPH, term, RDFS.label)) == 1, "needs one rdfs:label in English"
    vocabulary = REUSED_GRAPH.value(term, RDFS.isDefinedBy)
    assert vocabulary is not None
    assert term.startswith(vocabulary), f"defined by {vocabulary}, which is not its namespace"


def test_reused_terms_carry_no_axioms() -> None:
    # The meaning of a reused term belongs to its own vocabulary; this file only lists what is used.
    predicates = set(REUSED_GRAPH.predicates())
    assert predicates <= {RDF.type, RDFS.label, RDFS.isDefinedBy}


def test_every_reused_term_named_in_the_model_is_declared() -> None:
    declared = set(REUSED_TERMS)
    assert [name for name in MODEL_REUSED_NAMES if _expand(name) not in declared] == []


def test_every_declared_reused_term_is_named_in_the_model() -> None:
    named = {_expand(name) for name in MODEL_REUSED_NAMES}
    assert [_name(term) for term in REUSED_TERMS if term not in named] == []


def test_every_reused_term_used_by_the_ontology_is_declared() -> None:
    used = {t for triple in CSEI_GRAPH for t in triple if _in_reused_vocabulary(t)}
    assert sorted(used - set(REUSED_TERMS)) == []


def test_owl_rl_check_reports_a_clash(ontology_graph: Graph) -> None:
    # Guards the consistency tests: if owlrl stopped reporting clashes they would pass vacuously.
    clashing = Graph()
    clashing += ontology_graph
    resource = CSEID["programme/example"]
    clashing.add((resource, RDF.type, CSEI.Programme))
    clashing.add((resource, RDF.type, CSEI.Action))
    assert _clashes(clashing)


def test_ontology_is_consistent_under_owl_rl(ontology_graph: Graph) -> None:
    assert _clashes(ontology_graph) == []


def test_ontology_and_data_are_consistent_under_owl_rl(union_graph: Graph) -> None:
    assert _clashes(union_graph) == []
