"""Scores candidates for a query: exact names, alternative names, fuzzy names, types and conditions.

A candidate's name scores 100 when the query is one of its preferred names (skos:prefLabel) once
both are folded (Unicode NFKC, accents transliterated, case folded, punctuation as spaces), 95 when
it is one of its alternative names (skos:altLabel, skos:notation), and 90 % of the fuzzy similarity
otherwise (at most 90). Types filter. Each property condition scores 100 when the candidate has one of
the values asked for, 0 when it has only others, and 75 when the graph states none; the score is the
average of the name's score (weight 1) and the conditions' (weight 0.5 each). A candidate is a match
only if its name is exact, no condition contradicts it, and it leads the next candidate by 10 or more.
"""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from csei_graph.reconcile.index import Entity, Index, compared
from csei_graph.reconcile.names import fold
from csei_graph.reconcile.vocabulary import PROPERTIES_BY_ID, TYPES_BY_ID

PREFERRED_NAME = 100.0
ALTERNATIVE_NAME = 95.0
FUZZY_WEIGHT = 0.9
FUZZY_CUTOFF = 50.0
FUZZY_NAMES = 50
CONDITION_WEIGHT = 0.5
HAS_VALUE, STATES_NONE, HAS_OTHER = 100.0, 75.0, 0.0
MATCH_LEAD = 10.0
DEFAULT_LIMIT = 10
MOST_CANDIDATES = 100
TYPE_STRICTNESS = ("any", "should", "all")


class QueryError(ValueError):
    """A query that cannot be answered: what is wrong and how to fix it."""


@dataclass(frozen=True)
class Condition:
    """A property the candidates should have, with the values asked for (IRIs, codes or names)."""

    property: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    """What to look for: a name, the types it may have, conditions on properties, how many to give."""

    text: str = ""
    types: tuple[str, ...] = ()
    type_strict: str = "any"
    conditions: tuple[Condition, ...] = ()
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t not in TYPES_BY_ID]
        if unknown:
            raise QueryError(f"unknown type {unknown[0]!r}: use one of {', '.join(TYPES_BY_ID)}")
        for condition in self.conditions:
            if condition.property not in PROPERTIES_BY_ID:
                raise QueryError(
                    f"unknown property {condition.property!r}: use one of {', '.join(PROPERTIES_BY_ID)}"
                )
        if self.type_strict not in TYPE_STRICTNESS:
            raise QueryError(f"type_strict is {self.type_strict!r}: use any, should or all")
        if not fold(self.text) and not self.conditions:
            raise QueryError("the query has neither a name to look for nor a property condition")
        if not 1 <= self.limit <= MOST_CANDIDATES:
            raise QueryError(f"limit is {self.limit}: ask for 1 to {MOST_CANDIDATES} candidates")


@dataclass(frozen=True)
class Candidate:
    """An entity proposed for a query, its score, how its name and each condition scored, and whether
    it is certainly the one (`match`)."""

    entity: Entity
    score: float
    name_score: float | None
    conditions: tuple[tuple[str, float], ...]
    match: bool = False

    @property
    def exact(self) -> bool:
        """Whether the query is one of the entity's names."""
        return self.name_score is not None and self.name_score >= ALTERNATIVE_NAME


def reconcile(index: Index, query: Query) -> list[Candidate]:
    """The candidates for a query, best first (score, then IRI); the first is marked if a match.

    Entities are taken name by name, best name first, and scored with their conditions; the search
    stops once no entity of the names left could rank among the candidates to give (namesakes can
    be thousands in a large graph, and most need not be scored).
    """
    key = fold(query.text)
    groups = _name_groups(index, key) if key else [(None, lambda: _holding(index, query.conditions))]
    wanted = set(query.types)
    resolved = [(c.property, _resolve(index, c)) for c in query.conditions]
    kept = query.limit + 1  # one more than asked: a match is decided against the next candidate
    scored: list[tuple[float, str, int, float | None, tuple[tuple[str, float], ...]]] = []
    seen: set[int] = set()
    for name_score, positions in groups:
        best_possible = _score(name_score, tuple(("", HAS_VALUE if v else STATES_NONE) for _, v in resolved))
        if len(scored) >= kept and best_possible < -scored[-1][0]:
            break
        reaching_best = 0
        for position in positions():  # in IRI order: entities are kept sorted by IRI
            if position in seen:
                continue
            seen.add(position)
            entity = index.entities[position]
            if wanted and not _typed(entity, wanted, query.type_strict):
                continue
            conditions = tuple((prop, _condition_score(entity, prop, values)) for prop, values in resolved)
            score = _score(name_score, conditions)
            scored.append((-score, entity.iri, position, name_score, conditions))
            reaching_best += score == best_possible
            if reaching_best >= kept:
                break  # the others of this name score no more, and come after in IRI order
        scored.sort()
        del scored[kept:]
    candidates = [Candidate(index.entities[p], -s, n, c) for s, _, p, n, c in scored]
    if candidates and _is_match(candidates):
        first = candidates[0]
        candidates[0] = Candidate(first.entity, first.score, first.name_score, first.conditions, True)
    return candidates[: query.limit]


def _name_groups(index: Index, key: str) -> list[tuple[float | None, Callable[[], list[int]]]]:
    """Entities by the score of their name, best first: exact names, alternative names, fuzzy ones.

    Each group's entities are listed only when it is reached: most groups never are.
    """
    by_score: dict[float, list[tuple[str, bool | None]]] = {}
    for preferred, score in ((True, PREFERRED_NAME), (False, ALTERNATIVE_NAME)):
        by_score[score] = [(key, preferred)]
    for name, similarity in index.similar_names(key, FUZZY_NAMES, FUZZY_CUTOFF):
        if name != key:
            by_score.setdefault(round(similarity * FUZZY_WEIGHT, 2), []).append((name, None))
    return [
        (score, functools.partial(_named, index, by_score[score])) for score in sorted(by_score, reverse=True)
    ]


def _named(index: Index, names: list[tuple[str, bool | None]]) -> list[int]:
    """The entities with one of these names (only as preferred, or only as alternative, if said)."""
    return sorted(
        {
            position
            for name, wanted in names
            for position, preferred in index.named(name)
            if wanted is None or preferred == wanted
        }
    )


def _holding(index: Index, conditions: Sequence[Condition]) -> list[int]:
    """With no name to look for: the entities that have a value asked for by the most selective condition."""
    holders = []
    for condition in conditions:
        found: set[int] = set()
        for value in _resolve(index, condition):
            found.update(index.holders(condition.property, value))
        holders.append(found)
    return sorted(min(holders, key=len))


def _resolve(index: Index, condition: Condition) -> set[str]:
    resolved: set[str] = set()
    for value in condition.values:
        resolved |= index.resolve(condition.property, value)
    return resolved


def _typed(entity: Entity, wanted: set[str], strictness: str) -> bool:
    if strictness == "all":
        return wanted <= set(entity.types)
    return not wanted.isdisjoint(entity.types)


def _condition_score(entity: Entity, prop: str, values: set[str]) -> float:
    held = entity.values.get(prop, ())
    if not held:
        return STATES_NONE
    return HAS_VALUE if not values.isdisjoint(compared(prop, held)) else HAS_OTHER


def _score(name_score: float | None, conditions: tuple[tuple[str, float], ...]) -> float:
    if not conditions:
        return name_score or 0.0
    weighted = sum(score for _, score in conditions) * CONDITION_WEIGHT
    weights = len(conditions) * CONDITION_WEIGHT
    if name_score is not None:
        weighted, weights = weighted + name_score, weights + 1
    return round(weighted / weights, 2)


def _is_match(candidates: Sequence[Candidate]) -> bool:
    best = candidates[0]
    if not best.exact or any(score == HAS_OTHER for _, score in best.conditions):
        return False
    return len(candidates) == 1 or best.score - candidates[1].score >= MATCH_LEAD
