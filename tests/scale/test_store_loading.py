"""Loading with the engine's own parser is as strict as `parse`: same graph, same errors, same limits."""

from collections.abc import Callable
from pathlib import Path

import pytest

from csei_graph.api import open_graph
from csei_graph.settings import Settings
from csei_graph.sources import SourceError, discover, parse
from csei_graph.stores.embedded import GraphStore
from csei_graph.synth import write_synthetic

EX = "http://example.org/"
Loader = Callable[[Path, Settings], GraphStore]


def _in_memory(path: Path, settings: Settings) -> GraphStore:
    return GraphStore.from_sources(discover([path]), settings)


def _persistent(path: Path, settings: Settings) -> GraphStore:
    return GraphStore.open(path.parent / "store", discover([path]), settings)


LOADERS = pytest.mark.parametrize("load", [_in_memory, _persistent], ids=["memory", "persistent"])


@LOADERS
def test_the_graph_is_the_one_parse_reads(tmp_path: Path, load: Loader) -> None:
    path = tmp_path / "synthetic.trig"
    write_synthetic(path, 4, 6, defects=5)
    (tmp_path / "plain.ttl").write_text(f'<{EX}a> <{EX}p> "x" .\n', encoding="utf-8")
    store = load(path, Settings())
    assert set(store.quads()) == set(parse(discover([path])[0]))
    triples = load(tmp_path / "plain.ttl", Settings())
    assert triples.graph_names() == ["https://w3id.org/csei/graph/plain"]


@LOADERS
def test_a_syntax_error_names_file_line_and_column(tmp_path: Path, load: Loader) -> None:
    path = tmp_path / "broken.trig"
    path.write_text(f'<{EX}g> {{\n  <{EX}a> <{EX}p> "x" ;\n  <{EX}q> .\n}}\n', encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        load(path, Settings())
    assert raised.value.path == str(path)
    assert raised.value.line == 3
    assert raised.value.column is not None


@LOADERS
@pytest.mark.parametrize(
    "literal", [f'"""{"x" * 40}\n{"y" * 40}"""', f'"{"z" * 81}"'], ids=["long string", "one line"]
)
def test_a_literal_over_the_limit_is_refused(tmp_path: Path, load: Loader, literal: str) -> None:
    path = tmp_path / "long.ttl"
    lines = [f'<{EX}s{i}> <{EX}p> "short {i}" .' for i in range(50)]
    lines.insert(30, f"<{EX}long> <{EX}p> {literal} .")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match="exceeds the limit of 60"):
        load(path, Settings(max_literal_chars=60))
    assert len(load(path, Settings(max_literal_chars=100))) == 51


@LOADERS
@pytest.mark.parametrize("name", ["big.ttl", "big.jsonld"])
def test_the_teams_own_files_load_whatever_the_size_limit(tmp_path: Path, load: Loader, name: str) -> None:
    # The size limit is for contributed and validated files, not for the graph's own sources.
    path = tmp_path / name
    text = (
        f'<{EX}a> <{EX}p> "{"x" * 200}" .\n'
        if name.endswith(".ttl")
        else f'{{"@id": "{EX}a", "{EX}p": "{"x" * 200}"}}'
    )
    path.write_text(text, encoding="utf-8")
    assert len(load(path, Settings(max_file_bytes=100))) == 1
    with pytest.raises(SourceError, match="over the limit of 100"):
        parse(discover([path])[0], Settings(max_file_bytes=100))


@LOADERS
def test_rdf_xml_keeps_the_checks_of_parse(tmp_path: Path, load: Loader) -> None:
    path = tmp_path / "entities.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY e "x"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="declaration is refused"):
        load(path, Settings())


def test_a_data_folder_holding_a_file_over_the_size_limit_loads(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    write_synthetic(data / "synthetic.trig", 2, 1)
    settings = Settings(data_dir=data, max_file_bytes=1000)
    assert (data / "synthetic.trig").stat().st_size > settings.max_file_bytes
    store = open_graph(settings=settings)
    assert "https://w3id.org/csei/graph/synthetic-1" in store.graph_names()
