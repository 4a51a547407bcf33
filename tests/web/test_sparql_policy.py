"""Which texts the endpoint runs and which it refuses before running anything (queries.policy)."""

import socket
import threading

import pyoxigraph as ox
import pytest

from csei_graph.queries.policy import PublicQuery, Refused, check_public_query

ALLOWED = {
    "select": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1",
    "ask": "ASK { ?s ?p ?o }",
    "describe": "DESCRIBE <https://w3id.org/csei/id/cluster/x>",
    "prefixes first": "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nASK { ?s skos:prefLabel ?l }",
    "word in a string": 'SELECT * WHERE { ?s ?p "SERVICE LOAD INSERT DATA" }',
    "word in a long string": "SELECT * WHERE { ?s ?p '''a\nservice\n''' }",
    "word in an IRI": "SELECT * WHERE { ?s ?p <https://w3id.org/csei/id/concept/innovation-type/service> }",
    "word in a comment": "# we insert nothing, load nothing, call no service\nSELECT * WHERE { ?s ?p ?o }",
    "variable named service": "SELECT ?service WHERE { ?service ?p ?o }",
    "local name": "PREFIX schema: <http://schema.org/>\nSELECT * WHERE { ?s schema:serviceType ?o }",
    "local name like a keyword": "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:delete ex:load }",
    "lower case": "select * where { ?s ?p ?o }",
}
REFUSED_SERVICE = {
    "plain": "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "lower case": "select * where { service <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "no space": "SELECT * WHERE { SERVICE<http://127.0.0.1:{port}/>{ ?s ?p ?o } }",
    "prefixed name glued": "PREFIX : <http://127.0.0.1:{port}/>\nSELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "prefix glued": "PREFIX s: <http://127.0.0.1:{port}/>\nSELECT * WHERE { SERVICEs:x { ?s ?p ?o } }",
    "after a comment": "SELECT * WHERE { SERVICE#x\n<http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "inside EXISTS": "SELECT * WHERE { FILTER EXISTS { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "after a dot": "SELECT * WHERE { ?a ?b ?c .SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "variable endpoint": "SELECT * WHERE { BIND(<http://127.0.0.1:{port}/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
}
UPDATES = {
    "insert data": "INSERT DATA { <http://a> <http://b> <http://c> }",
    "delete where": "DELETE WHERE { ?s ?p ?o }",
    "load": "LOAD <http://127.0.0.1:1/data.ttl>",
    "load into": "LOAD SILENT <http://127.0.0.1:1/data.ttl> INTO GRAPH <http://g>",
    "clear": "CLEAR ALL",
    "drop": "DROP GRAPH <http://g>",
    "create": "CREATE GRAPH <http://g>",
    "copy": "COPY DEFAULT TO <http://g>",
    "move": "MOVE <http://a> TO <http://b>",
    "add": "ADD <http://a> TO <http://b>",
    "with prefix": "PREFIX ex: <http://e/>\nINSERT DATA { ex:a ex:b ex:c }",
    "after a query": "SELECT * WHERE { ?s ?p ?o } ; LOAD <http://127.0.0.1:1/x>",
    "modify": "WITH <http://g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
}


def check_query(text: str, *, embedded: bool = True) -> PublicQuery:
    return check_public_query(text, engine_checks_syntax=embedded)


@pytest.mark.parametrize("embedded", [True, False], ids=["embedded store", "remote store"])
@pytest.mark.parametrize("text", ALLOWED.values(), ids=ALLOWED.keys())
def test_queries_are_allowed(text: str, embedded: bool) -> None:
    assert check_query(text, embedded=embedded).form in {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}


def test_the_form_is_the_parsers() -> None:
    assert check_query("select * { ?s ?p ?o }").form == "SELECT"
    assert check_query("ASK {}").form == "ASK"
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }", embedded=False).form == "CONSTRUCT"


def test_a_dataset_comes_from_the_request_before_the_query() -> None:
    text = "SELECT * FROM <urn:a> FROM NAMED <urn:b> WHERE { ?s ?p ?o }"
    assert check_query(text).dataset is not None
    assert check_query(text).dataset.default_graphs == ("urn:a",)  # type: ignore[union-attr]
    asked = check_public_query(text, default_graphs=["urn:c"])
    assert asked.dataset is not None and asked.dataset.default_graphs == ("urn:c",)
    assert check_query("SELECT * WHERE { ?s ?p ?o }").dataset is None


@pytest.mark.parametrize("template", REFUSED_SERVICE.values(), ids=REFUSED_SERVICE.keys())
@pytest.mark.parametrize("embedded", [True, False], ids=["embedded store", "remote store"])
def test_service_is_refused_in_every_spelling_the_engine_reads(template: str, embedded: bool) -> None:
    """A spelling rdflib's parser reads is refused as SERVICE; one it cannot read is refused as no query."""
    text = template.replace("{port}", "9")
    with pytest.raises(Refused) as refused:
        check_query(text, embedded=embedded)
    assert refused.value.status in {400, 403}
    assert "SERVICE is refused" in refused.value.message or "not a SPARQL query" in refused.value.message


@pytest.mark.parametrize("name", ["prefixed name glued", "prefix glued", "no space", "silent"])
def test_the_refused_spellings_would_reach_another_host(name: str) -> None:
    """Why the check is strict: the engine itself follows each of these spellings."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(5)
        port = listener.getsockname()[1]
        reached: list[bytes] = []

        def accept() -> None:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                reached.append(connection.recv(64))

        waiting = threading.Thread(target=accept)
        waiting.start()
        try:
            result = ox.Store().query(REFUSED_SERVICE[name].replace("{port}", str(port)))
            list(result)  # type: ignore[call-overload]
        except (OSError, RuntimeError, SyntaxError):
            pass
        waiting.join()
    assert reached and reached[0].startswith(b"POST ")


@pytest.mark.parametrize("embedded", [True, False], ids=["embedded store", "remote store"])
@pytest.mark.parametrize(
    "text",
    [t for n, t in UPDATES.items() if n != "after a query"],
    ids=[n for n in UPDATES if n != "after a query"],
)
def test_updates_are_refused(text: str, embedded: bool) -> None:
    with pytest.raises(Refused) as refused:
        check_query(text, embedded=embedded)
    assert refused.value.status == 403
    assert "read-only" in refused.value.message


@pytest.mark.parametrize("embedded", [True, False], ids=["embedded store", "remote store"])
def test_a_query_followed_by_an_update_is_no_query(embedded: bool) -> None:
    with pytest.raises(Refused) as refused:
        check_query(UPDATES["after a query"], embedded=embedded)
    assert refused.value.status == 400


def test_virtuoso_pragmas_are_no_sparql() -> None:
    with pytest.raises(Refused, match="not a SPARQL query") as refused:
        check_query(
            'DEFINE get:soft "replace" SELECT * FROM <http://example.org/x> WHERE { ?s ?p ?o }',
            embedded=False,
        )
    assert refused.value.status == 400


@pytest.mark.parametrize("embedded", [True, False], ids=["embedded store", "remote store"])
@pytest.mark.parametrize("text", ["", "   ", "hello", "{ ?s ?p ?o }", "PREFIX ex: <http://e/>"])
def test_text_that_is_no_query_gets_400(text: str, embedded: bool) -> None:
    with pytest.raises(Refused) as refused:
        check_query(text, embedded=embedded)
    assert refused.value.status == 400
    assert "not a SPARQL query" in refused.value.message
