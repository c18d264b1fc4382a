/*
 * Allocation wrappers, the growable buffer, the arena and small file and
 * string helpers used across libgatehouse.
 *
 * Trust: gate_read_file() opens with O_NOFOLLOW and bounds the size, because
 * it reads paths an administrator configured, which must not be redirected by
 * a symlink someone else planted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/common.h"

/* ---- allocation ------------------------------------------------------- */

#ifdef GATE_FAULT_INJECTION
/*
 * GATEHOUSE_FAIL_ALLOC_AFTER=N makes the (N+1)-th allocation fail.  Compiled
 * in debug/fault builds only, so a release hook cannot be made to fail by
 * anyone who controls its environment.
 */
static long fail_after = -2;

static int gate_alloc_should_fail(void)
{
	if (fail_after == -2) {
		const char *s = getenv("GATEHOUSE_FAIL_ALLOC_AFTER");
		fail_after = s && *s ? strtol(s, NULL, 10) : -1;
	}
	if (fail_after < 0)
		return 0;
	if (fail_after == 0)
		return 1;
	fail_after--;
	return 0;
}
#else
static int gate_alloc_should_fail(void) { return 0; }
#endif

void *gate_malloc(size_t n)
{
	void *p = gate_alloc_should_fail() ? NULL : malloc(n ? n : 1);
	if (!p)
		gate_error_oom();
	return p;
}

void *gate_calloc(size_t nmemb, size_t size)
{
	void *p = gate_alloc_should_fail() ? NULL : calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		gate_error_oom();
	return p;
}

void *gate_realloc(void *p, size_t n)
{
	void *q = gate_alloc_should_fail() ? NULL : realloc(p, n ? n : 1);
	if (!q)
		gate_error_oom();
	return q;
}

int gate_grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	size_t ncap;
	void *q;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return gate_error_oom();
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return gate_error_oom();
	q = gate_realloc(*p, ncap * elem);
	if (!q)
		return GATE_ENOMEM;
	*p = q;
	*cap = ncap;
	return 0;
}

char *gate_strndup(const char *s, size_t n)
{
	char *p = gate_malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *gate_strdup(const char *s) { return gate_strndup(s, strlen(s)); }

void gate_free(void *p) { free(p); }

/* ---- buffer ----------------------------------------------------------- */

int gate_buf_grow(gate_buf *b, size_t extra)
{
	if (b->oom)
		return GATE_ENOMEM;
	if (extra > SIZE_MAX - b->len - 1) {
		b->oom = 1;
		return gate_error_oom();
	}
	if (gate_grow(&b->ptr, &b->cap, b->len + extra + 1, 1) < 0) {
		b->oom = 1;
		return GATE_ENOMEM;
	}
	return 0;
}

int gate_buf_put(gate_buf *b, const char *data, size_t len)
{
	if (gate_buf_grow(b, len) < 0)
		return GATE_ENOMEM;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int gate_buf_puts(gate_buf *b, const char *s) { return gate_buf_put(b, s, strlen(s)); }

int gate_buf_vprintf(gate_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return gate_error_set(GATE_ERROR, "formatting failed");
	if (gate_buf_grow(b, (size_t)n) < 0)
		return GATE_ENOMEM;
	n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
	if (n < 0)
		return gate_error_set(GATE_ERROR, "formatting failed");
	b->len += (size_t)n;
	return 0;
}

int gate_buf_printf(gate_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = gate_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

size_t gate_utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* Length of the valid UTF-8 sequence at S (at most N bytes), 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates, out of range, and C1 controls */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0))
		return 0;
	return len;
}

int gate_buf_put_escaped(gate_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq_len(p + i, len - i);
		if (n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7F))) {
			/* invalid UTF-8, a control character or DEL: show the byte */
			if (gate_buf_printf(b, "\\x%02x", p[i]) < 0)
				return GATE_ENOMEM;
			i++;
		} else {
			if (gate_buf_put(b, s + i, n) < 0)
				return GATE_ENOMEM;
			i += n;
		}
	}
	return 0;
}

const char *gate_buf_cstr(const gate_buf *b) { return b->ptr ? b->ptr : ""; }

char *gate_buf_detach(gate_buf *b)
{
	char *p = b->ptr;
	if (!p)
		p = gate_strdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void gate_buf_clear(gate_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void gate_buf_dispose(gate_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

/* ---- arena ------------------------------------------------------------ */

struct gate_arena_chunk {
	gate_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define GATE_ARENA_CHUNK (64 * 1024)

void *gate_arena_alloc(gate_arena *a, size_t n)
{
	gate_arena_chunk *c = a->head;
	size_t align = sizeof(max_align_t);
	size_t need = (n + align - 1) / align * align;
	void *p;

	if (need < n)
		return gate_error_oom(), NULL;
	if (!c || c->size - c->used < need) {
		size_t size = need > GATE_ARENA_CHUNK ? need : GATE_ARENA_CHUNK;
		c = gate_malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += need;
	a->total += need;
	memset(p, 0, n);
	return p;
}

char *gate_arena_strndup(gate_arena *a, const char *s, size_t n)
{
	char *p = gate_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *gate_arena_strdup(gate_arena *a, const char *s)
{
	return gate_arena_strndup(a, s, strlen(s));
}

void gate_arena_dispose(gate_arena *a)
{
	gate_arena_chunk *c = a->head;
	while (c) {
		gate_arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	a->head = NULL;
	a->total = 0;
}

/* ---- files, strings, time ---------------------------------------------- */

int gate_read_regular(char **out, size_t *out_len, const char *path, size_t max)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = 0, want;
	int fd, blocking = 0;

	*out = NULL;
	*out_len = 0;
	/* O_NONBLOCK: a FIFO planted at PATH must be refused, not wait for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		/* ELOOP: PATH itself is a symlink (O_NOFOLLOW), or a loop on the way */
		if (e == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return GATE_READ_NOT_REGULAR;
		return gate_error_set(e == ENOENT ? GATE_ENOTFOUND : GATE_EIO, "cannot open %s: %s",
				      path, strerror(e));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return GATE_READ_NOT_REGULAR;
	}
	if ((uintmax_t)st.st_size > max) {
		close(fd);
		*out_len = (uintmax_t)st.st_size > SIZE_MAX ? SIZE_MAX : (size_t)st.st_size;
		return GATE_READ_TOO_LARGE;
	}
	/*
	 * A regular file is read as it stood when opened: its size, in as few
	 * reads as it takes.  Size 0 (empty, or a /proc file) reads to the end.
	 */
	want = (size_t)st.st_size;
	for (;;) {
		ssize_t n;
		if (want && len == want)
			break;
		if (gate_grow(&buf, &cap, (want ? want : len + 65536) + 1, 1) < 0) {
			close(fd);
			free(buf);
			return GATE_ENOMEM;
		}
		n = read(fd, buf + len, (want ? want : cap - 1) - len);
		if (n < 0 && errno == EINTR)
			continue;
		/* O_NONBLOCK only kept a FIFO from blocking the open; some file systems heed it */
		if (n < 0 && errno == EAGAIN && !blocking && fcntl(fd, F_SETFL, 0) == 0) {
			blocking = 1;
			continue;
		}
		if (n < 0) {
			int e = errno;
			close(fd);
			free(buf);
			return gate_error_set(GATE_EIO, "cannot read %s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			/* it grew while being read: over the limit as if it had been before */
			close(fd);
			free(buf);
			*out_len = len;
			return GATE_READ_TOO_LARGE;
		}
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

int gate_read_file(char **out, size_t *out_len, const char *path, size_t max)
{
	int rc = gate_read_regular(out, out_len, path, max);
	if (rc == GATE_READ_NOT_REGULAR)
		return gate_error_set(GATE_EIO, "%s is not a regular file", path);
	if (rc == GATE_READ_TOO_LARGE) {
		size_t size = *out_len;
		*out_len = 0;
		return gate_error_set(GATE_ELIMIT, "%s is %zu bytes, over the limit of %zu", path,
				      size, max);
	}
	return rc;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

int gate_strcasecmp(const char *a, const char *b)
{
	while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return lower((unsigned char)*a) - lower((unsigned char)*b);
}

int gate_strncasecmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		int d = lower((unsigned char)*a) - lower((unsigned char)*b);
		if (d || !*a)
			return d;
	}
	return 0;
}

double gate_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
