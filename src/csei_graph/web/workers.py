"""Runs the server's queries and renders its pages where their limits really stop them: time, rows, memory.

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

What runs inside the zygote and the workers is in `worker_process`.

Pages, documents and dumps are rendered by a second pool of the same kind (`csei serve` starts
both): a heavy page then takes a core of its own, never the server's event loop or its lock on the
interpreter, and one over the render time limit is stopped as a query is.

A remote store needs no worker: the query waits on the network, which the socket time-out bounds.
"""

import asyncio
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle
from typing import Protocol

import pyoxigraph as ox

from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.web.answers import Answer, Job, answer, over_time_limit
from csei_graph.web.worker_process import READ_BYTES, StoreOpener, framed, zygote

MIB = 1024 * 1024


class QueryRunner(Protocol):
    """Runs jobs (queries, renders) within a time limit."""

    async def run(self, job: Job, timeout: float) -> Answer:
        """Run a job; the answer says why when it was stopped."""
        ...

    def refresh(self, added: Sequence[ox.Quad]) -> None:
        """Run jobs from now on over the graph with the statements added to it."""
        ...

    def close(self) -> None:
        """Stop whatever runs queries."""
        ...


# ------------------------------------------------------------------------------ remote store


class ThreadRunner:
    """Runs jobs in threads: queries on a remote store (the network waits, bounded by the socket
    time-out), and pages of a server that has no render workers."""

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

    def refresh(self, added: Sequence[ox.Quad]) -> None:
        """Nothing to do: the threads read the very store the statements were added to."""

    def close(self) -> None:
        """Nothing to stop: each thread ends with its request's socket time-out."""


# ------------------------------------------------------------------------------ worker processes


@dataclass
class _Worker:
    pid: int
    connection: Connection
    # The graph's version the worker holds (see `ProcessRunner.refresh`).
    generation: int


class ProcessRunner:
    """A pool of worker processes, forked by a zygote, that run jobs on the embedded store.

    `workers` and `memory_mb` default to the SPARQL settings; the render pools give their own, and
    `nice` (added to the workers' niceness) lets the pool that writes dumps yield the cores to pages;
    a job still running after `yield_after` seconds (0: never) has its worker lower its priority for the
    rest of it, so that short jobs go first, and that worker is replaced once it has answered.
    """

    def __init__(
        self,
        opener: StoreOpener,
        settings: Settings,
        *,
        start_method: str = "fork",
        workers: int | None = None,
        memory_mb: int | None = None,
        name: str = "csei-sparql",
        nice: int = 0,
        yield_after: float = 0,
    ) -> None:
        self._opener = opener
        self._settings = settings
        self._workers = settings.sparql_workers if workers is None else workers
        self._memory_mb = settings.sparql_max_memory_mb if memory_mb is None else memory_mb
        self._name = name
        self._nice = nice
        self._yield_after = yield_after
        # Workers started in the place of a slow one still running (see `_stand_in_when_slow`).
        self._standing_in = 0
        self._generation = 0
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
        memory = self._memory_mb * MIB
        # A forked zygote inherits the server's end too; it closes it, or it would never see the end
        # of the connection when the server goes away.
        inherited = control.fileno() if self._context.get_start_method() == "fork" else None
        self._zygote = self._context.Process(
            target=zygote,
            args=(theirs, inherited, self._opener, self._settings, memory),
            kwargs={"nice": self._nice, "yield_after": self._yield_after},
            name=self._name,
            daemon=True,
        )
        self._zygote.start()
        theirs.close()
        self._control = control
        for _ in range(max(1, self._workers)):
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
        if worker.generation != self._generation:
            worker = await asyncio.to_thread(self._respawn, worker)
        finished = stood_in = False
        receiving: asyncio.Future[Answer] | None = None
        try:
            worker.connection.send(job)
            receiving = asyncio.ensure_future(_receive(worker.connection, deadline - loop.time()))
            stood_in = await self._stand_in_when_slow(receiving)
            answered = await receiving
            finished = not answered.retired
            return answered
        except TimeoutError:
            return Answer.refusal(422, over_time_limit(timeout))
        except (EOFError, OSError):
            status = await asyncio.to_thread(self._end, worker)
            return self._died(status)
        finally:
            if receiving is not None and not receiving.done():
                receiving.cancel()  # the request was cancelled: stop waiting for its answer
            if stood_in:
                self._end_later(worker)
            elif finished and worker.generation == self._generation:
                self._idle.put_nowait(worker)
            else:
                self._replace_later(worker)

    async def _stand_in_when_slow(self, receiving: "asyncio.Future[Answer]") -> bool:
        """Once a job is slow (`yield_after`), start another worker in its worker's place, so that the
        short jobs keep as many workers as the pool has; at most as many stand-ins as workers at once.
        Whether a stand-in was started (the slow worker is then ended when its job is)."""
        if self._yield_after <= 0 or self._standing_in >= self._workers:
            return False
        done, _ = await asyncio.wait({receiving}, timeout=self._yield_after)
        if done or self._standing_in >= self._workers:
            return False
        self._standing_in += 1
        task = asyncio.get_running_loop().create_task(self._add_worker())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)
        return True

    async def _add_worker(self) -> None:
        self._idle.put_nowait(await asyncio.to_thread(self._spawn))

    def _end_later(self, worker: _Worker) -> None:
        """End a worker whose place a stand-in took, without holding up the answer."""

        async def end() -> None:
            await asyncio.to_thread(self._end, worker)
            self._standing_in -= 1

        task = asyncio.get_running_loop().create_task(end())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    def _died(self, status: int) -> Answer:
        """Why a worker died under a query: its memory limit (Rust aborts when an allocation fails)."""
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
            limit = self._memory_mb
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

    def refresh(self, added: Sequence[ox.Quad]) -> None:
        """Statements were added to the graph (an accepted contribution): every job from now on runs on
        the graph with them: the zygote keeps them, and each worker it forks adds them to its graph.
        Each worker is replaced when next taken or freed."""
        with self._control_lock:
            control = self._require_control()
            control.send(("add", list(added)))
            control.recv()
            self._generation += 1

    def _spawn(self) -> _Worker:
        with self._control_lock:
            control = self._require_control()
            control.send(("spawn",))
            pid = control.recv()
            handle = recv_handle(control)
            generation = self._generation
        self._pids.add(pid)
        return _Worker(pid, Connection(handle), generation)

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
        message = framed(received)
        if message is not None and not done.done():
            done.set_result(message)

    loop.add_reader(descriptor, read)
    try:
        message = await asyncio.wait_for(done, max(timeout, 0))
    finally:
        loop.remove_reader(descriptor)
    return pickle.loads(message)  # written by our own worker
