#!/usr/bin/env bash
# settings.limits: each bound, set low in the matrix, rejects a push that
# exceeds it with limit.<key>, the matrix line that set it, and what exceeded
# it; a push just within every limit is accepted; refs do not move; limits
# hold with secret scanning switched off; and the rejection is audited.
. "$(dirname "$0")/lib.sh"

srv=$(new_server limits)
wc=$(new_clone "$srv" lim)
{
  sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  cat <<'YML'
settings:
  on_error: reject
  limits:
    refs: 3
    commits: 10
    parents: 2
    message_bytes: 2048
    trailers: 5
    paths_per_commit: 20
    tree_depth: 4
    path_bytes: 40
YML
} >"$TMP/limits.yml"
put_matrix "$wc" "$TMP/limits.yml"
OUT=$("$GATEHOUSE" matrix validate "$TMP/limits.yml" 2>&1); RC=$?
expect_eq "the matrix with limits is valid" "$RC" 0
push_as erin "$wc" origin main
expect_accepted "setup"
base=$(git -C "$wc" rev-parse HEAD)
line_of() { grep -n "^    $1:" "$TMP/limits.yml" | cut -d: -f1; }

# expect_limit LABEL KEY DETAIL: rejected for limit.KEY, naming the matrix line and DETAIL.
expect_limit() {
  expect_rejected "$1: rejected"
  expect_out "$1: names the limit, the rule's line and what exceeded it" \
    "[limit.$2]" "matrix/responsibility.yml:$(line_of "$2"):" "$3"
  expect_eq "$1: audited with the limit's id" \
    "$(json_get "$(last_audit "$srv")" '[.verdict, (.reasons[0].id // .reasons[0].check)] | join(" ")')" "rejected limit.$2"
}

# refs: 4 branches at once, then 3
git -C "$wc" checkout -q -b team/a "$base"
for b in b c d; do git -C "$wc" branch "team/$b" "$base"; done
push_as bob "$wc" origin team/a team/b team/c team/d
expect_limit "refs: 4 ref updates" refs "the push updates 4 refs; settings.limits.refs allows 3"
expect_eq "refs: no branch was created" "$(ref_of "$srv" refs/heads/team/a)" none
push_as bob "$wc" origin team/a team/b team/c
expect_accepted "refs: 3 ref updates are within the limit"

# commits: 11 new commits, then 10
git -C "$wc" checkout -q -b team/many "$base"
for i in $(seq 1 11); do commit_file "$wc" "many/$i.txt" "$i"; done
push_as bob "$wc" origin team/many
expect_limit "commits: 11 new commits" commits "the push brings 11 new commits; settings.limits.commits allows 10"
push_as bob "$wc" origin team/many~1:refs/heads/team/many
expect_accepted "commits: 10 new commits are within the limit"

# parents: an octopus of 3
git -C "$wc" checkout -q -b team/o1 "$base"; commit_file "$wc" o1.txt 1
git -C "$wc" checkout -q -b team/o2 "$base"; commit_file "$wc" o2.txt 2
git -C "$wc" checkout -q -b team/oct "$base"; commit_file "$wc" o3.txt 3
git -C "$wc" merge -q --no-edit team/o1 team/o2 >/dev/null 2>&1
push_as bob "$wc" origin team/oct
expect_limit "parents: an octopus of 3" parents "has 3 parents; settings.limits.parents allows 2"

# message_bytes and trailers
git -C "$wc" checkout -q -b team/msg "$base"
printf 'x\n' >"$wc/m.txt"; git -C "$wc" add m.txt
git -C "$wc" commit -q -m "long" -m "$(head -c 3000 /dev/zero | tr '\0' 'y')"
push_as bob "$wc" origin team/msg
expect_limit "message_bytes: a 3 KB message" message_bytes "bytes long; settings.limits.message_bytes allows 2048"
git -C "$wc" reset -q --hard "$base"
printf 'x\n' >"$wc/t.txt"; git -C "$wc" add t.txt
git -C "$wc" commit -q -m "many trailers" -m "$(for i in 1 2 3 4 5 6; do echo "Reviewed-by: R$i <r$i@example.com>"; done)"
push_as bob "$wc" origin team/msg
expect_limit "trailers: 6 trailers" trailers "its message has 6 trailers; settings.limits.trailers allows 5"

# paths_per_commit: 21 files in one commit, then 20
git -C "$wc" checkout -q -b team/wide "$base"
for i in $(seq 1 21); do printf '%d\n' "$i" >"$wc/w$i.txt"; done
git -C "$wc" add . && git -C "$wc" commit -q -m "21 files"
push_as bob "$wc" origin team/wide
expect_limit "paths_per_commit: 21 paths" paths_per_commit "changes more than 20 paths"
git -C "$wc" rm -q w21.txt && git -C "$wc" commit -q --amend -m "20 files"
push_as bob "$wc" origin team/wide
expect_accepted "paths_per_commit: 20 paths are within the limit"

# tree_depth and path_bytes
git -C "$wc" checkout -q -b team/deep "$base"
commit_file "$wc" a/b/c/d/e/f.txt deep
push_as bob "$wc" origin team/deep
expect_limit "tree_depth: 5 directories" tree_depth "path 'a/b/c/d/e/f.txt...' is 5 directories deep"
git -C "$wc" reset -q --hard "$base"
commit_file "$wc" a/b/c/d/ok.txt four
push_as bob "$wc" origin team/deep
expect_accepted "tree_depth: 4 directories are within the limit"
commit_file "$wc" "$(printf 'n%.0s' $(seq 45)).txt" long
push_as bob "$wc" origin team/deep
expect_limit "path_bytes: a 49-byte path" path_bytes "is 49 bytes long; settings.limits.path_bytes allows 40"

# with secrets off, the path limits still hold
sed 's/^settings:/secrets:\n  enabled: false\nsettings:/' "$TMP/limits.yml" >"$TMP/limits-nosecrets.yml"
git -C "$wc" checkout -q main
put_matrix "$wc" "$TMP/limits-nosecrets.yml"
git -C "$wc" commit -q --amend --no-edit --trailer "Reviewed-by: Carol <carol@example.com>"
push_as erin "$wc" origin main
expect_accepted "secrets off: setup"
cp "$TMP/limits-nosecrets.yml" "$TMP/limits.yml"
git -C "$wc" checkout -q -b team/deep2 main
commit_file "$wc" p/q/r/s/t/u.txt deep
push_as bob "$wc" origin team/deep2
expect_limit "secrets off: tree_depth still checked" tree_depth "is 5 directories deep"

# the matrix refuses a limit out of range, naming file, line and column
sed 's/^    tree_depth: 4$/    tree_depth: 0/' "$TMP/limits.yml" >"$TMP/bad.yml"
OUT=$("$GATEHOUSE" matrix validate "$TMP/bad.yml" 2>&1); RC=$?
expect_eq "validate: a limit out of range is an invalid matrix" "$RC" 2
expect_out "validate: names the key, the range and the place" "settings.limits.tree_depth must be from 1 to 8192, not 0" "bad.yml:$(grep -n 'tree_depth: 0' "$TMP/bad.yml" | cut -d: -f1):"
finish
