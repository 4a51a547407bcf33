"""The generator: one cluster after another, its members, memberships, partnerships and defects."""

import random
import re
import unicodedata
from dataclasses import dataclass

from csei_graph.namespaces import CSEI, CSEID, PREFIXES, SCHEMA
from csei_graph.progress import Progress
from csei_graph.synth.result import DEFECT_KINDS, Defect, SynthResult
from csei_graph.synth.tables import (
    ACTOR_KIND_WEIGHTS,
    ACTOR_KINDS,
    CLUSTER_WORDS,
    CLUSTERS_PER_PARTNERSHIP,
    COUNTRY_SCHEME,
    EU_COUNTRIES,
    LABEL_LEVELS,
    MAX_WAITING,
    MEMBER_ROLES,
    MEMBERS_PER_CLUSTER,
    NAME_PATTERNS,
    PARTNERSHIP_ACTIONS,
    REUSE_CANDIDATES,
    REUSE_PROBABILITY,
    SHARED_FRACTION,
    STEM_PARTS,
    THEMES,
    XSD,
)
from csei_graph.synth.writer import Terms, Triples, Writer


def slugify(name: str) -> str:
    """Lower-case ASCII words joined by `-`, accents dropped, as the IRI policy asks."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


@dataclass
class Organisation:
    term: str
    iri: str
    kind: str
    name: str
    slug: str
    remaining: int = 0  # further clusters a shared organisation will join
    shared: bool = False


@dataclass(frozen=True)
class Cluster:
    term: str
    iri: str
    slug: str
    name: str
    index: int
    country: str
    city: str
    founded: int
    defects: frozenset[str]


class Generator:
    """Makes one cluster after another; only the organisations waiting to join more clusters are kept."""

    def __init__(self, seed: int, clusters: int, defects: int, writer: Writer, result: SynthResult) -> None:
        self._rng = random.Random(seed)
        self._clusters = clusters
        self._writer = writer
        self._t = Terms(writer)
        self._result = result
        self._waiting: list[Organisation] = []
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
        cluster = Cluster(t.iri(iri), iri, slug, name, index, country, city, founded, defects)
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

    def _cluster_organisation(self, cluster: Cluster) -> Triples:
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

    def _label_award(self, cluster: Cluster, organisation: str) -> Triples:
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

    def _members(self, cluster: Cluster) -> Triples:
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

    def _new_organisation(self, kind: str, cluster: Cluster) -> Organisation:
        self._organisation_serial += 1
        name = self._rng.choice(NAME_PATTERNS[kind]).format(stem=self._stem(), city=cluster.city)
        slug = f"{slugify(name)}-{self._organisation_serial}"
        iri = f"{CSEID}organisation/{slug}"
        organisation = Organisation(self._t.iri(iri), iri, kind, name, slug)
        if self._rng.random() < SHARED_FRACTION:
            organisation.remaining = self._rng.randint(1, 3)
            self._wait(organisation)
        self._result.organisations += 1
        return organisation

    def _wait(self, organisation: Organisation) -> None:
        self._waiting.append(organisation)
        if len(self._waiting) > MAX_WAITING:
            # Bounded memory: the longest-waiting organisation stays in the clusters it has joined.
            del self._waiting[0]

    def _reused_organisation(self, joined: set[str]) -> Organisation | None:
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

    def _describe(self, organisation: Organisation, cluster: Cluster, defects: frozenset[str]) -> Triples:
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

    def _membership(self, cluster: Cluster, position: int, organisation: Organisation) -> Triples:
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
