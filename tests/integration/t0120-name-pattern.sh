#!/usr/bin/env bash
# refs[].name_pattern, the check docs/ARCHITECTURE.md adds as its worked
# example, as real pushes: a rule for team branches admits only names its
# regular expression matches, on creation and on every later update;
# deleting a misnamed branch stays possible; a push cannot widen the pattern
# that judges it; a pattern that backtracks without end rejects (a bound
# reached never passes); a pattern that does not compile is refused with its
# line and column.
. "$(dirname "$0")/lib.sh"

# base.yml with a name_pattern on refs/heads/team/* (line 41 of the result)
named_matrix() {
  sed -e '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  printf '  - pattern: refs/heads/team/**\n    push: [developers, release]\n    create: [developers, release]\n'
  printf '    delete: [developers]\n    name_pattern: %s\n' "$1"
  printf 'settings:\n  on_error: reject\n'
}
named_matrix "'^refs/heads/team/[a-z0-9-]+/[a-z0-9.-]+\$'" >"$TMP/named.yml"
grep -q "name_pattern" "$TMP/named.yml" || not_ok "setup: the matrix has a name_pattern"
# the base rule for refs/heads/team/* comes first and would cover team/x: drop it
sed -i '/pattern: refs\/heads\/team\/\*$/,+3d' "$TMP/named.yml"
pattern_line=$(grep -n 'name_pattern' "$TMP/named.yml" | cut -d: -f1)

SRV=$(new_server named)
WC=$(new_clone "$SRV" named-wc)
put_matrix "$WC" "$TMP/named.yml"
push_as erin "$WC" origin main
expect_accepted "setup: erin bootstraps main with the name_pattern matrix"
tip=$(git -C "$WC" rev-parse HEAD)

push_as alice "$WC" origin main:refs/heads/team/alice/login-form
expect_accepted "a branch the pattern admits is created"
expect_ref "admitted branch exists" "$SRV" refs/heads/team/alice/login-form "$tip"

push_as alice "$WC" origin main:refs/heads/team/Alice_WIP
expect_rejected "a branch the pattern does not admit: rejected"
expect_out "misnamed: the check, the rule's line, what is missing and the fix" \
  "[ref.name_pattern]" "responsibility.yml:$pattern_line" \
  "refs/heads/team/Alice_WIP is not a name name_pattern" "a ref name matching" \
  "git branch -m renames the local branch"
expect_ref "misnamed branch not created" "$SRV" refs/heads/team/Alice_WIP none
audit=$(last_audit "$SRV")
expect_eq "misnamed: the audit record carries the check id" \
  "$(json_get "$audit" '[.reasons[].id] | join(",")')" "ref.name_pattern"

# a name under no rule with a name_pattern is not this check's business
push_as erin "$WC" origin main:refs/heads/release/1.0
expect_accepted "a ref another rule covers is not judged by this rule's pattern"

# an existing misnamed branch (made before the rule) cannot be moved, only deleted
git --git-dir="$SRV" update-ref refs/heads/team/Old_Name "$tip"
git -C "$WC" fetch -q origin
git -C "$WC" checkout -q -b old origin/team/Old_Name
commit_file "$WC" old.txt "more work"
push_as alice "$WC" origin old:refs/heads/team/Old_Name
expect_rejected "attack: updating a branch misnamed before the rule: rejected"
expect_out "update: the check" "[ref.name_pattern]"
expect_ref "update: the branch did not move" "$SRV" refs/heads/team/Old_Name "$tip"
push_as alice "$WC" origin :refs/heads/team/Old_Name
expect_accepted "deleting a misnamed branch is allowed (delete: developers)"
expect_ref "deleted" "$SRV" refs/heads/team/Old_Name none
git -C "$WC" checkout -q main

# attack: widen the pattern in the same push (the trusted matrix judges it)
named_matrix "'.*'" >"$TMP/wide.yml"
sed -i '/pattern: refs\/heads\/team\/\*$/,+3d' "$TMP/wide.yml"
put_matrix "$WC" "$TMP/wide.yml"
push_as erin "$WC" origin main main:refs/heads/team/Sneaky
expect_rejected "attack: a push that widens name_pattern and uses it at once: rejected"
expect_out "widen: judged by the trusted pattern" "[ref.name_pattern]" "refs/heads/team/Sneaky"
expect_ref "widen: the branch was not created" "$SRV" refs/heads/team/Sneaky none
git -C "$WC" reset -q --hard "$tip"

# attack: a pattern that backtracks without end (written by a careless owner)
SRV2=$(new_server redos)
WC2=$(new_clone "$SRV2" redos-wc)
named_matrix "'^refs/heads/team/(a+)+\$'" >"$TMP/redos.yml"
sed -i '/pattern: refs\/heads\/team\/\*$/,+3d' "$TMP/redos.yml"
put_matrix "$WC2" "$TMP/redos.yml"
push_as erin "$WC2" origin main
expect_accepted "setup: a matrix with a backtracking pattern"
long=refs/heads/team/$(printf 'a%.0s' $(seq 1 40))b
push_as alice "$WC2" origin "main:$long"
expect_rejected "attack: a name that makes the pattern backtrack past its bound: rejected"
expect_out "redos: says it could not be decided" "[ref.name_pattern]" "could not be decided" \
  "reached its bound"
expect_ref "redos: not created" "$SRV2" "$long" none

# a pattern that does not compile is refused where it is written
named_matrix "'team/(unclosed'" >"$TMP/bad.yml"
sed -i '/pattern: refs\/heads\/team\/\*$/,+3d' "$TMP/bad.yml"
put_matrix "$WC" "$TMP/bad.yml"
push_as erin "$WC" origin main
expect_rejected "a matrix whose name_pattern does not compile: refused on the trusted ref"
expect_out "bad pattern: matrix.invalid names the key, line and column" "[matrix.invalid]" \
  "responsibility.yml:$pattern_line:19" "not a valid regular expression"
OUT=$("$GATEHOUSE" matrix validate "$TMP/bad.yml" 2>&1); RC=$?
expect_eq "matrix validate: exit 2 (invalid) on the bad pattern" "$RC" 2
expect_out "matrix validate: names line and column" "bad.yml:$pattern_line:19" "name_pattern"

finish
