"""What importing the package and starting the command line load: never the server or the SHACL engines."""

import subprocess
import sys

import pytest

# The web stack and the SHACL engines: what only `csei serve` and validation need.
HEAVY = ("uvicorn", "starlette", "uvloop", "pyshacl", "shacl", "jinja2")
# Neither does `import csei_graph` nor `csei --help` read any RDF.
RDF_LIBRARIES = ("rdflib", "pyoxigraph", "httpx")


def _imported(code: str) -> set[str]:
    """Every module a fresh interpreter imports to run `code`, read from `-X importtime`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    )
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def _command(*arguments: str) -> str:
    """Code running `csei ARGUMENTS` in this interpreter (a --help ends it by SystemExit)."""
    return (
        f"from csei_graph.cli import main\ntry:\n    main({list(arguments)!r})\nexcept SystemExit:\n    pass"
    )


def _tops(modules: set[str]) -> set[str]:
    return {module.split(".")[0] for module in modules}


def test_the_import_time_report_is_read() -> None:
    # A report read wrongly would make the tests below pass on nothing.
    assert {"csei_graph", "csei_graph.cli", "click"} <= _imported("import csei_graph.cli")


@pytest.mark.parametrize(
    "code", ["import csei_graph", _command("--help")], ids=["import csei_graph", "csei --help"]
)
def test_loads_no_server_no_engine_no_rdf(code: str) -> None:
    assert not _tops(_imported(code)) & {*HEAVY, *RDF_LIBRARIES}


@pytest.mark.parametrize("arguments", [("query", "--help"), ("query", "--list")], ids=" ".join)
def test_a_query_command_does_not_load_the_server(arguments: tuple[str, ...]) -> None:
    loaded = _tops(_imported(_command(*arguments)))
    assert "csei_graph" in loaded
    assert not loaded & {"uvicorn", "starlette", "uvloop", "pyshacl", "shacl"}


def test_a_public_name_is_imported_when_asked_for() -> None:
    # Imported by importlib, which -X importtime does not report: the interpreter's own list tells.
    code = "import csei_graph, sys; csei_graph.run_query; print(' '.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "csei_graph.queries" in loaded
    assert not _tops(loaded) & {"uvicorn", "starlette", "pyshacl"}


def test_an_unknown_name_is_an_attribute_error() -> None:
    import csei_graph  # noqa: PLC0415

    with pytest.raises(AttributeError, match="no_such_name"):
        csei_graph.no_such_name  # noqa: B018


STATE = """
import logging, warnings
import rdflib.plugins.sparql

def state():
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    return (
        [repr(f) for f in warnings.filters],
        {logger.name: (logger.level, [type(f).__name__ for f in logger.filters]) for logger in loggers},
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS,
    )
"""


def test_importing_every_module_changes_no_global_state() -> None:
    # The libraries are imported first: what they do when imported is theirs, not the project's.
    code = (
        STATE
        + """
import pkgutil, importlib, importlib.util
import pyshacl, shacl, starlette.applications, uvicorn, jinja2, httpx, SPARQLWrapper, rapidfuzz, tqdm
before = state()
found = importlib.util.find_spec("csei_graph").submodule_search_locations
names = [m.name for m in pkgutil.walk_packages(found, "csei_graph.")]
names = [n for n in names if n not in ("csei_graph.__main__",)]
for name in names:
    importlib.import_module(name)
after = state()
assert len(names) > 50, names
for was, now in zip(before, after):
    assert was == now or (isinstance(was, dict) and {k: v for k, v in now.items() if k in was} == was
        and all(v == (0, []) for k, v in now.items() if k not in was)), (was, now)
"""
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_query_by_rdflib_leaves_its_switch_as_it_was() -> None:
    import rdflib.plugins.sparql  # noqa: PLC0415

    from csei_graph.stores.embedded import GraphStore  # noqa: PLC0415
    from csei_graph.stores.rdflib_engine import RdflibStore  # noqa: PLC0415

    store = RdflibStore.from_store(GraphStore.from_sources([]))
    before = rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS
    list(store.query("SELECT * FROM <http://example.org/never-fetched> WHERE { ?s ?p ?o }"))
    assert before == rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS
