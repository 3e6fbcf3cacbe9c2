#!/usr/bin/env bash
# Table loading and prediction against pandas and PyTorch (issue 14's figures).
#
#   Benchmarks/tables.sh [ROWS] [ROUNDS]     defaults: 1000000 rows, 3 rounds
#
# Writes a ROWS × 50 numeric CSV (49 float32 features, an integer label) with pandas' to_csv into
# $TMPDIR, then alternates tunetop's reader and pandas.read_csv (C engine) ROUNDS times, each in a
# fresh process so its peak RSS is its own; then the built-in MLP's inference (forward + softmax,
# batch 4096) against PyTorch under torch.no_grad at its default threads and at one thread; then the
# whole `tunetop predict` on the file (a run trained on its first 3,000 rows, 128-64 MLP, standard
# scaling), its steps timed by `tunetop-bench predict-file`, against the same with pandas + PyTorch
# at one thread (peer_tables.py predict).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
ROUNDS=${2:-3}
PY=${PYTHON:-/work/venv/bin/python}
FILE=${TMPDIR:-/tmp}/tunetop-table-${ROWS}.csv
swift build -c release --product tunetop-bench >/dev/null
swift build -c release --product tunetop >/dev/null
BENCH=.build/release/tunetop-bench
TUNETOP=.build/release/tunetop
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
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
head -3001 "$FILE" >"$WORK/train.csv"
"$TUNETOP" train --runs "$WORK/runs" --name p --set task="$WORK/train.csv" --set base_model=none \
  --set hidden_sizes=128,64 --set epochs=3 >/dev/null
CHECKPOINT=$(ls -d "$WORK"/runs/*-p)/best.safetensors
for _ in $(seq "$ROUNDS"); do
  /usr/bin/time -f '{"bench":"tunetop-predict-command","wall":%e,"user":%U,"sys":%S,"peak_rss_kib":%M}' \
    "$TUNETOP" predict --runs "$WORK/runs" --run p --input "$FILE" --out "$WORK/tunetop.csv" 2>&1
  "$BENCH" predict-file "$CHECKPOINT" "$FILE"
  /usr/bin/time -f '{"bench":"pandas-torch-command","wall":%e,"user":%U,"sys":%S,"peak_rss_kib":%M}' \
    "$PY" Benchmarks/peer_tables.py predict "$CHECKPOINT" "$FILE" "$WORK/peer.csv" 1 2>&1
done
