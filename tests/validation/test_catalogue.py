"""The dataset's catalogue metadata checked against the official DCAT-AP 3.0.1 shapes."""

import pytest
from rdflib import Graph

from csei_graph.validation import ENGINES, validate_catalogue
from csei_graph.validation.validate import DCAT_AP_DEFECTS, dcat_ap_shapes, shape_problems

PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
MINIMAL = (
    PREFIXES
    + """
<https://w3id.org/csei/catalogue> a dcat:Catalog ;
    dct:title "CSEI knowledge graph catalogue"@en ;
    dct:description "Datasets of the CSEI knowledge graph."@en ;
    dct:publisher <https://w3id.org/csei/id/organisation/csei-graph-maintainers> ;
    dcat:dataset <https://w3id.org/csei/dataset> .
<https://w3id.org/csei/id/organisation/csei-graph-maintainers> a foaf:Agent ;
    foaf:name "csei-graph maintainers"@en .
<https://w3id.org/csei/dataset> a dcat:Dataset ;
    dct:title "CSEI knowledge graph"@en ;
    dct:description "Clusters of Social and Ecological Innovation, with their sources."@en ;
    dcat:distribution <https://w3id.org/csei/dataset/turtle> .
<https://w3id.org/csei/dataset/turtle> a dcat:Distribution ;
    dcat:accessURL <https://w3id.org/csei/dumps/csei.ttl> .
"""
)
BROKEN = (
    PREFIXES
    + """
<https://w3id.org/csei/catalogue> a dcat:Catalog ;
    dct:description "No title, no publisher."@en ;
    dct:issued "last spring" ;
    dcat:dataset <https://w3id.org/csei/dataset> .
<https://w3id.org/csei/dataset> a dcat:Dataset ;
    dct:title "CSEI knowledge graph"@en ;
    dct:description "Clusters of Social and Ecological Innovation."@en ;
    dcat:distribution <https://w3id.org/csei/dataset/turtle> .
<https://w3id.org/csei/dataset/turtle> a dcat:Distribution .
"""
)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_minimal_catalogue_conforms_with_recommendations_as_warnings(engine: str) -> None:
    report = validate_catalogue(Graph().parse(data=MINIMAL, format="turtle"), engine)
    assert report.conforms, [r.message for r in report.violations]
    recommended = {(r.focus.rsplit("/", 1)[1], r.path) for r in report.warnings}
    assert {
        ("catalogue", "dct:license"),
        ("dataset", "dcat:keyword"),
        ("turtle", "dct:format"),
    } <= recommended


@pytest.mark.parametrize("engine", ENGINES)
def test_a_broken_catalogue_names_each_missing_or_wrong_value(engine: str) -> None:
    report = validate_catalogue(Graph().parse(data=BROKEN, format="turtle"), engine)
    assert not report.conforms
    violations = {(r.focus.rsplit("/", 1)[1], r.path) for r in report.violations}
    assert {
        ("catalogue", "dct:title"),
        ("catalogue", "dct:publisher"),
        ("catalogue", "dct:issued"),
        ("turtle", "dcat:accessURL"),
    } <= violations


def test_the_official_shapes_are_read_as_published_with_their_one_known_defect() -> None:
    shapes = dcat_ap_shapes()
    assert shape_problems(shapes, DCAT_AP_DEFECTS) == []
    assert any("sh:shape is not a SHACL term" in problem for problem in shape_problems(shapes))
