#!/usr/bin/env bash
# Audit integrity under concurrency: 20 pushes at once to different refs of
# one repository, half of them by someone the matrix rejects.  The log must
# then hold exactly one well-formed record per ref, none torn, none lost,
# each with the right verdict.
. "$(dirname "$0")/lib.sh"
N=20

srv=$(new_server conc)
wc=$(new_clone "$srv" seed)
put_matrix "$wc" base.yml
push_as erin "$wc" origin main
expect_accepted "concurrency: setup"
for i in $(seq 1 $N); do
  git clone -q "$srv" "$TMP/c$i" 2>/dev/null
  git -C "$TMP/c$i" checkout -q -b "w$i"
  commit_file "$TMP/c$i" "f$i.txt" "$i"
done
: >"$srv/gatehouse/audit.jsonl"

pids=()
for i in $(seq 1 $N); do
  if [ $((i % 2)) -eq 0 ]; then user=bob; else user=mallory; fi
  ( cd "$TMP/c$i" && GATEHOUSE_USER=$user timeout 120 git push -q origin "w$i:refs/heads/team/r$i" >"$TMP/push$i.log" 2>&1; echo $? >"$TMP/push$i.rc" ) &
  pids+=($!)
done
wait "${pids[@]}"

log=$srv/gatehouse/audit.jsonl
lines=$(wc -l <"$log")
expect_eq "concurrency: one record per push" "$lines" "$N"
parsed=$(jq -c . "$log" 2>/dev/null | wc -l)
expect_eq "concurrency: every line parses as JSON (none torn)" "$parsed" "$N"
distinct=$(jq -r .ref "$log" | sort -u | wc -l)
expect_eq "concurrency: every ref appears exactly once (none lost)" "$distinct" "$N"
wrong=0
for i in $(seq 1 $N); do
  v=$(jq -r --arg r "refs/heads/team/r$i" 'select(.ref==$r) | .verdict' "$log")
  rc=$(cat "$TMP/push$i.rc")
  if [ $((i % 2)) -eq 0 ]; then want=accepted; wantrc=0; else want=rejected; wantrc=1; fi
  if [ "$v" != "$want" ] || [ "$rc" != "$wantrc" ]; then wrong=$((wrong + 1)); echo "# r$i: verdict $v rc $rc"; fi
done
expect_eq "concurrency: every decision is right and matches what the pusher saw" "$wrong" 0
moved=$(git --git-dir="$srv" for-each-ref 'refs/heads/team/*' | wc -l)
expect_eq "concurrency: exactly the accepted refs exist" "$moved" $((N / 2))

finish
