"""The pieces every kind of page is made of: links, values, property rows, alternates, counts."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """A resource by its label; `path` is its page in the site, None when it has none (link the IRI)."""

    iri: str
    label: str
    path: str | None = None


@dataclass(frozen=True)
class Alternate:
    """Another representation of the same page: `.ttl`, `.jsonld`, `.nt`..."""

    label: str
    media_type: str
    path: str


@dataclass(frozen=True)
class Value:
    """One value of a property: a resource (link), a literal, or a blank node described in place.

    `graphs` are the named graphs that state the fact (see the page's `provenance`).
    """

    text: str
    link: Link | None = None
    language: str = ""
    datatype: Link | None = None
    nested: tuple["PropertyRow", ...] = ()
    graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class PropertyRow:
    """A property of the resource and all its values."""

    property: Link
    values: tuple[Value, ...]
    # Values beyond those shown (`resource.VALUES_SHOWN`): in the resource's data documents, whole.
    more: int = 0


@dataclass(frozen=True)
class Count:
    """A link and a number (instances of a class, concepts of a scheme)."""

    link: Link
    count: int


@dataclass(frozen=True)
class Download:
    """A dump of the whole graph."""

    label: str
    media_type: str
    path: str
