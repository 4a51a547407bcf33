"""The benchmark suite of csei-graph: `python -m bench` measures the project against its baselines.

One run generates synthetic graphs of about 10k, 100k and 1M triples (`csei synth`), runs every
section on each of them, and writes the whole of docs/benchmarks.md: the exact command and how long it
took, the machine and versions, the machine's load while each section ran, the targets the project
must meet, and one section of tables per module. Each section measures the bare engines beside the
project (pyoxigraph's load, dump and queries, `oxigraph serve`, the `shacl` engine alone, pyshacl).
`python -m bench --quick` measures the 10k graph once, in minutes, before a change lands; the full run
takes more than an hour. The network view is always measured at 1M, in headless Chromium, whatever the
sizes. It needs the `bench` extra (`pip install -e '.[bench]'`), `wrk` (`apt-get install wrk`) and
Chromium (`apt-get install chromium`).

A section is a module `bench/bench_<name>.py`, listed in `bench.__main__.SECTIONS`, with:

    TITLE = "Stored queries"                      # the section's heading in docs/benchmarks.md

    def run(context: bench.common.Context) -> bench.common.Section:
        ...

`Context` holds the datasets (`context.datasets`: each with its label, triples, TriG and N-Quads
files and the manifest of its injected defects), a scratch folder, the settings to load them with,
the number of runs, and the helpers every section uses: `timed` (median of several runs),
`in_subprocess` (time and peak memory of one call in a fresh process), `growth` (exponents of each
figure with size). A `Section` holds tables (`Table`) and the `Check`s of the targets it measures.
"""
