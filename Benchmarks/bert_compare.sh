#!/usr/bin/env bash
# Fine-tuning MiniLM (all-MiniLM-L6-v2 shapes) in tunetop against PyTorch on the same CPU (issue 11).
#
#   Benchmarks/bert_compare.sh [rounds]        (default 3 rounds)
#
# Three rows, batch 16, dropout 0.1, AdamW: full fine-tuning at sequence 64 and 128, and the
# embeddings + 4 lowest blocks frozen at sequence 64. Every (implementation, row) runs in its own
# process, at 1 and then 2 threads, so each process's peak RSS is that row's; tunetop and PyTorch
# alternate (tunetop first in even rounds, PyTorch first in odd ones) so load from other processes
# hits both alike. Prints, per row, the medians over rounds of samples/s by wall time and per
# CPU-second (process CPU time, all threads) at each thread count, the ratio tunetop / PyTorch of
# the best thread count of each, the phases of a step, peak RSS, and the frozen-row checks (tunetop:
# the frozen groups' gradient norm stays 0; PyTorch: their .grad stays None and block 3's output
# needs no gradient; both: the backward takes about a third of the full row's).
# Environment: STEPS (timed steps per thread count, default 3), PYTHON (default /work/venv/bin/python
# when present, else python3), OUT (raw JSON lines, default .build/bert_compare.jsonl), BENCH (a
# tunetop-bench binary to use instead of building this tree's), BEFORE (an older commit's
# tunetop-bench: its rows run in the same rounds, reported as tunetop-before).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-3}
steps=${STEPS:-3}
OUT=${OUT:-.build/bert_compare.jsonl}
if [[ -z "${PYTHON:-}" ]]; then
  PYTHON=python3
  [[ -x /work/venv/bin/python ]] && PYTHON=/work/venv/bin/python
fi

if [[ -n "${BENCH:-}" ]]; then
  bench=$BENCH
else
  swift build -c release --product tunetop-bench >&2
  bench=$(swift build -c release --show-bin-path)/tunetop-bench
fi
mkdir -p "$(dirname "$OUT")"
: >"$OUT"

rows=("--seq 64 --frozen 0" "--seq 128 --frozen 0" "--seq 64 --frozen 4")
tunetop_row() {
  "$bench" bert $1 --steps "$steps" | tee -a "$OUT" >&2
  if [[ -n "${BEFORE:-}" ]]; then
    "$BEFORE" bert $1 --steps "$steps" | sed 's/"impl":"tunetop"/"impl":"tunetop-before"/' | tee -a "$OUT" >&2
  fi
}
pytorch_row() { "$PYTHON" Benchmarks/peer_bert_pytorch.py $1 --steps "$steps" | tee -a "$OUT" >&2; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((round = 0; round < rounds; round++)); do
  for row in "${rows[@]}"; do
    if ((round % 2 == 0)); then
      tunetop_row "$row"
      pytorch_row "$row"
    else
      pytorch_row "$row"
      tunetop_row "$row"
    fi
  done
  echo "load average after round $((round + 1)): $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done

"$PYTHON" - "$OUT" <<'PY'
import json, statistics, sys
from collections import defaultdict

runs = defaultdict(list)
peaks = []
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        if r.get("bench") == "bert-train":
            runs[(r["seq"], r["frozen_blocks"], r["impl"], r["threads"])].append(r)
        elif r.get("bench") == "fma_peak_avx512":
            peaks.append(r)

def med(rows, key):
    return statistics.median(r[key] for r in rows)

print(f"{'row':<22}{'impl':<15}{'1t s/s':>8}{'2t s/s':>8}{'1t /cpu-s':>10}{'2t /cpu-s':>10}"
      f"{'fwd':>7}{'bwd':>7}{'opt':>7}{'RSS MB':>8}  check")
for seq, frozen in sorted({(k[0], k[1]) for k in runs}, key=lambda k: (k[1], k[0])):
    name = f"seq {seq}" + (f", {frozen} frozen" if frozen else ", full")
    best = {}
    for impl in ("tunetop-before", "tunetop", "pytorch"):
        one, two = runs.get((seq, frozen, impl, 1), []), runs.get((seq, frozen, impl, 2), [])
        if not one:
            continue
        wall = {t: med(rs, "samples_per_s") for t, rs in ((1, one), (2, two)) if rs}
        cpu = {t: med(rs, "samples_per_cpu_s") for t, rs in ((1, one), (2, two)) if rs}
        best[impl] = (max(wall.values()), cpu[1])
        check = ""
        if frozen and impl.startswith("tunetop"):
            check = f"frozen grad norm {max(r['frozen_gradient_norm'] for r in one + two)}"
        elif frozen:
            check = (f"frozen grads None: {all(r['frozen_grads_none'] for r in one + two)}, "
                     f"block {frozen - 1} output needs grad: {any(r['frozen_output_needs_grad'] for r in one + two)}")
        rss = max(r["peak_rss_mb"] for r in one + two)
        cells = "".join(f"{wall.get(t, float('nan')):>8.2f}" for t in (1, 2))
        cells += "".join(f"{cpu.get(t, float('nan')):>10.2f}" for t in (1, 2))
        print(f"{name:<22}{impl:<15}{cells}{med(one, 'forward_s'):>7.2f}{med(one, 'backward_s'):>7.2f}"
              f"{med(one, 'optimizer_s'):>7.2f}{rss:>8.0f}  {check}")
    for impl in ("tunetop-before", "tunetop"):
        if impl in best and "pytorch" in best:
            t, p = best[impl], best["pytorch"]
            print(f"{'':<22}ratio {impl}/pytorch: best of 1/2 threads by wall {t[0] / p[0]:.2f}, "
                  f"one thread per CPU-second {t[1] / p[1]:.2f}")
if peaks:
    ratios = sorted(p["ratio"] for p in peaks)
    print(f"second thread's share of the machine: AVX-512 FMA peak on 2 threads / 1 thread, measured "
          f"before each tunetop row: median {statistics.median(ratios):.2f} (range {ratios[0]:.2f}-"
          f"{ratios[-1]:.2f}; 2.00 = two real cores, 1.00 = two vCPUs sharing one core's FMA units)")
rounds = max(len(v) for v in runs.values())
print(f"(medians of {rounds} alternating rounds; s/s = samples per second of wall time, /cpu-s = per "
      "second of process CPU time; fwd/bwd/opt = seconds per phase at one thread; RSS = peak of the "
      "row's process)")
PY
