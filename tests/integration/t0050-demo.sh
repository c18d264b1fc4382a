#!/usr/bin/env bash
# make demo is the README's first command: it must keep working, and every
# step of it must behave as it says (the script checks each verdict).
. "$(dirname "$0")/lib.sh"
OUT=$(GATEHOUSE_BIN=$GATEHOUSE_BIN bash "$ROOT/scripts/demo.sh" 2>&1); RC=$?
expect_eq "demo: runs end to end" "$RC" 0
expect_out "demo: every step behaved as expected" "every step behaved as expected"
expect_no_out "demo: no step surprised it" "!! expected"
finish
