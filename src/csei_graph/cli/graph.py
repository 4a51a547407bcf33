"""Commands that load the graph and describe it: `csei info` and `csei check`."""

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from csei_graph.cli import EXIT_PROBLEMS, main, user_errors
from csei_graph.settings import Settings


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
@user_errors
def info(settings: Settings, sources: tuple[Path, ...], output: str) -> None:
    """Print which graph is in use and what it holds: triples, graphs, clusters per country, classes."""
    from csei_graph import api, releases, workspace
    from csei_graph.namespaces import shorten

    result = api.summary(api.open_graph(sources, settings=settings))
    graph, release = workspace.describe(settings), releases.identity(settings)
    if output == "json":
        described = {"graph": graph, "release": release, **asdict(result)}
        click.echo(json.dumps(described, indent=2, ensure_ascii=False))
        return
    click.echo(f"graph: {graph}")
    click.echo(f"release: {release}")
    click.echo(f"triples: {result.triples} (in {result.graphs} named graphs)")
    click.echo("clusters per country:")
    for country, count in result.clusters_per_country.items():
        click.echo(f"  {count:>5}  {country}")
    click.echo("instances per class:")
    for class_iri, count in result.classes.items():
        click.echo(f"  {count:>5}  {shorten(class_iri)}")


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
@user_errors
def check(settings: Settings, sources: tuple[Path, ...]) -> None:
    """Load the ontology and data (and any given files) and report problems; exit 1 if any."""
    from csei_graph import api

    problems = api.check(api.open_graph(sources, settings=settings))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo("no problems found")
