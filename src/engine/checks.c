/*
 * The table of checks (see gatehouse/checks.h and engine/checks.h): one
 * row per check id, the only place an id is defined.  Reasons, the
 * override, SARIF, `gatehouse checks`/`explain` and the README's table of
 * checks read it; the integration suite fails when an audit record carries
 * an id no row covers.
 *
 * Ref-level checks run from here, in table order: per judged commit first
 * (reviews, trailers, signature, owners), then per update.  The order is
 * the order of the reasons a pusher reads.
 */
#include <string.h>

#include "engine/checks.h"

/* the ref-level checks' functions (evidence/evidence.c, evidence/refname.c) */
gate_ref_check_fn gate_refcheck_reviews, gate_refcheck_trailers, gate_refcheck_signature,
	gate_refcheck_owners, gate_refcheck_paths_examined, gate_refcheck_approvals,
	gate_refcheck_reachable, gate_refcheck_name_pattern;

#define A_REFS "the-matrix-version-1"
#define A_PUSHER "what-the-pusher-sees"
#define A_EVIDENCE "evidence-on-protected-refs"
#define A_SECRETS "secret-detection"
#define A_POLICIES "policies-on-pushed-content"
#define A_EXTERNAL "external-policies-opa"
#define A_BREAKGLASS "break-glass"

#define ROW(id, fam, needs, key, ovr, doc, anchor) \
	{ { id, fam, needs, key, ovr, GATE_SEVERITY_ERROR, doc, anchor }, GATE_SCOPE_NONE, NULL, GATE_OPT_NONE }
#define WARN_ROW(id, fam, needs, key, ovr, doc, anchor) \
	{ { id, fam, needs, key, ovr, GATE_SEVERITY_WARNING, doc, anchor }, GATE_SCOPE_NONE, NULL, GATE_OPT_NONE }
#define REF_CHECK(id, fam, needs, key, ovr, doc, anchor, scope, fn, opt) \
	{ { id, fam, needs, key, ovr, GATE_SEVERITY_ERROR, doc, anchor }, scope, fn, opt }

#define F_REF GATE_FAMILY_REF
#define F_MATRIX GATE_FAMILY_MATRIX
#define F_EVID GATE_FAMILY_EVIDENCE
#define F_SECRET GATE_FAMILY_SECRET
#define F_POLICY GATE_FAMILY_POLICY
#define F_LIMIT GATE_FAMILY_LIMIT
#define F_OVERRIDE GATE_FAMILY_OVERRIDE
#define F_INTERNAL GATE_FAMILY_INTERNAL

#define LIMIT(key, what) \
	ROW("limit." key, F_LIMIT, "a push within settings.limits", "settings.limits." key, 0, \
	    "the push exceeds settings.limits." key " (" what ")", A_REFS)
#define CONTAINER(name, doc) \
	ROW("policy.container." name, F_POLICY, "containers as policies.containers allows", \
	    "policies.containers." name, 1, doc, A_POLICIES)

static const gate_check_def table[] = {
	/* ref permissions: the decision table (engine/decide.c) */
	ROW("ref.push", F_REF, "membership of the rule's push roles", "refs[].push", 0,
	    "a fast-forward (or force) update by someone outside `push`", A_PUSHER),
	ROW("ref.create", F_REF, "membership of the rule's create roles", "refs[].create", 0,
	    "a creation by someone outside `create` (or `push` when `create` is absent)", A_PUSHER),
	ROW("ref.delete", F_REF, "membership of the rule's delete roles", "refs[].delete", 0,
	    "a deletion by someone outside `delete`", A_PUSHER),
	ROW("ref.force_push", F_REF, "membership of the rule's force_push roles", "refs[].force_push", 0,
	    "a non-fast-forward update by someone outside `force_push`", A_PUSHER),
	ROW("ref.replace", F_REF, "a rule whose pattern starts with refs/replace/", NULL, 0,
	    "a change to a ref under `refs/replace/` when no rule's pattern starts with "
	    "`refs/replace/` (built in; a catch-all does not count)", A_PUSHER),
	ROW("ref.notes", F_REF, "a rule whose pattern starts with refs/notes/", NULL, 0,
	    "a change to a ref under `refs/notes/` when no rule's pattern starts with `refs/notes/` "
	    "(built in)", A_PUSHER),
	ROW("ref.unruled", F_REF, "a person in the matrix, or a rule for the ref", NULL, 0,
	    "a change to a ref no rule covers by someone who is no person in the matrix (built in)",
	    A_PUSHER),
	REF_CHECK("ref.name_pattern", F_REF, "a ref name the rule's name_pattern matches",
		  "refs[].name_pattern", 0,
		  "a ref a rule with `name_pattern` covers is created or updated under a name the "
		  "pattern does not match", A_REFS, GATE_SCOPE_UPDATE, gate_refcheck_name_pattern,
		  GATE_OPT_REGEX),
	/* the trusted ref */
	ROW("matrix.missing", F_MATRIX, "a matrix file on the trusted ref", NULL, 0,
	    "a push to the trusted ref leaves no matrix file", A_PUSHER),
	ROW("matrix.invalid", F_MATRIX, "a matrix that validates and keeps its expectations", NULL, 0,
	    "a push to the trusted ref leaves a matrix that does not validate, breaks an expectation "
	    "of the trusted matrix or its own, or names an external policy the server does not "
	    "define; or the trusted matrix names one (every push)", A_PUSHER),
	ROW("matrix.trusted_delete", F_MATRIX, "the trusted ref kept", NULL, 0,
	    "a push deletes the trusted ref", A_PUSHER),
	/* evidence on protected refs: per judged commit, then per update, in this order */
	REF_CHECK("review.min", F_EVID, "Reviewed-by from enough distinct accepted people",
		  "refs[].reviews", 1,
		  "a judged commit has fewer `Reviewed-by` from distinct accepted people than "
		  "`reviews.min`", A_EVIDENCE, GATE_SCOPE_COMMIT, gate_refcheck_reviews, GATE_OPT_NONE),
	REF_CHECK("trailer.required", F_EVID, "the trailers the rule requires, with accepted values",
		  "refs[].trailers", 1,
		  "a judged commit lacks a required trailer, or its value is not accepted", A_EVIDENCE,
		  GATE_SCOPE_COMMIT, gate_refcheck_trailers, GATE_OPT_NONE),
	REF_CHECK("signature.missing", F_EVID, "an SSH signature by the committer's key",
		  "refs[].signed", 1, "a judged commit is not signed (`signed: true`)", A_EVIDENCE,
		  GATE_SCOPE_COMMIT, gate_refcheck_signature, GATE_OPT_NONE),
	ROW("signature.unsupported", F_EVID, "an SSH signature by the committer's key", "refs[].signed",
	    1, "signed, but not with SSH (OpenPGP, X.509)", A_EVIDENCE),
	ROW("signature.unknown_key", F_EVID, "an SSH signature by the committer's key", "refs[].signed",
	    1, "signed by a key no person in the matrix holds", A_EVIDENCE),
	ROW("signature.invalid", F_EVID, "an SSH signature by the committer's key", "refs[].signed", 1,
	    "the signature is malformed or does not verify", A_EVIDENCE),
	ROW("signature.not_committer", F_EVID, "an SSH signature by the committer's key",
	    "refs[].signed", 1,
	    "a valid signature, but by someone other than the commit's committer", A_EVIDENCE),
	REF_CHECK("review.owner", F_EVID, "a review by an owner of each path rule a commit touches",
		  "paths[].owners", 1,
		  "a judged commit touches a `paths` pattern without a review by one of its owners",
		  A_EVIDENCE, GATE_SCOPE_COMMIT, gate_refcheck_owners, GATE_OPT_NONE),
	ROW("review.pipeline", F_EVID, "a review by configure_pipeline's owners",
	    "duties.configure_pipeline", 1,
	    "a judged commit changes a pipeline path without a review by `configure_pipeline`'s owners",
	    A_EVIDENCE),
	REF_CHECK("internal.limit", F_INTERNAL, "a commit small enough to judge", NULL, 0,
		  "a commit changes more paths than gatehouse examines (100,000)", A_PUSHER,
		  GATE_SCOPE_COMMIT, gate_refcheck_paths_examined, GATE_OPT_NONE),
	REF_CHECK("approval.min", F_EVID, "Approved-by from enough distinct accepted people",
		  "refs[].approvals", 1, "the commit a tag names has too few `Approved-by`", A_EVIDENCE,
		  GATE_SCOPE_UPDATE, gate_refcheck_approvals, GATE_OPT_NONE),
	REF_CHECK("ref.reachable_from", F_EVID,
		  "a commit reachable from the rule's reachable_from ref as it stood before the push",
		  "refs[].reachable_from", 1, "the commit a ref names is not on `reachable_from`",
		  A_EVIDENCE, GATE_SCOPE_UPDATE, gate_refcheck_reachable, GATE_OPT_NONE),
	/* secrets */
	ROW("secret.incomplete", F_SECRET, "every pushed blob scanned for secrets",
	    "secrets.max_blob_bytes", 1,
	    "a pushed blob is larger than `secrets.max_blob_bytes`, so it was not scanned", A_SECRETS),
	ROW("secret.*", F_SECRET, "no secret in anything pushed, in any commit", "secrets.rules", 1,
	    "a pushed blob (UTF-16 decoded, a binary's text runs included), a new commit's or tag's "
	    "message, a path or a pushed ref name holds a secret the rule detects (`secret.<rule>`)",
	    A_SECRETS),
	/* content policies */
	CONTAINER("privileged", "`securityContext.privileged: true`; Compose `privileged: true`"),
	CONTAINER("privilege_escalation", "`allowPrivilegeEscalation: true`"),
	CONTAINER("run_as_root",
		  "`runAsUser: 0`, or neither pod nor container sets `runAsNonRoot: true` (or a non-zero "
		  "`runAsUser`); Compose `user` absent, `root` or `0`; a Dockerfile whose final stage "
		  "has no non-root `USER`"),
	CONTAINER("host_namespaces",
		  "`hostNetwork`, `hostPID`, `hostIPC`; Compose `network_mode`/`pid`/`ipc: host`"),
	CONTAINER("host_path", "`hostPath` volumes; Compose bind mounts of host paths"),
	CONTAINER("capabilities", "added capabilities such as `SYS_ADMIN`, `NET_ADMIN`, `ALL`"),
	CONTAINER("unpinned_images",
		  "an image without `@sha256:<digest>`, in manifests, Compose files and Dockerfile "
		  "`FROM` (build stages and `scratch` excepted)"),
	CONTAINER("registries",
		  "an image from a registry `registries` does not list (always `reject` when "
		  "`registries` is set)"),
	ROW("policy.container.incomplete", F_POLICY, "containers as policies.containers allows",
	    "policies.containers", 1,
	    "the container check stopped before the end of the file (a cap was reached); what follows "
	    "was not checked, so it is not accepted", A_POLICIES),
	ROW("policy.dependency.deny", F_POLICY, "dependencies as policies.dependencies allows",
	    "policies.dependencies.deny", 1,
	    "a lock or manifest file declares a package a `deny` entry (or an `osv` advisory) covers",
	    A_POLICIES),
	ROW("policy.dependency.allow_only", F_POLICY, "dependencies as policies.dependencies allows",
	    "policies.dependencies.allow_only", 1,
	    "with `allow_only: true`, a package no `allow` entry covers", A_POLICIES),
	ROW("policy.dependency.unreadable", F_POLICY, "dependencies as policies.dependencies allows",
	    "policies.dependencies", 1,
	    "a lock file in JSON or YAML (`package-lock.json`, `pnpm-lock.yaml`) that does not parse: "
	    "what it declares cannot be checked, so it is not accepted", A_POLICIES),
	ROW("policy.dependency.incomplete", F_POLICY, "dependencies as policies.dependencies allows",
	    "policies.dependencies", 1,
	    "the dependency check stopped before the end of the file (a cap was reached); what "
	    "follows was not checked, so it is not accepted", A_POLICIES),
	ROW("policy.file_too_large", F_POLICY, "content the matrix's policies allow", "policies", 1,
	    "a manifest or lock file over 16 MiB (it cannot be checked, so it is not accepted)",
	    A_POLICIES),
	ROW("policy.findings.incomplete", F_POLICY, "at most 1000 content policy findings in one push",
	    "policies", 1,
	    "the push's content policies found more than 1,000 findings; the rest were not kept, so "
	    "the push is not accepted", A_POLICIES),
	ROW("policy.deploy_ref", F_POLICY, "a commit that already passed a protected ref's checks",
	    "policies.deploy_refs", 1,
	    "a ref matching `deploy_refs` is created or moved to a commit that no ref it takes "
	    "commits from holds yet", A_POLICIES),
	ROW("policy.external", F_POLICY, "nothing policies.external denies", "policies.external", 1,
	    "the external command returned this message", A_EXTERNAL),
	ROW("policy.external.incomplete", F_POLICY, "the whole push given to policies.external",
	    "policies.external", 1,
	    "a pushed manifest, or the push, could not be given to the external policy whole: it is "
	    "not accepted", A_EXTERNAL),
	WARN_ROW("policy.external.not_run", F_POLICY, "the server's verdict", "policies.external", 1,
		 "a warning from `pre-push`: it does not run the external policy, the server does",
		 A_EXTERNAL),
	/* settings.limits: a push past one is not judged further */
	LIMIT("refs", "ref updates in one push"),
	LIMIT("commits", "new commits in one push"),
	LIMIT("parents", "parents of one commit"),
	LIMIT("message_bytes", "bytes of one commit message"),
	LIMIT("trailers", "trailers in one commit message"),
	LIMIT("paths_per_commit", "paths one commit changes"),
	LIMIT("tree_depth", "directories a path is nested in"),
	LIMIT("path_bytes", "bytes of one path"),
	LIMIT("paths_per_push", "changed (commit, path) pairs in one push"),
	/* break glass, and gatehouse's own failures */
	ROW("override.refused", F_OVERRIDE, "membership of the override role and a reason",
	    "settings.override_role", 0,
	    "`-o gatehouse.override` by someone outside `override_role`, or without a reason",
	    A_BREAKGLASS),
	ROW("internal.error", F_INTERNAL, "a complete check of the push", "settings.on_error", 0,
	    "gatehouse could not check the push (fail closed), including a spent `time_budget_ms`",
	    A_PUSHER),
	ROW("internal.watchdog", F_INTERNAL, "a check that finishes in time", NULL, 0,
	    "the watchdog stopped a hook run that did not finish (audit log only: the pusher sees the "
	    "watchdog's message)", A_PUSHER),
};

size_t gate_checks_count(void)
{
	return sizeof(table) / sizeof(table[0]);
}

const gate_check_def *gate_check_def_at(size_t i)
{
	return i < gate_checks_count() ? &table[i] : NULL;
}

const gate_check_info *gate_check_at(size_t i)
{
	return i < gate_checks_count() ? &table[i].info : NULL;
}

const gate_check_info *gate_check_lookup(const char *id)
{
	const gate_check_info *family = NULL;
	size_t i;

	for (i = 0; id && i < gate_checks_count(); i++) {
		const char *rid = table[i].info.id;
		size_t len = strlen(rid);
		if (len >= 2 && rid[len - 1] == '*') {
			/* "secret.*" covers "secret.<rule>", never "secret." itself */
			if (!family && !strncmp(id, rid, len - 1) && id[len - 1])
				family = &table[i].info;
		} else if (!strcmp(id, rid)) {
			return &table[i].info;
		}
	}
	return family;
}

const gate_check_info *gate_check_rule_option(const char *name)
{
	size_t i;
	for (i = 0; name && i < gate_checks_count(); i++) {
		const char *key = table[i].info.key;
		if (key && !strncmp(key, "refs[].", 7) && !strcmp(key + 7, name))
			return &table[i].info;
	}
	return NULL;
}

const char *gate_check_family_name(gate_check_family f)
{
	static const char *const names[] = { "ref",    "matrix", "evidence", "secret",
					     "policy", "limit",  "override", "internal" };
	return (size_t)f < sizeof(names) / sizeof(names[0]) ? names[f] : "unknown";
}

/* Every row of SCOPE whose function runs, on commit C (NULL per update). */
static int run_scope(gate_decision *d, const gate_evidence_ctx *ctx, gate_check_scope scope,
		     const gate_commit_facts *c)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < gate_checks_count(); i++)
		if (table[i].scope == scope && table[i].run)
			rc = table[i].run(d, ctx, c);
	return rc;
}

int gate_checks_run_ref(gate_decision *d, const gate_evidence_ctx *ctx)
{
	size_t i;
	int rc = 0;

	if (!ctx->rule || ctx->u->kind == GATE_UPD_DELETE)
		return 0;
	for (i = 0; ctx->commits && i < ctx->commits->count && rc == 0; i++)
		rc = run_scope(d, ctx, GATE_SCOPE_COMMIT, &ctx->commits->items[i]);
	if (rc == 0)
		rc = run_scope(d, ctx, GATE_SCOPE_UPDATE, NULL);
	return rc;
}
