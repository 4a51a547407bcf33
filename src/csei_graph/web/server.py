"""Starts `csei serve`: loads the graph (showing progress), starts the workers, runs uvicorn."""

import contextlib
import functools
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import uvicorn

from csei_graph import api, releases
from csei_graph.settings import Settings
from csei_graph.sources import Source, builtin_sources, discover
from csei_graph.stores import disk
from csei_graph.stores.embedded import GraphStore
from csei_graph.stores.protocol_client import Endpoint
from csei_graph.stores.remote import RemoteStore
from csei_graph.web.app import create_app
from csei_graph.web.middleware import ACCESS_LOGGER, MAX_HEADER_BYTES
from csei_graph.web.protocol import with_header_timeout
from csei_graph.web.service import PageCache, Service
from csei_graph.web.workers import ProcessRunner, ThreadRunner

SPINNER = "|/-\\"
# After how many seconds a job's worker yields the cores to the others (see ProcessRunner): a page that
# takes more than a tenth of a second to make, or a query more than a second, gives way to short ones.
PAGE_YIELDS_AFTER = 0.1
QUERY_YIELDS_AFTER = 1.0
# Dumps (and the search index) are made one at a time, at a lower priority than the pages.
DUMP_NICENESS = 10


class ServeError(ValueError):
    """The server cannot start: what is wrong and how to fix it."""


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    sources: Sequence[Path] = (),
    endpoint: str | None = None,
    output: TextIO = sys.stderr,
) -> None:
    """Publish the graph (or a remote store's) on http://host:port/ until interrupted."""
    _check_port_free(host, port)
    service = open_service(settings, sources=sources, endpoint=endpoint, output=output)
    try:
        # Bound only now: the query workers, forked before, must not hold the server's socket.
        listening = _listen(host, port)
        address = f"http://{_display_host(host)}:{listening.getsockname()[1]}/"
        if not settings.site_url:
            # The catalogue and VoID then name this server as the site and its SPARQL endpoint.
            service.settings = settings.with_values(site_url=address)
        _log_requests(output)
        print(f"serving {address} (query editor: {address}sparql); Ctrl+C stops", file=output, flush=True)
        config = uvicorn.Config(
            create_app(service),
            log_level="warning",
            access_log=False,
            loop="uvloop",
            # h11 reads a request of any size up to the limit below, so that one too large is answered
            # with what to do (414: POST the query); httptools' parser refuses it unexplained past 64 KiB.
            # Its connections must send their headers in time (uvicorn has no such limit of its own).
            http=with_header_timeout(settings.header_timeout),
            limit_concurrency=settings.max_connections,
            lifespan="off",
            server_header=False,
            timeout_keep_alive=5,
            timeout_graceful_shutdown=5,
            # Requests up to the size the server reads reach it whole, to be answered, not cut off.
            h11_max_incomplete_event_size=settings.max_request_bytes + MAX_HEADER_BYTES,
        )
        uvicorn.Server(config).run(sockets=[listening])
    finally:
        service.close()


def open_service(
    settings: Settings,
    *,
    sources: Sequence[Path] = (),
    endpoint: str | None = None,
    output: TextIO = sys.stderr,
) -> Service:
    """The graph to publish, and the workers to query it, started (call before any other thread)."""
    if endpoint:
        return _remote_service(settings, endpoint, output)
    files = builtin_sources(settings) + discover(sources)
    with _loading(files, output):
        store = api.open_graph(sources, settings=settings)
    print(_loaded(store), file=output, flush=True)
    runner = _started_pool(store, settings, yield_after=QUERY_YIELDS_AFTER)
    renderer = _started_pool(
        store,
        settings,
        workers=settings.render_workers,
        memory_mb=0,
        name="csei-render",
        yield_after=PAGE_YIELDS_AFTER,
    )
    dumper = _started_pool(store, settings, workers=1, memory_mb=0, name="csei-dump", nice=DUMP_NICENESS)
    last_modified = max((_mtime(source.path) for source in files), default=time.time())
    cache = PageCache(settings.page_cache_entries)
    return Service(
        store,
        settings,
        runner,
        last_modified,
        cache,
        release=releases.identity(settings),
        renderer=renderer,
        dumper=dumper,
    )


def _remote_service(settings: Settings, url: str, output: TextIO) -> Service:
    def remote(timeout: int) -> RemoteStore:
        return RemoteStore(
            Endpoint(
                query_url=url,
                user=settings.endpoint_user,
                password=settings.endpoint_password if settings.endpoint_user else None,
                timeout=timeout,
                retries=settings.endpoint_retries,
            ),
            settings,
        )

    pages = remote(settings.endpoint_timeout)
    # Fails now, with a clear message, when the store cannot be reached, holds nothing pushed, or
    # would answer from other graphs than those pushed.
    layout = pages.check()
    # The runner stops waiting at the time limit and says so (422); the connection outlives it a little.
    queries = remote(settings.sparql_timeout + 1)
    queries.layout = layout
    print(
        f"publishing the remote store {url} ({len(layout.named_graphs)} graphs pushed)",
        file=output,
        flush=True,
    )
    runner = ThreadRunner(queries, settings)
    # The remote graph may change at any time: nothing is kept, and no modification time is claimed.
    release = f"graph of the remote store {url}"
    return Service(pages, settings, runner, None, PageCache(0), description=url, release=release)


def _started_pool(store: GraphStore, settings: Settings, **options: Any) -> ProcessRunner:
    """Started workers (see ProcessRunner for the options) that fork the graph held in memory, or open
    the persistent store read-only."""
    if store.location is None:
        pool = ProcessRunner(lambda: store, settings, start_method="fork", **options)
    else:
        opener = functools.partial(GraphStore.read_only, store.location / disk.DATABASE)
        pool = ProcessRunner(opener, settings, start_method="spawn", **options)
    pool.start()
    return pool


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return time.time()


def _loaded(store: GraphStore) -> str:
    where = (
        f" (store {store.location.parent}, {'rebuilt' if store.rebuilt else 'reopened'})"
        if store.location
        else ""
    )
    return f"loaded {len(store):,} triples in {len(store.graph_names()):,} named graphs{where}"


@contextlib.contextmanager
def _loading(files: Sequence[Source], output: TextIO) -> Iterator[None]:
    """A progress display while the graph loads: a spinner and the time so far on a terminal."""
    size = sum(_size(source.path) for source in files)
    print(f"loading {len(files)} source files ({size / 1e6:,.1f} MB)", file=output, flush=True)
    started = time.perf_counter()
    done = threading.Event()
    spinner = None
    if output.isatty():
        spinner = threading.Thread(target=_spin, args=(done, started, output), daemon=True)
        spinner.start()
    try:
        yield
    finally:
        done.set()
        if spinner is not None:
            spinner.join()
            print("\r\033[K", end="", file=output)
    print(f"read in {time.perf_counter() - started:.2f} s", file=output, flush=True)


def _spin(done: threading.Event, started: float, output: TextIO) -> None:
    turn = 0
    while not done.wait(0.2):
        turn += 1
        elapsed = time.perf_counter() - started
        print(
            f"\r{SPINNER[turn % len(SPINNER)]} loading the graph... {elapsed:.1f} s",
            end="",
            file=output,
            flush=True,
        )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _display_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _check_port_free(host: str, port: int) -> None:
    """Fail before loading anything when the address is taken."""
    _listen(host, port).close()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Named TCP, so that asyncio turns Nagle's algorithm off on each connection (TCP_NODELAY):
    # otherwise a response written in two parts waits for the client's delayed ACK, 40 ms each.
    listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        raise ServeError(
            f"cannot listen on {host}:{port}: {error.strerror}; choose another address with --host or --port"
        ) from None
    listening.listen(2048)
    return listening


def _log_requests(output: TextIO) -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        handler = logging.StreamHandler(output)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
