"""The entity stage on the seed release, on each extractor, and on bad input."""

import json
from pathlib import Path

import pycountry
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.clean import clean_text
from pipeline.clean.contact import is_contact_card
from pipeline.nlp import extract_entities, load_nlp, pieces
from pipeline.nlp.amounts import find_amounts
from pipeline.nlp.contacts import contact_blocks, parse_contacts, to_e164
from pipeline.nlp.gazetteer import country_names, resolve_city
from pipeline.nlp.ministries import find_ministries, split_portfolios
from pipeline.nlp.officials import parse_role
from pipeline.records import Release

SEED = Path(__file__).resolve().parent.parent / "corpus" / "gold" / "seed.jsonl"


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.fixture(scope="module")
def seed():
    return json.loads(SEED.read_text(encoding="utf-8").splitlines()[0])


def extract(nlp, text, dateline=None, language="en"):
    release = Release(id="t", title="Headline", body=text, dateline=dateline, language=language)
    return extract_entities(release, nlp)


def test_pipeline_runs_only_the_components_it_needs(nlp):
    # No shared tok2vec: the small model's ner embeds its own (it listens to none).
    assert nlp.pipe_names == ["country_ruler", "ner", "country_resolver",
                              "contact_parser", "official_linker", "ministry_finder",
                              "city_finder", "organisation_finder", "amount_finder"]


def test_each_component_declares_what_it_reads_and_writes(nlp):
    analysis = nlp.analyze_pipes()
    assert analysis["problems"] == {name: [] for name in nlp.pipe_names}
    meta = nlp.get_pipe_meta("official_linker")
    assert "span._.title" in meta.assigns and "doc.spans" in meta.requires


def test_pipeline_saved_to_disk_loads_back_with_its_word_lists(nlp, tmp_path, seed):
    import spacy

    nlp.to_disk(tmp_path / "pipeline")
    assert (tmp_path / "pipeline" / "official_linker" / "lexicon.json").exists()
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == nlp.pipe_names
    release = Release(id="t", title="Headline", body=seed["text"], dateline="Tehran")
    assert extract_entities(release, loaded) == extract_entities(release, nlp)


def test_a_component_without_its_lists_says_so():
    import spacy

    blank = spacy.blank("en")
    blank.add_pipe("ministry_finder")
    with pytest.raises(ValueError, match="initialize"):
        blank("The Ministry of Health said.")


def test_seed_release_gives_the_entities_of_the_taxonomy(nlp, seed):
    ent, errors = extract(nlp, seed["text"], dateline="Tehran")
    assert errors == []
    assert {c["iso3"] for c in ent.countries} == {"IRN", "AFG", "DNK", "SWE", "NOR", "TUR"}
    assert ent.countries[0]["iso3"] == "IRN"  # the country the release is about
    assert [c["name"] for c in ent.cities] == ["Tehran", "Copenhagen", "Stockholm", "Oslo"]
    assert {c["iso3"] for c in ent.cities} == {"IRN", "DNK", "SWE", "NOR"}
    assert [m["name"] for m in ent.ministries] == [
        "Ministry of Justice", "Ministry of Immigration and Integration",
        "Ministry of Foreign Affairs"]
    assert ent.officials == [
        {"name": "Lalini Veerassamy", "title": "Chief of Mission", "org": "IOM Iran"}]
    assert ent.contacts == [{"name": "Teresa Trallori", "office": "IOM Iran",
                             "email": "ttrallori@iom.int", "phone": None}]
    assert "Strengthens Relationship" not in ent.organizations


def test_country_names_file_agrees_with_pycountry():
    for name, entry in country_names().items():
        assert pycountry.countries.get(alpha_3=entry.iso3) is not None, name


def test_demonyms_and_official_names_resolve_to_iso3(nlp):
    ent, _ = extract(nlp, "Nigerien authorities met Afghans and officials of the Islamic "
                          "Republic of Iran, Côte d'Ivoire and the DRC in Türkiye.")
    assert {c["iso3"] for c in ent.countries} == {"NER", "AFG", "IRN", "CIV", "COD", "TUR"}


def test_regions_are_not_countries(nlp):
    ent, _ = extract(nlp, "Migrants crossed the Sahel towards Europe, West Africa and the "
                          "Nordic countries, and Latin American routes.")
    assert ent.countries == []


def test_demonym_inside_an_organisation_credits_its_country(nlp):
    ent, _ = extract(nlp, "The Danish Refugee Council and the Italian Ministry of Interior "
                          "signed the plan.")
    assert {c["iso3"] for c in ent.countries} == {"DNK", "ITA"}
    assert ent.ministries[0]["iso3"] == "ITA"


def test_ambiguous_city_is_settled_by_the_release_countries():
    assert resolve_city("Tripoli", {"LBN"}).iso3 == "LBN"
    assert resolve_city("Tripoli", set()).iso3 == "LBY"


def test_a_small_town_counts_in_a_country_the_release_names(nlp):
    ent, _ = extract(nlp, "Belgrade – IOM opened two migrant centres in Serbia this week, in "
                          "Pirot and Obrenovac, near the borders with Bulgaria.\n\n"
                          "The centres will house 400 people, the agency said.")
    assert {"Belgrade", "Pirot"} <= {c["name"] for c in ent.cities}
    # a town's name that is a person's is not a town
    ent, _ = extract(nlp, "Geneva – IOM welcomed the report on Serbia, which Mr Pirot "
                          "presented on Monday.")
    assert "Pirot" not in {c["name"] for c in ent.cities}


def test_coordinated_ministries_are_expanded():
    names = [m["name"] for m in find_ministries(
        "with the Ministries of Health and Education and the Ministers of Labour.")]
    assert names == ["Ministry of Health", "Ministry of Education"]


@pytest.mark.parametrize(("text", "names"), [
    ("the Ministries of Justice and of Health, Labour and Welfare are preparing it",
     ["Ministry of Justice", "Ministry of Health, Labour and Welfare"]),
    ("the Ministries of Labour and Social Protection and of Health.",
     ["Ministry of Labour and Social Protection", "Ministry of Health"]),
    ("from the Ministries of Labour, Foreign Affairs and the Interior of Belize, Canada and Peru",
     ["Ministry of Labour", "Ministry of Foreign Affairs", "Ministry of the Interior"]),
    ("with the Ministry of Home Affairs, the Gift of the Givers and others",
     ["Ministry of Home Affairs"]),
    # A repeated "of" starts each portfolio: what lies between is one.
    ("Chile's Ministries of Labour, Employment and Social Security, and of the Interior met",
     ["Ministry of Labour, Employment and Social Security", "Ministry of Interior"]),
    ("officials of the Ministries of Justice, of Health and Social Care, and of Education.",
     ["Ministry of Justice", "Ministry of Health and Social Care", "Ministry of Education"]),
    # A country's adjective before a lower-case noun is another actor; a portfolio
    # that starts with one ("… and Guineans Abroad") stays whole.
    ("with the Peruvian Ministry of Health and Social Welfare and Spanish volunteers.",
     ["Ministry of Health and Social Welfare"]),
    ("the Ministry of Foreign Affairs and Malians Abroad said on Monday.",
     ["Ministry of Foreign Affairs and Malians Abroad"]),
])
def test_a_coordination_is_split_where_its_writer_split_it(text, names):
    assert [m["name"] for m in find_ministries(text)] == names


def test_a_ministers_title_names_a_ministry_only_when_asked():
    from pipeline.nlp.lexicon import default_lexicon
    from pipeline.nlp.ministries import MinistryRules

    text = "The Minister of Labour, Jane Doe, spoke."
    assert find_ministries(text) == []
    assert [m["name"] for m in MinistryRules(default_lexicon(), from_ministers=True).find(text)] == [
        "Ministry of Labour"]


def test_compound_portfolio_is_kept_whole():
    assert split_portfolios("Justice, Immigration and Integration") == [
        "Justice", "Immigration and Integration"]
    assert [m["name"] for m in find_ministries(
        "Mexico's Ministry of Labour and Social Security (STPS) said")] == [
        "Ministry of Labour and Social Security"]


def test_ministry_attribution_and_acronym():
    [m] = find_ministries("the Thai Ministry of Foreign Affairs (MFA) hosted")
    assert m == {"name": "Ministry of Foreign Affairs", "iso3": "THA", "aliases": ["MFA"],
                 "spans": [(21, 36)]}


def test_reversed_ministry_form():
    assert [m["name"] for m in find_ministries("The Health Ministry said")] == [
        "Ministry of Health"]


def test_role_phrases_give_title_and_office():
    assert parse_role("IOM Chief of Mission in the Islamic Republic of Iran") == (
        "Chief of Mission", "IOM Iran")
    assert parse_role("IOM Azerbaijan Chief of Mission") == ("Chief of Mission", "IOM Azerbaijan")
    assert parse_role("IOM Regional Director for Asia and the Pacific") == (
        "Regional Director for Asia and the Pacific", "IOM")


def test_officials_from_each_introduction_and_short_mentions(nlp):
    text = (
        "Bangkok – Aiko Tanaka, IOM Regional Director for Asia and the Pacific, opened the "
        "meeting. “We are ready,” said Tanaka.\n\n"
        "Minister of Labour Somchai Rattanakorn welcomed the plan. “This matters,” said "
        "Maria Lopez, a mother of three who arrived last year."
    )
    ent, _ = extract(nlp, text)
    names = {o["name"]: o for o in ent.officials}
    assert names["Aiko Tanaka"]["title"] == "Regional Director for Asia and the Pacific"
    assert "Tanaka" not in names
    assert "Maria Lopez" not in names  # quoted without a role


def test_a_title_before_a_name_is_the_nearest_one(nlp):
    ent, _ = extract(nlp, "The agreement was signed by Rebecca Thornbury, Deputy Secretary of "
                          "the Department of Home Affairs, and IOM Director General Helena "
                          "Marsh-Okoro. “It matters,” said DG Marsh-Okoro.")
    roles = {o["name"]: (o["title"], o["org"]) for o in ent.officials}
    assert roles["Helena Marsh-Okoro"] == ("Director General", "IOM")
    assert roles["Rebecca Thornbury"] == ("Deputy Secretary", "Department of Home Affairs")


@pytest.mark.parametrize(("text", "official"), [
    # A speaker the NER does not read as a person, with a role in lower case.
    ('"The sites are full," said Chinedu Okafor-Bello, IOM\'s shelter and settlements '
     'focal point for Yobe. "More families come every day."',
     ("Chinedu Okafor-Bello", "shelter and settlements focal point for Yobe", "IOM")),
    # A role given by what the person does.
    ('"Children travel alone more often now," said Lucía Ramírez Toj, who coordinates '
     'IOM\'s child protection programme in Quetzaltenango. "We see it every week."',
     ("Lucía Ramírez Toj", "Child Protection Programme Coordinator", "IOM")),
    ('"They arrive with nothing," said Farai Chikwanha, who manages the reception centre '
     'for IOM Zimbabwe. "We give them a meal first."',
     ("Farai Chikwanha", "Reception Centre Manager", "IOM Zimbabwe")),
    # A role before the name, set off by a comma, and a community role.
    ('"The sea took the old village," said the district elder, Tomasi Naivalu.\n\nMore follows.',
     ("Tomasi Naivalu", "district elder", None)),
    # An honorific or rank before the name is cut off; the role after it is kept.
    ('"People came in exhausted," said Dr. Anura Wijesinghe, IOM\'s Health Coordinator in '
     'Jaffna. "Many need care."',
     ("Anura Wijesinghe", "Health Coordinator", "IOM")),
])
def test_a_speaker_and_the_role_the_text_gives_them(nlp, text, official):
    ent, _ = extract(nlp, text)
    assert [(o["name"], o["title"], o["org"]) for o in ent.officials] == [official]


def test_an_honorific_before_a_name_ends_the_title_of_the_person_before(nlp):
    ent, _ = extract(nlp, "The centre was opened by Ato Girma Tesfaye, Director General of the "
                          "Immigration Authority, and Barrister Adaeze Nwosu, a lawyer with the "
                          "legal aid council.")
    roles = {o["name"]: o["title"] for o in ent.officials}
    assert roles == {"Girma Tesfaye": "Director General of the Immigration Authority",
                     "Adaeze Nwosu": "lawyer"}


def test_several_contacts_with_phones_and_a_stripped_email():
    block = ("For more information, please contact:\nAmina Yusuf\nIOM Nigeria\n"
             "Tel: +234 803 555 0192\nEmail: ayusuf@iom.int\n\nJonas Berg\nIOM Geneva\n"
             "Mobile: +41 79 555 01 23\nEmail:")
    contacts = parse_contacts(block)
    assert [c["name"] for c in contacts] == ["Amina Yusuf", "Jonas Berg"]
    assert contacts[0]["email"] == "ayusuf@iom.int"
    assert contacts[0]["phone"] == "+2348035550192"
    assert contacts[1]["email"] is None
    assert contacts[1]["office"] == "IOM Geneva"


def test_contact_blocks_are_found_after_each_item_not_in_the_lead():
    text = ("For more information on the programme, see the website.\n\nCall the hotline.\n\n"
            "For more information, please contact Ana Ruiz at IOM Mexico, Email: aruiz@iom.int"
            "\n\nSecond item\n\nGeneva – More news.\n\nFor further information, contact:\n"
            "Jon Berg\nIOM Geneva\nEmail: jberg@iom.int")
    blocks = [text[s:e] for s, e in contact_blocks(text)]
    assert [b.split(",")[0] for b in blocks] == ["For more information",
                                                 "For further information"]
    assert blocks[1].endswith("jberg@iom.int")


def test_a_contact_card_in_one_line_keeps_its_phone_and_email(nlp):
    text = ("Kabul – IOM opened two more transit centres this week.\n\n"
            "The centres give returnees a meal, a medical check and a ride home.\n\n"
            "Farida Noori, IOM Afghanistan, Tel: +93 79 555 0101, Email: fnoori@iom.int")
    ent, _ = extract(nlp, text)
    assert [(c["name"], c["email"], c["phone"]) for c in ent.contacts] == [
        ("Farida Noori", "fnoori@iom.int", "+93795550101")]
    # A sentence that names a phone is no card.
    assert not is_contact_card("The hotline (Tel: +373 800 0000) took 300 calls.")


def test_a_name_on_the_line_after_please_contact_colon(nlp):
    text = ("Athens – More than 1,200 people reached the islands this week.\n\n"
            "Most arrived on Lesvos.\n\nFor further information, please contact:\n"
            "Nikos Karamanlis\nIOM Athens\nTel: +30 210 555 0100\nMobile: +30 694 555 0101\n"
            "Email: nkaramanlis@iom.int")
    release = clean_text(f"Arrivals\n\n{text}", "t")
    assert release.contact_block.startswith("For further information, please contact:\n")
    ent, _ = extract_entities(release, nlp)
    assert [(c["name"], c["email"]) for c in ent.contacts] == [
        ("Nikos Karamanlis", "nkaramanlis@iom.int")]


_AMIRA = ("Amira Haddad", "ahaddad@iom.int", "+20227365140")
_PAOLO = ("Paolo Bruni", "pbruni@iom.int", "+390644231428")


@pytest.mark.parametrize(("block", "expected"), [
    ("For more information, please contact Amira Haddad at IOM Cairo, Tel: +20 2 2736 5140, "
     "Email: ahaddad@iom.int", [_AMIRA]),
    ("For further information, please contact:\nAmira Haddad\nIOM Cairo\nTel: +20 2 2736 5140"
     "\nEmail: ahaddad@iom.int", [_AMIRA]),
    ("For more information, please contact Amira Haddad at IOM Cairo, Tel: +20 2 2736 5140, "
     "Email: ahaddad@iom.int or Paolo Bruni at IOM Rome, Tel: +39 06 4423 1428, "
     "Email: pbruni@iom.int", [_AMIRA, _PAOLO]),
    ("For more information, please contact Amira Haddad at IOM Cairo, Tel: +20 2 2736 5140, "
     "Email:", [("Amira Haddad", None, "+20227365140")]),
    ("For more information please contact Amira Haddad, IOM Cairo, Tel. +20 2 2736 5140, "
     "Email ahaddad@iom.int", [_AMIRA]),
    ("For more information, contact Amira Haddad, Media and Communications Officer, IOM Cairo, "
     "at ahaddad@iom.int or +20 2 2736 5140.", [_AMIRA]),
    ("For more information please contact IOM Cairo: Amira Haddad, Tel: +20 2 2736 5140, "
     "Email: ahaddad@iom.int", [_AMIRA]),
    ("Media contacts:\nAmira Haddad, IOM Cairo, +20 2 2736 5140, ahaddad@iom.int", [_AMIRA]),
    ("For further information please contact:\nAmira Haddad, IOM Cairo\nTel: +20 2 2736 5140\n"
     "Email: ahaddad@iom.int\n\nPaolo Bruni, IOM Rome\nTel: +39 06 4423 1428\n"
     "Email: pbruni@iom.int", [_AMIRA, _PAOLO]),
    # Numbers written the national way take the office's country (a country or
    # a city it names); "00" opens an international number; "(0)" is dropped.
    ("For more information, please contact Amira Haddad at IOM Egypt, Tel: 02 2736 5140, "
     "Email: ahaddad@iom.int", [_AMIRA]),
    ("For more information, please contact Paolo Bruni, IOM Rome, Tel: 06 4423 1428, "
     "Mobile: +39 347 089 8996, Email: pbruni@iom.int", [_PAOLO]),
    ("For more information, please contact Paolo Bruni, IOM Italy, Tel. 0039 06 4423 1428, "
     "E-mail: pbruni@iom.int", [_PAOLO]),
    ("For more information, please contact:\nAmira Haddad\nIOM Cairo\nTel: +20 (0)2 2736 5140"
     "\nEmail: ahaddad@iom.int", [_AMIRA]),
    # One letter labels; a title line between the name and the office.
    ("For more information, please contact\nAmira Haddad\nIOM Regional Office for the Middle East "
     "and North Africa\nT: +20 2 2736 5140\nE: ahaddad@iom.int", [_AMIRA]),
    ("For more information, please contact\nAmira Haddad\nMedia and Communications Officer\n"
     "IOM Cairo\nPhone: +20 2 2736 5140\nEmail: ahaddad@iom.int", [_AMIRA]),
    # A fax is not the phone; a national number with no country to read it in is none.
    ("For more information, please contact Amira Haddad, IOM Cairo, Fax: +20 2 2736 5199, "
     "M: +20 2 2736 5140, Email: ahaddad@iom.int", [_AMIRA]),
    ("For more information, please contact Paolo Bruni, Tel: 555 0100, Email: pbruni@iom.int",
     [("Paolo Bruni", "pbruni@iom.int", None)]),
    # "Ms."/"Mr." are not the name, and the fields after it are still theirs.
    ("For more information, please contact Ms. Amira Haddad, IOM Cairo, Cell: +20 2 2736 5140, "
     "Email: ahaddad@iom.int", [_AMIRA]),
    ("For more information, please contact\nMr. Paolo Bruni\nSenior Programme Assistant\n"
     "IOM Regional Office for the Mediterranean, Rome\nTel: 06 4423 1428\nEmail: pbruni@iom.int",
     [_PAOLO]),
    # The office as the line's label, each person a line; "Tel/Fax" is a phone.
    ("Media contacts\nIOM Egypt: Amira Haddad, Tel: 02 2736 5140, Email: ahaddad@iom.int\n"
     "IOM Italy: Paolo Bruni, Tel/Fax: +39 06 4423 1428, Email: pbruni@iom.int", [_AMIRA, _PAOLO]),
    # No opener, no labels: a person a line, numbers and addresses set down bare.
    ("In Cairo: Amira Haddad, IOM Egypt, +20 (0)2 2736 5140, ahaddad@iom.int\n\n"
     "In Rome: Paolo Bruni, IOM Italy, 06 4423 1428 / 1429, pbruni@iom.int", [_AMIRA, _PAOLO]),
    # Particles in names, a bare card line, "Tel." and "T." before a number.
    ("Maria de los Angeles Haddad, IOM Cairo, Tel. +20 2 2736 5140, E-Mail: ahaddad@iom.int",
     [("Maria de los Angeles Haddad", "ahaddad@iom.int", "+20227365140")]),
    ("Amira Haddad\nCommunications Officer\nIOM Egypt\nT. +20 (0)2 2736 5140\nahaddad@iom.int",
     [_AMIRA]),
    # People in one sentence after another; "on" before a number; a city's office.
    ("For further information, please contact: In Cairo, Amira Haddad, IOM Egypt, "
     "Tel: 02 2736 5140, Email: ahaddad@iom.int. In Rome, Paolo Bruni, IOM Rome, "
     "Phone: 06 4423 1428, Email: pbruni@iom.int", [_AMIRA, _PAOLO]),
    ("For more information, please contact Amira Haddad (ahaddad@iom.int) at the IOM office "
     "in Cairo on 02 2736 5140.", [_AMIRA]),
    ("Contact IOM Egypt: Amira Haddad (Ms.), Communications Assistant – Phone: (20) 2 2736 5140 "
     "– ahaddad@iom.int", [_AMIRA]),
    # "Contact NAME …" opens a block; a name after a dash or a semicolon; a range's first number.
    ("Contact Amira Haddad at IOM Cairo on +20 2 2736 5140 (ext. 114) or ahaddad@iom.int.",
     [_AMIRA]),
    ("For further information, please contact:\nIOM Cairo – Amira Haddad, Tel: +20 2 2736 5140-42, "
     "Email: ahaddad@iom.int\nIOM Rome – Paolo Bruni, Tel: +39 06 4423 1428, Email: pbruni@iom.int",
     [_AMIRA, _PAOLO]),
    ("Contact: Paolo Bruni, IOM Italy, +39 06 4423 1428 / pbruni@iom.int; Amira Haddad, IOM Egypt, "
     "+20 2 2736 5140, ahaddad@iom.int", [_PAOLO, _AMIRA]),
])
def test_contact_block_forms_of_the_agencys_sites(nlp, block, expected):
    body = ("Dhaka – IOM delivered 2,000 shelter kits to families in the camps this week.\n\n"
            "The kits hold tarpaulins, rope and tools, and more will follow next month.")
    release = clean_text(f"Headline\n\n{body}\n\n{block}", "t")
    ent, _ = extract_entities(release, nlp)
    assert [(c["name"], c["email"], c["phone"]) for c in ent.contacts] == expected


def test_phone_numbers_become_e164():
    assert to_e164("+41 22 717 9111") == "+41227179111"
    assert to_e164("0041 22 717 9111") == "+41227179111"
    assert to_e164("+00 12") is None
    assert to_e164("020 422 1000") is None  # national, and no country to read it in
    assert to_e164("020 422 1000", "KE") == "+254204221000"
    assert to_e164("210 991 9040", "GR") == "+302109919040"
    assert to_e164("12 34", "GR") is None


def test_an_office_gives_the_country_of_its_phone_numbers():
    from pipeline.nlp.contacts import office_region

    assert office_region("IOM Kenya") == "KE"
    assert office_region("IOM South Sudan") == "SS"
    assert office_region("IOM Nairobi") == "KE"
    assert office_region("IOM Regional Office for Asia and the Pacific", {"THA"}) == "TH"
    assert office_region("IOM Regional Office for Asia and the Pacific", {"THA", "MMR"}) is None
    assert office_region(None) is None
    assert office_region("IOM Benin City") == "NG"  # a city's name longer than a country's in it
    assert office_region("IOM Lebanon") == "LB"
    assert office_region("at the IOM Regional Office for Southern Africa in Pretoria") == "ZA"


def test_money_amounts_in_every_written_form():
    found = {(a["text"], a["currency"], a["value"]) for a in find_amounts(
        "USD 3 million, USD 200,000, $10.5 million, EUR 1.2 million, GBP 500,000 and "
        "5 million euros, but not 40 per cent or 3,000 people.")}
    assert found == {("USD 3 million", "USD", 3_000_000), ("USD 200,000", "USD", 200_000),
                     ("$10.5 million", "USD", 10_500_000), ("EUR 1.2 million", "EUR", 1_200_000),
                     ("GBP 500,000", "GBP", 500_000), ("5 million euros", "EUR", 5_000_000)}


def test_local_currencies_by_code_or_by_name():
    found = {(a["currency"], a["value"]) for a in find_amounts(
        "an average of NPR 110,000, 75,000 CFA francs, 6,000 lari and KRW 2.4 Billion")}
    assert found == {("NPR", 110_000), ("XOF", 75_000), ("GEL", 6_000), ("KRW", 2_400_000_000)}


def test_empty_text_gives_an_error_not_a_crash(nlp):
    ent, errors = extract(nlp, "   ")
    assert ent.countries == [] and errors


def test_text_longer_than_max_length_is_read_in_pieces(nlp):
    para = "IOM Kenya helped Somali families in Nairobi. " * 40
    text = "\n\n".join([para] * 1200)  # about 2 MB
    assert len(text) > 2_000_000 > nlp.max_length
    ent, errors = extract(nlp, text)
    assert {"KEN", "SOM"} <= {c["iso3"] for c in ent.countries}
    assert all(len(p) <= 100_000 for p in pieces(text))


def test_non_english_text_is_flagged_and_countries_still_resolved(nlp):
    ent, errors = extract(nlp, "L'OIM a aidé des familles au Niger et au Mali.", language="fr")
    assert any("language" in e for e in errors)
    assert {"NER", "MLI"} <= {c["iso3"] for c in ent.countries}


def test_control_characters_and_no_sentence_breaks(nlp):
    text = "IOM\x00 Ghana \x07 worked with Togolese " + "and partners " * 3000
    ent, errors = extract(nlp, text)
    assert {"GHA", "TGO"} <= {c["iso3"] for c in ent.countries}


# Releases as real archives hold them (shared/iom-sites.md): older wording ("IOM, the UN
# Migration Agency"), hard wraps, excerpts cut mid-sentence, and every form of official,
# ministry, country and contact the issue names. Every name, number and address is
# invented. Expected: officials (names), ministries (the set), countries (ISO3 set),
# contacts ((name, e-mail, phone) in order).
REAL_STYLE = [
    ("honorific_ambassador",
     "Geneva - IOM, the UN Migration Agency, welcomed Ambassador Torvald Eskildsen of Norway\n"
     "to its headquarters on Tuesday (14 March). \"Norway stands with the displaced,\" said\n"
     "Ambassador Eskildsen.",
     {"officials": {"Torvald Eskildsen"}, "countries": {"NOR"}}),
    ("baroness",
     "London - The event was opened by Baroness Imelda Crossfield, who chairs the parliamentary\n"
     "group on refugees, and by IOM UK's Chief of Mission, Dorian Mabey.",
     {"officials": {"Imelda Crossfield", "Dorian Mabey"}, "countries": {"GBR"}}),
    ("police_rank",
     "Bangkok - Pol. Lt. Col. Anurak Sitthiwong of the Royal Thai Police told participants that\n"
     "trafficking cases had doubled. Lt. Col. Sitthiwong added that training would continue.",
     {"officials": {"Anurak Sitthiwong"}, "countries": {"THA"}}),
    ("long_lower_role",
     "Manila - \"The risks are growing,\" said the agency's senior regional protection specialist\n"
     "for Asia and the Pacific Marisol Quirante-Baylon.",
     {"officials": {"Marisol Quirante-Baylon"}}),
    ("surge_team_leader",
     "Cox's Bazar - Surge Team leader Henrik Dalgaard-Moss said shelters were being reinforced\n"
     "before the monsoon.",
     {"officials": {"Henrik Dalgaard-Moss"}}),
    ("possessive_office",
     "Athens - IOM Athens' Eleni Karavasili said the new centre would open in June.",
     {"officials": {"Eleni Karavasili"}, "countries": set()}),
    ("comma_title_name",
     "\"Every family received a kit,\" said IOM Senior Programme Assistant, Kwabena Asante-Mensah.",
     {"officials": {"Kwabena Asante-Mensah"}}),
    ("represented_by",
     "The ceremony was attended by the Mayor of Leeds and IOM, represented by Priya Raghunathan,\n"
     "IOM UK.",
     {"officials": {"Priya Raghunathan"}}),
    ("minister_mr",
     "Kabul - The Minister of Refugees and Repatriation, Mr. Habibullah Zarifi, thanked IOM for\n"
     "its support.",
     {"officials": {"Habibullah Zarifi"}, "ministries": [], "countries": set()}),
    ("state_secretary",
     "Berlin - Annelie Brunnhuber, State Secretary of the Federal Ministry of the Interior,\n"
     "opened the conference.",
     {"officials": {"Annelie Brunnhuber"}, "ministries": ["Ministry of the Interior"]}),
    ("trainers_list",
     "The course brought together 40 border officials, with trainers including IOM Immigration\n"
     "and Border Management Officer Tomasz Wierzbicki from IOM Ukraine and Dr. Ayesha Rahimova\n"
     "from the State Border Service.",
     {"officials": {"Tomasz Wierzbicki", "Ayesha Rahimova"}, "countries": {"UKR"}}),
    ("hard_wrapped_name",
     "Nairobi - The new reception centre was opened on Friday by the IOM Chief of Mission Fatuma\n"
     "Njoroge-Kamau, who said that the centre would serve up to 500 people a day in the first\n"
     "months of operation.",
     {"officials": {"Fatuma Njoroge-Kamau"}}),
    ("role_cut_at_end",
     "Tripoli - IOM, the UN Migration Agency, resumed voluntary humanitarian return flights\n"
     "this week. \"We are relieved,\" said Othmane Belhaj, IOM Libya's Senior",
     {"officials": {"Othmane Belhaj"}}),
    ("ministry_from_minister_title",
     "Dhaka - The Minister of Expatriates' Welfare and Overseas Employment visited the camp.",
     {"ministries": []}),
    ("ministry_cut_at_end",
     "The programme is run jointly with the Ministry of Labour and the Ministry of Foreign",
     {"ministries": ["Ministry of Labour"]}),
    ("department_not_ministry",
     "IOM's Department of Operations and Emergencies and the UN Department of Economic and\n"
     "Social Affairs released the figures, while the Department of Home Affairs confirmed them.",
     {"ministries": ["Department of Home Affairs"]}),
    ("bureau_office_not_ministry",
     "The Bureau of Population, Refugees, and Migration and the Office of the Prime Minister\n"
     "funded the project through the Ministry of Health.",
     {"ministries": ["Ministry of Health"]}),
    ("sub_unit",
     "The Ministry of Interior's Department for Migration and Border Management hosted the\n"
     "workshop.",
     {"ministries": ["Ministry of Interior"]}),
    ("two_spellings",
     "Officials from the Ministry of the Interior met IOM. The Interior Ministry later said\n"
     "that the Ministry of Interior would extend the permits.",
     {"ministries": ["Ministry of the Interior"]}),
    ("compound_first_in_list",
     "Representatives of the Ministries of Labour and Social Protection and Education joined.",
     {"ministries": ["Ministry of Labour and Social Protection", "Ministry of Education"]}),
    ("guinea_in_place",
     "Port Moresby - IOM supported families displaced by floods in Papua New Guinea's\n"
     "Western Province.",
     {"countries": {"PNG"}}),
    ("niger_state_and_currency",
     "Minna - IOM distributed kits in Niger State, Nigeria, with US$ 1.2 million from donors.",
     {"countries": {"NGA"}}),
    ("hellenic",
     "Athens - The Hellenic Coast Guard rescued 120 people off Lesvos on Sunday (12 July).",
     {"countries": {"GRC"}}),
    ("metadata_tags",
     "Language English Posted: Friday, June 08, 2018 - 11:02Image: Region-Country: "
     "SwitzerlandThemes: Migration HealthDefault: Multimedia:\n\n"
     "Juba - IOM vaccinated 3,000 children in South Sudan this week.",
     {"countries": {"SSD"}}),
    ("inline_contact",
     "Juba - IOM scaled up its response.\n\n"
     "For more information, please contact Grace Ayikoru, IOM South Sudan, Tel: +211 912 555 014,\n"
     "Email: gayikoru@iom.int",
     {"contacts": [("Grace Ayikoru", "gayikoru@iom.int", "+211912555014")]}),
    ("inline_contact_two_people",
     "Geneva - IOM launched the appeal.\n\n"
     "For more information please contact Leonard Doyle-Fitch, Tel: +41 22 555 0101, "
     "Email: ldoylefitch@iom.int or Sabine Klotz, Tel: +41 79 555 0102, Email: sklotz@iom.int",
     {"contacts": [("Leonard Doyle-Fitch", "ldoylefitch@iom.int", "+41225550101"),
                   ("Sabine Klotz", "sklotz@iom.int", "+41795550102")]}),
    ("migrant_not_official",
     "\"I walked for nine days,\" said Amadou Sissoko, a 23-year-old from Mali.",
     {"officials": set(), "countries": {"MLI"}}),
]
REAL_STYLE += [
    ("he_minister_title_after",
     "Niamey - H.E. Mr. Boubacar Issoufou Dandakoye, Minister of the Interior, Public Security\n"
     "and Decentralization, received the IOM delegation.",
     {"officials": {"Boubacar Issoufou Dandakoye"}, "ministries": []}),
    ("maj_gen_rank",
     "Maiduguri - Maj. Gen. Ibrahim Lawal-Dikko, who commands the theatre, met IOM staff on\n"
     "Monday.",
     {"officials": {"Ibrahim Lawal-Dikko"}}),
    ("lower_chief_of_mission",
     "Sana'a - \"Needs keep rising,\" said IOM Yemen's chief of mission, Rashida Al-Mutawakel.",
     {"officials": {"Rashida Al-Mutawakel"}, "countries": {"YEM"}}),
    ("speakers_parenthesised",
     "Speakers included Josefina Arrate (IOM) and Kwame Oduro-Boateng (UNHCR), who both\n"
     "called for more funding.",
     {"officials": {"Josefina Arrate", "Kwame Oduro-Boateng"}}),
    ("spokesperson_wrapped",
     "Geneva - Speaking to journalists in Geneva on Friday, IOM spokesperson Leonardo\n"
     "Castellanos-Ruiz said that more than 2,000 people had arrived on the islands since\n"
     "the start of the month.",
     {"officials": {"Leonardo Castellanos-Ruiz"}}),
    ("foreign_ministry_and_full",
     "The Foreign Ministry thanked IOM. The Ministry of Foreign Affairs also issued visas.",
     {"ministries": ["Ministry of Foreign Affairs"]}),
    ("ministry_health_officials",
     "Ministry of Health officials and the Ministry of Women, Family and Community Development\n"
     "joined the mission.",
     {"ministries": ["Ministry of Health", "Ministry of Women, Family and Community Development"]}),
    ("new_mexico_not_mexico",
     "Santa Fe - Families from Honduras arrived in New Mexico and later travelled to Mexico City.",
     {"countries": {"HND"}}),
    ("city_cut_at_end",
     "Dakar - IOM will open a second office in Saint",
     {"officials": set()}),
    ("un_migration_agency_not_person",
     "IOM, the UN Migration Agency, and the Government of Ghana launched the plan in Accra.",
     {"officials": set(), "countries": {"GHA"}}),
]

REAL_STYLE += [
    ("contact_upper_surname",
     "Juba - IOM scaled up its response.\n\n"
     "For more information please contact Grace AYIKORU at IOM South Sudan, Email: gayikoru@iom.int",
     {"contacts": [("Grace AYIKORU", "gayikoru@iom.int", None)]}),
    ("contact_cards_mixed",
     "Juba - IOM scaled up its response.\n\nMedia contacts:\nGrace Ayikoru, IOM South Sudan\n"
     "Tel: +211 912 555 014\nE-mail: gayikoru@iom.int\n"
     "Paul Osei, IOM Ghana, Tel: +233 24 555 0199, Email: posei@iom.int",
     {"contacts": [("Grace Ayikoru", "gayikoru@iom.int", "+211912555014"),
                   ("Paul Osei", "posei@iom.int", "+233245550199")]}),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in REAL_STYLE],
                         ids=[c[0] for c in REAL_STYLE])
def test_real_style_release(nlp, text, expected):
    ent, _ = extract(nlp, text)
    got = {"officials": {o["name"] for o in ent.officials},
           "ministries": sorted(m["name"] for m in ent.ministries),
           "countries": {c["iso3"] for c in ent.countries},
           "contacts": [(c["name"], c["email"], c["phone"]) for c in ent.contacts]}
    for kind, want in expected.items():
        assert got[kind] == (sorted(want) if kind == "ministries" else want), kind


# -- properties: any text, no crash, nothing invented ----------------------------------
_FRAGMENTS = [
    "IOM", "the International Organization for Migration", "Minister of Labour", "Ministry of Health",
    "the Ministries of Justice and Foreign Affairs", "Ambassador", "Chief of Mission", "said",
    "Dr.", "Mr.", "Ms.", "Amina Yusuf", "Kofi Mensah", "Jean-Baptiste Ndayisaba", "O'Neill",
    "Geneva", "Niamey", "Kabul", "Afghans", "the Islamic Republic of Iran", "Türkiye", "Chad",
    "USD 2.5 million", "EUR 400,000", "CHF", "1,200", "2024", "Tel: +41 22 717 9111",
    "Email: press@iom.int", "For more information, please contact", "Department of", "Bureau",
    "(IOM)", "’s", "'s", "–", ",", ".", ";", ":", "\u00a0", "\n", "\n\n", "é", "中文", "\u200b",
]


def _collapsed(text: str) -> str:
    return " ".join(text.split())


@given(st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=12)), max_size=60),
       st.lists(st.sampled_from([" ", " ", ", ", ". ", "\n", " – "]), min_size=1, max_size=5))
@example(["B\x1b", "Department of"], [" "])  # a control character inside a name
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_gives_entities_that_are_spans_of_it(nlp, parts, seps):
    from pipeline.nlp.text import prepare

    text = "".join(part + seps[i % len(seps)] for i, part in enumerate(parts))
    entities, _ = extract(nlp, text)  # never raises
    # spans of the text as the stage reads it (control characters blanked)
    flat = _collapsed(prepare(text)).casefold()
    for kind, key in (("officials", "name"), ("cities", "name"), ("contacts", "name"),
                      ("amounts", "text")):
        for item in getattr(entities, kind):
            assert _collapsed(item[key]).casefold() in flat, (kind, item)
    for org in entities.organizations:
        assert _collapsed(org).casefold() in flat, org
    for ministry in entities.ministries:
        # a span, or one part of a coordination ("the Ministries of Justice and
        # Foreign Affairs" gives "Ministry of Foreign Affairs"): its portfolio is a span
        portfolio = _collapsed(ministry["name"]).split(" of ", 1)[-1].casefold()
        assert portfolio in flat, ministry


def test_a_person_or_ministry_the_ner_read_as_an_organisation_is_not_one(nlp):
    text = ("The Ministries of Justice and Foreign Affairs of Ghana met IOM. IOM Chief of Mission "
            "in Ghana, Fatou Diallo, announced the grant with UNHCR.")
    entities, _ = extract(nlp, text)
    assert "Fatou Diallo" in {o["name"] for o in entities.officials}
    assert not any("Fatou Diallo" in org or "Ministries" in org for org in entities.organizations)
    assert "UNHCR" in entities.organizations
