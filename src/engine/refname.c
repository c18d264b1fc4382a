/*
 * refs[].name_pattern: the names a ref rule admits.  A rule that covers
 * every branch may still want each one named feature/<slug> or
 * release/<version>; a ref it covers is then created or moved only under a
 * name its regular expression (PCRE2, over the full ref name, anchored only
 * where the pattern says ^ and $) matches.  Deleting a misnamed ref stays
 * possible, for whoever the rule lets delete.
 *
 * The pattern comes from the trusted matrix, which compiled it at load; the
 * name comes from the pusher, so the match is bounded (match and depth
 * limits), and a match that reaches a bound rejects like a mismatch.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "evidence/evidence.h"

/* a ref name is short; these bound a pathological pattern on it */
#define NAME_MATCH_LIMIT 100000
#define NAME_DEPTH_LIMIT 1000

gate_ref_check_fn gate_refcheck_name_pattern;

/* 1: NAME matches PATTERN; 0: it does not; -1: it could not be decided (*WHY says why). */
static int name_matches(const char *pattern, const char *name, const char **why)
{
	pcre2_match_context *mctx = pcre2_match_context_create(NULL);
	pcre2_match_data *md = NULL;
	pcre2_code *code;
	PCRE2_SIZE off;
	int err, rc;

	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	if (code)
		md = pcre2_match_data_create_from_pattern(code, NULL);
	if (!mctx || !code || !md) {
		*why = code ? "out of memory" : "the pattern does not compile";
		rc = -1;
	} else {
		pcre2_set_match_limit(mctx, NAME_MATCH_LIMIT);
		pcre2_set_depth_limit(mctx, NAME_DEPTH_LIMIT);
		rc = pcre2_match(code, (PCRE2_SPTR)name, strlen(name), 0, 0, md, mctx);
		if (rc >= 0)
			rc = 1;
		else if (rc == PCRE2_ERROR_NOMATCH)
			rc = 0;
		else {
			*why = "the match reached its bound (a pattern that backtracks too much)";
			rc = -1;
		}
	}
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	pcre2_match_context_free(mctx);
	return rc;
}

int gate_refcheck_name_pattern(gate_decision *d, const gate_evidence_ctx *ctx,
			       const gate_commit_facts *c)
{
	const gate_ruleopt *o = gate_refrule_opt(ctx->rule, "name_pattern");
	const char *ref = ctx->u->ref, *why = NULL;
	gate_buf subject = GATE_BUF_INIT, found = GATE_BUF_INIT, missing = GATE_BUF_INIT;
	int m, rc;

	(void)c;
	if (!o || ctx->u->kind == GATE_UPD_DELETE || (m = name_matches(o->value, ref, &why)) == 1)
		return 0;
	gate_buf_put_escaped(&subject, ref, strlen(ref));
	gate_buf_put_escaped(&found, ref, strlen(ref));
	if (m == 0)
		gate_buf_printf(&found, " is not a name name_pattern '%s' matches", o->value);
	else
		gate_buf_printf(&found, ": whether name_pattern '%s' matches it could not be decided: %s",
				o->value, why);
	gate_buf_printf(&missing, "a ref name matching %s", o->value);
	rc = subject.oom || found.oom || missing.oom
		     ? gate_error_oom()
		     : gate_decision_reject(d, "ref.name_pattern", o->loc.line, o->loc.col,
					    gate_buf_cstr(&subject), gate_buf_cstr(&found),
					    gate_buf_cstr(&missing),
					    "push under a name the pattern matches (git push origin "
					    "HEAD:refs/heads/<name>; git branch -m renames the local "
					    "branch), or ask the matrix owners to widen name_pattern");
	gate_buf_dispose(&subject);
	gate_buf_dispose(&found);
	gate_buf_dispose(&missing);
	return rc;
}
