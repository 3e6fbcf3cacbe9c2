"""Parity and speed of `tunetop tokenize` against Hugging Face's BertTokenizer on a large varied corpus.

Builds a seeded corpus (Python's standard library source and docstrings, Debian's licence and
copyright texts, WordNet 3.0 glosses, and generated lines of accents, CJK, emoji, control characters,
very long words, mixed scripts, punctuation, special tokens and random code points), tokenizes it with
`tunetop tokenize` and with transformers' BertTokenizer (the Rust `tokenizers` pipeline) for three
configurations of the same vocab.txt, and counts the lines whose ids differ. Then it times both
single-threaded on the same lines: `tunetop-bench tokenize` (encode only) against `encode_batch_fast`
(the Rust pipeline without offset tracking, its fastest entry point) on one Rayon thread, interleaved,
and prints the ratio.

Usage (after `swift build -c release`, and with MiniLM's vocab.txt and tokenizer_config.json in MODEL):
  /work/venv/bin/python Benchmarks/tokenizer/parity.py --model MODEL [--lines 60000] [--out DIR]
"""

import argparse
import glob
import json
import os
import pathlib
import random
import shutil
import subprocess
import sys
import time

os.environ["RAYON_NUM_THREADS"] = "1"  # before tokenizers starts its thread pool
os.environ["TOKENIZERS_PARALLELISM"] = "false"

from transformers import BertTokenizer  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def text_lines(paths, limit, rng):
    lines = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                lines += [line.rstrip("\n") for line in handle if line.strip()]
        except (UnicodeDecodeError, OSError):
            continue
    rng.shuffle(lines)
    return lines[:limit]


def wordnet_glosses(limit, rng):
    glosses = []
    for part in ["noun", "verb", "adj", "adv"]:
        path = f"/usr/share/wordnet/data.{part}"
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("  ") or "|" not in line:
                    continue
                glosses.append(line.split("|", 1)[1].strip())
    rng.shuffle(glosses)
    return glosses[:limit]


SCRIPTS = {
    "latin_accents": "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßŁłŒœŠšŽžİıĞğŞşǅǈǋ",
    "greek": "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩάέήίόύώΐΰς",
    "cyrillic": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "hebrew": "אבגדהוזחטיכלמנסעפצקרשת",
    "devanagari": "अआइईउऊएऐओऔकखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह्ािीुूेैोौं",
    "thai": "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศษสหอฮะาิีึืุูเแโใไ่้๊๋",
    "hangul": "가나다라마바사아자차카타파하한국어대한민국서울",
    "kana": "あいうえおかきくけこさしすせそたちつてとなにぬねのアイウエオカキクケコサシスセソ",
    "cjk": "中国日本語汉字漢字学习東京北京人口大小上下我你他她们的是不了在有这个说时国年会",
    "fullwidth": "ＡＢＣａｂｃ０１２！？（）",
    "ligatures": "ﬁﬂﬀﬃﬄĲĳǄǆ",
    "math": "∑∏∫√∞≈≠≤≥∂∇∈∉⊂⊃∪∩",
}
EMOJI = ["😀", "😂", "🥲", "🫠", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "🤖", "🧬", "✅", "🏳️‍🌈", "🦀", "🐍", "☕", "🫶🏿"]
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\u200b", "\u200c",
            "\u200d", "\u200e", "\u2060", "\ufeff", "\ufffd", "\u00ad", "\t", "\r", "\u00a0", "\u2003", "\u3000",
            "\u2028", "\u2029", "\u1680", "\u202f", "\ue000", "\U000f0000", "\U000e0001"]
COMBINING = ["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u030a", "\u0327", "\u0328", "\u0331", "\u0345",
             "\u0489", "\u20dd", "\u1dc0", "\U0001d167"]
PUNCT = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + list("¡¿«»‘’“”„‹›–—…·•†‡§¶※‰′″‴⁂、。〈〉《》「」『』【】〔〕！？，：；")
SPECIALS = ["[CLS]", "[SEP]", "[UNK]", "[PAD]", "[MASK]", "[cls]", "[SEP", "[[SEP]]", "x[MASK]y"]
WORDS = ("the of and to in is was for on are with as by at from this that it be or an which have not "
         "tokenizer embedding transformer café naïve résumé façade Übermensch straße Ångström São Paulo Zürich "
         "İstanbul ΣΟΦΙΑ Москва Dvořák Łódź").split()


def generated_lines(count, rng):
    def word(kind):
        if kind == "plain":
            return rng.choice(WORDS)
        if kind == "script":
            alphabet = SCRIPTS[rng.choice(list(SCRIPTS))]
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        if kind == "emoji":
            return "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 3)))
        if kind == "control":
            base = rng.choice(WORDS)
            cut = rng.randint(0, len(base))
            return base[:cut] + rng.choice(CONTROLS) + base[cut:]
        if kind == "combining":
            base = rng.choice(WORDS)
            return "".join(c + (rng.choice(COMBINING) if rng.random() < 0.3 else "") for c in base)
        if kind == "long":
            unit = rng.choice(["a", "ab", "xyz", "é", "中", "ü", "tokenization", "😀"])
            return (unit * 200)[: rng.choice([98, 99, 100, 101, 102, 150, 400])]
        if kind == "punct":
            return "".join(rng.choice(PUNCT) for _ in range(rng.randint(1, 4)))
        if kind == "special":
            return rng.choice(SPECIALS)
        if kind == "number":
            return str(rng.randint(0, 10 ** rng.randint(1, 15)))
        if kind == "random":
            out = []
            while len(out) < rng.randint(1, 6):
                cp = rng.choice([rng.randint(0x80, 0x2FFF), rng.randint(0x3000, 0xFFFF), rng.randint(0x10000, 0x10FFFF)])
                if not 0xD800 <= cp <= 0xDFFF:
                    out.append(chr(cp))
            return "".join(out)
        raise ValueError(kind)

    kinds = ["plain"] * 6 + ["script"] * 4 + ["emoji", "control", "combining", "long", "punct", "special",
                                               "number", "random", "random"]
    lines = []
    for _ in range(count):
        words = [word(rng.choice(kinds)) for _ in range(rng.randint(0, 25))]
        separators = [rng.choice([" ", " ", " ", "", "  ", "\t", "\u3000", "-"]) for _ in words]
        line = "".join(w + s for w, s in zip(words, separators))
        if rng.random() < 0.1:
            line = line.upper()
        lines.append(line.replace("\n", " "))
    return lines


def build_corpus(total, rng):
    share = total // 4
    python = text_lines(sorted(glob.glob("/usr/lib/python3*/**/*.py", recursive=True)), share, rng)
    debian = text_lines(sorted(glob.glob("/usr/share/common-licenses/*") + glob.glob("/usr/share/doc/*/copyright")),
                        share, rng)
    wordnet = wordnet_glosses(share, rng)
    generated = generated_lines(total - len(python) - len(debian) - len(wordnet), rng)
    lines = python + debian + wordnet + generated
    lines.append("")  # empty text
    lines = [line.replace("\n", " ") for line in lines]
    sources = {"python": len(python), "debian": len(debian), "wordnet": len(wordnet), "generated": len(generated)}
    return lines, sources


def variant_folders(model, out):
    base = json.loads((pathlib.Path(model) / "tokenizer_config.json").read_text())
    variants = {
        "uncased": {},
        "cased": {"do_lower_case": False},
        "lower_keep_accents": {"do_lower_case": True, "strip_accents": False},
        "cased_strip_no_cjk": {"do_lower_case": False, "strip_accents": True, "tokenize_chinese_chars": False},
    }
    folders = {}
    for name, changes in variants.items():
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(pathlib.Path(model) / "vocab.txt", folder / "vocab.txt")
        (folder / "tokenizer_config.json").write_text(json.dumps({**base, **changes}))
        folders[name] = folder
    return folders


def tunetop_ids(binary, folder, corpus_path, max_len):
    with open(corpus_path, "rb") as handle:
        result = subprocess.run([binary, "tokenize", "--model", str(folder), "--max-len", str(max_len)],
                                stdin=handle, capture_output=True, check=True)
    return [json.loads(line) for line in result.stdout.decode().split("\n")[:-1]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--lines", type=int, default=60000)
    parser.add_argument("--max-len", type=int, default=512)
    parser.add_argument("--out", default="/tmp/tunetop-tokenizer-parity")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lines, sources = build_corpus(args.lines, random.Random(args.seed))
    corpus_path = out / "corpus.txt"
    corpus_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    size = corpus_path.stat().st_size
    print(f"corpus: {len(lines)} lines, {size / 1e6:.1f} MB, {sources} -> {corpus_path}")

    binary = str(ROOT / ".build/release/tunetop")
    folders = variant_folders(args.model, out)
    total_mismatches = 0
    for name, folder in folders.items():
        reference = BertTokenizer.from_pretrained(str(folder))
        expected = reference(lines, truncation=True, max_length=args.max_len)["input_ids"]
        ours = tunetop_ids(binary, folder, corpus_path, args.max_len)
        assert len(ours) == len(expected), (len(ours), len(expected))
        mismatched = [i for i, (a, b) in enumerate(zip(ours, expected)) if a != b]
        total_mismatches += len(mismatched)
        print(f"{name}: {len(mismatched)} of {len(lines)} lines differ")
        for i in mismatched[:5]:
            print("  line", i + 1, repr(lines[i][:200]))
            print("    tunetop:", ours[i][:40])
            print("    hf:     ", expected[i][:40])

    # Speed: encode only, one thread each, interleaved so load changes hit both alike.
    folder = folders["uncased"]
    reference = BertTokenizer.from_pretrained(str(folder)).backend_tokenizer
    reference.enable_truncation(args.max_len)
    bench = str(ROOT / ".build/release/tunetop-bench")
    hf_seconds, ours_seconds = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        reference.encode_batch_fast(lines)
        hf_seconds.append(time.perf_counter() - start)
        result = subprocess.run([bench, "tokenize", "--model", str(folder), "--corpus", str(corpus_path),
                                 "--max-len", str(args.max_len), "--rounds", "1"],
                                capture_output=True, check=True, text=True)
        ours_seconds.append(json.loads(result.stdout)["seconds"])
    hf = sorted(hf_seconds)[len(hf_seconds) // 2]
    us = sorted(ours_seconds)[len(ours_seconds) // 2]
    print(f"speed (median of {args.rounds}, one thread, encode only): tunetop {us:.3f} s "
          f"({size / us / 1e6:.1f} MB/s), HF tokenizers {hf:.3f} s ({size / hf / 1e6:.1f} MB/s), "
          f"ratio tunetop/HF throughput {hf / us:.2f}x")
    print(f"total mismatches: {total_mismatches}")
    return 1 if total_mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
