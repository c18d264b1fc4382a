/* The allocation-failure harness of the unit tests (see oom.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/common.h"
#include "oom.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#ifdef HAVE_ASAN
size_t __sanitizer_get_current_allocated_bytes(void); /* sanitizer/allocator_interface.h */
#endif

size_t oom_live_bytes(void)
{
#ifdef HAVE_ASAN
	return __sanitizer_get_current_allocated_bytes();
#else
	return 0;
#endif
}

int oom_verdict(int rc, size_t before)
{
	void *probe = gate_malloc(1); /* NULL once the injected failure was reached */
	int failed = probe == NULL;

	gate_free(probe);
	if (rc != 0 && rc != GATE_ENOMEM)
		return OOM_OTHER_ERROR;
	if (oom_live_bytes() != before)
		return OOM_LEAK;
	if (rc == 0 && failed)
		return OOM_SWALLOWED;
	return rc == 0 ? OOM_OK : OOM_ENOMEM;
}

int oom_walk(int (*child)(const void *arg), const void *arg, const char *what)
{
	static const char *const why[] = { "", "", "returned neither 0 nor GATE_ENOMEM", "leaked",
					   "returned 0 though an allocation failed",
					   "changed its output before failing" };
	int n, status = 0, failures = 0, prev = -1;

	for (n = 0; n < 100000; n++) {
		pid_t pid;
		int code;
		fflush(NULL);
		pid = fork();
		cr_assert_neq(pid, -1);
		if (pid == 0) {
			char num[16];
			snprintf(num, sizeof(num), "%d", n);
			setenv("GATEHOUSE_FAIL_ALLOC_AFTER", num, 1);
			_exit(child(arg));
		}
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFEXITED(status), "%s: with allocation %d failing the child died (signal %d)",
			  what, n + 1, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		code = WEXITSTATUS(status);
		if (code == OOM_NOT_REACHED)
			continue;
		cr_assert(prev != OOM_SWALLOWED || code == OOM_OK, "%s: with allocation %d failing it %s",
			  what, n, why[OOM_SWALLOWED]);
		cr_assert(code <= OOM_ENOMEM || code == OOM_SWALLOWED,
			  "%s: with allocation %d failing it %s", what, n + 1,
			  code <= OOM_CHANGED_OUTPUT ? why[code] : "exited oddly");
		prev = code;
		if (code == OOM_OK)
			break;
		failures += code == OOM_ENOMEM;
	}
	cr_assert_lt(n, 100000, "%s: still failing after 100000 allocations", what);
	return failures;
}
