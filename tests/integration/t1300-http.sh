#!/usr/bin/env bash
# Pushes over smart http: a bare repository served by `git http-backend`
# through fcgiwrap behind a real nginx on 127.0.0.1, with basic auth from an
# htpasswd file, so the pusher's identity is the web server's REMOTE_USER.
#
# The web server is the authority on who is pushing: it authenticates, and
# git http-backend hands REMOTE_USER to receive-pack and so to the hook.
# Here nginx and fcgiwrap run as root (the test creates its files as root);
# on a real server they run as www-data, which must own the repositories.
. "$(dirname "$0")/lib.sh"

BACKEND=$(git --exec-path)/git-http-backend
missing=()
for b in nginx fcgiwrap openssl; do
  command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || missing+=("$b")
done
[ -x "$BACKEND" ] || missing+=(git-http-backend)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${CI:-}" = true ]; then
    not_ok "http test tools are installed (.ci/run installs nginx, fcgiwrap, openssl)" "missing: ${missing[*]}"
    finish
  fi
  echo "# SKIP: missing ${missing[*]} (apt-get install nginx fcgiwrap openssl); http tests not run"
  finish
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
FCGIWRAP=$(command -v fcgiwrap || echo /usr/sbin/fcgiwrap)
if [ "$(id -u)" -ne 0 ]; then
  # nginx here runs its workers and fcgiwrap's CGI as root, like the files it serves
  echo "# SKIP: needs root to run nginx and fcgiwrap as the repositories' owner"
  finish
fi
export GIT_TERMINAL_PROMPT=0 # an unauthenticated push must fail, not ask
unset GIT_ASKPASS SSH_ASKPASS

# ---- the repository --------------------------------------------------------
srv=$(new_server www/project) || { not_ok "install.sh --repo on the served repository"; finish; }
git --git-dir="$srv" config http.receivepack true
ok "gatehouse installed into $srv by install.sh --repo"

# ---- fcgiwrap and nginx -----------------------------------------------------
H=$TMP/http
mkdir -p "$H/logs" "$H/tmp"
for u in alice bob erin; do printf '%s:%s\n' "$u" "$(openssl passwd -apr1 "$u-pw")"; done >"$H/htpasswd"

FCGI_PID= NGINX_PID=
stop_servers() {
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; fi
  if [ -n "$FCGI_PID" ]; then
    pkill -TERM -P "$FCGI_PID" 2>/dev/null # a CGI still running, by parent id
    kill "$FCGI_PID" 2>/dev/null; wait "$FCGI_PID" 2>/dev/null
  fi
}
on_exit stop_servers

"$FCGIWRAP" -s "unix:$H/fcgiwrap.sock" 2>>"$H/logs/fcgiwrap.log" &
FCGI_PID=$!
for i in $(seq 1 50); do [ -S "$H/fcgiwrap.sock" ] && break; sleep 0.1; done
if [ -S "$H/fcgiwrap.sock" ] && kill -0 "$FCGI_PID" 2>/dev/null; then ok "fcgiwrap listens on $H/fcgiwrap.sock"
else not_ok "fcgiwrap listens on a unix socket" "$(cat "$H/logs/fcgiwrap.log")"; finish; fi

start_nginx() {
  local try port
  for try in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    cat >"$H/nginx.conf" <<CONF
daemon off;
user root;
worker_processes 1;
pid $H/nginx.pid;
error_log $H/logs/error.log;
events { worker_connections 64; }
http {
  access_log $H/logs/access.log combined;
  client_body_temp_path $H/tmp/body;
  fastcgi_temp_path $H/tmp/fastcgi;
  proxy_temp_path $H/tmp/proxy;
  uwsgi_temp_path $H/tmp/uwsgi;
  scgi_temp_path $H/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    server_name localhost;
    client_max_body_size 0;
    location / {
      auth_basic "gatehouse test";
      auth_basic_user_file $H/htpasswd;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $BACKEND;
      fastcgi_param GIT_PROJECT_ROOT $TMP/www;
      fastcgi_param GIT_HTTP_EXPORT_ALL 1;
      fastcgi_param PATH_INFO \$uri;
      fastcgi_param REMOTE_USER \$remote_user;
      fastcgi_pass unix:$H/fcgiwrap.sock;
    }
  }
}
CONF
    timeout 5 "$NGINX" -t -q -p "$H" -e "$H/logs/error.log" -c "$H/nginx.conf" >>"$H/logs/nginx.log" 2>&1 || return 1
    "$NGINX" -p "$H" -e "$H/logs/error.log" -c "$H/nginx.conf" >>"$H/logs/nginx.log" 2>&1 &
    NGINX_PID=$!
    if listening "$NGINX_PID" "$port"; then HTTP_PORT=$port; return 0; fi
    NGINX_PID=
  done
  return 1
}
if ! start_nginx; then not_ok "nginx starts on 127.0.0.1" "$(cat "$H/logs/nginx.log" "$H/logs/error.log" 2>/dev/null)"; finish; fi
ok "nginx listens on 127.0.0.1:$HTTP_PORT"

BASE=127.0.0.1:$HTTP_PORT/project.git
# url USER: the repository's URL with USER's password ("" for none).
url() { if [ -n "$1" ]; then echo "http://$1:$1-pw@$BASE"; else echo "http://$BASE"; fi; }
# http_push USER CLONE ARGS...: push to url USER; sets OUT and RC.
http_push() {
  local user=$1 wc=$2; shift 2
  OUT=$(cd "$wc" && timeout 60 git -c http.lowSpeedLimit=1 -c http.lowSpeedTime=30 push "$(url "$user")" "$@" 2>&1)
  RC=$?
}
# mark; then logged STATUS METHOD PATH-PREFIX [USER]: how many access-log
# lines since the mark match (git asks without credentials first, and sends
# them after the 401).
mark() { MARK=$(wc -l <"$H/logs/access.log"); }
logged() {
  tail -n "+$((MARK + 1))" "$H/logs/access.log" | awk -v st="$1" -v m="\"$2" -v p="$3" -v u="${4:-}" \
    '($9 == st || st == "*") && ($6 == m || m == "\"*") && index($7, p) == 1 && (u == "" || $3 == u)' | wc -l
}
MARK=0

OUT=$(cd "$TMP" && timeout 60 git clone -q "$(url erin)" wc 2>&1); RC=$?
expect_eq "erin clones the (empty) repository over http" "$RC" 0
wc=$TMP/wc
git -C "$wc" config user.name erin
git -C "$wc" config user.email erin@example.com

# --- erin (release) creates main with the matrix
put_matrix "$wc" base.yml
first=$(git -C "$wc" rev-parse HEAD)
mark
http_push erin "$wc" HEAD:refs/heads/main
expect_accepted "http: erin creates main with base.yml"
expect_ref "http: main created" "$srv" refs/heads/main "$first"
expect_eq "http: the web server authenticated erin's push" "$(logged 200 POST /project.git/git-receive-pack erin)" 1
rec=$(last_audit "$srv")
expect_eq "http: audit names erin, from REMOTE_USER" "$(json_get "$rec" '.pusher + " " + .verdict + " " + (.matrix.bootstrap|tostring)')" \
  "erin accepted true"

# --- bob (developers) may not push to main
commit_file "$wc" src/a.c "int a;"
second=$(git -C "$wc" rev-parse HEAD)
http_push bob "$wc" HEAD:refs/heads/main
expect_rejected "http: bob may not push to main"
if grep -q '^remote: .*\[ref\.push\] bob (roles: developers) wants to push to refs/heads/main' <<<"$OUT"; then
  ok "http: bob sees gatehouse's reason in remote: lines"
else not_ok "http: bob sees gatehouse's reason in remote: lines" "$OUT"; fi
expect_out "http: ...with what is needed and the fix" "needs: push needs role release (erin)" "fix:   ask a member of release (erin)"
expect_ref "http: main did not move" "$srv" refs/heads/main "$first"
rec=$(last_audit "$srv")
expect_eq "http: audit names bob, from REMOTE_USER" "$(json_get "$rec" '.pusher + " " + .verdict')" "bob rejected"

# --- erin may
http_push erin "$wc" HEAD:refs/heads/main
expect_accepted "http: erin pushes to main"
expect_ref "http: main moved" "$srv" refs/heads/main "$second"

# --- bob may push a team branch
http_push bob "$wc" HEAD:refs/heads/team/http
expect_accepted "http: bob may push a team branch"
expect_ref "http: team branch created" "$srv" refs/heads/team/http "$second"

# --- no credentials: the web server refuses before git runs
commit_file "$wc" src/b.c "int b;"
n_audit=$(wc -l <"$srv/gatehouse/audit.jsonl")
mark
http_push "" "$wc" HEAD:refs/heads/main
if [ "$RC" -ne 0 ] && ! grep -q "hook declined" <<<"$OUT"; then ok "http: an unauthenticated push fails"
else not_ok "http: an unauthenticated push fails (and not in the hook)" "rc=$RC" "$OUT"; fi
expect_eq "http: ...with 401 from nginx, and nothing else" \
  "$(logged 401 GET "/project.git/info/refs?service=git-receive-pack") $(logged '*' '*' /)" "1 1"
expect_ref "http: main did not move" "$srv" refs/heads/main "$second"
expect_eq "http: ...and gatehouse never ran" "$(wc -l <"$srv/gatehouse/audit.jsonl")" "$n_audit"

# --- a wrong password: the same
mark
OUT=$(cd "$wc" && timeout 60 git push "http://erin:wrong@$BASE" HEAD:refs/heads/main 2>&1); RC=$?
if [ "$RC" -ne 0 ] && grep -q "Authentication failed" <<<"$OUT"; then ok "http: a wrong password is refused"
else not_ok "http: a wrong password is refused" "rc=$RC" "$OUT"; fi
expect_eq "http: ...with 401 for erin's name, and nothing else" \
  "$(logged 401 GET "/project.git/info/refs?service=git-receive-pack" erin) $(logged 200 '*' /)" "1 0"
expect_ref "http: main did not move" "$srv" refs/heads/main "$second"

finish
