/*
 * The last-error slot: one per thread, holding a code and a formatted
 * message.  The out-of-memory path uses a static string so reporting it never
 * needs memory.
 */
#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "util/common.h"

#define GATE_ERRMSG_MAX 2048

static _Thread_local int last_code;
static _Thread_local char last_msg[GATE_ERRMSG_MAX];

int gate_error_vset(int code, const char *fmt, va_list ap)
{
	int n = vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	if (n < 0)
		last_msg[0] = '\0';
	last_code = code;
	return code;
}

int gate_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gate_error_vset(code, fmt, ap);
	va_end(ap);
	return code;
}

int gate_error_from_git(int git_rc, const char *context)
{
	const git_error *e = git_error_last();
	int code = git_rc == GIT_ENOTFOUND ? GATE_ENOTFOUND : GATE_EGIT;
	return gate_error_set(code, "%s: %s", context,
			      e && e->message ? e->message : "libgit2 error");
}

int gate_error_oom(void)
{
	static const char oom[] = "out of memory";
	memcpy(last_msg, oom, sizeof(oom));
	last_code = GATE_ENOMEM;
	return GATE_ENOMEM;
}

const char *gate_error_last(void) { return last_msg; }

int gate_error_last_code(void) { return last_code; }

void gate_error_clear(void)
{
	last_code = GATE_OK;
	last_msg[0] = '\0';
}

const char *gate_strerror(int code)
{
	switch (code) {
	case GATE_OK: return "success";
	case GATE_ERROR: return "internal error";
	case GATE_ENOMEM: return "out of memory";
	case GATE_EINVAL: return "invalid input";
	case GATE_ENOTFOUND: return "not found";
	case GATE_EMATRIX: return "invalid responsibility matrix";
	case GATE_EGIT: return "git object access failed";
	case GATE_EIO: return "I/O error";
	case GATE_ELIMIT: return "limit exceeded";
	case GATE_ECONFIG: return "configuration error";
	case GATE_EPOLICY: return "external policy failed";
	default: return "unknown error";
	}
}
