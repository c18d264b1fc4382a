/*
 * The secret scanning engine (see scanner.h).
 *
 * Pass 1 (Vectorscan): one block-mode scan of the bytes with every rule's
 * regex in one database; a match reports only (rule, end offset).
 * Pass 2 (PCRE2-JIT): on the line around that end offset (bounded to a few
 * KiB either side, so a 50 MiB single-line blob stays linear), find the
 * match and its secret group.  Filters then drop placeholders, hashes,
 * low-entropy values, rule allowlists and lines marked gatehouse:allow.
 *
 * Trust: the bytes are pushed content.  Vectorscan runs in linear time by
 * construction; PCRE2 runs with match and depth limits on bounded windows.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <openssl/evp.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef GATE_HAVE_HS
#include <hs/hs.h>
#endif

#include "content/scanner.h"

#define WINDOW 4096                   /* bytes either side of a candidate */
#define PCRE2_MATCH_LIMIT 200000
#define PCRE2_DEPTH_LIMIT 10000
#define CACHE_MAX_BYTES (64u * 1024 * 1024)

struct gate_scanner {
	const gate_secret_rule *const *rules;
	size_t n;
	char engine[96];
#ifdef GATE_HAVE_HS
	hs_database_t *db;
#endif
};

struct gate_scan_ctx {
	const gate_scanner *s;
#ifdef GATE_HAVE_HS
	hs_scratch_t *scratch;
#endif
	pcre2_code **codes;        /* per rule, compiled on first use */
	pcre2_code ***allow;       /* per rule, its allow regexes */
	unsigned char *failed;     /* per rule: compile failed (never used again) */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	/* per scan */
	const char *data;
	size_t len;
	size_t *done_until;        /* per rule: candidates ending before this were confirmed */
	size_t *last_start;        /* per rule: start of the last reported secret + 1 */
	size_t cur_off, cur_line;  /* line-number cursor */
	gate_hit_cb cb;
	void *payload;
	int stop;                  /* callback's stop value or an error */
};

/* ---- filters ------------------------------------------------------------------ */

double gate_entropy(const char *s, size_t len)
{
	size_t counts[256] = { 0 }, i;
	double h = 0;
	for (i = 0; i < len; i++)
		counts[(unsigned char)s[i]]++;
	for (i = 0; i < 256; i++)
		if (counts[i]) {
			double p = (double)counts[i] / (double)len;
			h -= p * log2(p);
		}
	return h;
}

static int ci_contains(const char *s, size_t len, const char *needle)
{
	size_t nl = strlen(needle), i;
	for (i = 0; i + nl <= len; i++)
		if (!gate_strncasecmp(s + i, needle, nl))
			return 1;
	return 0;
}

static int all_hex(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

static int is_uuid(const char *s, size_t len)
{
	size_t i;
	if (len != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!all_hex(s + i, 1)) {
			return 0;
		}
	}
	return 1;
}

int gate_secret_is_placeholder(const char *s, size_t len)
{
	static const char *const words[] = { "example", "xxxx", "<", ">", "${", "{{", "os.environ",
					     "process.env", "changeme", "change_me", "your_", "your-",
					     "dummy", "placeholder", "redacted", "getenv(", "env[",
					     "****", NULL };
	size_t i;

	if (len == 0)
		return 1;
	for (i = 0; words[i]; i++)
		if (ci_contains(s, len, words[i]))
			return 1;
	for (i = 1; i < len && s[i] == s[0]; i++)
		;
	if (i == len)
		return 1; /* aaaaaaaa */
	if ((len == 40 || len == 64 || len == 128) && all_hex(s, len))
		return 1; /* git ids, sha256, sha512 */
	if (is_uuid(s, len))
		return 1;
	if ((len > 7 && (!strncmp(s, "sha512-", 7) || !strncmp(s, "sha384-", 7) ||
			 !strncmp(s, "sha256-", 7))))
		return 1; /* subresource integrity */
	if (len > 11 && !strncmp(s, "data:image/", 11))
		return 1;
	if (len >= 8 && gate_entropy(s, len) < 2.0)
		return 1;
	return 0;
}

/* ---- PCRE2 --------------------------------------------------------------------- */

/*
 * GATEHOUSE_PCRE2_JIT=0 runs PCRE2's interpreter instead of its JIT: the JIT's
 * vector loads may read a few bytes past the subject (harmless, within the
 * page), which valgrind reports; the memcheck tests use the interpreter.
 */
static int jit_enabled(void)
{
	const char *v = getenv("GATEHOUSE_PCRE2_JIT");
	return !(v && !strcmp(v, "0"));
}

static pcre2_code *compile_pcre2(const char *re)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	if (code && jit_enabled())
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
	return code;
}

static pcre2_code *rule_code(gate_scan_ctx *c, size_t ri)
{
	if (!c->codes[ri] && !c->failed[ri]) {
		c->codes[ri] = compile_pcre2(c->s->rules[ri]->regex);
		if (!c->codes[ri])
			c->failed[ri] = 1;
	}
	return c->codes[ri];
}

static int allowed_by_rule(gate_scan_ctx *c, size_t ri, const char *secret, size_t len)
{
	const gate_secret_rule *r = c->s->rules[ri];
	size_t i;

	if (!r->n_allow)
		return 0;
	if (!c->allow[ri]) {
		c->allow[ri] = gate_calloc(r->n_allow, sizeof(pcre2_code *));
		if (!c->allow[ri])
			return 0;
		for (i = 0; i < r->n_allow; i++)
			c->allow[ri][i] = compile_pcre2(r->allow[i]);
	}
	for (i = 0; i < r->n_allow; i++)
		if (c->allow[ri][i] &&
		    pcre2_match(c->allow[ri][i], (PCRE2_SPTR)secret, len, 0, 0, c->md, c->mctx) >= 0)
			return 1;
	return 0;
}

static size_t line_of(gate_scan_ctx *c, size_t off, size_t *col)
{
	const char *p;
	size_t start;

	if (off < c->cur_off) {
		c->cur_off = 0;
		c->cur_line = 1;
	}
	p = c->data + c->cur_off;
	while ((p = memchr(p, '\n', (size_t)(c->data + off - p)))) {
		c->cur_line++;
		p++;
	}
	c->cur_off = off;
	start = off;
	while (start > 0 && c->data[start - 1] != '\n')
		start--;
	*col = off - start + 1;
	return c->cur_line;
}

/* Whether the line holding OFF carries an inline gatehouse:allow marker. */
static int line_allows(gate_scan_ctx *c, size_t off)
{
	static const char marker[] = "gatehouse:allow";
	size_t s = off, e = off, lim;
	lim = off > WINDOW ? off - WINDOW : 0;
	while (s > lim && c->data[s - 1] != '\n')
		s--;
	lim = off + WINDOW < c->len ? off + WINDOW : c->len;
	while (e < lim && c->data[e] != '\n')
		e++;
	for (; s + sizeof(marker) - 1 <= e; s++)
		if (c->data[s] == 'g' && !memcmp(c->data + s, marker, sizeof(marker) - 1))
			return 1;
	return 0;
}

/* Runs rule RI's PCRE2 over [WS, WE) and reports every surviving match. */
static void confirm(gate_scan_ctx *c, size_t ri, size_t ws, size_t we)
{
	const gate_secret_rule *r = c->s->rules[ri];
	pcre2_code *code = rule_code(c, ri);
	size_t off = ws;

	if (!code)
		return;
	while (off < we && !c->stop) {
		PCRE2_SIZE *ov;
		size_t s0, e0, gs, ge;
		int rc = pcre2_match(code, (PCRE2_SPTR)c->data, we, off, 0, c->md, c->mctx);
		if (rc < 0)
			break; /* no match, or a limit: the window is done */
		ov = pcre2_get_ovector_pointer(c->md);
		s0 = ov[0];
		e0 = ov[1];
		off = e0 > s0 ? e0 : e0 + 1;
		gs = s0;
		ge = e0;
		if (r->secret_group > 0 && rc > r->secret_group && ov[2 * r->secret_group] != PCRE2_UNSET) {
			gs = ov[2 * r->secret_group];
			ge = ov[2 * r->secret_group + 1];
		}
		if (ge <= gs || gs + 1 <= c->last_start[ri])
			continue;
		c->last_start[ri] = gs + 1;
		if (gate_secret_is_placeholder(c->data + gs, ge - gs) ||
		    (r->entropy > 0 && gate_entropy(c->data + gs, ge - gs) < r->entropy) ||
		    allowed_by_rule(c, ri, c->data + gs, ge - gs) || line_allows(c, gs))
			continue;
		{
			gate_secret_hit hit;
			int cbrc;
			hit.rule = r;
			hit.offset = gs;
			hit.length = ge - gs;
			hit.line = line_of(c, gs, &hit.column);
			cbrc = c->cb(&hit, c->data, c->len, c->payload);
			if (cbrc)
				c->stop = cbrc;
		}
	}
}

#ifdef GATE_HAVE_HS
/* A candidate from pass 1: rule RI matched, ending at TO. */
static void candidate(gate_scan_ctx *c, size_t ri, size_t to)
{
	size_t ws, we, lim;

	if (to <= c->done_until[ri])
		return;
	lim = to > WINDOW ? to - WINDOW : 0;
	ws = to > 0 ? to - 1 : 0;
	while (ws > lim && c->data[ws - 1] != '\n')
		ws--;
	lim = to + WINDOW < c->len ? to + WINDOW : c->len;
	we = to;
	while (we < lim && c->data[we] != '\n')
		we++;
	c->done_until[ri] = we;
	confirm(c, ri, ws, we);
}
#endif

/* ---- backends -------------------------------------------------------------------- */

#ifdef GATE_HAVE_HS
static int on_hs_match(unsigned int id, unsigned long long from, unsigned long long to,
		       unsigned int flags, void *ctx)
{
	gate_scan_ctx *c = ctx;
	(void)from;
	(void)flags;
	candidate(c, id, (size_t)to);
	return c->stop ? 1 : 0;
}

static void cache_key(char *out, size_t outlen, const gate_scanner *s)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char digest[32];
	unsigned int dlen = 0;
	const char *ver = hs_version();
	size_t i;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		snprintf(out, outlen, "none");
		EVP_MD_CTX_free(md);
		return;
	}
	EVP_DigestUpdate(md, ver, strlen(ver) + 1);
	for (i = 0; i < s->n; i++) {
		EVP_DigestUpdate(md, s->rules[i]->id, strlen(s->rules[i]->id) + 1);
		EVP_DigestUpdate(md, s->rules[i]->regex, strlen(s->rules[i]->regex) + 1);
	}
	EVP_DigestFinal_ex(md, digest, &dlen);
	EVP_MD_CTX_free(md);
	for (i = 0; i < 16 && 2 * i + 2 < outlen; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static int load_cached(gate_scanner *s, const char *path)
{
	char *buf;
	size_t len;
	if (gate_read_file(&buf, &len, path, CACHE_MAX_BYTES) < 0) {
		gate_error_clear();
		return -1;
	}
	if (hs_deserialize_database(buf, len, &s->db) != HS_SUCCESS)
		s->db = NULL;
	gate_free(buf);
	return s->db ? 0 : -1;
}

static void save_cached(gate_scanner *s, const char *dir, const char *path)
{
	char *bytes = NULL;
	size_t len = 0, off = 0;
	gate_buf tmp = GATE_BUF_INIT;
	int fd;

	if (hs_serialize_database(s->db, &bytes, &len) != HS_SUCCESS)
		return;
	{
		/* the cache dir and its parent ($GIT_DIR/gatehouse) on a first push */
		char *parent = gate_strdup(dir), *slash = parent ? strrchr(parent, '/') : NULL;
		if (slash && slash != parent) {
			*slash = '\0';
			(void)mkdir(parent, 0750);
		}
		gate_free(parent);
	}
	(void)mkdir(dir, 0750);
	gate_buf_printf(&tmp, "%s/.tmp-XXXXXX", dir);
	if (tmp.oom || (fd = mkstemp(tmp.ptr)) < 0)
		goto out;
	while (off < len) {
		ssize_t w = write(fd, bytes + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	/* written whole, then renamed: a concurrent push never reads half a database */
	if (close(fd) == 0 && off == len)
		(void)rename(tmp.ptr, path);
	(void)unlink(tmp.ptr);
out:
	free(bytes);
	gate_buf_dispose(&tmp);
}

/*
 * CACHE_DIRS is a ':'-separated list, most specific first (the repository's
 * cache, then the server user's): the first that holds a usable database for
 * this rule set wins, and a fresh compile is saved to every one of them, so a
 * new repository starts from the server-wide copy instead of compiling.
 */
static int hs_build(gate_scanner *s, const char *cache_dirs)
{
	const char **exprs = NULL;
	unsigned int *ids = NULL, *flags = NULL;
	hs_compile_error_t *err = NULL;
	char key[40];
	const char *d;
	size_t i;
	int rc = 0, found = 0;

	if (cache_dirs) {
		cache_key(key, sizeof(key), s);
		for (d = cache_dirs; *d && !found; d += strcspn(d, ":") + (d[strcspn(d, ":")] ? 1 : 0)) {
			gate_buf path = GATE_BUF_INIT;
			gate_buf_printf(&path, "%.*s/secrets-%s.hsdb", (int)strcspn(d, ":"), d, key);
			found = !path.oom && load_cached(s, path.ptr) == 0;
			gate_buf_dispose(&path);
		}
		if (found) {
			snprintf(s->engine, sizeof(s->engine), "vectorscan %.*s (cached)",
				 (int)strcspn(hs_version(), " "), hs_version());
			/* fill the more specific caches that missed */
			for (d = cache_dirs; *d; d += strcspn(d, ":") + (d[strcspn(d, ":")] ? 1 : 0)) {
				gate_buf dir = GATE_BUF_INIT, path = GATE_BUF_INIT;
				gate_buf_put(&dir, d, strcspn(d, ":"));
				gate_buf_printf(&path, "%s/secrets-%s.hsdb", gate_buf_cstr(&dir), key);
				if (!dir.oom && !path.oom && access(path.ptr, R_OK) != 0)
					save_cached(s, dir.ptr, path.ptr);
				gate_buf_dispose(&dir);
				gate_buf_dispose(&path);
			}
			return 0;
		}
	}
	exprs = gate_calloc(s->n, sizeof(*exprs));
	ids = gate_calloc(s->n, sizeof(*ids));
	flags = gate_calloc(s->n, sizeof(*flags));
	if (!exprs || !ids || !flags) {
		rc = GATE_ENOMEM;
		goto out;
	}
	for (i = 0; i < s->n; i++) {
		exprs[i] = s->rules[i]->regex;
		ids[i] = (unsigned int)i;
		flags[i] = 0;
	}
	if (hs_compile_multi(exprs, flags, ids, (unsigned int)s->n, HS_MODE_BLOCK, NULL, &s->db,
			     &err) != HS_SUCCESS) {
		rc = gate_error_set(GATE_ERROR, "compiling secret rules: %s (rule %s)",
				    err ? err->message : "?",
				    err && err->expression >= 0 && (size_t)err->expression < s->n
					    ? s->rules[err->expression]->id
					    : "?");
		hs_free_compile_error(err);
		goto out;
	}
	snprintf(s->engine, sizeof(s->engine), "vectorscan %.*s", (int)strcspn(hs_version(), " "),
		 hs_version());
	for (d = cache_dirs; d && *d; d += strcspn(d, ":") + (d[strcspn(d, ":")] ? 1 : 0)) {
		gate_buf dir = GATE_BUF_INIT, path = GATE_BUF_INIT;
		gate_buf_put(&dir, d, strcspn(d, ":"));
		gate_buf_printf(&path, "%s/secrets-%s.hsdb", gate_buf_cstr(&dir), key);
		if (!dir.oom && !path.oom)
			save_cached(s, dir.ptr, path.ptr);
		gate_buf_dispose(&dir);
		gate_buf_dispose(&path);
	}
out:
	gate_free(exprs);
	gate_free(ids);
	gate_free(flags);
	return rc;
}
#endif

/* PCRE2-only: rules whose keywords appear, each over the whole text. */
static int pcre2_scan_all(gate_scan_ctx *c)
{
	char *lower = gate_malloc(c->len + 1);
	size_t i, k;

	if (!lower)
		return GATE_ENOMEM;
	for (i = 0; i < c->len; i++)
		lower[i] = (c->data[i] >= 'A' && c->data[i] <= 'Z') ? (char)(c->data[i] + 32) : c->data[i];
	for (i = 0; i < c->s->n && !c->stop; i++) {
		const gate_secret_rule *r = c->s->rules[i];
		int hit = 0;
		for (k = 0; k < r->n_keywords && !hit; k++) {
			size_t kl = strlen(r->keywords[k]), j;
			for (j = 0; j + kl <= c->len && !hit; j++)
				hit = lower[j] == r->keywords[k][0] && !memcmp(lower + j, r->keywords[k], kl);
		}
		if (hit)
			confirm(c, i, 0, c->len);
	}
	gate_free(lower);
	return 0;
}

/* ---- public ------------------------------------------------------------------------ */

int gate_scanner_new(gate_scanner **out, const gate_secret_rule *const *rules, size_t n,
		     const char *cache_dir)
{
	return gate_scanner_new_engine(out, rules, n, cache_dir, 0);
}

int gate_scanner_new_engine(gate_scanner **out, const gate_secret_rule *const *rules, size_t n,
			    const char *cache_dir, int pcre2_only)
{
	gate_scanner *s = gate_calloc(1, sizeof(*s));
	int rc = 0;

	*out = NULL;
	if (!s)
		return GATE_ENOMEM;
	s->rules = rules;
	s->n = n;
	snprintf(s->engine, sizeof(s->engine), "pcre2 %d.%d", PCRE2_MAJOR, PCRE2_MINOR);
#ifdef GATE_HAVE_HS
	if (n && !pcre2_only)
		rc = hs_build(s, cache_dir);
#else
	(void)cache_dir;
	(void)pcre2_only;
#endif
	if (rc < 0) {
		gate_scanner_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

const char *gate_scanner_engine(const gate_scanner *s) { return s->engine; }

void gate_scanner_free(gate_scanner *s)
{
	if (!s)
		return;
#ifdef GATE_HAVE_HS
	hs_free_database(s->db);
#endif
	gate_free(s);
}

int gate_scan_ctx_new(gate_scan_ctx **out, const gate_scanner *s)
{
	gate_scan_ctx *c = gate_calloc(1, sizeof(*c));
	size_t n = s->n ? s->n : 1;

	*out = NULL;
	if (!c)
		return GATE_ENOMEM;
	c->s = s;
	c->codes = gate_calloc(n, sizeof(*c->codes));
	c->allow = gate_calloc(n, sizeof(*c->allow));
	c->failed = gate_calloc(n, 1);
	c->done_until = gate_calloc(n, sizeof(size_t));
	c->last_start = gate_calloc(n, sizeof(size_t));
	c->md = pcre2_match_data_create(20, NULL);
	c->mctx = pcre2_match_context_create(NULL);
	if (!c->codes || !c->allow || !c->failed || !c->done_until || !c->last_start || !c->md ||
	    !c->mctx) {
		gate_scan_ctx_free(c);
		return gate_error_oom();
	}
	pcre2_set_match_limit(c->mctx, PCRE2_MATCH_LIMIT);
	pcre2_set_depth_limit(c->mctx, PCRE2_DEPTH_LIMIT);
#ifdef GATE_HAVE_HS
	if (s->db && hs_alloc_scratch(s->db, &c->scratch) != HS_SUCCESS) {
		gate_scan_ctx_free(c);
		return gate_error_set(GATE_ENOMEM, "allocating scanner scratch space");
	}
#endif
	*out = c;
	return 0;
}

void gate_scan_ctx_free(gate_scan_ctx *c)
{
	size_t i, j;
	if (!c)
		return;
	for (i = 0; c->codes && i < c->s->n; i++)
		pcre2_code_free(c->codes[i]);
	for (i = 0; c->allow && i < c->s->n; i++)
		if (c->allow[i]) {
			for (j = 0; j < c->s->rules[i]->n_allow; j++)
				pcre2_code_free(c->allow[i][j]);
			gate_free(c->allow[i]);
		}
#ifdef GATE_HAVE_HS
	hs_free_scratch(c->scratch);
#endif
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mctx);
	gate_free(c->codes);
	gate_free(c->allow);
	gate_free(c->failed);
	gate_free(c->done_until);
	gate_free(c->last_start);
	gate_free(c);
}

int gate_scan(gate_scan_ctx *c, const char *data, size_t len, gate_hit_cb cb, void *payload)
{
	size_t n = c->s->n;
	int rc = 0;

	if (!n || !len)
		return 0;
	c->data = data;
	c->len = len;
	c->cb = cb;
	c->payload = payload;
	c->stop = 0;
	c->cur_off = 0;
	c->cur_line = 1;
	memset(c->done_until, 0, n * sizeof(size_t));
	memset(c->last_start, 0, n * sizeof(size_t));
#ifdef GATE_HAVE_HS
	if (c->s->db) {
		if (len > 0xFFFFFFFFu)
			return gate_error_set(GATE_ELIMIT, "text too large to scan in one block");
		if (hs_scan(c->s->db, data, (unsigned int)len, 0, c->scratch, on_hs_match, c) ==
			    HS_SCAN_TERMINATED ||
		    c->stop)
			rc = c->stop;
		c->data = NULL;
		return rc;
	}
#endif
	rc = pcre2_scan_all(c);
	if (rc == 0)
		rc = c->stop;
	c->data = NULL;
	return rc;
}
