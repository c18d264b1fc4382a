#!/usr/bin/env bash
# Audit integrity under concurrency through a real sshd on 127.0.0.1: 50
# pushes at once by five key holders, to 30 distinct new branches, to one
# shared branch they all race for, and to refs the matrix (base.yml) keeps
# from them.  Every push must end the way the matrix and git's ref locking
# say it must, and the audit log must then hold exactly one well-formed record
# per ref update the hook judged: none lost, none torn, none interleaved, each
# naming the key holder who pushed.
#
# 40 pushes open a fresh ssh connection each (so sshd's MaxStartups is raised);
# the 10 racers for refs/heads/team/shared push as sessions over connections
# bob and alice opened beforehand (so MaxSessions is raised), which lets them
# reach the server within milliseconds of each other instead of being spread
# out by 40 key exchanges: the race is then a real one.
#
# What is correct in that race: every racer starts from the same base S with
# its own commit.  A racer whose connection sees S reaches the hook (developers
# may fast-forward team/*: accepted), and then only the first to take git's ref
# lock wins; the rest fail in receive-pack after the hook ("[remote rejected]",
# not "hook declined"), so their record says accepted while the ref did not
# move to them: the hook judged before the lock.  A racer that connects after
# the winner moved the ref is stopped by its own git client ("[rejected]",
# fetch first) and never reaches the hook, so it must leave no record.
. "$(dirname "$0")/lib.sh"

need_sshd

USERS="erin bob alice carol mallory"
S=$TMP/ssh
mkdir -p "$S"
chmod 700 "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/host_key"
for who in $USERS; do ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$S/$who"; done

ssh_serve_wrapper "$S"
opts="no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty"
for who in $USERS; do echo "command=\"$S/serve $who\",$opts $(cat "$S/$who.pub")"; done >"$S/authorized_keys"
chmod 600 "$S/authorized_keys"

# MaxStartups: the default (10:30:100) drops unauthenticated connections
# beyond 10 at random, which would fail pushes for a reason that is not ours.
if ! start_sshd "$S" "AuthorizedKeysFile $S/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
MaxStartups 200:30:300
MaxSessions 100
LoginGraceTime 60
$(sshd_own_home "$S")"; then not_ok "sshd starts on 127.0.0.1" "$(cat "$S/sshd.log")"; finish; fi
# The racers' ssh connections (below) close first, and sshd reaps their server
# side before it is stopped, so nothing is left for init to collect.
MUX_PIDS=()
stop_mux() {
  local p i
  for p in "${MUX_PIDS[@]+"${MUX_PIDS[@]}"}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  for i in $(seq 1 30); do pgrep -P "$SSHD_PID" >/dev/null || break; sleep 0.1; done
}
on_exit 'stop_mux; kill $SSHD_PID 2>/dev/null; wait $SSHD_PID 2>/dev/null'
ok "sshd listens on 127.0.0.1:$SSH_PORT"

srv=$(new_server sshconc)
url="ssh://$(id -un)@127.0.0.1:$SSH_PORT$srv"
log=$srv/gatehouse/audit.jsonl
ssh_cmd() { # ssh_cmd KEY [mux]: the ssh command line for that key (mux: over its master)
  echo "ssh -F /dev/null -i $S/$1 -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no" \
    "-o UserKnownHostsFile=/dev/null -o ConnectTimeout=20 -o LogLevel=ERROR" \
    "${2:+-o ControlMaster=no -o ControlPath=$S/mux-$1}"
}
# A bound on each push, so a hang fails the test instead of stalling it: 50 hook
# runs at once under valgrind (make valgrind) take minutes on 2 cores.
PUSH_TIMEOUT=60
[ -n "${GATEHOUSE_VALGRIND_DIR:-}" ] && PUSH_TIMEOUT=600
ssh_as() { # ssh_as KEY CLONE ARGS...: push through sshd with that key; sets OUT and RC
  local key=$1 wc=$2; shift 2
  OUT=$(cd "$wc" && GIT_SSH_COMMAND=$(ssh_cmd "$key") timeout "$PUSH_TIMEOUT" git push "$@" 2>&1)
  RC=$?
}

# ---- setup: main = M0 (matrix) <- M1, team/shared = S -----------------------

wc=$(new_clone "$srv" seed)
git -C "$wc" remote set-url origin "$url"
put_matrix "$wc" base.yml
m0=$(git -C "$wc" rev-parse HEAD)
commit_file "$wc" README "gatehouse concurrency over ssh"
m1=$(git -C "$wc" rev-parse HEAD)
ssh_as erin "$wc" origin main
expect_accepted "setup: erin bootstraps main over ssh"
git -C "$wc" checkout -q -b shared
commit_file "$wc" shared.txt base
base=$(git -C "$wc" rev-parse HEAD)
ssh_as bob "$wc" origin shared:refs/heads/team/shared
expect_accepted "setup: bob creates team/shared"
expect_ref "setup: main is M1" "$srv" refs/heads/main "$m1"
expect_ref "setup: team/shared is S" "$srv" refs/heads/team/shared "$base"

# ---- the 50 pushes ---------------------------------------------------------
#  1..30  team/c$i, new branch: bob and alice (developers) accepted,
#         mallory (not in the matrix) rejected by ref.create
# 31..40  team/shared, bob and alice racing from S over their open
#         connections: one wins (see the top)
# 41..44  bob fast-forwards main: rejected by ref.push (main is release's)
# 45..47  erin force-pushes main: rejected by ref.force_push
# 48..50  carol creates release/carol$i: rejected by ref.create
N=50
declare -a USER_OF REF_OF WANT_OF REASON_OF KIND_OF COMMIT_OF SPEC_OF
for i in $(seq 1 $N); do
  c=$TMP/c$i
  git clone -q "$srv" "$c" 2>/dev/null
  git -C "$c" remote set-url origin "$url"
  git -C "$c" config user.name "pusher$i"
  git -C "$c" config user.email "pusher$i@example.com"
  if [ "$i" -le 30 ]; then
    case $((i % 3)) in 1) u=bob ;; 2) u=alice ;; 0) u=mallory ;; esac
    REF_OF[i]=refs/heads/team/c$i KIND_OF[i]=create
    if [ "$u" = mallory ]; then WANT_OF[i]=rejected REASON_OF[i]=ref.create; else WANT_OF[i]=accepted; fi
    git -C "$c" checkout -q -b w
  elif [ "$i" -le 40 ]; then
    if [ $((i % 2)) -eq 0 ]; then u=bob; else u=alice; fi
    REF_OF[i]=refs/heads/team/shared KIND_OF[i]=fast-forward WANT_OF[i]=race
    git -C "$c" checkout -q -b w "$base"
  elif [ "$i" -le 44 ]; then
    u=bob REF_OF[i]=refs/heads/main KIND_OF[i]=fast-forward WANT_OF[i]=rejected REASON_OF[i]=ref.push
    git -C "$c" checkout -q -b w
  elif [ "$i" -le 47 ]; then
    u=erin REF_OF[i]=refs/heads/main KIND_OF[i]=force WANT_OF[i]=rejected REASON_OF[i]=ref.force_push
    git -C "$c" checkout -q -b w "$m0"
  else
    u=carol REF_OF[i]=refs/heads/release/carol$i KIND_OF[i]=create WANT_OF[i]=rejected REASON_OF[i]=ref.create
    git -C "$c" checkout -q -b w
  fi
  USER_OF[i]=$u
  commit_file "$c" "p$i.txt" "push $i by $u"   # distinct content: distinct commit ids
  COMMIT_OF[i]=$(git -C "$c" rev-parse HEAD)
  if [ "${KIND_OF[i]}" = force ]; then SPEC_OF[i]="+w:${REF_OF[i]}"; else SPEC_OF[i]="w:${REF_OF[i]}"; fi
done
distinct=$(printf '%s\n' "${COMMIT_OF[@]}" | sort -u | wc -l)
expect_eq "setup: 50 distinct commits to push" "$distinct" $N

# bob's and alice's connections for the racers, open before the start.
for who in bob alice; do
  $(ssh_cmd "$who") -p "$SSH_PORT" -o ControlMaster=yes -o ControlPath="$S/mux-$who" \
    -N "$(id -un)@127.0.0.1" </dev/null >/dev/null 2>>"$S/mux.log" &
  MUX_PIDS+=($!)
  for _ in $(seq 1 100); do
    ssh -F /dev/null -o ControlPath="$S/mux-$who" -O check x 2>/dev/null && break
    kill -0 "${MUX_PIDS[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  ssh -F /dev/null -o ControlPath="$S/mux-$who" -O check x 2>/dev/null \
    || { not_ok "setup: $who's ssh connection for the race is open" "$(cat "$S/mux.log")"; finish; }
done

before=$(wc -l <"$log")
# All 50 start together: each waits behind a lock the test holds, then pushes.
exec 8>"$TMP/go.lock"
flock -x 8
start=$(date +%s)
pids=()
for i in $(seq 1 $N); do
  (
    exec 8>&-
    flock -s "$TMP/go.lock" true
    mux=; [ "${WANT_OF[i]}" = race ] && mux=1
    cd "$TMP/c$i" && GIT_SSH_COMMAND=$(ssh_cmd "${USER_OF[i]}" $mux) \
      timeout "$PUSH_TIMEOUT" git push origin "${SPEC_OF[i]}" >"$TMP/push$i.log" 2>&1
    echo $? >"$TMP/push$i.rc"
  ) &
  pids+=($!)
done
sleep 0.5
flock -u 8
exec 8>&-
wait "${pids[@]}"
elapsed=$(($(date +%s) - start))
echo "# 50 pushes over ssh took ${elapsed}s"

# ---- what each pusher saw, and where the server's refs ended ----------------

judged=0         # ref updates that reached the hook
winner=0 lost_lock=0 lost_client=0
wrong=()
declare -a REACHED
for i in $(seq 1 $N); do
  rc=$(cat "$TMP/push$i.rc" 2>/dev/null || echo none)
  out=$(cat "$TMP/push$i.log")
  short=${REF_OF[i]#refs/heads/}
  REACHED[i]=1
  case ${WANT_OF[i]} in
    accepted)
      [ "$rc" = 0 ] && grep -qF "[new branch]" <<<"$out" \
        && [ "$(ref_of "$srv" "${REF_OF[i]}")" = "${COMMIT_OF[i]}" ] \
        || wrong+=("push $i (${USER_OF[i]} -> $short): expected accepted, rc=$rc, ref=$(ref_of "$srv" "${REF_OF[i]}"): $out")
      ;;
    rejected)
      [ "$rc" = 1 ] && grep -qF "pre-receive hook declined" <<<"$out" && grep -qF "[${REASON_OF[i]}]" <<<"$out" \
        || wrong+=("push $i (${USER_OF[i]} -> $short): expected rejected by ${REASON_OF[i]}, rc=$rc: $out")
      ;;
    race)
      if [ "$rc" = 0 ] && grep -qE "^ +[0-9a-f]+\.\.[0-9a-f]+ +w -> team/shared\$" <<<"$out"; then
        winner=$((winner + 1)); WINNER=$i
      elif [ "$rc" = 1 ] && grep -qF "[remote rejected] w -> team/shared" <<<"$out" \
          && ! grep -qF "hook declined" <<<"$out"; then
        lost_lock=$((lost_lock + 1))
      elif [ "$rc" = 1 ] && grep -qE "\[rejected\] +w -> team/shared \((fetch first|non-fast-forward)\)" <<<"$out"; then
        lost_client=$((lost_client + 1)); REACHED[i]=0
      else
        wrong+=("push $i (${USER_OF[i]} -> $short): neither won nor lost the race cleanly, rc=$rc: $out")
      fi
      ;;
  esac
  judged=$((judged + REACHED[i]))
done
if [ ${#wrong[@]} -eq 0 ]; then ok "every push ended as the matrix and the ref lock say (50 over ssh)"
else not_ok "every push ended as the matrix and the ref lock say (50 over ssh)" "${wrong[@]}"; fi
echo "# team/shared race: 1 winner expected; $winner won, $lost_lock lost at the ref lock, $lost_client stopped by their client"
expect_eq "race: exactly one racer for team/shared wins" "$winner" 1
expect_eq "race: every racer won or lost cleanly" "$((winner + lost_lock + lost_client))" 10
if [ "$winner" -eq 1 ]; then
  expect_ref "race: team/shared ends at the winner's commit" "$srv" refs/heads/team/shared "${COMMIT_OF[WINNER]}"
else
  not_ok "race: team/shared ends at the winner's commit" "team/shared is $(ref_of "$srv" refs/heads/team/shared)"
fi
expect_ref "main did not move" "$srv" refs/heads/main "$m1"
team=$(git --git-dir="$srv" for-each-ref --format='%(refname)' 'refs/heads/team/c*' | wc -l)
expect_eq "exactly the 20 accepted team branches exist" "$team" 20
release=$(git --git-dir="$srv" for-each-ref --format='%(refname)' 'refs/heads/release/' | wc -l)
expect_eq "no release branch was created" "$release" 0

# ---- the audit log ---------------------------------------------------------

new=$TMP/audit.new
tail -n +"$((before + 1))" "$log" >"$new"
expect_eq "audit: the log ends with a newline (no torn tail)" "$(tail -c 1 "$log" | od -An -c | tr -d ' ')" '\n'
lines=$(wc -l <"$new")
expect_eq "audit: one record per ref update the hook judged" "$lines" "$judged"
# Each line on its own must be exactly one JSON object: two records run
# together on one line, or half of one, fail here.
objects=$(jq -R -r 'try (fromjson | if type == "object" then "object" else "not-object" end) catch "torn"' \
  "$new" | grep -cx object)
expect_eq "audit: every new line is one JSON object (none torn or interleaved)" "$objects" "$lines"
formed=$(jq -c --arg repo "$srv" 'select(
    (.time | type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"))
    and .repo == $repo and .hook == "pre-receive"
    and (.pusher | type == "string") and .identity_source == "GATEHOUSE_USER"
    and (.ref | startswith("refs/heads/"))
    and (.old | test("^[0-9a-f]{40}$")) and (.new | test("^[0-9a-f]{40}$"))
    and (.kind | IN("create", "fast-forward", "force"))
    and (.verdict | IN("accepted", "rejected"))
    and (.reasons | type == "array") and (.version | type == "string"))' "$new" 2>/dev/null | wc -l)
expect_eq "audit: every new record has the fields of a decision" "$formed" "$lines"

# Every push's record, found by the commit it brought (all distinct).
bad=()
for i in $(seq 1 $N); do
  recs=$(jq -c --arg n "${COMMIT_OF[i]}" 'select(.new == $n)' "$new" 2>/dev/null)
  count=$(grep -c . <<<"$recs")
  if [ "${REACHED[i]}" -eq 0 ]; then
    [ "$count" -eq 0 ] || bad+=("push $i never reached the hook but has $count record(s)")
    continue
  fi
  if [ "$count" -ne 1 ]; then bad+=("push $i (${USER_OF[i]} -> ${REF_OF[i]}): $count records"); continue; fi
  if [ "${WANT_OF[i]}" = rejected ]; then want=rejected; else want=accepted; fi
  if [ "${REASON_OF[i]:-}" ]; then ids=${REASON_OF[i]}; else ids=; fi
  got=$(json_get "$recs" '[.pusher, .ref, .kind, .verdict, ([.reasons[].id] | join(","))] | join(" ")')
  exp="${USER_OF[i]} ${REF_OF[i]} ${KIND_OF[i]} $want $ids"
  [ "$got" = "$exp" ] || bad+=("push $i: record says '$got', expected '$exp'")
done
if [ ${#bad[@]} -eq 0 ]; then ok "audit: each push that reached the hook has exactly one record, with its key's pusher and the right verdict"
else not_ok "audit: each push that reached the hook has exactly one record, with its key's pusher and the right verdict" "${bad[@]}"; fi

counts=$(jq -r '.verdict + " " + ([.reasons[].id] | join(","))' "$new" 2>/dev/null | sort | uniq -c \
  | awk '{print $2 " " ($3 == "" ? "-" : $3) "=" $1}' | sort | tr '\n' ' ')
expect_eq "audit: verdict counts" "$counts" \
  "accepted -=$((20 + winner + lost_lock)) rejected ref.create=13 rejected ref.force_push=3 rejected ref.push=4 "
shared=$(jq -r 'select(.ref == "refs/heads/team/shared") | .verdict + " " + .old' "$new" | sort | uniq -c | awk '{print $1 " " $2 " " $3}')
expect_eq "audit: every racer that reached the hook was judged a fast-forward from S and accepted" \
  "$shared" "$((winner + lost_lock)) accepted $base"
expect_eq "audit: no record from before the run was touched" "$(head -n "$before" "$log" | jq -r .pusher | tr '\n' ' ')" "erin bob "

finish
