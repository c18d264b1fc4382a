/*
 * Output sinks (see gatehouse/sink.h and sink.h).
 *
 * This is the one file in src/ that writes to a FILE * (scripts/lint-print.sh
 * enforces it): everything else in the library hands its text to a sink its
 * caller chose, so the hooks decide what reaches git's stderr and the CLI
 * what reaches stdout.
 */
#include <errno.h>
#include <string.h>

#include "output/sink.h"

static int file_write(void *ctx, const char *s, size_t n)
{
	FILE *f = ctx;
	if (n && fwrite(s, 1, n, f) != n)
		return gate_error_set(GATE_EIO, "writing output failed: %s", strerror(errno ? errno : EIO));
	return 0;
}

static int file_flush(void *ctx)
{
	FILE *f = ctx;
	if (fflush(f) != 0 || ferror(f))
		return gate_error_set(GATE_EIO, "writing output failed: %s", strerror(errno ? errno : EIO));
	return 0;
}

gate_sink gate_sink_file(FILE *f)
{
	gate_sink s;
	s.write = file_write;
	s.flush = file_flush;
	s.ctx = f;
	return s;
}

static int buf_write(void *ctx, const char *s, size_t n)
{
	return gate_buf_put(ctx, s, n) < 0 ? GATE_ENOMEM : 0;
}

gate_sink gate_sink_buf(gate_buf *b)
{
	gate_sink s;
	s.write = buf_write;
	s.flush = NULL;
	s.ctx = b;
	return s;
}

int gate_sink_write(const gate_sink *s, const char *p, size_t n)
{
	return s && s->write ? s->write(s->ctx, p, n) : 0;
}

int gate_sink_puts(const gate_sink *s, const char *str)
{
	return gate_sink_write(s, str, strlen(str));
}

/*
 * Short messages are formatted on the stack, so a hook can still say why it
 * rejects when memory has run out; longer ones go through a gate_buf.
 */
int gate_sink_printf(const gate_sink *s, const char *fmt, ...)
{
	char small[512];
	gate_buf b = GATE_BUF_INIT;
	va_list ap;
	int n, rc;

	if (!s || !s->write)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return gate_error_set(GATE_ERROR, "formatting failed");
	if ((size_t)n < sizeof(small))
		return s->write(s->ctx, small, (size_t)n);
	va_start(ap, fmt);
	rc = gate_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = b.oom ? GATE_ENOMEM : s->write(s->ctx, gate_buf_cstr(&b), b.len);
	gate_buf_dispose(&b);
	return rc;
}

int gate_sink_put_escaped(const gate_sink *s, const char *p, size_t n)
{
	gate_buf b = GATE_BUF_INIT;
	int rc;

	if (!s || !s->write)
		return 0;
	if (gate_buf_put_escaped(&b, p, n) < 0 || b.oom)
		rc = GATE_ENOMEM;
	else
		rc = s->write(s->ctx, gate_buf_cstr(&b), b.len);
	gate_buf_dispose(&b);
	return rc;
}

int gate_sink_flush(const gate_sink *s)
{
	return s && s->flush ? s->flush(s->ctx) : 0;
}
