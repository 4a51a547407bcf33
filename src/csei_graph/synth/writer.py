"""Writing a synthetic graph: its terms made once in the output's syntax, N-Quads or one TriG graph block."""

from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from csei_graph.namespaces import CSEI, CSEID, PREFIXES, SCHEMA, prefixed_name
from csei_graph.synth.tables import ECCP, EU_COUNTRIES, LABEL_BODY, RDF_TYPE, XSD

FORMATS = ("nquads", "trig")
FORMATS_BY_SUFFIX = {".nq": "nquads", ".trig": "trig"}
Triples = list[tuple[str, str, str]]  # (subject, predicate, object) written in the output's syntax


def format_for_output(path: Path | None, output_format: str | None) -> str:
    """The syntax to write: the one asked for, else the one the file's extension says, else N-Quads."""
    if output_format:
        if output_format not in FORMATS:
            raise ValueError(f"unknown output format {output_format!r}: use one of {', '.join(FORMATS)}")
        return output_format
    if path is None:
        return "nquads"
    try:
        return FORMATS_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise ValueError(
            f"{path}: cannot tell the syntax from the extension {path.suffix or '(none)'}; "
            "name the file .nq or .trig, or pass --format"
        ) from None


class Writer:
    """Writes triples in N-Quads or in one TriG graph block; counts them."""

    def __init__(self, out: TextIO, graph: str, output_format: str) -> None:
        self._out = out
        self._graph = graph
        self._trig = output_format == "trig"
        self._subject = ""  # TriG: the subject of the statement still open
        self.triples = 0

    def iri(self, iri: str) -> str:
        """An IRI term; in TriG a prefixed name where a project prefix covers it, as Turtle reads it back."""
        return (self._trig and prefixed_name(iri)) or f"<{iri}>"

    def literal(self, value: str, datatype: str | None = None, language: str | None = None) -> str:
        """A literal term, its text escaped."""
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if language:
            return f"{text}@{language}"
        return f"{text}^^{self.iri(datatype)}" if datatype else text

    def start(self, description: Triples) -> None:
        """Write the prefixes (TriG) and the description of the named graph into the default graph."""
        if self._trig:
            self._out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n")
        for s, p, o in description:
            self._out.write(f"{s} {p} {o} .\n")
        self.triples += len(description)
        if self._trig:
            self._out.write(f"\n{self.iri(self._graph)} {{")

    def write(self, triples: Triples) -> None:
        """Write triples into the named graph (in TriG, a subject's next triples share its statement)."""
        if self._trig:
            self._out.write("".join(self._trig_lines(triples)))
        else:
            graph = f"<{self._graph}>"
            self._out.write("".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples))
        self.triples += len(triples)

    def _trig_lines(self, triples: Triples) -> Iterator[str]:
        for s, p, o in triples:
            if s == self._subject:
                yield f" ;\n    {p} {o}"
            else:
                yield f"{' .' if self._subject else ''}\n{s} {p} {o}"
                self._subject = s

    def finish(self) -> None:
        """Close the last statement and the graph block."""
        if self._trig:
            self._out.write(" .\n}\n" if self._subject else "}\n")


class Terms:
    """The IRIs and literals the generator writes, made once in the output's syntax."""

    def __init__(self, writer: Writer) -> None:
        iri = writer.iri
        self.iri = iri
        self.literal = writer.literal
        self.a = iri(RDF_TYPE)
        self.pref_label = iri(f"{PREFIXES['skos']}prefLabel")
        self.homepage = iri(f"{PREFIXES['foaf']}homepage")
        self.country = iri(f"{CSEI}country")
        self.place = iri(f"{CSEI}place")
        self.actor_kind = iri(f"{CSEI}actorKind")
        self.has_cluster_organisation = iri(f"{CSEI}hasClusterOrganisation")
        self.fosters = iri(f"{CSEI}fostersInnovation")
        self.ecosystem = iri(f"{CSEI}industrialEcosystem")
        self.activity_status = iri(f"{CSEI}activityStatus")
        self.registered_on = iri(f"{CSEI}registeredOn")
        self.participates_in = iri(f"{CSEI}participatesIn")
        self.partner = iri(f"{CSEI}partner")
        self.lead_partner = iri(f"{CSEI}leadPartner")
        self.funded_by = iri(f"{CSEI}fundedBy")
        self.awarded_to = iri(f"{CSEI}awardedTo")
        self.awarded_by = iri(f"{CSEI}awardedBy")
        self.label_level = iri(f"{CSEI}labelLevel")
        self.valid_from = iri(f"{CSEI}validFrom")
        self.valid_until = iri(f"{CSEI}validUntil")
        self.has_member = iri(f"{PREFIXES['org']}hasMember")
        self.member = iri(f"{PREFIXES['org']}member")
        self.organization = iri(f"{PREFIXES['org']}organization")
        self.role = iri(f"{PREFIXES['org']}role")
        self.start_date = iri(f"{SCHEMA}startDate")
        self.founding_date = iri(f"{SCHEMA}foundingDate")
        self.end_date = iri(f"{SCHEMA}endDate")
        self.cluster_classes = (iri(f"{CSEI}CSEI"), iri(f"{CSEI}Cluster"))
        self.organization_class = iri(f"{PREFIXES['org']}Organization")
        self.cluster_organisation_class = iri(f"{CSEI}ClusterOrganisation")
        self.membership_class = iri(f"{PREFIXES['org']}Membership")
        self.partnership_class = iri(f"{CSEI}Partnership")
        self.eurocluster_class = iri(f"{CSEI}Eurocluster")
        self.label_award_class = iri(f"{CSEI}LabelAward")
        self.concept_class = iri(f"{PREFIXES['skos']}Concept")
        self.location_class = iri(f"{PREFIXES['dct']}Location")
        self.notation = iri(f"{PREFIXES['skos']}notation")
        self.in_scheme = iri(f"{PREFIXES['skos']}inScheme")
        self.active = self.concept("activity-status", "active")
        self.eccp = iri(f"{CSEID}{ECCP}")
        self.label_body = iri(f"{CSEID}{LABEL_BODY}")
        self.countries = {code: iri(f"{PREFIXES['country']}{code}") for code in EU_COUNTRIES}

    def concept(self, scheme: str, code: str) -> str:
        """A concept of one of the project's concept schemes."""
        return self.iri(f"{CSEID}concept/{scheme}/{code}")

    def resource(self, kind: str, slug: str) -> str:
        """A resource of the data."""
        return self.iri(f"{CSEID}{kind}/{slug}")

    def name(self, text: str) -> str:
        """An English name."""
        return self.literal(text, language="en")

    def date(self, year: int, month: int, day: int) -> str:
        """An xsd:date."""
        return self.literal(f"{year:04d}-{month:02d}-{day:02d}", f"{XSD}date")
