"""JSON-LD of canonical statements: one document compacted with the project's context, framed.

pyoxigraph writes JSON-LD in expanded form only (every IRI in full), and the JSON-LD libraries
compact a graph at a few thousand statements a second (pyld's `compact` is in the benchmarks), far
too slow for a dump of the whole graph. So the document is written here, from the canonical
N-Triples lines (`canonical.Statements`): the engine has already written every term, and the quoted
part of a canonical N-Triples literal is a JSON string as it stands (the same escapes), so terms are
never parsed or escaped again. The tests read every document back with pyld and check it is the
same graph as the other syntaxes.

The document carries the context inline (so it parses offline). Keys and values use its terms
where they fit the value (a term's type coercion), else compact IRIs. A blank node referenced once
is written inside the node that references it; a membership (`org:Membership` with one
`org:organization`) is written inside that organisation, under `memberships` (the reverse of
`org:organization`). Nodes come in the order of the lines, keys sorted with `type` first.
"""

import json
from collections.abc import Sequence
from typing import IO, Any

from csei_graph.namespaces import prefixed_name

RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
ORG_ORGANIZATION = b"<http://www.w3.org/ns/org#organization>"
ORG_MEMBERSHIP = b"<http://www.w3.org/ns/org#Membership>"
BLANK = b"_:"
NODE_STARTS = (b"<", b"_")
# Nodes written out at a time.
BATCH = 2000
# Deepest a blank node is written inside others; deeper ones are written on their own, with their id.
MAX_NESTED = 50

Entry = tuple[bytes, bytes]  # predicate, object: N-Triples terms as the engine wrote them


class Compactor:
    """The terms and prefixes of a context, and how a statement is written with them."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context
        # Written at the head of every document: encoded once.
        self.context_json = json.dumps(context["@context"], ensure_ascii=False, indent=1).encode("utf-8")
        definitions = context["@context"]
        self.prefixes = {
            name: iri for name, iri in definitions.items() if isinstance(iri, str) and not iri.startswith("@")
        }
        # Namespaces end with `/` or `#`, so those found at such a place of an IRI are all that can fit.
        self._namespaces = {iri: name for name, iri in sorted(self.prefixes.items())}
        self._all_at_separators = all(iri[-1:] in "/#" for iri in self._namespaces)
        # predicate IRI -> (term, coercion: "@id", a datatype's N-Triples suffix `^^<...>`, or None)
        self.terms: dict[str, tuple[str, bytes | str | None]] = {}
        self.reverse_terms: dict[str, str] = {}
        for term, definition in sorted(definitions.items()):
            if not isinstance(definition, dict):
                continue
            if "@reverse" in definition:
                self.reverse_terms[self._expand(definition["@reverse"])] = term
            elif "@id" in definition:
                coercion = definition.get("@type")
                coerced = coercion if coercion in (None, "@id") else f"^^<{self._expand(coercion)}>".encode()
                self.terms.setdefault(self._expand(definition["@id"]), (term, coerced))
        self._compacted: dict[str, str] = {}
        self._ids: dict[bytes, str] = {}
        self._predicates: dict[bytes, tuple[str | None, bytes | str | None, str]] = {}

    def _expand(self, name: str) -> str:
        prefix, colon, rest = name.partition(":")
        return self.prefixes[prefix] + rest if colon and prefix in self.prefixes else name

    def compact(self, iri: str) -> str:
        """The IRI as a compact IRI (`prefix:local`) where a prefix fits, else in full."""
        compacted = self._compacted.get(iri)
        if compacted is None:
            compacted = self._compacted[iri] = self._shorten(iri) or iri
        return compacted

    def _shorten(self, iri: str) -> str | None:
        if not self._all_at_separators:
            return prefixed_name(iri, self.prefixes, readable=True)
        end = len(iri)
        while end > 0:
            end = max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))
            if end < 0:
                return None
            name = self._namespaces.get(iri[: end + 1])
            if name is not None and (found := prefixed_name(iri, {name: iri[: end + 1]}, readable=True)):
                return found
        return None

    def node_id(self, token: bytes) -> str:
        """The JSON text of a node's identifier (`<iri>` or `_:label` as the engine wrote it)."""
        known = self._ids.get(token)
        if known is None:
            name = token.decode() if token[:2] == BLANK else self.compact(token[1:-1].decode())
            known = self._ids[token] = json.dumps(name, ensure_ascii=False)
        return known

    def predicate(self, token: bytes) -> tuple[str | None, bytes | str | None, str]:
        """(term, its coercion, compact IRI) of a predicate."""
        known = self._predicates.get(token)
        if known is None:
            iri = token[1:-1].decode()
            term, coercion = self.terms.get(iri, (None, None))
            known = self._predicates[token] = (term, coercion, self.compact(iri))
        return known

    def entry(self, predicate: bytes, obj: bytes) -> tuple[str, str]:
        """(key, JSON text of the value) of one statement, using a term where it fits the value."""
        if obj[:1] in NODE_STARTS:
            return self._node_entry(predicate, obj)
        return self._literal_entry(predicate, obj)

    def _node_entry(self, predicate: bytes, obj: bytes) -> tuple[str, str]:
        if obj[:2] == b"<<":
            raise ValueError("JSON-LD cannot hold triple terms: export in Turtle, TriG or N-Quads")
        if predicate == RDF_TYPE:
            return "type", self.node_id(obj)
        term, coercion, compacted = self.predicate(predicate)
        if term and coercion == "@id":
            return term, self.node_id(obj)
        return (term if term and coercion is None else compacted), f'{{"id": {self.node_id(obj)}}}'

    def _literal_entry(self, predicate: bytes, obj: bytes) -> tuple[str, str]:
        # A literal: its quoted part, then nothing (a string), `@language` or `^^<datatype>`.
        term, coercion, compacted = self.predicate(predicate)
        quote = obj.rindex(b'"') + 1
        suffix = obj[quote:]
        text = obj[:quote].decode()
        if term and coercion == suffix:
            return term, text
        key = term if term and coercion is None else compacted
        if not suffix:
            return key, text
        if suffix[:1] == b"@":
            language, _, direction = suffix[1:].decode().partition("--")
            extra = f', "@direction": "{direction}"' if direction else ""
            return key, f'{{"@value": {text}, "@language": {json.dumps(language)}{extra}}}'
        datatype = json.dumps(self.compact(suffix[3:-1].decode()), ensure_ascii=False)
        return key, f'{{"@value": {text}, "@type": {datatype}}}'


class _Document:
    """The nodes of the statements, which are written inside others, and the writing of a node."""

    def __init__(self, lines: Sequence[bytes], compactor: Compactor) -> None:
        self.compactor = compactor
        self.described: dict[bytes, list[Entry]] = {}
        references: dict[bytes, int] = {}
        referrer: dict[bytes, bytes] = {}
        memberships: list[bytes] = []
        organisations: dict[bytes, list[bytes]] = {}
        current, entries = b"", []
        for line in lines:
            subject, predicate, obj = line[:-2].split(b" ", 2)
            if subject != current:  # the lines are sorted: a subject's statements are together
                current, entries = subject, []
                self.described[subject] = entries
            entries.append((predicate, obj))
            if obj[:2] == BLANK:
                references[obj] = references.get(obj, 0) + 1
                referrer[obj] = subject
            if predicate == ORG_ORGANIZATION:
                organisations.setdefault(subject, []).append(obj)
            elif predicate == RDF_TYPE and obj == ORG_MEMBERSHIP:
                memberships.append(subject)
        self.embedded = self._embedded(references, referrer)
        # Memberships are written inside their organisation when the context has a term for that.
        reverse = compactor.reverse_terms.get(ORG_ORGANIZATION[1:-1].decode())
        self.memberships_key = json.dumps(reverse, ensure_ascii=False)
        self.hosts = self._hosts(memberships, organisations) if reverse else {}
        self.hosted: dict[bytes, list[bytes]] = {}
        for membership in memberships:
            if membership in self.hosts:
                self.hosted.setdefault(self.hosts[membership], []).append(membership)

    def _embedded(self, references: dict[bytes, int], referrer: dict[bytes, bytes]) -> set[bytes]:
        """Blank nodes referenced once, whose chain of referrers ends at a node written on its own, at
        most `MAX_NESTED` levels below it; a deeper one (the cells of a long list) is written on its own.

        Each chain is walked once (a node's level is kept), so a long list costs time linear in its
        length, and the writing, which recurses once per level, never goes deeper than `MAX_NESTED`.
        """
        candidates = {node for node, count in references.items() if count == 1 and node in self.described}
        # Levels below the node written on its own; None for a node on, or leading into, a loop.
        level: dict[bytes, int | None] = {}
        for blank in candidates:
            path: list[bytes] = []
            walked: set[bytes] = set()
            node = blank
            while node in candidates and node not in level and node not in walked:
                path.append(node)
                walked.add(node)
                node = referrer[node]
            above = None if node in walked else level.get(node, 0)
            for step in reversed(path):
                above = None if above is None else above + 1
                level[step] = above
        return {node for node, below in level.items() if below is not None and below <= MAX_NESTED}

    def _hosts(self, memberships: list[bytes], organisations: dict[bytes, list[bytes]]) -> dict[bytes, bytes]:
        """The organisation each membership is written in, where it has one that is written on its own."""
        hosts = {}
        for membership in memberships:
            found = organisations.get(membership, [])
            if len(found) != 1 or membership in self.embedded:
                continue
            host = found[0]
            if host != membership and host in self.described and host not in self.embedded:
                hosts[membership] = host
        # A membership whose organisation is itself a written-in membership stays on its own, so that
        # no loop of memberships leaves them all out.
        return {membership: host for membership, host in hosts.items() if host not in hosts}

    def top(self) -> list[bytes]:
        """The nodes written on their own, in order."""
        return [s for s in self.described if s not in self.embedded and s not in self.hosts]

    def node(self, subject: bytes, host: bytes | None) -> str:
        """The JSON text of a node, with what is written inside it."""
        compactor = self.compactor
        grouped: dict[str, list[str]] = {}
        for predicate, obj in self.described[subject]:
            if host is not None and predicate == ORG_ORGANIZATION and obj == host:
                continue
            if obj in self.embedded:
                key, _ = compactor.entry(predicate, obj)
                if key == "type":
                    key = compactor.predicate(predicate)[2]
                value = self.node(obj, None)
            else:
                key, value = compactor.entry(predicate, obj)
            values = grouped.get(key)
            if values is None:
                grouped[key] = [value]
            else:
                values.append(value)
        parts = [] if subject in self.embedded else [f'"id": {compactor.node_id(subject)}']
        for key in sorted(grouped, key=lambda k: (k != "type", k)):
            values = grouped[key]
            shown = values[0] if len(values) == 1 else f"[{', '.join(values)}]"
            parts.append(f"{json.dumps(key, ensure_ascii=False)}: {shown}")
        members = self.hosted.get(subject)
        if members:
            written = ", ".join(self.node(member, subject) for member in members)
            parts.append(f"{self.memberships_key}: [{written}]")
        return "{" + ", ".join(parts) + "}"


def write(lines: Sequence[bytes], compactor: Compactor, out: IO[bytes]) -> None:
    """Write canonical N-Triples lines (sorted, each once) as one JSON-LD document."""
    document = _Document(lines, compactor)
    out.write(b'{\n"@context": ')
    out.write(compactor.context_json)
    out.write(b',\n"@graph": [')
    top = document.top()
    for start in range(0, len(top), BATCH):
        nodes = (document.node(subject, None) for subject in top[start : start + BATCH])
        out.write((("\n" if start == 0 else ",\n") + ",\n".join(nodes)).encode())
    out.write(b"\n]\n}\n")
