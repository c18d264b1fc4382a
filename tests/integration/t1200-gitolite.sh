#!/usr/bin/env bash
# gatehouse under gitolite, for real: Debian's gitolite3 set up under a
# throwaway user account, served by a real sshd on 127.0.0.1, users and repos
# created by pushing the gitolite-admin repo, pushes identified by the GL_USER
# that gitolite-shell sets from the key in ~/.ssh/authorized_keys.
#
# gitolite owns each repository's `update` hook (its per-branch access
# control), so gatehouse goes in as `pre-receive`, by one of gitolite's own
# two documented ways (gitolite cookbook, "hooks"), both exercised here.
# Below, ~ is the gitolite user's home and the commands run as that user.
#
#   Repo-specific (gitolite 3.6+): only the repositories that ask for it.
#     1. in ~/.gitolite.rc, uncomment   LOCAL_CODE => "$ENV{HOME}/local",
#        and, in ENABLE, uncomment      'repo-specific-hooks',
#     2. install -D -m 0755 build/pre-receive ~/local/hooks/repo-specific/gatehouse
#     3. in gitolite-admin's conf/gitolite.conf, for each repository:
#            repo project
#                option hook.pre-receive = gatehouse
#        and push gitolite-admin.  gitolite links hooks/pre-receive to its
#        multi-hook driver and hooks/pre-receive.h00-gatehouse to the binary.
#     (gitolite's cookbook keeps repo-specific hooks in the admin repo, with
#     LOCAL_CODE => "$rc{GL_ADMIN_BASE}/local"; a LOCAL_CODE on the server, as
#     here, means pushing gitolite-admin cannot change the hook's code.)
#
#   Global: every repository, gitolite-admin included.
#     1. in ~/.gitolite.rc, uncomment   LOCAL_CODE => "$ENV{HOME}/local",
#     2. install -D -m 0755 build/pre-receive ~/local/hooks/common/pre-receive
#     3. gitolite setup --hooks-only
#        (links ~/repositories/*.git/hooks/pre-receive to it; repositories
#        created later get it anyway.)  ~/.gitolite/hooks/common/pre-receive
#        works too, but that directory is gitolite's own.
#     gitolite-admin then needs a matrix of its own, or it refuses every push
#     to its master (matrix.missing: the trusted ref must carry a matrix) --
#     checked below.
#
#   Either way: gatehouse settings go through gitolite.conf as `config`
#   lines (allowed by GIT_CONFIG_KEYS in ~/.gitolite.rc), e.g.
#       config gatehouse.trustedRef = refs/heads/main
#   (gitolite creates repositories with git's default HEAD, master).  Never set
#   core.hooksPath on a gitolite server: git would then look for every hook
#   there, and gitolite's update hook -- its access control -- would not run.
. "$(dirname "$0")/lib.sh"

missing=()
for b in gitolite sshd ssh ssh-keygen useradd userdel runuser; do
  command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || missing+=("$b")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${CI:-}" = true ]; then
    not_ok "gitolite test tools are installed (.ci/run installs gitolite3, openssh-server)" "missing: ${missing[*]}"
    finish
  fi
  echo "# SKIP: missing ${missing[*]} (apt-get install gitolite3 openssh-server); gitolite tests not run"
  finish
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "# SKIP: needs root to create the gitolite user"
  finish
fi
need_sshd

# ---- the gitolite hosting user -------------------------------------------
GL=ghgl$$
GLHOME=$TMP/glhome
chmod 711 "$TMP" # the gitolite user must reach its home inside $TMP
if ! useradd --system --create-home --home-dir "$GLHOME" --shell /bin/sh --password '*' \
  --comment "gatehouse test gitolite" "$GL" >"$TMP/useradd.log" 2>&1; then
  not_ok "a throwaway gitolite user is created" "$(cat "$TMP/useradd.log")"
  finish
fi
SSHD_PID=
gl_cleanup() {
  if [ -n "$SSHD_PID" ]; then kill "$SSHD_PID" 2>/dev/null; wait "$SSHD_PID" 2>/dev/null; fi
  userdel -r -f "$GL" >/dev/null 2>&1 || userdel -f "$GL" >/dev/null 2>&1
}
on_exit gl_cleanup
if runuser -u "$GL" -- test -w "$GLHOME"; then ok "throwaway gitolite user $GL with home $GLHOME"
else not_ok "the gitolite user can reach its home" "$GLHOME: every directory above it must be searchable by others (TMPDIR?)"; finish; fi

# as_gl CMD...: run as the gitolite user in its home, with a clean environment.
as_gl() {
  (cd "$GLHOME" && timeout 120 runuser -u "$GL" -- env -i HOME="$GLHOME" USER="$GL" LOGNAME="$GL" \
    PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin "$@")
}

S=$TMP/ssh
mkdir -p "$S"
chmod 700 "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/host_key"
for who in admin alice bob erin dave; do ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$S/$who"; done
install -o "$GL" -m 0644 "$S/admin.pub" "$GLHOME/admin.pub"

OUT=$(as_gl gitolite setup -pk "$GLHOME/admin.pub" 2>&1); RC=$?
if [ "$RC" -eq 0 ] && [ -d "$GLHOME/repositories/gitolite-admin.git" ]; then ok "gitolite setup -pk admin.pub"
else not_ok "gitolite setup -pk admin.pub" "rc=$RC" "$OUT"; finish; fi
if grep -q 'command="[^"]*gitolite-shell admin"' "$GLHOME/.ssh/authorized_keys"; then
  ok "gitolite manages ~/.ssh/authorized_keys (command=\"...gitolite-shell admin\")"
else not_ok "gitolite manages ~/.ssh/authorized_keys" "$(cat "$GLHOME/.ssh/authorized_keys")"; fi

# the rc: LOCAL_CODE on the server, repo-specific hooks, gatehouse.* config keys
rc=$GLHOME/.gitolite.rc
sed -i \
  -e 's|^\( *\)# *LOCAL_CODE *=> *"\$ENV{HOME}/local",|\1LOCAL_CODE => "$ENV{HOME}/local",|' \
  -e "s|^\\( *\\)# *'repo-specific-hooks',|\\1'repo-specific-hooks',|" \
  -e "s|^\\( *\\)GIT_CONFIG_KEYS *=> *'',|\\1GIT_CONFIG_KEYS => 'gatehouse\\\\..* receive\\\\.advertisePushOptions',|" \
  "$rc"
expect_eq "rc: LOCAL_CODE is ~/local" "$(as_gl gitolite query-rc LOCAL_CODE 2>&1)" "$GLHOME/local"
expect_eq "rc: gatehouse.* may be set from gitolite.conf" "$(as_gl gitolite query-rc GIT_CONFIG_KEYS 2>&1)" \
  'gatehouse\..* receive\.advertisePushOptions'
if as_gl gitolite query-rc POST_COMPILE 2>&1 | grep -q repo-specific-hooks; then ok "rc: repo-specific-hooks enabled"
else not_ok "rc: repo-specific-hooks enabled" "$(as_gl gitolite query-rc POST_COMPILE 2>&1)"; fi

# the repo-specific hook lives on the server, under LOCAL_CODE (way 1, step 2)
install -d -o "$GL" -m 0755 "$GLHOME/local" "$GLHOME/local/hooks" "$GLHOME/local/hooks/repo-specific"
install -o "$GL" -m 0755 "$GATEHOUSE_BIN/pre-receive" "$GLHOME/local/hooks/repo-specific/gatehouse"

# ---- sshd on 127.0.0.1, reading the gitolite user's authorized_keys ----------
if ! start_sshd "$S" "AuthorizedKeysFile $GLHOME/.ssh/authorized_keys
AllowUsers $GL
StrictModes yes
PermitUserEnvironment no"; then not_ok "sshd starts on 127.0.0.1" "$(cat "$S/sshd.log")"; finish; fi
ok "sshd listens on 127.0.0.1:$SSH_PORT for $GL"

URL="ssh://$GL@127.0.0.1:$SSH_PORT"
ssh_cmd() { echo "ssh -F /dev/null -i $S/$1 -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 -o LogLevel=ERROR"; }
# gl_git KEY ARGS...: git (in the current directory) talking to gitolite with KEY.
gl_git() {
  local key=$1; shift
  GIT_SSH_COMMAND=$(ssh_cmd "$key") timeout 60 git "$@"
}
# gl_push KEY CLONE ARGS...: sets OUT and RC.
gl_push() {
  local key=$1 wc=$2; shift 2
  OUT=$(cd "$wc" && gl_git "$key" push "$@" 2>&1)
  RC=$?
}

OUT=$(cd "$TMP" && gl_git admin clone -q "$URL/gitolite-admin" admin-wc 2>&1); RC=$?
if [ "$RC" -eq 0 ]; then ok "admin clones gitolite-admin over ssh"
else not_ok "admin clones gitolite-admin over ssh" "$OUT" "$(cat "$S/sshd.log")"; finish; fi
adm=$TMP/admin-wc
for who in alice bob erin dave; do cp "$S/$who.pub" "$adm/keydir/$who.pub"; done
cat >"$adm/conf/gitolite.conf" <<'CONF'
repo gitolite-admin
    RW+     =   admin

# gatehouse by the global way (LOCAL_CODE/hooks/common), installed further down
repo project
    RW+     =   alice bob erin
    config  gatehouse.trustedRef = refs/heads/main
    config  receive.advertisePushOptions = true

# gatehouse by the repo-specific way
repo vetted
    RW+     =   alice bob erin
    config  gatehouse.trustedRef = refs/heads/main
    config  receive.advertisePushOptions = true
    option  hook.pre-receive = gatehouse
CONF
git -C "$adm" add -A
git -C "$adm" commit -q -m "users alice bob erin dave; repos project and vetted"
gl_push admin "$adm" origin HEAD
expect_accepted "admin pushes gitolite-admin: keys and repos"
GLR=$GLHOME/repositories
if [ -d "$GLR/project.git" ] && [ -d "$GLR/vetted.git" ]; then ok "gitolite created project.git and vetted.git"
else not_ok "gitolite created project.git and vetted.git" "$OUT"; finish; fi
nokey=()
for who in alice bob erin dave; do
  grep -q "command=\"[^\"]*gitolite-shell $who\"" "$GLHOME/.ssh/authorized_keys" || nokey+=("$who")
done
if [ ${#nokey[@]} -eq 0 ]; then ok "gitolite added command=\"...gitolite-shell NAME\" keys for alice bob erin dave"
else not_ok "gitolite added keys for alice bob erin dave" "missing: ${nokey[*]}" "$(cat "$GLHOME/.ssh/authorized_keys")"; fi
expect_eq "gitolite.conf config lines reach the repository" \
  "$(git --git-dir="$GLR/project.git" config gatehouse.trustedRef) $(git --git-dir="$GLR/project.git" config receive.advertisePushOptions)" \
  "refs/heads/main true"
expect_eq "gitolite's own update hook is in place" "$(readlink "$GLR/project.git/hooks/update")" \
  "$GLHOME/.gitolite/hooks/common/update"

# ---- way 1: repo-specific -------------------------------------------------------
expect_eq "repo-specific: vetted's pre-receive is gitolite's multi-hook driver" \
  "$(readlink "$GLR/vetted.git/hooks/pre-receive")" "$GLHOME/local/hooks/multi-hook-driver"
expect_eq "repo-specific: ...which runs pre-receive.h00-gatehouse" \
  "$(readlink "$GLR/vetted.git/hooks/pre-receive.h00-gatehouse")" "$GLHOME/local/hooks/repo-specific/gatehouse"
if [ -e "$GLR/project.git/hooks/pre-receive" ]; then
  not_ok "repo-specific: project (no option hook.pre-receive) has no pre-receive" "$(ls -l "$GLR/project.git/hooks")"
else ok "repo-specific: project (no option hook.pre-receive) has no pre-receive"; fi

# judge LABEL REPO: the matrix flow on one gitolite repository.
judge() {
  local label=$1 repo=$2 wc first second
  wc=$TMP/$repo-wc
  OUT=$(cd "$TMP" && gl_git erin clone -q "$URL/$repo" "$repo-wc" 2>&1) \
    || { not_ok "$label: erin clones $repo" "$OUT"; return; }
  git -C "$wc" config user.name erin
  git -C "$wc" config user.email erin@example.com
  put_matrix "$wc" base.yml
  first=$(git -C "$wc" rev-parse HEAD)
  gl_push bob "$wc" origin HEAD:refs/heads/main
  expect_rejected "$label: bob (developers) may not create main"
  expect_out "$label: gatehouse names bob from GL_USER" "[ref.create] bob (roles: developers)"
  expect_ref "$label: main not created" "$GLR/$repo.git" refs/heads/main none
  gl_push erin "$wc" origin HEAD:refs/heads/main
  expect_accepted "$label: erin (release) creates main with base.yml"
  expect_ref "$label: main created" "$GLR/$repo.git" refs/heads/main "$first"
  commit_file "$wc" src/a.c "int a;"
  second=$(git -C "$wc" rev-parse HEAD)
  gl_push bob "$wc" origin HEAD:refs/heads/main
  expect_rejected "$label: bob may not push to main"
  expect_out "$label: bob sees gatehouse's reason" "[ref.push] bob (roles: developers) wants to push to refs/heads/main" \
    "needs: push needs role release (erin)"
  expect_ref "$label: main did not move" "$GLR/$repo.git" refs/heads/main "$first"
  gl_push erin "$wc" origin HEAD:refs/heads/main
  expect_accepted "$label: erin pushes to main"
  expect_ref "$label: main moved" "$GLR/$repo.git" refs/heads/main "$second"
  expect_eq "$label: audit names the gitolite users" \
    "$(jq -r '.pusher + "/" + .verdict' "$GLR/$repo.git/gatehouse/audit.jsonl" | tr '\n' ' ')" \
    "bob/rejected erin/accepted bob/rejected erin/accepted "
  gl_push bob "$wc" origin HEAD:refs/heads/team/x
  expect_accepted "$label: bob may push a team branch"
}
judge "repo-specific" vetted

# ---- way 2: global -----------------------------------------------------------------
install -d -o "$GL" -m 0755 "$GLHOME/local/hooks/common"
install -o "$GL" -m 0755 "$GATEHOUSE_BIN/pre-receive" "$GLHOME/local/hooks/common/pre-receive"
OUT=$(as_gl gitolite setup --hooks-only 2>&1); RC=$?
expect_eq "global: gitolite setup --hooks-only" "$RC" 0
expect_eq "global: gitolite linked project's pre-receive to it" \
  "$(readlink "$GLR/project.git/hooks/pre-receive")" "$GLHOME/local/hooks/common/pre-receive"
expect_eq "global: ...and gitolite-admin's" \
  "$(readlink "$GLR/gitolite-admin.git/hooks/pre-receive")" "$GLHOME/local/hooks/common/pre-receive"
expect_eq "global: gitolite's update hook is still its own" "$(readlink "$GLR/project.git/hooks/update")" \
  "$GLHOME/.gitolite/hooks/common/update"
judge "global" project

# gitolite's access control still runs first: dave has a key but no rights here
wc=$TMP/project-wc
gl_push dave "$wc" origin HEAD:refs/heads/team/dave
if [ "$RC" -ne 0 ] && grep -q "DENIED" <<<"$OUT"; then ok "global: gitolite itself still denies dave (no rights on project)"
else not_ok "global: gitolite itself still denies dave (no rights on project)" "rc=$RC" "$OUT"; fi
expect_ref "global: nothing from dave" "$GLR/project.git" refs/heads/team/dave none

# the global way covers gitolite-admin too: its master is gatehouse's trusted
# ref there, and it holds no matrix, so the next admin push is refused...
admin_before=$(ref_of "$GLR/gitolite-admin.git" refs/heads/master)
cp "$S/admin.pub" "$adm/keydir/admin2.pub"
git -C "$adm" add -A
git -C "$adm" commit -q -m "a second admin key"
gl_push admin "$adm" origin HEAD
expect_rejected "global: gitolite-admin without a matrix refuses admin pushes"
expect_out "global: because its trusted ref must carry a matrix" "[matrix.missing]"
expect_ref "global: gitolite-admin did not move" "$GLR/gitolite-admin.git" refs/heads/master "$admin_before"
# ...until gitolite-admin gets a matrix of its own, in which admin may push master
cat >"$TMP/admin-matrix.yml" <<'YML'
version: 1
people:
  admin: { emails: [admin@example.com] }
roles:
  gitolite-admins: [admin]
responsibilities:
  write_code: gitolite-admins
  review_code: gitolite-admins
  configure_pipeline: gitolite-admins
  resolve_vulnerabilities: gitolite-admins
  approve_deployment: gitolite-admins
refs:
  - pattern: refs/heads/master
    push: [gitolite-admins]
    create: [gitolite-admins]
    delete: false
    force_push: false
YML
put_matrix "$adm" "$TMP/admin-matrix.yml"
gl_push admin "$adm" origin HEAD
expect_accepted "global: admin adds a matrix to gitolite-admin, and gitolite compiles it"
if grep -q 'command="[^"]*gitolite-shell admin2"' "$GLHOME/.ssh/authorized_keys"; then
  ok "global: the admin push took effect (admin2's key is in authorized_keys)"
else not_ok "global: the admin push took effect" "$(cat "$GLHOME/.ssh/authorized_keys")"; fi

finish
