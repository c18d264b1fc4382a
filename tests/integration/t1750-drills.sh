#!/usr/bin/env bash
# gatehouse drill: each of the four attacks against the demo setup (every
# control holds) and against a real server whose matrix lacks the policies
# (the gaps are reported, exit 1), role by role from that server's matrix;
# the throwaway repository is removed and the server is untouched.
. "$(dirname "$0")/lib.sh"

before=$(ls -d /tmp/gatehouse-drill-* 2>/dev/null | wc -l)
for d in leaked-secret compromised-dependency privileged-container unprotected-deploy; do
  OUT=$("$GATEHOUSE" drill "$d" 2>&1); RC=$?
  expect_eq "demo $d: the control held (exit 0)" "$RC" 0
  expect_out "demo $d: says so, with the pusher's message and who acts" \
    "control: HELD" "gatehouse: push would be rejected" "who acts (from the responsibility matrix):" \
    "configure_pipeline: security (carol)"
done
expect_out "demo unprotected-deploy: the deployment owners must act" "must act  approve_deployment: operations (dave)"

# a real server with the integration tests' base matrix: no policies
srv=$(new_server drills)
wc=$(new_clone "$srv" drills)
put_matrix "$wc" base.yml
push_as erin "$wc" origin main
expect_accepted "setup"
audit_before=$(wc -l <"$srv/gatehouse/audit.jsonl")
refs_before=$(git --git-dir="$srv" for-each-ref | sha256sum)
OUT=$("$GATEHOUSE" drill leaked-secret --repo "$srv" 2>&1); RC=$?
expect_eq "server leaked-secret: secrets are always on, the control held" "$RC" 0
expect_out "server leaked-secret: the server's matrix and its roles" "the matrix of $srv (refs/heads/main:matrix/responsibility.yml)" \
  "[secret.aws-access-key-id]" "resolve_vulnerabilities: developers (alice, bob)"
OUT=$("$GATEHOUSE" drill compromised-dependency --repo "$srv" 2>&1); RC=$?
expect_eq "server compromised-dependency: no deny list, the control did not hold (exit 1)" "$RC" 1
expect_out "server compromised-dependency: the gap and how to close it" "control: DID NOT HOLD" \
  "to close the gap: add policies.dependencies.deny"
OUT=$("$GATEHOUSE" drill unprotected-deploy --repo "$srv" 2>&1); RC=$?
expect_eq "server unprotected-deploy: no deploy_refs, did not hold" "$RC" 1
expect_eq "the server is untouched: no audit record, no ref" \
  "$(wc -l <"$srv/gatehouse/audit.jsonl") $(git --git-dir="$srv" for-each-ref | sha256sum)" "$audit_before $refs_before"
OUT=$("$GATEHOUSE" drill nonsense 2>&1); RC=$?
expect_eq "an unknown drill is a usage error" "$RC" 2
expect_out "an unknown drill lists the drills" "leaked-secret, compromised-dependency, privileged-container, unprotected-deploy"
OUT=$("$GATEHOUSE" drill leaked-secret --repo "$TMP/nowhere" 2>&1); RC=$?
expect_eq "a --repo that is not a repository is a usage error" "$RC" 2
expect_eq "every throwaway repository was removed" "$(ls -d /tmp/gatehouse-drill-* 2>/dev/null | wc -l)" "$before"
finish
