"""Names are compared folded: Unicode forms, accents, case and punctuation set aside."""

import pytest

from csei_graph.reconcile.names import fold, web_address_key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("CRESS Rhône-Alpes", "cress rhone alpes"),
        ("ＣＲＥＳＳ  Rhône–Alpes", "cress rhone alpes"),  # full-width letters, an en dash
        ("Łomża Straße", "lomza strasse"),  # letters that do not decompose into letter + accent
        ("Maison de l'Économie Solidaire", "maison de l economie solidaire"),
        ("  groupe   ARCHER ", "groupe archer"),
        ("!!!", ""),
    ],
)
def test_names_fold_to_one_key(name: str, key: str) -> None:
    assert fold(name) == key


@pytest.mark.parametrize(
    "address",
    ["https://www.Example.org/", "http://example.org", "example.org/", "HTTPS://EXAMPLE.ORG"],
)
def test_web_addresses_compare_without_scheme_www_or_final_slash(address: str) -> None:
    assert web_address_key(address) == "example.org"


def test_the_path_of_a_web_address_counts() -> None:
    assert web_address_key("https://example.org/a/") != web_address_key("https://example.org/b")
