/*
 * The external policy's input document (see policy_input.h).
 *
 * Everything in it comes from the push or the matrix; it is serialised with
 * jansson (strings that are not valid UTF-8 are escaped by
 * gate_json_string), and bounded: at most GATE_INPUT_MAX_COMMITS commits per
 * update and GATE_INPUT_MAX_PATHS paths per commit, with "truncated" set
 * when more were left out.
 */
#include <string.h>

#include "util/json.h"
#include "util/common.h"
#include "content/containers.h"
#include "content/policies.h"
#include "content/policy_input.h"
#include "evidence/trailers.h"
#include "git/treediff.h"
#include "util/yamltree.h"

#define jstr gate_json_string

static int is_merge_key(const gate_ynode *k) { return gate_yaml_is(k, "<<"); }

/*
 * A YAML node as JSON: plain true/false/null and integers typed, the rest
 * strings.  Aliases were resolved by the parser (a shared node, written out
 * here: at most its weight, which the parser bounded) and merge keys are
 * applied as YAML (and kubectl, Compose) read them: a mapping's own keys
 * win, then each `<<` source in order, the first one to have a key wins.
 * So the external policy sees the manifest the container policy judged.
 */
static json_t *yaml_to_json(const gate_ynode *n, int depth)
{
	json_t *o;
	size_t i;
	if (depth > 64) /* the parser bounds nesting at 64, aliases followed */
		return json_null();
	switch (n->kind) {
	case GATE_Y_SCALAR:
		if (n->plain && (gate_yaml_is(n, "true") || gate_yaml_is(n, "false")))
			return json_boolean(gate_yaml_is(n, "true"));
		if (n->plain && (gate_yaml_is(n, "null") || gate_yaml_is(n, "~")))
			return json_null();
		if (n->plain && n->len && n->len < 16 && strspn(n->str, "0123456789") == n->len)
			return json_integer(strtoll(n->str, NULL, 10));
		return jstr(n->str);
	case GATE_Y_SEQ:
		o = json_array();
		for (i = 0; o && i < n->n; i++)
			json_array_append_new(o, yaml_to_json(n->items[i], depth + 1));
		return o;
	case GATE_Y_MAP:
		o = json_object();
		for (i = 0; o && i + 1 < n->n; i += 2) {
			const gate_ynode *k = n->items[i], *v = n->items[i + 1];
			if (k->kind == GATE_Y_SCALAR &&
			    !(is_merge_key(k) && (v->kind == GATE_Y_MAP || v->kind == GATE_Y_SEQ)))
				json_object_set_new(o, k->str, yaml_to_json(v, depth + 1));
		}
		for (i = 0; o && i + 1 < n->n; i += 2) {
			const gate_ynode *v = n->items[i + 1];
			size_t j, count = v->kind == GATE_Y_SEQ ? v->n : 1;
			if (!is_merge_key(n->items[i]) || (v->kind != GATE_Y_MAP && v->kind != GATE_Y_SEQ))
				continue;
			for (j = 0; j < count; j++) {
				const gate_ynode *src = v->kind == GATE_Y_SEQ ? v->items[j] : v;
				json_t *m;
				const char *key;
				json_t *val;
				if (src->kind != GATE_Y_MAP)
					continue;
				m = yaml_to_json(src, depth + 1);
				json_object_foreach(m, key, val)
					if (!json_object_get(o, key))
						json_object_set(o, key, val);
				json_decref(m);
			}
		}
		return o;
	case GATE_Y_NONE:
		break;
	}
	return json_null();
}

static json_t *signature_json(const git_signature *s)
{
	json_t *o = json_object();
	if (o && s) {
		json_object_set_new(o, "name", jstr(s->name));
		json_object_set_new(o, "email", jstr(s->email));
		json_object_set_new(o, "time", json_integer((json_int_t)s->when.time));
	}
	return o;
}

typedef struct {
	json_t *paths;
	size_t n;
	int truncated;
} paths_ctx;

static int on_path(const char *path, const git_tree_entry *o, const git_tree_entry *n, void *payload)
{
	paths_ctx *p = payload;
	(void)o;
	(void)n;
	if (p->n >= GATE_INPUT_MAX_PATHS) {
		p->truncated = 1;
		return 1; /* enough */
	}
	p->n++;
	return json_array_append_new(p->paths, jstr(path)) < 0 ? GATE_ENOMEM : 0;
}

/* Notes in CUTS that cap WHAT (static text) was reached; the first one stands. */
static void note_cut(gate_policy_input_cuts *cuts, const char *what)
{
	if (cuts && !cuts->cut)
		cuts->cut = what;
}

static json_t *commit_json(git_repository *repo, const git_commit *c, gate_policy_input_cuts *cuts)
{
	json_t *o = json_object(), *trailers = json_array();
	gate_trailers t = GATE_TRAILERS_INIT;
	git_buf sig = GIT_BUF_INIT, signed_data = GIT_BUF_INIT;
	git_tree *tree = NULL, *ptree = NULL;
	git_commit *parent = NULL;
	paths_ctx pc;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;

	if (!o || !trailers) {
		json_decref(o);
		json_decref(trailers);
		return NULL;
	}
	git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
	json_object_set_new(o, "id", json_string(hex));
	json_object_set_new(o, "author", signature_json(git_commit_author(c)));
	json_object_set_new(o, "committer", signature_json(git_commit_committer(c)));
	json_object_set_new(o, "summary", jstr(git_commit_summary((git_commit *)c)));
	json_object_set_new(o, "parents", json_integer((json_int_t)git_commit_parentcount(c)));
	if (gate_trailers_parse(&t, git_commit_message(c) ? git_commit_message(c) : "") == 0)
		for (i = 0; i < t.count; i++) {
			json_t *tr = json_object();
			json_object_set_new(tr, "key", jstr(t.items[i].key));
			json_object_set_new(tr, "value", jstr(t.items[i].value));
			json_array_append_new(trailers, tr);
		}
	gate_trailers_dispose(&t);
	json_object_set_new(o, "trailers", trailers);
	/* whether it carries a signature; whose and whether valid is the signed: rule's job */
	json_object_set_new(o, "signature",
			    json_string(git_commit_extract_signature(&sig, &signed_data, repo,
								     (git_oid *)git_commit_id(c), NULL) == 0
						? "signed"
						: "unsigned"));
	git_buf_dispose(&sig);
	git_buf_dispose(&signed_data);
	git_error_clear();
	memset(&pc, 0, sizeof(pc));
	pc.paths = json_array();
	if (pc.paths && git_commit_tree(&tree, c) == 0) {
		if (git_commit_parentcount(c) && git_commit_parent(&parent, c, 0) == 0)
			git_commit_tree(&ptree, parent);
		gate_treediff(repo, ptree, tree, on_path, &pc);
	}
	git_error_clear();
	json_object_set_new(o, "paths", pc.paths ? pc.paths : json_array());
	if (pc.truncated) {
		json_object_set_new(o, "paths_truncated", json_true());
		note_cut(cuts, "a commit changes more than 1000 paths (the input lists at most "
			       "1000 per commit)");
	}
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	return o;
}

/* The new commits of update U, newest first along first parents. */
static json_t *commits_json(git_repository *repo, const gate_update *u, const gate_newobjs *nw,
			    int *truncated, gate_policy_input_cuts *cuts)
{
	json_t *arr = json_array();
	git_commit *c = NULL;
	git_oid tip;
	size_t n = 0;

	if (!arr || !gate_update_commit(&tip, repo, u) || git_commit_lookup(&c, repo, &tip) < 0)
		goto out;
	while (c && gate_newobjs_has_commit(nw, git_commit_id(c))) {
		git_commit *parent = NULL;
		if (n++ >= GATE_INPUT_MAX_COMMITS) {
			*truncated = 1;
			break;
		}
		json_array_append_new(arr, commit_json(repo, c, cuts));
		if (git_commit_parentcount(c) == 0 || git_commit_parent(&parent, c, 0) < 0)
			parent = NULL;
		git_commit_free(c);
		c = parent;
	}
out:
	git_error_clear();
	git_commit_free(c);
	return arr;
}

/*
 * The protected refs (a rule applies; not a deploy ref) that already hold
 * commit ID, as the refs stood before the push.
 */
static json_t *sources_json(git_repository *repo, const gate_matrix *m, const git_oid *id)
{
	json_t *arr = json_array();
	gate_policy_tips t;
	size_t i;

	if (!arr || !m || gate_policies_protected_tips(&t, m, repo, GATE_INPUT_MAX_SOURCES) < 0) {
		git_error_clear();
		return arr;
	}
	for (i = 0; i < t.n; i++)
		if (git_oid_equal(&t.ids[i], id) || git_graph_descendant_of(repo, &t.ids[i], id) == 1)
			json_array_append_new(arr, jstr(t.names[i]));
	git_error_clear();
	gate_policy_tips_dispose(&t);
	return arr;
}

/* Records job I as a file the input could not hold whole. */
static int note_incomplete(gate_policy_input_cuts *cuts, size_t i)
{
	if (gate_grow(&cuts->jobs, &cuts->cap, cuts->n + 1, sizeof(*cuts->jobs)) < 0)
		return GATE_ENOMEM;
	cuts->jobs[cuts->n++] = i;
	return 0;
}

/*
 * The pushed manifests (YAML as documents, Dockerfiles as text), bounded.
 * A YAML file whose aliases expand past GATE_INPUT_MAX_EXPANDED goes into
 * CUTS: the caller rejects it as incomplete.
 */
static json_t *files_json(git_repository *repo, const gate_source *jobs, int *truncated,
			  gate_policy_input_cuts *cuts, int *rc)
{
	json_t *arr = json_array();
	git_odb *odb = NULL;
	size_t i, total = 0, n = 0;

	if (!arr || !jobs || git_repository_odb(&odb, repo) < 0) {
		git_error_clear();
		return arr;
	}
	for (i = 0; i < jobs->count; i++) {
		const gate_source_item *j = &jobs->items[i];
		gate_container_file kind = *j->path ? gate_containers_file_kind(j->path)
						    : GATE_CONTAINER_FILE_NONE;
		git_odb_object *obj = NULL;
		git_object_t type;
		size_t size;
		json_t *f;
		if (!kind)
			continue;
		if (n >= GATE_INPUT_MAX_FILES || git_odb_read_header(&size, &type, odb, &j->blob) < 0 ||
		    size > GATE_INPUT_MAX_FILE_BYTES || total + size > GATE_INPUT_MAX_FILES_BYTES ||
		    git_odb_read(&obj, odb, &j->blob) < 0) {
			*truncated = 1;
			git_error_clear();
			continue;
		}
		total += size;
		n++;
		f = json_object();
		json_object_set_new(f, "path", jstr(j->path));
		json_object_set_new(f, "kind", json_string(kind == GATE_CONTAINER_FILE_DOCKERFILE
								   ? "dockerfile"
								   : kind == GATE_CONTAINER_FILE_COMPOSE ? "compose"
													 : "yaml"));
		if (kind == GATE_CONTAINER_FILE_DOCKERFILE) {
			json_t *t = json_stringn(git_odb_object_data(obj), git_odb_object_size(obj));
			json_object_set_new(f, "text", t ? t : json_null());
			if (!t)
				json_object_set_new(f, "error", json_string("not UTF-8 text"));
		} else {
			gate_arena arena;
			gate_ynode **docs = NULL;
			size_t nd = 0, d;
			gate_yopts yo = GATE_YOPTS_INIT;
			gate_yerror ye;
			json_t *ds = json_array();
			int yrc;
			memset(&arena, 0, sizeof(arena));
			yo.allow_multi = 1;
			yo.max_nodes = 200000;
			yo.aliases = 1; /* resolved, as the container policy and kubectl read them */
			yo.max_weight = GATE_INPUT_MAX_EXPANDED;
			yrc = gate_yaml_parse(&docs, &nd, &arena, git_odb_object_data(obj),
					      git_odb_object_size(obj), &yo, &ye);
			if (yrc == 0) {
				for (d = 0; d < nd; d++)
					json_array_append_new(ds, yaml_to_json(docs[d], 0));
			} else {
				json_object_set_new(f, "error", jstr(ye.msg));
				if (yrc == GATE_ELIMIT) {
					json_object_set_new(f, "incomplete", json_true());
					if (note_incomplete(cuts, i) < 0)
						*rc = GATE_ENOMEM;
				} else if (yrc == GATE_ENOMEM) {
					*rc = GATE_ENOMEM;
				}
			}
			json_object_set_new(f, "documents", ds);
			gate_arena_dispose(&arena);
		}
		if (j->has_commit) {
			char hex[GIT_OID_HEXSZ + 1];
			git_oid_tostr(hex, sizeof(hex), &j->commit);
			json_object_set_new(f, "commit", json_string(hex));
		}
		json_array_append_new(arr, f);
		git_odb_object_free(obj);
	}
	git_odb_free(odb);
	return arr;
}

/* Who pushes: the login, the matrix person it maps to, and that person's roles. */
static json_t *pusher_json(const gate_policy_input *in)
{
	json_t *pusher = json_object(), *roles = json_array();
	size_t i;

	if (!pusher || !roles) {
		json_decref(pusher);
		json_decref(roles);
		return NULL;
	}
	json_object_set_new(pusher, "login", jstr(in->login));
	json_object_set_new(pusher, "person", in->m && in->person >= 0
						       ? jstr(in->m->people[in->person].id)
						       : json_null());
	for (i = 0; in->m && in->person >= 0 && i < in->m->n_roles; i++)
		if (gate_matrix_in_role(in->m, in->person, i))
			json_array_append_new(roles, jstr(in->m->roles[i].id));
	json_object_set_new(pusher, "roles", roles);
	return pusher;
}

/* Appends the N reasons R of the update to REF to FINDINGS, with SEVERITY. */
static void add_findings(json_t *findings, const char *ref, const gate_reason *r, size_t n,
			 const char *severity)
{
	size_t j;
	for (j = 0; j < n; j++) {
		json_t *f = json_object();
		json_object_set_new(f, "check", jstr(r[j].check));
		json_object_set_new(f, "ref", jstr(ref));
		json_object_set_new(f, "subject", jstr(r[j].subject));
		json_object_set_new(f, "found", jstr(r[j].found));
		json_object_set_new(f, "severity", json_string(severity));
		json_array_append_new(findings, f);
	}
}

/*
 * One ref update as the policy sees it: what moves, the verdict so far and
 * its reasons (appended to FINDINGS with the warnings), where it may deploy
 * from, and its new commits.  NULL out of memory.
 */
static json_t *update_json(git_repository *repo, const gate_policy_input *in,
			   const gate_decision *d, json_t *findings, gate_policy_input_cuts *cuts)
{
	const gate_update *u = d->update;
	json_t *ju = json_object(), *ids = json_array();
	char hex[GIT_OID_HEXSZ + 1];
	git_oid tip;
	int truncated = 0;
	size_t j;

	if (!ju || !ids) {
		json_decref(ju);
		json_decref(ids);
		return NULL;
	}
	json_object_set_new(ju, "ref", jstr(u->ref));
	git_oid_tostr(hex, sizeof(hex), &u->old_id);
	json_object_set_new(ju, "old", json_string(hex));
	git_oid_tostr(hex, sizeof(hex), &u->new_id);
	json_object_set_new(ju, "new", json_string(hex));
	json_object_set_new(ju, "kind", json_string(gate_update_kind_name(u->kind)));
	json_object_set_new(ju, "tag", json_boolean(u->is_tag));
	json_object_set_new(ju, "protected", json_boolean(d->rule != NULL));
	json_object_set_new(ju, "verdict_so_far",
			    json_string(d->verdict == GATE_ACCEPT ? "accepted" : "rejected"));
	for (j = 0; j < d->n_reasons; j++)
		json_array_append_new(ids, jstr(d->reasons[j].check));
	add_findings(findings, u->ref, d->reasons, d->n_reasons, "reject");
	add_findings(findings, u->ref, d->warnings, d->n_warnings, "warn");
	json_object_set_new(ju, "reasons", ids);
	json_object_set_new(ju, "deploy_ref",
			    json_boolean(in->m && gate_policies_is_deploy_ref(in->m, u->ref)));
	if (gate_update_commit(&tip, repo, u))
		json_object_set_new(ju, "protected_sources", sources_json(repo, in->m, &tip));
	json_object_set_new(ju, "commits", commits_json(repo, u, in->newobjs, &truncated, cuts));
	if (truncated) {
		json_object_set_new(ju, "commits_truncated", json_true());
		note_cut(cuts, "an update brings more than 1000 new commits (the input describes "
			       "at most 1000 per update)");
	}
	return ju;
}

/* The trusted matrix as JSON; null when there is none or it does not parse as one document. */
static json_t *matrix_json(const gate_policy_input *in)
{
	gate_arena arena;
	gate_ynode **docs = NULL;
	size_t ndocs = 0;
	gate_yopts yo = GATE_YOPTS_INIT;
	gate_yerror ye;
	json_t *m = NULL;

	if (!in->matrix_text)
		return json_null();
	memset(&arena, 0, sizeof(arena));
	if (gate_yaml_parse(&docs, &ndocs, &arena, in->matrix_text, in->matrix_len, &yo, &ye) == 0 &&
	    ndocs == 1)
		m = yaml_to_json(docs[0], 0);
	else
		m = json_null();
	gate_arena_dispose(&arena);
	return m;
}

int gate_policy_input_build(json_t **out, gate_policy_input_cuts *cuts, git_repository *repo,
			    const gate_policy_input *in)
{
	json_t *doc = json_object(), *pusher = pusher_json(in), *updates = json_array(),
	       *findings = json_array();
	size_t i;
	int rc = 0, truncated = 0;

	*out = NULL;
	memset(cuts, 0, sizeof(*cuts));
	if (!doc || !pusher || !updates || !findings)
		goto oom;
	json_object_set_new(doc, "version", json_integer(1));
	json_object_set_new(doc, "repository", jstr(in->repository));
	json_object_set_new(doc, "pusher", pusher);
	pusher = NULL;
	for (i = 0; i < in->n_ds; i++) {
		json_t *ju = update_json(repo, in, &in->ds[i], findings, cuts);
		if (!ju)
			goto oom;
		json_array_append_new(updates, ju);
	}
	json_object_set_new(doc, "updates", updates);
	json_object_set_new(doc, "findings", findings);
	updates = findings = NULL;
	json_object_set_new(doc, "files", files_json(repo, in->jobs, &truncated, cuts, &rc));
	if (truncated) {
		json_object_set_new(doc, "files_truncated", json_true());
		note_cut(cuts, "the push brings more manifests than the input holds (at most 200 "
			       "files, 1 MiB each, 16 MiB in all)");
	}
	json_object_set_new(doc, "matrix", matrix_json(in));
	if (rc < 0)
		goto oom;
	*out = doc;
	return 0;
oom:
	json_decref(doc);
	json_decref(pusher);
	json_decref(updates);
	json_decref(findings);
	gate_policy_input_cuts_dispose(cuts);
	return gate_error_oom();
}

void gate_policy_input_cuts_dispose(gate_policy_input_cuts *cuts)
{
	gate_free(cuts->jobs);
	memset(cuts, 0, sizeof(*cuts));
}
