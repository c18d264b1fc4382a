#!/usr/bin/env bash
# The README's first run, proved without uninstalling anything: a fresh clone
# of this repository (HEAD, or the revision given) runs `make demo` once, with
# a pkg-config first on PATH that knows no package (exit 1, no output) until
# the dependency step has run — as on a fresh Debian machine.  The dependency
# step is ./install.sh --deps, seen through dpkg-query, which only it calls: a
# dpkg-query first on PATH marks that it ran, then hands over to the real one.
# The check fails when make asks pkg-config for flags before that step (the
# build then links with none).
#
#   scripts/first-run-check.sh [REV]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REV=$(git -C "$ROOT" rev-parse --verify "${1:-HEAD}^{commit}")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-first-run.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

real_pkg_config=$(command -v pkg-config) || { echo "first-run-check: no pkg-config" >&2; exit 2; }
real_dpkg_query=$(command -v dpkg-query) || { echo "first-run-check: no dpkg-query" >&2; exit 2; }
MARK=$TMP/deps-step-ran
mkdir -p "$TMP/fake"
cat >"$TMP/fake/pkg-config" <<SH
#!/bin/sh
# fails, silently, until the dependency step has run
[ -e "$MARK" ] || exit 1
exec "$real_pkg_config" "\$@"
SH
cat >"$TMP/fake/dpkg-query" <<SH
#!/bin/sh
: >"$MARK"
exec "$real_dpkg_query" "\$@"
SH
chmod +x "$TMP/fake/pkg-config" "$TMP/fake/dpkg-query"

git clone -q --no-checkout "$ROOT" "$TMP/clone"
git -C "$TMP/clone" checkout -q "$REV"
echo "first-run-check: make demo in a fresh clone of ${REV:0:12}, pkg-config failing until install.sh --deps ran"
if (cd "$TMP/clone" && PATH="$TMP/fake:$PATH" MAKEFLAGS= make -j"$(nproc)" demo) >"$TMP/log" 2>&1; then
  [ -e "$MARK" ] || { echo "first-run-check: FAIL: the dependency step never ran" >&2; exit 1; }
  echo "first-run-check: ok (the first make demo built, linked and ran)"
else
  tail -n 25 "$TMP/log" | sed 's/^/  /' >&2
  echo "first-run-check: FAIL: the first make demo of a fresh clone failed" >&2
  exit 1
fi
