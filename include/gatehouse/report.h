/*
 * `gatehouse report`: the audit dashboard's command, as the CLI calls it.
 */
#ifndef GATEHOUSE_REPORT_H
#define GATEHOUSE_REPORT_H

#include <stdio.h>

/* `gatehouse report`: what the command line asked. */
typedef struct {
	const char *since;       /* NULL: every record */
	const char *html_path;   /* NULL: no page */
	const char *const *logs; /* NULL-terminated; none: the default log (see gate_dashboard_default_log) */
	FILE *out;               /* the text summary */
	FILE *err;               /* errors and, on a terminal, the progress line */
} gate_dashboard_cmd;

/*
 * The log `gatehouse report` reads when given none: $GIT_DIR/gatehouse/audit.jsonl
 * when GIT_DIR is set, else ./gatehouse/audit.jsonl.  A new string (gate_free), or NULL.
 */
char *gate_dashboard_default_log(void);

/*
 * Runs `gatehouse report`: loads every log (a progress line on ERR when it is
 * a terminal and a log is large), writes the page when asked, prints the
 * summary.  Returns 0, or 2 (GATE_EXIT_USAGE) for a bad --since, a log that
 * cannot be read or a page that cannot be written.
 */
int gate_dashboard_run(const gate_dashboard_cmd *cmd);

#endif
