#!/usr/bin/env bash
# Evidence on protected refs, with real commits: Reviewed-by and scan
# trailers made by `git commit --trailer`, SSH signatures made by
# `git commit -S` with gpg.format=ssh, merges carrying the evidence, path
# owners, the built-in pipeline rule, tag approvals and reachable_from.
. "$(dirname "$0")/lib.sh"

K=$TMP/keys
mkdir -p "$K"
for who in alice bob carol erin mallory; do ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$K/$who"; done
ssh-keygen -q -t ecdsa -N '' -C carol-ecdsa -f "$K/carol-ecdsa"
ssh-keygen -q -t rsa -b 3072 -N '' -C bob-rsa -f "$K/bob-rsa"
matrix=$TMP/evidence.yml
cp "$MATRIX_DIR/evidence.yml.in" "$matrix"
for who in alice bob carol erin; do
  sed -i "s|@KEY_$who@|$(cut -d' ' -f1,2 "$K/$who.pub")|" "$matrix"
done
# carol and bob each also hold a second key, of another type
sed -i "s|  carol: { name: Carol, emails: \[carol@example.com\], keys: \[\"\(.*\)\"\] }|  carol: { name: Carol, emails: [carol@example.com], keys: [\"\1\", \"$(cut -d' ' -f1,2 "$K/carol-ecdsa.pub")\"] }|" "$matrix"
sed -i "s|  bob: { name: Bob, emails: \[bob@example.com\], keys: \[\"\(.*\)\"\] }|  bob: { name: Bob, emails: [bob@example.com], keys: [\"\1\", \"$(cut -d' ' -f1,2 "$K/bob-rsa.pub")\"] }|" "$matrix"
OUT=$("$GATEHOUSE" matrix validate "$matrix" 2>&1); RC=$?
expect_eq "setup: the evidence matrix is valid" "$RC:$(tail -n 1 <<<"$OUT")" "0:$matrix: ok"

srv=$(new_server evidence)
wc=$(new_clone "$srv" ev)
put_matrix "$wc" "$matrix"
push_as erin "$wc" origin main
expect_accepted "bootstrap: judged for permissions only"

# ci WHO KEY [--trailer ...]... -m MSG: commit as WHO, signed with KEY ("-" for unsigned)
ci() {
  local who=$1 key=$2; shift 2
  local sign=()
  [ "$key" = - ] || sign=(-c gpg.format=ssh -c "user.signingKey=$K/$key")
  git -C "$wc" -c "user.name=$who" -c "user.email=$who@example.com" "${sign[@]}" \
    commit -q ${key:+$([ "$key" = - ] || echo -S)} "$@"
}
change() { mkdir -p "$(dirname "$wc/$1")"; echo "$2" >>"$wc/$1"; git -C "$wc" add "$1"; }
good=(--trailer "Reviewed-by: Bob <bob@example.com>" --trailer "Reviewed-by: Carol <carol@example.com>"
      --trailer "Scan-SAST: pass" --trailer "Scan-Deps: waived")
base=$(git -C "$wc" rev-parse HEAD)

# --- nothing at all
change src/a.c "int a;"
ci alice - -m "Add a"
push_as erin "$wc" origin main
expect_rejected "evidence: a bare commit is rejected"
expect_out "evidence: every missing piece is its own reason" \
  "[review.min] commit $(git -C "$wc" rev-parse --short=10 HEAD) Add a: no reviews counted" \
  "needs: 2 Reviewed-by from distinct people other than the author, committer, signer and pusher in developers (alice, bob), security (carol)" \
  "--trailer 'Reviewed-by: " \
  "[trailer.required] commit" "has no Scan-SAST trailer" "needs: Scan-Deps: pass or waived" \
  "[signature.missing]" "git commit --amend -S"
expect_ref "evidence: main did not move" "$srv" refs/heads/main "$base"

# --- all the evidence, signed by the author's key
git -C "$wc" reset -q --hard "$base"
change src/a.c "int a;"
ci alice alice "${good[@]}" -m "Add a"
push_as erin "$wc" origin main
expect_accepted "evidence: reviewed, scanned and signed"
base=$(git -C "$wc" rev-parse HEAD)

# --- self-review, duplicates, unknown and out-of-role reviewers
change src/b.c "int b;"
ci alice alice --trailer "Reviewed-by: Alice <alice@example.com>" --trailer "Reviewed-by: Carol <carol@example.com>" \
  --trailer "Reviewed-by: Carol Again <CAROL@example.com>" --trailer "Reviewed-by: Stranger <who@nowhere.test>" \
  --trailer "Reviewed-by: Dave <dave@example.com>" --trailer "Scan-SAST: PASS" --trailer "Scan-Deps: pass" -m "Add b"
push_as erin "$wc" origin main
expect_rejected "reviews: self-review, duplicates, unknown and out-of-role reviews do not count"
expect_out "reviews: the message says what was not counted and why" \
  "1 review counted (carol)" "alice@example.com (the author: no self-review)" \
  "who@nowhere.test (not a person in the matrix)" "dave@example.com (dave is not in an accepted role)"
expect_no_out "reviews: the trailer values were accepted case-insensitively" "[trailer.required]"
git -C "$wc" reset -q --hard "$base"

# --- trailer values
change src/c.c "int c;"
ci alice alice "${good[@]}" --trailer "Scan-SAST: fail" -m "Add c"
push_as erin "$wc" origin main
expect_rejected "trailers: the last Scan-SAST value counts, and fail is not accepted"
expect_out "trailers: found and needed" "says Scan-SAST: fail" "needs: Scan-SAST: pass"
git -C "$wc" reset -q --hard "$base"

# --- signatures: unknown key, other key types, tampered, OpenPGP
change src/d.c "int d;"
ci alice mallory "${good[@]}" -m "Add d"
push_as erin "$wc" origin main
expect_rejected "signatures: a key no person holds is rejected"
expect_out "signatures: names the key's fingerprint" "[signature.unknown_key]" \
  "$(ssh-keygen -lf "$K/mallory.pub" | cut -d' ' -f2)"
git -C "$wc" reset -q --hard "$base"
change src/d.c "int d;"
ci alice bob-rsa "${good[@]}" -m "Add d (signed by bob, committed as alice)"
push_as erin "$wc" origin main
expect_rejected "signatures: a valid signature by someone other than the committer"
expect_out "signatures: signature.not_committer, and bob's review does not count either" \
  "[signature.not_committer]" "is signed by bob's key" "committed as alice@example.com" \
  "bob@example.com (signed the commit: no self-review)"
git -C "$wc" reset -q --hard "$base"
change src/d.c "int d;"
ci carol carol-ecdsa --trailer "Reviewed-by: Bob <bob@example.com>" --trailer "Reviewed-by: Alice <alice@example.com>" \
  --trailer "Scan-SAST: pass" --trailer "Scan-Deps: pass" -m "Add d (ecdsa)"
change src/e.c "int e;"
ci bob bob-rsa --trailer "Reviewed-by: Alice <alice@example.com>" --trailer "Reviewed-by: Carol <carol@example.com>" \
  --trailer "Scan-SAST: pass" --trailer "Scan-Deps: pass" -m "Add e (rsa)"
push_as erin "$wc" origin main
expect_accepted "signatures: ecdsa and rsa keys of known people verify"
base=$(git -C "$wc" rev-parse HEAD)

# A signed commit whose content was changed after signing: rewrite the raw object.
change src/f.c "int f;"
ci alice alice "${good[@]}" -m "Add f"
raw=$(git -C "$wc" cat-file commit HEAD | sed 's/^Add f$/Add f (tampered)/')
forged=$(printf '%s\n' "$raw" | git -C "$wc" hash-object -t commit -w --stdin)
git -C "$wc" reset -q --hard "$forged"
push_as erin "$wc" origin main
expect_rejected "signatures: a tampered commit does not verify"
expect_out "signatures: signature.invalid with the signer" "[signature.invalid]" "alice's key"
# OpenPGP: a gpgsig header git would write for gpg.format=openpgp
tree=$(git -C "$wc" rev-parse "HEAD^{tree}")
pgp=$(printf 'tree %s\nparent %s\nauthor alice <alice@example.com> 1767225600 +0000\ncommitter alice <alice@example.com> 1767225600 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nOpenPGP signed\n\nReviewed-by: Bob <bob@example.com>\nReviewed-by: Carol <carol@example.com>\nScan-SAST: pass\nScan-Deps: pass\n' "$tree" "$base" \
  | git -C "$wc" hash-object -t commit -w --stdin)
git -C "$wc" reset -q --hard "$pgp"
push_as erin "$wc" origin main
expect_rejected "signatures: OpenPGP is reported as not supported yet"
expect_out "signatures: a clear reason, not a crash" "[signature.unsupported]" "OpenPGP signature: not supported yet"
git -C "$wc" reset -q --hard "$base"

# --- a merge commit carries the evidence for the branch it merges (first parents only)
git -C "$wc" checkout -q -b topic
change src/t1.c "int t1;"; ci bob - -m "wip 1"
change src/t2.c "int t2;"; ci bob - -m "wip 2"
git -C "$wc" checkout -q main
git -C "$wc" -c user.name=alice -c user.email=alice@example.com -c gpg.format=ssh -c "user.signingKey=$K/alice" \
  merge -q --no-ff -S -m "Merge topic" -m "Reviewed-by: Bob <bob@example.com>" topic 2>/dev/null
git -C "$wc" -c user.name=alice -c user.email=alice@example.com -c gpg.format=ssh -c "user.signingKey=$K/alice" \
  commit -q --amend -S --no-edit --trailer "Reviewed-by: Carol <carol@example.com>" --trailer "Scan-SAST: pass" --trailer "Scan-Deps: pass"
push_as erin "$wc" origin main
expect_accepted "merge: the merge commit's evidence covers the merged branch"
base=$(git -C "$wc" rev-parse HEAD)

# --- path owners
change infra/net.tf 'resource "x" "y" {}'
ci alice alice "${good[@]}" -m "Network"
push_as erin "$wc" origin main
expect_rejected "paths: infra/** needs a review by operations"
expect_out "paths: names the path and the rule" "[review.owner]" "touches infra/net.tf, owned by path rule infra/**" \
  "needs: 1 Reviewed-by from distinct people other than the author, committer, signer and pusher in operations (dave)"
expect_no_out "paths: **/*.tf is satisfied by carol (security)" "owned by path rule **/*.tf"
git -C "$wc" reset -q --hard "$base"
change infra/net.tf 'resource "x" "y" {}'
ci alice alice "${good[@]}" --trailer "Reviewed-by: Dave <dave@example.com>" -m "Network"
push_as erin "$wc" origin main
expect_accepted "paths: with the owner's review"
base=$(git -C "$wc" rev-parse HEAD)

# --- the built-in pipeline rule: matrix and CI changes need configure_pipeline's owners
change matrix/responsibility.yml "# comment"
ci alice alice --trailer "Reviewed-by: Bob <bob@example.com>" --trailer "Reviewed-by: Erin <erin@example.com>" \
  --trailer "Scan-SAST: pass" --trailer "Scan-Deps: pass" -m "Touch the matrix"
push_as erin "$wc" origin main
expect_rejected "pipeline: a matrix change without a security review"
expect_out "pipeline: says why" "[review.pipeline]" "changes matrix/responsibility.yml, pipeline configuration owned by configure_pipeline" "security (carol)"
git -C "$wc" reset -q --hard "$base"
change .github/workflows/ci.yml "on: push"
ci alice alice "${good[@]}" -m "CI"
push_as erin "$wc" origin main
expect_accepted "pipeline: a CI change with carol's review"
base=$(git -C "$wc" rev-parse HEAD)

# --- tags: approvals and reachable_from
git -C "$wc" checkout -q -b side
change side.txt side; ci alice - -m "side"
git -C "$wc" tag -a -m "off main" -m "Approved-by: Dave <dave@example.com>" v0.9 side
push_as erin "$wc" origin v0.9
expect_rejected "tags: a tag outside reachable_from"
expect_out "tags: ref.reachable_from" "[ref.reachable_from]" "which is not on refs/heads/main"
git -C "$wc" checkout -q main
git -C "$wc" tag v1.0 main
push_as erin "$wc" origin v1.0
expect_rejected "tags: no approval"
expect_out "tags: approval.min names who can approve" "[approval.min]" "operations (dave)" "Approved-by: Dave <dave@example.com>"
git -C "$wc" tag -a -f -m "release 1.0" -m "Approved-by: Dave <dave@example.com>" v1.0 main
push_as erin "$wc" origin v1.0
expect_accepted "tags: approved in the annotated tag's message, on main"

# --- dry runs: check and explain
change src/g.c "int g;"
ci alice - -m "Add g"
OUT=$(cd "$wc" && "$GATEHOUSE" check --user erin refs/heads/main origin/main HEAD 2>&1); RC=$?
expect_eq "check: the same evaluation without pushing (exit 1)" "$RC" 1
expect_out "check: evidence reasons" "[review.min]" "[trailer.required]" "[signature.missing]"
OUT=$(cd "$srv" && "$GATEHOUSE" explain --user bob refs/heads/main 2>&1); RC=$?
expect_eq "explain: exit 0" "$RC" 0
expect_out "explain: what bob may do and what a push needs" \
  "bob (Bob), roles: developers; 2 signing keys" "push        no   (push: release (erin)" \
  "2 Reviewed-by from distinct people other than the author, committer, signer and pusher in developers (alice, bob), security (carol)" \
  "a trailer Scan-SAST: pass" "a trailer Scan-Deps: pass or waived" "an SSH signature" \
  "if it touches infra/**: a Reviewed-by from operations (dave)" "owners of configure_pipeline"
OUT=$(cd "$srv" && "$GATEHOUSE" explain --user dave refs/tags/v2.0 2>&1)
expect_out "explain: tag evidence" "1 Approved-by" "reachable from refs/heads/main"
OUT=$(cd "$srv" && "$GATEHOUSE" explain --user mallory refs/heads/x 2>&1)
expect_out "explain: unknown people and unprotected refs" "'mallory' is not a person in the matrix" "no rule matches this ref"

finish
