"""Results are placed where their resource is written: the first line it starts, else its first mention."""

from pathlib import Path

import pytest

from csei_graph.validation import locate as locating
from csei_graph.validation.locate import locate

EX = "http://example.org/"
TURTLE = """@prefix ex: <http://example.org/> .
@prefix cseid: <https://w3id.org/csei/id/> .

ex:first ex:p ex:mentioned .
  <http://example.org/indented> ex:p "Zoë, déjà vu" ; ex:q ex:second .
cseid:cluster\\/escaped ex:p ex:first .
ex:second ex:p 1 . <http://example.org/late> ex:p 2 .
"""


@pytest.fixture
def turtle(tmp_path: Path) -> Path:
    path = tmp_path / "graph.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    return path


def _where(found: dict, iri: str) -> tuple[int | None, int | None]:
    return found[iri].line, found[iri].column


def test_a_subject_is_placed_on_the_line_it_starts(turtle: Path) -> None:
    found = locate([f"{EX}first", f"{EX}indented", f"{EX}second"], [turtle])
    assert _where(found, f"{EX}first") == (4, 1)
    assert _where(found, f"{EX}indented") == (5, 3)
    # Written as an object on line 5 first, but it starts line 7.
    assert _where(found, f"{EX}second") == (7, 1)


def test_an_escaped_local_name_is_read_as_its_iri(turtle: Path) -> None:
    found = locate(["https://w3id.org/csei/id/cluster/escaped"], [turtle])
    assert _where(found, "https://w3id.org/csei/id/cluster/escaped") == (6, 1)


def test_what_starts_no_line_is_placed_at_its_first_mention_in_characters(turtle: Path) -> None:
    found = locate([f"{EX}mentioned", f"{EX}late"], [turtle])
    assert _where(found, f"{EX}mentioned") == (4, 15)
    line = TURTLE.splitlines()[6]
    assert _where(found, f"{EX}late") == (7, line.index("<http://example.org/late>") + 1)


def test_the_first_file_with_the_subject_wins(turtle: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.nt"
    other.write_text(f"<{EX}x> <{EX}p> <{EX}first> .\n<{EX}first> <{EX}p> <{EX}x> .\n", encoding="utf-8")
    found = locate([f"{EX}first", f"{EX}x"], [other, turtle])
    assert found[f"{EX}first"].path == str(other) and found[f"{EX}first"].line == 2
    assert _where(found, f"{EX}x") == (1, 1)


def test_few_and_many_iris_are_found_alike(turtle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wanted = [f"{EX}{name}" for name in ("first", "indented", "second", "mentioned", "late", "absent")]
    wanted.append("https://w3id.org/csei/id/cluster/escaped")
    searched_alone = locate(wanted, [turtle])
    monkeypatch.setattr(locating, "FEW_WANTED", 0)
    assert locate(wanted, [turtle]) == searched_alone
    assert f"{EX}absent" not in searched_alone and len(searched_alone) == len(wanted) - 1


def test_a_quoted_iri_of_json_ld_is_found(tmp_path: Path) -> None:
    path = tmp_path / "graph.jsonld"
    path.write_text('{\n  "@id": "http://example.org/a",\n  "http://example.org/p": 1\n}\n', encoding="utf-8")
    found = locate([f"{EX}a"], [path])
    assert _where(found, f"{EX}a") == (2, 10)
