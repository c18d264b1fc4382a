/*
 * gatehouse: the command-line tool for people.  One client of libgatehouse
 * among others (the hooks are the rest): it parses arguments, calls the
 * engine, prints, and exits 0 (ok), 1 (rejected / violations) or 2 (usage or
 * configuration error).  This file is the dispatcher and the help; each verb
 * lives in its own file (cli/matrix.c, cli/scan.c...; see cli.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char gate_cli_usage[] =
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
	"  checks [--format text|md] | checks --known ID...\n"
	"                                      the table of checks: every id a reason can carry,\n"
	"                                      what configures it and whether break glass lifts it;\n"
	"                                      --known exits 1 naming each ID the table lacks\n"
	"  version                             print the version\n"
	"  help                                print this help\n"
	"\n"
	"exit status: 0 ok, 1 rejected or violations found, 2 usage or configuration error\n";

/* The verbs: "matrix validate" is VERB "matrix", SUB "validate"; a verb without SUB takes one word. */
static const struct {
	const char *verb, *sub;
	gate_cli_verb run;
} verbs[] = {
	{ "matrix", "validate", gate_cli_matrix_validate },
	{ "matrix", "diff", gate_cli_matrix_diff },
	{ "matrix", "test", gate_cli_matrix_test },
	{ "matrix", "render", gate_cli_matrix_render },
	{ "check", NULL, gate_cli_check },
	{ "explain", NULL, gate_cli_explain },
	{ "drill", NULL, gate_cli_drill },
	{ "scan", NULL, gate_cli_scan },
	{ "report", NULL, gate_cli_report },
	{ "checks", NULL, gate_cli_checks },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fputs(gate_cli_usage, stderr);
		return GATE_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(gate_cli_usage, stdout);
		return GATE_EXIT_OK;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("gatehouse %s\n", GATEHOUSE_VERSION);
		return GATE_EXIT_OK;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].verb))
			continue;
		if (!verbs[i].sub)
			return verbs[i].run(argc - 2, argv + 2);
		if (argc >= 3 && !strcmp(argv[2], verbs[i].sub))
			return verbs[i].run(argc - 3, argv + 3);
	}
	fprintf(stderr, "gatehouse: unknown command '%s'\n%s", argv[1], gate_cli_usage);
	return GATE_EXIT_USAGE;
}
