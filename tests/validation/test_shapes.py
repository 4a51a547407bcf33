"""The project's shapes: well formed, covering every class and scheme, documented, met by the graph."""

import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from csei_graph.namespaces import CSEI, CSEID
from csei_graph.sources import resource_dir
from csei_graph.validation import validate_graph
from csei_graph.validation.validate import SHACL_FOR_SHACL_FILE, project_shapes, shape_problems

STANDARD_SEVERITIES = {SH.Violation, SH.Warning, SH.Info}
MODEL = Path(__file__).resolve().parents[2] / "docs" / "model.md"
SHAPES = project_shapes().graph


def _ontology_classes(ontology_graph: Graph) -> list[URIRef]:
    return sorted(
        c
        for c in ontology_graph.subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef) and c.startswith(str(CSEI))
    )


def _model_schemes() -> list[URIRef]:
    text = MODEL.read_text(encoding="utf-8")
    table = text.split("## Concept schemes", 1)[1]
    return [CSEID[f"concept/{code}"] for code in re.findall(r"^\| `([a-z-]+)` \|", table, re.MULTILINE)]


def _property_shapes() -> list[URIRef]:
    return sorted({s for s in SHAPES.objects(None, SH.property) if isinstance(s, URIRef)})


def _node_shapes() -> list[URIRef]:
    return sorted(s for s in SHAPES.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


def test_the_shapes_are_well_formed() -> None:
    assert shape_problems(project_shapes()) == []


def test_the_shapes_pass_shacl_for_shacl_in_the_reference_engine() -> None:
    shacl_for_shacl = Graph().parse(resource_dir("shapes") / SHACL_FOR_SHACL_FILE, format="turtle")
    conforms, _, text = pyshacl.validate(SHAPES, shacl_graph=shacl_for_shacl)
    assert conforms, text


def test_every_ontology_class_is_the_target_of_a_shape(ontology_graph: Graph) -> None:
    targeted = set(SHAPES.objects(None, SH.targetClass))
    classes = _ontology_classes(ontology_graph)
    assert len(classes) >= 16
    assert [str(c) for c in classes if c not in targeted] == []


def test_every_concept_scheme_is_the_target_of_a_shape(union_graph: Graph) -> None:
    targeted = set(SHAPES.objects(None, SH.targetNode))
    in_model = _model_schemes()
    in_data = [s for s in union_graph.subjects(RDF.type, SKOS.ConceptScheme) if str(s).startswith(str(CSEID))]
    assert len(in_model) >= 18
    assert [str(s) for s in {*in_model, *in_data} if s not in targeted] == []


@pytest.mark.parametrize("shape", _node_shapes(), ids=lambda s: s.split("#")[1])
def test_node_shape_is_documented(shape: URIRef) -> None:
    assert SHAPES.value(shape, SH.name), "needs sh:name"
    assert SHAPES.value(shape, SH.description), "needs sh:description"
    assert isinstance(SHAPES.value(shape, SH.order), Literal), "needs sh:order"


@pytest.mark.parametrize("shape", _property_shapes(), ids=lambda s: s.split("#")[1])
def test_property_shape_speaks_to_the_contributor(shape: URIRef) -> None:
    for predicate in (SH.name, SH.description, SH.group, SH.order):
        assert SHAPES.value(shape, predicate) is not None, f"needs {predicate}"
    message = SHAPES.value(shape, SH.message)
    assert isinstance(message, Literal) and message.language == "en"
    assert SHAPES.value(shape, SH.severity) in (SH.Violation, SH.Warning)


def test_every_check_has_a_message_and_a_standard_severity() -> None:
    checks = [s for s in SHAPES.subjects() if isinstance(s, URIRef) and (s, SH.message, None) in SHAPES]
    assert len(checks) >= 80
    severities = set(SHAPES.objects(None, SH.severity))
    assert severities <= STANDARD_SEVERITIES
    assert severities == {SH.Violation, SH.Warning}


def test_recommendations_are_warnings_and_errors_are_violations() -> None:
    def severity(name: str) -> URIRef:
        return SHAPES.value(URIRef(f"https://w3id.org/csei/shapes#{name}"), SH.severity)

    for recommended in ("ClusterWebsiteStated", "Cluster-founded", "Cluster-nutsRegion", "Cluster-members"):
        assert severity(recommended) == SH.Warning
    for required in (
        "name",
        "ClusterCountryStated",
        "country",
        "actorKind",
        "Membership-member",
        "Membership-organization",
        "Dates-inOrder",
        "CSEI-actorKinds",
        "LabelAward-oneInForce",
        "Terms-defined",
    ):
        assert severity(required) == SH.Violation


def test_sparql_rules_declare_their_prefixes() -> None:
    # pyshacl lends rdflib's own prefixes to a query; the compiled engine does not, so a query that
    # relied on them would fail there only.
    declared = {str(p) for p in SHAPES.objects(None, SH.prefix)}
    for query in SHAPES.objects(None, SH.select):
        code = re.sub(r"#.*", "", re.sub(r"<[^>]*>|\"[^\"]*\"", "", str(query)))
        used = set(re.findall(r"\b([a-z]+):[A-Za-z]", code))
        assert used <= declared, f"undeclared prefixes {used - declared}"


def test_the_builtin_graph_has_no_violation() -> None:
    report = validate_graph()
    problems = [f"{r.focus}: {r.rule}: {r.message}" for r in report.violations]
    assert problems == []
    assert report.warnings, "recommendations (websites, founding years) are reported as warnings"


@pytest.mark.slow
def test_both_engines_give_the_same_report_on_the_builtin_graph() -> None:
    def keys(engine: str) -> set[tuple[str | None, ...]]:
        report = validate_graph(engine=engine)
        return {(r.severity, r.focus, r.rule, r.path, r.value, r.message) for r in report.results}

    assert keys("shacl") == keys("pyshacl")


def test_ontology_terms_are_defined_for_the_vocabulary_check(ontology_graph: Graph) -> None:
    # The vocabulary check accepts a csei: term by its rdfs:isDefinedBy; every term must carry it.
    terms = {s for s in ontology_graph.subjects() if isinstance(s, URIRef) and s.startswith(str(CSEI))}
    undefined = [
        t
        for t in terms
        if (t, RDFS.isDefinedBy, URIRef("https://w3id.org/csei/ontology")) not in ontology_graph
    ]
    assert undefined == []
