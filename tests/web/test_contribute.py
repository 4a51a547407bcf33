"""/contribute, /login and /review on a real `csei serve` in a workspace: what a stranger can and cannot do.

Without a session nothing but a pending contribution can be made; every form needs its CSRF token;
sign-in attempts are limited; uploads are limited in size; every value is shown escaped.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from csei_graph.contributions import ACCEPTED, PENDING, entries, entry, maintainers
from csei_graph.validation import template
from csei_graph.validation.csvimport import slugify
from tests.hostile.corpus import fingerprint
from tests.web.conftest import MAINTAINER, PASSWORD, UPLOAD_LIMIT, Served, serve_workspace, stop_server

pytestmark = pytest.mark.e2e

CSEI = "https://w3id.org/csei/ontology#"
FRANCE = "http://publications.europa.eu/resource/authority/country/FRA"
SOCIAL = "https://w3id.org/csei/id/concept/actor-kind/social-economy-entity"
PUBLIC = "https://w3id.org/csei/id/concept/actor-kind/public-authority"
TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`csei serve` in a new workspace, with a sign-in limit the tests do not reach."""
    running = serve_workspace(tmp_path_factory.mktemp("contribute"), CSEI_LOGIN_ATTEMPTS="100/minute")
    try:
        yield running
    finally:
        stop_server(running.server)


def browser(served: Served) -> tuple[httpx.Client, str]:
    """A client with the form's cookie, and the form's token."""
    client = served.server.client()
    page = client.get("/contribute")
    assert page.status_code == 200
    found = TOKEN.search(page.text)
    assert found is not None
    return client, found.group(1)


def signed_in(served: Served) -> tuple[httpx.Client, str]:
    client, token = browser(served)
    answer = client.post("/login", data={"csrftoken": token, "name": MAINTAINER, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return client, token


def cluster_form(
    name: str, website: str = "https://hill.example.org/", by: str = "Jane Doe"
) -> dict[str, str]:
    return {
        "by": by,
        "kind": f"{CSEI}CSEI",
        "language": "en",
        "cluster.skos:prefLabel": name,
        "cluster.csei:country": FRANCE,
        "cluster.foaf:homepage": website,
        "member.0.skos:prefLabel": f"{name} Coop",
        "member.0.csei:actorKind": SOCIAL,
        "member.1.skos:prefLabel": f"{name} Town",
        "member.1.csei:actorKind": PUBLIC,
    }


def filed(served: Served, name: str) -> str:
    client, token = browser(served)
    answer = client.post("/contribute", data={"csrftoken": token, **cluster_form(name)})
    assert answer.status_code == 201, answer.text
    found = re.search(r"Its id is <code>(\w+)</code>", answer.text)
    assert found is not None
    return found.group(1)


# ----------------------------------------------------------------------------------------- the form


def test_the_form_is_made_from_the_shapes_with_labels_and_announced_errors(served: Served) -> None:
    client, _ = browser(served)
    page = client.get("/contribute").text
    assert '<label for="cluster.skos:prefLabel">name <span class="need">(required)</span></label>' in page
    assert 'id="cluster.skos:prefLabel-error" aria-live="polite"' in page
    assert f'<option value="{FRANCE}">' in page
    assert 'name="member.__N__.csei:actorKind"' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    # Nothing from another host: scripts and styles are the server's own.
    assert not re.search(r'(src|href)="(https?:)?//', page.split("<main>")[0])
    assert 'src="/editor/contribute.js"' in page


def test_the_field_checks_are_those_of_csei_validate(served: Served) -> None:
    client, token = browser(served)
    headers = {"x-csrftoken": token}
    wrong = client.post(
        "/contribute/check", data=cluster_form("Checked", "not a web address"), headers=headers
    )
    assert wrong.status_code == 200
    messages = wrong.json()["fields"]
    assert any(
        "foaf:homepage must be an http or https" in m["message"] for m in messages["cluster.foaf:homepage"]
    )
    right = client.post("/contribute/check", data=cluster_form("Checked"), headers=headers).json()
    assert right["conforms"] is True
    assert "cluster.foaf:homepage" not in right["fields"]


def test_a_contribution_is_filed_and_a_maintainer_accepts_it_onto_the_pages(served: Served) -> None:
    identifier = filed(served, "Accepted Valley")
    assert entry(served.workspace, identifier).state == PENDING
    page = served.server.client().get("/doc/cluster/accepted-valley.html")
    assert page.status_code == 404  # pending: not on the pages
    client, token = signed_in(served)
    queue = client.get("/review")
    assert identifier in queue.text
    shown = client.get(f"/review/{identifier}")
    assert "Accepted Valley Coop" in shown.text and "mark-add" in shown.text
    decided = client.post("/review", data={"csrftoken": token, "id": identifier, "action": "accept"})
    assert decided.status_code == 303
    assert entry(served.workspace, identifier).state == ACCEPTED
    page = served.server.client().get("/doc/cluster/accepted-valley.html")
    assert page.status_code == 200
    assert "Accepted Valley Coop" in page.text and "Accepted Valley Town" in page.text
    assert f"Facts of contribution {identifier}" in page.text
    # The query and render workers hold the graph with it too: /sparql and the dumps see it.
    ask = "ASK { ?s ?p ?o FILTER(STR(?o) = 'Accepted Valley Coop') }"
    answer = served.server.client().get(
        "/sparql", params={"query": ask}, headers={"accept": "application/json"}
    )
    assert answer.json()["boolean"] is True
    dump = served.server.client().get("/dumps/csei.nt", headers={"accept-encoding": "identity"})
    assert "Accepted Valley Coop" in dump.text


def test_a_rejection_needs_a_reason_and_keeps_it(served: Served) -> None:
    identifier = filed(served, "Rejected Valley")
    client, token = signed_in(served)
    empty = client.post(
        "/review", data={"csrftoken": token, "id": identifier, "action": "reject", "reason": " "}
    )
    assert empty.status_code == 409
    assert entry(served.workspace, identifier).state == PENDING
    client.post(
        "/review", data={"csrftoken": token, "id": identifier, "action": "reject", "reason": "A duplicate"}
    )
    assert "A duplicate" in client.get(f"/review/{identifier}").text


def test_a_csv_template_is_uploaded_for_review(served: Served) -> None:
    client, token = browser(served)
    files = {"file": ("my-cluster.csv", template().encode())}
    answer = client.post("/contribute/upload", data={"csrftoken": token, "by": "Uploader"}, files=files)
    assert answer.status_code in (200, 201), answer.text
    assert "Its id is" in answer.text


# ----------------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "path", ["/contribute", "/contribute/check", "/contribute/preview", "/login", "/review"]
)
def test_a_form_without_its_csrf_token_changes_nothing(served: Served, path: str) -> None:
    client, _ = signed_in(served)
    before = fingerprint(served.workspace.root)
    answer = client.post(path, data=cluster_form("No Token"))
    assert answer.status_code == 403
    assert "CSRF" in answer.text
    assert fingerprint(served.workspace.root) == before


@pytest.mark.parametrize("path", ["/contribute", "/review", "/contribute/upload"])
def test_a_forged_token_or_another_browsers_token_changes_nothing(served: Served, path: str) -> None:
    _, theirs = browser(served)
    client, token = signed_in(served)
    before = fingerprint(served.workspace.root)
    for forged in (theirs, token[:-3] + "abc", ""):
        upload = path.endswith("upload")
        fields = {"by": "Forger"} if upload else {**cluster_form("Forged"), "id": "x", "action": "accept"}
        data = {"csrftoken": forged, **fields}
        files = {"file": ("f.csv", template().encode())} if upload else None
        answer = client.post(path, data=data, files=files)
        assert answer.status_code == 403, (forged, answer.text)
    # A cross-site form comes without the cookies (SameSite): refused too.
    bare = served.server.client().post(path, data={"csrftoken": token, **cluster_form("Bare")})
    assert bare.status_code == 403
    assert fingerprint(served.workspace.root) == before


def test_without_a_session_nothing_is_decided(served: Served) -> None:
    identifier = filed(served, "Unsigned Valley")
    client, token = browser(served)
    before = fingerprint(served.workspace.root)
    for action in ("accept", "reject"):
        answer = client.post(
            "/review", data={"csrftoken": token, "id": identifier, "action": action, "reason": "x"}
        )
        assert answer.status_code == 401
    assert client.get("/review", headers={"accept": "text/html"}).headers["location"] == "/login?next=/review"
    assert client.get(f"/review/{identifier}").status_code == 401
    # A session cookie signed with another key is no session.
    client.cookies.set("csei_session", "eyJtYWludGFpbmVyIjogIkFkYSBBZG1pbiJ9.forged.signature")
    assert (
        client.post("/review", data={"csrftoken": token, "id": identifier, "action": "accept"}).status_code
        == 401
    )
    assert fingerprint(served.workspace.root) == before
    assert entry(served.workspace, identifier).state == PENDING


def test_sparql_stays_read_only_for_a_maintainer(served: Served) -> None:
    client, token = signed_in(served)
    update = client.post(
        "/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "csrftoken": token}
    )
    assert update.status_code in (400, 403)
    assert "read-only" in update.text


def test_a_wrong_password_does_not_sign_in(served: Served) -> None:
    client, token = browser(served)
    answer = client.post("/login", data={"csrftoken": token, "name": MAINTAINER, "password": PASSWORD + "x"})
    assert answer.status_code == 401
    assert client.get("/review").status_code == 401


def test_sign_in_attempts_are_limited(tmp_path: Path) -> None:
    limited = serve_workspace(tmp_path, CSEI_LOGIN_ATTEMPTS="3/minute")
    try:
        client, token = browser(limited)
        wrong = {"csrftoken": token, "name": MAINTAINER, "password": "not the password"}
        assert [client.post("/login", data=wrong).status_code for _ in range(3)] == [401, 401, 401]
        refused = client.post("/login", data={**wrong, "password": PASSWORD})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "60"
        assert client.get("/review").status_code == 401
    finally:
        stop_server(limited.server)


def test_an_oversized_upload_is_refused_unread(served: Served) -> None:
    client, token = browser(served)
    before = fingerprint(served.workspace.root)
    files = {"file": ("big.csv", b"record,name\n" + b"member,x\n" * (UPLOAD_LIMIT // 8))}
    answer = client.post("/contribute/upload", data={"csrftoken": token, "by": "Big"}, files=files)
    assert answer.status_code == 413
    assert "max_upload_bytes" in answer.text
    assert fingerprint(served.workspace.root) == before


HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>\"'&"


def test_html_in_every_field_is_shown_escaped(served: Served) -> None:
    client, token = browser(served)
    form = {key: f"{HOSTILE} {key}" for key in cluster_form("x")}
    form.update({"kind": f"{CSEI}CSEI", "language": "en", "cluster.csei:country": FRANCE})
    form["cluster.foaf:homepage"] = "https://hostile.example.org/"
    form["member.0.csei:actorKind"], form["member.1.csei:actorKind"] = SOCIAL, PUBLIC
    form["cluster.csei:place"] = HOSTILE
    shown = [client.post("/contribute/preview", data={"csrftoken": token, **form})]
    sent = client.post("/contribute", data={"csrftoken": token, **form})
    assert sent.status_code == 201, sent.text
    shown.append(sent)
    identifier = re.search(r"Its id is <code>(\w+)</code>", sent.text).group(1)  # type: ignore[union-attr]
    maintainer_client, maintainer_token = signed_in(served)
    shown += [maintainer_client.get("/review"), maintainer_client.get(f"/review/{identifier}")]
    accepted = maintainer_client.post(
        "/review", data={"csrftoken": maintainer_token, "id": identifier, "action": "accept"}
    )
    assert accepted.status_code == 303
    accepted_entry = next(e for e in entries(served.workspace) if e.id == identifier)
    assert accepted_entry.state == ACCEPTED
    page = served.server.client().get(f"/doc/cluster/{slugify(form['cluster.skos:prefLabel'])}.html")
    assert page.status_code == 200
    shown.append(page)
    for answer in shown:
        assert "<script>alert" not in answer.text, answer.url
        assert "<img src=x" not in answer.text, answer.url
        # The queue lists who sent it, whose name loses what looks like an e-mail address (<...>).
        if answer.url.path != "/review":
            assert "&lt;script&gt;alert(" in answer.text, answer.url


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(served: Served) -> None:
    client, _ = signed_in(served)
    assert client.get("/review").status_code == 200
    maintainers.add(served.workspace, MAINTAINER, PASSWORD + " again")
    try:
        assert client.get("/review").status_code == 401
    finally:
        maintainers.add(served.workspace, MAINTAINER, PASSWORD)


def test_every_page_of_the_path_loads_the_sites_stylesheet(served: Served) -> None:
    client, token = browser(served)
    pages = [
        client.get("/contribute"),
        client.post("/contribute/preview", data={"csrftoken": token, **cluster_form("Styled")}),
        client.post(
            "/contribute/upload",
            data={"csrftoken": token, "by": "Styled"},
            files={"file": ("styled.csv", template().encode())},
        ),
        client.get("/login"),
    ]
    for page in pages:
        found = re.search(r'<link rel="stylesheet" href="([^"]+)">', page.text)
        assert found is not None, page.url
        sheet = client.get(str(page.url.join(found.group(1))))
        assert sheet.status_code == 200, (page.url, found.group(1))
        assert "text/css" in sheet.headers["content-type"]


def test_a_form_sent_in_chunks_past_the_limit_is_refused_before_it_is_read_whole(served: Served) -> None:
    client, token = browser(served)

    def chunks() -> Iterator[bytes]:
        yield f"csrftoken={token}&name=".encode()
        for _ in range(300):
            yield b"x" * 1000

    answer = client.post(
        "/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 413
    assert "max_request_bytes" in answer.text


def test_the_endpoints_programs_post_to_need_no_token_even_from_a_browser_with_the_cookies(
    served: Served,
) -> None:
    client, _ = signed_in(served)
    query = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers={"accept": "application/json"})
    assert query.status_code == 200 and query.json()["boolean"] is True
    batch = client.post("/reconcile", data={"queries": '{"q0": {"query": "Coop"}}'})
    assert batch.status_code == 200 and "q0" in batch.json()


def test_the_preview_shows_the_statements_and_the_clusters_page_and_files_nothing(served: Served) -> None:
    client, token = browser(served)
    before = fingerprint(served.workspace.root)
    preview = client.post(
        "/contribute/preview", data={"csrftoken": token, **cluster_form("Previewed Valley")}
    )
    assert preview.status_code == 200
    statements = preview.text.split('<pre class="turtle">', 1)[1].split("</pre>", 1)[0]
    assert "skos:prefLabel &#34;Previewed Valley&#34;@en" in statements
    assert "org:Membership" in statements
    page = preview.text.split('<div class="preview-page">', 1)[1]
    assert "<h1>Previewed Valley</h1>" in page
    assert "Previewed Valley Coop in Previewed Valley" in page
    assert fingerprint(served.workspace.root) == before
