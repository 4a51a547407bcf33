"""Generates realistic synthetic CSEI graphs of any size, streamed, with a manifest of injected defects."""

import json
import random
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from csei_graph.files import atomic_writer
from csei_graph.namespaces import CSEI, CSEID, CSEIG, PREFIXES, SCHEMA
from csei_graph.progress import Progress

FORMATS = ("nquads", "trig")
FORMATS_BY_SUFFIX = {".nq": "nquads", ".trig": "trig"}
DEFECT_KINDS = (
    "missing-name",
    "missing-country",
    "bad-datatype",
    "outside-scheme",
    "membership-without-member",
    "dates-out-of-order",
)
ACTOR_KINDS = (
    "social-economy-entity",
    "mainstream-enterprise",
    "civil-society-organisation",
    "public-authority",
    "education-research-institution",
)
# How often each kind joins a cluster beyond the first five members (one of each kind).
ACTOR_KIND_WEIGHTS = (25, 40, 13, 10, 12)
SHARED_FRACTION = 0.25  # organisations created as members of several clusters
REUSE_PROBABILITY = 0.3  # a member slot taken by an organisation already in another cluster
REUSE_CANDIDATES = 50
MAX_WAITING = 1000
MEMBERS_PER_CLUSTER = (10, 60)
CLUSTERS_PER_PARTNERSHIP = 8

# The EU member states: authority table code, English name (as the table gives it), a few cities.
EU_COUNTRIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AUT": ("Austria", ("Vienna", "Graz", "Linz", "Salzburg")),
    "BEL": ("Belgium", ("Brussels", "Antwerp", "Ghent", "Liege")),
    "BGR": ("Bulgaria", ("Sofia", "Plovdiv", "Varna")),
    "HRV": ("Croatia", ("Zagreb", "Split", "Rijeka")),
    "CYP": ("Cyprus", ("Nicosia", "Limassol")),
    "CZE": ("Czechia", ("Prague", "Brno", "Ostrava")),
    "DNK": ("Denmark", ("Copenhagen", "Aarhus", "Odense")),
    "EST": ("Estonia", ("Tallinn", "Tartu")),
    "FIN": ("Finland", ("Helsinki", "Tampere", "Oulu")),
    "FRA": ("France", ("Lyon", "Lille", "Nantes", "Bordeaux", "Marseille", "Strasbourg")),
    "DEU": ("Germany", ("Berlin", "Hamburg", "Munich", "Leipzig", "Cologne", "Dortmund")),
    "GRC": ("Greece", ("Athens", "Thessaloniki", "Patras")),
    "HUN": ("Hungary", ("Budapest", "Debrecen", "Szeged")),
    "IRL": ("Ireland", ("Dublin", "Cork", "Galway")),
    "ITA": ("Italy", ("Turin", "Milan", "Bologna", "Naples", "Florence", "Bari")),
    "LVA": ("Latvia", ("Riga", "Daugavpils")),
    "LTU": ("Lithuania", ("Vilnius", "Kaunas", "Klaipeda")),
    "LUX": ("Luxembourg", ("Luxembourg", "Esch-sur-Alzette")),
    "MLT": ("Malta", ("Valletta", "Birkirkara")),
    "NLD": ("Netherlands", ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven")),
    "POL": ("Poland", ("Warsaw", "Krakow", "Lodz", "Gdansk", "Poznan", "Lomza")),
    "PRT": ("Portugal", ("Lisbon", "Porto", "Braga")),
    "ROU": ("Romania", ("Bucharest", "Cluj-Napoca", "Iasi", "Timisoara")),
    "SVK": ("Slovakia", ("Bratislava", "Kosice")),
    "SVN": ("Slovenia", ("Ljubljana", "Maribor")),
    "ESP": ("Spain", ("Madrid", "Barcelona", "Valencia", "Bilbao", "Seville", "Zaragoza")),
    "SWE": ("Sweden", ("Stockholm", "Gothenburg", "Malmo", "Orebro")),
}
# Themes of clusters: (words in the name, industrial ecosystem, innovation types fostered).
THEMES = (
    ("Circular Textiles", "textiles", ("ecological", "social")),
    ("Local Food", "agri-food", ("social", "ecological")),
    ("Sustainable Agriculture", "agri-food", ("ecological", "process")),
    ("Social Economy", "proximity-social-economy", ("social", "governance")),
    ("Inclusive Employment", "proximity-social-economy", ("social", "economic")),
    ("Green Building", "construction", ("green", "technological")),
    ("Clean Energy", "energy-renewables", ("green", "technological")),
    ("Community Energy", "energy-renewables", ("social", "green")),
    ("Digital Inclusion", "digital", ("digital", "social")),
    ("Sustainable Tourism", "tourism", ("ecological", "service")),
    ("Health and Care", "health", ("social", "service")),
    ("Creative Industries", "cultural-creative-industries", ("social", "product")),
    ("Sustainable Mobility", "mobility-transport-automotive", ("green", "technological")),
    ("Repair and Reuse", "retail", ("ecological", "economic")),
    ("Electronics Recycling", "electronics", ("ecological", "technological")),
    ("Green Chemistry", "energy-intensive-industries", ("green", "process")),
    ("Clean Aviation", "aerospace-defence", ("technological", "green")),
)
CLUSTER_WORDS = ("Cluster", "Innovation Cluster", "Cooperation Cluster", "Ecosystem Cluster")
STEM_PARTS = (
    ("Al", "Bel", "Cor", "Dan", "El", "Fen", "Gal", "Hel", "Ir", "Jor", "Kal", "Lum", "Mar", "Nor", "Or"),
    ("a", "e", "i", "o", "u", "ae", "io"),
    ("ra", "via", "nix", "tas", "len", "mor", "sia", "ton", "vel", "dor", "ris", "bel"),
)
NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "social-economy-entity": (
        "{stem} Cooperative",
        "{stem} Social Enterprise",
        "{stem} Work Integration Enterprise",
        "{city} Solidarity Mutual",
    ),
    "mainstream-enterprise": (
        "{stem} Industries",
        "{stem} Technologies",
        "{stem} Logistics",
        "{stem} Engineering",
        "{stem} Foods",
    ),
    "civil-society-organisation": (
        "{stem} Association",
        "{stem} Foundation",
        "{city} Citizens' Network",
        "{city} Youth Network",
    ),
    "public-authority": (
        "City of {city}",
        "{city} Development Agency",
        "{city} Employment Service",
        "{city} Regional Council",
    ),
    "education-research-institution": (
        "University of {city}",
        "{stem} Institute of Technology",
        "{city} Vocational School",
        "{stem} Research Centre",
    ),
}
MEMBER_ROLES = ("member", "member", "member", "member", "founder", "co-founder", "partner")
LABEL_LEVELS = ("bronze", "bronze", "bronze", "silver", "silver", "gold")
# Actions of the built-in data that fund partnerships: slug, start of the name, whether a Eurocluster.
PARTNERSHIP_ACTIONS = (
    ("euroclusters", "Eurocluster for", True),
    ("escp-4x", "European Cluster Partnership for Excellence in", False),
    ("escp-s3", "European Strategic Cluster Partnership for Smart Specialisation in", False),
    ("escp-4i", "European Strategic Cluster Partnership for Going International in", False),
)
ECCP = "platform/eccp"
LABEL_BODY = "organisation/esca"
MAINTAINERS = "csei-graph-maintainers"
COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

Triples = list[tuple[str, str, str]]  # (subject, predicate, object) written in the output's syntax


@dataclass(frozen=True)
class Defect:
    """A fault put into the graph on purpose.

    Its kind, the node it is on, the property concerned and, where the fault is in a value, that value
    (an IRI, or a literal's lexical form).
    """

    kind: str
    focus: str
    path: str
    description: str
    value: str | None = None


@dataclass
class SynthResult:
    """What a synthetic graph holds."""

    seed: int
    graph: str
    clusters: int = 0
    organisations: int = 0
    shared_organisations: int = 0
    memberships: int = 0
    partnerships: int = 0
    label_awards: int = 0
    triples: int = 0
    defects: list[Defect] = field(default_factory=list)

    def manifest(self) -> dict[str, object]:
        """The defects and the counts, as written to the manifest file."""
        return asdict(self)


def synthetic_graph_iri(seed: int) -> str:
    """The named graph a synthetic graph lives in."""
    return f"{CSEIG}synthetic-{seed}"


def slugify(name: str) -> str:
    """Lower-case ASCII words joined by `-`, accents dropped, as the IRI policy asks."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


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


class _Writer:
    """Writes triples in N-Quads or in one TriG graph block; counts them."""

    def __init__(self, out: TextIO, graph: str, output_format: str) -> None:
        self._out = out
        self._graph = graph
        self._trig = output_format == "trig"
        self._prefixed = sorted(PREFIXES.items(), key=lambda item: -len(item[1])) if self._trig else []
        self._subject = ""  # TriG: the subject of the statement still open
        self.triples = 0

    def iri(self, iri: str) -> str:
        """An IRI term; in TriG prefixed where a project prefix covers it and the rest is a plain name."""
        for prefix, namespace in self._prefixed:
            if iri.startswith(namespace) and _PLAIN_LOCAL.fullmatch(iri[len(namespace) :]):
                return f"{prefix}:{iri[len(namespace) :]}"
        return f"<{iri}>"

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


_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?")


class _Terms:
    """The IRIs and literals the generator writes, made once in the output's syntax."""

    def __init__(self, writer: _Writer) -> None:
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


@dataclass
class _Organisation:
    term: str
    iri: str
    kind: str
    name: str
    slug: str
    remaining: int = 0  # further clusters a shared organisation will join
    shared: bool = False


@dataclass(frozen=True)
class _Cluster:
    term: str
    iri: str
    slug: str
    name: str
    index: int
    country: str
    city: str
    founded: int
    defects: frozenset[str]


class _Generator:
    """Makes one cluster after another; only the organisations waiting to join more clusters are kept."""

    def __init__(self, seed: int, clusters: int, defects: int, writer: _Writer, result: SynthResult) -> None:
        self._rng = random.Random(seed)
        self._clusters = clusters
        self._writer = writer
        self._t = _Terms(writer)
        self._result = result
        self._waiting: list[_Organisation] = []
        self._partners: list[str] = []
        self._organisation_serial = 0
        self._planned = self._plan_defects(defects)

    def _plan_defects(self, defects: int) -> dict[int, frozenset[str]]:
        slots = self._rng.sample(range(self._clusters * len(DEFECT_KINDS)), defects)
        planned: dict[int, set[str]] = {}
        for slot in sorted(slots):
            planned.setdefault(slot // len(DEFECT_KINDS), set()).add(DEFECT_KINDS[slot % len(DEFECT_KINDS)])
        return {index: frozenset(kinds) for index, kinds in planned.items()}

    def run(self, shown: Progress | None = None) -> None:
        self._writer.write(self._countries())
        for index in range(self._clusters):
            self._writer.write(self._cluster(index))
            if shown is not None:
                shown.advance()
        if self._partners:
            self._writer.write(self._partnership())

    def _countries(self) -> Triples:
        """The countries of the EU authority table, described as the built-in data describes them."""
        t = self._t
        scheme = t.iri(COUNTRY_SCHEME)
        triples: Triples = []
        for code, (name, _) in EU_COUNTRIES.items():
            country = t.countries[code]
            triples += [
                (country, t.a, t.concept_class),
                (country, t.a, t.location_class),
                (country, t.pref_label, t.name(name)),
                (country, t.notation, t.literal(code)),
                (country, t.in_scheme, scheme),
            ]
        return triples

    def _defect(self, kind: str, focus: str, path: str, description: str, value: str | None = None) -> None:
        self._result.defects.append(Defect(kind, focus, path, description, value))

    def _cluster(self, index: int) -> Triples:
        rng, t = self._rng, self._t
        country = rng.choice(list(EU_COUNTRIES))
        city = rng.choice(EU_COUNTRIES[country][1])
        theme, ecosystem, innovations = rng.choice(THEMES)
        name = f"{city} {theme} {rng.choice(CLUSTER_WORDS)}"
        slug = f"{slugify(name)}-{index + 1}"
        iri = f"{CSEID}cluster/{slug}"
        founded = rng.randint(2005, 2022)
        defects = self._planned.get(index, frozenset())
        cluster = _Cluster(t.iri(iri), iri, slug, name, index, country, city, founded, defects)
        c = cluster.term
        triples = [
            (c, t.a, t.cluster_classes[0] if rng.random() < 0.7 else t.cluster_classes[1]),
            (c, t.pref_label, t.name(name)),
            (c, t.place, t.literal(city)),
            (c, t.ecosystem, t.concept("industrial-ecosystem", ecosystem)),
            (c, t.activity_status, t.active),
            (c, t.founding_date, t.literal(str(founded), f"{XSD}gYear")),
            (c, t.homepage, t.iri(f"https://{slug}.example.org/")),
            *((c, t.fosters, t.concept("innovation-type", code)) for code in innovations),
        ]
        if "missing-country" in defects:
            self._defect("missing-country", iri, f"{CSEI}country", "cluster without a country")
        else:
            triples.append((c, t.country, t.countries[country]))
        if rng.random() < 0.6:
            triples.append((c, t.registered_on, t.eccp))
        triples += self._cluster_organisation(cluster)
        triples += self._members(cluster)
        self._result.clusters += 1
        self._partners.append(c)
        if len(self._partners) == CLUSTERS_PER_PARTNERSHIP:
            triples += self._partnership()
        return triples

    def _cluster_organisation(self, cluster: _Cluster) -> Triples:
        t = self._t
        organisation = t.resource("organisation", f"{cluster.slug}-management")
        triples = [
            (cluster.term, t.has_cluster_organisation, organisation),
            (organisation, t.a, t.organization_class),
            (organisation, t.a, t.cluster_organisation_class),
            (organisation, t.pref_label, t.name(f"{cluster.name} Management Association")),
            (organisation, t.country, t.countries[cluster.country]),
            (organisation, t.actor_kind, t.concept("actor-kind", "civil-society-organisation")),
        ]
        self._result.organisations += 1
        if self._rng.random() < 0.4:
            triples += self._label_award(cluster, organisation)
        return triples

    def _label_award(self, cluster: _Cluster, organisation: str) -> Triples:
        rng, t = self._rng, self._t
        level = rng.choice(LABEL_LEVELS)
        year = rng.randint(max(cluster.founded + 1, 2012), 2024)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        award = t.resource("award", f"{cluster.slug}-management-{level}-label-{year}")
        self._result.label_awards += 1
        return [
            (award, t.a, t.label_award_class),
            (award, t.pref_label, t.name(f"{level.title()} label of {cluster.name} ({year})")),
            (award, t.awarded_to, organisation),
            (award, t.awarded_by, t.label_body),
            (award, t.label_level, t.concept("label-level", level)),
            (award, t.valid_from, t.date(year, month, day)),
            (award, t.valid_until, t.date(year + 2, month, day)),
        ]

    def _members(self, cluster: _Cluster) -> Triples:
        rng = self._rng
        size = rng.randint(*MEMBERS_PER_CLUSTER)
        # The first five members are new organisations, one of each actor kind.
        members = [self._new_organisation(kind, cluster) for kind in ACTOR_KINDS]
        triples: Triples = []
        for organisation in members:
            triples += self._describe(organisation, cluster, cluster.defects)
        joined = {org.iri for org in members}
        while len(members) < size:
            organisation = self._reused_organisation(joined) if rng.random() < REUSE_PROBABILITY else None
            if organisation is None:
                kind = rng.choices(ACTOR_KINDS, ACTOR_KIND_WEIGHTS)[0]
                organisation = self._new_organisation(kind, cluster)
                triples += self._describe(organisation, cluster, frozenset())
            joined.add(organisation.iri)
            members.append(organisation)
        for position, organisation in enumerate(members):
            triples += self._membership(cluster, position, organisation)
        return triples

    def _new_organisation(self, kind: str, cluster: _Cluster) -> _Organisation:
        self._organisation_serial += 1
        name = self._rng.choice(NAME_PATTERNS[kind]).format(stem=self._stem(), city=cluster.city)
        slug = f"{slugify(name)}-{self._organisation_serial}"
        iri = f"{CSEID}organisation/{slug}"
        organisation = _Organisation(self._t.iri(iri), iri, kind, name, slug)
        if self._rng.random() < SHARED_FRACTION:
            organisation.remaining = self._rng.randint(1, 3)
            self._wait(organisation)
        self._result.organisations += 1
        return organisation

    def _wait(self, organisation: _Organisation) -> None:
        self._waiting.append(organisation)
        if len(self._waiting) > MAX_WAITING:
            # Bounded memory: the longest-waiting organisation stays in the clusters it has joined.
            del self._waiting[0]

    def _reused_organisation(self, joined: set[str]) -> _Organisation | None:
        # The longest-waiting organisations first, so that each soon joins all its clusters.
        candidates = [org for org in self._waiting[:REUSE_CANDIDATES] if org.iri not in joined]
        if not candidates:
            return None
        organisation = self._rng.choice(candidates)
        if not organisation.shared:
            organisation.shared = True
            self._result.shared_organisations += 1
        organisation.remaining -= 1
        if organisation.remaining == 0:
            self._waiting.remove(organisation)
        return organisation

    def _stem(self) -> str:
        return "".join(self._rng.choice(part) for part in STEM_PARTS)

    def _describe(self, organisation: _Organisation, cluster: _Cluster, defects: frozenset[str]) -> Triples:
        rng, t = self._rng, self._t
        o = organisation.term
        triples = [(o, t.a, t.organization_class), (o, t.country, t.countries[cluster.country])]
        if organisation.kind == ACTOR_KINDS[0] and "missing-name" in defects:
            self._defect("missing-name", organisation.iri, f"{PREFIXES['skos']}prefLabel", "no name")
        else:
            triples.append((o, t.pref_label, t.name(organisation.name)))
        if organisation.kind == ACTOR_KINDS[1] and "outside-scheme" in defects:
            wrong = f"{CSEID}concept/industrial-ecosystem/digital"
            triples.append((o, t.actor_kind, t.iri(wrong)))
            self._defect(
                "outside-scheme",
                organisation.iri,
                f"{CSEI}actorKind",
                "an actor kind of another scheme",
                wrong,
            )
        else:
            triples.append((o, t.actor_kind, t.concept("actor-kind", organisation.kind)))
        if rng.random() < 0.5:
            triples.append((o, t.place, t.literal(cluster.city)))
        if rng.random() < 0.5:
            host = organisation.iri.rsplit("/", 1)[1]
            triples.append((o, t.homepage, t.iri(f"https://{host}.example.org/")))
        return triples

    def _membership(self, cluster: _Cluster, position: int, organisation: _Organisation) -> Triples:
        rng, t, defects = self._rng, self._t, cluster.defects
        iri = f"{CSEID}membership/{organisation.slug}-{cluster.slug}"
        membership = t.iri(iri)
        year, month, day = rng.randint(cluster.founded, 2024), rng.randint(1, 12), rng.randint(1, 28)
        role = "founder" if position == 0 else rng.choice(MEMBER_ROLES)
        triples = [
            (cluster.term, t.has_member, organisation.term),
            (membership, t.a, t.membership_class),
            (membership, t.pref_label, t.name(f"{organisation.name}, {cluster.name}")),
            (membership, t.organization, cluster.term),
            (membership, t.role, t.concept("role", role)),
        ]
        if position == 1 and "membership-without-member" in defects:
            self._defect("membership-without-member", iri, f"{PREFIXES['org']}member", "no member")
        else:
            triples.append((membership, t.member, organisation.term))
        if position == 2 and "bad-datatype" in defects:
            text = f"{year:04d}-{month:02d}-{day:02d}"
            triples.append((membership, t.start_date, t.literal(text)))
            self._defect("bad-datatype", iri, f"{SCHEMA}startDate", "a date typed as a plain string", text)
        else:
            triples.append((membership, t.start_date, t.date(year, month, day)))
        if position == 3 and "dates-out-of-order" in defects:
            triples.append((membership, t.end_date, t.date(year - 1, month, day)))
            end = f"{year - 1:04d}-{month:02d}-{day:02d}"
            self._defect("dates-out-of-order", iri, f"{SCHEMA}startDate", "starts after its end date", end)
        elif rng.random() < 0.25 and year < 2024:
            triples.append((membership, t.end_date, t.date(rng.randint(year + 1, 2025), month, day)))
        self._result.memberships += 1
        return triples

    def _partnership(self) -> Triples:
        rng, t = self._rng, self._t
        self._result.partnerships += 1
        action, title, eurocluster = rng.choice(PARTNERSHIP_ACTIONS)
        theme, ecosystem, _ = rng.choice(THEMES)
        name = f"{title} {theme} {self._result.partnerships}"
        partnership = t.resource("partnership", slugify(name))
        start = rng.randint(2016, 2023)
        partners = rng.sample(self._partners, k=min(len(self._partners), rng.randint(3, 6)))
        self._partners = []
        triples = [
            (partnership, t.a, t.eurocluster_class if eurocluster else t.partnership_class),
            (partnership, t.pref_label, t.name(name)),
            (partnership, t.funded_by, t.resource("action", action)),
            (partnership, t.ecosystem, t.concept("industrial-ecosystem", ecosystem)),
            (partnership, t.start_date, t.date(start, rng.choice((1, 9)), 1)),
            (partnership, t.end_date, t.date(start + rng.randint(2, 3), rng.choice((2, 8)), 28)),
            (partnership, t.lead_partner, partners[0]),
        ]
        for cluster in partners:
            triples += [(partnership, t.partner, cluster), (cluster, t.participates_in, partnership)]
        return triples


def synthesize(
    out: TextIO,
    clusters: int,
    seed: int,
    *,
    defects: int = 0,
    output_format: str = "nquads",
    shown: Progress | None = None,
) -> SynthResult:
    """Write a synthetic graph of `clusters` clusters to `out`; the same arguments give the same bytes.

    `shown` counts the clusters as they are written."""
    _check_sizes(clusters, defects)
    graph = synthetic_graph_iri(seed)
    writer = _Writer(out, graph, format_for_output(None, output_format))
    result = SynthResult(seed=seed, graph=graph)
    writer.start(_graph_description(writer, seed, clusters, defects))
    _Generator(seed, clusters, defects, writer, result).run(shown)
    writer.finish()
    result.triples = writer.triples
    return result


def _check_sizes(clusters: int, defects: int) -> None:
    if clusters < 1:
        raise ValueError(f"--clusters must be at least 1, not {clusters}")
    most = clusters * len(DEFECT_KINDS)
    if not 0 <= defects <= most:
        raise ValueError(
            f"--defects must be between 0 and {most} for {clusters} cluster(s) "
            f"(at most one of each of the {len(DEFECT_KINDS)} kinds per cluster), not {defects}"
        )


def _graph_description(writer: _Writer, seed: int, clusters: int, defects: int) -> Triples:
    graph, t = writer.iri(synthetic_graph_iri(seed)), _Terms(writer)
    rdfs_label = writer.iri(f"{PREFIXES['rdfs']}label")
    description = writer.iri(f"{PREFIXES['dct']}description")
    command = f"csei synth --clusters {clusters} --seed {seed}" + (f" --defects {defects}" if defects else "")
    return [
        (graph, t.a, writer.iri(f"{PREFIXES['prov']}Entity")),
        (graph, rdfs_label, t.name(f"Synthetic clusters (seed {seed})")),
        (
            graph,
            description,
            t.name(f"Made up by `{command}` to test and measure csei-graph; no fact in it is true."),
        ),
        (graph, writer.iri(f"{CSEI}provenanceKind"), t.concept("provenance-kind", "inferred")),
        (graph, writer.iri(f"{PREFIXES['prov']}wasAttributedTo"), t.resource("organisation", MAINTAINERS)),
    ]


def write_synthetic(
    out: Path | None,
    clusters: int,
    seed: int,
    *,
    defects: int = 0,
    output_format: str | None = None,
    manifest: Path | None = None,
    shown: Progress | None = None,
) -> SynthResult:
    """Write a synthetic graph to a file (atomically) or to standard output, and its defects manifest."""
    _check_sizes(clusters, defects)
    chosen = format_for_output(out, output_format)
    if defects and manifest is None:
        if out is None:
            raise ValueError("--defects writing to standard output needs --manifest FILE for the defect list")
        manifest = out.with_name(out.name + ".defects.json")
    if out is None:
        result = synthesize(sys.stdout, clusters, seed, defects=defects, output_format=chosen, shown=shown)
    else:
        with atomic_writer(out, text=True) as stream:
            result = synthesize(stream, clusters, seed, defects=defects, output_format=chosen, shown=shown)
    if manifest is not None:
        with atomic_writer(manifest, text=True) as stream:
            json.dump(result.manifest(), stream, indent=2)
            stream.write("\n")
    return result
