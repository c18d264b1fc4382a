#!/usr/bin/env bash
# The README's table of checks is `gatehouse checks --format md`, between the
# markers <!-- checks:begin ... --> and <!-- checks:end -->.
#   scripts/readme-checks.sh GATEHOUSE          rewrite the block (make docs)
#   scripts/readme-checks.sh GATEHOUSE --check  exit 1 when the block is stale
set -euo pipefail
gh=$1 mode=${2:-}
readme=$(cd "$(dirname "$0")/.." && pwd)/README.md
table=$(mktemp) new=$(mktemp)
trap 'rm -f "$table" "$new"' EXIT
"$gh" checks --format md >"$table"
awk -v table="$table" '
  /^<!-- checks:begin/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
  /^<!-- checks:end -->/ { skip = 0 }
  !skip { print }
' "$readme" >"$new"
grep -q '^<!-- checks:end -->' "$new" || { echo "readme-checks: no checks block in $readme" >&2; exit 2; }
if [ "$mode" = --check ]; then
  if ! cmp -s "$readme" "$new"; then
    echo "README.md's table of checks is stale: run make docs" >&2
    diff -u "$readme" "$new" | head -40 >&2
    exit 1
  fi
  exit 0
fi
cat "$new" >"$readme"
