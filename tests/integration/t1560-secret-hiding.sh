#!/usr/bin/env bash
# Secrets hidden where the blob scan did not look (issue 13, item 8): in a
# commit message, an annotated tag's message, a file name, a ref name, a
# UTF-16 file (what Windows PowerShell writes by default) and after a NUL
# byte on a file's first line.  Each was accepted before; each is now
# rejected with where it is (never the whole secret) and how to fix that
# kind, under pre-receive and under the update hook alone.  Also: whatever
# is still not scanned (a binary with no text in it) is named to the
# pusher; a clean UTF-16 file passes; ref names and paths are redacted in
# the audit log like findings.
. "$(dirname "$0")/lib.sh"

# Synthetic tokens in documented formats (never real secrets).
GH=ghp_R4nd0mT0k3nV4lu3Xq9Zk2Lm8Np5Wc7Yb1Hd
AWS=AKIAZ7QRST2345ABCDEF
AWS2=AKIAQ7QRST2345ABCDEG

# hook_says: what gatehouse printed (git's own lines, on both sides, name the refs themselves).
hook_says() { grep '^remote:' <<<"$OUT" | grep -v '^remote: error: hook declined to update '; }

# expect_not_whole NAME SECRET: neither the hook's lines nor the audit log hold SECRET whole.
expect_not_whole() {
  local name=$1 secret=$2
  if hook_says | grep -qF -- "$secret"; then not_ok "$name: not printed whole" "$OUT"
  else ok "$name: not printed whole"; fi
  if grep -qF -- "$secret" "$srv/gatehouse/audit.jsonl"; then
    not_ok "$name: not whole in the audit log" "$(grep -F -- "$secret" "$srv/gatehouse/audit.jsonl")"
  else ok "$name: not whole in the audit log"; fi
}

# utf16 ENCODING TEXT: TEXT (printf format, no arguments) in ENCODING.
utf16() { printf "$2" | iconv -f UTF-8 -t "$1"; }

attacks() {
  local hook=$1 t
  srv=$(new_server "hiding-$hook" --hook "$hook")
  wc=$(new_clone "$srv" "hide-$hook")
  put_matrix "$wc" base.yml
  push_as erin "$wc" origin main
  expect_accepted "$hook: setup"
  base=$(git -C "$wc" rev-parse HEAD)

  # --- a token in a commit message (an older commit of the push; the tip is clean)
  git -C "$wc" checkout -q -b msg "$base"
  commit_file "$wc" a.txt "a" "Add a"
  git -C "$wc" commit -q --allow-empty -m "Debug the upload" -m "it failed with" -m "aws_key=$AWS"
  bad=$(git -C "$wc" rev-parse HEAD)
  commit_file "$wc" b.txt "b" "Add b"
  push_as bob "$wc" origin msg
  expect_rejected "$hook attack: AWS key in a commit message: rejected"
  expect_out "$hook attack: AWS key in a commit message: where, redacted, how to reword" \
    "[secret.aws-access-key-id] commit ${bad:0:10} message, line 5, column 9: AWS access key ID AKIA...(20 chars)" \
    "git rebase -i" "git commit --amend" "rotate" "aws-access-key-id:<commit-message>:"
  expect_not_whole "$hook attack: AWS key in a commit message" "$AWS"
  expect_ref "$hook attack: AWS key in a commit message: the branch was not created" "$srv" refs/heads/msg none

  # --- a token after a NUL byte in a commit message (git log stops at the NUL; the scan does not)
  git -C "$wc" checkout -q -b nulmsg "$base"
  bad=$(printf 'tree %s\nparent %s\nauthor A <a@example.com> 1767225600 +0000\ncommitter A <a@example.com> 1767225600 +0000\n\nTidy up\n\nnothing to see\0 key=%s\n' \
    "$(git -C "$wc" rev-parse "$base^{tree}")" "$base" "$AWS" | git -C "$wc" hash-object -w -t commit --literally --stdin)
  git -C "$wc" update-ref refs/heads/nulmsg "$bad"
  push_as bob "$wc" origin nulmsg
  expect_rejected "$hook attack: AWS key after a NUL in a commit message: rejected"
  expect_out "$hook attack: AWS key after a NUL in a commit message: found on its line" \
    "[secret.aws-access-key-id] commit ${bad:0:10} message, line 3, column 21"
  expect_ref "$hook attack: AWS key after a NUL in a commit message: the branch was not created" "$srv" refs/heads/nulmsg none

  # --- the same message with gatehouse:allow on the line (the same allowlists as files)
  git -C "$wc" checkout -q -b msg-ok "$base"
  git -C "$wc" commit -q --allow-empty -m "Docs" -m "example key $AWS2 # gatehouse:allow"
  push_as bob "$wc" origin msg-ok
  expect_accepted "$hook: gatehouse:allow on a commit message's line accepts it"

  # --- a token in an annotated tag's message (the tag names a commit already on the server)
  git -C "$wc" tag -a note-1 -m "Release notes" -m "token: $GH" "$base"
  push_as bob "$wc" origin refs/tags/note-1
  expect_rejected "$hook attack: GitHub token in an annotated tag message: rejected"
  expect_out "$hook attack: GitHub token in an annotated tag message: where and how to fix" \
    "[secret.github-pat] tag note-1 message, line 3, column 8: GitHub personal access token (classic) ghp_...(40 chars)" \
    "git tag -d note-1" "rotate"
  expect_not_whole "$hook attack: GitHub token in an annotated tag message" "$GH"
  expect_ref "$hook attack: GitHub token in an annotated tag message: the tag was not created" "$srv" refs/tags/note-1 none

  # --- a token as a file name
  git -C "$wc" checkout -q -b name "$base"
  mkdir -p "$wc/keys"
  printf 'placeholder for %s\n' "$hook" >"$wc/keys/$AWS.txt"
  git -C "$wc" add keys && git -C "$wc" commit -q -m "Add key file"
  push_as bob "$wc" origin name
  expect_rejected "$hook attack: AWS key as a file name: rejected"
  expect_out "$hook attack: AWS key as a file name: the path redacted, how to rename" \
    "[secret.aws-access-key-id] path of keys/AKIA...(20 chars).txt, column 6: AWS access key ID AKIA...(20 chars)" \
    "git mv" "rotate"
  expect_not_whole "$hook attack: AWS key as a file name" "$AWS"
  expect_ref "$hook attack: AWS key as a file name: the branch was not created" "$srv" refs/heads/name none

  # --- a token as a branch name
  git -C "$wc" checkout -q -b clean "$base"
  commit_file "$wc" c.txt "c" "Add c"
  push_as bob "$wc" origin "HEAD:refs/heads/fix/$GH"
  expect_rejected "$hook attack: GitHub token as a branch name: rejected"
  expect_out "$hook attack: GitHub token as a branch name: named, how to fix" \
    "[secret.github-pat] ref name, column 16: GitHub personal access token (classic) ghp_...(40 chars)" \
    "push under another ref name" "rotate"
  expect_not_whole "$hook attack: GitHub token as a branch name" "$GH"
  expect_eq "$hook attack: GitHub token as a branch name: the audit record names the ref redacted" \
    "$(json_get "$(last_audit "$srv")" .ref)" "refs/heads/fix/ghp_...(40 chars)"
  expect_ref "$hook attack: GitHub token as a branch name: the branch was not created" "$srv" "refs/heads/fix/$GH" none

  # --- a UTF-16LE file with a BOM (PowerShell's default), and one without a BOM
  git -C "$wc" checkout -q -b utf16 "$base"
  { printf '\xff\xfe'; utf16 UTF-16LE "# settings\r\n\$key = \"$AWS\"\r\n"; } >"$wc/setup.ps1"
  git -C "$wc" add setup.ps1 && git -C "$wc" commit -q -m "Add setup script"
  push_as bob "$wc" origin utf16
  expect_rejected "$hook attack: AWS key in a UTF-16LE file with a BOM: rejected"
  expect_out "$hook attack: AWS key in a UTF-16LE file with a BOM: line and column of the decoded text" \
    "[secret.aws-access-key-id] setup.ps1:2:9: AWS access key ID AKIA...(20 chars)"
  expect_ref "$hook attack: AWS key in a UTF-16LE file: the branch was not created" "$srv" refs/heads/utf16 none
  git -C "$wc" checkout -q -b utf16-nobom "$base"
  utf16 UTF-16LE "token = $GH\n" >"$wc/token.txt"
  { printf '\xfe\xff'; utf16 UTF-16BE "x\ny = $AWS2\n"; } >"$wc/be.txt"
  git -C "$wc" add token.txt be.txt && git -C "$wc" commit -q -m "Add UTF-16 files"
  push_as bob "$wc" origin utf16-nobom
  expect_rejected "$hook attack: tokens in UTF-16LE without a BOM and UTF-16BE with one: rejected"
  expect_out "$hook attack: tokens in UTF-16LE without a BOM and UTF-16BE with one: both found" \
    "[secret.github-pat] token.txt:1:9" "[secret.aws-access-key-id] be.txt:2:5"

  # --- a token after a NUL byte on the first line
  git -C "$wc" checkout -q -b nul "$base"
  printf 'header\0 key %s\nmore\n' "$AWS" >"$wc/blob.dat"
  git -C "$wc" add blob.dat && git -C "$wc" commit -q -m "Add data"
  push_as bob "$wc" origin nul
  expect_rejected "$hook attack: AWS key after a NUL on the first line: rejected"
  expect_out "$hook attack: AWS key after a NUL on the first line: found in the text run" \
    "[secret.aws-access-key-id] blob.dat:1:13: AWS access key ID AKIA...(20 chars)"
  expect_ref "$hook attack: AWS key after a NUL on the first line: the branch was not created" "$srv" refs/heads/nul none

  # --- negative: a real binary (no text run of 20 printable characters) is named as not scanned
  git -C "$wc" checkout -q -b binary "$base"
  for t in 1 2 3 4 5 6 7; do
    python3 -c "import random,sys; random.seed($t); sys.stdout.buffer.write(bytes(random.randrange(256) if i % 16 else 0 for i in range(4096)))" >"$wc/noise$t.bin"
  done
  python3 -c "import random,sys; random.seed(99); sys.stdout.buffer.write(bytes(random.randrange(256) if i % 16 else 0 for i in range(512)))" >"$wc/$(printf 'bad\tname.bin')"
  { printf '\xff\xfe'; utf16 UTF-16LE "Write-Host \"hello\"\r\n"; } >"$wc/clean.ps1"
  git -C "$wc" add -A && git -C "$wc" commit -q -m "Add binaries and a clean UTF-16 script"
  push_as bob "$wc" origin binary
  expect_accepted "$hook: binaries without text and a clean UTF-16 file pass"
  expect_out "$hook: binaries without text are named to the pusher, escaped, capped" \
    "note: 8 binary blobs with no text in them were not scanned for secrets" \
    'noise1.bin' 'bad\x09name.bin' "and 3 more"
  expect_no_out "$hook: the clean UTF-16 file was scanned, not skipped" "clean.ps1"
  expect_ref "$hook: binaries: the branch was created" "$srv" refs/heads/binary "$(git -C "$wc" rev-parse HEAD)"
  expect_eq "$hook: binaries: counted in the audit, the UTF-16 file decoded" \
    "$(json_get "$(last_audit "$srv")" '[.secrets.skipped_binary, .secrets.decoded_utf16] | @tsv')" "$(printf '8\t1')"

  # --- deleting a branch whose name is a token: accepted, and still redacted in the audit log
  git --git-dir="$srv" update-ref "refs/heads/old/$AWS2" "$base"
  push_as bob "$wc" origin ":refs/heads/old/$AWS2"
  expect_accepted "$hook: deleting a branch named with a token is allowed"
  expect_not_whole "$hook: deleting a branch named with a token" "$AWS2"
}

attacks pre-receive
attacks update

# --- a push refused before its content is scanned (over settings.limits) still
# names its refs and the path over the limit: redacted all the same
srv=$(new_server hiding-limits)
wc=$(new_clone "$srv" hide-limits)
{
  sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  printf 'settings:\n  on_error: reject\n  limits:\n    refs: 2\n    path_bytes: 30\n'
} >"$TMP/limits.yml"
put_matrix "$wc" "$TMP/limits.yml"
push_as erin "$wc" origin main
expect_accepted "limits: setup"
base=$(git -C "$wc" rev-parse HEAD)
push_as bob "$wc" origin "HEAD:refs/heads/a" "HEAD:refs/heads/b" "HEAD:refs/heads/fix/$GH"
expect_rejected "limits: three refs where two are allowed: rejected"
expect_out "limits: three refs where two are allowed: for the limit" "[limit.refs]" "refs/heads/fix/ghp_...(40 chars)"
expect_not_whole "limits: a token as a branch name in a push over settings.limits.refs" "$GH"
git -C "$wc" checkout -q -b deep "$base"
mkdir -p "$wc/keys/deploy"
printf 'x\n' >"$wc/keys/deploy/$AWS.pem"
git -C "$wc" add keys && git -C "$wc" commit -q -m "Add key file"
push_as bob "$wc" origin deep
expect_rejected "limits: a token in a path over settings.limits.path_bytes: rejected"
expect_out "limits: a token in a path over settings.limits.path_bytes: for the limit, the path redacted" \
  "[limit.path_bytes]" "keys/deploy/AKIA...(20 chars)"
expect_not_whole "limits: a token in a path over settings.limits.path_bytes" "$AWS"

finish
