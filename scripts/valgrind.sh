#!/usr/bin/env bash
# make valgrind: the integration suite with every hook that new_server
# installs run under valgrind memcheck (leaks and memory errors fail the push
# that hit them, exit 99), then every valgrind log checked: any non-empty log
# is a failure and is printed.
#
# VALGRIND_SKIP: test files left out (space-separated names), by default the
# ones whose inputs are sized for native speed (t1500-hostile's 200 MiB blob
# and 100,000-file tree; t0900's corpus is scanned by the CLI, not a hook) —
# valgrind runs 20-50 times slower.  Their hooks are the same code paths on
# smaller inputs elsewhere in the suite.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SKIP=" ${VALGRIND_SKIP-t1500-hostile t0900-corpus} "
if ! command -v valgrind >/dev/null; then echo "valgrind: not installed (apt-get install valgrind)"; exit 1; fi
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-valgrind.XXXXXX")
trap 'rm -rf "$LOGS"' EXIT
export GATEHOUSE_VALGRIND_DIR=$LOGS GATEHOUSE_BIN=${GATEHOUSE_BIN:-$ROOT/build}
status=0
pass=0 fail=0
for t in "$ROOT"/tests/integration/t[0-9]*.sh; do
  name=$(basename "$t" .sh)
  case "$SKIP" in *" $name "*) echo "# $name: skipped under valgrind (VALGRIND_SKIP)"; continue ;; esac
  out=$(bash "$ROOT/tests/integration/run.sh" "$name" 2>&1)
  grep -E '^(not ok|#   |!!)' <<<"$out" | head -n 40
  line=$(tail -n 1 <<<"$out")
  echo "# $name under valgrind: ${line#integration: }"
  p=$(sed -nE 's/^integration: ([0-9]+) passed, ([0-9]+) failed$/\1/p' <<<"$line")
  f=$(sed -nE 's/^integration: ([0-9]+) passed, ([0-9]+) failed$/\2/p' <<<"$line")
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))
done
runs=$(find "$LOGS" -name '*.log' | wc -l)
dirty=$(find "$LOGS" -name '*.log' -size +0 | sort)
if [ -n "$dirty" ]; then
  status=1
  for f in $dirty; do echo "== $(basename "$f")"; head -n 60 "$f"; done
fi
echo "valgrind: $runs hook runs, $(wc -w <<<"$dirty") with errors or leaks; tests $pass passed, $fail failed"
[ "$fail" -eq 0 ] || status=1
exit $status
