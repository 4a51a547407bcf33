"""Validation reports: results read from a SHACL report graph; text, Turtle, JSON, SARIF, GitHub forms."""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from csei_graph.namespaces import PREFIXES, compact

FORMATS = ("text", "turtle", "json", "sarif", "github")
SEVERITIES = ("Violation", "Warning", "Info")
_PATH_FORMS = {
    SH.inversePath: "^{}",
    SH.zeroOrMorePath: "{}*",
    SH.oneOrMorePath: "{}+",
    SH.zeroOrOnePath: "{}?",
}
_SARIF_LEVELS = {"Violation": "error", "Warning": "warning", "Info": "note"}
_GITHUB_COMMANDS = {"Violation": "error", "Warning": "warning", "Info": "notice"}


@dataclass(frozen=True)
class Location:
    """Where something is written: a file, and the line and column when known."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.path] + [str(n) for n in (self.line, self.column) if n is not None]
        return ":".join(parts)


@dataclass(frozen=True)
class Result:
    """One finding: how serious, on which resource, what is wrong and which rule says so."""

    severity: str
    focus: str
    message: str
    path: str | None = None
    value: str | None = None
    rule: str | None = None
    component: str | None = None
    label: str | None = None
    location: Location | None = None

    @property
    def blocking(self) -> bool:
        """Whether it makes the data wrong; a severity other than Warning or Info counts as a Violation."""
        return self.severity not in ("Warning", "Info")


@dataclass(frozen=True)
class EngineRun:
    """An engine's SHACL validation report, and the named shape each blank-node shape belongs to."""

    graph: Graph
    roots: dict[Node, Node]


@dataclass(frozen=True)
class Rule:
    """A shape or check results come from, with what docs and SARIF say about it."""

    name: str
    description: str


@dataclass
class Report:
    """The results of one validation run and the SHACL report graph they were read from."""

    results: list[Result]
    graph: Graph
    engine: str
    rules: dict[str, Rule] = field(default_factory=dict)

    @property
    def violations(self) -> list[Result]:
        """Results that make the data wrong."""
        return [r for r in self.results if r.blocking]

    @property
    def warnings(self) -> list[Result]:
        """Results that only recommend."""
        return [r for r in self.results if not r.blocking]

    @property
    def conforms(self) -> bool:
        """True when nothing makes the data wrong (warnings allowed)."""
        return not self.violations

    def passes(self, strict: bool = False) -> bool:
        """Whether the data passes: no violation, and under `strict` no warning either."""
        return not self.results if strict else self.conforms

    def summary(self) -> str:
        """One line: how many violations and warnings, on how many resources."""
        focus_count = len({r.focus for r in self.results})
        # "on 0 resources" read as if nothing had been checked: name resources only when some are at fault.
        where = f" on {_count(focus_count, 'resource')}" if focus_count else ""
        return (
            f"{_count(len(self.violations), 'violation')}, {_count(len(self.warnings), 'warning')}"
            f"{where} ({self.engine} engine)"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path in SPARQL path syntax."""
    text, _ = _path(graph, path)
    return text


# Binding strength in SPARQL paths: an alternative binds least, then a sequence, then ^ * + ?.
_ALTERNATIVE, _SEQUENCE, _UNARY, _IRI = range(4)


def _path(graph: Graph, path: Node) -> tuple[str, int]:
    if isinstance(path, URIRef):
        return compact(path), _IRI
    if (path, RDF.first, None) in graph:
        return "/".join(_operand(graph, item, _SEQUENCE) for item in Collection(graph, path)), _SEQUENCE
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        items = Collection(graph, alternatives)
        return "|".join(_operand(graph, item, _ALTERNATIVE) for item in items), _ALTERNATIVE
    for predicate, form in _PATH_FORMS.items():
        inner = graph.value(path, predicate)
        if inner is not None:
            return form.format(_operand(graph, inner, _IRI)), _UNARY
    return compact(path), _IRI


def _operand(graph: Graph, path: Node, weakest: int) -> str:
    """A path inside another, in brackets when it binds less than its place needs."""
    text, strength = _path(graph, path)
    bracket = strength != _IRI if weakest == _IRI else strength < weakest
    return f"({text})" if bracket else text


def read_results(
    run: EngineRun, shapes: Graph, engine: str, keep: Callable[[Node], bool] = lambda _: True
) -> Report:
    """The results of an engine's report whose focus node `keep` accepts; the graph keeps only them."""
    report = run.graph
    kept = Graph()
    for prefix, namespace in PREFIXES.items():
        kept.bind(prefix, namespace)
    kept.bind("sh", str(SH))
    results: list[Result] = []
    rules: dict[str, Rule] = {}
    report_node = BNode()
    kept.add((report_node, RDF.type, SH.ValidationReport))
    for node in report.objects(None, SH.result):
        focus = report.value(node, SH.focusNode)
        if focus is None or not keep(focus):
            continue
        kept.add((report_node, SH.result, node))
        _copy_tree(report, node, kept)
        result, rule_id, rule = _result(report, node, shapes, run.roots)
        results.append(result)
        if rule_id and rule:
            rules[rule_id] = rule
    kept.add((report_node, SH.conforms, Literal(not results)))
    return Report(sorted(results, key=sort_key), kept, engine=engine, rules=rules)


def _copy_tree(source: Graph, node: Node, target: Graph) -> None:
    for predicate, value in source.predicate_objects(node):
        target.add((node, predicate, value))
        if isinstance(value, BNode) and predicate not in {SH.sourceShape, SH.sourceConstraint}:
            _copy_tree(source, value, target)


def _result(
    report: Graph, node: Node, shapes: Graph, roots: dict[Node, Node]
) -> tuple[Result, str | None, Rule | None]:
    severity_iri = report.value(node, SH.resultSeverity)
    severity = str(severity_iri).removeprefix(str(SH)) if severity_iri else "Violation"
    component = report.value(node, SH.sourceConstraintComponent)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    source_shape = report.value(node, SH.sourceShape)
    constraint = report.value(node, SH.sourceConstraint)
    # A named SHACL-SPARQL constraint is the more precise rule; otherwise the (nearest named) shape.
    if isinstance(constraint, URIRef) and (constraint, SH.select, None) in shapes:
        shape: Node | None = constraint
    else:
        shape = roots.get(source_shape) or _named_shape(shapes, source_shape)
    messages = list(report.objects(node, SH.resultMessage))
    message = _message(messages) or _default_message(component, path, report)
    focus = report.value(node, SH.focusNode)
    result = Result(
        severity=severity,
        focus=str(focus) if isinstance(focus, URIRef) else f"_:{focus}",
        message=message,
        path=path_text(report, path) if path is not None else None,
        value=compact(value) if value is not None else None,
        rule=compact(shape) if shape is not None else None,
        component=compact(component) if component is not None else None,
    )
    if shape is None:
        return result, None, None
    name = shapes.value(shape, SH.name)
    description = shapes.value(shape, SH.description)
    rule = Rule(str(name) if name else compact(shape), str(description) if description else "")
    return result, compact(shape), rule


def _named_shape(shapes: Graph, shape: Node | None) -> Node | None:
    """The shape itself when it has an IRI, else the nearest named shape it is a property of."""
    seen: set[Node] = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        shape = shapes.value(None, SH.property, shape)
    return shape if isinstance(shape, URIRef) else None


def _message(messages: list[Node]) -> str:
    english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
    return str(sorted(english or messages, key=str)[0]) if messages else ""


def _default_message(component: Node | None, path: Node | None, report: Graph) -> str:
    """A message for a shape that gives none (the compiled engine makes none up)."""
    name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent") if component else "A"
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
    where = f" on {path_text(report, path)}" if path is not None else ""
    return f"{words[:1].upper()}{words[1:]} constraint not met{where}"


def sort_key(result: Result) -> tuple[str, int, str, int, str, str, str]:
    """Results in file order, then by resource, severity, path, value and message."""
    location = result.location or Location("~")
    severity = SEVERITIES.index(result.severity) if result.severity in SEVERITIES else -1
    return (
        location.path,
        location.line or 0,
        result.focus,
        severity,
        result.path or "",
        result.value or "",
        result.message,
    )


def annotated(
    report: Report,
    labels: Callable[[str], str | None],
    locations: Callable[[Iterable[str]], dict[str, Location]],
) -> Report:
    """The report with every result's resource named and placed in its file, in file order."""
    where = locations({r.focus for r in report.results})
    results = [replace(r, label=labels(r.focus), location=where.get(r.focus)) for r in report.results]
    return replace(report, results=sorted(results, key=sort_key))


def render(report: Report, output: str, base: Path | None = None) -> str:
    """The report in one of FORMATS; file paths relative to `base` where they lie under it."""
    if output == "text":
        return as_text(report, base)
    if output == "turtle":
        return report.graph.serialize(format="turtle")
    if output == "json":
        return as_json(report, base)
    if output == "sarif":
        return as_sarif(report, base)
    if output == "github":
        return as_github(report, base)
    raise ValueError(f"unknown report format {output!r}: use one of {', '.join(FORMATS)}")


def _relative(location: Location | None, base: Path | None) -> Location | None:
    if location is None or base is None:
        return location
    path = Path(location.path)
    try:
        return replace(location, path=str(path.resolve().relative_to(base.resolve())))
    except ValueError:
        return location


def as_text(report: Report, base: Path | None = None) -> str:
    """Results grouped by resource: its name and place, then each finding's path, value and message."""
    lines: list[str] = []
    focus = None
    for result in report.results:
        if result.focus != focus:
            if focus is not None:
                lines.append("")
            focus = result.focus
            where = _relative(result.location, base)
            label = f" {json.dumps(result.label, ensure_ascii=False)}" if result.label else ""
            lines.append(f"{compact_focus(result.focus)}{label}" + (f"  ({where})" if where else ""))
        # A SPARQL rule without a value of its own reports the resource itself as the value.
        value = result.value if result.value not in (None, compact(URIRef(result.focus))) else None
        detail = " ".join(part for part in (result.path, f"= {value}" if value else None) if part)
        lines.append(f"  {result.severity.lower()}: {result.message}")
        if detail or result.rule:
            rule = f"[{result.rule}]" if result.rule else ""
            lines.append(f"    {detail}  {rule}".rstrip() if detail else f"    {rule}")
    verdict = "conforms" if report.conforms else "does not conform"
    if lines:
        lines.append("")
    lines.append(f"{verdict}: {report.summary()}")
    return "\n".join(lines) + "\n"


def compact_focus(focus: str) -> str:
    """A focus node as the outputs show it."""
    return f"a blank node ({focus})" if focus.startswith("_:") else compact(URIRef(focus))


def as_json(report: Report, base: Path | None = None) -> str:
    """The report as a JSON object: the verdict, the counts and every result."""
    results = []
    for result in report.results:
        item = {k: v for k, v in asdict(result).items() if k != "location"}
        where = _relative(result.location, base)
        item.update(
            file=where.path if where else None,
            line=where.line if where else None,
            column=where.column if where else None,
        )
        results.append(item)
    document = {
        "conforms": report.conforms,
        "engine": report.engine,
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "results": results,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def as_sarif(report: Report, base: Path | None = None) -> str:
    """The report as SARIF 2.1.0, which code-review tools show on the lines of a pull request."""
    rule_ids = sorted({r.rule or r.component or "csei" for r in report.results})
    rules = [
        {
            "id": rule_id,
            "name": rule_id.split(":")[-1],
            "shortDescription": {"text": report.rules[rule_id].name if rule_id in report.rules else rule_id},
            "fullDescription": {
                "text": (report.rules[rule_id].description if rule_id in report.rules else "") or rule_id
            },
        }
        for rule_id in rule_ids
    ]
    results = []
    for result in report.results:
        rule_id = result.rule or result.component or "csei"
        where = _relative(result.location, base)
        location: dict[str, object] = {
            "logicalLocations": [{"fullyQualifiedName": result.focus, "kind": "resource"}]
        }
        if where:
            region = {"startLine": where.line or 1, **({"startColumn": where.column} if where.column else {})}
            location["physicalLocation"] = {"artifactLocation": {"uri": where.path}, "region": region}
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": rule_ids.index(rule_id),
                "level": _SARIF_LEVELS.get(result.severity, "error"),
                "message": {"text": _one_line(result)},
                "locations": [location],
                "properties": {"focusNode": result.focus, "resultPath": result.path, "value": result.value},
            }
        )
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "csei-graph",
                        "version": version("csei-graph"),
                        "informationUri": "https://w3id.org/csei/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _one_line(result: Result) -> str:
    about = " ".join(p for p in (compact_focus(result.focus), result.path, result.value) if p)
    return f"{about}: {result.message}"


def as_github(report: Report, base: Path | None = None) -> str:
    """The report as GitHub Actions workflow commands: one annotation per result."""
    lines = []
    for result in report.results:
        where = _relative(result.location, base)
        properties = []
        if where:
            properties.append(f"file={_escape_property(where.path)}")
            if where.line:
                properties.append(f"line={where.line}")
            if where.column:
                properties.append(f"col={where.column}")
        if result.rule:
            properties.append(f"title={_escape_property(result.rule)}")
        command = _GITHUB_COMMANDS.get(result.severity, "error")
        lines.append(f"::{command} {','.join(properties)}::{_escape_data(_one_line(result))}")
    return "".join(line + "\n" for line in lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
