/*
 * libFuzzer target: the container policies on arbitrary bytes.  The first
 * byte picks how the rest is read ('0' Kubernetes YAML, '1' Compose, '2'
 * Dockerfile: byte % 3), so every seed is plain text.  Every check is on,
 * with a registries list that exercises globs and repository prefixes.
 * Besides crashes, leaks and timeouts it fails on a finding that breaks the
 * contract: an unknown check, a line outside the input, empty text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "content/containers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const registries[] = { "ghcr.io", "*.example.com", "quay.io/acme",
						  "docker.io/library" };
	static const gate_container_file kinds[] = { GATE_CONTAINER_FILE_YAML,
						     GATE_CONTAINER_FILE_COMPOSE,
						     GATE_CONTAINER_FILE_DOCKERFILE };
	gate_container_policy p;
	gate_policy_findings f = GATE_POLICY_FINDINGS_INIT;
	size_t i, lines = 1;

	if (size < 1)
		return 0;
	memset(&p, 0, sizeof(p));
	p.privileged = p.privilege_escalation = p.run_as_root = p.host_namespaces = GATE_POLICY_WARN;
	p.host_path = p.capabilities = p.unpinned_images = GATE_POLICY_REJECT;
	p.registries = registries;
	p.n_registries = sizeof(registries) / sizeof(registries[0]);
	p.registries_action = GATE_POLICY_WARN;
	for (i = 1; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xA8 ||
			 data[i] == 0xA9; /* libyaml also breaks lines at NEL, LS and PS */
	if (gate_containers_check(&f, &p, "fuzz", kinds[data[0] % 3], (const char *)data + 1,
				  size - 1) != 0)
		abort(); /* no allocation fails here, so nothing else may fail */
	for (i = 0; i < f.count; i++) {
		const gate_policy_finding *x = &f.items[i];
		if (strncmp(x->check, "policy.container.", 17) || x->line < 0 ||
		    (size_t)x->line > lines || !*x->found || !*x->fix || strlen(x->found) > 1024)
			abort();
	}
	gate_policy_findings_dispose(&f);
	return 0;
}
