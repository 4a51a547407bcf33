"""How names and web addresses are compared: Unicode-, accent- and case-folded keys."""

import re
import unicodedata

from anyascii import anyascii

_NOT_A_WORD = re.compile(r"[^a-z0-9]+")
_WEB_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)


def fold(text: str) -> str:
    """The key a name is compared by: NFKC, transliterated to ASCII, case-folded, words by one space.

    `CRESS Rhône-Alpes`, `cress rhone alpes` and `ＣＲＥＳＳ  Rhône–Alpes` all give `cress rhone alpes`;
    letters that do not decompose into a base letter and an accent (`Ł`, `ø`, `ß`) are transliterated too.
    """
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).casefold()
    return _NOT_A_WORD.sub(" ", ascii_text).strip()


def words(key: str) -> list[str]:
    """The words of a folded key."""
    return key.split()


def local_name(iri: str) -> str:
    """The last part of an IRI, after its last `/` or `#`: a name of last resort."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def web_address_key(address: str) -> str:
    """A web address as compared: no scheme, no `www.`, no trailing slash, host case-folded."""
    rest = _WEB_PREFIX.sub("", address.strip())
    host, _, path = rest.partition("/")
    return f"{host.casefold()}/{path}".rstrip("/")
