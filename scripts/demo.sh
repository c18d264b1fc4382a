#!/usr/bin/env bash
# make demo: a throwaway git server guarded by gatehouse, and a few pushes by
# different people, each shown as the pusher sees it.  Cleans up after itself.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${GATEHOUSE_BIN:-$ROOT/build}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-demo.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

export HOME=$TMP/home GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name "Demo"
git config --global user.email demo@example.com
git config --global init.defaultBranch main
git config --global advice.detachedHead false
unset GITEA_PUSHER_NAME GL_USERNAME GL_USER GITHUB_USER_LOGIN REMOTE_USER GL_ID

bold= off=
if [ -t 1 ]; then bold=$(tput bold 2>/dev/null || true); off=$(tput sgr0 2>/dev/null || true); fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
# push accepted|rejected USER ARGS...: show the command and what the pusher sees,
# and fail the demo if gatehouse decided otherwise than the step expects.
unexpected=0
push() {
  local want=$1 user=$2 got; shift 2
  printf '%s$ GATEHOUSE_USER=%s git push %s%s\n' "$bold" "$user" "$*" "$off"
  (cd "$TMP/work" && GATEHOUSE_USER=$user git push "$@" 2>&1) | sed 's/^/  /'
  if [ "${PIPESTATUS[0]}" -eq 0 ]; then got=accepted; else got=rejected; fi
  echo "  -> $got"
  if [ "$got" != "$want" ]; then echo "  !! expected $want"; unexpected=$((unexpected + 1)); fi
}

step "A bare server repository, with gatehouse's pre-receive hook installed by install.sh"
git init -q --bare "$TMP/server.git"
"$ROOT/install.sh" --bin "$BIN" --repo "$TMP/server.git" | sed 's/^/  /'
git clone -q "$TMP/server.git" "$TMP/work" 2>/dev/null
cd "$TMP/work" || exit 1

step "The responsibility matrix (matrix/examples/annotated.yml): who may do what"
mkdir -p matrix
cp "$ROOT/matrix/examples/annotated.yml" matrix/responsibility.yml
sed -n '/^roles:/,/^$/p;/^refs:/,/^# Path owners/p' matrix/responsibility.yml | grep -v '^ *#' | sed 's/^/  /'
git add matrix && git commit -q -m "Add the responsibility matrix"

step "1. erin (release) creates main; the first push is judged by the matrix it brings"
push accepted erin origin main

step "2. bob (a developer) pushes straight to main"
echo 'int main(void) { return 0; }' >main.c && git add main.c && git commit -q -m "Add main.c"
push rejected bob origin main

step "3. bob pushes the same commit to a feature branch instead: no rule, no restriction"
push accepted bob origin HEAD:refs/heads/feature/main-c

step "4. erin (release) pushes it to main: main asks for a review and scan results"
push rejected erin origin main
echo "  (the commit carries no Reviewed-by and no Scan-SAST / Scan-Deps trailers)"

step "5. the evidence is added to the commit, and the same push is accepted"
printf '%s$ git commit --amend --trailer "Reviewed-by: Carol <carol@example.com>" --trailer "Scan-SAST: pass" --trailer "Scan-Deps: pass"%s\n' "$bold" "$off"
git commit -q --amend --no-edit --trailer "Reviewed-by: Carol <carol@example.com>" \
  --trailer "Scan-SAST: pass" --trailer "Scan-Deps: pass"
push accepted erin origin main

step "6. erin rewrites history on main and force-pushes"
git commit -q --amend -m "Add main.c (reworded)" --trailer "Reviewed-by: Carol <carol@example.com>" \
  --trailer "Scan-SAST: pass" --trailer "Scan-Deps: pass"
push rejected erin --force origin main
git reset -q --hard origin/main

step "7. erin tags a release: tags need a deployment approval from operations"
git tag v1.0
push rejected erin origin v1.0
git tag -f -a -m "v1.0" -m "Approved-by: Dave <dave@example.com>" v1.0 >/dev/null
push accepted erin origin v1.0
push rejected bob --delete origin v1.0

step "8. bob edits the matrix to make himself release, and pushes it in the same push"
sed -i 's/^  release: \[\(.*\)\]/  release: [\1, bob]/' matrix/responsibility.yml
git commit -q -am "Make bob a release manager"
push rejected bob origin main
echo "  (judged by the matrix as it stood before the push: the change cannot grant itself rights)"
git reset -q --hard origin/main

step "9. bob leaks a cloud key on a feature branch: secrets are stopped on every ref"
git checkout -q -b feature/deploy-script
printf '#!/bin/sh\nexport AWS_ACCESS_KEY_ID=AKIAZ7QRST2345ABCDEF\naws s3 sync build/ s3://demo-bucket\n' >deploy.sh
git add deploy.sh && git commit -q -m "Add deploy script"
echo 'echo done' >>deploy.sh && git commit -q -am "Say when done"
push rejected bob origin feature/deploy-script
echo "  (the key is in the older of the two commits: removing it from the tip is not enough)"
printf '%s$ git rebase -i (edit the commit that added the key, read it from the environment instead)%s\n' "$bold" "$off"
git reset -q --hard HEAD~2
printf '#!/bin/sh\n: "${AWS_ACCESS_KEY_ID:?set it in the environment}"\naws s3 sync build/ s3://demo-bucket\necho done\n' >deploy.sh
git add deploy.sh && git commit -q -m "Add deploy script"
push accepted bob origin feature/deploy-script
git checkout -q main

step "10. bob adds a debug pod that runs privileged on the host network: policies.containers"
git checkout -q -b feature/debug-pod
mkdir -p k8s
cat >k8s/debug-pod.yaml <<'YML'
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  hostNetwork: true
  containers:
    - name: shell
      image: busybox:1.36
      securityContext:
        privileged: true
YML
git add k8s && git commit -q -m "Add a debug pod"
push rejected bob origin feature/debug-pod
git checkout -q main

step "11. bob adds a dependency version known to be malicious: policies.dependencies"
git checkout -q -b feature/stream-utils
cat >package-lock.json <<'JSON'
{
  "name": "demo",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "demo"},
    "node_modules/event-stream": {"version": "3.3.6"}
  }
}
JSON
git add package-lock.json && git commit -q -m "Use event-stream"
push rejected bob origin feature/stream-utils
git checkout -q main

step "12. a drill: the shared incident exercise, role by role, against this server's matrix"
printf '%s$ gatehouse drill leaked-secret --repo %s%s\n' "$bold" "$TMP/server.git" "$off"
"$BIN/gatehouse" drill leaked-secret --repo "$TMP/server.git" | sed 's/^/  /'
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "  !! expected the control to hold"; unexpected=$((unexpected + 1)); }

step "13. an unknown pusher"
push rejected mallory origin HEAD:refs/heads/release/1.x

step "14. gatehouse check and explain: the same decisions as a dry run, without pushing"
echo 'x' >x.txt && git add x.txt && git commit -q -m x
printf '%s$ gatehouse check --user bob refs/heads/main origin/main HEAD%s\n' "$bold" "$off"
"$BIN/gatehouse" check --user bob refs/heads/main origin/main HEAD | sed 's/^/  /'
printf '%s$ gatehouse explain --user bob refs/heads/main%s\n' "$bold" "$off"
"$BIN/gatehouse" explain --user bob refs/heads/main | sed 's/^/  /'

step "The audit log ($TMP/server.git/gatehouse/audit.jsonl), one JSON record per decision"
if command -v jq >/dev/null; then
  jq -r '[.time, .pusher, .ref, .kind, .verdict, ([.reasons[].id] | unique | join(","))] | @tsv' \
    "$TMP/server.git/gatehouse/audit.jsonl" | column -t -s $'\t' | sed 's/^/  /'
  echo "  last record in full:"
  tail -n 1 "$TMP/server.git/gatehouse/audit.jsonl" | jq . | sed 's/^/    /'
else
  sed 's/^/  /' "$TMP/server.git/gatehouse/audit.jsonl"
fi
if [ "$unexpected" -ne 0 ]; then
  echo "demo: $unexpected step(s) did not behave as expected" >&2
  exit 1
fi
step "Done; every step behaved as expected; the throwaway server is removed."
