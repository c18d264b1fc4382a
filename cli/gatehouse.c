/*
 * gatehouse: the command-line tool for people.  One client of libgatehouse
 * among others (the hooks are the rest): it parses arguments, calls the
 * engine, prints, and exits 0 (ok), 1 (rejected / violations) or 2 (usage or
 * configuration error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/gatehouse.h"
#include "gatehouse/render.h"
#include "gatehouse/report.h"

static const char usage[] =
	"usage: gatehouse <command> [<args>]\n"
	"\n"
	"commands:\n"
	"  matrix validate [FILE]              check a responsibility matrix\n"
	"                                      (default: matrix/responsibility.yml)\n"
	"  matrix diff OLD NEW                 what a matrix change grants and revokes, in words\n"
	"                                      (files, or REV:PATH such as main:matrix/responsibility.yml)\n"
	"  matrix test [--trusted-ref REF] [FILE]\n"
	"                                      evaluate the matrix's expectations (who may or\n"
	"                                      may not push, create, delete, force-push where)\n"
	"  matrix render [--format md|html] [FILE]\n"
	"                                      the matrix as a document for people: duties by\n"
	"                                      role, people, refs, path owners, secret, policy\n"
	"                                      and settings (default: Markdown, to stdout)\n"
	"  check --user LOGIN REF OLD NEW      dry run: would this ref update be accepted?\n"
	"                                      run inside a repository; OLD/NEW are revisions,\n"
	"                                      0 for none (creation / deletion)\n"
	"  explain --user LOGIN REF            what LOGIN may do on REF and what evidence a\n"
	"                                      push there needs (run inside a repository)\n"
	"  scan [--format text|json|sarif] [--range REV_RANGE | --staged | PATH...]\n"
	"                                      look for secrets in files (default: .), the\n"
	"                                      commits of a range, or the staged changes\n"
	"  drill NAME [--repo PATH]            incident drill: leaked-secret, compromised-dependency,\n"
	"                                      privileged-container or unprotected-deploy against a\n"
	"                                      throwaway copy of a server's matrix (or a demo one);\n"
	"                                      exit 0 when the control held, 1 when it did not\n"
	"  report [--since DATE] [--html FILE] [AUDIT_LOG...]\n"
	"                                      summary of audit logs (default: $GIT_DIR/gatehouse/\n"
	"                                      audit.jsonl, else ./gatehouse/audit.jsonl); --html\n"
	"                                      also writes a dashboard page with charts\n"
	"  version                             print the version\n"
	"  help                                print this help\n"
	"\n"
	"exit status: 0 ok, 1 rejected or violations found, 2 usage or configuration error\n";

static int cmd_matrix_validate(int argc, char **argv)
{
	const char *path = "matrix/responsibility.yml";
	gate_diags diags = GATE_DIAGS_INIT;
	gate_matrix *m = NULL;
	size_t i;
	int rc;

	if (argc > 1) {
		fprintf(stderr, "gatehouse matrix validate: takes at most one FILE\n%s", usage);
		return GATE_EXIT_USAGE;
	}
	if (argc == 1)
		path = argv[0];
	rc = gate_matrix_load_file(&m, path, &diags);
	if (rc < 0) {
		if (diags.count)
			for (i = 0; i < diags.count; i++)
				fprintf(stderr, "%s\n", diags.items[i].text);
		else
			fprintf(stderr, "gatehouse: %s\n", gate_error_last());
		fprintf(stderr, "%s: invalid (%zu error%s)\n", path, diags.count ? diags.count : 1,
			diags.count == 1 || !diags.count ? "" : "s");
		gate_diags_dispose(&diags);
		return GATE_EXIT_USAGE;
	}
	{
		/* its privilege-boundary expectations are part of being valid */
		size_t failed = 0, total = 0;
		if (gate_matrix_test(m, "refs/heads/main", NULL, &failed, &total) < 0 || failed) {
			gate_matrix_test(m, "refs/heads/main", stderr, &failed, &total);
			fprintf(stderr, "%s: invalid (%zu of %zu expectations fail)\n", path, failed, total);
			gate_matrix_free(m);
			return GATE_EXIT_USAGE;
		}
	}
	if (gate_matrix_warnings(m, &diags) == 0)
		for (i = 0; i < diags.count; i++)
			fprintf(stderr, "%s\n", diags.items[i].text);
	gate_diags_dispose(&diags);
	printf("%s: ok\n", path);
	gate_matrix_free(m);
	return GATE_EXIT_OK;
}

static int cmd_matrix_diff(int argc, char **argv)
{
	gate_matrix *m[2] = { NULL, NULL };
	size_t i, changes = 0;
	int k, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "gatehouse matrix diff: needs OLD and NEW (files, or REV:PATH)\n%s", usage);
		return GATE_EXIT_USAGE;
	}
	for (k = 0; k < 2 && rc == 0; k++) {
		gate_diags diags = GATE_DIAGS_INIT;
		if ((rc = gate_matrix_load_spec(&m[k], argv[k], &diags)) < 0) {
			for (i = 0; i < diags.count; i++)
				fprintf(stderr, "%s\n", diags.items[i].text);
			if (!diags.count)
				fprintf(stderr, "gatehouse: %s\n", gate_error_last());
		}
		gate_diags_dispose(&diags);
	}
	if (rc == 0) {
		printf("matrix change %s -> %s:\n", argv[0], argv[1]);
		rc = gate_matrix_diff_print(m[0], m[1], stdout, &changes);
	}
	gate_matrix_free(m[0]);
	gate_matrix_free(m[1]);
	return rc < 0 ? GATE_EXIT_USAGE : GATE_EXIT_OK;
}

static int cmd_matrix_test(int argc, char **argv)
{
	const char *path = "matrix/responsibility.yml", *trusted = "refs/heads/main";
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
			fprintf(stderr, "gatehouse matrix test: unexpected '%s'\n%s", argv[i], usage);
			return GATE_EXIT_USAGE;
		}
	}
	if (gate_matrix_load_file(&m, path, &diags) < 0) {
		for (i = 0; i < diags.count; i++)
			fprintf(stderr, "%s\n", diags.items[i].text);
		if (!diags.count)
			fprintf(stderr, "gatehouse: %s\n", gate_error_last());
		gate_diags_dispose(&diags);
		return GATE_EXIT_USAGE;
	}
	rc = gate_matrix_test(m, trusted, stdout, &failed, &total);
	gate_matrix_free(m);
	if (rc < 0) {
		fprintf(stderr, "gatehouse: %s\n", gate_error_last());
		return GATE_EXIT_USAGE;
	}
	if (!total)
		printf("(no expectations: add an expectations: list to the matrix, see README)\n");
	return failed ? GATE_EXIT_REJECTED : GATE_EXIT_OK;
}

static int cmd_matrix_render(int argc, char **argv)
{
	const char *path = "matrix/responsibility.yml", *fmt = "md";
	gate_render_format format;
	gate_diags diags = GATE_DIAGS_INIT;
	gate_matrix *m = NULL;
	int i, files = 0, rc;
	size_t k;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			fmt = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			fmt = argv[i] + 9;
		else if (argv[i][0] != '-' && !files++)
			path = argv[i];
		else {
			fprintf(stderr, "gatehouse matrix render: unexpected '%s'\n%s", argv[i], usage);
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
		for (k = 0; k < diags.count; k++)
			fprintf(stderr, "%s\n", diags.items[k].text);
		if (!diags.count)
			fprintf(stderr, "gatehouse: %s\n", gate_error_last());
		fprintf(stderr, "%s: invalid (%zu error%s)\n", path, diags.count ? diags.count : 1,
			diags.count > 1 ? "s" : "");
		gate_diags_dispose(&diags);
		return GATE_EXIT_USAGE;
	}
	rc = gate_render_write(stdout, m, format, path);
	gate_matrix_free(m);
	if (rc < 0) {
		fprintf(stderr, "gatehouse matrix render: %s\n", gate_error_last());
		return GATE_EXIT_USAGE;
	}
	return GATE_EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
	gate_run_opts opts = GATE_RUN_OPTS_INIT;
	const char *pos[3];
	int i, npos = 0;

	opts.hook = "check";
	opts.dry_run = 1;
	opts.out = stdout;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--user") && i + 1 < argc) {
			opts.user = argv[++i];
		} else if (!strncmp(argv[i], "--user=", 7)) {
			opts.user = argv[i] + 7;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gatehouse check: unknown option %s\n%s", argv[i], usage);
			return GATE_EXIT_USAGE;
		} else if (npos < 3) {
			pos[npos++] = argv[i];
		} else {
			npos++;
		}
	}
	if (!opts.user || npos != 3) {
		fprintf(stderr, "gatehouse check: needs --user LOGIN REF OLD NEW\n%s", usage);
		return GATE_EXIT_USAGE;
	}
	return gate_run_check(pos[0], pos[1], pos[2], &opts);
}

static int cmd_explain(int argc, char **argv)
{
	gate_run_opts opts = GATE_RUN_OPTS_INIT;
	const char *ref = NULL;
	int i, npos = 0;

	opts.hook = "explain";
	opts.dry_run = 1;
	opts.out = stdout;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--user") && i + 1 < argc)
			opts.user = argv[++i];
		else if (!strncmp(argv[i], "--user=", 7))
			opts.user = argv[i] + 7;
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gatehouse explain: unknown option %s\n%s", argv[i], usage);
			return GATE_EXIT_USAGE;
		} else {
			ref = argv[i];
			npos++;
		}
	}
	if (!opts.user || npos != 1) {
		fprintf(stderr, "gatehouse explain: needs --user LOGIN REF\n%s", usage);
		return GATE_EXIT_USAGE;
	}
	return gate_run_explain(opts.user, ref, &opts);
}

static int cmd_scan(int argc, char **argv)
{
	gate_scan_opts o;
	const char **paths = calloc((size_t)argc + 1, sizeof(char *));
	int i, np = 0, rc;

	if (!paths)
		return GATE_EXIT_USAGE;
	memset(&o, 0, sizeof(o));
	o.out = stdout;
	o.err = stderr;
	for (i = 0; i < argc; i++) {
		const char *fmt = NULL;
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			fmt = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			fmt = argv[i] + 9;
		else if (!strcmp(argv[i], "--range") && i + 1 < argc)
			o.range = argv[++i];
		else if (!strncmp(argv[i], "--range=", 8))
			o.range = argv[i] + 8;
		else if (!strcmp(argv[i], "--staged"))
			o.staged = 1;
		else if (!strcmp(argv[i], "--")) {
			for (i++; i < argc; i++)
				paths[np++] = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gatehouse scan: unknown option %s\n%s", argv[i], usage);
			free(paths);
			return GATE_EXIT_USAGE;
		} else {
			paths[np++] = argv[i];
		}
		if (fmt) {
			if (!strcmp(fmt, "text"))
				o.format = GATE_SCAN_TEXT;
			else if (!strcmp(fmt, "json"))
				o.format = GATE_SCAN_JSON;
			else if (!strcmp(fmt, "sarif"))
				o.format = GATE_SCAN_SARIF;
			else {
				fprintf(stderr, "gatehouse scan: --format is text, json or sarif\n");
				free(paths);
				return GATE_EXIT_USAGE;
			}
		}
	}
	if ((o.range != NULL) + o.staged + (np > 0) > 1) {
		fprintf(stderr, "gatehouse scan: give one of --range, --staged or paths\n");
		free(paths);
		return GATE_EXIT_USAGE;
	}
	o.paths = paths;
	rc = gate_run_scan(&o);
	free(paths);
	return rc;
}

static int cmd_drill(int argc, char **argv)
{
	const char *name = NULL, *repo = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--repo") && i + 1 < argc)
			repo = argv[++i];
		else if (!strncmp(argv[i], "--repo=", 7))
			repo = argv[i] + 7;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else {
			fprintf(stderr, "gatehouse drill: unexpected '%s'\n%s", argv[i], usage);
			return GATE_EXIT_USAGE;
		}
	}
	if (!name) {
		fprintf(stderr, "gatehouse drill: which drill? (leaked-secret, compromised-dependency, "
				"privileged-container, unprotected-deploy)\n");
		return GATE_EXIT_USAGE;
	}
	return gate_run_drill(name, repo, stdout);
}

static int cmd_report(int argc, char **argv)
{
	gate_dashboard_cmd c = { NULL, NULL, NULL, stdout, stderr };
	const char **logs = calloc((size_t)argc + 1, sizeof(char *));
	int i, n = 0, rc;

	if (!logs)
		return GATE_EXIT_USAGE;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--since") && i + 1 < argc)
			c.since = argv[++i];
		else if (!strncmp(argv[i], "--since=", 8))
			c.since = argv[i] + 8;
		else if (!strcmp(argv[i], "--html") && i + 1 < argc)
			c.html_path = argv[++i];
		else if (!strncmp(argv[i], "--html=", 7))
			c.html_path = argv[i] + 7;
		else if (!strcmp(argv[i], "--"))
			while (i + 1 < argc)
				logs[n++] = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gatehouse report: unknown option %s\n%s", argv[i], usage);
			free(logs);
			return GATE_EXIT_USAGE;
		} else
			logs[n++] = argv[i];
	}
	c.logs = logs;
	rc = gate_dashboard_run(&c);
	free(logs);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return GATE_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return GATE_EXIT_OK;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("gatehouse %s\n", GATEHOUSE_VERSION);
		return GATE_EXIT_OK;
	}
	if (!strcmp(argv[1], "matrix") && argc >= 3 && !strcmp(argv[2], "validate"))
		return cmd_matrix_validate(argc - 3, argv + 3);
	if (!strcmp(argv[1], "matrix") && argc >= 3 && !strcmp(argv[2], "diff"))
		return cmd_matrix_diff(argc - 3, argv + 3);
	if (!strcmp(argv[1], "matrix") && argc >= 3 && !strcmp(argv[2], "test"))
		return cmd_matrix_test(argc - 3, argv + 3);
	if (!strcmp(argv[1], "matrix") && argc >= 3 && !strcmp(argv[2], "render"))
		return cmd_matrix_render(argc - 3, argv + 3);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(argv[1], "explain"))
		return cmd_explain(argc - 2, argv + 2);
	if (!strcmp(argv[1], "drill"))
		return cmd_drill(argc - 2, argv + 2);
	if (!strcmp(argv[1], "scan"))
		return cmd_scan(argc - 2, argv + 2);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 2, argv + 2);
	fprintf(stderr, "gatehouse: unknown command '%s'\n%s", argv[1], usage);
	return GATE_EXIT_USAGE;
}
