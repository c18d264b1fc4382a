#!/usr/bin/env bash
# make fuzz: run every libFuzzer target under ASan+UBSan for FUZZ_SECONDS
# each (default 60), from its seed corpus in tests/fuzz/corpus/, with its
# dictionary where one exists.  A crash, leak or timeout fails the run; the
# input that caused it is kept under tests/fuzz/regressions/<target>/ so it
# becomes a regression test (make fuzz-regress replays them all).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${FUZZ_BIN:-$ROOT/build-fuzz}
SECS=${FUZZ_SECONDS:-60}
mode=${1:-run}
status=0
work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

for t in matrix trailers sshsig glob scanner push deps containers dashboard; do
  exe=$BIN/fuzz_$t
  seeds=$ROOT/tests/fuzz/corpus/$t
  regress=$ROOT/tests/fuzz/regressions/$t
  mkdir -p "$regress"
  if [ "$mode" = regress ]; then
    # replay every seed and every input that once crashed
    files=$(find "$seeds" "$regress" -type f 2>/dev/null)
    if [ -n "$files" ] && ! "$exe" -runs=0 $files >"$work/$t.log" 2>&1; then
      echo "fuzz-regress: $t FAILED"; tail -n 30 "$work/$t.log"; status=1
    else
      echo "fuzz-regress: $t ok ($(echo "$files" | grep -c .) inputs)"
    fi
    continue
  fi
  dict=()
  [ -f "$ROOT/tests/fuzz/$t.dict" ] && dict=(-dict="$ROOT/tests/fuzz/$t.dict")
  mkdir -p "$work/$t"
  cp -r "$seeds"/. "$work/$t"/ 2>/dev/null
  "$exe" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$regress/" "${dict[@]}" "$work/$t" >"$work/$t.log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$')
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t FAILED after ${execs:-?} runs (input kept in $regress)"; tail -n 40 "$work/$t.log"; status=1
  else
    echo "fuzz: $t ok: ${execs:-?} runs in ${SECS}s"
  fi
done
exit $status
