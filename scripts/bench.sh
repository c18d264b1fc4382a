#!/usr/bin/env bash
# make bench: figures and ratios, never pass/fail.
#
# tiny-push: one new one-file commit pushed into a repository with a long
# history and many refs, with the pre-receive hook and without it, in the
# same run; prints medians, the hook's added time, and the hook's own
# duration_ms from its audit records.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${GATEHOUSE_BIN:-$ROOT/build}
COMMITS=${BENCH_COMMITS:-5000}
REFS=${BENCH_REFS:-5000}
RUNS=${BENCH_RUNS:-31}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export HOME=$TMP/home GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name Bench; git config --global user.email bench@example.com
git config --global init.defaultBranch main

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "gatehouse bench ($(nproc) cores, $(git --version))"

# A history of $COMMITS commits touching realistic files, made with fast-import.
make_history() {
  local repo=$1
  perl -e '
    my $n = shift;
    for my $i (1 .. $n) {
      my $body = join "", map { "static int f${i}_$_(int x) { return x * $_ + $i; }\n" } 0 .. 19;
      my $data = "/* file " . ($i % 97) . " rev $i */\n#include <stdio.h>\n$body";
      my $msg = "commit $i\n";
      print "commit refs/heads/main\nmark :$i\n";
      print "committer Bench <bench\@example.com> ", 1700000000 + $i, " +0000\n";
      print "data ", length($msg), "\n$msg";
      print "from :", $i - 1, "\n" if $i > 1;
      print "M 100644 inline src/mod", $i % 97, ".c\ndata ", length($data), "\n$data\n";
    }' "$COMMITS" | git --git-dir="$repo" fast-import --quiet
}

base=$TMP/base.git
git init -q --bare "$base"
make_history "$base"
mkdir -p "$TMP/wc"
git clone -q "$base" "$TMP/wc" 2>/dev/null
mkdir -p "$TMP/wc/matrix"
cp "$ROOT/matrix/examples/annotated.yml" "$TMP/wc/matrix/responsibility.yml"
git -C "$TMP/wc" add matrix && git -C "$TMP/wc" commit -q -m matrix && git -C "$TMP/wc" push -q origin main 2>/dev/null
# many refs: branches and tags along the history
git --git-dir="$base" rev-list --max-count="$REFS" main | awk -v r="$REFS" '{ if (NR % 2) printf "create refs/heads/b/%d %s\n", NR, $1; else printf "create refs/tags/t%d %s\n", NR, $1 }' \
  | git --git-dir="$base" update-ref --stdin
git --git-dir="$base" pack-refs --all
git --git-dir="$base" gc -q 2>/dev/null
echo "repository: $(git --git-dir="$base" rev-list --count main) commits, $(git --git-dir="$base" for-each-ref | wc -l) refs"

for v in nohook hook; do
  cp -a "$base" "$TMP/$v.git"
done
"$ROOT/install.sh" --bin "$BIN" --repo "$TMP/hook.git" >/dev/null

# tiny pushes, alternating servers so both see the same machine state
for v in nohook hook; do git -C "$TMP/wc" remote add "$v" "$TMP/$v.git"; done
: >"$TMP/nohook.times"; : >"$TMP/hook.times"
for i in $(seq 1 "$RUNS"); do
  echo "change $i" >"$TMP/wc/tiny.txt"
  git -C "$TMP/wc" add tiny.txt
  git -C "$TMP/wc" -c user.email=erin@example.com commit -q -m "tiny $i" \
    --trailer "Reviewed-by: Bob <bob@example.com>" --trailer "Scan-SAST: pass" --trailer "Scan-Deps: pass"
  for v in nohook hook; do
    t0=$(now_ns)
    GATEHOUSE_USER=erin git -C "$TMP/wc" push -q "$v" HEAD:refs/heads/main 2>/dev/null || { echo "push to $v failed"; exit 1; }
    t1=$(now_ns)
    echo $(( (t1 - t0) / 1000 )) >>"$TMP/$v.times"
  done
done
nh=$(median <"$TMP/nohook.times"); h=$(median <"$TMP/hook.times")
own=$(jq -r .duration_ms "$TMP/hook.git/gatehouse/audit.jsonl" | median)
awk -v runs="$RUNS" -v nh="$nh" -v h="$h" -v own="$own" 'BEGIN {
  printf "tiny-push (median of %d): without hook %.1f ms, with hook %.1f ms, hook adds %.1f ms (%.2fx); hook own duration_ms %.2f ms\n",
    runs, nh / 1000, h / 1000, (h - nh) / 1000, h / nh, own }'
