"""The generated nginx rules, in a real nginx serving a published site: 303 to the document asked for,
the gzip copy of a page sent encoded to clients that take gzip, dumps under their plain names."""

import gzip
import http.client
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from csei_graph.pages.headers import SECURITY_HEADERS
from csei_graph.site.build import PublishReport
from tests.web.conftest import free_port

pytestmark = pytest.mark.e2e
PAGE = "/site/doc/cluster/markup-cluster.html"


def _conf(site: Path, folder: Path, port: int) -> str:
    """nginx.conf around the fragment a publish wrote: its map in the http block, the rest in a server."""
    fragment = (site / "nginx.conf").read_text(encoding="utf-8")
    map_end = fragment.index("}\n", fragment.index("map $http_accept")) + 2
    temporary = "".join(
        f"{name}_temp_path {folder / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"user root;\ndaemon off;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        "events {}\nhttp {\naccess_log off;\n" + temporary + fragment[:map_end] + "server {\n"
        f"listen 127.0.0.1:{port};\nroot {site.parent};\n" + fragment[map_end:] + "}\n}\n"
    )


@pytest.fixture(scope="module")
def nginx(published: PublishReport, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    (folder / "nginx.conf").write_text(_conf(published.outdir, folder, port), encoding="utf-8")
    process = subprocess.Popen([binary, "-c", str(folder / "nginx.conf")], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"nginx did not start: {process.stderr.read().decode() if process.stderr else ''}"
                )
            try:
                _get(port, "/site/index.html")
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        answer = connection.getresponse()
        headers: dict[str, str] = {}
        for name, value in answer.getheaders():
            headers[name.lower()] = ", ".join(filter(None, (headers.get(name.lower()), value)))
        return answer.status, headers, answer.read()
    finally:
        connection.close()


def test_a_page_goes_gzipped_to_a_client_that_takes_gzip(nginx: int, published: PublishReport) -> None:
    on_disk = (published.outdir / PAGE.removeprefix("/site/")).read_bytes()
    status, headers, body = _get(nginx, PAGE, Accept_Encoding="gzip")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["content-type"].startswith("text/html") and "Accept-Encoding" in headers["vary"]
    assert gzip.decompress(body) == on_disk
    status, headers, body = _get(nginx, PAGE)
    assert status == 200 and "content-encoding" not in headers and body == on_disk


def test_a_resource_iri_sends_to_the_document_asked_for(nginx: int) -> None:
    status, headers, _ = _get(nginx, "/site/id/cluster/markup-cluster", Accept="text/turtle")
    assert status == 303 and headers["location"].endswith("/site/doc/cluster/markup-cluster.ttl")
    status, headers, body = _get(nginx, "/site/doc/cluster/markup-cluster", Accept="text/turtle")
    assert status == 200 and headers["content-type"].startswith("text/turtle") and b"markup-cluster" in body


def test_a_dump_by_its_plain_name_is_its_gzip_file_encoded(nginx: int, published: PublishReport) -> None:
    zipped = (published.outdir / "dumps" / "csei.ttl.gz").read_bytes()
    status, headers, body = _get(nginx, "/site/dumps/csei.ttl", Accept_Encoding="gzip")
    assert status == 200 and headers["content-encoding"] == "gzip" and body == zipped
    assert headers["content-type"].startswith("text/turtle")
    status, headers, body = _get(nginx, "/site/dumps/csei.ttl")
    assert status == 200 and "content-encoding" not in headers and body == gzip.decompress(zipped)
    status, headers, body = _get(nginx, "/site/dumps/csei.ttl.gz", Accept_Encoding="gzip")
    assert headers["content-type"] == "application/gzip" and "content-encoding" not in headers
    assert body == zipped


@pytest.mark.parametrize(
    "path",
    [
        "/site/index.html",
        "/site/id/cluster/markup-cluster",
        "/site/doc/cluster/markup-cluster",
        "/site/dumps/csei.ttl",
        "/site/no-such-page",
    ],
)
def test_every_answer_carries_the_security_headers_of_csei_serve(nginx: int, path: str) -> None:
    _, headers, _ = _get(nginx, path)
    for name, value in SECURITY_HEADERS:
        assert headers[name.lower()] == value, (path, name)
    assert "unsafe-inline" not in headers["content-security-policy"]
