/*
 * Gathering judged commits and their facts (see commits.h).
 *
 * Everything here reads pushed, attacker-chosen objects: messages are
 * bounded by the trailer parser, path lists by GATE_COMMIT_MAX_PATHS, the
 * number of commits by GATE_JUDGED_MAX_COMMITS, and signatures are only
 * trusted after libcrypto verified them against a key from the matrix.
 */
#include <string.h>

#include "evidence/commits.h"
#include "util/common.h"
#include "evidence/evidence.h"
#include "git/repo.h"
#include "evidence/sshsig.h"
#include "git/treediff.h"

static int add_path(const char *path, const git_tree_entry *o, const git_tree_entry *n, void *payload)
{
	gate_commit_facts *f = payload;
	char *copy;
	(void)o;
	(void)n;
	if (f->n_paths >= GATE_COMMIT_MAX_PATHS) {
		f->paths_truncated = 1;
		return 0;
	}
	if (gate_grow(&f->paths, &f->cap_paths, f->n_paths + 1, sizeof(char *)) < 0)
		return GATE_ENOMEM;
	copy = gate_strdup(path);
	if (!copy)
		return GATE_ENOMEM;
	f->paths[f->n_paths++] = copy;
	return 0;
}

static int load_paths(gate_commit_facts *f, git_repository *repo, const git_commit *c)
{
	git_tree *tree = NULL, *ptree = NULL;
	git_commit *parent = NULL;
	int rc;

	if ((rc = git_commit_tree(&tree, c)) < 0)
		return gate_error_from_git(rc, "reading a commit's tree");
	if (git_commit_parentcount(c) > 0) {
		if ((rc = git_commit_parent(&parent, c, 0)) < 0 ||
		    (rc = git_commit_tree(&ptree, parent)) < 0) {
			rc = gate_error_from_git(rc, "reading a parent commit");
			goto out;
		}
	}
	rc = gate_treediff(repo, ptree, tree, add_path, f);
out:
	git_tree_free(ptree);
	git_commit_free(parent);
	git_tree_free(tree);
	return rc;
}

/*
 * The commit's signature: who it names (f->signer, from the key) always,
 * since a signer's own reviews never count; whether it verifies only when
 * VERIFY (signed: true), leaving f->sig GATE_SIGNED_NOT_CHECKED otherwise.
 */
static void check_signature(gate_commit_facts *f, git_repository *repo, const gate_matrix *m,
			    int verify)
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	gate_sshsig *s = NULL;
	const gate_sshkey *key = NULL;
	const unsigned char *blob;
	size_t blen;
	int rc;

	f->signer = -1;
	rc = git_commit_extract_signature(&sig, &data, repo, &f->id, NULL);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		f->sig = GATE_SIGNED_NONE;
		goto out;
	}
	if (rc < 0) {
		git_error_clear();
		f->sig = GATE_SIGNED_MALFORMED;
		snprintf(f->sig_detail, sizeof(f->sig_detail), "the signature header cannot be read");
		goto out;
	}
	if (strstr(sig.ptr, "-----BEGIN PGP SIGNATURE-----")) {
		f->sig = GATE_SIGNED_OPENPGP;
		goto out;
	}
	if (!strstr(sig.ptr, "-----BEGIN SSH SIGNATURE-----")) {
		f->sig = GATE_SIGNED_X509;
		goto out;
	}
	if (gate_sshsig_parse(&s, sig.ptr, sig.size, f->sig_detail, sizeof(f->sig_detail)) != GATE_SIG_OK) {
		f->sig = GATE_SIGNED_MALFORMED;
		goto out;
	}
	blob = gate_sshsig_signer(s, &blen);
	gate_ssh_fingerprint(f->fingerprint, sizeof(f->fingerprint), blob, blen);
	f->signer = gate_matrix_person_by_key(m, blob, blen, &key);
	if (f->signer < 0) {
		f->sig = GATE_SIGNED_UNKNOWN_KEY;
		goto out;
	}
	if (!verify) {
		f->sig = GATE_SIGNED_NOT_CHECKED;
		goto out;
	}
	f->sig = gate_sshsig_verify(s, key, "git", (const unsigned char *)data.ptr, data.size,
				    f->sig_detail, sizeof(f->sig_detail)) == GATE_SIG_OK
			 ? GATE_SIGNED_OK
			 : GATE_SIGNED_BAD;
out:
	gate_sshsig_free(s);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
}

int gate_commit_facts_load(gate_commit_facts *f, git_repository *repo, const git_oid *id,
			   const gate_matrix *m, int want_paths, int check_sigs)
{
	git_commit *c = NULL;
	const git_signature *author;
	const char *msg, *summary;
	int rc;

	memset(f, 0, sizeof(*f));
	f->signer = -1;
	git_oid_cpy(&f->id, id);
	git_oid_tostr(f->short_id, sizeof(f->short_id), id);
	f->short_id[10] = '\0';
	if ((rc = git_commit_lookup(&c, repo, id)) < 0)
		return gate_error_from_git(rc, f->short_id);
	summary = git_commit_summary(c);
	f->subject = gate_strndup(summary ? summary : "", summary ? strnlen(summary, 200) : 0);
	author = git_commit_author(c);
	f->author_email = gate_strdup(author && author->email ? author->email : "");
	author = git_commit_committer(c);
	f->committer_email = gate_strdup(author && author->email ? author->email : "");
	if (!f->subject || !f->author_email || !f->committer_email) {
		rc = GATE_ENOMEM;
		goto out;
	}
	msg = git_commit_message_raw(c);
	if ((rc = gate_trailers_parse(&f->trailers, msg ? msg : "")) < 0)
		goto out;
	if (want_paths && (rc = load_paths(f, repo, c)) < 0)
		goto out;
	check_signature(f, repo, m, check_sigs);
out:
	git_commit_free(c);
	return rc;
}

void gate_commit_facts_dispose(gate_commit_facts *f)
{
	size_t i;
	gate_free(f->subject);
	gate_free(f->author_email);
	gate_free(f->committer_email);
	gate_trailers_dispose(&f->trailers);
	for (i = 0; i < f->n_paths; i++)
		gate_free(f->paths[i]);
	gate_free(f->paths);
	memset(f, 0, sizeof(*f));
}

/* Where MSG's signature block starts (the last line opening one, as git reads it), or NULL. */
static const char *tag_signature(const char *msg)
{
	static const char *const markers[] = { "-----BEGIN PGP SIGNATURE-----",
					       "-----BEGIN PGP MESSAGE-----",
					       "-----BEGIN SIGNED MESSAGE-----",
					       "-----BEGIN SSH SIGNATURE-----", NULL };
	const char *line = msg, *found = NULL;
	size_t k;

	while (*line) {
		const char *nl = strchr(line, '\n');
		for (k = 0; markers[k]; k++)
			if (!strncmp(line, markers[k], strlen(markers[k])))
				found = line;
		if (!nl)
			break;
		line = nl + 1;
	}
	return found;
}

int gate_tag_facts_load(gate_tag_facts *t, const git_tag *tag, const gate_matrix *m)
{
	const git_signature *tagger = git_tag_tagger(tag);
	const char *msg = git_tag_message(tag), *sig;
	char *text;
	int rc;

	memset(t, 0, sizeof(*t));
	t->tagger = tagger && tagger->email ? gate_matrix_person_by_email(m, tagger->email) : -1;
	t->signer = -1;
	msg = msg ? msg : "";
	sig = tag_signature(msg);
	if (!(text = gate_strndup(msg, sig ? (size_t)(sig - msg) : strlen(msg))))
		return GATE_ENOMEM;
	rc = gate_trailers_parse(&t->trailers, text);
	gate_free(text);
	if (rc < 0)
		return rc;
	if (sig && !strncmp(sig, "-----BEGIN SSH SIGNATURE-----", 29)) {
		gate_sshsig *s = NULL;
		const gate_sshkey *key = NULL;
		char detail[256];
		if (gate_sshsig_parse(&s, sig, strlen(sig), detail, sizeof(detail)) == GATE_SIG_OK) {
			size_t blen;
			const unsigned char *blob = gate_sshsig_signer(s, &blen);
			t->signer = gate_matrix_person_by_key(m, blob, blen, &key);
		}
		gate_sshsig_free(s);
	}
	return 0;
}

void gate_tag_facts_dispose(gate_tag_facts *t)
{
	gate_trailers_dispose(&t->trailers);
	memset(t, 0, sizeof(*t));
}

void gate_commit_list_dispose(gate_commit_list *l)
{
	size_t i;
	for (i = 0; i < l->count; i++)
		gate_commit_facts_dispose(&l->items[i]);
	gate_free(l->items);
	l->items = NULL;
	l->count = l->cap = 0;
}

/*
 * For a creation under RULE: hides the branches and tags whose own rule
 * covers RULE (gate_evidence_rule_covers), and TRUSTED_REF.  Rules are
 * compared once each, not once per ref; a ref to a missing or non-commit
 * object is skipped.
 */
static int hide_covering_refs(git_revwalk *walk, git_repository *repo, const gate_matrix *m,
			      const gate_refrule *rule, const char *trusted_ref)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	git_oid tip;
	unsigned char *covers;
	size_t i;
	int rc;

	if (!(covers = gate_calloc(m->n_refs + 1, 1)))
		return GATE_ENOMEM;
	/* without a rule nothing is demanded: every ref covers it */
	for (i = 0; i < m->n_refs; i++)
		covers[i] = (unsigned char)(!rule || gate_evidence_rule_covers(m, &m->refs[i], rule));
	/* the trusted ref, in whatever namespace (pre-push: refs/remotes/origin/main) */
	if (trusted_ref && (git_reference_name_to_id(&tip, repo, trusted_ref) < 0 ||
			    git_revwalk_hide(walk, &tip) < 0))
		git_error_clear();
	if ((rc = git_reference_iterator_glob_new(&it, repo, "refs/*")) < 0) {
		gate_free(covers);
		return gate_error_from_git(rc, "listing refs");
	}
	while ((rc = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref);
		const gate_refrule *held = NULL;
		int hide = 0;
		if ((!strncmp(name, "refs/heads/", 11) || !strncmp(name, "refs/tags/", 10)) &&
		    git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
		    (rc = gate_matrix_rule_for_ref(&held, m, name)) == 0 && held)
			hide = covers[held - m->refs];
		if (rc == 0 && hide && git_revwalk_hide(walk, git_reference_target(ref)) < 0)
			git_error_clear();
		git_reference_free(ref);
		if (rc < 0)
			break;
	}
	git_reference_iterator_free(it);
	gate_free(covers);
	if (rc == GATE_ENOMEM)
		return rc;
	if (rc != GIT_ITEROVER)
		return gate_error_from_git(rc, "listing refs");
	return 0;
}

int gate_commits_judged(gate_commit_list *out, git_repository *repo, const gate_update *u,
			const gate_matrix *m, const gate_refrule *rule, const char *trusted_ref,
			int check_sigs)
{
	git_revwalk *walk = NULL;
	git_oid id;
	int rc;

	memset(out, 0, sizeof(*out));
	if (u->kind == GATE_UPD_DELETE)
		return 0;
	if ((rc = git_revwalk_new(&walk, repo)) < 0)
		return gate_error_from_git(rc, "starting a revision walk");
	git_revwalk_simplify_first_parent(walk);
	if (git_revwalk_push(walk, &u->new_id) < 0) {
		/* a tag of a tree or blob: no commits to judge */
		git_error_clear();
		rc = 0;
		goto out;
	}
	if (u->kind == GATE_UPD_CREATE)
		rc = hide_covering_refs(walk, repo, m, rule, trusted_ref);
	else if (git_revwalk_hide(walk, &u->old_id) < 0)
		git_error_clear(); /* old tip unreadable: judge everything reachable */
	if (rc < 0)
		goto out;
	while ((rc = git_revwalk_next(&id, walk)) == 0) {
		if (out->count >= GATE_JUDGED_MAX_COMMITS) {
			rc = gate_error_set(GATE_ELIMIT, "%s: more than %d commits to judge in one update",
					    u->ref, GATE_JUDGED_MAX_COMMITS);
			goto out;
		}
		if (gate_grow(&out->items, &out->cap, out->count + 1, sizeof(*out->items)) < 0) {
			rc = GATE_ENOMEM;
			goto out;
		}
		rc = gate_commit_facts_load(&out->items[out->count], repo, &id, m, 1, check_sigs);
		out->count++;
		if (rc < 0)
			goto out;
	}
	if (rc != GIT_ITEROVER) {
		rc = gate_error_from_git(rc, "walking the pushed commits");
		goto out;
	}
	rc = 0;
out:
	git_revwalk_free(walk);
	if (rc < 0)
		gate_commit_list_dispose(out);
	return rc;
}
