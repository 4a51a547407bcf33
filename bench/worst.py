"""The worst input the admission policy accepts, of each kind, and publishing and exporting it."""

import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from csei_graph import export
from csei_graph.api import open_graph
from csei_graph.settings import Settings
from csei_graph.site.build import publish
from csei_graph.stores.embedded import GraphStore

BASE = "https://w3id.org/csei/id/"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
MEMBER = "http://www.w3.org/ns/org#hasMember"
NOTE = "http://www.w3.org/2004/02/skos/core#note"
RUNS = 3


def write_worst(folder: Path, settings: Settings) -> dict[str, str]:
    """A file of each kind of input at its limit (the settings'), in `folder`; what each holds."""
    depth, items = settings.max_blank_node_depth, settings.max_list_items
    busy, alike = settings.max_statements_per_resource - 10, settings.max_alike_blank_nodes
    iri = f"{BASE}organisation/" + "i" * (settings.max_iri_chars - len(BASE) - len("organisation/"))
    files = {
        "literal.ttl": f'<{BASE}cluster/long> <{COMMENT}> "{"x" * settings.max_literal_chars}" .\n',
        "iri.ttl": f'<{iri}> <{LABEL}> "Long IRI"@en .\n<{BASE}cluster/long> <{MEMBER}> <{iri}> .\n',
        "chain.ttl": f"<{BASE}cluster/chain> <urn:x:p> {'[ <urn:x:p> ' * depth}<urn:x:o>{' ]' * depth} .\n",
        "list.ttl": f"<{BASE}cluster/listed> <urn:x:items> ({' '.join(map(str, range(items)))}) .\n",
        "busy.nt": "".join(f'<{BASE}cluster/busy> <{NOTE}> "note {n}" .\n' for n in range(busy)),
        "alike.ttl": f"<{BASE}cluster/alike> <urn:x:cells> {', '.join(['[ <urn:x:q> 1 ]'] * alike)} .\n",
    }
    _write(folder, files)
    return {
        "literal.ttl": f"a literal of {settings.max_literal_chars:,} characters",
        "iri.ttl": f"an IRI of {settings.max_iri_chars:,} characters",
        "chain.ttl": f"blank nodes nested {depth} deep",
        "list.ttl": f"a list of {items:,} items",
        "busy.nt": f"a resource with {busy:,} statements",
        "alike.ttl": f"{alike} blank nodes alike",
    }


def write_clean(folder: Path, settings: Settings) -> None:
    """The same number of statements, blank nodes and characters in literals as `write_worst`, in
    ordinary shapes: short literals and IRIs, shallow blank nodes each unlike the others, no lists, at
    most ten values a resource."""
    depth, items = settings.max_blank_node_depth, settings.max_list_items
    busy, alike = settings.max_statements_per_resource - 10, settings.max_alike_blank_nodes
    pieces = settings.max_literal_chars // 100
    files = {
        "literal.ttl": "".join(
            f'<{BASE}cluster/text-{n // 10}> <{COMMENT}> "{n:0100d}" .\n' for n in range(pieces)
        ),
        "iri.ttl": f'<{BASE}organisation/short> <{LABEL}> "Short IRI"@en .\n'
        f"<{BASE}cluster/short> <{MEMBER}> <{BASE}organisation/short> .\n",
        "chain.ttl": "".join(
            f"<{BASE}cluster/flat-{n}> <urn:x:p> [ <urn:x:p> <urn:x:o{n}> ] .\n" for n in range(depth)
        ),
        "list.ttl": "".join(
            f"<{BASE}cluster/values-{n // 10}> <urn:x:items> [ <urn:x:a> {n} ; <urn:x:b> <urn:x:o> ] .\n"
            for n in range(items)
        ),
        "busy.nt": "".join(f'<{BASE}cluster/quiet-{n // 10}> <{NOTE}> "note {n}" .\n' for n in range(busy)),
        "alike.ttl": "".join(
            f"<{BASE}cluster/cells-{n}> <urn:x:cells> [ <urn:x:q> {n} ] .\n" for n in range(alike)
        ),
    }
    _write(folder, files)


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def compare(folder: Path, clean: Path, worst: Path, settings: Settings) -> list[tuple[str, float, float]]:
    """Seconds of `csei publish` and of each export, on the built-in graph with the clean files and with
    the worst ones (median of `RUNS`, the two graphs taking turns): (what, clean, worst)."""
    clean_store = open_graph([clean], settings=settings)
    worst_store = open_graph([worst], settings=settings)
    jobs: list[tuple[str, Callable[[GraphStore, Path], object]]] = [
        ("csei publish", lambda store, out: publish(store, out, settings)),
        *((f"csei export --format {name}", _exporter(name, settings)) for name in sorted(export.FORMATS)),
    ]
    rows = []
    for label, job in jobs:
        times: dict[str, list[float]] = {"clean": [], "worst": []}
        for run in range(RUNS):
            folder.mkdir(parents=True, exist_ok=True)
            for name, store in (("clean", clean_store), ("worst", worst_store)):
                out = folder / f"{name}-{run}"
                began = time.perf_counter()
                job(store, out)
                times[name].append(time.perf_counter() - began)
                if out.is_dir():
                    shutil.rmtree(out)
                else:
                    out.unlink(missing_ok=True)
        rows.append((label, statistics.median(times["clean"]), statistics.median(times["worst"])))
    return rows


def _exporter(name: str, settings: Settings) -> Callable[[GraphStore, Path], object]:
    return lambda store, out: export.export_to_file(store, name, out, settings=settings)
