/*
 * The scan behind `gatehouse scan` and the pre-commit hook (see
 * gatehouse/scan.h): the same scanner the hooks run, over files, a commit
 * range or the staged index, for CI and incident response ("did this secret
 * ever enter history?").  It gathers the findings into a gate_scan_result;
 * output/findings.c writes them as text, JSON or SARIF.
 *
 * Trust: the files and commits are the caller's own; the matrix comes from
 * the repository's trusted ref (or gatehouse.matrixFile), and a matrix that
 * does not load leaves the built-in rules in force, with a note.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/common.h"
#include "gatehouse/gatehouse.h"
#include "git/repo.h"
#include "content/scanrun.h"
#include "content/source.h"

#define SCAN_IGNORE ".gatehouse/ignore"

typedef struct {
	const gate_scan_opts *o;
	git_repository *repo;
	gate_matrix *m;
	gate_secrets *sec;
} scan_state;

/* ---- sources ------------------------------------------------------------------- */

/* "\r  gatehouse scan: 1234 of 41123 blobs (3%)", cleared when done. */
static void show_progress(size_t done, size_t total, unsigned long long bytes, void *payload)
{
	const gate_sink *err = payload;
	(void)bytes;
	if (done >= total)
		gate_sink_puts(err, "\r\033[K");
	else
		gate_sink_printf(err, "\r  gatehouse scan: %zu of %zu blobs (%zu%%)\033[K", done, total,
				 total ? done * 100 / total : 0);
	gate_sink_flush(err);
}

/* ---- driver ---------------------------------------------------------------------- */

/* The matrix of the repository around the current directory, if there is one. */
static void load_matrix_quietly(scan_state *st, char **ignore)
{
	char *trusted = NULL, *path = NULL, *file = NULL, *data = NULL;
	size_t len;
	git_oid id;

	*ignore = NULL;
	if (gate_repo_open(&st->repo) < 0) {
		st->repo = NULL;
		return;
	}
	if (gate_repo_config(&file, st->repo, "gatehouse.matrixFile") == 0 && file) {
		gate_matrix_load_file(&st->m, file, NULL);
		gate_free(file);
		return;
	}
	if (gate_repo_config(&path, st->repo, "gatehouse.matrixPath") < 0 ||
	    gate_repo_trusted_ref(&trusted, st->repo, NULL) < 0 ||
	    git_reference_name_to_id(&id, st->repo, trusted) < 0)
		goto out;
	if (gate_repo_read_file_at(&data, &len, st->repo, &id,
				   path ? path : "matrix/responsibility.yml", GATE_MATRIX_MAX_BYTES) == 0) {
		gate_buf label = GATE_BUF_INIT;
		gate_buf_printf(&label, "%s:%s", trusted, path ? path : "matrix/responsibility.yml");
		if (gate_matrix_load_buffer(&st->m, gate_buf_cstr(&label), data, len, NULL) < 0)
			gate_sink_printf(st->o->err, "gatehouse scan: %s (using the built-in defaults)\n",
					 gate_error_last());
		gate_buf_dispose(&label);
	}
	gate_repo_read_file_at(ignore, &len, st->repo, &id, SCAN_IGNORE, 1024 * 1024);
out:
	gate_free(data);
	gate_free(trusted);
	gate_free(path);
	git_error_clear();
	gate_error_clear();
}

/* $XDG_CACHE_HOME/gatehouse or ~/.cache/gatehouse: the compiled rules for the CLI. */
static const char *user_cache_dir(gate_buf *b)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		gate_buf_printf(b, "%s/gatehouse", xdg);
	else if (home && *home == '/')
		gate_buf_printf(b, "%s/.cache/gatehouse", home);
	if (!b->len || b->oom)
		return NULL;
	/* the parent must exist; the scanner makes the last level */
	if (!xdg) {
		gate_buf p = GATE_BUF_INIT;
		gate_buf_printf(&p, "%s/.cache", home);
		if (!p.oom)
			(void)mkdir(p.ptr, 0700);
		gate_buf_dispose(&p);
	}
	return b->ptr;
}


/*
 * The scanner for ST's matrix (or the built-in rules), compiled rules cached
 * in the user's cache directory.  A matrix that turns scanning off is noted
 * on ERR and its rules are used all the same: asking for a scan is asking.
 */
static int open_scanner(scan_state *st, const char *ignore, gate_buf *cache)
{
	int rc = gate_secrets_new(&st->sec, st->m, ignore, user_cache_dir(cache));

	if (rc == 0 && gate_secrets_disabled(st->sec)) {
		gate_sink_puts(st->o->err, "gatehouse scan: note: the matrix disables secret scanning; "
					   "scanning with its rules anyway\n");
		gate_secrets_free(st->sec);
		st->sec = NULL;
		rc = gate_secrets_new(&st->sec, NULL, ignore, gate_buf_cstr(cache));
	}
	return rc;
}

/* Lists and scans what ST->o names into REP. */
static int scan_sources(scan_state *st, gate_secret_report *rep)
{
	const gate_scan_opts *o = st->o;
	gate_source src = GATE_SOURCE_INIT;
	size_t i;
	int rc = 0;

	if (o->range)
		rc = gate_source_range(&src, st->repo, o->range);
	else if (o->staged)
		rc = gate_source_index(&src, st->repo);
	else if (!o->paths || !o->paths[0])
		rc = gate_source_files(&src, ".");
	else
		for (i = 0; rc == 0 && o->paths[i]; i++)
			rc = gate_source_files(&src, o->paths[i]);
	/* a long range shows where it is, on a terminal only */
	if (rc == 0 && (o->range || o->staged) && o->progress)
		gate_secrets_set_progress(st->sec, show_progress, (void *)o->err);
	if (rc == 0)
		rc = gate_secrets_scan(rep, st->sec, &src, st->repo, 0);
	gate_source_dispose(&src);
	return rc;
}

int gate_scan_run(gate_scan_result **out, const gate_scan_opts *o)
{
	gate_buf cache = GATE_BUF_INIT;
	gate_scan_result *r;
	scan_state st;
	char *ignore = NULL;
	size_t len;
	int rc = 0;

	*out = NULL;
	if (!(r = gate_calloc(1, sizeof(*r))))
		return GATE_ENOMEM;
	memset(&st, 0, sizeof(st));
	st.o = o;
	git_libgit2_init();
	load_matrix_quietly(&st, &ignore);
	if (!ignore && gate_read_file(&ignore, &len, SCAN_IGNORE, 1024 * 1024) < 0)
		ignore = NULL;
	gate_error_clear();
	if ((o->range || o->staged) && !st.repo)
		rc = gate_error_set(GATE_EINVAL, "--range and --staged need a git repository here");
	if (rc == 0)
		rc = open_scanner(&st, ignore, &cache);
	if (rc == 0)
		rc = scan_sources(&st, &r->rep);
	if (rc == 0 && !(r->engine = gate_strdup(gate_secrets_engine(st.sec))))
		rc = GATE_ENOMEM;
	if (rc == 0) {
		gate_secret_report_sort(&r->rep);
		*out = r;
	} else {
		gate_scan_result_free(r);
	}
	gate_secrets_free(st.sec);
	gate_free(ignore);
	gate_buf_dispose(&cache);
	gate_matrix_free(st.m);
	git_repository_free(st.repo);
	git_libgit2_shutdown();
	return rc;
}

void gate_scan_result_free(gate_scan_result *r)
{
	if (!r)
		return;
	gate_secret_report_dispose(&r->rep);
	gate_free(r->engine);
	gate_free(r);
}

size_t gate_scan_result_count(const gate_scan_result *r) { return r->rep.count; }
