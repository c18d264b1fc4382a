/*
 * pre-commit, on a developer's machine: scans what is staged (the index
 * against HEAD) for secrets with the repository's matrix, or the built-in
 * defaults when there is none yet, and stops the commit on a finding with
 * file:line, the rule and how to allowlist a false positive.
 */
#include <stdio.h>
#include <unistd.h>

#include "gatehouse/gatehouse.h"

/* Lets install.sh recognise a gatehouse hook it may replace. */
const char gate_hook_marker[] = "gatehouse-hook: pre-commit";

int main(int argc, char **argv)
{
	gate_sink err = gate_sink_file(stderr);
	gate_scan_opts o = { 0 };
	gate_scan_result *r = NULL;
	int status;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "gatehouse pre-commit: takes no arguments\n");
		return GATE_EXIT_USAGE;
	}
	o.staged = 1;
	o.err = &err;
	o.progress = isatty(fileno(stderr));
	if (gate_scan_run(&r, &o) < 0) {
		fprintf(stderr, "gatehouse scan: %s\n", gate_error_last());
		return GATE_EXIT_USAGE;
	}
	/* the findings, then what to do about them, all on stderr: git shows it */
	gate_scan_result_write(r, GATE_SCAN_TEXT, &err);
	gate_scan_result_advice(r, &err);
	status = gate_scan_result_count(r) ? GATE_EXIT_REJECTED : GATE_EXIT_OK;
	gate_scan_result_free(r);
	return status;
}
