"""French releases end to end, with the real fr_core_news_sm model: routing,
countries and demonyms, ministries, officials, amounts, dates and datelines,
themes through the French taxonomy signals, and English left as it was."""

import pytest

from pipeline.batch import Stages, process_batch
from pipeline.clean import clean_text
from pipeline.gold import validate
from pipeline.languages import route, spec
from pipeline.nlp import extract_entities, load_nlp
from pipeline.nlp.amounts import find_amounts
from pipeline.nlp.lexicon import Lexicon
from pipeline.records import Release
from pipeline.signal_themes import SignalThemes

RELEASE = """Niger : l’OIM porte secours à 120 migrants abandonnés dans le désert

Publié le 12/03/2024

Niamey – L’Organisation internationale pour les migrations (OIM) a secouru le 10 mars 2024 \
120 migrants abandonnés dans le désert près de la frontière algérienne, dont des ressortissants \
ivoiriens et guinéens et plusieurs Nigériens.

« Beaucoup marchaient depuis trois jours sans eau », a déclaré Amadou Sidibé, chef de mission de \
l’OIM au Niger. Les migrants sont hébergés au centre de transit d’Agadez, où ils reçoivent des \
soins et une assistance directe avant un éventuel retour volontaire.

L’opération, menée avec les ministères de la Justice et de la Santé, est financée par une \
contribution de 2 millions de dollars du Japon.

Pour plus d’informations, veuillez contacter Halima Souley à l’OIM Niger, Tél : +227 20 75 23 58, \
Courriel : hsouley@iom.int
"""


@pytest.fixture(scope="module")
def fr_nlp():
    return load_nlp("fr")


@pytest.fixture(scope="module")
def stages():
    return Stages.load()


def entities(nlp, text):
    return extract_entities(Release(id="t", title="Titre", body=text, language="fr"), nlp)[0]


def test_releases_are_routed_by_their_language():
    assert route("fr") == "fr" and route("en") == "en"
    # A language without a pipeline of its own is read by the default one.
    assert route("es") == "en" and route(None) == "en"
    assert spec("fr").model() == "fr_core_news_sm"
    assert spec("fr").signals_file.name == "theme_signals.json"


def test_the_french_pipeline_is_the_english_one_on_the_french_model(fr_nlp):
    assert fr_nlp.meta["lang"] == "fr"
    assert fr_nlp.pipe_names == ["tok2vec", "country_ruler", "ner", "ner_label_mapper",
                                 "country_resolver", "contact_parser", "official_linker",
                                 "ministry_finder", "city_finder", "organisation_finder",
                                 "amount_finder"]
    assert fr_nlp.get_pipe("official_linker").language == "fr"


def test_french_country_names_official_names_and_demonyms(fr_nlp):
    found = entities(fr_nlp, "Des ressortissants ivoiriens, une Nigérienne et des familles de "
                             "la RDC sont arrivés en République centrafricaine, puis au Tchad "
                             "et en Côte d’Ivoire.")
    assert {c["iso3"] for c in found.countries} == {"CIV", "NER", "COD", "CAF", "TCD"}
    civ = next(c for c in found.countries if c["iso3"] == "CIV")
    assert civ["mentions"] == 2  # "ivoiriens" and "Côte d’Ivoire"


def test_a_language_name_is_not_a_country(fr_nlp):
    found = entities(fr_nlp, "La ligne d’écoute répond en français et en arabe aux migrants "
                             "bloqués au Maroc.")
    assert [c["iso3"] for c in found.countries] == ["MAR"]


def test_french_ministries_one_name_each_and_coordinated_lists_split(fr_nlp):
    found = entities(fr_nlp, "Le projet est mené avec le ministère des Affaires étrangères et "
                             "de la Coopération. Les ministères de la Justice et de la Santé "
                             "y participent, ainsi que le ministère de l’Intérieur et "
                             "l’Organisation internationale pour les migrations.")
    assert [m["name"] for m in found.ministries] == [
        "ministère des Affaires étrangères et de la Coopération",
        "ministère de la Justice", "ministère de la Santé", "ministère de l’Intérieur"]


def test_french_officials_title_after_or_before_the_name(fr_nlp):
    found = entities(fr_nlp, "« Nous restons mobilisés », a déclaré Amadou Sidibé, chef de "
                             "mission de l’OIM au Niger.\n\nLe ministre de l’Intérieur, "
                             "M. Moussa Garba, a salué l’accord.\n\nMme Awa Traoré, directrice "
                             "de la migration, était présente. Jean Dupont a applaudi.")
    by_name = {o["name"]: o for o in found.officials}
    assert set(by_name) == {"Amadou Sidibé", "Moussa Garba", "Awa Traoré"}
    assert by_name["Amadou Sidibé"]["title"] == "chef de mission"
    assert by_name["Amadou Sidibé"]["org"] == "OIM Niger"
    assert by_name["Moussa Garba"]["title"].startswith("ministre de l’Intérieur")


def test_french_amounts_with_no_break_spaces_and_the_franc_cfa_by_country():
    lex = Lexicon.load(("currencies",), "fr")
    text = ("un don de 2 millions de dollars, 500\u00a0000 euros, 300\u202f000 euros et "
            "1,5 milliard de FCFA")
    got = [(a["currency"], a["value"]) for a in find_amounts(text, lex)]
    assert got == [("USD", 2_000_000), ("EUR", 500_000), ("EUR", 300_000), ("XOF", 1_500_000_000)]
    # Chad is in the Central African zone: its francs CFA are XAF.
    chad = find_amounts("1,5 milliard de FCFA", lex, {"TCD": 3, "JPN": 1})
    assert [(a["currency"], a["value"]) for a in chad] == [("XAF", 1_500_000_000)]
    assert find_amounts("40 pour cent des 2 000 migrants", lex) == []


def test_french_dates_publication_stamp_and_dateline():
    release = clean_text(RELEASE, "fr-test")
    assert release.language == "fr"
    assert release.title.startswith("Niger : l’OIM porte secours")
    assert release.date == "2024-03-12"  # "Publié le 12/03/2024": day first
    assert release.dateline == "Niamey"
    assert "Publié le" not in release.body
    assert release.contact_block.startswith("Pour plus d’informations, veuillez contacter")


def test_a_french_release_end_to_end_through_process(stages):
    release = clean_text(RELEASE, "fr-test")
    record = process_batch([release], stages)[0]
    assert record.language == "fr" and record.errors == []
    assert record.versions["spacy_model"] == "fr_core_news_sm-3.8.0"
    assert record.versions["classifier"].startswith("signals-fr-")
    assert {"NER", "CIV", "GIN", "DZA", "JPN"} <= {c["iso3"] for c in record.countries}
    assert record.countries[0]["iso3"] == "NER"
    assert [o["name"] for o in record.officials] == ["Amadou Sidibé"]
    assert [m["name"] for m in record.ministries] == ["ministère de la Justice",
                                                      "ministère de la Santé"]
    assert [(a["currency"], a["value"]) for a in record.amounts] == [("USD", 2_000_000)]
    assert [(c["name"], c["email"]) for c in record.contacts] == [("Halima Souley",
                                                                   "hsouley@iom.int")]
    assert record.primary_theme == "protection_assistance"
    assert {t["id"] for t in record.themes} >= {"protection_assistance", "donor_relations"}


def test_english_and_french_releases_in_one_batch_each_read_in_its_language(stages):
    english = Release(id="en", title="IOM welcomes USD 1,500 pledge",
                      body="Geneva – IOM welcomed a pledge of USD 1,500 from Japan to the "
                           "Ministry of Health of Niger.", language="en")
    french = Release(id="fr", title="L’OIM salue un don",
                     body="Genève – L’OIM a salué un don de 1,5 million de dollars du Japon au "
                          "ministère de la Santé du Niger.", language="fr")
    en, fr = process_batch([english, french], stages)
    assert en.versions["spacy_model"] == stages.versions["spacy_model"]
    assert en.versions["classifier"] == stages.versions["classifier"]
    assert [(a["currency"], a["value"]) for a in en.amounts] == [("USD", 1500)]
    assert [m["name"] for m in en.ministries] == ["Ministry of Health"]
    assert [(a["currency"], a["value"]) for a in fr.amounts] == [("USD", 1_500_000)]
    assert [m["name"] for m in fr.ministries] == ["ministère de la Santé"]
    assert {c["iso3"] for c in fr.countries} == {"JPN", "NER"}


def test_the_primary_follows_the_taxonomy_precedence():
    themes = SignalThemes(spec("fr").signals_file, "fr")
    row = {"title": "Un financement pour le retour volontaire et la réintégration",
           "text": "Dakar – Grâce à un financement de 3 millions de dollars, l’OIM organise le "
                   "retour volontaire de 400 migrants et leur réintégration.\n\nLes personnes de "
                   "retour reçoivent un appui à la réintégration."}
    result = themes.themes([row])[0]
    assert {t["id"] for t in result.themes} >= {"donor_relations", "return_reintegration"}
    # donor_relations is cross-cutting: the specific theme is primary.
    assert result.primary_theme == "return_reintegration"


def test_french_gold_passes_validation_with_french_ministry_names():
    record = {"id": "f", "title": "T", "text": "Texte.", "themes": ["migration_health"],
              "primary": "migration_health", "countries": ["NER"], "cities": [],
              "ministries": ["ministère de la Santé"], "officials": [], "contacts": [],
              "amounts": [], "language": "fr"}
    assert validate([record]) == []
    assert validate([{**record, "language": "en"}]) != []


def test_the_french_pipeline_saved_to_disk_loads_back(fr_nlp, tmp_path):
    import spacy

    fr_nlp.to_disk(tmp_path / "fr")
    loaded = spacy.load(tmp_path / "fr")
    release = clean_text(RELEASE, "fr-test")
    assert extract_entities(release, loaded) == extract_entities(release, fr_nlp)


def test_evaluate_scores_french_gold_apart_and_names_its_language(tmp_path, capsys):
    import json
    from pathlib import Path

    from pipeline.cli import main
    from pipeline.gold import load_gold, split

    root = Path(__file__).resolve().parent.parent
    french = load_gold([root / "corpus" / "fr" / "f1.jsonl"])[:3]
    english = split(load_gold(), "test")[:2]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps({k: v for k, v in g.items() if k != "_source"},
                                         ensure_ascii=False) for g in english + french),
                    encoding="utf-8")
    figures = tmp_path / "figures.json"
    assert main(["evaluate", "--gold", str(gold), "--no-baselines", "--json", str(figures)]) == 0
    printed = capsys.readouterr().out
    assert f"== {gold}, language fr: 3 releases ==" in printed
    assert f"== {gold}, language en: 2 releases ==" in printed
    assert "theme signals" in printed
    result = json.loads(figures.read_text())
    fr, en = result[f"{gold}, language fr"], result[f"{gold}, language en"]
    assert fr["n"] == 3 and en["n"] == 2 and fr["language"] == "fr"
    # Read by the English pipeline these French releases score about half this.
    assert fr["entities"]["countries"]["f1"] >= 0.9
    assert fr["entities"]["officials"]["f1"] >= 0.9
