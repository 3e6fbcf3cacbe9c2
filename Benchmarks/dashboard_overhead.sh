#!/usr/bin/env bash
# Training throughput with the dashboard open against headless, on the same run.
#
#   Benchmarks/dashboard_overhead.sh [pairs]      (default 3 pairs)
#
# Each pair trains the same config twice with the release binary: once in the dashboard (in a
# detached 200x60 tmux pane on a private tmux server, `s` pressed at once, `q` once the run ended)
# and once with `tunetop train`. The order alternates from pair to pair so load from other
# processes hits both alike. samples_per_second is read from each run's summary.json; the script
# prints every pair and the median ratio dashboard / headless (goal ≥ 0.95). Whole-run rates of two
# processes scatter by ±15% on a shared machine, more than the effect, so each dashboard run also
# reports the share of its process's CPU time that the main (drawing) thread used while the run
# trained: the dashboard's own cost, which the scheduler's noise does not blur.
# Environment: TUNETOP (binary, default the release build), EPOCHS (run length, default 30),
# MODEL=minilm (fine-tune MiniLM on the built-in wordnet-nouns texts instead: one epoch of 2,096
# texts, a minute or more per run; needs `tunetop models get minilm` first).
set -euo pipefail
cd "$(dirname "$0")/.."

pairs=${1:-3}
command -v tmux >/dev/null || { echo "dashboard_overhead.sh: needs tmux (apt-get install -y tmux)" >&2; exit 2; }
if [[ -z "${TUNETOP:-}" ]]; then
  swift build -c release --product tunetop >&2
  TUNETOP=$(swift build -c release --show-bin-path)/tunetop
fi
TUNETOP=$(realpath "$TUNETOP")  # the runs below start in a scratch directory

work=$(mktemp -d "${TMPDIR:-/tmp}/tunetop-overhead.XXXXXX")
socket="tunetop-overhead-$$"
cleanup() {
  tmux -L "$socket" kill-server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A synthetic CSV task (20k rows, 64 features, 10 classes) and a 64→256→128→10 MLP: epochs of
# 10k samples, so training dominates and the per-epoch checkpoint writes (disk noise) do not. About
# four seconds per run, long enough that the dashboard's start-up and 10 Hz redraws are measured
# against real training.
python3 - "$work/synthetic.csv" <<'PY'
import random, sys
random.seed(1)
with open(sys.argv[1], "w") as out:
    out.write(",".join(f"x{i}" for i in range(64)) + ",label\n")
    for _ in range(20000):
        label = random.randrange(10)
        out.write(",".join(f"{random.gauss(label * 0.05, 1):.4f}" for _ in range(64)) + f",{label}\n")
PY
cat >"$work/config.yaml" <<EOF
task: synthetic.csv
base_model: none
hidden_sizes: [256, 128]
train_samples: 10000
batch_size: 32
epochs: ${EPOCHS:-30}
early_stopping_patience: 0
EOF

if [[ "${MODEL:-}" == minilm ]]; then
  cat >"$work/config.yaml" <<EOF
task: wordnet-nouns
base_model: minilm
epochs: ${EPOCHS:-1}
EOF
fi

# Prints the samples_per_second of the one run under $1 once its summary.json shows a final status.
# Polls with grep once a second and starts Python only for the final read: this runs beside the
# dashboard while it trains (the headless run has ended by then), and a Python start-up five times
# a second cost the dashboard's side ~15-25% of a core, which the first version of this script
# charged to the dashboard.
wait_for_summary() {
  local runs=$1 deadline=$((SECONDS + 600))
  while ((SECONDS < deadline)); do
    local summary
    summary=$(ls "$runs"/*/summary.json 2>/dev/null | head -n 1 || true)
    if [[ -n "$summary" ]] && grep -q '"status"' "$summary" && ! grep -Eq '"status" *: *"(running|paused)"' "$summary"; then
      local rate
      rate=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
if s.get("status") not in ("running", "paused"):
    print(s["samples_per_second"])' "$summary" 2>/dev/null || true)
      if [[ -n "$rate" ]]; then
        echo "$rate"
        return 0
      fi
    fi
    sleep 1
  done
  echo "dashboard_overhead.sh: no finished run in $runs after 600 s" >&2
  return 1
}

# CPU ticks (user + system) of process $1, all threads, and of its main thread, which draws.
cpu_ticks() {
  echo "$(awk '{print $14 + $15}' "/proc/$1/stat") $(awk '{print $14 + $15}' "/proc/$1/task/$1/stat")"
}

dashboard_run() {
  local runs=$1
  tmux -L "$socket" new-session -d -s dash -x 200 -y 60 \
    "cd '$work' && TERM=xterm-256color LANG=C.UTF-8 '$TUNETOP' --config config.yaml --runs '$runs'"
  # Wait for the first frame (the form shows the config key names) before pressing s.
  local tries=0
  until tmux -L "$socket" capture-pane -p -t dash 2>/dev/null | grep -q learning_rate; do
    sleep 0.05
    tries=$((tries + 1))
    ((tries < 200)) || { echo "dashboard_overhead.sh: the dashboard did not draw" >&2; return 1; }
  done
  tmux -L "$socket" send-keys -t dash s
  # A run that cannot start says why on the message line and writes no directory.
  tries=0
  until ls "$runs"/*/summary.json >/dev/null 2>&1; do
    sleep 0.05
    tries=$((tries + 1))
    if ((tries >= 200)); then
      echo "dashboard_overhead.sh: the dashboard did not start a run:" >&2
      tmux -L "$socket" capture-pane -p -t dash | tail -n 3 >&2
      return 1
    fi
  done
  local pid all0 main0 all1 main1
  pid=$(pgrep -n -x tunetop)
  read -r all0 main0 < <(cpu_ticks "$pid")
  local rate
  rate=$(wait_for_summary "$runs")
  read -r all1 main1 < <(cpu_ticks "$pid")
  python3 -c "print(f'{($main1 - $main0) / max(1, $all1 - $all0):.4f}')" >"$runs.ui-share"
  tmux -L "$socket" send-keys -t dash q
  sleep 0.3
  tmux -L "$socket" kill-session -t dash 2>/dev/null || true
  echo "$rate"
}

headless_run() {
  local runs=$1
  (cd "$work" && "$TUNETOP" train --config config.yaml --runs "$runs" >/dev/null)
  wait_for_summary "$runs"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ratios=()
shares=()
for ((pair = 0; pair < pairs; pair++)); do
  if ((pair % 2 == 0)); then
    dash=$(dashboard_run "$work/dash-$pair")
    head=$(headless_run "$work/head-$pair")
  else
    head=$(headless_run "$work/head-$pair")
    dash=$(dashboard_run "$work/dash-$pair")
  fi
  ratio=$(python3 -c "print(f'{$dash / $head:.3f}')")
  ratios+=("$ratio")
  share=$(cat "$work/dash-$pair.ui-share")
  shares+=("$share")
  printf '{"bench":"dashboard_overhead","pair":%d,"dashboard_samples_per_s":%.1f,"headless_samples_per_s":%.1f,"ratio":%s,"ui_thread_cpu_share":%s}\n' \
    "$pair" "$dash" "$head" "$ratio" "$share"
done
median=$(printf '%s\n' "${ratios[@]}" | python3 -c 'import statistics, sys; print(statistics.median(float(l) for l in sys.stdin))')
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
share=$(printf '%s\n' "${shares[@]}" | python3 -c 'import statistics, sys; print(statistics.median(float(l) for l in sys.stdin))')
printf '{"bench":"dashboard_overhead","pairs":%d,"median_ratio":%s,"goal":0.95,"median_ui_thread_cpu_share":%s}\n' \
  "$pairs" "$median" "$share"
