/*
 * The content phase: the (path, blob) pairs a push brings (the content
 * source, with settings.limits enforced while listing), the content checks
 * the matrix enables run over it by one driver (the secret scan, the
 * container and dependency policies: each blob read once for all), the
 * secret scan over the push's text outside blobs; their findings become
 * reasons on the update that brought them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runstate.h"
#include "gatehouse/checks.h"
#include "git/repo.h"
#include "content/check.h"
#include "content/policies.h"
#include "content/source.h"
#include "content/textscan.h"

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

/*
 * The matrix's content policies for this push, with the advisories of
 * policies.dependencies.osv read from the trusted commit.
 */
static int open_policies(run_state *st, gate_policies_content **out)
{
	const gate_policies_cfg *p = &st->m->policies;
	char *osv = NULL;
	size_t osv_len = 0;
	int rc;

	*out = NULL;
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
	rc = gate_policies_content_new(out, st->m, osv, osv_len);
	gate_free(osv);
	return rc;
}

/* The content policies' findings FS on the files of SRC, as reasons on their updates. */
static int report_policies(run_state *st, const gate_policy_findings *fs, const gate_source *src)
{
	const gate_policies_cfg *p = &st->m->policies;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < fs->count; i++) {
		const gate_policy_finding *f = &fs->items[i];
		const gate_source_item *j = &src->items[f->origin];
		const gate_check_info *row = gate_check_lookup(f->check);
		gate_loc loc = gate_policies_loc(p, row ? row->key : NULL);
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
						  gate_buf_cstr(&found),
						  row ? row->needs : "content the matrix's policies allow", f->fix);
		gate_buf_dispose(&subject);
		gate_buf_dispose(&found);
	}
	if (rc == 0 && fs->dropped)
		rc = reject_findings_cap(st, fs->dropped);
	return rc;
}

/*
 * The secrets policy for this push: the matrix's secrets: section (or the
 * built-in defaults) and the fingerprints file on the trusted ref.
 */
int gate_run_open_secrets(run_state *st, gate_secrets **out)
{
	gate_buf cache = GATE_BUF_INIT;
	char *ignore = NULL;
	size_t ilen;
	git_oid trusted;
	int rc, created;

	*out = NULL;
	if (st->trusted_ref && gate_run_trusted_tip(st, &trusted, &created) == 0) {
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
 * Lists the (path, blob) pairs the push brings into SRC, enforcing
 * settings.limits: a push past one is rejected (st->over_limit), not read.
 */
static int list_source(run_state *st, gate_source *src)
{
	/* listed even with secrets and policies off: the listing checks the path and commit limits */
	double t = gate_now_ms();
	int rc = gate_source_push(src, st->repo, &st->push, &st->newobjs, gate_run_limits(st));

	/* tags of blobs and trees: without a quarantine no commit leads to them */
	if (rc == 0 && src->hit.which < 0)
		rc = gate_source_direct(src, st->repo, &st->push, &st->newobjs, gate_run_limits(st));
	st->phase_ms[GATE_PHASE_SECRETS_LIST] = gate_now_ms() - t;
	if (rc == 0 && st->deadline > 0 && gate_now_ms() > st->deadline)
		rc = gate_error_set(GATE_ELIMIT, "time budget of %u ms (settings.time_budget_ms) "
						 "exceeded while listing the pushed blobs", st->budget_ms);
	if (rc == 0 && src->hit.which >= 0)
		rc = gate_run_reject_limit(st, src->hit.which, src->hit.detail);
	return rc;
}

/* The secret scan's findings, and what it could not scan, as reasons. */
static int report_secrets(run_state *st)
{
	int rc;
	st->secrets_ran = 1;
	if ((rc = report_findings(st)) == 0)
		rc = reject_unscanned(st);
	return rc;
}

/* Sets SEC up for this push: the engine the server asks for, the time budget. */
static void secrets_setup(run_state *st, gate_secrets *sec, gate_content_opts *opts)
{
	char *engine = NULL;
	if (gate_repo_config(&engine, st->repo, "gatehouse.secretsEngine") == 0 && engine &&
	    !strcmp(engine, "pcre2"))
		gate_secrets_force_pcre2(sec);
	gate_free(engine);
	gate_secrets_set_deadline(sec, st->deadline, st->budget_ms);
	opts->deadline = st->deadline;
	opts->budget_ms = st->budget_ms;
}

/*
 * Runs the content checks the matrix enables over SRC, each blob read once
 * for all of them: the secret scan (SEC; NULL or disabled: none), then the
 * push's text outside blobs, and the content policies (from the push after
 * the matrix's first, like evidence).  Their findings become reasons: the
 * secrets' first, then the policies'.  A content policy that cannot be set
 * up fails the push after the secret scan ran and was reported.
 */
static int check_content(run_state *st, gate_secrets *sec, const gate_source *src)
{
	gate_content_check checks[1 + GATE_POLICY_CONTENT_CHECKS];
	gate_content_opts opts = GATE_CONTENT_OPTS_INIT;
	gate_policy_findings fs = GATE_POLICY_FINDINGS_INIT;
	gate_policies_content *pc = NULL;
	int secrets = sec && !gate_secrets_disabled(sec);
	int policies = st->m && !st->bootstrap &&
		       (st->m->policies.containers || st->m->policies.dependencies);
	int rc = 0, prc = 0;
	size_t n = 0;
	char perr[2048] = "";
	double t = gate_now_ms();

	if (secrets) {
		secrets_setup(st, sec, &opts);
		gate_secrets_check(&checks[n++], sec, &st->secrets);
	}
	if (policies && (prc = open_policies(st, &pc)) < 0)
		snprintf(perr, sizeof(perr), "%s", gate_error_last()); /* after the secrets */
	else if (policies)
		n += gate_policies_content_checks(checks + n, pc);
	rc = gate_content_run(&fs, checks, n, src, st->repo, &opts);
	if (secrets) {
		/* messages, paths and ref names: the same rules, beside the blobs */
		if (rc == 0)
			rc = gate_textscan_push(&st->secrets, &st->redact, sec, st->repo, &st->push,
						&st->newobjs, src);
		st->names_scanned = rc == 0;
		st->phase_ms[GATE_PHASE_SECRETS_SCAN] = gate_now_ms() - t;
		if (rc == 0)
			rc = report_secrets(st);
	}
	if (rc == 0 && prc < 0)
		rc = gate_error_set(prc, "%s", perr);
	if (rc == 0 && pc)
		rc = report_policies(st, &fs, src);
	gate_policy_findings_dispose(&fs);
	gate_policies_content_free(pc);
	return rc;
}

/*
 * The content phase: lists the push's files (limits), runs the content
 * checks over them, and keeps the list for the external policy.
 */
int gate_run_content(run_state *st)
{
	gate_secrets *sec = NULL;
	gate_source src = GATE_SOURCE_INIT;
	int rc;

	if ((rc = gate_run_open_secrets(st, &sec)) < 0)
		return gate_run_fail(st, rc);
	rc = list_source(st, &src);
	if (rc == 0 && !st->over_limit)
		rc = check_content(st, sec, &src);
	snprintf(st->secrets_engine, sizeof(st->secrets_engine), "%s",
		 sec ? gate_secrets_engine(sec) : "off");
	gate_source_dispose(&st->jobs);
	st->jobs = src; /* handed over: the external policy reads the files too */
	gate_secrets_free(sec);
	return rc < 0 ? gate_run_fail(st, rc) : 0;
}
