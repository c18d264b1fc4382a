/*
 * Secret scanning for pushes, ranges and buffers (see secrets.h).
 *
 * Trust: everything scanned is pushed or committed content.  Blobs over
 * max_blob_bytes are not read at all (their size comes from the object
 * header) and are reported as skipped, never silently.  A binary blob (a
 * NUL in the first 8 KiB) is decoded when it is UTF-16 and scanned on its
 * runs of printable text (a token after a NUL is still a token); one with
 * neither is named as not scanned.  A finding carries the secret only in
 * redacted form and as a hash inside its fingerprint; a secret found in
 * text gatehouse prints (a ref name, a path) also goes, whole, to the
 * redactions the driver passes every message and record through.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/evp.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/glob.h"
#include "git/repo.h"
#include "content/secrets.h"
#include "content/textscan.h"
#include "evidence/trailers.h"
#include "git/treediff.h"

#define BINARY_PROBE 8000

struct gate_secrets {
	const gate_matrix *m;
	const gate_secret_rule **rules;
	size_t n_rules;
	gate_scanner *scanner;      /* built on first use (see use_scanner) */
	gate_scanner *small;        /* PCRE2-only, for pushes of a few KiB */
	gate_scanner *active;       /* the one the current scan uses */
	char *cache_dir;
	pcre2_code **allow_re;
	size_t n_allow_re;
	char **ignore;   /* sorted fingerprints */
	size_t n_ignore;
	size_t max_blob;
	int disabled;
	double deadline;
	unsigned budget_ms;
	int pcre2_only;
	gate_secrets_progress progress;
	void *progress_payload;
};

void gate_secrets_force_pcre2(gate_secrets *s) { s->pcre2_only = 1; }

void gate_secrets_set_progress(gate_secrets *s, gate_secrets_progress fn, void *payload)
{
	s->progress = fn;
	s->progress_payload = payload;
}

void gate_secrets_set_deadline(gate_secrets *s, double deadline, unsigned budget_ms)
{
	s->deadline = deadline;
	s->budget_ms = budget_ms;
}

/* ---- setup ------------------------------------------------------------------ */

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int parse_ignore(gate_secrets *s, const char *text)
{
	const char *p = text;
	size_t cap = 0;

	while (p && *p) {
		size_t len = strcspn(p, "\n");
		const char *l = p;
		size_t ll = len;
		while (ll && (l[ll - 1] == '\r' || l[ll - 1] == ' ' || l[ll - 1] == '\t'))
			ll--;
		while (ll && (*l == ' ' || *l == '\t')) {
			l++;
			ll--;
		}
		if (ll && *l != '#') {
			if (gate_grow(&s->ignore, &cap, s->n_ignore + 1, sizeof(char *)) < 0)
				return GATE_ENOMEM;
			if (!(s->ignore[s->n_ignore] = gate_strndup(l, ll)))
				return GATE_ENOMEM;
			s->n_ignore++;
		}
		p += len + (p[len] ? 1 : 0);
	}
	if (s->n_ignore)
		qsort(s->ignore, s->n_ignore, sizeof(char *), cmpstr);
	return 0;
}

static int disabled_rule(const gate_matrix *m, const char *id)
{
	size_t i;
	for (i = 0; m && i < m->secrets.n_disable; i++)
		if (!strcmp(m->secrets.disable[i], id))
			return 1;
	return 0;
}

int gate_secrets_new(gate_secrets **out, const gate_matrix *m, const char *ignore,
		     const char *cache_dir)
{
	const gate_secret_rule *builtin;
	size_t nb, i, extra = m ? m->secrets.n_rules : 0;
	gate_secrets *s;
	int rc;

	*out = NULL;
	if ((rc = gate_rules_builtin(&builtin, &nb)) < 0)
		return rc;
	s = gate_calloc(1, sizeof(*s));
	if (!s)
		return GATE_ENOMEM;
	s->m = m;
	s->disabled = m && m->secrets.disabled;
	s->max_blob = m && m->secrets.max_blob_bytes ? m->secrets.max_blob_bytes
						     : GATE_SECRETS_DEFAULT_MAX_BLOB;
	s->rules = gate_calloc(nb + extra + 1, sizeof(*s->rules));
	if (!s->rules) {
		gate_secrets_free(s);
		return GATE_ENOMEM;
	}
	for (i = 0; i < nb; i++)
		if (!disabled_rule(m, builtin[i].id))
			s->rules[s->n_rules++] = &builtin[i];
	for (i = 0; i < extra; i++)
		if (!disabled_rule(m, m->secrets.rules[i].id))
			s->rules[s->n_rules++] = &m->secrets.rules[i];
	if (m && m->secrets.n_allow_regexes) {
		s->allow_re = gate_calloc(m->secrets.n_allow_regexes, sizeof(*s->allow_re));
		if (!s->allow_re) {
			gate_secrets_free(s);
			return GATE_ENOMEM;
		}
		for (i = 0; i < m->secrets.n_allow_regexes; i++) {
			int err;
			PCRE2_SIZE off;
			s->allow_re[i] = pcre2_compile((PCRE2_SPTR)m->secrets.allow_regexes[i],
						       PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
		}
		s->n_allow_re = m->secrets.n_allow_regexes;
	}
	if ((rc = parse_ignore(s, ignore)) < 0 ||
	    (cache_dir && !(s->cache_dir = gate_strdup(cache_dir)))) {
		gate_secrets_free(s);
		return rc < 0 ? rc : GATE_ENOMEM;
	}
	*out = s;
	return 0;
}

void gate_secrets_free(gate_secrets *s)
{
	size_t i;
	if (!s)
		return;
	gate_scanner_free(s->scanner);
	gate_scanner_free(s->small);
	gate_free(s->cache_dir);
	for (i = 0; s->allow_re && i < s->n_allow_re; i++)
		pcre2_code_free(s->allow_re[i]);
	gate_free(s->allow_re);
	for (i = 0; i < s->n_ignore; i++)
		gate_free(s->ignore[i]);
	gate_free(s->ignore);
	gate_free(s->rules);
	gate_free(s);
}

int gate_secrets_disabled(const gate_secrets *s) { return s->disabled; }
const char *gate_secrets_engine(const gate_secrets *s)
{
	if (s->disabled)
		return "off";
	return s->active ? gate_scanner_engine(s->active) : "not needed";
}

/*
 * Picks the engine for the next scan.  A few KiB (a typical push) go through
 * the PCRE2-only scanner: its keyword prefilter costs microseconds on small
 * text, while even a cached Vectorscan database takes milliseconds to load.
 * Anything larger gets the single-pass Vectorscan database.
 */
static int use_scanner(gate_secrets *s, size_t total_bytes)
{
	int rc = 0;
	if (total_bytes <= 64 * 1024 || s->pcre2_only) {
		if (!s->small)
			rc = gate_scanner_new_engine(&s->small, s->rules, s->n_rules, NULL, 1);
		s->active = s->small;
	} else {
		if (!s->scanner)
			rc = gate_scanner_new(&s->scanner, s->rules, s->n_rules, s->cache_dir);
		s->active = s->scanner;
	}
	return rc;
}

/* ---- findings ----------------------------------------------------------------- */

static int path_allowed(const gate_secrets *s, const char *path)
{
	size_t i;
	for (i = 0; s->m && i < s->m->secrets.n_allow_paths; i++)
		if (gate_glob_match(s->m->secrets.allow_paths[i], path) == 1)
			return 1;
	return 0;
}

static void redact(char *out, size_t outlen, const char *secret, size_t len)
{
	size_t show = len >= 16 ? 4 : len >= 10 ? 2 : 0, i;
	char head[8];
	for (i = 0; i < show; i++)
		head[i] = (secret[i] >= 0x21 && secret[i] < 0x7F) ? secret[i] : '?';
	head[show] = '\0';
	snprintf(out, outlen, "%s...(%zu chars)", head, len);
}

/* The hash a fingerprint carries: 16 hex digits of the secret's SHA-256. */
static void secret_hash(char out[17], const char *secret, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	size_t i;

	if (!EVP_Digest(secret, len, md, &mdlen, EVP_sha256(), NULL))
		memset(md, 0, sizeof(md));
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int ignored(const gate_secrets *s, const char *fp, const char *rule, const char *hash)
{
	char wild[200];
	snprintf(wild, sizeof(wild), "%s:*:%s", rule, hash);
	return (s->n_ignore && (bsearch(&fp, s->ignore, s->n_ignore, sizeof(char *), cmpstr) ||
				bsearch(&(const char *){ wild }, s->ignore, s->n_ignore, sizeof(char *),
					cmpstr)));
}

/*
 * What the scanner found in a blob, before any path is known: everything a
 * finding needs but the path, so one scan serves every path the blob is at.
 */
typedef struct {
	const gate_secret_rule *rule;
	size_t line, column;
	char hash[17];     /* secret_hash */
	char redacted[48]; /* never the whole secret */
} raw_hit;

typedef struct {
	raw_hit *items;
	size_t n, cap;
} raw_hits;

typedef struct {
	gate_secrets *s;
	raw_hits *out;
	pcre2_match_data *md;
	int rc;
} hit_ctx;

/* Whether secrets.allow_regexes accepts the secret SECRET (LEN bytes). */
static int value_allowed(const gate_secrets *s, pcre2_match_data *md, const char *secret, size_t len)
{
	size_t i;
	for (i = 0; i < s->n_allow_re; i++)
		if (s->allow_re[i] &&
		    pcre2_match(s->allow_re[i], (PCRE2_SPTR)secret, len, 0, 0, md, NULL) >= 0)
			return 1;
	return 0;
}

/* A finding's fingerprint from its parts: RULE:WHERE:HASH (WHERE: a path, or a text's label). */
static void fingerprint_of(char *out, size_t outlen, const char *rule, const char *where,
			   const char *hash)
{
	snprintf(out, outlen, "%s:%s:%s", rule, where, hash);
}

/* The fingerprint of SECRET (LEN bytes) found by RULE at WHERE. */
static void fingerprint(char *out, size_t outlen, const char *rule, const char *where,
			const char *secret, size_t len)
{
	char hash[17];
	secret_hash(hash, secret, len);
	fingerprint_of(out, outlen, rule, where, hash);
}

static int on_hit(const gate_secret_hit *hit, const char *data, size_t len, void *payload)
{
	hit_ctx *h = payload;
	const char *secret = data + hit->offset;
	raw_hit *r;
	(void)len;

	/* allowed values do not depend on the path: filtered once, here */
	if (value_allowed(h->s, h->md, secret, hit->length))
		return 0;
	if (gate_grow(&h->out->items, &h->out->cap, h->out->n + 1, sizeof(*r)) < 0) {
		h->rc = GATE_ENOMEM;
		return 1;
	}
	r = &h->out->items[h->out->n++];
	r->rule = hit->rule;
	r->line = hit->line;
	r->column = hit->column;
	secret_hash(r->hash, secret, hit->length);
	redact(r->redacted, sizeof(r->redacted), secret, hit->length);
	return 0;
}

static int is_binary(const char *data, size_t len)
{
	return memchr(data, '\0', len < BINARY_PROBE ? len : BINARY_PROBE) != NULL;
}

/* Scans DATA as text, appending what it finds to HITS. */
static int scan_text(raw_hits *hits, gate_secrets *s, gate_scan_ctx *ctx, pcre2_match_data *md,
		     const char *data, size_t len)
{
	hit_ctx h;
	int rc;

	memset(&h, 0, sizeof(h));
	h.s = s;
	h.out = hits;
	h.md = md;
	rc = gate_scan(ctx, data, len, on_hit, &h);
	if (h.rc < 0)
		return h.rc;
	return rc < 0 ? rc : 0;
}

/*
 * A binary blob: decoded and scanned when it is UTF-16, and scanned on its
 * runs of printable text in place.  1 when it has neither (the caller names
 * it as not scanned under each of its paths), 0, or an error.  The extra
 * copies are made only here, for the few blobs that need them.
 */
static int scan_binary(raw_hits *hits, gate_secret_report *report, gate_secrets *s,
		       gate_scan_ctx *ctx, pcre2_match_data *md, const char *data, size_t len)
{
	char *text = NULL;
	size_t bom, tlen;
	gate_utf16 enc = gate_textscan_utf16(data, len, &bom);
	int rc = 0, looked = 0;

	if (enc != GATE_UTF16_NONE) {
		rc = gate_textscan_utf16_decode(&text, &tlen, data + bom, len - bom, enc);
		if (rc == 0)
			rc = scan_text(hits, s, ctx, md, text, tlen);
		gate_free(text);
		text = NULL;
		report->decoded_utf16 += rc == 0;
		looked = 1;
	}
	if (rc == 0 && (rc = gate_textscan_runs(&text, data, len, GATE_TEXT_RUN_MIN)) > 0) {
		rc = scan_text(hits, s, ctx, md, text, len);
		gate_free(text);
		report->binary_runs += rc == 0;
		looked = 1;
	}
	if (rc < 0)
		return rc;
	if (looked) {
		report->scanned++;
		report->scanned_bytes += len;
		return 0;
	}
	report->skipped_binary++;
	return 1;
}

/*
 * Scans DATA once into HITS (emptied first): 0, 1 for a binary blob with no
 * text in it (nothing scanned), or an error.
 */
static int scan_raw(raw_hits *hits, gate_secret_report *report, gate_secrets *s,
		    gate_scan_ctx *ctx, pcre2_match_data *md, const char *data, size_t len)
{
	hits->n = 0;
	if (is_binary(data, len))
		return scan_binary(hits, report, s, ctx, md, data, len);
	report->scanned++;
	report->scanned_bytes += len;
	return scan_text(hits, s, ctx, md, data, len);
}

/*
 * Appends HITS as findings at PATH, brought by JOB (index JOB_INDEX; NULL:
 * not from a push or range): each path has fingerprints of its own, so
 * .gatehouse/ignore entries are matched here, per path.
 */
static int emit(gate_secret_report *r, const gate_secrets *s, const raw_hits *hits,
		const char *path, const gate_blob_job *job, size_t job_index)
{
	size_t i;

	for (i = 0; i < hits->n; i++) {
		const raw_hit *h = &hits->items[i];
		gate_secret_finding *f;
		if (gate_grow(&r->items, &r->cap, r->count + 1, sizeof(*f)) < 0)
			return GATE_ENOMEM;
		f = &r->items[r->count];
		memset(f, 0, sizeof(*f));
		fingerprint_of(f->fingerprint, sizeof(f->fingerprint), h->rule->id, path, h->hash);
		if (ignored(s, f->fingerprint, h->rule->id, h->hash))
			continue;
		f->rule_id = gate_strdup(h->rule->id);
		f->path = gate_strdup(path);
		if (!f->rule_id || !f->path) {
			gate_free(f->rule_id);
			gate_free(f->path);
			return GATE_ENOMEM;
		}
		f->description = h->rule->description;
		f->rule_line = h->rule->builtin ? 0 : h->rule->line;
		f->line = h->line;
		f->column = h->column;
		memcpy(f->redacted, h->redacted, sizeof(f->redacted));
		if (job) {
			f->commit = job->commit;
			f->blob = job->blob;
			f->ref_index = job->ref_index;
			f->job = job_index;
		}
		r->count++;
	}
	return 0;
}

static int skip_list(gate_skipped_blob **list, size_t *n, size_t *cap, const char *path, size_t size)
{
	gate_skipped_blob *b;
	if (gate_grow(list, cap, *n + 1, sizeof(*b)) < 0)
		return GATE_ENOMEM;
	b = &(*list)[*n];
	b->path = gate_strdup(path);
	b->size = size;
	if (!b->path)
		return GATE_ENOMEM;
	(*n)++;
	return 0;
}

static int skip_large(gate_secret_report *r, const char *path, size_t size)
{
	return skip_list(&r->skipped_large, &r->n_skipped_large, &r->cap_skipped_large, path, size);
}

void gate_secret_report_dispose(gate_secret_report *r)
{
	size_t i;
	for (i = 0; i < r->count; i++) {
		gate_free(r->items[i].rule_id);
		gate_free(r->items[i].path);
		gate_free(r->items[i].name);
		gate_free(r->items[i].commit_subject);
	}
	for (i = 0; i < r->n_skipped_large; i++)
		gate_free(r->skipped_large[i].path);
	gate_free(r->skipped_large);
	for (i = 0; i < r->n_skipped_bin; i++)
		gate_free(r->skipped_bin[i].path);
	gate_free(r->skipped_bin);
	gate_free(r->items);
	memset(r, 0, sizeof(*r));
}

/* ---- jobs -------------------------------------------------------------------------- */

int gate_blob_jobs_add(gate_blob_jobs *jobs, const git_oid *blob, char *path, const git_oid *commit,
		       size_t ref)
{
	gate_blob_job *j;
	if (gate_grow(&jobs->items, &jobs->cap, jobs->count + 1, sizeof(*j)) < 0) {
		gate_free(path);
		return GATE_ENOMEM;
	}
	j = &jobs->items[jobs->count];
	memset(j, 0, sizeof(*j));
	j->blob = *blob;
	j->path = path;
	if (commit) {
		j->commit = *commit;
		j->has_commit = 1;
	}
	j->ref_index = ref;
	jobs->count++;
	if (gate_oidmap_get(&jobs->claimed, blob, NULL))
		return 0; /* the blob's first job stays its claim */
	return gate_oidmap_put(&jobs->claimed, blob, jobs->count - 1);
}

/* A job seen by blob: sorting these needs no access to the job list. */
typedef struct {
	const git_oid *blob;
	const char *path;
	size_t i;
} job_key;

/* By blob, then path, then index (the oldest first). */
static int by_blob_path(const void *a, const void *b)
{
	const job_key *x = a, *y = b;
	int c = git_oid_cmp(x->blob, y->blob);
	if (!c)
		c = strcmp(x->path, y->path);
	return c ? c : x->i < y->i ? -1 : (x->i > y->i);
}

/* By blob, then index. */
static int by_blob(const void *a, const void *b)
{
	const job_key *x = a, *y = b;
	int c = git_oid_cmp(x->blob, y->blob);
	return c ? c : x->i < y->i ? -1 : (x->i > y->i);
}

/* JOBS as keys sorted with CMP: a new array of JOBS->count, or NULL. */
static job_key *sorted_keys(const gate_blob_jobs *jobs, int (*cmp)(const void *, const void *))
{
	job_key *k = gate_calloc(jobs->count ? jobs->count : 1, sizeof(*k));
	size_t i;
	if (!k)
		return NULL;
	for (i = 0; i < jobs->count; i++) {
		k[i].blob = &jobs->items[i].blob;
		k[i].path = jobs->items[i].path;
		k[i].i = i;
	}
	qsort(k, jobs->count, sizeof(*k), cmp);
	return k;
}

int gate_blob_jobs_dedupe(gate_blob_jobs *jobs)
{
	job_key *k;
	unsigned char *drop;
	size_t i, out = 0;
	int rc = 0;

	if (jobs->count < 2)
		return 0;
	k = sorted_keys(jobs, by_blob_path);
	drop = gate_calloc(jobs->count, 1);
	if (!k || !drop) {
		gate_free(k);
		gate_free(drop);
		return gate_error_oom();
	}
	/* the same bytes at the same path again: the oldest commit that brought them stands */
	for (i = 1; i < jobs->count; i++)
		if (git_oid_equal(k[i].blob, k[i - 1].blob) && !strcmp(k[i].path, k[i - 1].path))
			drop[k[i].i] = 1;
	gate_free(k);
	for (i = 0; i < jobs->count; i++) {
		if (drop[i]) {
			gate_free(jobs->items[i].path);
			continue;
		}
		jobs->items[out++] = jobs->items[i];
	}
	jobs->count = out;
	gate_free(drop);
	gate_oidmap_dispose(&jobs->claimed);
	for (i = 0; i < jobs->count && rc == 0; i++)
		if (!gate_oidmap_get(&jobs->claimed, &jobs->items[i].blob, NULL))
			rc = gate_oidmap_put(&jobs->claimed, &jobs->items[i].blob, i);
	return rc;
}

void gate_blob_jobs_dispose(gate_blob_jobs *jobs)
{
	size_t i;
	for (i = 0; i < jobs->count; i++)
		gate_free(jobs->items[i].path);
	gate_free(jobs->items);
	gate_oidmap_dispose(&jobs->claimed);
	memset(jobs, 0, sizeof(*jobs));
}

typedef struct {
	git_oid id;
	git_time_t time;
	size_t ref;
	size_t seen; /* discovery order from the tips: children before parents */
} commit_ref;

/* Oldest first; within one second, parents before the children that found them. */
static int by_time(const void *a, const void *b)
{
	const commit_ref *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seen > y->seen ? -1 : (x->seen < y->seen);
}

/* The threads a parallel stage uses: GATEHOUSE_THREADS, else the cores (1 to 8). */
static unsigned default_threads(void)
{
	const char *env = getenv("GATEHOUSE_THREADS");
	long cores = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	return cores < 1 ? 1 : cores > 8 ? 8 : (unsigned)cores;
}

/* A blob a commit introduces, before it is claimed. */
typedef struct {
	git_oid blob;
	char *path;
} found;

typedef struct {
	found *items;
	size_t n, cap;
} found_list;

/* One thread listing what a share of the commits introduce. */
typedef struct {
	const commit_ref *commits;
	size_t n;
	atomic_size_t *next;
	found_list *out;  /* one list per commit */
	const gate_newobjs *newobjs; /* NULL: every blob is a candidate */
	git_repository *repo;        /* borrowed (thread 0) or owned */
	int own_repo;                /* this thread's index: 0 borrows the caller's */
	gate_oidmap trees; /* new trees walked into (quarantine) */
	gate_treecache *cache;
	found_list *cur;
	const gate_limits *lim;    /* NULL: none checked */
	atomic_int *hit_taken;     /* the first thread past a limit reports it */
	atomic_size_t *push_paths; /* (commit, path) pairs listed so far, all threads */
	int oom;                   /* a new tree could not be remembered */
	gate_limit_hit *hit;
	const git_oid *commit;     /* the commit being listed */
	size_t ref, paths;         /* its update; paths it changed so far */
	int rc;
	char err[512];
} lister;

/* Walk callbacks return this to stop at a limit (positive: not an error). */
#define LIMIT_STOP 1

/*
 * Records that the commit being listed exceeds limit WHICH (the first thread
 * to get here wins) and returns LIMIT_STOP.  FMT describes what exceeded it.
 */
static int limit_hit(lister *l, int which, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int limit_hit(lister *l, int which, const char *fmt, ...)
{
	char hex[11];
	va_list ap;
	int expected = 0;

	if (atomic_compare_exchange_strong(l->hit_taken, &expected, 1)) {
		gate_buf b = GATE_BUF_INIT;
		char raw[400];
		size_t n;
		va_start(ap, fmt);
		vsnprintf(raw, sizeof(raw), fmt, ap);
		va_end(ap);
		git_oid_tostr(hex, sizeof(hex), l->commit);
		gate_buf_printf(&b, "commit %s: ", hex);
		gate_buf_put_escaped(&b, raw, strlen(raw));
		gate_buf_printf(&b, "; settings.limits.%s allows %u %s", gate_limit_defs[which].key,
				l->lim->value[which], gate_limit_defs[which].what);
		l->hit->which = which;
		l->hit->ref_index = l->ref;
		n = b.oom ? 0 : b.len;
		snprintf(l->hit->detail, sizeof(l->hit->detail), "%.*s", (int)n, b.oom ? "" : b.ptr);
		gate_buf_dispose(&b);
	}
	return LIMIT_STOP;
}

/*
 * The limits on one path a commit changes (ADDED: it is on the new side).
 * Every changed (commit, path) pair counts toward paths_per_push, which
 * bounds the product of commits and paths that each limit bounds alone.
 */
static int check_path(lister *l, const char *path, int added)
{
	const unsigned *v = l->lim->value;
	size_t len = strlen(path), depth = 0, i;

	if (atomic_fetch_add(l->push_paths, 1) >= v[GATE_LIMIT_PATHS_PER_PUSH])
		return limit_hit(l, GATE_LIMIT_PATHS_PER_PUSH,
				 "the push changes more than %u (commit, path) pairs in all",
				 v[GATE_LIMIT_PATHS_PER_PUSH]);
	if (!added)
		return 0;
	if (++l->paths > v[GATE_LIMIT_PATHS_PER_COMMIT])
		return limit_hit(l, GATE_LIMIT_PATHS_PER_COMMIT, "changes more than %u paths",
				 v[GATE_LIMIT_PATHS_PER_COMMIT]);
	for (i = 0; i < len; i++)
		depth += path[i] == '/';
	if (depth > v[GATE_LIMIT_TREE_DEPTH])
		return limit_hit(l, GATE_LIMIT_TREE_DEPTH, "path '%.60s...' is %zu directories deep",
				 path, depth);
	if (len > v[GATE_LIMIT_PATH_BYTES])
		return limit_hit(l, GATE_LIMIT_PATH_BYTES, "path '%.60s...' is %zu bytes long", path,
				 len);
	return 0;
}

/* The limits on one commit's header and message. */
static int check_commit(lister *l, const git_commit *c)
{
	const unsigned *v = l->lim->value;
	const char *msg = git_commit_message(c);
	size_t len = msg ? strlen(msg) : 0;
	gate_trailers t = GATE_TRAILERS_INIT;
	int rc;

	if (git_commit_parentcount(c) > v[GATE_LIMIT_PARENTS])
		return limit_hit(l, GATE_LIMIT_PARENTS, "has %u parents", git_commit_parentcount(c));
	if (len > v[GATE_LIMIT_MESSAGE_BYTES])
		return limit_hit(l, GATE_LIMIT_MESSAGE_BYTES, "its message is %zu bytes long", len);
	if ((rc = gate_trailers_parse(&t, msg ? msg : "")) < 0)
		return rc;
	rc = t.total > v[GATE_LIMIT_TRAILERS]
		     ? limit_hit(l, GATE_LIMIT_TRAILERS, "its message has %zu trailers", t.total)
		     : 0;
	gate_trailers_dispose(&t);
	return rc;
}

static int on_entry(const char *path, const git_tree_entry *o, const git_tree_entry *n, void *payload)
{
	lister *l = payload;
	found_list *f = l->cur;
	int rc;
	(void)o;
	if (l->lim && (rc = check_path(l, path, n != NULL)) != 0)
		return rc;
	/*
	 * Every path the commit adds or changes, whatever its blob: a blob
	 * already on the server (a revert, a copy, a rename) is judged again
	 * under its new path, since allow_paths, fingerprints and the content
	 * policies all depend on where the bytes are.
	 */
	if (!n || git_tree_entry_type(n) != GIT_OBJECT_BLOB ||
	    git_tree_entry_filemode(n) == GIT_FILEMODE_COMMIT)
		return 0;
	if (gate_grow(&f->items, &f->cap, f->n + 1, sizeof(*f->items)) < 0)
		return GATE_ENOMEM;
	f->items[f->n].blob = *git_tree_entry_id(n);
	if (!(f->items[f->n].path = gate_strdup(path)))
		return GATE_ENOMEM;
	f->n++;
	return 0;
}

/*
 * Every changed subtree is walked, new or not: a directory renamed to a
 * path a policy covers keeps its old tree id.  New trees are remembered, so
 * the leftovers of the quarantine need no type lookup.
 */
static int descend_new(const git_oid *tree, void *payload)
{
	lister *l = payload;
	if (l->newobjs && l->newobjs->source == GATE_NEW_FROM_QUARANTINE &&
	    gate_newobjs_is_new(l->newobjs, tree, GIT_OBJECT_TREE) &&
	    gate_oidmap_put(&l->trees, tree, 1) < 0)
		l->oom = 1;
	return 1;
}

/* Lists into L->cur the blobs commit ID introduces against its first parent. */
static int commit_found(lister *l, const git_oid *id)
{
	git_commit *c = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	int rc;

	if ((rc = git_commit_lookup(&c, l->repo, id)) < 0 ||
	    (rc = gate_treecache_lookup(&tree, l->cache, l->repo, git_commit_tree_id(c))) < 0) {
		rc = gate_error_from_git(rc, "reading a pushed commit");
		goto out;
	}
	l->commit = id;
	l->paths = 0;
	if (l->lim && (rc = check_commit(l, c)) != 0)
		goto out;
	if (git_commit_parentcount(c) > 0) {
		if (git_commit_parent(&parent, c, 0) == 0)
			gate_treecache_lookup(&ptree, l->cache, l->repo, git_commit_tree_id(parent));
		git_error_clear();
	}
	rc = gate_treediff_cached(l->repo, ptree, tree, on_entry, descend_new, l, l->cache);
	if (rc == 0 && l->oom)
		rc = gate_error_oom();
out:
	git_tree_free(ptree);
	git_commit_free(parent);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

#define LIST_RUN 32

static void *list_work(void *arg)
{
	lister *l = arg;
	int rc = 0;

	if ((l->own_repo && (rc = gate_repo_open_reader(&l->repo, l->repo)) < 0) ||
	    (rc = gate_treecache_new(&l->cache)) < 0)
		goto out;
	for (;;) {
		/* runs of consecutive commits, whose trees the cache carries over */
		size_t i = atomic_fetch_add(l->next, LIST_RUN), end = i + LIST_RUN;
		if (i >= l->n)
			break;
		for (; i < end && i < l->n; i++) {
			gate_treecache_next(l->cache);
			l->cur = &l->out[i];
			l->ref = l->commits[i].ref;
			if ((rc = commit_found(l, &l->commits[i].id)) != 0) {
				atomic_store(l->next, l->n); /* stop the other threads too */
				if (rc == LIMIT_STOP)
					rc = 0; /* the push is rejected: nothing more to list */
				goto out;
			}
		}
	}
out:
	gate_treecache_free(l->cache);
	if (rc < 0)
		snprintf(l->err, sizeof(l->err), "%s", gate_error_last());
	l->rc = rc;
	if (l->own_repo)
		git_repository_free(l->repo);
	return NULL;
}

static void found_dispose(found_list *f)
{
	size_t i;
	for (i = 0; i < f->n; i++)
		gate_free(f->items[i].path);
	gate_free(f->items);
	memset(f, 0, sizeof(*f));
}

/*
 * Adds to JOBS the blobs COMMITS (oldest first) introduce, each against its
 * first parent: the tree comparisons run on several threads, each with its
 * own repository handle, and their results are claimed in commit order, so a
 * blob is attributed to the oldest commit that brought it.  TREES, when not
 * NULL, receives every new tree walked into.
 */
static int build_jobs(gate_blob_jobs *jobs, git_repository *repo, const commit_ref *commits,
		      size_t n, const gate_newobjs *newobjs, gate_oidmap *trees,
		      const gate_limits *lim)
{
	unsigned threads = n < 32 ? 1 : default_threads();
	atomic_size_t next = 0;
	atomic_int hit_taken = 0;
	atomic_size_t push_paths = 0;
	found_list *out;
	lister *ls;
	pthread_t *tids;
	size_t i, j, started = 0;
	int rc = 0;

	if (!n)
		return 0;
	out = gate_calloc(n, sizeof(*out));
	ls = gate_calloc(threads, sizeof(*ls));
	tids = gate_calloc(threads, sizeof(*tids));
	if (!out || !ls || !tids) {
		rc = GATE_ENOMEM;
		goto done;
	}
	for (i = 0; i < threads; i++) {
		ls[i].commits = commits;
		ls[i].n = n;
		ls[i].next = &next;
		ls[i].out = out;
		ls[i].newobjs = newobjs;
		ls[i].lim = lim;
		ls[i].hit_taken = &hit_taken;
		ls[i].push_paths = &push_paths;
		ls[i].hit = &jobs->hit;
		ls[i].repo = repo;
		ls[i].own_repo = (int)i; /* libgit2: one repository handle per thread */
	}
	for (i = 1; i < threads; i++) {
		if (pthread_create(&tids[i], NULL, list_work, &ls[i]) != 0)
			break;
		started = i;
	}
	list_work(&ls[0]);
	for (i = 1; i <= started; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i < threads && rc == 0; i++)
		if (ls[i].rc < 0)
			rc = gate_error_set(ls[i].rc, "%s", ls[i].err);
	if (jobs->hit.which >= 0)
		goto done; /* to be rejected whole: nothing to claim */
	/* claimed in commit order: the oldest commit that brought a blob names it */
	for (i = 0; i < n && rc == 0; i++)
		for (j = 0; j < out[i].n && rc == 0; j++) {
			found *f = &out[i].items[j];
			rc = gate_blob_jobs_add(jobs, &f->blob, f->path, &commits[i].id, commits[i].ref);
			f->path = NULL; /* taken over */
		}
	if (rc == 0)
		rc = gate_blob_jobs_dedupe(jobs);
	for (i = 0; trees && i < threads && rc == 0; i++)
		for (j = 0; j < ls[i].trees.cap && rc == 0; j++)
			if (ls[i].trees.used[j])
				rc = gate_oidmap_put(trees, &ls[i].trees.keys[j], 1);
done:
	for (i = 0; out && i < n; i++)
		found_dispose(&out[i]);
	for (i = 0; ls && i < threads; i++)
		gate_oidmap_dispose(&ls[i].trees);
	gate_free(out);
	gate_free(ls);
	gate_free(tids);
	return rc;
}

/*
 * The quarantine's objects no commit comparison met (a blob only under a
 * tag, an object no ref reaches): their type is read now, and the blobs
 * among them are scanned without a path.
 */
static int leftover_jobs(gate_blob_jobs *jobs, git_repository *repo, const gate_newobjs *newobjs,
			 const gate_oidmap *trees, size_t ref)
{
	const gate_oidmap *t = &newobjs->types;
	git_odb *odb = NULL;
	size_t i, size;
	git_object_t type;
	int rc;

	if ((rc = git_repository_odb(&odb, repo)) < 0)
		return gate_error_from_git(rc, "opening the object store");
	for (i = 0; i < t->cap && rc == 0; i++) {
		if (!t->used[i] || t->vals[i] != GATE_NEW_UNTYPED ||
		    gate_oidmap_get(&jobs->claimed, &t->keys[i], NULL) ||
		    gate_oidmap_get(trees, &t->keys[i], NULL))
			continue;
		if ((rc = git_odb_read_header(&size, &type, odb, &t->keys[i])) < 0)
			rc = gate_error_from_git(rc, "reading a pushed object");
		else if (type == GIT_OBJECT_BLOB) {
			char *none = gate_strdup("");
			rc = none ? gate_blob_jobs_add(jobs, &t->keys[i], none, NULL, ref) : GATE_ENOMEM;
		}
	}
	git_odb_free(odb);
	return rc;
}

typedef struct {
	const gate_newobjs *newobjs;
	gate_oidmap visited;
	commit_ref *commits;
	size_t n, cap;
} collect_ctx;

static int new_unvisited(const git_oid *id, void *payload)
{
	collect_ctx *c = payload;
	return gate_newobjs_has_commit(c->newobjs, id) && !gate_oidmap_get(&c->visited, id, NULL);
}

static int collect_commit(git_commit *commit, size_t ref, void *payload)
{
	collect_ctx *c = payload;
	commit_ref *r;
	if (gate_oidmap_put(&c->visited, git_commit_id(commit), ref) < 0 ||
	    gate_grow(&c->commits, &c->cap, c->n + 1, sizeof(*c->commits)) < 0)
		return GATE_ENOMEM;
	r = &c->commits[c->n];
	r->id = *git_commit_id(commit);
	r->time = git_commit_time(commit);
	r->ref = ref;
	r->seen = c->n++;
	return 0;
}

int gate_secrets_push_jobs(gate_blob_jobs *jobs, git_repository *repo, const gate_push *push,
			   const gate_newobjs *newobjs, const gate_limits *limits)
{
	gate_oidmap trees = GATE_OIDMAP_INIT;
	collect_ctx c;
	commit_ref *commits;
	size_t n, k, first_ref = 0;
	int rc, have_first = 0;

	for (k = 0; k < push->count && !have_first; k++)
		if (push->items[k].kind != GATE_UPD_DELETE) {
			first_ref = k;
			have_first = 1;
		}
	memset(&c, 0, sizeof(c));
	c.newobjs = newobjs;
	rc = gate_newobjs_walk(repo, push, new_unvisited, collect_commit, &c);
	commits = c.commits;
	n = c.n;
	/* oldest first, so a blob is attributed to the commit that introduced it */
	if (rc == 0 && n)
		qsort(commits, n, sizeof(*commits), by_time);
	if (rc == 0)
		rc = build_jobs(jobs, repo, commits, n, newobjs, &trees, limits);
	if (rc == 0 && jobs->hit.which < 0 && newobjs->source == GATE_NEW_FROM_QUARANTINE &&
	    have_first)
		rc = leftover_jobs(jobs, repo, newobjs, &trees, first_ref);
	gate_oidmap_dispose(&c.visited);
	gate_oidmap_dispose(&trees);
	gate_free(commits);
	return rc;
}

/* ---- blobs and trees a ref names directly --------------------------------------- */

typedef struct {
	gate_blob_jobs *jobs;
	const gate_limits *limits;
	const char *ref;
	size_t ref_index, paths;
	int rc;
} direct_ctx;

/* Sets JOBS->hit for limit WHICH, found in the tree REF names. */
static void direct_hit(direct_ctx *c, int which, const char *what)
{
	gate_buf b = GATE_BUF_INIT;
	gate_buf_puts(&b, "the tree ");
	gate_buf_put_escaped(&b, c->ref, strlen(c->ref));
	gate_buf_printf(&b, " names %s", what);
	c->jobs->hit.which = which;
	c->jobs->hit.ref_index = c->ref_index;
	snprintf(c->jobs->hit.detail, sizeof(c->jobs->hit.detail), "%s",
		 b.oom ? "a tree past a limit" : gate_buf_cstr(&b));
	gate_buf_dispose(&b);
}

static int direct_each(const char *root, const git_tree_entry *e, void *payload)
{
	direct_ctx *c = payload;
	const char *name = git_tree_entry_name(e);
	size_t depth = 0;
	const char *p;
	char what[160];
	gate_buf path = GATE_BUF_INIT;

	for (p = root; *p; p++)
		depth += *p == '/';
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		if (c->limits && depth + 1 > c->limits->value[GATE_LIMIT_TREE_DEPTH]) {
			snprintf(what, sizeof(what), "directories nested deeper than %u (settings.limits.tree_depth)",
				 c->limits->value[GATE_LIMIT_TREE_DEPTH]);
			direct_hit(c, GATE_LIMIT_TREE_DEPTH, what);
			return -1;
		}
		return 0;
	}
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0; /* a submodule's commit lives elsewhere */
	if (c->limits && ++c->paths > c->limits->value[GATE_LIMIT_PATHS_PER_COMMIT]) {
		snprintf(what, sizeof(what), "more than %u paths (settings.limits.paths_per_commit)",
			 c->limits->value[GATE_LIMIT_PATHS_PER_COMMIT]);
		direct_hit(c, GATE_LIMIT_PATHS_PER_COMMIT, what);
		return -1;
	}
	gate_buf_printf(&path, "%s%s", root, name);
	if (path.oom) {
		c->rc = GATE_ENOMEM;
		return -1;
	}
	if ((c->rc = gate_blob_jobs_add(c->jobs, git_tree_entry_id(e), gate_buf_detach(&path), NULL,
					c->ref_index)) < 0)
		return -1;
	return 0;
}

int gate_secrets_direct_jobs(gate_blob_jobs *jobs, git_repository *repo, const gate_push *push,
			     const gate_newobjs *newobjs, const gate_limits *limits)
{
	size_t k;
	int rc = 0;

	if (newobjs->source == GATE_NEW_FROM_QUARANTINE)
		return 0; /* the quarantine listing holds every new blob, named or not */
	for (k = 0; rc == 0 && k < push->count && jobs->hit.which < 0; k++) {
		const gate_update *u = &push->items[k];
		git_object *obj = NULL, *target = NULL;
		if (u->kind == GATE_UPD_DELETE)
			continue;
		if ((rc = git_object_lookup(&obj, repo, &u->new_id, GIT_OBJECT_ANY)) < 0) {
			rc = gate_error_from_git(rc, u->ref);
			break;
		}
		/* through any chain of annotated tags to what they finally name */
		rc = git_object_type(obj) == GIT_OBJECT_TAG ? git_tag_peel(&target, (git_tag *)obj)
							    : git_object_dup(&target, obj);
		if (rc < 0) {
			rc = gate_error_from_git(rc, u->ref);
		} else if (git_object_type(target) == GIT_OBJECT_BLOB) {
			char *path = gate_strdup("");
			rc = path ? gate_blob_jobs_add(jobs, git_object_id(target), path, NULL, k)
				  : GATE_ENOMEM;
		} else if (git_object_type(target) == GIT_OBJECT_TREE) {
			direct_ctx c;
			memset(&c, 0, sizeof(c));
			c.jobs = jobs;
			c.limits = limits;
			c.ref = u->ref;
			c.ref_index = k;
			rc = git_tree_walk((git_tree *)target, GIT_TREEWALK_PRE, direct_each, &c);
			if (c.rc < 0)
				rc = c.rc;
			else if (rc < 0 && jobs->hit.which >= 0)
				rc = 0; /* stopped at a limit: the hit says which */
			else if (rc < 0)
				rc = gate_error_from_git(rc, u->ref);
			git_error_clear();
		}
		git_object_free(target);
		git_object_free(obj);
	}
	return rc;
}

int gate_secrets_range_jobs(gate_blob_jobs *jobs, git_repository *repo, const char *revspec)
{
	git_revwalk *walk = NULL;
	commit_ref *commits = NULL;
	size_t n = 0, cap = 0;
	git_oid id;
	int rc;

	if ((rc = git_revwalk_new(&walk, repo)) < 0)
		return gate_error_from_git(rc, "starting a revision walk");
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if (strstr(revspec, ".."))
		rc = git_revwalk_push_range(walk, revspec);
	else {
		git_object *obj = NULL;
		rc = git_revparse_single(&obj, repo, revspec);
		if (rc == 0)
			rc = git_revwalk_push(walk, git_object_id(obj));
		git_object_free(obj);
	}
	if (rc < 0) {
		rc = gate_error_from_git(rc, revspec);
		goto out;
	}
	while ((rc = git_revwalk_next(&id, walk)) == 0) {
		if (gate_grow(&commits, &cap, n + 1, sizeof(*commits)) < 0) {
			rc = GATE_ENOMEM;
			goto out;
		}
		memset(&commits[n], 0, sizeof(*commits));
		commits[n++].id = id;
	}
	if (rc != GIT_ITEROVER) {
		rc = gate_error_from_git(rc, "walking the range");
		goto out;
	}
	rc = build_jobs(jobs, repo, commits, n, NULL, NULL, NULL);
out:
	gate_free(commits);
	git_revwalk_free(walk);
	return rc;
}

/* ---- parallel scan ------------------------------------------------------------------ */

static int merge(gate_secret_report *dst, gate_secret_report *src)
{
	size_t i;
	if (gate_grow(&dst->items, &dst->cap, dst->count + src->count, sizeof(*dst->items)) < 0 ||
	    gate_grow(&dst->skipped_large, &dst->cap_skipped_large,
		      dst->n_skipped_large + src->n_skipped_large, sizeof(*dst->skipped_large)) < 0 ||
	    gate_grow(&dst->skipped_bin, &dst->cap_skipped_bin, dst->n_skipped_bin + src->n_skipped_bin,
		      sizeof(*dst->skipped_bin)) < 0)
		return GATE_ENOMEM;
	for (i = 0; i < src->count; i++)
		dst->items[dst->count++] = src->items[i];
	for (i = 0; i < src->n_skipped_large; i++)
		dst->skipped_large[dst->n_skipped_large++] = src->skipped_large[i];
	for (i = 0; i < src->n_skipped_bin; i++)
		dst->skipped_bin[dst->n_skipped_bin++] = src->skipped_bin[i];
	dst->scanned += src->scanned;
	dst->scanned_bytes += src->scanned_bytes;
	dst->skipped_binary += src->skipped_binary;
	dst->decoded_utf16 += src->decoded_utf16;
	dst->binary_runs += src->binary_runs;
	src->count = src->n_skipped_large = src->n_skipped_bin = 0;
	return 0;
}

static int finding_cmp(const void *a, const void *b)
{
	const gate_secret_finding *x = a, *y = b;
	int c;
	if (x->ref_index != y->ref_index)
		return x->ref_index < y->ref_index ? -1 : 1;
	if (x->where != y->where)
		return x->where < y->where ? -1 : 1;
	if ((c = strcmp(x->path, y->path)))
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	/* two rules, or two versions of the file, on one spot: the same order every run */
	if ((c = strcmp(x->rule_id, y->rule_id)))
		return c;
	if (x->job != y->job)
		return x->job < y->job ? -1 : 1;
	return git_oid_cmp(&x->commit, &y->commit);
}

static int skipped_cmp(const void *a, const void *b)
{
	const gate_skipped_blob *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : x->size < y->size ? -1 : (x->size > y->size);
}

static int by_fingerprint(const void *a, const void *b)
{
	const gate_secret_finding *x = a, *y = b;
	int c = strcmp(x->fingerprint, y->fingerprint);
	if (c)
		return c;
	if (x->ref_index != y->ref_index)
		return x->ref_index < y->ref_index ? -1 : 1;
	return x->job < y->job ? -1 : (x->job > y->job);
}

/*
 * One finding per secret, path and update: the blob that introduced it
 * (jobs run oldest commit first) stands for the later versions of the file
 * that still carry it.
 */
static void dedupe(gate_secret_report *r)
{
	size_t i, out = 0;
	if (r->count < 2)
		return;
	qsort(r->items, r->count, sizeof(*r->items), by_fingerprint);
	for (i = 0; i < r->count; i++) {
		gate_secret_finding *f = &r->items[i];
		if (out && !strcmp(r->items[out - 1].fingerprint, f->fingerprint) &&
		    r->items[out - 1].ref_index == f->ref_index) {
			r->items[out - 1].also++;
			gate_free(f->rule_id);
			gate_free(f->path);
			gate_free(f->name);
			gate_free(f->commit_subject);
			continue;
		}
		r->items[out++] = *f;
	}
	r->count = out;
}

void gate_secret_report_sort(gate_secret_report *r)
{
	/* threads finish in any order: what they report does not */
	if (r->count)
		qsort(r->items, r->count, sizeof(*r->items), finding_cmp);
	if (r->n_skipped_large)
		qsort(r->skipped_large, r->n_skipped_large, sizeof(*r->skipped_large), skipped_cmp);
	if (r->n_skipped_bin)
		qsort(r->skipped_bin, r->n_skipped_bin, sizeof(*r->skipped_bin), skipped_cmp);
}

/*
 * Where the scanning threads' items come from: the blobs of a push or a
 * range (one item a blob, with every path it is at), or files on disk (one
 * path each).  The scanner sees bytes; the paths decide what is reported.
 */
typedef struct {
	const char *data;              /* the bytes; NULL: nothing to scan */
	size_t len;                    /* their length, or the size of what is too large */
	int too_large;                 /* over max_blob_bytes: reported, never read */
	void *hold;                    /* what the source releases after the scan */
} scan_item;

typedef struct scan_source scan_source;
struct scan_source {
	size_t count;
	/* each thread's own set-up (thread 0 is the caller's) and tear-down; may be NULL */
	int (*open)(const scan_source *src, void **state, unsigned thread);
	void (*close)(void *state);
	/* how many paths item I is at, and the K-th, before anything is read */
	size_t (*n_paths)(const scan_source *src, size_t i);
	const char *(*path)(const scan_source *src, size_t i, size_t k);
	/* the job behind item I's K-th path and its index, or NULL (files) */
	const gate_blob_job *(*job)(const scan_source *src, size_t i, size_t k, size_t *index);
	/* fills IT for item I, under MAX bytes: 0, or a GATE_E* error */
	int (*read)(const scan_source *src, void *state, size_t i, size_t max, scan_item *it);
	void (*release)(scan_item *it);
};

typedef struct {
	gate_secret_report report;
	int rc;
	char err[512];
	gate_secrets *s;
	const scan_source *src;
	atomic_size_t *next;
	unsigned thread;
	double next_progress; /* thread 0: when to call s->progress next */
	raw_hits hits;        /* the current item's, reused */
	unsigned char *want;  /* per path of the current item: not allowlisted */
	size_t cap_want;
} worker;

/* Marks in W->want which of item I's N paths are judged (not allowlisted); how many. */
static size_t wanted_paths(worker *w, size_t i, size_t n)
{
	size_t k, wanted = 0;
	if (gate_grow(&w->want, &w->cap_want, n ? n : 1, 1) < 0)
		return (size_t)-1;
	for (k = 0; k < n; k++) {
		const char *p = w->src->path(w->src, i, k);
		w->want[k] = !*p || !path_allowed(w->s, p);
		wanted += w->want[k];
	}
	return wanted;
}

/* Scans item I once and reports it under each of its N judged paths. */
static int scan_item_paths(worker *w, gate_scan_ctx *ctx, pcre2_match_data *md, void *state,
			   size_t i, size_t n)
{
	const scan_source *src = w->src;
	scan_item it;
	size_t k, index = 0;
	int rc, unscanned;

	memset(&it, 0, sizeof(it));
	if ((rc = src->read(src, state, i, w->s->max_blob, &it)) < 0)
		return rc;
	if (!it.too_large && it.data)
		rc = scan_raw(&w->hits, &w->report, w->s, ctx, md, it.data, it.len);
	unscanned = rc == 1; /* a binary with no text in it */
	if (unscanned)
		rc = 0;
	for (k = 0; rc == 0 && k < n; k++) {
		const gate_blob_job *job;
		if (!w->want[k])
			continue;
		job = src->job ? src->job(src, i, k, &index) : NULL;
		if (it.too_large)
			rc = skip_large(&w->report, src->path(src, i, k), it.len);
		else if (unscanned)
			rc = skip_list(&w->report.skipped_bin, &w->report.n_skipped_bin,
				       &w->report.cap_skipped_bin, src->path(src, i, k), it.len);
		else if (it.data)
			rc = emit(&w->report, w->s, &w->hits, src->path(src, i, k), job, index);
	}
	if (it.hold)
		src->release(&it);
	return rc;
}

static void *work(void *arg)
{
	worker *w = arg;
	const scan_source *src = w->src;
	gate_scan_ctx *ctx = NULL;
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	void *state = NULL;
	int rc = md ? 0 : gate_error_oom();

	if (rc == 0 && src->open)
		rc = src->open(src, &state, w->thread);
	if (rc == 0)
		rc = gate_scan_ctx_new(&ctx, w->s->active);
	while (rc == 0) {
		size_t i = atomic_fetch_add(w->next, 1), n, wanted;
		if (i >= src->count)
			break;
		if (w->s->deadline > 0 && gate_now_ms() > w->s->deadline) {
			rc = gate_error_set(GATE_ELIMIT, "time budget of %u ms (settings.time_budget_ms) "
							 "exceeded while scanning for secrets: %zu of %zu "
							 "blobs done", w->s->budget_ms, i, src->count);
			break;
		}
		n = src->n_paths(src, i);
		if ((wanted = wanted_paths(w, i, n)) == (size_t)-1)
			rc = gate_error_oom();
		else if (wanted) /* every path allowlisted: never read */
			rc = scan_item_paths(w, ctx, md, state, i, n);
		if (rc == 0 && w->s->progress && w->thread == 0 && gate_now_ms() >= w->next_progress) {
			w->next_progress = gate_now_ms() + 200;
			w->s->progress(i, src->count, w->report.scanned_bytes, w->s->progress_payload);
		}
	}
	if (rc < 0) {
		atomic_store(w->next, src->count); /* stop the other threads too */
		snprintf(w->err, sizeof(w->err), "%s", gate_error_last());
	}
	w->rc = rc;
	gate_free(w->hits.items);
	gate_free(w->want);
	gate_scan_ctx_free(ctx);
	if (src->close)
		src->close(state);
	pcre2_match_data_free(md);
	return NULL;
}

/*
 * Scans SRC on THREADS threads (0: the default), the first the caller's,
 * and merges what they found into REPORT: 0, or the first thread's error.
 */
static int run_workers(gate_secret_report *report, gate_secrets *s, const scan_source *src,
		       unsigned threads)
{
	atomic_size_t next = 0;
	worker *ws;
	pthread_t *tids;
	size_t i, started = 0;
	int rc = 0;

	threads = src->count < 16 ? 1 : threads ? threads : default_threads(); /* few: one thread */
	ws = gate_calloc(threads, sizeof(*ws));
	tids = gate_calloc(threads, sizeof(*tids));
	if (!ws || !tids) {
		gate_free(ws);
		gate_free(tids);
		return GATE_ENOMEM;
	}
	for (i = 0; i < threads; i++) {
		ws[i].s = s;
		ws[i].src = src;
		ws[i].next = &next;
		ws[i].thread = (unsigned)i;
	}
	for (i = 1; i < threads; i++) {
		if (pthread_create(&tids[i], NULL, work, &ws[i]) != 0)
			break;
		started = i;
	}
	work(&ws[0]);
	for (i = 1; i <= started; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i < threads; i++) {
		if (ws[i].rc < 0 && rc == 0)
			rc = gate_error_set(ws[i].rc, "%s", ws[i].err);
		if (merge(report, &ws[i].report) < 0 && rc == 0)
			rc = GATE_ENOMEM;
		gate_secret_report_dispose(&ws[i].report);
	}
	gate_free(ws);
	gate_free(tids);
	return rc;
}

/* ---- sources: blobs ---------------------------------------------------------------- */

typedef struct {
	scan_source base; /* first */
	const gate_blob_jobs *jobs;
	git_repository *repo;
	const job_key *keys; /* the jobs by blob */
	const size_t *start; /* blob I's jobs: keys[start[I]] .. keys[start[I + 1] - 1] */
} blob_source;
_Static_assert(offsetof(blob_source, base) == 0, "a blob_source is read as its scan_source");

typedef struct {
	git_repository *repo; /* the caller's (thread 0) or a reader of its own */
	git_odb *odb;
	int own;
} blob_state;

static int blob_open(const scan_source *src, void **state, unsigned thread)
{
	const blob_source *b = (const blob_source *)src;
	blob_state *st = gate_calloc(1, sizeof(*st));
	int rc;

	if (!(*state = st))
		return gate_error_oom();
	st->repo = b->repo;
	/* libgit2: one repository handle per thread */
	if (thread && (rc = gate_repo_open_reader(&st->repo, b->repo)) < 0)
		return rc;
	st->own = thread != 0;
	if ((rc = git_repository_odb(&st->odb, st->repo)) < 0)
		return gate_error_from_git(rc, "opening the object store");
	return 0;
}

static void blob_close(void *state)
{
	blob_state *st = state;
	if (!st)
		return;
	git_odb_free(st->odb);
	if (st->own)
		git_repository_free(st->repo);
	gate_free(st);
}

static size_t blob_n_paths(const scan_source *src, size_t i)
{
	const blob_source *b = (const blob_source *)src;
	return b->start[i + 1] - b->start[i];
}

static const gate_blob_job *blob_job(const scan_source *src, size_t i, size_t k, size_t *index)
{
	const blob_source *b = (const blob_source *)src;
	*index = b->keys[b->start[i] + k].i;
	return &b->jobs->items[*index];
}

static const char *blob_path(const scan_source *src, size_t i, size_t k)
{
	size_t index;
	return blob_job(src, i, k, &index)->path;
}

static int blob_read(const scan_source *src, void *state, size_t i, size_t max, scan_item *it)
{
	const blob_source *b = (const blob_source *)src;
	const git_oid *blob = b->keys[b->start[i]].blob;
	blob_state *st = state;
	git_odb_object *obj;
	git_object_t type;
	size_t size;
	int rc;

	/* the size first: a blob over the limit is never loaded */
	if ((rc = git_odb_read_header(&size, &type, st->odb, blob)) < 0)
		return gate_error_from_git(rc, "reading a pushed blob");
	if (size > max) {
		it->too_large = 1;
		it->len = size;
		return 0;
	}
	if ((rc = git_odb_read(&obj, st->odb, blob)) < 0)
		return gate_error_from_git(rc, "reading a pushed blob");
	it->data = git_odb_object_data(obj);
	it->len = git_odb_object_size(obj);
	it->hold = obj;
	return 0;
}

static void blob_release(scan_item *it)
{
	git_odb_object_free(it->hold);
}

/* ---- sources: files ---------------------------------------------------------------- */

typedef struct {
	scan_source base; /* first */
	const char *const *paths;
} file_source;
_Static_assert(offsetof(file_source, base) == 0, "a file_source is read as its scan_source");

static size_t file_n_paths(const scan_source *src, size_t i)
{
	(void)src;
	(void)i;
	return 1;
}

static const char *file_path(const scan_source *src, size_t i, size_t k)
{
	(void)k;
	const char *p = ((const file_source *)src)->paths[i];
	return strncmp(p, "./", 2) ? p : p + 2; /* shown without a leading "./" */
}

static int file_read(const scan_source *src, void *state, size_t i, size_t max, scan_item *it)
{
	char *data;
	size_t len;
	int rc = gate_read_regular(&data, &len, ((const file_source *)src)->paths[i], max);

	(void)state;
	if (rc == GATE_ENOTFOUND) {
		gate_error_clear(); /* removed since the walk listed it: nothing to scan */
		return 0;
	}
	if (rc == GATE_READ_NOT_REGULAR)
		return 0; /* a symlink or a device now: not content */
	if (rc == GATE_READ_TOO_LARGE) {
		it->too_large = 1;
		it->len = len;
		return 0;
	}
	if (rc < 0)
		return rc;
	it->data = data;
	it->len = len;
	it->hold = data;
	return 0;
}

static void file_release(scan_item *it)
{
	gate_free(it->hold);
}

int gate_secrets_scan_files(gate_secret_report *report, gate_secrets *s, const char *const *paths,
			    size_t n, unsigned threads)
{
	file_source src = { { n, NULL, NULL, file_n_paths, file_path, NULL, file_read, file_release },
			    paths };
	int rc;

	if (s->disabled || !n)
		return 0;
	if ((rc = use_scanner(s, (size_t)-1)) < 0)
		return rc;
	rc = run_workers(report, s, &src.base, threads);
	gate_secret_report_sort(report);
	return rc;
}

int gate_secrets_scan_jobs(gate_secret_report *report, gate_secrets *s, const gate_blob_jobs *jobs,
			   git_repository *repo, unsigned threads)
{
	blob_source src = { { 0, blob_open, blob_close, blob_n_paths, blob_path, blob_job, blob_read,
			      blob_release },
			    jobs, repo, NULL, NULL };
	job_key *keys = NULL;
	size_t *start = NULL, i, n = 0;
	double t0 = gate_now_ms();
	int rc = 0;

	if (s->disabled || !jobs->count)
		return 0;
	/* one item a blob, with every path it is at: read and scanned once */
	keys = sorted_keys(jobs, by_blob);
	start = gate_calloc(jobs->count + 1, sizeof(*start));
	if (!keys || !start) {
		gate_free(keys);
		gate_free(start);
		return gate_error_oom();
	}
	for (i = 0; i < jobs->count; i++)
		if (!i || !git_oid_equal(keys[i].blob, keys[i - 1].blob))
			start[n++] = i;
	start[n] = jobs->count;
	src.base.count = n;
	src.keys = keys;
	src.start = start;
	{
		/* the engine follows the size of what is to be read */
		size_t total = 0, size;
		git_object_t type;
		git_odb *odb = NULL;
		if (jobs->count <= 64 && git_repository_odb(&odb, repo) == 0) {
			for (i = 0; i < jobs->count && total <= 64 * 1024; i++)
				total += git_odb_read_header(&size, &type, odb, &jobs->items[i].blob) == 0
						 ? size
						 : 64 * 1024 + 1;
		} else {
			total = (size_t)-1;
		}
		git_odb_free(odb);
		git_error_clear();
		if ((rc = use_scanner(s, total)) < 0) {
			gate_free(keys);
			gate_free(start);
			return rc;
		}
	}
	rc = run_workers(report, s, &src.base, threads);
	gate_free(keys);
	gate_free(start);
	if (s->progress)
		s->progress(jobs->count, jobs->count, report->scanned_bytes, s->progress_payload);
	dedupe(report);
	gate_secret_report_sort(report);
	for (i = 0; rc == 0 && i < report->count; i++) {
		gate_secret_finding *f = &report->items[i];
		git_commit *c = NULL;
		if (git_oid_is_zero(&f->commit))
			continue;
		if (git_commit_lookup(&c, repo, &f->commit) == 0) {
			const char *sum = git_commit_summary(c);
			f->commit_subject = gate_strndup(sum ? sum : "", sum ? strnlen(sum, 120) : 0);
		}
		git_commit_free(c);
		git_error_clear();
	}
	report->ms += gate_now_ms() - t0;
	return rc;
}


/* ---- text outside blobs ----------------------------------------------------------- */

#define TEXT_BATCH (4u * 1024 * 1024) /* bytes of text scanned in one pass */

/* Stands for the path in the fingerprint of a secret outside a file. */
static const char *const where_label[] = {
	[GATE_SECRET_IN_BLOB] = "",
	[GATE_SECRET_IN_COMMIT_MESSAGE] = "<commit-message>",
	[GATE_SECRET_IN_TAG_MESSAGE] = "<tag-message>",
	[GATE_SECRET_IN_PATH] = "<path>",
	[GATE_SECRET_IN_REF_NAME] = "<ref-name>",
};

/* One piece of text in the batch, at [START, START + LEN) of its buffer. */
typedef struct {
	gate_secret_where where;
	char *name;
	git_oid commit;
	size_t ref_index, start, len, first_line;
	int redact_only;
} text_item;

struct gate_text_batch {
	gate_secrets *s;
	gate_secret_report *report; /* NULL: redactions only */
	gate_redactions *red;
	gate_scanner *prev;         /* s->active before the batch: put back after it */
	gate_scan_ctx *ctx;
	pcre2_match_data *md;
	gate_buf text;              /* the pieces, each followed by a newline */
	text_item *items;
	size_t n, cap, lines;       /* lines: newlines in TEXT so far */
	size_t item_seq;            /* pieces before this pass (findings' tie-break) */
	int rc;
};

int gate_secrets_text_begin(gate_text_batch **out, gate_secrets *s, gate_secret_report *report,
			    gate_redactions *red)
{
	gate_text_batch *b = gate_calloc(1, sizeof(*b));

	*out = NULL;
	if (!b)
		return GATE_ENOMEM;
	b->s = s;
	b->report = report;
	b->red = red;
	b->prev = s->active;
	if (!(b->md = pcre2_match_data_create(1, NULL))) {
		gate_free(b);
		return gate_error_oom();
	}
	*out = b;
	return 0;
}

/* "commit 0123456789 message", "tag v1.0 message": how a text not scanned is named. */
static char *describe(const gate_text_origin *o)
{
	gate_buf b = GATE_BUF_INIT;
	char hex[11] = "";
	if (o->commit)
		git_oid_tostr(hex, sizeof(hex), o->commit);
	switch (o->where) {
	case GATE_SECRET_IN_COMMIT_MESSAGE:
		gate_buf_printf(&b, "commit %s message", hex);
		break;
	case GATE_SECRET_IN_TAG_MESSAGE:
		gate_buf_printf(&b, "tag %s message", o->name ? o->name : "");
		break;
	default:
		gate_buf_puts(&b, where_label[o->where]);
	}
	return b.oom ? NULL : gate_buf_detach(&b);
}

/* The piece that holds byte OFF of the batch's text. */
static const text_item *item_at(const gate_text_batch *b, size_t off)
{
	size_t lo = 0, hi = b->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->items[mid].start <= off)
			lo = mid;
		else
			hi = mid;
	}
	return &b->items[lo];
}

/* ITEM's text (a path) with the secret at [OFF, OFF + LEN) shown as SHOWN. */
static char *redacted_text(const gate_text_batch *b, const text_item *it, size_t off, size_t len,
			   const char *shown)
{
	const char *t = b->text.ptr + it->start;
	size_t rel = off - it->start, end = rel + len;
	gate_buf out = GATE_BUF_INIT;
	if (end > it->len)
		end = it->len;
	gate_buf_put(&out, t, rel);
	gate_buf_puts(&out, shown);
	gate_buf_put(&out, t + end, it->len - end);
	return out.oom ? NULL : gate_buf_detach(&out);
}

static int text_hit(const gate_secret_hit *hit, const char *data, size_t len, void *payload)
{
	gate_text_batch *b = payload;
	gate_secret_report *r = b->report;
	const text_item *it = item_at(b, hit->offset);
	const char *secret = data + hit->offset;
	gate_secret_finding *f;
	char fp[200], shown[48];
	(void)len;

	if (value_allowed(b->s, b->md, secret, hit->length))
		return 0;
	fingerprint(fp, sizeof(fp), hit->rule->id, where_label[it->where], secret, hit->length);
	if (ignored(b->s, fp, hit->rule->id, strrchr(fp, ':') + 1))
		return 0;
	redact(shown, sizeof(shown), secret, hit->length);
	if (gate_redactions_add(b->red, secret, hit->length, shown) < 0)
		goto oom;
	if (!r || it->redact_only)
		return 0;
	if (gate_grow(&r->items, &r->cap, r->count + 1, sizeof(*f)) < 0)
		goto oom;
	f = &r->items[r->count];
	memset(f, 0, sizeof(*f));
	f->rule_id = gate_strdup(hit->rule->id);
	f->path = it->where == GATE_SECRET_IN_PATH ? redacted_text(b, it, hit->offset, hit->length, shown)
						   : gate_strdup("");
	f->name = it->name ? gate_strdup(it->name) : NULL;
	if (!f->rule_id || !f->path || (it->name && !f->name)) {
		gate_free(f->rule_id);
		gate_free(f->path);
		gate_free(f->name);
		goto oom;
	}
	f->where = it->where;
	f->description = hit->rule->description;
	f->rule_line = hit->rule->builtin ? 0 : hit->rule->line;
	f->line = hit->line - it->first_line + 1;
	f->column = hit->column;
	f->commit = it->commit;
	f->ref_index = it->ref_index;
	f->job = b->item_seq + (size_t)(it - b->items);
	memcpy(f->redacted, shown, sizeof(f->redacted));
	memcpy(f->fingerprint, fp, sizeof(f->fingerprint));
	r->count++;
	return 0;
oom:
	b->rc = GATE_ENOMEM;
	return 1;
}

static void clear_items(gate_text_batch *b)
{
	size_t i;
	for (i = 0; i < b->n; i++)
		gate_free(b->items[i].name);
	b->item_seq += b->n;
	b->n = 0;
	b->lines = 0;
	gate_buf_clear(&b->text);
}

/*
 * Scans the pieces gathered so far.  The engine is chosen on the first
 * pass: by the size of the whole when it is the last (FINAL), else the one
 * for large scans.
 */
static int text_flush(gate_text_batch *b, int final)
{
	int rc = 0;

	if (!b->n)
		return 0;
	if (b->s->deadline > 0 && gate_now_ms() > b->s->deadline)
		return gate_error_set(GATE_ELIMIT, "time budget of %u ms (settings.time_budget_ms) "
						   "exceeded while scanning messages, paths and ref "
						   "names for secrets", b->s->budget_ms);
	if (!b->ctx && ((rc = use_scanner(b->s, final ? b->text.len : (size_t)-1)) < 0 ||
			(rc = gate_scan_ctx_new(&b->ctx, b->s->active)) < 0))
		return rc;
	if (b->text.oom)
		return GATE_ENOMEM;
	rc = gate_scan(b->ctx, b->text.ptr, b->text.len, text_hit, b);
	if (b->rc < 0)
		rc = b->rc;
	clear_items(b);
	return rc < 0 ? rc : 0;
}

int gate_secrets_text_add(gate_text_batch *b, const gate_text_origin *o, const char *text,
			  size_t len)
{
	text_item *it;
	const char *p, *end = text + len;
	int rc;

	if (b->s->disabled)
		return 0;
	if (o->where == GATE_SECRET_IN_PATH && path_allowed(b->s, text))
		return 0;
	if (len > b->s->max_blob) {
		char *what;
		if (!b->report || o->redact_only)
			return 0;
		if (!(what = describe(o)))
			return GATE_ENOMEM;
		rc = skip_large(b->report, what, len);
		gate_free(what);
		return rc;
	}
	if (b->n && b->text.len + len + 1 > TEXT_BATCH && (rc = text_flush(b, 0)) < 0)
		return rc;
	if (gate_grow(&b->items, &b->cap, b->n + 1, sizeof(*b->items)) < 0)
		return GATE_ENOMEM;
	it = &b->items[b->n];
	memset(it, 0, sizeof(*it));
	if (o->name && !(it->name = gate_strdup(o->name)))
		return GATE_ENOMEM;
	b->n++;
	it->where = o->where;
	if (o->commit)
		it->commit = *o->commit;
	it->ref_index = o->ref_index;
	it->redact_only = o->redact_only;
	it->start = b->text.len;
	it->len = len;
	it->first_line = b->lines + 1;
	/* one piece per line at least: no match runs from one piece into the next */
	if (gate_buf_put(&b->text, text, len) < 0 || gate_buf_put(&b->text, "\n", 1) < 0)
		return GATE_ENOMEM;
	for (p = text; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		b->lines++;
	b->lines++;
	return 0;
}

void gate_secrets_text_abort(gate_text_batch *b)
{
	if (!b)
		return;
	clear_items(b);
	if (b->prev)
		b->s->active = b->prev; /* the engine the blob scan reported */
	gate_scan_ctx_free(b->ctx);
	pcre2_match_data_free(b->md);
	gate_free(b->items);
	gate_buf_dispose(&b->text);
	gate_free(b);
}

int gate_secrets_text_finish(gate_text_batch *b)
{
	int rc;
	if (!b)
		return 0;
	rc = text_flush(b, 1);
	if (rc == 0 && b->report)
		gate_secret_report_sort(b->report);
	gate_secrets_text_abort(b);
	return rc;
}
