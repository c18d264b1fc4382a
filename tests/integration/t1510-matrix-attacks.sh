#!/usr/bin/env bash
# Attacks through the matrix itself, as real pushes: a matrix that would run
# a command on the server (the matrix may only name a policy the server's
# git config defines), what the admin-defined policy's child sees (no GIT_*
# variable, a working directory outside the repository), a matrix change
# that deletes an expectation and breaks it in one push, policy data
# (.gatehouse/ignore, the OSV file) landed with an ordinary review, and YAML
# aliases judged the same by the container policy and the external policy.
. "$(dirname "$0")/lib.sh"

STANDIN=$ROOT/tests/integration/policies/standin-opa.sh
MODE=$TMP/opa-mode
echo allow >"$MODE"

# matrix FILE [YAML...]: base.yml with YAML before its settings: section
matrix() {
  local out=$1; shift
  { sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"; printf '%s\n' "$@"; printf 'settings:\n  on_error: reject\n'; } >"$out"
}

# put_reviewed CLONE FILE: put_matrix, with the review matrix changes need (carol: configure_pipeline)
put_reviewed() {
  put_matrix "$1" "$2"
  git -C "$1" commit -q --amend --no-edit --trailer "Reviewed-by: Carol <carol@example.com>"
}

# ---- 1. the matrix runs no command -----------------------------------------

CANARY=$TMP/canary
# what an attacker's command would do: leave a mark, move main to an unreviewed commit
EVIL="echo pwned >$CANARY; env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main refs/heads/team/evil 2>/dev/null; echo {}"

# bootstrap: whoever creates the repository brings the first matrix
srv=$(new_server boot)
wc=$(new_clone "$srv" boot)
matrix "$TMP/boot.yml" 'policies:' '  external:' "    command: [\"/bin/sh\", \"-c\", \"$EVIL\"]"
put_matrix "$wc" "$TMP/boot.yml"
push_as erin "$wc" origin main
expect_rejected "attack: bootstrap matrix with an external command: rejected"
expect_out "attack: bootstrap command: matrix.invalid says the command moved to server config" \
  "[matrix.invalid]" "policies.external.command is no longer read from the matrix" \
  "git config gatehouse.externalPolicy.NAME.command"
expect_ref "attack: bootstrap command: main was not created" "$srv" refs/heads/main none
git -C "$wc" checkout -q -b team/evil
commit_file "$wc" evil.txt "unreviewed" "unreviewed change"
push_as bob "$wc" origin team/evil
push_as bob "$wc" origin team/evil:refs/heads/team/evil2
expect_eq "attack: bootstrap command: the command never ran (no canary)" "$(test -e "$CANARY" && echo ran || echo never)" never
expect_ref "attack: bootstrap command: main did not move" "$srv" refs/heads/main none

# a release member changes the trusted matrix of a guarded repository
srv=$(new_server rel)
wc=$(new_clone "$srv" rel)
matrix "$TMP/rel.yml"
put_matrix "$wc" "$TMP/rel.yml"
push_as erin "$wc" origin main
expect_accepted "setup: a guarded repository"
main0=$(ref_of "$srv" refs/heads/main)
git -C "$wc" checkout -q -b team/evil
commit_file "$wc" evil.txt "unreviewed" "unreviewed change"
push_as bob "$wc" origin team/evil
git -C "$wc" checkout -q main
matrix "$TMP/rel-evil.yml" 'policies:' '  external:' "    command: [\"/bin/sh\", \"-c\", \"$EVIL\"]"
put_reviewed "$wc" "$TMP/rel-evil.yml"
push_as erin "$wc" origin main
expect_rejected "attack: release member pushes a matrix with an external command: rejected"
expect_out "attack: release member command: matrix.invalid, with the git config line" \
  "[matrix.invalid]" "git config gatehouse.externalPolicy.NAME.command"
git -C "$wc" checkout -q team/evil
commit_file "$wc" evil2.txt "more" "more"
push_as bob "$wc" origin team/evil
expect_eq "attack: release member command: the command never ran (no canary)" "$(test -e "$CANARY" && echo ran || echo never)" never
expect_ref "attack: release member command: main did not move" "$srv" refs/heads/main "$main0"

# the matrix names a policy the server does not define
git -C "$wc" checkout -q main
git -C "$wc" reset -q --hard "$main0"
matrix "$TMP/rel-use.yml" 'policies:' '  external: { use: evil, timeout_ms: 2000 }'
put_reviewed "$wc" "$TMP/rel-use.yml"
push_as erin "$wc" origin main
expect_rejected "attack: a matrix naming a policy the server does not define: rejected"
expect_out "undefined policy: matrix.invalid names it and the git config that defines it" \
  "[matrix.invalid]" "policies.external.use names 'evil'" "git config gatehouse.externalPolicy.evil.command"
expect_ref "undefined policy: main did not move" "$srv" refs/heads/main "$main0"
OUT=$("$GATEHOUSE" matrix validate "$TMP/rel-evil.yml" 2>&1); RC=$?
expect_eq "matrix validate: command: is refused" "$((RC != 0))" 1
expect_out "matrix validate: says where the command went" "policies.external.command is no longer read from the matrix" \
  "git config gatehouse.externalPolicy.NAME.command"

# the admin defines the policy; the matrix names it
git --git-dir="$srv" config gatehouse.externalPolicy.audit.command "$STANDIN $MODE"
matrix "$TMP/rel-audit.yml" 'policies:' '  external: { use: audit, timeout_ms: 3000 }'
git -C "$wc" reset -q --hard "$main0"
put_reviewed "$wc" "$TMP/rel-audit.yml"
push_as erin "$wc" origin main
expect_accepted "a matrix naming the admin's policy: accepted"
main1=$(ref_of "$srv" refs/heads/main)
git -C "$wc" checkout -q -B team/forbidden main
commit_file "$wc" f.txt "f" "f"
rm -f "$MODE.env" "$MODE.pwd" "$MODE.input"
echo deny >"$MODE"
push_as bob "$wc" origin team/forbidden
expect_rejected "admin's policy: runs, and its deny rejects"
expect_out "admin's policy: its message is shown" "[policy.external] no pushes to refs/heads/team/forbidden (team rule 7)"
expect_ref "admin's policy: the denied ref was not created" "$srv" refs/heads/team/forbidden none
expect_eq "admin's policy child: no GIT_* variable in its environment" \
  "$(test -f "$MODE.env" && awk '/^GIT_/ {n++} END {print n + 0}' "$MODE.env" || echo missing)" 0
expect_eq "admin's policy child: the documented environment only" \
  "$(cut -d= -f1 "$MODE.env" | grep -v '^PWD$\|^SHLVL$\|^_$' | sort | tr '\n' ' ')" "LANG PATH "
pwd_seen=$(cat "$MODE.pwd" 2>/dev/null || echo missing)
case "$pwd_seen" in
  "$srv"*|missing) not_ok "admin's policy child: its working directory is outside the repository" "pwd: $pwd_seen" ;;
  *) ok "admin's policy child: its working directory is outside the repository ($pwd_seen)" ;;
esac
expect_eq "admin's policy child: stdin is the push as JSON" "$(jq -r '.updates[0].ref' "$MODE.input")" refs/heads/team/forbidden

# the server stops defining it: fail closed
git --git-dir="$srv" config --unset gatehouse.externalPolicy.audit.command
echo allow >"$MODE"
git -C "$wc" checkout -q -B team/after main
commit_file "$wc" g.txt "g" "g"
push_as bob "$wc" origin team/after
expect_rejected "the trusted matrix names a policy the server no longer defines: rejected"
expect_out "trusted matrix, undefined policy: matrix.invalid with the git config line" \
  "[matrix.invalid]" "git config gatehouse.externalPolicy.audit.command"
expect_ref "trusted matrix, undefined policy: the ref was not created" "$srv" refs/heads/team/after none
git --git-dir="$srv" config gatehouse.externalPolicy.audit.command "$STANDIN $MODE"
push_as bob "$wc" origin team/after
expect_accepted "defined again: accepted"

# ---- 6. matrix changes ---------------------------------------------------------

srv=$(new_server exp)
wc=$(new_clone "$srv" exp)
matrix "$TMP/exp.yml" 'expectations:' '  - {user: erin, ref: refs/heads/main, action: push, expect: allow}' \
  '  - {user: bob, ref: refs/heads/main, action: push, expect: deny}'
put_matrix "$wc" "$TMP/exp.yml"
push_as erin "$wc" origin main
expect_accepted "setup: a matrix with expectations"
main0=$(ref_of "$srv" refs/heads/main)
exp_line=$(grep -n 'user: bob' "$TMP/exp.yml" | cut -d: -f1)
# delete the expectation and break it in the same push
matrix "$TMP/exp-evil.yml" 'expectations:' '  - {user: erin, ref: refs/heads/main, action: push, expect: allow}'
sed -i 's/^    push: \[release\]$/    push: [release, developers]/' "$TMP/exp-evil.yml"
put_reviewed "$wc" "$TMP/exp-evil.yml"
push_as erin "$wc" origin main
expect_rejected "attack: a matrix change that deletes an expectation and breaks it: rejected"
expect_out "attack: expectation deleted: the trusted matrix's expectation is named with its line" \
  "[matrix.invalid]" "expectation at line $exp_line of the trusted matrix fails: bob would be allowed to push refs/heads/main"
expect_ref "attack: expectation deleted: main did not move" "$srv" refs/heads/main "$main0"
# deleting it alone is a reviewed change of its own
git -C "$wc" reset -q --hard "$main0"
matrix "$TMP/exp-drop.yml" 'expectations:' '  - {user: erin, ref: refs/heads/main, action: push, expect: allow}'
put_reviewed "$wc" "$TMP/exp-drop.yml"
push_as erin "$wc" origin main
expect_accepted "deleting an expectation that still holds: accepted"

# policy data is pipeline configuration
srv=$(new_server data)
wc=$(new_clone "$srv" data)
matrix "$TMP/data.yml" 'policies:' '  dependencies:' '    osv: security/advisories.json'
sed -i 's/^    force_push: false$/    force_push: false\n    reviews: { min: 1, from: [developers, security] }/' "$TMP/data.yml"
mkdir -p "$wc/security" "$wc/.gatehouse"
echo '[]' >"$wc/security/advisories.json"
echo '# fingerprints of accepted findings' >"$wc/.gatehouse/ignore"
git -C "$wc" add security .gatehouse
put_matrix "$wc" "$TMP/data.yml"
push_as erin "$wc" origin main
expect_accepted "setup: a matrix with reviews on main and an OSV file"
main0=$(ref_of "$srv" refs/heads/main)
echo 'github-pat:*:0123456789abcdef' >>"$wc/.gatehouse/ignore"
git -C "$wc" -c user.name=alice -c user.email=alice@example.com commit -q -am "accept a token" \
  --trailer "Reviewed-by: Bob <bob@example.com>"
push_as erin "$wc" origin main
expect_rejected "attack: .gatehouse/ignore changed with only a developer's review: rejected"
expect_out "attack: ignore file: review.pipeline names the file" "[review.pipeline]" ".gatehouse/ignore"
expect_ref "attack: ignore file: main did not move" "$srv" refs/heads/main "$main0"
git -C "$wc" reset -q --hard "$main0"
echo '[{"id": "GHSA-none", "affected": []}]' >"$wc/security/advisories.json"
git -C "$wc" -c user.name=alice -c user.email=alice@example.com commit -q -am "drop the advisories" \
  --trailer "Reviewed-by: Bob <bob@example.com>"
push_as erin "$wc" origin main
expect_rejected "attack: the OSV file changed with only a developer's review: rejected"
expect_out "attack: OSV file: review.pipeline names the file" "[review.pipeline]" "security/advisories.json"
expect_ref "attack: OSV file: main did not move" "$srv" refs/heads/main "$main0"
git -C "$wc" -c user.name=alice -c user.email=alice@example.com commit -q --amend --no-edit \
  --trailer "Reviewed-by: Carol <carol@example.com>"
push_as erin "$wc" origin main
expect_accepted "the OSV file with the configure_pipeline owner's review: accepted"

# ---- 13. YAML aliases: one front end, one behaviour ----------------------------------

srv=$(new_server yaml)
wc=$(new_clone "$srv" yaml)
git --git-dir="$srv" config gatehouse.externalPolicy.opa.command "$STANDIN $MODE"
matrix "$TMP/yaml.yml" 'policies:' '  containers: { privileged: reject }' '  external: { use: opa, timeout_ms: 3000 }'
put_matrix "$wc" "$TMP/yaml.yml"
push_as erin "$wc" origin main
expect_accepted "setup: container and external policies"
main0=$(ref_of "$srv" refs/heads/main)
echo privileged >"$MODE"
git -C "$wc" checkout -q -B team/alias "$main0"
mkdir -p "$wc/deploy"
cat >"$wc/deploy/pod.yaml" <<'YML'
apiVersion: v1
kind: Pod
metadata: {name: x}
x-defaults: &ctx
  privileged: true
spec:
  containers:
    - name: x
      image: nginx
      securityContext: *ctx
YML
git -C "$wc" add deploy/pod.yaml
git -C "$wc" commit -q -m "pod"
push_as bob "$wc" origin team/alias
expect_rejected "alias hiding privileged: true: rejected"
expect_out "alias: the container policy sees it" "[policy.container.privileged] deploy/pod.yaml"
expect_out "alias: the external policy sees it too" "[policy.external] privileged: deploy/pod.yaml"
expect_eq "alias: the external policy's input has the alias resolved" \
  "$(jq -c '[.files[0].error, .files[0].documents[0].spec.containers[0].securityContext.privileged]' "$MODE.input")" '[null,true]'
git -C "$wc" checkout -q -B team/merge "$main0"
cat >"$wc/docker-compose.yml" <<'YML'
x-common: &common
  privileged: true
services:
  web:
    <<: *common
    image: nginx
YML
git -C "$wc" add docker-compose.yml
git -C "$wc" commit -q -m "compose"
push_as bob "$wc" origin team/merge
expect_rejected "compose merge key hiding privileged: true: rejected"
expect_out "merge key: both policies see it" "[policy.container.privileged] docker-compose.yml" \
  "[policy.external] privileged: docker-compose.yml"
expect_eq "merge key: the external policy's input has the merge applied" \
  "$(jq -c '[.files[0].documents[0].services.web.privileged, (.files[0].documents[0].services.web | has("<<"))]' "$MODE.input")" '[true,false]'
echo allow >"$MODE"
git -C "$wc" checkout -q -B team/bomb "$main0"
mkdir -p "$wc/deploy"
{
  echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
  prev=a
  for l in b c d e f g h i; do echo "$l: &$l [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"; prev=$l; done
  echo 'spec: {containers: [{name: x, image: nginx, securityContext: {privileged: true}}], bomb: *i}'
} >"$wc/deploy/bomb.yaml"
git -C "$wc" add deploy/bomb.yaml
git -C "$wc" commit -q -m "bomb"
push_as bob "$wc" origin team/bomb
expect_rejected "billion laughs: rejected as incomplete, never passed"
expect_out "billion laughs: the external policy's input cap is named" "[policy.external.incomplete] deploy/bomb.yaml"
expect_ref "billion laughs: the ref was not created" "$srv" refs/heads/team/bomb none

# --- more than the external policy's input holds: 1,001 new commits in one update
echo allow >"$MODE"
git -C "$wc" checkout -q -B team/long "$main0"
tree=$(git -C "$wc" rev-parse "HEAD^{tree}")
c=$main0
for i in $(seq 1 1001); do c=$(git -C "$wc" commit-tree "$tree" -p "$c" -m "step $i"); done
git -C "$wc" reset -q --hard "$c"
push_as bob "$wc" origin team/long
expect_rejected "attack: 1,001 commits, past what the external policy's input describes: rejected as incomplete"
expect_out "input cap: named, with what to do" "[policy.external.incomplete]" "more than 1000 new commits" \
  "push in smaller parts"
expect_ref "input cap: the ref was not created" "$srv" refs/heads/team/long none
git -C "$wc" reset -q --hard HEAD~1
push_as bob "$wc" origin team/long
expect_accepted "input cap: 1,000 commits, all described: accepted"

finish
