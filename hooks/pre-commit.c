/*
 * pre-commit, on a developer's machine: scans what is staged (the index
 * against HEAD) for secrets with the repository's matrix, or the built-in
 * defaults when there is none yet, and stops the commit on a finding with
 * file:line, the rule and how to allowlist a false positive.
 */
#include <stdio.h>

#include "gatehouse/gatehouse.h"

/* Lets install.sh recognise a gatehouse hook it may replace. */
const char gate_hook_marker[] = "gatehouse-hook: pre-commit";

int main(int argc, char **argv)
{
	gate_scan_opts o = { 0 };

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "gatehouse pre-commit: takes no arguments\n");
		return GATE_EXIT_USAGE;
	}
	o.format = GATE_SCAN_TEXT;
	o.staged = 1;
	o.out = stderr;
	o.err = stderr;
	o.pre_commit = 1;
	return gate_run_scan(&o);
}
