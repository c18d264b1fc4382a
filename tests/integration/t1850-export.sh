#!/usr/bin/env bash
# settings.metrics_file and settings.syslog: after each push the Prometheus
# text file holds counters and a duration histogram that add up across
# pushes (also 10 concurrent ones: none lost), written by rename (no partial
# file, nothing left behind); each audit record also reaches a syslog socket
# the test listens on, with the severity its verdict calls for.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "# SKIP: python3 is needed for the syslog listener"; finish; }
SOCK=$TMP/log.sock
python3 - "$SOCK" "$TMP/syslog.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(120)
with open(sys.argv[2], "ab", buffering=0) as out:
    try:
        while True:
            out.write(s.recv(1 << 17) + b"\n")
    except socket.timeout:
        pass
PY
LISTENER=$!
on_exit "kill $LISTENER 2>/dev/null; wait $LISTENER 2>/dev/null"
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
export GATEHOUSE_SYSLOG_SOCKET=$SOCK

srv=$(new_server export)
wc=$(new_clone "$srv" exp)
{ cat "$MATRIX_DIR/base.yml"; printf '  metrics_file: gatehouse.prom\n  syslog: true\n'; } >"$TMP/m.yml"
put_matrix "$wc" "$TMP/m.yml"
push_as erin "$wc" origin main
expect_accepted "setup"
commit_file "$wc" a.txt a
push_as bob "$wc" origin main
expect_rejected "bob may not push main"
push_as bob "$wc" origin HEAD:refs/heads/team/x
expect_accepted "bob may push team/x"
M=$srv/gatehouse.prom
metric() { awk -v k="$1" '$1 == k { print $2 }' "$M"; }
expect_eq "metrics: updates by verdict" "$(metric 'gatehouse_ref_updates_total{verdict="accepted"}') $(metric 'gatehouse_ref_updates_total{verdict="rejected"}')" "2 1"
expect_eq "metrics: rejections by check" "$(metric 'gatehouse_rejections_total{check="ref.push"}')" 1
expect_eq "metrics: hook runs and histogram count agree" "$(metric gatehouse_hook_runs_total) $(metric gatehouse_hook_duration_seconds_count) $(metric 'gatehouse_hook_duration_seconds_bucket{le="+Inf"}')" "3 3 3"
expect_eq "metrics: every family has HELP and TYPE" "$(grep -c '^# TYPE gatehouse_' "$M") $(grep -c '^# HELP gatehouse_' "$M")" "10 10"
expect_eq "metrics: every sample line is 'name{labels} number'" \
  "$(grep -v '^#' "$M" | grep -cvE '^gatehouse_[a-z_]+(\{[a-z]+="[^"]*"\})? [0-9.e+-]+$')" 0
expect_eq "metrics: buckets never decrease" \
  "$(grep '_bucket{' "$M" | awk '{ if ($2 < prev) bad = 1; prev = $2 } END { print bad + 0 }')" 0
# 10 concurrent pushes: the lock loses no increment
for i in $(seq 1 10); do
  git -C "$wc" branch -f "team/c$i" HEAD
done
for i in $(seq 1 10); do
  (cd "$wc" && GATEHOUSE_USER=bob timeout 120 git push -q origin "team/c$i" >/dev/null 2>&1) &
done
wait_for=$(jobs -p | grep -v "^$LISTENER$")
for p in $wait_for; do wait "$p" 2>/dev/null || true; done
expect_eq "metrics: 10 concurrent pushes, 10 more runs counted" "$(metric gatehouse_hook_runs_total)" 13
expect_eq "metrics: nothing left behind" "$(ls "$srv" | grep -c 'gatehouse.prom.tmp')" 0

# syslog: one datagram per audit record, severity by verdict, the record as JSON
sleep 0.3
records=$(wc -l <"$srv/gatehouse/audit.jsonl")
expect_eq "syslog: one message per audit record" "$(grep -c 'gatehouse\[' "$TMP/syslog.out")" "$records"
expect_eq "syslog: facility auth, notice for a rejection, info for an acceptance" \
  "$(grep -o '^<[0-9]*>' "$TMP/syslog.out" | sort | uniq -c | awk '{print $2 $1}' | tr '\n' ' ')" "<37>1 <38>$((records - 1)) "
expect_eq "syslog: the message is the audit record" \
  "$(grep '^<37>' "$TMP/syslog.out" | sed 's/^[^{]*//' | jq -r '[.pusher, .ref, .verdict, .reasons[0].id] | join(" ")')" \
  "bob refs/heads/main rejected ref.push"

# a matrix may only name a .prom file
{ cat "$MATRIX_DIR/base.yml"; printf '  metrics_file: /home/git/.ssh/authorized_keys\n'; } >"$TMP/bad.yml"
OUT=$("$GATEHOUSE" matrix validate "$TMP/bad.yml" 2>&1); RC=$?
expect_eq "metrics_file: only a .prom file" "$RC" 2
expect_out "metrics_file: says so" "settings.metrics_file must name a .prom file"
finish
