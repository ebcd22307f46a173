"""Contact blocks in layouts no rule was written for, made up by combination.

Each site's webmaster sets the block down their own way: the opener (or
none), the separators between a card's fields (line breaks, commas, pipes,
bullets, slashes, dashes, semicolons), the labels (or none), the order of
name, title and office, one to three people. The layouts are drawn from
those parts at random (seeded), and every person must come out with their
e-mail, whatever the layout. People, numbers and addresses are ours.
"""

import random

import pytest

from pipeline.clean import clean_text
from pipeline.clean.contact import tail_start
from pipeline.nlp import extract_batch, load_nlp
from pipeline.nlp.contacts import _agrees, parse_contacts

PEOPLE = [
    ("Amina Diallo", "IOM Senegal", "adiallo@iom.int", "+221 33 869 62 00"),
    ("Tomás Herrera Vidal", "IOM Colombia", "therrera@iom.int", "+57 1 639 7777"),
    ("Nilufar Karimova", "IOM Tajikistan", "nkarimova@iom.int", "+992 37 221 0312"),
    ("Jean-Baptiste Mukendi", "IOM Kinshasa", "jmukendi@iom.int", "+243 81 555 0199"),
    ("Olena Kravets", "IOM Ukraine", "okravets@iom.int", "+380 44 568 5015"),
    ("Farid Haddad", "IOM Lebanon", "fhaddad@iom.int", "+961 1 752 300"),
    ("Siosaia Fifita", "IOM Tonga", "sfifita@iom.int", "+676 23 456"),
    ("Mariam Abdullahi Warsame", "IOM Somalia", "mwarsame@iom.int", "+252 61 555 1234"),
]
TITLES = ["Media and Communications Officer", "Senior Communications Assistant",
          "Public Information Officer", "Spokesperson"]
OPENERS = ["For more information, please contact:", "Media contacts:", "Contact information",
           "Press contact:", "For further information:", "Media enquiries:",
           "To arrange interviews:", "MEDIA CONTACT", "Journalists may contact:", ""]
PHONE_LABELS = ["Tel: ", "T: ", "Phone: ", "Mobile: ", "Mob. ", "Cell: ", "Tel ", "", "☎ "]
MAIL_LABELS = ["Email: ", "E: ", "E-mail: ", "Mail: ", "email ", "", "✉ "]
SEPARATORS = ["\n", ", ", " | ", " – ", " / ", "; ", " • "]
BODY = ("Dakar – IOM this week delivered 2,000 shelter kits to families displaced by the "
        "floods, with partners and local authorities.\n\n"
        "The kits hold tarpaulins, rope and tools, and more will follow next month, said the agency.")


def _card(rng, person):
    name, office, email, phone = person
    if rng.random() < 0.4:  # "Amina DIALLO", as many sites print surnames
        first, *rest = name.split()
        name = " ".join([first] + [w.upper() for w in rest])
    fields = [name]
    if rng.random() < 0.4:
        fields.append(rng.choice(TITLES))
    if rng.random() < 0.8:
        fields.append(office)
    if rng.random() < 0.2 and len(fields) > 1:
        fields[0], fields[1] = fields[1], fields[0]  # the title or the office first
    if rng.random() < 0.85:
        fields.append(rng.choice(PHONE_LABELS) + phone)
    fields.append(rng.choice(MAIL_LABELS) + email)
    if rng.random() < 0.15:
        fields[-1], fields[-2] = fields[-2], fields[-1]
    return rng.choice(SEPARATORS).join(fields), (name.lower(), email)


def _layouts(n, seed):
    rng = random.Random(seed)
    for i in range(n):
        people = rng.sample(PEOPLE, rng.choice([1, 1, 2, 3]))
        cards, gold = zip(*(_card(rng, p) for p in people), strict=True)
        block = ("\n\n" if rng.random() < 0.5 else "\n").join(cards)
        opener = rng.choice(OPENERS)
        if opener:
            block = opener + rng.choice(["\n", "\n\n", " "]) + block
        if rng.random() < 0.1:
            block += rng.choice(["\n\n###", "\n\n-ENDS-"])
        yield clean_text(f"Headline\n\n{BODY}\n\n{block}", f"layout-{i}"), set(gold), block


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def test_contacts_come_out_whatever_the_layout(nlp):
    layouts = list(_layouts(150, seed=20261204))
    found = extract_batch([release for release, _, _ in layouts], nlp)
    wrong = [(block, sorted(gold), sorted(got))
             for (_, gold, block), (ent, _) in zip(layouts, found, strict=True)
             if gold != (got := {(c["name"].lower(), c["email"]) for c in ent.contacts})]
    assert not wrong, wrong[:3]


def test_a_release_without_a_contact_block_has_no_contacts(nlp):
    tails = ["Migrants in need of help can call the free hotline on 1547 or +66 2 343 9300 at "
             "any time, day or night.",
             "Applications should be sent by 30 June to the project team at cbprojects@iom.int, "
             "the organization said.",
             "Key figures\n2,000 shelter kits\n340 latrines\n12 water points"]
    releases = [clean_text(f"Headline\n\n{BODY}\n\n{tail}", f"n{i}") for i, tail in enumerate(tails)]
    assert all(r.contact_block is None for r in releases)
    assert [ent.contacts for ent, _ in extract_batch(releases, nlp)] == [[], [], []]


def test_the_closing_run_of_contact_lines_is_the_block():
    body = "Kabul – IOM opened a clinic.\n\nIt will serve 3,000 people a month, the agency said."
    card = "Contact information\nFarid HADDAD – IOM Lebanon – +961 1 752 300 – fhaddad@iom.int"
    text = f"{body}\n\n{card}"
    assert text[tail_start(text):] == card
    assert tail_start(f"{text}\n\n###") == len(body) + 2
    assert tail_start(body) is None  # no e-mail or number: no block
    # a last line of running text is not a contact line
    assert tail_start(f"{text}\n\nThe clinic opens on Monday and will stay open all week.") is None


def test_an_address_agrees_with_the_name_it_was_made_from():
    assert _agrees("Amina Diallo", "adiallo@iom.int")
    assert _agrees("Amina DIALLO", "amina.diallo@iom.int")
    assert _agrees("Burak Yılmaz", "byilmaz@iom.int")
    assert not _agrees("San José", "adelcastillo@iom.int")
    assert not _agrees("Amina Diallo", "media@iom.int")


def test_a_card_line_read_as_a_name_gives_the_card_back_to_its_person():
    block = ("Contact: Andrea Montes Quirós\nIOM Costa Rica, San José\n"
             "Tel: +506 2212 5300\nEmail: amontes@iom.int")
    found = [(c["name"], c["email"]) for c in parse_contacts(block, [(62, 70)])]
    assert found == [("Andrea Montes Quirós", "amontes@iom.int")]


def test_a_name_all_in_capitals_is_a_name_when_its_address_was_made_from_it():
    block = "KOFI A. MENSAH-BOATENG\nIOM Ghana\n+233 30 274 2930\nkmensah@iom.int"
    assert [(c["name"], c["email"]) for c in parse_contacts(block)] == [
        ("KOFI A. MENSAH-BOATENG", "kmensah@iom.int")]
    # a heading in capitals is not: no address agrees with it
    block = "MEDIA CONTACTS\nKofi Mensah, IOM Ghana, kmensah@iom.int"
    assert [c["name"] for c in parse_contacts(block)] == ["Kofi Mensah"]


def test_an_address_line_is_not_a_person():
    block = ("For more information, please contact:\nIOM Kyrgyzstan\nChui Avenue 114, Bishkek\n"
             "Aigerim Toktosunova\nTel: +996 312 61 24 56\nEmail: atoktosunova@iom.int")
    assert [(c["name"], c["email"], c["phone"]) for c in parse_contacts(block)] == [
        ("Aigerim Toktosunova", "atoktosunova@iom.int", "+996312612456")]


def test_a_national_number_is_read_in_the_city_that_labels_the_line():
    block = ("Nairobi — Wanjiku Mwangi, Public Relations, Ministry of Labour, 020 272 9800, "
             "wmwangi@labour.go.ke")
    [contact] = parse_contacts(block)
    assert (contact["name"], contact["email"], contact["phone"]) == (
        "Wanjiku Mwangi", "wmwangi@labour.go.ke", "+254202729800")


def test_phone_labels_of_the_agencys_other_languages():
    block = "Prensa, IOM Perú: Lucía Quispe Huamán, Cel. 987 654 321, lquispe@iom.int"
    [contact] = parse_contacts(block)
    assert (contact["name"], contact["phone"]) == ("Lucía Quispe Huamán", "+51987654321")
