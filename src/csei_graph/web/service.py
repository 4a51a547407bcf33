"""What the server publishes: the graph, the settings, how queries run, rendered pages kept for reuse."""

import gzip
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from csei_graph.pages.reader import forget
from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.web.conneg import Representation, etag_for
from csei_graph.web.workers import QueryRunner

# Bodies smaller than this are sent as they are: compressing them saves less than it costs.
COMPRESS_MIN_BYTES = 1024
GZIP_LEVEL = 4


@dataclass(frozen=True)
class Rendered:
    """A representation ready to send: its bytes, media type, entity tag and the headers it adds.

    Its gzip form is made the first time a client that accepts gzip asks for it, then kept with it.
    """

    body: bytes
    representation: Representation
    etag: str
    headers: tuple[tuple[str, str], ...] = ()
    _gzipped: list[bytes] = field(default_factory=list, compare=False, repr=False)

    @property
    def compressible(self) -> bool:
        """Whether the body is worth sending gzipped."""
        return len(self.body) >= COMPRESS_MIN_BYTES and self.representation.extension != "gz"

    def gzipped(self) -> bytes:
        """The body in gzip form (stable bytes: no name, no time stamp)."""
        if not self._gzipped:
            self._gzipped.append(gzip.compress(self.body, compresslevel=GZIP_LEVEL, mtime=0))
        return self._gzipped[0]

    @classmethod
    def of(
        cls, body: bytes, representation: Representation, headers: tuple[tuple[str, str], ...] = ()
    ) -> "Rendered":
        """A representation of these bytes, tagged with their hash."""
        return cls(body, representation, etag_for(body), headers)


class PageCache:
    """The most recently used rendered representations, at most `capacity` of them (0: none)."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[tuple[str, str], Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: tuple[str, str], render: Callable[[], Rendered | None]) -> Rendered | None:
        """The kept representation for a key, or a new one (kept when there is one to keep)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        rendered = render()
        if rendered is not None and self._capacity > 0:
            with self._lock:
                self._entries[key] = rendered
                while len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)
        return rendered

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every kept representation (the graph changed)."""
        with self._lock:
            self._entries.clear()


@dataclass
class Service:
    """Everything a request needs: the graph to read, the settings, and how queries run.

    `last_modified` is when the graph's sources last changed (None when it cannot be known, as for a
    remote store); `cache` keeps rendered pages, which is right only while the graph cannot change
    under the server, so it holds nothing for a remote store.
    """

    store: Store
    settings: Settings
    runner: QueryRunner
    last_modified: float | None
    cache: PageCache = field(default_factory=lambda: PageCache(0))
    description: str = ""
    release: str = ""

    def add(self, quads: Sequence[ox.Quad]) -> None:
        """Add statements to the published graph (an accepted contribution): pages show them from now
        on. The SPARQL workers keep the graph they were started with, until the server restarts."""
        add_all = getattr(self.store, "add_all", None)
        if add_all is None:
            raise ValueError("this server publishes a remote store, which it does not write to")
        add_all(quads)
        forget(self.store)
        self.cache.clear()
        self.last_modified = time.time()

    def close(self) -> None:
        """Stop the query workers."""
        self.runner.close()
