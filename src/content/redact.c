/*
 * Redacting secrets out of text gatehouse prints or records (see redact.h).
 *
 * Trust: the secrets are pushed bytes of any value; they are compared, never
 * interpreted.  The list is small (the distinct secrets found outside blobs),
 * so a plain search per secret is enough.
 */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>

#include "content/redact.h"

static int add_one(gate_redactions *r, const char *secret, size_t len, const char *shown)
{
	gate_redaction *e;
	if (!len)
		return 0;
	if (gate_grow(&r->items, &r->cap, r->n + 1, sizeof(*r->items)) < 0)
		return GATE_ENOMEM;
	e = &r->items[r->n];
	e->secret = gate_malloc(len + 1);
	e->shown = gate_strdup(shown);
	if (!e->secret || !e->shown) {
		gate_free(e->secret);
		gate_free(e->shown);
		return GATE_ENOMEM;
	}
	memcpy(e->secret, secret, len);
	e->secret[len] = '\0';
	e->len = len;
	r->n++;
	r->sealed = 0;
	return 0;
}

int gate_redactions_add(gate_redactions *r, const char *secret, size_t len, const char *shown)
{
	gate_buf esc = GATE_BUF_INIT;
	int rc = add_one(r, secret, len, shown);

	/* reports escape what they print: the escaped spelling must go too */
	if (rc == 0 && gate_buf_put_escaped(&esc, secret, len) < 0)
		rc = GATE_ENOMEM;
	if (rc == 0 && (esc.len != len || memcmp(esc.ptr, secret, len)))
		rc = add_one(r, esc.ptr, esc.len, shown);
	gate_buf_dispose(&esc);
	return rc;
}

static void wipe(gate_redaction *e)
{
	volatile char *p = e->secret;
	size_t i;
	for (i = 0; p && i < e->len; i++)
		p[i] = 0;
	gate_free(e->secret);
	gate_free(e->shown);
}

/* Longest first, so a secret inside a longer one never cuts the longer one apart. */
static int longest_first(const void *a, const void *b)
{
	const gate_redaction *x = a, *y = b;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return memcmp(x->secret, y->secret, x->len);
}

static void seal(gate_redactions *r)
{
	size_t i, out = 0;
	if (r->sealed)
		return;
	if (r->n > 1)
		qsort(r->items, r->n, sizeof(*r->items), longest_first);
	for (i = 0; i < r->n; i++) {
		if (out && r->items[out - 1].len == r->items[i].len &&
		    !memcmp(r->items[out - 1].secret, r->items[i].secret, r->items[i].len)) {
			wipe(&r->items[i]);
			continue;
		}
		r->items[out++] = r->items[i];
	}
	r->n = out;
	r->sealed = 1;
}

/* The first secret of R at S[0], or NULL. */
static const gate_redaction *at(const gate_redactions *r, const char *s, size_t left)
{
	size_t k;
	for (k = 0; k < r->n; k++)
		if (r->items[k].len <= left && s[0] == r->items[k].secret[0] &&
		    !memcmp(s, r->items[k].secret, r->items[k].len))
			return &r->items[k];
	return NULL;
}

int gate_redact_needed(gate_redactions *r, const char *s, size_t len)
{
	size_t k;
	seal(r);
	for (k = 0; k < r->n; k++)
		if (r->items[k].len <= len && memmem(s, len, r->items[k].secret, r->items[k].len))
			return 1;
	return 0;
}

int gate_redact_put(gate_buf *out, gate_redactions *r, const char *s, size_t len)
{
	size_t i = 0, from = 0;

	if (!gate_redact_needed(r, s, len))
		return gate_buf_put(out, s, len);
	while (i < len) {
		const gate_redaction *e = at(r, s + i, len - i);
		if (!e) {
			i++;
			continue;
		}
		gate_buf_put(out, s + from, i - from);
		gate_buf_puts(out, e->shown);
		i += e->len;
		from = i;
	}
	gate_buf_put(out, s + from, len - from);
	return out->oom ? GATE_ENOMEM : 0;
}

void gate_redactions_dispose(gate_redactions *r)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		wipe(&r->items[i]);
	gate_free(r->items);
	memset(r, 0, sizeof(*r));
}
