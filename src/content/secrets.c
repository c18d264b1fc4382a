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
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/glob.h"
#include "git/repo.h"
#include "content/check.h"
#include "content/secrets.h"
#include "content/textscan.h"

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
	gate_secret_report *report; /* where the content check's findings go */
	double t0;                  /* when its run began */
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
		const char *path, const gate_source_item *job, size_t job_index)
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

/* ---- the scan as a content check ------------------------------------------------------ */

/* One thread's scanner context and findings; the raw hits of the blob it is at. */
typedef struct {
	gate_secret_report report;
	gate_scan_ctx *ctx;
	pcre2_match_data *md;
	raw_hits hits;
	int unscanned; /* the blob is binary with no text in it */
} secret_thread;

/* Every path is judged but those under secrets.allow_paths; a blob under no path always. */
static int secret_applies(const void *cfg, const char *path)
{
	return !*path || !path_allowed(cfg, path);
}

/* The engine follows the size of what is to be read (a few small blobs: PCRE2 alone). */
static int secret_begin(void *cfg, const gate_source *src, git_repository *repo)
{
	gate_secrets *s = cfg;
	size_t total = 0, size, i;
	git_object_t type;
	git_odb *odb = NULL;

	s->t0 = gate_now_ms();
	if (!src->on_disk && src->count <= 64 && git_repository_odb(&odb, repo) == 0) {
		for (i = 0; i < src->count && total <= 64 * 1024; i++)
			total += git_odb_read_header(&size, &type, odb, &src->items[i].blob) == 0
					 ? size
					 : 64 * 1024 + 1;
	} else {
		total = (size_t)-1;
	}
	git_odb_free(odb);
	git_error_clear();
	return use_scanner(s, total);
}

static int secret_open(void *cfg, void **state)
{
	gate_secrets *s = cfg;
	secret_thread *t = gate_calloc(1, sizeof(*t));

	if (!(*state = t) || !(t->md = pcre2_match_data_create(1, NULL)))
		return gate_error_oom();
	return gate_scan_ctx_new(&t->ctx, s->active);
}

/* Scans the bytes once (at their first path), and reports them at each path. */
static int secret_check(void *cfg, void *state, const gate_content_item *it,
			gate_policy_findings *out)
{
	gate_secrets *s = cfg;
	secret_thread *t = state;
	gate_secret_report *r = &t->report;
	int rc;

	(void)out;
	if (it->too_large)
		return skip_large(r, it->path, it->len);
	if (!it->data)
		return 0;
	if (it->fresh) {
		if ((rc = scan_raw(&t->hits, r, s, t->ctx, t->md, it->data, it->len)) < 0)
			return rc;
		t->unscanned = rc == 1; /* a binary with no text in it */
	}
	if (t->unscanned)
		return skip_list(&r->skipped_bin, &r->n_skipped_bin, &r->cap_skipped_bin, it->path,
				 it->len);
	return emit(r, s, &t->hits, it->path, it->item, it->index);
}

static int secret_close(void *cfg, void *state)
{
	gate_secrets *s = cfg;
	secret_thread *t = state;
	int rc = merge(s->report, &t->report);

	gate_secret_report_dispose(&t->report);
	gate_free(t->hits.items);
	gate_scan_ctx_free(t->ctx);
	pcre2_match_data_free(t->md);
	gate_free(t);
	return rc;
}

/*
 * Findings in a stable order; a push's or a range's deduplicated (one per
 * secret, path and update) and with their commits' subjects.
 */
static int secret_end(void *cfg, const gate_source *src, git_repository *repo)
{
	gate_secrets *s = cfg;
	gate_secret_report *report = s->report;
	size_t i;

	if (!src->on_disk)
		dedupe(report);
	gate_secret_report_sort(report);
	for (i = 0; !src->on_disk && i < report->count; i++) {
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
	report->ms += gate_now_ms() - s->t0;
	return 0;
}

void gate_secrets_check(gate_content_check *check, gate_secrets *s, gate_secret_report *report)
{
	memset(check, 0, sizeof(*check));
	s->report = report;
	check->family = "secret";
	check->cfg = s;
	check->max_bytes = s->max_blob;
	check->applies = secret_applies;
	check->check = secret_check;
	check->begin = secret_begin;
	check->open = secret_open;
	check->close = secret_close;
	check->end = secret_end;
}

int gate_secrets_scan(gate_secret_report *report, gate_secrets *s, const gate_source *src,
		      git_repository *repo, unsigned threads)
{
	gate_content_check check;
	gate_content_opts opts = GATE_CONTENT_OPTS_INIT;

	if (s->disabled || !src->count)
		return 0;
	gate_secrets_check(&check, s, report);
	opts.threads = threads;
	opts.progress = s->progress;
	opts.progress_payload = s->progress_payload;
	return gate_content_run(NULL, &check, 1, src, repo, &opts);
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
