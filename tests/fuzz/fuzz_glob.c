/* libFuzzer target: glob checking and matching (input: PATTERN \0 STRING). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/glob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2), err[200];
	const char *pattern, *str;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	pattern = buf;
	str = buf + strlen(buf) + 1;
	if (str > buf + size)
		str = "";
	if (gate_glob_check(pattern, err, sizeof(err)) == 0) {
		gate_glob_match(pattern, str);
		gate_glob_is_literal(pattern);
	}
	free(buf);
	return 0;
}
