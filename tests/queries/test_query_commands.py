"""`csei query`, `csei push` and `csei pull` through the command line."""

import csv
import io
import json
import socket
from pathlib import Path

from click.testing import CliRunner

from csei_graph.cli import main
from csei_graph.queries import list_queries


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_every_query_with_its_parameters() -> None:
    code, out, _ = invoke("query", "--list")
    assert code == 0
    for query in list_queries():
        assert f"{query.name}  ({query.form})  {query.title}" in out
    assert "--param country=<concept country>  default POL" in out


def test_explain_prints_documentation_and_query() -> None:
    code, out, _ = invoke("query", "--explain", "definitions")
    assert code == 0
    assert "definitions: Definitions of a term and who gave them" in out
    assert "term (concept defined-term, default cluster)" in out
    assert "csei:definitionText ?text" in out


def test_a_stored_query_as_csv() -> None:
    code, out, _ = invoke("query", "clusters-in-country", "--param", "country=ITA", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    # data/geces-csei-examples.trig: "Torino Social ImpactItalyYES".
    torino = [r for r in rows if r["name"] == "Torino Social Impact"]
    assert torino and torino[0]["eccp"] == "true"
    assert "country" not in rows[0]


def test_an_ask_query_as_json() -> None:
    code, out, _ = invoke(
        "query", "is-eccp-registered", "-p", "cluster=cseid:cluster/base-202", "--format", "json"
    )
    assert code == 0
    assert json.loads(out) == {"head": {}, "boolean": False}


def test_a_construct_query_as_ntriples() -> None:
    code, out, _ = invoke("query", "cluster-network", "--format", "ntriples")
    assert code == 0
    assert (
        "<https://w3id.org/csei/id/cluster/agrobiocluster> <http://www.w3.org/ns/org#linkedTo> "
        "<https://w3id.org/csei/id/organisation/plant-intercluster-network> ." in out.splitlines()
    )


def test_a_query_file_on_the_rdflib_engine(tmp_path: Path) -> None:
    path = tmp_path / "ptce.rq"
    path.write_text(
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/csei/ontology#PTCE> }\n"
    )
    counts = [
        invoke("query", str(path), "--engine", engine, "--format", "tsv")[1]
        for engine in ("embedded", "rdflib")
    ]
    assert counts[0] == counts[1]
    assert int(counts[0].splitlines()[1].split('"')[1]) > 0


def test_a_syntax_error_exits_2_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("SELECT ?x WHERE {\n  ?x ?p\n}\n")
    code, out, err = invoke("query", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"error: {path}:2:3: SPARQL syntax error")
    assert "Traceback" not in err


def test_bad_parameters_exit_2() -> None:
    for args, message in (
        (("shared-members", "-p", "min_clusters=many"), "'many' is not a whole number"),
        (("clusters", "-p", "colour=red"), "has no parameter 'colour'"),
        (("clusters", "-p", "type"), "write it as NAME=VALUE"),
        (("clusters", "-p", "type=csei:CSEI", "-p", "type=csei:PTCE"), "is given twice"),
        (("clusters", "--format", "turtle"), "does not fit a SELECT query"),
        (("no-such-query",), "no stored query of that name"),
        ((), "name a stored query"),
    ):
        code, _, err = invoke("query", *args)
        assert code == 2, args
        assert message in err, args


def test_a_store_that_is_down_exits_2() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for args in (("query", "graphs"), ("push",), ("pull",)):
        url = f"http://127.0.0.1:{port}/query"
        code, _, err = invoke(*args, "--endpoint", url, "--timeout", "2", env={"CSEI_ENDPOINT_RETRIES": "0"})
        assert code == 2, args
        assert f"http://127.0.0.1:{port}/" in err and "connection refused" in err, args


def test_engine_and_endpoint_do_not_go_together() -> None:
    code, _, err = invoke("query", "graphs", "--engine", "rdflib", "--endpoint", "http://127.0.0.1:9/query")
    assert code == 2 and "cannot go with --endpoint" in err


def test_push_refuses_a_graph_it_does_not_hold() -> None:
    code, _, err = invoke("push", "--endpoint", "http://127.0.0.1:9/query", "--graph", "urn:nowhere")
    assert code == 2 and "no graph <urn:nowhere> in the local store" in err
