#!/usr/bin/env bash
# GitHub Enterprise Server: the chroot tarball (scripts/ghes-bundle.sh) holds
# everything the hook loads.  Prove it by running the hook inside a chroot of
# nothing but the tarball, against a repository and a push quarantine copied
# in, with the variables GHES sets (GITHUB_USER_LOGIN, GITHUB_REPO_NAME).
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then echo "# SKIP: chroot needs root"; finish; fi
OUT=$(bash "$ROOT/scripts/ghes-bundle.sh" "$GATEHOUSE_BIN" "$TMP/ghes.tar.gz" 2>&1); RC=$?
expect_eq "bundle: builds" "$RC" 0
R=$TMP/root
mkdir -p "$R"
tar -C "$R" -xzf "$TMP/ghes.tar.gz"
if [ "${GATEHOUSE_SAN:-0}" = 1 ]; then
  # sanitizer runtimes read /proc/self/maps; GHES's environment has no such build
  mkdir -p "$R/proc"
  if mount -t proc proc "$R/proc" 2>/dev/null; then on_exit "umount '$R/proc'"
  else echo "# SKIP: sanitizer build needs /proc in the chroot and it cannot be mounted here"; finish; fi
fi
OUT=$(chroot "$R" /usr/local/bin/gatehouse version 2>&1); RC=$?
expect_eq "bundle: the CLI runs inside a chroot of only the tarball" "$RC" 0

# the server repository with a matrix, and a pushed commit in a quarantine
git init -q --bare "$R/data/repo.git"
wc=$(new_clone "$R/data/repo.git" ghes)
put_matrix "$wc" base.yml
git -C "$wc" push -q origin main 2>/dev/null
base=$(git -C "$wc" rev-parse HEAD)
commit_file "$wc" app.c "int main(void) { return 0; }"
new=$(git -C "$wc" rev-parse HEAD)
git init -q --bare "$R/data/q.git"
git -C "$wc" push -q "$R/data/q.git" HEAD:refs/heads/main 2>/dev/null
rm -rf "$R/data/q.git/refs/heads/main"
git -C "$wc" push -q "$R/data/q.git" "$base":refs/heads/base 2>/dev/null
# keep only objects the server lacks, as git's quarantine would
for o in $(git --git-dir="$R/data/q.git" rev-list --objects --all | cut -d' ' -f1); do
  if git --git-dir="$R/data/repo.git" cat-file -e "$o" 2>/dev/null; then
    rm -f "$R/data/q.git/objects/${o:0:2}/${o:2}"
  fi
done

hook() { # hook LOGIN: run the bundled pre-receive in the chroot as GHES would
  OUT=$(printf '%s %s refs/heads/main\n' "$base" "$new" | env -i \
    PATH=/usr/local/bin:/bin GITHUB_USER_LOGIN="$1" GITHUB_REPO_NAME=org/project GITHUB_VIA="git push" \
    GIT_DIR=/data/repo.git GIT_QUARANTINE_PATH=/data/q.git/objects GIT_OBJECT_DIRECTORY=/data/q.git/objects \
    GIT_ALTERNATE_OBJECT_DIRECTORIES=/data/repo.git/objects "$(command -v chroot)" "$R" /usr/local/bin/gatehouse-pre-receive 2>&1)
  RC=$?
}
hook bob
expect_eq "ghes: bob may not push main (identity from GITHUB_USER_LOGIN)" "$RC" 1
expect_out "ghes: the reason" "[ref.push] bob (roles: developers)"
hook erin
expect_eq "ghes: erin may" "$RC" 0
rec=$(tail -n 1 "$R/data/repo.git/gatehouse/audit.jsonl")
expect_eq "ghes: the pushed objects were read from the quarantine" "$(json_get "$rec" '.push.source + " " + (.push.new_commits|tostring)')" "quarantine 1"
expect_eq "ghes: the platform is recorded" "$(json_get "$rec" .platform.GITHUB_REPO_NAME)" "org/project"

finish
