/*
 * The hook driver (see gatehouse/run.h): one pass from raw hook input to
 * verdict, audit record and message.
 *
 * Order matters for the trust model.  The matrix is read from the trusted
 * ref *before* any decision, through the ref as it stands while the hook
 * runs (pre-receive: before the push moves anything), never from the pushed
 * commits, except to bootstrap a repository whose trusted ref has no matrix
 * yet.  The audit record is written before the verdict is announced, and a
 * failure anywhere becomes a rejection unless settings.on_error says allow.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/audit.h"
#include "git/commits.h"
#include "util/common.h"
#include "engine/decide.h"
#include "evidence/evidence.h"
#include "matrix/expect.h"
#include "output/export.h"
#include "matrix/mdiff.h"
#include "engine/explain.h"
#include "content/secrets.h"
#include "gatehouse/gatehouse.h"
#include "engine/identity.h"
#include "git/newobjs.h"
#include "engine/overrides.h"
#include "content/policies.h"
#include "content/policy_input.h"
#include "git/push.h"
#include "git/pushrec.h"
#include "content/redact.h"
#include "git/repo.h"
#include "output/report.h"
#include "content/textscan.h"
#include "engine/watchdog.h"

#define DEFAULT_MATRIX_PATH "matrix/responsibility.yml"

typedef struct {
	const gate_run_opts *opts;
	double t0;
	git_repository *repo;
	char *repo_path;
	gate_identity id;
	char *trusted_ref, *matrix_path, *matrix_file, *audit_path;
	gate_matrix *m;
	char *pushed_error;
	gate_newobjs newobjs;
	gate_redactions redact;     /* secrets in ref names, paths, messages: never printed whole */
	gate_secret_report secrets;
	gate_secrets *late_sec;     /* for a push decided before that (see redact_scan) */
	long person;                /* the pusher in the matrix, or -1 */
	char *override_reason;      /* push option gatehouse.override=REASON */
	double deadline;            /* monotonic ms; 0: no time budget */
	gate_buf error; /* the internal error that decided the push, if any */
	gate_push push;
	gate_decision *ds;
	size_t n_ds;
	double phase_ms[GATE_PHASES]; /* -1: the stage did not run */
	gate_limits default_limits;   /* in force without a matrix */
	gate_blob_jobs jobs;          /* the new files (kept for the external policy) */
	char *matrix_text;            /* the trusted matrix's YAML (external policy input) */
	char *matrix_diff;            /* what a pushed matrix change grants and revokes */
	size_t matrix_len;
	gate_override_ledger ledger;  /* findings earlier overrides let onto other refs */
	gate_override_ledger granted; /* findings this push's override lets onto its refs */
	char **ext_argv;              /* the server's command for policies.external.use */
	const char *remote_prefix;    /* pre-push: "refs/remotes/REMOTE/", what the remote has */
	gate_pushed_matrix pushed;
	int audit_default;
	int has_matrix_commit, bootstrap, unprotected;
	int have_newobjs;
	int secrets_ran;
	int names_scanned;          /* ref names, paths and messages went through the scanner */
	int override_requested, override_applied;
	unsigned budget_ms;
	int failed; /* an internal error decided the run, even if its text could not be kept */
	int cap_reached; /* the error was a bound the push reached (GATE_ELIMIT, not the time budget) */
	int over_limit;               /* rejected whole for settings.limits */
	int update_hook;              /* one ref of a push, after earlier refs moved */
	int local;                    /* pre-push: a developer's clone, not the server */
	int refused;                  /* some update is refused on permissions: the push fails */
	char matrix_commit[GIT_OID_HEXSZ + 1];
	char secrets_engine[96];
} run_state;

/* Records the current last error as the run's error (first one wins). */
static int fail(run_state *st, int rc)
{
	/* a bound the push reached (not the time budget) is no internal error: on_error cannot allow it */
	if (rc == GATE_ELIMIT && !(st->deadline > 0 && gate_now_ms() > st->deadline))
		st->cap_reached = 1;
	if (!st->failed)
		gate_buf_puts(&st->error, *gate_error_last() ? gate_error_last() : gate_strerror(rc));
	st->failed = 1; /* set even when the text above ran out of memory: never fail open */
	return rc;
}

/* The run's error text, with a fallback that needs no memory. */
static const char *error_text(const run_state *st)
{
	return st->error.len ? gate_buf_cstr(&st->error) : "out of memory";
}

static int fail_diags(run_state *st, int rc, const char *what, const gate_diags *diags)
{
	size_t i;
	if (st->failed)
		return rc;
	if (!diags->count)
		return fail(st, rc);
	st->failed = 1;
	gate_buf_printf(&st->error, "%s does not load:", what);
	for (i = 0; i < diags->count; i++)
		gate_buf_printf(&st->error, "\n    %s", diags->items[i].text);
	return rc;
}

/* An absolute path, or PATH relative to the repository directory. */
static char *repo_relative(run_state *st, const char *path)
{
	gate_buf b = GATE_BUF_INIT;
	if (path[0] != '/')
		gate_buf_printf(&b, "%s/", st->repo_path);
	gate_buf_puts(&b, path);
	return b.oom ? NULL : gate_buf_detach(&b);
}

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

static int prepare(run_state *st)
{
	const char *cd;
	size_t len;
	int rc;

	if (st->opts->user) {
		size_t ulen = strlen(st->opts->user);
		if (ulen >= sizeof(st->id.login))
			return fail(st, gate_error_set(GATE_EINVAL, "--user is too long"));
		memcpy(st->id.login, st->opts->user, ulen + 1);
		st->id.source = "--user";
	} else if ((rc = gate_identity_from_env(&st->id)) < 0) {
		return fail(st, rc);
	}
	if ((rc = read_push_options(st)) < 0)
		return fail(st, rc);
	if ((rc = gate_repo_open(&st->repo)) < 0)
		return fail(st, rc);
	cd = git_repository_commondir(st->repo);
	len = strlen(cd);
	while (len > 1 && cd[len - 1] == '/')
		len--;
	if (!(st->repo_path = gate_strndup(cd, len)))
		return fail(st, GATE_ENOMEM);
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
		return fail(st, rc);
	if (!st->matrix_path && !(st->matrix_path = gate_strdup(DEFAULT_MATRIX_PATH)))
		return fail(st, GATE_ENOMEM);
	if (st->audit_path) {
		char *abs = repo_relative(st, st->audit_path);
		gate_free(st->audit_path);
		st->audit_path = abs;
	} else {
		gate_buf b = GATE_BUF_INIT;
		gate_buf_printf(&b, "%s/gatehouse/audit.jsonl", st->repo_path);
		st->audit_path = b.oom ? NULL : gate_buf_detach(&b);
		st->audit_default = 1;
	}
	if (!st->audit_path)
		return fail(st, GATE_ENOMEM);
	if (!st->opts->dry_run && (rc = watchdog_prepare(st)) < 0)
		return fail(st, rc);
	if (!st->matrix_file) {
		char *configured = NULL;
		if (st->opts->trusted_ref)
			configured = gate_strdup(st->opts->trusted_ref);
		else if ((rc = gate_repo_config(&configured, st->repo, "gatehouse.trustedRef")) < 0)
			return fail(st, rc);
		rc = gate_repo_trusted_ref(&st->trusted_ref, st->repo, configured);
		gate_free(configured);
		if (rc < 0)
			return fail(st, rc);
	}
	return 0;
}

/*
 * The command the server defines for the external policy matrix M names:
 * *ARGV (NULL when M names none).  When the server defines no such policy,
 * or not usably, *WHY is a new message for matrix.invalid and 0 is
 * returned; other errors are returned.  Checked only where the external
 * policy runs (not in pre-push, which runs none and cannot see the
 * server's config).
 */
static int external_resolve(run_state *st, const gate_matrix *m, char ***argv, char **why)
{
	const char *name = m->policies.external_use;
	gate_buf b = GATE_BUF_INIT;
	int rc;

	*argv = NULL;
	*why = NULL;
	if (!name || st->opts->no_secrets)
		return 0;
	rc = gate_policies_external_argv(argv, st->repo, name);
	if (rc != GATE_ENOTFOUND && rc != GATE_ECONFIG)
		return rc;
	if (rc == GATE_ENOTFOUND)
		gate_buf_printf(&b, "policies.external.use names '%s', a policy this server does not "
				    "define: its admin defines it with git config "
				    "gatehouse.externalPolicy.%s.command '/usr/local/bin/opa eval ...' "
				    "(an absolute path, then arguments split on blanks)", name, name);
	else
		gate_buf_printf(&b, "policies.external.use names '%s', whose command on this server is "
				    "unusable: %s", name, gate_error_last());
	gate_error_clear();
	*why = b.oom ? NULL : gate_buf_detach(&b);
	gate_buf_dispose(&b);
	return *why ? 0 : GATE_ENOMEM;
}

/*
 * The trusted matrix names an external policy the server does not define:
 * every update is rejected as matrix.invalid (fail closed, whatever
 * on_error says: the matrix asks for a check nobody can run).
 */
static int check_external_defined(run_state *st)
{
	const gate_policies_cfg *p = &st->m->policies;
	char *why = NULL;
	size_t i;
	int rc;

	if ((rc = external_resolve(st, st->m, &st->ext_argv, &why)) < 0 || !why)
		return rc;
	for (i = 0; rc == 0 && i < st->n_ds; i++)
		rc = gate_decision_reject(&st->ds[i], "matrix.invalid", p->external_use_loc.line,
					  p->external_use_loc.col, gate_matrix_label(st->m), why,
					  "every policy the matrix names defined in the server's git config",
					  "ask the server's admin to define it (the git config line above), or "
					  "have the matrix owners remove policies.external");
	gate_free(why);
	return rc;
}

/* Loads the matrix a push to the trusted ref would leave behind. */
static int check_pushed_matrix(run_state *st, const gate_update *u, gate_matrix **valid)
{
	gate_diags diags = GATE_DIAGS_INIT;
	gate_buf label = GATE_BUF_INIT;
	char *data = NULL;
	size_t len;
	int rc;

	*valid = NULL;
	rc = gate_repo_read_file_at(&data, &len, st->repo, &u->new_id, st->matrix_path,
				    GATE_MATRIX_MAX_BYTES);
	if (rc == GATE_ENOTFOUND) {
		st->pushed = GATE_PUSHED_MATRIX_MISSING;
		gate_error_clear();
		return 0;
	}
	if (rc == GATE_EMATRIX) {
		st->pushed = GATE_PUSHED_MATRIX_INVALID;
		st->pushed_error = gate_strdup(gate_error_last());
		return st->pushed_error ? 0 : fail(st, GATE_ENOMEM);
	}
	if (rc < 0)
		return fail(st, rc);
	gate_buf_printf(&label, "%s:%s", u->ref, st->matrix_path);
	if (label.oom) {
		gate_free(data);
		return fail(st, GATE_ENOMEM);
	}
	rc = gate_matrix_load_buffer(valid, gate_buf_cstr(&label), data, len, &diags);
	gate_free(data);
	gate_buf_dispose(&label);
	if (rc == GATE_EMATRIX) {
		gate_buf e = GATE_BUF_INIT;
		size_t i;
		st->pushed = GATE_PUSHED_MATRIX_INVALID;
		for (i = 0; i < diags.count && i < 5; i++)
			gate_buf_printf(&e, "%s%s", i ? "; " : "", diags.items[i].text);
		if (diags.count > 5)
			gate_buf_printf(&e, "; and %zu more", diags.count - 5);
		st->pushed_error = e.oom ? NULL : gate_buf_detach(&e);
		gate_buf_dispose(&e);
		gate_diags_dispose(&diags);
		return st->pushed_error ? 0 : fail(st, GATE_ENOMEM);
	}
	gate_diags_dispose(&diags);
	if (rc < 0)
		return fail(st, rc);
	{
		/* a name the server does not define would leave a matrix nobody can run */
		char **argv = NULL, *why = NULL;
		rc = external_resolve(st, *valid, &argv, &why);
		gate_policies_free_argv(argv);
		if (rc < 0 || why) {
			gate_matrix_free(*valid);
			*valid = NULL;
			if (rc < 0)
				return fail(st, rc);
			st->pushed = GATE_PUSHED_MATRIX_INVALID;
			st->pushed_error = why;
			return 0;
		}
	}
	/*
	 * The privilege-boundary expectations must hold in what is pushed: the
	 * pushed matrix's own, and the trusted matrix's too, so a push cannot
	 * delete an expectation and break it at once (drop it in one reviewed
	 * change, change the permission in the next).
	 */
	if ((*valid)->n_expectations || (st->m && st->m->n_expectations)) {
		gate_expect_result *res = NULL;
		size_t failed = 0, f, i, shown = 0, pass;
		gate_buf e = GATE_BUF_INIT;
		for (pass = 0; pass < 2; pass++) {
			const gate_matrix *from = pass ? st->m : *valid;
			size_t n = from ? from->n_expectations : 0;
			if (!n)
				continue;
			if ((rc = gate_expectations_run_on(&res, &f, from->expectations, n, *valid,
							   st->trusted_ref)) < 0) {
				gate_buf_dispose(&e);
				gate_matrix_free(*valid);
				*valid = NULL;
				return fail(st, rc);
			}
			failed += f;
			for (i = 0; i < n && shown < 5; i++)
				if (res[i].allowed != res[i].e->allow)
					gate_buf_printf(&e, "%sexpectation at line %d%s fails: %s would be %s "
							    "to %s %s (%s)",
							shown++ ? "; " : "", res[i].e->loc.line,
							pass ? " of the trusted matrix" : "", res[i].e->user,
							res[i].allowed ? "allowed" : "denied",
							gate_expect_action_name(res[i].e->action), res[i].e->ref,
							res[i].why);
			gate_expect_results_free(res, n);
			res = NULL;
		}
		if (failed) {
			gate_buf_printf(&e, " (%zu failing in all; keep the trusted matrix's expectations, or "
					    "remove one in a change of its own first)", failed);
			gate_matrix_free(*valid);
			*valid = NULL;
			st->pushed = GATE_PUSHED_MATRIX_INVALID;
			st->pushed_error = e.oom ? NULL : gate_buf_detach(&e);
			gate_buf_dispose(&e);
			return st->pushed_error ? 0 : fail(st, GATE_ENOMEM);
		}
		gate_buf_dispose(&e);
	}
	st->pushed = GATE_PUSHED_MATRIX_OK;
	return 0;
}

/*
 * The trusted ref's tip as it stood before the push: as it stands for
 * pre-receive, from the push's record for the update hook (see pushrec.h).
 * 0, 1 when it did not exist, or a negative code with the last error set.
 * *CREATED: it did not, and an earlier ref of this push created it (the
 * update hook's view of a bootstrap push).
 */
static int trusted_tip(run_state *st, git_oid *out, int *created)
{
	gate_pushrec rec;
	int rc;

	*created = 0;
	if (!st->update_hook) {
		rc = git_reference_name_to_id(out, st->repo, st->trusted_ref);
		if (rc == GIT_ENOTFOUND) {
			git_error_clear();
			return 1;
		}
		return rc < 0 ? gate_error_from_git(rc, st->trusted_ref) : 0;
	}
	if ((rc = gate_pushrec_trusted(&rec, st->repo, st->repo_path, st->trusted_ref)) < 0)
		return rc;
	*out = rec.id;
	*created = rec.created;
	return rec.existed || rec.created ? 0 : 1;
}

static int load_matrix(run_state *st)
{
	gate_diags diags = GATE_DIAGS_INIT;
	gate_buf label = GATE_BUF_INIT;
	git_oid trusted;
	char *data = NULL;
	size_t len, i;
	int rc, created;

	if (st->matrix_file) {
		char *path = repo_relative(st, st->matrix_file);
		if (!path)
			return fail(st, GATE_ENOMEM);
		rc = gate_matrix_load_file(&st->m, path, &diags);
		if (rc < 0)
			fail_diags(st, rc, path, &diags);
		gate_free(path);
		gate_diags_dispose(&diags);
		return rc;
	}

	rc = trusted_tip(st, &trusted, &created);
	if (rc == 0) {
		/* created by an earlier ref of this push: that ref's matrix judges it all */
		st->bootstrap = created;
		rc = gate_repo_read_file_at(&data, &len, st->repo, &trusted, st->matrix_path,
					    GATE_MATRIX_MAX_BYTES);
		if (rc == GATE_ENOTFOUND) {
			gate_error_clear();
			st->unprotected = 1;
		} else if (rc < 0) {
			return fail(st, rc);
		} else {
			gate_buf_printf(&label, "%s:%s", st->trusted_ref, st->matrix_path);
			rc = label.oom ? GATE_ENOMEM
				       : gate_matrix_load_buffer(&st->m, gate_buf_cstr(&label), data,
								 len, &diags);
			st->matrix_text = data; /* kept for the external policy's input */
			st->matrix_len = len;
			if (rc < 0)
				fail_diags(st, rc, gate_buf_cstr(&label), &diags);
			gate_buf_dispose(&label);
			gate_diags_dispose(&diags);
			if (rc < 0)
				return rc;
			git_oid_tostr(st->matrix_commit, sizeof(st->matrix_commit), &trusted);
			st->has_matrix_commit = 1;
		}
	} else if (rc == 1) {
		st->unprotected = 1;
	} else {
		return fail(st, rc);
	}

	/* A push to the trusted ref must leave a valid matrix behind. */
	for (i = 0; i < st->push.count; i++) {
		const gate_update *u = &st->push.items[i];
		gate_matrix *pushed = NULL;
		if (strcmp(u->ref, st->trusted_ref) || u->kind == GATE_UPD_DELETE)
			continue;
		if ((rc = check_pushed_matrix(st, u, &pushed)) < 0)
			return rc;
		if (pushed && !st->m) {
			/* bootstrap: the first valid matrix judges the push that brings it */
			st->m = pushed;
			st->bootstrap = 1;
			st->unprotected = 0;
			git_oid_tostr(st->matrix_commit, sizeof(st->matrix_commit), &u->new_id);
			st->has_matrix_commit = 1;
		} else {
			/* reviewers and the pusher see what the change grants and revokes */
			if (pushed && st->m && !st->matrix_diff) {
				gate_buf b = GATE_BUF_INIT;
				size_t changes = 0;
				if (gate_matrix_diff(&b, st->m, pushed, &changes) == 0 && changes)
					st->matrix_diff = gate_buf_detach(&b);
				gate_buf_dispose(&b);
			}
			gate_matrix_free(pushed);
		}
	}
	return 0;
}

static int decide_all(run_state *st)
{
	gate_decide_ctx ctx;
	size_t i;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.m = st->m;
	ctx.login = st->id.login;
	ctx.person = st->m ? gate_matrix_person_by_login(st->m, st->id.login) : -1;
	if (ctx.person < 0 && st->m && st->opts->user_email) {
		ctx.person = gate_matrix_person_by_email(st->m, st->opts->user_email);
		if (ctx.person >= 0)
			ctx.login = st->m->people[ctx.person].logins[0];
	}
	st->person = ctx.person;
	ctx.trusted_ref = st->matrix_file ? NULL : st->trusted_ref;
	ctx.matrix_path = st->matrix_path;
	ctx.pushed_matrix = st->pushed;
	ctx.pushed_matrix_error = st->pushed_error;
	for (i = 0; i < st->push.count; i++) {
		rc = gate_decide(&st->ds[i], &ctx, &st->push.items[i]);
		if (rc < 0)
			return fail(st, rc);
	}
	return 0;
}

/* The limits in force: the matrix's, or the defaults without one. */
static const gate_limits *limits_of(run_state *st)
{
	if (st->m)
		return &st->m->settings.limits;
	gate_limits_default(&st->default_limits);
	return &st->default_limits;
}

/*
 * Rejects every update of the push for exceeding limit WHICH (DETAIL says
 * how): a push past a limit is not judged further, so it costs no more work.
 */
static int reject_limit(run_state *st, int which, const char *detail)
{
	const gate_limits *lim = limits_of(st);
	char check[64], fix[200];
	size_t i;
	int rc;

	snprintf(check, sizeof(check), "limit.%s", gate_limit_defs[which].key);
	snprintf(fix, sizeof(fix),
		 "bring the push within the limit (split it, or rewrite the commit), or ask the "
		 "matrix owners to raise settings.limits.%s", gate_limit_defs[which].key);
	for (i = 0; i < st->n_ds; i++)
		if ((rc = gate_decision_reject(&st->ds[i], check, lim->loc[which].line,
					       lim->loc[which].col, st->ds[i].update->ref, detail,
					       "a push within settings.limits", fix)) < 0)
			return rc;
	st->over_limit = 1;
	return 0;
}

/* settings.limits on the push as a whole: its ref updates and new commits. */
static int check_push_limits(run_state *st)
{
	const gate_limits *lim = limits_of(st);
	char detail[200];

	if (st->push.count > lim->value[GATE_LIMIT_REFS]) {
		snprintf(detail, sizeof(detail), "the push updates %zu refs; settings.limits.refs allows %u",
			 st->push.count, lim->value[GATE_LIMIT_REFS]);
		return reject_limit(st, GATE_LIMIT_REFS, detail);
	}
	if (st->newobjs.n_commits > lim->value[GATE_LIMIT_COMMITS]) {
		snprintf(detail, sizeof(detail),
			 "the push brings %zu new commits; settings.limits.commits allows %u",
			 st->newobjs.n_commits, lim->value[GATE_LIMIT_COMMITS]);
		return reject_limit(st, GATE_LIMIT_COMMITS, detail);
	}
	return 0;
}

/* reachable_from: is TARGET on REF as it stands (before the push)? 1, 0, or <0. */
static int reachable_from(git_repository *repo, const char *ref, const git_oid *target)
{
	git_object *obj = NULL, *c = NULL;
	git_oid tip;
	int rc = git_reference_name_to_id(&tip, repo, ref);

	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return 0;
	}
	if (rc < 0)
		return gate_error_from_git(rc, ref);
	if (git_object_lookup(&obj, repo, &tip, GIT_OBJECT_ANY) < 0 ||
	    git_object_peel(&c, obj, GIT_OBJECT_COMMIT) < 0) {
		git_object_free(obj);
		git_error_clear();
		return 0;
	}
	if (git_oid_equal(git_object_id(c), target))
		rc = 1;
	else
		rc = git_graph_descendant_of(repo, git_object_id(c), target);
	git_object_free(c);
	git_object_free(obj);
	return rc < 0 ? gate_error_from_git(rc, "checking reachable_from") : rc;
}

/* The evidence a protected ref update carries (commits.c gathers, evidence.c judges). */
static int judge_evidence(run_state *st, gate_decision *d)
{
	const gate_update *u = d->update;
	const gate_refrule *r = d->rule;
	gate_commit_list commits = GATE_COMMIT_LIST_INIT;
	gate_commit_facts target;
	gate_tag_facts tag;
	gate_evidence_party parties[3];
	gate_evidence_ctx ctx;
	git_object *obj = NULL, *peeled = NULL;
	int have_target = 0, have_tag = 0, rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.m = st->m;
	ctx.rule = r;
	ctx.u = u;
	ctx.matrix_path = st->matrix_file ? NULL : st->matrix_path;
	ctx.reachable = -1;
	rc = gate_commits_judged(&commits, st->repo, u, st->m, r,
				 st->matrix_file ? NULL : st->trusted_ref, r->signed_commits);
	if (rc < 0)
		return rc;
	ctx.commits = &commits;
	/* who tags, signs the tag and pushes vouches for none of it */
	ctx.parties = parties;
	if ((rc = git_object_lookup(&obj, st->repo, &u->new_id, GIT_OBJECT_ANY)) < 0) {
		rc = gate_error_from_git(rc, u->ref);
		goto out;
	}
	if (git_object_type(obj) == GIT_OBJECT_TAG) {
		if ((rc = gate_tag_facts_load(&tag, (git_tag *)obj, st->m)) < 0) {
			gate_tag_facts_dispose(&tag);
			goto out;
		}
		have_tag = 1;
		ctx.tag_trailers = &tag.trailers;
		parties[ctx.n_parties].person = tag.tagger;
		parties[ctx.n_parties++].why = "the tagger";
		parties[ctx.n_parties].person = tag.signer;
		parties[ctx.n_parties++].why = "signed the tag";
	}
	parties[ctx.n_parties].person = st->person;
	parties[ctx.n_parties++].why = "the pusher";
	if (r->approvals.set || r->reachable_from) {
		if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0) {
			if ((rc = gate_commit_facts_load(&target, st->repo, git_object_id(peeled), st->m, 0,
							 0)) < 0) {
				gate_commit_facts_dispose(&target);
				goto out;
			}
			have_target = 1;
			ctx.target = &target;
		} else {
			git_error_clear();
		}
		if (r->reachable_from) {
			ctx.reachable = have_target ? reachable_from(st->repo, r->reachable_from, &target.id) : 0;
			if (ctx.reachable < 0) {
				rc = ctx.reachable;
				goto out;
			}
		}
	}
	rc = gate_evidence_check(d, &ctx);
out:
	if (have_target)
		gate_commit_facts_dispose(&target);
	if (have_tag)
		gate_tag_facts_dispose(&tag);
	git_object_free(peeled);
	git_object_free(obj);
	gate_commit_list_dispose(&commits);
	return rc;
}

#define IGNORE_FILE ".gatehouse/ignore"
#define IGNORE_MAX (1024 * 1024)

/* Where finding F is, for the subject and the start of what was found. */
static void finding_place(gate_buf *subject, gate_buf *found, const gate_secret_finding *f)
{
	const char *path = *f->path ? f->path : "(no path)";
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, 11, &f->commit);
	switch (f->where) {
	case GATE_SECRET_IN_COMMIT_MESSAGE:
		gate_buf_printf(subject, "commit %.7s message, line %zu", hex, f->line);
		gate_buf_printf(found, "commit %s message, line %zu, column %zu", hex, f->line,
				f->column);
		break;
	case GATE_SECRET_IN_TAG_MESSAGE:
		gate_buf_puts(subject, "tag ");
		gate_buf_put_escaped(subject, f->name ? f->name : "", f->name ? strlen(f->name) : 0);
		gate_buf_printf(subject, " message, line %zu", f->line);
		gate_buf_put(found, subject->ptr ? subject->ptr : "", subject->len);
		gate_buf_printf(found, ", column %zu", f->column);
		break;
	case GATE_SECRET_IN_PATH:
		gate_buf_puts(subject, "path of ");
		gate_buf_put_escaped(subject, f->path, strlen(f->path));
		gate_buf_put(found, subject->ptr ? subject->ptr : "", subject->len);
		gate_buf_printf(found, ", column %zu", f->column);
		break;
	case GATE_SECRET_IN_REF_NAME:
		gate_buf_puts(subject, "ref name");
		gate_buf_printf(found, "ref name, column %zu", f->column);
		break;
	default:
		gate_buf_put_escaped(subject, path, strlen(path));
		gate_buf_printf(subject, ":%zu", f->line);
		path = *f->path ? f->path : "(a blob under no path)";
		gate_buf_put_escaped(found, path, strlen(path));
		gate_buf_printf(found, ":%zu:%zu", f->line, f->column);
	}
}

/* How to get rid of finding F, by where it is (the allowlisting follows). */
static const char *finding_fix(const gate_secret_finding *f)
{
	switch (f->where) {
	case GATE_SECRET_IN_COMMIT_MESSAGE:
		return "reword that commit's message (git rebase -i, mark the commit 'reword'; "
		       "git commit --amend if it is the last one) and rotate the secret: it has left "
		       "your machine. ";
	case GATE_SECRET_IN_TAG_MESSAGE:
		return NULL; /* names the tag: see report_findings */
	case GATE_SECRET_IN_PATH:
		return "rename the file in every commit of the push that has it (git mv, then git "
		       "rebase -i to fold the rename into the commit that added it) and rotate the "
		       "secret: it has left your machine. ";
	case GATE_SECRET_IN_REF_NAME:
		return "push under another ref name (git push origin HEAD:refs/heads/<new-name>; "
		       "git branch -m renames the local branch) and rotate the secret: it has left "
		       "your machine. ";
	default:
		return "remove it from every commit of the push (git rebase -i, or git filter-repo "
		       "--replace-text for a long history) and rotate it: it has left your machine. ";
	}
}

/* One reason per finding, on the update that brought it. */
static int report_findings(run_state *st)
{
	size_t i;
	for (i = 0; i < st->secrets.count; i++) {
		const gate_secret_finding *f = &st->secrets.items[i];
		gate_buf check = GATE_BUF_INIT, subject = GATE_BUF_INIT, found = GATE_BUF_INIT,
			 missing = GATE_BUF_INIT, fix = GATE_BUF_INIT;
		const char *how = finding_fix(f);
		char hex[GIT_OID_HEXSZ + 1];
		gate_decision *d;
		int rc;

		if (f->ref_index >= st->n_ds)
			continue;
		d = &st->ds[f->ref_index];
		gate_buf_printf(&check, "secret.%s", f->rule_id);
		finding_place(&subject, &found, f);
		gate_buf_printf(&found, ": %s %s", f->description ? f->description : f->rule_id,
				f->redacted);
		if (!git_oid_is_zero(&f->commit) && f->where != GATE_SECRET_IN_COMMIT_MESSAGE) {
			git_oid_tostr(hex, 11, &f->commit);
			gate_buf_printf(&found, " in commit %s", hex);
			if (f->commit_subject) {
				gate_buf_puts(&found, " ");
				gate_buf_put_escaped(&found, f->commit_subject, strlen(f->commit_subject));
			}
		}
		if (f->also)
			gate_buf_printf(&found, " (and in %zu later version%s of the file)", f->also,
					f->also == 1 ? "" : "s");
		gate_buf_puts(&missing, "no secret in anything pushed, in any commit");
		if (how) {
			gate_buf_puts(&fix, how);
		} else {
			gate_buf_puts(&fix, "make the tag again with a message without it (git tag -d ");
			gate_buf_put_escaped(&fix, f->name ? f->name : "", f->name ? strlen(f->name) : 0);
			gate_buf_puts(&fix, ", then git tag -a) and rotate the secret: it has left your "
					    "machine. ");
		}
		gate_buf_printf(&fix, "Not a secret? Add %sthe fingerprint %s to %s on %s",
				f->where == GATE_SECRET_IN_PATH || f->where == GATE_SECRET_IN_REF_NAME
					? ""
					: "'gatehouse:allow' to that line, or ",
				f->fingerprint, IGNORE_FILE,
				st->trusted_ref ? st->trusted_ref : "the trusted branch");
		rc = (check.oom || subject.oom || found.oom || missing.oom || fix.oom)
			     ? gate_error_oom()
			     : gate_decision_reject(d, gate_buf_cstr(&check), f->rule_line, 0,
						    gate_buf_cstr(&subject), gate_buf_cstr(&found),
						    gate_buf_cstr(&missing), gate_buf_cstr(&fix));
		gate_buf_dispose(&check);
		gate_buf_dispose(&subject);
		gate_buf_dispose(&found);
		gate_buf_dispose(&missing);
		gate_buf_dispose(&fix);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Blobs over secrets.max_blob_bytes were not read, so the secret scan is
 * incomplete: every update is refused (secret.incomplete), naming the first
 * few blobs, the bound and the key that raises it.
 */
static int reject_unscanned(run_state *st)
{
	const gate_secret_report *r = &st->secrets;
	size_t max = st->m && st->m->secrets.max_blob_bytes ? st->m->secrets.max_blob_bytes
							     : GATE_SECRETS_DEFAULT_MAX_BLOB;
	gate_buf found = GATE_BUF_INIT, fix = GATE_BUF_INIT;
	size_t i, k;
	int rc = 0;

	if (!r->n_skipped_large)
		return 0;
	gate_buf_printf(&found, "%zu blob%s larger than secrets.max_blob_bytes (%zu bytes), so not "
			"scanned for secrets: ", r->n_skipped_large, r->n_skipped_large == 1 ? "" : "s", max);
	for (k = 0; k < r->n_skipped_large && k < 5; k++) {
		gate_buf_puts(&found, k ? ", " : "");
		gate_buf_put_escaped(&found, r->skipped_large[k].path, strlen(r->skipped_large[k].path));
		gate_buf_printf(&found, " (%zu bytes)", r->skipped_large[k].size);
	}
	if (r->n_skipped_large > 5)
		gate_buf_puts(&found, ", ...");
	gate_buf_puts(&fix, "keep the file out of the repository (e.g. Git LFS), or ask the matrix "
			    "owners to raise secrets.max_blob_bytes (at most 1073741824)");
	for (i = 0; rc == 0 && i < st->n_ds; i++)
		rc = found.oom || fix.oom
			     ? gate_error_oom()
			     : gate_decision_reject(&st->ds[i], "secret.incomplete", 0, 0,
						    st->ds[i].update->ref, gate_buf_cstr(&found),
						    "every pushed blob scanned for secrets", gate_buf_cstr(&fix));
	gate_buf_dispose(&found);
	gate_buf_dispose(&fix);
	return rc;
}

/* Where in the matrix policy check CHECK is set (0:0 when nowhere in particular). */
static gate_loc policy_loc(const gate_policies_cfg *p, const char *check)
{
	gate_loc none = { 0, 0 };
	size_t k;
	if (!strncmp(check, "policy.container.", 17)) {
		for (k = 0; k < GATE_CCHKS; k++)
			if (!strcmp(check + 17, gate_container_check_names[k]))
				return p->action_loc[k];
		if (!strcmp(check + 17, "registries"))
			return p->registries_loc;
		return p->containers_loc;
	}
	if (!strcmp(check, "policy.dependency.deny"))
		return p->deny_loc;
	if (!strcmp(check, "policy.dependency.allow_only"))
		return p->allow_only_loc;
	if (!strncmp(check, "policy.dependency.", 18))
		return p->deny_loc.line ? p->deny_loc : p->allow_loc;
	if (!strcmp(check, "policy.deploy_ref"))
		return p->deploy_refs_loc;
	if (!strcmp(check, "policy.external"))
		return p->external_loc;
	return none;
}

/* What the policy section asks for, for the "needs:" line. */
static const char *policy_need(const char *check)
{
	if (!strncmp(check, "policy.container.", 17))
		return "containers as policies.containers allows";
	if (!strncmp(check, "policy.dependency.", 18))
		return "dependencies as policies.dependencies allows";
	return "content the matrix's policies allow";
}

/*
 * The push's content policies found more than GATE_POLICY_FINDINGS_MAX
 * findings: DROPPED of them were not kept, and any could be a rejecting one,
 * so every update is refused (it is not known which brought them).
 */
static int reject_findings_cap(run_state *st, size_t dropped)
{
	char found[200];
	size_t i;
	int rc;

	snprintf(found, sizeof(found), "the content policies found %zu findings more than the "
		 "%d they keep (at most %d findings per push): those were not judged",
		 dropped, GATE_POLICY_FINDINGS_MAX, GATE_POLICY_FINDINGS_MAX);
	for (i = 0; i < st->n_ds; i++)
		if ((rc = gate_decision_reject(&st->ds[i], "policy.findings.incomplete", 0, 0,
					       st->ds[i].update->ref, found,
					       "at most 1000 content policy findings in one push",
					       "no setting raises it: fix the findings shown and push again, "
					       "push the files in smaller pushes, or set the warn checks "
					       "that produce most of them to off in policies")) < 0)
			return rc;
	return 0;
}

/* Container and dependency policies on the files the push brings (JOBS). */
static int content_policies(run_state *st, const gate_blob_jobs *jobs)
{
	const gate_policies_cfg *p = &st->m->policies;
	gate_policy_findings fs = GATE_POLICY_FINDINGS_INIT;
	char *osv = NULL;
	size_t osv_len = 0, i;
	int rc = 0;

	if (p->osv) {
		git_oid at;
		if (!st->has_matrix_commit || git_oid_fromstr(&at, st->matrix_commit) < 0)
			return gate_error_set(GATE_ENOTFOUND, "policies.dependencies.osv: no trusted "
							     "commit to read %s from", p->osv);
		rc = gate_repo_read_file_at(&osv, &osv_len, st->repo, &at, p->osv, GATE_POLICY_MAX_FILE);
		if (rc == GATE_ENOTFOUND)
			rc = gate_error_set(GATE_ENOTFOUND, "policies.dependencies.osv names %s, which "
							     "is not on %s", p->osv,
					    st->trusted_ref ? st->trusted_ref : "the trusted ref");
		if (rc < 0)
			return rc;
	}
	rc = gate_policies_content(&fs, st->m, st->repo, jobs, osv, osv_len);
	gate_free(osv);
	for (i = 0; rc == 0 && i < fs.count; i++) {
		const gate_policy_finding *f = &fs.items[i];
		const gate_blob_job *j = &jobs->items[f->origin];
		gate_loc loc = policy_loc(p, f->check);
		gate_buf subject = GATE_BUF_INIT, found = GATE_BUF_INIT;
		char hex[11];
		gate_decision *d;
		if (j->ref_index >= st->n_ds || f->action == GATE_POLICY_OFF)
			continue;
		d = &st->ds[j->ref_index];
		gate_buf_put_escaped(&subject, f->path, strlen(f->path));
		if (f->line)
			gate_buf_printf(&subject, ":%d", f->line);
		gate_buf_put_escaped(&found, gate_buf_cstr(&subject), subject.len);
		gate_buf_puts(&found, ": ");
		gate_buf_put_escaped(&found, f->found, strlen(f->found));
		if (j->has_commit) {
			git_oid_tostr(hex, sizeof(hex), &j->commit);
			gate_buf_printf(&found, " (commit %s)", hex);
		}
		if (subject.oom || found.oom)
			rc = gate_error_oom();
		else if (f->action == GATE_POLICY_WARN)
			rc = gate_decision_warn(d, f->check, loc.line, loc.col, gate_buf_cstr(&subject),
						gate_buf_cstr(&found), f->fix);
		else
			rc = gate_decision_reject(d, f->check, loc.line, loc.col, gate_buf_cstr(&subject),
						  gate_buf_cstr(&found), policy_need(f->check), f->fix);
		gate_buf_dispose(&subject);
		gate_buf_dispose(&found);
	}
	if (rc == 0 && fs.dropped)
		rc = reject_findings_cap(st, fs.dropped);
	gate_policy_findings_dispose(&fs);
	return rc;
}

/*
 * policies.deploy_refs: a deploy ref takes only commits a ref with evidence
 * requirements already holds, or, for an entry with `from`, a ref it names.
 */
static int deploy_policies(run_state *st)
{
	const gate_policies_cfg *p = &st->m->policies;
	size_t i, k;
	int rc = 0;

	for (i = 0; rc == 0 && i < st->n_ds; i++) {
		gate_decision *d = &st->ds[i];
		const gate_update *u = d->update;
		gate_buf sources = GATE_BUF_INIT, found = GATE_BUF_INIT, needs = GATE_BUF_INIT;
		const gate_deploy_src *src;
		git_oid tip = u->new_id;
		gate_loc loc = p->deploy_refs_loc;
		char hex[11];
		long entry;
		int ok = 0;
		if (u->kind == GATE_UPD_DELETE || (entry = gate_policies_deploy_entry(st->m, u->ref)) < 0)
			continue;
		src = p->deploy_src ? &p->deploy_src[entry] : NULL;
		if (src)
			loc = src->loc;
		if (gate_update_commit(&tip, st->repo, u))
			rc = gate_policies_deploy_source(&ok, &sources, st->m, st->repo, u->ref, &tip);
		git_oid_tostr(hex, sizeof(hex), &tip);
		if (rc == 0 && !ok) {
			if (src && src->from) {
				gate_buf_printf(&found, "commit %s is on no ref matching from: ", hex);
				gate_buf_puts(&needs, "a commit already on a ref matching ");
				for (k = 0; k < src->n_from; k++) {
					gate_buf_printf(&found, "%s%s", k ? ", " : "", src->from[k]);
					gate_buf_printf(&needs, "%s%s", k ? " or " : "", src->from[k]);
				}
			} else {
				gate_buf_printf(&found, "commit %s is on no ref with evidence requirements", hex);
				gate_buf_puts(&needs, "a commit that already passed the checks of a ref whose rule "
						      "asks for reviews, trailers, signatures or approvals");
			}
			gate_buf_printf(&found, " (looked at: %s)",
					sources.len ? gate_buf_cstr(&sources) : "none: no ref qualifies");
			rc = found.oom || needs.oom
				     ? gate_error_oom()
				     : gate_decision_reject(
					       d, "policy.deploy_ref", loc.line, loc.col, u->ref,
					       gate_buf_cstr(&found), gate_buf_cstr(&needs),
					       "merge the change into a protected branch (e.g. main) through its "
					       "review first, then deploy that commit");
		}
		gate_buf_dispose(&sources);
		gate_buf_dispose(&found);
		gate_buf_dispose(&needs);
	}
	return rc;
}

/* policies.external: the command's deny messages reject every update. */
static int external_policy(run_state *st)
{
	const gate_policies_cfg *p = &st->m->policies;
	gate_policy_input in;
	json_t *doc = NULL;
	gate_policy_input_cuts cuts;
	char *text = NULL, **msgs = NULL;
	size_t n = 0, i, k;
	int rc;

	memset(&in, 0, sizeof(in));
	in.repository = st->repo_path;
	in.login = st->id.login;
	in.person = st->person;
	in.m = st->m;
	in.matrix_text = st->matrix_text;
	in.matrix_len = st->matrix_len;
	in.ds = st->ds;
	in.n_ds = st->n_ds;
	in.newobjs = &st->newobjs;
	in.jobs = &st->jobs;
	if ((rc = gate_policy_input_build(&doc, &cuts, st->repo, &in)) < 0) {
		gate_policy_input_cuts_dispose(&cuts);
		return rc;
	}
	/* a manifest the policy could not be shown whole is not accepted */
	for (i = 0; rc == 0 && i < cuts.n; i++) {
		const gate_blob_job *j = &st->jobs.items[cuts.jobs[i]];
		gate_buf subject = GATE_BUF_INIT, found = GATE_BUF_INIT;
		if (j->ref_index >= st->n_ds)
			continue;
		gate_buf_put_escaped(&subject, j->path, strlen(j->path));
		gate_buf_put_escaped(&found, j->path, strlen(j->path));
		gate_buf_printf(&found, ": its YAML aliases expand past %u bytes written out in full, so "
					"the external policy could not be given it whole",
				GATE_INPUT_MAX_EXPANDED);
		rc = subject.oom || found.oom
			     ? gate_error_oom()
			     : gate_decision_reject(&st->ds[j->ref_index], "policy.external.incomplete",
						    p->external_loc.line, p->external_loc.col,
						    gate_buf_cstr(&subject), gate_buf_cstr(&found),
						    "every manifest given to policies.external whole",
						    "write the repeated values out instead of nesting aliases, "
						    "or split the file");
		gate_buf_dispose(&subject);
		gate_buf_dispose(&found);
	}
	/* nor a push the policy was shown only part of */
	for (k = 0; rc == 0 && cuts.cut && k < st->n_ds; k++)
		rc = gate_decision_reject(&st->ds[k], "policy.external.incomplete", p->external_loc.line,
					  p->external_loc.col, st->ds[k].update->ref, cuts.cut,
					  "the whole push given to policies.external",
					  "no setting raises it: push in smaller parts (fewer commits, fewer "
					  "or smaller manifests per push)");
	gate_policy_input_cuts_dispose(&cuts);
	if (rc < 0) {
		json_decref(doc);
		return rc;
	}
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return gate_error_oom();
	rc = gate_policies_external(&msgs, &n, (const char *const *)st->ext_argv, p->external_timeout_ms,
				    text, strlen(text));
	free(text); /* jansson's allocator */
	for (i = 0; rc == 0 && i < n; i++)
		for (k = 0; rc == 0 && k < st->n_ds; k++)
			rc = gate_decision_reject(&st->ds[k], "policy.external", p->external_loc.line,
						  p->external_loc.col, st->ds[k].update->ref, msgs[i],
						  "nothing policies.external denies",
						  "see the message: it comes from the team's external policy");
	gate_policies_free_msgs(msgs, n);
	return rc;
}

/*
 * pre-push never runs the external policy's command: on a developer's
 * machine it would be a program brought by whoever last changed the matrix.
 * It says so on every update instead of passing in silence; the server runs
 * it on push.
 */
static int external_not_run(run_state *st)
{
	const gate_policies_cfg *p = &st->m->policies;
	size_t k;
	int rc = 0;

	for (k = 0; rc == 0 && k < st->n_ds; k++)
		rc = gate_decision_warn(&st->ds[k], "policy.external.not_run", p->external_loc.line,
					p->external_loc.col, st->ds[k].update->ref,
					"policies.external was not run on this machine (pre-push runs no "
					"command named by the matrix); the server runs it when you push",
					"nothing to do here; the server's verdict includes it");
	return rc;
}

/*
 * The secrets policy for this push: the matrix's secrets: section (or the
 * built-in defaults) and the fingerprints file on the trusted ref.
 */
static int open_secrets(run_state *st, gate_secrets **out)
{
	gate_buf cache = GATE_BUF_INIT;
	char *ignore = NULL;
	size_t ilen;
	git_oid trusted;
	int rc, created;

	*out = NULL;
	if (st->trusted_ref && trusted_tip(st, &trusted, &created) == 0) {
		rc = gate_repo_read_file_at(&ignore, &ilen, st->repo, &trusted, IGNORE_FILE, IGNORE_MAX);
		if (rc == GATE_ENOTFOUND)
			gate_error_clear();
		else if (rc < 0)
			return rc;
	}
	git_error_clear();
	gate_buf_printf(&cache, "%s/gatehouse/cache", st->repo_path);
	{
		/* then the server user's cache, shared by every repository */
		const char *home = getenv("HOME");
		if (home && *home == '/' && !strchr(home, ':'))
			gate_buf_printf(&cache, ":%s/.cache/gatehouse", home);
	}
	/* a ':' in the repository's path would split the list: no cache then */
	rc = cache.oom ? GATE_ENOMEM
	     : st->opts->no_secrets ? 0 /* pre-push: pre-commit scanned; the policies below still run */
				    : gate_secrets_new(out, st->m, ignore,
						       st->opts->dry_run || strchr(st->repo_path, ':')
							       ? NULL
							       : gate_buf_cstr(&cache));
	gate_free(ignore);
	gate_buf_dispose(&cache);
	return rc;
}

/*
 * Scans every blob the push brings, and its text outside blobs (messages,
 * paths, ref names), under the matrix's secrets: section.
 */
static int scan_secrets(run_state *st)
{
	gate_secrets *sec = NULL;
	gate_blob_jobs jobs = GATE_BLOB_JOBS_INIT;
	int rc;

	if ((rc = open_secrets(st, &sec)) < 0)
		return fail(st, rc);
	{
		/* listed even with secrets off: the listing checks the path and commit limits */
		double t = gate_now_ms();
		rc = gate_secrets_push_jobs(&jobs, st->repo, &st->push, &st->newobjs, limits_of(st));
		/* tags of blobs and trees: without a quarantine no commit leads to them */
		if (rc == 0 && jobs.hit.which < 0)
			rc = gate_secrets_direct_jobs(&jobs, st->repo, &st->push, &st->newobjs,
						      limits_of(st));
		st->phase_ms[GATE_PHASE_SECRETS_LIST] = gate_now_ms() - t;
		if (rc == 0 && st->deadline > 0 && gate_now_ms() > st->deadline)
			rc = gate_error_set(GATE_ELIMIT, "time budget of %u ms (settings.time_budget_ms) "
							 "exceeded while listing the pushed blobs", st->budget_ms);
		if (rc == 0 && jobs.hit.which >= 0)
			rc = reject_limit(st, jobs.hit.which, jobs.hit.detail);
	}
	if (rc == 0 && !st->over_limit && sec && !gate_secrets_disabled(sec)) {
		char *engine = NULL;
		double t;
		if (gate_repo_config(&engine, st->repo, "gatehouse.secretsEngine") == 0 && engine &&
		    !strcmp(engine, "pcre2"))
			gate_secrets_force_pcre2(sec);
		gate_free(engine);
		gate_secrets_set_deadline(sec, st->deadline, st->budget_ms);
		if (rc == 0) {
			t = gate_now_ms();
			rc = gate_secrets_scan_jobs(&st->secrets, sec, &jobs, st->repo, 0);
			/* messages, paths and ref names: the same rules, beside the blobs */
			if (rc == 0)
				rc = gate_textscan_push(&st->secrets, &st->redact, sec, st->repo, &st->push,
							&st->newobjs, &jobs);
			st->names_scanned = rc == 0;
			st->phase_ms[GATE_PHASE_SECRETS_SCAN] = gate_now_ms() - t;
		}
		if (rc == 0) {
			st->secrets_ran = 1;
			rc = report_findings(st);
		}
		if (rc == 0)
			rc = reject_unscanned(st);
	}
	/* content policies from the next push on, like evidence (see evaluate) */
	if (rc == 0 && !st->over_limit && st->m && !st->bootstrap &&
	    (st->m->policies.containers || st->m->policies.dependencies))
		rc = content_policies(st, &jobs);
	snprintf(st->secrets_engine, sizeof(st->secrets_engine), "%s",
		 sec ? gate_secrets_engine(sec) : "off");
	gate_blob_jobs_dispose(&st->jobs);
	st->jobs = jobs; /* handed over: the external policy reads the files too */
	gate_secrets_free(sec);
	return rc < 0 ? fail(st, rc) : 0;
}

/* Whether commit C is TIP or one of its ancestors: 1, 0, or a negative error. */
static int reaches(git_repository *repo, const git_oid *tip, const git_oid *c)
{
	int rc;
	if (git_oid_equal(tip, c))
		return 1;
	rc = git_graph_descendant_of(repo, tip, c);
	return rc < 0 ? gate_error_from_git(rc, "checking where an overridden finding landed") : rc;
}

/* Re-raises ledger record R on decision D (index I): it landed on a ref it was not given for. */
static int reraise(run_state *st, gate_decision *d, size_t i, const gate_override_rec *r)
{
	gate_secret_finding *f;
	gate_buf check = GATE_BUF_INIT, subject = GATE_BUF_INIT, found = GATE_BUF_INIT;
	char hex[11];
	int rc;

	if (gate_grow(&st->secrets.items, &st->secrets.cap, st->secrets.count + 1, sizeof(*f)) < 0)
		return GATE_ENOMEM;
	f = &st->secrets.items[st->secrets.count];
	memset(f, 0, sizeof(*f));
	f->rule_id = gate_strdup(r->rule);
	f->path = gate_strdup(r->path);
	if (!f->rule_id || !f->path) {
		gate_free(f->rule_id);
		gate_free(f->path);
		return gate_error_oom();
	}
	st->secrets.count++;
	f->commit = r->commit;
	f->blob = r->blob;
	f->ref_index = i;
	f->line = 0;
	snprintf(f->redacted, sizeof(f->redacted), "%s", r->redacted);
	snprintf(f->fingerprint, sizeof(f->fingerprint), "%s", r->fingerprint);
	git_oid_tostr(hex, sizeof(hex), &r->commit);
	gate_buf_printf(&check, "secret.%s", r->rule);
	gate_buf_put_escaped(&subject, *r->path ? r->path : "(no path)",
			     strlen(*r->path ? r->path : "(no path)"));
	gate_buf_put_escaped(&found, gate_buf_cstr(&subject), subject.len);
	gate_buf_printf(&found, ": %s %s in commit %s, let onto ", r->rule, r->redacted, hex);
	gate_buf_put_escaped(&found, r->ref, strlen(r->ref));
	gate_buf_printf(&found, " by %s's break-glass override (", r->by);
	gate_buf_put_escaped(&found, r->reason, strlen(r->reason));
	gate_buf_puts(&found, "); an override covers only the ref it was given for");
	rc = (check.oom || subject.oom || found.oom)
		     ? gate_error_oom()
		     : gate_decision_reject(d, gate_buf_cstr(&check), 0, 0, gate_buf_cstr(&subject),
					    gate_buf_cstr(&found),
					    "no secret in anything pushed, in any commit",
					    "keep that commit off this ref (rebase it out) and rotate the "
					    "secret; or, for an incident, break glass for this ref too: git "
					    "push -o gatehouse.override=\"INC-…: why\"");
	gate_buf_dispose(&check);
	gate_buf_dispose(&subject);
	gate_buf_dispose(&found);
	return rc;
}

/*
 * The break-glass ledger: a finding an override let onto one ref is judged
 * again on every other ref its commit reaches with this push (a
 * fast-forward or a new branch brings no new commit to scan).
 */
static int judge_ledger(run_state *st)
{
	gate_buf path = GATE_BUF_INIT;
	size_t i, k;
	int rc;

	gate_buf_printf(&path, "%s/%s", st->repo_path, GATE_OVERRIDES_FILE);
	rc = path.oom ? GATE_ENOMEM : gate_overrides_load(&st->ledger, gate_buf_cstr(&path));
	gate_buf_dispose(&path);
	for (i = 0; rc == 0 && st->ledger.count && i < st->n_ds; i++) {
		const gate_update *u = st->ds[i].update;
		git_oid tip, old;
		int has_old;
		if (u->kind == GATE_UPD_DELETE || !gate_update_commit(&tip, st->repo, u))
			continue;
		has_old = u->kind != GATE_UPD_CREATE && !git_oid_is_zero(&u->old_id);
		if (has_old) {
			gate_update o = *u;
			o.new_id = u->old_id;
			has_old = gate_update_commit(&old, st->repo, &o);
		}
		for (k = 0; rc == 0 && k < st->ledger.count; k++) {
			const gate_override_rec *r = &st->ledger.items[k];
			int in_new, in_old = 0;
			if (!strcmp(r->ref, u->ref) || git_oid_is_zero(&r->commit))
				continue;
			if ((in_new = reaches(st->repo, &tip, &r->commit)) <= 0) {
				rc = in_new;
				continue;
			}
			if (has_old && (in_old = reaches(st->repo, &old, &r->commit)) < 0)
				rc = in_old;
			else if (!in_old)
				rc = reraise(st, &st->ds[i], i, r);
		}
	}
	return rc;
}

/*
 * After an applied override: the secret findings it let onto each accepted
 * ref, for the ledger and the audit record.
 */
static int grant_overrides(run_state *st)
{
	char now[40];
	size_t i;
	int rc = 0;

	gate_audit_now(now, sizeof(now));
	for (i = 0; rc == 0 && i < st->secrets.count; i++) {
		const gate_secret_finding *f = &st->secrets.items[i];
		const gate_decision *d;
		if (f->ref_index >= st->n_ds)
			continue;
		d = &st->ds[f->ref_index];
		if (d->verdict != GATE_ACCEPT || !d->overridden || !strstr(d->overridden, "secret."))
			continue;
		rc = gate_overrides_add(&st->granted, d->update->ref, f, &f->blob, st->id.login,
					st->override_reason, now);
	}
	if (rc == 0 && st->granted.count) {
		gate_buf path = GATE_BUF_INIT;
		gate_buf_printf(&path, "%s/%s", st->repo_path, GATE_OVERRIDES_FILE);
		rc = path.oom ? GATE_ENOMEM : gate_overrides_append(gate_buf_cstr(&path), &st->granted);
		gate_buf_dispose(&path);
	}
	return rc;
}

/*
 * A push decided before its text was scanned (over a limit, an internal
 * error) still names its refs, and perhaps its paths, in the records and
 * the message: then what is about to leave (TEXT, LEN bytes) goes through
 * the scanner for the redactions only.  Best effort: the run is decided.
 */
static void redact_scan(run_state *st, const char *text, size_t len)
{
	gate_text_batch *b = NULL;
	gate_text_origin o;

	if (st->names_scanned || st->opts->no_secrets || !st->repo || !st->repo_path)
		return;
	if (!st->late_sec && open_secrets(st, &st->late_sec) < 0) {
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

/* Fails the run when the time budget is spent (on_error then decides). */
static int check_budget(run_state *st, const char *stage)
{
	if (st->deadline > 0 && gate_now_ms() > st->deadline)
		return fail(st, gate_error_set(GATE_ELIMIT, "time budget of %u ms (settings.time_budget_ms) "
							    "exceeded %s", st->budget_ms, stage));
	return 0;
}

/* git push -o gatehouse.override="INC-1234: reason": break glass, or say why not. */
static int apply_override(run_state *st)
{
	const gate_matrix *m = st->m;
	const char *why = NULL;
	char msg[600];
	size_t i;
	int rc;

	if (!st->override_requested)
		return 0;
	if (!m || m->settings.override_role < 0)
		why = "the matrix names no settings.override_role, so nobody may break glass here";
	else if (!gate_matrix_in_role(m, st->person, (size_t)m->settings.override_role))
		why = "only members of the override role may break glass";
	else if (!st->override_reason)
		why = "an override needs a reason: -o gatehouse.override=\"INC-1234: what and why\"";
	if (why) {
		snprintf(msg, sizeof(msg), "break-glass override requested by %s and refused: %s",
			 st->id.login, why);
		for (i = 0; i < st->n_ds; i++)
			if ((rc = gate_decision_reject(&st->ds[i], "override.refused",
						       m ? m->settings.override_loc.line : 0,
						       m ? m->settings.override_loc.col : 0, st->ds[i].update->ref,
						       msg, "membership of the override role and a reason",
						       "push without -o gatehouse.override, or ask a member of the "
						       "override role to push it")) < 0)
				return rc;
		return 0;
	}
	/* evidence and secrets of protected refs only; never permissions */
	for (i = 0; i < st->n_ds; i++)
		if (st->ds[i].rule && (rc = gate_decision_override(&st->ds[i])) < 0)
			return rc;
	st->override_applied = 1;
	return 0;
}

static int evaluate(run_state *st)
{
	double t;
	size_t i;
	int rc;

	if ((rc = prepare(st)) < 0)
		return rc;
	for (i = 0; i < st->push.count; i++)
		if ((rc = gate_update_classify(&st->push.items[i], st->repo)) < 0)
			return fail(st, rc);
	t = gate_now_ms();
	rc = st->remote_prefix ? gate_newobjs_collect_local(&st->newobjs, st->repo, &st->push,
							     st->remote_prefix)
			       : gate_newobjs_collect(&st->newobjs, st->repo, &st->push);
	if (rc < 0)
		return fail(st, rc);
	st->have_newobjs = 1;
	st->phase_ms[GATE_PHASE_OBJECTS] = gate_now_ms() - t;
	t = gate_now_ms();
	rc = load_matrix(st);
	st->phase_ms[GATE_PHASE_MATRIX] = gate_now_ms() - t;
	if (rc < 0)
		return rc;
	st->budget_ms = st->m ? st->m->settings.time_budget_ms : 0;
	if (!st->budget_ms && getenv("GITHUB_REPO_NAME"))
		st->budget_ms = 4500; /* GitHub Enterprise Server kills hooks after 5 s */
	if (st->budget_ms) {
		st->deadline = st->t0 + st->budget_ms;
		if (!st->opts->dry_run)
			gate_watchdog_arm(2 * st->budget_ms / 1000 + 10);
	}
	if ((rc = decide_all(st)) < 0)
		return rc;
	if (st->m && st->m->policies.external_use && (rc = check_external_defined(st)) < 0)
		return fail(st, rc);
	if ((rc = check_push_limits(st)) < 0)
		return fail(st, rc);
	if (st->over_limit)
		return 0;
	/*
	 * Permissions first, and only they, for a push some update of which is
	 * refused on them: pre-receive then rejects the whole push (and update
	 * judges one ref), so evidence, secrets and policies would cost time
	 * without changing the verdict.  A push by someone with no rights costs
	 * no more than reading its refs.
	 */
	for (i = 0; i < st->n_ds; i++)
		if (st->ds[i].verdict == GATE_REJECT)
			st->refused = 1;
	if (st->refused)
		return 0;
	/*
	 * Evidence from the next push on: a bootstrap push is judged for ref
	 * permissions only, since the history it brings predates the rules.
	 */
	t = gate_now_ms();
	if (st->m && !st->bootstrap)
		for (i = 0; i < st->n_ds; i++) {
			if (st->ds[i].rule && st->ds[i].update->kind != GATE_UPD_DELETE &&
			    (rc = judge_evidence(st, &st->ds[i])) < 0)
				return fail(st, rc);
			if ((rc = check_budget(st, "while judging evidence")) < 0)
				return rc;
		}
	st->phase_ms[GATE_PHASE_EVIDENCE] = gate_now_ms() - t;
	if (st->m && !st->bootstrap && st->m->policies.n_deploy_refs &&
	    (rc = deploy_policies(st)) < 0)
		return fail(st, rc);
	/*
	 * secrets on every ref, protected or not, with or without a matrix;
	 * with no_secrets (pre-push) the listing and content policies still run
	 */
	if ((rc = scan_secrets(st)) < 0 || (rc = check_budget(st, "after scanning for secrets")) < 0)
		return rc;
	if (!st->opts->no_secrets && !st->over_limit && (rc = judge_ledger(st)) < 0)
		return fail(st, rc);
	if (st->m && !st->bootstrap && !st->over_limit && st->m->policies.external_use && st->local &&
	    (rc = external_not_run(st)) < 0)
		return fail(st, rc);
	if (st->m && !st->bootstrap && !st->over_limit && st->ext_argv && !st->local &&
	    ((rc = external_policy(st)) < 0 || (rc = check_budget(st, "after the external policy")) < 0))
		return rc < 0 && !st->failed ? fail(st, rc) : rc;
	if ((rc = apply_override(st)) < 0)
		return fail(st, rc);
	return 0;
}

/* After an internal error: every update carries it as its reason. */
static int decide_error(run_state *st, int allowed)
{
	size_t i;
	int rc = 0;

	/* verdicts first: a reason that cannot be recorded must not leave a decision half-built */
	for (i = 0; i < st->n_ds; i++) {
		gate_decision *d = &st->ds[i];
		gate_decision_dispose(d);
		d->update = &st->push.items[i];
		d->verdict = allowed ? GATE_ACCEPT : GATE_REJECT;
	}
	for (i = 0; i < st->n_ds && !allowed; i++)
		if (gate_decision_reject(&st->ds[i], "internal.error", 0, 0, st->ds[i].update->ref,
					 error_text(st), "a complete check of the push",
					 "push again; if it fails again, show this message to the "
					 "server's admins") < 0)
			rc = GATE_ENOMEM;
	return rc;
}

static int write_audit(run_state *st, int allowed)
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
	info.error = st->failed ? error_text(st) : NULL;
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
				redact_scan(st, text, strlen(text));
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
		char *path = repo_relative(st, st->m->settings.metrics_file);
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

/* Replaces OUT's text by the same with every secret of R redacted. */
static int redact_buf(gate_buf *out, gate_redactions *r)
{
	gate_buf b = GATE_BUF_INIT;
	if (gate_redact_put(&b, r, gate_buf_cstr(out), out->len) < 0) {
		gate_buf_dispose(&b);
		return GATE_ENOMEM;
	}
	gate_buf_dispose(out);
	*out = b;
	return 0;
}

static const char *line_prefix(void)
{
	/* GitLab shows hook output in its UI only behind this prefix */
	const char *gl = getenv("GL_ID");
	return gl && *gl ? "GL-HOOK-ERR: " : NULL;
}

/* Decides, audits and reports ST->push.  Returns the exit status. */
static int run_push(run_state *st)
{
	gate_report_info info;
	gate_buf out = GATE_BUF_INIT;
	size_t i;
	int allowed = 0, status = GATE_EXIT_OK, rc;

	st->n_ds = st->push.count;
	st->ds = gate_calloc(st->n_ds ? st->n_ds : 1, sizeof(*st->ds));
	if (!st->ds)
		fail(st, GATE_ENOMEM);
	else if (!st->failed)
		evaluate(st);

	/* the ledger first: an override that cannot be recorded is not applied */
	if (!st->failed && st->override_applied && !st->opts->dry_run && st->repo_path &&
	    (rc = grant_overrides(st)) < 0)
		fail(st, rc);
	if (st->failed) {
		allowed = st->m && st->m->settings.on_error_allow && !st->cap_reached;
		if (st->ds && decide_error(st, allowed) < 0)
			allowed = 0;
	}
	if (!st->opts->dry_run && st->repo_path && st->audit_path && st->ds) {
		gate_watchdog_forget(); /* the run's own record goes out now */
		rc = write_audit(st, allowed);
		if (rc < 0) {
			int was_ok = !st->failed;
			fail(st, rc);
			if (was_ok) {
				allowed = st->m && st->m->settings.on_error_allow && !st->cap_reached;
				decide_error(st, allowed);
			}
		}
	}
	if (!st->ds || (st->failed && !allowed)) {
		status = GATE_EXIT_REJECTED;
	} else {
		for (i = 0; i < st->n_ds; i++)
			if (st->ds[i].verdict == GATE_REJECT)
				status = GATE_EXIT_REJECTED;
	}

	memset(&info, 0, sizeof(info));
	info.matrix_label = st->m ? gate_matrix_label(st->m) : NULL;
	info.matrix_commit = st->has_matrix_commit ? st->matrix_commit : NULL;
	info.bootstrap = st->bootstrap;
	info.unprotected = st->unprotected && !st->m;
	info.trusted_ref = st->trusted_ref;
	info.error = st->failed ? error_text(st) : NULL;
	info.error_allowed = allowed;
	info.dry_run = st->opts->dry_run;
	if (st->secrets_ran)
		info.secrets = &st->secrets;
	info.matrix_diff = st->matrix_diff;
	if (st->override_applied) {
		info.override_by = st->id.login;
		info.override_reason = st->override_reason;
	}
	rc = gate_report_format(&out, st->ds, st->ds ? st->n_ds : 0, &info);
	if (rc == 0 && !st->names_scanned)
		redact_scan(st, gate_buf_cstr(&out), out.len);
	if (rc == 0 && st->redact.n)
		rc = redact_buf(&out, &st->redact); /* never a secret whole, even to its pusher */
	if (rc < 0 || gate_report_emit(st->opts->out, gate_buf_cstr(&out), line_prefix()) < 0) {
		/* cannot even say why: still reject */
		gate_sink_puts(st->opts->out, "gatehouse: push rejected (out of memory while reporting)\n");
		status = GATE_EXIT_REJECTED;
	}
	gate_buf_dispose(&out);
	return status;
}

static void state_init(run_state *st, const gate_run_opts *opts)
{
	size_t k;
	memset(st, 0, sizeof(*st));
	st->opts = opts;
	st->t0 = gate_now_ms();
	for (k = 0; k < GATE_PHASES; k++)
		st->phase_ms[k] = -1;
	st->jobs.hit.which = -1;
	git_libgit2_init();
	/*
	 * git verified every pushed object's hash as the pack arrived (and every
	 * older object when it did); hashing each blob again on read would cost
	 * more than scanning it.  libgit2's object cache is off: walking a long
	 * history it cost more time than it saved (evicting) and held 100 MB of
	 * trees; the tree walks keep what they reuse (gate_treecache).
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
}

static void state_dispose(run_state *st)
{
	size_t i;
	if (st->ds)
		for (i = 0; i < st->n_ds; i++)
			gate_decision_dispose(&st->ds[i]);
	gate_free(st->ds);
	gate_push_dispose(&st->push);
	gate_newobjs_dispose(&st->newobjs);
	gate_secret_report_dispose(&st->secrets);
	gate_redactions_dispose(&st->redact);
	gate_secrets_free(st->late_sec);
	gate_matrix_free(st->m);
	gate_free(st->pushed_error);
	gate_free(st->matrix_text);
	gate_free(st->matrix_diff);
	gate_blob_jobs_dispose(&st->jobs);
	gate_override_ledger_dispose(&st->ledger);
	gate_override_ledger_dispose(&st->granted);
	gate_policies_free_argv(st->ext_argv);
	gate_free(st->override_reason);
	gate_free(st->repo_path);
	gate_free(st->trusted_ref);
	gate_free(st->matrix_path);
	gate_free(st->matrix_file);
	gate_free(st->audit_path);
	gate_buf_dispose(&st->error);
	git_repository_free(st->repo);
	git_libgit2_shutdown();
}

/* When the input itself is unusable there is no ref to hang a record on. */
static int add_placeholder(run_state *st)
{
	static const char zeros[] = "0000000000000000000000000000000000000000";
	static const char ones[] = "1111111111111111111111111111111111111111";
	if (st->push.count)
		return 0;
	return gate_push_add(&st->push, zeros, ones, "refs/gatehouse/unparsed-input");
}

int gate_run_pre_receive(FILE *in, const gate_run_opts *opts)
{
	run_state st;
	int status, rc;

	gate_watchdog_arm(600);
	state_init(&st, opts);
	rc = gate_push_read(&st.push, in, GATE_PUSH_MAX_REFS);
	if (rc < 0) {
		char c[512];
		fail(&st, rc);
		while (fread(c, 1, sizeof(c), in) > 0)
			; /* drain, so git is not left writing into a closed pipe */
		gate_push_dispose(&st.push);
		add_placeholder(&st);
		/* still open the repo so the failure is audited */
		prepare(&st);
	}
	status = run_push(&st);
	state_dispose(&st);
	return status;
}

int gate_run_update(const char *ref, const char *old_hex, const char *new_hex,
		    const gate_run_opts *opts)
{
	run_state st;
	int status;

	gate_watchdog_arm(600);
	state_init(&st, opts);
	st.update_hook = 1;
	if (gate_push_add(&st.push, old_hex, new_hex, ref) < 0) {
		fail(&st, GATE_EINVAL);
		add_placeholder(&st);
		prepare(&st);
	}
	status = run_push(&st);
	state_dispose(&st);
	return status;
}

static int resolve_rev(git_oid *out, git_repository *repo, const char *rev, const gate_sink *fp)
{
	git_object *obj = NULL;
	size_t i, len = strlen(rev);
	int zero = len > 0;

	for (i = 0; i < len; i++)
		zero &= rev[i] == '0';
	if (zero) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	if (git_revparse_single(&obj, repo, rev) < 0) {
		const git_error *e = git_error_last();
		gate_sink_printf(fp, "gatehouse: cannot resolve '%s': %s\n", rev, e ? e->message : "unknown");
		return GATE_ENOTFOUND;
	}
	git_oid_cpy(out, git_object_id(obj));
	git_object_free(obj);
	return 0;
}

int gate_run_check(const char *ref, const char *old_rev, const char *new_rev,
		   const gate_run_opts *opts)
{
	git_repository *repo = NULL;
	git_oid old_id, new_id;
	char old_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1];
	const gate_sink *fp = opts->out;
	int rc;

	git_libgit2_init();
	rc = gate_repo_open(&repo);
	if (rc < 0) {
		gate_sink_printf(fp, "gatehouse: %s\n", gate_error_last());
		git_libgit2_shutdown();
		return GATE_EXIT_USAGE;
	}
	rc = resolve_rev(&old_id, repo, old_rev, fp);
	if (rc == 0)
		rc = resolve_rev(&new_id, repo, new_rev, fp);
	git_repository_free(repo);
	git_libgit2_shutdown();
	if (rc < 0)
		return GATE_EXIT_USAGE;
	git_oid_tostr(old_hex, sizeof(old_hex), &old_id);
	git_oid_tostr(new_hex, sizeof(new_hex), &new_id);
	{
		run_state st;
		int status;
		state_init(&st, opts);
		if (gate_push_add(&st.push, old_hex, new_hex, ref) < 0) {
			gate_sink_printf(fp, "gatehouse: %s\n", gate_error_last());
			state_dispose(&st);
			return GATE_EXIT_USAGE;
		}
		status = run_push(&st);
		state_dispose(&st);
		return status;
	}
}

int gate_run_explain(const char *login, const char *ref, const gate_run_opts *opts)
{
	run_state st;
	gate_buf out = GATE_BUF_INIT, why = GATE_BUF_INIT;
	int rc = 0, valid = 0;

	if (strncmp(ref, "refs/", 5) || git_reference_name_is_valid(&valid, ref) < 0 || !valid)
		return gate_error_set(GATE_EINVAL, "'%s' is not a full ref name (e.g. refs/heads/main)", ref);
	state_init(&st, opts);
	if ((rc = prepare(&st)) < 0 || (rc = load_matrix(&st)) < 0) {
		gate_buf_puts(&why, error_text(&st));
	} else if (!st.m) {
		rc = GATE_ENOTFOUND;
		gate_buf_printf(&why, "no matrix on %s (%s) yet", st.trusted_ref, st.matrix_path);
	} else if ((rc = gate_explain(&out, st.m, login, ref, st.matrix_file ? NULL : st.matrix_path,
				      st.matrix_file ? NULL : st.trusted_ref)) < 0) {
		gate_buf_puts(&why, "out of memory");
	} else {
		gate_sink_puts(opts->out, gate_buf_cstr(&out));
	}
	gate_buf_dispose(&out);
	state_dispose(&st);
	if (rc < 0)
		rc = why.oom ? gate_error_oom() : gate_error_set(rc, "%s", gate_buf_cstr(&why));
	gate_buf_dispose(&why);
	return rc;
}

/* The remote's trusted branch as this clone knows it: refs/remotes/REMOTE/HEAD's target. */
static char *remote_trusted_ref(git_repository *repo, const char *remote)
{
	gate_buf name = GATE_BUF_INIT;
	git_reference *ref = NULL;
	char *out = NULL;

	gate_buf_printf(&name, "refs/remotes/%s/HEAD", remote);
	if (!name.oom && git_reference_lookup(&ref, repo, name.ptr) == 0 &&
	    git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC)
		out = gate_strdup(git_reference_symbolic_target(ref));
	git_reference_free(ref);
	git_error_clear();
	gate_buf_dispose(&name);
	return out;
}

/*
 * Splits one pre-push input line, "LOCAL_REF SP LOCAL_SHA SP REMOTE_REF SP
 * REMOTE_SHA LF", in place into FIELD.  0, or -1 with WHY set.
 */
static int pre_push_fields(char *line, char *field[4], char *why, size_t whylen)
{
	size_t len = strlen(line), k;
	char *p = line;

	if (!len || line[len - 1] != '\n') {
		snprintf(why, whylen, "too long or unterminated");
		return -1;
	}
	line[len - 1] = '\0';
	for (k = 0; k < 4; k++) {
		char *sp = strchr(p, ' ');
		field[k] = p;
		if ((k < 3) != (sp != NULL) || !*p || (sp && sp == p)) {
			snprintf(why, whylen, "expected four fields separated by single spaces");
			return -1;
		}
		if (sp) {
			*sp = '\0';
			p = sp + 1;
		}
	}
	return 0;
}

int gate_run_pre_push(const char *remote, FILE *in, const gate_run_opts *opts)
{
	char line[2 * GATE_REF_MAX + 2 * GIT_OID_HEXSZ + 8];
	git_repository *repo = NULL;
	gate_run_opts o = *opts;
	char *trusted = NULL, *configured = NULL;
	git_buf email = GIT_BUF_INIT;
	gate_buf remote_prefix = GATE_BUF_INIT;
	size_t lineno = 0;
	int status = GATE_EXIT_OK;

	git_libgit2_init();
	if (gate_repo_open(&repo) < 0) {
		gate_sink_printf(opts->out, "gatehouse pre-push: %s\n", gate_error_last());
		git_libgit2_shutdown();
		return GATE_EXIT_OK; /* not our business outside a repository */
	}
	if (gate_repo_config(&configured, repo, "gatehouse.trustedRef") == 0 && !configured)
		trusted = remote_trusted_ref(repo, remote);
	o.trusted_ref = configured ? configured : trusted;
	o.dry_run = 1;
	if (!o.user_email) {
		git_config *cfg = NULL;
		if (git_repository_config_snapshot(&cfg, repo) == 0 &&
		    git_config_get_string_buf(&email, cfg, "user.email") == 0)
			o.user_email = email.ptr;
		git_config_free(cfg);
		git_error_clear();
	}
	o.no_secrets = 1;
	gate_buf_printf(&remote_prefix, "refs/remotes/%s/", remote);
	while (!remote_prefix.oom && fgets(line, sizeof(line), in)) {
		char *field[4], why[300];
		run_state st;
		int s, bad;
		lineno++;
		if (!strcmp(line, "\n"))
			continue; /* a shell wrapper's echo of empty input: no update in it */
		bad = pre_push_fields(line, field, why, sizeof(why)) < 0;
		if (!bad) {
			state_init(&st, &o);
			if (gate_push_add(&st.push, field[3], field[1], field[2]) < 0) {
				snprintf(why, sizeof(why), "%s", gate_error_last());
				state_dispose(&st);
				bad = 1;
			}
		}
		if (bad) {
			/* an update it cannot read is an update it did not check: say so and stop */
			gate_buf b = GATE_BUF_INIT;
			size_t len = strcspn(line, "\n");
			gate_buf_put_escaped(&b, line, len > 200 ? 200 : len);
			gate_sink_printf(o.out,
				"gatehouse pre-push: pre-push input line %zu is not 'LOCAL_REF LOCAL_SHA "
				"REMOTE_REF REMOTE_SHA' (%s): %s\n", lineno, why,
				b.oom ? "(out of memory)" : gate_buf_cstr(&b));
			gate_buf_dispose(&b);
			status = GATE_EXIT_REJECTED;
			break;
		}
		if (git_oid_is_zero(&st.push.items[0].old_id) && git_oid_is_zero(&st.push.items[0].new_id))
			st.push.items[0].noop = 1; /* the remote has no such ref, as far as this clone knows */
		st.local = 1;
		st.remote_prefix = gate_buf_cstr(&remote_prefix);
		s = run_push(&st);
		if (s != GATE_EXIT_OK)
			status = s;
		state_dispose(&st);
	}
	if (status != GATE_EXIT_OK)
		gate_sink_printf(o.out,
			"gatehouse (pre-push): the server would reject this push; fix the above and push "
			"again (git push --no-verify skips this check, not the server's)\n");
	if (remote_prefix.oom) {
		gate_sink_puts(o.out, "gatehouse pre-push: out of memory\n");
		status = GATE_EXIT_REJECTED;
	}
	gate_buf_dispose(&remote_prefix);
	gate_free(configured);
	gate_free(trusted);
	git_buf_dispose(&email);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return status;
}
