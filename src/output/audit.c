/*
 * Writing audit records (see audit.h).
 *
 * Records are serialised with jansson, so pushed ref names with quotes,
 * newlines or invalid UTF-8 cannot break the JSON (invalid UTF-8 is made
 * visible as \xNN before encoding).  All records of one hook run go out in a
 * single write(2) on an O_APPEND descriptor: on a local filesystem the
 * kernel appends it whole, so concurrent pushes neither interleave nor lose
 * records, and a push's records are never half in the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output/audit.h"
#include "util/common.h"
#include "gatehouse/gatehouse.h"

void gate_audit_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}

#define jstr gate_json_string

static int set(json_t *o, const char *k, json_t *v)
{
	if (!v)
		return GATE_ENOMEM;
	return json_object_set_new(o, k, v) < 0 ? GATE_ENOMEM : 0;
}

const char *const gate_phase_names[GATE_PHASES] = {"objects", "matrix", "evidence",
						    "secrets_list", "secrets_scan"};

/* milliseconds, rounded to the microsecond */
static double ms3(double ms) { return (double)(long long)(ms * 1000) / 1000.0; }

/* The findings an override let onto D's ref (an array; empty when none). */
static json_t *overridden_findings(const gate_override_ledger *l, const gate_decision *d)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; a && l && i < l->count; i++) {
		const gate_override_rec *r = &l->items[i];
		char commit[GIT_OID_HEXSZ + 1], blob[GIT_OID_HEXSZ + 1];
		json_t *e;
		if (strcmp(r->ref, d->update->ref))
			continue;
		git_oid_tostr(commit, sizeof(commit), &r->commit);
		git_oid_tostr(blob, sizeof(blob), &r->blob);
		e = json_pack("{s:o,s:o,s:s,s:s,s:o}", "rule", gate_json_string(r->rule), "path",
			      gate_json_string(r->path), "commit", commit, "blob", blob, "fingerprint",
			      gate_json_string(r->fingerprint));
		if (!e || json_array_append_new(a, e) < 0) {
			json_decref(e);
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Who pushed where, and what the decision was about: the record's opening keys. */
static int add_who(json_t *o, const gate_audit_info *info)
{
	char time[40];
	int rc = 0;

	gate_audit_now(time, sizeof(time));
	rc |= set(o, "time", json_string(time));
	rc |= set(o, "repo", jstr(info->repo));
	rc |= set(o, "hook", jstr(info->hook));
	rc |= set(o, "pusher", jstr(info->pusher));
	rc |= set(o, "person", jstr(info->person));
	if (info->person) {
		json_t *roles = json_array();
		size_t k;
		rc |= roles ? 0 : -1;
		for (k = 0; roles && k < info->n_roles; k++)
			rc |= json_array_append_new(roles, jstr(info->roles[k]));
		if (roles)
			rc |= set(o, "roles", roles);
	}
	rc |= set(o, "identity_source", jstr(info->identity_source));
	return rc;
}

/* The ref update D judged, and its verdict. */
static int add_update(json_t *o, const gate_decision *d)
{
	const gate_update *u = d->update;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = 0;

	rc |= set(o, "ref", jstr(u->ref));
	git_oid_tostr(hex, sizeof(hex), &u->old_id);
	rc |= set(o, "old", json_string(hex));
	git_oid_tostr(hex, sizeof(hex), &u->new_id);
	rc |= set(o, "new", json_string(hex));
	rc |= set(o, "kind", json_string(gate_update_kind_name(u->kind)));
	rc |= set(o, "tag", json_boolean(u->is_tag));
	if (u->is_tag && u->kind != GATE_UPD_DELETE)
		rc |= set(o, "annotated", json_boolean(u->annotated));
	rc |= set(o, "verdict", json_string(d->verdict == GATE_ACCEPT ? "accepted" : "rejected"));
	return rc;
}

/* The matrix line a reason or warning came from ("LABEL:LINE"), or "built-in". */
static json_t *rule_at(const char *matrix_label, int line)
{
	char loc[1024];
	if (line <= 0 || !matrix_label)
		return json_string("built-in");
	snprintf(loc, sizeof(loc), "%s:%d", matrix_label, line);
	return jstr(loc);
}

/*
 * The N reasons (or warnings, without "missing") in R as an array under
 * KEY of O; a warning list is left out when empty, a reason list never.
 */
static int add_reasons(json_t *o, const char *key, const gate_reason *r, size_t n,
		       const char *matrix_label, int is_warning)
{
	json_t *list = json_array();
	size_t i;
	int rc = 0;

	if (!list)
		return -1;
	for (i = 0; i < n; i++) {
		json_t *jr = json_object();
		if (!jr || json_array_append_new(list, jr) < 0) {
			json_decref(jr);
			rc = GATE_ENOMEM;
			break;
		}
		rc |= set(jr, "id", json_string(r[i].check));
		rc |= set(jr, "rule", rule_at(matrix_label, r[i].line));
		rc |= set(jr, "subject", jstr(r[i].subject));
		rc |= set(jr, "found", jstr(r[i].found));
		if (!is_warning)
			rc |= set(jr, "missing", jstr(r[i].missing));
	}
	return rc | set(o, key, list);
}

/* The matrix rule that decided, where the matrix came from, and any error it had. */
static int add_matrix(json_t *o, const gate_audit_info *info, const gate_decision *d,
		      const char *matrix_label)
{
	json_t *matrix = json_object();
	int rc = 0;

	if (d->rule && matrix_label) {
		char loc[1024];
		snprintf(loc, sizeof(loc), "%s:%d", matrix_label, d->rule->loc.line);
		rc |= set(o, "rule", jstr(loc));
	} else {
		rc |= set(o, "rule", json_null());
	}
	if (!matrix)
		return -1;
	rc |= set(matrix, "source", jstr(info->matrix_source));
	rc |= set(matrix, "commit", jstr(info->matrix_commit));
	rc |= set(matrix, "bootstrap", json_boolean(info->bootstrap));
	rc |= set(o, "matrix", matrix);
	if (info->error) {
		rc |= set(o, "error", jstr(info->error));
		rc |= set(o, "on_error", json_string(info->error_allowed ? "allow" : "reject"));
	}
	if (info->objects_source) {
		json_t *objs = json_object();
		rc |= set(o, "push", objs);
		if (objs) {
			rc |= set(objs, "source", json_string(info->objects_source));
			rc |= set(objs, "new_objects", json_integer((json_int_t)info->new_objects));
			rc |= set(objs, "new_commits", json_integer((json_int_t)info->new_commits));
		}
	}
	return rc;
}

/* What the secret scan skipped: binary paths (capped) and large blobs. */
static int add_secrets_skipped(json_t *js, const gate_secret_report *sr)
{
	json_t *large = json_array();
	size_t k;
	int rc = 0;

	if (!large)
		return -1;
	if (sr->n_skipped_bin) {
		json_t *bin = json_array();
		rc |= set(js, "skipped_binary_paths", bin);
		for (k = 0; bin && k < sr->n_skipped_bin && k < GATE_AUDIT_MAX_PATHS; k++)
			rc |= json_array_append_new(bin, jstr(sr->skipped_bin[k].path)) ? -1 : 0;
	}
	for (k = 0; k < sr->n_skipped_large; k++) {
		json_t *e = json_object();
		if (!e || json_array_append_new(large, e) < 0) {
			json_decref(e);
			rc = GATE_ENOMEM;
			break;
		}
		rc |= set(e, "path", jstr(sr->skipped_large[k].path));
		rc |= set(e, "size", json_integer((json_int_t)sr->skipped_large[k].size));
	}
	return rc | set(js, "skipped_large", large);
}

/* The secret scan of the push, and how many of its findings are on D's ref. */
static int add_secrets(json_t *o, const gate_audit_info *info, const gate_decision *d)
{
	const gate_secret_report *sr = info->secrets;
	json_t *js = json_object();
	size_t k, mine = 0;
	int rc = set(o, "secrets", js);

	if (!js)
		return -1;
	for (k = 0; k < sr->count; k++)
		mine += sr->items[k].ref_index == (size_t)(d - info->decisions);
	rc |= set(js, "engine", jstr(info->secrets_engine));
	rc |= set(js, "scanned_blobs", json_integer((json_int_t)sr->scanned));
	rc |= set(js, "scanned_bytes", json_integer((json_int_t)sr->scanned_bytes));
	rc |= set(js, "skipped_binary", json_integer((json_int_t)sr->skipped_binary));
	rc |= set(js, "decoded_utf16", json_integer((json_int_t)sr->decoded_utf16));
	rc |= set(js, "binary_text_runs", json_integer((json_int_t)sr->binary_runs));
	rc |= add_secrets_skipped(js, sr);
	rc |= set(js, "findings_in_push", json_integer((json_int_t)sr->count));
	rc |= set(js, "findings_on_ref", json_integer((json_int_t)mine));
	rc |= set(js, "ms", json_real(ms3(sr->ms)));
	return rc;
}

/* The break-glass override the pusher asked for, and what it let through on D's ref. */
static int add_override(json_t *o, const gate_audit_info *info, const gate_decision *d)
{
	json_t *ov = json_object();
	int rc = set(o, "override", ov);

	if (!ov)
		return -1;
	rc |= set(ov, "requested_by", jstr(info->pusher));
	rc |= set(ov, "reason", jstr(info->override_reason));
	rc |= set(ov, "applied", json_boolean(d->overridden != NULL));
	rc |= set(ov, "checks_skipped", jstr(d->overridden));
	rc |= set(ov, "findings", overridden_findings(info->overridden, d));
	return rc;
}

/* What the hosting platform says about the push (Gitea PR merges, GitLab ids), if anything. */
static int add_platform(json_t *o)
{
	static const char *const vars[] = { "GITEA_PR_ID", "GITEA_INTERNAL_PUSH", "GITEA_PUSHER_EMAIL",
					    "GITEA_REPO_USER_NAME", "GITEA_REPO_NAME", "GL_ID",
					    "GL_PROTOCOL", "GL_REPOSITORY", "GITHUB_REPO_NAME",
					    "GITHUB_VIA", NULL };
	json_t *pf = NULL;
	size_t k;
	int rc = 0;

	for (k = 0; vars[k]; k++) {
		const char *v = getenv(vars[k]);
		if (!v || !*v)
			continue;
		if (!pf && !(pf = json_object())) {
			rc = GATE_ENOMEM;
			break;
		}
		rc |= set(pf, vars[k], jstr(v));
	}
	if (pf)
		rc |= set(o, "platform", pf);
	return rc;
}

/* The version that decided, and how long the run and each of its phases took. */
static int add_timing(json_t *o, const gate_audit_info *info)
{
	json_t *ph = json_object();
	size_t k;
	int rc = 0;

	rc |= set(o, "version", json_string(GATEHOUSE_VERSION));
	rc |= set(o, "duration_ms", json_real(ms3(info->duration_ms)));
	rc |= ph ? 0 : -1;
	for (k = 0; ph && k < GATE_PHASES; k++)
		if (info->phase_ms[k] >= 0)
			rc |= set(ph, gate_phase_names[k], json_real(ms3(info->phase_ms[k])));
	if (ph)
		rc |= set(o, "phases_ms", ph);
	return rc;
}

int gate_audit_record(json_t **out, const gate_audit_info *info, const gate_decision *d,
		      const char *matrix_label)
{
	json_t *o = json_object();
	int rc;

	*out = NULL;
	if (!o)
		return gate_error_oom();
	rc = add_who(o, info);
	rc |= add_update(o, d);
	rc |= add_reasons(o, "reasons", d->reasons, d->n_reasons, matrix_label, 0);
	if (d->n_warnings)
		rc |= add_reasons(o, "warnings", d->warnings, d->n_warnings, matrix_label, 1);
	if (d->n_suppressed)
		rc |= set(o, "reasons_not_listed", json_integer((json_int_t)d->n_suppressed));
	rc |= add_matrix(o, info, d, matrix_label);
	if (info->secrets)
		rc |= add_secrets(o, info, d);
	if (info->override_requested)
		rc |= add_override(o, info, d);
	rc |= add_platform(o);
	rc |= add_timing(o, info);
	if (rc) {
		json_decref(o);
		return gate_error_oom();
	}
	*out = o;
	return 0;
}

/* Redacts R's secrets in the JSON string V, in place. */
static int redact_value(json_t *v, gate_redactions *r)
{
	const char *str = json_string_value(v);
	size_t len = json_string_length(v);
	gate_buf b = GATE_BUF_INIT;
	int rc;

	if (!str || !gate_redact_needed(r, str, len))
		return 0;
	if ((rc = gate_redact_put(&b, r, str, len)) == 0 &&
	    json_string_setn(v, gate_buf_cstr(&b), b.len) < 0)
		rc = gate_error_oom();
	gate_buf_dispose(&b);
	return rc;
}

int gate_audit_redact(json_t *rec, gate_redactions *r)
{
	void *it;
	size_t i;
	int rc = 0;

	if (!r->n)
		return 0;
	if (json_is_string(rec))
		return redact_value(rec, r);
	for (i = 0; json_is_array(rec) && i < json_array_size(rec) && rc == 0; i++)
		rc = gate_audit_redact(json_array_get(rec, i), r);
	for (it = json_is_object(rec) ? json_object_iter(rec) : NULL; it && rc == 0;
	     it = json_object_iter_next(rec, it))
		rc = gate_audit_redact(json_object_iter_value(it), r);
	return rc;
}

static int ensure_dir(const char *path)
{
	char *copy = gate_strdup(path), *dir;
	int rc = 0;
	if (!copy)
		return GATE_ENOMEM;
	dir = dirname(copy);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		rc = gate_error_set(GATE_EIO, "cannot create %s: %s", dir, strerror(errno));
	gate_free(copy);
	return rc;
}

int gate_audit_append(const char *path, json_t *const *records, size_t n, int mkdir_parent)
{
	gate_buf b = GATE_BUF_INIT;
	struct stat st;
	size_t i, off = 0;
	int fd, rc = 0;

	if (n == 0)
		return 0;
	if (mkdir_parent && (rc = ensure_dir(path)) < 0)
		return rc;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
	if (fd < 0)
		return gate_error_set(GATE_EIO, "cannot open audit log %s: %s", path, strerror(errno));
	/*
	 * A previous writer that hit a full disk may have left a torn line;
	 * start on a fresh line so our records stay parseable.
	 */
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		char last;
		if (pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
			gate_buf_puts(&b, "\n");
	}
	for (i = 0; i < n; i++) {
		char *s = json_dumps(records[i], JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
		if (!s) {
			rc = gate_error_oom();
			goto out;
		}
		gate_buf_puts(&b, s);
		gate_buf_puts(&b, "\n");
		free(s);
	}
	if (b.oom) {
		rc = GATE_ENOMEM;
		goto out;
	}
	while (off < b.len) {
		ssize_t w = write(fd, b.ptr + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = gate_error_set(GATE_EIO, "cannot write audit log %s: %s", path,
					    strerror(errno));
			goto out;
		}
		if ((size_t)w != b.len - off) {
			rc = gate_error_set(GATE_EIO, "short write to audit log %s (disk full?)", path);
			goto out;
		}
		off += (size_t)w;
	}
out:
	if (close(fd) < 0 && rc == 0)
		rc = gate_error_set(GATE_EIO, "cannot close audit log %s: %s", path, strerror(errno));
	gate_buf_dispose(&b);
	return rc;
}
