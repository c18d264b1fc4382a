#!/usr/bin/env bash
# caps: a check that stopped looking is incomplete, and incomplete rejects.
# Real pushes that reach each cap of the content policies — the findings one
# push keeps, the entries read from one lock file, the documents read from
# one manifest, the work one manifest may cost — and hide a violation past
# it; each is rejected with the cap's check id, the cap, and what to do,
# and the server's ref does not move.
. "$(dirname "$0")/lib.sh"

srv=$(new_server caps)
wc=$(new_clone "$srv" caps)
{
  sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  cat <<'YML'
policies:
  containers:
    privileged: reject
    unpinned_images: warn
  dependencies:
    deny: ["pypi:ctx@*", "go:example.com/evil@*"]
settings:
  on_error: reject
YML
} >"$TMP/caps.yml"
put_matrix "$wc" "$TMP/caps.yml"
push_as erin "$wc" origin main
expect_accepted "setup: bootstrap"
base=$(git -C "$wc" rev-parse HEAD)

topic() { git -C "$wc" checkout -q -B "team/$1" "$base"; }
# add PATH: commit stdin as PATH
add() { mkdir -p "$(dirname "$wc/$1")"; cat >"$wc/$1"; git -C "$wc" add "$1"; git -C "$wc" commit -q -m "add $1"; }

DIGEST=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
# pod N: a Pod with N containers whose images are not pinned (one warn finding
# each), then one privileged container (pinned).
pod() {
  printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: many\nspec:\n  containers:\n'
  for i in $(seq 1 "$1"); do printf '    - name: c%s\n      image: nginx\n' "$i"; done
  printf '    - name: root\n      image: nginx@%s\n      securityContext:\n        privileged: true\n' "$DIGEST"
}

# --- findings: the push's findings list is full
topic pod-small
pod 3 | add deploy/pod.yaml
push_as bob "$wc" origin team/pod-small
expect_rejected "control: 3 warn findings then a privileged container: rejected"
expect_out "control: the privileged container is named" "[policy.container.privileged] deploy/pod.yaml:"

topic pod-big
pod 1001 | add deploy/pod.yaml
push_as bob "$wc" origin team/pod-big
expect_rejected "attack: 1,001 warn findings then a privileged container: rejected"
expect_out "attack: 1,001 warn findings: the cap and what to do are named" \
  "[policy.findings.incomplete]" "at most 1000 findings" "no setting raises it"
expect_ref "attack: 1,001 warn findings: the branch was not created" "$srv" refs/heads/team/pod-big none

topic pod-at-cap
pod 1000 | sed '/privileged: true/d; /securityContext:/d' | add deploy/pod.yaml
push_as bob "$wc" origin team/pod-at-cap
expect_accepted "1,000 warn findings (the cap, not past it): accepted with warnings"
expect_no_out "1,000 warn findings: not incomplete" "policy.findings.incomplete"

# --- lock entries: a lock file longer than the parser reads
# requirements.txt: 200,000 harmless pins, then a denied package (~3.4 MB)
topic lock-big
{ seq -f 'pkg%.0f==1.0' 1 200000; echo 'ctx==0.2.6'; } | add requirements.txt
push_as bob "$wc" origin team/lock-big
expect_rejected "attack: a denied package after 200,000 lock entries: rejected"
expect_out "attack: lock entries: the cap and what to do are named" \
  "[policy.dependency.incomplete] requirements.txt" "more than 200000 entries" "no setting raises it"
expect_ref "attack: lock entries: the branch was not created" "$srv" refs/heads/team/lock-big none

topic lock-ok
{ seq -f 'pkg%.0f==1.0' 1 199999; echo 'ctx==0.2.6'; } | add requirements.txt
push_as bob "$wc" origin team/lock-ok
expect_rejected "control: a denied package at entry 200,000: rejected for the package"
expect_out "control: lock entries at the cap: the denied package is named" "[policy.dependency.deny] requirements.txt:200000"
expect_no_out "control: lock entries at the cap: not incomplete" "policy.dependency.incomplete"

# --- manifest documents: a manifest with more documents than are read
topic docs-big
{ for i in $(seq 1 50000); do printf -- '---\na: %s\n' "$i"; done; echo ---; pod 0; } | add deploy/many.yaml
push_as bob "$wc" origin team/docs-big
expect_rejected "attack: a privileged Pod after 50,000 manifest documents: rejected"
expect_out "attack: manifest documents: the cap and what to do are named" \
  "[policy.container.incomplete] deploy/many.yaml" "more than 50000 documents" "no setting raises it"
expect_ref "attack: manifest documents: the branch was not created" "$srv" refs/heads/team/docs-big none

topic docs-ok
{ for i in $(seq 1 50000); do printf -- '---\na: %s\n' "$i"; done; } | add deploy/many.yaml
push_as bob "$wc" origin team/docs-ok
expect_accepted "control: 50,000 harmless documents (the cap): accepted"
expect_ref "control: 50,000 documents: the branch was created" "$srv" refs/heads/team/docs-ok "$(git -C "$wc" rev-parse HEAD)"

# --- a manifest larger than policies read (16 MiB): policy.file_too_large
topic big-file
{ pod 0; head -c $((16 * 1024 * 1024)) /dev/zero | tr '\0' '#'; } | add deploy/big.yaml
push_as bob "$wc" origin team/big-file
expect_rejected "a manifest over 16 MiB: rejected"
expect_out "a manifest over 16 MiB: policy.file_too_large names the bound" "[policy.file_too_large] deploy/big.yaml" "larger than the 16777216 bytes policies read"
expect_ref "a manifest over 16 MiB: the branch was not created" "$srv" refs/heads/team/big-file none

# --- the manifest's own bounds: an anchor nested past the depth the tree is
# built to (read as null), then used as a container's securityContext
topic deep-anchor
{
  printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: deep\nx: '
  for i in $(seq 1 130); do printf '['; done
  printf '&sc {privileged: true}'
  for i in $(seq 1 130); do printf ']'; done
  printf '\nspec:\n  containers:\n    - name: a\n      image: nginx@%s\n      securityContext: *sc\n' "$DIGEST"
} | add deploy/deep.yaml
push_as bob "$wc" origin team/deep-anchor
expect_rejected "attack: a privileged securityContext anchored 130 levels deep: rejected"
expect_out "attack: deep anchor: the bound is named" \
  "[policy.container.incomplete] deploy/deep.yaml" "nested deeper than 128 levels" "no setting raises it"
expect_ref "attack: deep anchor: the branch was not created" "$srv" refs/heads/team/deep-anchor none

# a YAML bomb: aliases that expand past the work budget, then a privileged Pod
topic bomb
{
  printf 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n'
  for i in $(seq 1 9); do printf 'a%s: &a%s [*a%s, *a%s, *a%s, *a%s, *a%s, *a%s, *a%s, *a%s, *a%s, *a%s]\n' "$i" "$i" $(for k in $(seq 1 10); do echo $((i - 1)); done); done
  printf 'kind: Pod\nmetadata: {name: bomb}\nspec:\n  containers: [{name: a, image: "nginx@%s", securityContext: {privileged: true}}]\n' "$DIGEST"
  printf 'metadata2: *a9\n'
} | add deploy/bomb.yaml
push_as bob "$wc" origin team/bomb
expect_rejected "YAML bomb before a privileged Pod: rejected"
expect_ref "YAML bomb: the branch was not created" "$srv" refs/heads/team/bomb none

finish
