"""Tests for pipeline.clean: pages and texts to Releases, without chrome.

The HTML fixtures follow the agency's three layouts (current global site,
country/regional sites, older Drupal 7 pages) as the sample site renders
them; the seed release's chrome is the real page's, flattened to text.
"""

from __future__ import annotations

import codecs
import importlib.util
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.clean import (
    NearDuplicateIndex,
    canonical_url,
    clean_page,
    clean_text,
    decode_html,
    release_id_for_url,
)
from pipeline.clean.chrome import is_chrome_line, is_menu_label
from pipeline.clean.metadata import parse_date, parse_metadata_line, split_dateline
from pipeline.clean.selectors import css_to_xpath
from pipeline.clean.text import is_prose_block, join_hard_wraps, normalize, wraps_into
from pipeline.records import Page
from pipeline.sites import load_profiles

ROOT = Path(__file__).resolve().parent.parent
SEED = json.loads((ROOT / "corpus" / "gold" / "seed.jsonl").read_text("utf-8").splitlines()[0])

# The chrome of the seed's real page, flattened to text, as it came to us.
SEED_CHROME = """-
Who We Are
WHO WE AREThe International Organization for Migration (IOM) is part of the United Nations \
System as the leading inter-governmental organization promoting since 1951 humane and orderly \
migration for the benefit of all, with 175 member states and a presence in over 100 countries.
About
About
IOM Global
IOM Global
-
Our Work
Our WorkAs the leading inter-governmental organization promoting humane and orderly \
migration, IOM plays a key role to support the achievement of the 2030 Agenda through \
different areas of intervention that connect both humanitarian assistance and sustainable \
development. Across Asia and the Pacific, IOM provides a comprehensive response to the \
humanitarian needs of migrants, returnees and host communities.
Cross-cutting (Global)
Cross-cutting (Global)
- Where we work
- Take Action
- Data and Resources
- 2030 Agenda
"""


def seed_flattened() -> str:
    """The seed page as flattened text: chrome, headline, one line a paragraph."""
    text = SEED["text"]
    body, contact = text.rsplit("\n\n", 1)
    return SEED_CHROME + SEED["title"] + "\n" + body.replace("\n\n", "\n") + "\n***\n" + contact


def page(html: str, url: str = "https://www.iom.int/news/test-page") -> Page:
    return Page(url=url, fetched_at="2024-01-01T00:00:00Z", status=200, html=html)


def global_page(body: str, head: str = "", title: str = "Migrants Rescued off Libya",
                extra: str = "", lang: str = "en", type_label: str = "Press Release") -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="ltr"><head><meta charset="utf-8">
<title>{title} | International Organization for Migration</title>
<link rel="canonical" href="https://www.iom.int/news/test-page">{head}</head>
<body class="path-node">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<header class="site-header"><nav class="main-menu"><ul class="menu">
<li><a href="/w">Who we are</a><div class="menu-dropdown"><div class="menu-intro">
<span class="menu-intro__title">WHO WE ARE</span><span class="menu-intro__text">The
International Organization for Migration (IOM) is part of the United Nations System.</span>
</div><ul class="menu"><li><a href="/a">About IOM</a></li></ul></div></li>
<li><a href="/o">Our Work</a></li><li><a href="/t">Take Action</a></li></ul></nav>
<nav class="language-switcher"><ul><li><a href="/">English</a></li>
<li><a href="/fr">Français</a></li></ul></nav></header>
<main role="main" id="main-content">
<article class="node node--type-press-release">
<div class="news-header">
<div class="field field--name-field-type">{type_label}</div>
<div class="field field--name-field-scope">Global</div>
<h1 class="page-title"><span class="field field--name-title">{title}</span></h1>
</div>
<div class="narrow-content">
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary">
{body}
</div>
<div class="tags"><a href="/t/1">Migrant Assistance</a></div>
</div>
<div class="share social-share"><div class="share-title">Share this</div>
<ul class="share-links"><li><a href="/s">Facebook</a></li><li><a href="/s">Twitter</a></li></ul>
</div>
<div class="related-news"><h2>Related news</h2><ul><li><a href="/n/1">Other Story</a></li></ul>
</div>
</article>{extra}
</main>
<footer class="site-footer"><div class="footer-title">Stay connected</div>
<ul class="footer-menu"><li><a href="/c">Contact</a></li><li><a href="/p">Privacy Policy</a></li>
</ul><div class="copyright">© International Organization for Migration (IOM)</div></footer>
</body></html>"""


LEAD = (
    "<p>Geneva – IOM, the UN Migration Agency, said today that 120 migrants were rescued off "
    "the coast of Libya on Thursday, after their boat began taking on water.</p>"
)
MORE = (
    "<p>Survivors were taken to a disembarkation point in Tripoli, where IOM staff provided "
    "medical care, water and hygiene kits, and registered the most vulnerable among them.</p>"
)
CONTACT = (
    "<p>For more information, please contact Jane Doe at IOM Libya, Tel: +218 91 000 0000, "
    "Email: jdoe@iom.int</p>"
)


def only(releases):
    assert len(releases) == 1, [r.title for r in releases]
    return releases[0]


# -- chrome and headline ---------------------------------------------------------


def test_seed_text_chrome_removed_and_headline_found():
    release = clean_text(seed_flattened(), "seed")
    assert release.title == SEED["title"]
    assert release.text == SEED["text"]
    assert release.dateline == "Tehran"
    assert "WHO WE ARE" not in release.body and "Cross-cutting" not in release.body
    assert release.errors == []


def test_global_page_menus_share_related_and_footer_gone():
    release = only(clean_page(page(global_page(LEAD + MORE + CONTACT))))
    assert release.title == "Migrants Rescued off Libya"
    for chrome in ("Who we are", "Our Work", "Share this", "Facebook", "Related news",
                   "Other Story", "Stay connected", "Privacy Policy", "Skip to main content",
                   "Press Release", "Français"):
        assert chrome not in release.text, chrome
    assert release.body.startswith("Geneva – IOM")
    assert release.url == "https://www.iom.int/news/test-page"
    assert release.id == release_id_for_url("http://WWW.iom.int/news/test-page/?utm=x#top")


@pytest.mark.parametrize("language, labels", [
    ("en", ["Who we are", "Take Action", "Data and Research", "Cross-cutting (Global)"]),
    ("fr", ["Qui sommes-nous", "Où nous travaillons", "Données et recherche"]),
    ("es", ["Quiénes somos", "Dónde trabajamos", "Datos e investigación"]),
    ("it", ["Chi siamo", "Dove lavoriamo", "Dati e ricerca"]),
    ("ar", ["من نحن", "أين نعمل", "البيانات والبحوث"]),
])
def test_menu_labels_in_five_languages_are_chrome(language, labels):
    for label in labels:
        assert is_menu_label(label), (language, label)
        assert is_chrome_line(f"- {label}"), (language, label)
    assert not is_chrome_line("Our work in Iran focuses on returnees and host communities.")


def test_cookie_banner_gone():
    banner = (
        '<div class="eu-cookie-compliance-banner"><p>This website uses cookies to improve your '
        "experience.</p><button>Accept</button><button>Decline</button></div>"
    )
    release = only(clean_page(page(global_page(LEAD + MORE, extra=banner))))
    assert "cookies" not in release.text.lower()
    flattened = "Headline Here\nWe use cookies to give you the best experience.\nAccept\n" + (
        "Geneva – IOM said today that migrants were rescued off the coast of Libya on Monday."
    )
    text = clean_text(flattened, "t")
    assert text.title == "Headline Here" and "cookies" not in text.text and "Accept" not in text.text


def test_unknown_layout_uses_the_generic_fallback():
    html = f"""<html><body><div id="top"><ul><li><a href="/">Home</a></li>
    <li><a href="/n">News</a></li></ul></div><div class="sidebar"><p>Subscribe to our newsletter
    for weekly updates, offers, events and more news from the region.</p></div>
    <div class="wrapper"><h1>Migrants Rescued off Libya</h1><div class="story">{LEAD}{MORE}
    <p>IOM has called on all states to expand safe and regular pathways, and to share
    responsibility for search and rescue in the central Mediterranean.</p></div></div>
    <div id="bottom"><p>Copyright 2024</p></div></body></html>"""
    release = only(clean_page(page(html, "https://example.org/story/1")))
    assert release.title == "Migrants Rescued off Libya"
    assert release.body.startswith("Geneva – IOM") and "regular pathways" in release.body
    assert "newsletter" not in release.body and "Copyright" not in release.body


def test_drupal_tokens_and_site_notices_dropped():
    body = LEAD + "<p>[block:views=latest_news-block_1]</p>" + MORE + (
        "<p>This story was first published by IOM Iran.</p>"
    )
    release = only(clean_page(page(global_page(body))))
    assert "[block" not in release.body and "first published" not in release.body
    assert normalize("Text [view:press=block_2] here") == "Text here"


# -- datelines, dates, tags -------------------------------------------------------


@pytest.mark.parametrize("lead, place", [
    ("Tehran – IOM Chief of Mission said", "Tehran"),
    ("Geneva — The International Organization for Migration", "Geneva"),
    ("Zinder – Niger – More than 300 migrants", "Zinder – Niger"),
    ("Namibia - The Ministry of Home Affairs", "Namibia"),
    ("Geneva, Switzerland – IOM welcomed", "Geneva, Switzerland"),
    ("Geneva/Manila – Six in ten Filipinos", "Geneva/Manila"),
    ("Washington, D.C. (IOM) – The United States", "Washington, D.C."),
    ("Athens, 12 July 2019 – Greek authorities", "Athens"),
    ("Athens, 12 July 2019", "Athens"),
    ("Cox's Bazar – Bangladesh – Three days of rain", "Cox's Bazar – Bangladesh"),
    ("Santiago de los Caballeros – More than 2,300 workers", "Santiago de los Caballeros"),
    ("Abidjan, Côte d'Ivoire – IOM and the Government", "Abidjan, Côte d'Ivoire"),
    ("Abidjan, Côte d’Ivoire – IOM and the Government", "Abidjan, Côte d’Ivoire"),
    ("Dar es Salaam – The Government of Tanzania", "Dar es Salaam"),
])
def test_dateline_forms(lead, place):
    found = split_dateline(lead)
    assert found is not None and found.place == place


@pytest.mark.parametrize("lead", [
    "More than 300 migrants – mostly women – arrived on Monday.",
    "The IOM today – with partners – opened a centre.",
    "IOM welcomed the decision of the Government.",
])
def test_no_dateline_is_invented(lead):
    assert split_dateline(lead) is None


def test_first_paragraph_kept_whole_with_its_dateline():
    release = only(clean_page(page(global_page(LEAD + MORE))))
    assert release.dateline == "Geneva"
    assert release.body.split("\n\n")[0] == (
        "Geneva – IOM, the UN Migration Agency, said today that 120 migrants were rescued off "
        "the coast of Libya on Thursday, after their boat began taking on water."
    )


def test_date_from_json_ld():
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
          '"datePublished": "2019-07-12T10:00:00+02:00"}</script>')
    assert only(clean_page(page(global_page(LEAD, head=ld)))).date == "2019-07-12"


def test_date_from_meta_tag():
    meta = '<meta property="article:published_time" content="2021-03-04T08:00:00Z">'
    assert only(clean_page(page(global_page(LEAD, head=meta)))).date == "2021-03-04"


def test_date_from_visible_date_and_time_element():
    body = '<div class="date">19 September 2018</div>' + LEAD
    html = global_page(body).replace('<div class="narrow-content">',
                                     '<div class="date">19 September 2018</div>'
                                     '<div class="narrow-content">')
    assert only(clean_page(page(html))).date == "2018-09-19"
    timed = global_page(LEAD, extra='<time datetime="2020-02-29T12:00:00Z">29 Feb</time>')
    assert only(clean_page(page(timed))).date == "2020-02-29"


def test_date_from_posted_line_and_dateline():
    text = clean_text("Headline\nPosted: Wednesday, September 19, 2018 - 17:11\n"
                      "Geneva – IOM said today that it had helped 300 migrants.", "t")
    assert text.date == "2018-09-19" and "Posted" not in text.body
    dated = clean_text("Headline\nAthens, 12 July 2019 – Greek authorities and IOM opened "
                       "a centre for unaccompanied children.", "t")
    assert dated.date == "2019-07-12" and dated.dateline == "Athens"


def test_odd_letters_in_a_month_name_do_not_raise():
    # Case-blind matching takes "ſ" for "s" and "İ" for "i".
    assert parse_date("ſeptember 19, 2018") == "2018-09-19"
    assert parse_date("19 maİ 2018") is None
    text = clean_text("Headline\n19 maİ 2018\nGeneva – IOM said today that it had helped "
                      "300 migrants.", "t")
    assert text.errors == [] and text.date is None and "Geneva – IOM" in text.body


@pytest.mark.parametrize("written, iso", [
    ("Wed, 09/19/2018 - 11:19", "2018-09-19"),
    ("Ven, 03/17/2017 - 10:33", "2017-03-17"),
    ("12 de julio de 2019", "2019-07-12"),
    ("3 mars 2020", "2020-03-03"),
    ("September 19, 2018", "2018-09-19"),
    ("22/05", None),
])
def test_date_forms_to_iso(written, iso):
    assert parse_date(written) == iso


def test_glued_metadata_line_gives_date_and_site_tags():
    line = ("Language English Posted: Wednesday, September 19, 2018 - 17:11Image: "
            "Region-Country: SwitzerlandThemes: Humanitarian EmergenciesDefault: Multimedia:")
    found = parse_metadata_line(line)
    assert found.date == "2018-09-19"
    assert found.site_tags == {"Region-Country": ["Switzerland"],
                               "Themes": ["Humanitarian Emergencies"]}
    release = clean_text(f"A Headline\n{line}\nGeneva – IOM said today that 300 migrants "
                         "had been helped home.", "t")
    assert release.site_tags["Themes"] == ["Humanitarian Emergencies"]
    assert "Language" not in release.body


def test_site_tags_from_page_markup():
    release = only(clean_page(page(global_page(LEAD))))
    assert release.site_tags == {"Themes": ["Migrant Assistance"]}


def test_deeply_nested_json_ld_does_not_cost_the_page():
    ld = f'<script type="application/ld+json">{"[" * 100_000}</script>'
    release = only(clean_page(page(global_page(LEAD, head=ld))))
    assert release.errors == [] and release.body.startswith("Geneva – IOM")


# -- contact blocks ---------------------------------------------------------------


@pytest.mark.parametrize("contact_html, expected", [
    (CONTACT, "For more information, please contact Jane Doe at IOM Libya, "
              "Tel: +218 91 000 0000, Email: jdoe@iom.int"),
    ("<p>For further information, please contact John Roe at IOM Geneva, Mobile: "
     "+41 79 000 00 00</p>",
     "For further information, please contact John Roe at IOM Geneva, Mobile: +41 79 000 00 00"),
    ("<p>For more information, please contact:<br>Jane Doe<br>IOM Libya<br>"
     "Tel: +218 91 000 0000<br>Email:</p>",
     "For more information, please contact:\nJane Doe\nIOM Libya\nTel: +218 91 000 0000\nEmail:"),
    ("<p>For more information, please contact:</p><p>Jane Doe, IOM Libya, Email: jdoe@iom.int"
     "</p><p>John Roe, UNHCR Libya, Email: roe@unhcr.org</p>",
     "For more information, please contact:\nJane Doe, IOM Libya, Email: jdoe@iom.int\n"
     "John Roe, UNHCR Libya, Email: roe@unhcr.org"),
    ("<p>Jane Doe<br>IOM Libya<br>Tel: +218 91 000 0000<br>Mobile: +218 92 000 0000<br>"
     "Email: jdoe@iom.int</p>",
     "Jane Doe\nIOM Libya\nTel: +218 91 000 0000\nMobile: +218 92 000 0000\n"
     "Email: jdoe@iom.int"),
])
def test_contact_block_variants_split_from_body(contact_html, expected):
    separator = '<p class="text-align-center">***</p>'
    release = only(clean_page(page(global_page(LEAD + MORE + separator + contact_html))))
    assert release.contact_block == expected
    assert "information" not in release.body and "***" not in release.body
    assert release.body.endswith("registered the most vulnerable among them.")


def test_contact_items_one_per_line_in_plain_text():
    text = ("Headline\nGeneva – IOM said today that 120 migrants were rescued off Libya.\n"
            "Jane Doe\nIOM Libya\nTel: +218 91 000 0000\nEmail: jdoe@iom.int")
    release = clean_text(text, "t")
    assert release.body == "Geneva – IOM said today that 120 migrants were rescued off Libya."
    assert release.contact_block == "Jane Doe\nIOM Libya\nTel: +218 91 000 0000\nEmail: jdoe@iom.int"


def test_for_more_information_link_is_not_a_contact_block():
    link = ("<p>For more information on the programme, visit the website of the "
            "Migration Data Portal.</p>")
    release = only(clean_page(page(global_page(LEAD + MORE + link))))
    assert release.contact_block is None and "Data Portal" in release.body


# -- captions, wraps, encodings ---------------------------------------------------


LONG = (
    "Survivors were taken to a disembarkation point in Tripoli, where IOM staff provided "
    "medical care, water and hygiene kits, and registered the most vulnerable among them."
)


def test_captions_and_credits_out_of_body():
    figure = ('<figure class="caption caption-img"><img src="/x.gif" alt="A">'
              "<figcaption>Volunteers unload shelter kits from a truck. Photo: IOM/Amira Haddad"
              '</figcaption></figure><div class="photo-credit">©IOM/Jonas Petrov 2019</div>')
    release = only(clean_page(page(global_page(LEAD + figure + MORE))))
    assert "Volunteers" not in release.body and "©IOM" not in release.body
    assert "Photo:" not in release.body
    flattened = ("Headline\nGeneva – IOM said today that 120 migrants were rescued.\n\n"
                 "A medical officer checks a child's vaccination record.\n\n"
                 "©IOM/Kittipong Chaiwat 2016\n\n"
                 f"{LONG}\n\n"
                 "Photo: IOM/Muse Mohammed")
    text = clean_text(flattened.replace("record.\n\n©IOM", "record.\n©IOM"), "t")
    assert text.body == f"Geneva – IOM said today that 120 migrants were rescued.\n\n{LONG}"
    text = clean_text(flattened, "t")
    # A short sentence right above a credit is its caption; a paragraph is not.
    assert text.body == f"Geneva – IOM said today that 120 migrants were rescued.\n\n{LONG}"


def test_hard_wraps_joined():
    wrapped = (
        "Headline\n"
        "Phnom Penh – Twenty-three Cambodian men who were forced to work on\n"
        "fishing boats for up to three years returned home this week with help\n"
        "from IOM, the UN Migration Agency.\n"
        "\n"
        "The men were identified by the authorities during an inspection of\n"
        "vessels docked in the port.\n"
        "\n"
        "For more information, please contact Chhay Sreymom at IOM Cambodia,\n"
        "Tel: +855 23 216 532, Email: csreymom@iom.int"
    )
    release = clean_text(wrapped, "t")
    assert release.body == (
        "Phnom Penh – Twenty-three Cambodian men who were forced to work on fishing boats for "
        "up to three years returned home this week with help from IOM, the UN Migration "
        "Agency.\n\nThe men were identified by the authorities during an inspection of "
        "vessels docked in the port."
    )
    assert release.contact_block.endswith("IOM Cambodia,\nTel: +855 23 216 532, "
                                          "Email: csreymom@iom.int")
    assert join_hard_wraps(["Jane Doe", "IOM Libya", "Tel: +218 91"]) == [
        "Jane Doe", "IOM Libya", "Tel: +218 91"]


def test_ragged_hard_wraps_joined_where_the_line_stops_mid_sentence():
    # Wrapped by hand, not greedily: "said" would have fitted on its line.
    lines = [
        "\"Nobody in this village had seen the sea before the cyclone,\" said",
        "Mirela Tomasz, IOM's field operations",
        "coordinator for the northern provinces. \"Now they talk of nothing else",
        "and the council wants the school rebuilt on higher ground.\"",
        "A second meeting is planned for May.",
    ]
    assert join_hard_wraps(lines) == [
        "\"Nobody in this village had seen the sea before the cyclone,\" said Mirela Tomasz, "
        "IOM's field operations coordinator for the northern provinces. \"Now they talk of "
        "nothing else and the council wants the school rebuilt on higher ground.\"",
        "A second meeting is planned for May.",
    ]
    # A contact block is no prose: the ragged rule never joins its short lines.
    block = ["Mirela Tomasz", "Senior Media and Communications Officer, IOM Romania",
             "IOM Bucharest", "Mobile: +40 700 000 000"]
    assert is_prose_block(lines, 76) and not is_prose_block(block, 51)
    assert not wraps_into("Mirela Tomasz", "IOM Bucharest", 51, prose=False)


def test_hard_wrap_never_joins_a_contact_field_in_any_site_language():
    lines = ["Para más información, por favor contacte a Juan Pérez en la OIM México,",
             "Correo: jperez@iom.int",
             "Teléfono: +52 55 0000 0000",
             "Telephone: +52 55 0000 0001"]
    assert join_hard_wraps(lines) == [lines[0], *lines[1:]]


def test_byte_order_mark_beats_the_header_charset():
    raw = codecs.BOM_UTF8 + "Zoë – “quoted”".encode()
    assert decode_html(raw, "text/html; charset=iso-8859-1") == "Zoë – “quoted”"


@pytest.mark.parametrize("label", ["base64", "undefined", "rot13", "hex"])
def test_charset_that_is_no_text_encoding_is_passed_over(label):
    raw = "<p>Genève – café</p>".encode()
    assert decode_html(raw, f"text/html; charset={label}") == "<p>Genève – café</p>"
    meta = f'<meta charset="{label}"><p>Genève</p>'.encode()
    assert decode_html(meta, "text/html") == meta.decode()


def test_meta_charset_utf16_is_read_as_utf8():
    raw = '<meta charset="utf-16"><p>Genève – café</p>'.encode()
    assert decode_html(raw, None) == raw.decode()


def test_windows_1252_page_decoded_without_charset():
    html = global_page(
        "<p>Genève – The “International” Organization for Migration’s café said that "
        "réfugiés… will be helped — per cent.</p>"
    ).replace('<meta charset="utf-8">', "")
    raw = html.encode("cp1252")
    text = decode_html(raw, "text/html")
    assert "Genève – The “International” Organization for Migration’s café" in text
    assert decode_html(raw, "text/html; charset=windows-1252") == html
    assert decode_html("Zoë – “quoted”".encode(), None) == "Zoë – “quoted”"


def test_unicode_normalised_quotes_and_dashes_kept():
    text = normalize("Cafe\u0301\u00a0– “quoted” — ‘single’\u200b")
    assert text == "Café – “quoted” — ‘single’"


# -- pages holding several releases ----------------------------------------------


def aggregator_html() -> str:
    rows = []
    items = [
        ("Migrants Rescued off Libya", "Wed, 09/19/2018 - 11:19",
         "Geneva – IOM said that 120 migrants were rescued off the coast of Libya."),
        ("Health Campaign Reaches Remote Villages", "Tue, 09/18/2018 - 09:05",
         "Maputo – A mobile health campaign reached 40 villages in Niassa province this week."),
        ("Returnees Start Small Businesses", "Mon, 09/17/2018 - 16:40",
         "Kabul – More than 200 returnees opened small businesses with grants from IOM."),
    ]
    for n, (title, when, lead) in enumerate(items, 1):
        rows.append(
            f'<div class="views-row views-row-{n}"><h3><a href="/en/news/item-{n}">{title}</a>'
            f'</h3><span class="date-display-single">{when}</span>'
            f'<div class="field field-name-body"><p>{lead}</p><p>For more information, please '
            f"contact Jane Doe at IOM, Email: jdoe@iom.int</p></div></div>"
        )
    return (
        '<html lang="en"><head><title>Aggregator | IOM</title></head><body><div id="navigation">'
        '<ul class="menu"><li><a href="/">Home</a></li><li><a href="/p">Press Room</a></li></ul>'
        '</div><div id="content"><h1 id="page-title">IOM Germany news</h1>'
        '<div class="view">' + "".join(rows) + "</div></div></body></html>"
    )


def test_aggregator_page_gives_one_release_per_item():
    url = "https://germany.iom.int/en/aggregator/sources/3?page=2"
    releases = clean_page(page(aggregator_html(), url))
    assert len(releases) == 3
    page_id = release_id_for_url(url)
    assert [r.id for r in releases] == [f"{page_id}#1", f"{page_id}#2", f"{page_id}#3"]
    assert [r.date for r in releases] == ["2018-09-19", "2018-09-18", "2018-09-17"]
    assert releases[1].title == "Health Campaign Reaches Remote Villages"
    assert releases[1].dateline == "Maputo"
    assert releases[2].url == "https://germany.iom.int/en/news/item-3"
    assert all(r.contact_block and "Home" not in r.body for r in releases)


def test_aggregator_pages_give_each_page_its_own_ids():
    base = "https://germany.iom.int/en/aggregator/sources/3"
    first = {r.id for r in clean_page(page(aggregator_html(), base))}
    second = {r.id for r in clean_page(page(aggregator_html(), base + "?page=1"))}
    again = {r.id for r in clean_page(page(aggregator_html(), base + "?page=0&x=1"))}
    assert len(first) == len(second) == 3 and not first & second
    assert again == first
    declared = aggregator_html().replace(
        "<head>", f'<head><link rel="canonical" href="{base}">')
    assert {r.id for r in clean_page(page(declared, base + "?page=1"))} == second


def test_aggregator_item_with_a_malformed_link_keeps_the_page_url():
    url = "https://germany.iom.int/en/aggregator/sources/3"
    html = aggregator_html().replace('href="/en/news/item-2"', 'href="http://[broken/item-2"')
    releases = clean_page(page(html, url))
    assert [r.url for r in releases] == [
        "https://germany.iom.int/en/news/item-1", url, "https://germany.iom.int/en/news/item-3"]


def test_press_briefing_note_split_into_items():
    body = (
        "<p><strong>Children Freed from Gold Mines Return to Their Families</strong></p>"
        "<p>Ouagadougou – Forty children were returned to their families this week.</p>"
        "<p>For more information, please contact Farida Sanogo at IOM Geneva, "
        "Email: fsanogo@iom.int</p>"
        "<p>Cholera Vaccination Reaches Displacement Sites in Wau</p>"
        "<p>Wau – The Ministry of Health organized the campaign with IOM.</p>"
    )
    html = global_page(body, title="IOM Press Briefing Notes: Gold Mines; Cholera",
                       type_label="Press Briefing Note")
    releases = clean_page(page(html))
    assert [r.title for r in releases] == [
        "Children Freed from Gold Mines Return to Their Families",
        "Cholera Vaccination Reaches Displacement Sites in Wau",
    ]
    assert [r.dateline for r in releases] == ["Ouagadougou", "Wau"]
    assert releases[0].contact_block.startswith("For more information")
    assert releases[1].id.endswith("#2") and releases[1].kind == "pbn"


def _pbn_page(body: str) -> Page:
    return page(global_page(body, title="IOM Press Briefing Notes: Gold Mines; Cholera",
                            type_label="Press Briefing Note"))


def test_press_briefing_note_items_do_not_share_site_tags():
    body = (
        "<h3>Children Freed from Gold Mines Return to Their Families</h3>"
        "<p>Ouagadougou – Forty children were returned to their families this week.</p>"
        "<p>Themes: Migration Health</p>"
        "<h3>Cholera Vaccination Reaches Displacement Sites in Wau</h3>"
        "<p>Wau – The Ministry of Health organized the campaign with IOM.</p>"
    )
    first, second = clean_page(_pbn_page(body))
    assert first.site_tags == {"Themes": ["Migrant Assistance", "Migration Health"]}
    assert second.site_tags == {"Themes": ["Migrant Assistance"]}


def test_press_briefing_note_text_before_the_first_heading_is_kept():
    body = (
        "<p>Ouagadougou – Forty children found working at gold mining sites were returned "
        "to their families this week.</p>"
        "<h3>Cholera Vaccination Reaches Displacement Sites in Wau</h3>"
        "<p>Wau – The Ministry of Health organized the campaign with IOM.</p>"
        "<h3>Returnees Start Small Businesses</h3>"
        "<p>Kabul – More than 200 returnees opened small businesses with grants from IOM.</p>"
    )
    releases = clean_page(_pbn_page(body))
    assert [r.dateline for r in releases] == ["Ouagadougou", "Wau", "Kabul"]
    assert releases[0].title == "IOM Press Briefing Notes: Gold Mines; Cholera"


# -- near-duplicates, ids ----------------------------------------------------------


def test_near_duplicate_linked_to_first_copy():
    index = NearDuplicateIndex(threshold=0.8)
    text = SEED["text"]
    assert index.add("original", text) is None
    assert index.add("copy", text + "\n\nThis story was first published by IOM Iran.") == "original"
    assert index.add("copy-of-copy", text.replace("Veerassamy", "Veerasamy")) == "original"
    assert index.add("other", "Maputo – A mobile health campaign reached 40 villages.") is None
    assert index.add("original", text) is None  # re-cleaning never links a page to itself


def test_release_id_is_hash_of_canonical_url():
    assert canonical_url("http://WWW.IOM.INT/news/a-b/?x=1#y") == "https://www.iom.int/news/a-b"
    assert release_id_for_url("https://www.iom.int/news/a-b") == release_id_for_url(
        "http://www.iom.int/news/a-b/")
    assert len(release_id_for_url("https://iran.iom.int/news/x")) == 16


def test_every_profile_selector_translates():
    for profile in load_profiles():
        article = profile.article
        for key in ("root", "title", "body", "date", "tags", "items"):
            if article.get(key):
                css_to_xpath(article[key])
        for selector in article.get("drop", []) + list(profile.detect):
            css_to_xpath(selector)


# -- odd input --------------------------------------------------------------------


@pytest.mark.parametrize("html, error", [
    ("", "empty page"),
    ("   \n ", "empty page"),
    ("<html><head><title>x</title></head><body><nav><a>Home</a></nav></body></html>",
     "no article body found"),
    ('<?xml version="1.0" encoding="utf-8"?><html><body><h1>T</h1></body></html>',
     "no article body found"),
])
def test_empty_and_chrome_only_pages_give_a_release_with_errors(html, error):
    release = only(clean_page(page(html)))
    assert release.errors == [error] and release.body == ""
    assert release.id == release_id_for_url("https://www.iom.int/news/test-page")


def test_truncated_page_keeps_what_arrived():
    html = global_page(LEAD + MORE + CONTACT)
    cut = html[: html.index("registered the most")]
    release = only(clean_page(page(cut)))
    assert release.title == "Migrants Rescued off Libya"
    assert release.body.startswith("Geneva – IOM") and release.errors == []


def test_text_after_an_html_comment_is_kept():
    lead = LEAD.replace("said today", "said <!--StartFragment--> today <?php x ?> that")
    release = only(clean_page(page(global_page(lead))))
    assert release.body.startswith("Geneva – IOM, the UN Migration Agency, said today that")
    assert release.body.endswith("after their boat began taking on water.")


@pytest.mark.parametrize("href", [
    "https://www.iom.int:abc/news/x", "http://[www.iom.int/news/x",
    "https://www.iom.int:99999/news/x", "https://www.iom.int/", "javascript:void(0)",
])
def test_unusable_canonical_link_falls_back_to_the_page_url(href):
    html = global_page(LEAD).replace('href="https://www.iom.int/news/test-page"', f'href="{href}"')
    url = "https://www.iom.int/news/migrants-rescued-off-libya"
    release = only(clean_page(page(html, url)))
    assert release.url == url and release.id == release_id_for_url(url)


def test_control_characters_do_not_cost_the_page():
    release = only(clean_page(page(global_page(LEAD.replace("Geneva", "Gen\x00eva\x0b")))))
    assert release.body.startswith("Geneva – IOM") and release.errors == []


def test_empty_text_gives_release_with_error():
    assert clean_text("", "x").errors == ["empty page"]
    assert clean_text("About\nAbout\n-\n", "x").errors == ["no article body found"]


# -- language --------------------------------------------------------------------


def test_language_fr_detected():
    body = (
        "<p>Genève – L'Organisation internationale pour les migrations (OIM) a annoncé "
        "aujourd'hui le lancement d'un nouveau programme d'aide au retour volontaire pour les "
        "migrants bloqués au Niger.</p><p>Pour plus d'informations, veuillez contacter "
        "Marie Dupont à l'OIM Genève, Courriel : mdupont@iom.int</p>"
    )
    html = global_page(body, title="L'OIM lance un programme d'aide au retour", lang="fr")
    release = only(clean_page(page(html)))
    assert release.language == "fr"
    assert release.contact_block.startswith("Pour plus d'informations")
    assert clean_text(seed_flattened(), "seed").language == "en"


# -- properties --------------------------------------------------------------------

_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10)
_SENTENCE = st.lists(_WORDS, min_size=4, max_size=18).map(
    lambda words: words[0].capitalize() + " " + " ".join(words[1:]) + "."
)


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_cleaning_never_raises_and_a_release_without_a_body_says_why(raw):
    releases = [clean_text(raw, "x")]
    for html in (raw, f"<html><body><div class='field--name-body'><p>{raw}</p></div></body>"):
        releases += clean_page(page(html))
    for r in releases:
        assert r.body.strip() or r.errors
        assert not _CONTROL_CHARS.search(r.title + r.body + (r.contact_block or ""))


def test_nul_and_escape_sequences_never_reach_title_or_text():
    raw = "Floods\x00 in \x1b[2JMalawi\x9b\nLilongwe \x07– IOM opened\x1b]0;x\x07 shelters today."
    release = clean_text(raw, "x")
    assert release.title == "Floods in [2JMalawi"
    assert release.body == "Lilongwe – IOM opened]0;x shelters today."
    html = f"<html><head><title>T\x1b[31m</title></head><body><main><p>{raw}</p></main></body></html>"
    [from_html] = clean_page(page(html))
    assert "\x1b" not in from_html.title + from_html.body and "\x00" not in from_html.body


@pytest.mark.parametrize("depth", [300, 1_000, 30_000])
def test_text_nested_hundreds_of_levels_deep_is_kept(depth):
    paragraph = ("<p>Geneva – The International Organization for Migration today welcomed a "
                 "new pledge to support displaced families, returnees and host communities.</p>")
    html = ("<html><head><title>Deep page</title></head><body>" + "<div><span>" * depth
            + paragraph * 2 + "</span></div>" * depth + "</body></html>")
    [release] = clean_page(page(html))
    assert release.errors == []
    assert release.body == "\n\n".join([paragraph[3:-4]] * 2)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(_SENTENCE, min_size=1, max_size=4).map(" ".join),
                min_size=1, max_size=5))
def test_cleaning_is_idempotent_on_clean_text(paragraphs):
    raw = "A Headline Of Words\n" + "\n\n".join(paragraphs)
    once = clean_text(raw, "x")
    twice = clean_text(once.title + "\n" + once.text, "x")
    assert (twice.title, twice.body, twice.contact_block) == (
        once.title, once.body, once.contact_block)
    assert once.body == "\n\n".join(paragraphs)


# -- the sample site ---------------------------------------------------------------


def _bench():
    """bench/clean_bench.py, loaded by path (bench/ is not an installed package)."""
    spec = importlib.util.spec_from_file_location("clean_bench", ROOT / "bench" / "clean_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wild_page(site_dir: Path, name: str) -> Page:
    from pipeline.sample_site.paths import file_for

    manifest = json.loads((site_dir / "manifest.json").read_text("utf-8"))
    entry = next(w for w in manifest["wild"] if w["name"] == name)
    raw = (site_dir / "www" / file_for(entry["path"])).read_bytes()
    return page(decode_html(raw, "text/html"), "http://127.0.0.1:8000" + entry["path"])


def test_sample_site_seed_page_clean(sample_site_dir):
    bench = _bench()
    manifest = bench.load_manifest(sample_site_dir)
    pages = [p for p in bench.article_pages(sample_site_dir, manifest)
             if "seed-iran-nordic" in p["gold_ids"]]
    assert pages, "the seed release is on the sample site"
    for entry in pages:
        release = only(clean_page(entry["page"]))
        assert release.title == SEED["title"]
        assert release.text == SEED["text"]


def test_sample_site_bodies_match_gold_without_chrome(sample_site_dir):
    bench = _bench()
    rows = {(r["extractor"], r["layout"]): r for r in bench.run(sample_site_dir)
            if r["extractor"] == "ours"}
    overall = rows[("ours", "all")]
    assert overall["f1"] >= 0.98 and overall["chrome_lines"] == 0, overall
    for layout in ("global", "country", "drupal7"):
        assert rows[("ours", layout)]["f1"] >= 0.98, rows[("ours", layout)]


def _check_cp1252(releases):
    release = only(releases)
    assert "Renée Dubé" in release.contact_block and "\ufffd" not in release.text


def _check_aggregator(releases):
    assert [r.date for r in releases] == ["2018-09-19", "2018-09-18", "2018-09-17"]
    assert all(r.id.endswith(f"#{n}") for n, r in enumerate(releases, 1))


def _check_cookie_banner(releases):
    assert "cookie" not in only(releases).text.lower()


def _check_drupal_token(releases):
    body = only(releases).body
    assert "[block:" not in body and '"fid"' not in body and body.startswith("Tbilisi –")


def _check_table_body(releases):
    body = only(releases).body
    assert body.startswith("Berlin –") and "©IOM" not in body


def _check_truncated(releases):
    release = only(releases)
    assert release.title and release.body.startswith("Kerman –")


def _check_empty(releases):
    assert only(releases).errors == ["empty page"]


@pytest.mark.parametrize("name, check", [
    ("cp1252", _check_cp1252),
    ("aggregator", _check_aggregator),
    ("cookie-banner", _check_cookie_banner),
    ("drupal-token", _check_drupal_token),
    ("table-body", _check_table_body),
    ("truncated", _check_truncated),
    ("empty", _check_empty),
])
def test_sample_site_wild_page_cleaned(sample_site_dir, name, check):
    check(clean_page(_wild_page(sample_site_dir, name)))


def test_contact_openers_without_a_colon_need_a_name_or_a_line_of_their_own():
    from pipeline.clean.contact import is_contact_opener

    assert is_contact_opener("Contact Amira Haddad at IOM Cairo on +20 2 2736 5140.")
    assert is_contact_opener("Contact\nIOM Egypt\nAmira Haddad\nahaddad@iom.int")
    # Prose that starts with the word is not a contact block.
    assert not is_contact_opener("Contact tracing teams reached 4,000 people, IOM said; "
                                 "call +20 2 2736 5140 for the hotline.")
