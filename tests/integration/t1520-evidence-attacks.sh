#!/usr/bin/env bash
# Attacks on evidence (issue 13, items 3-5), each a real push that was
# accepted before the fix:
#   3  creating a protected ref from a branch whose commits nobody judged
#      (a creation used to hide every existing branch and tag);
#   4  deploying a feature branch through a refs/heads/** catch-all rule
#      (deploy_refs used to take commits from any ref a rule covers);
#   5  evidence from the person who makes or pushes the change: the tagger,
#      the pusher, the committer and the signers never count.
# HOOK=update runs the same cases under the update hook.
. "$(dirname "$0")/lib.sh"

HOOK=${HOOK:-pre-receive}
K=$TMP/keys
mkdir -p "$K"
for who in erin frank; do ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$K/$who"; done

matrix=$TMP/attacks.yml
cat >"$matrix" <<YML
version: 1
people:
  alice: { emails: [alice@example.com] }
  bob: { emails: [bob@example.com] }
  carol: { emails: [carol@example.com] }
  dave: { emails: [dave@example.com] }
  erin: { emails: [erin@example.com], keys: ["$(cut -d' ' -f1,2 "$K/erin.pub")"] }
  frank: { emails: [frank@example.com], keys: ["$(cut -d' ' -f1,2 "$K/frank.pub")"] }
roles:
  developers: [alice, bob]
  security: [carol]
  operations: [dave]
  release: [erin, frank]
responsibilities:
  write_code: developers
  review_code: [developers, security, release]
  configure_pipeline: security
  resolve_vulnerabilities: developers
  approve_deployment: release
refs:
  - pattern: refs/heads/main
    push: [release]
    create: [release]
    reviews: { min: 1 }
  - pattern: refs/heads/release/**
    push: [release]
    force_push: [release]
    reviews: { min: 1 }
    trailers: { Scan-SAST: [pass] }
  - pattern: refs/heads/hotfix/*
    push: [release]
    reviews: { min: 2 }
    trailers: { Scan-SAST: [pass] }
  - pattern: refs/heads/team/*
    push: [developers, release]
    reviews: { min: 1 }
  - pattern: refs/tags/deploy-*
    push: [release]
    approvals: { min: 1 }
  - pattern: refs/heads/**
    push: [developers, release]
    delete: [developers]
policies:
  deploy_refs:
    - refs/heads/deploy/*
    - { pattern: "refs/heads/canary/*", from: ["refs/heads/release/*"] }
YML
OUT=$("$GATEHOUSE" matrix validate "$matrix" 2>&1); RC=$?
expect_eq "setup: the attack matrix is valid" "$RC:$(tail -n 1 <<<"$OUT")" "0:$matrix: ok"

# the README's deploy_refs example validates; bad shapes are refused with file:line:col
{ sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"; cat <<'YML'
policies:
  deploy_refs:
    - refs/heads/deploy/*     # commits already on a ref whose rule demands evidence
    - { pattern: "refs/heads/canary/*", from: ["refs/heads/main", "refs/tags/v*"] }
YML
} >"$TMP/readme-deploy.yml"
OUT=$("$GATEHOUSE" matrix validate "$TMP/readme-deploy.yml" 2>&1); RC=$?
expect_eq "validate: the README's deploy_refs example is valid" "$RC:$(tail -n 1 <<<"$OUT")" "0:$TMP/readme-deploy.yml: ok"
sed 's|from: \["refs/heads/main", "refs/tags/v\*"\]|from: []|' "$TMP/readme-deploy.yml" >"$TMP/bad-deploy.yml"
line=$(grep -n 'canary' "$TMP/bad-deploy.yml" | cut -d: -f1)
OUT=$("$GATEHOUSE" matrix validate "$TMP/bad-deploy.yml" 2>&1); RC=$?
expect_eq "validate: an empty from: is refused (exit 2)" "$RC" 2
expect_out "validate: an empty from: names file:line:col" \
  "$TMP/bad-deploy.yml:$line:47: error: policies.deploy_refs[].from must name at least one ref glob"
sed 's|- { pattern: "refs/heads/canary/\*", from:.*|- { pattern: "refs/heads/canary/*" }|' "$TMP/readme-deploy.yml" >"$TMP/bad-deploy.yml"
OUT=$("$GATEHOUSE" matrix validate "$TMP/bad-deploy.yml" 2>&1); RC=$?
expect_eq "validate: an entry without from: is refused (exit 2)" "$RC" 2
expect_out "validate: an entry without from: names file:line:col" "$TMP/bad-deploy.yml:$line:7: error: " "needs from:"

srv=$(new_server attacks --hook "$HOOK")
wc=$(new_clone "$srv" atk)
put_matrix "$wc" "$matrix"
push_as erin "$wc" origin main
expect_accepted "setup: bootstrap"

# ci WHO [git commit args]: commit as WHO (author and committer).
ci() {
  local who=$1; shift
  git -C "$wc" -c "user.name=$who" -c "user.email=$who@example.com" commit -q "$@"
}
change() { mkdir -p "$(dirname "$wc/$1")"; echo "$2" >>"$wc/$1"; git -C "$wc" add "$1"; }
short() { git -C "$wc" rev-parse --short=10 "$1"; }

change src/a.c "int a;"
ci alice --trailer "Reviewed-by: Bob <bob@example.com>" --trailer "Scan-SAST: pass" -m "Add a"
push_as erin "$wc" origin main
expect_accepted "setup: a reviewed commit on main"
main1=$(git -C "$wc" rev-parse HEAD)

# ---- item 3: creating a protected ref ---------------------------------------

git -C "$wc" checkout -q -b feature/x
change src/wip.c "int wip;"
ci bob -m "wip: unreviewed"
push_as bob "$wc" origin feature/x
expect_accepted "setup: a developer pushes an unreviewed commit to an unprotected branch"
wip=$(git -C "$wc" rev-parse HEAD)

push_as erin "$wc" origin "$wip:refs/heads/release/1.0"
expect_rejected "attack: release/1.0 created from an unreviewed feature branch: rejected"
expect_out "attack: release/1.0 from a feature branch: the unreviewed commit is judged" \
  "[review.min] commit $(short "$wip") wip: unreviewed: no reviews counted" "[trailer.required]"
expect_ref "attack: release/1.0 from a feature branch: not created" "$srv" refs/heads/release/1.0 none

push_as erin "$wc" origin "$main1:refs/heads/release/1.0"
expect_accepted "create: release/1.0 from main's reviewed tip: accepted"
expect_ref "create: release/1.0 from main: created" "$srv" refs/heads/release/1.0 "$main1"

push_as erin "$wc" origin "$wip:refs/heads/release/1.0"
expect_rejected "attack: release/1.0 fast-forwarded to the unreviewed branch: rejected"
expect_out "attack: release/1.0 fast-forward: the unreviewed commit is judged" \
  "[review.min] commit $(short "$wip") wip: unreviewed"
expect_ref "attack: release/1.0 fast-forward: not moved" "$srv" refs/heads/release/1.0 "$main1"

# a ref demanding less (team/*: a review, no scan trailer) does not vouch for release/*
git -C "$wc" checkout -q -b team/y "$main1"
change src/team.c "int team;"
ci bob --trailer "Reviewed-by: Alice <alice@example.com>" -m "team: reviewed, not scanned"
push_as bob "$wc" origin team/y
expect_accepted "setup: a reviewed commit on team/y (no scan trailer needed there)"
team=$(git -C "$wc" rev-parse HEAD)
push_as erin "$wc" origin "$team:refs/heads/release/2.0"
expect_rejected "attack: release/2.0 created from a ref that demands less: rejected"
expect_out "attack: release/2.0 from team/y: the missing scan trailer is named" \
  "[trailer.required] commit $(short "$team") team: reviewed, not scanned has no Scan-SAST trailer"
expect_no_out "attack: release/2.0 from team/y: the review there counts" "[review.min]"
expect_ref "attack: release/2.0 from team/y: not created" "$srv" refs/heads/release/2.0 none

# a ref demanding the same or more (hotfix/*: two reviews and the trailer) does
git -C "$wc" checkout -q -b hotfix/z "$main1"
change src/fix.c "int fix;"
ci alice --trailer "Reviewed-by: Bob <bob@example.com>" --trailer "Reviewed-by: Carol <carol@example.com>" \
  --trailer "Scan-SAST: pass" -m "hotfix: reviewed twice and scanned"
push_as erin "$wc" origin hotfix/z
expect_accepted "setup: a hotfix that passed hotfix/*'s stricter rule"
hot=$(git -C "$wc" rev-parse HEAD)
push_as erin "$wc" origin "$hot:refs/heads/release/3.0"
expect_accepted "create: release/3.0 from a ref that demands more: accepted"

# ---- item 4: deploy refs ------------------------------------------------------

push_as bob "$wc" origin "$wip:refs/heads/deploy/prod"
expect_rejected "attack: a feature branch pushed to deploy/prod through a refs/heads/** rule: rejected"
expect_out "attack: feature branch to deploy/prod: policy.deploy_ref, with where it looked" \
  "[policy.deploy_ref]" "commit $(short "$wip" | cut -c1-10) is on no ref with evidence requirements"
expect_ref "attack: feature branch to deploy/prod: not created" "$srv" refs/heads/deploy/prod none

push_as bob "$wc" origin "$main1:refs/heads/deploy/prod"
expect_accepted "deploy: a commit already on main: accepted"
expect_ref "deploy: deploy/prod created at main's commit" "$srv" refs/heads/deploy/prod "$main1"

# a second reviewed commit on main, on no release branch
git -C "$wc" checkout -q main
change src/b.c "int b;"
ci alice --trailer "Reviewed-by: Bob <bob@example.com>" -m "Add b"
push_as erin "$wc" origin main
expect_accepted "setup: a second reviewed commit on main"
main2=$(git -C "$wc" rev-parse HEAD)

push_as bob "$wc" origin "$main2:refs/heads/canary/one"
expect_rejected "deploy from: a commit on main but on no release/* ref: rejected"
expect_out "deploy from: names the from patterns" "[policy.deploy_ref]" "refs/heads/release/*"
expect_ref "deploy from: canary/one not created" "$srv" refs/heads/canary/one none
push_as bob "$wc" origin "$wip:refs/heads/canary/one"
expect_rejected "deploy from: a feature branch commit: rejected"
push_as bob "$wc" origin "$main1:refs/heads/canary/one"
expect_accepted "deploy from: a commit on release/1.0: accepted"
expect_ref "deploy from: canary/one created" "$srv" refs/heads/canary/one "$main1"

# ---- item 5: evidence from the same person ------------------------------------

tag_as() { local who=$1; shift; git -C "$wc" -c "user.name=$who" -c "user.email=$who@example.com" tag "$@"; }

tag_as erin -a -m "deploy 1" -m "Approved-by: Erin <erin@example.com>" deploy-1 "$main2"
push_as frank "$wc" origin deploy-1
expect_rejected "attack: a deployment tag approved by its own tagger: rejected"
expect_out "attack: self-approved tag: says the tagger does not count" "[approval.min]" \
  "erin@example.com (the tagger: no self-review)"
expect_ref "attack: self-approved tag: not created" "$srv" refs/tags/deploy-1 none

tag_as erin -a -m "deploy 2" -m "Approved-by: Frank <frank@example.com>" deploy-2 "$main2"
push_as frank "$wc" origin deploy-2
expect_rejected "attack: a deployment tag approved by its pusher: rejected"
expect_out "attack: tag approved by its pusher: says the pusher does not count" "[approval.min]" \
  "frank@example.com (the pusher: no self-review)"
expect_ref "attack: tag approved by its pusher: not created" "$srv" refs/tags/deploy-2 none

push_as erin "$wc" origin deploy-2
expect_accepted "tag: approved by someone who neither tagged nor pushed it: accepted"

# a tag signed by frank's key, naming erin as its tagger
git -C "$wc" -c user.name=erin -c user.email=erin@example.com -c gpg.format=ssh -c "user.signingKey=$K/frank" \
  tag -s -m "deploy 4" -m "Approved-by: Frank <frank@example.com>" deploy-4 "$main2"
push_as erin "$wc" origin deploy-4
expect_rejected "attack: a deployment tag approved by the key that signed it: rejected"
expect_out "attack: tag approved by its signer: says the signer does not count" "[approval.min]" \
  "frank@example.com (signed the tag: no self-review)"
expect_ref "attack: tag approved by its signer: not created" "$srv" refs/tags/deploy-4 none

git -C "$wc" checkout -q main
change src/c.c "int c;"
ci alice --trailer "Reviewed-by: Erin <erin@example.com>" -m "Add c"
push_as erin "$wc" origin main
expect_rejected "attack: Reviewed-by naming the pusher (not the author): not counted"
expect_out "attack: review by the pusher: says why" "[review.min] commit $(short HEAD) Add c: no reviews counted" \
  "erin@example.com (the pusher: no self-review)"
expect_ref "attack: review by the pusher: main did not move" "$srv" refs/heads/main "$main2"
push_as frank "$wc" origin main
expect_accepted "review: the same commit pushed by someone else: accepted"
main3=$(git -C "$wc" rev-parse HEAD)

change src/d.c "int d;"
GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@example.com \
  git -C "$wc" -c user.name=alice -c user.email=alice@example.com \
  commit -q --trailer "Reviewed-by: Bob <bob@example.com>" -m "Add d"
push_as erin "$wc" origin main
expect_rejected "attack: Reviewed-by naming the committer (not the author): not counted"
expect_out "attack: review by the committer: says why" "bob@example.com (the committer: no self-review)"
expect_ref "attack: review by the committer: main did not move" "$srv" refs/heads/main "$main3"

# ---- cost: a creation among 5,000 refs ----------------------------------------

git -C "$wc" reset -q --hard "$main3"
for i in $(seq 1 5000); do echo "create refs/heads/feat/n$i $wip"; done | git --git-dir="$srv" update-ref --stdin
t0=$(date +%s%N)
push_as erin "$wc" origin "$main3:refs/heads/other/9.0"
t1=$(date +%s%N)
echo "# figure: creating an unprotected ref among 5,000 refs: $(( (t1 - t0) / 1000000 )) ms"
t0=$(date +%s%N)
push_as erin "$wc" origin "$main3:refs/heads/release/9.0"
t1=$(date +%s%N)
expect_accepted "cost: creating release/9.0 among 5,000 refs: accepted"
echo "# figure: creating a protected ref among 5,000 refs: $(( (t1 - t0) / 1000000 )) ms"
# (a figure, not an assertion: timings belong to make bench, never to a test's verdict)

finish
