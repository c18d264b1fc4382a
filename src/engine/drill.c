/*
 * The engine of `gatehouse drill` (see gatehouse/drill.h): the shared
 * incident drill, made runnable.
 *
 * A drill builds a throwaway bare repository holding a server's matrix (the
 * trusted ref of --repo, or a built-in demo matrix), writes the attack
 * commit into it with libgit2, and has the same engine the hooks run judge
 * the push of that commit (gate_run_check, no audit record).  It then says,
 * role by role from the matrix's responsibilities, who must act and who is
 * told, and whether the control held, as a gate_drill_result the CLI
 * prints.
 *
 * Trust: the source repository is only read (its trusted ref, the matrix and
 * the files the matrix names); everything written goes to a fresh mkdtemp
 * directory that is removed afterwards.  The planted secret is a synthetic
 * token in a documented format, never a real one.
 */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp, setenv */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "gatehouse/drill.h"
#include "gatehouse/run.h"
#include "matrix/model.h"
#include "content/policies.h"
#include "git/repo.h"
#include "output/sink.h"

/* The demo server: the five duties, a release branch, policies on. */
static const char demo_matrix[] =
	"version: 1\n"
	"people:\n"
	"  alice: {emails: [alice@example.com]}\n"
	"  bob: {emails: [bob@example.com]}\n"
	"  carol: {emails: [carol@example.com]}\n"
	"  dave: {emails: [dave@example.com]}\n"
	"  erin: {emails: [erin@example.com]}\n"
	"roles:\n"
	"  developers: [alice, bob]\n"
	"  security: [carol]\n"
	"  operations: [dave]\n"
	"  release: [erin]\n"
	"responsibilities:\n"
	"  write_code: developers\n"
	"  review_code: [developers, security]\n"
	"  configure_pipeline: security\n"
	"  resolve_vulnerabilities: [developers, security]\n"
	"  approve_deployment: operations\n"
	"refs:\n"
	"  - pattern: refs/heads/main\n"
	"    push: [release]\n"
	"    force_push: false\n"
	"    reviews: {min: 1}\n"
	"  - pattern: refs/heads/deploy/*\n"
	"    push: [operations, developers]\n"
	"  - pattern: refs/heads/drill/*\n"
	"    push: [developers]\n"
	"policies:\n"
	"  containers: {privileged: reject, host_namespaces: reject, unpinned_images: warn}\n"
	"  dependencies:\n"
	"    deny: [\"npm:event-stream@3.3.6\", \"pypi:ctx@*\"]\n"
	"  deploy_refs: [\"refs/heads/deploy/*\"]\n";

typedef struct {
	const char *duty;
	const char *act; /* "must act" or "told" */
	const char *what;
} duty_line;

typedef struct {
	const char *name;
	const char *story;  /* what the attacker does */
	const char *path;   /* the file the attack adds */
	const char *content;
	int deploy;         /* pushed to a deploy ref, not a branch */
	const char *gap;    /* what to add to the matrix when the control did not hold */
	const duty_line duties[GATE_DRILL_DUTIES];
} scenario;

static const scenario scenarios[] = {
	{ "leaked-secret", "commits a cloud access key in a configuration file", "config/prod.env",
	  "# production settings\n"
	  "AWS_ACCESS_KEY_ID=AKIAZ7QRST2345ABCDEF\n"
	  "GITHUB_TOKEN=ghp_R4nd0mT0k3nV4lu3Xq9Zk2Lm8Np5Wc7Yb1Hd\n",
	  0, "turn secret scanning on (secrets.enabled)",
	  { { GATE_DUTY_WRITE_CODE, "must act",
	      "the author: rewrite the commit out of the branch and rotate the key with its owner" },
	    { GATE_DUTY_RESOLVE_VULNS, "must act",
	      "rotate the key now (it left the developer's machine) and check its use in the provider's logs" },
	    { GATE_DUTY_CONFIGURE_PIPELINE, "told",
	      "owns the secret rules, allowlists and .gatehouse/ignore: tune them if this was a false positive" },
	    { GATE_DUTY_REVIEW_CODE, "told", "reviewers of the branch: the fixed push comes back to them" },
	    { NULL, NULL, NULL } } },
	{ "compromised-dependency", "adds a package version known to be malicious to a lock file",
	  "package-lock.json",
	  "{\n"
	  "  \"name\": \"app\",\n"
	  "  \"lockfileVersion\": 3,\n"
	  "  \"packages\": {\n"
	  "    \"\": {\"name\": \"app\"},\n"
	  "    \"node_modules/event-stream\": {\"version\": \"3.3.6\"}\n"
	  "  }\n"
	  "}\n",
	  0, "add policies.dependencies.deny or an osv advisory file",
	  { { GATE_DUTY_RESOLVE_VULNS, "must act",
	      "remove or pin the package, and check builds that may already have pulled it" },
	    { GATE_DUTY_WRITE_CODE, "must act", "the author: regenerate the lock file without it" },
	    { GATE_DUTY_CONFIGURE_PIPELINE, "told",
	      "owns policies.dependencies (deny list, OSV advisories): keep them current" },
	    { GATE_DUTY_REVIEW_CODE, "told", "reviewers: dependency changes need a second look" },
	    { NULL, NULL, NULL } } },
	{ "privileged-container", "commits a Kubernetes manifest with a privileged container",
	  "deploy/debug-pod.yaml",
	  "apiVersion: v1\n"
	  "kind: Pod\n"
	  "metadata:\n"
	  "  name: debug\n"
	  "spec:\n"
	  "  hostNetwork: true\n"
	  "  containers:\n"
	  "    - name: shell\n"
	  "      image: busybox:latest\n"
	  "      securityContext:\n"
	  "        privileged: true\n",
	  0, "set policies.containers.privileged: reject",
	  { { GATE_DUTY_APPROVE_DEPLOYMENT, "must act",
	      "must not deploy it; decide with the author whether the workload needs any privilege" },
	    { GATE_DUTY_WRITE_CODE, "must act", "the author: drop privileged and host namespaces" },
	    { GATE_DUTY_CONFIGURE_PIPELINE, "told", "owns policies.containers" },
	    { GATE_DUTY_RESOLVE_VULNS, "told", "a privileged container is a host compromise waiting" },
	    { NULL, NULL, NULL } } },
	{ "unprotected-deploy", "deploys a commit that never went through a protected branch",
	  "hotfix.txt", "an unreviewed hotfix\n",
	  1, "add policies.deploy_refs for the deployment refs",
	  { { GATE_DUTY_APPROVE_DEPLOYMENT, "must act",
	      "deploy only what passed the protected branch; ask where this commit came from" },
	    { GATE_DUTY_WRITE_CODE, "must act", "the author: merge through the protected branch first" },
	    { GATE_DUTY_CONFIGURE_PIPELINE, "told", "owns policies.deploy_refs and the ref rules" },
	    { GATE_DUTY_REVIEW_CODE, "told", "the change skipped them: review it now" },
	    { NULL, NULL, NULL } } },
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * The matrix (and the files it names) of the server repository at PATH,
 * and the command its git config defines for the external policy the
 * matrix names (*EXT, NULL when none): the throwaway copy defines it too.
 */
static int read_server(char **matrix, size_t *mlen, char **mpath, char **osv, size_t *olen,
		       char **ext, gate_buf *label, const char *path)
{
	git_repository *repo = NULL;
	char *configured = NULL, *trusted = NULL;
	gate_matrix *m = NULL;
	gate_diags diags = GATE_DIAGS_INIT;
	git_oid at;
	int rc;

	if ((rc = git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL)) < 0)
		return gate_error_from_git(rc, path);
	if ((rc = gate_repo_config(mpath, repo, "gatehouse.matrixPath")) < 0 ||
	    (rc = gate_repo_config(&configured, repo, "gatehouse.trustedRef")) < 0 ||
	    (rc = gate_repo_trusted_ref(&trusted, repo, configured)) < 0)
		goto out;
	if (!*mpath && !(*mpath = gate_strdup("matrix/responsibility.yml"))) {
		rc = GATE_ENOMEM;
		goto out;
	}
	if ((rc = git_reference_name_to_id(&at, repo, trusted)) < 0) {
		rc = gate_error_from_git(rc, trusted);
		goto out;
	}
	if ((rc = gate_repo_read_file_at(matrix, mlen, repo, &at, *mpath, GATE_MATRIX_MAX_BYTES)) < 0)
		goto out;
	gate_buf_printf(label, "the matrix of %s (%s:%s)", path, trusted, *mpath);
	if (gate_matrix_load_buffer(&m, *mpath, *matrix, *mlen, &diags) == 0 && m->policies.osv) {
		rc = gate_repo_read_file_at(osv, olen, repo, &at, m->policies.osv, GATE_POLICY_MAX_FILE);
		if (rc == GATE_ENOTFOUND)
			rc = 0;
	}
	if (rc == 0 && m && m->policies.external_use) {
		gate_buf key = GATE_BUF_INIT;
		gate_buf_printf(&key, "gatehouse.externalPolicy.%s.command", m->policies.external_use);
		rc = key.oom ? GATE_ENOMEM : gate_repo_config(ext, repo, gate_buf_cstr(&key));
		gate_buf_dispose(&key);
	}
out:
	gate_matrix_free(m);
	gate_diags_dispose(&diags);
	gate_free(configured);
	gate_free(trusted);
	git_repository_free(repo);
	return rc;
}

/* Writes a commit on PARENT (may be NULL) adding FILES (path, content pairs); its id in OUT. */
static int write_commit(git_oid *out, git_repository *repo, const git_commit *parent,
			const char *const *files, size_t n, const char *message)
{
	git_tree_update up[4];
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	git_oid tid;
	size_t i;
	int rc;

	if (n > GATE_ARRAY_SIZE(up))
		return gate_error_set(GATE_EINVAL, "too many files");
	for (i = 0; i < n; i++) {
		memset(&up[i], 0, sizeof(up[i]));
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].filemode = GIT_FILEMODE_BLOB;
		up[i].path = files[2 * i];
		if ((rc = git_blob_create_from_buffer(&up[i].id, repo, files[2 * i + 1],
						      strlen(files[2 * i + 1]))) < 0)
			return gate_error_from_git(rc, "writing the drill's files");
	}
	if (parent && (rc = git_commit_tree(&base, parent)) < 0)
		return gate_error_from_git(rc, "reading the drill's base");
	if ((rc = git_tree_create_updated(&tid, repo, base, n, up)) < 0 ||
	    (rc = git_tree_lookup(&tree, repo, &tid)) < 0 ||
	    (rc = git_signature_new(&sig, "gatehouse drill", "drill@gatehouse.invalid", 1767225600, 0)) < 0 ||
	    (rc = git_commit_create(out, repo, NULL, sig, sig, NULL, message, tree, parent ? 1 : 0,
				    parent ? &parent : NULL)) < 0)
		rc = gate_error_from_git(rc, "writing the drill's commit");
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	return rc;
}

/* The roles owning DUTY, with their people: "developers (alice, bob), security (carol)". */
static void owners(gate_buf *b, const gate_matrix *m, const char *duty)
{
	const gate_duty *d = gate_matrix_duty(m, duty);
	size_t i, j, k;
	if (!d || !d->n_roles) {
		gate_buf_puts(b, "NOBODY (no role owns this duty: a gap in the model)");
		return;
	}
	for (i = 0; i < d->n_roles; i++) {
		const gate_role *r = &m->roles[d->roles[i]];
		gate_buf_printf(b, "%s%s (", i ? ", " : "", r->id);
		for (j = 0, k = 0; j < m->n_people; j++)
			if (gate_matrix_in_role(m, (long)j, d->roles[i]))
				gate_buf_printf(b, "%s%s", k++ ? ", " : "", m->people[j].id);
		gate_buf_puts(b, ")");
	}
}

/* A concrete ref name for glob G: each wildcard becomes "drill". */
static char *ref_for_glob(const char *g)
{
	gate_buf b = GATE_BUF_INIT;
	for (; *g; g++) {
		if (*g == '*') {
			gate_buf_puts(&b, "drill");
			while (g[1] == '*')
				g++;
		} else if (*g != '?' && *g != '[') {
			gate_buf_put(&b, g, 1);
		} else {
			gate_buf_puts(&b, "d");
		}
	}
	return b.oom ? NULL : gate_buf_detach(&b);
}

/* One drill as it runs: the server's setup, then its throwaway copy. */
typedef struct {
	const scenario *sc;
	char dir[sizeof("/tmp/gatehouse-drill-XXXXXX")];
	int made;                   /* DIR exists (and is removed at the end) */
	char *matrix, *mpath, *osv; /* the server's matrix, its path, its OSV advisories */
	size_t mlen, olen;
	char *ext;                  /* the server's external policy command, or NULL */
	gate_matrix *m;
	long attacker;
	git_repository *repo;       /* the throwaway server */
	git_oid attack;
} drill;

/*
 * Sets the last error to CODE, "WHAT: WHY"; WHY may be the last error's own
 * text (it is copied first).  Returns CODE.
 */
static int drill_fail(int code, const char *what, const char *why)
{
	char copy[2048];
	snprintf(copy, sizeof(copy), "%s", why);
	return gate_error_set(code, "%s%s%s", what, *what ? ": " : "", copy);
}

/* The server's matrix (or the demo one) loaded into D, the attacker and the attack's ref in R. */
static int load_setup(drill *d, gate_drill_result *r, const char *repo_path)
{
	gate_buf label = GATE_BUF_INIT;
	gate_diags diags = GATE_DIAGS_INIT;
	const gate_duty *duty;
	size_t i;
	int rc;

	if (repo_path) {
		rc = read_server(&d->matrix, &d->mlen, &d->mpath, &d->osv, &d->olen, &d->ext, &label,
				 repo_path);
	} else {
		d->matrix = gate_strdup(demo_matrix);
		d->mpath = gate_strdup("matrix/responsibility.yml");
		rc = d->matrix && d->mpath ? 0 : GATE_ENOMEM;
		d->mlen = sizeof(demo_matrix) - 1;
		gate_buf_puts(&label,
			      "the built-in demo matrix (gatehouse drill --repo PATH uses a server's)");
	}
	if (rc == 0 && !(r->setup = label.oom ? NULL : gate_buf_detach(&label)))
		rc = GATE_ENOMEM;
	gate_buf_dispose(&label);
	if (rc < 0)
		return rc;
	if (gate_matrix_load_buffer(&d->m, d->mpath, d->matrix, d->mlen, &diags) < 0) {
		rc = drill_fail(GATE_EMATRIX, "the matrix does not load",
				diags.count ? diags.items[0].text : gate_error_last());
		gate_diags_dispose(&diags);
		return rc;
	}
	/* the attacker: someone whose duty is to write code */
	duty = gate_matrix_duty(d->m, GATE_DUTY_WRITE_CODE);
	for (i = 0, d->attacker = -1; duty && duty->n_roles && d->attacker < 0 && i < d->m->n_people; i++)
		if (gate_matrix_in_role(d->m, (long)i, duty->roles[0]))
			d->attacker = (long)i;
	if (d->attacker < 0)
		return gate_error_set(GATE_EMATRIX, "nobody in the matrix writes code");
	{
		const gate_person *p = &d->m->people[d->attacker];
		r->attacker = gate_strdup(p->n_logins ? p->logins[0] : p->id);
	}
	if (d->sc->deploy)
		r->ref = ref_for_glob(d->m->policies.n_deploy_refs ? d->m->policies.deploy_refs[0]
								   : "refs/heads/deploy/drill");
	else
		r->ref = gate_strdup("refs/heads/drill/attack");
	if (!r->attacker || !r->ref)
		return gate_error_set(GATE_ENOMEM, "cannot set up: out of memory");
	return 0;
}

/* The throwaway server: the setup commit on main, the attack commit on top, the external policy. */
static int build_server(drill *d)
{
	const char *files[4] = { d->mpath, d->matrix, d->m->policies.osv, d->osv };
	const char *attack_files[2] = { d->sc->path, d->sc->content };
	git_commit *basec = NULL;
	git_oid base;
	int rc = 0;

	memcpy(d->dir, "/tmp/gatehouse-drill-XXXXXX", sizeof(d->dir));
	if (!mkdtemp(d->dir))
		return gate_error_set(GATE_EIO, "cannot set up: mkdtemp failed");
	d->made = 1;
	if (git_repository_init(&d->repo, d->dir, 1) < 0 ||
	    write_commit(&base, d->repo, NULL, files, d->osv ? 2 : 1, "server setup\n") < 0 ||
	    git_reference_create(NULL, d->repo, "refs/heads/main", &base, 0, "drill") < 0 ||
	    git_repository_set_head(d->repo, "refs/heads/main") < 0 ||
	    git_commit_lookup(&basec, d->repo, &base) < 0 ||
	    write_commit(&d->attack, d->repo, basec, attack_files, 1, "drill: the attack\n") < 0)
		rc = drill_fail(GATE_EGIT, "cannot build the throwaway server",
				git_error_last() ? git_error_last()->message : gate_error_last());
	git_commit_free(basec);
	if (rc == 0 && d->ext) {
		/* the server's external policy, as its admin defined it */
		git_config *cfg = NULL;
		gate_buf key = GATE_BUF_INIT;
		gate_buf_printf(&key, "gatehouse.externalPolicy.%s.command", d->m->policies.external_use);
		if (key.oom || git_repository_config(&cfg, d->repo) < 0 ||
		    git_config_set_string(cfg, gate_buf_cstr(&key), d->ext) < 0)
			rc = gate_error_set(GATE_EGIT, "cannot define the external policy in the "
						       "throwaway server");
		git_config_free(cfg);
		gate_buf_dispose(&key);
	}
	return rc;
}

/* The attack, judged by the hooks' engine in the throwaway repository: R's outcome and report. */
static int judge(drill *d, gate_drill_result *r)
{
	gate_run_opts o = GATE_RUN_OPTS_INIT;
	gate_buf said = GATE_BUF_INIT;
	gate_sink sink = gate_sink_buf(&said);
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	setenv("GIT_DIR", d->dir, 1);
	unsetenv("GIT_OBJECT_DIRECTORY");
	unsetenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	unsetenv("GIT_QUARANTINE_PATH");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_COMMON_DIR");
	git_oid_tostr(hex, sizeof(hex), &d->attack);
	o.hook = "drill";
	o.dry_run = 1;
	o.user = r->attacker;
	o.out = &sink;
	o.trusted_ref = "refs/heads/main";
	rc = gate_run_check(r->ref, "0", hex, &o);
	r->outcome = rc == GATE_EXIT_REJECTED ? GATE_DRILL_HELD
		     : rc == GATE_EXIT_OK     ? GATE_DRILL_NOT_HELD
					      : GATE_DRILL_UNKNOWN;
	r->report = said.oom ? gate_strdup("") : gate_buf_detach(&said);
	gate_buf_dispose(&said);
	return r->report ? 0 : GATE_ENOMEM;
}

/* Who holds each duty the scenario names, from D's matrix. */
static int name_owners(const drill *d, gate_drill_result *r)
{
	size_t i;
	for (i = 0; i < GATE_DRILL_DUTIES && d->sc->duties[i].duty; i++) {
		gate_buf b = GATE_BUF_INIT;
		gate_drill_duty *du = &r->duties[r->n_duties];
		du->duty = d->sc->duties[i].duty;
		du->act = d->sc->duties[i].act;
		du->what = d->sc->duties[i].what;
		owners(&b, d->m, du->duty);
		if (b.oom) {
			gate_buf_dispose(&b);
			return GATE_ENOMEM;
		}
		du->owners = gate_buf_detach(&b);
		if (!du->owners)
			return GATE_ENOMEM;
		r->n_duties++;
	}
	return 0;
}

int gate_drill_run(gate_drill_result *out, const char *name, const char *repo_path)
{
	drill d;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	for (i = 0; i < GATE_ARRAY_SIZE(scenarios); i++)
		if (!strcmp(name, scenarios[i].name))
			d.sc = &scenarios[i];
	if (!d.sc)
		return gate_error_set(GATE_ENOTFOUND, "unknown drill '%s' (" GATE_DRILL_NAMES ")", name);
	out->name = d.sc->name;
	out->story = d.sc->story;
	out->path = d.sc->path;
	out->gap = d.sc->gap;
	git_libgit2_init();
	if ((rc = load_setup(&d, out, repo_path)) == 0 && (rc = build_server(&d)) == 0 &&
	    (rc = judge(&d, out)) == 0)
		rc = name_owners(&d, out);
	gate_free(d.matrix);
	gate_free(d.mpath);
	gate_free(d.osv);
	gate_free(d.ext);
	gate_matrix_free(d.m);
	git_repository_free(d.repo);
	if (d.made)
		nftw(d.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	git_libgit2_shutdown();
	return rc;
}

void gate_drill_result_dispose(gate_drill_result *r)
{
	size_t i;
	for (i = 0; i < r->n_duties; i++)
		gate_free(r->duties[i].owners);
	gate_free(r->setup);
	gate_free(r->attacker);
	gate_free(r->ref);
	gate_free(r->report);
	memset(r, 0, sizeof(*r));
}
