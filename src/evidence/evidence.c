/*
 * Judging the evidence a push carries (see evidence.h).
 *
 * A review or approval counts when its email belongs to a person in an
 * accepted role who did not make or push what it vouches for: not the
 * commit's author, committer or signer, not the tag's tagger or signer, not
 * the pusher.  Each person counts once.
 * Every unmet requirement is its own reason, naming the commit, the rule's
 * matrix line, what was found, what is missing, and how to fix it.
 */
#include <string.h>

#include "evidence/evidence.h"
#include "util/glob.h"

/* "abc1234567 subject" with the subject escaped and bounded. */
static void commit_subject(gate_buf *b, const gate_commit_facts *c)
{
	gate_buf_printf(b, "%s ", c->short_id);
	gate_buf_put_escaped(b, c->subject, strlen(c->subject));
}

static int in_any_role(const gate_matrix *m, long person, const size_t *roles, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (gate_matrix_in_role(m, person, roles[i]))
			return 1;
	return 0;
}

/*
 * The people whose own trailers never count on commit C: its author,
 * committer and signer, then CTX's parties (tagger, tag signer, pusher).
 * Fills OUT (room for 3 + ctx->n_parties) and returns how many.
 */
static size_t makers(gate_evidence_party *out, const gate_evidence_ctx *ctx, const gate_commit_facts *c)
{
	size_t n = 0, i;
	out[n].person = gate_matrix_person_by_email(ctx->m, c->author_email ? c->author_email : "");
	out[n++].why = "the author";
	out[n].person = gate_matrix_person_by_email(ctx->m, c->committer_email ? c->committer_email : "");
	out[n++].why = "the committer";
	/* a claimed signer too, verified or not: excluding more never lets a push through */
	out[n].person = c->signer;
	out[n++].why = "signed the commit";
	for (i = 0; i < ctx->n_parties; i++)
		out[n++] = ctx->parties[i];
	return n;
}

/* Why person P may not vouch (an entry of EX), or NULL. */
static const char *excluded(const gate_evidence_party *ex, size_t n, long p)
{
	size_t i;
	for (i = 0; p >= 0 && i < n; i++)
		if (ex[i].person == p)
			return ex[i].why;
	return NULL;
}

/* A reviewer suggestion for fix texts: the first person in ROLES not in EX. */
static const gate_person *suggest(const gate_matrix *m, const size_t *roles, size_t n,
				  const gate_evidence_party *ex, size_t n_ex)
{
	size_t i, j;
	for (i = 0; i < n; i++)
		for (j = 0; j < m->roles[roles[i]].n_members; j++) {
			size_t p = m->roles[roles[i]].members[j];
			if (!excluded(ex, n_ex, (long)p))
				return &m->people[p];
		}
	return NULL;
}

typedef struct {
	size_t count;
	gate_buf counted, ignored;
} tally;

/*
 * Counts distinct people giving trailer NAME in T1 and T2 (either may be
 * NULL) who are in ROLES and are none of EX (who made or pushed the change).
 */
static void count_people(tally *t, const gate_matrix *m, const gate_trailers *t1,
			 const gate_trailers *t2, const char *name, const size_t *roles, size_t n,
			 const gate_evidence_party *ex, size_t n_ex)
{
	const gate_trailers *lists[2] = { t1, t2 };
	long *seen;
	size_t nseen = 0, li, i, k, nignored = 0;

	memset(t, 0, sizeof(*t));
	seen = gate_calloc((t1 ? t1->count : 0) + (t2 ? t2->count : 0) + 1, sizeof(*seen));
	if (!seen) {
		t->counted.oom = 1; /* surfaces as out of memory in reject() */
		return;
	}
	for (li = 0; li < 2; li++) {
		if (!lists[li])
			continue;
		for (i = 0; i < lists[li]->count; i++) {
			const gate_trailer *tr = &lists[li]->items[i];
			char email[320];
			const char *why;
			long p;
			int dup = 0;

			if (gate_strcasecmp(tr->key, name))
				continue;
			if (gate_trailer_email(email, sizeof(email), tr->value) < 0) {
				if (nignored++ < 5) {
					gate_buf_printf(&t->ignored, "%s'", t->ignored.len ? "; " : "");
					gate_buf_put_escaped(&t->ignored, tr->value, strnlen(tr->value, 80));
					gate_buf_puts(&t->ignored, "' (no email)");
				}
				continue;
			}
			p = gate_matrix_person_by_email(m, email);
			for (k = 0; k < nseen; k++)
				dup |= seen[k] == p;
			if (p >= 0 && dup)
				continue;
			why = excluded(ex, n_ex, p);
			if (p < 0 || why || !in_any_role(m, p, roles, n)) {
				if (nignored++ < 5) {
					gate_buf_printf(&t->ignored, "%s", t->ignored.len ? "; " : "");
					gate_buf_put_escaped(&t->ignored, email, strlen(email));
					if (p < 0)
						gate_buf_puts(&t->ignored, " (not a person in the matrix)");
					else if (why)
						gate_buf_printf(&t->ignored, " (%s: no self-review)", why);
					else
						gate_buf_printf(&t->ignored, " (%s is not in an accepted role)",
								m->people[p].id);
				}
				if (p >= 0)
					seen[nseen++] = p;
				continue;
			}
			seen[nseen++] = p;
			gate_buf_printf(&t->counted, "%s%s", t->count ? ", " : "", m->people[p].id);
			t->count++;
		}
	}
	if (nignored > 5)
		gate_buf_printf(&t->ignored, "; and %zu more", nignored - 5);
	gate_free(seen);
}

static void tally_dispose(tally *t)
{
	gate_buf_dispose(&t->counted);
	gate_buf_dispose(&t->ignored);
}

static void describe_tally(gate_buf *found, const tally *t, const char *what)
{
	if (t->count)
		gate_buf_printf(found, "%zu %s counted (%s)", t->count, what, gate_buf_cstr(&t->counted));
	else
		gate_buf_printf(found, "no %s counted", what);
	if (t->ignored.len)
		gate_buf_printf(found, "; not counted: %s", gate_buf_cstr(&t->ignored));
}

static int reject(gate_decision *d, const char *check, gate_loc loc, gate_buf *subject,
		  gate_buf *found, gate_buf *missing, gate_buf *fix)
{
	int rc;
	if (subject->oom || found->oom || missing->oom || fix->oom)
		rc = gate_error_oom();
	else
		rc = gate_decision_reject(d, check, loc.line, loc.col, gate_buf_cstr(subject),
					  gate_buf_cstr(found), gate_buf_cstr(missing),
					  gate_buf_cstr(fix));
	gate_buf_dispose(subject);
	gate_buf_dispose(found);
	gate_buf_dispose(missing);
	gate_buf_dispose(fix);
	return rc;
}

/* A Reviewed-by requirement on commit C: MIN people from ROLES. */
static int need_reviews(gate_decision *d, const gate_evidence_ctx *ctx, const gate_commit_facts *c,
			const char *check, gate_loc loc, unsigned min, const size_t *roles,
			size_t n_roles, const char *because)
{
	const gate_matrix *m = ctx->m;
	gate_buf subject = GATE_BUF_INIT, found = GATE_BUF_INIT, missing = GATE_BUF_INIT,
		 fix = GATE_BUF_INIT;
	const gate_person *who;
	gate_evidence_party *ex;
	size_t n_ex;
	tally t;

	if (!(ex = gate_calloc(3 + ctx->n_parties, sizeof(*ex))))
		return gate_error_oom();
	n_ex = makers(ex, ctx, c);
	count_people(&t, m, &c->trailers, NULL, "Reviewed-by", roles, n_roles, ex, n_ex);
	if (t.counted.oom || t.ignored.oom) {
		tally_dispose(&t);
		gate_free(ex);
		return gate_error_oom();
	}
	if (t.count >= min) {
		tally_dispose(&t);
		gate_free(ex);
		return 0;
	}
	commit_subject(&subject, c);
	gate_buf_puts(&found, "commit ");
	commit_subject(&found, c);
	gate_buf_puts(&found, because);
	gate_buf_puts(&found, ": ");
	describe_tally(&found, &t, t.count == 1 ? "review" : "reviews");
	gate_buf_printf(&missing, "%u Reviewed-by from distinct people other than the author, "
				  "committer, signer and pusher in ", min);
	gate_matrix_describe_roles(&missing, m, roles, n_roles, 4);
	who = suggest(m, roles, n_roles, ex, n_ex);
	gate_free(ex);
	gate_buf_printf(&fix, "get %u more review%s and record %s: git commit --amend --trailer "
			      "'Reviewed-by: %s <%s>' (older commits: git rebase -i, or merge them with "
			      "a commit carrying the trailers)",
			(unsigned)(min - t.count), min - t.count > 1 ? "s" : "",
			min - t.count > 1 ? "each" : "it",
			who ? (who->name ? who->name : who->id) : "Name",
			who && who->n_emails ? who->emails[0] : "name@example.com");
	tally_dispose(&t);
	return reject(d, check, loc, &subject, &found, &missing, &fix);
}

static int check_trailers(gate_decision *d, const gate_evidence_ctx *ctx, const gate_commit_facts *c)
{
	const gate_refrule *r = ctx->rule;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < r->n_trailers && rc == 0; i++) {
		const gate_trailer_req *req = &r->trailers[i];
		const char *v = gate_trailers_last(&c->trailers, req->name);
		gate_buf subject = GATE_BUF_INIT, found = GATE_BUF_INIT, missing = GATE_BUF_INIT,
			 fix = GATE_BUF_INIT;
		int okv = 0;
		if (v)
			for (j = 0; j < req->n_values; j++)
				okv |= !gate_strcasecmp(v, req->values[j]);
		if (okv)
			continue;
		commit_subject(&subject, c);
		gate_buf_puts(&found, "commit ");
		commit_subject(&found, c);
		if (v) {
			gate_buf_printf(&found, " says %s: ", req->name);
			gate_buf_put_escaped(&found, v, strnlen(v, 100));
		} else {
			gate_buf_printf(&found, " has no %s trailer", req->name);
		}
		gate_buf_printf(&missing, "%s: ", req->name);
		for (j = 0; j < req->n_values; j++)
			gate_buf_printf(&missing, "%s%s", j ? " or " : "", req->values[j]);
		gate_buf_printf(&fix, "run the check and record its result: git commit --amend --trailer "
				      "'%s: %s'", req->name, req->values[0]);
		rc = reject(d, "trailer.required", req->loc, &subject, &found, &missing, &fix);
	}
	return rc;
}

static int check_signature(gate_decision *d, const gate_evidence_ctx *ctx, const gate_commit_facts *c)
{
	gate_buf subject = GATE_BUF_INIT, found = GATE_BUF_INIT, missing = GATE_BUF_INIT,
		 fix = GATE_BUF_INIT;
	const char *check;

	if (c->sig == GATE_SIGNED_OK) {
		long committer = gate_matrix_person_by_email(ctx->m, c->committer_email ? c->committer_email : "");
		if (committer == c->signer)
			return 0;
		/* a valid signature vouches for its signer, not for the name in the commit */
		commit_subject(&subject, c);
		gate_buf_puts(&found, "commit ");
		commit_subject(&found, c);
		gate_buf_printf(&found, " is signed by %s's key %s but committed as ",
				ctx->m->people[c->signer].id, c->fingerprint);
		gate_buf_put_escaped(&found, c->committer_email ? c->committer_email : "",
				     c->committer_email ? strlen(c->committer_email) : 0);
		gate_buf_puts(&missing, "the committer's own signature: whoever makes a commit signs it");
		gate_buf_puts(&fix, "commit under your own identity (git config user.email) and sign it "
				    "with your key, or have the committer sign it: git commit --amend -S "
				    "--no-edit --reset-author");
		return reject(d, "signature.not_committer", ctx->rule->signed_loc, &subject, &found,
			      &missing, &fix);
	}
	commit_subject(&subject, c);
	gate_buf_puts(&found, "commit ");
	commit_subject(&found, c);
	switch (c->sig) {
	case GATE_SIGNED_NONE:
		check = "signature.missing";
		gate_buf_puts(&found, " is not signed");
		break;
	case GATE_SIGNED_OPENPGP:
		check = "signature.unsupported";
		gate_buf_puts(&found, " has an OpenPGP signature: not supported yet (only SSH signatures)");
		break;
	case GATE_SIGNED_X509:
		check = "signature.unsupported";
		gate_buf_puts(&found, " has a signature that is not an SSH signature");
		break;
	case GATE_SIGNED_UNKNOWN_KEY:
		check = "signature.unknown_key";
		gate_buf_printf(&found, " is signed by key %s, which no person in the matrix holds",
				c->fingerprint);
		break;
	case GATE_SIGNED_BAD:
		check = "signature.invalid";
		gate_buf_printf(&found, " has a signature by %s's key %s that does not verify: %s",
				c->signer >= 0 ? ctx->m->people[c->signer].id : "?", c->fingerprint,
				c->sig_detail);
		break;
	default:
		check = "signature.invalid";
		gate_buf_printf(&found, " has a malformed signature: %s",
				c->sig_detail[0] ? c->sig_detail : "unreadable");
		break;
	}
	gate_buf_puts(&missing, "an SSH signature (namespace git) by a key listed under keys: of a "
				"person in the matrix");
	gate_buf_puts(&fix, "sign with an SSH key listed for you in the matrix: git config gpg.format ssh; "
			    "git config user.signingKey ~/.ssh/id_ed25519.pub; git commit --amend -S "
			    "--no-edit (older commits: git rebase -i --exec 'git commit --amend -S --no-edit')");
	return reject(d, check, ctx->rule->signed_loc, &subject, &found, &missing, &fix);
}

/* ---- comparing rules ------------------------------------------------------------------ */

/* Whether everyone HELD accepts is accepted by WANTED, and HELD asks for as many. */
static int req_covers(const gate_matrix *m, const gate_evidence_req *held, const gate_evidence_req *wanted)
{
	size_t i, j;
	if (!wanted->set)
		return 1;
	if (!held->set || held->min < wanted->min)
		return 0;
	for (i = 0; i < held->n_roles; i++)
		for (j = 0; j < m->roles[held->roles[i]].n_members; j++)
			if (!in_any_role(m, (long)m->roles[held->roles[i]].members[j], wanted->roles,
					 wanted->n_roles))
				return 0;
	return 1;
}

/* Whether trailer demand H accepts only values W accepts. */
static int trailer_covers(const gate_trailer_req *h, const gate_trailer_req *w)
{
	size_t i, j;
	int ok;
	if (gate_strcasecmp(h->name, w->name))
		return 0;
	for (i = 0; i < h->n_values; i++) {
		for (j = 0, ok = 0; j < w->n_values && !ok; j++)
			ok = !gate_strcasecmp(h->values[i], w->values[j]);
		if (!ok)
			return 0;
	}
	return 1;
}

int gate_evidence_rule_covers(const gate_matrix *m, const gate_refrule *held,
			      const gate_refrule *wanted)
{
	size_t i, j;
	int ok;

	if (held == wanted)
		return 1;
	if (!req_covers(m, &held->reviews, &wanted->reviews) ||
	    !req_covers(m, &held->approvals, &wanted->approvals) ||
	    (wanted->signed_commits && !held->signed_commits))
		return 0;
	for (i = 0; i < wanted->n_trailers; i++) {
		for (j = 0, ok = 0; j < held->n_trailers && !ok; j++)
			ok = trailer_covers(&held->trailers[j], &wanted->trailers[i]);
		if (!ok)
			return 0;
	}
	return 1;
}

int gate_evidence_rule_demands(const gate_refrule *r)
{
	return r->reviews.set || r->approvals.set || r->n_trailers || r->signed_commits;
}

int gate_evidence_is_pipeline_path(const gate_matrix *m, const char *matrix_path, const char *path)
{
	size_t i;
	if (matrix_path && !strcmp(path, matrix_path))
		return 1;
	for (i = 0; gate_builtin_pipeline_paths[i]; i++)
		if (gate_glob_match(gate_builtin_pipeline_paths[i], path) != 0)
			return 1; /* 1, or -1 (no memory): fail closed by asking for the review */
	for (i = 0; i < m->n_pipeline_paths; i++)
		if (gate_glob_match(m->pipeline_paths[i], path) != 0)
			return 1;
	/* policy data the matrix names: the advisories that feed the deny list */
	if (m->policies.osv && !strcmp(path, m->policies.osv))
		return 1;
	return 0;
}

/* Path owners and pipeline owners of commit C. */
static int check_owners(gate_decision *d, const gate_evidence_ctx *ctx, const gate_commit_facts *c)
{
	const gate_matrix *m = ctx->m;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < m->n_paths && rc == 0; i++) {
		const gate_pathrule *pr = &m->paths[i];
		const char *first = NULL;
		size_t hits = 0;
		for (j = 0; j < c->n_paths; j++)
			if (gate_glob_match(pr->pattern, c->paths[j]) != 0) {
				if (!first)
					first = c->paths[j];
				hits++;
			}
		if (hits && first) {
			gate_buf because = GATE_BUF_INIT;
			gate_buf_puts(&because, " touches ");
			gate_buf_put_escaped(&because, first, strlen(first));
			if (hits > 1)
				gate_buf_printf(&because, " (and %zu more)", hits - 1);
			gate_buf_printf(&because, ", owned by path rule %s", pr->pattern);
			rc = because.oom ? GATE_ENOMEM
					 : need_reviews(d, ctx, c, "review.owner", pr->loc, 1, pr->owners,
							pr->n_owners, gate_buf_cstr(&because));
			gate_buf_dispose(&because);
		}
	}
	if (rc == 0) {
		const char *first = NULL;
		size_t hits = 0;
		for (j = 0; j < c->n_paths; j++)
			if (gate_evidence_is_pipeline_path(m, ctx->matrix_path, c->paths[j])) {
				if (!first)
					first = c->paths[j];
				hits++;
			}
		if (hits && first) {
			const gate_duty *duty = gate_matrix_duty(m, GATE_DUTY_CONFIGURE_PIPELINE);
			gate_buf because = GATE_BUF_INIT;
			gate_loc loc = { 0, 0 };
			gate_buf_puts(&because, " changes ");
			gate_buf_put_escaped(&because, first, strlen(first));
			if (hits > 1)
				gate_buf_printf(&because, " (and %zu more)", hits - 1);
			gate_buf_puts(&because, ", pipeline configuration owned by configure_pipeline");
			if (duty)
				rc = because.oom ? GATE_ENOMEM
						 : need_reviews(d, ctx, c, "review.pipeline", loc, 1, duty->roles,
								duty->n_roles, gate_buf_cstr(&because));
			gate_buf_dispose(&because);
		}
	}
	return rc;
}

static int check_approvals(gate_decision *d, const gate_evidence_ctx *ctx)
{
	const gate_evidence_req *req = &ctx->rule->approvals;
	const gate_commit_facts *c = ctx->target;
	const gate_matrix *m = ctx->m;
	gate_buf subject = GATE_BUF_INIT, found = GATE_BUF_INIT, missing = GATE_BUF_INIT,
		 fix = GATE_BUF_INIT;
	const gate_person *who;
	gate_evidence_party *ex;
	size_t n_ex;
	tally t;

	if (!c) {
		gate_buf_put_escaped(&subject, ctx->u->ref, strlen(ctx->u->ref));
		gate_buf_puts(&found, "the ref does not name a commit, so nothing carries approvals");
		gate_buf_printf(&missing, "%u Approved-by", req->min);
		gate_buf_puts(&fix, "point it at an approved commit");
		return reject(d, "approval.min", req->loc, &subject, &found, &missing, &fix);
	}
	if (!(ex = gate_calloc(3 + ctx->n_parties, sizeof(*ex))))
		return gate_error_oom();
	n_ex = makers(ex, ctx, c);
	count_people(&t, m, &c->trailers, ctx->tag_trailers, "Approved-by", req->roles, req->n_roles,
		     ex, n_ex);
	if (t.counted.oom || t.ignored.oom || t.count >= req->min) {
		int oom = t.counted.oom || t.ignored.oom;
		tally_dispose(&t);
		gate_free(ex);
		return oom ? gate_error_oom() : 0;
	}
	gate_buf_put_escaped(&subject, ctx->u->ref, strlen(ctx->u->ref));
	gate_buf_put_escaped(&found, ctx->u->ref, strlen(ctx->u->ref));
	gate_buf_puts(&found, " names commit ");
	commit_subject(&found, c);
	gate_buf_puts(&found, ": ");
	describe_tally(&found, &t, t.count == 1 ? "approval" : "approvals");
	gate_buf_printf(&missing, "%u Approved-by (deployment approval) from distinct people other "
				  "than the author, committer, tagger, signers and pusher in ", req->min);
	gate_matrix_describe_roles(&missing, m, req->roles, req->n_roles, 4);
	who = suggest(m, req->roles, req->n_roles, ex, n_ex);
	gate_free(ex);
	gate_buf_printf(&fix, "ask %s to approve, then tag a commit carrying 'Approved-by: %s <%s>' "
			      "(or put the trailer in the annotated tag's message: git tag -a -m "
			      "\"...\" -m \"Approved-by: ...\")",
			who ? who->id : "an approver", who ? (who->name ? who->name : who->id) : "Name",
			who && who->n_emails ? who->emails[0] : "name@example.com");
	tally_dispose(&t);
	return reject(d, "approval.min", req->loc, &subject, &found, &missing, &fix);
}

static int check_reachable(gate_decision *d, const gate_evidence_ctx *ctx)
{
	const gate_refrule *r = ctx->rule;
	gate_buf subject = GATE_BUF_INIT, found = GATE_BUF_INIT, missing = GATE_BUF_INIT,
		 fix = GATE_BUF_INIT;

	if (ctx->reachable > 0)
		return 0; /* -1 (not checked) fails closed like 0 */
	gate_buf_put_escaped(&subject, ctx->u->ref, strlen(ctx->u->ref));
	gate_buf_put_escaped(&found, ctx->u->ref, strlen(ctx->u->ref));
	if (ctx->target) {
		gate_buf_puts(&found, " would name commit ");
		commit_subject(&found, ctx->target);
		gate_buf_printf(&found, ", which is not on %s", r->reachable_from);
	} else {
		gate_buf_puts(&found, " does not name a commit");
	}
	gate_buf_printf(&missing, "a commit reachable from %s as it stood before this push",
			r->reachable_from);
	gate_buf_printf(&fix, "land the commit on %s first (through its own checks), then tag or "
			      "push that commit", r->reachable_from);
	return reject(d, "ref.reachable_from", r->reachable_loc, &subject, &found, &missing, &fix);
}

/*
 * The ref-level checks of the table (engine/checks.c), which runs them in
 * its order: these per judged commit, then approvals and reachable_from
 * per update.  Each returns at once when the rule does not ask for it.
 */
gate_ref_check_fn gate_refcheck_reviews, gate_refcheck_trailers, gate_refcheck_signature,
	gate_refcheck_owners, gate_refcheck_paths_examined, gate_refcheck_approvals,
	gate_refcheck_reachable;

int gate_refcheck_reviews(gate_decision *d, const gate_evidence_ctx *ctx, const gate_commit_facts *c)
{
	const gate_refrule *r = ctx->rule;
	if (!r->reviews.set)
		return 0;
	return need_reviews(d, ctx, c, "review.min", r->reviews.loc, r->reviews.min, r->reviews.roles,
			    r->reviews.n_roles, "");
}

int gate_refcheck_trailers(gate_decision *d, const gate_evidence_ctx *ctx, const gate_commit_facts *c)
{
	return check_trailers(d, ctx, c);
}

int gate_refcheck_signature(gate_decision *d, const gate_evidence_ctx *ctx, const gate_commit_facts *c)
{
	return ctx->rule->signed_commits ? check_signature(d, ctx, c) : 0;
}

int gate_refcheck_owners(gate_decision *d, const gate_evidence_ctx *ctx, const gate_commit_facts *c)
{
	return check_owners(d, ctx, c);
}

/* A commit whose changed paths were not all listed cannot be judged on them. */
int gate_refcheck_paths_examined(gate_decision *d, const gate_evidence_ctx *ctx,
				 const gate_commit_facts *c)
{
	(void)ctx;
	if (!c->paths_truncated)
		return 0;
	return gate_decision_reject(d, "internal.limit", 0, 0, c->short_id,
				    "the commit changes more paths than gatehouse examines",
				    "a commit small enough to judge", "split the change into smaller commits");
}

int gate_refcheck_approvals(gate_decision *d, const gate_evidence_ctx *ctx, const gate_commit_facts *c)
{
	(void)c;
	return ctx->rule->approvals.set ? check_approvals(d, ctx) : 0;
}

int gate_refcheck_reachable(gate_decision *d, const gate_evidence_ctx *ctx, const gate_commit_facts *c)
{
	(void)c;
	return ctx->rule->reachable_from ? check_reachable(d, ctx) : 0;
}
