#!/usr/bin/env bash
# Refs nobody thought of, the update hook alone, and local paths that lie
# (issue 13, items 7, 10, 11 and 13), as real pushes:
#   - refs/replace/*, refs/notes/* and refs no rule covers, pushed by people
#     outside the matrix;
#   - permissions judged before evidence; a watchdog stop is audited;
#   - the update hook alone: every ref judged by the matrix as it stood before
#     the push, blobs and trees named directly by a tag scanned;
#   - pre-push: content and external policies still judged with no_secrets,
#     unparsable input fails, a delete of a ref that does not exist is the
#     no-op git makes it; install.sh --hook replaces the other hook.
. "$(dirname "$0")/lib.sh"

AWS=AKIAZ7QRST2345ABCDEF
REVIEW=$'\n\nReviewed-by: carol <carol@example.com>'

# a base.yml server bootstrapped by erin; sets SRV and WC
base_server() {
  SRV=$(new_server "$1" "${@:2}")
  WC=$(new_clone "$SRV" "$1-wc")
  put_matrix "$WC" "${MATRIX:-base.yml}"
  push_as erin "$WC" origin main
  [ "$RC" -eq 0 ] || not_ok "$1: setup: erin bootstraps main" "$OUT"
}

# ---- item 7: refs nobody thought of ------------------------------------------
base_server replace
tip=$(git -C "$WC" rev-parse HEAD)
git -C "$WC" checkout -q -b evil
commit_file "$WC" evil.txt "unreviewed"
evil=$(git -C "$WC" rev-parse HEAD)
git -C "$WC" checkout -q main
git -C "$WC" replace "$tip" "$evil"
push_as mallory "$WC" origin "refs/replace/$tip"
expect_rejected "attack: outsider pushes refs/replace/<main tip> to rewrite main: rejected"
expect_out "attack: refs/replace: the pusher sees the check and the fix" "[ref.replace]" \
  "refs/replace/** needs a rule of its own" "fix:"
expect_ref "attack: refs/replace: no replace ref on the server" "$SRV" "refs/replace/$tip" none
push_as bob "$WC" origin "refs/replace/$tip"
expect_rejected "attack: refs/replace without an explicit rule: refused to members too"
expect_out "attack: refs/replace (member): the check" "[ref.replace]"
expect_ref "attack: refs/replace (member): not created" "$SRV" "refs/replace/$tip" none

git -C "$WC" notes add -m "approved by nobody" "$tip"
push_as mallory "$WC" origin refs/notes/commits
expect_rejected "attack: outsider pushes refs/notes/commits: rejected"
expect_out "attack: refs/notes: the check and the fix" "[ref.notes]" "refs/notes/** needs a rule of its own" "fix:"
expect_ref "attack: refs/notes: not created" "$SRV" refs/notes/commits none

push_as mallory "$WC" origin main:refs/foo/bar
expect_rejected "attack: outsider pushes refs/foo/bar, which no rule covers: rejected"
expect_out "attack: refs/foo/bar: the check, what is missing and whom to ask" "[ref.unruled]" \
  "unknown pusher 'mallory'" "no rule covers refs/foo/bar" "add your login under people:"
expect_ref "attack: refs/foo/bar: not created" "$SRV" refs/foo/bar none
push_as bob "$WC" origin main:refs/foo/bar
expect_accepted "refs no rule covers: a person in the matrix may still push them"
expect_ref "refs no rule covers: created for bob" "$SRV" refs/foo/bar "$tip"

# a catch-all does not count as a rule for refs/replace/ or refs/notes/
{ sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  printf '  - pattern: refs/**\n    push: true\n    delete: true\nsettings:\n  on_error: reject\n'
} >"$TMP/catchall.yml"
MATRIX=$TMP/catchall.yml base_server catchall
tip=$(git -C "$WC" rev-parse HEAD)
git -C "$WC" replace "$tip" "$(git -C "$WC" commit-tree -p "$tip" -m evil "$tip^{tree}")"
push_as mallory "$WC" origin "refs/replace/$tip"
expect_rejected "attack: refs/replace under a refs/** catch-all: still rejected"
expect_out "attack: catch-all: the check" "[ref.replace]"
expect_ref "attack: catch-all: not created" "$SRV" "refs/replace/$tip" none
push_as mallory "$WC" origin main:refs/foo/baz
expect_accepted "catch-all: refs/** push: true still opens other refs to anyone"

# an explicit rule for refs/notes/**
{ sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  printf '  - pattern: refs/notes/**\n    push: [developers]\n    force_push: [developers]\nsettings:\n  on_error: reject\n'
} >"$TMP/notes.yml"
MATRIX=$TMP/notes.yml base_server notes
tip=$(git -C "$WC" rev-parse HEAD)
git -C "$WC" notes add -m "reviewed" "$tip"
push_as bob "$WC" origin refs/notes/commits
expect_accepted "refs/notes with an explicit rule: a developer may push notes"
expect_ref "refs/notes with an explicit rule: created" "$SRV" refs/notes/commits "$(git -C "$WC" rev-parse refs/notes/commits)"
git -C "$WC" notes add -f -m "reviewed again" "$tip"
push_as mallory "$WC" origin refs/notes/commits
expect_rejected "refs/notes with an explicit rule: an outsider is refused by it"
expect_out "refs/notes with an explicit rule: the rule's check" "[ref.push]"

OUT=$("$GATEHOUSE" matrix validate "$MATRIX_DIR/base.yml" 2>&1); RC=$?
expect_eq "matrix validate: a tag pattern with * still validates" "$RC" 0
expect_out "matrix validate: warns that refs/tags/v* does not cover refs/tags/v1/x" "warning:" \
  "refs/tags/v*" "does not cross '/'" "refs/tags/v*/**"

# ---- item 10: permissions first; a watchdog stop is audited --------------------
{ sed '/^settings:/,$d' "$MATRIX_DIR/base.yml" | sed 's/^  - pattern: refs\/heads\/team\/\*$/  - pattern: refs\/heads\/team\/*\n    reviews: 1/'
  printf 'settings:\n  on_error: reject\n'
} >"$TMP/reviews.yml"
MATRIX=$TMP/reviews.yml base_server perms
git -C "$WC" checkout -q -b topic
printf 'key = %s\n' "$AWS" >"$WC/leak.txt"
git -C "$WC" add leak.txt && git -C "$WC" commit -q -m "no review, a key"
push_as mallory "$WC" origin topic:refs/heads/team/x
expect_rejected "cost: an outsider's push to a reviewed ref: rejected on permissions"
expect_out "cost: the permission reason is shown" "[ref.create]"
expect_no_out "cost: evidence and secrets are not judged for a ref refused on permissions" "[review." "[secret."

srv=$(new_server watchdog)
git --git-dir="$srv" config receive.unpackLimit 100000   # objects arrive loose
wc=$(new_clone "$srv" wd)
put_matrix "$wc" base.yml
push_as erin "$wc" origin main
git -C "$wc" checkout -q -b topic
commit_file "$wc" topic.txt topic
blob=$(git -C "$wc" rev-parse main:matrix/responsibility.yml)
obj=$srv/objects/${blob:0:2}/${blob:2}
chmod u+w "$obj"
cp "$obj" "$TMP/wd.saved"
head -c 20 "$TMP/wd.saved" >"$obj"
git --git-dir="$srv" config gatehouse.watchdogSeconds 3
records=$(wc -l <"$srv/gatehouse/audit.jsonl")
push_as bob "$wc" origin topic:refs/heads/team/w
expect_rejected "watchdog: a hook that hangs on a corrupt object is stopped"
expect_out "watchdog: the pusher is told" "the hook did not finish in time (watchdog"
rec=$(last_audit "$srv")
expect_eq "watchdog: the stop leaves one more audit record" "$(wc -l <"$srv/gatehouse/audit.jsonl")" $((records + 1))
expect_eq "watchdog: the record is one line of valid JSON, rejected, saying the watchdog fired" \
  "$(jq -r '[.verdict, .ref, .pusher, .hook, (.reasons[0].id), (.error | test("watchdog"))] | join(" ")' <<<"$rec" 2>&1)" \
  "rejected refs/heads/team/w bob pre-receive internal.watchdog true"
expect_eq "watchdog: the record carries the time it fired" "$(jq -r '.time | test("^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9][.][0-9]{3}Z$")' <<<"$rec")" true
expect_ref "watchdog: team/w was not created" "$srv" refs/heads/team/w none

# ---- item 11: the update hook alone -----------------------------------------------
base_server upd --hook update
main0=$(git -C "$WC" rev-parse main)
# the matrix on main opens refs/heads/vault/** (a ref after main in git's order) to developers
{ sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  printf '  - pattern: refs/heads/vault/**\n    push: false\nsettings:\n  on_error: reject\n'
} >"$TMP/vault-closed.yml"
put_matrix "$WC" "$TMP/vault-closed.yml"
git -C "$WC" commit -q --amend -m "matrix: close the vault$REVIEW"
push_as erin "$WC" origin main
expect_accepted "update hook: setup: the vault is closed"
closed=$(git -C "$WC" rev-parse main)
sed 's/    push: false$/    push: true/' "$TMP/vault-closed.yml" >"$TMP/vault-open.yml"
put_matrix "$WC" "$TMP/vault-open.yml"
git -C "$WC" commit -q --amend -m "matrix: open the vault$REVIEW"
opened=$(git -C "$WC" rev-parse main)
push_as erin "$WC" origin main main:refs/heads/vault/x
expect_ref "attack (update): the matrix change itself lands" "$SRV" refs/heads/main "$opened"
expect_out "attack (update): main is judged before the ref it opens" "refs/heads/vault/x: REJECTED"
expect_out "attack (update): the ref the same push opens is judged by the old matrix" "[ref.create]" \
  "create is allowed for nobody on refs matching refs/heads/vault/**"
expect_ref "attack (update): vault/x was not created" "$SRV" refs/heads/vault/x none
push_as erin "$WC" origin main:refs/heads/vault/x
expect_accepted "update hook: the next push is judged by the new matrix"
stale=$(find "$SRV/gatehouse" -name 'update-push.*' | wc -l)
expect_eq "update hook: a push's record of the trusted ref is removed by a later push once receive-pack is gone" "$stale" 1

git -C "$WC" checkout -q main
printf 'aws_access_key_id = %s\n' "$AWS" >"$TMP/key.txt"
kblob=$(git -C "$WC" hash-object -w "$TMP/key.txt")
git -C "$WC" tag leak-blob "$kblob"
push_as bob "$WC" origin refs/tags/leak-blob
expect_rejected "attack (update): a lightweight tag naming a blob with an AWS key: rejected"
expect_out "attack (update): tag to a blob: the finding" "[secret.aws-access-key-id]" "AKIA...(20 chars)"
expect_ref "attack (update): tag to a blob: not created" "$SRV" refs/tags/leak-blob none
ktree=$(printf '100644 blob %s\tprod.env\n' "$kblob" | git -C "$WC" mktree)
ktree=$(printf '040000 tree %s\tconfig\n' "$ktree" | git -C "$WC" mktree)
ktree=$(printf '040000 tree %s\tdeploy\n' "$ktree" | git -C "$WC" mktree)
git -C "$WC" tag leak-tree "$ktree"
push_as bob "$WC" origin refs/tags/leak-tree
expect_rejected "attack (update): a tag naming a tree with a secret: rejected"
expect_out "attack (update): tag to a tree: the finding with its path" "[secret.aws-access-key-id] deploy/config/prod.env:1"
expect_ref "attack (update): tag to a tree: not created" "$SRV" refs/tags/leak-tree none
git -C "$WC" tag -a -m "annotated" leak-tree-ann "$ktree"
push_as bob "$WC" origin refs/tags/leak-tree-ann
expect_rejected "attack (update): an annotated tag naming a tree with a secret: rejected"

# ---- item 13: local paths that lie ------------------------------------------------
{ sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  printf 'policies:\n  containers:\n    privileged: reject\nsettings:\n  on_error: reject\n'
} >"$TMP/containers.yml"
MATRIX=$TMP/containers.yml base_server local
dev=$(new_clone "$SRV" local-dev)
git -C "$dev" config user.email bob@example.com
"$ROOT/install.sh" --bin "$GATEHOUSE_BIN" --local "$dev" >"$TMP/local.log" 2>&1 || cat "$TMP/local.log"
git -C "$dev" checkout -q -b team/pod
mkdir -p "$dev/deploy"
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: x\n      image: busybox\n      securityContext:\n        privileged: true\n' >"$dev/deploy/pod.yaml"
git -C "$dev" add deploy/pod.yaml && git -C "$dev" commit -q -m "a privileged pod"
push_as bob "$dev" origin team/pod
expect_eq "attack (pre-push): a privileged pod is stopped before it leaves the machine" "$RC" 1
expect_out "attack (pre-push): content policies run with the secret scan off" "[policy.container.privileged]" \
  "the server would reject this push"
expect_ref "attack (pre-push): nothing reached the server" "$SRV" refs/heads/team/pod none

# the external policy: pre-push runs no external policy, and says so
printf '#!/bin/sh\ntouch "%s/ran"; echo "{}"\n' "$TMP" >"$TMP/canary-policy.sh"
chmod +x "$TMP/canary-policy.sh"
{ sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  printf 'policies:\n  external:\n    use: canary\nsettings:\n  on_error: reject\n'
} >"$TMP/external.yml"
LSRV=$SRV
SRV=$(new_server ext)
git --git-dir="$SRV" config gatehouse.externalPolicy.canary.command "$TMP/canary-policy.sh"
WC=$(new_clone "$SRV" ext-wc)
put_matrix "$WC" "$TMP/external.yml"
push_as erin "$WC" origin main
[ "$RC" -eq 0 ] || not_ok "ext: setup: erin bootstraps main (the server defines the policy)" "$OUT"
rm -f "$TMP/ran"
dev2=$(new_clone "$SRV" ext-dev)
"$ROOT/install.sh" --bin "$GATEHOUSE_BIN" --local "$dev2" >"$TMP/local2.log" 2>&1 || cat "$TMP/local2.log"
rm -f "$TMP/ran"
git -C "$dev2" checkout -q -b team/ext
commit_file "$dev2" e.txt e
OUT=$(cd "$dev2" && GATEHOUSE_USER=bob timeout 120 git push --dry-run origin team/ext 2>&1); RC=$?
expect_out "attack (pre-push): the external policy is not silently passed: pre-push says it did not run it" \
  "policy.external.not_run" "policies.external was not run on this machine"
if [ -e "$TMP/ran" ]; then not_ok "attack (pre-push): no command from the matrix runs on the developer's machine"
else ok "attack (pre-push): no command from the matrix runs on the developer's machine"; fi
SRV=$LSRV

OUT=$(cd "$dev" && printf 'refs/heads/x garbage\n' | GATEHOUSE_USER=bob .git/hooks/pre-push origin "$SRV" 2>&1); RC=$?
expect_eq "attack (pre-push): an input line it cannot parse fails the pre-push" "$RC" 1
expect_out "attack (pre-push): and says which line" "pre-push input line 1" "LOCAL_REF LOCAL_SHA REMOTE_REF REMOTE_SHA"

push_as bob "$dev" origin :refs/heads/team/never-was
expect_accepted "delete of a branch that does not exist: the no-op git makes it (pre-push and pre-receive)"
expect_no_out "delete of a branch that does not exist: no internal error" "internal.error"
rec=$(last_audit "$SRV")
expect_eq "delete of a branch that does not exist: audited as an accepted delete" \
  "$(json_get "$rec" '[.ref, .kind, .verdict] | join(" ")')" "refs/heads/team/never-was delete accepted"
push_as bob "$dev" origin main:refs/heads/release/1.0
rel=$(ref_of "$SRV" refs/heads/release/1.0)
push_as erin "$dev" origin main:refs/heads/release/1.0
rel=$(ref_of "$SRV" refs/heads/release/1.0)
Z=0000000000000000000000000000000000000000
OUT=$(cd "$SRV" && printf '%s %s refs/heads/release/1.0\n' $Z $Z | GATEHOUSE_USER=bob ./hooks/pre-receive 2>&1); RC=$?
expect_eq "attack: two zero ids on an existing ref are a real delete (git deletes it): judged" "$RC" 1
expect_out "attack: two zero ids on an existing ref: refused by the delete rule" "[ref.delete]"

# install.sh --hook update replaces gatehouse's pre-receive, and back
srv=$(new_server swap)
OUT=$("$ROOT/install.sh" --bin "$GATEHOUSE_BIN" --repo "$srv" --hook update 2>&1); RC=$?
if [ "$RC" -eq 0 ] && [ -x "$srv/hooks/update" ] && [ ! -e "$srv/hooks/pre-receive" ]; then
  ok "attack: install --hook update over gatehouse's pre-receive replaces it (one judgement per push)"
else not_ok "attack: install --hook update over gatehouse's pre-receive replaces it (one judgement per push)" "$OUT" "$(ls "$srv/hooks")"; fi
expect_out "install --hook update: says it removed the pre-receive" "removed gatehouse's pre-receive"
wc=$(new_clone "$srv" swap-wc)
put_matrix "$wc" base.yml
push_as erin "$wc" origin main
expect_eq "install --hook update: one audit record for a one-ref push" "$(wc -l <"$srv/gatehouse/audit.jsonl")" 1
OUT=$("$ROOT/install.sh" --bin "$GATEHOUSE_BIN" --repo "$srv" --hook pre-receive 2>&1); RC=$?
if [ "$RC" -eq 0 ] && [ -x "$srv/hooks/pre-receive" ] && [ ! -e "$srv/hooks/update" ]; then ok "install --hook pre-receive replaces gatehouse's update"
else not_ok "install --hook pre-receive replaces gatehouse's update" "$OUT" "$(ls "$srv/hooks")"; fi
printf '#!/bin/sh\nexit 0\n' >"$srv/hooks/update" && chmod +x "$srv/hooks/update"
OUT=$("$ROOT/install.sh" --bin "$GATEHOUSE_BIN" --repo "$srv" --hook pre-receive 2>&1); RC=$?
if [ "$RC" -eq 0 ] && grep -q 'exit 0' "$srv/hooks/update"; then ok "install --hook pre-receive never removes an update hook that is not gatehouse's"
else not_ok "install --hook pre-receive never removes an update hook that is not gatehouse's" "$OUT"; fi
OUT=$("$ROOT/install.sh" --bin "$GATEHOUSE_BIN" --repo "$srv" --hook both --force 2>&1); RC=$?
if [ "$RC" -eq 0 ] && [ -x "$srv/hooks/update" ] && [ -x "$srv/hooks/pre-receive" ]; then ok "install --hook both keeps both"
else not_ok "install --hook both keeps both" "$OUT"; fi

finish
