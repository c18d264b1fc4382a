#!/usr/bin/env bash
# Runs every integration test file (tNNNN-*.sh) and prints the totals as
# "N passed, N failed".  t0100 runs once per hook (pre-receive, update).
set -u
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 failed_files=()
only=${1:-}

run_one() {
  local label=$1; shift
  local log out p f
  log=$(mktemp)
  env "$@" >"$log" 2>&1
  out=$(grep -E '^# .*: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
  grep -E '^(not ok|#   )' "$log" || true
  if [ -z "$out" ]; then
    echo "!! $label ended without a summary:"; tail -n 20 "$log"
    fail=$((fail + 1)); failed_files+=("$label")
  else
    p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/' <<<"$out")
    f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/' <<<"$out")
    pass=$((pass + p)); fail=$((fail + f))
    [ "$f" -eq 0 ] || failed_files+=("$label")
    echo "$out"
  fi
  rm -f "$log"
}

for t in "$here"/t[0-9]*.sh; do
  name=$(basename "$t" .sh)
  [ -n "$only" ] && [[ "$name" != *"$only"* ]] && continue
  if [ "$name" = t0100-refs ]; then
    run_one "$name[pre-receive]" HOOK=pre-receive bash "$t"
    run_one "$name[update]" HOOK=update bash "$t"
  else
    run_one "$name" bash "$t"
  fi
done
[ ${#failed_files[@]} -eq 0 ] || echo "failing: ${failed_files[*]}"
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
