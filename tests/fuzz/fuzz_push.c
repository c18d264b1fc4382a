/* libFuzzer target: the pre-receive input parser ("OLD NEW REF" lines). */
#include <stdint.h>
#include <stdio.h>

#include "git/push.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gate_push p = GATE_PUSH_INIT;
	FILE *in;

	if (!size)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	gate_push_read(&p, in, 1000);
	fclose(in);
	gate_push_dispose(&p);
	return 0;
}
