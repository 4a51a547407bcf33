"""The network view at 1M triples in headless Chromium: time to first paint, to drawn, to interactive."""

import functools
import http.server
import json
import shutil
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from bench.common import (
    DEFECTS_PER_CLUSTER,
    SEED,
    SIZES,
    TRIPLES_PER_CLUSTER,
    Check,
    Context,
    Section,
    Table,
    count,
    quick,
    seconds,
)
from csei_graph.api import open_graph
from csei_graph.pages import render
from csei_graph.pages.network import network_view
from csei_graph.settings import Settings
from csei_graph.site.outputs import page
from csei_graph.site.writer import SiteWriter
from csei_graph.synth import write_synthetic
from tests.chromium import CHROMIUM, FLAGS

TITLE = "The network view in the browser"
INTRO = """Always at 1M triples, whatever `--sizes` says: the synthetic graph of 2,500 clusters (`csei
synth --clusters 2500 --seed 42`, the 1M graph of the other sections, written here when the run does not
measure 1M). In a fresh process, the graph is loaded with the built-in one (not timed) and the network
page is built as `csei publish` writes it (timed); the page and the package's static files are then
served by a plain HTTP server on 127.0.0.1 and opened in headless Chromium (`/usr/bin/chromium`, the
flags of the browser tests), a new browser context per run. Times are from the start of navigation:
*first paint* and *first contentful paint* are the browser's paint timings; *drawn* is when the page's
script has laid out the graph and the next frame is shown; *interactive* is when a change of the country
filter, made as soon as the graph is drawn (the country with most clusters), has been answered by a
redraw shown on screen; *filter redraw* is that answer's own time."""
LABEL = "1M"
FIRST_PAINT_TARGET_SECONDS = 1.0
INTERACTIVE_TARGET_SECONDS = 5.0
RUNS = 5
QUICK_RUNS = 2
# Seconds the page may take to be drawn and answer the filter before the run fails.
PAGE_TIMEOUT_SECONDS = 120
# Runs in the page before its own scripts: notes when the page's script marks the graph drawn
# (data-edges on #network-status), waits for that frame to be shown, changes the country filter as a
# person would, and notes when the redraw is shown (two animation frames: the next frame is painted).
PROBE = """(() => {
  const bench = window.__csei_bench = {};
  const shown = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const observer = new MutationObserver(() => {
    const status = document.getElementById("network-status");
    if (!status || status.dataset.edges === undefined || bench.drawnAt !== undefined) { return; }
    observer.disconnect();
    bench.drawnAt = performance.now();
    bench.nodes = Number(status.dataset.nodes);
    bench.edges = Number(status.dataset.edges);
    shown().then(() => {
      bench.shownAt = performance.now();
      const select = document.getElementById("network-country");
      bench.askedAt = performance.now();
      select.value = COUNTRY;
      select.dispatchEvent(new Event("change"));
      return shown();
    }).then(() => {
      bench.answeredAt = performance.now();
      bench.filteredNodes = Number(status.dataset.nodes);
      bench.filteredEdges = Number(status.dataset.edges);
    });
  });
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ["data-edges"] });
})();"""


def build_page(path: str, outdir: str) -> dict[str, Any]:
    """Load the graph, then write the network page as `csei publish` does (only the page is timed)."""
    settings = Settings.from_env().with_values(release_date="2025-01-01")
    store = open_graph([Path(path)], settings=settings)
    started = time.perf_counter()
    view = network_view(store, settings)
    writer = SiteWriter(Path(outdir))
    page(writer, view)
    spent = time.perf_counter() - started
    shutil.copytree(render.STATIC_DIR, Path(outdir) / "static")
    data = json.loads(view.data_json)
    countries = Counter(code for node in data["nodes"] for code in node["c"])
    return {
        "seconds": spent,
        "nodes": view.nodes,
        "edges": view.edges,
        "bytes": (Path(outdir) / view.path).stat().st_size,
        "country": min(countries, key=lambda code: (-countries[code], code)),
    }


def _graph(context: Context) -> tuple[Path, int, int]:
    """The 1M graph of the run if it has one, else written here the same way: path, clusters, triples."""
    for dataset in context.datasets:
        if dataset.label == LABEL:
            return dataset.nquads, dataset.clusters, dataset.triples
    clusters = round(SIZES[LABEL] / TRIPLES_PER_CLUSTER)
    path = context.scratch("network-graph") / f"synthetic-{LABEL}.nq"
    made = write_synthetic(path, clusters, SEED, defects=round(clusters * DEFECTS_PER_CLUSTER))
    return path, clusters, made.triples


@contextmanager
def _served(folder: Path) -> Iterator[str]:
    """A plain HTTP server of a folder on 127.0.0.1, on a free port, for the time of the block."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def measure(url: str, country: str, runs: int) -> list[dict[str, float]]:
    """Each run's figures in seconds from the start of navigation, in a new browser context."""
    probe = PROBE.replace("COUNTRY", json.dumps(country))
    measured = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1280, "height": 1000})
                try:
                    opened = context.new_page()
                    opened.add_init_script(probe)
                    opened.goto(url)
                    opened.wait_for_function(
                        "() => window.__csei_bench && window.__csei_bench.answeredAt !== undefined",
                        timeout=PAGE_TIMEOUT_SECONDS * 1000,
                    )
                    figures = opened.evaluate(
                        """() => {
                          const paint = (name) => performance.getEntriesByName(name)[0]?.startTime;
                          return { ...window.__csei_bench, firstPaint: paint("first-paint"),
                                   contentful: paint("first-contentful-paint") };
                        }"""
                    )
                finally:
                    context.close()
                measured.append(figures)
        finally:
            browser.close()
    return [_in_seconds(figures) for figures in measured]


def _in_seconds(figures: dict[str, float]) -> dict[str, float]:
    if figures["filteredEdges"] >= figures["edges"] and figures["edges"] > 0:
        raise RuntimeError(f"the country filter changed nothing: {figures}")
    return {
        "first paint": figures["firstPaint"] / 1000,
        "first contentful paint": figures["contentful"] / 1000,
        "drawn": figures["shownAt"] / 1000,
        "interactive": figures["answeredAt"] / 1000,
        "filter redraw": (figures["answeredAt"] - figures["askedAt"]) / 1000,
        "nodes": figures["nodes"],
        "edges": figures["edges"],
        "filtered nodes": figures["filteredNodes"],
        "filtered edges": figures["filteredEdges"],
    }


def run(context: Context) -> Section:
    path, clusters, triples = _graph(context)
    site = context.scratch("network-site")
    built = context.in_subprocess("bench.bench_network:build_page", str(path), str(site), runs=1).result
    runs = QUICK_RUNS if quick() else max(context.runs, RUNS)
    with _served(site) as root:
        measured = measure(f"{root}/network.html", built["country"], runs)
    section = Section(TITLE, INTRO)
    section.tables.append(
        Table(
            "The network page",
            ["clusters", "triples", "nodes", "edges", "page MB", "built in"],
            [
                [
                    count(clusters),
                    count(triples),
                    count(built["nodes"]),
                    count(built["edges"]),
                    f"{built['bytes'] / 1e6:.1f}",
                    seconds(built["seconds"]),
                ]
            ],
            ["*built in*: reading the clusters and their shared members, and rendering the page; one run."],
        )
    )
    first, last = measured[0], measured[-1]
    figures = ["first paint", "first contentful paint", "drawn", "interactive", "filter redraw"]
    rows = [
        [
            name,
            str(len(measured)),
            seconds(statistics.median(m[name] for m in measured)),
            f"{seconds(min(m[name] for m in measured))}–{seconds(max(m[name] for m in measured))}",
        ]
        for name in figures
    ]
    section.tables.append(
        Table(
            "Opening the network view in Chromium",
            ["figure", "runs", "median", "fastest–slowest"],
            rows,
            [
                f"Drawn at first: {count(int(first['nodes']))} clusters and {count(int(first['edges']))} "
                f"links (the page opens with the ties of most shared members, about 3,000 at most); "
                f"after the country filter ({built['country']}, the country of most clusters; the "
                f"threshold of shared members kept): {count(int(last['filtered nodes']))} "
                f"clusters and {count(int(last['filtered edges']))} links."
            ],
        )
    )
    painted = statistics.median(m["first paint"] for m in measured)
    interactive = statistics.median(m["interactive"] for m in measured)
    section.checks.append(
        Check(
            f"1M: the network view of {count(clusters)} clusters: first paint under "
            f"{FIRST_PAINT_TARGET_SECONDS:g} s and interactive under {INTERACTIVE_TARGET_SECONDS:g} s",
            f"first paint {seconds(painted)}, interactive {seconds(interactive)}",
            painted < FIRST_PAINT_TARGET_SECONDS and interactive < INTERACTIVE_TARGET_SECONDS,
        )
    )
    return section
