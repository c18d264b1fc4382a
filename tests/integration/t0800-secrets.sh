#!/usr/bin/env bash
# Secret detection on real pushes: a secret in a new file, in a modified
# file, only in an older commit of the push, in a file deleted again in the
# same push, on an unprotected branch; every allowlist; a blob already on
# the server pushed again under a new path; oversize and binary blobs; and
# `gatehouse scan` on files and ranges in text, JSON and SARIF.
. "$(dirname "$0")/lib.sh"

# Synthetic tokens in documented formats (never real secrets).
GH=ghp_R4nd0mT0k3nV4lu3Xq9Zk2Lm8Np5Wc7Yb1Hd
AWS=AKIAZ7QRST2345ABCDEF

srv=$(new_server secrets)
wc=$(new_clone "$srv" sec)
cp "$MATRIX_DIR/base.yml" "$TMP/secrets-matrix.yml"
put_matrix "$wc" "$TMP/secrets-matrix.yml"
push_as erin "$wc" origin main
expect_accepted "setup"
base=$(git -C "$wc" rev-parse HEAD)
git -C "$wc" checkout -q -b topic

# --- a secret in a new file, on an unprotected branch
printf 'api:\n  token: %s\n' "$GH" >"$wc/config.yml"
git -C "$wc" add config.yml && git -C "$wc" commit -q -m "Add config"
push_as bob "$wc" origin topic
expect_rejected "new file: rejected even on a branch no rule protects"
expect_out "new file: rule, path, line, column, commit, redacted" \
  "[secret.github-pat] config.yml:2:10: GitHub personal access token (classic) ghp_...(40 chars) in commit" \
  "rotate it" "gatehouse:allow" "fingerprint github-pat:config.yml:"
expect_no_out "new file: the secret is never printed whole" "$GH"
if grep -qF "$GH" "$srv/gatehouse/audit.jsonl"; then not_ok "audit: the secret is never logged whole"
else ok "audit: the secret is never logged whole"; fi
expect_eq "audit: the finding is recorded" \
  "$(json_get "$(last_audit "$srv")" '[.reasons[].id] | join(",")') $(json_get "$(last_audit "$srv")" .secrets.findings_on_ref)" \
  "secret.github-pat 1"

# --- only in an older commit of the push, and deleted again before the tip
git -C "$wc" reset -q --hard "$base"
printf 'key = %s\n' "$AWS" >"$wc/old.txt"
git -C "$wc" add old.txt && git -C "$wc" commit -q -m "Add key"
git -C "$wc" rm -q old.txt && git -C "$wc" commit -q -m "Remove key again"
push_as bob "$wc" origin topic
expect_rejected "history: a secret deleted in the same push is still rejected"
expect_out "history: attributed to the commit that introduced it" "old.txt:1:7" "in commit $(git -C "$wc" rev-parse --short=10 HEAD~1) Add key"

# --- in a modified file
git -C "$wc" reset -q --hard "$base"
printf 'line one\n' >"$wc/notes.md"
git -C "$wc" add notes.md && git -C "$wc" commit -q -m "notes"
push_as bob "$wc" origin topic
expect_accepted "modified file: setup without a secret"
printf 'line one\naws %s\n' "$AWS" >"$wc/notes.md"
git -C "$wc" commit -q -am "more notes"
push_as bob "$wc" origin topic
expect_rejected "modified file: the new version is scanned"
expect_out "modified file: line 2" "[secret.aws-access-key-id] notes.md:2:5"
git -C "$wc" reset -q --hard origin/topic

# --- a long push listed and scanned on several threads (a handle each):
# the secret sits in commit 37 of 60, and the same blob comes back under
# another path in commit 50; the oldest commit names it.
git -C "$wc" checkout -q -b long "$base"
for i in $(seq 1 60); do
  mkdir -p "$wc/d$((i % 7))/e$((i % 3))"
  printf 'file %d\nline\n' "$i" >"$wc/d$((i % 7))/e$((i % 3))/f$i.txt"
  [ "$i" -eq 37 ] && printf 'deploy_token: %s\n' "$GH" >"$wc/d2/creds.yml"
  [ "$i" -eq 50 ] && cp "$wc/d2/creds.yml" "$wc/copy-of-creds.yml"
  git -C "$wc" add -A && git -C "$wc" commit -q -m "step $i"
done
for t in 1 2 3; do
  push_env "GATEHOUSE_USER=bob GATEHOUSE_THREADS=$t" "$wc" origin long
  expect_rejected "long push, $t thread(s): the secret in commit 37 of 60 is found"
  expect_out "long push, $t thread(s): attributed to the oldest commit and its path" \
    "d2/creds.yml:1:15" "in commit $(git -C "$wc" rev-parse --short=10 HEAD~23) step 37"
  expect_out "long push, $t thread(s): the same bytes at another path are judged at that path too" \
    "copy-of-creds.yml:1:15" "github-pat:copy-of-creds.yml:"
done
rec=$(last_audit "$srv")
expect_eq "long push: the audit counts every new commit and blob" \
  "$(json_get "$rec" '[.push.new_commits, .secrets.scanned_blobs] | @tsv')" "$(printf '60\t61')"
expect_eq "long push: the audit times each stage of the hook" \
  "$(json_get "$rec" '.phases_ms | keys | join(",")')" "evidence,matrix,objects,secrets_list,secrets_scan"

# --- a tag of a blob: no commit reaches it, the blob is still scanned
printf 'leaked = %s\n' "$AWS" >"$TMP/tagged.txt"
tblob=$(git -C "$wc" hash-object -w "$TMP/tagged.txt")
git -C "$wc" tag blob-tag "$tblob"
push_as bob "$wc" origin refs/tags/blob-tag
expect_rejected "tag of a blob: a secret only a tag reaches is found"
expect_out "tag of a blob: reported without a path" "[secret.aws-access-key-id]"
git -C "$wc" tag -d blob-tag >/dev/null
git -C "$wc" checkout -q topic

# --- allowlists: inline comment
printf 'token = "%s"  # gatehouse:allow test fixture\n' "$GH" >"$wc/fixture.py"
git -C "$wc" add fixture.py && git -C "$wc" commit -q -m "fixture"
push_as bob "$wc" origin topic
expect_accepted "allow: an inline gatehouse:allow comment"
fixture_blob=$(git -C "$wc" rev-parse HEAD:fixture.py)

# --- placeholders and documentation examples
printf 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\ntoken: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n' >"$wc/docs.md"
git -C "$wc" add docs.md && git -C "$wc" commit -q -m "docs"
push_as bob "$wc" origin topic
expect_accepted "placeholders: AWS's documented example key and xxxx are not findings"

# --- a blob already on the server, pushed again under a new path, is judged at that path
git -C "$wc" show HEAD~1:fixture.py | sed 's/  # gatehouse:allow test fixture//' >/dev/null
mkdir -p "$wc/copy"
git -C "$wc" cat-file -p "$fixture_blob" >"$wc/copy/fixture.py"
git -C "$wc" add copy && git -C "$wc" commit -q -m "copy fixture"
push_as bob "$wc" origin topic
expect_accepted "known blob: the same allowed content under a new path is accepted"
expect_eq "known blob: judged again under its new path" "$(json_get "$(last_audit "$srv")" .secrets.scanned_blobs)" 1

# --- allowlists in the matrix: allow_paths, allow_regexes, disable, and enabled: false
git -C "$wc" checkout -q main
cat >>"$TMP/secrets-matrix.yml" <<'YML'
secrets:
  allow_paths: ["testdata/**"]
  allow_regexes: ["^AKIAZ7QRST"]
  disable: [github-pat]
  max_blob_bytes: 65536
YML
put_matrix "$wc" "$TMP/secrets-matrix.yml"
git -C "$wc" commit -q --amend --no-edit --trailer "Reviewed-by: Carol <carol@example.com>"
push_as erin "$wc" origin main
expect_accepted "matrix: secrets settings land on main"
git -C "$wc" checkout -q -b topic2
mkdir -p "$wc/testdata"
printf 'key = AKIAQQQQ2345ABCDWXYZ\n' >"$wc/testdata/key.txt"
printf 'key = %s\n' "$AWS" >"$wc/allowed-by-regex.txt"
printf 'token = %s\n' "$GH" >"$wc/disabled-rule.txt"
git -C "$wc" add -A && git -C "$wc" commit -q -m "allowlisted"
push_as bob "$wc" origin topic2
expect_accepted "matrix: allow_paths, allow_regexes and disable each let a finding through"

# --- oversize and binary blobs: never silently skipped
head -c 70000 /dev/zero | tr '\0' 'a' >"$wc/big.txt"
# (a binary's runs of 20 printable characters are scanned as text: see t1560)
printf 'bin\0ary\0\001\002 short run\0\n' >"$wc/blob.bin"
git -C "$wc" add -A && git -C "$wc" commit -q -m "big and binary"
push_as bob "$wc" origin topic2
expect_rejected "large: a blob over max_blob_bytes was not scanned, so the push is rejected"
expect_out "large: the pusher is told it was not scanned, the bound and the key" "1 blob over secrets.max_blob_bytes was not scanned" "big.txt (70000 bytes)" \
  "[secret.incomplete]" "larger than secrets.max_blob_bytes (65536 bytes)" "raise secrets.max_blob_bytes"
rec=$(last_audit "$srv")
expect_eq "large: recorded in the audit log" "$(json_get "$rec" '.secrets.skipped_large[0].path + " " + (.secrets.skipped_large[0].size|tostring)')" "big.txt 70000"
expect_eq "binary: counted in the audit log" "$(json_get "$rec" .secrets.skipped_binary)" 1
expect_out "binary: the pusher is told it was not scanned" "1 binary blob with no text in it was not scanned" "blob.bin"
# the rest of the file pushes topic2 again: without the big blob
git -C "$wc" reset -q --soft HEAD~1 && git -C "$wc" rm -q --cached big.txt && rm "$wc/big.txt"
git -C "$wc" commit -q -m "binary"

# --- the fingerprints file on the trusted ref
git -C "$wc" checkout -q topic2
printf 'cred = AKIAQRST2345ABCDWXYZ\n' >"$wc/known.txt"
git -C "$wc" add known.txt && git -C "$wc" commit -q -m "known finding"
push_as bob "$wc" origin topic2
expect_rejected "ignore: setup finding"
fp=$(grep -o 'aws-access-key-id:known.txt:[0-9a-f]*' <<<"$OUT" | head -n 1)
git -C "$wc" checkout -q main
mkdir -p "$wc/.gatehouse"
echo "$fp" >"$wc/.gatehouse/ignore"
git -C "$wc" add .gatehouse && git -C "$wc" commit -q -m "accept a known finding" --trailer "Reviewed-by: Carol <carol@example.com>"
push_as erin "$wc" origin main
expect_accepted "ignore: the fingerprint lands on main"
git -C "$wc" checkout -q topic2
push_as bob "$wc" origin topic2
expect_accepted "ignore: a fingerprint in .gatehouse/ignore on the trusted ref accepts that finding"

# --- secrets: enabled: false
sed -i 's/^secrets:/secrets:\n  enabled: false/' "$TMP/secrets-matrix.yml"
git -C "$wc" checkout -q main
put_matrix "$wc" "$TMP/secrets-matrix.yml"
git -C "$wc" commit -q --amend --no-edit --trailer "Reviewed-by: Carol <carol@example.com>"
push_as erin "$wc" origin main
expect_accepted "disabled: setup"
git -C "$wc" checkout -q -b topic3
printf 'x = %s\n' "$GH" | sed 's/ghp_R4/ghp_Q4/' >"$wc/off.txt"
git -C "$wc" add off.txt && git -C "$wc" commit -q -m off
push_as bob "$wc" origin topic3
expect_accepted "disabled: enabled: false turns scanning off"

# --- gatehouse scan
mkdir -p "$TMP/files/sub"
printf 'token: %s\n' "$GH" >"$TMP/files/sub/a.yml"
printf 'nothing here\n' >"$TMP/files/clean.txt"
OUT=$(cd "$TMP/files" && "$GATEHOUSE" scan 2>"$TMP/scan.err"); RC=$?
expect_eq "scan: findings exit 1" "$RC" 1
expect_out "scan: text output" "sub/a.yml:1:8: secret.github-pat" "fingerprint: github-pat:sub/a.yml:"
OUT=$(cd "$TMP/files" && "$GATEHOUSE" scan clean.txt 2>/dev/null); RC=$?
expect_eq "scan: nothing found exits 0" "$RC" 0
OUT=$(cd "$TMP/files" && "$GATEHOUSE" scan --format json . 2>/dev/null)
expect_eq "scan: JSON has the documented fields" \
  "$(jq -c '.[0] | [.rule, .path, .line, .column, .commit, .secret, (.fingerprint|startswith("github-pat:"))]' <<<"$OUT")" \
  '["github-pat","sub/a.yml",1,8,null,"ghp_...(40 chars)",true]'
OUT=$(cd "$TMP/files" && "$GATEHOUSE" scan --format sarif . 2>/dev/null)
expect_eq "scan: SARIF 2.1.0 with rule and location" \
  "$(jq -c '[.version, .runs[0].tool.driver.name, .runs[0].results[0].ruleId, .runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, .runs[0].results[0].locations[0].physicalLocation.region.startLine]' <<<"$OUT")" \
  '["2.1.0","gatehouse","secret.github-pat","sub/a.yml",1]'
git -C "$wc" checkout -q -b incident "$base"
printf 'leak %s\n' "$GH" >"$wc/leak.txt"
git -C "$wc" add leak.txt && git -C "$wc" commit -q -m "leak"
leak=$(git -C "$wc" rev-parse HEAD)
git -C "$wc" rm -q leak.txt && git -C "$wc" commit -q -m "cleanup"
OUT=$(cd "$wc" && "$GATEHOUSE" scan --format json --range "$base..incident" 2>/dev/null); RC=$?
expect_eq "scan --range: did this secret ever enter history? yes, in that commit" \
  "$RC $(jq -r '.[0].rule + " " + .[0].path + " " + .[0].commit' <<<"$OUT")" "1 github-pat leak.txt $leak"
if command -v script >/dev/null; then
  OUT=$(cd "$wc" && script -qec "'$GATEHOUSE' scan --range '$base..incident' >/dev/null" /dev/null 2>&1)
  expect_out "scan --range on a terminal: a progress line" "gatehouse scan: " "blobs ("
  OUT=$(cd "$wc" && "$GATEHOUSE" scan --range "$base..incident" 2>&1 >/dev/null)
  expect_no_out "scan --range piped: no progress line" "blobs ("
fi
OUT=$(cd "$TMP/files" && "$GATEHOUSE" scan --format yaml 2>&1); RC=$?
expect_eq "scan: an unknown format is a usage error" "$RC" 2

# --- gatehouse scan over a tree, on 1, 2 and 3 threads: the same answer.  A
# symlink (to a secret outside) and a FIFO are not content; a file over
# max_blob_bytes (default 10 MiB) is named as not scanned, never silently.
mkdir -p "$TMP/tree"
for i in $(seq 1 40); do
  mkdir -p "$TMP/tree/d$((i % 5))"
  printf 'line %d\n' "$i" >"$TMP/tree/d$((i % 5))/f$i.txt"
done
printf 'a: 1\ntoken: %s\n' "$GH" >"$TMP/tree/d3/creds.yml"
printf 'X=1\nGITHUB_TOKEN=%s\n' "$GH" >"$TMP/tree/d1/more.env"
printf 'x = "%s"\n' "$GH" >"$TMP/outside-secret.txt"
ln -s "$TMP/outside-secret.txt" "$TMP/tree/link.txt"
mkfifo "$TMP/tree/pipe"
head -c 11000000 /dev/zero | tr '\0' 'a' >"$TMP/tree/huge.txt"
head -c 10600000 /dev/zero | tr '\0' 'b' >"$TMP/tree/d2/big2.txt"
for t in 1 2 3; do
  OUT=$(cd "$TMP/tree" && GATEHOUSE_THREADS=$t timeout 60 "$GATEHOUSE" scan --format json 2>"$TMP/scan.err"); RC=$?
  expect_eq "scan a tree, $t thread(s): the two secrets in path order, not the symlink's target nor the FIFO" \
    "$RC $(jq -c '[.[] | [.path, .line, .column]]' <<<"$OUT")" '1 [["d1/more.env",2,14],["d3/creds.yml",2,8]]'
  expect_eq "scan a tree, $t thread(s): every file counted, the large ones named in path order" \
    "$(grep -o '2 findings; 42 blobs (\|2 over max_blob_bytes NOT scanned\|not scanned (too large): .*' "$TMP/scan.err" | tr '\n' '|')" \
    "2 findings; 42 blobs (|2 over max_blob_bytes NOT scanned|not scanned (too large): d2/big2.txt (10600000 bytes)|not scanned (too large): huge.txt (11000000 bytes)|"
done
OUT=$(cd "$TMP/tree" && "$GATEHOUSE" scan ./d3 link.txt 2>/dev/null); RC=$?
expect_eq "scan: a secret in a named directory exits 1" "$RC" 1
expect_out "scan: a leading ./ is not shown; a symlink named on the command line is not followed" "d3/creds.yml:2:8"
expect_no_out "scan: no ./ in paths" "./d3"
OUT=$(cd "$TMP/tree" && "$GATEHOUSE" scan link.txt 2>&1); RC=$?
expect_eq "scan: a symlink alone scans nothing" "$RC" 0
OUT=$(cd "$TMP/tree" && "$GATEHOUSE" scan no-such-dir 2>&1); RC=$?
expect_eq "scan: a missing path is a usage error" "$RC" 2
expect_out "scan: ... that names the path" "no-such-dir: No such file or directory"

finish
