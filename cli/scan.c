/*
 * `gatehouse scan [--format text|json|sarif] [--range REV_RANGE | --staged |
 * PATH...]`: the hooks' secret scanner for CI and incident response.  The
 * findings go to stdout in the format asked; notes, the progress line (on a
 * terminal) and the closing summary to stderr.  Exit 0 when nothing was
 * found, 1 on findings, 2 on a usage error or a scan that could not run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* FMT as a format into *OUT; -1 when it is none of text, json and sarif. */
static int parse_format(gate_scan_format *out, const char *fmt)
{
	if (!strcmp(fmt, "text"))
		*out = GATE_SCAN_TEXT;
	else if (!strcmp(fmt, "json"))
		*out = GATE_SCAN_JSON;
	else if (!strcmp(fmt, "sarif"))
		*out = GATE_SCAN_SARIF;
	else
		return -1;
	return 0;
}

/* Reads ARGV into O, *FORMAT and PATHS (room for ARGC + 1).  0, or an exit status. */
static int parse_args(gate_scan_opts *o, gate_scan_format *format, const char **paths, int argc,
		      char **argv)
{
	int i, np = 0;

	for (i = 0; i < argc; i++) {
		const char *fmt = NULL;
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			fmt = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			fmt = argv[i] + 9;
		else if (!strcmp(argv[i], "--range") && i + 1 < argc)
			o->range = argv[++i];
		else if (!strncmp(argv[i], "--range=", 8))
			o->range = argv[i] + 8;
		else if (!strcmp(argv[i], "--staged"))
			o->staged = 1;
		else if (!strcmp(argv[i], "--")) {
			for (i++; i < argc; i++)
				paths[np++] = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gatehouse scan: unknown option %s\n%s", argv[i], gate_cli_usage);
			return GATE_EXIT_USAGE;
		} else {
			paths[np++] = argv[i];
		}
		if (fmt && parse_format(format, fmt) < 0) {
			fprintf(stderr, "gatehouse scan: --format is text, json or sarif\n");
			return GATE_EXIT_USAGE;
		}
	}
	if ((o->range != NULL) + o->staged + (np > 0) > 1) {
		fprintf(stderr, "gatehouse scan: give one of --range, --staged or paths\n");
		return GATE_EXIT_USAGE;
	}
	o->paths = paths;
	return 0;
}

int gate_cli_scan(int argc, char **argv)
{
	gate_sink out = gate_sink_file(stdout), err = gate_sink_file(stderr);
	gate_scan_format format = GATE_SCAN_TEXT;
	gate_scan_result *r = NULL;
	gate_scan_opts o;
	const char **paths = calloc((size_t)argc + 1, sizeof(char *));
	int status;

	if (!paths)
		return GATE_EXIT_USAGE;
	memset(&o, 0, sizeof(o));
	o.err = &err;
	o.progress = isatty(fileno(stderr));
	if ((status = parse_args(&o, &format, paths, argc, argv)) != 0) {
		free(paths);
		return status;
	}
	if (gate_scan_run(&r, &o) < 0) {
		fprintf(stderr, "gatehouse scan: %s\n", gate_error_last());
		free(paths);
		return GATE_EXIT_USAGE;
	}
	if (gate_scan_result_write(r, format, &out) < 0) {
		status = GATE_EXIT_USAGE;
	} else {
		gate_scan_result_summary(r, &err);
		status = gate_scan_result_count(r) ? GATE_EXIT_REJECTED : GATE_EXIT_OK;
	}
	gate_scan_result_free(r);
	free(paths);
	return status;
}
