/*
 * update: git runs it once per ref, as `update REF OLD NEW`, after the
 * pushed objects left quarantine but before that ref moves.  A non-zero exit
 * rejects this ref only.  All logic lives in libgatehouse.
 */
#include <stdio.h>

#include "gatehouse/gatehouse.h"

/* Lets install.sh recognise a gatehouse hook it may replace. */
const char gate_hook_marker[] = "gatehouse-hook: update";

int main(int argc, char **argv)
{
	gate_run_opts opts = GATE_RUN_OPTS_INIT;
	gate_sink err = gate_sink_file(stderr);

	if (argc != 4) {
		fprintf(stderr, "gatehouse update: usage: update REF OLD NEW (as git calls it)\n");
		return GATE_EXIT_REJECTED;
	}
	opts.hook = "update";
	opts.out = &err;
	return gate_run_update(argv[1], argv[2], argv[3], &opts);
}
