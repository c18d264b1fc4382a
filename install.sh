#!/usr/bin/env bash
# install.sh: install gatehouse's build dependencies, or its hooks into git repositories.
#
#   ./install.sh --deps                         install Debian build/test packages (apt, idempotent)
#   ./install.sh --repo PATH.git [--hook H]     install into one bare repository
#   ./install.sh --hooks-path DIR [--hook H]    install into a shared core.hooksPath directory
#   ./install.sh --gitea PATH.git | --gitea-root DIR | --gitlab PATH.git   server platforms
#   ./install.sh --local [CLONE]                pre-commit and pre-push in a working clone
#
# H is pre-receive (default), update, or both.  pre-receive or update alone
# also removes gatehouse's other hook, if installed (one judgement per push).
# An existing hook that is not gatehouse's is never replaced without --force
# (it is then kept as HOOK.pre-gatehouse), and never removed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin_dir=${GATEHOUSE_BIN:-$here/build}
hook_choice=pre-receive
force=0
mode=
target=

# Debian packages gatehouse needs to build and test (see the README's table).
DEPS=(build-essential pkg-config git libgit2-dev libyaml-dev libjansson-dev libssl-dev libpcre2-dev libvectorscan-dev libcriterion-dev
      openssh-server openssh-client valgrind procps jq clang libclang-rt-14-dev cppcheck clang-tidy gitolite3 nginx fcgiwrap openssl
      chromium python3 util-linux)

usage() {
  cat <<'USAGE'
usage: ./install.sh --deps
       ./install.sh --repo PATH.git [--hook pre-receive|update|both] [--force] [--bin DIR]
       ./install.sh --hooks-path DIR [--hook pre-receive|update|both] [--force] [--bin DIR]
       ./install.sh --gitea PATH.git [--hook ...] | --gitea-root DIR [--hook ...]
       ./install.sh --gitlab PATH.git [--hook ...]
       ./install.sh --local [CLONE] [--force]

  --deps             install the Debian packages needed to build and test gatehouse
                     (apt-get; only what is missing; needs root)
  --repo PATH.git    install the hook(s) into one bare repository's hooks/ directory
  --hooks-path DIR   install the hook(s) into DIR, for core.hooksPath (every repository
                     of the server); prints the git config command that activates it
  --gitea PATH.git   Gitea/Forgejo: into hooks/pre-receive.d/ (update.d/ with --hook update),
                     beside Gitea's own hooks, which its dispatcher runs in turn
  --gitea-root DIR   the same for every repository under a Gitea repository root (DIR/owner/repo.git)
  --gitlab PATH.git  GitLab: into custom_hooks/pre-receive.d/ (update.d/ with --hook update)
  --local [CLONE]    a developer's working clone (default: the current one): pre-commit (secret
                     scan of staged changes) and pre-push (the server's checks, before pushing);
                     respects core.hooksPath and chains existing hooks instead of replacing them
  --hook H           pre-receive (default), update (for servers whose pre-receive belongs
                     to something else, e.g. gitolite), or both; pre-receive or update
                     alone removes gatehouse's other hook (never one that is not gatehouse's)
  --force            replace an existing hook that is not gatehouse's (kept as
                     HOOK.pre-gatehouse)
  --bin DIR          where the built hooks are (default: build/ beside this script;
                     built with make when missing)
USAGE
}

die() { echo "install.sh: $*" >&2; exit 2; }

install_deps() {
  local missing=() p
  for p in "${DEPS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "install.sh: all dependencies are installed"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root: ./install.sh --deps"
  echo "install.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install.sh: dependencies installed"
}

hooks_wanted() {
  case "$hook_choice" in
    pre-receive) echo pre-receive ;;
    update) echo update ;;
    both) echo pre-receive update ;;
    *) die "--hook must be pre-receive, update or both (not '$hook_choice')" ;;
  esac
}

ensure_built() {
  local h
  for h in $(hooks_wanted); do
    if [ ! -x "$bin_dir/$h" ]; then
      [ "$bin_dir" = "$here/build" ] || die "no built hook at $bin_dir/$h"
      echo "install.sh: building gatehouse first (make)"
      make -C "$here" -s all >/dev/null
      break
    fi
  done
}

# install_hook SRC DEST: copy atomically, refusing to clobber a foreign hook.
install_hook() {
  local src=$1 dest=$2 name tmp
  name=$(basename "$dest")
  if [ -e "$dest" ] || [ -L "$dest" ]; then
    if grep -q "gatehouse-hook: $name" "$dest" 2>/dev/null; then
      : # ours: replace it
    elif [ "$force" -eq 1 ]; then
      mv -f "$dest" "$dest.pre-gatehouse"
      echo "install.sh: kept the previous $name as $dest.pre-gatehouse"
    else
      echo "install.sh: refusing to replace $dest: it is not a gatehouse hook." >&2
      echo "install.sh: rerun with --force to replace it (the old one is kept as $name.pre-gatehouse)," >&2
      echo "install.sh: or use --hook update / a pre-receive.d directory if your server chains hooks." >&2
      exit 2
    fi
  fi
  tmp=$(mktemp "$(dirname "$dest")/.gatehouse.XXXXXX")
  cp "$src" "$tmp"
  chmod 0755 "$tmp"
  mv -f "$tmp" "$dest"
  echo "install.sh: installed $dest"
}

# The hook --hook H replaces: update and pre-receive judge the same pushes, so
# installing one removes gatehouse's other (never a hook that is not gatehouse's);
# both keeps both.
other_hook() {
  case "$hook_choice" in
    pre-receive) echo update ;;
    update) echo pre-receive ;;
    *) ;;
  esac
}

# drop_other_hook DEST: remove DEST when it is gatehouse's hook of the other kind.
drop_other_hook() {
  local dest=$1 name
  name=$(basename "$dest")
  case "$name" in gatehouse) name=$(basename "$(dirname "$dest")" .d) ;; esac
  [ -e "$dest" ] || [ -L "$dest" ] || return 0
  if grep -q "gatehouse-hook: $name" "$dest" 2>/dev/null; then
    rm -f "$dest"
    echo "install.sh: removed gatehouse's $name ($dest): --hook $hook_choice replaces it, so each push is judged and audited once"
  else
    echo "install.sh: note: $dest is not gatehouse's; left in place"
  fi
}

describe_trust() {
  local repo=$1 head trusted path
  trusted=$(git --git-dir="$repo" config --get gatehouse.trustedRef || true)
  path=$(git --git-dir="$repo" config --get gatehouse.matrixPath || echo matrix/responsibility.yml)
  if [ -n "$(git --git-dir="$repo" config --get gatehouse.matrixFile || true)" ]; then
    echo "install.sh: matrix: the file named by gatehouse.matrixFile"
    return
  fi
  if [ -z "$trusted" ]; then
    head=$(git --git-dir="$repo" symbolic-ref -q HEAD || true)
    trusted=$head
  fi
  case "$trusted" in refs/*) ;; ?*) trusted=refs/heads/$trusted ;; esac
  if [ -z "$trusted" ]; then
    echo "install.sh: warning: HEAD is detached; set gatehouse.trustedRef" >&2
  elif ! git --git-dir="$repo" rev-parse -q --verify "$trusted^{commit}" >/dev/null; then
    echo "install.sh: trusted ref $trusted does not exist yet: the push that creates it must carry $path"
  elif git --git-dir="$repo" cat-file -e "$trusted:$path" 2>/dev/null; then
    echo "install.sh: matrix: $trusted:$path"
  else
    echo "install.sh: warning: $trusted has no $path yet: only $trusted is guarded until a push adds a valid matrix"
  fi
}

install_repo() {
  local repo=$1 h
  require_bare "$repo"
  ensure_built
  mkdir -p "$repo/hooks"
  for h in $(hooks_wanted); do
    install_hook "$bin_dir/$h" "$repo/hooks/$h"
  done
  for h in $(other_hook); do drop_other_hook "$repo/hooks/$h"; done
  enable_push_options "$repo"
  describe_trust "$repo"
}

# Break-glass overrides travel as push options (git push -o ...), which git
# only accepts when the server advertises them.
enable_push_options() {
  git --git-dir="$1" config receive.advertisePushOptions true
  echo "install.sh: set receive.advertisePushOptions=true in $1 (for git push -o gatehouse.override=...)"
}

install_hooks_path() {
  local dir=$1 h
  ensure_built
  mkdir -p "$dir"
  for h in $(hooks_wanted); do
    install_hook "$bin_dir/$h" "$dir/$h"
  done
  for h in $(other_hook); do drop_other_hook "$dir/$h"; done
  dir=$(cd "$dir" && pwd)
  echo "install.sh: activate it for every repository of this server with:"
  echo "    git config --system core.hooksPath $dir"
  echo "    git config --system receive.advertisePushOptions true   # for break-glass overrides"
}

require_bare() {
  local repo=$1
  [ -d "$repo" ] || die "$repo is not a directory"
  if [ "$(git --git-dir="$repo" rev-parse --is-bare-repository 2>/dev/null)" != "true" ]; then
    die "$repo is not a bare git repository (gatehouse guards server-side repos; for a working clone use --local)"
  fi
}

# install_dotd REPO DIR-UNDER-REPO: hooks run by a platform's dispatcher (NAME.d/).
install_dotd() {
  local repo=$1 base=$2 h
  require_bare "$repo"
  ensure_built
  for h in $(hooks_wanted); do
    mkdir -p "$repo/$base/$h.d"
    install_hook "$bin_dir/$h" "$repo/$base/$h.d/gatehouse"
  done
  for h in $(other_hook); do drop_other_hook "$repo/$base/$h.d/gatehouse"; done
  enable_push_options "$repo"
  describe_trust "$repo"
}

install_gitea() {
  local repo=$1
  install_dotd "$repo" hooks
  [ -e "$repo/hooks/pre-receive" ] || echo "install.sh: note: $repo/hooks/pre-receive (Gitea's dispatcher) is missing; Gitea writes it when it adopts the repository"
}

install_gitea_root() {
  local root=$1 repo n=0
  [ -d "$root" ] || die "$root is not a directory"
  for repo in "$root"/*/*.git; do
    [ -d "$repo" ] || continue
    install_gitea "$repo"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || die "no repositories (OWNER/NAME.git) under $root"
  echo "install.sh: installed into $n repositories under $root"
}

# A developer's clone: pre-commit and pre-push, chained after existing hooks.
install_local() {
  local clone=${1:-.} dir h existing
  git -C "$clone" rev-parse --git-dir >/dev/null 2>&1 || die "$clone is not a git working clone"
  [ "$(git -C "$clone" rev-parse --is-bare-repository)" = false ] || die "$clone is bare: use --repo"
  ensure_built_local
  dir=$(cd "$clone" && git rev-parse --path-format=absolute --git-path hooks)
  mkdir -p "$dir"
  for h in pre-commit pre-push; do
    existing=$dir/$h
    if [ -e "$existing" ] && ! grep -q "gatehouse-hook: $h" "$existing" 2>/dev/null; then
      # chain: the existing hook runs first, unchanged, then gatehouse's
      mv -f "$existing" "$dir/$h.pre-gatehouse"
      cp "$bin_dir/$h" "$dir/gatehouse-$h" && chmod 0755 "$dir/gatehouse-$h"
      if [ "$h" = pre-push ]; then
        cat >"$existing" <<CHAIN
#!/bin/sh
# gatehouse-hook: $h (chains the hook that was here before, kept as $h.pre-gatehouse)
input=\$(cat)
printf '%s\n' "\$input" | "\$(dirname "\$0")/$h.pre-gatehouse" "\$@" || exit \$?
printf '%s\n' "\$input" | exec "\$(dirname "\$0")/gatehouse-$h" "\$@"
CHAIN
      else
        cat >"$existing" <<CHAIN
#!/bin/sh
# gatehouse-hook: $h (chains the hook that was here before, kept as $h.pre-gatehouse)
"\$(dirname "\$0")/$h.pre-gatehouse" "\$@" || exit \$?
exec "\$(dirname "\$0")/gatehouse-$h" "\$@"
CHAIN
      fi
      chmod 0755 "$existing"
      echo "install.sh: chained $existing: the previous hook runs first ($h.pre-gatehouse)"
    else
      install_hook "$bin_dir/$h" "$existing"
    fi
  done
  echo "install.sh: hooks in $dir (git commit/push --no-verify skips them; the server still checks)"
}

ensure_built_local() {
  local h
  for h in pre-commit pre-push; do
    if [ ! -x "$bin_dir/$h" ]; then
      [ "$bin_dir" = "$here/build" ] || die "no built hook at $bin_dir/$h"
      make -C "$here" -s all >/dev/null
      break
    fi
  done
}

[ $# -gt 0 ] || { usage >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --deps) mode=deps ;;
    --repo) mode=repo; target=${2:-}; [ -n "$target" ] || die "--repo needs a path"; shift ;;
    --hooks-path) mode=hooks-path; target=${2:-}; [ -n "$target" ] || die "--hooks-path needs a directory"; shift ;;
    --gitea) mode=gitea; target=${2:-}; [ -n "$target" ] || die "--gitea needs a repository"; shift ;;
    --gitea-root) mode=gitea-root; target=${2:-}; [ -n "$target" ] || die "--gitea-root needs a directory"; shift ;;
    --gitlab) mode=gitlab; target=${2:-}; [ -n "$target" ] || die "--gitlab needs a repository"; shift ;;
    --local) mode=local; if [ -n "${2:-}" ] && [ "${2#-}" = "$2" ]; then target=$2; shift; fi ;;
    --hook) hook_choice=${2:-}; shift ;;
    --force) force=1 ;;
    --bin) bin_dir=${2:-}; [ -n "$bin_dir" ] || die "--bin needs a directory"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
  shift
done
hooks_wanted >/dev/null

case "$mode" in
  deps) install_deps ;;
  repo) install_repo "$target" ;;
  hooks-path) install_hooks_path "$target" ;;
  gitea) install_gitea "$target" ;;
  gitea-root) install_gitea_root "$target" ;;
  gitlab) install_dotd "$target" custom_hooks ;;
  local) install_local "$target" ;;
  *) usage >&2; exit 2 ;;
esac
