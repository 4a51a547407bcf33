"""Runs one measured call in this fresh process: `python -m bench.probe module:function ARGS...`.

Prints one line of JSON: the call's seconds, the process's peak resident memory (MB: the whole
process, imports included, as `ps` or a container's limit sees it), and what the call returned.
"""

import importlib
import json
import resource
import sys
import time


def _peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(target: str, *arguments: str) -> None:
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    started = time.perf_counter()
    result = function(*arguments)
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "peak_mb": _peak_mb(), "result": result}))


if __name__ == "__main__":
    main(*sys.argv[1:])
