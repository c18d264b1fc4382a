#!/usr/bin/env bash
# gatehouse report: the dashboard of audit logs.  Against a generated log of
# 10,000 records with a known distribution (gen-audit.py prints what must be
# counted), every number of the text summary; --since, several logs, the
# default log, a real server's log, exit statuses, the progress line on a
# terminal (and none when piped); then the HTML page in a real headless
# browser (Debian's chromium): the rendered DOM carries the same numbers and
# the SVG charts, hostile strings from the log stay text, and a screenshot is
# kept as an artifact (${GATEHOUSE_ARTIFACTS:-$TMP}/dashboard.png).
#
# The README's screenshot is made by this test:
#   GATEHOUSE_ARTIFACTS=docs bash tests/integration/t1800-report.sh
. "$(dirname "$0")/lib.sh"

GEN=$ROOT/tests/integration/gen-audit.py
ART=${GATEHOUSE_ARTIFACTS:-$TMP}
case $ART in /*) ;; *) ART=$PWD/$ART ;; esac
mkdir -p "$ART"

# report ARGS...: runs gatehouse report in $TMP; sets SUMMARY (stdout), ERR (stderr), RC.
report() {
  SUMMARY=$(cd "$TMP" && timeout 120 "$GATEHOUSE" report "$@" 2>"$TMP/report.err")
  RC=$?
  ERR=$(cat "$TMP/report.err")
}

# section TITLE: the lines of the summary's section whose header starts with TITLE.
section() { awk -v t="$1" 'index($0, t) == 1 { on = 1; next } /^[^ ]/ { on = 0 } on && NF' <<<"$SUMMARY"; }

# expect_lines NAME TITLE LINE...: every LINE is a whole line of section TITLE.
expect_lines() {
  local name=$1 title=$2 body l missing=(); shift 2
  body=$(section "$title")
  for l in "$@"; do grep -qxF -- "$l" <<<"$body" || missing+=("$l"); done
  if [ ${#missing[@]} -eq 0 ]; then ok "$name"
  else not_ok "$name" "missing from section '$title':" "${missing[@]}" "section:" "$body"; fi
}

# want JQ_FILTER: a value from the generator's expectations.
want() { jq -r "$1" <<<"$E"; }

# ---- 10,000 generated records ----------------------------------------------------

python3 "$GEN" --records 10000 --seed 1800 --garbage 7 --out "$TMP/audit.jsonl" >"$TMP/expect.json" \
  || { not_ok "gen-audit.py ran"; finish; }
E=$(cat "$TMP/expect.json")
report --html "$TMP/report.html" audit.jsonl
expect_eq "a readable log: exit 0" "$RC" 0
expect_eq "not a terminal: nothing on stderr (no progress line)" "$ERR" ""
expect_out_summary() { OUT=$SUMMARY expect_out "$@"; }
expect_out_summary "the header: records, pushes, period, log" \
  "gatehouse report: 10000 ref updates in $(want .pushes) pushes, 2026-01-05T" "  from 1 log: audit.jsonl"
expect_out_summary "malformed lines are counted, not fatal" \
  "  $(want .skipped) lines skipped: not audit records"

expect_lines "totals: ref updates, accepted, rejected, pushes" "totals:" \
  "$(printf '  %9d  ref updates' "$(want .records)")" \
  "$(printf '  %9d  accepted' "$(want .accepted)")" \
  "$(printf '  %9d  rejected (%s%%)' "$(want .rejected)" "$(awk -v r="$(want .rejected)" -v n="$(want .records)" 'BEGIN { printf "%.1f", r * 100 / n }')")" \
  "$(printf '  %9d  pushes (%d with a rejection)' "$(want .pushes)" "$(want .pushes_rejected)")"
expect_lines "totals: overrides, secrets, internal errors, warnings" "totals:" \
  "$(printf '  %9d  overrides requested (%d applied, %d refused)' "$(want .overrides)" "$(want .overrides_applied)" "$(want .overrides_refused)")" \
  "$(printf '  %9d  secrets found (in %d ref updates)' "$(want .secret_findings)" "$(want .secret_updates)")" \
  "$(printf '  %9d  internal errors (%d let through by on_error: allow)' "$(want .errors)" "$(want .errors_allowed)")" \
  "$(printf '  %9d  ref updates with warnings' "$(want .warned)")"

mapfile -t lines < <(jq -r '.reasons | to_entries[] | "\(.value) \(.key)"' <<<"$E" | while read -r n k; do printf '  %9d  %s\n' "$n" "$k"; done)
expect_lines "rejections by reason: every id, each rejected update counted once per id (${#lines[@]} ids)" \
  "rejections by reason" "${lines[@]}"
mapfile -t lines < <(jq -r '.rules | to_entries | sort_by(-.value) | .[:20][] | "\(.value) \(.key)"' <<<"$E" | while read -r n k; do printf '  %9d  %s\n' "$n" "$k"; done)
expect_lines "rejections by rule: the matrix lines (and built-in)" "rejections by rule" "${lines[@]}"
mapfile -t lines < <(jq -r '.roles | to_entries[] | "\(.value[0]) \(.value[1]) \(.key)"' <<<"$E" | while read -r n r k; do printf '  %9d %9d  %s\n' "$n" "$r" "$k"; done)
expect_lines "by role: updates and rejections, unknown pushers and people without a role apart" \
  "by role" "${lines[@]}"
mapfile -t lines < <(jq -r '.top_refs[] | "\(.[1]) \(.[2]) \(.[0])"' <<<"$E" | while read -r n r k; do printf '  %9d %9d  %s\n' "$n" "$r" "$k"; done)
expect_eq "top refs: the 10 most pushed, in order, with their rejections" \
  "$(section "top refs" | head -n 10)" "$(printf '%s\n' "${lines[@]}")"
mapfile -t lines < <(jq -r '.secrets | to_entries[] | "\(.value[0]) \(.value[1]) \(.key)"' <<<"$E" | while read -r f n k; do printf '  %9d %9d  %s\n' "$f" "$n" "$k"; done)
expect_lines "secrets caught by rule: findings and ref updates" "secrets caught by rule" "${lines[@]}"
mapfile -t lines < <(jq -r '.warnings | to_entries[] | "\(.value) \(.key)"' <<<"$E" | while read -r n k; do printf '  %9d  %s\n' "$n" "$k"; done)
expect_lines "warnings by check" "warnings by check" "${lines[@]}"
mapfile -t lines < <(jq -r '.days | to_entries | sort_by(.key) | .[-14:][] | "\(.value[0]) \(.value[1]) \(.key)"' <<<"$E" | while read -r a r k; do printf '  %9d %9d  %s\n' "$a" "$r" "$k"; done)
expect_lines "per day: the last 14 days, accepted and rejected" "per day" "${lines[@]}"
latest=$(section "overrides (" | head -n 1)
expect_out_summary "overrides: how many, the newest first with who and the reason given" \
  "overrides ($(want .overrides) requested; most recent first):"
OUT=$latest expect_out "overrides: the newest is first" "$(want .latest_override.requested_by)" \
  "\"$(want .latest_override.reason)\"" "$(want '.latest_override.time[:19]')Z"
expect_eq "slowest hook runs: the 10 slowest, slowest first" \
  "$(section "slowest hook runs" | awk 'NR % 2 == 1 { print $1 }' | sort -g -r | head -n 10 | tr '\n' ' ')" \
  "$(section "slowest hook runs" | awk 'NR % 2 == 1 { print $1 }' | head -n 10 | tr '\n' ' ')"
max_ms=$(grep -o '"duration_ms":[0-9.]*' "$TMP/audit.jsonl" | cut -d: -f2 | sort -g | tail -n 1)
expect_eq "slowest hook runs: the slowest of the log is first" \
  "$(section "slowest hook runs" | awk 'NR == 1 { print $1 }')" "$(awk -v m="$max_ms" 'BEGIN { printf "%.1f", m }')"
[ -s "$TMP/report.html" ] && ok "--html wrote the page" || not_ok "--html wrote the page"

# ---- --since ----------------------------------------------------------------------

python3 "$GEN" --records 10000 --seed 1800 --garbage 7 --since 2026-02-15 --out "$TMP/same.jsonl" >"$TMP/since.json"
expect_eq "gen-audit.py is deterministic" "$(sha256sum <"$TMP/same.jsonl")" "$(sha256sum <"$TMP/audit.jsonl")"
S=$(cat "$TMP/since.json")
for since in 2026-02-15 2026-02-15T00:00:00Z 2026-02-15T01:00:00+01:00 "2026-02-14T19:00-05:00"; do
  report --since "$since" audit.jsonl
  expect_eq "--since $since: exit 0" "$RC" 0
  expect_lines "--since $since: only records at or after it are counted" "totals:" \
    "$(printf '  %9d  ref updates' "$(jq .records <<<"$S")")" \
    "$(printf '  %9d  accepted' "$(jq .accepted <<<"$S")")" \
    "$(printf '  %9d  pushes (%d with a rejection)' "$(jq .pushes <<<"$S")" "$(jq .pushes_rejected <<<"$S")")"
done
expect_out_summary "--since: says how many earlier records it left out" \
  "  since 2026-02-15T00:00:00Z: $(jq .before_since <<<"$S") earlier records left out"
mapfile -t lines < <(jq -r '.reasons | to_entries[] | "\(.value) \(.key)"' <<<"$S" | while read -r n k; do printf '  %9d  %s\n' "$n" "$k"; done)
expect_lines "--since: the reasons of the period" "rejections by reason" "${lines[@]}"
report --since 2027-01-01 audit.jsonl
expect_out_summary "--since after the last record: no records, exit 0" "gatehouse report: no audit records"
expect_eq "--since after the last record: exit 0" "$RC" 0

# ---- several logs -------------------------------------------------------------------

python3 "$GEN" --records 1500 --seed 2 --start 2026-03-01 --days 30 --out "$TMP/b.jsonl" >"$TMP/b.json"
B=$(cat "$TMP/b.json")
report audit.jsonl b.jsonl
expect_eq "two logs: exit 0" "$RC" 0
expect_out_summary "two logs: both named" "  from 2 logs: audit.jsonl, b.jsonl"
expect_lines "two logs: the totals add up" "totals:" \
  "$(printf '  %9d  ref updates' $(($(want .records) + $(jq .records <<<"$B"))))" \
  "$(printf '  %9d  accepted' $(($(want .accepted) + $(jq .accepted <<<"$B"))))" \
  "$(printf '  %9d  pushes (%d with a rejection)' $(($(want .pushes) + $(jq .pushes <<<"$B"))) $(($(want .pushes_rejected) + $(jq .pushes_rejected <<<"$B"))))"
mapfile -t lines < <(jq -r -s '(.[0].reasons | to_entries) + (.[1].reasons | to_entries) | group_by(.key)[] | "\(map(.value) | add) \(.[0].key)"' "$TMP/expect.json" "$TMP/b.json" | while read -r n k; do printf '  %9d  %s\n' "$n" "$k"; done)
expect_lines "two logs: reasons add up" "rejections by reason" "${lines[@]}"

# ---- the default log ------------------------------------------------------------------

mkdir -p "$TMP/srv.git/gatehouse" "$TMP/elsewhere"
cp "$TMP/b.jsonl" "$TMP/srv.git/gatehouse/audit.jsonl"
SUMMARY=$(cd "$TMP/elsewhere" && GIT_DIR=$TMP/srv.git "$GATEHOUSE" report 2>&1); RC=$?
expect_eq "no log given, GIT_DIR set: reads \$GIT_DIR/gatehouse/audit.jsonl" "$RC $(section totals: | head -n 1)" \
  "0 $(printf '  %9d  ref updates' "$(jq .records <<<"$B")")"
SUMMARY=$(cd "$TMP/srv.git" && env -u GIT_DIR "$GATEHOUSE" report 2>&1); RC=$?
expect_eq "no log given, no GIT_DIR: reads ./gatehouse/audit.jsonl" "$RC $(section totals: | head -n 1)" \
  "0 $(printf '  %9d  ref updates' "$(jq .records <<<"$B")")"
SUMMARY=$(cd "$TMP/elsewhere" && env -u GIT_DIR "$GATEHOUSE" report 2>&1); RC=$?
expect_eq "no log given and none there: exit 2" "$RC" 2
OUT=$SUMMARY expect_out "no log there: says which file it looked for" "cannot open ./gatehouse/audit.jsonl"

# ---- a real server's log ----------------------------------------------------------------

srv=$(new_server reportsrv)
wc=$(new_clone "$srv" reportwc)
put_matrix "$wc" base.yml
push_as erin "$wc" origin main
expect_accepted "real log: erin creates main"
commit_file "$wc" src/a.c "int a;"
push_as bob "$wc" origin main
expect_rejected "real log: bob may not push to main"
push_as bob "$wc" origin HEAD:refs/heads/team/bob
expect_accepted "real log: bob creates a team branch"
push_as mallory "$wc" origin HEAD:refs/heads/team/mallory
expect_rejected "real log: mallory is nobody"
log=$srv/gatehouse/audit.jsonl
SUMMARY=$(GIT_DIR=$srv "$GATEHOUSE" report 2>&1); RC=$?
expect_eq "real log: exit 0" "$RC" 0
expect_lines "real log: the counts jq finds in it" "totals:" \
  "$(printf '  %9d  accepted' "$(jq -s 'map(select(.verdict == "accepted")) | length' "$log")")" \
  "$(printf '  %9d  rejected (50.0%%)' "$(jq -s 'map(select(.verdict == "rejected")) | length' "$log")")"
mapfile -t lines < <(jq -r -s 'map(select(.verdict == "rejected") | [.reasons[].id] | unique[]) | group_by(.)[] | "\(length) \(.[0])"' "$log" | while read -r n k; do printf '  %9d  %s\n' "$n" "$k"; done)
expect_lines "real log: the reasons jq finds in it (${#lines[@]})" "rejections by reason" \
  "${lines[@]}" "$(printf '  %9d  %s' 1 ref.push)" "$(printf '  %9d  %s' 1 ref.create)"
expect_lines "real log: roles" "by role" "$(printf '  %9d %9d  %s' 1 1 "(not in the matrix)")" \
  "$(printf '  %9d %9d  %s' 2 1 developers)" "$(printf '  %9d %9d  %s' 1 0 release)"

# ---- exit statuses and bad input ------------------------------------------------------------

report missing.jsonl
expect_eq "a log that does not exist: exit 2" "$RC" 2
OUT=$ERR expect_out "a log that does not exist: named" "gatehouse report: cannot open missing.jsonl"
report audit.jsonl missing.jsonl
expect_eq "one good log and one missing: exit 2, no summary" "$RC ${SUMMARY:-none}" "2 none"
report "$TMP/elsewhere"
expect_eq "a directory: exit 2" "$RC" 2
for bad in yesterday 2026-13-01 2026-02-30 "2026-02-15T25:00:00Z" 20260215 ""; do
  report --since "$bad" audit.jsonl
  expect_eq "--since '$bad': usage error (exit 2)" "$RC" 2
done
OUT=$ERR expect_out "a bad --since says what it wants" "--since wants YYYY-MM-DD or an ISO 8601 time"
report --since
expect_eq "--since without a value: exit 2" "$RC" 2
report --frobnicate audit.jsonl
expect_eq "an unknown option: exit 2" "$RC" 2
report --html "$TMP/no/such/dir/page.html" audit.jsonl
expect_eq "a page that cannot be written: exit 2" "$RC" 2
: >"$TMP/empty.jsonl"
report empty.jsonl
expect_eq "an empty log: exit 0, no records" "$RC $(head -n 1 <<<"$SUMMARY")" "0 gatehouse report: no audit records"
{
  head -n 3 "$TMP/b.jsonl"
  printf '{"time":"2026-03-01T00:00:00Z","verdict":"accepted","ref":"refs/heads/x","pad":"%s"}\n' "$(head -c 1100000 /dev/zero | tr '\0' a)"
  printf '\x00\xff\xfe garbage\n{"a":1,"a":2}\n[[[[[[[[[[\n'
  printf '{"time":"2026-03-01T00:00:00Z","verdict":"accepted","ref":"refs/heads/ok","reasons":"not a list","roles":7}\n'
  printf '{"time":"2026-03-01T00:00:00Z","verdict":"rejected","ref":"refs/heads/\\u001b[2Jevil\\u0007",'
  printf '"pusher":"\\u001b]0;owned\\u0007","reasons":[{"id":"ref.push","rule":"built-in"}]}\n'
  printf '{"time":"2026-03-01T00:00:00Z","verdict":"accepted","ref":"refs/heads/tail"}'
} >"$TMP/mixed.jsonl"
report mixed.jsonl
expect_eq "hostile lines: exit 0" "$RC" 0
expect_out_summary "hostile lines: a line over 1 MiB, binary, duplicate keys, deep nesting are skipped and counted" \
  "  4 lines skipped: not audit records (1 longer than 1 MiB)"
expect_lines "hostile lines: odd fields are ignored, a last line without newline counts" "totals:" \
  "$(printf '  %9d  ref updates' 6)"
expect_lines "control characters from the log are shown escaped, never sent to the terminal" "top refs" \
  "$(printf '  %9d %9d  %s' 1 1 'refs/heads/\x1b[2Jevil\x07')"
OUT=$SUMMARY expect_no_out "no raw ESC or BEL in the summary" $'\e' $'\a'


# ---- the progress line: on a terminal only ------------------------------------------------------

if command -v script >/dev/null; then
  (cd "$TMP" && TERM=dumb timeout 120 script -qec "'$GATEHOUSE' report audit.jsonl >/dev/null" /dev/null) >"$TMP/tty.out" 2>&1
  tty_out=$(cat -v "$TMP/tty.out")
  OUT=$tty_out expect_out "on a terminal, a large log shows a progress line" "^Mgatehouse report: audit.jsonl: " "% of " " MiB"
  case $tty_out in *'^M^[[K') ok "the progress line is cleared at the end" ;;
                   *) not_ok "the progress line is cleared at the end" "$tty_out" ;; esac
else
  echo "# SKIP: no script(1): the progress line on a terminal is not checked"
fi

# ---- the page in a real browser ---------------------------------------------------------------------

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  if [ "${CI:-}" = true ]; then
    not_ok "chromium is installed (the browser test needs Debian's chromium: apt-get install chromium)"
    finish
  fi
  echo "# SKIP: no chromium on this machine (apt-get install chromium); the page is not checked in a browser"
  finish
fi
browser() {
  timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
    --user-data-dir="$TMP/chromium-profile" "$@" 2>>"$TMP/chromium.log"
}
browser --dump-dom "file://$TMP/report.html" >"$TMP/dom.html"
RC=$?
expect_eq "chromium loads the page" "$RC" 0
CHECK=$(python3 - "$TMP/dom.html" "$TMP/expect.json" <<'PY'
import json, sys
from html.parser import HTMLParser

dom = open(sys.argv[1], encoding="utf-8").read()
E = json.load(open(sys.argv[2]))

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.metrics, self.rows, self.cols, self.svg_in = [], {}, {}, [], {}
        self.text, self.metric, self.section = [], None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "section" and a.get("id"):
            self.section = a["id"]
        if tag == "svg" and self.section:
            self.svg_in[self.section] = self.svg_in.get(self.section, 0) + 1
        if "data-metric" in a:
            self.metric = a["data-metric"]
        if "data-chart" in a and "data-key" in a:
            self.rows.setdefault(a["data-chart"], []).append(a)
        if "data-bucket" in a and "data-accepted" in a:
            self.cols.append(a)
    def handle_data(self, data):
        self.text.append(data)
        if self.metric:
            self.metrics[self.metric] = data.strip()
            self.metric = None

p = P()
p.feed(dom)
bad = []
def eq(what, got, want):
    if str(got) != str(want):
        bad.append("%s: page says %s, log has %s" % (what, got, want))

for m, k in [("records", "records"), ("accepted", "accepted"), ("rejected", "rejected"),
             ("pushes", "pushes"), ("overrides", "overrides"), ("secrets", "secret_findings"),
             ("errors", "errors"), ("skipped", "skipped"), ("warned", "warned")]:
    eq("tile " + m, p.metrics.get(m), E[k])
reasons = sorted(E["reasons"].items(), key=lambda kv: (-kv[1], kv[0].encode()))[:15]
eq("reason bars", [(r["data-key"], int(r["data-value"])) for r in p.rows.get("reasons", [])], reasons)
eq("role bars", sorted((r["data-key"], int(r["data-value"]), int(r["data-rejected"])) for r in p.rows.get("roles", [])),
   sorted((k, v[0], v[1]) for k, v in E["roles"].items()))
eq("top ref bars", [(r["data-key"], int(r["data-value"]), int(r["data-rejected"])) for r in p.rows.get("refs", [])][:10],
   [tuple(x) for x in E["top_refs"]])
eq("secret bars", sorted((r["data-key"], int(r["data-value"]), int(r["data-updates"])) for r in p.rows.get("secrets", [])),
   sorted((k, v[0], v[1]) for k, v in E["secrets"].items()))
eq("timeline days", {c["data-bucket"]: [int(c["data-accepted"]), int(c["data-rejected"])] for c in p.cols
                     if c["data-accepted"] != "0" or c["data-rejected"] != "0"}, E["days"])
for sec in ["timeline", "reasons", "rules", "roles", "refs", "secrets", "warnings", "durations"]:
    if not p.svg_in.get(sec):
        bad.append("no SVG chart in section " + sec)
for tag in ["script", "img", "iframe", "object", "link"]:
    if tag in p.tags:
        bad.append("a <%s> element is in the DOM: a log string was not escaped" % tag)
text = "".join(p.text)
for s in [E["hostile_reason"], E["hostile_ref"]]:
    if s not in text:
        bad.append("hostile string not shown as text: " + s)
print("\n".join(bad) if bad else "ok %d metrics, %d bars, %d timeline columns, %d svg" %
      (len(p.metrics), sum(map(len, p.rows.values())), len(p.cols), p.tags.count("svg")))
PY
)
case $CHECK in
  ok*) ok "the rendered page: tiles, bars and timeline carry the log's numbers; SVG charts; hostile text stays text (${CHECK#ok })" ;;
  *) not_ok "the rendered page carries the log's numbers" "$CHECK" ;;
esac
rm -f "$ART/dashboard.png"
browser --hide-scrollbars --window-size=1280,2000 --screenshot="$ART/dashboard.png" "file://$TMP/report.html" >/dev/null
png=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); print(d[:8]==b"\x89PNG\r\n\x1a\n", *struct.unpack(">II", d[16:24]), len(d) > 50000)' "$ART/dashboard.png" 2>&1)
expect_eq "a 1280x2000 screenshot of the rendered page is kept: $ART/dashboard.png" "$png" "True 1280 2000 True"
finish
