#!/usr/bin/env bash
# make bench: figures and ratios, never pass/fail.  The targets are printed
# beside the figures for the reader; nothing here asserts on a time.
#
# 1 big-push   a whole generated history (this project's own files, edited over
#              BENCH_BIG_COMMITS commits) pushed into an EMPTY bare repository,
#              with the pre-receive hook and without it; the hook alone run
#              directly on the same objects (default threads, and 1 thread),
#              against the floor (bench/readblobs.c: every blob read once with
#              libgit2 on one thread) and against git cat-file --batch.
# 2 tiny-push  one new one-file commit pushed into a repository with a long
#              history and many refs, with the hook and without it; medians,
#              the hook's added time, and the hook's own duration_ms.
# 3 scaling    the same tiny push into a BENCH_SCALE_BIG-commit repository and
#              into a BENCH_SCALE_SMALL-commit one (same number of refs).
# 4 peers      the same content scanned by gatehouse scan, git secrets (and, for
#              reference, GNU grep with git-secrets' patterns alone) and
#              secretlint (each installed only if missing, apt-get / npm; a
#              peer that is unavailable is reported as n/a).
#
# Sizes (environment):
#   BENCH_BIG_COMMITS (4000) BENCH_BIG_WIDTH (8) BENCH_BIG_FILES_PER_COMMIT (10)
#   BENCH_BIG_RUNS (3)  BENCH_COMMITS (5000) BENCH_REFS (5000) BENCH_RUNS (31)
#   BENCH_SCALE_BIG (200000) BENCH_SCALE_SMALL (1000) BENCH_SCALE_REFS (1000)
#   BENCH_SCALE_RUNS (21)  BENCH_PEER_MB (16) BENCH_PEER_TIMEOUT (600)
#   BENCH_ONLY: a space-separated subset of "big tiny scale peers" (default all)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${GATEHOUSE_BIN:-$ROOT/build}
COMMITS=${BENCH_COMMITS:-5000}
REFS=${BENCH_REFS:-5000}
RUNS=${BENCH_RUNS:-31}
BIG_COMMITS=${BENCH_BIG_COMMITS:-4000}
BIG_WIDTH=${BENCH_BIG_WIDTH:-8}
BIG_PER=${BENCH_BIG_FILES_PER_COMMIT:-10}
BIG_RUNS=${BENCH_BIG_RUNS:-3}
SCALE_BIG=${BENCH_SCALE_BIG:-200000}
SCALE_SMALL=${BENCH_SCALE_SMALL:-1000}
SCALE_REFS=${BENCH_SCALE_REFS:-1000}
SCALE_RUNS=${BENCH_SCALE_RUNS:-21}
PEER_MB=${BENCH_PEER_MB:-16}
PEER_TIMEOUT=${BENCH_PEER_TIMEOUT:-600}
ONLY=" ${BENCH_ONLY:-big tiny scale peers} "
ZERO=0000000000000000000000000000000000000000

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench.XXXXXX")
if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: keeping $TMP (BENCH_KEEP)"; else trap 'rm -rf "$TMP"' EXIT; fi
trap 'exit 130' INT TERM
export HOME=$TMP/home GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name Bench; git config --global user.email bench@example.com
git config --global init.defaultBranch main

SUMMARY=()
say() { echo "$*"; }
summary() { SUMMARY+=("$*"); }
wants() { case "$ONLY" in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
have() { command -v "$1" >/dev/null 2>&1; }
now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (!NR) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# fmt PRINTF-FORMAT ARGS...: numeric formatting through awk (bash has no floats)
fmt() { local f=$1; shift; awk -v f="$f" 'BEGIN { for (i = 1; i < ARGC; i++) v[i] = ARGV[i]; printf f, v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]; exit }' "$@"; }
# div A B: A/B to six decimals, "n/a" when either is missing or B is 0
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.6f", a / b }'; }
# s3 X: seconds to three decimals; anything not a number as it is
s3() { awk -v a="$1" 'BEGIN { if (a ~ /^-?[0-9.]+$/) printf "%.3f", a; else print a }'; }
# ratio A B: A/B with two decimals, "n/a" when either is missing or B is 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

# apt_install PKG: installs a Debian package when root and apt-get are there.
apt_install() {
  [ "$(id -u)" -eq 0 ] && have apt-get || return 1
  say "installing the Debian package $1 (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "$1" >/dev/null 2>&1 && return 0
  apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "$1" >/dev/null 2>&1
}

# GNU time gives the peak RSS of the hook process.
TIME_BIN=
if [ -x /usr/bin/time ] || apt_install time; then
  /usr/bin/time -f %M -o "$TMP/probe" true 2>/dev/null && TIME_BIN=/usr/bin/time
fi

echo "gatehouse bench ($(nproc) cores, $(git --version), GATEHOUSE_THREADS=${GATEHOUSE_THREADS:-default}, load average $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null))"

# ---------------------------------------------------------------------------
# Histories
# ---------------------------------------------------------------------------

# make_history REPO N: N commits touching realistic ~1 KB files (tiny-push base).
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
    }' "$2" | git --git-dir="$repo" fast-import --quiet
}

# make_deep_history REPO N: N tiny commits (one short line each), for scaling.
make_deep_history() {
  local repo=$1
  perl -e '
    my $n = shift;
    for my $i (1 .. $n) {
      my $d = "line $i of the history\n"; my $m = "commit $i\n";
      print "commit refs/heads/main\nmark :$i\ncommitter Bench <bench\@example.com> ", 1500000000 + $i,
        " +0000\ndata ", length($m), "\n$m";
      print "from :", $i - 1, "\n" if $i > 1;
      print "M 100644 inline d", $i % 16, "/f", $i % 97, ".txt\ndata ", length($d), "\n$d\n";
    }' "$2" | git --git-dir="$repo" fast-import --quiet
}

# make_big_history CORPUS LIST N WIDTH PER MATRIX: a fast-import stream.
# WIDTH copies of the corpus files (m0/ .. mW-1/) imported in one commit, with
# the matrix at matrix/responsibility.yml, then N commits each editing PER
# files picked pseudo-randomly: a revision line and one edited line per
# version, so every version is a new blob of about the original size.
make_big_history() {
  perl -e '
    use strict; use warnings;
    my ($dir, $list, $n, $width, $per, $matrix) = @ARGV;
    my (@paths, @lines);
    open my $lf, "<", $list or die "$list: $!";
    chomp(my @files = <$lf>);
    for my $p (@files) {
      open my $fh, "<:raw", "$dir/$p" or next;
      my $c = do { local $/; <$fh> };
      close $fh;
      next if !defined $c || $c eq "" || $c =~ /\0/;
      my @l = split /^/m, $c;
      for my $w (0 .. $width - 1) { push @paths, "m$w/$p"; push @lines, \@l; }
    }
    die "no corpus files\n" unless @paths;
    open my $mf, "<:raw", $matrix or die "$matrix: $!";
    my $mx = do { local $/; <$mf> };
    binmode STDOUT;
    my $nf = @paths;
    my @rev = (0) x $nf;
    my $seed = 12345;
    sub version {
      my ($f, $v) = @_;
      my $l = $lines[$f]; my $nl = @$l;
      my $p = ($v * 2654435761 + $f * 40503) % $nl;
      my $line = $l->[$p]; my $eol = $line =~ s/\n\z// ? "\n" : "";
      return "/* $paths[$f] revision $v */\n" . join("", @$l[0 .. $p - 1]) .
        "$line /* edit $v */$eol" . join("", @$l[$p + 1 .. $nl - 1]);
    }
    for my $i (0 .. $n) {
      my $msg = $i ? "change $i: edit files\n" : "import\n";
      print "commit refs/heads/main\nmark :", $i + 1, "\n";
      print "committer Bench <bench\@example.com> ", 1600000000 + 60 * $i, " +0000\n";
      print "data ", length($msg), "\n$msg";
      print "from :$i\n" if $i;
      print "M 100644 inline matrix/responsibility.yml\ndata ", length($mx), "\n$mx\n" unless $i;
      my @pick = $i ? map { $seed = ($seed * 1103515245 + 12345) % 2147483648; $seed % $nf } 1 .. $per
                    : 0 .. $nf - 1;
      for my $f (@pick) {
        my $d = version($f, ++$rev[$f]);
        print "M 100644 inline $paths[$f]\ndata ", length($d), "\n", $d, "\n";
      }
    }' "$@"
}

# ---------------------------------------------------------------------------
# 1. big push
# ---------------------------------------------------------------------------
BIGDONE=0
if wants big || wants peers; then
  t0=$(now_ns)
  corpus=$TMP/corpus
  mkdir -p "$corpus"
  # this project's own files as committed (HEAD), else as checked out
  CORPUS_FROM=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)
  if [ -z "$CORPUS_FROM" ] || ! git -C "$ROOT" archive HEAD 2>/dev/null | tar -x -C "$corpus" 2>/dev/null; then
    CORPUS_FROM="the working tree"
    (cd "$ROOT" && git ls-files -z | xargs -0 cp --parents -t "$corpus" 2>/dev/null)
  fi
  case "$CORPUS_FROM" in "the working tree") ;; *) CORPUS_FROM="HEAD $CORPUS_FROM" ;; esac
  # this project's own test fixtures carry fake secrets: leave those files out
  (cd "$corpus" && "$BIN/gatehouse" scan --format json . 2>/dev/null) | jq -r '.[].path' 2>/dev/null | sort -u >"$TMP/flagged"
  (cd "$corpus" && find . -type f -printf '%P\n' | LC_ALL=C sort | grep -vxF -f "$TMP/flagged") >"$TMP/corpus.list"
  src=$TMP/big-src.git
  git init -q --bare "$src"
  make_big_history "$corpus" "$TMP/corpus.list" "$BIG_COMMITS" "$BIG_WIDTH" "$BIG_PER" "$ROOT/matrix/examples/annotated.yml" \
    | git --git-dir="$src" fast-import --quiet
  t1=$(now_ns)
  # a pushed pack is deltified the way a client's would be
  git --git-dir="$src" repack -adfq
  t2=$(now_ns)
  # the new blobs, oldest commit first (the order the hook reads them in)
  git --git-dir="$src" rev-list --reverse main \
    | git --git-dir="$src" diff-tree --stdin -r --root --no-commit-id --no-renames --raw \
    | awk -F'\t' '{ split($1, a, " "); if (a[2] != "160000" && a[4] !~ /^0+$/ && !seen[a[4]]++) print a[4] "\t" $2 }' >"$TMP/blobs.paths"
  cut -f1 "$TMP/blobs.paths" >"$TMP/blobs.ids"
  BIG_BLOBS=$(wc -l <"$TMP/blobs.ids")
  BIG_BYTES=$(git --git-dir="$src" cat-file --batch-check='%(objectsize)' <"$TMP/blobs.ids" | awk '{s += $1} END {print s + 0}')
  BIG_PACK=$(du -sk "$src/objects/pack" | awk '{print $1 * 1024}')
  say "$(fmt 'big history: %d commits, %d files at the tip, %d new blobs, %.1f MB of blob bytes, pack %.1f MB (%d files of %s, %d left out for fake secrets); generated in %.1f s, repacked in %.1f s' \
    "$(git --git-dir="$src" rev-list --count main)" "$(git --git-dir="$src" ls-tree -r main | wc -l)" "$BIG_BLOBS" \
    "$(div "$BIG_BYTES" 1000000)" "$(div "$BIG_PACK" 1000000)" "$(wc -l <"$TMP/corpus.list")" "$CORPUS_FROM" "$(wc -l <"$TMP/flagged")" \
    "$(div $(( (t1 - t0) / 1000 )) 1000000)" "$(div $(( (t2 - t1) / 1000 )) 1000000)")"
  BIGDONE=1
fi

# hook_audit REPO: fields of the last audit record, tab-separated
hook_audit() {
  tail -n1 "$1/gatehouse/audit.jsonl" 2>/dev/null \
    | jq -r '[.duration_ms, (.secrets.ms // "n/a"), (.secrets.scanned_blobs // "n/a"), (.secrets.scanned_bytes // "n/a"),
              (.secrets.findings_in_push // "n/a"), (.secrets.engine // "n/a")] | @tsv' 2>/dev/null
}

if wants big && [ "$BIGDONE" = 1 ]; then
  nohook=$TMP/big-nohook.git; hook=$TMP/big-hook.git
  : >"$TMP/big-nh.us"; : >"$TMP/big-h.us"; : >"$TMP/big-own.ms"; : >"$TMP/big-scan.ms"
  push_fail=
  for r in $(seq 1 "$BIG_RUNS"); do
    rm -rf "$nohook" "$hook"
    git init -q --bare "$nohook"; git init -q --bare "$hook"
    "$ROOT/install.sh" --bin "$BIN" --repo "$hook" >/dev/null
    # the generated history and the last run's packs are still being written
    # back: flushed now, the writeback does not compete with the timed pushes
    sync
    t0=$(now_ns)
    git --git-dir="$src" push -q "$nohook" main >/dev/null 2>"$TMP/push.err" || push_fail="without hook: $(tail -n1 "$TMP/push.err")"
    t1=$(now_ns)
    sync
    t1b=$(now_ns)
    GATEHOUSE_USER=erin git --git-dir="$src" push -q "$hook" main >/dev/null 2>"$TMP/push.err"
    rc=$?
    t2=$(now_ns)
    [ "$rc" -eq 0 ] || push_fail="with hook: exit $rc ($(grep -m1 -i 'rejected\|error' "$TMP/push.err"))"
    echo $(( (t1 - t0) / 1000 )) >>"$TMP/big-nh.us"
    echo $(( (t2 - t1b) / 1000 )) >>"$TMP/big-h.us"
    IFS=$'\t' read -r own scan_ms _ _ findings _ < <(hook_audit "$hook")
    echo "$own" >>"$TMP/big-own.ms"; echo "$scan_ms" >>"$TMP/big-scan.ms"
  done
  nh=$(median <"$TMP/big-nh.us"); h=$(median <"$TMP/big-h.us"); own=$(median <"$TMP/big-own.ms"); scanms=$(median <"$TMP/big-scan.ms")
  PUSH_HOOK_S=$(div "$(awk -v a="$h" -v b="$nh" 'BEGIN {print a - b}')" 1000000)
  say "$(fmt 'big-push through git push (median of %d): without hook %.2f s, with hook %.2f s, hook adds %.2f s; hook own duration_ms %.0f ms (secret scan %.0f ms of it); findings %s' \
    "$BIG_RUNS" "$(div "$nh" 1000000)" "$(div "$h" 1000000)" "$PUSH_HOOK_S" "$own" "$scanms" "$findings")"
  [ -z "$push_fail" ] || say "big-push: a push failed: $push_fail"

  # the hook alone, run the way git runs it, on the objects the push brought:
  # the received pack is the quarantine, the empty repository the main store
  direct=$TMP/big-direct.git
  git init -q --bare "$direct"
  "$ROOT/install.sh" --bin "$BIN" --repo "$direct" >/dev/null
  TIP=$(git --git-dir="$src" rev-parse main)
  Q=$nohook/objects
  # run_direct THREADS: prints "wall_us rss_kb rc own_ms scan_ms blobs bytes findings engine"
  run_direct() {
    local t0 t1 rc rss=n/a
    t0=$(now_ns)
    (cd "$direct" && printf '%s %s refs/heads/main\n' "$ZERO" "$TIP" \
      | env GIT_DIR=. GIT_QUARANTINE_PATH="$Q" GIT_OBJECT_DIRECTORY="$Q" GIT_ALTERNATE_OBJECT_DIRECTORIES="$direct/objects" \
            GATEHOUSE_USER=erin GATEHOUSE_THREADS="$1" ${TIME_BIN:+$TIME_BIN -f %M -o "$TMP/rss"} ./hooks/pre-receive >/dev/null 2>"$TMP/hook.err")
    rc=$?
    t1=$(now_ns)
    [ -n "$TIME_BIN" ] && rss=$(tail -n1 "$TMP/rss")
    printf '%s\t%s\t%s\t%s\n' $(( (t1 - t0) / 1000 )) "$rss" "$rc" "$(hook_audit "$direct")"
  }
  sync
  IFS=$'\t' read -r cold_us cold_rss cold_rc cold_own _ _ _ _ cold_engine < <(run_direct "${GATEHOUSE_THREADS:-}")
  : >"$TMP/d.us"; : >"$TMP/d1.us"; : >"$TMP/d.rss"; : >"$TMP/d1.rss"; : >"$TMP/d.own"; : >"$TMP/d.scan"; : >"$TMP/d1.scan"
  drc=0
  for r in $(seq 1 "$BIG_RUNS"); do
    IFS=$'\t' read -r us rss rc o s blobs bytes findings engine < <(run_direct "${GATEHOUSE_THREADS:-}")
    echo "$us" >>"$TMP/d.us"; echo "$rss" >>"$TMP/d.rss"; echo "$o" >>"$TMP/d.own"; echo "$s" >>"$TMP/d.scan"
    [ "$rc" -eq 0 ] || drc=$rc
    IFS=$'\t' read -r us rss rc o s _ _ _ _ < <(run_direct 1)
    echo "$us" >>"$TMP/d1.us"; echo "$rss" >>"$TMP/d1.rss"; echo "$s" >>"$TMP/d1.scan"
    [ "$rc" -eq 0 ] || drc=$rc
  done
  D_US=$(median <"$TMP/d.us"); D1_US=$(median <"$TMP/d1.us")
  D_RSS=$(sort -n "$TMP/d.rss" | tail -n1); D1_RSS=$(sort -n "$TMP/d1.rss" | tail -n1)
  D_S=$(div "$D_US" 1000000); D1_S=$(div "$D1_US" 1000000)
  THREADS_SHOWN=${GATEHOUSE_THREADS:-$(n=$(nproc); [ "$n" -gt 8 ] && n=8; echo "$n")}
  say "$(fmt 'big-push hook run directly (median of %d, %s threads): %.2f s, own duration_ms %.0f ms, secret scan %.0f ms; %s blobs, %.1f MB scanned; exit %s; findings %s; engine %s' \
    "$BIG_RUNS" "$THREADS_SHOWN" "$D_S" "$(median <"$TMP/d.own")" "$(median <"$TMP/d.scan")" "$blobs" "$(div "$bytes" 1000000)" "$drc" "$findings" "$engine")"
  say "$(fmt 'big-push hook run directly, cold (first run, no compiled-rules cache yet): %.2f s, exit %s, engine %s' "$(div "$cold_us" 1000000)" "$cold_rc" "$cold_engine")"
  say "$(fmt 'big-push hook run directly with GATEHOUSE_THREADS=1 (median of %d): %.2f s, secret scan %.0f ms' "$BIG_RUNS" "$D1_S" "$(median <"$TMP/d1.scan")")"
  if [ -n "$TIME_BIN" ]; then
    RSS_LINE=$(fmt 'peak RSS %.0f MB (%s threads), %.0f MB (1 thread)' "$(div "$D_RSS" 1024)" "$THREADS_SHOWN" "$(div "$D1_RSS" 1024)")
  else
    RSS_LINE="peak RSS: n/a (install the 'time' package)"
  fi
  say "big-push hook $RSS_LINE"

  # the floor: one thread, libgit2, every blob read once, nothing else
  RB=$BIN/bench-readblobs
  if [ ! -x "$RB" ]; then
    RB=$TMP/bench-readblobs
    cc -O2 -o "$RB" "$ROOT/bench/readblobs.c" $(pkg-config --cflags --libs libgit2) 2>/dev/null || RB=
  fi
  FLOOR_S=n/a; FLOORNV_S=n/a
  if [ -n "$RB" ]; then
    : >"$TMP/floor.s"; : >"$TMP/floornv.s"
    for r in $(seq 1 "$BIG_RUNS"); do
      "$RB" "$nohook" <"$TMP/blobs.ids" >"$TMP/floor.out" && awk '{print $6}' "$TMP/floor.out" >>"$TMP/floor.s"
      "$RB" --no-verify "$nohook" <"$TMP/blobs.ids" >"$TMP/floornv.out" && awk '{print $6}' "$TMP/floornv.out" >>"$TMP/floornv.s"
    done
    FLOOR_S=$(median <"$TMP/floor.s"); FLOORNV_S=$(median <"$TMP/floornv.s")
    read -r _ fb _ fbytes _ _ <"$TMP/floor.out"
    say "$(fmt 'big-push floor (bench-readblobs: git_odb_read of every blob, 1 thread, median of %d): %.3f s for %d blobs, %.1f MB' \
      "$BIG_RUNS" "$FLOOR_S" "$fb" "$(div "$fbytes" 1000000)")"
    say "$(fmt 'big-push floor without libgit2'"'"'s strict hash verification (bench-readblobs --no-verify, as git cat-file reads): %.3f s' "$FLOORNV_S")"
  else
    say "big-push floor: n/a (build/bench-readblobs missing and no compiler: run make bench)"
  fi
  : >"$TMP/cat.us"
  for r in $(seq 1 "$BIG_RUNS"); do
    t0=$(now_ns); git --git-dir="$nohook" cat-file --batch <"$TMP/blobs.ids" >/dev/null; t1=$(now_ns)
    echo $(( (t1 - t0) / 1000 )) >>"$TMP/cat.us"
  done
  CAT_S=$(div "$(median <"$TMP/cat.us")" 1000000)
  say "$(fmt 'big-push git cat-file --batch of the same blobs (median of %d): %.3f s' "$BIG_RUNS" "$CAT_S")"

  mbs() { awk -v b="$BIG_BYTES" -v s="$1" 'BEGIN { if (s == "n/a" || s + 0 == 0) print "n/a"; else printf "%.0f", b / 1e6 / s }'; }
  say "big-push throughput MB/s: hook $(mbs "$D_S") ($THREADS_SHOWN threads), hook $(mbs "$D1_S") (1 thread), hook through push $(mbs "$PUSH_HOOK_S"), floor $(mbs "$FLOOR_S"), floor without hash verification $(mbs "$FLOORNV_S"), cat-file $(mbs "$CAT_S")"
  R_FLOOR=$(ratio "$D_S" "$FLOOR_S"); R1_FLOOR=$(ratio "$D1_S" "$FLOOR_S"); R_CAT=$(ratio "$D_S" "$CAT_S"); R_PUSH_FLOOR=$(ratio "$PUSH_HOOK_S" "$FLOOR_S"); R_FLOORNV=$(ratio "$D_S" "$FLOORNV_S")
  say "big-push ratios: hook/floor ${R_FLOOR}x (target <= 1.3x), 1-thread hook/floor ${R1_FLOOR}x, hook through push/floor ${R_PUSH_FLOOR}x, hook/floor-without-verification ${R_FLOORNV}x, hook/cat-file ${R_CAT}x"
  summary "$(fmt 'big push (%.0f MB, %d blobs, %d commits): hook %.2f s direct / %.2f s added to git push (%.2f s without hook); 1 thread %.2f s; floor %.3f s (%.3f s without hash verification); cat-file %.3f s' \
    "$(div "$BIG_BYTES" 1000000)" "$BIG_BLOBS" "$((BIG_COMMITS + 1))" "$D_S" "$PUSH_HOOK_S" "$(div "$nh" 1000000)" "$D1_S" "$FLOOR_S" "$FLOORNV_S" "$CAT_S")"
  summary "big push: hook/floor ${R_FLOOR}x (target <= 1.3x), 1-thread hook/floor ${R1_FLOOR}x, hook/cat-file ${R_CAT}x; hook exit $drc; $RSS_LINE"
fi

# ---------------------------------------------------------------------------
# 2 and 3. tiny pushes
# ---------------------------------------------------------------------------

# setup_tiny NAME COMMITS REFS GEN SPREAD: NAME-base.git with COMMITS commits
# (GEN: make_history or make_deep_history) and a matrix, REFS branches and
# tags (SPREAD=1: along the whole history, else on the newest commits),
# copied to NAME-nohook.git and NAME-hook.git, and a clone NAME-wc.
setup_tiny() {
  local name=$1 n=$2 refs=$3 gen=$4 spread=$5 base=$TMP/$1-base.git wc=$TMP/$1-wc v
  git init -q --bare "$base"
  "$gen" "$base" "$n"
  git clone -q "$base" "$wc" 2>/dev/null
  mkdir -p "$wc/matrix"
  cp "$ROOT/matrix/examples/annotated.yml" "$wc/matrix/responsibility.yml"
  git -C "$wc" add matrix && git -C "$wc" commit -q -m matrix && git -C "$wc" push -q origin main 2>/dev/null
  git --git-dir="$base" rev-list main \
    | awk -v r="$refs" -v total="$n" -v spread="$spread" '
        BEGIN { step = spread && total > r ? int(total / r) : 1 }
        (NR - 1) % step == 0 && k < r { k++; if (k % 2) printf "create refs/heads/b/%d %s\n", k, $1; else printf "create refs/tags/t%d %s\n", k, $1 }' \
    | git --git-dir="$base" update-ref --stdin
  git --git-dir="$base" pack-refs --all
  git --git-dir="$base" gc -q 2>/dev/null
  for v in nohook hook; do
    cp -a "$base" "$TMP/$name-$v.git"
    git -C "$wc" remote add "$v" "$TMP/$name-$v.git"
  done
  "$ROOT/install.sh" --bin "$BIN" --repo "$TMP/$name-hook.git" >/dev/null
  rm -rf "$base"
}

# run_tiny NAME RUNS: alternating pushes so both servers see the same machine
# state; sets T_NH T_H (median microseconds) and T_OWN (median hook ms).
run_tiny() {
  local name=$1 runs=$2 wc=$TMP/$1-wc i v t0 t1
  : >"$TMP/$name.nohook.times"; : >"$TMP/$name.hook.times"
  for i in $(seq 1 "$runs"); do
    echo "change $i" >"$wc/tiny.txt"
    git -C "$wc" add tiny.txt
    git -C "$wc" -c user.email=erin@example.com commit -q -m "tiny $i" \
      --trailer "Reviewed-by: Bob <bob@example.com>" --trailer "Scan-SAST: pass" --trailer "Scan-Deps: pass"
    for v in nohook hook; do
      t0=$(now_ns)
      GATEHOUSE_USER=erin git -C "$wc" push -q "$v" HEAD:refs/heads/main 2>"$TMP/push.err" || { echo "tiny push to $name $v failed:"; tail -n5 "$TMP/push.err"; exit 1; }
      t1=$(now_ns)
      echo $(( (t1 - t0) / 1000 )) >>"$TMP/$name.$v.times"
    done
  done
  T_NH=$(median <"$TMP/$name.nohook.times"); T_H=$(median <"$TMP/$name.hook.times")
  T_OWN=$(tail -n "$runs" "$TMP/$name-hook.git/gatehouse/audit.jsonl" | jq -r .duration_ms | median)
}

describe() { echo "$(git --git-dir="$1" rev-list --count main) commits, $(git --git-dir="$1" for-each-ref | wc -l) refs"; }

if wants tiny; then
  setup_tiny tiny "$COMMITS" "$REFS" make_history 0
  say "tiny-push repository: $(describe "$TMP/tiny-hook.git")"
  run_tiny tiny "$RUNS"
  say "$(awk -v runs="$RUNS" -v nh="$T_NH" -v h="$T_H" -v own="$T_OWN" 'BEGIN {
    printf "tiny-push (median of %d): without hook %.1f ms, with hook %.1f ms, hook adds %.1f ms (%.2fx; target <= 15 ms added); hook own duration_ms %.2f ms",
      runs, nh / 1000, h / 1000, (h - nh) / 1000, h / nh, own }')"
  summary "$(fmt 'tiny push: hook adds %.1f ms (target <= 15 ms), hook own duration_ms %.2f ms' "$(awk -v a="$T_H" -v b="$T_NH" 'BEGIN {print (a - b) / 1000}')" "$T_OWN")"
  rm -rf "$TMP"/tiny-*
fi

if wants scale; then
  t0=$(now_ns)
  setup_tiny small "$SCALE_SMALL" "$SCALE_REFS" make_deep_history 1
  setup_tiny deep "$SCALE_BIG" "$SCALE_REFS" make_deep_history 1
  t1=$(now_ns)
  say "$(fmt 'scaling repositories: %s and %s (built in %.1f s)' "$(describe "$TMP/small-hook.git")" "$(describe "$TMP/deep-hook.git")" "$(div $(( (t1 - t0) / 1000 )) 1000000)")"
  declare -A S
  for name in small deep; do
    label=$(describe "$TMP/$name-hook.git")
    run_tiny "$name" "$SCALE_RUNS"
    S[$name.nh]=$T_NH; S[$name.h]=$T_H; S[$name.own]=$T_OWN
    S[$name.add]=$(awk -v a="$T_H" -v b="$T_NH" 'BEGIN {print (a - b) / 1000}')
    say "$(fmt 'scaling tiny-push into %s (median of %d): without hook %.1f ms, with hook %.1f ms, hook adds %.1f ms; hook own duration_ms %.2f ms' \
      "$label" "$SCALE_RUNS" "$(div "$T_NH" 1000)" "$(div "$T_H" 1000)" "${S[$name.add]}" "$T_OWN")"
  done
  R_OWN=$(ratio "${S[deep.own]}" "${S[small.own]}"); R_ADD=$(ratio "${S[deep.add]}" "${S[small.add]}")
  say "scaling ratio ${SCALE_BIG} vs ${SCALE_SMALL} commits: hook own duration_ms ${R_OWN}x, hook added time ${R_ADD}x (target <= 1.2x)"
  summary "$(fmt 'scaling (%s vs %s commits, %s refs): hook own duration %.2f vs %.2f ms = %sx, added %.1f vs %.1f ms = %sx (target <= 1.2x)' \
    "$SCALE_BIG" "$SCALE_SMALL" "$SCALE_REFS" "${S[deep.own]}" "${S[small.own]}" "$R_OWN" "${S[deep.add]}" "${S[small.add]}" "$R_ADD")"
  rm -rf "$TMP"/small-* "$TMP"/deep-*
fi

# ---------------------------------------------------------------------------
# 4. peers
# ---------------------------------------------------------------------------
if wants peers && [ "$BIGDONE" = 1 ]; then
  # the big history's blobs, oldest first, as files, up to PEER_MB megabytes
  peer=$TMP/peer
  mkdir -p "$peer"
  git --git-dir="$src" cat-file --batch <"$TMP/blobs.ids" 2>/dev/null | perl -e '
    use strict; use warnings;
    my ($paths, $dir, $limit) = @ARGV;
    open my $pf, "<", $paths or die;
    binmode STDIN;
    my ($n, $total) = (0, 0);
    while (my $hdr = <STDIN>) {
      my ($id, $type, $size) = split " ", $hdr;
      my $data = ""; read(STDIN, $data, $size) == $size or last; <STDIN>;
      my $pl = <$pf>; chomp $pl; my (undef, $path) = split /\t/, $pl, 2;
      last if $total + $size > $limit;
      $total += $size;
      (my $base = $path) =~ s{.*/}{};
      my $sub = sprintf "%s/d%02d", $dir, $n % 64;
      mkdir $sub unless -d $sub;
      open my $o, ">:raw", sprintf("%s/%06d-%s", $sub, $n++, $base) or die;
      print $o $data; close $o;
    }
    close STDIN;' "$TMP/blobs.paths" "$peer" $((PEER_MB * 1000000))
  P_FILES=$(find "$peer" -type f | wc -l); P_BYTES=$(find "$peer" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  say "$(fmt 'peers corpus: %d files, %.1f MB (the big history'"'"'s blobs, oldest first)' "$P_FILES" "$(div "$P_BYTES" 1000000)")"

  # peer_run NAME CMD...: one timed run bounded by PEER_TIMEOUT; sets P_S (seconds or n/a), P_RC
  peer_run() {
    local t0 t1
    shift
    t0=$(now_ns)
    timeout "$PEER_TIMEOUT" "$@" >"$TMP/peer.out" 2>"$TMP/peer.err"
    P_RC=$?
    t1=$(now_ns)
    P_S=$(div $(( (t1 - t0) / 1000 )) 1000000)
  }
  declare -A PS PN
  # gatehouse scan (median of 3)
  : >"$TMP/gh.s"
  for r in 1 2 3; do
    peer_run gatehouse "$BIN/gatehouse" scan --format json "$peer"
    echo "$P_S" >>"$TMP/gh.s"
  done
  PS[gatehouse]=$(median <"$TMP/gh.s")
  PN[gatehouse]=$(jq length "$TMP/peer.out" 2>/dev/null || echo "?")
  say "$(fmt 'peer gatehouse scan: %.3f s (median of 3, exit %s, %s findings)' "${PS[gatehouse]}" "$P_RC" "${PN[gatehouse]}")"

  # git secrets, AWS patterns registered in the throwaway HOME's global config
  if ! have git-secrets; then apt_install git-secrets || true; fi
  if have git-secrets; then
    git init -q "$TMP/gs"
    (cd "$TMP/gs" && git secrets --register-aws --global >/dev/null 2>&1)
    : >"$TMP/gs.s"
    for r in 1 2 3; do
      (cd "$TMP/gs" && peer_run git-secrets git secrets --scan -r "$peer"; echo "$P_S $P_RC" >"$TMP/gs.last")
      read -r s rc <"$TMP/gs.last"; echo "$s" >>"$TMP/gs.s"
      [ "$rc" -eq 124 ] && break
    done
    if [ "$rc" -eq 124 ]; then
      PS[git-secrets]=timeout
      say "peer git secrets --scan -r: timed out after $PEER_TIMEOUT s"
    else
      PS[git-secrets]=$(median <"$TMP/gs.s")
      PN[git-secrets]=$(grep -c "^$peer/" "$TMP/peer.err")
      say "$(fmt 'peer git secrets --scan -r (AWS patterns): %.3f s (median of 3, exit %s, %s findings)' "${PS[git-secrets]}" "$rc" "${PN[git-secrets]}")"
    fi
    # git-secrets at heart: its own grep command line (GNU grep's DFA, the three
    # AWS patterns in one alternation) without the wrapper's start-up, beside
    # gatehouse on one thread: what a 10x ratio would have to beat, and with what
    GS_PAT=$(git config --global --get-all secrets.patterns | paste -sd'|')
    : >"$TMP/gr.s"; : >"$TMP/gh1.s"
    for r in 1 2 3; do
      peer_run grep env LC_ALL=C grep -r -nwHEI "$GS_PAT" "$peer"; echo "$P_S" >>"$TMP/gr.s"
      peer_run gatehouse env GATEHOUSE_THREADS=1 "$BIN/gatehouse" scan --format json "$peer"; echo "$P_S" >>"$TMP/gh1.s"
    done
    say "$(fmt 'reference: GNU grep -rnwHEI with those %d patterns alone %.3f s; gatehouse scan on 1 thread %.3f s with %d rules (medians of 3)' \
      "$(git config --global --get-all secrets.patterns | wc -l)" "$(median <"$TMP/gr.s")" "$(median <"$TMP/gh1.s")" \
      "$(grep -c '^  - id:' "$ROOT/rules/secrets.yml")")"
  else
    PS[git-secrets]=n/a
    say "peer git-secrets: n/a (not installed and apt-get unavailable or failed)"
  fi

  # secretlint with the recommended preset, installed into a temp dir.  Its time
  # grows faster than the corpus: releases before the fix for secretlint#1653
  # run an always-on profiler whose bookkeeping is quadratic in the number of files.
  SL_WHY=
  if ! have npm; then apt_install npm || true; fi
  if have npm; then
    mkdir -p "$TMP/npm"
    if timeout 300 npm install --prefix "$TMP/npm" --no-audit --no-fund --loglevel=error \
         secretlint @secretlint/secretlint-rule-preset-recommend >"$TMP/npm.log" 2>&1 \
       && [ -x "$TMP/npm/node_modules/.bin/secretlint" ]; then
      (cd "$TMP/npm" && peer_run secretlint ./node_modules/.bin/secretlint --no-color \
         --secretlintrcJSON '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' \
         --format json --output "$TMP/sl.json" "$peer/**/*"; echo "$P_S $P_RC" >"$TMP/sl.last")
      read -r s rc <"$TMP/sl.last"
      if [ "$rc" -eq 124 ]; then
        PS[secretlint]=timeout
        say "peer secretlint: timed out after $PEER_TIMEOUT s"
      elif [ "$rc" -gt 1 ]; then
        SL_WHY="secretlint exited $rc: $(head -c 200 "$TMP/peer.err" | tr '\n' ' ')"
      else
        PS[secretlint]=$s
        PN[secretlint]=$(jq '[.[].messages[]] | length' "$TMP/sl.json" 2>/dev/null || echo "?")
        say "$(fmt 'peer secretlint (preset-recommend, %s): %.3f s (one run, exit %s, %s findings)' \
          "$("$TMP/npm/node_modules/.bin/secretlint" --version 2>/dev/null)" "$s" "$rc" "${PN[secretlint]}")"
      fi
    else
      SL_WHY="npm install failed: $(grep -m1 -i 'err' "$TMP/npm.log" | head -c 200)"
    fi
  else
    SL_WHY="npm not installed and apt-get unavailable or failed"
  fi
  if [ -n "$SL_WHY" ]; then PS[secretlint]=n/a; say "peer secretlint: n/a ($SL_WHY)"; fi

  peer_ratio() {
    case "${PS[$1]}" in
      n/a) echo "n/a" ;;
      timeout) echo ">= $(ratio "$PEER_TIMEOUT" "${PS[gatehouse]}")x (timed out)" ;;
      *) echo "$(ratio "${PS[$1]}" "${PS[gatehouse]}")x" ;;
    esac
  }
  say "peers ratio (peer time / gatehouse scan time; target >= 10x): git-secrets $(peer_ratio git-secrets), secretlint $(peer_ratio secretlint)"
  peer_secs() {
    case "${PS[$1]}" in
      n/a) echo "n/a" ;;
      timeout) echo "timed out after $PEER_TIMEOUT s" ;;
      *) echo "$(s3 "${PS[$1]}") s" ;;
    esac
  }
  summary "$(fmt 'peers (%.1f MB, %d files): gatehouse scan %s; git-secrets %s (%s); secretlint %s (%s) (target >= 10x)' \
    "$(div "$P_BYTES" 1000000)" "$P_FILES" "$(peer_secs gatehouse)" "$(peer_secs git-secrets)" "$(peer_ratio git-secrets)" "$(peer_secs secretlint)" "$(peer_ratio secretlint)")"
fi

echo
echo "== summary (load average at the end: $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)) =="
for l in "${SUMMARY[@]}"; do echo "$l"; done
