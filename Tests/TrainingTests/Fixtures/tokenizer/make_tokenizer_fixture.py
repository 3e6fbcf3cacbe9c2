# Writes expected_ids.json: the ids Hugging Face's BertTokenizer gives for each case, with vocab.txt
# next to this file. /work/venv/bin/python make_tokenizer_fixture.py (transformers 5.24.0, tokenizers 0.23.3)
import json
import pathlib
import tempfile

from transformers import BertTokenizer

HERE = pathlib.Path(__file__).resolve().parent
TEXTS = [
    "",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "Héllo wörld, café naïve résumé façade Ångström São Paulo",
    "İstanbul ΣΟΦΙΑ Straße Dvořák Łódź ﬁnance Ĳssel",
    "e\u0301 a\u0308 combining marks n\u0303o",
    "中文分词测试：你好，世界。日本語のテキスト、東京。",
    "한국어 텍스트 서울 Hangul",
    "Emoji 😀 🥲 👍🏽 👨‍👩‍👧 🇫🇷 ❤️ end",
    "control\x00chars\x01here\x07\x1b[0m and\ufffdreplacement\u200bzero\ufeffwidth\u00adsoft",
    "tabs\tand\nnewlines\r\nand\u00a0nbsp\u3000ideographic\u2003em",
    "a" * 100,
    "a" * 101,
    "short " + "xyz" * 40 + " end",
    "unaffable antidisestablishmentarianism supercalifragilisticexpialidocious",
    "Москва Αθήνα القاهرة ירושלים मुंबई กรุงเทพ mixed scripts",
    "punctuation!?.,;:'\"()[]{}<>@#$%^&*_-+=/\\|`~ «quotes» „low“ — dash … ellipsis ¿qué? ¡sí!",
    "special [SEP] tokens [CLS] in [MASK] text [UNK] and [PAD] but not [sep] or [ SEP ]",
    "x[SEP]y[[CLS]]",
    "numbers 3.14159 1,000,000 2026-11-30 12:34:56 #1 $100 50%",
    "URL https://example.com/path?q=1&b=2 and email someone@example.org",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ １２３",
    "math ∑∏∫√∞≈≠≤≥ and arrows →←↑↓",
    "\ue000private\U000f0000use \U000e0001tag",
    "   leading and trailing spaces   ",
    "UPPER CASE SHOUTING TEXT",
    "The " + "very " * 200 + "long text",
]
CONFIGS = [
    {"do_lower_case": True},
    {"do_lower_case": False},
    {"do_lower_case": True, "strip_accents": False},
    {"do_lower_case": False, "strip_accents": True, "tokenize_chinese_chars": False},
]
MAX_LENGTHS = [512, 8, 2]

cases = []
for config in CONFIGS:
    with tempfile.TemporaryDirectory() as folder:
        (pathlib.Path(folder) / "vocab.txt").write_bytes((HERE / "vocab.txt").read_bytes())
        (pathlib.Path(folder) / "tokenizer_config.json").write_text(json.dumps(config))
        tokenizer = BertTokenizer.from_pretrained(folder)
        for max_length in MAX_LENGTHS:
            for text in TEXTS:
                ids = tokenizer(text, truncation=True, max_length=max_length)["input_ids"]
                cases.append({"config": config, "max_length": max_length, "text": text, "ids": ids})

(HERE / "expected_ids.json").write_text(json.dumps(cases, ensure_ascii=True, indent=0) + "\n")
print(f"{len(cases)} cases")
