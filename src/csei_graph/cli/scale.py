"""Commands for working at scale: `csei synth` writes a synthetic graph of any size."""

from pathlib import Path

import click

from csei_graph.cli import LazyChoice, main, user_errors


@main.command("synth")
@click.option("--clusters", type=int, required=True, help="Number of clusters (about 400 triples each).")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same bytes.")
@click.option("--defects", type=int, default=0, show_default=True, help="Number of known defects to inject.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (.nq or .trig); standard output when not given.",
)
@click.option(
    "--format", "output_format", type=LazyChoice("csei_graph.synth", "FORMATS"), help="N-Quads or TriG."
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the defects and counts as JSON (default: FILE.defects.json with --defects).",
)
@user_errors
def synth_command(
    *,
    clusters: int,
    seed: int,
    defects: int,
    out: Path | None,
    output_format: str | None,
    manifest: Path | None,
) -> None:
    """Write a realistic synthetic graph of CSEI clusters, streamed, in its own named graph."""
    from csei_graph import synth
    from csei_graph.progress import progress

    with progress("synth", clusters, unit="clusters") as shown:
        result = synth.write_synthetic(
            out, clusters, seed, defects=defects, output_format=output_format, manifest=manifest, shown=shown
        )
    click.echo(
        f"{result.triples} triples in <{result.graph}>: {result.clusters} clusters, "
        f"{result.organisations} organisations ({result.shared_organisations} in several clusters), "
        f"{result.memberships} memberships, {len(result.defects)} defects",
        err=True,
    )
