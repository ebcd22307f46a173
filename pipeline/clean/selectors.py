"""CSS selectors from the site profiles, turned into XPath for lxml.

Site profiles keep their selectors as CSS because that is what a person
reads off a page with the browser's inspector. lxml evaluates XPath fast,
and the ``cssselect`` translator is not among our dependencies, so this
module translates the small subset the profiles use: type, ``.class``,
``#id``, ``[attr]``, ``[attr=value]``, ``[attr*=value]``, ``[attr^=value]``,
descendant and child combinators, and comma-separated groups. A selector
outside the subset raises ``ValueError`` naming it, so a bad profile fails
when it is first used (and in the profile test), not silently.
"""

from __future__ import annotations

import re
from functools import cache

from lxml import etree

_TOKEN = re.compile(
    r"""
    (?P<space>\s*>\s*|\s+)
    | (?P<type>[A-Za-z][\w-]*|\*)
    | \.(?P<cls>[\w-]+)
    | \#(?P<id>[\w-]+)
    | \[\s*(?P<attr>[\w-]+)\s*(?:(?P<op>[*^$]?=)\s*(?P<val>"[^"]*"|'[^']*'|[^\]\s]+)\s*)?\]
    """,
    re.VERBOSE,
)


def _literal(value: str) -> str:
    if value[:1] in "\"'" and value[-1:] == value[:1]:
        value = value[1:-1]
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    parts = value.split("'")
    return "concat(" + ", \"'\", ".join(f"'{p}'" for p in parts) + ")"


def _compound_to_xpath(selector: str) -> str:
    steps: list[str] = []
    tag = "*"
    predicates: list[str] = []
    axis = "descendant-or-self::"
    pos = 0
    text = selector.strip()

    def close_step() -> None:
        steps.append(axis + tag + "".join(f"[{p}]" for p in predicates))

    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ValueError(f"unsupported CSS selector {selector!r} (at {text[pos:]!r})")
        pos = match.end()
        if match.group("space") is not None:
            close_step()
            tag, predicates = "*", []
            axis = "/" if ">" in match.group("space") else "/descendant::"
        elif match.group("type"):
            tag = match.group("type").lower()
        elif match.group("cls"):
            # The plain contains() first: it rejects most elements cheaply.
            predicates.append(
                f"contains(@class, {_literal(match.group('cls'))}) and "
                "contains(concat(' ', normalize-space(@class), ' '), "
                f"{_literal(' ' + match.group('cls') + ' ')})"
            )
        elif match.group("id"):
            predicates.append(f"@id={_literal(match.group('id'))}")
        else:
            attr, op, val = match.group("attr"), match.group("op"), match.group("val")
            if op is None:
                predicates.append(f"@{attr}")
            elif op == "=":
                predicates.append(f"@{attr}={_literal(val)}")
            elif op == "*=":
                predicates.append(f"contains(@{attr}, {_literal(val)})")
            elif op == "^=":
                predicates.append(f"starts-with(@{attr}, {_literal(val)})")
            else:
                raise ValueError(f"unsupported CSS operator {op!r} in {selector!r}")
    close_step()
    return "".join(steps)


@cache
def css_to_xpath(selector: str) -> etree.XPath:
    """A compiled XPath for a CSS selector group (``a, b``), in document order."""
    groups = [g for g in (part.strip() for part in selector.split(",")) if g]
    if not groups:
        raise ValueError("empty CSS selector")
    return etree.XPath(" | ".join(_compound_to_xpath(g) for g in groups))


def select(node, selector: str | None) -> list:
    """Every element under (or at) ``node`` that the selector matches."""
    if not selector:
        return []
    return css_to_xpath(selector)(node)


def select_first_in_order(node, selector: str | None):
    """The first match of the first group that matches anything.

    Profiles list selectors from the most to the least precise
    (``div.narrow-content div.body, div.body``), so the group order is a
    preference, not a document-order union.
    """
    if not selector:
        return None
    for group in selector.split(","):
        group = group.strip()
        if group:
            found = css_to_xpath(group)(node)
            if found:
                return found[0]
    return None


class Selectable:
    """Wraps an lxml tree with the ``select_one`` that ``profile_for`` calls."""

    def __init__(self, root) -> None:
        self.root = root

    def select_one(self, selector: str):
        found = select(self.root, selector)
        return found[0] if found else None
