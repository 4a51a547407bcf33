"""Query results as text: a table for people, SPARQL 1.1 JSON, XML, CSV and TSV; graphs in RDF syntaxes."""

import csv
import io
import json
import re
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from csei_graph import export
from csei_graph.namespaces import shorten
from csei_graph.queries.model import QueryResult
from csei_graph.sparql_syntax import GRAPH_FORMS
from csei_graph.terms import OxTerm

RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "jsonld", "ntriples")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# What a spreadsheet reads as the start of a formula (OWASP, CSV injection): such a cell gets a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run: one starting like a formula gets a leading ' (OWASP's rule)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_results(body: bytes, output_format: str) -> bytes:
    """SPARQL results in CSV or TSV (as any writer wrote them) with every cell made safe; others as they are.

    In CSV every cell that starts like a formula gets its '. In TSV a cell is a term in SPARQL syntax: a
    text literal is quoted (`"=1+1"`, `"=1+1"@en`) and gets its ' inside the quotes, so the file stays
    valid TSV; any other term (an IRI, a blank node, a number, bare or typed) is read as it is.
    """
    if output_format == "csv":
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\r\n")
        rows = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
        writer.writerows([safe_cell(cell) for cell in row] for row in rows)
        return output.getvalue().encode("utf-8")
    if output_format == "tsv":
        lines = body.decode("utf-8").split("\n")
        cells = ("\t".join(_safe_term(cell) for cell in line.split("\t")) for line in lines)
        return "\n".join(cells).encode("utf-8")
    return body


_TYPED = re.compile(r'"(?:[^"\\]|\\.)*"\^\^<([^>]*)>')


def _safe_term(cell: str) -> str:
    """A TSV term with its text made safe: a literal's (but for a typed one, a number say, whose value
    a spreadsheet reads as it is), inside its quotes."""
    typed = _TYPED.fullmatch(cell)
    if not cell.startswith('"') or (typed and typed.group(1) != XSD_STRING):
        return cell
    return '"' + safe_cell(cell[1:])


def format_result(result: QueryResult, output_format: str | None = None, *, safe_csv: bool = True) -> str:
    """The result as text: table/csv/tsv/json/xml for SELECT and ASK, turtle/jsonld/ntriples for graphs.

    With `safe_csv` (the setting of that name), a CSV or TSV cell that a spreadsheet would read as a
    formula is neutralised (`safe_results`).
    """
    graph_result = result.form in GRAPH_FORMS
    output_format = output_format or ("turtle" if graph_result else "table")
    allowed = GRAPH_FORMATS if graph_result else RESULT_FORMATS
    if output_format not in allowed:
        raise ValueError(
            f"format {output_format!r} does not fit a {result.form} query; use one of {', '.join(allowed)}"
        )
    if graph_result:
        return _graph_text(result.triples, output_format)
    if result.boolean is not None:
        return _boolean_text(result.boolean, output_format)
    writer = {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml}[output_format]
    if safe_csv and output_format in ("csv", "tsv"):
        return safe_results(writer(result).encode("utf-8"), output_format).decode("utf-8")
    return writer(result)


def _cell(term: OxTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _table(result: QueryResult) -> str:
    cells = [[_cell(term).replace("\n", " ") for term in row] for row in result.rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(result.variables)]
    lines = [
        "  ".join(name.ljust(width) for name, width in zip(result.variables, widths, strict=True)),
        "  ".join("-" * width for width in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    count = len(result.rows)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _plain(term: OxTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, lines ending in CRLF."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows([_plain(term) for term in row] for row in result.rows)
    return output.getvalue()


def _tsv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results TSV: terms in their SPARQL syntax."""
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    lines += ["\t".join("" if term is None else str(term) for term in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json_term(term: OxTerm) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    value = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        value["datatype"] = term.datatype.value
    return value


def _json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {name: _json_term(term) for name, term in zip(result.variables, row, strict=True) if term is not None}
        for row in result.rows
    ]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _xml_term(term: OxTerm) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(result: QueryResult) -> str:
    """SPARQL Query Results XML."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "  <head>",
        *(f"    <variable name={quoteattr(name)}/>" for name in result.variables),
        "  </head>",
        "  <results>",
    ]
    for row in result.rows:
        lines.append("    <result>")
        for name, term in zip(result.variables, row, strict=True):
            if term is not None:
                lines.append(f"      <binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        lines.append("    </result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def _boolean_text(answer: bool, output_format: str) -> str:
    word = "true" if answer else "false"
    if output_format == "json":
        return json.dumps({"head": {}, "boolean": answer}, indent=2) + "\n"
    if output_format == "xml":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"  <head/>\n  <boolean>{word}</boolean>\n</sparql>\n"
        )
    return word + "\n"


def _graph_text(triples: Iterable[ox.Triple], output_format: str) -> str:
    """The triples as the project writes every graph: the same graph always gives the same text."""
    quads = (ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return export.to_bytes(quads, export.export_format(output_format)).decode("utf-8")
