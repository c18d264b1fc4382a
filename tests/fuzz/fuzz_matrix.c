/* libFuzzer target: the responsibility matrix loader on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "gatehouse/matrix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gate_diags diags = GATE_DIAGS_INIT;
	gate_matrix *m = NULL;

	if (gate_matrix_load_buffer(&m, "fuzz.yml", (const char *)data, size, &diags) == 0)
		gate_matrix_free(m);
	gate_diags_dispose(&diags);
	return 0;
}
