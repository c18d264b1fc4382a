#!/usr/bin/env bash
# gatehouse matrix render: docs/RESPONSIBILITIES.md is exactly what the
# command makes of matrix/responsibility.yml now (a stale page fails here);
# the HTML page stands alone (no script, nothing fetched from elsewhere);
# an invalid matrix, a bad format or bad arguments exit 2 with the loader's
# diagnostics, and write no page.
. "$(dirname "$0")/lib.sh"

# --- the project's own page is current
(cd "$ROOT" && "$GATEHOUSE" matrix render >"$TMP/now.md" 2>"$TMP/err"); RC=$?
expect_eq "render: the project's matrix renders (exit 0, nothing on stderr)" "$RC:$(cat "$TMP/err")" "0:"
if [ ! -f "$ROOT/docs/RESPONSIBILITIES.md" ]; then
  not_ok "docs/RESPONSIBILITIES.md is stale: run make docs" "docs/RESPONSIBILITIES.md does not exist"
elif cmp -s "$TMP/now.md" "$ROOT/docs/RESPONSIBILITIES.md"; then
  ok "docs/RESPONSIBILITIES.md is current"
else
  not_ok "docs/RESPONSIBILITIES.md is stale: run make docs" \
    "$(diff -u "$ROOT/docs/RESPONSIBILITIES.md" "$TMP/now.md" | head -n 40)"
fi
# --- the README's table of checks is the table of checks (gatehouse checks --format md)
if OUT=$(bash "$ROOT/scripts/readme-checks.sh" "$GATEHOUSE" --check 2>&1); then
  ok "README.md's table of checks is current"
else not_ok "README.md's table of checks is stale: run make docs" "$OUT"; fi
OUT=$("$GATEHOUSE" checks --format md); RC=$?
expect_eq "checks --format md: a row per check, exit 0" \
  "$RC:$(grep -c '^| `' <<<"$OUT")" "0:$("$GATEHOUSE" checks | grep -c '^[a-z]')"
OUT=$("$GATEHOUSE" checks --known ref.push secret.my-rule policy.container.privileged 2>&1); RC=$?
expect_eq "checks --known: ids in the table (a secret rule through its family) exit 0" "$RC:$OUT" "0:"
OUT=$("$GATEHOUSE" checks --known ref.push ref.made_up 2>&1); RC=$?
expect_eq "checks --known: an id the table lacks exits 1, named" "$RC:$OUT" "1:unknown check id: ref.made_up"
OUT=$("$GATEHOUSE" checks --format yaml 2>&1); RC=$?
expect_eq "checks: a bad format is a usage error (exit 2)" "$RC" 2
(cd "$ROOT" && "$GATEHOUSE" matrix render --format md matrix/responsibility.yml >"$TMP/explicit.md"); RC=$?
if [ "$RC" -eq 0 ] && cmp -s "$TMP/now.md" "$TMP/explicit.md"; then
  ok "render: FILE defaults to matrix/responsibility.yml, --format to md"
else not_ok "render: FILE defaults to matrix/responsibility.yml, --format to md" "rc=$RC"; fi
OUT=$(head -n 1 "$TMP/now.md")
expect_eq "render: the page starts with its title" "$OUT" "# Responsibilities"
OUT=$(cat "$TMP/now.md")
expect_out "render: says it is generated, by which command, and not to edit it" \
  "generated from the responsibility matrix \`matrix/responsibility.yml\`" \
  "by \`gatehouse matrix render matrix/responsibility.yml\`" "Do not edit it by hand"
expect_out "render: every section" "## Duties" "## Roles" "## People" "## Protected refs" \
  "## Built-in rules" "## Path owners" "## Secret detection" "## Policies on pushed content" \
  "## Settings" "### Limits"
expect_out "render: each rule of the matrix, in order" \
  "| 1 | \`refs/heads/main\` | \`release\` |" "| 4 | \`refs/heads/**\` |"
(cd "$ROOT" && "$GATEHOUSE" matrix render >"$TMP/again.md")
if cmp -s "$TMP/now.md" "$TMP/again.md"; then ok "render: the same matrix gives the same bytes"
else not_ok "render: the same matrix gives the same bytes"; fi

# --- HTML: one standalone page
ANNOTATED=$ROOT/matrix/examples/annotated.yml
"$GATEHOUSE" matrix render --format html "$ANNOTATED" >"$TMP/page.html" 2>"$TMP/err"; RC=$?
expect_eq "render --format html: exit 0" "$RC" 0
OUT=$(head -n 1 "$TMP/page.html")
expect_eq "render --format html: an HTML document" "$OUT" "<!DOCTYPE html>"
OUT=$(tail -n 1 "$TMP/page.html")
expect_eq "render --format html: the whole page" "$OUT" "</html>"
OUT=$(grep -ciE "(src|href|url)[[:space:]]*[=(][[:space:]]*[\"']?[[:space:]]*(https?:)?//" "$TMP/page.html")
expect_eq "render --format html: no http(s):// src/href references" "$OUT" 0
OUT=$(grep -ciE '<script|<link|<iframe|<img|@import' "$TMP/page.html")
expect_eq "render --format html: no script, stylesheet link, frame, image or import" "$OUT" 0
OUT=$(cat "$TMP/page.html")
expect_out "render --format html: inline style, a policy forbidding the rest, the content" \
  "<style>" "Content-Security-Policy" "default-src 'none'" \
  "<code>refs/heads/release/**</code>" "<h2>Duties</h2>"
"$GATEHOUSE" matrix render --format=html "$ANNOTATED" >"$TMP/page2.html"
if cmp -s "$TMP/page.html" "$TMP/page2.html"; then ok "render: --format=html is --format html"
else not_ok "render: --format=html is --format html"; fi

# a hostile name is text in the page, never markup
sed 's/^    name: Alice Example .*/    name: "<script>alert(1)<\/script>"/' \
  "$ANNOTATED" >"$TMP/hostile.yml"
"$GATEHOUSE" matrix render --format html "$TMP/hostile.yml" >"$TMP/hostile.html"; RC=$?
OUT=$(cat "$TMP/hostile.html")
expect_out "render --format html: a name is escaped" "&lt;script&gt;alert(1)&lt;/script&gt;"
expect_no_out "render --format html: no script element from a name" "<script"

# --- errors: exit 2, the loader's diagnostics, no page
OUT=$("$GATEHOUSE" matrix render "$MATRIX_DIR/broken.yml" 2>"$TMP/err"); RC=$?
expect_eq "render: an invalid matrix exits 2 and prints no page" "$RC:$OUT" "2:"
OUT=$(cat "$TMP/err")
expect_out "render: an invalid matrix's errors, as validate prints them" \
  "$MATRIX_DIR/broken.yml:14:5: error: unknown key 'pussh'" "$MATRIX_DIR/broken.yml: invalid"
OUT=$("$GATEHOUSE" matrix render --format pdf "$ROOT/matrix/responsibility.yml" 2>&1); RC=$?
expect_eq "render: an unknown format exits 2" "$RC" 2
expect_out "render: an unknown format says which exist" "--format is md or html"
OUT=$("$GATEHOUSE" matrix render "$TMP/missing.yml" 2>&1); RC=$?
expect_eq "render: a missing file exits 2" "$RC" 2
OUT=$("$GATEHOUSE" matrix render a.yml b.yml 2>&1); RC=$?
expect_eq "render: two files exit 2" "$RC" 2
OUT=$("$GATEHOUSE" matrix render --bogus 2>&1); RC=$?
expect_eq "render: an unknown option exits 2" "$RC" 2
OUT=$("$GATEHOUSE" help)
expect_out "help: lists matrix render" "matrix render [--format md|html] [FILE]"

finish
