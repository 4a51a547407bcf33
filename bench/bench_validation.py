"""Validation: the whole graph with the project's engine and with pyshacl, and a contribution against it."""

import subprocess
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import shacl

from bench.common import (
    Check,
    Context,
    Dataset,
    Section,
    Table,
    Timing,
    count,
    growth_table,
    megabytes,
    ratio,
    seconds,
)
from csei_graph.namespaces import CSEI, CSEID, PREFIXES
from csei_graph.settings import Settings
from csei_graph.sources import Source, builtin_sources, discover
from csei_graph.stores.embedded import GraphStore
from csei_graph.validation import contribute
from csei_graph.validation.contribute import check_in, read_contribution
from csei_graph.validation.report import Result
from csei_graph.validation.validate import (
    PIECES_ABOVE,
    around_changes,
    project_shapes,
    validate_store,
    whole_graph,
)

TITLE = "Validation"
INTRO = f"""Each figure is one call in a fresh process, on the built-in graph together with the synthetic
graph, loaded in memory first (the load is not counted; `peak MB` is the whole process's, load included).
*Full validation*: `validate_store` over the whole graph (what `csei validate` runs on the built-in
graph): the triples handed to the engine, the engine's run, its report read, each result named and placed
in its file. *Project* is the default engine (`shacl`, compiled; SPARQL targets evaluated on the
embedded store; above {PIECES_ABOVE:,} triples, the graph checked in pieces: a few thousand focus nodes at a
time, each piece with the triples its checks read); *pyshacl* the reference engine, the same call with
`engine="pyshacl"`; *bare `shacl` engine* the compiled engine alone, given the project's shapes and the
whole graph as N-Triples text in one call (what a user of the engine without the project would run;
its result count is the engine's, every result of the report). *Same results*
compares the two sets of (focus node, path, constraint component, severity), blank nodes unnamed.
*Contribution*: a file of about 1,000 triples (new clusters with members and memberships, new members
of existing clusters, a partnership of existing clusters, and four defects) checked as `csei validate
FILE` checks it against the graph (`check_in`: read strictly, refusals, focused validation of what it
touches), against a full validation of the graph with it, whose results on the same focus nodes must be
the same."""
SLOW_TRIPLES = 50_000  # above this, pyshacl runs once
PYSHACL_TIMEOUT_SECONDS = 1500.0
FULL_TIMEOUT_SECONDS = 900.0
BARE_TIMEOUT = 900.0
SPEED_TARGET = 20.0  # issue 6: full validation at least 20× faster than pyshacl at 1M
CONTRIBUTION_TARGET_SECONDS = 1.0
NEW_CLUSTERS = 4
MEMBERS_PER_NEW_CLUSTER = 19
EXISTING_CLUSTERS = 6
XSD = PREFIXES["xsd"]
ORG = PREFIXES["org"]
SKOS = PREFIXES["skos"]
RDF_TYPE = f"{PREFIXES['rdf']}type"
ACTOR_KINDS = (
    "social-economy-entity",
    "mainstream-enterprise",
    "public-authority",
    "civil-society-organisation",
)


def _sources(path: str, settings: Settings) -> list[Source]:
    builtin = builtin_sources(settings)
    return builtin + discover([Path(path)]) if path else builtin


def _keys(results: list[Result], focus: frozenset[str] | None = None) -> list[list[str]]:
    """The results as (focus, path, component, severity), blank nodes unnamed, on `focus` when given."""
    keys = {
        (
            "_:" if r.focus.startswith("_:") else r.focus,
            r.path or "",
            r.component or r.rule or "",
            r.severity,
        )
        for r in results
        if focus is None or r.focus in focus
    }
    return sorted(list(key) for key in keys)


def full_validation(path: str, engine: str) -> dict[str, Any]:
    """Load the graph (not timed), then validate all of it with one engine."""
    settings = Settings.from_env()
    sources = _sources(path, settings)
    store = GraphStore.from_sources(sources, settings)
    started = time.perf_counter()
    report = validate_store(store, whole_graph(store), engine, files=[s.path for s in sources])
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "keys": _keys(report.results)}


def bare_shacl(path: str) -> dict[str, Any]:
    """The compiled `shacl` engine alone on the whole graph: the project's shapes and the graph's
    triples as N-Triples text, compiled and validated in one call (the text's making not timed)."""
    settings = Settings.from_env()
    store = GraphStore.from_sources(_sources(path, settings), settings)
    graphs = [ox.DefaultGraph(), *(ox.NamedNode(name) for name in store.graph_names())]
    data = b"".join(store.dump(ox.RdfFormat.N_TRIPLES, graph) for graph in graphs).decode()
    shapes_text = project_shapes().ntriples
    started = time.perf_counter()
    report = shacl.Shapes.from_text(shapes_text, format="ntriples").validate_text(data, format="ntriples")
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "results": len(report.results)}


def contribution_focused(path: str, contribution: str) -> dict[str, Any]:
    """Load the graph (not timed), then check the contribution against it as `csei validate FILE` does."""
    settings = Settings.from_env()
    sources = _sources(path, settings)
    store = GraphStore.from_sources(sources, settings)
    started = time.perf_counter()
    read = read_contribution([Path(contribution)], settings)
    report = check_in(store, sources, read, settings=settings)
    elapsed = time.perf_counter() - started
    scope = around_changes(store, read.quads)
    return {
        "seconds": elapsed,
        # The refusals of `check_in` (protected terms, redefinitions) are not SHACL results.
        "keys": _keys([r for r in report.results if r.component]),
        "focus": sorted(str(node) for node in scope.focus or ()),
        "focused": scope.focus is not None,
        "validated_triples": len(scope.data.ntriples.splitlines()),
        "triples": len(read.quads),
        "violations": len(report.violations),
    }


# The steps of `check_in`, each a name of the module it is called through, as the cause of a miss tells them.
CHECK_IN_STEPS = {
    "refusals": "refusals (protected terms)",
    "find": "conflicts with the graph",
    "admission_refusal": "the admission policy once merged",
    "around_changes": "the focus nodes and the triples they read",
    "validate_store": "the shapes' engine, its report read and placed",
    "_placed": "results placed in the file",
}


def contribution_steps(path: str, contribution: str) -> dict[str, float]:
    """Where the check of a contribution goes: the same call as `contribution_focused`, once, each of
    its steps timed by a wrapper (a few calls each: the wrappers cost nothing measurable)."""
    settings = Settings.from_env()
    sources = _sources(path, settings)
    store = GraphStore.from_sources(sources, settings)
    spent = dict.fromkeys(["reading the file", *CHECK_IN_STEPS.values()], 0.0)
    owners = {
        "refusals": contribute,
        "find": contribute.conflicts,
        "admission_refusal": GraphStore,
        "around_changes": contribute,
        "validate_store": contribute,
        "_placed": contribute,
    }
    for name, owner in owners.items():
        setattr(owner, name, _timed_into(spent, CHECK_IN_STEPS[name], getattr(owner, name)))
    started = time.perf_counter()
    read = read_contribution([Path(contribution)], settings)
    spent["reading the file"] = time.perf_counter() - started
    check_in(store, sources, read, settings=settings)
    return spent


def _timed_into(spent: dict[str, float], step: str, function: Any) -> Any:
    def timed(*arguments: Any, **keywords: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*arguments, **keywords)
        finally:
            spent[step] += time.perf_counter() - started

    return timed


def contribution_full(path: str, contribution: str) -> dict[str, Any]:
    """Load the graph and the contribution (not timed), then validate all of it; keys on the focus nodes."""
    settings = Settings.from_env()
    sources = _sources(path, settings)
    store = GraphStore.from_sources(sources, settings)
    read = read_contribution([Path(contribution)], settings)
    store.add_all(read.quads)
    focus = frozenset(str(node) for node in around_changes(store, read.quads).focus or ())
    started = time.perf_counter()
    report = validate_store(store, whole_graph(store), "shacl", files=[s.path for s in sources])
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "keys": _keys(report.results, focus)}


def run(context: Context) -> Section:
    section = Section(TITLE, INTRO)
    full_rows: list[list[str]] = []
    contribution_rows: list[list[str]] = []
    series: dict[str, dict[int, float]] = {}
    builtin = _full(context, "", slow=False)
    builtin_triples = len(GraphStore.from_sources(builtin_sources(context.settings), context.settings))
    full_rows += _full_rows("built-in", builtin_triples, builtin)
    for dataset in context.datasets:
        measured = _full(context, str(dataset.trig), slow=dataset.triples > SLOW_TRIPLES)
        full_rows += _full_rows(dataset.label, dataset.triples, measured)
        series.setdefault("full, project", {})[dataset.triples] = measured["project"].median
        if isinstance(measured["pyshacl"], Timing):
            series.setdefault("full, pyshacl", {})[dataset.triples] = measured["pyshacl"].median
        contribution = _contribution(context, dataset)
        contribution_rows.append(contribution["row"])
        series.setdefault("contribution, focused", {})[dataset.triples] = contribution["focused"].median
        if dataset.label == "1M":
            section.checks += _checks(measured, contribution)
    section.tables += [
        Table(
            "Full validation",
            ["graph", "triples", "engine", "runs", "median", "min–max", "results", "peak MB", "vs project"],
            full_rows,
            [
                "`vs project`: median over the project's, same graph. `results`: distinct (focus node, "
                "path, component, severity); `same results` is in the row of pyshacl.",
                f"pyshacl runs once above {count(SLOW_TRIPLES)} triples, with a limit of "
                f"{PYSHACL_TIMEOUT_SECONDS:.0f} s.",
            ],
        ),
        Table(
            "A 1,000-triple contribution",
            [
                "graph",
                "triples added",
                "focus nodes",
                "triples validated",
                "runs",
                "focused",
                "min–max",
                "full validation",
                "full / focused",
                "same results on the focus nodes",
                "peak MB",
            ],
            contribution_rows,
            [
                "`focused`: the whole check of the file, read included. `full validation`: the whole "
                "graph with the contribution, one run. `triples validated`: what the focused run hands "
                "to the engine, the ontology included."
            ],
        ),
        growth_table("Growth of validation times", series, context.datasets),
    ]
    return section


def _measure(
    context: Context, function: str, arguments: tuple[str, ...], runs: int | None, timeout: float
) -> Timing:
    """Runs in fresh processes; the seconds each call reports of itself (the graph's load left out)."""
    spent: list[float] = []
    peaks: list[float] = []
    result: Any = None
    while not spent or len(spent) < context.runs_for(spent[0], runs):
        timing = context.in_subprocess(function, *arguments, runs=1, timeout=timeout)
        result = timing.result
        spent.append(result["seconds"])
        peaks.append(timing.peak_mb or 0.0)
    return Timing(spent, result, sorted(peaks)[len(peaks) // 2])


def _full(context: Context, path: str, slow: bool) -> dict[str, Any]:
    project = _measure(
        context, "bench.bench_validation:full_validation", (path, "shacl"), None, FULL_TIMEOUT_SECONDS
    )
    reference: Timing | str
    try:
        reference = _measure(
            context,
            "bench.bench_validation:full_validation",
            (path, "pyshacl"),
            1 if slow else None,
            PYSHACL_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        reference = f"timed out after {PYSHACL_TIMEOUT_SECONDS:.0f} s"
    bare: Timing | str
    try:
        bare = _measure(
            context, "bench.bench_validation:bare_shacl", (path,), 1 if slow else None, BARE_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        bare = f"timed out after {BARE_TIMEOUT:.0f} s"
    return {"project": project, "pyshacl": reference, "bare": bare}


def _full_rows(label: str, triples: int, measured: dict[str, Any]) -> list[list[str]]:
    project: Timing = measured["project"]
    reference = measured["pyshacl"]
    project_keys = {tuple(k) for k in project.result["keys"]}
    rows = [
        [
            label,
            count(triples),
            "project (shacl)",
            str(len(project.seconds)),
            seconds(project.median),
            project.spread,
            count(len(project_keys)),
            megabytes(project.peak_mb),
            ratio(1.0),
        ]
    ]
    if isinstance(reference, Timing):
        rows.append(
            [
                label,
                count(triples),
                f"pyshacl; same results: {_same(project_keys, reference)}",
                str(len(reference.seconds)),
                seconds(reference.median),
                reference.spread,
                count(len(reference.result["keys"])),
                megabytes(reference.peak_mb),
                ratio(reference.median / project.median),
            ]
        )
    else:
        rows.append([label, count(triples), f"pyshacl: {reference}", "1", "–", "–", "–", "–", "–"])
    bare = measured["bare"]
    if isinstance(bare, Timing):
        rows.append(
            [
                label,
                count(triples),
                "bare `shacl` engine, whole graph at once",
                str(len(bare.seconds)),
                seconds(bare.median),
                bare.spread,
                f"{count(bare.result['results'])} (engine's own count)",
                megabytes(bare.peak_mb),
                ratio(bare.median / project.median),
            ]
        )
    else:
        rows.append([label, count(triples), f"bare `shacl` engine: {bare}", "1", "–", "–", "–", "–", "–"])
    return rows


def _same(project_keys: set[tuple[str, ...]], reference: Timing) -> str:
    reference_keys = {tuple(k) for k in reference.result["keys"]}
    if project_keys == reference_keys:
        return "yes"
    only_project, only_reference = project_keys - reference_keys, reference_keys - project_keys
    return f"**no** ({len(only_project)} only in the project's, {len(only_reference)} only in pyshacl's)"


def _contribution(context: Context, dataset: Dataset) -> dict[str, Any]:
    folder = context.scratch(f"contribution-{dataset.label}")
    contribution = folder / "contribution.ttl"
    contribution.write_text(contribution_turtle(_existing_clusters(dataset.trig)), encoding="utf-8")
    arguments = (str(dataset.trig), str(contribution))
    focused = _measure(
        context, "bench.bench_validation:contribution_focused", arguments, None, FULL_TIMEOUT_SECONDS
    )
    full = _measure(context, "bench.bench_validation:contribution_full", arguments, 1, FULL_TIMEOUT_SECONDS)
    steps = context.in_subprocess("bench.bench_validation:contribution_steps", *arguments, runs=1)
    result = focused.result
    same_keys = {tuple(k) for k in result["keys"]} == {tuple(k) for k in full.result["keys"]}
    same = f"yes ({count(len(result['keys']))} results)" if same_keys else "**no**"
    row = [
        dataset.label,
        count(result["triples"]),
        count(len(result["focus"])) if result["focused"] else "whole graph",
        count(result["validated_triples"]),
        str(len(focused.seconds)),
        seconds(focused.median),
        focused.spread,
        seconds(full.median),
        ratio(full.median / focused.median),
        same,
        megabytes(focused.peak_mb),
    ]
    return {"focused": focused, "full": full, "same": same_keys, "row": row, "steps": steps.result}


def _existing_clusters(trig: Path) -> list[str]:
    """Clusters of the synthetic graph the contribution refers to, the same ones at every run."""
    store = ox.Store()
    store.load(path=str(trig), format=ox.RdfFormat.TRIG)
    query = (
        f"SELECT DISTINCT ?c WHERE {{ ?c <{CSEI}country> ?country ; a ?type . ?m <{ORG}organization> ?c }}"
    )
    query += f" ORDER BY ?c LIMIT {EXISTING_CLUSTERS}"
    return [row["c"].value for row in store.query(query, use_default_graph_as_union=True)]  # type: ignore[union-attr,index]


def contribution_turtle(existing: list[str]) -> str:
    """About 1,000 triples: new clusters with members, links to existing clusters, four known defects.

    The defects: a cluster without a country, a membership without its member, a start date typed as
    a plain string, an actor kind of another concept scheme.
    """
    lines = [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in PREFIXES.items()]
    concept = f"{CSEID}concept"
    for number in range(1, NEW_CLUSTERS + 1):
        cluster = f"<{CSEID}cluster/contributed-cluster-{number}>"
        country = (
            "" if number == 1 else f" ;\n  csei:country country:{('FRA', 'DEU', 'ITA', 'ESP')[number - 1]}"
        )
        lines.append(
            f'{cluster} a csei:CSEI ;\n  skos:prefLabel "Contributed Cluster {number}"@en{country} ;\n'
            f'  csei:place "Lyon" ;\n  csei:industrialEcosystem <{concept}/industrial-ecosystem/textiles> ;\n'
            f"  csei:activityStatus <{concept}/activity-status/active> ;\n"
            f'  schema:foundingDate "2019"^^xsd:gYear ;\n'
            f"  foaf:homepage <https://contributed-{number}.example.org/> ;\n"
            f"  csei:fostersInnovation <{concept}/innovation-type/social> ."
        )
        for member in range(1, MEMBERS_PER_NEW_CLUSTER + 1):
            lines += _member(number, member, cluster, existing)
    partners = " , ".join(f"<{iri}>" for iri in existing)
    if existing:
        lines.append(
            f"<{CSEID}partnership/contributed-partnership> a csei:Partnership ;\n"
            f'  skos:prefLabel "Contributed Partnership"@en ;\n'
            f"  csei:fundedBy <{CSEID}action/euroclusters> ;\n"
            f'  schema:startDate "2023-01-01"^^xsd:date ;\n  schema:endDate "2025-12-31"^^xsd:date ;\n'
            f"  csei:leadPartner <{existing[0]}> ;\n  csei:partner {partners} ."
        )
    return "\n".join(lines) + "\n"


def _member(number: int, member: int, cluster: str, existing: list[str]) -> list[str]:
    slug = f"contributed-member-{number}-{member}"
    organisation = f"<{CSEID}organisation/{slug}>"
    kind = ACTOR_KINDS[member % len(ACTOR_KINDS)]
    kind_iri = (
        f"{CSEID}concept/industrial-ecosystem/digital"
        if (number, member) == (2, 2)
        else f"{CSEID}concept/actor-kind/{kind}"
    )
    start = '"2021-03-01"' if (number, member) == (3, 3) else '"2021-03-01"^^xsd:date'
    member_triple = "" if (number, member) == (4, 4) else f" ;\n  org:member {organisation}"
    lines = [
        f'{organisation} a org:Organization ;\n  skos:prefLabel "Contributed Member {number}-{member}"@en ;\n'
        f'  csei:country country:FRA ;\n  csei:actorKind <{kind_iri}> ;\n  csei:place "Lyon" .',
        f"{cluster} org:hasMember {organisation} .",
        f"<{CSEID}membership/{slug}> a org:Membership ;\n"
        f'  skos:prefLabel "Contributed Member {number}-{member}"@en ;\n'
        f"  org:organization {cluster}{member_triple} ;\n  org:role <{CSEID}concept/role/member> ;\n"
        f"  schema:startDate {start} .",
    ]
    if existing and member <= 2:
        # New members of existing clusters: the focused run must look at those clusters too.
        joined = existing[(number + member) % len(existing)]
        lines.append(
            f"<{CSEID}membership/{slug}-joins> a org:Membership ;\n"
            f'  skos:prefLabel "Contributed Member {number}-{member} (joins)"@en ;\n'
            f"  org:organization <{joined}> ;\n  org:member {organisation} ;\n"
            f'  org:role <{CSEID}concept/role/partner> ;\n  schema:startDate "2022-05-01"^^xsd:date .'
        )
    return lines


def _checks(measured: dict[str, Any], contribution: dict[str, Any]) -> list[Check]:
    project: Timing = measured["project"]
    reference = measured["pyshacl"]
    if isinstance(reference, Timing):
        speed = reference.median / project.median
        same = _same({tuple(k) for k in project.result["keys"]}, reference)
        full_check = Check(
            f"1M: full validation ≥ {SPEED_TARGET:.0f}× faster than pyshacl, identical results",
            f"{ratio(speed)} ({seconds(project.median)} against {seconds(reference.median)}); same: {same}",
            speed >= SPEED_TARGET and same == "yes",
        )
    else:
        bound = PYSHACL_TIMEOUT_SECONDS / project.median
        full_check = Check(
            f"1M: full validation ≥ {SPEED_TARGET:.0f}× faster than pyshacl, identical results",
            f"> {ratio(bound)} ({seconds(project.median)}; pyshacl {reference}); results not compared",
            False,
            f"pyshacl was stopped at its limit of {PYSHACL_TIMEOUT_SECONDS:.0f} s: no results to compare",
        )
    focused: Timing = contribution["focused"]
    return [
        full_check,
        Check(
            "1M: 1,000-triple contribution validated in < 1 s",
            f"{seconds(focused.median)}; same results as a full validation: "
            + ("yes" if contribution["same"] else "**no**"),
            focused.median < CONTRIBUTION_TARGET_SECONDS and contribution["same"],
            "of one check timed step by step: "
            + "; ".join(f"{step} {seconds(spent)}" for step, spent in contribution["steps"].items()),
        ),
    ]
