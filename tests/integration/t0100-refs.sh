#!/usr/bin/env bash
# Ref rules on real pushes: push / create / delete / force_push, tags,
# unknown pushers, bootstrap, the matrix-weakening attack, the trusted ref's
# built-in guards.  Runs once per hook: HOOK=pre-receive (default) or update.
. "$(dirname "$0")/lib.sh"
HOOK=${HOOK:-pre-receive}
TEST_NAME="$TEST_NAME[$HOOK]"

srv=$(new_server refs --hook "$HOOK")
wc=$(new_clone "$srv" dev)

# --- bootstrap: the first push of the trusted ref is judged by its own matrix
put_matrix "$wc" base.yml
first=$(git -C "$wc" rev-parse HEAD)
push_as bob "$wc" origin main
expect_rejected "bootstrap: a developer may not create main under the pushed matrix"
expect_out "bootstrap: the reason names the check, the rule and the fix" \
  "[ref.create]" "needs: create needs role release (erin)" "refs/heads/main:matrix/responsibility.yml:" "fix:"
expect_ref "bootstrap: main was not created" "$srv" refs/heads/main none
push_as erin "$wc" origin main
expect_accepted "bootstrap: release creates main with a valid matrix"
expect_ref "bootstrap: main now exists" "$srv" refs/heads/main "$first"
rec=$(last_audit "$srv")
expect_eq "bootstrap: audit record says bootstrap" "$(json_get "$rec" .matrix.bootstrap)" true

# --- protected branch pushes
commit_file "$wc" src/a.c "int a;"
push_as bob "$wc" origin main
expect_rejected "push: a developer may not push to main"
expect_out "push: message says who, what rule, how to fix" \
  "refs/heads/main: REJECTED (fast-forward)" "[ref.push] bob (roles: developers) wants to push to refs/heads/main" \
  "needs: push needs role release (erin)" "rule:  refs/heads/main:matrix/responsibility.yml:" \
  "fix:   ask a member of release (erin)"
expect_ref "push: main did not move" "$srv" refs/heads/main "$first"
push_as erin "$wc" origin main
expect_accepted "push: release may push to main"
second=$(git -C "$wc" rev-parse HEAD)
expect_ref "push: main moved" "$srv" refs/heads/main "$second"
rec=$(last_audit "$srv")
expect_eq "audit: kind fast-forward" "$(json_get "$rec" .kind)" fast-forward
expect_eq "audit: verdict accepted" "$(json_get "$rec" .verdict)" accepted
expect_eq "audit: hook recorded" "$(json_get "$rec" .hook)" "$HOOK"
expect_eq "audit: pusher and person" "$(json_get "$rec" '.pusher + "/" + .person')" "erin/erin"

# --- refs no rule matches: open to the people in the matrix, refused to anyone else
git -C "$wc" checkout -q -b feature
commit_file "$wc" f.txt feature
push_as mallory "$wc" origin feature
expect_rejected "no rule: an unknown pusher may not push a branch no rule covers"
expect_out "no rule: the check and whom to ask" "[ref.unruled]" "add your login under people:"
expect_ref "no rule: not created for an unknown pusher" "$srv" refs/heads/feature none
push_as bob "$wc" origin feature
expect_accepted "no rule: a person in the matrix may push an unprotected branch"

# --- unknown pusher on a protected ref
push_as mallory "$wc" origin feature:refs/heads/team/x
expect_rejected "unknown pusher: rejected on a protected ref"
expect_out "unknown pusher: told they are not in the matrix and whom to ask" \
  "unknown pusher 'mallory' (not a person in the matrix, so no roles)" "add your login under people:" "security (carol)"

# --- a second login of a person counts as that person
push_as dave-ops "$wc" origin feature:refs/heads/release/1.0
expect_rejected "logins: dave-ops is dave (operations), who may not create release branches"
expect_out "logins: identified as dave" "dave (roles: operations)"

# --- force push
git -C "$wc" checkout -q main
commit_file "$wc" src/b.c "int b;"
push_as erin "$wc" origin main
expect_accepted "force: setup"
before=$(git -C "$wc" rev-parse HEAD)
git -C "$wc" commit -q --amend -m "rewritten"
push_as erin "$wc" --force origin main
expect_rejected "force: nobody may force-push main"
expect_out "force: reason and fix" "[ref.force_push]" "force_push is allowed for nobody" "push without --force"
expect_ref "force: main did not move" "$srv" refs/heads/main "$before"
git -C "$wc" reset -q --hard "$before"

push_as erin "$wc" origin main:refs/heads/release/2.0
expect_accepted "force: release creates a release branch"
git -C "$wc" checkout -q -b rel "$before"
commit_file "$wc" r.txt one
git -C "$wc" commit -q --amend -m "two"
push_as erin "$wc" --force origin rel:refs/heads/release/2.0
expect_accepted "force: release may force-push release/**"
push_as bob "$wc" --force origin main:refs/heads/release/2.0
expect_rejected "force: a developer may not force-push release/**"
expect_out "force: a force push needs push too" "[ref.push]"

# --- deletion
push_as erin "$wc" --delete origin refs/heads/release/2.0
expect_rejected "delete: release may not delete release/** (operations may)"
push_as dave "$wc" --delete origin refs/heads/release/2.0
expect_accepted "delete: operations may delete release/**"
expect_ref "delete: the branch is gone" "$srv" refs/heads/release/2.0 none
# (git itself refuses to delete HEAD's branch by default; let the hook decide)
git --git-dir="$srv" config receive.denyDeleteCurrent ignore
push_as erin "$wc" --delete origin main
expect_rejected "delete: the trusted ref can never be deleted"
expect_out "delete: both reasons" "[matrix.trusted_delete]" "[ref.delete]"
push_as mallory "$wc" --delete origin feature
expect_rejected "delete: an unknown pusher may not delete a branch no rule covers"
push_as bob "$wc" --delete origin feature
expect_accepted "delete: unprotected branches may be deleted by people in the matrix"

# --- tags: lightweight and annotated
git -C "$wc" checkout -q main
git -C "$wc" tag v1.0
git -C "$wc" tag -a -m "release 1.1" v1.1
push_as bob "$wc" origin v1.0
expect_rejected "tags: a developer may not push a release tag"
push_as erin "$wc" origin v1.0 v1.1
expect_accepted "tags: release pushes a lightweight and an annotated tag"
rec=$(tail -n 2 "$srv/gatehouse/audit.jsonl" | grep '"refs/tags/v1.1"')
expect_eq "tags: annotated tag recorded" "$(json_get "$rec" .annotated)" true
git -C "$wc" tag -f v1.0 HEAD~1
push_as erin "$wc" --force origin v1.0
expect_rejected "tags: moving a tag is a force push, and force_push is false"
expect_out "tags: the check id" "[ref.force_push]" "make a new tag instead"
push_as erin "$wc" --delete origin v1.1
expect_rejected "tags: release tags may not be deleted"
expect_ref "tags: v1.1 still there" "$srv" refs/tags/v1.1 "$(git -C "$wc" rev-parse v1.1)"

# --- several refs in one push
git -C "$wc" checkout -q -b team-a main
commit_file "$wc" t.txt team
tip=$(git -C "$wc" rev-parse HEAD)
push_as bob "$wc" origin team-a:refs/heads/team/a team-a:refs/heads/main
if [ "$HOOK" = pre-receive ]; then
  expect_rejected "multi-ref: one bad ref rejects the whole push under pre-receive"
  expect_out "multi-ref: the good ref is named as ok but not updated" \
    "refs/heads/team/a: ok (create) - not updated either" "refs/heads/main: REJECTED"
  expect_ref "multi-ref: the good ref did not move either" "$srv" refs/heads/team/a none
else
  expect_rejected "multi-ref: the bad ref is rejected under update"
  expect_ref "multi-ref: update decides per ref: the good ref moved" "$srv" refs/heads/team/a "$tip"
fi
expect_ref "multi-ref: main did not move" "$srv" refs/heads/main "$before"

# --- the attack: weaken the matrix in the same push
git -C "$wc" checkout -q main
put_matrix "$wc" weakened.yml
push_as bob "$wc" origin main
expect_rejected "attack: a push that grants its pusher rights is judged by the old matrix"
expect_out "attack: judged by the matrix before the push" "[ref.push] bob (roles: developers)" \
  "matrix: refs/heads/main:matrix/responsibility.yml @ ${before:0:12}"
expect_ref "attack: main did not move" "$srv" refs/heads/main "$before"
git -C "$wc" reset -q --hard "$before"

# --- the trusted ref always carries a valid matrix
put_matrix "$wc" broken.yml
push_as erin "$wc" origin main
expect_rejected "trusted ref: a broken matrix cannot be pushed"
expect_out "trusted ref: the error names file, line and column" "[matrix.invalid]" \
  "refs/heads/main:matrix/responsibility.yml:14:5: error: unknown key 'pussh'"
git -C "$wc" reset -q --hard "$before"
git -C "$wc" rm -q matrix/responsibility.yml
git -C "$wc" commit -q -m "drop the matrix"
push_as erin "$wc" origin main
expect_rejected "trusted ref: removing the matrix is refused"
expect_out "trusted ref: matrix.missing" "[matrix.missing]"
git -C "$wc" reset -q --hard "$before"

# --- nothing of a rejected push stays on the server
commit_file "$wc" secret-plan.txt "plan"
rejected_commit=$(git -C "$wc" rev-parse HEAD)
push_as bob "$wc" origin main
expect_rejected "quarantine: setup rejected push"
if [ "$HOOK" = pre-receive ]; then
  if git --git-dir="$srv" cat-file -e "$rejected_commit" 2>/dev/null; then
    not_ok "quarantine: the rejected commit is not in the server's object store"
  else
    ok "quarantine: the rejected commit is not in the server's object store"
  fi
fi
if git --git-dir="$srv" fsck --no-progress >/dev/null 2>&1; then ok "fsck: server repository is sound"
else not_ok "fsck: server repository is sound" "$(git --git-dir="$srv" fsck 2>&1 | head)"; fi
if [ -z "$(git --git-dir="$srv" for-each-ref refs/gatehouse)" ]; then ok "the hook never writes refs"
else not_ok "the hook never writes refs"; fi
git -C "$wc" reset -q --hard "$before"

# --- audit: one well-formed record per decision
n_bad=$(jq -c 'select((.time|type)!="string" or (.ref|type)!="string" or (.verdict|IN("accepted","rejected")|not) or (.reasons|type)!="array" or (.duration_ms|type)!="number")' "$srv/gatehouse/audit.jsonl" | wc -l)
expect_eq "audit: every record is well formed" "$n_bad" 0
rejected=$(jq -c 'select(.verdict=="rejected")' "$srv/gatehouse/audit.jsonl" | head -n 1)
expect_eq "audit: rejected records carry reasons with rule lines" \
  "$(json_get "$rejected" '.reasons[0].rule | test("^refs/heads/main:matrix/responsibility.yml:[0-9]+$")')" true

finish
