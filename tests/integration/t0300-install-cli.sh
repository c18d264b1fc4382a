#!/usr/bin/env bash
# install.sh modes and the gatehouse CLI (matrix validate, check, version, help).
. "$(dirname "$0")/lib.sh"
INSTALL=("$ROOT/install.sh" --bin "$GATEHOUSE_BIN")

# --- install.sh refuses what it must not touch
git init -q "$TMP/worktree"
OUT=$("${INSTALL[@]}" --repo "$TMP/worktree" 2>&1); RC=$?
expect_eq "install: refuses a non-bare repository (exit 2)" "$RC" 2
expect_out "install: and says why" "is not a bare git repository"
OUT=$("${INSTALL[@]}" --repo "$TMP/nope.git" 2>&1); RC=$?
expect_eq "install: refuses a missing path" "$RC" 2

git init -q --bare "$TMP/foreign.git"
printf '#!/bin/sh\necho theirs\n' >"$TMP/foreign.git/hooks/pre-receive"
chmod +x "$TMP/foreign.git/hooks/pre-receive"
OUT=$("${INSTALL[@]}" --repo "$TMP/foreign.git" 2>&1); RC=$?
expect_eq "install: refuses to replace a foreign hook" "$RC" 2
expect_out "install: names the file it would replace" "refusing to replace $TMP/foreign.git/hooks/pre-receive"
expect_eq "install: the foreign hook is untouched" "$(cat "$TMP/foreign.git/hooks/pre-receive" | tail -n 1)" "echo theirs"
OUT=$("${INSTALL[@]}" --repo "$TMP/foreign.git" --force 2>&1); RC=$?
expect_eq "install: --force replaces it" "$RC" 0
expect_eq "install: --force keeps the old hook" "$(tail -n 1 "$TMP/foreign.git/hooks/pre-receive.pre-gatehouse")" "echo theirs"
if cmp -s "$GATEHOUSE_BIN/pre-receive" "$TMP/foreign.git/hooks/pre-receive"; then ok "install: the hook is the compiled binary"
else not_ok "install: the hook is the compiled binary"; fi
OUT=$("${INSTALL[@]}" --repo "$TMP/foreign.git" 2>&1); RC=$?
expect_eq "install: reinstalling over its own hook needs no --force" "$RC" 0

git init -q --bare "$TMP/upd.git"
OUT=$("${INSTALL[@]}" --repo "$TMP/upd.git" --hook update 2>&1); RC=$?
if [ "$RC" -eq 0 ] && [ -x "$TMP/upd.git/hooks/update" ] && [ ! -e "$TMP/upd.git/hooks/pre-receive" ]; then
  ok "install: --hook update installs only update"
else not_ok "install: --hook update installs only update" "$OUT"; fi
OUT=$("${INSTALL[@]}" --repo "$TMP/upd.git" --hook both 2>&1); RC=$?
if [ -x "$TMP/upd.git/hooks/update" ] && [ -x "$TMP/upd.git/hooks/pre-receive" ]; then ok "install: --hook both"
else not_ok "install: --hook both" "$OUT"; fi
OUT=$("${INSTALL[@]}" --repo "$TMP/upd.git" --hook sideways 2>&1); RC=$?
expect_eq "install: an unknown --hook is a usage error" "$RC" 2
OUT=$("${INSTALL[@]}" --bogus 2>&1); RC=$?
expect_eq "install: an unknown flag is a usage error" "$RC" 2
OUT=$("$ROOT/install.sh" --help 2>&1); RC=$?
expect_out "install: --help documents every mode" "--deps" "--repo PATH.git" "--hooks-path DIR" "--hook H" "--force"

# --- install.sh --hooks-path: one directory for every repository of a server
OUT=$("${INSTALL[@]}" --hooks-path "$TMP/shared-hooks" 2>&1); RC=$?
expect_out "hooks-path: prints the config command" "git config --system core.hooksPath $TMP/shared-hooks"
git init -q --bare "$TMP/hp.git"
git --git-dir="$TMP/hp.git" config core.hooksPath "$TMP/shared-hooks"
wc=$(new_clone "$TMP/hp.git" hp)
put_matrix "$wc" base.yml
push_as bob "$wc" origin main
expect_rejected "hooks-path: the shared hook guards the repository"
push_as erin "$wc" origin main
expect_accepted "hooks-path: and accepts what the matrix allows"
if [ -s "$TMP/hp.git/gatehouse/audit.jsonl" ]; then ok "hooks-path: audit log is per repository"
else not_ok "hooks-path: audit log is per repository"; fi

# --- gatehouse matrix validate
OUT=$("$GATEHOUSE" matrix validate "$MATRIX_DIR/base.yml" 2>&1); RC=$?
expect_eq "validate: a valid matrix exits 0" "$RC" 0
OUT=$("$GATEHOUSE" matrix validate "$MATRIX_DIR/broken.yml" 2>&1); RC=$?
expect_eq "validate: an invalid matrix exits 2" "$RC" 2
expect_out "validate: file:line:column and the key" "$MATRIX_DIR/broken.yml:14:5: error: unknown key 'pussh'"
OUT=$(cd "$ROOT" && "$GATEHOUSE" matrix validate 2>&1); RC=$?
expect_eq "validate: defaults to matrix/responsibility.yml (the project's own)" "$RC:$(tail -n 1 <<<"$OUT")" "0:matrix/responsibility.yml: ok"
OUT=$("$GATEHOUSE" matrix validate "$TMP/missing.yml" 2>&1); RC=$?
expect_eq "validate: a missing file exits 2" "$RC" 2
ln -s "$MATRIX_DIR/base.yml" "$TMP/link.yml"
OUT=$("$GATEHOUSE" matrix validate "$TMP/link.yml" 2>&1); RC=$?
expect_eq "validate: refuses to follow a symlink" "$RC" 2
for f in "$ROOT"/matrix/examples/*.yml; do
  OUT=$("$GATEHOUSE" matrix validate "$f" 2>&1); RC=$?
  expect_eq "validate: example $(basename "$f") is valid" "$RC" 0
done

# --- gatehouse check: a dry run inside a repository
srv=$(new_server chk)
wc=$(new_clone "$srv" chk)
put_matrix "$wc" base.yml
push_as erin "$wc" origin main
commit_file "$wc" c.txt c
OUT=$(cd "$srv" && "$GATEHOUSE" check --user bob refs/heads/main main "$(git -C "$wc" rev-parse HEAD)" 2>&1); RC=$?
expect_eq "check: not yet pushed objects do not resolve (usage error)" "$RC" 2
OUT=$(cd "$wc" && "$GATEHOUSE" check --user bob refs/heads/main origin/main HEAD 2>&1); RC=$?
expect_eq "check: bob may not push main (exit 1)" "$RC" 1
expect_out "check: same message as the hook, in the conditional" "push would be rejected" "[ref.push] bob"
before=$(wc -l <"$srv/gatehouse/audit.jsonl")
OUT=$(cd "$wc" && "$GATEHOUSE" check --user erin refs/heads/main origin/main HEAD 2>&1); RC=$?
expect_eq "check: erin may (exit 0)" "$RC" 0
expect_out "check: says it would accept" "would accept 1 ref update"
OUT=$(cd "$wc" && "$GATEHOUSE" check --user erin refs/heads/main origin/main HEAD~5 2>&1); RC=$?
expect_eq "check: an unknown revision is a usage error" "$RC" 2
OUT=$(cd "$wc" && "$GATEHOUSE" check --user erin refs/heads/main HEAD 0 2>&1); RC=$?
expect_eq "check: 0 means deletion" "$RC" 1
expect_out "check: deletion of the trusted ref" "[matrix.trusted_delete]"
OUT=$(cd "$wc" && "$GATEHOUSE" check refs/heads/main HEAD 0 2>&1); RC=$?
expect_eq "check: --user is required" "$RC" 2
after=$(wc -l <"$srv/gatehouse/audit.jsonl")
expect_eq "check: a dry run writes no audit record" "$after" "$before"

# --- version and help
OUT=$("$GATEHOUSE" version); RC=$?
expect_eq "version: exit 0" "$RC" 0
if [[ "$OUT" =~ ^gatehouse\ [0-9]+\.[0-9]+\.[0-9]+$ ]]; then ok "version: prints gatehouse X.Y.Z"; else not_ok "version: prints gatehouse X.Y.Z" "$OUT"; fi
OUT=$("$GATEHOUSE" help); RC=$?
expect_out "help: lists the verbs and exit codes" "matrix validate" "check --user LOGIN REF OLD NEW" "version" "exit status: 0 ok, 1 rejected"
OUT=$("$GATEHOUSE" frobnicate 2>&1); RC=$?
expect_eq "help: an unknown verb exits 2" "$RC" 2
OUT=$("$GATEHOUSE" 2>&1); RC=$?
expect_eq "help: no verb exits 2" "$RC" 2

finish
