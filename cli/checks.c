/*
 * `gatehouse checks`: the table of checks (gatehouse/checks.h), every id a
 * reason can carry, as text for a terminal or as the Markdown table the
 * README carries (`--format md`); `--known ID...` says whether the table
 * covers each ID (the integration suite asks it of every audit record).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gatehouse/checks.h"

/* Markdown cell text: '|' escaped so a regex in a doc line keeps the table whole. */
static void md_cell(const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else
			putchar(*s);
	}
}

static void print_md(void)
{
	size_t i;
	puts("| id | when it fires | configured by | break glass lifts it |");
	puts("|---|---|---|---|");
	for (i = 0; i < gate_checks_count(); i++) {
		const gate_check_info *c = gate_check_at(i);
		fputs("| `", stdout);
		fputs(c->id, stdout);
		fputs("` | ", stdout);
		md_cell(c->doc);
		if (c->severity == GATE_SEVERITY_WARNING)
			fputs(" (a warning)", stdout);
		fputs(" | ", stdout);
		if (c->key) {
			putchar('`');
			md_cell(c->key);
			putchar('`');
		} else {
			fputs("built in", stdout);
		}
		printf(" | %s |\n", c->overridable ? "yes" : "no");
	}
}

static void print_text(void)
{
	size_t i;
	printf("%-36s %-9s %-8s %s\n", "ID", "FAMILY", "OVERRIDE", "CONFIGURED BY");
	for (i = 0; i < gate_checks_count(); i++) {
		const gate_check_info *c = gate_check_at(i);
		printf("%-36s %-9s %-8s %s\n", c->id, gate_check_family_name(c->family),
		       c->overridable ? "yes" : "no", c->key ? c->key : "built in");
		printf("    %s\n", c->doc);
	}
}

/* 0 when the table covers every ID, 1 (naming each one it does not) otherwise. */
static int known(int argc, char **argv)
{
	int i, status = GATE_EXIT_OK;
	for (i = 0; i < argc; i++)
		if (!gate_check_lookup(argv[i])) {
			printf("unknown check id: %s\n", argv[i]);
			status = GATE_EXIT_REJECTED;
		}
	return status;
}

int gate_cli_checks(int argc, char **argv)
{
	if (argc >= 1 && !strcmp(argv[0], "--known"))
		return known(argc - 1, argv + 1);
	if (argc == 0 || (argc == 2 && !strcmp(argv[0], "--format") && !strcmp(argv[1], "text"))) {
		print_text();
		return GATE_EXIT_OK;
	}
	if (argc == 2 && !strcmp(argv[0], "--format") && !strcmp(argv[1], "md")) {
		print_md();
		return GATE_EXIT_OK;
	}
	fputs("gatehouse checks: usage: gatehouse checks [--format text|md] | --known ID...\n", stderr);
	return GATE_EXIT_USAGE;
}
