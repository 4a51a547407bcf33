"""A stored query that passed its checks is remembered between runs; any other text is checked again."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from csei_graph.cache import cache_folder
from csei_graph.queries import QueryError, catalogue, load_query

GOOD = """# title: Organisations
# description: Every organisation.
# param: country | concept country | - | only this country
# tags: organisations
SELECT ?organisation ?country WHERE { ?organisation <https://w3id.org/csei/ontology#country> ?country }
"""


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of this test alone, and no check remembered in this process."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CSEI_CACHE_DIR", str(folder))
    catalogue._checked_query.cache_clear()
    yield folder / catalogue.CHECKED_KIND
    catalogue._checked_query.cache_clear()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "question.rq"
    path.write_text(text, encoding="utf-8")
    return path


def _refuse_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    def checked(*args: object, **kwargs: object) -> None:
        raise AssertionError("the query was checked again")

    monkeypatch.setattr(catalogue, "check_syntax", checked)


def test_a_query_that_passed_is_not_checked_again(
    tmp_path: Path, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, GOOD)
    first = load_query(path)
    assert [entry.read_text(encoding="utf-8") for entry in kept.iterdir()] == ["SELECT"]
    catalogue._checked_query.cache_clear()  # as a new process starts
    _refuse_checks(monkeypatch)
    again = load_query(path)
    assert again == first
    assert [p.name for p in again.parameters] == ["country"]


def test_a_changed_text_is_checked_again(tmp_path: Path, kept: Path) -> None:
    path = _write(tmp_path, GOOD)
    load_query(path)
    _write(tmp_path, GOOD.replace("WHERE {", "WHERE { SERVICE <http://example.org/sparql> { ?a ?b ?c }"))
    with pytest.raises(QueryError, match="SERVICE"):
        load_query(path)


def test_a_query_that_fails_is_never_remembered(tmp_path: Path, kept: Path) -> None:
    path = _write(tmp_path, GOOD.replace("?organisation ?country WHERE", "?organisation WHERE"))
    for _ in range(2):
        with pytest.raises(QueryError, match="country"):
            load_query(path)
        catalogue._checked_query.cache_clear()
    assert not kept.exists()


def test_a_kept_entry_that_names_no_form_is_checked_again(tmp_path: Path, kept: Path) -> None:
    path = _write(tmp_path, GOOD)
    load_query(path)
    (entry,) = kept.iterdir()
    entry.write_text("garbage", encoding="utf-8")
    catalogue._checked_query.cache_clear()
    assert load_query(path).form == "SELECT"
    assert entry.read_text(encoding="utf-8") == "SELECT"


def test_the_stored_queries_are_remembered_in_the_cache_folder(kept: Path) -> None:
    queries = catalogue.list_queries()
    assert kept == cache_folder() / catalogue.CHECKED_KIND
    assert len(list(kept.iterdir())) == len(queries)
