/*
 * pre-push, on a developer's machine: git runs it as `pre-push REMOTE URL`
 * with "LOCAL_REF LOCAL_SHA REMOTE_REF REMOTE_SHA" lines on stdin before it
 * sends anything.  It judges those updates (permissions and evidence) with
 * the matrix of the remote's trusted branch as this clone knows it, so the
 * developer learns before the server says no.  Non-zero stops the push.
 */
#include <stdio.h>
#include <stdlib.h>

#include "gatehouse/gatehouse.h"

/* Lets install.sh recognise a gatehouse hook it may replace. */
const char gate_hook_marker[] = "gatehouse-hook: pre-push";

int main(int argc, char **argv)
{
	gate_run_opts opts = GATE_RUN_OPTS_INIT;
	gate_sink err = gate_sink_file(stderr);

	if (argc < 2) {
		fprintf(stderr, "gatehouse pre-push: usage: pre-push REMOTE [URL] (as git calls it)\n");
		return GATE_EXIT_USAGE;
	}
	opts.hook = "pre-push";
	opts.out = &err;
	opts.user = getenv("GATEHOUSE_USER");
	return gate_run_pre_push(argv[1], stdin, &opts);
}
