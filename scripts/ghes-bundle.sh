#!/usr/bin/env bash
# make ghes-bundle: a self-contained pre-receive hook environment for GitHub
# Enterprise Server (a chroot tarball): the gatehouse hooks and CLI, every
# shared library they load (as ldd lists them), the dynamic loader, and a
# /bin/sh for the hook script GHES runs.  Usage: ghes-bundle.sh BIN_DIR OUT.tar.gz
set -euo pipefail
bin=${1:?build directory}
out=${2:?output tarball}
stage=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-ghes.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/usr/local/bin" "$stage/bin" "$stage/tmp" "$stage/etc"
for f in pre-receive update; do
  install -m 0755 "$bin/$f" "$stage/usr/local/bin/gatehouse-$f"
done
install -m 0755 "$bin/gatehouse" "$stage/usr/local/bin/gatehouse"
# a shell for GHES's hook script
install -m 0755 "$(readlink -f /bin/sh)" "$stage/bin/sh"

copy_libs() {
  ldd "$1" | awk '/=> \//{print $3} /^[[:space:]]*\/[^ ]*ld-linux/{print $1}' | while read -r lib; do
    [ -e "$stage$lib" ] && continue
    mkdir -p "$stage$(dirname "$lib")"
    cp -L "$lib" "$stage$lib"
  done
}
for f in "$stage"/usr/local/bin/* "$stage/bin/sh"; do copy_libs "$f"; done
# the loader under the path the binaries name
loader=$(readelf -l "$bin/pre-receive" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
mkdir -p "$stage$(dirname "$loader")"
cp -L "$loader" "$stage$loader"
printf 'root:x:0:0:root:/:/bin/sh\ngit:x:500:500:git:/:/bin/sh\n' >"$stage/etc/passwd"
chmod 1777 "$stage/tmp"
tar -C "$stage" -czf "$out" .
echo "ghes-bundle: $out ($(du -h "$out" | cut -f1)); hook binary: /usr/local/bin/gatehouse-pre-receive"
