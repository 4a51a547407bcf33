"""What the stored queries are made of: a query with its documented parameters, and a query's result."""

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from csei_graph.namespaces import BASE, COUNTRY
from csei_graph.sources import SourceError
from csei_graph.terms import OxTerm

COUNTRY_TABLE = str(COUNTRY).rstrip("/")


class QueryError(SourceError):
    """A query or a parameter value that cannot be used: what is wrong, where, and how to fix it."""


@dataclass(frozen=True)
class Parameter:
    """A parameter of a stored query: a variable of its WHERE group bound to a typed RDF term."""

    name: str
    type: str
    scheme: str | None
    default: str | None
    required: bool
    description: str
    line: int
    example: str | None = None

    @property
    def type_label(self) -> str:
        """The type as the header writes it (`concept actor-kind`)."""
        return f"{self.type} {self.scheme}" if self.scheme else self.type

    @property
    def scheme_iri(self) -> str:
        """IRI of the concept scheme a concept parameter takes its values from."""
        if self.scheme == "country":
            return COUNTRY_TABLE
        return f"{BASE}id/concept/{self.scheme}"

    @property
    def example_value(self) -> str | None:
        """The value the documentation shows: the header's example, else the default."""
        return self.example if self.example is not None else self.default


@dataclass(frozen=True)
class StoredQuery:
    """A SPARQL query file with the documentation of its header."""

    name: str
    path: Path
    text: str
    form: str
    title: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = ()

    def parameter(self, name: str) -> Parameter:
        """The parameter of that name; QueryError naming the known ones if there is none."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise QueryError(
            self.path,
            f"query {self.name} has no parameter {name!r}",
            line=self.parameters[0].line if self.parameters else 1,
            hint=f"its parameters: {known}; see csei query --explain {self.name}",
        )

    def example_values(self) -> dict[str, str]:
        """The documented example value of every parameter that has one."""
        return {p.name: p.example_value for p in self.parameters if p.example_value is not None}


@dataclass(frozen=True)
class QueryResult:
    """The whole answer to a query, whichever engine gave it: rows, a boolean or triples."""

    form: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[OxTerm | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()

    def records(self) -> list[dict[str, OxTerm]]:
        """The rows as dictionaries from variable name to term, unbound variables left out."""
        return [
            {name: term for name, term in zip(self.variables, row, strict=True) if term is not None}
            for row in self.rows
        ]
