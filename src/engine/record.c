/*
 * The run's record: one audit record per ref update (redacted, then shipped
 * to syslog and the metrics file when the matrix asks), and the late
 * redaction scan of text a push decided early still names.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/runstate.h"
#include "output/audit.h"
#include "output/export.h"
#include "content/textscan.h"

/*
 * A push decided before its text was scanned (over a limit, an internal
 * error) still names its refs, and perhaps its paths, in the records and
 * the message: then what is about to leave (TEXT, LEN bytes) goes through
 * the scanner for the redactions only.  Best effort: the run is decided.
 */
void gate_run_redact_scan(run_state *st, const char *text, size_t len)
{
	gate_text_batch *b = NULL;
	gate_text_origin o;

	if (st->names_scanned || st->opts->no_secrets || !st->repo || !st->repo_path)
		return;
	if (!st->late_sec && gate_run_open_secrets(st, &st->late_sec) < 0) {
		st->names_scanned = 1; /* no policy to scan with: do not try again */
		gate_error_clear();
		return;
	}
	memset(&o, 0, sizeof(o));
	o.where = GATE_SECRET_IN_REF_NAME;
	o.redact_only = 1;
	if (gate_secrets_text_begin(&b, st->late_sec, NULL, &st->redact) < 0 ||
	    gate_secrets_text_add(b, &o, text, len) < 0)
		gate_secrets_text_abort(b);
	else
		gate_secrets_text_finish(b);
	gate_error_clear();
}

int gate_run_audit(run_state *st, int allowed)
{
	gate_audit_info info;
	json_t **recs;
	const char *roles[64];
	size_t i, n = 0, n_roles = 0;
	int rc = 0;

	memset(&info, 0, sizeof(info));
	info.repo = st->repo_path;
	info.decisions = st->ds;
	info.hook = st->opts->hook;
	info.pusher = st->id.login[0] ? st->id.login : NULL;
	info.identity_source = st->id.source;
	if (st->m) {
		long p = gate_matrix_person_by_login(st->m, st->id.login);
		info.person = p >= 0 ? st->m->people[p].id : NULL;
		for (i = 0; p >= 0 && i < st->m->n_roles && n_roles < GATE_ARRAY_SIZE(roles); i++)
			if (gate_matrix_in_role(st->m, p, i))
				roles[n_roles++] = st->m->roles[i].id;
		info.roles = roles;
		info.n_roles = n_roles;
		info.matrix_source = gate_matrix_label(st->m);
	}
	info.matrix_commit = st->has_matrix_commit ? st->matrix_commit : NULL;
	info.bootstrap = st->bootstrap;
	info.error = st->failed ? gate_run_error_text(st) : NULL;
	info.error_allowed = allowed;
	if (st->have_newobjs) {
		info.objects_source =
			st->newobjs.source == GATE_NEW_FROM_QUARANTINE ? "quarantine" : "walk";
		info.new_objects = st->newobjs.n_objects;
		info.new_commits = st->newobjs.n_commits;
	}
	if (st->secrets_ran) {
		info.secrets = &st->secrets;
		info.secrets_engine = st->secrets_engine;
	}
	if (st->override_requested) {
		info.override_requested = 1;
		info.override_reason = st->override_reason;
		info.overridden = &st->granted;
	}
	info.duration_ms = gate_now_ms() - st->t0;
	memcpy(info.phase_ms, st->phase_ms, sizeof(info.phase_ms));

	recs = gate_calloc(st->n_ds ? st->n_ds : 1, sizeof(*recs));
	if (!recs)
		return GATE_ENOMEM;
	for (i = 0; i < st->n_ds; i++, n++) {
		if ((rc = gate_audit_record(&recs[i], &info, &st->ds[i],
					    st->m ? gate_matrix_label(st->m) : NULL)) < 0)
			break;
		if (!st->names_scanned) {
			char *text = json_dumps(recs[i], JSON_COMPACT);
			if (text)
				gate_run_redact_scan(st, text, strlen(text));
			free(text); /* jansson's allocator */
		}
		if ((rc = gate_audit_redact(recs[i], &st->redact)) < 0)
			break;
	}
	if (rc == 0)
		rc = gate_audit_append(st->audit_path, recs, n, st->audit_default);
	/* best effort: the audit log is the record; these only ship it */
	if (rc == 0 && st->m && st->m->settings.syslog)
		gate_export_syslog(recs, n);
	if (rc == 0 && st->m && st->m->settings.metrics_file) {
		char *path = gate_run_path(st, st->m->settings.metrics_file);
		if (path)
			gate_export_metrics(path, recs, n, info.duration_ms / 1000.0);
		gate_free(path);
		gate_error_clear();
	}
	for (i = 0; i < n; i++)
		json_decref(recs[i]);
	gate_free(recs);
	return rc;
}
