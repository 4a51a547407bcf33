"""The service at /reconcile of a real `csei serve`, driven as OpenRefine drives it: every answer of the
session validates against the protocol's schemas; CORS, previews, errors and read-only."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.web.conftest import RunningServer, raw_request, serve_with_source

from .conftest import ACTOR_KIND, CLUSTER, COUNTRY, HOSTILE_NAME, ID, MEMBER_OF, NAMESAKES, ORGANISATION

pytestmark = pytest.mark.e2e
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors *"
)
LYON = f"{ID}organisation/maison-de-l-economie-solidaire-lyon"
OPENREFINE = "http://127.0.0.1:3333"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`csei serve` on the built-in graph and the namesakes."""
    with serve_with_source(tmp_path_factory, "reconcile", NAMESAKES) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client(headers={"Origin": OPENREFINE}) as opened:
        yield opened


def _json(answer: httpx.Response) -> Any:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["access-control-allow-origin"] == "*"
    return answer.json()


def _batch(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """A batch as OpenRefine sends it: the cell's text, the column's type, the other columns' values."""
    queries = {}
    for number, (name, country) in enumerate(rows):
        query: dict[str, Any] = {"query": name, "type": ORGANISATION, "type_strict": "should", "limit": 6}
        if country:
            query["properties"] = [{"pid": COUNTRY, "v": country}]
        queries[f"q{number}"] = query
    return queries


MEMBER_ROWS = [
    ("Maison de l'Économie Solidaire", "FRA"),
    ("maison de l economie solidaire", "Belgium"),
    ("Maison de l'Economie Solidaire", ""),
    ("MES Lyon", ""),
    ("groupe ARCHER", ""),
    ("CRESS Rhone Alpes", "France"),
    ("Europan Comission", ""),
    ("UNIMOS", "POL"),
    ("Labo de l'ESS", "DEU"),
    ("Nobody Anywhere Ltd", "ITA"),
]


def test_an_openrefine_session_gets_only_valid_answers(
    client: httpx.Client, check: Callable[[str, object], None]
) -> None:
    # Adding the service: the manifest; choosing the column's type and its property columns.
    manifest = _json(client.get("/reconcile"))
    check("manifest", manifest)
    assert manifest["preview"]["url"] == f"{client.base_url}/reconcile/preview?id={{{{id}}}}"
    check("suggest-types-response", _json(client.get("/reconcile/suggest/type", params={"prefix": "orga"})))
    properties = _json(
        client.get("/reconcile/suggest/property", params={"prefix": "coun", "type": ORGANISATION})
    )
    check("suggest-properties-response", properties)
    assert [p["id"] for p in properties["result"]] == [COUNTRY]
    # Reconciling: batches of ten, posted as a form, as OpenRefine does.
    batch = _batch(MEMBER_ROWS)
    check("reconciliation-query-batch", batch)
    results = _json(client.post("/reconcile", data={"queries": json.dumps(batch)}))
    check("reconciliation-result-batch", results)
    best = {key: (answer["result"] or [{}])[0] for key, answer in results.items()}
    assert (best["q0"]["id"], best["q0"]["match"]) == (LYON, True)
    assert best["q1"]["id"].endswith("-liege") and best["q1"]["match"]
    assert not best["q2"]["match"]  # namesakes, nothing to tell them apart
    assert (best["q3"]["id"], best["q3"]["match"]) == (LYON, True)
    assert best["q4"]["match"] and best["q5"]["match"]
    assert not best["q6"]["match"] and best["q6"]["id"].endswith("european-commission")
    assert not best["q8"]["match"]  # its country contradicts the query's
    assert all(r["score"] < 70 for r in results["q9"]["result"])
    # The same by GET and as a JSON body.
    assert _json(client.get("/reconcile", params={"queries": json.dumps(batch)})) == results
    assert _json(client.post("/reconcile", json=batch)) == results
    # Searching for a candidate by hand, looking at it, opening its page.
    entities = _json(client.get("/reconcile/suggest/entity", params={"prefix": "maison de l'e"}))
    check("suggest-entities-response", entities)
    assert LYON in [e["id"] for e in entities["result"]]
    preview = client.get("/reconcile/preview", params={"id": LYON})
    assert preview.status_code == 200 and "Rhône Solidarity Cluster" in preview.text
    view = client.get("/reconcile/view", params={"id": LYON})
    assert (view.status_code, view.headers["location"]) == (
        303,
        "/id/organisation/maison-de-l-economie-solidaire-lyon",
    )
    # Adding columns from the reconciled values: country, website and clusters.
    proposal = _json(client.get("/reconcile/extend/propose", params={"type": ORGANISATION}))
    check("data-extension-property-proposal", proposal)
    asked = {
        "ids": [LYON, best["q5"]["id"]],
        "properties": [{"id": COUNTRY}, {"id": MEMBER_OF}, {"id": ACTOR_KIND}],
    }
    check("data-extension-query", asked)
    extended = _json(client.post("/reconcile", data={"extend": json.dumps(asked)}))
    check("data-extension-response", extended)
    assert extended["rows"][LYON][MEMBER_OF] == [
        {"id": f"{ID}cluster/rhone-solidarity-cluster", "name": "Rhône Solidarity Cluster"}
    ]


def test_a_preview_may_be_framed_by_the_client_and_escapes_every_value(client: httpx.Client) -> None:
    answer = client.get("/reconcile/preview", params={"id": f"{ID}organisation/hostile-name"})
    assert answer.status_code == 200
    policy = answer.headers.get_list("content-security-policy")
    assert policy == [PREVIEW_POLICY]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert HOSTILE_NAME not in answer.text
    assert "&lt;script&gt;" in answer.text
    assert 'href="javascript' not in answer.text
    missing = client.get("/reconcile/preview", params={"id": f"{ID}organisation/nowhere"})
    assert missing.status_code == 404


def test_openrefine_may_ask_from_its_own_origin(client: httpx.Client) -> None:
    preflight = client.options(
        "/reconcile",
        headers={"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"queries": "{not json"}, 400, "queries is not JSON"),
        (
            {"queries": json.dumps({"q0": {"query": "x", "type": "http://example.org/T"}})},
            400,
            "q0: unknown type",
        ),
        (
            {"queries": json.dumps({"q0": {"query": "x", "properties": [{"pid": "p", "v": 1}]}})},
            400,
            "unknown property",
        ),
        ({"queries": json.dumps({f"q{n}": {"query": "x"} for n in range(101)})}, 400, "at most 100"),
        ({"extend": json.dumps({"ids": "x", "properties": []})}, 400, "ids must be a list"),
    ],
)
def test_a_bad_request_is_answered_with_what_is_wrong(
    client: httpx.Client, data: dict[str, str], status: int, message: str
) -> None:
    answer = client.post("/reconcile", data=data)
    assert answer.status_code == status
    assert message in answer.json()["message"]


def test_the_server_limits_apply(server: RunningServer, client: httpx.Client) -> None:
    too_large = client.post(
        "/reconcile",
        content=b"queries=" + b"x" * 200_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert too_large.status_code == 413
    wrong_type = client.post("/reconcile", content=b"<q/>", headers={"Content-Type": "application/xml"})
    assert wrong_type.status_code == 415
    status, _ = raw_request(
        server,
        b"GET /reconcile?queries=" + b"x" * 110_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert status == 414


def test_the_service_is_read_only(client: httpx.Client) -> None:
    def triples() -> int:
        answer = client.get(
            "/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
        )
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    before = triples()
    for method in ("PUT", "DELETE", "PATCH"):
        assert client.request(method, "/reconcile", content=b"{}").status_code == 405
    client.post("/reconcile", data={"queries": json.dumps(_batch(MEMBER_ROWS))})
    assert triples() == before


def test_a_cluster_is_found_by_type_and_country(
    client: httpx.Client, check: Callable[[str, object], None]
) -> None:
    batch = {
        "c": {"query": "rhone solidarity", "type": CLUSTER, "properties": [{"pid": COUNTRY, "v": "FRA"}]}
    }
    results = _json(client.post("/reconcile", data={"queries": json.dumps(batch)}))
    check("reconciliation-result-batch", results)
    assert results["c"]["result"][0]["id"] == f"{ID}cluster/rhone-solidarity-cluster"
