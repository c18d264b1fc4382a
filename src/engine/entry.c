/*
 * The entry points of gatehouse/run.h: pre-receive, update, pre-push,
 * `gatehouse check` and `gatehouse explain`, each reading its own input
 * and handing the push to the driver (run.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runstate.h"
#include "engine/explain.h"
#include "engine/watchdog.h"
#include "git/repo.h"

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
	gate_run_state_init(&st, opts);
	rc = gate_push_read(&st.push, in, GATE_PUSH_MAX_REFS);
	if (rc < 0) {
		char c[512];
		gate_run_fail(&st, rc);
		while (fread(c, 1, sizeof(c), in) > 0)
			; /* drain, so git is not left writing into a closed pipe */
		gate_push_dispose(&st.push);
		add_placeholder(&st);
		/* still open the repo so the failure is audited */
		gate_run_prepare(&st);
	}
	status = gate_run_push(&st);
	gate_run_state_dispose(&st);
	return status;
}

int gate_run_update(const char *ref, const char *old_hex, const char *new_hex,
		    const gate_run_opts *opts)
{
	run_state st;
	int status;

	gate_watchdog_arm(600);
	gate_run_state_init(&st, opts);
	st.update_hook = 1;
	if (gate_push_add(&st.push, old_hex, new_hex, ref) < 0) {
		gate_run_fail(&st, GATE_EINVAL);
		add_placeholder(&st);
		gate_run_prepare(&st);
	}
	status = gate_run_push(&st);
	gate_run_state_dispose(&st);
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
		gate_run_state_init(&st, opts);
		if (gate_push_add(&st.push, old_hex, new_hex, ref) < 0) {
			gate_sink_printf(fp, "gatehouse: %s\n", gate_error_last());
			gate_run_state_dispose(&st);
			return GATE_EXIT_USAGE;
		}
		status = gate_run_push(&st);
		gate_run_state_dispose(&st);
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
	gate_run_state_init(&st, opts);
	if ((rc = gate_run_prepare(&st)) < 0 || (rc = gate_run_load_matrix(&st)) < 0) {
		gate_buf_puts(&why, gate_run_error_text(&st));
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
	gate_run_state_dispose(&st);
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
			gate_run_state_init(&st, &o);
			if (gate_push_add(&st.push, field[3], field[1], field[2]) < 0) {
				snprintf(why, sizeof(why), "%s", gate_error_last());
				gate_run_state_dispose(&st);
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
		s = gate_run_push(&st);
		if (s != GATE_EXIT_OK)
			status = s;
		gate_run_state_dispose(&st);
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
