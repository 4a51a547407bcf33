"""The command that publishes the graph live: `csei serve`."""

import sys
from pathlib import Path

import click

from csei_graph.cli import main, user_errors
from csei_graph.cli.queries import remote_errors
from csei_graph.settings import Settings


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on."
)
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the graph in a persistent store in this folder (reopened at once next time).",
)
@click.option(
    "--endpoint", metavar="URL", help="Publish a remote SPARQL 1.1 store instead of the local graph."
)
@click.option("--timeout", type=click.IntRange(min=1), help="Seconds a SPARQL query may run (default 10).")
@click.option(
    "--max-rows", type=click.IntRange(min=1), help="Most rows a SPARQL query may give (default 10,000)."
)
@click.pass_obj
@user_errors
@remote_errors
def serve(
    settings: Settings,
    *,
    sources: tuple[Path, ...],
    host: str,
    port: int,
    store_dir: Path | None,
    endpoint: str | None,
    timeout: int | None,
    max_rows: int | None,
) -> None:
    """Serve the graph's pages, documents and SPARQL endpoint on http://HOST:PORT/."""
    from csei_graph import web

    if endpoint and (sources or store_dir):
        raise ValueError("--endpoint publishes a remote store: it cannot go with SOURCES or --store")
    settings = settings.with_values(store_dir=store_dir, sparql_timeout=timeout, sparql_max_rows=max_rows)
    web.serve(settings, host=host, port=port, sources=sources, endpoint=endpoint, output=sys.stderr)
