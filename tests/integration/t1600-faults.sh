#!/usr/bin/env bash
# Fault injection: allocation failures (every one of the engine's allocations
# in turn, in the FAULT=1 build that make asan uses), a full disk under the
# audit log, an unreadable matrix.  Each must reject the push with a message
# (fail closed), never crash, and leave nothing half-written.
. "$(dirname "$0")/lib.sh"

srv=$(new_server faults)
wc=$(new_clone "$srv" f)
put_matrix "$wc" base.yml
push_as erin "$wc" origin main
expect_accepted "setup"
commit_file "$wc" a.txt "hello"
GATEHOUSE_USER=bob git -C "$wc" push -q origin HEAD:refs/heads/staging 2>/dev/null
tip=$(git -C "$wc" rev-parse HEAD)

# run the installed hook as git would, for an update whose objects are on the server
hook() {
  OUT=$(cd "$srv" && printf '0000000000000000000000000000000000000000 %s refs/heads/team/f\n' "$tip" |
    env GIT_DIR=. GATEHOUSE_USER=bob "$@" timeout 60 ./hooks/pre-receive 2>&1)
  RC=$?
}

# --- allocation failures: only the FAULT=1 build understands the switch
if [ "${GATEHOUSE_SAN:-0}" = 1 ]; then
  hook
  expect_eq "alloc: without injection the update is accepted" "$RC" 0
  # find how many allocations a successful run makes, then fail each in turn
  total=0
  for n in 50 100 200 400 800 1600 3200 6400; do
    hook GATEHOUSE_FAIL_ALLOC_AFTER=$n
    if [ "$RC" -eq 0 ]; then total=$n; break; fi
  done
  expect_eq "alloc: a run makes a bounded number of allocations" "$([ "$total" -gt 0 ] && echo yes)" yes
  bad=0 crashes=0 silent=0 step=$(( total / 120 + 1 ))
  for n in $(seq 0 "$step" $((total - 1))); do
    hook GATEHOUSE_FAIL_ALLOC_AFTER=$n
    if [ "$RC" -gt 1 ] || grep -q "Sanitizer\|runtime error" <<<"$OUT"; then
      crashes=$((crashes + 1)); echo "# n=$n rc=$RC: $(head -c 300 <<<"$OUT")"
    elif [ "$RC" -eq 0 ]; then
      # accepted: only legitimate if the failed allocation did not matter to the verdict,
      # which gatehouse never allows silently: an accepted run must not have failed
      if grep -q "out of memory" <<<"$OUT"; then bad=$((bad + 1)); echo "# n=$n accepted after OOM"; fi
    elif ! grep -q "gatehouse" <<<"$OUT"; then
      silent=$((silent + 1)); echo "# n=$n rc=$RC without a message"
    fi
  done
  expect_eq "alloc: no crash or sanitizer report for any failed allocation ($((total / step)) points)" "$crashes" 0
  expect_eq "alloc: never accepted after running out of memory" "$bad" 0
  expect_eq "alloc: every rejection says why" "$silent" 0
  torn=$(jq -c . "$srv/gatehouse/audit.jsonl" 2>&1 >/dev/null | wc -l)
  expect_eq "alloc: the audit log holds only whole records" "$torn" 0
else
  echo "# SKIP: allocation-failure injection needs the FAULT=1 build (make asan runs it)"
fi

# --- a full disk under the audit log
mnt=$TMP/full
mkdir -p "$mnt"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
  on_exit "umount '$mnt'"
  head -c 100000 /dev/zero >"$mnt/filler" 2>/dev/null
  git --git-dir="$srv" config gatehouse.auditLog "$mnt/audit.jsonl"
  hook
  expect_eq "disk full: the push is rejected (on_error: reject)" "$RC" 1
  expect_out "disk full: and says what broke" "audit log" "No space left on device"
  if [ ! -s "$mnt/audit.jsonl" ] || jq -c . "$mnt/audit.jsonl" >/dev/null 2>&1; then
    ok "disk full: nothing half-written"
  else not_ok "disk full: nothing half-written" "$(tail -c 200 "$mnt/audit.jsonl")"; fi
  rm -f "$mnt/filler"
  hook
  expect_eq "disk full: with space again, the same update is accepted" "$RC" 0
  expect_eq "disk full: and recorded whole" "$(jq -r .verdict "$mnt/audit.jsonl" | tail -n 1)" accepted
  git --git-dir="$srv" config --unset gatehouse.auditLog
else
  echo "# SKIP: cannot mount a tmpfs here (needs root and mount rights)"
fi

# --- an unreadable matrix
mkdir -p "$TMP/not-a-file.yml"
git --git-dir="$srv" config gatehouse.matrixFile "$TMP/not-a-file.yml"
hook
expect_eq "matrix unreadable: rejected" "$RC" 1
expect_out "matrix unreadable: says so" "is not a regular file"
mkfifo "$TMP/fifo.yml"
git --git-dir="$srv" config gatehouse.matrixFile "$TMP/fifo.yml"
hook
expect_eq "matrix is a FIFO: rejected without blocking" "$RC" 1
git --git-dir="$srv" config --unset gatehouse.matrixFile

finish
