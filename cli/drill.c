/*
 * `gatehouse drill NAME [--repo PATH]`: runs an incident drill (see
 * gatehouse/drill.h) and prints it for the people in the room: the setup,
 * the attack, whether the control held, what the hooks said, and who acts.
 * Exit 0 when the control held, 1 when it did not, 2 on a usage or setup
 * error (or when the check could not run).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gatehouse/drill.h"

/* TEXT with every line quoted under the report: "    | LINE". */
static void indent(const char *text)
{
	while (*text) {
		size_t len = strcspn(text, "\n");
		printf("    | %.*s\n", (int)len, text);
		text += len;
		if (*text)
			text++;
	}
}

static void print_drill(const gate_drill_result *r)
{
	size_t i;

	printf("gatehouse drill: %s\n", r->name);
	printf("  server setup: %s\n", r->setup);
	printf("  attack: %s (a developer) %s: pushes %s adding %s\n", r->attacker, r->story, r->ref,
	       r->path);
	if (r->outcome == GATE_DRILL_HELD)
		printf("  control: HELD - the push was rejected before any ref moved\n");
	else if (r->outcome == GATE_DRILL_NOT_HELD)
		printf("  control: DID NOT HOLD - the push would have been accepted\n");
	else
		printf("  control: UNKNOWN - the check could not run\n");
	indent(r->report);
	printf("  who acts (from the responsibility matrix):\n");
	for (i = 0; i < r->n_duties; i++) {
		printf("    %-9s %s: %s\n", r->duties[i].act, r->duties[i].duty, r->duties[i].owners);
		printf("              %s\n", r->duties[i].what);
	}
	if (r->outcome == GATE_DRILL_NOT_HELD)
		printf("  to close the gap: %s\n", r->gap);
}

int gate_cli_drill(int argc, char **argv)
{
	const char *name = NULL, *repo = NULL;
	gate_drill_result r;
	int i, status;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--repo") && i + 1 < argc)
			repo = argv[++i];
		else if (!strncmp(argv[i], "--repo=", 7))
			repo = argv[i] + 7;
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else {
			fprintf(stderr, "gatehouse drill: unexpected '%s'\n%s", argv[i], gate_cli_usage);
			return GATE_EXIT_USAGE;
		}
	}
	if (!name) {
		fprintf(stderr, "gatehouse drill: which drill? (" GATE_DRILL_NAMES ")\n");
		return GATE_EXIT_USAGE;
	}
	if (gate_drill_run(&r, name, repo) < 0) {
		fprintf(stderr, "gatehouse drill: %s\n", gate_error_last());
		gate_drill_result_dispose(&r);
		return GATE_EXIT_USAGE;
	}
	print_drill(&r);
	status = r.outcome == GATE_DRILL_HELD	  ? GATE_EXIT_OK
		 : r.outcome == GATE_DRILL_NOT_HELD ? GATE_EXIT_REJECTED
						    : GATE_EXIT_USAGE;
	gate_drill_result_dispose(&r);
	return status;
}
