"""The index the service matches against: names, types and property values, read once from a store."""

import bisect
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from csei_graph.reconcile.names import fold, local_name, web_address_key, words
from csei_graph.reconcile.vocabulary import MEMBER_OF, ORG, PROPERTIES, TYPES, WEBSITE
from csei_graph.stores.base import Store

# The queries name only the vocabulary's own terms, written here: nothing read from a request or a
# file is ever put into their text. Each reads one property whole, which every store answers from
# its indexes at once (a join per class and property is ten times slower at a million triples).
_INSTANCES = "SELECT DISTINCT ?entity WHERE {{ ?entity a/<{subclass}>* <{root}> FILTER(isIRI(?entity)) }}"
_STATEMENTS = "SELECT ?subject ?object WHERE {{ ?subject <{property}> ?object FILTER(isIRI(?subject)) }}"
_MEMBERSHIPS = """SELECT ?member ?group WHERE {{
    {{ ?membership <{org}member> ?member ; <{org}organization> ?group }}
    UNION {{ ?group <{org}hasMember> ?member }}
    UNION {{ ?member <{org}memberOf> ?group }}
    FILTER(isIRI(?member) && isIRI(?group))
}}"""
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
# Words in more names than this are too common to find candidates by, unless the query's rarer
# words found fewer than ENOUGH_CANDIDATES names.
COMMON_WORD_KEYS = 500
ENOUGH_CANDIDATES = 10
# Most distinct names scored by the fuzzy matcher for one query.
MOST_FUZZY_KEYS = 5000
# How much a name that holds all the other's words (and more) counts, against one with the same words.
SUBSET_WEIGHT = 0.8
# Each word of the query is looked up among the words of names too, for typos: the closest ones.
NEAR_WORD_SCORE = 75
NEAR_WORDS = 3
PREFERRED_LANGUAGES = ("en", "")


@dataclass(slots=True)
class Entity:
    """A resource that can be matched: its IRI, its name, its types and its property values."""

    iri: str
    name: str
    types: tuple[str, ...]
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keys: tuple[str, ...] = ()  # folded names: the preferred ones first
    preferred: int = 0  # how many of `keys` are preferred names (skos:prefLabel)


@dataclass(slots=True)
class _Found:
    """What the store says about one resource while the index is built."""

    types: list[str] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)  # (language, text) of skos:prefLabel
    alternatives: list[str] = field(default_factory=list)  # skos:altLabel and skos:notation
    values: dict[str, list[str]] = field(default_factory=dict)


class Index:
    """Entities by IRI, by folded name and by the words of their names; values by their names."""

    def __init__(self, found: dict[str, _Found], value_texts: dict[str, _Found]) -> None:
        self.entities: list[Entity] = []
        self._by_iri: dict[str, int] = {}
        self._names: dict[str, list[tuple[int, bool]]] = defaultdict(list)
        for position, iri in enumerate(sorted(found)):
            entity = _entity(iri, found[iri])
            self.entities.append(entity)
            self._by_iri[iri] = position
            for rank, key in enumerate(entity.keys):
                self._names[key].append((position, rank < entity.preferred))
        self.keys = sorted(self._names)
        self._words: dict[str, list[int]] = defaultdict(list)
        for position, key in enumerate(self.keys):
            for word in set(words(key)):
                self._words[word].append(position)
        self.vocabulary = sorted(self._words)
        self._value_names: dict[str, str] = {}
        self._value_keys: dict[str, set[str]] = defaultdict(set)
        self._holders: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._index_values(value_texts)

    def _index_values(self, value_texts: dict[str, _Found]) -> None:
        for position, entity in enumerate(self.entities):
            for prop, values in entity.values.items():
                for value in compared(prop, values):
                    self._holders[(prop, value)].append(position)
        named = {value for (prop, value) in self._holders if prop != WEBSITE}
        for value in named:
            entity = self.entity(value)
            if entity is not None:
                self._value_names[value] = entity.name
                keys: Iterable[str] = entity.keys
            else:
                texts = value_texts.get(value, _Found())
                self._value_names[value] = _best_name(texts.names) or local_name(value)
                keys = [fold(text) for _, text in texts.names] + [fold(t) for t in texts.alternatives]
            for key in {*keys, fold(local_name(value))} - {""}:
                self._value_keys[key].add(value)

    def __len__(self) -> int:
        return len(self.entities)

    def entity(self, iri: str) -> Entity | None:
        """The entity of an IRI, or None."""
        position = self._by_iri.get(iri)
        return None if position is None else self.entities[position]

    def position(self, iri: str) -> int | None:
        """Where an entity is in `entities`, or None."""
        return self._by_iri.get(iri)

    def named(self, key: str) -> list[tuple[int, bool]]:
        """Entities one of whose names folds to `key`: (position, whether it is the preferred name)."""
        return self._names.get(key, [])

    def similar_names(self, key: str, limit: int, cutoff: float) -> list[tuple[str, float]]:
        """Folded names like `key`, scored 0-100, best first; found among those sharing a word with it.

        The score is the token-sort ratio (typos, words in another order), or, when one name's words
        are all in the other (`unimos` and `unimos foundation`), 80 % of the token-set ratio if higher.
        """
        candidates = self._candidate_keys(words(key))
        if not candidates:
            return []
        choices = [self.keys[position] for position in candidates]
        scores: dict[str, float] = {}
        for scorer, weight in ((fuzz.token_sort_ratio, 1.0), (fuzz.token_set_ratio, SUBSET_WEIGHT)):
            # The best `limit` of each scorer; the choices are in order, so ties are always cut alike.
            found = process.extract(
                key, choices, scorer=scorer, processor=None, limit=limit, score_cutoff=cutoff / weight
            )
            for choice, score, _ in found:
                scores[choice] = max(scores.get(choice, 0.0), score * weight)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def _candidate_keys(self, query_words: list[str]) -> list[int]:
        """Names sharing a word (or a word close to one) with the query: rarest words first, bounded."""
        postings: dict[str, list[int]] = {}
        for word in query_words:
            if word in self._words:
                postings[word] = self._words[word]
            if len(word) >= 4:  # the word may be misspelt: the names' words close to it too
                for near in self._near_words(word):
                    postings[near] = self._words[near]
        chosen: set[int] = set()
        for _, keys in sorted(postings.items(), key=lambda item: (len(item[1]), item[0])):
            common = len(keys) > COMMON_WORD_KEYS and len(chosen) >= ENOUGH_CANDIDATES
            if chosen and (common or len(chosen) + len(keys) > MOST_FUZZY_KEYS):
                break
            chosen.update(keys[:MOST_FUZZY_KEYS])
        return sorted(chosen)

    def _near_words(self, word: str) -> list[str]:
        found = process.extract(
            word,
            self.vocabulary,
            scorer=fuzz.ratio,
            processor=None,
            limit=NEAR_WORDS,
            score_cutoff=NEAR_WORD_SCORE,
        )
        return [choice for choice, _, _ in found if choice != word]

    def names_starting(self, prefix: str) -> Iterator[str]:
        """Folded names that start with `prefix`, in order."""
        start = bisect.bisect_left(self.keys, prefix)
        for key in self.keys[start:]:
            if not key.startswith(prefix):
                return
            yield key

    def names_with_word_starting(self, prefix: str) -> Iterator[str]:
        """Folded names with a word that starts with `prefix`, word by word in order."""
        start = bisect.bisect_left(self.vocabulary, prefix)
        for word in self.vocabulary[start:]:
            if not word.startswith(prefix):
                return
            for position in self._words[word]:
                yield self.keys[position]

    def resolve(self, prop: str, value: str) -> set[str]:
        """The values a query's value may stand for: the IRI itself, or the resources named so."""
        if prop == WEBSITE:
            return {web_address_key(value)}
        key = fold(value)
        resolved = set(self._value_keys.get(key, ()))
        resolved.update(self.entities[position].iri for position, _ in self.named(key))
        if (prop, value) in self._holders or self.entity(value) is not None:
            resolved.add(value)
        return resolved

    def holders(self, prop: str, value: str) -> list[int]:
        """Positions of the entities that have `value` for `prop`."""
        return self._holders.get((prop, value), [])

    def value_name(self, value: str) -> str:
        """The name of a value of a property (a country, a concept, a cluster)."""
        return self._value_names.get(value) or local_name(value)


def compared(prop: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """Values as they are compared: web addresses normalised, IRIs as they are."""
    return tuple(web_address_key(v) for v in values) if prop == WEBSITE else values


def build_index(store: Store) -> Index:
    """Read the entities of every offered type, their names and their property values from a store."""
    found: dict[str, _Found] = {}
    for entity_type in TYPES:
        for root in entity_type.classes:
            for (entity,) in _rows(store, _INSTANCES.format(subclass=SUBCLASS_OF, root=root)):
                found.setdefault(entity.value, _Found()).types.append(entity_type.id)
    _read_values(store, found)
    values = {v for f in found.values() for p, vs in f.values.items() if p != WEBSITE for v in vs}
    others = {value: _Found() for value in values - found.keys()}
    _read_names(store, found, others)
    return Index(found, others)


def _read_values(store: Store, found: dict[str, _Found]) -> None:
    """The values of the offered properties, for the entities found."""
    for prop in PROPERTIES:
        if prop.id != MEMBER_OF:
            for subject, value in _rows(store, _STATEMENTS.format(property=prop.id)):
                if subject.value in found and isinstance(value, ox.NamedNode):
                    found[subject.value].values.setdefault(prop.id, []).append(sys.intern(value.value))
    for member, group in _rows(store, _MEMBERSHIPS.format(org=ORG)):
        if member.value in found:
            # Interned: the same few countries, concepts and clusters are the values of many entities.
            found[member.value].values.setdefault(MEMBER_OF, []).append(sys.intern(group.value))


def _read_names(store: Store, found: dict[str, _Found], others: dict[str, _Found]) -> None:
    """The names of the entities found, and of the other resources that are values."""
    for property_iri in (PREF_LABEL, ALT_LABEL, NOTATION):
        for subject, text in _rows(store, _STATEMENTS.format(property=property_iri)):
            described = found.get(subject.value) or others.get(subject.value)
            if described is None or not isinstance(text, ox.Literal):
                continue
            if property_iri == PREF_LABEL:
                described.names.append((text.language or "", text.value))
            else:
                described.alternatives.append(text.value)


def _rows(store: Store, sparql: str) -> ox.QuerySolutions:
    """The solutions of a SELECT query; each unpacks into its terms, in the order of the variables."""
    answer = store.query(sparql)
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError("the store did not answer a SELECT query with solutions")
    return answer


def _entity(iri: str, found: _Found) -> Entity:
    preferred = list(dict.fromkeys(k for k in (fold(text) for _, text in sorted(found.names)) if k))
    others = [k for k in dict.fromkeys(fold(text) for text in sorted(found.alternatives)) if k]
    keys = tuple(preferred + [k for k in others if k not in preferred])
    values = {prop: tuple(sorted(set(vs))) for prop, vs in sorted(found.values.items())}
    types = tuple(t.id for t in TYPES if t.id in found.types)
    name = _best_name(found.names) or local_name(iri)
    return Entity(iri, name, types, values, keys, len(preferred))


def _best_name(names: list[tuple[str, str]]) -> str:
    """The English name, else the one without a language, else the first by language."""
    if not names:
        return ""
    ranked = sorted(
        names, key=lambda n: (PREFERRED_LANGUAGES.index(n[0]) if n[0] in PREFERRED_LANGUAGES else 9, n)
    )
    return ranked[0][1]
