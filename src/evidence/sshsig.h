/*
 * SSH keys and SSHSIG signatures (the format of `ssh-keygen -Y sign` and of
 * git's `gpg.format=ssh` commit signatures), verified in process with
 * OpenSSL's libcrypto: ed25519, ecdsa-sha2-nistp256/384/521, and RSA keys
 * with rsa-sha2-256/512 signatures.
 */
#ifndef GATE_SSHSIG_H
#define GATE_SSHSIG_H

#include <stddef.h>

typedef struct gate_sshkey gate_sshkey;

/*
 * Parses an authorized_keys-style line "TYPE BASE64 [COMMENT]".  Returns 0,
 * or GATE_EINVAL with a reason in ERR.  The key is freed with
 * gate_sshkey_free().
 */
int gate_sshkey_parse(gate_sshkey **out, const char *line, char *err, size_t errlen);

void gate_sshkey_free(gate_sshkey *k);

/* The key's public blob (the base64-decoded middle field). */
const unsigned char *gate_sshkey_blob(const gate_sshkey *k, size_t *len);

/* "ssh-ed25519" etc. */
const char *gate_sshkey_type(const gate_sshkey *k);

/* SHA256 fingerprint as ssh-keygen -l prints it ("SHA256:..."). */
void gate_ssh_fingerprint(char *buf, size_t len, const unsigned char *blob, size_t blob_len);

typedef enum {
	GATE_SIG_OK = 0,
	GATE_SIG_MALFORMED,      /* not a parseable SSHSIG */
	GATE_SIG_NAMESPACE,      /* signed for another namespace than expected */
	GATE_SIG_UNSUPPORTED,    /* algorithm or hash not supported */
	GATE_SIG_BAD             /* does not verify over the payload with the key */
} gate_sig_result;

/*
 * A parsed armored SSHSIG: the signer's public key blob is available before
 * verification so the caller can find the key among those it trusts.
 */
typedef struct gate_sshsig gate_sshsig;

/* Parses ARMORED (LEN bytes, "-----BEGIN SSH SIGNATURE-----" ...). */
gate_sig_result gate_sshsig_parse(gate_sshsig **out, const char *armored, size_t len,
				  char *err, size_t errlen);

const unsigned char *gate_sshsig_signer(const gate_sshsig *s, size_t *len);

/*
 * Verifies S over MSG with KEY (which must be the signer) for NAMESPACE.
 * Returns GATE_SIG_OK or why not, with details in ERR.  A result is never OK
 * because something failed: every failure path returns a non-OK value.
 */
gate_sig_result gate_sshsig_verify(const gate_sshsig *s, const gate_sshkey *key,
				   const char *namespace, const unsigned char *msg, size_t msglen,
				   char *err, size_t errlen);

void gate_sshsig_free(gate_sshsig *s);

#endif
