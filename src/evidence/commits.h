/*
 * The commits a ref update is judged on, and the facts the evidence checks
 * read from each: message trailers, author, changed paths, signature.
 *
 * Which commits: those reachable from NEW and not from OLD, following first
 * parents only, so a merge commit carries the evidence for what it merges.
 * For a creation: not from the trusted ref, nor from a branch or tag whose
 * rule demands the same evidence or more (gate_evidence_rule_covers), as
 * the refs stood before the push; commits that only ever lived on refs
 * demanding less are judged.
 */
#ifndef GATE_COMMITS_H
#define GATE_COMMITS_H

#include <git2.h>

#include "matrix/model.h"
#include "git/push.h"
#include "evidence/trailers.h"

typedef enum {
	GATE_SIGNED_NOT_CHECKED = 0,
	GATE_SIGNED_NONE,        /* no gpgsig header */
	GATE_SIGNED_OPENPGP,     /* an OpenPGP signature: not supported yet */
	GATE_SIGNED_X509,        /* an X.509 / other signature */
	GATE_SIGNED_MALFORMED,
	GATE_SIGNED_UNKNOWN_KEY, /* SSHSIG by a key no person in the matrix holds */
	GATE_SIGNED_BAD,         /* does not verify */
	GATE_SIGNED_OK
} gate_signed_status;

typedef struct {
	git_oid id;
	char short_id[13];
	char *subject;         /* first line, as pushed (escape before printing) */
	char *author_email;
	char *committer_email;
	gate_trailers trailers;
	char **paths;          /* changed paths against the first parent */
	size_t n_paths, cap_paths;
	int paths_truncated;   /* more than GATE_COMMIT_MAX_PATHS changed */
	gate_signed_status sig;
	long signer;           /* person whose key the signature names (verified when sig is OK), or -1 */
	char sig_detail[256];
	char fingerprint[80];
} gate_commit_facts;

#define GATE_COMMIT_MAX_PATHS 100000
#define GATE_JUDGED_MAX_COMMITS 100000

typedef struct {
	gate_commit_facts *items;
	size_t count, cap;
} gate_commit_list;

#define GATE_COMMIT_LIST_INIT { NULL, 0, 0 }

/*
 * Fills OUT with the judged commits of U under RULE (newest first) and their
 * facts.  CHECK_SIGS verifies signatures against M's keys (the signer a
 * signature names is looked up either way).  A creation hides TRUSTED_REF
 * (may be NULL) and the branches and tags whose rule covers RULE, one by
 * one, so a ref to a missing object is skipped.
 */
int gate_commits_judged(gate_commit_list *out, git_repository *repo, const gate_update *u,
			const gate_matrix *m, const gate_refrule *rule, const char *trusted_ref,
			int check_sigs);

/* Facts for one commit ID (for a tag's target, say). */
int gate_commit_facts_load(gate_commit_facts *f, git_repository *repo, const git_oid *id,
			   const gate_matrix *m, int want_paths, int check_sigs);

void gate_commit_facts_dispose(gate_commit_facts *f);

/* What an annotated tag says about who made it, and its trailers. */
typedef struct {
	gate_trailers trailers; /* of the message, its signature cut off */
	long tagger;            /* the person the tagger's email names, or -1 */
	long signer;            /* the person whose key the tag's SSH signature names, or -1 */
} gate_tag_facts;

/*
 * Fills T from TAG.  The signer is looked up by key, not verified: it only
 * ever keeps a person's own approvals from counting.  0, or GATE_ENOMEM.
 */
int gate_tag_facts_load(gate_tag_facts *t, const git_tag *tag, const gate_matrix *m);
void gate_tag_facts_dispose(gate_tag_facts *t);
void gate_commit_list_dispose(gate_commit_list *l);

#endif
