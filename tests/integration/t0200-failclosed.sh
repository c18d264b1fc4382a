#!/usr/bin/env bash
# Fail closed, and where the matrix comes from: a malformed matrix on the
# trusted ref, on_error, gatehouse.* config, the unprotected state, what is
# "new" in a push (quarantine vs walk), identity variables, hostile hook input.
. "$(dirname "$0")/lib.sh"

# A server whose trusted ref already holds a broken matrix: pushed before
# gatehouse was installed, as happens when it is added to an existing repo.
git init -q --bare "$TMP/broken.git"
wc=$(new_clone "$TMP/broken.git" b1)
put_matrix "$wc" broken.yml
git -C "$wc" push -q origin main 2>/dev/null
"$ROOT/install.sh" --bin "$GATEHOUSE_BIN" --repo "$TMP/broken.git" >/dev/null
srv=$TMP/broken.git
git -C "$wc" checkout -q -b topic
commit_file "$wc" x.txt x
push_as alice "$wc" origin topic
expect_rejected "malformed matrix: every push is rejected (fail closed)"
expect_out "malformed matrix: the message names file, line, column and key" \
  "gatehouse could not check it safely" \
  "refs/heads/main:matrix/responsibility.yml:14:5: error: unknown key 'pussh' in a ref rule: did you mean 'push'?" \
  "Nothing was updated"
rec=$(last_audit "$srv")
expect_eq "malformed matrix: audited as rejected with the error" \
  "$(json_get "$rec" '.verdict + " " + .reasons[0].id')" "rejected internal.error"

# --- on_error: allow lets an internal error through, loudly and on record
srv=$(new_server allow)
wc=$(new_clone "$srv" a1)
put_matrix "$wc" allow-errors.yml
push_as erin "$wc" origin main
expect_accepted "on_error: setup"
git --git-dir="$srv" config gatehouse.auditLog /nonexistent-dir/audit.jsonl
commit_file "$wc" y.txt y
push_as erin "$wc" origin main
expect_accepted "on_error allow: an unwritable audit log does not block the push"
expect_out "on_error allow: the pusher is warned" "WARNING: checks did not run" \
  "cannot open audit log /nonexistent-dir/audit.jsonl" "settings.on_error: allow"

srv=$(new_server reject)
wc=$(new_clone "$srv" r1)
put_matrix "$wc" base.yml
push_as erin "$wc" origin main
expect_accepted "on_error reject: setup"
git --git-dir="$srv" config gatehouse.auditLog /nonexistent-dir/audit.jsonl
commit_file "$wc" y.txt y
head=$(ref_of "$srv" refs/heads/main)
push_as erin "$wc" origin main
expect_rejected "on_error reject: an unwritable audit log rejects the push"
expect_out "on_error reject: says what broke" "cannot open audit log /nonexistent-dir/audit.jsonl"
expect_ref "on_error reject: main did not move" "$srv" refs/heads/main "$head"
git --git-dir="$srv" config --unset gatehouse.auditLog

# --- gatehouse.auditLog relative to the repository
git --git-dir="$srv" config gatehouse.auditLog logs/decisions.jsonl
mkdir -p "$srv/logs"
push_as erin "$wc" origin main
expect_accepted "auditLog: a relative path is inside the repository"
if [ -s "$srv/logs/decisions.jsonl" ]; then ok "auditLog: the record went to the configured file"
else not_ok "auditLog: the record went to the configured file"; fi
git --git-dir="$srv" config --unset gatehouse.auditLog

# --- gatehouse.matrixFile: the admin's file on disk wins over the repo
cp "$MATRIX_DIR/base.yml" "$TMP/admin-matrix.yml"
sed -i 's/  release: \[erin\]/  release: [alice]/' "$TMP/admin-matrix.yml"
git --git-dir="$srv" config gatehouse.matrixFile "$TMP/admin-matrix.yml"
commit_file "$wc" z.txt z
push_as erin "$wc" origin main
expect_rejected "matrixFile: erin is not release in the admin's matrix"
expect_out "matrixFile: the rule names the file" "rule:  $TMP/admin-matrix.yml:"
push_as alice "$wc" origin main
expect_accepted "matrixFile: alice is release there"
echo "version: 2" >"$TMP/admin-matrix.yml"
push_as alice "$wc" origin main:refs/heads/team/q
expect_rejected "matrixFile: a broken file rejects every push"
expect_out "matrixFile: with file and line" "$TMP/admin-matrix.yml:1:10: error: unsupported matrix version '2'"
git --git-dir="$srv" config --unset gatehouse.matrixFile

# --- an empty repository: the push that creates the trusted ref must bring a matrix
srv=$(new_server empty)
wc=$(new_clone "$srv" e1)
commit_file "$wc" README "hello"
push_as anyone "$wc" origin main
expect_rejected "empty repo: creating the trusted ref without a matrix is refused"
expect_out "empty repo: matrix.missing, with the fix" "[matrix.missing]" "gatehouse matrix validate"
expect_ref "empty repo: main was not created" "$srv" refs/heads/main none
push_as anyone "$wc" origin main:refs/heads/scratch
expect_accepted "empty repo: other refs are unguarded until a matrix lands"
expect_out "empty repo: and the pusher is told so" \
  "no responsibility matrix on the trusted ref (refs/heads/main) yet"

# --- an existing repository without a matrix, then gatehouse.trustedRef / matrixPath
git init -q --bare "$TMP/trusted.git"
srv=$TMP/trusted.git
wc=$(new_clone "$srv" t1)
commit_file "$wc" README "hello"
git -C "$wc" push -q origin main 2>/dev/null
"$ROOT/install.sh" --bin "$GATEHOUSE_BIN" --repo "$srv" >"$TMP/trusted.install.log" 2>&1
expect_eq "install.sh: warns that the trusted ref has no matrix yet" \
  "$(grep -c 'has no matrix/responsibility.yml yet' "$TMP/trusted.install.log")" 1
git -C "$wc" checkout -q -b other
commit_file "$wc" other.txt x
push_as anyone "$wc" origin other
expect_accepted "no matrix yet: other refs are accepted"
git -C "$wc" checkout -q main
commit_file "$wc" README "hello again"
push_as anyone "$wc" origin main
expect_rejected "no matrix yet: a push to the trusted ref must bring a matrix"
expect_out "no matrix yet: matrix.missing" "[matrix.missing]"
git -C "$wc" checkout -q -b policy
mkdir -p "$wc/policy"
cp "$MATRIX_DIR/base.yml" "$wc/policy/rules.yml"
git -C "$wc" add policy && git -C "$wc" commit -q -m "rules on their own branch"
git --git-dir="$srv" config gatehouse.trustedRef policy
git --git-dir="$srv" config gatehouse.matrixPath policy/rules.yml
push_as erin "$wc" origin policy
expect_accepted "trustedRef: bootstrap of a configured trusted branch"
expect_out "trustedRef: the matrix is read from there" "refs/heads/policy:policy/rules.yml"
git -C "$wc" checkout -q main
push_as bob "$wc" origin main
expect_rejected "trustedRef: main is now guarded by the rules on the policy branch"
push_as erin "$wc" origin main
expect_accepted "trustedRef: release may push main"

# --- what is new in a push: quarantine listing (pre-receive) or walk (update)
srv=$(new_server newobj --hook both)
wc=$(new_clone "$srv" n1)
put_matrix "$wc" base.yml
push_as erin "$wc" origin main
git -C "$wc" checkout -q -b team-n
for i in 1 2 3; do commit_file "$wc" "n$i.txt" "$i"; done
push_as bob "$wc" origin team-n:refs/heads/team/n
expect_accepted "new objects: setup push of 3 commits"
pre=$(grep '"hook":"pre-receive"' "$srv/gatehouse/audit.jsonl" | tail -n 1)
upd=$(grep '"hook":"update"' "$srv/gatehouse/audit.jsonl" | tail -n 1)
expect_eq "new objects: pre-receive lists the quarantine" "$(json_get "$pre" '.push.source + " " + (.push.new_commits|tostring)')" "quarantine 3"
expect_eq "new objects: 3 commits + 3 trees + 3 blobs" "$(json_get "$pre" .push.new_objects)" 9
expect_eq "new objects: update walks, hiding existing refs" "$(json_get "$upd" '.push.source + " " + (.push.new_commits|tostring)')" "walk 3"

# A tag of a blob cannot be hidden in a revision walk: it must not break it.
blob=$(git -C "$wc" hash-object -w n1.txt)
git -C "$wc" tag blobtag "$blob"
push_as erin "$wc" origin blobtag
expect_accepted "walk: setup a tag pointing at a blob"
commit_file "$wc" n4.txt 4
push_as bob "$wc" origin team-n:refs/heads/team/n
expect_accepted "walk: a ref to a non-commit does not break the update hook"
upd=$(grep '"hook":"update"' "$srv/gatehouse/audit.jsonl" | tail -n 1)
expect_eq "walk: counts exactly the new commit" "$(json_get "$upd" .push.new_commits)" 1

# A ref to a missing object breaks git's own connectivity check, so run the
# update hook as git would, directly, with such a ref present.
echo 1234567890123456789012345678901234567890 >"$srv/refs/heads/dangling"
tip=$(ref_of "$srv" refs/heads/team/n)
OUT=$(cd "$srv" && GIT_DIR=. GATEHOUSE_USER=bob "$GATEHOUSE_BIN/update" refs/heads/team/z 0000000000000000000000000000000000000000 "$tip" 2>&1); RC=$?
expect_eq "walk: a ref to a missing object does not break the update hook" "$RC" 0
expect_eq "walk: nothing new when the tip is already on a branch" \
  "$(json_get "$(last_audit "$srv")" '.push.source + " " + (.push.new_commits|tostring)')" "walk 0"
rm -f "$srv/refs/heads/dangling"

# --- identity: which variable names the pusher
push_env "REMOTE_USER=bob" "$wc" origin team-n:refs/heads/team/r
expect_accepted "identity: REMOTE_USER names the pusher"
expect_eq "identity: recorded with its source" \
  "$(json_get "$(last_audit "$srv")" '.pusher + " " + .identity_source')" "bob REMOTE_USER"
push_env "GITEA_PUSHER_NAME=mallory REMOTE_USER=bob" "$wc" origin team-n:refs/heads/team/s
expect_rejected "identity: GITEA_PUSHER_NAME comes before REMOTE_USER"
push_env "GATEHOUSE_USER=alice GL_USERNAME=mallory" "$wc" origin team-n:refs/heads/team/s
expect_accepted "identity: GATEHOUSE_USER comes first"

# --- hostile or broken hook input fails closed
OUT=$(cd "$srv" && printf 'not a valid line\n' | GATEHOUSE_USER=erin "$GATEHOUSE_BIN/pre-receive" 2>&1); RC=$?
expect_eq "hook input: garbage on stdin rejects" "$RC" 1
expect_out "hook input: says what is wrong" "hook input line 1 is not 'OLD NEW REF'"
expect_eq "hook input: the failure is audited" "$(json_get "$(last_audit "$srv")" .verdict)" rejected
OUT=$(cd "$srv" && printf '%s %s refs/heads/\033[31mred\n' 0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 | GATEHOUSE_USER=erin "$GATEHOUSE_BIN/pre-receive" 2>&1); RC=$?
expect_eq "hook input: a ref name with an escape sequence is refused" "$RC" 1
if grep -q $'\033' <<<"$OUT"; then not_ok "hook input: no raw escape reaches the terminal" "$OUT"
else ok "hook input: no raw escape reaches the terminal"; fi
OUT=$(cd "$srv" && GATEHOUSE_USER=erin "$GATEHOUSE_BIN/update" refs/heads/x 2>&1); RC=$?
expect_eq "update: wrong argument count rejects" "$RC" 1
OUT=$(cd "$srv" && printf '%s %s refs/heads/main\n' "$(ref_of "$srv" refs/heads/main)" 2222222222222222222222222222222222222222 | GATEHOUSE_USER=erin "$GATEHOUSE_BIN/pre-receive" 2>&1); RC=$?
expect_eq "hook input: a new id that does not exist rejects (fail closed)" "$RC" 1
expect_out "hook input: and says which object" "2222222222222222222222222222222222222222"

# --- GIT_WORK_TREE / GIT_COMMON_DIR set: libgit2 1.5 refuses to open "from
# env" then; the hook must still see the quarantined objects of the push.
srv=$(new_server envdirs)
mv "$srv/hooks/pre-receive" "$srv/hooks/pre-receive.real"
mkdir -p "$TMP/wt"
printf '#!/bin/sh\nGIT_WORK_TREE=%s GIT_COMMON_DIR=%s exec %s\n' "$TMP/wt" "$srv" "$srv/hooks/pre-receive.real" >"$srv/hooks/pre-receive"
chmod +x "$srv/hooks/pre-receive"
wc=$(new_clone "$srv" envdirs)
put_matrix "$wc" base.yml
push_as bob "$wc" origin main
expect_rejected "env dirs: bootstrap judged from quarantined objects (bob may not create main)"
expect_out "env dirs: the pushed matrix was read" "[ref.create] bob (roles: developers)"
push_as erin "$wc" origin main
expect_accepted "env dirs: erin may"

finish
