"""Writes Sources/Training/Resources/wordnet-nouns.csv, the built-in text task `wordnet-nouns`: WordNet 3.0
noun definitions labelled with their lexicographer file (animal, plant, food, …).

Reproducible: the same WordNet files and seed give the same CSV. Needs Debian's WordNet data:
  apt-get install -y wordnet-base && python3 Scripts/make_wordnet_nouns.py
WordNet 3.0 Copyright 2006 by Princeton University; its licence notice is in
Sources/Training/Resources/wordnet-nouns.LICENSE and the README.
"""

import csv
import pathlib
import random

DATA = pathlib.Path("/usr/share/wordnet/data.noun")
OUT = pathlib.Path(__file__).resolve().parents[1] / "Sources/Training/Resources/wordnet-nouns.csv"
# Lexicographer file numbers of WordNet 3.0's noun files (lexnames) and the label each becomes.
CLASSES = {5: "animal", 6: "artifact", 8: "body", 13: "food", 15: "location", 18: "person", 20: "plant",
           27: "substance"}
PER_CLASS = 500
SEED = 11

by_class = {label: [] for label in CLASSES.values()}
seen = set()
for line in DATA.read_text(encoding="utf-8").splitlines():
    if line.startswith("  ") or " | " not in line:
        continue  # the licence header
    fields, gloss = line.split(" | ", 1)
    label = CLASSES.get(int(fields.split()[1]))
    # The definition only: examples after `; "` often repeat the word being defined.
    definition = gloss.split('; "', 1)[0].strip().rstrip(";").strip()
    if label is None or len(definition) < 10 or definition in seen:
        continue
    seen.add(definition)
    by_class[label].append(definition)

rng = random.Random(SEED)
rows = []
for label, definitions in sorted(by_class.items()):
    rows += [(text, label) for text in rng.sample(definitions, min(PER_CLASS, len(definitions)))]
rng.shuffle(rows)

with OUT.open("w", encoding="utf-8", newline="") as handle:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["text", "label"])
    writer.writerows(rows)
print(f"{len(rows)} rows, {len(by_class)} classes ({', '.join(f'{k} {len(v)}' for k, v in sorted(by_class.items()))}"
      f" available) -> {OUT}")
