/*
 * `gatehouse explain --user LOGIN REF`: what LOGIN may do on REF and what
 * evidence a push there needs, from the matrix of the repository of the
 * current directory, on stdout; why it cannot say, on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int gate_cli_explain(int argc, char **argv)
{
	gate_run_opts opts = GATE_RUN_OPTS_INIT;
	gate_sink out = gate_sink_file(stdout);
	const char *ref = NULL;
	int i, npos = 0;

	opts.hook = "explain";
	opts.dry_run = 1;
	opts.out = &out;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--user") && i + 1 < argc)
			opts.user = argv[++i];
		else if (!strncmp(argv[i], "--user=", 7))
			opts.user = argv[i] + 7;
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gatehouse explain: unknown option %s\n%s", argv[i], gate_cli_usage);
			return GATE_EXIT_USAGE;
		} else {
			ref = argv[i];
			npos++;
		}
	}
	if (!opts.user || npos != 1) {
		fprintf(stderr, "gatehouse explain: needs --user LOGIN REF\n%s", gate_cli_usage);
		return GATE_EXIT_USAGE;
	}
	if (gate_run_explain(opts.user, ref, &opts) < 0) {
		fprintf(stderr, "gatehouse explain: %s\n", gate_error_last());
		return GATE_EXIT_USAGE;
	}
	return GATE_EXIT_OK;
}
