"""The report in its five forms: text for people, Turtle, JSON, SARIF and GitHub annotations for machines."""

import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from csei_graph.validation import validate_graph
from csei_graph.validation.report import Report, as_github, compact, path_text, render

from .conftest import BAD


@pytest.fixture(scope="module")
def report() -> Report:
    return validate_graph([BAD / "dates-out-of-order.ttl", BAD / "typo-in-property.ttl"])


def test_text_groups_results_by_resource_with_its_name_and_place(report: Report) -> None:
    text = render(report, "text", base=BAD)
    blocks = text.split("\n\n")
    typo = next(b for b in blocks if "cluster/typo>" in b)
    assert (
        typo.splitlines()[0]
        == '<https://w3id.org/csei/id/cluster/typo> "Typo Cluster"  (typo-in-property.ttl:10:1)'
    )
    assert "  violation: csei:countrry is not a term of the CSEI ontology" in typo
    assert "    csei:countrry = country:ESP  [cseish:Terms-defined]" in typo
    assert text.endswith("does not conform: 2 violations, 7 warnings on 3 resources (shacl engine)\n")


def test_text_of_a_conforming_graph_says_so() -> None:
    text = render(validate_graph([Path(__file__).parent / "good" / "green-valley.ttl"]), "text")
    assert text == "conforms: 0 violations, 0 warnings (shacl engine)\n"


def test_turtle_is_a_shacl_validation_report(report: Report) -> None:
    graph = Graph().parse(data=render(report, "turtle"), format="turtle")
    node = next(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(node, SH.conforms) == Literal(False)
    results = list(graph.objects(node, SH.result))
    assert len(results) == len(report.results) == 9
    focus = {
        str(graph.value(r, SH.focusNode))
        for r in results
        if graph.value(r, SH.resultSeverity) == SH.Violation
    }
    assert focus == {
        "https://w3id.org/csei/id/cluster/typo",
        "https://w3id.org/csei/id/membership/backwards-early-coop",
    }


def test_turtle_keeps_the_structure_of_paths(report: Report) -> None:
    graph = Graph().parse(data=render(report, "turtle"), format="turtle")
    members = [
        r
        for r in graph.objects(None, SH.result)
        if str(graph.value(r, SH.sourceShape)).endswith("Cluster-members")
    ]
    path = graph.value(members[0], SH.resultPath)
    assert path_text(graph, path) == "org:hasMember|^org:organization/org:member"


def test_json_holds_the_verdict_counts_and_places(report: Report) -> None:
    document = json.loads(render(report, "json", base=BAD))
    assert (document["conforms"], document["violations"], document["warnings"]) == (False, 2, 7)
    dates = next(r for r in document["results"] if r["rule"] == "cseish:Dates-inOrder")
    assert dates == {
        "severity": "Violation",
        "focus": "https://w3id.org/csei/id/membership/backwards-early-coop",
        "message": "It ends (2018) before it starts (2019-05-01): check both dates.",
        "path": "schema:startDate",
        "value": '"2019-05-01"^^xsd:date',
        "rule": "cseish:Dates-inOrder",
        "component": "<http://www.w3.org/ns/shacl#SPARQLConstraintComponent>",
        "label": "Early Coop in Backwards Cluster",
        "file": "dates-out-of-order.ttl",
        "line": 17,
        "column": 1,
    }


def test_sarif_points_each_result_at_its_file_and_line(report: Report) -> None:
    document = json.loads(render(report, "sarif", base=BAD))
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == sorted(set(rules)) and "cseish:Terms-defined" in rules
    levels = sorted(r["level"] for r in run["results"])
    assert levels == ["error"] * 2 + ["warning"] * 7
    typo = next(r for r in run["results"] if r["ruleId"] == "cseish:Terms-defined")
    assert rules[typo["ruleIndex"]] == "cseish:Terms-defined"
    location = typo["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "typo-in-property.ttl"},
        "region": {"startLine": 10, "startColumn": 1},
    }
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "https://w3id.org/csei/id/cluster/typo"


def test_github_annotations_escape_what_would_break_them(report: Report) -> None:
    lines = as_github(report, base=BAD).splitlines()
    assert len(lines) == 9
    typo = next(line for line in lines if "countrry" in line)
    assert typo.startswith("::error file=typo-in-property.ttl,line=10,col=1,title=cseish%3ATerms-defined::")
    assert sum(line.startswith("::warning ") for line in lines) == 7
    escaped = as_github(
        Report(
            [
                type(report.results[0])(
                    severity="Violation", focus="http://e/x", message="two\nlines, 100%", rule="a:b,c"
                )
            ],
            Graph(),
            "shacl",
        )
    )
    assert escaped == "::error title=a%3Ab%2Cc::<http://e/x>: two%0Alines, 100%25\n"


def test_terms_are_written_as_a_reader_writes_them() -> None:
    assert compact(URIRef("https://w3id.org/csei/ontology#country")) == "csei:country"
    assert (
        compact(URIRef("https://w3id.org/csei/id/cluster/pole-sud"))
        == "<https://w3id.org/csei/id/cluster/pole-sud>"
    )
    assert compact(Literal("Pôle", lang="fr")) == '"Pôle"@fr'
    assert (
        compact(Literal("12", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")))
        == '"12"^^xsd:integer'
    )


def test_paths_are_written_in_sparql_syntax() -> None:
    graph = Graph()
    org = "http://www.w3.org/ns/org#"
    inverse = BNode()
    graph.add((inverse, SH.inversePath, URIRef(f"{org}organization")))
    sequence = BNode()
    Collection(graph, sequence, [inverse, URIRef(f"{org}member")])
    star = BNode()
    graph.add((star, SH.zeroOrMorePath, URIRef(f"{org}subOrganizationOf")))
    alternatives, alternative = BNode(), BNode()
    Collection(graph, alternatives, [sequence, star])
    graph.add((alternative, SH.alternativePath, alternatives))
    assert path_text(graph, alternative) == "^org:organization/org:member|org:subOrganizationOf*"
    nested = BNode()
    graph.add((nested, SH.oneOrMorePath, alternative))
    assert path_text(graph, nested) == "(^org:organization/org:member|org:subOrganizationOf*)+"


def test_an_unknown_format_is_refused(report: Report) -> None:
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        render(report, "pdf")
