#!/usr/bin/env bash
# Builds the libFuzzer binary and fuzzes each target for a bounded time.
#
#   Tests/fuzz/run.sh [SECONDS] [TARGET...]      # default: 30 seconds each for config theme safetensors csv table
#
# Targets run one after another under `nice -n 19`. Each starts from the committed seeds in
# Tests/fuzz/corpus/<target>/ and the regressions in Tests/fuzz/regressions/<target>/, and grows a
# working corpus in .build-fuzz/corpus/<target>/ (ignored by git; kept between local runs). A crash,
# hang (-timeout), or memory blow-up (-rss_limit_mb / -malloc_limit_mb) stops that target, leaves the
# input in .build-fuzz/crashes/<target>/, and makes the script exit 1 after the remaining targets.
# Tests/fuzz/dict/<target>.dict, when present, gives libFuzzer the format's keywords.
# Replay an input without libFuzzer: swift run tunetop-fuzz <target> FILE.
# A fixed crash goes to Tests/fuzz/regressions/<target>/, which the Swift tests replay.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-30}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(config theme safetensors csv table)
for target in "${targets[@]}"; do
  case $target in
    config | theme | safetensors | csv | table) ;;
    *) echo "unknown fuzz target '$target'; expected config, theme, safetensors, csv or table" >&2 && exit 2 ;;
  esac
done

scratch=.build-fuzz
# -sanitize=fuzzer instruments the Swift modules (Training, Dashboard, Yams) for coverage and links
# libFuzzer; address adds ASan; the -Xcc flags instrument the C code too (libyaml inside Yams).
build=(swift build -c release --product tunetop-fuzz --scratch-path "$scratch"
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
  -Xcc -fsanitize=fuzzer-no-link,address)
mkdir -p "$scratch"
echo "building: ${build[*]}"
start=$SECONDS
if ! nice -n 19 "${build[@]}" >"$scratch/build.log" 2>&1; then
  cat "$scratch/build.log" >&2
  echo "the fuzz build failed" >&2
  exit 2
fi
echo "fuzz build took $((SECONDS - start)) s"
binary=$(nice -n 19 "${build[@]}" --show-bin-path)/tunetop-fuzz

status=0
summary=()
for target in "${targets[@]}"; do
  corpus=$scratch/corpus/$target
  crashes=$scratch/crashes/$target
  log=$scratch/logs/$target.log
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
  seeds=(Tests/fuzz/corpus/$target)
  [ -n "$(ls -A "Tests/fuzz/regressions/$target" 2>/dev/null)" ] && seeds+=("Tests/fuzz/regressions/$target")
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024)
  [ -f "Tests/fuzz/dict/$target.dict" ] && options+=(-dict="Tests/fuzz/dict/$target.dict")
  echo "fuzzing $target for $seconds s (log: $log)"
  TUNETOP_FUZZ_TARGET=$target nice -n 19 "$binary" "${options[@]}" \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
  line="$target: ${runs:-?} executions (${rate:-?}/s), ${cov:-no coverage line}, corpus $(ls "$corpus" | wc -l) files"
  if ((rc != 0)); then
    status=1
    line+=" -- FAILED (exit $rc); input: $(grep -o "$crashes/[^ ]*" "$log" | tail -1)"
    tail -40 "$log" >&2
  fi
  echo "$line"
  summary+=("$line")
done
echo
printf '%s\n' "${summary[@]}"
exit $status
