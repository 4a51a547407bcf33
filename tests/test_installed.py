"""The package as a user installs it (a wheel, not editable, its folder read-only): every command runs and
nothing is ever written into it; a team's workspace outlives a reinstall of the package."""

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.hostile.corpus import fingerprint
from tests.web.conftest import free_port

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
GOOD = Path(__file__).resolve().parent / "validation" / "good" / "green-valley.ttl"


@dataclass(frozen=True)
class Installed:
    """A virtual environment with the wheel installed, and its package folder."""

    venv: Path
    package: Path
    wheel: Path

    def csei(
        self, *arguments: str, cwd: Path, check_exit: int | None = 0
    ) -> subprocess.CompletedProcess[str]:
        """Run its `csei` command from a folder, with no workspace named by the environment."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CSEI_")}
        result = subprocess.run(
            [str(self.venv / "bin" / "csei"), *arguments],
            cwd=cwd,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr
        if check_exit is not None:
            assert result.returncode == check_exit, (
                f"csei {' '.join(arguments)}: {result.stdout}{result.stderr}"
            )
        return result

    def reinstall(self) -> None:
        """`pip install --force-reinstall` of the wheel, as a user upgrading would."""
        pip = [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(self.venv / "bin" / "python"),
            "install",
            "--quiet",
        ]
        subprocess.run([*pip, "--no-deps", "--no-index", "--force-reinstall", str(self.wheel)], check=True)


def package_hash(package: Path) -> str:
    """A hash of every file of the installed package (byte-compiled caches aside) and of their names."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes() if path.is_file() else b"/")
    return digest.hexdigest()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, built_wheel: Path) -> Iterator[Installed]:
    """The wheel in a new virtual environment whose dependencies come from this one, package read-only."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    # The dependencies of this environment, added after the new environment's own packages.
    (site / "dependencies.pth").write_text(
        "\n".join(sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})) + "\n",
        encoding="utf-8",
    )
    pip = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(venv / "bin" / "python"),
        "install",
        "--quiet",
        "--ignore-installed",
    ]
    subprocess.run([*pip, "--no-deps", "--no-index", str(built_wheel)], check=True)
    package = site / "csei_graph"
    subprocess.run(["chmod", "-R", "a-w", str(package)], check=True)
    try:
        yield Installed(venv, package, built_wheel)
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(venv)], check=True)


def test_the_installed_package_is_the_wheel_not_this_tree(installed: Installed, tmp_path: Path) -> None:
    found = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c", "import csei_graph; print(csei_graph.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert Path(found).parent == installed.package
    assert (installed.package / "resources" / "data" / "project-vocabularies.trig").is_file()


READ_ONLY = (
    ["info"],
    ["check"],
    ["validate"],
    ["validate", "green-valley.ttl"],
    ["query", "--list"],
    ["query", "clusters-in-country", "--param", "country=FRA", "--format", "csv"],
    ["export", "--format", "nquads", "--out", "graph.nq"],
    ["publish", "site", "--quiet", "--release-date", "2026-01-01"],
    ["template", "-o", "my-cluster.csv"],
    ["synth", "--clusters", "1", "--out", "synthetic.nq"],
)
WRITING = (
    ["contribute", "green-valley.ttl"],
    ["review"],
    ["accept", "0123456789ab"],
    ["reject", "0123456789ab", "--reason", "no"],
    ["release", "1.0"],
    ["diff", "1.0"],
)


def test_every_command_runs_outside_a_workspace_and_writes_nothing_into_the_package(
    installed: Installed, tmp_path: Path
) -> None:
    """Regression: `csei contribute` wrote the contribution into the installed package's data folder."""
    before = package_hash(installed.package)
    shutil.copy(GOOD, tmp_path / "green-valley.ttl")
    for arguments in READ_ONLY:
        installed.csei(*arguments, cwd=tmp_path)
    assert installed.csei("info", cwd=tmp_path).stdout.startswith("graph: the built-in release ")
    closed = free_port()
    for remote in (["push"], ["pull"], ["query", "graphs"]):
        endpoint = ["--endpoint", f"http://127.0.0.1:{closed}/query", "--timeout", "1"]
        installed.csei(*remote, *endpoint, cwd=tmp_path, check_exit=2)
    for arguments in WRITING:
        refused = installed.csei(*arguments, cwd=tmp_path, check_exit=2)
        assert "writes into a workspace, and none is in use" in refused.stderr
        assert "csei init ." in refused.stderr
    with served(installed, tmp_path) as url:
        assert (
            httpx.get(f"{url}/id/cluster/circularium", headers={"Accept": "text/turtle"}).status_code == 303
        )
    assert package_hash(installed.package) == before
    assert not list(installed.package.rglob("contribution-*"))


class served:
    """`csei serve` of the installed package, in a folder, on a free loopback port, until the block ends."""

    def __init__(self, installed: Installed, cwd: Path) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CSEI_")}
        command = [str(installed.venv / "bin" / "csei"), "serve", "--port", str(self.port)]
        self.log = (cwd / "serve.log").open("wb")
        self.process = subprocess.Popen(command, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def __enter__(self) -> str:
        url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "csei serve stopped"
            try:
                if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                    return url
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("csei serve did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def test_a_workspace_contributes_reviews_accepts_releases_and_outlives_a_reinstall(
    installed: Installed, tmp_path: Path
) -> None:
    before = package_hash(installed.package)
    installed.csei("init", "our-graph", cwd=tmp_path)
    workspace = tmp_path / "our-graph"
    installed.csei("template", "-o", "my-cluster.csv", cwd=workspace)
    sent = installed.csei("contribute", "my-cluster.csv", "--by", "Jane Doe", cwd=workspace)
    identifier = sent.stderr.split("filed as contribution ")[1].split(";")[0]
    assert identifier in installed.csei("review", cwd=workspace).stdout
    shown = installed.csei("review", identifier, cwd=workspace).stdout
    assert '"Green Valley Cooperation Cluster" cseid:cluster/green-valley-cooperation-cluster  (new)' in shown
    installed.csei("accept", identifier, "--by", "Max Maintainer", cwd=workspace)
    installed.csei("release", "2026.1", "--release-date", "2026-03-01", cwd=workspace)

    installed.reinstall()
    subprocess.run(["chmod", "-R", "a-w", str(installed.package)], check=True)
    assert package_hash(installed.package) == before, "nothing under site-packages changed"
    listing = installed.csei("review", "--all", cwd=workspace).stdout
    assert listing.startswith(f"{identifier}  accepted ")
    assert (workspace / "data" / f"contribution-{identifier}.trig").is_file()
    assert (
        installed.csei("info", cwd=workspace).stdout.splitlines()[1]
        == "release: release 2026.1 of our-graph (2026-03-01)"
    )
    with served(installed, workspace) as url:
        page = httpx.get(f"{url}/doc/cluster/green-valley-cooperation-cluster.html")
        assert page.status_code == 200 and "Green Valley Cooperation Cluster" in page.text
        assert "This page shows the release 2026.1 of our-graph" in page.text
        dump = httpx.get(f"{url}/releases/2026.1/csei.nq.gz")
        assert dump.status_code == 200
        assert dump.content == (workspace / "releases" / "2026.1" / "csei.nq.gz").read_bytes()
        catalogue = httpx.get(f"{url}/catalog", headers={"Accept": "application/n-triples"}).text
        assert (
            '<https://w3id.org/csei/dataset/release/2026.1> <http://www.w3.org/ns/dcat#version> "2026.1"'
            in catalogue
        )
    assert package_hash(installed.package) == before


def test_a_csv_naming_a_country_that_does_not_exist_is_refused_with_its_row(
    installed: Installed, tmp_path: Path
) -> None:
    """The row, and where the valid codes come from (the EU authority table of countries)."""
    installed.csei("init", "graph", cwd=tmp_path)
    workspace = tmp_path / "graph"
    (workspace / "xxx.csv").write_text("record,name,country\ncluster,Nowhere Cluster,XXX\n", encoding="utf-8")
    kept = fingerprint(workspace)
    refused = installed.csei("contribute", "xxx.csv", cwd=workspace, check_exit=1)
    assert "xxx.csv:2" in refused.stdout
    assert "publications.europa.eu/resource/authority/country" in refused.stdout
    assert fingerprint(workspace) == kept
