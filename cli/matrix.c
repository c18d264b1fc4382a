/*
 * `gatehouse matrix validate|diff|test|render`: the responsibility matrix as
 * its authors work on it, before any hook reads it.  Each loads a matrix
 * named on the command line (validate, test and render a file; diff a file
 * or REV:PATH), prints every problem found with file, line and column, and
 * exits 2 when the matrix does not load.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gatehouse/render.h"

/* Prints DIAGS on stderr, or the last error when there are none. */
static void print_diags(const gate_diags *diags)
{
	size_t i;
	for (i = 0; i < diags->count; i++)
		fprintf(stderr, "%s\n", diags->items[i].text);
	if (!diags->count)
		fprintf(stderr, "gatehouse: %s\n", gate_error_last());
}

/* After a matrix at PATH failed to load: its problems, then "PATH: invalid (N errors)". */
static void print_invalid(const char *path, const gate_diags *diags)
{
	print_diags(diags);
	fprintf(stderr, "%s: invalid (%zu error%s)\n", path, diags->count ? diags->count : 1,
		diags->count > 1 ? "s" : "");
}

int gate_cli_matrix_validate(int argc, char **argv)
{
	const char *path = "matrix/responsibility.yml";
	gate_sink err = gate_sink_file(stderr);
	gate_diags diags = GATE_DIAGS_INIT;
	gate_matrix *m = NULL;
	size_t i, failed = 0, total = 0;

	if (argc > 1) {
		fprintf(stderr, "gatehouse matrix validate: takes at most one FILE\n%s", gate_cli_usage);
		return GATE_EXIT_USAGE;
	}
	if (argc == 1)
		path = argv[0];
	if (gate_matrix_load_file(&m, path, &diags) < 0) {
		print_invalid(path, &diags);
		gate_diags_dispose(&diags);
		return GATE_EXIT_USAGE;
	}
	/* its privilege-boundary expectations are part of being valid */
	if (gate_matrix_test(m, "refs/heads/main", NULL, &failed, &total) < 0 || failed) {
		gate_matrix_test(m, "refs/heads/main", &err, &failed, &total);
		fprintf(stderr, "%s: invalid (%zu of %zu expectations fail)\n", path, failed, total);
		gate_matrix_free(m);
		return GATE_EXIT_USAGE;
	}
	if (gate_matrix_warnings(m, &diags) == 0)
		for (i = 0; i < diags.count; i++)
			fprintf(stderr, "%s\n", diags.items[i].text);
	gate_diags_dispose(&diags);
	printf("%s: ok\n", path);
	gate_matrix_free(m);
	return GATE_EXIT_OK;
}

int gate_cli_matrix_diff(int argc, char **argv)
{
	gate_sink out = gate_sink_file(stdout);
	gate_matrix *m[2] = { NULL, NULL };
	size_t changes = 0;
	int k, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "gatehouse matrix diff: needs OLD and NEW (files, or REV:PATH)\n%s",
			gate_cli_usage);
		return GATE_EXIT_USAGE;
	}
	for (k = 0; k < 2 && rc == 0; k++) {
		gate_diags diags = GATE_DIAGS_INIT;
		if ((rc = gate_matrix_load_spec(&m[k], argv[k], &diags)) < 0)
			print_diags(&diags);
		gate_diags_dispose(&diags);
	}
	if (rc == 0) {
		printf("matrix change %s -> %s:\n", argv[0], argv[1]);
		rc = gate_matrix_diff_print(m[0], m[1], &out, &changes);
	}
	gate_matrix_free(m[0]);
	gate_matrix_free(m[1]);
	return rc < 0 ? GATE_EXIT_USAGE : GATE_EXIT_OK;
}

int gate_cli_matrix_test(int argc, char **argv)
{
	const char *path = "matrix/responsibility.yml", *trusted = "refs/heads/main";
	gate_sink out = gate_sink_file(stdout);
	gate_diags diags = GATE_DIAGS_INIT;
	gate_matrix *m = NULL;
	size_t i, failed = 0, total = 0;
	int rc, files = 0;

	for (i = 0; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--trusted-ref") && i + 1 < (size_t)argc)
			trusted = argv[++i];
		else if (argv[i][0] != '-' && !files++)
			path = argv[i];
		else {
			fprintf(stderr, "gatehouse matrix test: unexpected '%s'\n%s", argv[i], gate_cli_usage);
			return GATE_EXIT_USAGE;
		}
	}
	if (gate_matrix_load_file(&m, path, &diags) < 0) {
		print_diags(&diags);
		gate_diags_dispose(&diags);
		return GATE_EXIT_USAGE;
	}
	rc = gate_matrix_test(m, trusted, &out, &failed, &total);
	gate_matrix_free(m);
	if (rc < 0) {
		fprintf(stderr, "gatehouse: %s\n", gate_error_last());
		return GATE_EXIT_USAGE;
	}
	if (!total)
		printf("(no expectations: add an expectations: list to the matrix, see README)\n");
	return failed ? GATE_EXIT_REJECTED : GATE_EXIT_OK;
}

int gate_cli_matrix_render(int argc, char **argv)
{
	const char *path = "matrix/responsibility.yml", *fmt = "md";
	gate_sink out = gate_sink_file(stdout);
	gate_render_format format;
	gate_diags diags = GATE_DIAGS_INIT;
	gate_matrix *m = NULL;
	int i, files = 0, rc;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			fmt = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			fmt = argv[i] + 9;
		else if (argv[i][0] != '-' && !files++)
			path = argv[i];
		else {
			fprintf(stderr, "gatehouse matrix render: unexpected '%s'\n%s", argv[i], gate_cli_usage);
			return GATE_EXIT_USAGE;
		}
	}
	if (!strcmp(fmt, "md"))
		format = GATE_RENDER_MARKDOWN;
	else if (!strcmp(fmt, "html"))
		format = GATE_RENDER_HTML;
	else {
		fprintf(stderr, "gatehouse matrix render: --format is md or html\n");
		return GATE_EXIT_USAGE;
	}
	if (gate_matrix_load_file(&m, path, &diags) < 0) {
		print_invalid(path, &diags);
		gate_diags_dispose(&diags);
		return GATE_EXIT_USAGE;
	}
	rc = gate_render_write(&out, m, format, path);
	gate_matrix_free(m);
	if (rc < 0) {
		fprintf(stderr, "gatehouse matrix render: %s\n", gate_error_last());
		return GATE_EXIT_USAGE;
	}
	return GATE_EXIT_OK;
}
