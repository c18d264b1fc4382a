/*
 * libFuzzer target: SSH key lines and SSHSIG signatures.  The input is
 * parsed as an armored signature and verified (against its own embedded key
 * when that parses, and a fixed ed25519 key), and also as a key line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/sshsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_key[] =
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDm+mMLNKztBvBMrRIhm57B+JVD8CLQUitpA9ptrsqht fuzz";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gate_sshkey *fixed;
	gate_sshsig *sig = NULL;
	gate_sshkey *k = NULL;
	char err[256], *line;

	if (!fixed && gate_sshkey_parse(&fixed, fixed_key, err, sizeof(err)) < 0)
		abort();
	if (gate_sshsig_parse(&sig, (const char *)data, size, err, sizeof(err)) == GATE_SIG_OK) {
		size_t blen;
		const unsigned char *blob = gate_sshsig_signer(sig, &blen);
		char fp[80];
		gate_ssh_fingerprint(fp, sizeof(fp), blob, blen);
		gate_sshsig_verify(sig, fixed, "git", data, size, err, sizeof(err));
		gate_sshsig_free(sig);
	}
	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (gate_sshkey_parse(&k, line, err, sizeof(err)) == 0)
		gate_sshkey_free(k);
	free(line);
	return 0;
}
