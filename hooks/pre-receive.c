/*
 * pre-receive: git runs it once per push, with "OLD NEW REF" lines on stdin,
 * before any ref moves and while the pushed objects are quarantined.  A
 * non-zero exit rejects the whole push.  All logic lives in libgatehouse.
 */
#include <stdio.h>

#include "gatehouse/gatehouse.h"

/* Lets install.sh recognise a gatehouse hook it may replace. */
const char gate_hook_marker[] = "gatehouse-hook: pre-receive";

int main(int argc, char **argv)
{
	gate_run_opts opts = GATE_RUN_OPTS_INIT;
	gate_sink err = gate_sink_file(stderr);

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "gatehouse pre-receive: takes no arguments (git feeds it on stdin)\n");
		return GATE_EXIT_REJECTED;
	}
	opts.hook = "pre-receive";
	opts.out = &err;
	return gate_run_pre_receive(stdin, &opts);
}
