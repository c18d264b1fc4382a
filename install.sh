#!/usr/bin/env bash
# install.sh: install gatehouse's build dependencies, or its hooks into git repositories.
#
#   ./install.sh --deps                         install Debian build/test packages (apt, idempotent)
#   ./install.sh --repo PATH.git [--hook H]     install into one bare repository
#   ./install.sh --hooks-path DIR [--hook H]    install into a shared core.hooksPath directory
#
# H is pre-receive (default), update, or both.  An existing hook that is not
# gatehouse's is never replaced without --force (it is then kept as
# HOOK.pre-gatehouse).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin_dir=${GATEHOUSE_BIN:-$here/build}
hook_choice=pre-receive
force=0
mode=
target=

# Debian packages gatehouse needs to build and test (see the README's table).
DEPS=(build-essential pkg-config git libgit2-dev libyaml-dev libjansson-dev libssl-dev libpcre2-dev libvectorscan-dev libcriterion-dev
      openssh-server openssh-client valgrind procps jq)

usage() {
  cat <<'USAGE'
usage: ./install.sh --deps
       ./install.sh --repo PATH.git [--hook pre-receive|update|both] [--force] [--bin DIR]
       ./install.sh --hooks-path DIR [--hook pre-receive|update|both] [--force] [--bin DIR]

  --deps             install the Debian packages needed to build and test gatehouse
                     (apt-get; only what is missing; needs root)
  --repo PATH.git    install the hook(s) into one bare repository's hooks/ directory
  --hooks-path DIR   install the hook(s) into DIR, for core.hooksPath (every repository
                     of the server); prints the git config command that activates it
  --hook H           pre-receive (default), update (for servers whose pre-receive belongs
                     to something else, e.g. gitolite), or both
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
  [ -d "$repo" ] || die "$repo is not a directory"
  if [ "$(git --git-dir="$repo" rev-parse --is-bare-repository 2>/dev/null)" != "true" ]; then
    die "$repo is not a bare git repository (gatehouse guards server-side repos; for a working clone see the README)"
  fi
  ensure_built
  mkdir -p "$repo/hooks"
  for h in $(hooks_wanted); do
    install_hook "$bin_dir/$h" "$repo/hooks/$h"
  done
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
  dir=$(cd "$dir" && pwd)
  echo "install.sh: activate it for every repository of this server with:"
  echo "    git config --system core.hooksPath $dir"
  echo "    git config --system receive.advertisePushOptions true   # for break-glass overrides"
}

[ $# -gt 0 ] || { usage >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --deps) mode=deps ;;
    --repo) mode=repo; target=${2:-}; [ -n "$target" ] || die "--repo needs a path"; shift ;;
    --hooks-path) mode=hooks-path; target=${2:-}; [ -n "$target" ] || die "--hooks-path needs a directory"; shift ;;
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
  *) usage >&2; exit 2 ;;
esac
