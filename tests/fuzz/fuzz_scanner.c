/*
 * libFuzzer target: the secret scanner (built-in rules, both engines, and the
 * placeholder and entropy filters) on arbitrary bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "content/scanner.h"
#include "content/secret_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const gate_secret_hit *hit, const char *d, size_t len, void *payload)
{
	(void)d;
	if (hit->offset + hit->length > len)
		abort(); /* a finding must lie inside the scanned bytes */
	++*(size_t *)payload;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gate_scanner *hs, *pcre;
	static gate_scan_ctx *chs, *cpcre;
	static const gate_secret_rule **ptrs;
	size_t n_hs = 0, n_pcre = 0;

	if (!hs) {
		const gate_secret_rule *rules;
		size_t n, i;
		if (gate_rules_builtin(&rules, &n) < 0 || !(ptrs = calloc(n, sizeof(*ptrs))))
			abort();
		for (i = 0; i < n; i++)
			ptrs[i] = &rules[i];
		if (gate_scanner_new_engine(&hs, ptrs, n, NULL, 0) < 0 ||
		    gate_scanner_new_engine(&pcre, ptrs, n, NULL, 1) < 0 ||
		    gate_scan_ctx_new(&chs, hs) < 0 || gate_scan_ctx_new(&cpcre, pcre) < 0)
			abort();
	}
	gate_scan(chs, (const char *)data, size, count, &n_hs);
	gate_scan(cpcre, (const char *)data, size, count, &n_pcre);
	gate_secret_is_placeholder((const char *)data, size);
	gate_entropy((const char *)data, size);
	return 0;
}
