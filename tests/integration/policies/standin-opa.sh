#!/bin/sh
# A stand-in for `opa eval --format json ...` in the integration tests: it
# keeps the input it was given and answers as the file named by $1 says:
#   allow    {"result":[{"expressions":[{"value":[]}]}]}
#   deny     one message per update whose ref contains "forbidden", OPA's shape
#   none     {}  (OPA's output for an undefined query)
#   garbage  not JSON
#   fail     exits 3
#   slow     sleeps 10 s
#   privileged  one message per pushed file with a `privileged: true` anywhere
# It also keeps its environment ($1.env) and working directory ($1.pwd).
env >"$1.env"
pwd >"$1.pwd"
mode=$(cat "$1")
cat >"$1.input"
case "$mode" in
  allow) echo '{"result":[{"expressions":[{"value":[],"text":"data.gatehouse.deny"}]}]}' ;;
  deny) jq -c '{result: [{expressions: [{value: [.updates[] | select(.ref | contains("forbidden")) | "no pushes to \(.ref) (team rule 7)"]}]}]}' "$1.input" ;;
  none) echo '{}' ;;
  garbage) echo 'this is not json' ;;
  fail) echo 'policy engine crashed' >&2; exit 3 ;;
  slow) sleep 10; echo '{}' ;;
  privileged) jq -c '{result: [{expressions: [{value: [.files[] | select([.documents[]? | .. | objects | select(.privileged == true)] | length > 0) | "privileged: \(.path)"]}]}]}' "$1.input" ;;
esac
