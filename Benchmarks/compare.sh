#!/usr/bin/env bash
# Training throughput of tunetop against PyTorch on the same models (see Benchmarks/peer_pytorch.py).
#
#   Benchmarks/compare.sh [--quick]
#
# Runs `tunetop-bench train` and the PyTorch peer in alternating rounds (tunetop, PyTorch, tunetop, …)
# so that load from other processes hits both alike, then prints each row's median samples/s and
# the ratio tunetop / PyTorch against PyTorch's best variant (1 or 2 threads, default or fused
# AdamW) and against each variant. Raw JSON lines are kept in $OUT (default .build/compare.jsonl).
# --quick: widths 64 and 256 only, smaller step budgets and at most 0.75 s per row, 2 rounds
# (under a minute even on a loaded machine). WIDTHS="1024 2048" ROUNDS=5 pick the rows and rounds.
# Widths ≥ 1024 are measured at one and two threads (the GEMM worker), as PyTorch is.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
rounds=${ROUNDS:-3}
read -r -a widths <<<"${WIDTHS:-64 256 1024 2048}"
if [[ "${1:-}" == "--quick" ]]; then
  quick=(--quick)
  rounds=${ROUNDS:-2}
  read -r -a widths <<<"${WIDTHS:-64 256}"
fi
OUT=${OUT:-.build/compare.jsonl}
PYTHON=${PYTHON:-python3}

swift build -c release --product tunetop-bench >&2
bench=$(swift build -c release --show-bin-path)/tunetop-bench
mkdir -p "$(dirname "$OUT")"
: >"$OUT"

"$bench" train --no-builtin --width 1 >/dev/null 2>&1 || true  # warm the binary's pages
if [[ ${#quick[@]} -eq 0 ]]; then
  "$bench" train --width 0 | tee -a "$OUT" >&2  # the built-in task row only (no width 0 exists)
fi
for ((round = 0; round < rounds; round++)); do
  if [[ ${#quick[@]} -gt 0 ]]; then
    # One peer process per round: importing torch takes seconds of the quick run's minute.
    for width in "${widths[@]}"; do
      "$bench" train --no-builtin "${quick[@]}" --width "$width" | tee -a "$OUT" >&2
    done
    "$PYTHON" Benchmarks/peer_pytorch.py "${quick[@]}" "${widths[@]/#/--width=}" | tee -a "$OUT" >&2
    continue
  fi
  for width in "${widths[@]}"; do
    "$bench" train --no-builtin "${quick[@]}" --width "$width" | tee -a "$OUT" >&2
    "$PYTHON" Benchmarks/peer_pytorch.py "${quick[@]}" --width "$width" | tee -a "$OUT" >&2
  done
done

"$PYTHON" - "$OUT" <<'PY'
import json, statistics, sys
from collections import defaultdict

rows = defaultdict(list)
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    if r.get("bench") != "train" or "samples_per_s" not in r:
        continue
    rows[(r["model"], r["batch"], r["impl"], r["threads"], r["variant"])].append(r["samples_per_s"])

median = {key: statistics.median(values) for key, values in rows.items()}
print(f"{'model':<16}{'batch':>6}{'tt':>4}{'tunetop':>11}{'pt best':>11}  {'best is':<10}{'ratio':>7}"
      f"{'/pt1':>8}{'/pt1F':>8}{'/pt2':>8}{'/pt2F':>8}")
for key in sorted(k for k in median if k[2] == "tunetop"):
    model, batch = key[0], key[1]
    ours = median[key]
    if model == "builtin-default":
        print(f"{model:<16}{batch:>6}{'1t':>4}{ours:>11.0f}   (the real Trainer on the built-in task; no peer)")
        continue
    peers = {(t, v): median[(model, batch, "pytorch", t, v)]
             for t in (1, 2) for v in ("default", "fused")
             if (model, batch, "pytorch", t, v) in median}
    if not peers:
        continue
    (bt, bv), best = max(peers.items(), key=lambda item: item[1])
    cells = "".join(f"{ours / peers[(t, v)]:>8.2f}" if (t, v) in peers else f"{'-':>8}"
                    for t, v in ((1, "default"), (1, "fused"), (2, "default"), (2, "fused")))
    print(f"{model:<16}{batch:>6}{str(key[3]) + 't':>4}{ours:>11.0f}{best:>11.0f}  {f'{bt}t {bv}':<10}"
          f"{ours / best:>7.2f}{cells}")
print(f"(samples/s, medians of {max(len(v) for v in rows.values())} alternating rounds; "
      "tt = tunetop's threads; ratio = tunetop / PyTorch's best variant; pt1/pt2 = 1/2 threads, "
      "F = fused AdamW)")
PY
