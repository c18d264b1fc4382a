/*
 * The matrix's policies applied to a push (see policies.h).
 *
 * Trust: blobs, lock files and manifests are pushed content and go to the
 * bounded parsers in containers.c and deps.c.  The external command comes
 * from the server's git config only: the matrix (pushed content, like
 * everything on a branch) merely names it.  Its child sees no GIT_*
 * variable and runs outside the repository, and its output is still parsed
 * as untrusted: bounded, JSON only, strings only.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/common.h"
#include "content/containers.h"
#include "content/deps.h"
#include "evidence/evidence.h"
#include "util/glob.h"
#include "content/policies.h"
#include "git/repo.h"

/* ---- content ------------------------------------------------------------------------ */

typedef struct {
	const gate_matrix *m;
	gate_container_policy cp;
	gate_dep_rule **deny; /* matrix deny entries, then OSV advisories */
	size_t n_deny, n_matrix_deny, cap_deny;
	gate_dep_rule **allow;
	size_t n_allow;
} content_ctx;

static int parse_rules(gate_dep_rule ***out, size_t *n, const char *const *specs, size_t count)
{
	size_t i;
	int rc;
	if (!count)
		return 0;
	if (!(*out = gate_calloc(count, sizeof(**out))))
		return GATE_ENOMEM;
	for (i = 0; i < count; i++) {
		/* validated when the matrix loaded: a failure here is out of memory */
		if ((rc = gate_dep_rule_parse(&(*out)[i], specs[i])) < 0)
			return rc;
		*n = i + 1;
	}
	return 0;
}

static void free_rules(gate_dep_rule **r, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		gate_dep_rule_free(r[i]);
	gate_free(r);
}

/* Whether PATH is one the container policy reads, and as what. */
static gate_container_file container_kind(const gate_policies_cfg *p, const char *path)
{
	gate_container_file kind = gate_containers_file_kind(path);
	size_t i;
	if (!p->containers)
		return GATE_CONTAINER_FILE_NONE;
	if (!p->n_container_paths)
		return kind;
	for (i = 0; i < p->n_container_paths; i++)
		if (gate_glob_match(p->container_paths[i], path))
			return kind ? kind : GATE_CONTAINER_FILE_YAML;
	return GATE_CONTAINER_FILE_NONE;
}

static const char *eco_name(gate_ecosystem e)
{
	switch (e) {
	case GATE_ECO_NPM: return "npm";
	case GATE_ECO_PYPI: return "pypi";
	case GATE_ECO_CARGO: return "cargo";
	case GATE_ECO_GO: return "go";
	}
	return "?";
}

static int check_deps(gate_policy_findings *out, content_ctx *c, const char *path, const char *data,
		      size_t len)
{
	gate_deps deps = GATE_DEPS_INIT;
	size_t i, k;
	int rc;

	if ((rc = gate_deps_parse(&deps, path, data, len)) < 0)
		return rc;
	/* a lock file the package manager could not read either hides what it declares */
	if (deps.unreadable)
		rc = gate_policy_findings_add(out, GATE_POLICY_REJECT, "policy.dependency.unreadable", path, 0,
					      "regenerate it with the package manager (npm install, pnpm install)",
					      "does not parse, so the dependencies it declares cannot be checked");
	/* nor does one read only in part: what was not read could be anything */
	if (rc == 0 && deps.cut)
		rc = gate_policy_findings_add(out, GATE_POLICY_REJECT, "policy.dependency.incomplete", path,
					      0, "no setting raises it: split the dependencies over several "
					      "lock files (e.g. per workspace), then push again",
					      "%s: the dependency check stopped there, so what follows was not "
					      "checked", deps.cut);
	for (i = 0; rc == 0 && i < deps.count; i++) {
		const gate_dep *d = &deps.items[i];
		int allowed = 0;
		for (k = 0; rc == 0 && k < c->n_deny; k++)
			if (gate_dep_rule_matches(c->deny[k], d))
				rc = gate_policy_findings_add(
					out, GATE_POLICY_REJECT, "policy.dependency.deny", path, d->line,
					"remove or upgrade the dependency (then regenerate the lock file), "
					"or have the security team change policies.dependencies",
					"%s:%s@%s is denied by '%s'%s", eco_name(d->eco), d->name,
					*d->version ? d->version : "(unpinned)", gate_dep_rule_spec(c->deny[k]),
					k >= c->n_matrix_deny ? " (policies.dependencies.osv)" : "");
		if (rc < 0 || !c->m->policies.allow_only)
			continue;
		for (k = 0; !allowed && k < c->n_allow; k++)
			allowed = gate_dep_rule_matches(c->allow[k], d);
		if (!allowed)
			rc = gate_policy_findings_add(
				out, GATE_POLICY_REJECT, "policy.dependency.allow_only", path, d->line,
				"use an approved library, or ask the security team to add it to "
				"policies.dependencies.allow",
				"%s:%s@%s is not on the approved list (allow_only: true)", eco_name(d->eco),
				d->name, *d->version ? d->version : "(unpinned)");
	}
	gate_deps_dispose(&deps);
	return rc;
}

/* ---- content policies as content checks ------------------------------------------------ */

struct gate_policies_content {
	content_ctx c; /* every check's cfg */
};

/* The deny and allow rules of policies.dependencies, then OSV's advisories (OSV may be NULL). */
static int load_rules(content_ctx *c, const gate_policies_cfg *p, const char *osv, size_t osv_len)
{
	gate_dep_rule **adv = NULL;
	size_t n_adv = 0;
	int rc;

	if ((rc = parse_rules(&c->deny, &c->n_deny, p->deny, p->n_deny)) < 0 ||
	    (rc = parse_rules(&c->allow, &c->n_allow, p->allow, p->n_allow)) < 0)
		return rc;
	c->n_matrix_deny = c->cap_deny = c->n_deny;
	if (!osv)
		return 0;
	if ((rc = gate_osv_load(&adv, &n_adv, osv, osv_len)) < 0) {
		free_rules(adv, n_adv);
		if (rc == GATE_EINVAL)
			rc = gate_error_set(GATE_EINVAL, "%s (policies.dependencies.osv): %s", p->osv,
					    gate_error_last());
		return rc;
	}
	if (n_adv && gate_grow(&c->deny, &c->cap_deny, c->n_deny + n_adv, sizeof(*c->deny)) < 0) {
		free_rules(adv, n_adv);
		return GATE_ENOMEM;
	}
	if (n_adv)
		memcpy(c->deny + c->n_deny, adv, n_adv * sizeof(*adv));
	c->n_deny += n_adv;
	gate_free(adv);
	return 0;
}

/* One finding per path for a file too large to read (PATH, SIZE bytes). */
static int too_large(gate_policy_findings *out, const char *path, size_t size)
{
	return gate_policy_findings_add(out, GATE_POLICY_REJECT, "policy.file_too_large", path, 0,
					"split the file, or keep it out of the repository",
					"%zu bytes: larger than the %u bytes policies read, so it "
					"cannot be checked", size, GATE_POLICY_MAX_FILE);
}

static int containers_applies(const void *cfg, const char *path)
{
	const content_ctx *c = cfg;
	return *path && container_kind(&c->m->policies, path) != GATE_CONTAINER_FILE_NONE;
}

static int containers_check(void *cfg, void *state, const gate_content_item *it,
			    gate_policy_findings *out)
{
	const content_ctx *c = cfg;
	(void)state;
	if (it->too_large)
		return too_large(out, it->path, it->len);
	if (!it->data)
		return 0;
	return gate_containers_check(out, &c->cp, it->path, container_kind(&c->m->policies, it->path),
				     it->data, it->len);
}

static int deps_applies(const void *cfg, const char *path)
{
	const content_ctx *c = cfg;
	return c->m->policies.dependencies && *path && gate_deps_is_lockfile(path);
}

static int deps_check(void *cfg, void *state, const gate_content_item *it, gate_policy_findings *out)
{
	content_ctx *c = cfg;
	(void)state;
	/* a file too large for both policies is named once, by the container check */
	if (it->too_large)
		return containers_applies(c, it->path) ? 0 : too_large(out, it->path, it->len);
	if (!it->data)
		return 0;
	return check_deps(out, c, it->path, it->data, it->len);
}

int gate_policies_content_new(gate_policies_content **out, const gate_matrix *m, const char *osv,
			      size_t osv_len)
{
	const gate_policies_cfg *p = &m->policies;
	gate_policies_content *pc = gate_calloc(1, sizeof(*pc));
	content_ctx *c;
	int rc = 0;

	if (!(*out = pc))
		return GATE_ENOMEM;
	c = &pc->c;
	c->m = m;
	c->cp.privileged = (gate_policy_action)p->action[GATE_CCHK_PRIVILEGED];
	c->cp.privilege_escalation = (gate_policy_action)p->action[GATE_CCHK_PRIVILEGE_ESCALATION];
	c->cp.run_as_root = (gate_policy_action)p->action[GATE_CCHK_RUN_AS_ROOT];
	c->cp.host_namespaces = (gate_policy_action)p->action[GATE_CCHK_HOST_NAMESPACES];
	c->cp.host_path = (gate_policy_action)p->action[GATE_CCHK_HOST_PATH];
	c->cp.capabilities = (gate_policy_action)p->action[GATE_CCHK_CAPABILITIES];
	c->cp.unpinned_images = (gate_policy_action)p->action[GATE_CCHK_UNPINNED_IMAGES];
	c->cp.registries = p->registries;
	c->cp.n_registries = p->n_registries;
	c->cp.registries_action = p->n_registries ? GATE_POLICY_REJECT : GATE_POLICY_OFF;
	if (p->dependencies)
		rc = load_rules(c, p, osv, osv_len);
	if (rc < 0) {
		gate_policies_content_free(pc);
		*out = NULL;
	}
	return rc;
}

size_t gate_policies_content_checks(gate_content_check *checks, gate_policies_content *pc)
{
	const gate_policies_cfg *p = &pc->c.m->policies;
	size_t n = 0, i;

	memset(checks, 0, GATE_POLICY_CONTENT_CHECKS * sizeof(*checks));
	if (p->containers) {
		checks[n].family = "policy.container";
		checks[n].applies = containers_applies;
		checks[n].check = containers_check;
	}
	n += p->containers != 0;
	if (p->dependencies) {
		checks[n].family = "policy.dependency";
		checks[n].applies = deps_applies;
		checks[n].check = deps_check;
	}
	n += p->dependencies != 0;
	for (i = 0; i < n; i++) {
		checks[i].cfg = &pc->c;
		checks[i].max_bytes = GATE_POLICY_MAX_FILE;
	}
	return n;
}

void gate_policies_content_free(gate_policies_content *pc)
{
	if (!pc)
		return;
	free_rules(pc->c.deny, pc->c.n_deny);
	free_rules(pc->c.allow, pc->c.n_allow);
	gate_free(pc);
}

/* ---- deployment refs ---------------------------------------------------------------- */

int gate_policies_is_deploy_ref(const gate_matrix *m, const char *ref)
{
	return gate_policies_deploy_entry(m, ref) >= 0;
}

long gate_policies_deploy_entry(const gate_matrix *m, const char *ref)
{
	size_t i;
	for (i = 0; i < m->policies.n_deploy_refs; i++)
		if (gate_glob_match(m->policies.deploy_refs[i], ref))
			return (long)i; /* 1, or -1 (no memory): a deploy ref, the stricter answer */
	return -1;
}

void gate_policy_tips_dispose(gate_policy_tips *t)
{
	size_t i;
	for (i = 0; i < t->n; i++)
		gate_free(t->names[i]);
	gate_free(t->names);
	gate_free(t->ids);
	memset(t, 0, sizeof(*t));
}

/* Which refs a tip list holds: 1 take it, 0 not, <0 an error. */
typedef int (*tip_filter)(const gate_matrix *m, const char *name, const void *ctx);

/* Lists into OUT (at most MAX) the refs WANT takes, peeled to commits. */
static int collect_tips(gate_policy_tips *out, const gate_matrix *m, git_repository *repo, size_t max,
			tip_filter want, const void *ctx)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	size_t cap_ids = 0, cap_names = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = git_reference_iterator_glob_new(&it, repo, "refs/*")) < 0)
		return gate_error_from_git(rc, "listing refs");
	while (out->n < max && (rc = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref);
		git_object *peeled = NULL;
		int take = want(m, name, ctx);
		if (take < 0)
			rc = take;
		else if (take && git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) == 0) {
			if (gate_grow(&out->ids, &cap_ids, out->n + 1, sizeof(*out->ids)) < 0 ||
			    gate_grow(&out->names, &cap_names, out->n + 1, sizeof(*out->names)) < 0 ||
			    !(out->names[out->n] = gate_strdup(name)))
				rc = GATE_ENOMEM;
			else
				out->ids[out->n++] = *git_object_id(peeled);
		}
		if (rc >= 0)
			git_error_clear();
		git_object_free(peeled);
		git_reference_free(ref);
		if (rc < 0)
			break;
	}
	git_reference_iterator_free(it);
	if (rc < 0 && rc != GIT_ITEROVER) {
		gate_policy_tips_dispose(out);
		return rc == GATE_ENOMEM ? rc : gate_error_from_git(rc, "listing refs");
	}
	return 0;
}

/* A ref some rule covers that is not a deploy ref. */
static int protected_ref(const gate_matrix *m, const char *name, const void *ctx)
{
	const gate_refrule *rule = NULL;
	(void)ctx;
	if (gate_matrix_rule_for_ref(&rule, m, name) < 0)
		return GATE_ENOMEM;
	return rule && !gate_policies_is_deploy_ref(m, name);
}

int gate_policies_protected_tips(gate_policy_tips *out, const gate_matrix *m, git_repository *repo,
				 size_t max)
{
	return collect_tips(out, m, repo, max, protected_ref, NULL);
}

/* The refs a deploy ref takes commits from: see gate_deploy_src. */
typedef struct {
	const gate_deploy_src *src;
	const char *self; /* the deploy ref being updated: never its own source */
} deploy_ctx;

static int deploy_from(const gate_matrix *m, const char *name, const void *ctx)
{
	const deploy_ctx *dc = ctx;
	const gate_refrule *rule = NULL;
	size_t i;

	if (!strcmp(name, dc->self))
		return 0;
	if (dc->src && dc->src->from) {
		for (i = 0; i < dc->src->n_from; i++) {
			int hit = gate_glob_match(dc->src->from[i], name);
			if (hit)
				return hit < 0 ? GATE_ENOMEM : 1;
		}
		return 0;
	}
	if (gate_matrix_rule_for_ref(&rule, m, name) < 0)
		return GATE_ENOMEM;
	return rule && gate_evidence_rule_demands(rule) && !gate_policies_is_deploy_ref(m, name);
}

int gate_policies_deploy_source(int *ok, gate_buf *sources, const gate_matrix *m,
				git_repository *repo, const char *ref, const git_oid *target)
{
	gate_policy_tips t;
	deploy_ctx dc;
	long entry = gate_policies_deploy_entry(m, ref);
	size_t i;
	int rc;

	*ok = 0;
	dc.src = entry >= 0 && m->policies.deploy_src ? &m->policies.deploy_src[entry] : NULL;
	dc.self = ref;
	if ((rc = collect_tips(&t, m, repo, (size_t)-1, deploy_from, &dc)) < 0)
		return rc;
	for (i = 0; i < t.n && i < 5; i++)
		gate_buf_printf(sources, "%s%s", i ? ", " : "", t.names[i]);
	if (t.n > 5)
		gate_buf_printf(sources, " and %zu more", t.n - 5);
	for (i = 0; i < t.n && !*ok; i++)
		*ok = git_oid_equal(&t.ids[i], target);
	if (!*ok && t.n) {
		int r = git_graph_reachable_from_any(repo, target, t.ids, t.n);
		if (r < 0)
			rc = gate_error_from_git(r, "checking where the deployed commit comes from");
		else
			*ok = r;
	}
	gate_policy_tips_dispose(&t);
	return rc;
}

/* ---- external command --------------------------------------------------------------- */

int gate_policies_name_valid(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
	return n > 0 && n <= GATE_POLICY_NAME_MAX && !name[n];
}

void gate_policies_free_argv(char **argv)
{
	size_t i;
	for (i = 0; argv && argv[i]; i++)
		gate_free(argv[i]);
	gate_free(argv);
}

int gate_policies_split_command(char ***argv, const char *command)
{
	char **out;
	size_t n = 0, i;
	const char *p = command;

	*argv = NULL;
	if (strlen(command) > GATE_EXTERNAL_MAX_COMMAND)
		return gate_error_set(GATE_ECONFIG, "the command is longer than %u bytes",
				      GATE_EXTERNAL_MAX_COMMAND);
	for (i = 0; command[i]; i++)
		if ((unsigned char)command[i] < 0x20 && command[i] != '\t')
			return gate_error_set(GATE_ECONFIG, "the command holds a control character");
	if (!(out = gate_calloc(GATE_EXTERNAL_MAX_ARGS + 1, sizeof(*out))))
		return GATE_ENOMEM;
	for (;;) {
		size_t len;
		p += strspn(p, " \t");
		if (!*p)
			break;
		len = strcspn(p, " \t");
		if (n == GATE_EXTERNAL_MAX_ARGS) {
			gate_policies_free_argv(out);
			return gate_error_set(GATE_ECONFIG, "the command has more than %d words",
					      GATE_EXTERNAL_MAX_ARGS);
		}
		if (!(out[n++] = gate_strndup(p, len))) {
			gate_policies_free_argv(out);
			return GATE_ENOMEM;
		}
		p += len;
	}
	if (!n || out[0][0] != '/') {
		gate_policies_free_argv(out);
		return gate_error_set(GATE_ECONFIG, "the command's first word must be an absolute path "
						    "(no PATH search), such as /usr/local/bin/opa");
	}
	*argv = out;
	return 0;
}

int gate_policies_external_argv(char ***argv, git_repository *repo, const char *name)
{
	gate_buf key = GATE_BUF_INIT;
	char *command = NULL;
	int rc;

	*argv = NULL;
	if (!gate_policies_name_valid(name))
		return gate_error_set(GATE_ECONFIG, "'%s' is not a policy name", name);
	gate_buf_printf(&key, "gatehouse.externalPolicy.%s.command", name);
	if (key.oom)
		return GATE_ENOMEM;
	rc = gate_repo_config(&command, repo, gate_buf_cstr(&key));
	if (rc == 0 && !command)
		rc = gate_error_set(GATE_ENOTFOUND, "the server defines no external policy '%s' (git "
						    "config %s)", name, gate_buf_cstr(&key));
	else if (rc == 0 && (rc = gate_policies_split_command(argv, command)) == GATE_ECONFIG)
		rc = gate_error_set(GATE_ECONFIG, "git config %s: %s", gate_buf_cstr(&key),
				    gate_error_last());
	gate_free(command);
	gate_buf_dispose(&key);
	return rc;
}

void gate_policies_free_msgs(char **msgs, size_t n)
{
	size_t i;
	for (i = 0; msgs && i < n; i++)
		gate_free(msgs[i]);
	gate_free(msgs);
}

/* Milliseconds left before DEADLINE (0 when past). */
static int left_ms(double deadline)
{
	double l = deadline - gate_now_ms();
	return l <= 0 ? 0 : l > 60000 ? 60000 : (int)l + 1;
}

/* The strings of OPA's eval output OUT (LEN bytes); GATE_EPOLICY when it is not that shape. */
static int parse_opa(char ***msgs, size_t *n, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *results;
	size_t i, j, k, cap = 0;
	int rc = 0;

	*msgs = NULL;
	*n = 0;
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return gate_error_set(GATE_EPOLICY, "the external policy printed no JSON object%s%s",
				      root ? "" : ": ", root ? "" : jerr.text);
	}
	results = json_object_get(root, "result");
	if (results && !json_is_array(results))
		rc = gate_error_set(GATE_EPOLICY, "the external policy's \"result\" is not a list");
	for (i = 0; rc == 0 && results && i < json_array_size(results); i++) {
		json_t *exprs = json_object_get(json_array_get(results, i), "expressions");
		if (!json_is_array(exprs)) {
			rc = gate_error_set(GATE_EPOLICY, "result %zu has no \"expressions\" list", i);
			break;
		}
		for (j = 0; rc == 0 && j < json_array_size(exprs); j++) {
			json_t *value = json_object_get(json_array_get(exprs, j), "value");
			if (!json_is_array(value)) {
				rc = gate_error_set(GATE_EPOLICY, "the policy's value is not a set of "
								  "strings (query a rule such as "
								  "data.gatehouse.deny)");
				break;
			}
			for (k = 0; rc == 0 && k < json_array_size(value); k++) {
				json_t *s = json_array_get(value, k);
				if (!json_is_string(s))
					rc = gate_error_set(GATE_EPOLICY, "the policy's value holds a "
									  "non-string");
				else if (*n >= 1000)
					break;
				else if (gate_grow(msgs, &cap, *n + 1, sizeof(**msgs)) < 0 ||
					 !((*msgs)[*n] = gate_strndup(json_string_value(s),
								       json_string_length(s))))
					rc = GATE_ENOMEM;
				else
					(*n)++;
			}
		}
	}
	json_decref(root);
	if (rc < 0) {
		gate_policies_free_msgs(*msgs, *n);
		*msgs = NULL;
		*n = 0;
	}
	return rc;
}

/* One run of the external command: its pipes, its input, what it printed, its deadline. */
typedef struct {
	const char *const *argv;
	unsigned timeout_ms;
	double deadline;
	pid_t pid;
	int in[2], out[2], err[2];
	const char *input;
	size_t input_len, written;
	gate_buf got;  /* its stdout, at most GATE_EXTERNAL_MAX_OUTPUT */
	gate_buf said; /* the start of its stderr, for the error message */
} ext_run;

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Starts the command with pipes on its stdin, stdout and stderr; GATE_EPOLICY when it cannot. */
static int ext_spawn(ext_run *x)
{
	static char *const child_env[] = { GATE_EXTERNAL_PATH, GATE_EXTERNAL_LANG, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;

	if (pipe2(x->in, O_CLOEXEC) < 0 || pipe2(x->out, O_CLOEXEC) < 0 ||
	    pipe2(x->err, O_CLOEXEC) < 0)
		return gate_error_set(GATE_EPOLICY, "cannot run the external policy: pipe: %s",
				      strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, x->in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, x->out[1], 1);
	/* its stderr is kept (bounded) for the error message, never passed to the pusher raw */
	posix_spawn_file_actions_adddup2(&fa, x->err[1], 2);
	/* outside the repository: nothing relative reaches it */
	posix_spawn_file_actions_addchdir_np(&fa, GATE_EXTERNAL_CWD);
	posix_spawnattr_init(&attr);
	/* its own process group, so a timeout ends whatever it started too */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	/* an absolute path, no PATH search; the environment is ours, none of the hook's */
	errno = x->argv[0][0] != '/' ? EINVAL
				     : posix_spawn(&x->pid, x->argv[0], &fa, &attr,
						   (char *const *)x->argv, child_env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (errno) {
		x->pid = -1;
		return gate_error_set(GATE_EPOLICY, "cannot run the external policy '%s': %s",
				      x->argv[0], strerror(errno));
	}
	close_fd(&x->in[0]);
	close_fd(&x->out[1]);
	close_fd(&x->err[1]);
	fcntl(x->in[1], F_SETFL, O_NONBLOCK);
	fcntl(x->out[0], F_SETFL, O_NONBLOCK);
	fcntl(x->err[0], F_SETFL, O_NONBLOCK);
	return 0;
}

/* Reads what waits on its stderr: the first KiB or so is kept, the rest dropped. */
static void ext_read_stderr(ext_run *x)
{
	char buf[4096];
	ssize_t r = read(x->err[0], buf, sizeof(buf));
	if (r > 0 && x->said.len < 1024)
		gate_buf_put(&x->said, buf, (size_t)r);
	else if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		close_fd(&x->err[0]);
}

/* Writes what it takes of the input; its stdin closes once all is written or it stops reading. */
static void ext_write_stdin(ext_run *x)
{
	ssize_t w = write(x->in[1], x->input + x->written, x->input_len - x->written);
	if (w > 0)
		x->written += (size_t)w;
	if ((w < 0 && errno != EAGAIN && errno != EINTR) || x->written == x->input_len)
		close_fd(&x->in[1]); /* done, or it stopped reading: either way, end of input */
}

/* Reads what waits on its stdout; GATE_EPOLICY past GATE_EXTERNAL_MAX_OUTPUT bytes. */
static int ext_read_stdout(ext_run *x)
{
	char buf[65536];
	ssize_t r = read(x->out[0], buf, sizeof(buf));
	if (r > 0) {
		if (x->got.len + (size_t)r > GATE_EXTERNAL_MAX_OUTPUT)
			return gate_error_set(GATE_EPOLICY, "the external policy printed more than %u bytes",
					      GATE_EXTERNAL_MAX_OUTPUT);
		gate_buf_put(&x->got, buf, (size_t)r);
	} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
		close_fd(&x->out[0]);
	}
	return 0;
}

/* Feeds it the input and reads its output until it closes its stdout, the deadline, or an error. */
static int ext_exchange(ext_run *x)
{
	struct sigaction ign, old_pipe;
	int rc = 0;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe); /* a command that ignores its input must not kill us */
	while (rc == 0 && x->out[0] >= 0) {
		struct pollfd pf[3];
		int np = 0, ie = -1, wait_ms = left_ms(x->deadline);
		if (!wait_ms) {
			rc = gate_error_set(GATE_EPOLICY, "the external policy '%s' did not answer within "
							  "%u ms (policies.external.timeout_ms)",
					    x->argv[0], x->timeout_ms);
			break;
		}
		pf[np].fd = x->out[0];
		pf[np++].events = POLLIN;
		if (x->in[1] >= 0) {
			pf[np].fd = x->in[1];
			pf[np++].events = POLLOUT;
		}
		if (x->err[0] >= 0) {
			ie = np;
			pf[np].fd = x->err[0];
			pf[np++].events = POLLIN;
		}
		if (poll(pf, (nfds_t)np, wait_ms) < 0 && errno != EINTR) {
			rc = gate_error_set(GATE_EPOLICY, "poll: %s", strerror(errno));
			break;
		}
		if (ie >= 0 && (pf[ie].revents & (POLLIN | POLLHUP | POLLERR)))
			ext_read_stderr(x);
		if (x->in[1] >= 0 && pf[1].fd == x->in[1] && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP)))
			ext_write_stdin(x);
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR))
			rc = ext_read_stdout(x);
	}
	sigaction(SIGPIPE, &old_pipe, NULL);
	return rc;
}

/*
 * Reaps it within what is left of the deadline, killing its process group
 * when it outlives it; RC (the exchange's) or how it ended as GATE_EPOLICY.
 */
static int ext_reap(ext_run *x, int rc)
{
	int status = 0, exited = 0;

	while (rc == 0 && !exited) {
		pid_t w = waitpid(x->pid, &status, WNOHANG);
		if (w == x->pid)
			exited = 1;
		else if (w < 0 && errno != EINTR)
			break;
		else if (!left_ms(x->deadline))
			rc = gate_error_set(GATE_EPOLICY, "the external policy '%s' did not exit within "
							  "%u ms (policies.external.timeout_ms)",
					    x->argv[0], x->timeout_ms);
		else
			usleep(2000);
	}
	if (!exited && x->pid > 0) {
		kill(-x->pid, SIGKILL);
		kill(x->pid, SIGKILL);
		waitpid(x->pid, &status, 0);
	} else if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		rc = WIFEXITED(status)
			     ? gate_error_set(GATE_EPOLICY, "the external policy '%s' exited with status %d",
					      x->argv[0], WEXITSTATUS(status))
			     : gate_error_set(GATE_EPOLICY, "the external policy '%s' was killed by signal %d",
					      x->argv[0], WTERMSIG(status));
	}
	return rc;
}

/* Adds the first line of what it said on stderr, escaped, to the last error. */
static void ext_tell_stderr(const ext_run *x)
{
	gate_buf msg = GATE_BUF_INIT;
	size_t len = strcspn(x->said.ptr, "\n");
	gate_buf_puts(&msg, gate_error_last());
	gate_buf_puts(&msg, "; it said: ");
	gate_buf_put_escaped(&msg, x->said.ptr, len > 300 ? 300 : len);
	if (!msg.oom)
		gate_error_set(GATE_EPOLICY, "%s", gate_buf_cstr(&msg));
	gate_buf_dispose(&msg);
}

int gate_policies_external(char ***msgs, size_t *n, const char *const *argv, unsigned timeout_ms,
			   const char *input, size_t input_len)
{
	ext_run x;
	int rc;

	*msgs = NULL;
	*n = 0;
	memset(&x, 0, sizeof(x));
	x.argv = argv;
	x.timeout_ms = timeout_ms;
	x.deadline = gate_now_ms() + timeout_ms;
	x.pid = -1;
	x.in[0] = x.in[1] = x.out[0] = x.out[1] = x.err[0] = x.err[1] = -1;
	x.input = input;
	x.input_len = input_len;
	if ((rc = ext_spawn(&x)) == 0) {
		rc = ext_reap(&x, ext_exchange(&x));
		if (rc == GATE_EPOLICY && x.said.len && !x.said.oom)
			ext_tell_stderr(&x);
		if (rc == 0 && x.got.oom)
			rc = GATE_ENOMEM;
		if (rc == 0)
			rc = parse_opa(msgs, n, x.got.ptr ? x.got.ptr : "", x.got.len);
	}
	close_fd(&x.in[0]);
	close_fd(&x.in[1]);
	close_fd(&x.out[0]);
	close_fd(&x.out[1]);
	close_fd(&x.err[0]);
	close_fd(&x.err[1]);
	gate_buf_dispose(&x.got);
	gate_buf_dispose(&x.said);
	return rc;
}

gate_loc gate_policies_loc(const gate_policies_cfg *p, const char *key)
{
	static const char containers[] = "policies.containers", deps[] = "policies.dependencies";
	gate_loc none = { 0, 0 };
	size_t k;

	if (!key)
		return none;
	if (!strncmp(key, containers, sizeof(containers) - 1)) {
		const char *name = key + sizeof(containers) - 1;
		for (k = 0; *name == '.' && k < GATE_CCHKS; k++)
			if (!strcmp(name + 1, gate_container_check_names[k]))
				return p->action_loc[k];
		if (!strcmp(name, ".registries"))
			return p->registries_loc;
		return p->containers_loc;
	}
	if (!strcmp(key, "policies.dependencies.deny"))
		return p->deny_loc;
	if (!strcmp(key, "policies.dependencies.allow_only"))
		return p->allow_only_loc;
	if (!strncmp(key, deps, sizeof(deps) - 1))
		return p->deny_loc.line ? p->deny_loc : p->allow_loc;
	if (!strcmp(key, "policies.deploy_refs"))
		return p->deploy_refs_loc;
	if (!strcmp(key, "policies.external"))
		return p->external_loc;
	return none;
}
