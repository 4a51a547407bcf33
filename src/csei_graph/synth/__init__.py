"""Generates realistic synthetic CSEI graphs of any size, streamed, with a manifest of injected defects."""

import json
import sys
from pathlib import Path
from typing import TextIO

from csei_graph.files import atomic_writer
from csei_graph.namespaces import CSEI, PREFIXES
from csei_graph.progress import Progress
from csei_graph.synth.generator import Generator, slugify
from csei_graph.synth.result import DEFECT_KINDS, Defect, SynthResult, synthetic_graph_iri
from csei_graph.synth.tables import ACTOR_KINDS, EU_COUNTRIES, MAINTAINERS
from csei_graph.synth.writer import FORMATS, FORMATS_BY_SUFFIX, Terms, Triples, Writer, format_for_output


def synthesize(
    out: TextIO,
    clusters: int,
    seed: int,
    *,
    defects: int = 0,
    output_format: str = "nquads",
    shown: Progress | None = None,
) -> SynthResult:
    """Write a synthetic graph of `clusters` clusters to `out`; the same arguments give the same bytes.

    `shown` counts the clusters as they are written."""
    _check_sizes(clusters, defects)
    graph = synthetic_graph_iri(seed)
    writer = Writer(out, graph, format_for_output(None, output_format))
    result = SynthResult(seed=seed, graph=graph)
    writer.start(_graph_description(writer, seed, clusters, defects))
    Generator(seed, clusters, defects, writer, result).run(shown)
    writer.finish()
    result.triples = writer.triples
    return result


def _check_sizes(clusters: int, defects: int) -> None:
    if clusters < 1:
        raise ValueError(f"--clusters must be at least 1, not {clusters}")
    most = clusters * len(DEFECT_KINDS)
    if not 0 <= defects <= most:
        raise ValueError(
            f"--defects must be between 0 and {most} for {clusters} cluster(s) "
            f"(at most one of each of the {len(DEFECT_KINDS)} kinds per cluster), not {defects}"
        )


def _graph_description(writer: Writer, seed: int, clusters: int, defects: int) -> Triples:
    graph, t = writer.iri(synthetic_graph_iri(seed)), Terms(writer)
    rdfs_label = writer.iri(f"{PREFIXES['rdfs']}label")
    description = writer.iri(f"{PREFIXES['dct']}description")
    command = f"csei synth --clusters {clusters} --seed {seed}" + (f" --defects {defects}" if defects else "")
    return [
        (graph, t.a, writer.iri(f"{PREFIXES['prov']}Entity")),
        (graph, rdfs_label, t.name(f"Synthetic clusters (seed {seed})")),
        (
            graph,
            description,
            t.name(f"Made up by `{command}` to test and measure csei-graph; no fact in it is true."),
        ),
        (graph, writer.iri(f"{CSEI}provenanceKind"), t.concept("provenance-kind", "inferred")),
        (graph, writer.iri(f"{PREFIXES['prov']}wasAttributedTo"), t.resource("organisation", MAINTAINERS)),
    ]


def write_synthetic(
    out: Path | None,
    clusters: int,
    seed: int,
    *,
    defects: int = 0,
    output_format: str | None = None,
    manifest: Path | None = None,
    shown: Progress | None = None,
) -> SynthResult:
    """Write a synthetic graph to a file (atomically) or to standard output, and its defects manifest."""
    _check_sizes(clusters, defects)
    chosen = format_for_output(out, output_format)
    if defects and manifest is None:
        if out is None:
            raise ValueError("--defects writing to standard output needs --manifest FILE for the defect list")
        manifest = out.with_name(out.name + ".defects.json")
    if out is None:
        result = synthesize(sys.stdout, clusters, seed, defects=defects, output_format=chosen, shown=shown)
    else:
        with atomic_writer(out, text=True) as stream:
            result = synthesize(stream, clusters, seed, defects=defects, output_format=chosen, shown=shown)
    if manifest is not None:
        with atomic_writer(manifest, text=True) as stream:
            json.dump(result.manifest(), stream, indent=2)
            stream.write("\n")
    return result


__all__ = [
    "ACTOR_KINDS",
    "DEFECT_KINDS",
    "EU_COUNTRIES",
    "FORMATS",
    "FORMATS_BY_SUFFIX",
    "Defect",
    "SynthResult",
    "format_for_output",
    "slugify",
    "synthesize",
    "synthetic_graph_iri",
    "write_synthetic",
]
