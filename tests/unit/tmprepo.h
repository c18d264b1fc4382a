/*
 * A throwaway bare repository for the unit suites that need one: made in a
 * fresh directory under /tmp before a suite's tests, removed after.
 */
#ifndef GATE_TEST_TMPREPO_H
#define GATE_TEST_TMPREPO_H

#include <git2.h>

/* Fills DIR (a mkdtemp template, "/tmp/gate-NAME-XXXXXX") and opens *REPO there, with libgit2 up. */
void tmprepo_up(char *dir, git_repository **repo);

/* Frees *REPO, removes DIR and everything in it, and shuts libgit2 down. */
void tmprepo_down(const char *dir, git_repository **repo);

#endif
