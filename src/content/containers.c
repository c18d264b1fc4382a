/*
 * Container policies (see containers.h): Kubernetes manifests, Compose files
 * and Dockerfiles checked for privileged containers, root users, host
 * namespaces and paths, added capabilities and where images come from.
 *
 * Trust: every byte is pushed content.  YAML goes through the project's one
 * front end (util/yamltree.h), one document at a time in an arena that is
 * dropped when the document has been checked, so memory follows the largest
 * document, not the file.  Aliases are resolved by sharing the anchored node
 * (nothing is copied), which makes a YAML bomb cheap to parse; what makes it
 * expensive is walking it, so every walk step is paid from a work budget
 * sized by what was parsed.  Bounds: 16 MiB per file, documents, nodes per
 * document, nesting, merges, nested Lists, Dockerfile stages and heredocs.
 * A check never passes because it stopped looking: reaching any bound (or
 * spending the budget) makes the file's check incomplete, which is a
 * rejecting finding (policy.container.incomplete) naming the bound.
 * Documents that were complete before a syntax error are still checked:
 * kubectl applies the objects it decoded before it hits an error.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/common.h"
#include "content/containers.h"
#include "util/glob.h"
#include "util/yamltree.h"

#define CTR_MAX_FILE ((size_t)16 * 1024 * 1024)
#define YMAX_DOCS 50000        /* documents checked in one file */
#define YMAX_NODES 1000000     /* nodes (and aliases) in one document */
#define YMAX_DEPTH 10000       /* go-yaml refuses deeper; so do we */
#define YTREE_DEPTH 128        /* deeper collections are not built */
#define MERGE_DEPTH 16         /* `<<` merges followed through merges */
#define LIST_DEPTH 4           /* kind: List inside kind: List */
#define BUDGET_BASE 2000000u   /* walk steps every file may take ... */
#define BUDGET_PER_NODE 16u    /* ... plus this many per node or line parsed */
#define DMAX_STAGES 256        /* Dockerfile stages remembered by name */
#define DMAX_VARS 256          /* Dockerfile ARG/ENV values remembered */
#define DMAX_HEREDOCS 8
#define SHOW_NAME 100          /* bytes of a name from the content in a message */
#define SHOW_VALUE 200         /* bytes of an image or path */
#define SHOW_BUF 256           /* >= SHOW_VALUE + "..." + NUL */
#define WHO_BUF 640

#define CHK_PRIVILEGED "policy.container.privileged"
#define CHK_ESCALATION "policy.container.privilege_escalation"
#define CHK_ROOT "policy.container.run_as_root"
#define CHK_HOSTNS "policy.container.host_namespaces"
#define CHK_HOSTPATH "policy.container.host_path"
#define CHK_CAPS "policy.container.capabilities"
#define CHK_UNPINNED "policy.container.unpinned_images"
#define CHK_REGISTRIES "policy.container.registries"

/* ---- context, budget, findings ------------------------------------------ */

typedef struct {
	gate_policy_findings *out;
	const gate_container_policy *pol;
	const char *path;
	char *registries_fix; /* "use an image from an allowed registry: ..." */
	uint64_t budget;      /* walk steps left */
	int exhausted;        /* the budget ran out: stop (and say so, see cut) */
	const char *cut;      /* the first bound reached (static text), or NULL */
	int rc;               /* first hard error (GATE_ENOMEM) */
} ctr_ctx;

#define LIVE(c) (!(c)->rc && !(c)->exhausted)

/* Notes that bound WHY (static text) was reached: the check is incomplete. */
static void cut(ctr_ctx *c, const char *why)
{
	if (!c->cut)
		c->cut = why;
}

/* Pays N steps from the budget; 0 (and the walk stops, incomplete) when it is spent. */
static int spend(ctr_ctx *c, uint64_t n)
{
	if (c->exhausted)
		return 0;
	if (c->budget < n) {
		c->budget = 0;
		c->exhausted = 1;
		cut(c, "more work than the 2000000 steps (plus 16 per node) one file may cost "
		       "(aliases that expand too far)");
		return 0;
	}
	c->budget -= n;
	return 1;
}

static void earn(ctr_ctx *c, uint64_t n)
{
	if (c->budget < UINT64_MAX - n)
		c->budget += n;
}

static int lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch; }

static int eq_nocase(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	return alen == blen && gate_strncasecmp(a, b, alen) == 0;
}

/*
 * Copies at most MAX bytes of S (LEN) into BUF (at least MAX + 4 bytes) for
 * a message: cut at a UTF-8 boundary and marked "..." when cut, and ended at
 * an embedded NUL.  Escaping for the terminal is the printer's job.
 */
static const char *show(char *buf, const char *s, size_t len, size_t max)
{
	size_t n = len, i;
	int cut = 0;

	if (!s)
		s = "", n = 0;
	if (n > max) {
		n = gate_utf8_cut(s, n, max);
		cut = 1;
	}
	for (i = 0; i < n; i++)
		if (!s[i]) {
			n = i;
			cut = 1;
			break;
		}
	memcpy(buf, s, n);
	if (cut)
		memcpy(buf + n, "...", 4);
	else
		buf[n] = '\0';
	return buf;
}

/* snprintf into a fixed buffer; truncation is acceptable, failure leaves "". */
static void fmt(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));

static void fmt(char *buf, size_t cap, const char *f, ...)
{
	va_list ap;
	int n;
	va_start(ap, f);
	n = vsnprintf(buf, cap, f, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
}

static void emit(ctr_ctx *c, gate_policy_action act, const char *check, int line, const char *fix,
		 const char *f, ...) __attribute__((format(printf, 6, 7)));

/* Appends a finding with ACT (nothing when the check is off). */
static void emit(ctr_ctx *c, gate_policy_action act, const char *check, int line, const char *fix,
		 const char *f, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	if (c->rc || c->exhausted || act == GATE_POLICY_OFF)
		return; /* past the budget a lookup may have read "absent": say nothing */
	va_start(ap, f);
	n = vsnprintf(msg, sizeof(msg), f, ap);
	va_end(ap);
	if (n < 0)
		fmt(msg, sizeof(msg), "%s", check);
	if (gate_policy_findings_add(c->out, act, check, c->path, line, fix, "%s", msg) < 0)
		c->rc = GATE_ENOMEM;
}

/* ---- documents from the YAML front end ----------------------------------- */

typedef void (*ydoc_fn)(ctr_ctx *c, const gate_ynode *root);

typedef struct {
	ctr_ctx *c;
	ydoc_fn fn;
} ydoc_reader;

/* One complete document: pays its nodes into the budget, then checks it; 1 stops the stream. */
static int ydoc_check(void *arg, const gate_ydoc *doc)
{
	ydoc_reader *r = arg;
	ctr_ctx *c = r->c;

	earn(c, (uint64_t)doc->nodes * BUDGET_PER_NODE);
	if (doc->pruned)
		cut(c, "collections nested deeper than 128 levels");
	r->fn(c, doc->root);
	return LIVE(c) ? 0 : 1;
}

/* The bound that stopped the YAML front end, in this check's words. */
static void ydoc_limit(ctr_ctx *c, const gate_yerror *err)
{
	if (err->pruned)
		cut(c, "collections nested deeper than 128 levels");
	switch (err->limit) {
	case GATE_YLIMIT_NODES:
		cut(c, "a document with more than 1000000 nodes and aliases");
		break;
	case GATE_YLIMIT_DEPTH:
		cut(c, "nesting deeper than 10000 levels");
		break;
	case GATE_YLIMIT_DOCS:
		cut(c, "more than 50000 documents");
		break;
	case GATE_YLIMIT_WEIGHT: /* no weight bound is asked for: the walks pay for aliases */
	case GATE_YLIMIT_NONE:
		break;
	}
}

/*
 * Reads DATA as a stream of YAML documents and calls FN on the root of each
 * complete one.  Stops at the first syntax error, bound or spent budget;
 * what was complete by then has been checked, and a bound or the budget
 * sets c->cut.  Sets c->rc on GATE_ENOMEM.
 *
 * Every key is kept (a duplicate counts when any of its values is
 * dangerous); aliases share the anchored node with no weight bound, since
 * every walk step is paid from the budget; collections past YTREE_DEPTH
 * are read as GATE_Y_NONE, which makes the check incomplete.
 */
static void yaml_each_doc(ctr_ctx *c, const char *data, size_t len, ydoc_fn fn)
{
	gate_yopts o = GATE_YOPTS_INIT;
	gate_yerror err;
	ydoc_reader r;
	int rc;

	o.allow_multi = 1;
	o.aliases = 1;
	o.max_weight = SIZE_MAX;
	o.all_keys = 1;
	o.max_nodes = YMAX_NODES;
	o.max_depth = YMAX_DEPTH;
	o.build_depth = YTREE_DEPTH;
	o.max_docs = YMAX_DOCS;
	r.c = c;
	r.fn = fn;
	rc = gate_yaml_each(data, len, &o, ydoc_check, &r, &err);
	if (rc == GATE_ENOMEM)
		c->rc = GATE_ENOMEM;
	else if (rc < 0)
		ydoc_limit(c, &err);
}

/* ---- reading the tree ---------------------------------------------------- */

typedef struct {
	const gate_ynode *k, *v;
} ykv;

#define MAX_OCC 8

static int is_scalar(const gate_ynode *n) { return n && n->kind == GATE_Y_SCALAR; }

static int scalar_is(const gate_ynode *n, const char *s)
{
	return is_scalar(n) && n->len == strlen(s) && !memcmp(n->str, s, n->len);
}

static int is_merge_key(const gate_ynode *k) { return k->plain && scalar_is(k, "<<"); }

static int is_null(const gate_ynode *n)
{
	if (!n || n->kind == GATE_Y_NONE)
		return 1;
	return n->kind == GATE_Y_SCALAR && n->plain &&
	       (n->len == 0 || scalar_is(n, "~") || scalar_is(n, "null") ||
		scalar_is(n, "Null") || scalar_is(n, "NULL"));
}

/*
 * Collects the entries KEY has in map M: every explicit one (duplicates
 * included: the first MAX_OCC - 1 and the last), or when there is none, the
 * ones of the first `<<` merge source that has the key, as YAML merge keys
 * say.  Returns how many; 0 when M is not a map, or the budget ran out.
 */
static size_t map_all_in(ctr_ctx *c, const gate_ynode *m, const char *key, ykv *out, int depth)
{
	size_t i, j, n = 0, klen = strlen(key);

	if (!m || m->kind != GATE_Y_MAP || !spend(c, m->n / 2 + 1))
		return 0;
	for (i = 0; i + 1 < m->n; i += 2) {
		const gate_ynode *k = m->items[i];
		if (k->kind == GATE_Y_SCALAR && k->len == klen && !memcmp(k->str, key, klen)) {
			size_t at = n < MAX_OCC ? n++ : MAX_OCC - 1;
			out[at].k = k;
			out[at].v = m->items[i + 1];
		}
	}
	if (n)
		return n;
	if (depth >= MERGE_DEPTH) {
		for (i = 0; i + 1 < m->n; i += 2)
			if (is_merge_key(m->items[i]))
				cut(c, "`<<` merges nested deeper than 16");
		return 0;
	}
	for (i = 0; i + 1 < m->n && LIVE(c); i += 2) {
		const gate_ynode *v = m->items[i + 1];
		if (!is_merge_key(m->items[i]))
			continue;
		if (v->kind == GATE_Y_MAP) {
			if ((n = map_all_in(c, v, key, out, depth + 1)))
				return n;
		} else if (v->kind == GATE_Y_SEQ) {
			for (j = 0; j < v->n && LIVE(c); j++)
				if ((n = map_all_in(c, v->items[j], key, out, depth + 1)))
					return n;
		}
	}
	return 0;
}

static size_t map_all(ctr_ctx *c, const gate_ynode *m, const char *key, ykv *out)
{
	return map_all_in(c, m, key, out, 0);
}

/* The value KEY has in M (the last of duplicates); NULL when none.  *K: its key. */
static const gate_ynode *map_get(ctr_ctx *c, const gate_ynode *m, const char *key, const gate_ynode **k)
{
	ykv kv[MAX_OCC];
	size_t n = map_all(c, m, key, kv);

	if (k)
		*k = n ? kv[n - 1].k : NULL;
	return n ? kv[n - 1].v : NULL;
}

/* Whether N is a YAML 1.1 true (go-yaml v2, which kubectl uses; Compose casts strings too). */
static int is_true(const gate_ynode *n)
{
	static const char *const t[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
					 "y",    "Y",    "on",   "On",  "ON" };
	size_t i;

	if (!is_scalar(n))
		return 0;
	for (i = 0; i < GATE_ARRAY_SIZE(t); i++)
		if (scalar_is(n, t[i]))
			return 1;
	return 0;
}

/* The key of the first entry KEY has in M that is true; NULL when none is. */
static const gate_ynode *key_true(ctr_ctx *c, const gate_ynode *m, const char *key)
{
	ykv kv[MAX_OCC];
	size_t i, n = map_all(c, m, key, kv);

	for (i = 0; i < n; i++)
		if (is_true(kv[i].v))
			return kv[i].k;
	return NULL;
}

/*
 * Reads N as a YAML integer (decimal, 0x, 0o, 0b, a leading-0 octal, with
 * sign and `_` separators): 0 when it is zero, 1 when it is another
 * integer, -1 when it is not an integer.
 */
static int int_zero(const gate_ynode *n)
{
	const char *s, *e;
	int base = 10, digits = 0, nonzero = 0;

	if (!is_scalar(n) || !n->len)
		return -1;
	s = n->str;
	e = s + n->len;
	if (*s == '+' || *s == '-')
		s++;
	if (e - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (e - s > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (e - s > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	for (; s < e; s++) {
		int ch = lower((unsigned char)*s), v;
		if (ch == '_')
			continue;
		if (ch >= '0' && ch <= '9')
			v = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			v = ch - 'a' + 10;
		else
			return -1;
		if (v >= base)
			return -1;
		digits = 1;
		nonzero |= v != 0;
	}
	return digits ? nonzero : -1;
}

/* ---- images and registries ----------------------------------------------- */

static int has_var(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if (s[i] == '$' || (s[i] == '{' && i + 1 < len && s[i + 1] == '{'))
			return 1;
	return 0;
}

static int hex_run(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Whether REF ends in a digest: @sha256:<64 hex> or @sha512:<128 hex>, lower case. */
static int image_pinned(const char *ref, size_t len)
{
	const char *at = NULL, *d;
	size_t i, rest;

	for (i = len; i > 0; i--)
		if (ref[i - 1] == '@') {
			at = ref + i - 1;
			break;
		}
	if (!at || at == ref)
		return 0;
	d = at + 1;
	rest = len - (size_t)(d - ref);
	if (rest == 7 + 64 && !memcmp(d, "sha256:", 7))
		return hex_run(d + 7, 64);
	if (rest == 7 + 128 && !memcmp(d, "sha512:", 7))
		return hex_run(d + 7, 128);
	return 0;
}

static void normalize_registry(char *host)
{
	if (!strcmp(host, "index.docker.io") || !strcmp(host, "registry-1.docker.io"))
		memcpy(host, "docker.io", sizeof("docker.io"));
}

/*
 * Splits image REF the way Docker does: the part before the first '/' is a
 * registry when it contains '.' or ':', is "localhost", or has upper case;
 * otherwise the registry is docker.io (and a one-part name is library/x).
 * HOST gets the registry in lower case, REPO the path without tag or digest
 * (both truncated to their buffers, which only ever makes a match fail).
 * -1 when the registry part comes from a variable or template.
 */
static int image_split(const char *ref, size_t len, char *host, size_t hcap, char *repo, size_t rcap)
{
	const char *at = memchr(ref, '@', len), *slash, *rest, *colon;
	size_t nlen = at ? (size_t)(at - ref) : len, clen, rlen, i;
	int domain = 0;

	slash = memchr(ref, '/', nlen);
	if (slash) {
		clen = (size_t)(slash - ref);
		if (memchr(ref, '.', clen) || memchr(ref, ':', clen) ||
		    (clen == 9 && !memcmp(ref, "localhost", 9)))
			domain = 1;
		for (i = 0; i < clen && !domain; i++)
			if (ref[i] >= 'A' && ref[i] <= 'Z')
				domain = 1;
	} else {
		colon = memchr(ref, ':', nlen);
		clen = colon ? (size_t)(colon - ref) : nlen;
	}
	if (has_var(ref, clen))
		return -1;
	if (domain) {
		size_t n = clen < hcap - 1 ? clen : hcap - 1;
		for (i = 0; i < n; i++)
			host[i] = (char)lower((unsigned char)ref[i]);
		host[n] = '\0';
		normalize_registry(host);
		rest = slash + 1;
		rlen = nlen - clen - 1;
	} else {
		fmt(host, hcap, "docker.io");
		rest = ref;
		rlen = nlen;
	}
	/* a tag is a ':' after the last '/' */
	for (i = rlen; i > 0; i--) {
		if (rest[i - 1] == '/')
			break;
		if (rest[i - 1] == ':') {
			rlen = i - 1;
			break;
		}
	}
	if (!strcmp(host, "docker.io") && !memchr(rest, '/', rlen))
		fmt(repo, rcap, "library/%.*s", (int)rlen, rest);
	else
		fmt(repo, rcap, "%.*s", (int)rlen, rest);
	return 0;
}

/* Whether glob PAT (when it is a valid, non-literal glob) matches S; -1 out of memory. */
static int glob_try(const char *pat, const char *s)
{
	char err[160];
	if (gate_glob_is_literal(pat) || gate_glob_check(pat, err, sizeof(err)) != 0)
		return 0;
	return gate_glob_match(pat, s);
}

/*
 * Whether the image at HOST/REPO comes from an allowed registry: an entry
 * without '/' names a registry (case-insensitive, or a glob such as
 * "*.dkr.ecr.*.amazonaws.com"); an entry with '/' names a repository prefix
 * ("ghcr.io/acme" allows ghcr.io/acme/...; globs allowed).  1, 0, or -1.
 */
static int registry_allowed(ctr_ctx *c, const char *host, const char *repo)
{
	char full[800], entry[256];
	size_t i, j, flen;
	int m;

	fmt(full, sizeof(full), "%s/%s", host, repo);
	flen = strlen(full);
	for (i = 0; i < c->pol->n_registries; i++) {
		const char *e = c->pol->registries[i];
		size_t elen;
		if (!e || !*e || !spend(c, 8))
			continue;
		fmt(entry, sizeof(entry), "%s", e);
		elen = strlen(entry);
		while (elen > 1 && entry[elen - 1] == '/')
			entry[--elen] = '\0';
		if (!strchr(entry, '/')) {
			if (gate_glob_is_literal(entry))
				for (j = 0; j < elen; j++)
					entry[j] = (char)lower((unsigned char)entry[j]);
			normalize_registry(entry);
			if (!strcmp(entry, host))
				return 1;
			if ((m = glob_try(entry, host)) != 0)
				return m;
			continue;
		}
		if (gate_glob_is_literal(entry)) {
			if (elen <= flen && !gate_strncasecmp(full, entry, elen) &&
			    (full[elen] == '\0' || full[elen] == '/'))
				return 1;
			continue;
		}
		/* a glob: against the whole name and every '/'-prefix of it */
		for (j = flen; j > 0; j--) {
			char save;
			if (full[j] != '\0' && full[j] != '/')
				continue;
			save = full[j];
			full[j] = '\0';
			m = glob_try(entry, full);
			full[j] = save;
			if (m)
				return m;
		}
	}
	return 0;
}

#define FIX_PIN                                                                                    \
	"reference the image by digest (name@sha256:<64 hex digits>; `docker buildx imagetools "   \
	"inspect <image>` prints it); a tag can be moved to other content at any time"

/*
 * Checks one image reference REF used by WHO (VERB: "uses", "is built FROM",
 * ...) at LINE: pinned by digest, from an allowed registry.  WHY, when not
 * NULL, says why a reference made of variables is not pinned.
 */
static void check_image(ctr_ctx *c, const char *who, const char *verb, const char *ref, size_t len,
			int line, const char *why)
{
	char shown[SHOW_BUF], host[256], repo[512];
	const gate_container_policy *p = c->pol;
	int r;

	if (!len || !LIVE(c) || !spend(c, len / 64 + 1))
		return;
	show(shown, ref, len, SHOW_VALUE);
	if (p->unpinned_images && !image_pinned(ref, len)) {
		if (why)
			emit(c, p->unpinned_images, CHK_UNPINNED, line,
			     FIX_PIN "; write the pinned reference in the file itself",
			     "%s %s image '%s', which %s, so it is not pinned by digest", who, verb,
			     shown, why);
		else if (has_var(ref, len))
			emit(c, p->unpinned_images, CHK_UNPINNED, line,
			     FIX_PIN "; write the pinned reference in the file itself",
			     "%s %s image '%s', which is chosen by a variable or template, so it is "
			     "not pinned by digest",
			     who, verb, shown);
		else
			emit(c, p->unpinned_images, CHK_UNPINNED, line, FIX_PIN,
			     "%s %s image '%s', which is not pinned by digest", who, verb, shown);
	}
	if (!p->registries || !p->registries_action || !LIVE(c))
		return;
	if (image_split(ref, len, host, sizeof(host), repo, sizeof(repo)) < 0) {
		emit(c, p->registries_action, CHK_REGISTRIES, line, c->registries_fix,
		     "%s %s image '%s', whose registry comes from a variable or template and cannot "
		     "be checked against the allowed registries",
		     who, verb, shown);
		return;
	}
	r = registry_allowed(c, host, repo);
	if (r < 0)
		c->rc = GATE_ENOMEM;
	else if (!r)
		emit(c, p->registries_action, CHK_REGISTRIES, line, c->registries_fix,
		     "%s %s image '%s' from registry '%s', which is not an allowed registry", who,
		     verb, shown, show((char[SHOW_BUF]){ 0 }, host, strlen(host), SHOW_NAME));
}

/* ---- capabilities and users ---------------------------------------------- */

/* The Pod Security Standards "baseline" profile: the only capabilities it lets a pod add. */
static const char *const baseline_caps[] = {
	"AUDIT_WRITE", "CHOWN",  "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",      "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
};

static int cap_allowed(const char *s, size_t len)
{
	size_t i;
	if (len > 4 && !gate_strncasecmp(s, "CAP_", 4))
		s += 4, len -= 4;
	for (i = 0; i < GATE_ARRAY_SIZE(baseline_caps); i++)
		if (eq_nocase(s, len, baseline_caps[i]))
			return 1;
	return 0;
}

#define FIX_CAPS                                                                                   \
	"remove the capability; the Pod Security Standards baseline allows adding only "           \
	"AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, "        \
	"SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT; better, drop ALL and add back only "     \
	"what the process needs"

/* Reports each capability in LIST (a sequence, or one scalar) that the baseline does not allow. */
static void check_caps(ctr_ctx *c, const char *who, const gate_ynode *list, const char *where)
{
	size_t i, n;

	if (!c->pol->capabilities || !list)
		return;
	n = list->kind == GATE_Y_SEQ ? list->n : 1;
	for (i = 0; i < n && LIVE(c) && spend(c, 1); i++) {
		const gate_ynode *it = list->kind == GATE_Y_SEQ ? list->items[i] : list;
		char cap[SHOW_BUF];
		if (!is_scalar(it) || !it->len || cap_allowed(it->str, it->len))
			continue;
		emit(c, c->pol->capabilities, CHK_CAPS, it->line, FIX_CAPS, "%s adds capability %s (%s)",
		     who, show(cap, it->str, it->len, SHOW_NAME), where);
	}
}

/*
 * The user part of a "user[:group]" spec: up to the first ':' that is not
 * inside ${...}.
 */
static size_t user_part(const char *s, size_t len)
{
	size_t i, brace = 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '$' && i + 1 < len && s[i + 1] == '{')
			brace++;
		else if (s[i] == '}' && brace)
			brace--;
		else if (s[i] == ':' && !brace)
			return i;
	}
	return len;
}

/* Whether "user[:group]" S names root: "root", UID 0 (any number of zeros), or no user at all. */
static int user_is_root(const char *s, size_t len)
{
	size_t i;

	len = user_part(s, len);
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
		s++, len -= 2;
	if (!len || eq_nocase(s, len, "root"))
		return 1;
	for (i = 0; i < len; i++)
		if (s[i] != '0')
			return 0;
	return 1;
}

typedef const char *(*var_lookup)(void *arg, const char *name, size_t len);

/* Whether CH may be part of a variable name ($NAME). */
static int var_char(char ch)
{
	int l = lower((unsigned char)ch);
	return ch == '_' || (ch >= '0' && ch <= '9') || (l >= 'a' && l <= 'z');
}

/*
 * Resolves the user part of S when it is exactly one variable: $X, ${X},
 * ${X:-default} or ${X-default}.  LOOKUP (may be NULL) gives a value the
 * file itself defines; otherwise the default is used.  Writes the resolved
 * user into OUT; 1 when resolved, 0 when it cannot be known.  A user part
 * with no variable is copied as is.
 */
static int resolve_user(const char *s, size_t len, var_lookup lookup, void *arg, char *out,
			size_t cap)
{
	size_t ulen = user_part(s, len), nlen, i = 1;
	const char *name, *def = NULL, *val;
	size_t deflen = 0;

	if (!memchr(s, '$', ulen)) {
		fmt(out, cap, "%.*s", (int)ulen, s);
		return 1;
	}
	if (s[0] != '$' || ulen < 2)
		return 0;
	if (s[1] == '{') {
		const char *close = memchr(s, '}', ulen);
		if (!close || (size_t)(close - s) != ulen - 1)
			return 0;
		name = s + 2;
		for (nlen = 0; name + nlen < close && name[nlen] != ':' && name[nlen] != '-'; nlen++)
			;
		if (name + nlen < close) {
			def = name + nlen + (name[nlen] == ':' ? 1 : 0);
			if (*def != '-')
				return 0; /* ${X:?err}, ${X:+alt}: not a default */
			def++;
			deflen = (size_t)(close - def);
		}
	} else {
		name = s + 1;
		nlen = ulen - 1;
	}
	if (!nlen)
		return 0;
	for (i = 0; i < nlen; i++)
		if (!var_char(name[i]))
			return 0;
	val = lookup ? lookup(arg, name, nlen) : NULL;
	if (val && (*val || !def)) { /* ${X:-d} also stands for an empty X */
		if (strchr(val, '$'))
			return 0;
		fmt(out, cap, "%s", val);
		return 1;
	}
	if (!def || memchr(def, '$', deflen))
		return 0;
	fmt(out, cap, "%.*s", (int)deflen, def);
	return 1;
}

/* ---- Kubernetes ---------------------------------------------------------- */

#define FIX_K8S_PRIV                                                                               \
	"set securityContext.privileged to false or remove it; if the workload truly needs host "  \
	"access, grant only the capabilities or devices it uses and have the exception reviewed"
#define FIX_K8S_ESC                                                                                \
	"set securityContext.allowPrivilegeEscalation to false; a process that needs more "        \
	"privileges than it starts with should get them from its image or capabilities"
#define FIX_K8S_UID "set runAsUser to a non-zero UID and runAsNonRoot: true"
#define FIX_K8S_NONROOT                                                                            \
	"set securityContext.runAsNonRoot: true (pod or container) and runAsUser to a non-zero "   \
	"UID; a USER in the image alone is not enforced"
#define FIX_K8S_HOSTNS                                                                             \
	"remove the setting or set it to false; reach the pod through a Service instead of the "   \
	"host's namespaces"
#define FIX_K8S_HOSTPATH                                                                           \
	"use a persistentVolumeClaim, configMap, secret or emptyDir volume instead of hostPath"

static const char *const k8s_template_kinds[] = {
	"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController",
};

/* The pod spec of OBJ of kind KIND; NULL when the kind has none. */
static const gate_ynode *k8s_pod_spec(ctr_ctx *c, const gate_ynode *obj, const gate_ynode *kind)
{
	size_t i;

	if (scalar_is(kind, "Pod"))
		return map_get(c, obj, "spec", NULL);
	if (scalar_is(kind, "PodTemplate"))
		return map_get(c, map_get(c, obj, "template", NULL), "spec", NULL);
	if (scalar_is(kind, "CronJob")) {
		const gate_ynode *jt = map_get(c, map_get(c, obj, "spec", NULL), "jobTemplate", NULL);
		obj = map_get(c, jt, "spec", NULL);
		return map_get(c, map_get(c, obj, "template", NULL), "spec", NULL);
	}
	for (i = 0; i < GATE_ARRAY_SIZE(k8s_template_kinds); i++)
		if (scalar_is(kind, k8s_template_kinds[i])) {
			const gate_ynode *spec = map_get(c, obj, "spec", NULL);
			return map_get(c, map_get(c, spec, "template", NULL), "spec", NULL);
		}
	return NULL;
}

/*
 * runAsUser in security context SC: 1 when some entry is 0 (*AT: its key),
 * 0 when a non-zero UID is set, -1 when none is.
 */
static int uid_state(ctr_ctx *c, const gate_ynode *sc, const gate_ynode **at)
{
	ykv kv[MAX_OCC];
	size_t i, n = map_all(c, sc, "runAsUser", kv);
	int nonzero = 0;

	for (i = 0; i < n; i++) {
		int z = int_zero(kv[i].v);
		if (z == 0) {
			*at = kv[i].k;
			return 1;
		}
		nonzero |= z == 1;
	}
	return nonzero ? 0 : -1;
}

/* runAsNonRoot in SC: 1 when set and every entry is true, 0 when set otherwise, -1 unset. */
static int nonroot_state(ctr_ctx *c, const gate_ynode *sc)
{
	ykv kv[MAX_OCC];
	size_t i, n = map_all(c, sc, "runAsNonRoot", kv);

	if (!n)
		return -1;
	for (i = 0; i < n; i++)
		if (!is_true(kv[i].v))
			return 0;
	return 1;
}

static void k8s_container(ctr_ctx *c, const char *workload, const char *role, size_t idx,
			  const gate_ynode *ctr, const gate_ynode *psc)
{
	const gate_container_policy *p = c->pol;
	char who[WHO_BUF], nm[SHOW_BUF];
	const gate_ynode *name, *sc, *k, *img;

	name = map_get(c, ctr, "name", NULL);
	if (is_scalar(name) && name->len)
		fmt(who, sizeof(who), "%s '%s' of %s", role, show(nm, name->str, name->len, SHOW_NAME),
		    workload);
	else
		fmt(who, sizeof(who), "%s #%zu of %s", role, idx + 1, workload);
	sc = map_get(c, ctr, "securityContext", NULL);

	if (p->privileged && (k = key_true(c, sc, "privileged")))
		emit(c, p->privileged, CHK_PRIVILEGED, k->line, FIX_K8S_PRIV,
		     "%s runs privileged (securityContext.privileged: true)", who);
	if (p->privilege_escalation && (k = key_true(c, sc, "allowPrivilegeEscalation")))
		emit(c, p->privilege_escalation, CHK_ESCALATION, k->line, FIX_K8S_ESC,
		     "%s allows privilege escalation (securityContext.allowPrivilegeEscalation: true)",
		     who);
	if (p->capabilities)
		check_caps(c, who, map_get(c, map_get(c, sc, "capabilities", NULL), "add", NULL),
			   "securityContext.capabilities.add");
	if (p->run_as_root && LIVE(c)) {
		const gate_ynode *at = NULL;
		int cu = uid_state(c, sc, &at), pu = -1, nr;
		if (cu == -1)
			pu = uid_state(c, psc, &at);
		if (cu == 1 || pu == 1) {
			emit(c, p->run_as_root, CHK_ROOT, at->line, FIX_K8S_UID,
			     "%s runs as root (runAsUser: 0 in the %s securityContext)", who,
			     cu == 1 ? "container's" : "pod's");
		} else if (cu == -1 && pu == -1) {
			nr = nonroot_state(c, sc);
			if (nr == -1)
				nr = nonroot_state(c, psc);
			if (nr == 0)
				emit(c, p->run_as_root, CHK_ROOT, ctr->line, FIX_K8S_NONROOT,
				     "%s may run as root: runAsNonRoot is false and no non-zero "
				     "runAsUser is set",
				     who);
			else if (nr == -1)
				emit(c, p->run_as_root, CHK_ROOT, ctr->line, FIX_K8S_NONROOT,
				     "%s may run as root: neither the pod nor the container "
				     "securityContext sets runAsNonRoot: true or a non-zero runAsUser",
				     who);
		}
	}
	if ((p->unpinned_images || (p->registries && p->registries_action)) &&
	    is_scalar(img = map_get(c, ctr, "image", NULL)))
		check_image(c, who, "uses", img->str, img->len, img->line, NULL);
}

static void k8s_pod(ctr_ctx *c, const char *workload, const gate_ynode *spec)
{
	static const struct {
		const char *key, *what;
	} hostns[] = {
		{ "hostNetwork", "network" },
		{ "hostPID", "process ID (PID)" },
		{ "hostIPC", "IPC" },
	};
	static const struct {
		const char *key, *role;
	} lists[] = {
		{ "initContainers", "init container" },
		{ "containers", "container" },
		{ "ephemeralContainers", "ephemeral container" },
	};
	const gate_container_policy *p = c->pol;
	const gate_ynode *psc, *vols, *k;
	size_t i, j;

	if (!spec || spec->kind != GATE_Y_MAP)
		return;
	psc = map_get(c, spec, "securityContext", NULL);
	for (i = 0; i < GATE_ARRAY_SIZE(hostns) && p->host_namespaces; i++)
		if ((k = key_true(c, spec, hostns[i].key)))
			emit(c, p->host_namespaces, CHK_HOSTNS, k->line, FIX_K8S_HOSTNS,
			     "%s shares the host's %s namespace (%s: true)", workload, hostns[i].what,
			     hostns[i].key);
	vols = p->host_path ? map_get(c, spec, "volumes", NULL) : NULL;
	for (i = 0; vols && vols->kind == GATE_Y_SEQ && i < vols->n && LIVE(c); i++) {
		const gate_ynode *hp = map_get(c, vols->items[i], "hostPath", &k), *hpath, *vname;
		char a[SHOW_BUF], b[SHOW_BUF];
		if (is_null(hp))
			continue;
		hpath = map_get(c, hp, "path", NULL);
		vname = map_get(c, vols->items[i], "name", NULL);
		emit(c, p->host_path, CHK_HOSTPATH, k->line, FIX_K8S_HOSTPATH,
		     "%s mounts host path '%s' (volume '%s', hostPath)", workload,
		     is_scalar(hpath) ? show(a, hpath->str, hpath->len, SHOW_VALUE) : "?",
		     is_scalar(vname) ? show(b, vname->str, vname->len, SHOW_NAME) : "?");
	}
	for (i = 0; i < GATE_ARRAY_SIZE(lists) && LIVE(c); i++) {
		const gate_ynode *l = map_get(c, spec, lists[i].key, NULL);
		for (j = 0; l && l->kind == GATE_Y_SEQ && j < l->n && LIVE(c) && spend(c, 1); j++)
			if (l->items[j]->kind == GATE_Y_MAP)
				k8s_container(c, workload, lists[i].role, j, l->items[j], psc);
	}
}

static void k8s_object(ctr_ctx *c, const gate_ynode *obj, int depth)
{
	const gate_ynode *kind = map_get(c, obj, "kind", NULL), *name, *items;
	char workload[WHO_BUF], kd[SHOW_BUF], nm[SHOW_BUF];
	size_t i;

	if (!is_scalar(kind) || !kind->len)
		return;
	if (kind->len >= 4 && !memcmp(kind->str + kind->len - 4, "List", 4)) {
		items = map_get(c, obj, "items", NULL);
		if (items && items->kind == GATE_Y_SEQ && items->n && depth >= LIST_DEPTH) {
			cut(c, "kind: List nested deeper than 4");
			return;
		}
		for (i = 0; items && items->kind == GATE_Y_SEQ && i < items->n && LIVE(c) && spend(c, 1); i++)
			k8s_object(c, items->items[i], depth + 1);
		return;
	}
	name = map_get(c, map_get(c, obj, "metadata", NULL), "name", NULL);
	show(kd, kind->str, kind->len, SHOW_NAME);
	if (is_scalar(name) && name->len)
		fmt(workload, sizeof(workload), "%s '%s'", kd,
		    show(nm, name->str, name->len, SHOW_NAME));
	else
		fmt(workload, sizeof(workload), "%s (unnamed)", kd);
	k8s_pod(c, workload, k8s_pod_spec(c, obj, kind));
}

static void k8s_doc(ctr_ctx *c, const gate_ynode *root) { k8s_object(c, root, 0); }

/* ---- Compose ------------------------------------------------------------- */

#define FIX_COMPOSE_PRIV                                                                           \
	"remove `privileged: true`; grant only the capabilities (cap_add) or devices the service " \
	"needs, and have that reviewed"
#define FIX_COMPOSE_ESC                                                                            \
	"remove `no-new-privileges:false` and set `security_opt: [\"no-new-privileges:true\"]`"
#define FIX_COMPOSE_USER                                                                           \
	"set `user:` to a non-root UID (for example \"1000:1000\"), or make sure the image ends "  \
	"with a non-root USER and state it here"
#define FIX_COMPOSE_HOSTNS                                                                         \
	"remove the setting; publish ports with `ports:` and talk to other services over a "      \
	"Compose network instead of the host's namespaces"
#define FIX_COMPOSE_BIND                                                                           \
	"use a named volume instead of a host path (bind mount); if the service needs host "       \
	"files, mount the narrowest directory read-only (:ro)"

typedef void (*pair_fn)(ctr_ctx *c, const gate_ynode *k, const gate_ynode *v);

/* Whether KEY is an explicit key of map M. */
static int has_key(ctr_ctx *c, const gate_ynode *m, const gate_ynode *key)
{
	size_t i;
	if (!spend(c, m->n / 2 + 1))
		return 1;
	for (i = 0; i + 1 < m->n; i += 2) {
		const gate_ynode *k = m->items[i];
		if (k->kind == GATE_Y_SCALAR && key->kind == GATE_Y_SCALAR && k->len == key->len &&
		    !memcmp(k->str, key->str, k->len))
			return 1;
	}
	return 0;
}

/*
 * Calls FN on each entry of map M, including those `<<` merges bring in
 * that M does not define itself.
 */
static void map_each_in(ctr_ctx *c, const gate_ynode *outer, const gate_ynode *m, pair_fn fn, int depth)
{
	size_t i, j;

	if (!m || m->kind != GATE_Y_MAP)
		return;
	for (i = 0; i + 1 < m->n && LIVE(c) && spend(c, 1); i += 2) {
		const gate_ynode *k = m->items[i];
		if (is_merge_key(k) || (m != outer && has_key(c, outer, k)))
			continue;
		fn(c, k, m->items[i + 1]);
	}
	if (depth >= MERGE_DEPTH) {
		for (i = 0; i + 1 < m->n; i += 2)
			if (is_merge_key(m->items[i]))
				cut(c, "`<<` merges nested deeper than 16");
		return;
	}
	for (i = 0; i + 1 < m->n && LIVE(c); i += 2) {
		const gate_ynode *v = m->items[i + 1];
		if (!is_merge_key(m->items[i]))
			continue;
		if (v->kind == GATE_Y_MAP)
			map_each_in(c, outer, v, fn, depth + 1);
		else if (v->kind == GATE_Y_SEQ)
			for (j = 0; j < v->n && LIVE(c); j++)
				map_each_in(c, outer, v->items[j], fn, depth + 1);
	}
}

static void map_each(ctr_ctx *c, const gate_ynode *m, pair_fn fn) { map_each_in(c, m, m, fn, 0); }

/* Whether S starts with a Windows drive: C:\ or C:/. */
static int drive_path(const char *s, size_t len)
{
	return len >= 3 && lower((unsigned char)s[0]) >= 'a' && lower((unsigned char)s[0]) <= 'z' &&
	       s[1] == ':' && (s[2] == '\\' || s[2] == '/');
}

/* Whether a short-syntax volume source is a host path: /x, ./x, ../x, ~/x, C:\x, \\x. */
static int host_source(const char *s, size_t len)
{
	if (!len)
		return 0;
	return s[0] == '/' || s[0] == '.' || s[0] == '~' || s[0] == '\\' || drive_path(s, len);
}

static void compose_volume(ctr_ctx *c, const char *who, const gate_ynode *v)
{
	const gate_container_policy *p = c->pol;
	char a[SHOW_BUF];

	if (is_scalar(v)) {
		/* SOURCE:TARGET[:MODE]; a lone path is an anonymous volume */
		const char *s = v->str;
		size_t len = v->len, off = drive_path(s, len) ? 2 : 0;
		const char *colon = memchr(s + off, ':', len - off);
		size_t slen;
		if (!colon)
			return;
		slen = (size_t)(colon - s);
		if (host_source(s, slen))
			emit(c, p->host_path, CHK_HOSTPATH, v->line, FIX_COMPOSE_BIND,
			     "%s mounts host path '%s' (volumes: %s)", who, show(a, s, slen, SHOW_VALUE),
			     show((char[SHOW_BUF]){ 0 }, s, len, SHOW_VALUE));
		else if (memchr(s, '$', slen))
			emit(c, p->host_path, CHK_HOSTPATH, v->line, FIX_COMPOSE_BIND,
			     "%s mounts '%s', a volume source set by a variable, which may be a host "
			     "path",
			     who, show(a, s, slen, SHOW_VALUE));
	} else if (v && v->kind == GATE_Y_MAP) {
		const gate_ynode *k, *type = map_get(c, v, "type", &k), *src = map_get(c, v, "source", NULL);
		if (scalar_is(type, "bind"))
			emit(c, p->host_path, CHK_HOSTPATH, k->line, FIX_COMPOSE_BIND,
			     "%s mounts host path '%s' (volumes: type: bind)", who,
			     is_scalar(src) ? show(a, src->str, src->len, SHOW_VALUE) : "?");
	}
}

static void compose_service(ctr_ctx *c, const gate_ynode *key, const gate_ynode *svc)
{
	static const struct {
		const char *key, *what;
	} hostns[] = {
		{ "network_mode", "shares the host's network namespace" },
		{ "pid", "shares the host's process ID (PID) namespace" },
		{ "ipc", "shares the host's IPC namespace" },
		{ "uts", "shares the host's UTS (hostname) namespace" },
		{ "userns_mode", "turns off user-namespace remapping" },
	};
	const gate_container_policy *p = c->pol;
	char who[WHO_BUF], nm[SHOW_BUF], a[SHOW_BUF];
	const gate_ynode *k, *v, *img;
	ykv kv[MAX_OCC];
	size_t i, j, n;

	if (!is_scalar(key) || !svc || svc->kind != GATE_Y_MAP)
		return;
	fmt(who, sizeof(who), "service '%s'", show(nm, key->str, key->len, SHOW_NAME));

	if (p->privileged && (k = key_true(c, svc, "privileged")))
		emit(c, p->privileged, CHK_PRIVILEGED, k->line, FIX_COMPOSE_PRIV,
		     "%s runs privileged (privileged: true)", who);
	if (p->capabilities)
		check_caps(c, who, map_get(c, svc, "cap_add", NULL), "cap_add");
	for (i = 0; i < GATE_ARRAY_SIZE(hostns) && p->host_namespaces; i++) {
		n = map_all(c, svc, hostns[i].key, kv);
		for (j = 0; j < n; j++)
			if (scalar_is(kv[j].v, "host")) {
				emit(c, p->host_namespaces, CHK_HOSTNS, kv[j].k->line, FIX_COMPOSE_HOSTNS,
				     "%s %s (%s: host)", who, hostns[i].what, hostns[i].key);
				break;
			}
	}
	v = p->host_path ? map_get(c, svc, "volumes", NULL) : NULL;
	for (i = 0; v && v->kind == GATE_Y_SEQ && i < v->n && LIVE(c) && spend(c, 1); i++)
		compose_volume(c, who, v->items[i]);
	v = p->privilege_escalation ? map_get(c, svc, "security_opt", NULL) : NULL;
	for (i = 0; v && v->kind == GATE_Y_SEQ && i < v->n && LIVE(c) && spend(c, 1); i++) {
		const gate_ynode *o = v->items[i];
		if (is_scalar(o) && o->len == 23 && !gate_strncasecmp(o->str, "no-new-privileges", 17) &&
		    (o->str[17] == ':' || o->str[17] == '=') &&
		    !gate_strncasecmp(o->str + 18, "false", 5))
			emit(c, p->privilege_escalation, CHK_ESCALATION, o->line, FIX_COMPOSE_ESC,
			     "%s allows privilege escalation (security_opt: %s)", who,
			     show(a, o->str, o->len, SHOW_NAME));
	}
	if (p->run_as_root && LIVE(c)) {
		size_t set = 0;
		n = map_all(c, svc, "user", kv);
		for (j = 0; j < n; j++)
			set += !is_null(kv[j].v);
		if (!set)
			emit(c, p->run_as_root, CHK_ROOT, key->line, FIX_COMPOSE_USER,
			     "%s sets no user, so it runs as the image's default user (root unless "
			     "the image sets a non-root USER)",
			     who);
		for (j = 0; j < n; j++) {
			char u[SHOW_BUF];
			const gate_ynode *uv = kv[j].v;
			if (!is_scalar(uv) || is_null(uv))
				continue;
			show(a, uv->str, uv->len, SHOW_NAME);
			if (!resolve_user(uv->str, uv->len, NULL, NULL, u, sizeof(u))) {
				emit(c, p->run_as_root, CHK_ROOT, kv[j].k->line, FIX_COMPOSE_USER,
				     "%s runs as user '%s', a variable with no default, which may be "
				     "root",
				     who, a);
				break;
			}
			if (user_is_root(u, strlen(u))) {
				emit(c, p->run_as_root, CHK_ROOT, kv[j].k->line, FIX_COMPOSE_USER,
				     "%s runs as root (user: %s)", who, a);
				break;
			}
		}
	}
	/* a service that builds its image names the result with `image:`; nothing is pulled */
	if ((p->unpinned_images || (p->registries && p->registries_action)) && LIVE(c) &&
	    !map_get(c, svc, "build", NULL) && is_scalar(img = map_get(c, svc, "image", NULL)))
		check_image(c, who, "uses", img->str, img->len, img->line, NULL);
}

/* A named volume whose driver options bind a host directory (driver_opts: o: bind). */
static void compose_named_volume(ctr_ctx *c, const gate_ynode *key, const gate_ynode *vol)
{
	const gate_ynode *opts = map_get(c, vol, "driver_opts", NULL), *k, *o, *dev;
	char nm[SHOW_BUF], a[SHOW_BUF];
	size_t i = 0;

	if (!is_scalar(key) || !is_scalar(o = map_get(c, opts, "o", &k)))
		return;
	while (i < o->len) {
		size_t s = i;
		while (i < o->len && o->str[i] != ',')
			i++;
		if (eq_nocase(o->str + s, i - s, "bind") || eq_nocase(o->str + s, i - s, "rbind")) {
			dev = map_get(c, opts, "device", NULL);
			emit(c, c->pol->host_path, CHK_HOSTPATH, k->line, FIX_COMPOSE_BIND,
			     "volume '%s' binds host path '%s' (driver_opts: o: %s)",
			     show(nm, key->str, key->len, SHOW_NAME),
			     is_scalar(dev) ? show(a, dev->str, dev->len, SHOW_VALUE) : "?",
			     show((char[SHOW_BUF]){ 0 }, o->str, o->len, SHOW_NAME));
			return;
		}
		i++;
	}
}

static void compose_doc(ctr_ctx *c, const gate_ynode *root)
{
	map_each(c, map_get(c, root, "services", NULL), compose_service);
	if (c->pol->host_path && LIVE(c))
		map_each(c, map_get(c, root, "volumes", NULL), compose_named_volume);
}

/* ---- Dockerfiles --------------------------------------------------------- */

#define FIX_DOCKER_USER                                                                            \
	"end the final stage with `USER <non-root user or UID>` (create the user first if the "    \
	"image has none, e.g. with adduser or useradd)"

enum { DU_NONE, DU_ROOT, DU_USER, DU_UNKNOWN };

typedef struct {
	char name[128];       /* the stage's AS name, lower case; "" none */
	char image[SHOW_BUF]; /* what FROM named, for messages */
	char user[SHOW_BUF];  /* the last USER, for messages */
	int user_state;       /* DU_* */
	int user_line, from_line;
} dstage;

typedef struct {
	char name[64];
	char value[128];
	int unknown; /* declared without a value, or the value did not fit */
} dvar;

typedef struct {
	ctr_ctx *c;
	dstage *stages;
	size_t nstages, stages_cap, count; /* count: every FROM seen */
	dvar *vars;
	size_t nvars, vars_cap, nglobal; /* [0, nglobal): ARGs before the first FROM */
	int vars_lost;                   /* a stage variable did not fit: none can be trusted */
	char heredoc[DMAX_HEREDOCS][SHOW_BUF];
	int heredoc_strip[DMAX_HEREDOCS];
	size_t nheredoc, heredoc_at;
} dparse;

typedef struct {
	const char *s;
	size_t len;
} dtok;

/* Splits S (LEN) on blanks into at most MAX tokens; returns how many. */
static size_t dsplit(const char *s, size_t len, dtok *t, size_t max)
{
	size_t i = 0, n = 0;
	while (i < len && n < max) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len)
			break;
		t[n].s = s + i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		t[n].len = (size_t)(s + i - t[n].s);
		n++;
	}
	return n;
}

/*
 * The earlier stage named S, or numbered S when BY_INDEX (COPY --from=N);
 * NULL when none.  The pointer lives until the stages array grows.
 */
static const dstage *dstage_find(dparse *dp, const char *s, size_t len, int by_index)
{
	size_t i, idx = 0;

	if (by_index && len && len < 10 && strspn(s, "0123456789") >= len) {
		for (i = 0; i < len; i++)
			idx = idx * 10 + (size_t)(s[i] - '0');
		return idx < dp->nstages ? &dp->stages[idx] : NULL;
	}
	for (i = dp->nstages; i > 0; i--) {
		if (!spend(dp->c, 1))
			return NULL;
		if (dp->stages[i - 1].name[0] && eq_nocase(s, len, dp->stages[i - 1].name))
			return &dp->stages[i - 1];
	}
	return NULL;
}

static const char *dvar_find(dparse *dp, size_t from, size_t to, const char *name, size_t len)
{
	size_t i;
	for (i = to; i > from; i--) {
		const dvar *v = &dp->vars[i - 1];
		if (!spend(dp->c, 1))
			return NULL;
		if (strlen(v->name) == len && !memcmp(v->name, name, len))
			return v->unknown ? NULL : v->value;
	}
	return NULL;
}

static const char *dvar_stage_lookup(void *arg, const char *name, size_t len)
{
	dparse *dp = arg;
	return dp->vars_lost ? NULL : dvar_find(dp, dp->nglobal, dp->nvars, name, len);
}

/* Records NAME=VALUE (VALUE NULL: declared without one) as a global or stage variable. */
static void dvar_set(dparse *dp, const char *name, size_t nlen, const char *val, size_t vlen)
{
	dvar *v;
	const char *global = NULL;
	char inherit[sizeof(v->value)];

	if (!nlen || nlen >= sizeof(v->name) || dp->nvars >= DMAX_VARS) {
		dp->vars_lost = 1; /* a later lookup could otherwise find an older value */
		return;
	}
	if (!val && dp->count) /* ARG X in a stage re-declares a global: copy it, the array moves */
		global = dvar_find(dp, 0, dp->nglobal, name, nlen);
	if (global)
		fmt(inherit, sizeof(inherit), "%s", global);
	if (gate_grow(&dp->vars, &dp->vars_cap, dp->nvars + 1, sizeof(*dp->vars)) < 0) {
		dp->c->rc = GATE_ENOMEM;
		return;
	}
	v = &dp->vars[dp->nvars++];
	memset(v, 0, sizeof(*v));
	memcpy(v->name, name, nlen);
	if (val && vlen >= 2 && (val[0] == '"' || val[0] == '\'') && val[vlen - 1] == val[0])
		val++, vlen -= 2;
	if (global)
		memcpy(v->value, inherit, sizeof(v->value));
	else if (!val || vlen >= sizeof(v->value))
		v->unknown = 1;
	else
		memcpy(v->value, val, vlen);
	if (!dp->count)
		dp->nglobal = dp->nvars;
}

/* ARG a=1 b / ENV a=1 b=2 / ENV a 1 */
static void d_vars(dparse *dp, const char *args, size_t len, int env)
{
	dtok t[32];
	size_t n = dsplit(args, len, t, GATE_ARRAY_SIZE(t)), i;

	if (env && n >= 2 && !memchr(t[0].s, '=', t[0].len)) {
		const char *val = t[1].s;
		dvar_set(dp, t[0].s, t[0].len, val, (size_t)(args + len - val));
		return;
	}
	for (i = 0; i < n; i++) {
		const char *eq = memchr(t[i].s, '=', t[i].len);
		if (eq)
			dvar_set(dp, t[i].s, (size_t)(eq - t[i].s), eq + 1,
				 t[i].len - (size_t)(eq - t[i].s) - 1);
		else if (!env)
			dvar_set(dp, t[i].s, t[i].len, NULL, 0);
	}
}

static void d_who(dparse *dp, char *who, size_t cap)
{
	const dstage *s = &dp->stages[dp->nstages - 1];
	if (s->name[0])
		fmt(who, cap, "stage '%s'", s->name);
	else
		fmt(who, cap, "stage %zu", dp->count);
}

/* An image a COPY --from= or RUN --mount=from= names, unless it is a stage. */
static void d_from_image(dparse *dp, const char *ref, size_t len, int line, const char *what)
{
	char who[WHO_BUF], where[WHO_BUF];

	if (!len || !dp->nstages || dstage_find(dp, ref, len, 1))
		return;
	d_who(dp, where, sizeof(where));
	fmt(who, sizeof(who), "%s in %s", what, where);
	check_image(dp->c, who, "copies from", ref, len, line, NULL);
}

static void d_from(dparse *dp, const char *args, size_t len, int line)
{
	dtok t[8];
	size_t n = dsplit(args, len, t, GATE_ARRAY_SIZE(t)), i = 0;
	const dstage *found = NULL;
	dstage base, *s;
	const char *img;
	size_t ilen;

	while (i < n && t[i].len > 2 && !memcmp(t[i].s, "--", 2))
		i++;
	if (i >= n)
		return;
	img = t[i].s;
	ilen = t[i].len;
	if (!memchr(img, '$', ilen) && !eq_nocase(img, ilen, "scratch"))
		found = dstage_find(dp, img, ilen, 0);
	if (found)
		base = *found; /* a copy: growing the array below moves the stages */
	else
		memset(&base, 0, sizeof(base));
	if (dp->nstages < DMAX_STAGES) {
		if (gate_grow(&dp->stages, &dp->stages_cap, dp->nstages + 1, sizeof(*dp->stages)) < 0) {
			dp->c->rc = GATE_ENOMEM;
			return;
		}
		dp->nstages++;
	} else {
		cut(dp->c, "more than 256 build stages");
	}
	s = &dp->stages[dp->nstages - 1];
	*s = base;
	dp->count++;
	s->name[0] = '\0';
	if (i + 2 < n && eq_nocase(t[i + 1].s, t[i + 1].len, "as") && t[i + 2].len < sizeof(s->name)) {
		size_t j;
		for (j = 0; j < t[i + 2].len; j++)
			s->name[j] = (char)lower((unsigned char)t[i + 2].s[j]);
		s->name[t[i + 2].len] = '\0';
	}
	show(s->image, img, ilen, SHOW_VALUE);
	s->from_line = line;
	dp->nvars = dp->nglobal; /* a stage starts with no variables of its own */
	dp->vars_lost = 0;
	if (found || eq_nocase(img, ilen, "scratch"))
		return;

	{
		char who[WHO_BUF], why[WHO_BUF], dv[SHOW_BUF];
		const char *why_p = NULL;
		d_who(dp, who, sizeof(who));
		if (memchr(img, '$', ilen)) {
			/* FROM $BASE / ${BASE}: name the build argument and its default */
			const char *v = memchr(img, '$', ilen), *e = img + ilen, *name;
			const char *def;
			size_t nlen = 0;
			name = v + 1 + (v + 1 < e && v[1] == '{');
			while (name + nlen < e && var_char(name[nlen]))
				nlen++;
			def = dvar_find(dp, 0, dp->nglobal, name, nlen);
			if (def)
				fmt(why, sizeof(why),
				    "comes from build argument %.*s (default '%s'), which any build can "
				    "override",
				    (int)(nlen > SHOW_NAME ? SHOW_NAME : nlen), name,
				    show(dv, def, strlen(def), SHOW_VALUE));
			else
				fmt(why, sizeof(why),
				    "comes from build argument %.*s, which has no default and any build "
				    "sets",
				    (int)(nlen > SHOW_NAME ? SHOW_NAME : nlen), name);
			why_p = why;
		}
		check_image(dp->c, who, "is built FROM", img, ilen, line, why_p);
	}
}

static void d_user(dparse *dp, const char *args, size_t len, int line)
{
	dtok t[1];
	dstage *s;
	char u[SHOW_BUF];

	if (!dp->nstages || !dsplit(args, len, t, 1))
		return;
	s = &dp->stages[dp->nstages - 1];
	show(s->user, t[0].s, t[0].len, SHOW_NAME);
	s->user_line = line;
	if (!resolve_user(t[0].s, t[0].len, dvar_stage_lookup, dp, u, sizeof(u)))
		s->user_state = DU_UNKNOWN;
	else
		s->user_state = user_is_root(u, strlen(u)) ? DU_ROOT : DU_USER;
}

/* Notes the heredocs (<<EOF, <<-"EOF", 2<<EOF) an instruction opens, in order. */
static void d_heredocs(dparse *dp, const dtok *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *s = t[i].s, *e = s + t[i].len;
		int strip = 0;
		while (s < e && *s >= '0' && *s <= '9')
			s++;
		if (e - s < 3 || s[0] != '<' || s[1] != '<' || s[2] == '<')
			continue;
		s += 2;
		if (*s == '-')
			strip = 1, s++;
		if (e - s >= 2 && (*s == '"' || *s == '\'') && e[-1] == *s)
			s++, e--;
		if (s >= e || memchr(s, '<', (size_t)(e - s)))
			continue;
		/* a body not skipped would be read as instructions (a USER inside it, say) */
		if (dp->nheredoc >= DMAX_HEREDOCS || (size_t)(e - s) >= SHOW_BUF) {
			cut(dp->c, "more than 8 heredocs in one instruction, or a heredoc delimiter "
				   "of 256 bytes or more");
			return;
		}
		memcpy(dp->heredoc[dp->nheredoc], s, (size_t)(e - s));
		dp->heredoc[dp->nheredoc][e - s] = '\0';
		dp->heredoc_strip[dp->nheredoc++] = strip;
	}
}

/* One logical instruction (continuations joined) that started at LINE. */
static void d_instruction(dparse *dp, const char *s, size_t len, int line)
{
	dtok t[64];
	size_t kw, i, n;
	const char *args;

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	for (kw = 0; kw < len && s[kw] != ' ' && s[kw] != '\t'; kw++)
		;
	args = s + kw;
	len -= kw;
	if (eq_nocase(s, kw, "FROM")) {
		d_from(dp, args, len, line);
	} else if (eq_nocase(s, kw, "USER")) {
		d_user(dp, args, len, line);
	} else if (eq_nocase(s, kw, "ARG")) {
		d_vars(dp, args, len, 0);
	} else if (eq_nocase(s, kw, "ENV")) {
		if (dp->count)
			d_vars(dp, args, len, 1);
	} else if (eq_nocase(s, kw, "COPY") || eq_nocase(s, kw, "RUN") || eq_nocase(s, kw, "ADD")) {
		int run = eq_nocase(s, kw, "RUN");
		n = dsplit(args, len, t, GATE_ARRAY_SIZE(t));
		for (i = 0; i < n && t[i].len > 2 && !memcmp(t[i].s, "--", 2) && LIVE(dp->c); i++) {
			const char *f = t[i].s;
			size_t fl = t[i].len, j = 0;
			if (!run && fl > 7 && !gate_strncasecmp(f, "--from=", 7)) {
				d_from_image(dp, f + 7, fl - 7, line, "COPY --from");
				continue;
			}
			if (!run || fl <= 8 || gate_strncasecmp(f, "--mount=", 8))
				continue;
			for (j = 8; j < fl;) { /* --mount=type=bind,from=image,source=/x */
				size_t st = j;
				while (j < fl && f[j] != ',')
					j++;
				if (j - st > 5 && !gate_strncasecmp(f + st, "from=", 5))
					d_from_image(dp, f + st + 5, j - st - 5, line, "RUN --mount");
				j++;
			}
		}
		if (i < n && t[i].s[0] != '[') /* heredocs are not read in the JSON form */
			d_heredocs(dp, t + i, n - i);
	}
}

static int is_blank(int ch) { return ch == ' ' || ch == '\t'; }

/* `# escape=`` ` parser directive: returns the escape character it sets, 0 when none. */
static int d_directive(const char *s, size_t len, int *is_directive)
{
	size_t i = 0, k;
	*is_directive = 0;
	if (!len || s[0] != '#')
		return 0;
	for (i = 1; i < len && is_blank(s[i]); i++)
		;
	for (k = i; k < len && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z')); k++)
		;
	if (k == i)
		return 0;
	{
		size_t nstart = i, nlen = k - i;
		for (i = k; i < len && is_blank(s[i]); i++)
			;
		if (i >= len || s[i] != '=')
			return 0;
		for (i++; i < len && is_blank(s[i]); i++)
			;
		while (len > i && is_blank(s[len - 1]))
			len--;
		*is_directive = 1;
		if (eq_nocase(s + nstart, nlen, "escape") && len - i == 1 &&
		    (s[i] == '`' || s[i] == '\\'))
			return s[i];
	}
	return 0;
}

static void docker_final(dparse *dp)
{
	const gate_container_policy *p = dp->c->pol;
	const dstage *s;

	if (!dp->nstages || !p->run_as_root || !LIVE(dp->c))
		return;
	s = &dp->stages[dp->nstages - 1];
	if (s->user_state == DU_NONE)
		emit(dp->c, p->run_as_root, CHK_ROOT, s->from_line, FIX_DOCKER_USER,
		     "the final stage (FROM %s) sets no USER, so the container runs as root unless "
		     "that image sets a non-root user",
		     s->image);
	else if (s->user_state == DU_ROOT)
		emit(dp->c, p->run_as_root, CHK_ROOT, s->user_line, FIX_DOCKER_USER,
		     "the final stage's last USER is '%s', so the container runs as root", s->user);
	else if (s->user_state == DU_UNKNOWN)
		emit(dp->c, p->run_as_root, CHK_ROOT, s->user_line, FIX_DOCKER_USER,
		     "the final stage's last USER is '%s', a variable with no default, so the "
		     "container may run as root",
		     s->user);
}

/*
 * Reads a Dockerfile line by line: parser directives (escape), comments,
 * continuations (with comment and blank lines inside them dropped, as
 * BuildKit does) and heredoc bodies, which are not instructions.
 */
static void docker_check(ctr_ctx *c, const char *data, size_t len)
{
	dparse dp;
	gate_buf ins = GATE_BUF_INIT;
	size_t pos = 0;
	int lineno = 0, start = 0, in_ins = 0, directives = 1;
	char esc = '\\';

	memset(&dp, 0, sizeof(dp));
	dp.c = c;
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) /* BuildKit skips a UTF-8 BOM */
		pos = 3;
	while (pos < len && LIVE(c)) {
		const char *l = data + pos, *nl = memchr(l, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - l) : len - pos, t = 0, e;

		pos += ll + (nl ? 1 : 0);
		lineno++;
		earn(c, BUDGET_PER_NODE);
		if (!spend(c, 1 + ll / 64))
			break;
		if (ll && l[ll - 1] == '\r')
			ll--;
		if (dp.heredoc_at < dp.nheredoc) {
			const char *h = l;
			size_t hl = ll;
			if (dp.heredoc_strip[dp.heredoc_at])
				while (hl && *h == '\t')
					h++, hl--;
			if (hl == strlen(dp.heredoc[dp.heredoc_at]) &&
			    !memcmp(h, dp.heredoc[dp.heredoc_at], hl))
				dp.heredoc_at++;
			continue;
		}
		while (t < ll && is_blank(l[t]))
			t++;
		if (directives) {
			int is_dir, ch = d_directive(l + t, ll - t, &is_dir);
			if (is_dir) {
				if (ch)
					esc = (char)ch;
				continue;
			}
			directives = 0;
		}
		if (t == ll || l[t] == '#') /* blank and comment lines, also inside continuations */
			continue;
		if (!in_ins) {
			in_ins = 1;
			start = lineno;
			gate_buf_clear(&ins);
		}
		/* BuildKit joins continued lines as they are: no blank added, none removed */
		if (ins.len == 0)
			l += t, ll -= t;
		e = ll;
		while (e > 0 && is_blank(l[e - 1]))
			e--;
		if (e > 0 && l[e - 1] == esc) {
			if (gate_buf_put(&ins, l, e - 1) < 0)
				c->rc = GATE_ENOMEM;
			continue;
		}
		if (gate_buf_put(&ins, l, ll) < 0) {
			c->rc = GATE_ENOMEM;
			break;
		}
		in_ins = 0;
		dp.nheredoc = dp.heredoc_at = 0;
		d_instruction(&dp, ins.ptr, ins.len, start);
	}
	if (in_ins && LIVE(c)) /* the file ended inside a continuation */
		d_instruction(&dp, gate_buf_cstr(&ins), ins.len, start);
	if (!c->exhausted)
		docker_final(&dp);
	gate_buf_dispose(&ins);
	gate_free(dp.stages);
	gate_free(dp.vars);
}

/* ---- entry points -------------------------------------------------------- */

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && !gate_strncasecmp(s + len - n, suffix, n);
}

static int starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && !gate_strncasecmp(s, prefix, n);
}

gate_container_file gate_containers_file_kind(const char *path)
{
	const char *base, *slash;
	size_t len;

	if (!path)
		return GATE_CONTAINER_FILE_NONE;
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	len = strlen(base);
	if (!len || ends_with(base, len, ".dockerignore"))
		return GATE_CONTAINER_FILE_NONE;
	if (eq_nocase(base, len, "Dockerfile") || eq_nocase(base, len, "Containerfile") ||
	    starts_with(base, len, "Dockerfile.") || starts_with(base, len, "Containerfile.") ||
	    (len > 11 && ends_with(base, len, ".Dockerfile")) ||
	    (len > 14 && ends_with(base, len, ".Containerfile")))
		return GATE_CONTAINER_FILE_DOCKERFILE;
	if (!ends_with(base, len, ".yml") && !ends_with(base, len, ".yaml"))
		return GATE_CONTAINER_FILE_NONE;
	if (starts_with(base, len, "compose.") || starts_with(base, len, "docker-compose"))
		return GATE_CONTAINER_FILE_COMPOSE;
	return GATE_CONTAINER_FILE_YAML;
}

/* "use an image from an allowed registry (a, b, ...)" */
static char *registries_fix(const gate_container_policy *p)
{
	gate_buf b = GATE_BUF_INIT;
	size_t i, shown = 0;

	gate_buf_puts(&b, "use an image from an allowed registry (");
	for (i = 0; i < p->n_registries && shown < 10; i++) {
		if (!p->registries[i])
			continue;
		gate_buf_printf(&b, "%s%.100s", shown ? ", " : "", p->registries[i]);
		shown++;
	}
	if (!shown)
		gate_buf_puts(&b, "none is allowed");
	else if (i < p->n_registries)
		gate_buf_puts(&b, ", ...");
	gate_buf_puts(&b, ") or have the policy's registries list extended");
	if (b.oom) {
		gate_buf_dispose(&b);
		return NULL;
	}
	return gate_buf_detach(&b);
}

int gate_containers_check(gate_policy_findings *out, const gate_container_policy *policy,
			  const char *path, gate_container_file kind, const char *data, size_t len)
{
	ctr_ctx c;
	const gate_container_policy *p = policy;

	if (!out || !p || (!data && len))
		return 0;
	if (!p->privileged && !p->privilege_escalation && !p->run_as_root && !p->host_namespaces &&
	    !p->host_path && !p->capabilities && !p->unpinned_images &&
	    !(p->registries && p->registries_action))
		return 0;
	if (kind == GATE_CONTAINER_FILE_NONE)
		kind = gate_containers_file_kind(path);
	if (kind == GATE_CONTAINER_FILE_NONE || !len)
		return 0;
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.pol = p;
	c.path = path ? path : "";
	c.budget = BUDGET_BASE;
	if (len > CTR_MAX_FILE) {
		cut(&c, "larger than 16 MiB");
		kind = GATE_CONTAINER_FILE_NONE;
	} else if (p->registries && p->registries_action && !(c.registries_fix = registries_fix(p))) {
		return GATE_ENOMEM;
	}
	switch (kind) {
	case GATE_CONTAINER_FILE_YAML:
		yaml_each_doc(&c, data, len, k8s_doc);
		break;
	case GATE_CONTAINER_FILE_COMPOSE:
		yaml_each_doc(&c, data, len, compose_doc);
		break;
	case GATE_CONTAINER_FILE_DOCKERFILE:
		docker_check(&c, data, len);
		break;
	default:
		break;
	}
	gate_free(c.registries_fix);
	if (c.cut && !c.rc &&
	    gate_policy_findings_add(out, GATE_POLICY_REJECT, "policy.container.incomplete", c.path, 0,
				     "no setting raises it: split the file (one manifest per file, fewer "
				     "documents, no deep nesting or alias chains), then push again",
				     "%s: the container check stopped there, so what follows was not "
				     "checked", c.cut) < 0)
		return GATE_ENOMEM;
	return c.rc;
}
