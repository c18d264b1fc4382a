#!/usr/bin/env bash
# Attacks on blob-keyed judging (issue 13, item 2) and on the cost of a push
# (item 10): the same bytes at a second path, a rename into a path a policy
# covers, a revert of a lock file to a version pushed before a deny entry,
# an allowlisted token copied out of its allowlisted directory, and a push
# whose commits times paths stay under every per-commit limit but not under
# settings.limits.paths_per_push.  Every path a new commit adds or changes is
# judged with its path, whatever its blob.
. "$(dirname "$0")/lib.sh"

GH=ghp_R4nd0mT0k3nV4lu3Xq9Zk2Lm8Np5Wc7Yb1Hd
srv=$(new_server paths)
wc=$(new_clone "$srv" atk)
{
  sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  cat <<'YML'
policies:
  containers:
    privileged: reject
  dependencies:
    deny: ["npm:left-pad@1.3.0"]
secrets:
  allow_paths: ["testdata/**"]
settings:
  on_error: reject
YML
} >"$TMP/paths.yml"
put_matrix "$wc" "$TMP/paths.yml"
push_as erin "$wc" origin main
expect_accepted "setup: bootstrap"
base=$(git -C "$wc" rev-parse HEAD)

topic() { git -C "$wc" checkout -q -B "team/$1" "${2:-$base}"; }
POD='apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  containers:
    - name: shell
      image: registry.example.com/tools/shell@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      securityContext:
        privileged: true'

# --- the same bytes at two paths in one commit: aaa.txt sorts first
topic twin
printf '%s\n' "$POD" >"$wc/aaa.txt"
mkdir -p "$wc/deploy" && printf '%s\n' "$POD" >"$wc/deploy/pod.yaml"
git -C "$wc" add -A && git -C "$wc" commit -q -m "a pod, twice"
push_as bob "$wc" origin team/twin
expect_rejected "attack: privileged pod hidden behind a copy at aaa.txt: rejected"
expect_out "attack: twin copy: the pod's own path is named" "[policy.container.privileged] deploy/pod.yaml:"
expect_ref "attack: twin copy: the branch was not created" "$srv" refs/heads/team/twin none

# --- a rename in a later push: the blob is already on the server
topic rename
mkdir -p "$wc/notes" && printf '%s\n' "$POD" >"$wc/notes/pod.txt"
git -C "$wc" add -A && git -C "$wc" commit -q -m "notes"
push_as bob "$wc" origin team/rename
expect_accepted "rename: setup: a pod as a text note is no manifest"
git -C "$wc" mv notes/pod.txt deploy-pod.yaml && git -C "$wc" commit -q -m "rename"
push_as bob "$wc" origin team/rename
expect_rejected "attack: renaming notes/pod.txt to a manifest in a later push: rejected"
expect_out "attack: rename: judged at the new path" "[policy.container.privileged] deploy-pod.yaml:"
expect_ref "attack: rename: the branch did not move" "$srv" refs/heads/team/rename "$(git -C "$wc" rev-parse HEAD~1)"

# --- a directory renamed whole: its tree id is already on the server
git -C "$wc" reset -q --hard HEAD~1
git -C "$wc" mv notes deploy && git -C "$wc" mv deploy/pod.txt deploy/pod.yml
git -C "$wc" commit -q -m "rename the directory"
push_as bob "$wc" origin team/rename
expect_rejected "attack: a renamed directory holding an old tree: rejected"

# --- a revert of a lock file to a version pushed before the deny entry
topic lock
printf '{"name": "app", "lockfileVersion": 3, "packages": {"": {"name": "app"},\n  "node_modules/event-stream": {"version": "3.3.6"}}}\n' >"$wc/package-lock.json"
git -C "$wc" add -A && git -C "$wc" commit -q -m "event-stream 3.3.6"
push_as bob "$wc" origin team/lock
expect_accepted "revert: setup: event-stream 3.3.6 is not denied yet"
old_lock=$(git -C "$wc" rev-parse HEAD)
git -C "$wc" checkout -q main
sed -i 's/deny: \["npm:left-pad@1.3.0"\]/deny: ["npm:left-pad@1.3.0", "npm:event-stream@3.3.6"]/' "$TMP/paths.yml"
put_matrix "$wc" "$TMP/paths.yml"
git -C "$wc" commit -q --amend --no-edit --trailer "Reviewed-by: Carol <carol@example.com>"
push_as erin "$wc" origin main
expect_accepted "revert: setup: the incident's deny entry lands on main"
git -C "$wc" checkout -q -B team/lock2 main
printf '{"name": "app", "lockfileVersion": 3, "packages": {"": {"name": "app"},\n  "node_modules/event-stream": {"version": "4.0.1"}}}\n' >"$wc/package-lock.json"
git -C "$wc" add -A && git -C "$wc" commit -q -m "event-stream 4.0.1"
push_as bob "$wc" origin team/lock2
expect_accepted "revert: setup: a fixed version is accepted"
git -C "$wc" checkout -q "$old_lock" -- package-lock.json
git -C "$wc" commit -q -m "revert the lock file"
push_as bob "$wc" origin team/lock2
expect_rejected "attack: reverting a lock file to a version pushed before the deny entry: rejected"
expect_out "attack: revert: the denied version is named" "[policy.dependency.deny] package-lock.json:" "event-stream@3.3.6"
expect_ref "attack: revert: the branch did not move" "$srv" refs/heads/team/lock2 "$(git -C "$wc" rev-parse HEAD~1)"

# --- a token in an allowlisted directory, copied out of it
topic allow main
mkdir -p "$wc/testdata" && printf 'token = %s\n' "$GH" >"$wc/testdata/fixture.env"
git -C "$wc" add -A && git -C "$wc" commit -q -m "test fixture"
push_as bob "$wc" origin team/allow
expect_accepted "allow_paths: setup: a token under testdata/ is allowed"
mkdir -p "$wc/src" && cp "$wc/testdata/fixture.env" "$wc/src/prod.env"
git -C "$wc" add -A && git -C "$wc" commit -q -m "config"
push_as bob "$wc" origin team/allow
expect_rejected "attack: an allowlisted token copied from testdata/ to src/prod.env: rejected"
expect_out "attack: allow_paths copy: named at its new path" "[secret.github-pat] src/prod.env:1"
expect_no_out "attack: allow_paths copy: the allowlisted path is not reported" "testdata/fixture.env:1"
expect_ref "attack: allow_paths copy: the branch did not move" "$srv" refs/heads/team/allow "$(git -C "$wc" rev-parse HEAD~1)"

# the whole allowlisted directory renamed: its tree id is already on the server
git -C "$wc" reset -q --hard HEAD~1
git -C "$wc" mv testdata config && git -C "$wc" commit -q -m "testdata is config now"
[ "$(git -C "$wc" rev-parse HEAD:config)" = "$(git -C "$wc" rev-parse HEAD~1:testdata)" ] \
  && ok "allow_paths rename: setup: config/ is the old tree" || not_ok "allow_paths rename: setup: config/ is the old tree"
push_as bob "$wc" origin team/allow
expect_rejected "attack: an allowlisted directory renamed whole (an old tree at a new path): rejected"
expect_out "attack: directory rename: named at its new path" "[secret.github-pat] config/fixture.env:1"

# --- commits x paths: each commit within paths_per_commit, the push not within paths_per_push
srv2=$(new_server cost)
wc2=$(new_clone "$srv2" cost)
sed 's/^settings:/settings:\n  limits:\n    paths_per_push: 500/' "$MATRIX_DIR/base.yml" >"$TMP/cost.yml"
put_matrix "$wc2" "$TMP/cost.yml"
push_as erin "$wc2" origin main
expect_accepted "paths_per_push: setup"
git -C "$wc2" checkout -q -b team/flip
mkdir -p "$wc2/d"
for i in $(seq 1 100); do printf 'a\n' >"$wc2/d/f$i"; done
git -C "$wc2" add -A && git -C "$wc2" commit -q -m "tree A"
for c in $(seq 1 6); do
  for i in $(seq 1 100); do printf '%s\n' "$((c % 2))" >"$wc2/d/f$i"; done
  git -C "$wc2" commit -q -am "flip $c"
done
push_as bob "$wc2" origin team/flip
expect_rejected "attack: commits alternating two trees, each small, past paths_per_push: rejected"
expect_out "paths_per_push: the limit and its key are named" "[limit.paths_per_push]" \
  "settings.limits.paths_per_push allows 500"
expect_ref "paths_per_push: nothing landed" "$srv2" refs/heads/team/flip none
git -C "$wc2" reset -q --hard HEAD~5
push_as bob "$wc2" origin team/flip
expect_accepted "paths_per_push: the same push cut to 200 pairs is accepted"

finish
