"""What the server publishes: the graph, the settings, how queries run, rendered pages kept for reuse."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool

from csei_graph.pages.reader import forget
from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.web.answers import Job
from csei_graph.web.rendering import Document, Rendered
from csei_graph.web.workers import QueryRunner, ThreadRunner


class PageCache:
    """The most recently used rendered representations, at most `capacity` of them (0: none)."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[tuple[str, str], Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Rendered | None:
        """The kept representation for a key, if there is one."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        return None

    def keep(self, key: tuple[str, str], rendered: Rendered) -> None:
        """Keep a representation, dropping the least recently used beyond the capacity."""
        if self._capacity > 0:
            with self._lock:
                self._entries[key] = rendered
                while len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)

    def get_or_render(self, key: tuple[str, str], render: Callable[[], Rendered | None]) -> Rendered | None:
        """The kept representation for a key, or a new one (kept when there is one to keep)."""
        rendered = self.get(key)
        if rendered is None:
            rendered = render()
            if rendered is not None:
                self.keep(key, rendered)
        return rendered

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every kept representation (the graph changed)."""
        with self._lock:
            self._entries.clear()


# What is made of the whole graph (and takes its time): made by the dump pool, within `dump_timeout`.
WHOLE_GRAPH_DOCUMENTS = ("dump", "search-index")


class RenderFailed(Exception):
    """A page or document could not be rendered: the status to answer with, and why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Service:
    """Everything a request needs: the graph to read, the settings, how queries run and how pages render.

    `last_modified` is when the graph's sources last changed (None when it cannot be known, as for a
    remote store); `cache` keeps rendered pages, which is right only while the graph cannot change
    under the server, so it holds nothing for a remote store. `renderer` renders pages and documents,
    `dumper` what is made of the whole graph (dumps, the search index), each within its time limit
    (in threads when none is given).
    """

    store: Store
    settings: Settings
    runner: QueryRunner
    last_modified: float | None
    cache: PageCache = field(default_factory=lambda: PageCache(0))
    description: str = ""
    release: str = ""
    renderer: QueryRunner | None = None
    dumper: QueryRunner | None = None

    def __post_init__(self) -> None:
        if self.renderer is None:
            self.renderer = ThreadRunner(self.store, self.settings)
        if self.dumper is None:
            self.dumper = self.renderer

    @property
    def pools(self) -> list[QueryRunner]:
        """The query and render pools, each once."""
        found: list[QueryRunner] = []
        for pool in (self.runner, self.renderer, self.dumper):
            if pool is not None and all(pool is not other for other in found):
                found.append(pool)
        return found

    async def rendered(self, key: tuple[str, str], document: Document) -> Rendered | None:
        """A page, document or dump: kept, or rendered within its time limit (`RenderFailed` past it).
        None when there is no such document."""
        kept = self.cache.get(key)
        if kept is not None:
            return kept
        whole_graph = document.kind in WHOLE_GRAPH_DOCUMENTS
        timeout = self.settings.dump_timeout if whole_graph else self.settings.render_timeout
        pool = self.dumper if whole_graph else self.renderer
        job = Job.rendering(replace(document, settings=self.settings))
        answer = await pool.run(job, timeout)  # type: ignore[union-attr]
        if answer.status == 404:
            return None
        if answer.status == 422:  # the render worker was stopped at the time limit
            raise RenderFailed(
                503,
                f"Making /{document.path} took longer than {timeout:g} s, the time limit of this server "
                "for it. Its data is in the graph's dumps (/catalog lists them) and at /sparql.",
            )
        if answer.rendered is None:
            raise RenderFailed(answer.status, answer.message)
        self.cache.keep(key, answer.rendered)
        return answer.rendered

    async def rendered_here(
        self, key: tuple[str, str], render: Callable[[], Rendered | None]
    ) -> Rendered | None:
        """A representation made in this process (small ones that need what only the server has)."""
        return await run_in_threadpool(self.cache.get_or_render, key, render)

    def add(self, quads: Sequence[ox.Quad]) -> None:
        """Add statements to the published graph (an accepted contribution): pages and queries see them
        from now on (each worker takes them when it is next given a job)."""
        add_all = getattr(self.store, "add_all", None)
        if add_all is None:
            raise ValueError("this server publishes a remote store, which it does not write to")
        add_all(quads)
        forget(self.store)
        for pool in self.pools:
            pool.refresh(quads)
        self.cache.clear()
        self.last_modified = time.time()

    def close(self) -> None:
        """Stop the query and render workers."""
        for pool in self.pools:
            pool.close()
