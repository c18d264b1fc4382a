#!/usr/bin/env bash
# Detection quality of the built-in secret rules, measured on the corpus in
# tests/secrets-corpus (made by its generate.py; the test reads only the
# committed files/ and manifest.tsv, so it needs no python).
#
# One `gatehouse scan --format json` over the whole corpus, then:
#   recall = positives with a finding on their path:line / positives
#   false-positive rate = (negatives with a finding on their path:line
#                          + lines listed nowhere in the manifest that have a finding)
#                         / negatives
# Every miss and every false positive is printed as a `#` line with its
# path:line and provider, so a failing run says which rule to fix.
. "$(dirname "$0")/lib.sh"

CORPUS=$ROOT/tests/secrets-corpus
MIN_RECALL_PCT=95   # recall >= 0.95
MAX_FPR_PCT=1       # false-positive rate <= 0.01

# --- the corpus is whole: every manifest line points inside an existing file
(cd "$CORPUS" && awk '{ n[FILENAME] = FNR } END { for (f in n) print f "\t" n[f] }' $(find files -type f | sort)) >"$TMP/lengths.tsv"
bad=$(awk -F'\t' 'NR == FNR { len[$1] = $2; next }
  !($2 in len) { print "missing file " $2; next }
  $3 < 1 || $3 > len[$2] { print "line out of range " $2 ":" $3 }' "$TMP/lengths.tsv" "$CORPUS/manifest.tsv")
if [ -z "$bad" ] && [ -s "$CORPUS/manifest.tsv" ]; then ok "corpus: every manifest line is inside its file"
else not_ok "corpus: every manifest line is inside its file" "$(head -n 20 <<<"$bad")"; fi

# --- one scan of everything
(cd "$CORPUS" && "$GATEHOUSE" scan --format json files) >"$TMP/findings.json" 2>"$TMP/scan.err"
RC=$?
if [ "$RC" -gt 1 ] || ! jq -e 'type == "array"' "$TMP/findings.json" >/dev/null 2>&1; then
  not_ok "scan: a JSON array of findings (exit 0 or 1)" "exit $RC" "$(head -n 20 "$TMP/scan.err")"
  finish
fi
ok "scan: a JSON array of findings (exit $RC)"

# --- score: one line of totals, then one line per miss, false positive and unlisted finding.
# A key block's note ends with "[lines A-B]": a finding inside a negative block
# counts against that negative; one on the body of a positive block is neither
# a hit (the finding belongs on the BEGIN line) nor a false positive.
jq -r -n --rawfile m "$CORPUS/manifest.tsv" --slurpfile f "$TMP/findings.json" '
  ($f[0] | group_by("\(.path):\(.line)")
         | map({key: "\(.[0].path):\(.[0].line)", value: (map(.rule) | unique | join(","))})
         | from_entries) as $hits
  | ($m | split("\n") | map(select(length > 0) | split("\t")
        | {kind: .[0], path: .[1], key: "\(.[1]):\(.[2])", provider: .[3], note: .[4],
           span: (.[4] | capture("\\[lines (?<a>[0-9]+)-(?<b>[0-9]+)\\]$")? // null)})) as $man
  | ($man | map({key: .key, value: true}) | from_entries) as $listed
  | ($man | map(select(.span != null) | . as $e
        | range($e.span.a | tonumber; ($e.span.b | tonumber) + 1)
        | {key: "\($e.path):\(.)", value: {owner: $e.key, kind: $e.kind}})
        | from_entries) as $inblock
  | ($hits | keys | map(select($listed[.] == null and $inblock[.] != null and $inblock[.].kind == "negative"))
        | map({key: $inblock[.].owner, value: .}) | from_entries) as $blockfp
  | ($man | map(select(.kind == "positive"))) as $pos
  | ($man | map(select(.kind == "negative"))) as $neg
  | ($pos | map(select($hits[.key] == null))) as $missed
  | ($neg | map(select($hits[.key] != null or $blockfp[.key] != null))) as $fp
  | ($hits | to_entries | map(select($listed[.key] == null and $inblock[.key] == null))) as $unlisted
  | "totals\t\($pos | length)\t\(($pos | length) - ($missed | length))\t\($neg | length)\t\($fp | length)\t\($unlisted | length)\t\($f[0] | length)",
    ($missed[] | "missed\t\(.key)\t\(.provider)\t\(.note)"),
    ($fp[] | "fp\t\(.key)\t\(.provider)\t\(.note)\t\($hits[.key] // ($hits[$blockfp[.key]] + " on " + $blockfp[.key]))"),
    ($unlisted[] | "unlisted\t\(.key)\t\(.value)"),
    ($pos | group_by(.provider)[] | . as $g
       | ($g | map(select($hits[.key] != null)) | length) as $h
       | select($h < ($g | length))
       | "provider\t\($g[0].provider)\t\($h)\t\($g | length)")
' >"$TMP/score.tsv" || { not_ok "score: jq over the findings and the manifest"; finish; }

IFS=$'\t' read -r _ P HIT N FP UNL TOTAL < <(grep '^totals' "$TMP/score.tsv")
FPT=$((FP + UNL))
recall=$(awk -v h="$HIT" -v p="$P" 'BEGIN { printf "%.3f", p ? h / p : 0 }')
fpr=$(awk -v f="$FPT" -v n="$N" 'BEGIN { printf "%.2f%%", n ? 100 * f / n : 0 }')
echo "# corpus: recall $recall ($HIT/$P), false-positive rate $fpr ($FPT/$N: $FP negatives found, $UNL unlisted lines), $TOTAL findings"
missed=$(awk -F'\t' '$1 == "missed"   { print "missed: " $2 " " $3 " (" $4 ")" }
                     $1 == "provider" { print "provider recall: " $2 " " $3 "/" $4 }' "$TMP/score.tsv")
falsepos=$(awk -F'\t' '$1 == "fp"       { print "false positive: " $2 " " $3 " found by " $5 " (" $4 ")" }
                       $1 == "unlisted" { print "false positive (unlisted line): " $2 " found by " $3 }' "$TMP/score.tsv")

# Each list is printed once: as `#` lines after a passing check, or as the
# failing check's details (which is what tests/integration/run.sh shows).
if [ "$P" -gt 0 ] && [ $((HIT * 100)) -ge $((MIN_RECALL_PCT * P)) ]; then
  ok "recall >= 0.$MIN_RECALL_PCT: $recall ($HIT/$P)"
  [ -n "$missed" ] && sed 's/^/# /' <<<"$missed"
else
  not_ok "recall >= 0.$MIN_RECALL_PCT: $recall ($HIT/$P)" "$((P - HIT)) positives missed:" "$missed"
fi
if [ "$N" -gt 0 ] && [ $((FPT * 100)) -le $((MAX_FPR_PCT * N)) ]; then
  ok "false-positive rate <= 0.0$MAX_FPR_PCT: $fpr ($FPT/$N)"
  [ -n "$falsepos" ] && sed 's/^/# /' <<<"$falsepos"
else
  not_ok "false-positive rate <= 0.0$MAX_FPR_PCT: $fpr ($FPT/$N)" "$FP negatives and $UNL unlisted lines found:" "$falsepos"
fi

finish
