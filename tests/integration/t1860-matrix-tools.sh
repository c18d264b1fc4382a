#!/usr/bin/env bash
# gatehouse matrix test (privilege-boundary expectations, pass and fail),
# matrix validate running them, a pushed matrix whose expectations fail
# refused on the trusted ref; gatehouse matrix diff on every kind of change,
# with files and REV:PATH; and the hook telling the pusher what a matrix
# change grants and revokes.
. "$(dirname "$0")/lib.sh"

expect_block() { # expect_block NAME YAML: base.yml with YAML appended
  { cat "$MATRIX_DIR/base.yml"; printf '%s\n' "$2"; } >"$TMP/$1.yml"
}
expect_block good 'expectations:
  - {user: bob, ref: refs/heads/main, action: push, expect: deny}
  - {user: erin, ref: refs/heads/main, action: push, expect: allow}
  - {user: erin, ref: refs/heads/main, action: force_push, expect: deny}
  - {user: dave, ref: refs/heads/release/1.x, action: delete, expect: allow}
  - {user: ci-bot, ref: refs/tags/v1.0, action: push, expect: deny}
  - {user: erin, ref: refs/heads/main, action: delete, expect: deny}
  - {user: alice, ref: refs/heads/feature/x, action: create, expect: allow}'
OUT=$("$GATEHOUSE" matrix test "$TMP/good.yml" 2>&1); RC=$?
expect_eq "matrix test: all hold, exit 0" "$RC" 0
expect_out "matrix test: a table with why" "PASS 46    dave" "ref.force_push (rule refs/heads/main, line 23)" \
  "matrix.trusted_delete" "no rule covers it: people in the matrix may" "7 expectations, 7 passed, 0 failed"
expect_block bad 'expectations:
  - {user: dave, ref: refs/heads/main, action: force_push, expect: deny}
  - {user: bob, ref: refs/heads/main, action: push, expect: allow}'
OUT=$("$GATEHOUSE" matrix test "$TMP/bad.yml" 2>&1); RC=$?
expect_eq "matrix test: a failing expectation, exit 1" "$RC" 1
expect_out "matrix test: the failure is shown" "FAIL 44    bob  push       refs/heads/main allow  deny" "2 expectations, 1 passed, 1 failed"
OUT=$("$GATEHOUSE" matrix validate "$TMP/bad.yml" 2>&1); RC=$?
expect_eq "matrix validate runs the expectations" "$RC" 2
expect_out "matrix validate says which" "invalid (1 of 2 expectations fail)"
expect_block typo 'expectations:
  - {user: bob, ref: main, action: shove, expect: maybe}'
OUT=$("$GATEHOUSE" matrix validate "$TMP/typo.yml" 2>&1); RC=$?
expect_eq "a malformed expectation is a matrix error" "$RC" 2
expect_out "each field's error names its place" "typo.yml:43:" "must be a full ref name" \
  "action must be push, create, delete or force_push, not 'shove'" "expect must be allow or deny, not 'maybe'"

# the hook: a pushed matrix whose expectations fail is refused
srv=$(new_server tools)
wc=$(new_clone "$srv" tools)
put_matrix "$wc" "$TMP/good.yml"
push_as erin "$wc" origin main
expect_accepted "setup: a matrix whose expectations hold"
cp "$TMP/good.yml" "$wc/matrix/responsibility.yml"
sed -i 's/^    force_push: false$/    force_push: [release]/' "$wc/matrix/responsibility.yml"
git -C "$wc" commit -q -am "let release force-push" --trailer "Reviewed-by: Carol <carol@example.com>"
push_as erin "$wc" origin main
expect_rejected "a matrix change that breaks an expectation is refused"
expect_out "it says which expectation broke" "[matrix.invalid]" \
  "expectation at line 45 fails: erin would be allowed to force_push refs/heads/main"

# the hook: what a matrix change grants and revokes
git -C "$wc" reset -q --hard origin/main
sed -i -e 's/^  release: \[erin\]$/  release: [erin, dave]/' -e 's/^  approve_deployment: operations$/  approve_deployment: [operations, security]/' \
  "$wc/matrix/responsibility.yml"
git -C "$wc" commit -q -am "dave joins release" --trailer "Reviewed-by: Carol <carol@example.com>"
push_as erin "$wc" origin main
expect_accepted "a matrix change whose expectations hold"
expect_out "the pusher sees what it grants" "this push changes the responsibility matrix:" \
  "dave joins role release" "dave gains push on refs/heads/main" "duty approve_deployment: owned by operations, security (was operations)"

# matrix diff, every kind of change, files and REV:PATH
cp "$MATRIX_DIR/base.yml" "$TMP/old.yml"
{
  sed -e 's/^  erin: { emails: \[erin@example.com\] }$/  erin: { emails: [erin@example.com] }\n  frank: { emails: [frank@example.com] }/' \
      -e 's/^  bob: { emails: \[bob@example.com\] }$//' \
      -e 's/^  developers: \[alice, bob\]$/  developers: [alice, frank]/' \
      -e 's/^  approve_deployment: operations$/  approve_deployment: release/' \
      -e '/^  - pattern: refs\/tags\/v\*$/,/^    delete: false$/d' \
      -e 's/^    force_push: \[release\]$/    force_push: false\n    reviews: {min: 2}\n    signed: true/' \
      -e 's/^  on_error: reject$/  on_error: allow\n  limits: {refs: 50}/' "$MATRIX_DIR/base.yml"
  printf 'secrets:\n  enabled: false\npolicies:\n  containers: {privileged: reject}\n'
} >"$TMP/new.yml"
OUT=$("$GATEHOUSE" matrix diff "$TMP/old.yml" "$TMP/new.yml" 2>&1); RC=$?
expect_eq "matrix diff: exit 0" "$RC" 0
expect_out "matrix diff: people and roles" "frank joins the matrix" "bob leaves the matrix" "frank joins role developers" "bob leaves role developers"
expect_out "matrix diff: duties" "duty approve_deployment: owned by release (was operations)"
expect_out "matrix diff: permissions gained and lost" "frank gains push on refs/heads/team/*" "bob loses push on refs/heads/team/*" \
  "erin loses force_push on refs/heads/release/**" "alice gains push on refs/tags/v*"
expect_out "matrix diff: evidence and rules" "refs/heads/release/**: reviews needed 2 (was 0)" "refs/heads/release/**: signed commits now required" \
  "the rule for refs/tags/v* is removed"
expect_out "matrix diff: settings" "secret scanning switched OFF" "policies.containers.privileged: reject (was off)" \
  "settings.on_error: ALLOW (was reject)" "settings.limits.refs: 50 (was 10000)"
OUT=$(cd "$wc" && "$GATEHOUSE" matrix diff HEAD~1:matrix/responsibility.yml HEAD:matrix/responsibility.yml 2>&1); RC=$?
expect_eq "matrix diff REV:PATH: exit 0" "$RC" 0
expect_out "matrix diff REV:PATH: reads both from git" "dave joins role release"
OUT=$("$GATEHOUSE" matrix diff "$TMP/old.yml" "$TMP/old.yml" 2>&1)
expect_out "matrix diff: no change says so" "no change to people, roles, duties, permissions"
OUT=$("$GATEHOUSE" matrix diff "$TMP/old.yml" 2>&1); RC=$?
expect_eq "matrix diff: needs two matrices" "$RC" 2
finish
