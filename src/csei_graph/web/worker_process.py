"""What runs in the worker processes: the zygote that forks workers, and the workers that answer jobs
within their limits (time, rows, memory), each message framed as `Connection.send` frames it."""

import contextlib
import faulthandler
import multiprocessing
import os
import pickle
import resource
import signal
import struct
from collections.abc import Callable, Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.reduction import send_handle
from pathlib import Path

import pyoxigraph as ox

from csei_graph.settings import Settings
from csei_graph.stores.base import Store
from csei_graph.web.answers import Answer, Job, answer

# Bytes read at a time from a connection: most messages come in one read.
READ_BYTES = 256 * 1024
# How much a worker lowers its priority once a job has run past its `yield_after` seconds.
SLOW_NICENESS = 10
StoreOpener = Callable[[], Store]


def framed(received: bytearray) -> bytes | None:
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


def zygote(
    control: Connection,
    inherited: int | None,
    opener: StoreOpener,
    settings: Settings,
    memory: int,
    *,
    nice: int = 0,
    yield_after: float = 0,
) -> None:
    """Fork a worker when asked, end one when asked; end them all when the server goes away."""
    if inherited is not None:
        os.close(inherited)
    if nice:
        os.nice(nice)
    # Ctrl+C reaches the whole process group: the server ends the zygote and the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    children: set[int] = set()
    # Statements added to the graph since the server started, for every worker forked from now on.
    added: list[ox.Quad] = []
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
                _worker(theirs, opener, added, settings, (memory, yield_after))
            theirs.close()
            children.add(pid)
            control.send(pid)
            send_handle(control, ours.fileno(), parent)
            ours.close()
        elif request[0] == "end":
            children.discard(request[1])
            control.send(_end_child(request[1]))
        elif request[0] == "add":
            added.extend(request[1])
            control.send(True)
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


def _worker(
    connection: Connection,
    opener: StoreOpener,
    added: Sequence[ox.Quad],
    settings: Settings,
    limits: tuple[int, float],
) -> None:
    """Answer jobs until the connection closes, or until a slow job lowered its priority; never returns.
    `limits`: the memory it may take beyond the graph (bytes, 0: any), the seconds before it yields."""
    memory, yield_after = limits
    # A query over its memory aborts the process: that is its expected end, not a crash to report.
    faulthandler.disable()
    try:
        if memory > 0:
            _limit_memory(memory)
        store = opener()
        if added:
            store.add_all(added)  # type: ignore[attr-defined]
        while True:
            try:
                job = _next_job(connection)
            except (EOFError, OSError):
                break
            answered = _answer_yielding(store, job, settings, yield_after)
            connection.send(answered)
            if answered.retired:
                break
    finally:
        os._exit(0)


def _answer_yielding(store: Store, job: Job, settings: Settings, after: float) -> Answer:
    """The job's answer. Past `after` seconds, the worker lowers its priority for the rest of the job (the
    cores then go to the short jobs of the other workers first), and retires once it has answered: a
    process may not raise its priority again.

    A timer signal marks the moment, at no cost to a short job (a thread would cost it a few switches).
    """
    if after <= 0:
        return _answer_safely(store, job, settings)
    lowered: list[bool] = []

    def lower(signum: int, frame: object) -> None:
        # Run in the thread that runs the job, the one whose priority Linux then lowers.
        os.setpriority(os.PRIO_PROCESS, 0, os.getpriority(os.PRIO_PROCESS, 0) + SLOW_NICENESS)
        lowered.append(True)

    signal.signal(signal.SIGALRM, lower)
    signal.siginterrupt(signal.SIGALRM, False)  # system calls under way go on, as if no signal came
    signal.setitimer(signal.ITIMER_REAL, after)
    try:
        answered = _answer_safely(store, job, settings)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return replace(answered, retired=True) if lowered else answered


def _next_job(connection: Connection) -> Job:
    """The next job the server sends, read in as few reads as its size allows."""
    received = bytearray()
    while (message := framed(received)) is None:
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
