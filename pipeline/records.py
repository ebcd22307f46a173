"""The record types that flow through the stages, and their JSON form.

One direction, one type per stage: a crawled ``Page`` is cleaned into one or
more ``Release``s; the NLP stage gives ``Entities``; the classifier gives
``Themes``; ``Record`` is the contract output (shared/CONTRACT.md) that
joins them. Every type has ``as_dict``/``from_dict`` so it can cross a
process boundary (joblib, Dask) or be stored as JSON.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _DictMixin:
    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Page(_DictMixin):
    """A fetched web page, kept raw so it can be re-cleaned later."""

    url: str
    fetched_at: str
    status: int
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None
    source: str | None = None  # the listing/feed/sitemap that linked to it

    @property
    def content_hash(self) -> str:
        return sha256_text(self.html)


@dataclass
class Release(_DictMixin):
    """A cleaned press release: the article and its metadata, no chrome."""

    id: str
    title: str
    body: str
    url: str | None = None
    date: str | None = None
    dateline: str | None = None
    language: str = "en"
    contact_block: str | None = None
    site_tags: dict[str, list[str]] = field(default_factory=dict)
    kind: str = "press_release"
    errors: list[str] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        return sha256_text("\n".join([self.title, self.body, self.contact_block or ""]))

    @property
    def text(self) -> str:
        """Body and contact block: what the NLP stage reads."""
        return "\n\n".join(p for p in (self.body, self.contact_block) if p)


@dataclass
class Entities(_DictMixin):
    countries: list[dict[str, Any]] = field(default_factory=list)
    cities: list[dict[str, Any]] = field(default_factory=list)
    ministries: list[dict[str, Any]] = field(default_factory=list)
    officials: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    amounts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Themes(_DictMixin):
    """Every theme over its threshold, highest first, and the primary."""

    themes: list[dict[str, Any]] = field(default_factory=list)
    primary_theme: str | None = None
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class Record(_DictMixin):
    """The contract output: one JSON object per release."""

    id: str
    url: str | None
    title: str
    date: str | None
    dateline: str | None
    language: str
    text: str
    countries: list[dict[str, Any]] = field(default_factory=list)
    cities: list[dict[str, Any]] = field(default_factory=list)
    ministries: list[dict[str, Any]] = field(default_factory=list)
    officials: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    amounts: list[dict[str, Any]] = field(default_factory=list)
    themes: list[dict[str, Any]] = field(default_factory=list)
    primary_theme: str | None = None
    errors: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    # Metadata beyond the contract's fields, kept because archivists use it.
    site_tags: dict[str, list[str]] = field(default_factory=dict)
    contact_block: str | None = None
    theme_scores: dict[str, float] = field(default_factory=dict)

    @classmethod
    def assemble(
        cls,
        release: Release,
        entities: Entities | None,
        themes: Themes | None,
        errors: list[str],
        versions: dict[str, str],
    ) -> Record:
        ent = entities or Entities()
        th = themes or Themes()
        return cls(
            id=release.id,
            url=release.url,
            title=release.title,
            date=release.date,
            dateline=release.dateline,
            language=release.language,
            text=release.body,
            countries=ent.countries,
            cities=ent.cities,
            ministries=ent.ministries,
            officials=ent.officials,
            contacts=ent.contacts,
            organizations=ent.organizations,
            amounts=ent.amounts,
            themes=th.themes,
            primary_theme=th.primary_theme,
            errors=list(release.errors) + list(errors),
            versions=versions,
            site_tags=release.site_tags,
            contact_block=release.contact_block,
            theme_scores=th.scores,
        )

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)
