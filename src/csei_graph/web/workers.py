"""Runs the server's SPARQL queries where their limits really stop them: time, rows and memory.

pyoxigraph evaluates a query in Rust, and a Python thread cannot interrupt it: a query that counts
or sorts a cartesian product gives its first row only once the whole product is made (measured on
the built-in graph: `SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }` was still busy
after 60 s; only the plain, streamed product could be stopped by no longer reading rows). So each
query on the embedded store runs in a worker process holding the graph:

- over its time limit, the worker is killed and replaced;
- over the row cap, the worker stops reading rows, which stops the evaluation;
- over its memory limit (RLIMIT_AS), the worker's allocation fails and it dies.

Workers are forked by a *zygote*, a process started once before the server runs any thread and that
never queries: forking a worker from it is safe at any time, where forking the server (whose threads
read the store and may hold its locks at that instant) could leave a worker stuck for good.

A remote store needs no worker: the query waits on the network, which the socket time-out bounds.
"""

import asyncio
import contextlib
import csv
import faulthandler
import io
import itertools
import json
import multiprocessing
import os
import pickle
import resource
import signal
import struct
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from csei_graph import export, queries
from csei_graph.queries import QueryResult, format_result
from csei_graph.settings import Settings
from csei_graph.sources import SourceError
from csei_graph.stores.base import GraphDataset, Store
from csei_graph.stores.protocol_client import RemoteError

SOLUTION_FORMATS = ("json", "xml", "csv", "tsv")
RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
# Bytes a result row may take on average before the rows are counted one by one instead.
ROW_BYTES = 1024
# Bytes read at a time from a worker's connection: most answers come in one read.
READ_BYTES = 256 * 1024
GRAPH_FORMATS = ("turtle", "jsonld", "ntriples", "rdfxml")
MIB = 1024 * 1024

StoreOpener = Callable[[], Store]


@dataclass(frozen=True)
class Job:
    """A query to run (its text and dataset, or a stored query's name and parameter values), the format,
    the row cap."""

    result_format: str
    max_rows: int
    sparql: str = ""
    dataset: GraphDataset | None = None
    stored: str = ""
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """What a query gave: an HTTP status, and the body (results, or a message saying what went wrong)."""

    status: int
    body: bytes
    rows: int = 0

    @classmethod
    def refusal(cls, status: int, message: str) -> "Answer":
        """An answer that carries a message instead of results."""
        return cls(status, message.encode("utf-8"))

    @property
    def message(self) -> str:
        """The body as text (for refusals)."""
        return self.body.decode("utf-8", errors="replace")


class QueryRunner(Protocol):
    """Runs queries within a time limit."""

    async def run(self, job: Job, timeout: float) -> Answer:
        """Run a job; the answer says why when it was stopped."""
        ...

    def close(self) -> None:
        """Stop whatever runs queries."""
        ...


# ------------------------------------------------------------------------------ answering a job


def answer(store: Store, job: Job, settings: Settings) -> Answer:
    """Run a job on a store and write its result, reading at most `max_rows` rows or triples.

    A stored query runs as `csei query` runs it (`queries.run_query`: typed parameters, and no
    column for them), so both give the same results; the row cap then applies to its result.
    """
    try:
        if job.stored:
            result = queries.run_query(job.stored, job.params, store=store, settings=settings)
            collected = result if _size(result) <= job.max_rows else None
        else:
            evaluated = store.query(job.sparql, dataset=job.dataset)
            if isinstance(evaluated, ox.QuerySolutions | ox.QueryBoolean) and job.result_format in RESULTS:
                return _written_by_engine(store, job, evaluated)
            collected = _collect(evaluated, job.max_rows)
        if collected is None:
            return Answer.refusal(422, rows_over_limit(job.max_rows))
        return Answer(200, _serialise(collected, job.result_format, settings), _size(collected))
    except (SyntaxError, ValueError, RuntimeError, RemoteError, OSError, SourceError) as error:
        return _failure(error)


# What each kind of failure means for the client: its status, and the words before the error's own.
_FAILURES: tuple[tuple[type[Exception], int, str], ...] = (
    (SyntaxError, 400, "SPARQL syntax error: "),
    (ValueError, 400, ""),
    (RuntimeError, 400, "the query cannot be evaluated: "),
    (RemoteError, 502, "the remote store failed: "),
    (OSError, 500, "the store could not be read: "),
    (SourceError, 500, "the store could not be read: "),
)


def _failure(error: Exception) -> Answer:
    """The answer for a query the store refused or could not run."""
    if isinstance(error, queries.QueryError):
        hint = f" ({error.hint})" if error.hint else ""
        return Answer.refusal(400, f"{error.message}{hint}")
    status, prefix = next(((s, p) for kind, s, p in _FAILURES if isinstance(error, kind)), (500, ""))
    detail = error.msg if isinstance(error, SyntaxError) and error.msg else str(error)
    return Answer.refusal(status, prefix + detail)


def _written_by_engine(store: Store, job: Job, evaluated: ox.QuerySolutions | ox.QueryBoolean) -> Answer:
    """Results written by the engine's own writer: rows never become Python objects.

    The rows are counted in what the engine wrote. The writing stops once it is larger than
    `ROW_BYTES` a row allowed; the rows are then counted as they come, and written again if there
    are not too many (rows that large are rare: long literals).
    """
    syntax = RESULTS[job.result_format]
    if isinstance(evaluated, ox.QueryBoolean):
        return Answer(200, evaluated.serialize(format=syntax), 1)
    written = _Bounded(job.max_rows * ROW_BYTES)
    try:
        evaluated.serialize(written, syntax)
    except _OverBound:
        if _count(store.query(job.sparql, dataset=job.dataset), job.max_rows + 1) > job.max_rows:  # type: ignore[arg-type]
            return Answer.refusal(422, rows_over_limit(job.max_rows))
        body = store.query(job.sparql, dataset=job.dataset).serialize(format=syntax)  # type: ignore[union-attr]
        return Answer(200, body, _rows_in(body, syntax))
    body = written.getvalue()
    rows = _rows_in(body, syntax)
    if rows > job.max_rows:
        return Answer.refusal(422, rows_over_limit(job.max_rows))
    return Answer(200, body, rows)


class _OverBound(Exception):
    """More bytes were written than the bound allows."""


class _Bounded(io.RawIOBase):
    """A byte buffer that refuses to grow past a bound (so a huge result is not written whole)."""

    def __init__(self, bound: int) -> None:
        super().__init__()
        self._bound = bound
        self._parts: list[bytes] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._size += len(data)
        if self._size > self._bound:
            raise _OverBound
        self._parts.append(bytes(data))
        return len(data)

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


def _count(solutions: ox.QuerySolutions, most: int) -> int:
    """Rows of the solutions, counted up to `most` (the evaluation stops there)."""
    return sum(1 for _ in itertools.islice(solutions, most))


def _rows_in(body: bytes, syntax: ox.QueryResultsFormat) -> int:
    """Rows in results the engine wrote."""
    if syntax == ox.QueryResultsFormat.JSON:
        return len(json.loads(body)["results"]["bindings"])
    if syntax == ox.QueryResultsFormat.TSV:
        return body.count(b"\n") - 1  # a header line, then one line a row (line breaks are escaped)
    if syntax == ox.QueryResultsFormat.CSV:  # a value may hold a line break: the CSV reader knows
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1
    return sum(1 for _ in ox.parse_query_results(body, syntax))  # type: ignore[union-attr]


def _collect(result: object, max_rows: int) -> QueryResult | None:
    """The result, or None as soon as it has more than max_rows rows (evaluation then stops)."""
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = tuple(variable.value for variable in result.variables)
        rows = []
        for solution in result:
            if len(rows) == max_rows:
                return None
            rows.append(tuple(solution[name] for name in names))
        return QueryResult("SELECT", names, tuple(rows))
    triples: list[ox.Triple] = []
    for triple in result:  # type: ignore[attr-defined]
        if len(triples) == max_rows:
            return None
        triples.append(triple)
    return QueryResult("CONSTRUCT", triples=tuple(triples))


def _size(result: QueryResult) -> int:
    return len(result.rows) + len(result.triples) + (result.boolean is not None)


def _serialise(result: QueryResult, result_format: str, settings: Settings) -> bytes:
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        if result_format not in GRAPH_FORMATS:
            raise ValueError(
                f"a {result.form} query gives a graph: ask for one of {', '.join(GRAPH_FORMATS)}"
            )
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in result.triples]
        return export.to_bytes(quads, export.export_format(result_format), settings)
    if result_format not in SOLUTION_FORMATS:
        raise ValueError(f"a {result.form} query gives results: ask for one of {', '.join(SOLUTION_FORMATS)}")
    # Made safe for spreadsheets (or not, per the settings) by the server, with the engine's own results.
    return format_result(result, result_format, safe_csv=False).encode("utf-8")


def rows_over_limit(max_rows: int) -> str:
    """Why a query over the row cap was refused, and what to do instead."""
    return (
        f"the query gives more than {max_rows:,} rows, the most this endpoint returns: add "
        f"LIMIT {max_rows} (and OFFSET to page through the rest), or ask for a COUNT"
    )


def over_time_limit(seconds: float) -> str:
    """Why a query over the time limit was stopped, and what to do instead."""
    return (
        f"the query was stopped after {seconds:g} s, the time limit of this endpoint: make it more "
        "selective (fewer unbound patterns, a LIMIT without ORDER BY) or run it on your own copy of the "
        "graph with `csei query`"
    )


# ------------------------------------------------------------------------------ remote store


class ThreadRunner:
    """Runs queries on a remote store in threads: the network waits, bounded by the socket time-out."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self._store = store
        self._settings = settings

    async def run(self, job: Job, timeout: float) -> Answer:
        """Run a job; a store that has not answered within the time limit is left to time out."""
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(answer, self._store, job, self._settings), timeout
            )
        except TimeoutError:
            return Answer.refusal(422, over_time_limit(timeout))

    def close(self) -> None:
        """Nothing to stop: each thread ends with its request's socket time-out."""


# ------------------------------------------------------------------------------ worker processes


@dataclass
class _Worker:
    pid: int
    connection: Connection


class ProcessRunner:
    """A pool of worker processes, forked by a zygote, that run queries on the embedded store."""

    def __init__(
        self,
        opener: StoreOpener,
        settings: Settings,
        *,
        start_method: str = "fork",
    ) -> None:
        self._opener = opener
        self._settings = settings
        self._context = multiprocessing.get_context(start_method)
        self._control: Connection | None = None
        self._zygote: multiprocessing.process.BaseProcess | None = None
        self._control_lock = threading.Lock()
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._replacing: set[asyncio.Task[None]] = set()
        self._pids: set[int] = set()

    def start(self) -> None:
        """Start the zygote and the workers; call it before the server starts any thread."""
        control, theirs = self._context.Pipe()
        memory = self._settings.sparql_max_memory_mb * MIB
        # A forked zygote inherits the server's end too; it closes it, or it would never see the end
        # of the connection when the server goes away.
        inherited = control.fileno() if self._context.get_start_method() == "fork" else None
        self._zygote = self._context.Process(
            target=_zygote,
            args=(theirs, inherited, self._opener, self._settings, memory),
            name="csei-sparql",
            daemon=True,
        )
        self._zygote.start()
        theirs.close()
        self._control = control
        for _ in range(max(1, self._settings.sparql_workers)):
            self._idle.put_nowait(self._spawn())

    @property
    def pids(self) -> list[int]:
        """The process ids of the zygote and of the workers (for measuring memory)."""
        zygote = [self._zygote.pid] if self._zygote is not None and self._zygote.pid else []
        return zygote + sorted(self._pids)

    async def run(self, job: Job, timeout: float) -> Answer:
        """Run a job in the first free worker; the wait for one counts towards the time limit."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = self._idle.get_nowait()
        except asyncio.QueueEmpty:
            try:
                worker = await asyncio.wait_for(self._idle.get(), timeout)
            except TimeoutError:
                return Answer.refusal(
                    503, "every query worker stayed busy for the whole time limit; try again"
                )
        finished = False
        try:
            worker.connection.send(job)
            answered = await _receive(worker.connection, deadline - loop.time())
            finished = True
            return answered
        except TimeoutError:
            return Answer.refusal(422, over_time_limit(timeout))
        except (EOFError, OSError):
            status = await asyncio.to_thread(self._end, worker)
            return self._died(status)
        finally:
            if finished:
                self._idle.put_nowait(worker)
            else:
                self._replace_later(worker)

    def _died(self, status: int) -> Answer:
        """Why a worker died under a query: its memory limit (Rust aborts when an allocation fails)."""
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
            limit = self._settings.sparql_max_memory_mb
            return Answer.refusal(
                422,
                f"the query was stopped: it needed more than {limit:,} MiB of memory, the limit of this "
                "endpoint; make it more selective",
            )
        return Answer.refusal(500, f"the query worker stopped unexpectedly (wait status {status})")

    def _replace_later(self, worker: _Worker) -> None:
        """End a worker that is busy or dead and start another, without holding up the answer."""
        task = asyncio.get_running_loop().create_task(self._replace(worker))
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def _replace(self, worker: _Worker) -> None:
        replacement = await asyncio.to_thread(self._respawn, worker)
        self._idle.put_nowait(replacement)

    def _respawn(self, worker: _Worker) -> _Worker:
        if worker.pid in self._pids:
            self._end(worker)
        return self._spawn()

    def _spawn(self) -> _Worker:
        with self._control_lock:
            control = self._require_control()
            control.send(("spawn",))
            pid = control.recv()
            handle = recv_handle(control)
        self._pids.add(pid)
        return _Worker(pid, Connection(handle))

    def _end(self, worker: _Worker) -> int:
        """Kill a worker (if it still runs) and return its wait status."""
        worker.connection.close()
        with self._control_lock:
            control = self._require_control()
            control.send(("end", worker.pid))
            status: int = control.recv()
        self._pids.discard(worker.pid)
        return status

    def _require_control(self) -> Connection:
        if self._control is None:
            raise RuntimeError("the query workers are not started")
        return self._control

    def close(self) -> None:
        """End the workers and the zygote."""
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._zygote is not None:
            self._zygote.join(timeout=5)
            if self._zygote.is_alive():
                self._zygote.kill()
                self._zygote.join()
            self._zygote = None


async def _receive(connection: Connection, timeout: float) -> Answer:
    """The worker's answer, once it is all there; TimeoutError when it is not there in time.

    Read as it arrives, in as few reads as its size allows (the connection's own `recv` reads the
    length and the message apart): a read is a system call, and there are two of them a query.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()
    received = bytearray()
    descriptor = connection.fileno()

    def read() -> None:
        try:
            chunk = os.read(descriptor, READ_BYTES)
        except BlockingIOError:
            return
        except OSError as error:
            if not done.done():
                done.set_exception(error)
            return
        if not chunk:
            if not done.done():
                done.set_exception(EOFError("the worker closed its connection"))
            return
        received.extend(chunk)
        message = _framed(received)
        if message is not None and not done.done():
            done.set_result(message)

    loop.add_reader(descriptor, read)
    try:
        message = await asyncio.wait_for(done, max(timeout, 0))
    finally:
        loop.remove_reader(descriptor)
    return pickle.loads(message)  # written by our own worker


def _framed(received: bytearray) -> bytes | None:
    """The message in what was received, once complete (framed as `Connection.send` frames it)."""
    if len(received) < 4:
        return None
    (size,) = struct.unpack("!i", received[:4])
    start = 4
    if size == -1:  # a message of 2 GiB or more: the size follows in 8 bytes
        if len(received) < 12:
            return None
        (size,) = struct.unpack("!Q", received[4:12])
        start = 12
    if len(received) < start + size:
        return None
    return bytes(received[start : start + size])


# ------------------------------------------------------------------------------ in the processes


def _zygote(
    control: Connection, inherited: int | None, opener: StoreOpener, settings: Settings, memory: int
) -> None:
    """Fork a worker when asked, end one when asked; end them all when the server goes away."""
    if inherited is not None:
        os.close(inherited)
    # Ctrl+C reaches the whole process group: the server ends the zygote and the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    children: set[int] = set()
    parent = os.getppid()
    while True:
        try:
            request = control.recv()
        except (EOFError, OSError):
            break
        if request[0] == "spawn":
            ours, theirs = multiprocessing.Pipe()
            pid = os.fork()
            if pid == 0:
                control.close()
                ours.close()
                _worker(theirs, opener, settings, memory)
            theirs.close()
            children.add(pid)
            control.send(pid)
            send_handle(control, ours.fileno(), parent)
            ours.close()
        elif request[0] == "end":
            children.discard(request[1])
            control.send(_end_child(request[1]))
    for pid in children:
        _end_child(pid)


def _end_child(pid: int) -> int:
    """Kill a worker and reap it; its wait status. Only the zygote reaps workers, and only after
    killing them, so a pid cannot be reused by another process before it is killed."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0


def _worker(connection: Connection, opener: StoreOpener, settings: Settings, memory: int) -> None:
    """Answer jobs until the connection closes; never returns."""
    # A query over its memory aborts the process: that is its expected end, not a crash to report.
    faulthandler.disable()
    try:
        if memory > 0:
            _limit_memory(memory)
        store = opener()
        while True:
            try:
                job = _next_job(connection)
            except (EOFError, OSError):
                break
            connection.send(_answer_safely(store, job, settings))
    finally:
        os._exit(0)


def _next_job(connection: Connection) -> Job:
    """The next job the server sends, read in as few reads as its size allows."""
    received = bytearray()
    while (message := _framed(received)) is None:
        chunk = os.read(connection.fileno(), READ_BYTES)
        if not chunk:
            raise EOFError("the server closed the connection")
        received.extend(chunk)
    job: Job = pickle.loads(message)  # written by the server
    return job


def _answer_safely(store: Store, job: Job, settings: Settings) -> Answer:
    """The job's answer; a fault of the server is reported as one, and the worker carries on."""
    try:
        return answer(store, job, settings)
    except MemoryError:
        return Answer.refusal(
            422, f"the query was stopped: it needed more than {settings.sparql_max_memory_mb:,} MiB of memory"
        )
    except Exception as error:  # a fault of the server: say so, keep the worker
        return Answer.refusal(500, f"the query failed in the server: {type(error).__name__}: {error}")


def _limit_memory(extra: int) -> None:
    """Let the process grow by `extra` bytes of address space beyond what it holds now (the graph)."""
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[0])
    size = pages * resource.getpagesize()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
