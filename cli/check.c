/*
 * `gatehouse check --user LOGIN REF OLD NEW`: a dry run of the hooks'
 * decision for one ref update in the repository of the current directory
 * (no audit record), with the verdict the pusher would read on stdout.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int gate_cli_check(int argc, char **argv)
{
	gate_run_opts opts = GATE_RUN_OPTS_INIT;
	gate_sink out = gate_sink_file(stdout);
	const char *pos[3];
	int i, npos = 0;

	opts.hook = "check";
	opts.dry_run = 1;
	opts.out = &out;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--user") && i + 1 < argc) {
			opts.user = argv[++i];
		} else if (!strncmp(argv[i], "--user=", 7)) {
			opts.user = argv[i] + 7;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gatehouse check: unknown option %s\n%s", argv[i], gate_cli_usage);
			return GATE_EXIT_USAGE;
		} else if (npos < 3) {
			pos[npos++] = argv[i];
		} else {
			npos++;
		}
	}
	if (!opts.user || npos != 3) {
		fprintf(stderr, "gatehouse check: needs --user LOGIN REF OLD NEW\n%s", gate_cli_usage);
		return GATE_EXIT_USAGE;
	}
	return gate_run_check(pos[0], pos[1], pos[2], &opts);
}
