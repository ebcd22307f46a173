"""Press contacts: who to call about a release, from its contact block.

The block is the closing "For more information, please contact …" part (in
one sentence, or one item a line, with one or several people). Each contact
gets a name, an office, an e-mail (None where the site stripped it, as in an
empty "Email:") and the first phone number in E.164 where it parses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import phonenumbers

from pipeline.clean.contact import (
    EMAIL,
    NAME_PARTICLE,
    contact_start,
    continues_block,
    is_name_line,
    tail_start,
)
from pipeline.nlp.gazetteer import country_names, fold, resolve_city
from pipeline.nlp.officials import OfficialRules, default_rules

# Two to four capitalised words, with up to two particles between ("María
# Fernanda de la Garza", "Katharina von Elsner").
_NAME = rf"[A-Z][\w'’.-]+(?:[ \t]+(?:{NAME_PARTICLE}[ \t]+){{0,2}}[A-Z][\w'’.-]+){{1,3}}"
_NAME_PLACES = (
    re.compile(rf"\b(?:contact:?|and|or)\s+(?P<name>{_NAME})\s*(?:at\b|,|\(|$|\n|in\b)"),
    re.compile(rf"(?m)^\s*(?P<name>{_NAME})\s*,?\s*$"),
    # (and after any label's colon, "IOM Iraq: NAME, Phone: …", a dash, "IOM
    # Dhaka – NAME, Tel: …", or a sentence's end, "…@iom.int. In Benin City, NAME, …")
    re.compile(rf"(?m)(?:^|[:;]|\.[ \t]|[ \t][–—-][ \t])[ \t]*(?:In\s+[A-Z][^:,\n]{{1,40}}[:,]\s*)?"
               rf"(?P<name>{_NAME})\s*(?:,|\()"),
)
_NEXT_WORD = re.compile(r"[ \t]+(\w+)")
_CARD_SPAN = 300  # how far a card's e-mail address may stand from its name
# A card's field: the text between separators (a line break, a comma, a
# colon, a semicolon, or a pipe, bullet, slash or dash between spaces).
_CARD_FIELD = re.compile(r"[^\n,:;|•·\t]+?(?=\s+[|•·/–—-]\s+|\s*[\n,:;|•·\t]|(?<=[a-z])\.\s|\s*$)")
# (what opens a field before a name: "Media contact", "Contact information")
_CONTACT_LEAD = re.compile(r"^\s*(?:[^\n]*?\b(?i:contacts?)\b(?:[ \t]+[a-z][\w-]*)*[ \t]*)?")
_LABEL = re.compile(r"^(?:Tel|Tel\.|Phone|Mobile|Mob|Cell|Email|E-mail|Fax|Office|WhatsApp)\b", re.I)


def contact_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of every contact block in a text: where the cleaner's rules
    (pipeline.clean.contact) see one start, and the contact-like paragraphs
    after it. A press briefing note has one after each item."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text)]
    paragraphs = [text[s:e] for s, e in spans]
    blocks: list[tuple[int, int]] = []
    i = 0
    while i < len(paragraphs):
        start = contact_start(paragraphs, i) if i else None
        if start is None:
            i += 1
            continue
        end = i + 1
        while end < len(paragraphs) and continues_block(paragraphs[end]):
            # A name line opens the next person's card only if fields follow it.
            if is_name_line(paragraphs[end]) and not (
                end + 1 < len(paragraphs) and continues_block(paragraphs[end + 1])
            ):
                break
            end += 1
        blocks.append((spans[start][0], spans[end - 1][1]))
        i = end
    # The closing run of contact lines, whatever its opener or layout.
    tail = tail_start(text, spans[0][1] if spans else len(text))
    if tail is not None:
        # (the block the run starts in runs to the end)
        start = next((a for a, b in blocks if a <= tail < b), tail)
        blocks = [(a, b) for a, b in blocks if b <= start] + [(start, len(text.rstrip()))]
    return blocks


# A phone field's label, then its number; or a number in international form
# anywhere ("+41 22 …", "0041 22 …"). A national number ("020 422 1000") is
# read in the country of the contact's office.
_PHONE_LABEL = (r"(?:(?i:Tel|Tél|Tele|Telephone|Téléphone|Teléfono|Telefono|Telf|Tlf|Tfno|Phone|Ph|"
                r"Mobile|Mob|Móvil|Movil|Cell|Cellphone|Cel|Celular|Portable|WhatsApp)"
                r"(?i:/Fax)?\.?\s*:?|[TMP]\s*[:.]|\b(?:on|at)(?=\s+\(?\+?\d))")  # "… in Pretoria on 012 …"
_NUMBER = r"\(?\+?\d[\d\s().\-]{5,}\d"  # ("+54 11 4815 5194 / 5195": the first)
_PHONE_FIELD = re.compile(
    rf"(?<![\w@.])(?:{_PHONE_LABEL}\s*(?P<labelled>{_NUMBER})|(?P<intl>(?:\+|\b00)\s?\d[\d\s().-]{{6,}}\d)"
    # a national number set down without a label: its trunk 0, then 7+ digits
    rf"|(?P<national>\b0[1-9][\d\s().-]{{6,}}\d))")
_FAX_BEFORE = re.compile(r"(?i)(?<![/\w])fax\b\.?\s*:?\s*$")  # "Fax:", not "Tel/Fax:"


def to_e164(raw: str, region: str | None = None, strict: bool = False) -> str | None:
    """A phone number in E.164, or None. "00" opens an international number;
    a national one needs ``region`` (ISO 3166 alpha-2): possible there after a
    label, valid there when ``strict`` (a number set down bare). "(502) 2414
    7400" at a Guatemalan office is the country code in brackets."""
    raw = re.sub(r"(\d{3,})-\d{1,2}$", r"\1", raw.strip())  # "… 4811-13": the first of a range
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    international = raw.lstrip("(").startswith("+")
    if not international and not region:
        return None
    try:
        number = phonenumbers.parse(raw, None if international else region)
    except phonenumbers.NumberParseException:
        return None
    if international:
        # As written: a known country code and a plausible length (some
        # numbers sites print are a digit short of the country's plan).
        if not 8 <= len(str(number.country_code) + str(number.national_number)) <= 15:
            return None
    else:
        ok = phonenumbers.is_valid_number if strict else phonenumbers.is_possible_number
        if not ok(number):
            digits = re.sub(r"\D", "", raw)
            code = str(phonenumbers.country_code_for_region(region))
            if not digits.startswith(code):
                return None
            return to_e164("+" + digits)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def first_phone(segment: str, region: str | None = None) -> str | None:
    """The first phone number of a contact's part of the block (not a fax)."""
    for m in _PHONE_FIELD.finditer(segment):
        if _FAX_BEFORE.search(segment[: m.start()]):
            continue
        number = to_e164(m.group("labelled") or m.group("intl") or m.group("national"), region,
                         strict=m.group("national") is not None)
        if number:
            return number
    return None


def office_region(office: str | None, context_iso3: Iterable[str] = ()) -> str | None:
    """The country (alpha-2) an office is in: one it names ("IOM Kenya"), or
    the country of the city it names ("IOM Nairobi", "IOM Regional Office for
    Southern Africa, Pretoria"); else the release's country when it names
    exactly one. ``office`` may be the office and the lines around it."""
    context = set(context_iso3)
    names = country_names()
    parts = [p.strip(" .;:–—-|") for p in re.split(r"[,\n]|\s(?:in|on|at)\s", office or "")]
    parts = [re.sub(r"^(?:the\s+)?[A-Z]{2,}(?:['’]s)?\s+", "", p) for p in parts if p]
    iso3 = None
    for part in parts:
        # A part that is all a city's name longer than a country's in it
        # ("IOM Benin City"), else the longest country name in it ("South Sudan").
        words = part.split()
        found = None
        for n in range(len(words), 0, -1):
            found = next((names[w] for i in range(len(words) - n + 1)
                          if (w := " ".join(words[i:i + n])) in names), None)
            if found:
                break
        city = resolve_city(part, context) if part[:1].isupper() else None
        if city is not None and (found is None or len(part) > len(found.text)):
            iso3 = city.iso3
        elif found is not None:
            iso3 = found.iso3
        if iso3:
            break
    if iso3 is None and len(context) == 1:
        iso3 = next(iter(context))
    return _alpha2(iso3) if iso3 else None


@cache
def _alpha2(iso3: str) -> str | None:
    import pycountry

    country = pycountry.countries.get(alpha_3=iso3)
    return country.alpha_2 if country else None


def parse_contacts(block: str | None, person_spans: list[tuple[int, int]] = (),
                   rules: OfficialRules | None = None,
                   context_iso3: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Contacts in a block (``{name, office, email, phone, start}``, ``start``
    the name's offset in the block); ``person_spans`` are NER PERSON offsets
    within it; ``rules`` give the organisations and what a name looks like;
    ``context_iso3`` the countries the release names (for a national phone
    number whose office names no place)."""
    rules = rules or default_rules()
    if not block:
        return []
    names: list[tuple[int, str]] = []
    for start, end in person_spans:
        # A card holds one item a line: a name never runs on into the next
        # line ("Maria Lopez\nMedia and Communications Officer"), nor holds a
        # label's colon ("In Cox's Bazar: Shirin Akter").
        span = block[start:end]
        cut = span.rfind(":") + 1
        name = span[cut:].lstrip()
        start += len(span) - len(name)
        name = name.rstrip().split("\n")[0]
        names.append((start, name))
    # Names the NER missed or cut short ("Grace Mwende" of "Grace Mwende
    # Njoroge"): "contact NAME at/,", a line holding only a name, a line
    # opening with a name and a comma ("In Geneva: NAME, IOM Geneva, Tel: …").
    # Where one overlaps an NER name, the longer is kept (below).
    for pattern in _NAME_PLACES:
        for m in pattern.finditer(block):
            names.append((m.start("name"), m.group("name")))
    # A name as one field of a card, whatever separates the fields ("NAME –
    # IOM Lebanon – Tel …", "IOM Senegal / NAME / …", "NAME • Spokesperson
    # • …"), after any label ("Press contact: NAME; …", "Media contact NAME").
    for m in _CARD_FIELD.finditer(block):
        field = _CONTACT_LEAD.sub("", m.group(0).lstrip(" /–—-"))
        names.append((m.end() - len(field), field))
    # A cleaned name keeps its own place: "Mr. Sherzod Aliev" is "Sherzod
    # Aliev" four characters on, the same name the rules found there.
    names = [(pos + max(n.find(c), 0), c) for pos, n in sorted(names) for c in [_clean_name(n)]]
    names = [_without_role(block, pos, n, rules) for pos, n in names]
    names = [(pos, n) for pos, n in names
             if n and not _LABEL.match(n) and " " in n
             and (rules.looks_like_name(n, upper_surname=True) or _capitals_name(block, pos, n))
             # "NAME, Media and Communications Officer, IOM Cairo": a role, not a name.
             and not rules.lex.role_noun_re.fullmatch(n.split()[-1])
             and not rules.lex.title_re.fullmatch(n)
             # "Public Information" of "Public Information Officer"
             and not rules.lex.role_noun_re.match(_next_word(block, pos + len(n)))]
    # "Antonio Frías" inside "Ramón Antonio Frías" is the same person: the
    # longest name found at a place is kept, once.
    names = sorted({(pos, n) for pos, n in names
                    if not any(o != n and n in o and p <= pos < p + len(o) for p, o in names)})
    if not names:
        return []
    # Each person's card: from their name to the next person's line.
    cards: list[list[Any]] = []  # [name's offset, name, card's end]
    for i, (pos, name) in enumerate(names):
        if any(c[1] == name for c in cards):
            continue
        end = len(block)
        if i + 1 < len(names):
            # The next person's line, label and all ("IOM Rome: NAME, …"), is theirs.
            end = names[i + 1][0]
            line_start = block.rfind("\n", 0, end) + 1
            if line_start > pos + len(name):
                end = line_start
        cards.append([pos, name, end])
    # A "name" whose card's address comes from the name before it, which has
    # none, is a line of that person's card read as a name (a city, "San
    # José"; "Public Relations"; "Islamabad. Phone"): the card is theirs.
    for i in range(len(cards) - 1, 0, -1):
        (before_pos, before, _), (pos, name, end) = cards[i - 1], cards[i]
        email = EMAIL.search(block, pos + len(name), end)
        if (email and not EMAIL.search(block, before_pos + len(before), pos)
                and _agrees(before, email.group(0)) and not _agrees(name, email.group(0))):
            cards[i - 1][2] = end
            del cards[i]
    contacts: list[dict[str, Any]] = []
    for pos, name, end in cards:
        segment = block[pos + len(name) : end]
        email = EMAIL.search(segment)
        office = _office(segment, rules)
        if office is None:
            # "IOM Kenya: NAME, Tel: …": the office as the line's label.
            label = block[block.rfind("\n", 0, pos) + 1 : pos].rstrip()
            office = _office(label, rules) if label.endswith(":") else None
        phone = _PHONE_FIELD.search(segment)
        # (and the line's label before the name: "Kampala — NAME, …, 0414 …")
        places = (f"{office or ''}, {segment[: phone.start() if phone else len(segment)]}, "
                  f"{block[block.rfind(chr(10), 0, pos) + 1 : pos]}")
        contacts.append(
            {
                "name": name,
                "office": office,
                "email": email.group(0).rstrip(".") if email else None,
                "phone": first_phone(segment, office_region(places, context_iso3)),
                "start": pos,
            }
        )
    # An address set down apart from its person's name (before it, "E: NAME@…
    # • NAME"): given to the contact without one whose name it comes from.
    taken = {c["email"] for c in contacts}
    for m in EMAIL.finditer(block):
        email = m.group(0).rstrip(".")
        if email in taken:
            continue
        owner = [c for c in contacts if c["email"] is None and _agrees(c["name"], email)]
        if len(owner) == 1:
            owner[0]["email"] = email
            taken.add(email)
    return contacts


@cache
def _role_phrase(rules: OfficialRules) -> re.Pattern:
    """A capitalised role phrase: "Media and Communications Officer"."""
    return re.compile(rf"(?:[A-Z][\w'’-]*[ \t]+(?:(?:and|of|for)[ \t]+)?){{0,5}}"
                      rf"(?:{rules.lex.role_noun_re.pattern})\b")


def _without_role(block: str, pos: int, name: str, rules: OfficialRules) -> tuple[int, str]:
    """A name without a role phrase a joined line glued to it: "NAME Media
    and Communications Officer", "Public Information Officer NAME"."""
    role = _role_phrase(rules)
    words = list(re.finditer(r"\S+", name))
    lead = role.match(block, pos)
    if lead and lead.end() - pos < len(name):
        rest = [w for w in words if w.start() >= lead.end() - pos]
        if len(rest) < 2:
            return pos, ""  # "Spokesperson Tomás" of "Spokesperson Tomás HERRERA"
        return pos + rest[0].start(), name[rest[0].start():]
    for w in words[2:]:
        if role.match(block, pos + w.start()):
            return pos, name[: w.start()].rstrip(" ,;")
    return pos, name


def _capitals_name(block: str, pos: int, name: str) -> bool:
    """A name written all in capitals ("MARGARET W. ODHIAMBO", as a card may
    set it), which no case tells from a heading or an acronym: a name when
    the next e-mail address in the block was made from it."""
    words = name.split()
    if not (2 <= len(words) <= 4 and all(re.fullmatch(r"[A-Z][A-Z'’-]*\.?", w) for w in words)):
        return False
    email = EMAIL.search(block, pos + len(name))
    return bool(email and email.start() - pos <= _CARD_SPAN and _agrees(name, email.group(0)))


def _next_word(block: str, end: int) -> str:
    m = _NEXT_WORD.match(block, end)
    return m.group(1) if m else ""


def _agrees(name: str, email: str) -> bool:
    """Does an e-mail address's local part come from this name ("adiallo",
    "amina.diallo", "diallo.a" for Amina Diallo)?"""
    local = _fold(email.split("@")[0])
    words = [f for w in re.split(r"[\s'’-]+", name) if (f := _fold(w))]
    return bool(words) and (any(len(w) >= 3 and w in local for w in words)
                            or words[0][0] + words[-1] in local)


def _fold(text: str) -> str:
    """Lower-case ASCII letters only, as addresses are made ("Yılmaz" -> "yilmaz")."""
    text = fold(text.lower().replace("ı", "i").replace("ø", "o").replace("ß", "ss"))
    return "".join(c for c in text if c.isalpha() and c.isascii())


def _clean_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,.;:")
    name = re.sub(r"^(?i:(?:media\s+|press\s+)?contacts?):?\s+", "", name)  # "Contact NAME"
    name = re.sub(r"^(?:Ms|Mr|Mrs|Dr)\.?\s+", "", name)
    # Keep only the person, not a following label or office.
    name = re.split(r"\s+(?:at|from|of|in|IOM|Tel|Email|E-mail|Mobile)\b", name)[0]
    return name


def _office(segment: str, rules: OfficialRules) -> str | None:
    """The office named in a contact's part of the block: the longest reading
    of the first one ("IOM Regional Office for Asia and the Pacific", "IOM
    Bosnia and Herzegovina", "IOM's Media and Communications Division")."""
    found = [m for m in (rules.lex.office_re.search(segment), _unit_office(rules).search(segment),
                         _country_office(rules).search(segment)) if m]
    if not found:
        return None
    first = min(m.start() for m in found)
    best = max((m for m in found if m.start() == first), key=lambda m: m.end())
    return _clean_office(best.group(0))


@cache
def _country_office(rules: OfficialRules) -> re.Pattern:
    """An office named by its country's full name: "IOM Republic of Moldova"."""
    names = sorted((n.text for n in country_names().values() if not n.demonym and " " in n.text),
                   key=len, reverse=True)
    return re.compile(rf"\b(?:{rules.lex.org_alternation or 'IOM'})(?:['’]s)?[ ]+(?:the[ ]+)?"
                      rf"(?:{'|'.join(re.escape(n) for n in names)})\b")


@cache
def _unit_office(rules: OfficialRules) -> re.Pattern:
    """An office named as a unit, through an "and": "IOM's Media and
    Communications Division", "IOM Global Migration Data Analysis Centre"."""
    return re.compile(
        rf"\b(?:{rules.lex.org_alternation or 'IOM'})(?:['’]s)?"
        r"(?:[ ]+(?:and[ ]+)?[A-Z][\w'’-]*){0,7}?[ ]+(?:and[ ]+)?"
        r"(?:Division|Unit|Department|Section|Centre|Center|Branch|Team|Programme|Office)\b")


def _clean_office(office: str) -> str:
    office = re.sub(r"\s+", " ", office.split("\n")[0]).strip(" ,.;")
    office = re.sub(r"['’]s$", "", office)
    office = re.sub(r"^(\S+)['’]s\s", r"\1 ", office)  # "IOM's Media …" -> "IOM Media …"
    office = re.split(r"\s+(?:Tel|Email|E-mail|Mobile|Phone)\b", office)[0]
    return office
