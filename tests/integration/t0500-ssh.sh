#!/usr/bin/env bash
# Pushes over ssh:// through a real sshd on 127.0.0.1, with the pusher's
# identity set by authorized_keys the way gitolite-style servers do it: a
# command= wrapper for one key, environment= for another.
. "$(dirname "$0")/lib.sh"

need_sshd

S=$TMP/ssh
mkdir -p "$S"
chmod 700 "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/host_key"
for who in erin bob mallory; do ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$S/$who"; done

ssh_serve_wrapper "$S"
opts="no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty"
{
  echo "command=\"$S/serve erin\",$opts $(cat "$S/erin.pub")"
  echo "environment=\"GATEHOUSE_USER=bob\",command=\"git-shell -c \\\"\$SSH_ORIGINAL_COMMAND\\\"\",$opts $(cat "$S/bob.pub")"
  echo "command=\"$S/serve mallory\",$opts $(cat "$S/mallory.pub")"
} >"$S/authorized_keys"
chmod 600 "$S/authorized_keys"

if ! start_sshd "$S" "AuthorizedKeysFile $S/authorized_keys
StrictModes no
PermitUserEnvironment GATEHOUSE_USER
PermitRootLogin prohibit-password
$(sshd_own_home "$S")"; then not_ok "sshd starts on 127.0.0.1" "$(cat "$S/sshd.log")"; finish; fi
on_exit 'kill $SSHD_PID 2>/dev/null; wait $SSHD_PID 2>/dev/null'
ok "sshd listens on 127.0.0.1:$SSH_PORT"

srv=$(new_server ssh)
me=$(id -un)
url="ssh://$me@127.0.0.1:$SSH_PORT$srv"
ssh_as() { # ssh_as KEY ARGS...: push through sshd with that key
  local key=$1 wc=$2; shift 2
  OUT=$(cd "$wc" && GIT_SSH_COMMAND="ssh -F /dev/null -i $S/$key -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 -o LogLevel=ERROR" \
    timeout 60 git push "$@" 2>&1)
  RC=$?
}

wc=$(new_clone "$srv" s1)
git -C "$wc" remote set-url origin "$url"
put_matrix "$wc" base.yml
ssh_as bob "$wc" origin main
expect_rejected "ssh: bob (environment=) may not create main"
expect_out "ssh: identity came from authorized_keys" "[ref.create] bob (roles: developers)"
expect_ref "ssh: main not created" "$srv" refs/heads/main none
ssh_as erin "$wc" origin main
expect_accepted "ssh: erin (command= wrapper) bootstraps main"
expect_ref "ssh: main created" "$srv" refs/heads/main "$(git -C "$wc" rev-parse HEAD)"
commit_file "$wc" s.txt s
ssh_as mallory "$wc" origin main
expect_rejected "ssh: an unknown key holder is rejected on main"
expect_out "ssh: told they are unknown" "unknown pusher 'mallory' (not a person in the matrix, so no roles)"
ssh_as bob "$wc" origin main:refs/heads/team/ssh
expect_accepted "ssh: bob may push a team branch"
rec=$(last_audit "$srv")
expect_eq "ssh: audit names the pusher from the key" "$(json_get "$rec" '.pusher + " " + .verdict')" "bob accepted"

finish
