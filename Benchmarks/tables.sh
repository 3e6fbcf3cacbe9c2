#!/usr/bin/env bash
# Table loading and prediction against pandas and PyTorch (issue 14's figures).
#
#   Benchmarks/tables.sh [ROWS] [ROUNDS]     defaults: 1000000 rows, 3 rounds
#
# Writes a ROWS × 50 numeric CSV (49 float32 features, an integer label) with pandas' to_csv into
# $TMPDIR, then alternates tunetop's reader and pandas.read_csv (C engine) ROUNDS times, each in a
# fresh process so its peak RSS is its own; then the built-in MLP's inference (forward + softmax,
# batch 4096) against PyTorch under torch.no_grad at its default threads and at one thread.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
ROUNDS=${2:-3}
PY=${PYTHON:-/work/venv/bin/python}
FILE=${TMPDIR:-/tmp}/tunetop-table-${ROWS}.csv
swift build -c release --product tunetop-bench >/dev/null
BENCH=.build/release/tunetop-bench
[ -f "$FILE" ] || "$PY" Benchmarks/peer_tables.py gen "$FILE" "$ROWS" 50
echo "{\"file\":\"$FILE\",\"bytes\":$(stat -c %s "$FILE")}"
for _ in $(seq "$ROUNDS"); do
  "$BENCH" table-load "$FILE"
  "$PY" Benchmarks/peer_tables.py read "$FILE"
done
for _ in $(seq "$ROUNDS"); do
  "$BENCH" predict-rows "$ROWS" 49 10
  "$PY" Benchmarks/peer_tables.py infer "$ROWS" 49 10
  "$PY" Benchmarks/peer_tables.py infer "$ROWS" 49 10 1
done
