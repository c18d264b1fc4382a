/*
 * The JSON document an external policy reads on stdin (README "External
 * policies" documents it field by field; "version" changes when a field's
 * meaning does).
 */
#ifndef GATE_POLICY_INPUT_H
#define GATE_POLICY_INPUT_H

#include <git2.h>
#include <jansson.h>

#include "engine/decide.h"
#include "matrix/model.h"
#include "git/newobjs.h"
#include "git/push.h"
#include "content/source.h"

/* Most commits described per update, and paths per commit. */
#define GATE_INPUT_MAX_COMMITS 1000
#define GATE_INPUT_MAX_PATHS 1000
/* Pushed manifests included as documents: how many, how large each, how much in all. */
#define GATE_INPUT_MAX_FILES 200
#define GATE_INPUT_MAX_FILE_BYTES (1024u * 1024)
#define GATE_INPUT_MAX_FILES_BYTES (16u * 1024 * 1024)
/* Most a manifest may weigh with its YAML aliases written out (bytes plus nodes). */
#define GATE_INPUT_MAX_EXPANDED (4u * 1024 * 1024)
/* Protected refs tried as the source of each update's commit. */
#define GATE_INPUT_MAX_SOURCES 200

typedef struct {
	const char *repository;      /* the repository's path */
	const char *login;           /* the pusher as identified */
	long person;                 /* index in m->people, or -1 */
	const gate_matrix *m;
	const char *matrix_text;     /* the matrix file's YAML, or NULL */
	size_t matrix_len;
	const gate_decision *ds;     /* one per update, with the reasons so far */
	size_t n_ds;
	const gate_newobjs *newobjs; /* which commits are new */
	const gate_source *jobs;  /* the new files, or NULL */
} gate_policy_input;

/* The files the input could not hold whole: indices into the input's jobs. */
typedef struct {
	size_t *jobs;
	size_t n, cap;
	/*
	 * The first of the input's own caps the push reached (static text naming
	 * it: commits per update, paths per commit, files, bytes), or NULL: the
	 * policy was not shown the whole push, so the caller must not accept it.
	 */
	const char *cut;
} gate_policy_input_cuts;

/*
 * Builds the document into *OUT (a new jansson object).  CUTS gets the jobs
 * whose manifests could not be given whole (YAML aliases expanding past
 * GATE_INPUT_MAX_EXPANDED; the file says "incomplete": true): the external
 * policy did not see them, so the caller must not accept them.  0,
 * GATE_ENOMEM or a git error; dispose CUTS either way.
 */
int gate_policy_input_build(json_t **out, gate_policy_input_cuts *cuts, git_repository *repo,
			    const gate_policy_input *in);

void gate_policy_input_cuts_dispose(gate_policy_input_cuts *cuts);

#endif
