"""The preview of an entity: a small HTML fragment shown beside a candidate, every value escaped."""

from jinja2 import Environment

from csei_graph.reconcile.index import Index
from csei_graph.reconcile.vocabulary import ACTOR_KIND, COUNTRY, IN_SCHEME, MEMBER_OF, TYPES_BY_ID, WEBSITE

SHOWN_CLUSTERS = 5
_TEMPLATE = Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ name }}</title>
<style>body{font:14px/1.4 sans-serif;margin:6px}h1{font-size:16px;margin:0 0 4px}
p{margin:2px 0}.iri{font:11px monospace;color:#555;word-break:break-all}</style></head>
<body><h1>{{ name }}</h1>
<p>{{ types | join(", ") }}{% if facts %} · {{ facts | join(", ") }}{% endif %}</p>
{% if clusters %}<p>Member of {{ clusters | join(", ") }}
{%- if more %} and {{ more }} more{% endif %}</p>{% endif %}
{% for site in websites -%}
<p><a href="{{ site }}" target="_blank" rel="noopener noreferrer">{{ site }}</a></p>
{% endfor %}
<p class="iri">{{ iri }}</p>
</body></html>
"""
)


def preview(index: Index, iri: str) -> str | None:
    """The HTML preview of an entity, or None when the graph does not describe it."""
    entity = index.entity(iri)
    if entity is None:
        return None
    values = entity.values
    clusters = [index.value_name(v) for v in values.get(MEMBER_OF, ())]
    return _TEMPLATE.render(
        name=entity.name,
        iri=entity.iri,
        types=[TYPES_BY_ID[t].name for t in entity.types],
        facts=[
            index.value_name(v) for prop in (COUNTRY, ACTOR_KIND, IN_SCHEME) for v in values.get(prop, ())
        ],
        clusters=clusters[:SHOWN_CLUSTERS],
        more=max(0, len(clusters) - SHOWN_CLUSTERS),
        # Only web addresses are links: another scheme (javascript:) is never made clickable.
        websites=[v for v in values.get(WEBSITE, ()) if v.startswith(("https://", "http://"))],
    )
