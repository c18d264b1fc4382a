#!/usr/bin/env bash
# Break-glass leaks to other refs (issue 13, item 12): an override covers the
# ref it was given for.  Each finding it lets through is kept in the server's
# ledger ($GIT_DIR/gatehouse/overrides.jsonl) and judged again wherever its
# commit lands next: a fast-forward of main or a new branch at that commit
# brings nothing new to scan, yet is rejected.
. "$(dirname "$0")/lib.sh"

srv=$(new_server leak)
wc=$(new_clone "$srv" leak)
m=$TMP/leak.yml
sed -e 's/^settings:/settings:\n  override_role: security\n  metrics_file: gatehouse\/metrics.prom/' \
    -e 's/  release: \[erin\]/  release: [erin, carol]/' "$MATRIX_DIR/base.yml" >"$m"
cat >>"$m" <<'YML'
YML
sed -i 's/^refs:/refs:\n  - pattern: refs\/heads\/hotfix\n    push: [release]\n    create: [release]/' "$m"
put_matrix "$wc" "$m"
push_as erin "$wc" origin main
expect_accepted "setup: bootstrap"
main0=$(ref_of "$srv" refs/heads/main)

git -C "$wc" checkout -q -b hotfix
printf 'k = AKIAZ7QRST2345ABCDEF\n' >"$wc/incident.txt"
git -C "$wc" add incident.txt && git -C "$wc" commit -q -m "hotfix with a key"
leak=$(git -C "$wc" rev-parse HEAD)
push_as carol "$wc" origin hotfix
expect_rejected "setup: the key is found on hotfix"
push_as carol "$wc" -o "gatehouse.override=INC-7: prod down" origin hotfix
expect_accepted "setup: carol breaks glass for hotfix"
ledger="$srv/gatehouse/overrides.jsonl"
expect_eq "ledger: one record, for hotfix, with rule, path, commit and blob" \
  "$(jq -r '[.ref, .rule, .path, .commit, .blob, .by, .reason] | @tsv' "$ledger" 2>&1)" \
  "$(printf 'refs/heads/hotfix\taws-access-key-id\tincident.txt\t%s\t%s\tcarol\tINC-7: prod down' "$leak" "$(git -C "$wc" rev-parse HEAD:incident.txt)")"
expect_eq "ledger: the secret itself is not in it" "$(grep -c AKIAZ7QRST2345ABCDEF "$ledger")" 0
expect_eq "audit: the record names the overridden finding" \
  "$(json_get "$(last_audit "$srv")" '.override.findings[0] | [.rule, .path, .commit] | @tsv')" \
  "$(printf 'aws-access-key-id\tincident.txt\t%s' "$leak")"
expect_eq "metrics: the overridden finding is counted" \
  "$(grep '^gatehouse_overridden_findings_total' "$srv/gatehouse/metrics.prom" | awk '{print $2}')" 1

# --- the same commit reaches main by a fast-forward: nothing new to scan
git -C "$wc" checkout -q main && git -C "$wc" merge -q --ff-only hotfix
push_as erin "$wc" origin main
expect_rejected "attack: fast-forwarding main to the overridden hotfix commit: rejected"
expect_out "attack: fast-forward: says where the override was given" "[secret.aws-access-key-id] incident.txt: aws-access-key-id AKIA...(20 chars) in commit" \
  "let onto refs/heads/hotfix by carol's break-glass override (INC-7: prod down)" \
  "an override covers only the ref it was given for"
expect_ref "attack: fast-forward: main did not move" "$srv" refs/heads/main "$main0"

# --- a new unprotected branch at it
push_as bob "$wc" origin "$leak:refs/heads/team/copy"
expect_rejected "attack: a new team branch at the overridden commit: rejected"
expect_ref "attack: new branch: not created" "$srv" refs/heads/team/copy none

# --- hotfix itself moves on: the finding is behind its old tip already
git -C "$wc" checkout -q hotfix
git -C "$wc" commit -q --allow-empty -m "follow-up"
push_as carol "$wc" origin hotfix
expect_accepted "the ref the override was given for moves on without a new override"

# --- an override for main, given on purpose: recorded for main too
git -C "$wc" checkout -q main
push_as carol "$wc" -o "gatehouse.override=INC-7: main too" origin main
expect_accepted "a second override, for main, lets it land there"
expect_eq "ledger: a second record, for main" "$(jq -r .ref "$ledger" | tr '\n' ' ')" "refs/heads/hotfix refs/heads/main "

# --- a ledger that cannot be read rejects (fail closed)
printf 'not json\n' >>"$ledger"
git -C "$wc" commit -q --allow-empty -m "after a broken ledger"
push_as erin "$wc" origin main
expect_rejected "a broken ledger rejects every push"
expect_out "a broken ledger: names the file and line" "overrides.jsonl, line 3: not a ledger record"

finish
