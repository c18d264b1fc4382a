#!/usr/bin/env bash
# valgrind memcheck on the installed hooks for an accepted and a rejected
# push: no leak, no invalid access.  Skipped under the sanitizer build
# (ASan and valgrind cannot run together; ASan's leak checker covers it there).
. "$(dirname "$0")/lib.sh"

if [ "${GATEHOUSE_SAN:-0}" = 1 ]; then echo "# SKIP: sanitizer build (LeakSanitizer checks leaks there)"; finish; fi
if ! command -v valgrind >/dev/null; then
  if [ "${CI:-}" = true ]; then not_ok "valgrind is installed"; finish; fi
  echo "# SKIP: valgrind not installed"; finish
fi

for hook in pre-receive update; do
  srv=$(new_server "vg-$hook" --hook "$hook")
  wc=$(new_clone "$srv" "vg-$hook")
  put_matrix "$wc" base.yml
  vg_wrap "$srv" "$hook" "$TMP/vg"
  push_as erin "$wc" origin main
  expect_accepted "valgrind[$hook]: accepted push runs clean"
  commit_file "$wc" v.txt v
  push_as bob "$wc" origin main
  expect_rejected "valgrind[$hook]: rejected push runs clean"
  expect_out "valgrind[$hook]: rejected for the matrix's reason, not valgrind's" "[ref.push] bob"
  errs=$(cat "$TMP"/vg/*."$hook".*.log 2>/dev/null)
  if [ -z "$errs" ]; then ok "valgrind[$hook]: no leak or memory error reported"
  else not_ok "valgrind[$hook]: no leak or memory error reported" "$errs"; fi
done

finish
