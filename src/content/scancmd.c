/*
 * `gatehouse scan` (see gatehouse/run.h): the same scanner the hooks run,
 * over files, a commit range or the staged index, for CI and incident
 * response ("did this secret ever enter history?"), with text, JSON and
 * SARIF 2.1.0 output.
 */
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/json.h"
#include "util/common.h"
#include "gatehouse/gatehouse.h"
#include "git/repo.h"
#include "content/secrets.h"
#include "content/source.h"

#define SCAN_IGNORE ".gatehouse/ignore"

typedef struct {
	const gate_scan_opts *o;
	git_repository *repo;
	gate_matrix *m;
	gate_secrets *sec;
	gate_secret_report rep;
} scan_state;

/* ---- sources ------------------------------------------------------------------- */

/* "\r  gatehouse scan: 1234 of 41123 blobs (3%)", cleared when done. */
static void show_progress(size_t done, size_t total, unsigned long long bytes, void *payload)
{
	FILE *err = payload;
	(void)bytes;
	if (done >= total)
		fputs("\r\033[K", err);
	else
		fprintf(err, "\r  gatehouse scan: %zu of %zu blobs (%zu%%)\033[K", done, total,
			total ? done * 100 / total : 0);
	fflush(err);
}

/* ---- output ---------------------------------------------------------------------- */

/* Each binary blob with no text in it, one line each after PREFIX, escaped. */
static void print_skipped_bin(const gate_secret_report *r, FILE *err, const char *prefix)
{
	size_t i;
	for (i = 0; i < r->n_skipped_bin; i++) {
		gate_buf b = GATE_BUF_INIT;
		gate_buf_put_escaped(&b, r->skipped_bin[i].path, strlen(r->skipped_bin[i].path));
		fprintf(err, "%s%s (%zu bytes)\n", prefix, gate_buf_cstr(&b), r->skipped_bin[i].size);
		gate_buf_dispose(&b);
	}
}

static void print_text(const scan_state *st, FILE *out)
{
	size_t i;
	for (i = 0; i < st->rep.count; i++) {
		const gate_secret_finding *f = &st->rep.items[i];
		gate_buf b = GATE_BUF_INIT;
		char hex[GIT_OID_HEXSZ + 1];
		gate_buf_put_escaped(&b, *f->path ? f->path : "(no path)", strlen(*f->path ? f->path : "(no path)"));
		gate_buf_printf(&b, ":%zu:%zu: secret.%s %s: %s", f->line, f->column, f->rule_id,
				f->description ? f->description : "", f->redacted);
		if (!git_oid_is_zero(&f->commit)) {
			git_oid_tostr(hex, 11, &f->commit);
			gate_buf_printf(&b, " (commit %s)", hex);
		}
		gate_buf_printf(&b, "\n    fingerprint: %s\n", f->fingerprint);
		fputs(gate_buf_cstr(&b), out);
		gate_buf_dispose(&b);
	}
}

static json_t *finding_json(const gate_secret_finding *f)
{
	char hex[GIT_OID_HEXSZ + 1];
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "rule", json_string(f->rule_id));
	json_object_set_new(o, "description", f->description ? json_string(f->description) : json_null());
	json_object_set_new(o, "path", gate_json_string(f->path));
	json_object_set_new(o, "line", json_integer((json_int_t)f->line));
	json_object_set_new(o, "column", json_integer((json_int_t)f->column));
	if (git_oid_is_zero(&f->commit)) {
		json_object_set_new(o, "commit", json_null());
	} else {
		git_oid_tostr(hex, sizeof(hex), &f->commit);
		json_object_set_new(o, "commit", json_string(hex));
	}
	json_object_set_new(o, "secret", json_string(f->redacted));
	json_object_set_new(o, "fingerprint", gate_json_string(f->fingerprint));
	return o;
}

static json_t *sarif(const scan_state *st)
{
	json_t *root = json_object(), *runs = json_array(), *run = json_object(), *tool = json_object(),
	       *driver = json_object(), *rules = json_array(), *results = json_array();
	size_t i, j;

	json_object_set_new(root, "version", json_string("2.1.0"));
	json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(driver, "name", json_string("gatehouse"));
	json_object_set_new(driver, "version", json_string(GATEHOUSE_VERSION));
	for (i = 0; i < st->rep.count; i++) {
		const gate_secret_finding *f = &st->rep.items[i];
		json_t *r, *loc, *phys, *art, *region, *locs, *fps, *msg;
		char id[100];
		int seen = 0;
		snprintf(id, sizeof(id), "secret.%s", f->rule_id);
		for (j = 0; j < i; j++)
			seen |= !strcmp(st->rep.items[j].rule_id, f->rule_id);
		if (!seen) {
			json_t *rule = json_object(), *sd = json_object(), *props = json_object(),
			       *tags = json_array(), *conf = json_object();
			json_object_set_new(rule, "id", json_string(id));
			json_object_set_new(rule, "name", json_string(f->rule_id));
			json_object_set_new(sd, "text", json_string(f->description ? f->description : f->rule_id));
			json_object_set_new(rule, "shortDescription", sd);
			json_object_set_new(conf, "level", json_string("error"));
			json_object_set_new(rule, "defaultConfiguration", conf);
			json_array_append_new(tags, json_string("security"));
			json_array_append_new(tags, json_string("secret"));
			json_object_set_new(props, "tags", tags);
			json_object_set_new(props, "security-severity", json_string("9.0"));
			json_object_set_new(rule, "properties", props);
			json_array_append_new(rules, rule);
		}
		r = json_object();
		msg = json_object();
		json_object_set_new(r, "ruleId", json_string(id));
		json_object_set_new(r, "level", json_string("error"));
		{
			char text[400];
			snprintf(text, sizeof(text), "%s: %s", f->description ? f->description : f->rule_id,
				 f->redacted);
			json_object_set_new(msg, "text", json_string(text));
		}
		json_object_set_new(r, "message", msg);
		loc = json_object();
		phys = json_object();
		art = json_object();
		region = json_object();
		json_object_set_new(art, "uri", gate_json_string(*f->path ? f->path : "unknown"));
		json_object_set_new(region, "startLine", json_integer((json_int_t)(f->line ? f->line : 1)));
		json_object_set_new(region, "startColumn", json_integer((json_int_t)(f->column ? f->column : 1)));
		json_object_set_new(phys, "artifactLocation", art);
		json_object_set_new(phys, "region", region);
		json_object_set_new(loc, "physicalLocation", phys);
		locs = json_array();
		json_array_append_new(locs, loc);
		json_object_set_new(r, "locations", locs);
		fps = json_object();
		json_object_set_new(fps, "gatehouse/v1", gate_json_string(f->fingerprint));
		json_object_set_new(r, "partialFingerprints", fps);
		if (!git_oid_is_zero(&f->commit)) {
			char hex[GIT_OID_HEXSZ + 1];
			json_t *props = json_object();
			git_oid_tostr(hex, sizeof(hex), &f->commit);
			json_object_set_new(props, "commit", json_string(hex));
			json_object_set_new(r, "properties", props);
		}
		json_array_append_new(results, r);
	}
	json_object_set_new(driver, "rules", rules);
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);
	json_object_set_new(run, "results", results);
	json_array_append_new(runs, run);
	json_object_set_new(root, "runs", runs);
	return root;
}

static int print_json(const scan_state *st, FILE *out)
{
	json_t *doc;
	char *s;
	size_t i;

	if (st->o->format == GATE_SCAN_SARIF) {
		doc = sarif(st);
	} else {
		doc = json_array();
		for (i = 0; doc && i < st->rep.count; i++)
			json_array_append_new(doc, finding_json(&st->rep.items[i]));
	}
	s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	json_decref(doc);
	if (!s)
		return gate_error_oom();
	fputs(s, out);
	fputc('\n', out);
	free(s);
	return 0;
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
			fprintf(st->o->err, "gatehouse scan: %s (using the built-in defaults)\n",
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

int gate_run_scan(const gate_scan_opts *o)
{
	gate_buf cache = GATE_BUF_INIT;
	scan_state st;
	gate_source src = GATE_SOURCE_INIT;
	char *ignore = NULL;
	size_t len, i;
	int rc = 0, status;

	memset(&st, 0, sizeof(st));
	st.o = o;
	git_libgit2_init();
	load_matrix_quietly(&st, &ignore);
	if (!ignore && gate_read_file(&ignore, &len, SCAN_IGNORE, 1024 * 1024) < 0)
		ignore = NULL;
	gate_error_clear();
	if ((o->range || o->staged) && !st.repo) {
		fprintf(o->err, "gatehouse scan: --range and --staged need a git repository here\n");
		status = GATE_EXIT_USAGE;
		goto out;
	}
	rc = gate_secrets_new(&st.sec, st.m, ignore, user_cache_dir(&cache));
	if (rc == 0 && gate_secrets_disabled(st.sec))
		fprintf(o->err, "gatehouse scan: note: the matrix disables secret scanning; scanning "
				"with its rules anyway\n");
	if (rc == 0 && gate_secrets_disabled(st.sec)) {
		gate_secrets_free(st.sec);
		st.sec = NULL;
		rc = gate_secrets_new(&st.sec, NULL, ignore, gate_buf_cstr(&cache));
	}
	if (rc == 0 && o->range)
		rc = gate_source_range(&src, st.repo, o->range);
	else if (rc == 0 && o->staged)
		rc = gate_source_index(&src, st.repo);
	else if (rc == 0 && (!o->paths || !o->paths[0]))
		rc = gate_source_files(&src, ".");
	else
		for (i = 0; rc == 0 && o->paths[i]; i++)
			rc = gate_source_files(&src, o->paths[i]);
	/* a long range shows where it is, on a terminal only */
	if (rc == 0 && (o->range || o->staged) && isatty(fileno(o->err)))
		gate_secrets_set_progress(st.sec, show_progress, o->err);
	if (rc == 0)
		rc = gate_secrets_scan(&st.rep, st.sec, &src, st.repo, 0);
	if (rc < 0) {
		fprintf(o->err, "gatehouse scan: %s\n", gate_error_last());
		status = GATE_EXIT_USAGE;
		goto out;
	}
	gate_secret_report_sort(&st.rep);
	if (o->format == GATE_SCAN_TEXT)
		print_text(&st, o->out);
	else if (print_json(&st, o->out) < 0) {
		status = GATE_EXIT_USAGE;
		goto out;
	}
	if (o->pre_commit) {
		if (st.rep.count)
			fprintf(o->err,
				"gatehouse: commit stopped: %zu secret%s in the staged changes.\n"
				"  Remove %s from the file%s and 'git add' again (rotate it if it ever left "
				"your machine).\n"
				"  A false positive? Add 'gatehouse:allow' in a comment on that line, or its "
				"fingerprint to .gatehouse/ignore.\n",
				st.rep.count, st.rep.count == 1 ? "" : "s", st.rep.count == 1 ? "it" : "them",
				st.rep.count == 1 ? "" : "s");
		for (i = 0; i < st.rep.n_skipped_large; i++)
			fprintf(o->err, "gatehouse: note: %s (%zu bytes) is over max_blob_bytes and was not "
					"scanned\n", st.rep.skipped_large[i].path, st.rep.skipped_large[i].size);
		print_skipped_bin(&st.rep, o->err, "gatehouse: note: binary, no text in it, not scanned: ");
		status = st.rep.count ? GATE_EXIT_REJECTED : GATE_EXIT_OK;
		goto out;
	}
	fprintf(o->err, "gatehouse scan: %zu finding%s; %zu blob%s (%zu bytes) scanned with %s",
		st.rep.count, st.rep.count == 1 ? "" : "s", st.rep.scanned, st.rep.scanned == 1 ? "" : "s",
		st.rep.scanned_bytes, gate_secrets_engine(st.sec));
	if (st.rep.skipped_binary)
		fprintf(o->err, "; %zu binary with no text in it NOT scanned", st.rep.skipped_binary);
	if (st.rep.n_skipped_large)
		fprintf(o->err, "; %zu over max_blob_bytes NOT scanned", st.rep.n_skipped_large);
	fputc('\n', o->err);
	for (i = 0; i < st.rep.n_skipped_large; i++)
		fprintf(o->err, "  not scanned (too large): %s (%zu bytes)\n", st.rep.skipped_large[i].path,
			st.rep.skipped_large[i].size);
	print_skipped_bin(&st.rep, o->err, "  not scanned (binary, no text in it): ");
	status = st.rep.count ? GATE_EXIT_REJECTED : GATE_EXIT_OK;
out:
	gate_source_dispose(&src);
	gate_secret_report_dispose(&st.rep);
	gate_secrets_free(st.sec);
	gate_free(ignore);
	gate_buf_dispose(&cache);
	gate_matrix_free(st.m);
	git_repository_free(st.repo);
	git_libgit2_shutdown();
	return status;
}
