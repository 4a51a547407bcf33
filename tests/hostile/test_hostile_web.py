"""The corpus against `csei serve` in a workspace: forged and token-less forms, requests without a session,
oversized and strange uploads, HTML in every field; refused with the documented status, shown escaped,
and the workspace left byte-identical unless the case files a contribution."""

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from markupsafe import escape

from tests.hostile.corpus import assert_says, cases_of, expand, fingerprint
from tests.web.conftest import MAINTAINER, PASSWORD, Served, serve_workspace, stop_server

pytestmark = pytest.mark.e2e
TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`csei serve` in a workspace with one maintainer, uploads limited to 100,000 bytes."""
    running = serve_workspace(tmp_path_factory.mktemp("hostile-web"), CSEI_LOGIN_ATTEMPTS="1000/minute")
    try:
        yield running
    finally:
        stop_server(running.server)


def _token(client: httpx.Client) -> str:
    found = TOKEN.search(client.get("/contribute").text)
    assert found is not None
    return found.group(1)


def _client(served: Served, case: dict[str, Any]) -> tuple[httpx.Client, str | None]:
    """A browser as the case wants it, and the token its form sends."""
    client = served.server.client()
    token = _token(client)
    if case.get("session"):
        signed = client.post("/login", data={"csrftoken": token, "name": MAINTAINER, "password": PASSWORD})
        assert signed.status_code == 303
    kind = case["token"]
    sent = {
        "valid": token,
        "missing": None,
        "forged": token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
        "other": _token(served.server.client()),
    }[kind]
    return client, sent


@pytest.mark.parametrize("case", cases_of("web"))
def test_a_hostile_web_request(web_server: Served, case: dict[str, Any]) -> None:
    client, token = _client(web_server, case)
    before = fingerprint(web_server.workspace.root)
    csrf = {"csrftoken": token} if token is not None else {}
    if "upload" in case:
        upload = case["upload"]
        content = expand(upload["content"]).encode("utf-8")
        answer = client.post(
            case["path"],
            data={**csrf, **upload.get("fields", {})},
            files={"file": (upload["file"], content)},
        )
    else:
        form = {name: expand(value) for name, value in case.get("form", {}).items()}
        answer = client.request(case["method"], case["path"], data={**csrf, **form})
    assert answer.status_code == case["status"], f"{case['id']}: {answer.status_code} {answer.text[:800]}"
    assert_says(case, answer.text)
    for text in case.get("escaped", []):
        assert str(escape(text)) in answer.text, f"{case['id']}: {text!r} not shown escaped"
        assert text not in answer.text, f"{case['id']}: {text!r} shown raw"
    if not case.get("changes"):
        assert fingerprint(web_server.workspace.root) == before, f"{case['id']}: the workspace changed"
    else:
        assert fingerprint(web_server.workspace.root) != before
