"""The one Jinja environment of every page (the site's and the query editor's), and rendering.

Every view names its template (`template`, a class variable); templates live in `templates/`, the
files they use in `static/` (published under `static/`). Links inside a page are relative to the
page's own `path`, so the same HTML works from a static host, a sub-folder and `csei serve`.
"""

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from csei_graph.pages import paths
from csei_graph.pages.model import Link, PropertyRow, Value

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> jinja2.Environment:
    """The pages' templates, autoescaped, with `url` (a site path relative to the page) and `iri_url`."""
    made = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    made.globals["url"] = _url
    made.globals["link"] = _link
    made.globals["links"] = _links
    made.globals["literal"] = _literal
    made.globals["rows"] = _rows
    made.filters["iri_url"] = _iri_url
    return made


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    """A site path as a URL relative to the page being rendered."""
    return paths.relative_url(target, context["view"].path)


# Links are the most frequent piece of a page: written in Python, they render several times faster
# than as a template macro, to the same HTML.
@jinja2.pass_context
def _link(context: jinja2.runtime.Context, link: Link) -> Markup:
    """A link to a resource's page, to an external IRI, or a blank node's label."""
    label = escape(link.label)
    if link.path is not None:
        href = escape(paths.relative_url(link.path, context["view"].path))
        return Markup(f'<a href="{href}" title="{escape(link.iri)}">{label}</a>')
    if link.iri.startswith("http"):
        href = escape(_iri_url(link.iri))
        return Markup(f'<a class="external" href="{href}" title="{escape(link.iri)}">{label}</a>')
    return Markup(f'<span class="anonymous">{label}</span>')


@jinja2.pass_context
def _links(context: jinja2.runtime.Context, items: Iterable[Link]) -> Markup:
    """Links, separated by commas."""
    return Markup(", ").join(_link(context, item) for item in items)


@jinja2.pass_context
def _literal(context: jinja2.runtime.Context, value: Value) -> Markup:
    """A literal: its text, its language tag, its datatype where it is not plain text."""
    language = escape(value.language)
    parts = [
        f'<span class="literal" lang="{language}">' if value.language else '<span class="literal">',
        escape(value.text),
        "</span>",
    ]
    if value.language:
        parts.append(f' <span class="tag">@{language}</span>')
    if value.datatype:
        parts.append(f' <span class="tag">{_link(context, value.datatype)}</span>')
    return Markup("".join(parts))


def _value(context: jinja2.runtime.Context, value: Value, numbers: dict[str, int]) -> str:
    if value.nested:
        shown = f'<div class="nested">{_rows(context, value.nested, numbers)}</div>'
    elif value.link:
        shown = _link(context, value.link)
    else:
        shown = _literal(context, value)
    marks = "".join(
        f' <a class="source-mark" href="#source-{numbers[graph]}" title="source {numbers[graph]}">'
        f"[{numbers[graph]}]</a>"
        for graph in value.graphs
        if graph in numbers
    )
    return f"{shown}{marks}"


@jinja2.pass_context
def _rows(context: jinja2.runtime.Context, rows: Iterable[PropertyRow], numbers: dict[str, int]) -> Markup:
    """Properties and their values as a definition list; each value marked with its sources' numbers."""
    parts = ['<dl class="properties">\n']
    for row in rows:
        parts.append(f"<dt>{_link(context, row.property)}</dt>\n")
        parts += [f"<dd>{_value(context, value, numbers)}</dd>\n" for value in row.values]
        if row.more:
            parts.append(f'<dd class="more">{_more(context, row.more)}</dd>\n')
    parts.append("</dl>")
    return Markup("".join(parts))


def _more(context: jinja2.runtime.Context, count: int) -> str:
    """The values a page leaves out: how many, and a link to the data document that holds them all."""
    documents = getattr(context["view"], "alternates", ())
    if not documents:
        return f"and {count:,} more (ask the SPARQL endpoint or a dump)"
    href = escape(paths.relative_url(documents[0].path, context["view"].path))
    return f'and {count:,} more: <a href="{href}">all of them, in {escape(documents[0].label)}</a>'


def _iri_url(iri: str) -> str:
    """An external IRI as an href: only http(s) and mailto links are clickable, nothing else runs."""
    if re.match(r"(?i)(https?|mailto):", iri):
        return quote(iri, safe=":/?#[]@!$&'()*+,;=%~-._")
    return "#"


def render(view: Any, release: str = "") -> str:
    """The HTML page of a view (any object with a `path` and a `template`); `release` says which
    release of the graph it shows (in the footer)."""
    return environment().get_template(view.template).render(view=view, release=release)


def script_json(data: object) -> str:
    """JSON that is safe inside a <script> element: no `<`, `>` or `&` can end or break it."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
