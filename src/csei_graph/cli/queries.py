"""Commands that query the graph and move it to and from remote stores: `csei query`, `push`, `pull`."""

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from csei_graph.cli import EXIT_USAGE, LazyChoice, main, user_errors
from csei_graph.settings import Settings

if TYPE_CHECKING:
    from csei_graph.stores.base import Store
    from csei_graph.stores.protocol_client import Endpoint

F = TypeVar("F", bound=Callable[..., Any])
ENGINES = ("embedded", "rdflib")
PULL_FORMATS = ("trig", "nquads")


def remote_errors(command: F) -> F:
    """Turn a remote store that is down or refuses a request into a clear message and exit 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except _refused() as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


def _refused() -> type[Exception]:
    # Evaluated only when a command raises: starting the command line does not load the HTTP client.
    from csei_graph.stores.protocol_client import RemoteError

    return RemoteError


def endpoint_options(*, graph_store: bool) -> Callable[[F], F]:
    """The options that name a remote store (and its Graph Store Protocol URL) and how to log in."""

    def decorate(command: F) -> F:
        options = [
            click.option(
                "--endpoint",
                required=graph_store,
                metavar="URL",
                help="SPARQL 1.1 query endpoint of a remote store (Oxigraph: http://HOST:PORT/query).",
            ),
            *(
                [
                    click.option(
                        "--store-url",
                        metavar="URL",
                        help="Its Graph Store Protocol URL, when it is not the usual one for that server.",
                    )
                ]
                if graph_store
                else []
            ),
            click.option(
                "--user", help="User name to log in with; the password is read from CSEI_ENDPOINT_PASSWORD."
            ),
            click.option(
                "--auth",
                type=LazyChoice("csei_graph.stores.protocol_client", "AUTH_SCHEMES"),
                default="basic",
                show_default=True,
            ),
            click.option("--timeout", type=click.IntRange(min=1), help="Seconds to wait for each answer."),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def make_endpoint(
    settings: Settings, url: str, *, store_url: str | None, user: str | None, auth: str, timeout: int | None
) -> "Endpoint":
    """The remote store the options name, with the settings filling what they leave out."""
    from csei_graph.stores.protocol_client import Endpoint

    return Endpoint(
        query_url=url,
        store_url=store_url or "",
        user=user or settings.endpoint_user,
        password=settings.endpoint_password if (user or settings.endpoint_user) else None,
        auth=auth,
        timeout=timeout or settings.endpoint_timeout,
        retries=settings.endpoint_retries,
    )


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """NAME=VALUE pairs as a dictionary; ValueError for a pair with no = or a name given twice."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise ValueError(f"--param {pair!r}: write it as NAME=VALUE")
        if name in values:
            raise ValueError(f"--param {name} is given twice")
        values[name] = value
    return values


@main.command("query")
@click.argument("query", required=False, metavar="NAME|FILE.rq")
@click.option(
    "--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value; repeat for more."
)
@click.option(
    "--format",
    "output_format",
    type=LazyChoice("csei_graph.queries", "RESULT_FORMATS", "GRAPH_FORMATS"),
    help="table (default), csv, tsv, json or xml; for a graph turtle (default), jsonld or ntriples.",
)
@click.option("--list", "list_all", is_flag=True, help="List the stored queries with their parameters.")
@click.option(
    "--explain", is_flag=True, help="Print the query's documentation and text instead of running it."
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="embedded",
    show_default=True,
    help="Engine for the local graph.",
)
@endpoint_options(graph_store=False)
@click.pass_obj
@user_errors
@remote_errors
def query_command(
    settings: Settings,
    *,
    query: str | None,
    params: tuple[str, ...],
    output_format: str | None,
    list_all: bool,
    explain: bool,
    engine: str,
    endpoint: str | None,
    user: str | None,
    auth: str,
    timeout: int | None,
) -> None:
    """Run a stored query (by NAME) or a query file on the graph or on a remote SPARQL endpoint."""
    from csei_graph import api, queries
    from csei_graph.stores.rdflib_engine import RdflibStore
    from csei_graph.stores.remote import RemoteStore

    if list_all:
        click.echo(queries.catalogue_text(queries.list_queries()), nl=False)
        return
    if query is None:
        raise ValueError("name a stored query or a .rq file, or use --list to see the stored queries")
    if explain:
        click.echo(queries.explain_query(query), nl=False)
        return
    if endpoint and engine != "embedded":
        raise ValueError("--engine chooses how the local graph is queried; it cannot go with --endpoint")
    stored = queries.load_query(query, max_nesting=settings.sparql_max_nesting)
    store: Store
    if endpoint:
        remote = RemoteStore(
            make_endpoint(settings, endpoint, store_url=None, user=user, auth=auth, timeout=timeout),
            settings,
        )
        remote.check()  # the graphs pushed there, whole, and a store that answers for them alone
        store = remote
    else:
        store = api.open_graph(settings=settings)
        if engine == "rdflib":
            store = RdflibStore.from_store(store)
    result = queries.run_query(stored, parse_params(params), store=store)
    click.echo(queries.format_result(result, output_format, safe_csv=settings.safe_csv), nl=False)


@main.command()
@endpoint_options(graph_store=True)
@click.option(
    "--graph", "graphs", multiple=True, metavar="IRI", help="Push only this named graph; repeat for more."
)
@click.option(
    "--default-graph",
    metavar="IRI",
    help="Remote named graph that receives the default graph (a store's own default graph is not used); "
    "default: graph/default under the base IRI.",
)
@click.pass_obj
@user_errors
@remote_errors
def push(
    settings: Settings,
    *,
    endpoint: str,
    store_url: str | None,
    user: str | None,
    auth: str,
    timeout: int | None,
    graphs: tuple[str, ...],
    default_graph: str | None,
) -> None:
    """Upload the graph to a remote store by the SPARQL 1.1 Graph Store Protocol, graph by graph."""
    from csei_graph import api, transfer
    from csei_graph.stores.remote import DEFAULT_GRAPH_HOLDER

    default_graph = default_graph or DEFAULT_GRAPH_HOLDER
    remote = make_endpoint(settings, endpoint, store_url=store_url, user=user, auth=auth, timeout=timeout)
    from csei_graph.progress import ShownSteps

    shown = ShownSteps()
    try:
        store = api.open_graph(settings=settings)
        moved = transfer.push(store, remote, graphs=graphs, default_graph=default_graph, progress=shown)
    finally:
        shown.close()
    for graph, count in moved.triples.items():
        click.echo(f"  {count:>8}  {graph or f'(default graph, into {default_graph})'}")
    click.echo(f"pushed {moved.total} triples in {len(moved.triples)} graph(s) to {remote.graph_store_url}")


@main.command()
@endpoint_options(graph_store=True)
@click.option(
    "--graph", "graphs", multiple=True, metavar="IRI", help="Pull only this named graph; repeat for more."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (whole or not at all); standard output when not given.",
)
@click.option("--format", "output_format", type=click.Choice(PULL_FORMATS), default="trig", show_default=True)
@click.pass_obj
@user_errors
@remote_errors
def pull(
    settings: Settings,
    *,
    endpoint: str,
    store_url: str | None,
    user: str | None,
    auth: str,
    timeout: int | None,
    graphs: tuple[str, ...],
    output: Path | None,
    output_format: str,
) -> None:
    """Download the graphs `csei push` wrote to a remote store, as TriG or N-Quads."""
    from csei_graph import export, transfer
    from csei_graph.files import atomic_writer

    remote = make_endpoint(settings, endpoint, store_url=store_url, user=user, auth=auth, timeout=timeout)
    dataset, moved = transfer.pull(remote, graphs=graphs, settings=settings)
    content = export.to_bytes(dataset, export.export_format(output_format), settings)
    if output is None:
        click.echo(content.decode("utf-8"), nl=False)
        return
    with atomic_writer(output) as stream:
        stream.write(content)
    click.echo(f"pulled {moved.total} triples in {len(moved.triples)} graph(s) into {output}", err=True)
