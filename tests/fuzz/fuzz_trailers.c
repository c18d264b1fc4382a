/* libFuzzer target: commit-message trailer parsing and email extraction. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/trailers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gate_trailers t = GATE_TRAILERS_INIT;
	char *msg = malloc(size + 1), email[320];
	size_t i;

	if (!msg)
		return 0;
	memcpy(msg, data, size);
	msg[size] = '\0';
	if (gate_trailers_parse(&t, msg) == 0)
		for (i = 0; i < t.count; i++) {
			gate_trailer_email(email, sizeof(email), t.items[i].value);
			gate_trailers_last(&t, t.items[i].key);
		}
	gate_trailers_dispose(&t);
	free(msg);
	return 0;
}
