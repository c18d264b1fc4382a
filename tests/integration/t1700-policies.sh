#!/usr/bin/env bash
# policies: on real pushes — container policies on Kubernetes manifests,
# Compose files and Dockerfiles (reject and warn), dependency deny-lists on
# lock files and an OSV advisory file, deployment refs that take only
# commits already on the refs their `from:` names, and the external policy the
# server defines and the matrix names (a stand-in speaking OPA's output format;
# real OPA when installed): allow,
# deny, undefined, garbage, failure and timeout.
. "$(dirname "$0")/lib.sh"

srv=$(new_server policies)
wc=$(new_clone "$srv" pol)
MODE=$TMP/opa-mode
echo allow >"$MODE"
# the command is the server's: the matrix only names it
git --git-dir="$srv" config gatehouse.externalPolicy.standin.command "$ROOT/tests/integration/policies/standin-opa.sh $MODE"
{
  sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  cat <<YML
policies:
  containers:
    privileged: reject
    privilege_escalation: reject
    run_as_root: warn
    host_namespaces: reject
    host_path: reject
    capabilities: reject
    unpinned_images: reject
    registries: [registry.example.com]
  dependencies:
    deny: ["npm:event-stream@3.3.6", "npm:ua-parser-js@>=0.7.29 <0.7.30", "pypi:ctx@*"]
    osv: security/advisories.json
  deploy_refs: [{ pattern: "refs/heads/deploy/*", from: ["refs/heads/main"] }]
  external:
    use: standin
    timeout_ms: 1500
settings:
  on_error: reject
YML
} >"$TMP/policies.yml"
mkdir -p "$wc/security"
cat >"$wc/security/advisories.json" <<'JSON'
[{"id": "GHSA-test-lodash", "summary": "prototype pollution (test advisory)",
  "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}]
JSON
git -C "$wc" add security/advisories.json
put_matrix "$wc" "$TMP/policies.yml"
OUT=$("$GATEHOUSE" matrix validate "$TMP/policies.yml" 2>&1); RC=$?
expect_eq "the matrix with policies validates" "$RC $(tail -n 1 <<<"$OUT")" "0 $TMP/policies.yml: ok"
push_as erin "$wc" origin main
expect_accepted "setup: bootstrap (policies judge the pushes after it)"
base=$(git -C "$wc" rev-parse HEAD)
line_of() { grep -n "^    $1:" "$TMP/policies.yml" | head -n 1 | cut -d: -f1; }

# topic NAME: a fresh branch team/NAME from base
topic() { git -C "$wc" checkout -q -B "team/$1" "$base"; }
add() { mkdir -p "$(dirname "$wc/$1")"; cat >"$wc/$1"; git -C "$wc" add "$1"; git -C "$wc" commit -q -m "add $1"; }

DIGEST=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# --- containers
topic priv
add deploy/pod.yaml <<'YML'
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  securityContext:
    runAsNonRoot: true
  containers:
    - name: shell
      image: registry.example.com/tools/shell@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      securityContext:
        privileged: true
YML
push_as bob "$wc" origin team/priv
expect_rejected "privileged container: rejected"
expect_out "privileged container: check, file, line and matrix rule" "[policy.container.privileged] deploy/pod.yaml:12" \
  "matrix/responsibility.yml:$(line_of privileged):"
expect_eq "privileged container: refused on the server" "$(ref_of "$srv" refs/heads/team/priv)" none

topic clean
add deploy/app.yaml <<YML
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      containers:
        - name: api
          image: registry.example.com/team/api@$DIGEST
YML
push_as bob "$wc" origin team/clean
expect_accepted "a pinned, non-root deployment from the allowed registry: accepted"
expect_no_out "a clean deployment: no warning" "warning ["

topic root
add deploy/job.yaml <<YML
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: nightly
              image: registry.example.com/team/nightly@$DIGEST
YML
push_as bob "$wc" origin team/root
expect_accepted "run_as_root: warn lets the push through"
expect_out "run_as_root: the warning is shown with its rule" "warning [policy.container.run_as_root] deploy/job.yaml:" \
  "matrix/responsibility.yml:$(line_of run_as_root):"
expect_eq "run_as_root: the warning is audited" "$(json_get "$(last_audit "$srv")" '[.verdict, .warnings[0].id] | join(" ")')" \
  "accepted policy.container.run_as_root"

topic docker
add Dockerfile <<'EOF2'
FROM node:18
USER node
EOF2
push_as bob "$wc" origin team/docker
expect_rejected "Dockerfile FROM without a digest: rejected"
expect_out "Dockerfile: unpinned image at its line" "[policy.container.unpinned_images] Dockerfile:1"

topic compose
add docker-compose.yml <<YML
services:
  web:
    image: registry.example.com/web@$DIGEST
    user: "1000"
    network_mode: host
YML
push_as bob "$wc" origin team/compose
expect_rejected "compose network_mode: host: rejected"
expect_out "compose: host namespaces" "[policy.container.host_namespaces] docker-compose.yml:"

topic elsewhere
add k8s/pod.yml <<YML
apiVersion: v1
kind: Pod
metadata: {name: x}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - name: x
      image: docker.io/library/nginx@$DIGEST
YML
push_as bob "$wc" origin team/elsewhere
expect_rejected "an image from a registry not listed: rejected"
expect_out "registries: named" "k8s/pod.yml:8"

# --- dependencies
topic npm
add package-lock.json <<'JSON'
{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0"},
    "node_modules/event-stream": {"version": "3.3.6", "resolved": "https://registry.npmjs.org/event-stream/-/event-stream-3.3.6.tgz"},
    "node_modules/left-pad": {"version": "1.3.0"}
  }
}
JSON
push_as bob "$wc" origin team/npm
expect_rejected "a denied npm package in package-lock.json: rejected"
expect_out "npm: package, version and the entry that denies it" "[policy.dependency.deny] package-lock.json:8" \
  "npm:event-stream@3.3.6 is denied by 'npm:event-stream@3.3.6'"

topic range
add package-lock.json <<'JSON'
{"name": "app", "lockfileVersion": 2, "packages": {"": {"name": "app"},
  "node_modules/ua-parser-js": {"version": "0.7.29"}}}
JSON
push_as bob "$wc" origin team/range
expect_rejected "a version inside a denied range: rejected"
sed -i 's/0.7.29/0.7.30/' "$wc/package-lock.json"; git -C "$wc" commit -q --amend -am "ua-parser-js 0.7.30"
push_as bob "$wc" origin team/range
expect_accepted "the fixed version, outside the range: accepted"

topic py
printf 'requests==2.31.0\nctx==0.1.2  # pulled from PyPI\n' | add requirements.txt
push_as bob "$wc" origin team/py
expect_rejected "pypi:ctx@* in requirements.txt: rejected"
expect_out "pypi: at its line" "[policy.dependency.deny] requirements.txt:2"

topic osv
add package-lock.json <<'JSON'
{"name": "app", "lockfileVersion": 3, "packages": {"": {"name": "app"},
  "node_modules/lodash": {"version": "4.17.20"}}}
JSON
push_as bob "$wc" origin team/osv
expect_rejected "a version an OSV advisory in the repo covers: rejected"
expect_out "osv: the advisory is named" "GHSA-test-lodash" "(policies.dependencies.osv)"

topic broken
printf '{"name": "app", "lockfileVersion": 3, "packages": {"node_modules/event-stream": {"version": "3.3.6"}\n' | add package-lock.json
push_as bob "$wc" origin team/broken
expect_rejected "a lock file that does not parse: rejected, not silently passed"
expect_out "unreadable lock file: says why" "[policy.dependency.unreadable] package-lock.json: does not parse"

# --- deployment refs
git -C "$wc" checkout -q main
push_as bob "$wc" origin "$base:refs/heads/deploy/prod"
expect_accepted "deploy ref: a commit already on main may be deployed"
topic hotfix
printf 'fix\n' | add hotfix.txt
push_as bob "$wc" origin team/hotfix:refs/heads/deploy/prod
expect_rejected "deploy ref: a commit on no protected branch is refused"
expect_out "deploy ref: says where it looked" "[policy.deploy_ref]" "is on no ref matching from: refs/heads/main (looked at: refs/heads/main)"
expect_ref "deploy ref: did not move" "$srv" refs/heads/deploy/prod "$base"

# --- external policy (stand-in)
topic forbidden
printf 'x\n' | add x.txt
git -C "$wc" branch -f team/forbidden HEAD
echo deny >"$MODE"
push_as bob "$wc" origin team/forbidden
expect_rejected "external: a deny message rejects"
expect_out "external: the policy's message is shown" "[policy.external] no pushes to refs/heads/team/forbidden (team rule 7)"
expect_eq "external: its input has the documented fields" \
  "$(jq -c '[.version, .pusher.login, .pusher.roles, .updates[0].ref, .updates[0].kind, (.updates[0].commits[0].paths), (.updates[0].commits[0].author.email), .matrix.version, (.files | type)]' "$MODE.input")" \
  '[1,"bob",["developers"],"refs/heads/team/forbidden","create",["x.txt"],"pol@example.com",1,"array"]'
echo allow >"$MODE"
push_as bob "$wc" origin team/forbidden
expect_accepted "external: an empty set allows"
git -C "$wc" branch -f team/forbidden2 HEAD
echo none >"$MODE"
push_as bob "$wc" origin team/forbidden2
expect_accepted "external: no result (undefined) allows"
for mode in garbage fail slow; do
  git -C "$wc" branch -f "team/ext-$mode" HEAD
  echo "$mode" >"$MODE"
  t0=$(date +%s)
  push_as bob "$wc" origin "team/ext-$mode"
  t1=$(date +%s)
  expect_rejected "external $mode: on_error reject fails closed"
  expect_out "external $mode: says what went wrong" "could not check it safely" "the external policy"
  [ "$mode" != fail ] || expect_out "external fail: its stderr is quoted, escaped" "it said: policy engine crashed"
  [ "$mode" != slow ] || expect_eq "external slow: killed at timeout_ms, not waited for" "$(( t1 - t0 < 8 ))" 1
done
echo allow >"$MODE"

# --- secrets off: the content policies still judge the files (they are checks of their own)
srv3=$(new_server policies-nosecrets)
wc3=$(new_clone "$srv3" pol3)
{
  sed '/^settings:/,$d' "$MATRIX_DIR/base.yml"
  printf 'secrets:\n  enabled: false\npolicies:\n  containers:\n    privileged: reject\nsettings:\n  on_error: reject\n'
} >"$TMP/nosecrets.yml"
put_matrix "$wc3" "$TMP/nosecrets.yml"
push_as erin "$wc3" origin main
expect_accepted "secrets off: bootstrap"
git -C "$wc3" checkout -q -b team/priv3
mkdir -p "$wc3/deploy"
cat >"$wc3/deploy/pod.yaml" <<'YML'
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: shell
      image: busybox
      securityContext:
        privileged: true
YML
echo 'AKIAIOSFODNN7EXAMPLQ' >"$wc3/key.txt"
git -C "$wc3" add deploy/pod.yaml key.txt
git -C "$wc3" commit -q -m "privileged pod"
push_as bob "$wc3" origin team/priv3
expect_rejected "secrets off: a privileged container is still rejected"
expect_out "secrets off: by the container policy" "[policy.container.privileged] deploy/pod.yaml:10"
expect_eq "secrets off: and no secret check ran" "$(grep -c '\[secret\.' <<<"$OUT")" 0

# --- real OPA with the shipped example policies, when installed
if command -v opa >/dev/null; then
  OUT=$(cd "$ROOT/matrix/examples/policies" && opa test . 2>&1); RC=$?
  expect_eq "opa: the example policies' own tests pass" "$RC" 0
else
  echo "# SKIP: opa is not installed; the example Rego policies were not run (https://www.openpolicyagent.org/docs/latest/#running-opa)"
fi

finish
