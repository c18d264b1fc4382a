/*
 * The gatehouse command-line tool's verbs, one file each under cli/
 * (cli/gatehouse.c holds the dispatcher table and the help text).  A verb
 * parses its arguments, calls libgatehouse through its public API
 * (include/gatehouse/), prints, and returns the exit status: 0 ok, 1
 * rejected or violations found, 2 usage or configuration error.
 */
#ifndef GATE_CLI_H
#define GATE_CLI_H

#include "gatehouse/gatehouse.h"

/* The help text, printed after a usage error. */
extern const char gate_cli_usage[];

/* A verb: ARGC and ARGV are the arguments after its words.  Returns an exit status. */
typedef int (*gate_cli_verb)(int argc, char **argv);

/* cli/matrix.c: `matrix validate|diff|test|render` */
int gate_cli_matrix_validate(int argc, char **argv);
int gate_cli_matrix_diff(int argc, char **argv);
int gate_cli_matrix_test(int argc, char **argv);
int gate_cli_matrix_render(int argc, char **argv);

int gate_cli_check(int argc, char **argv);   /* cli/check.c */
int gate_cli_explain(int argc, char **argv); /* cli/explain.c */
int gate_cli_scan(int argc, char **argv);    /* cli/scan.c */
int gate_cli_drill(int argc, char **argv);   /* cli/drill.c */
int gate_cli_report(int argc, char **argv);  /* cli/report.c */
int gate_cli_checks(int argc, char **argv);  /* cli/checks.c */

#endif
