#!/usr/bin/env bash
# make lint: the rooms of src/ include one another only downwards.
#
#   util < git < matrix < evidence < content < output < engine
#
# A file in one room may include a header of its own room or of a room
# below it.  The few headers above that are shared vocabulary are listed
# below with the reason; any other upward include fails, printed as
# file:line: room -> header.  docs/ARCHITECTURE.md explains the rooms.
set -u
cd "$(dirname "$0")/.."

rank() {
  case $1 in
    util) echo 0 ;; git) echo 1 ;; matrix) echo 2 ;; evidence) echo 3 ;;
    content) echo 4 ;; output) echo 5 ;; engine) echo 6 ;; *) echo -1 ;;
  esac
}

# header -> why any room may include it
declare -A SHARED=(
  [engine/decide.h]="the decision and reason types every check appends to"
  [engine/checks.h]="the table of checks: ids, and the refs[] options the matrix loader reads"
  [engine/overrides.h]="the break-glass ledger records an audit record carries"
)
# "room:header" -> why that room may include it
declare -A ALLOWED=(
  [matrix:evidence/sshsig.h]="the loader parses people's keys"
  [matrix:evidence/trailers.h]="the loader checks trailer names"
  [matrix:content/secret_rules.h]="the loader compiles the matrix's secret rules"
  [matrix:content/policy.h]="the loader reads policy actions"
  [matrix:content/policies.h]="the loader validates policies: names"
  [matrix:content/deps.h]="the loader parses dependency deny entries"
)

bad=0
for f in src/*/*.[ch]; do
  room=$(basename "$(dirname "$f")")
  r=$(rank "$room")
  if [ "$r" -lt 0 ]; then echo "$f: room '$room' has no rank in scripts/lint-layers.sh"; bad=1; continue; fi
  while IFS=: read -r line inc; do
    h=${inc#*\"}; h=${h%\"*}
    other=${h%%/*}
    [ "$h" = "$other" ] && continue          # same-directory include
    [ "$other" = gatehouse ] && continue     # the public API
    s=$(rank "$other")
    [ "$s" -lt 0 ] && continue
    [ "$s" -le "$r" ] && continue
    [ -n "${SHARED[$h]:-}" ] && continue
    [ -n "${ALLOWED[$room:$h]:-}" ] && continue
    echo "$f:$line: $room includes $h, a room above it (see docs/ARCHITECTURE.md)"
    bad=1
  done < <(grep -n '^#include "' "$f")
done
[ "$bad" -eq 0 ] && echo "lint-layers: ok"
exit "$bad"
