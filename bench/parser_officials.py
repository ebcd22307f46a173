"""What the dependency parser adds to the officials the rules find, and at what cost.

`python -m bench.parser_officials [--gold FILE ...]` (issue 10). The rules
(`official_linker`) read the NER's PERSON spans and the text around them. The
parser offers a second route to a person with a role: a PERSON that is the
head of an apposition or a
relative clause ("NAME, a ward councillor", "NAME, who manages the centre"),
or that is in apposition to a noun ("the village headman, NAME"). Each such
PERSON the rules did not already keep is an *addition*; an addition is
correct when the gold lists that name as an official, wrong otherwise.

The cost is the time of a tok2vec + parser pass (the parser needs the shared
tok2vec, which the pipeline leaves out) over the same texts, against the
pipeline's own `nlp` object, both measured here on the same machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.batch import Stages  # noqa: E402
from pipeline.evaluate import _norm, predict_gold  # noqa: E402
from pipeline.gold import BLIND_FILE, load_gold  # noqa: E402
from pipeline.languages import spec  # noqa: E402

ROLE_DEPS = ("appos", "relcl", "acl")


def parser_candidates(doc) -> set[str]:
    """PERSON names the parser gives a role: an apposition or a relative clause
    under the name, or the name in apposition to a noun."""
    found = set()
    for ent in doc.ents:
        if ent.label_ != "PERSON" or len(ent) < 2:
            continue
        root = ent.root
        role_child = any(c.dep_ in ROLE_DEPS and not ent.start <= c.i < ent.end
                         for c in root.children)
        role_head = root.dep_ == "appos" and root.head.tag_.startswith("NN")
        if role_child or role_head:
            found.add(_norm(ent.text))
    return found


def measure(gold: list[dict], stages: Stages, parser_nlp) -> dict:
    predicted = predict_gold(gold, stages)
    texts = [f"{g['title']}\n\n{g['text']}" for g in gold]
    correct = wrong = 0
    examples = []
    for g, p, doc in zip(gold, predicted, parser_nlp.pipe(texts, batch_size=32), strict=True):
        want = {_norm(o["name"]) for o in g.get("officials", [])}
        have = {_norm(o["name"]) for o in p.get("officials", [])}
        for name in sorted(parser_candidates(doc) - have):
            if name in want:
                correct += 1
            else:
                wrong += 1
                if len(examples) < 8:
                    examples.append(name)
    missed = sum(len({_norm(o["name"]) for o in g.get("officials", [])}
                     - {_norm(o["name"]) for o in p.get("officials", [])})
                 for g, p in zip(gold, predicted, strict=True))
    return {"releases": len(gold), "rules_missed": missed, "parser_correct": correct,
            "parser_wrong": wrong, "wrong_examples": examples}


def timing(texts: list[str], stages: Stages, parser_nlp) -> tuple[float, float]:
    nlp = stages.nlp_for("en")
    t = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    ours = time.perf_counter() - t
    t = time.perf_counter()
    for _ in parser_nlp.pipe(texts, batch_size=32):
        pass
    return ours, time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, action="append",
                    help="gold files (default: the corpus and the blind set)")
    args = ap.parse_args(argv)
    stages = Stages.load()
    # tok2vec + parser (+ ner for the PERSON spans it reads); nothing else.
    parser_nlp = spacy.load(spec("en").model(), exclude=["lemmatizer", "attribute_ruler",
                                                       "senter"])
    sets = ({str(p): load_gold([p]) for p in args.gold} if args.gold else
            {"corpus (all splits; the rules were written on it)": load_gold(),
             "blind set 1 (read for errors after its one look)": load_gold([BLIND_FILE])})
    print(f"{'gold':52} {'n':>4} {'rules missed':>12} {'parser +right':>13} {'parser +wrong':>13}")
    for name, gold in sets.items():
        gold = [g for g in gold if g.get("language", "en") == "en"]
        r = measure(gold, stages, parser_nlp)
        print(f"{name:52} {r['releases']:4} {r['rules_missed']:12} {r['parser_correct']:13} "
              f"{r['parser_wrong']:13}")
        if r["wrong_examples"]:
            print(f"{'':6}wrong additions, e.g.: {', '.join(r['wrong_examples'])}")
    texts = [f"{g['title']}\n\n{g['text']}" for g in load_gold()[:300]]
    ours, extra = timing(texts, stages, parser_nlp)
    print(f"\ncost over {len(texts)} releases: our nlp {ours:.1f} s; a tok2vec+tagger+parser+ner "
          f"pass {extra:.1f} s more (+{100 * extra / ours:.0f}% of the entity stage)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
