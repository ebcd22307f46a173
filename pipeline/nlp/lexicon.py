"""The word lists the entity components read, as one value a component owns.

Each list is a data file in ``data/`` (titles, portfolios, organisations,
non-name words, speech verbs, honorifics and ranks, role nouns, role verbs,
reporting verbs, place words, currencies). A component loads the lists it
needs in ``initialize()`` and writes them with the pipeline (``to_disk``), so
a saved pipeline reads the same lists it was built with, not whatever the
package holds at load time.
Regular expressions built from the lists are compiled once per lexicon.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from functools import cache, cached_property
from pathlib import Path

DATA = Path(__file__).with_name("data")


def _lines(name: str, data: Path = DATA) -> list[str]:
    text = (data / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _words(name: str, data: Path = DATA) -> list[str]:
    return [w for ln in _lines(name, data) for w in ln.split()]


def _optional(read, name: str, data: Path):
    """A list a language may not have (its rules do not read it): empty then."""
    return read(name, data) if (data / name).exists() else []


def _place_words(data: Path = DATA) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"after": [], "before": []}
    for line in _lines("place_words.txt", data):
        key, _, rest = line.partition(":")
        out[key.strip()] = [w.strip() for w in rest.split("|") if w.strip()]
    return out


def _currencies(data: Path = DATA) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {"symbol": {}, "name": {}}
    for line in _lines("currencies.tsv", data):
        kind, written, code = line.split("\t")
        out.setdefault(kind, {})[written] = code
    return out


# The file each list comes from (in a language's data folder), and how it is read.
SOURCES = {
    "titles": lambda d: _lines("titles.txt", d),
    "portfolios": lambda d: _lines("portfolios.txt", d),
    "organisations": lambda d: _lines("organisations.txt", d),
    "non_name_words": lambda d: _words("non_name_words.txt", d),
    "speech_verbs": lambda d: _words("speech_verbs.txt", d),
    "honorifics": lambda d: _lines("honorifics.txt", d),
    "role_nouns": lambda d: _lines("role_nouns.txt", d),
    "role_verbs": lambda d: [ln.split("\t") for ln in _optional(_lines, "role_verbs.tsv", d)],
    "reporting_verbs": lambda d: _optional(_words, "reporting_verbs.txt", d),
    "place_words": _place_words,
    "currencies": _currencies,
}


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Word lists by name; an empty list where a component did not load one."""

    titles: list[str] = field(default_factory=list)
    portfolios: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    non_name_words: list[str] = field(default_factory=list)
    speech_verbs: list[str] = field(default_factory=list)
    honorifics: list[str] = field(default_factory=list)
    role_nouns: list[str] = field(default_factory=list)
    role_verbs: list[list[str]] = field(default_factory=list)
    reporting_verbs: list[str] = field(default_factory=list)
    place_words: dict[str, list[str]] = field(default_factory=dict)
    currencies: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, names: tuple[str, ...] | None = None, language: str = "en") -> Lexicon:
        """The lists ``names`` (all by default) from the data files of ``language``."""
        from pipeline.languages import spec

        data = spec(language).data_dir
        wanted = names if names is not None else tuple(SOURCES)
        return cls(**{n: SOURCES[n](data) for n in wanted})

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v}, ensure_ascii=False,
                          indent=1)

    @classmethod
    def from_json(cls, text: str) -> Lexicon:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    # Derived forms, compiled once.
    @cached_property
    def title_set(self) -> tuple[str, ...]:
        """Titles with both kinds of apostrophe, longest first ("Deputy Director
        General" wins over "Director General")."""
        out = set(self.titles) | {t.replace("'", "’") for t in self.titles}
        return tuple(sorted(out, key=lambda t: (-len(t), t)))

    @cached_property
    def title_re(self) -> re.Pattern:
        alts = "|".join(re.escape(t) for t in self.title_set)
        return re.compile(rf"(?<![\w-])(?P<title>{alts})(?![\w-])")

    @cached_property
    def lower_title_re(self) -> re.Pattern:
        alts = "|".join(re.escape(t.lower()) for t in self.title_set if t[:1].isupper())
        return re.compile(rf"(?:[a-z-]+[ ]){{0,3}}(?<![\w-])(?:{alts})s?(?![\w-])")

    @cached_property
    def title_words(self) -> frozenset[str]:
        words = {w for t in self.titles for w in t.split() if w[:1].isupper()}
        return frozenset(words | {"Mission", "Office", "Affairs", "Staff", "Operations", "DG"})

    @cached_property
    def non_name_set(self) -> frozenset[str]:
        return frozenset(self.non_name_words)

    @cached_property
    def org_alternation(self) -> str:
        return "|".join(re.escape(o) for o in sorted(self.organisations, key=len, reverse=True))

    @cached_property
    def office_re(self) -> re.Pattern:
        """An office: "IOM Iran", "UNHCR's Regional Office for Asia and the Pacific"."""
        return re.compile(
            rf"\b(?:{self.org_alternation or 'IOM'})"
            r"(?:['’]s)?(?:\s+(?:(?:Regional|Country|Sub-|Liaison)?\s*Office\s+(?:for|in)\s+"
            r"(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:and\s+the|and|of|the|[A-Z][\w'’-]*))*|"
            r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3}))?"
        )

    @cached_property
    def honorific_re(self) -> re.Pattern:
        """Honorifics and ranks at the start of a name, one or more."""
        alts = "|".join(re.escape(h.rstrip("*")) for h in
                        sorted(self.honorifics, key=len, reverse=True))
        return re.compile(rf"^(?:(?:{alts})(?:(?<=\.)|\s+|(?=\s)))+\s*")

    @cached_property
    def rank_set(self) -> frozenset[str]:
        """Honorifics that make a person an official (a rank or an office)."""
        return frozenset(h.rstrip("*") for h in self.honorifics if h.endswith("*"))

    @cached_property
    def role_noun_re(self) -> re.Pattern:
        alts = "|".join(re.escape(r) for r in sorted(self.role_nouns, key=len, reverse=True))
        return re.compile(rf"(?i:(?<![\w-])(?:{alts})s?(?![\w-]))")


@cache
def default_lexicon() -> Lexicon:
    """Every list from the package's data files (for the module-level helpers)."""
    return Lexicon.load()
