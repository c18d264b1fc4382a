#!/usr/bin/env bash
# make lint: no function under src/ longer than MAX lines (default 120),
# counted from the line with the function's name to its closing brace.  A
# long function hides its steps; split it into static helpers a reader can
# follow at a glance.  Prints FILE:LINE NAME LENGTH for each one over, and
# fails when there is any.  Needs universal-ctags (for the end line).
set -u
MAX=${1:-120}
cd "$(dirname "$0")/.." || exit 2
if ! ctags --version 2>/dev/null | grep -q 'Universal Ctags'; then
  echo "lint-funclen: universal-ctags is needed (apt-get install universal-ctags)" >&2
  exit 2
fi
files=$(find src -name '*.c' | sort)
[ -n "$files" ] || { echo "lint-funclen: no sources under src/" >&2; exit 2; }
# shellcheck disable=SC2086 # one word a file: the paths have no blanks
over=$(ctags -x --c-kinds=f --fields=+e --_xformat='%F:%n %N %{end}' $files |
  awk -v max="$MAX" '$3 ~ /^[0-9]+$/ {
    split($1, at, ":"); len = $3 - at[2] + 1
    if (len > max) printf "%s %s %d\n", $1, $2, len
  }')
if [ -n "$over" ]; then
  echo "lint-funclen: functions over $MAX lines (split them into static helpers):"
  echo "$over"
  exit 1
fi
