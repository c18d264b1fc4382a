/*
 * The run's setup: who pushes, the push options, the repository and
 * gatehouse's git config, and the audit records a watchdog stop would leave.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/runstate.h"
#include "engine/watchdog.h"
#include "output/audit.h"
#include "git/repo.h"

/*
 * Push options (git push -o ...), as receive-pack passes them:
 * GIT_PUSH_OPTION_COUNT and GIT_PUSH_OPTION_<i>.  gatehouse reads
 * gatehouse.override=REASON; other options belong to other tools.
 */
static int read_push_options(run_state *st)
{
	const char *count = getenv("GIT_PUSH_OPTION_COUNT");
	long n = count && *count ? strtol(count, NULL, 10) : 0, i;

	for (i = 0; i < n && i < 1000; i++) {
		char name[48];
		const char *v;
		snprintf(name, sizeof(name), "GIT_PUSH_OPTION_%ld", i);
		v = getenv(name);
		if (!v || strncmp(v, "gatehouse.override", 18) || (v[18] && v[18] != '='))
			continue;
		st->override_requested = 1;
		gate_free(st->override_reason);
		st->override_reason = NULL;
		if (v[18] == '=') {
			const char *r = v + 19;
			size_t len;
			while (*r == ' ' || *r == '\t')
				r++;
			len = strnlen(r, 1000);
			while (len && (r[len - 1] == ' ' || r[len - 1] == '\t'))
				len--;
			if (len && !(st->override_reason = gate_strndup(r, len)))
				return GATE_ENOMEM;
		}
	}
	return 0;
}

/*
 * The audit records a watchdog stop leaves: every update rejected with
 * internal.watchdog, built now since the signal handler cannot build them
 * (see watchdog.h).  Without them a hung hook would leave no trace.
 */
static int watchdog_prepare(run_state *st)
{
	gate_audit_info info;
	gate_decision *ds;
	json_t **recs;
	size_t i, n = st->push.count;
	int rc = 0;

	memset(&info, 0, sizeof(info));
	info.repo = st->repo_path;
	info.hook = st->opts->hook;
	info.pusher = st->id.login[0] ? st->id.login : NULL;
	info.identity_source = st->id.source;
	info.error = GATE_WATCHDOG_REASON;
	for (i = 0; i < GATE_PHASES; i++)
		info.phase_ms[i] = -1;
	ds = gate_calloc(n ? n : 1, sizeof(*ds));
	recs = gate_calloc(n ? n : 1, sizeof(*recs));
	if (!ds || !recs)
		rc = GATE_ENOMEM;
	for (i = 0; rc == 0 && i < n; i++) {
		ds[i].update = &st->push.items[i];
		if ((rc = gate_decision_reject(&ds[i], "internal.watchdog", 0, 0, st->push.items[i].ref,
					       GATE_WATCHDOG_REASON, "a check that finishes in time",
					       "push again; if it is stopped again, show this message to "
					       "the server's admins")) < 0 ||
		    (rc = gate_audit_record(&recs[i], &info, &ds[i], NULL)) < 0 ||
		    (rc = json_object_set_new(recs[i], "time",
					      json_string(GATE_WATCHDOG_TIME_PLACEHOLDER)) < 0
				  ? GATE_ENOMEM
				  : 0) < 0)
			break;
	}
	if (rc == 0)
		rc = gate_watchdog_record(st->audit_path, st->audit_default, recs, n);
	for (i = 0; ds && recs && i < n; i++) {
		json_decref(recs[i]);
		gate_decision_dispose(&ds[i]);
	}
	gate_free(recs);
	gate_free(ds);
	return rc;
}

int gate_run_prepare(run_state *st)
{
	const char *cd;
	size_t len;
	int rc;

	if (st->opts->user) {
		size_t ulen = strlen(st->opts->user);
		if (ulen >= sizeof(st->id.login))
			return gate_run_fail(st, gate_error_set(GATE_EINVAL, "--user is too long"));
		memcpy(st->id.login, st->opts->user, ulen + 1);
		st->id.source = "--user";
	} else if ((rc = gate_identity_from_env(&st->id)) < 0) {
		return gate_run_fail(st, rc);
	}
	if ((rc = read_push_options(st)) < 0)
		return gate_run_fail(st, rc);
	if ((rc = gate_repo_open(&st->repo)) < 0)
		return gate_run_fail(st, rc);
	cd = git_repository_commondir(st->repo);
	len = strlen(cd);
	while (len > 1 && cd[len - 1] == '/')
		len--;
	if (!(st->repo_path = gate_strndup(cd, len)))
		return gate_run_fail(st, GATE_ENOMEM);
	if (!st->opts->dry_run) {
		char *wd = NULL;
		if (gate_repo_config(&wd, st->repo, "gatehouse.watchdogSeconds") == 0 && wd) {
			long secs = strtol(wd, NULL, 10);
			if (secs > 0 && secs <= 86400)
				gate_watchdog_arm((unsigned)secs);
		}
		gate_free(wd);
	}
	if ((rc = gate_repo_config(&st->matrix_file, st->repo, "gatehouse.matrixFile")) < 0 ||
	    (rc = gate_repo_config(&st->matrix_path, st->repo, "gatehouse.matrixPath")) < 0 ||
	    (rc = gate_repo_config(&st->audit_path, st->repo, "gatehouse.auditLog")) < 0)
		return gate_run_fail(st, rc);
	if (!st->matrix_path && !(st->matrix_path = gate_strdup(DEFAULT_MATRIX_PATH)))
		return gate_run_fail(st, GATE_ENOMEM);
	if (st->audit_path) {
		char *abs = gate_run_path(st, st->audit_path);
		gate_free(st->audit_path);
		st->audit_path = abs;
	} else {
		gate_buf b = GATE_BUF_INIT;
		gate_buf_printf(&b, "%s/gatehouse/audit.jsonl", st->repo_path);
		st->audit_path = b.oom ? NULL : gate_buf_detach(&b);
		st->audit_default = 1;
	}
	if (!st->audit_path)
		return gate_run_fail(st, GATE_ENOMEM);
	if (!st->opts->dry_run && (rc = watchdog_prepare(st)) < 0)
		return gate_run_fail(st, rc);
	if (!st->matrix_file) {
		char *configured = NULL;
		if (st->opts->trusted_ref)
			configured = gate_strdup(st->opts->trusted_ref);
		else if ((rc = gate_repo_config(&configured, st->repo, "gatehouse.trustedRef")) < 0)
			return gate_run_fail(st, rc);
		rc = gate_repo_trusted_ref(&st->trusted_ref, st->repo, configured);
		gate_free(configured);
		if (rc < 0)
			return gate_run_fail(st, rc);
	}
	return 0;
}
