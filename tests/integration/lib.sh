# Shared helpers for gatehouse's integration tests: real git, real bare
# repositories, hooks installed by install.sh, real pushes.
#
# A test file sources this, calls the helpers, and ends with `finish`.  Each
# check prints "ok - NAME" or "not ok - NAME" with what was seen; `finish`
# prints the file's totals and exits non-zero when anything failed.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GATEHOUSE_BIN=${GATEHOUSE_BIN:-$ROOT/build}
GATEHOUSE=$GATEHOUSE_BIN/gatehouse
TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-$TEST_NAME.XXXXXX")
PASS=0
FAIL=0
CLEANUPS=()

cleanup() {
  local c
  for c in "${CLEANUPS[@]+"${CLEANUPS[@]}"}"; do eval "$c" || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
on_exit() { CLEANUPS+=("$1"); }

# A private git environment: no system or user config leaks in.
export HOME=$TMP/home
mkdir -p "$HOME"
export GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
unset GATEHOUSE_USER GITEA_PUSHER_NAME GL_USERNAME GL_USER GITHUB_USER_LOGIN REMOTE_USER GL_ID
git config --global user.name "Test User"
git config --global user.email "test@example.com"
git config --global init.defaultBranch main
git config --global advice.detachedHead false
git config --global protocol.file.allow always
git config --global push.default simple

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
not_ok() {
  FAIL=$((FAIL + 1))
  echo "not ok - $1"
  shift
  [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/#   /'
  return 0
}

# Every check id in the audit records this file's servers wrote is a row of
# the table of checks (gatehouse checks --known): a reason whose id the table
# does not know fails here, whichever test made the hook write it.
check_audit_ids() {
  local ids out
  ids=$(find "$TMP" -path '*/gatehouse/audit.jsonl' -type f -print0 2>/dev/null |
        xargs -0 -r cat 2>/dev/null |
        jq -R -r 'fromjson? | select(type == "object") | (.reasons[]?.id, .warnings[]?.id)
                  | select(type == "string")' 2>/dev/null | sort -u)
  [ -n "$ids" ] || return 0
  # shellcheck disable=SC2086  # one id a word
  if out=$("$GATEHOUSE" checks --known $ids 2>&1); then
    ok "every check id in this file's audit records is in the table of checks"
  else
    not_ok "every check id in this file's audit records is in the table of checks" "$out"
  fi
}

finish() {
  check_audit_ids
  echo "# $TEST_NAME: $PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
  exit $?
}

# ---- servers and clones --------------------------------------------------

MATRIX_DIR=$ROOT/tests/integration/matrices

# vg_wrap REPO HOOK LOGDIR: run the installed hook under valgrind memcheck,
# keeping its exit status unless valgrind finds an error or a leak (then 99,
# which rejects the push); one log per hook run in LOGDIR (empty when clean).
vg_wrap() {
  local repo=$1 hook=$2 logs=$3
  [ -x "$repo/hooks/$hook" ] && [ ! -e "$repo/hooks/$hook.vg-real" ] || return 0
  mkdir -p "$logs"
  mv "$repo/hooks/$hook" "$repo/hooks/$hook.vg-real"
  cat >"$repo/hooks/$hook" <<WRAP
#!/bin/sh
# gatehouse-hook: $hook (gatehouse's own, run under valgrind: install.sh may replace it)
# PCRE2's JIT reads a few bytes past subjects by design; memcheck the interpreter
GATEHOUSE_PCRE2_JIT=0; export GATEHOUSE_PCRE2_JIT
exec valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
  --log-file="$logs/$TEST_NAME.$hook.%p.log" "$repo/hooks/$hook.vg-real" "\$@"
WRAP
  chmod +x "$repo/hooks/$hook"
}

# new_server NAME [--hook H]: a bare repo with gatehouse installed by install.sh.
# With GATEHOUSE_VALGRIND_DIR set (make valgrind), its hooks run under valgrind.
new_server() {
  local name=$1 h; shift
  git init -q --bare "$TMP/$name.git"
  "$ROOT/install.sh" --bin "$GATEHOUSE_BIN" --repo "$TMP/$name.git" "$@" >"$TMP/$name.install.log" 2>&1 \
    || { cat "$TMP/$name.install.log"; return 1; }
  if [ -n "${GATEHOUSE_VALGRIND_DIR:-}" ]; then
    for h in pre-receive update; do vg_wrap "$TMP/$name.git" "$h" "$GATEHOUSE_VALGRIND_DIR"; done
  fi
  echo "$TMP/$name.git"
}

# new_clone SERVER NAME: a working clone with a committer identity.
new_clone() {
  local server=$1 name=$2
  git clone -q "$server" "$TMP/$name" 2>/dev/null
  git -C "$TMP/$name" config user.name "$name"
  git -C "$TMP/$name" config user.email "$name@example.com"
  echo "$TMP/$name"
}

# commit_file CLONE PATH CONTENT [MESSAGE]
commit_file() {
  local wc=$1 path=$2 content=$3 msg=${4:-"change $2"}
  mkdir -p "$(dirname "$wc/$path")"
  printf '%s\n' "$content" >"$wc/$path"
  git -C "$wc" add "$path"
  git -C "$wc" commit -q -m "$msg"
}

# put_matrix CLONE FILE: stage a matrix from tests/integration/matrices (or a path).
put_matrix() {
  local wc=$1 src=$2
  [ -f "$src" ] || src=$MATRIX_DIR/$src
  mkdir -p "$wc/matrix"
  cp "$src" "$wc/matrix/responsibility.yml"
  git -C "$wc" add matrix/responsibility.yml
  git -C "$wc" commit -q -m "matrix: $(basename "$src")"
}

# push_as USER CLONE ARGS...: sets OUT (all output) and RC.
push_as() {
  local user=$1 wc=$2; shift 2
  OUT=$(cd "$wc" && GATEHOUSE_USER=$user timeout 120 git push "$@" 2>&1)
  RC=$?
}

# push_env "VAR=value ..." CLONE ARGS...: push with other identity variables.
push_env() {
  local envs=$1 wc=$2; shift 2
  OUT=$(cd "$wc" && env $envs timeout 120 git push "$@" 2>&1)
  RC=$?
}

# ref_of REPO REF: the object id REF points to, or "none".
ref_of() { git --git-dir="$1" rev-parse -q --verify "$2" 2>/dev/null || echo none; }

# ---- servers on 127.0.0.1 --------------------------------------------------

# listening PID PORT: waits (5 s at most) until the process PID accepts
# connections on 127.0.0.1:PORT; 0 then.  Otherwise (it died, or the port was
# taken) stops it and returns 1, so the caller can retry on another port.
listening() {
  local pid=$1 port=$2 i
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  return 1
}

# ---- sshd on 127.0.0.1 ------------------------------------------------------

# need_sshd: sets SSHD to the sshd binary; without one, the file is skipped
# (a failure under CI, which installs openssh-server).  Root needs /run/sshd.
need_sshd() {
  SSHD=$(command -v sshd || echo /usr/sbin/sshd)
  if [ ! -x "$SSHD" ]; then
    if [ "${CI:-}" = true ]; then not_ok "sshd is installed (.ci/run installs openssh-server)"; finish; fi
    echo "# SKIP: no sshd on this machine (apt-get install openssh-server); ssh tests not run"
    finish
  fi
  [ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd
}

# sshd_own_home DIR: an sshd_config line giving sessions the home DIR/home.  A
# session runs the login's shell, and bash run by sshd reads that home's
# .bashrc: root's may be the machine's (here a pyenv init whose rehash takes a
# lock, so 40 concurrent logins waited 60 s each), never the test's.  Not for
# gitolite, whose own user's home is its configuration.
sshd_own_home() { mkdir -p "$1/home"; echo "SetEnv HOME=$1/home"; }

# start_sshd DIR EXTRA: an sshd on a free port of 127.0.0.1 with host key
# DIR/host_key, keys only, and the sshd_config lines EXTRA (one string, lines
# separated by newlines); sets SSHD_PID and SSH_PORT.  1 when it would not
# start on any of 10 ports (DIR/sshd.log says why).
start_sshd() {
  local dir=$1 extra=$2 try port
  for try in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    printf '%s\n' "Port $port" "ListenAddress 127.0.0.1" "HostKey $dir/host_key" "PidFile $dir/sshd.pid" \
      "PubkeyAuthentication yes" "PasswordAuthentication no" "KbdInteractiveAuthentication no" \
      "UsePAM no" "LogLevel ERROR" "$extra" >"$dir/sshd_config"
    "$SSHD" -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
    SSHD_PID=$!
    if listening "$SSHD_PID" "$port"; then SSH_PORT=$port; return 0; fi
    SSHD_PID=
  done
  return 1
}

# ssh_serve_wrapper DIR: DIR/serve, a gitolite-style forced command for
# authorized_keys (command="DIR/serve NAME"): the key decides who pushes.
ssh_serve_wrapper() {
  cat >"$1/serve" <<'WRAP'
#!/bin/sh
# gitolite-style forced command: the key decides who you are.
GATEHOUSE_USER=$1
export GATEHOUSE_USER
exec git-shell -c "$SSH_ORIGINAL_COMMAND"
WRAP
  chmod 755 "$1/serve"
}

# ---- expectations ---------------------------------------------------------

expect_accepted() {
  local name=$1
  if [ "$RC" -eq 0 ]; then ok "$name"; else not_ok "$name" "push failed (rc=$RC):" "$OUT"; fi
}

expect_rejected() {
  local name=$1
  if [ "$RC" -ne 0 ] && grep -q "hook declined" <<<"$OUT"; then ok "$name"
  else not_ok "$name" "expected a rejection by the hook (rc=$RC):" "$OUT"; fi
}

# expect_out NAME TEXT...: every TEXT appears in OUT (fixed strings).
expect_out() {
  local name=$1 t missing=(); shift
  for t in "$@"; do grep -qF -- "$t" <<<"$OUT" || missing+=("$t"); done
  if [ ${#missing[@]} -eq 0 ]; then ok "$name"
  else not_ok "$name" "missing from output: ${missing[*]}" "$OUT"; fi
}

expect_no_out() {
  local name=$1 t found=(); shift
  for t in "$@"; do grep -qF -- "$t" <<<"$OUT" && found+=("$t"); done
  if [ ${#found[@]} -eq 0 ]; then ok "$name"
  else not_ok "$name" "unexpected in output: ${found[*]}" "$OUT"; fi
}

# expect_ref NAME REPO REF EXPECTED (an id or "none")
expect_ref() {
  local name=$1 repo=$2 ref=$3 want=$4 got
  got=$(ref_of "$repo" "$ref")
  if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name" "$ref is $got, expected $want"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}

# last_audit REPO: the last audit record of REPO.
last_audit() { tail -n 1 "$1/gatehouse/audit.jsonl"; }

# json_get JSON FILTER: a jq filter applied to one JSON document (jq is an
# independent parser, so the audit log is checked by something other than
# the library that wrote it).
json_get() { jq -c -r "$2" <<<"$1"; }
