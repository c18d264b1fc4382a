#!/usr/bin/env bash
# Push options and break-glass: git push -o gatehouse.override="INC-1234: reason"
# lets a member of settings.override_role push past the evidence and secret
# checks of a protected ref (never past push/delete permissions); refused for
# anyone else and without a reason; shouted and audited.  And the time
# budget (settings.time_budget_ms) with a deliberately slow scan.
. "$(dirname "$0")/lib.sh"

srv=$(new_server override)
if [ "$(git --git-dir="$srv" config receive.advertisePushOptions)" = true ]; then
  ok "install.sh: enables receive.advertisePushOptions"
else not_ok "install.sh: enables receive.advertisePushOptions"; fi
expect_eq "install.sh: and says so" "$(grep -c 'receive.advertisePushOptions' "$TMP/override.install.log")" 1
wc=$(new_clone "$srv" ov)
m=$TMP/override.yml
sed -e 's/^settings:/settings:\n  override_role: security/' \
    -e 's/  release: \[erin\]/  release: [erin, carol]/' "$MATRIX_DIR/base.yml" >"$m"
awk '{print} /^    force_push: false$/ && !done {print "    reviews: {min: 1}"; done=1}' "$m" >"$m.tmp" && mv "$m.tmp" "$m"
put_matrix "$wc" "$m"
push_as erin "$wc" origin main
expect_accepted "setup"
base=$(ref_of "$srv" refs/heads/main)

printf 'k = AKIAZ7QRST2345ABCDEF\n' >"$wc/incident.txt"
git -C "$wc" add incident.txt && git -C "$wc" commit -q -m "hotfix"
push_as carol "$wc" origin main
expect_rejected "override: without it, evidence and secret checks reject"
expect_out "override: both kinds of reason" "[review.min]" "[secret.aws-access-key-id]"

push_as erin "$wc" -o "gatehouse.override=INC-1: hotfix" origin main
expect_rejected "override: refused for someone outside the override role"
expect_out "override: says why" "[override.refused]" "only members of the override role may break glass"
push_as carol "$wc" -o "gatehouse.override=" origin main
expect_rejected "override: refused without a reason"
expect_out "override: asks for one" 'an override needs a reason'
push_as carol "$wc" -o "gatehouse.override" origin main
expect_rejected "override: refused without even an ="
expect_ref "override: main did not move" "$srv" refs/heads/main "$base"

push_as carol "$wc" -o "gatehouse.override=INC-1234: prod is down, key rotated" origin main
expect_accepted "override: a member of the override role with a reason breaks glass"
expect_out "override: shouted to the pusher" "*** BREAK-GLASS OVERRIDE by carol: \"INC-1234: prod is down, key rotated\" ***" \
  "checks skipped on refs/heads/main: review.min,secret.aws-access-key-id" "permissions still applied"
rec=$(last_audit "$srv")
expect_eq "override: recorded with reason and what it skipped" \
  "$(json_get "$rec" '[.override.requested_by, .override.reason, .override.applied, .override.checks_skipped] | @tsv')" \
  "$(printf 'carol\tINC-1234: prod is down, key rotated\ttrue\treview.min,secret.aws-access-key-id')"

# never past permissions
git -C "$wc" commit -q --allow-empty -m "more"
push_as bob "$wc" -o "gatehouse.override=INC-9: please" origin main
expect_rejected "override: never past push permissions (and bob may not override anyway)"
git -C "$wc" checkout -q -b t main
push_as carol "$wc" -o "gatehouse.override=INC-2: cleanup" --delete origin main
expect_rejected "override: never past delete permissions"
expect_out "override: the permission reason stays" "[ref.delete]"

# --- time budget: a deliberately slow scan
srv2=$(new_server budget)
wc2=$(new_clone "$srv2" b)
put_matrix "$wc2" base.yml
# over 64 KiB, so this push compiles the Vectorscan database and caches it: the
# heavy push below then spends its budget scanning, not compiling (which takes
# ~9 s under ASan on a loaded machine, near the 10 s watchdog this budget arms)
seq 1 20000 >"$wc2/numbers.txt"
git -C "$wc2" add numbers.txt && git -C "$wc2" commit -q -m "numbers"
push_as erin "$wc2" origin main
expect_accepted "budget: setup"
expect_eq "budget: setup: the scanner's database is cached on the server" \
  "$(find "$srv2/gatehouse/cache" -type f 2>/dev/null | grep -q . && echo yes)" yes
# the budget arrives in a push judged by the matrix before it (no budget yet)
sed 's/^settings:/settings:\n  time_budget_ms: 100/' "$MATRIX_DIR/base.yml" >"$TMP/budget.yml"
put_matrix "$wc2" "$TMP/budget.yml"
git -C "$wc2" commit -q --amend --no-edit --trailer "Reviewed-by: Carol <carol@example.com>"
push_as erin "$wc2" origin main
expect_accepted "budget: settings.time_budget_ms: 100 lands"
git -C "$wc2" checkout -q -b heavy
mkdir -p "$wc2/data"
for i in $(seq 1 300); do
  head -c 200000 /dev/urandom | base64 -w 120 >"$wc2/data/f$i.txt"
done
git -C "$wc2" add data && git -C "$wc2" commit -q -m "lots of data"
OUT=$(cd "$wc2" && GATEHOUSE_USER=bob GATEHOUSE_THREADS=1 timeout 300 git push origin heavy 2>&1); RC=$?
expect_rejected "budget: a scan over settings.time_budget_ms rejects (on_error: reject)"
expect_out "budget: the message says so" "time budget of 100 ms (settings.time_budget_ms) exceeded"
expect_ref "budget: nothing landed" "$srv2" refs/heads/heavy none
# the admin switches on_error to allow on the server itself (hooks bypassed by design)
sed -i 's/  on_error: reject/  on_error: allow/' "$TMP/budget.yml"
git -C "$wc2" checkout -q main
put_matrix "$wc2" "$TMP/budget.yml"
mv "$srv2/hooks/pre-receive" "$TMP/pre-receive.aside"
git -C "$wc2" push -q origin main 2>/dev/null
mv "$TMP/pre-receive.aside" "$srv2/hooks/pre-receive"
git -C "$wc2" checkout -q heavy
OUT=$(cd "$wc2" && GATEHOUSE_USER=bob GATEHOUSE_THREADS=1 timeout 300 git push origin heavy 2>&1); RC=$?
expect_accepted "budget: with on_error: allow the push goes through"
expect_out "budget: loudly" "WARNING: checks did not run" "time budget of 100 ms"
expect_eq "budget: and on record" "$(json_get "$(last_audit "$srv2")" '.on_error + " " + (.error | test("time budget") | tostring)')" "allow true"

finish
