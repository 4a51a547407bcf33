"""Commands that publish the graph: `csei export` (one file in one syntax) and `csei publish` (the site)."""

from pathlib import Path

import click

from csei_graph.cli import LazyChoice, main, user_errors
from csei_graph.settings import Settings


@main.command("export")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "format_name",
    type=LazyChoice("csei_graph.export", "FORMATS"),
    default="turtle",
    show_default=True,
    help="RDF syntax; nquads and trig keep the named graphs (the provenance of each fact).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write, replaced atomically; standard output when not given.",
)
@click.option("--gzip", "compress", is_flag=True, help="Compress the output with gzip (stable bytes).")
@click.pass_obj
@user_errors
def export_command(
    settings: Settings, *, sources: tuple[Path, ...], format_name: str, out: Path | None, compress: bool
) -> None:
    """Write the whole graph (and any SOURCES) in one syntax, the same bytes for the same graph."""
    from csei_graph import api
    from csei_graph.export import export_to_file, export_to_stdout

    store = api.open_graph(sources, settings=settings)
    if out is None:
        export_to_stdout(store, format_name, compress=compress, settings=settings)
        return
    export_to_file(store, format_name, out, compress=compress, settings=settings)
    click.echo(f"wrote {out} ({format_name}{', gzip' if compress else ''})", err=True)


@main.command("publish")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--site-url",
    help="Public address the site will be served from (sitemap, catalogue, w3id.org rules); "
    "default: the base IRI.",
)
@click.option("--release-date", help="Date (YYYY-MM-DD) of this release in the catalogue; default: today.")
@click.option("--quiet", is_flag=True, help="Print only the summary line.")
@click.option(
    "--full",
    is_flag=True,
    help="Write every page anew, even where an earlier site in OUTDIR says what changed.",
)
@click.pass_obj
@user_errors
def publish_command(
    settings: Settings,
    *,
    outdir: Path,
    sources: tuple[Path, ...],
    site_url: str | None,
    release_date: str | None,
    quiet: bool,
    full: bool,
) -> None:
    """Write the static linked-data site into OUTDIR, replacing an earlier site there only when done."""
    from csei_graph import api
    from csei_graph.progress import ShownSteps, Steps
    from csei_graph.site.build import publish

    if site_url is not None and not site_url.startswith(("https://", "http://")):
        raise ValueError(f"--site-url must be an http(s) address, not {site_url!r}")
    settings = settings.with_values(site_url=site_url, release_date=release_date)
    store = api.open_graph(sources, settings=settings)
    progress = Steps() if quiet else ShownSteps()
    report = publish(store, outdir, settings, progress=progress, full=full)
    rewritten = f", {report.rewritten} written anew" if report.incremental else ""
    click.echo(
        f"published {report.pages} pages ({report.resources} resources{rewritten}) and {report.files} "
        f"files to {report.outdir} in {report.seconds:.1f} s"
    )
