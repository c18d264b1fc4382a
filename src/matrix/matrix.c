/*
 * Loading and validating the responsibility matrix (schema version 1).
 *
 * The loader turns a gate_ynode tree into the model in model.h and reports
 * every problem it finds, not just the first, each with file:line:column.
 * Strictness is the point: an unknown key is most often a typo, and a typo
 * in a security rule must fail loudly instead of silently disabling it.
 *
 * Trust: the YAML may come from a pushed commit (bootstrap of an empty repo),
 * so sizes are bounded by the YAML layer and by GATE_MATRIX_MAX_BYTES here.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <git2.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checks.h"
#include "util/glob.h"
#include "content/deps.h"
#include "matrix/model.h"
#include "content/policies.h"
#include "content/policy.h"
#include "git/push.h"
#include "evidence/trailers.h"
#include "git/treediff.h"
#include "util/yamltree.h"

#define MAX_DIAGS 100

typedef struct {
	gate_matrix *m;
	gate_diags *diags;
	const char *label;
	size_t errors;
	int oom;
} loader;

/* ---- diagnostics ------------------------------------------------------- */

static void diag_at(loader *L, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void diag_at(loader *L, int line, int col, const char *fmt, ...)
{
	gate_buf b = GATE_BUF_INIT;
	va_list ap;

	L->errors++;
	if (L->errors == 1 || !L->diags || L->diags->count < MAX_DIAGS) {
		gate_buf raw = GATE_BUF_INIT;
		/*
		 * Messages quote keys and values from the matrix, which may come
		 * from a push: escape the whole text once, here, so no call site
		 * can forget to.
		 */
		gate_buf_printf(&b, "%s:%d:%d: error: ", L->label, line, col);
		va_start(ap, fmt);
		gate_buf_vprintf(&raw, fmt, ap);
		va_end(ap);
		gate_buf_put_escaped(&b, gate_buf_cstr(&raw), raw.len);
		if (raw.oom)
			b.oom = 1;
		gate_buf_dispose(&raw);
		if (b.oom) {
			L->oom = 1;
			gate_buf_dispose(&b);
			return;
		}
		if (L->errors == 1)
			gate_error_set(GATE_EMATRIX, "%s", gate_buf_cstr(&b));
		if (L->diags && L->diags->count < MAX_DIAGS) {
			if (gate_grow(&L->diags->items, &L->diags->cap, L->diags->count + 1,
				      sizeof(gate_diag)) < 0) {
				L->oom = 1;
				gate_buf_dispose(&b);
				return;
			}
			L->diags->items[L->diags->count].line = line;
			L->diags->items[L->diags->count].col = col;
			L->diags->items[L->diags->count].text = gate_buf_detach(&b);
			L->diags->count++;
		}
	}
	gate_buf_dispose(&b);
}

#define diag(L, node, ...) diag_at((L), (node)->line, (node)->col, __VA_ARGS__)

void gate_diags_dispose(gate_diags *d)
{
	size_t i;
	for (i = 0; i < d->count; i++)
		gate_free(d->items[i].text);
	gate_free(d->items);
	d->items = NULL;
	d->count = d->cap = 0;
}

/* ---- small helpers ------------------------------------------------------ */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* A printable, bounded copy of a scalar for messages. */
/* A bounded copy of a scalar for messages (diag_at escapes it). */
static const char *shown(const gate_ynode *n, char *buf, size_t len)
{
	int l = (int)(n->len > 80 ? 80 : n->len);
	snprintf(buf, len, "%.*s%s", n->str ? l : 0, n->str ? n->str : "", n->len > 80 ? "..." : "");
	return buf;
}

static const char *kind_name(const gate_ynode *n)
{
	switch (n->kind) {
	case GATE_Y_SCALAR: return "a scalar";
	case GATE_Y_SEQ: return "a list";
	default: return "a mapping";
	}
}

static int is_null(const gate_ynode *n)
{
	return n->kind == GATE_Y_SCALAR && n->plain &&
	       (n->len == 0 || gate_yaml_is(n, "~") || gate_yaml_is(n, "null"));
}

/* Reports keys of MAP that are not in ALLOWED (NULL-terminated). */
static void check_keys(loader *L, const gate_ynode *map, const char *const *allowed,
		       const char *context)
{
	size_t i, k;
	char sbuf[128];

	for (i = 0; i + 1 < map->n; i += 2) {
		const gate_ynode *key = map->items[i];
		const char *best = NULL;
		size_t bestd = 3;
		int found = 0;
		for (k = 0; allowed[k]; k++) {
			size_t d;
			if (strlen(allowed[k]) == key->len && !memcmp(allowed[k], key->str, key->len)) {
				found = 1;
				break;
			}
			d = edit_distance(key->str, allowed[k]);
			if (d < bestd) {
				bestd = d;
				best = allowed[k];
			}
		}
		if (!found) {
			gate_buf list = GATE_BUF_INIT;
			for (k = 0; allowed[k]; k++)
				gate_buf_printf(&list, "%s%s", k ? ", " : "", allowed[k]);
			if (best)
				diag(L, key, "unknown key '%s' in %s: did you mean '%s'? (expected one of: %s)",
				     shown(key, sbuf, sizeof(sbuf)), context, best, gate_buf_cstr(&list));
			else
				diag(L, key, "unknown key '%s' in %s (expected one of: %s)",
				     shown(key, sbuf, sizeof(sbuf)), context, gate_buf_cstr(&list));
			gate_buf_dispose(&list);
		}
	}
}

static int want_map(loader *L, const gate_ynode *n, const char *what)
{
	if (n->kind == GATE_Y_MAP)
		return 1;
	diag(L, n, "%s must be a mapping, found %s", what, kind_name(n));
	return 0;
}

/* A non-empty string scalar. */
static const char *want_str(loader *L, const gate_ynode *n, const char *what)
{
	if (n->kind != GATE_Y_SCALAR) {
		diag(L, n, "%s must be a string, found %s", what, kind_name(n));
		return NULL;
	}
	if (n->len == 0 || memchr(n->str, '\0', n->len)) {
		diag(L, n, "%s must not be empty", what);
		return NULL;
	}
	return n->str;
}

/* An identifier: letters, digits, '.', '_', '-'; 1..100 bytes. */
static int valid_id(const char *s, size_t len)
{
	size_t i;
	if (len == 0 || len > 100)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/*
 * A scalar or a list of scalars: calls EACH for every item.  Reports an
 * empty list (when !allow_empty) and non-scalar items.
 */
typedef void (*item_fn)(loader *L, const gate_ynode *item, void *ctx);

static size_t each_str(loader *L, const gate_ynode *n, const char *what, item_fn each, void *ctx)
{
	size_t i, count = 0;
	if (n->kind == GATE_Y_SCALAR) {
		if (want_str(L, n, what)) {
			each(L, n, ctx);
			count = 1;
		}
		return count;
	}
	if (n->kind != GATE_Y_SEQ) {
		diag(L, n, "%s must be a string or a list of strings, found %s", what, kind_name(n));
		return 0;
	}
	for (i = 0; i < n->n; i++) {
		if (want_str(L, n->items[i], what)) {
			each(L, n->items[i], ctx);
			count++;
		}
	}
	return count;
}

/* ---- people ------------------------------------------------------------- */

typedef struct {
	const char **arr;
	size_t n;
} strlist;

static int has_control(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return 1;
	return 0;
}

static void collect_email(loader *L, const gate_ynode *item, void *ctx)
{
	strlist *sl = ctx;
	char sbuf[128];
	const char *at = memchr(item->str, '@', item->len);
	char *copy;
	size_t i;

	if (!at || at == item->str || at == item->str + item->len - 1 ||
	    memchr(at + 1, '@', item->len - (size_t)(at + 1 - item->str)) ||
	    strpbrk(item->str, " \t<>,;\"") || has_control(item->str, item->len)) {
		diag(L, item, "'%s' is not an email address (expected name@domain)",
		     shown(item, sbuf, sizeof(sbuf)));
		return;
	}
	copy = gate_arena_strndup(&L->m->arena, item->str, item->len);
	if (!copy) {
		L->oom = 1;
		return;
	}
	for (i = 0; copy[i]; i++)
		if (copy[i] >= 'A' && copy[i] <= 'Z')
			copy[i] = (char)(copy[i] + 32);
	sl->arr[sl->n++] = copy;
}

static void collect_login(loader *L, const gate_ynode *item, void *ctx)
{
	strlist *sl = ctx;
	char sbuf[128];
	size_t i;
	for (i = 0; i < item->len; i++) {
		unsigned char c = (unsigned char)item->str[i];
		if (c <= 0x20 || c == 0x7F) {
			diag(L, item, "login '%s' contains a space or control character",
			     shown(item, sbuf, sizeof(sbuf)));
			return;
		}
	}
	sl->arr[sl->n++] = item->str;
}

static size_t seq_len(const gate_ynode *n) { return n->kind == GATE_Y_SEQ ? n->n : 1; }

typedef struct {
	gate_person *p;
} keylist;

static void collect_key(loader *L, const gate_ynode *item, void *ctx)
{
	keylist *kl = ctx;
	gate_sshkey *k = NULL;
	char err[256];
	int rc = gate_sshkey_parse(&k, item->str, err, sizeof(err));

	if (rc == GATE_ENOMEM) {
		L->oom = 1;
		return;
	}
	if (rc < 0) {
		diag(L, item, "key of '%s' is not an SSH public key: %s", kl->p->id, err);
		return;
	}
	kl->p->keys[kl->p->n_keys++] = k;
}

static void load_person(loader *L, gate_person *p, const gate_ynode *key, const gate_ynode *val)
{
	static const char *const keys[] = { "name", "emails", "logins", "keys", NULL };
	const gate_ynode *v;
	char sbuf[128];
	strlist sl;

	p->id = key->str;
	p->loc.line = key->line;
	p->loc.col = key->col;
	if (!valid_id(key->str, key->len))
		diag(L, key, "person id '%s' must be 1-100 letters, digits, '.', '_' or '-'",
		     shown(key, sbuf, sizeof(sbuf)));
	if (is_null(val))
		goto defaults;
	if (!want_map(L, val, "a person"))
		return;
	check_keys(L, val, keys, "a person");
	if ((v = gate_yaml_get(val, "name")) && !is_null(v))
		p->name = want_str(L, v, "name");
	if ((v = gate_yaml_get(val, "emails"))) {
		sl.arr = gate_arena_alloc(&L->m->arena, seq_len(v) * sizeof(char *));
		sl.n = 0;
		if (!sl.arr) {
			L->oom = 1;
			return;
		}
		each_str(L, v, "emails", collect_email, &sl);
		p->emails = sl.arr;
		p->n_emails = sl.n;
	}
	if ((v = gate_yaml_get(val, "keys"))) {
		keylist kl;
		kl.p = p;
		p->keys = gate_arena_alloc(&L->m->arena, seq_len(v) * sizeof(gate_sshkey *));
		if (!p->keys) {
			L->oom = 1;
			return;
		}
		each_str(L, v, "keys", collect_key, &kl);
	}
	if ((v = gate_yaml_get(val, "logins"))) {
		sl.arr = gate_arena_alloc(&L->m->arena, seq_len(v) * sizeof(char *));
		sl.n = 0;
		if (!sl.arr) {
			L->oom = 1;
			return;
		}
		if (v->kind == GATE_Y_SEQ && v->n == 0)
			diag(L, v, "logins of '%s' is empty: omit the key to use the person id",
			     p->id);
		each_str(L, v, "logins", collect_login, &sl);
		p->logins = sl.arr;
		p->n_logins = sl.n;
		return;
	}
defaults:
	p->logins = gate_arena_alloc(&L->m->arena, sizeof(char *));
	if (!p->logins) {
		L->oom = 1;
		return;
	}
	p->logins[0] = p->id;
	p->n_logins = 1;
}

typedef struct {
	const char *s;
	size_t owner;
	int line, col;
} owned_str;

static int owned_cmp(const void *a, const void *b)
{
	const owned_str *x = a, *y = b;
	int c = strcmp(x->s, y->s);
	if (c)
		return c;
	return x->line != y->line ? x->line - y->line : x->col - y->col;
}

/* Reports a login or email claimed twice. */
static void check_unique(loader *L, int emails)
{
	gate_matrix *m = L->m;
	owned_str *all;
	size_t i, j, n = 0, total = 0;

	for (i = 0; i < m->n_people; i++)
		total += emails ? m->people[i].n_emails : m->people[i].n_logins;
	if (total < 2)
		return;
	all = gate_malloc(total * sizeof(*all));
	if (!all) {
		L->oom = 1;
		return;
	}
	for (i = 0; i < m->n_people; i++) {
		const gate_person *p = &m->people[i];
		size_t cnt = emails ? p->n_emails : p->n_logins;
		for (j = 0; j < cnt; j++) {
			all[n].s = emails ? p->emails[j] : p->logins[j];
			all[n].owner = i;
			all[n].line = p->loc.line;
			all[n].col = p->loc.col;
			n++;
		}
	}
	qsort(all, n, sizeof(*all), owned_cmp);
	for (i = 1; i < n; i++)
		if (!strcmp(all[i].s, all[i - 1].s))
			diag_at(L, all[i].line, all[i].col,
				"%s '%s' is claimed by both '%s' and '%s': every %s must identify one person",
				emails ? "email" : "login", all[i].s, m->people[all[i - 1].owner].id,
				m->people[all[i].owner].id, emails ? "email" : "login");
	gate_free(all);
}

/* A key signs for one person only: otherwise a signature could not name its signer. */
static void check_unique_keys(loader *L)
{
	gate_matrix *m = L->m;
	size_t i, j, a, b;

	for (i = 0; i < m->n_people; i++)
		for (j = 0; j < m->people[i].n_keys; j++) {
			size_t len;
			const unsigned char *blob = gate_sshkey_blob(m->people[i].keys[j], &len);
			for (a = 0; a <= i; a++) {
				/* earlier people: all their keys; this person: the keys before j */
				size_t upto = a < i ? m->people[a].n_keys : j;
				for (b = 0; b < upto; b++) {
					size_t l2;
					const unsigned char *b2 = gate_sshkey_blob(m->people[a].keys[b], &l2);
					if (l2 == len && !memcmp(b2, blob, len)) {
						char fp[80];
						gate_ssh_fingerprint(fp, sizeof(fp), blob, len);
						diag_at(L, m->people[i].loc.line, m->people[i].loc.col,
							"key %s is listed for both '%s' and '%s': a key must "
							"identify one person", fp, m->people[a].id, m->people[i].id);
						goto next;
					}
				}
			}
		next:;
		}
}

static void load_people(loader *L, const gate_ynode *n)
{
	gate_matrix *m = L->m;
	size_t i;

	if (!want_map(L, n, "people"))
		return;
	m->people = gate_arena_alloc(&m->arena, (n->n / 2 + 1) * sizeof(*m->people));
	if (!m->people) {
		L->oom = 1;
		return;
	}
	for (i = 0; i + 1 < n->n; i += 2)
		load_person(L, &m->people[m->n_people++], n->items[i], n->items[i + 1]);
	check_unique(L, 0);
	check_unique(L, 1);
	check_unique_keys(L);
}

/* ---- roles and duties --------------------------------------------------- */

long gate_matrix_role_by_id(const gate_matrix *m, const char *id)
{
	size_t i;
	for (i = 0; i < m->n_roles; i++)
		if (!strcmp(m->roles[i].id, id))
			return (long)i;
	return -1;
}

long gate_matrix_person_by_id(const gate_matrix *m, const char *id)
{
	size_t i;
	for (i = 0; i < m->n_people; i++)
		if (!strcmp(m->people[i].id, id))
			return (long)i;
	return -1;
}

typedef struct {
	size_t *arr;
	size_t n;
	const char *owner;
} idxlist;

static void collect_member(loader *L, const gate_ynode *item, void *ctx)
{
	idxlist *il = ctx;
	char sbuf[128];
	long p = gate_matrix_person_by_id(L->m, item->str);
	size_t i;

	if (p < 0) {
		diag(L, item, "role '%s' names unknown person '%s' (add them under people:)",
		     il->owner, shown(item, sbuf, sizeof(sbuf)));
		return;
	}
	for (i = 0; i < il->n; i++)
		if (il->arr[i] == (size_t)p) {
			diag(L, item, "role '%s' lists '%s' twice", il->owner, item->str);
			return;
		}
	il->arr[il->n++] = (size_t)p;
}

static void load_roles(loader *L, const gate_ynode *n)
{
	gate_matrix *m = L->m;
	size_t i;
	char sbuf[128];

	if (!want_map(L, n, "roles"))
		return;
	m->roles = gate_arena_alloc(&m->arena, (n->n / 2 + 1) * sizeof(*m->roles));
	if (!m->roles) {
		L->oom = 1;
		return;
	}
	for (i = 0; i + 1 < n->n; i += 2) {
		const gate_ynode *key = n->items[i], *val = n->items[i + 1];
		gate_role *r = &m->roles[m->n_roles++];
		idxlist il;

		r->id = key->str;
		r->loc.line = key->line;
		r->loc.col = key->col;
		if (!valid_id(key->str, key->len))
			diag(L, key, "role id '%s' must be 1-100 letters, digits, '.', '_' or '-'",
			     shown(key, sbuf, sizeof(sbuf)));
		il.arr = gate_arena_alloc(&m->arena, seq_len(val) * sizeof(size_t));
		il.n = 0;
		il.owner = r->id;
		if (!il.arr) {
			L->oom = 1;
			return;
		}
		if (is_null(val) || (val->kind == GATE_Y_SEQ && val->n == 0)) {
			diag(L, val->kind == GATE_Y_SEQ ? val : key,
			     "role '%s' has no members: every role needs at least one person", r->id);
			continue;
		}
		each_str(L, val, "role members", collect_member, &il);
		r->members = il.arr;
		r->n_members = il.n;
	}
}

typedef struct {
	size_t *arr;
	size_t n;
	const char *what;
} rolelist;

static void collect_role(loader *L, const gate_ynode *item, void *ctx)
{
	rolelist *rl = ctx;
	char sbuf[128];
	long r = gate_matrix_role_by_id(L->m, item->str);
	size_t i;

	if (r < 0) {
		gate_buf known = GATE_BUF_INIT;
		for (i = 0; i < L->m->n_roles; i++)
			gate_buf_printf(&known, "%s%s", i ? ", " : "", L->m->roles[i].id);
		diag(L, item, "%s names unknown role '%s' (roles: %s)", rl->what,
		     shown(item, sbuf, sizeof(sbuf)), L->m->n_roles ? gate_buf_cstr(&known) : "none");
		gate_buf_dispose(&known);
		return;
	}
	for (i = 0; i < rl->n; i++)
		if (rl->arr[i] == (size_t)r) {
			diag(L, item, "%s lists role '%s' twice", rl->what, item->str);
			return;
		}
	rl->arr[rl->n++] = (size_t)r;
}

static const char *const required_duties[] = {
	GATE_DUTY_WRITE_CODE, GATE_DUTY_REVIEW_CODE, GATE_DUTY_CONFIGURE_PIPELINE,
	GATE_DUTY_RESOLVE_VULNS, GATE_DUTY_APPROVE_DEPLOYMENT, NULL
};

static void load_duties(loader *L, const gate_ynode *n)
{
	gate_matrix *m = L->m;
	size_t i, k;
	char sbuf[128], what[160];

	if (!want_map(L, n, "responsibilities"))
		return;
	m->duties = gate_arena_alloc(&m->arena, (n->n / 2 + 1) * sizeof(*m->duties));
	if (!m->duties) {
		L->oom = 1;
		return;
	}
	for (i = 0; i + 1 < n->n; i += 2) {
		const gate_ynode *key = n->items[i], *val = n->items[i + 1];
		gate_duty *d = &m->duties[m->n_duties++];
		rolelist rl;

		d->id = key->str;
		d->loc.line = key->line;
		d->loc.col = key->col;
		if (!valid_id(key->str, key->len))
			diag(L, key, "duty '%s' must be 1-100 letters, digits, '.', '_' or '-'",
			     shown(key, sbuf, sizeof(sbuf)));
		if (is_null(val) || (val->kind == GATE_Y_SEQ && val->n == 0)) {
			diag(L, val->kind == GATE_Y_SEQ ? val : key,
			     "duty '%s' has no role: every duty needs an owning role", d->id);
			continue;
		}
		rl.arr = gate_arena_alloc(&m->arena, seq_len(val) * sizeof(size_t));
		rl.n = 0;
		snprintf(what, sizeof(what), "duty '%s'", d->id);
		rl.what = what;
		if (!rl.arr) {
			L->oom = 1;
			return;
		}
		each_str(L, val, what, collect_role, &rl);
		d->roles = rl.arr;
		d->n_roles = rl.n;
	}
	for (k = 0; required_duties[k]; k++)
		if (!gate_yaml_get(n, required_duties[k]))
			diag(L, n, "duty '%s' is not assigned: the five duties write_code, review_code, "
				   "configure_pipeline, resolve_vulnerabilities and approve_deployment "
				   "each need an owning role",
			     required_duties[k]);
}

const gate_duty *gate_matrix_duty(const gate_matrix *m, const char *id)
{
	size_t i;
	for (i = 0; i < m->n_duties; i++)
		if (!strcmp(m->duties[i].id, id))
			return &m->duties[i];
	return NULL;
}

/* ---- ref rules ---------------------------------------------------------- */

static void load_perm(loader *L, gate_perm *p, const gate_ynode *v, const char *key,
		      const gate_refrule *r, int allow_bool)
{
	char what[200];
	rolelist rl;

	p->loc.line = v->line;
	p->loc.col = v->col;
	if (v->kind == GATE_Y_SCALAR && v->plain && (gate_yaml_is(v, "false") || gate_yaml_is(v, "true"))) {
		if (!allow_bool) {
			diag(L, v, "%s must be a list of roles", key);
			return;
		}
		p->kind = gate_yaml_is(v, "true") ? GATE_PERM_ANYONE : GATE_PERM_NOBODY;
		return;
	}
	if (v->kind == GATE_Y_SEQ && v->n == 0) {
		diag(L, v, "%s is an empty list: write false for nobody, or name roles", key);
		return;
	}
	if (is_null(v)) {
		diag(L, v, "%s has no value: write false for nobody, true for anyone, or a list of roles",
		     key);
		return;
	}
	snprintf(what, sizeof(what), "%s of rule '%s'", key, r->pattern ? r->pattern : "?");
	rl.arr = gate_arena_alloc(&L->m->arena, seq_len(v) * sizeof(size_t));
	rl.n = 0;
	rl.what = what;
	if (!rl.arr) {
		L->oom = 1;
		return;
	}
	each_str(L, v, what, collect_role, &rl);
	p->kind = GATE_PERM_ROLES;
	p->roles = rl.arr;
	p->n_roles = rl.n;
}

static int valid_ref_pattern(loader *L, const gate_ynode *n)
{
	char err[200], sbuf[128];
	size_t i;

	if (n->len < 6 || strncmp(n->str, "refs/", 5)) {
		shown(n, sbuf, sizeof(sbuf));
		diag(L, n, "pattern '%s' must start with refs/ (a branch is refs/heads/%s, "
			   "a tag refs/tags/%s)", sbuf, sbuf, sbuf);
		return 0;
	}
	for (i = 0; i < n->len; i++) {
		unsigned char c = (unsigned char)n->str[i];
		if (c < 0x20 || c == 0x7F || c == ' ' || c == '~' || c == '^' || c == ':') {
			diag(L, n, "pattern '%s' contains a character no ref name can hold",
			     shown(n, sbuf, sizeof(sbuf)));
			return 0;
		}
	}
	if (gate_glob_check(n->str, err, sizeof(err)) < 0) {
		diag(L, n, "invalid glob '%s': %s", shown(n, sbuf, sizeof(sbuf)), err);
		return 0;
	}
	return 1;
}

typedef struct {
	const char *pattern;
	size_t idx;
} patref;

static int patref_cmp(const void *a, const void *b)
{
	const patref *x = a, *y = b;
	int c = strcmp(x->pattern, y->pattern);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* Duplicate patterns and literal rules shadowed by an earlier glob. */
static void check_rule_order(loader *L)
{
	gate_matrix *m = L->m;
	patref *all;
	size_t i, j, n = 0, globs = 0, literals = 0;

	for (i = 0; i < m->n_refs; i++) {
		if (!m->refs[i].pattern)
			continue;
		n++;
		if (gate_glob_is_literal(m->refs[i].pattern))
			literals++;
		else
			globs++;
	}
	if (n < 2)
		return;
	all = gate_malloc(n * sizeof(*all));
	if (!all) {
		L->oom = 1;
		return;
	}
	for (i = 0, n = 0; i < m->n_refs; i++)
		if (m->refs[i].pattern) {
			all[n].pattern = m->refs[i].pattern;
			all[n++].idx = i;
		}
	qsort(all, n, sizeof(*all), patref_cmp);
	for (i = 1; i < n; i++)
		if (!strcmp(all[i].pattern, all[i - 1].pattern)) {
			const gate_refrule *a = &m->refs[all[i - 1].idx], *b = &m->refs[all[i].idx];
			diag_at(L, b->loc.line, b->loc.col,
				"duplicate rule for '%s' (first at line %d): the first matching rule "
				"applies, so this one could never match",
				b->pattern, a->loc.line);
		}
	gate_free(all);
	/* Bounded: a matrix of thousands of globs and literals skips this hint. */
	if (globs * literals > 2000000)
		return;
	for (i = 0; i < m->n_refs; i++) {
		const gate_refrule *lit = &m->refs[i];
		if (!lit->pattern || !gate_glob_is_literal(lit->pattern))
			continue;
		for (j = 0; j < i; j++) {
			const gate_refrule *g = &m->refs[j];
			const char *xp = gate_ref_explicit_prefix(lit->pattern);
			if (!g->pattern || gate_glob_is_literal(g->pattern))
				continue;
			if (xp && strncmp(g->pattern, xp, strlen(xp)))
				continue; /* a catch-all never covers refs/replace/ or refs/notes/ */
			if (gate_glob_match(g->pattern, lit->pattern) == 1) {
				diag_at(L, lit->loc.line, lit->loc.col,
					"rule '%s' can never apply: '%s' (line %d) matches it first; "
					"put the more specific rule first",
					lit->pattern, g->pattern, g->loc.line);
				break;
			}
		}
	}
}

/* An integer scalar in [LO, HI]; 0 on success. */
static int want_uint(loader *L, const gate_ynode *n, const char *what, unsigned lo, unsigned hi,
		     unsigned *out)
{
	unsigned long v = 0;
	size_t i;
	char sbuf[128];

	if (n->kind != GATE_Y_SCALAR || !n->plain || n->len == 0 || n->len > 9) {
		diag(L, n, "%s must be a whole number from %u to %u", what, lo, hi);
		return -1;
	}
	for (i = 0; i < n->len; i++) {
		if (n->str[i] < '0' || n->str[i] > '9') {
			diag(L, n, "%s must be a whole number from %u to %u, not '%s'", what, lo, hi,
			     shown(n, sbuf, sizeof(sbuf)));
			return -1;
		}
		v = v * 10 + (unsigned long)(n->str[i] - '0');
	}
	if (v < lo || v > hi) {
		diag(L, n, "%s must be from %u to %u, not %lu", what, lo, hi, v);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* Distinct people in ROLES. */
static size_t people_in(const gate_matrix *m, const size_t *roles, size_t n)
{
	size_t p, i, count = 0;
	for (p = 0; p < m->n_people; p++)
		for (i = 0; i < n; i++)
			if (gate_matrix_in_role(m, (long)p, roles[i])) {
				count++;
				break;
			}
	return count;
}

/*
 * reviews: / approvals: — {min: N, from: [roles]} or the shorthand N.
 * Without from:, the owners of DUTY are accepted.
 */
static void load_evidence(loader *L, gate_evidence_req *req, const gate_ynode *v, const char *key,
			  const char *duty, const gate_refrule *r)
{
	static const char *const keys[] = { "min", "from", NULL };
	const gate_ynode *min = v, *from = NULL;
	char what[200], ctx[64];
	size_t avail;

	req->set = 1;
	req->loc.line = v->line;
	req->loc.col = v->col;
	if (v->kind == GATE_Y_MAP) {
		snprintf(ctx, sizeof(ctx), "%s", key);
		check_keys(L, v, keys, ctx);
		min = gate_yaml_get(v, "min");
		from = gate_yaml_get(v, "from");
		if (!min) {
			diag(L, v, "%s needs min: (how many distinct people)", key);
			return;
		}
	}
	snprintf(what, sizeof(what), "%s.min", key);
	if (want_uint(L, min, what, 1, 100, &req->min) < 0)
		return;
	if (from && from->kind == GATE_Y_SEQ && from->n == 0) {
		diag(L, from, "%s.from is an empty list: name roles, or omit it for the owners of %s",
		     key, duty);
		return;
	}
	if (from) {
		rolelist rl;
		snprintf(what, sizeof(what), "%s.from of rule '%s'", key, r->pattern ? r->pattern : "?");
		rl.arr = gate_arena_alloc(&L->m->arena, seq_len(from) * sizeof(size_t));
		rl.n = 0;
		rl.what = what;
		if (!rl.arr) {
			L->oom = 1;
			return;
		}
		each_str(L, from, what, collect_role, &rl);
		req->roles = rl.arr;
		req->n_roles = rl.n;
	} else {
		const gate_duty *d = gate_matrix_duty(L->m, duty);
		req->from_duty = 1;
		if (d) {
			req->roles = d->roles;
			req->n_roles = d->n_roles;
		}
	}
	avail = people_in(L->m, req->roles, req->n_roles);
	if (req->n_roles && avail < req->min)
		diag(L, min, "%s.min is %u but only %zu %s can give one: this rule could never be met",
		     key, req->min, avail, avail == 1 ? "person" : "people");
}

static int valid_token(const char *s, size_t len)
{
	size_t i;
	if (!len || len > 100)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

static void collect_value(loader *L, const gate_ynode *item, void *ctx)
{
	strlist *sl = ctx;
	(void)L;
	sl->arr[sl->n++] = item->str;
}

static void load_trailer_reqs(loader *L, gate_refrule *r, const gate_ynode *v)
{
	size_t i;
	char sbuf[128];

	if (!want_map(L, v, "trailers"))
		return;
	r->trailers = gate_arena_alloc(&L->m->arena, (v->n / 2 + 1) * sizeof(*r->trailers));
	if (!r->trailers) {
		L->oom = 1;
		return;
	}
	for (i = 0; i + 1 < v->n; i += 2) {
		const gate_ynode *k = v->items[i], *vals = v->items[i + 1];
		gate_trailer_req *t = &r->trailers[r->n_trailers++];
		strlist sl;
		size_t j;
		for (j = 0; j + 1 < r->n_trailers; j++)
			if (!gate_strcasecmp(r->trailers[j].name, k->str))
				diag(L, k, "trailer '%s' is required twice (names compare case-insensitively; "
					   "first at line %d)", k->str, r->trailers[j].loc.line);
		t->name = k->str;
		t->loc.line = k->line;
		t->loc.col = k->col;
		if (!valid_token(k->str, k->len))
			diag(L, k, "trailer name '%s' must be letters, digits and '-' (like Scan-SAST)",
			     shown(k, sbuf, sizeof(sbuf)));
		if (is_null(vals) || (vals->kind == GATE_Y_SEQ && vals->n == 0)) {
			diag(L, vals->kind == GATE_Y_SEQ ? vals : k,
			     "trailer '%s' lists no accepted value (e.g. [pass])", t->name);
			continue;
		}
		sl.arr = gate_arena_alloc(&L->m->arena, seq_len(vals) * sizeof(char *));
		sl.n = 0;
		if (!sl.arr) {
			L->oom = 1;
			return;
		}
		each_str(L, vals, "accepted trailer values", collect_value, &sl);
		t->values = sl.arr;
		t->n_values = sl.n;
	}
}

static int want_bool(loader *L, const gate_ynode *v, const char *what, int *out)
{
	if (gate_yaml_is(v, "true") || gate_yaml_is(v, "false")) {
		*out = gate_yaml_is(v, "true");
		return 0;
	}
	diag(L, v, "%s must be true or false", what);
	return -1;
}

/* Whether regular expression V compiles (PCRE2, as the check will run it). */
static void want_regex(loader *L, const gate_ynode *v, const char *what)
{
	char sbuf[128], msg[160];
	PCRE2_SIZE off;
	int err;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)v->str, v->len, 0, &err, &off, NULL);

	if (!code) {
		pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, sizeof(msg));
		diag(L, v, "%s '%s' is not a valid regular expression: %s at offset %zu", what,
		     shown(v, sbuf, sizeof(sbuf)), msg, (size_t)off);
	}
	pcre2_code_free(code);
}

/* The options checks of the table declare for a ref rule (refs[].NAME keys). */
static void load_rule_opts(loader *L, gate_refrule *r, const gate_ynode *item)
{
	gate_matrix *m = L->m;
	size_t i;

	for (i = 0; i < gate_checks_count(); i++) {
		const gate_check_def *c = gate_check_def_at(i);
		const gate_ynode *v;
		const char *name;
		if (c->opt == GATE_OPT_NONE || strncmp(c->info.key, "refs[].", 7))
			continue;
		name = c->info.key + 7;
		if (!(v = gate_yaml_get(item, name)) || !want_str(L, v, name))
			continue;
		if (c->opt == GATE_OPT_REGEX)
			want_regex(L, v, name);
		if (!r->opts && !(r->opts = gate_arena_alloc(&m->arena, GATE_RULEOPTS_MAX * sizeof(*r->opts)))) {
			L->oom = 1;
			return;
		}
		if (r->n_opts == GATE_RULEOPTS_MAX)
			continue; /* keys[] in load_refs holds no more: check_keys said so */
		r->opts[r->n_opts].name = name;
		r->opts[r->n_opts].value = v->str;
		r->opts[r->n_opts].loc.line = v->line;
		r->opts[r->n_opts].loc.col = v->col;
		r->n_opts++;
	}
}

const gate_ruleopt *gate_refrule_opt(const gate_refrule *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->n_opts; i++)
		if (!strcmp(r->opts[i].name, name))
			return &r->opts[i];
	return NULL;
}

static void load_refs(loader *L, const gate_ynode *n)
{
	static const char *const base[] = { "pattern", "push", "create", "delete", "force_push",
					    "reviews", "approvals", "trailers", "signed",
					    "reachable_from" };
	const char *keys[sizeof(base) / sizeof(base[0]) + GATE_RULEOPTS_MAX + 1];
	gate_matrix *m = L->m;
	size_t i, n_keys = 0;

	/* the keys of the rule itself, then every option a check declares */
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		keys[n_keys++] = base[i];
	for (i = 0; i < gate_checks_count() && n_keys + 1 < sizeof(keys) / sizeof(keys[0]); i++) {
		const gate_check_def *c = gate_check_def_at(i);
		if (c->opt != GATE_OPT_NONE && !strncmp(c->info.key, "refs[].", 7))
			keys[n_keys++] = c->info.key + 7;
	}
	keys[n_keys] = NULL;

	if (n->kind != GATE_Y_SEQ) {
		diag(L, n, "refs must be a list of rules (each starting with '- pattern:'), found %s",
		     kind_name(n));
		return;
	}
	m->refs = gate_arena_alloc(&m->arena, (n->n + 1) * sizeof(*m->refs));
	if (!m->refs) {
		L->oom = 1;
		return;
	}
	for (i = 0; i < n->n; i++) {
		const gate_ynode *item = n->items[i], *v;
		gate_refrule *r = &m->refs[m->n_refs++];

		r->index = i;
		r->loc.line = item->line;
		r->loc.col = item->col;
		if (!want_map(L, item, "a ref rule"))
			continue;
		check_keys(L, item, keys, "a ref rule");
		v = gate_yaml_get(item, "pattern");
		if (!v) {
			diag(L, item, "ref rule has no pattern (e.g. pattern: refs/heads/main)");
			continue;
		}
		if (want_str(L, v, "pattern") && valid_ref_pattern(L, v))
			r->pattern = v->str;
		r->push.loc = r->create.loc = r->del.loc = r->force_push.loc = r->loc;
		if ((v = gate_yaml_get(item, "push")))
			load_perm(L, &r->push, v, "push", r, 1);
		if ((v = gate_yaml_get(item, "create")))
			load_perm(L, &r->create, v, "create", r, 1);
		if ((v = gate_yaml_get(item, "delete")))
			load_perm(L, &r->del, v, "delete", r, 1);
		if ((v = gate_yaml_get(item, "force_push")))
			load_perm(L, &r->force_push, v, "force_push", r, 1);
		if ((v = gate_yaml_get(item, "reviews")))
			load_evidence(L, &r->reviews, v, "reviews", GATE_DUTY_REVIEW_CODE, r);
		if ((v = gate_yaml_get(item, "approvals")))
			load_evidence(L, &r->approvals, v, "approvals", GATE_DUTY_APPROVE_DEPLOYMENT, r);
		if ((v = gate_yaml_get(item, "trailers")))
			load_trailer_reqs(L, r, v);
		if ((v = gate_yaml_get(item, "signed"))) {
			r->signed_loc.line = v->line;
			r->signed_loc.col = v->col;
			want_bool(L, v, "signed", &r->signed_commits);
		}
		if ((v = gate_yaml_get(item, "reachable_from")) && want_str(L, v, "reachable_from")) {
			int valid = 0;
			r->reachable_loc.line = v->line;
			r->reachable_loc.col = v->col;
			if (strncmp(v->str, "refs/", 5) || git_reference_name_is_valid(&valid, v->str) < 0 ||
			    !valid)
				diag(L, v, "reachable_from must be a full ref name such as refs/heads/main");
			else
				r->reachable_from = v->str;
		}
		load_rule_opts(L, r, item);
	}
	check_rule_order(L);
}

/* .gatehouse/ignore allowlists secrets: policy data, reviewed like the matrix */
const char *const gate_builtin_pipeline_paths[] = {
	".ci/**", ".github/workflows/**", ".gitlab-ci.yml", ".gitea/workflows/**", "Jenkinsfile",
	".gatehouse/ignore", NULL
};

static int valid_path_glob(loader *L, const gate_ynode *n, const char *what)
{
	char err[200], sbuf[128];
	if (n->str[0] == '/' || gate_glob_check(n->str, err, sizeof(err)) < 0) {
		diag(L, n, "invalid %s '%s': %s", what, shown(n, sbuf, sizeof(sbuf)),
		     n->str[0] == '/' ? "paths are relative to the repository root (no leading '/')"
				      : err);
		return 0;
	}
	return 1;
}

static void load_paths(loader *L, const gate_ynode *n)
{
	static const char *const keys[] = { "pattern", "owners", NULL };
	gate_matrix *m = L->m;
	size_t i, j;

	if (n->kind != GATE_Y_SEQ) {
		diag(L, n, "paths must be a list of {pattern, owners}, found %s", kind_name(n));
		return;
	}
	m->paths = gate_arena_alloc(&m->arena, (n->n + 1) * sizeof(*m->paths));
	if (!m->paths) {
		L->oom = 1;
		return;
	}
	for (i = 0; i < n->n; i++) {
		const gate_ynode *item = n->items[i], *v;
		gate_pathrule *pr = &m->paths[m->n_paths];
		rolelist rl;
		char what[200];

		pr->loc.line = item->line;
		pr->loc.col = item->col;
		if (!want_map(L, item, "a path rule"))
			continue;
		check_keys(L, item, keys, "a path rule");
		if (!(v = gate_yaml_get(item, "pattern"))) {
			diag(L, item, "path rule has no pattern (e.g. pattern: infra/**)");
			continue;
		}
		if (!want_str(L, v, "pattern") || !valid_path_glob(L, v, "path pattern"))
			continue;
		pr->pattern = v->str;
		for (j = 0; j < m->n_paths; j++)
			if (!strcmp(m->paths[j].pattern, pr->pattern))
				diag(L, v, "duplicate path pattern '%s' (first at line %d)", pr->pattern,
				     m->paths[j].loc.line);
		if (!(v = gate_yaml_get(item, "owners"))) {
			diag(L, item, "path rule '%s' has no owners", pr->pattern);
			continue;
		}
		snprintf(what, sizeof(what), "owners of path '%s'", pr->pattern);
		rl.arr = gate_arena_alloc(&m->arena, seq_len(v) * sizeof(size_t));
		rl.n = 0;
		rl.what = what;
		if (!rl.arr) {
			L->oom = 1;
			return;
		}
		if (v->kind == GATE_Y_SEQ && v->n == 0) {
			diag(L, v, "owners of path '%s' is empty", pr->pattern);
			continue;
		}
		each_str(L, v, what, collect_role, &rl);
		pr->owners = rl.arr;
		pr->n_owners = rl.n;
		m->n_paths++;
	}
}

static void collect_pipeline(loader *L, const gate_ynode *item, void *ctx)
{
	(void)ctx;
	if (valid_path_glob(L, item, "pipeline path"))
		L->m->pipeline_paths[L->m->n_pipeline_paths++] = item->str;
}

static void rules_diag(void *ctx, int line, int col, const char *msg)
{
	diag_at(ctx, line, col, "%s", msg);
}

static void collect_plain(loader *L, const gate_ynode *item, void *ctx)
{
	strlist *sl = ctx;
	(void)L;
	sl->arr[sl->n++] = item->str;
}

static const char **str_array(loader *L, const gate_ynode *v, const char *what, size_t *n)
{
	strlist sl;
	sl.arr = gate_arena_alloc(&L->m->arena, (seq_len(v) + 1) * sizeof(char *));
	sl.n = 0;
	if (!sl.arr) {
		L->oom = 1;
		return NULL;
	}
	each_str(L, v, what, collect_plain, &sl);
	*n = sl.n;
	return sl.arr;
}

static void load_secrets(loader *L, const gate_ynode *n)
{
	static const char *const keys[] = { "enabled", "rules", "disable", "allow_paths",
					    "allow_regexes", "max_blob_bytes", NULL };
	gate_secrets_cfg *c = &L->m->secrets;
	const gate_secret_rule *builtin;
	const gate_ynode *v;
	size_t i, j, nb = 0;
	int rc, enabled = 1;

	c->loc.line = n->line;
	c->loc.col = n->col;
	if (!want_map(L, n, "secrets"))
		return;
	check_keys(L, n, keys, "secrets");
	if ((v = gate_yaml_get(n, "enabled")) && want_bool(L, v, "secrets.enabled", &enabled) == 0)
		c->disabled = !enabled;
	if (gate_rules_builtin(&builtin, &nb) < 0) {
		diag(L, n, "%s", gate_error_last());
		return;
	}
	if ((v = gate_yaml_get(n, "rules"))) {
		rc = gate_rules_from_node(&c->rules, &c->n_rules, &L->m->arena, v, 0, rules_diag, L);
		if (rc == GATE_ENOMEM) {
			L->oom = 1;
			return;
		}
		for (i = 0; i < c->n_rules; i++)
			for (j = 0; c->rules[i].id && j < nb; j++)
				if (!strcmp(c->rules[i].id, builtin[j].id))
					diag_at(L, c->rules[i].line, c->rules[i].col,
						"secret rule '%s' is a built-in rule's id: pick another id "
						"(and add the built-in to disable: to replace it)", c->rules[i].id);
	}
	if ((v = gate_yaml_get(n, "disable"))) {
		c->disable = str_array(L, v, "disable", &c->n_disable);
		for (i = 0; i < c->n_disable; i++) {
			int known = 0;
			for (j = 0; j < nb; j++)
				known |= !strcmp(c->disable[i], builtin[j].id);
			for (j = 0; j < c->n_rules; j++)
				known |= c->rules[j].id && !strcmp(c->disable[i], c->rules[j].id);
			if (!known)
				diag(L, v, "disable names unknown secret rule '%s' (see gatehouse rules list)",
				     c->disable[i]);
		}
	}
	if ((v = gate_yaml_get(n, "allow_paths"))) {
		c->allow_paths = str_array(L, v, "allow_paths", &c->n_allow_paths);
		for (i = 0; i < c->n_allow_paths; i++) {
			char err[200];
			if (gate_glob_check(c->allow_paths[i], err, sizeof(err)) < 0)
				diag(L, v, "invalid allow_paths glob '%s': %s", c->allow_paths[i], err);
		}
	}
	if ((v = gate_yaml_get(n, "allow_regexes"))) {
		c->allow_regexes = str_array(L, v, "allow_regexes", &c->n_allow_regexes);
		for (i = 0; i < c->n_allow_regexes; i++) {
			int err;
			PCRE2_SIZE off;
			pcre2_code *code = pcre2_compile((PCRE2_SPTR)c->allow_regexes[i],
							 PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
			if (!code)
				diag(L, v, "allow_regexes entry '%s' does not compile (offset %zu)",
				     c->allow_regexes[i], (size_t)off);
			pcre2_code_free(code);
		}
	}
	if ((v = gate_yaml_get(n, "max_blob_bytes"))) {
		unsigned mb = 0;
		if (want_uint(L, v, "max_blob_bytes", 1024, 1024u * 1024 * 1024, &mb) == 0)
			c->max_blob_bytes = mb;
	}
}

const char *const gate_container_check_names[GATE_CCHKS] = {
	"privileged", "privilege_escalation", "run_as_root", "host_namespaces",
	"host_path", "capabilities", "unpinned_images",
};

/* ACTION is reject | warn | off. */
static void want_action(loader *L, const gate_ynode *v, const char *what, int *out, gate_loc *loc)
{
	char sbuf[128];
	loc->line = v->line;
	loc->col = v->col;
	if (gate_yaml_is(v, "reject"))
		*out = GATE_POLICY_REJECT;
	else if (gate_yaml_is(v, "warn"))
		*out = GATE_POLICY_WARN;
	else if (gate_yaml_is(v, "off"))
		*out = GATE_POLICY_OFF;
	else
		diag(L, v, "%s must be reject, warn or off, not '%s'", what,
		     v->kind == GATE_Y_SCALAR ? shown(v, sbuf, sizeof(sbuf)) : kind_name(v));
}

static void load_containers(loader *L, const gate_ynode *n)
{
	const char *keys[GATE_CCHKS + 3];
	gate_policies_cfg *p = &L->m->policies;
	const gate_ynode *v;
	char what[96], err[200];
	size_t k;

	if (!want_map(L, n, "policies.containers"))
		return;
	p->containers = 1;
	p->containers_loc.line = n->line;
	p->containers_loc.col = n->col;
	for (k = 0; k < GATE_CCHKS; k++)
		keys[k] = gate_container_check_names[k];
	keys[GATE_CCHKS] = "registries";
	keys[GATE_CCHKS + 1] = "paths";
	keys[GATE_CCHKS + 2] = NULL;
	check_keys(L, n, keys, "policies.containers");
	for (k = 0; k < GATE_CCHKS; k++)
		if ((v = gate_yaml_get(n, gate_container_check_names[k]))) {
			snprintf(what, sizeof(what), "policies.containers.%s", gate_container_check_names[k]);
			want_action(L, v, what, &p->action[k], &p->action_loc[k]);
		}
	if ((v = gate_yaml_get(n, "registries"))) {
		p->registries_loc.line = v->line;
		p->registries_loc.col = v->col;
		p->registries = str_array(L, v, "policies.containers.registries", &p->n_registries);
		for (k = 0; p->registries && k < p->n_registries; k++)
			if (!*p->registries[k] || strpbrk(p->registries[k], " \t@"))
				diag(L, v, "policies.containers.registries: '%s' is not a registry host "
					   "(e.g. registry.example.com or registry.example.com:5000/team)",
				     p->registries[k]);
	}
	if ((v = gate_yaml_get(n, "paths"))) {
		p->container_paths = str_array(L, v, "policies.containers.paths", &p->n_container_paths);
		for (k = 0; p->container_paths && k < p->n_container_paths; k++)
			if (gate_glob_check(p->container_paths[k], err, sizeof(err)) < 0)
				diag(L, v, "invalid policies.containers.paths glob '%s': %s",
				     p->container_paths[k], err);
	}
}

/* Each entry of V (a list) must parse as a dependency rule. */
static const char **dep_specs(loader *L, const gate_ynode *v, const char *what, size_t *n,
			      gate_loc *loc)
{
	const char **arr;
	size_t k;
	loc->line = v->line;
	loc->col = v->col;
	arr = str_array(L, v, what, n);
	for (k = 0; arr && k < *n; k++) {
		gate_dep_rule *r = NULL;
		int rc = gate_dep_rule_parse(&r, arr[k]);
		if (rc == GATE_ENOMEM)
			L->oom = 1;
		else if (rc < 0)
			diag(L, v, "%s: '%s': %s", what, arr[k], gate_error_last());
		gate_dep_rule_free(r);
	}
	return arr;
}

static void load_dependencies(loader *L, const gate_ynode *n)
{
	static const char *const keys[] = { "deny", "allow", "allow_only", "osv", NULL };
	gate_policies_cfg *p = &L->m->policies;
	const gate_ynode *v;

	if (!want_map(L, n, "policies.dependencies"))
		return;
	p->dependencies = 1;
	check_keys(L, n, keys, "policies.dependencies");
	if ((v = gate_yaml_get(n, "deny")))
		p->deny = dep_specs(L, v, "policies.dependencies.deny", &p->n_deny, &p->deny_loc);
	if ((v = gate_yaml_get(n, "allow")))
		p->allow = dep_specs(L, v, "policies.dependencies.allow", &p->n_allow, &p->allow_loc);
	if ((v = gate_yaml_get(n, "allow_only"))) {
		p->allow_only_loc.line = v->line;
		p->allow_only_loc.col = v->col;
		want_bool(L, v, "policies.dependencies.allow_only", &p->allow_only);
	}
	if ((v = gate_yaml_get(n, "osv")) && (p->osv = want_str(L, v, "policies.dependencies.osv"))) {
		p->osv_loc.line = v->line;
		p->osv_loc.col = v->col;
		if (!*p->osv || *p->osv == '/' || strstr(p->osv, ".."))
			diag(L, v, "policies.dependencies.osv must be a path inside the repository, "
				   "like security/advisories.json");
	}
}

/*
 * policies.external only names a policy; the command is the server's
 * (git config gatehouse.externalPolicy.NAME.command): a pushed file must
 * never become a program.  `command:` is read only to say where it went.
 */
static void load_external(loader *L, const gate_ynode *n)
{
	static const char *const keys[] = { "use", "timeout_ms", "command", NULL };
	gate_policies_cfg *p = &L->m->policies;
	const gate_ynode *v;
	char sbuf[128];

	if (!want_map(L, n, "policies.external"))
		return;
	check_keys(L, n, keys, "policies.external");
	p->external_loc.line = n->line;
	p->external_loc.col = n->col;
	p->external_timeout_ms = 2000;
	if ((v = gate_yaml_get(n, "command")))
		diag(L, v, "policies.external.command is no longer read from the matrix (nothing pushed "
			   "may become a program on the server): the server's admin defines the command "
			   "with git config gatehouse.externalPolicy.NAME.command '/usr/local/bin/opa eval "
			   "...' and the matrix names it: policies.external: { use: NAME }");
	if (!(v = gate_yaml_get(n, "use"))) {
		if (!gate_yaml_get(n, "command"))
			diag(L, n, "policies.external needs use: NAME, the name of a policy the server "
				   "defines (git config gatehouse.externalPolicy.NAME.command)");
	} else if ((p->external_use = want_str(L, v, "policies.external.use"))) {
		p->external_use_loc.line = v->line;
		p->external_use_loc.col = v->col;
		if (!gate_policies_name_valid(p->external_use)) {
			diag(L, v, "policies.external.use: '%s' is not a policy name (1 to %d letters, "
				   "digits, '_' or '-')", shown(v, sbuf, sizeof(sbuf)), GATE_POLICY_NAME_MAX);
			p->external_use = NULL;
		}
	}
	if ((v = gate_yaml_get(n, "timeout_ms")))
		want_uint(L, v, "policies.external.timeout_ms", 10, 600000, &p->external_timeout_ms);
}

static void load_expectations(loader *L, const gate_ynode *n)
{
	static const char *const keys[] = { "user", "ref", "action", "expect", NULL };
	static const struct {
		const char *name;
		int kind;
	} actions[] = { { "push", GATE_UPD_FAST_FORWARD }, { "create", GATE_UPD_CREATE },
			{ "delete", GATE_UPD_DELETE }, { "force_push", GATE_UPD_FORCE } };
	size_t i, k;
	char sbuf[128];

	if (n->kind != GATE_Y_SEQ) {
		diag(L, n, "expectations must be a list of {user, ref, action, expect}");
		return;
	}
	L->m->expectations = gate_arena_alloc(&L->m->arena, (n->n + 1) * sizeof(gate_expectation));
	if (!L->m->expectations) {
		L->oom = 1;
		return;
	}
	for (i = 0; i < n->n; i++) {
		const gate_ynode *e = n->items[i], *v;
		gate_expectation *x = &L->m->expectations[L->m->n_expectations];
		int ok = 1, found;
		if (!want_map(L, e, "an expectation"))
			continue;
		check_keys(L, e, keys, "an expectation");
		memset(x, 0, sizeof(*x));
		x->loc.line = e->line;
		x->loc.col = e->col;
		if (!(v = gate_yaml_get(e, "user"))) {
			diag(L, e, "an expectation needs a user (a login)");
			ok = 0;
		} else if (!(x->user = want_str(L, v, "expectations[].user"))) {
			ok = 0;
		}
		if (!(v = gate_yaml_get(e, "ref")) || !(x->ref = want_str(L, v, "expectations[].ref"))) {
			if (!v)
				diag(L, e, "an expectation needs a ref (e.g. refs/heads/main)");
			ok = 0;
		} else if (strncmp(x->ref, "refs/", 5)) {
			diag(L, v, "expectations[].ref must be a full ref name, e.g. refs/heads/main");
			ok = 0;
		}
		if (!(v = gate_yaml_get(e, "action"))) {
			diag(L, e, "an expectation needs an action (push, create, delete or force_push)");
			ok = 0;
		} else {
			for (k = 0, found = 0; k < GATE_ARRAY_SIZE(actions); k++)
				if (gate_yaml_is(v, actions[k].name)) {
					x->action = actions[k].kind;
					found = 1;
				}
			if (!found) {
				diag(L, v, "expectations[].action must be push, create, delete or force_push, "
					   "not '%s'", v->kind == GATE_Y_SCALAR ? shown(v, sbuf, sizeof(sbuf)) : kind_name(v));
				ok = 0;
			}
		}
		if (!(v = gate_yaml_get(e, "expect"))) {
			diag(L, e, "an expectation needs expect: allow or deny");
			ok = 0;
		} else if (gate_yaml_is(v, "allow") || gate_yaml_is(v, "deny")) {
			x->allow = gate_yaml_is(v, "allow");
		} else {
			diag(L, v, "expectations[].expect must be allow or deny, not '%s'",
			     v->kind == GATE_Y_SCALAR ? shown(v, sbuf, sizeof(sbuf)) : kind_name(v));
			ok = 0;
		}
		if (ok)
			L->m->n_expectations++;
	}
}

/* A glob under refs/ for KEY; NULL (after a diagnostic) when it is not one. */
static const char *deploy_glob(loader *L, const gate_ynode *v, const char *key)
{
	const char *g = want_str(L, v, key);
	char err[200];
	if (!g)
		return NULL;
	if (strncmp(g, "refs/", 5)) {
		diag(L, v, "%s: '%s' must start with refs/", key, g);
		return NULL;
	}
	if (gate_glob_check(g, err, sizeof(err)) < 0) {
		diag(L, v, "invalid %s glob '%s': %s", key, g, err);
		return NULL;
	}
	return g;
}

/*
 * policies.deploy_refs: a glob, or a list of entries, each a glob or
 * { pattern: GLOB, from: [GLOB, ...] }.
 */
static void load_deploy_refs(loader *L, const gate_ynode *v)
{
	static const char *const keys[] = { "pattern", "from", NULL };
	gate_policies_cfg *p = &L->m->policies;
	size_t n = seq_len(v), i, k;

	p->deploy_refs_loc.line = v->line;
	p->deploy_refs_loc.col = v->col;
	if (v->kind == GATE_Y_MAP) {
		diag(L, v, "policies.deploy_refs must be a list of globs or of {pattern, from} entries, "
			   "found a mapping");
		return;
	}
	p->deploy_refs = gate_arena_alloc(&L->m->arena, (n + 1) * sizeof(char *));
	p->deploy_src = gate_arena_alloc(&L->m->arena, (n + 1) * sizeof(*p->deploy_src));
	if (!p->deploy_refs || !p->deploy_src) {
		L->oom = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		const gate_ynode *e = v->kind == GATE_Y_SEQ ? v->items[i] : v, *pat = e, *from;
		gate_deploy_src *src = &p->deploy_src[p->n_deploy_refs];
		const char *g;
		memset(src, 0, sizeof(*src));
		src->loc.line = e->line;
		src->loc.col = e->col;
		if (e->kind == GATE_Y_MAP) {
			check_keys(L, e, keys, "policies.deploy_refs[]");
			if (!(pat = gate_yaml_get(e, "pattern"))) {
				diag(L, e, "a policies.deploy_refs entry needs pattern: (the deploy refs' glob)");
				continue;
			}
			if (!(from = gate_yaml_get(e, "from"))) {
				diag(L, e, "policies.deploy_refs: an entry written as a mapping needs from: "
					   "(the refs whose commits it takes); or write the pattern alone");
				continue;
			}
			if (from->kind == GATE_Y_SEQ && from->n == 0) {
				diag(L, from, "policies.deploy_refs[].from must name at least one ref glob");
				continue;
			}
			if (from->kind == GATE_Y_MAP) {
				diag(L, from, "policies.deploy_refs[].from must be a glob or a list of globs, "
					      "found a mapping");
				continue;
			}
			src->from = gate_arena_alloc(&L->m->arena, (seq_len(from) + 1) * sizeof(char *));
			if (!src->from) {
				L->oom = 1;
				return;
			}
			for (k = 0; k < seq_len(from); k++) {
				const gate_ynode *f = from->kind == GATE_Y_SEQ ? from->items[k] : from;
				if ((g = deploy_glob(L, f, "policies.deploy_refs[].from")))
					src->from[src->n_from++] = g;
			}
			if (!src->n_from)
				continue;
		}
		if ((g = deploy_glob(L, pat, "policies.deploy_refs")))
			p->deploy_refs[p->n_deploy_refs++] = g;
	}
}

static void load_policies(loader *L, const gate_ynode *n)
{
	static const char *const keys[] = { "containers", "dependencies", "deploy_refs", "external",
					    NULL };
	const gate_ynode *v;

	if (!want_map(L, n, "policies"))
		return;
	check_keys(L, n, keys, "policies");
	if ((v = gate_yaml_get(n, "containers")))
		load_containers(L, v);
	if ((v = gate_yaml_get(n, "dependencies")))
		load_dependencies(L, v);
	if ((v = gate_yaml_get(n, "deploy_refs")))
		load_deploy_refs(L, v);
	if ((v = gate_yaml_get(n, "external")))
		load_external(L, v);
}

const gate_limit_def gate_limit_defs[GATE_LIMITS] = {
	[GATE_LIMIT_REFS] = { "refs", 10000, 1, 100000, "ref updates in one push" },
	[GATE_LIMIT_COMMITS] = { "commits", 100000, 1, 10000000, "new commits in one push" },
	[GATE_LIMIT_PARENTS] = { "parents", 100, 1, 100000, "parents of one commit" },
	[GATE_LIMIT_MESSAGE_BYTES] = { "message_bytes", 1048576, 1024, 67108864,
				       "bytes of one commit message" },
	[GATE_LIMIT_TRAILERS] = { "trailers", GATE_TRAILERS_MAX, 0, GATE_TRAILERS_MAX,
				  "trailers in one commit message" },
	[GATE_LIMIT_PATHS_PER_COMMIT] = { "paths_per_commit", 100000, 1, 10000000,
					  "paths one commit changes" },
	[GATE_LIMIT_TREE_DEPTH] = { "tree_depth", 1024, 1, GATE_TREEDIFF_MAX_DEPTH,
				    "directories a path is nested in" },
	[GATE_LIMIT_PATH_BYTES] = { "path_bytes", 4096, 16, 65536, "bytes of one path" },
	[GATE_LIMIT_PATHS_PER_PUSH] = { "paths_per_push", 1000000, 1, 100000000,
					"changed (commit, path) pairs in one push" },
};

void gate_limits_default(gate_limits *l)
{
	size_t k;
	memset(l, 0, sizeof(*l));
	for (k = 0; k < GATE_LIMITS; k++)
		l->value[k] = gate_limit_defs[k].def;
}

static void load_limits(loader *L, const gate_ynode *n)
{
	const char *keys[GATE_LIMITS + 1];
	gate_limits *lim = &L->m->settings.limits;
	const gate_ynode *v;
	char what[64];
	size_t k;

	if (!want_map(L, n, "settings.limits"))
		return;
	for (k = 0; k < GATE_LIMITS; k++)
		keys[k] = gate_limit_defs[k].key;
	keys[GATE_LIMITS] = NULL;
	check_keys(L, n, keys, "settings.limits");
	for (k = 0; k < GATE_LIMITS; k++) {
		const gate_limit_def *d = &gate_limit_defs[k];
		if (!(v = gate_yaml_get(n, d->key)))
			continue;
		snprintf(what, sizeof(what), "settings.limits.%s", d->key);
		if (want_uint(L, v, what, d->lo, d->hi, &lim->value[k]) == 0) {
			lim->loc[k].line = v->line;
			lim->loc[k].col = v->col;
		}
	}
}

static void load_settings(loader *L, const gate_ynode *n)
{
	static const char *const keys[] = { "on_error", "override_role", "time_budget_ms", "limits",
					    "metrics_file", "syslog", NULL };
	const gate_ynode *v;
	char sbuf[128];

	if (!want_map(L, n, "settings"))
		return;
	check_keys(L, n, keys, "settings");
	if ((v = gate_yaml_get(n, "limits")))
		load_limits(L, v);
	if ((v = gate_yaml_get(n, "metrics_file")) &&
	    (L->m->settings.metrics_file = want_str(L, v, "settings.metrics_file"))) {
		/* node_exporter reads *.prom; the suffix also keeps a matrix from aiming elsewhere */
		const char *mf = L->m->settings.metrics_file;
		size_t len = strlen(mf);
		if (len < 6 || strcmp(mf + len - 5, ".prom") || mf[len - 6] == '/')
			diag(L, v, "settings.metrics_file must name a .prom file, e.g. "
				   "/var/lib/node_exporter/textfile/gatehouse.prom");
	}
	if ((v = gate_yaml_get(n, "syslog")))
		want_bool(L, v, "settings.syslog", &L->m->settings.syslog);
	if ((v = gate_yaml_get(n, "override_role")) && want_str(L, v, "override_role")) {
		L->m->settings.override_loc.line = v->line;
		L->m->settings.override_loc.col = v->col;
		L->m->settings.override_role = gate_matrix_role_by_id(L->m, v->str);
		if (L->m->settings.override_role < 0)
			diag(L, v, "override_role names unknown role '%s'", shown(v, sbuf, sizeof(sbuf)));
	}
	if ((v = gate_yaml_get(n, "time_budget_ms"))) {
		L->m->settings.time_budget_loc.line = v->line;
		L->m->settings.time_budget_loc.col = v->col;
		want_uint(L, v, "time_budget_ms", 100, 3600000, &L->m->settings.time_budget_ms);
	}
	if ((v = gate_yaml_get(n, "on_error"))) {
		L->m->settings.on_error_loc.line = v->line;
		L->m->settings.on_error_loc.col = v->col;
		if (gate_yaml_is(v, "allow"))
			L->m->settings.on_error_allow = 1;
		else if (!gate_yaml_is(v, "reject"))
			diag(L, v, "on_error must be reject or allow, not '%s'",
			     v->kind == GATE_Y_SCALAR ? shown(v, sbuf, sizeof(sbuf)) : kind_name(v));
	}
}

/* ---- entry points ------------------------------------------------------- */

static void load_root(loader *L, const gate_ynode *root)
{
	static const char *const keys[] = { "version", "people", "roles", "responsibilities",
					    "refs", "paths", "pipeline_paths", "secrets", "policies",
					    "settings", "expectations", NULL };
	const gate_ynode *v;
	char sbuf[128];

	if (!want_map(L, root, "the matrix"))
		return;
	check_keys(L, root, keys, "the matrix");
	v = gate_yaml_get(root, "version");
	if (!v)
		diag(L, root, "missing 'version: 1' at the top of the matrix");
	else if (!gate_yaml_is(v, "1"))
		diag(L, v, "unsupported matrix version '%s' (this gatehouse reads version 1)",
		     v->kind == GATE_Y_SCALAR ? shown(v, sbuf, sizeof(sbuf)) : kind_name(v));
	else
		L->m->version = 1;

	if ((v = gate_yaml_get(root, "people")))
		load_people(L, v);
	else
		diag(L, root, "missing 'people:' section");
	if ((v = gate_yaml_get(root, "roles")))
		load_roles(L, v);
	else
		diag(L, root, "missing 'roles:' section");
	if ((v = gate_yaml_get(root, "responsibilities")))
		load_duties(L, v);
	else
		diag(L, root, "missing 'responsibilities:' section (who owns write_code, review_code, "
			      "configure_pipeline, resolve_vulnerabilities, approve_deployment)");
	if ((v = gate_yaml_get(root, "refs")))
		load_refs(L, v);
	if ((v = gate_yaml_get(root, "paths")))
		load_paths(L, v);
	if ((v = gate_yaml_get(root, "pipeline_paths"))) {
		L->m->pipeline_loc.line = v->line;
		L->m->pipeline_loc.col = v->col;
		L->m->pipeline_paths = gate_arena_alloc(&L->m->arena, seq_len(v) * sizeof(char *));
		if (!L->m->pipeline_paths)
			L->oom = 1;
		else
			each_str(L, v, "pipeline_paths", collect_pipeline, NULL);
	}
	if ((v = gate_yaml_get(root, "secrets")))
		load_secrets(L, v);
	if ((v = gate_yaml_get(root, "policies")))
		load_policies(L, v);
	if ((v = gate_yaml_get(root, "expectations")))
		load_expectations(L, v);
	if ((v = gate_yaml_get(root, "settings")))
		load_settings(L, v);
}

int gate_matrix_load_buffer(gate_matrix **out, const char *label, const char *data,
			    size_t len, gate_diags *diags)
{
	gate_matrix *m;
	gate_ynode **docs;
	size_t ndocs;
	gate_yerror yerr;
	gate_yopts yopts = GATE_YOPTS_INIT;
	loader L;
	int rc;

	*out = NULL;
	memset(&L, 0, sizeof(L));
	L.diags = diags;
	L.label = label;
	m = gate_calloc(1, sizeof(*m));
	if (!m)
		return GATE_ENOMEM;
	L.m = m;
	m->settings.override_role = -1;
	gate_limits_default(&m->settings.limits);
	m->label = gate_arena_strdup(&m->arena, label);
	if (!m->label) {
		gate_matrix_free(m);
		return GATE_ENOMEM;
	}
	L.label = m->label;
	if (len > GATE_MATRIX_MAX_BYTES) {
		diag_at(&L, 1, 1, "matrix is %zu bytes, over the limit of %u bytes", len,
			GATE_MATRIX_MAX_BYTES);
		gate_matrix_free(m);
		return GATE_EMATRIX;
	}
	rc = gate_yaml_parse(&docs, &ndocs, &m->arena, data, len, &yopts, &yerr);
	if (rc == GATE_EMATRIX) {
		diag_at(&L, yerr.line, yerr.col, "%s", yerr.msg);
	} else if (rc == 0 && ndocs == 0) {
		diag_at(&L, 1, 1, "matrix is empty (expected version: 1, people, roles, responsibilities)");
	} else if (rc == 0) {
		load_root(&L, docs[0]);
	}
	if (rc == GATE_ENOMEM || L.oom) {
		gate_matrix_free(m);
		return gate_error_oom();
	}
	if (L.errors) {
		if (diags && L.errors > diags->count && diags->count == MAX_DIAGS) {
			/* say that the list was cut */
			gate_diag *d;
			if (gate_grow(&diags->items, &diags->cap, diags->count + 1, sizeof(gate_diag)) == 0) {
				d = &diags->items[diags->count];
				d->line = d->col = 0;
				d->text = gate_strdup("... (more errors not shown; fix these first)");
				if (d->text)
					diags->count++;
			}
		}
		gate_matrix_free(m);
		return GATE_EMATRIX;
	}
	*out = m;
	return 0;
}

int gate_matrix_load_file(gate_matrix **out, const char *path, gate_diags *diags)
{
	char *data;
	size_t len;
	int rc;

	*out = NULL;
	rc = gate_read_file(&data, &len, path, GATE_MATRIX_MAX_BYTES);
	if (rc < 0)
		return rc == GATE_ELIMIT ? GATE_EMATRIX : rc;
	rc = gate_matrix_load_buffer(out, path, data, len, diags);
	gate_free(data);
	return rc;
}

void gate_matrix_free(gate_matrix *m)
{
	size_t i, j;
	if (!m)
		return;
	for (i = 0; i < m->n_people; i++)
		for (j = 0; j < m->people[i].n_keys; j++)
			gate_sshkey_free(m->people[i].keys[j]);
	gate_arena_dispose(&m->arena);
	gate_free(m);
}

const char *gate_matrix_label(const gate_matrix *m) { return m->label; }

/* ---- queries -------------------------------------------------------------- */

long gate_matrix_person_by_login(const gate_matrix *m, const char *login)
{
	size_t i, j;
	if (!login)
		return -1;
	for (i = 0; i < m->n_people; i++)
		for (j = 0; j < m->people[i].n_logins; j++)
			if (!strcmp(m->people[i].logins[j], login))
				return (long)i;
	return -1;
}

long gate_matrix_person_by_email(const gate_matrix *m, const char *email)
{
	size_t i, j;
	if (!email)
		return -1;
	for (i = 0; i < m->n_people; i++)
		for (j = 0; j < m->people[i].n_emails; j++)
			if (!gate_strcasecmp(m->people[i].emails[j], email))
				return (long)i;
	return -1;
}

int gate_matrix_in_role(const gate_matrix *m, long person, size_t role)
{
	size_t i;
	if (person < 0 || role >= m->n_roles)
		return 0;
	for (i = 0; i < m->roles[role].n_members; i++)
		if (m->roles[role].members[i] == (size_t)person)
			return 1;
	return 0;
}

/* Whether the last segment of PATTERN holds a '*' that is not a whole '**' segment. */
static int last_segment_star(const char *pattern)
{
	const char *seg = strrchr(pattern, '/');
	seg = seg ? seg + 1 : pattern;
	return strcmp(seg, "**") != 0 && strchr(seg, '*') != NULL;
}

int gate_matrix_warnings(const gate_matrix *m, gate_diags *out)
{
	size_t i;

	for (i = 0; i < m->n_refs; i++) {
		const gate_refrule *r = &m->refs[i];
		gate_buf b = GATE_BUF_INIT, example = GATE_BUF_INIT;
		const char *p;
		if (!r->pattern || strncmp(r->pattern, "refs/tags/", 10) ||
		    !last_segment_star(r->pattern))
			continue;
		/* an example tag the pattern misses: each '*' made "1", then one more segment */
		for (p = r->pattern; *p; p++)
			gate_buf_put(&example, *p == '*' ? "1" : p, 1);
		gate_buf_puts(&example, "/x");
		gate_buf_printf(&b, "%s:%d:%d: warning: ", m->label, r->loc.line, r->loc.col);
		gate_buf_put_escaped(&b, r->pattern, strlen(r->pattern));
		gate_buf_puts(&b, " does not cover tags such as ");
		gate_buf_put_escaped(&b, gate_buf_cstr(&example), example.len);
		gate_buf_puts(&b, " (a '*' does not cross '/'); such tags are judged by a later rule or "
				  "by no rule; if they should be covered, add a rule for ");
		gate_buf_put_escaped(&b, r->pattern, strlen(r->pattern));
		gate_buf_puts(&b, "/** (a '**' segment spans '/')");
		gate_buf_dispose(&example);
		if (b.oom || gate_grow(&out->items, &out->cap, out->count + 1, sizeof(gate_diag)) < 0) {
			gate_buf_dispose(&b);
			return gate_error_oom();
		}
		out->items[out->count].line = r->loc.line;
		out->items[out->count].col = r->loc.col;
		out->items[out->count].text = gate_buf_detach(&b);
		out->count++;
	}
	return 0;
}

const char *gate_ref_explicit_prefix(const char *ref)
{
	static const char *const prefixes[] = { "refs/replace/", "refs/notes/", NULL };
	size_t i;
	for (i = 0; prefixes[i]; i++)
		if (!strncmp(ref, prefixes[i], strlen(prefixes[i])))
			return prefixes[i];
	return NULL;
}

int gate_matrix_rule_for_ref(const gate_refrule **out, const gate_matrix *m, const char *ref)
{
	const char *explicit_prefix = gate_ref_explicit_prefix(ref);
	size_t i;
	*out = NULL;
	for (i = 0; i < m->n_refs; i++) {
		int hit;
		if (!m->refs[i].pattern)
			continue;
		/* refs/replace/ and refs/notes/ answer only to rules written for them */
		if (explicit_prefix &&
		    strncmp(m->refs[i].pattern, explicit_prefix, strlen(explicit_prefix)))
			continue;
		hit = gate_glob_match(m->refs[i].pattern, ref);
		if (hit < 0)
			return GATE_ENOMEM;
		if (hit) {
			*out = &m->refs[i];
			return 0;
		}
	}
	return 0;
}

long gate_matrix_person_by_key(const gate_matrix *m, const unsigned char *blob, size_t len,
			       const gate_sshkey **key)
{
	size_t i, j;
	*key = NULL;
	for (i = 0; i < m->n_people; i++)
		for (j = 0; j < m->people[i].n_keys; j++) {
			size_t l;
			const unsigned char *b = gate_sshkey_blob(m->people[i].keys[j], &l);
			if (l == len && !memcmp(b, blob, len)) {
				*key = m->people[i].keys[j];
				return (long)i;
			}
		}
	return -1;
}

void gate_matrix_describe_roles(gate_buf *b, const gate_matrix *m, const size_t *roles, size_t n,
				size_t max)
{
	size_t i, j;
	for (i = 0; i < n; i++) {
		const gate_role *r = &m->roles[roles[i]];
		gate_buf_printf(b, "%s%s (", i ? ", " : "", r->id);
		for (j = 0; j < r->n_members && j < max; j++)
			gate_buf_printf(b, "%s%s", j ? ", " : "", m->people[r->members[j]].id);
		if (r->n_members > max)
			gate_buf_printf(b, ", +%zu more", r->n_members - max);
		gate_buf_puts(b, ")");
	}
}
