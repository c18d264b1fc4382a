/*
 * SSH public keys and SSHSIG signature verification (see sshsig.h).
 *
 * Format (openssh PROTOCOL.sshsig): the armored blob decodes to
 *   "SSHSIG" uint32(1) string(publickey) string(namespace) string(reserved)
 *   string(hash_algorithm) string(signature)
 * and the signature covers
 *   "SSHSIG" string(namespace) string(reserved) string(hash_algorithm)
 *   string(H(message)).
 *
 * Trust: the signature comes from a pushed commit: every length is checked
 * against what remains, sizes are capped, and a result is GATE_SIG_OK only
 * on the single path where libcrypto said the signature verifies.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <string.h>

#include "util/common.h"
#include "evidence/sshsig.h"

#define SSH_MAX_BLOB (16 * 1024)

struct gate_sshkey {
	char type[32];
	unsigned char *blob;
	size_t blob_len;
	EVP_PKEY *pkey;
	const EVP_MD *ecdsa_md; /* hash for ecdsa curves; NULL otherwise */
};

struct gate_sshsig {
	unsigned char *raw;
	size_t raw_len;
	const unsigned char *pub, *ns, *reserved, *hash, *sig;
	size_t pub_len, ns_len, reserved_len, hash_len, sig_len;
};

/* ---- wire reading --------------------------------------------------------- */

typedef struct {
	const unsigned char *p;
	size_t left;
} rd;

static int rd_u32(rd *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int rd_string(rd *r, const unsigned char **s, size_t *len)
{
	uint32_t n;
	if (rd_u32(r, &n) < 0 || n > r->left)
		return -1;
	*s = r->p;
	*len = n;
	r->p += n;
	r->left -= n;
	return 0;
}

static int str_is(const unsigned char *s, size_t len, const char *want)
{
	return len == strlen(want) && !memcmp(s, want, len);
}

/* Base64 without whitespace; returns decoded length or -1. */
static long b64_decode(unsigned char **out, const char *in, size_t len)
{
	char *clean;
	unsigned char *buf;
	size_t i, n = 0, pad = 0;
	int dec;

	*out = NULL;
	if (len > 4 * SSH_MAX_BLOB)
		return -1;
	clean = gate_malloc(len + 1);
	if (!clean)
		return -1;
	for (i = 0; i < len; i++)
		if (in[i] != '\n' && in[i] != '\r' && in[i] != ' ' && in[i] != '\t')
			clean[n++] = in[i];
	clean[n] = '\0';
	if (n == 0 || n % 4) {
		gate_free(clean);
		return -1;
	}
	if (clean[n - 1] == '=')
		pad++;
	if (clean[n - 2] == '=')
		pad++;
	buf = gate_malloc(n / 4 * 3 + 1);
	if (!buf) {
		gate_free(clean);
		return -1;
	}
	dec = EVP_DecodeBlock(buf, (const unsigned char *)clean, (int)n);
	gate_free(clean);
	if (dec < 0 || (size_t)dec < pad) {
		gate_free(buf);
		return -1;
	}
	*out = buf;
	return dec - (long)pad;
}

/* ---- keys ----------------------------------------------------------------- */

static EVP_PKEY *pkey_from_params(const char *alg, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	EVP_PKEY *pkey = NULL;

	if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *rsa_key(rd *r)
{
	const unsigned char *e, *n;
	size_t el, nl;
	BIGNUM *be = NULL, *bn = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;

	if (rd_string(r, &e, &el) < 0 || rd_string(r, &n, &nl) < 0 || r->left)
		return NULL;
	if (nl < 128 || nl > 2049) /* 1024..16384 bits (plus a sign byte) */
		return NULL;
	be = BN_bin2bn(e, (int)el, NULL);
	bn = BN_bin2bn(n, (int)nl, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (be && bn && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		pkey = pkey_from_params("RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(be);
	BN_free(bn);
	return pkey;
}

static EVP_PKEY *ec_key(rd *r, const char *curve, const char *group)
{
	const unsigned char *c, *q;
	size_t cl, ql;
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;

	if (rd_string(r, &c, &cl) < 0 || !str_is(c, cl, curve) || rd_string(r, &q, &ql) < 0 || r->left)
		return NULL;
	bld = OSSL_PARAM_BLD_new();
	if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q, ql))
		pkey = pkey_from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* Builds the libcrypto key for BLOB; 0 or -1 (with ERR). */
static int key_from_blob(gate_sshkey *k, char *err, size_t errlen)
{
	rd r = { k->blob, k->blob_len };
	const unsigned char *t, *pk;
	size_t tl, pkl;

	if (rd_string(&r, &t, &tl) < 0 || tl == 0) {
		snprintf(err, errlen, "key blob is malformed");
		return -1;
	}
	if (tl >= sizeof(k->type)) {
		snprintf(err, errlen, "key type '%.*s' is not supported (use ssh-ed25519, "
				      "ecdsa-sha2-nistp256/384/521 or ssh-rsa)", (int)(tl > 60 ? 60 : tl), t);
		return -1;
	}
	memcpy(k->type, t, tl);
	k->type[tl] = '\0';
	if (!strcmp(k->type, "ssh-ed25519")) {
		if (rd_string(&r, &pk, &pkl) < 0 || pkl != 32 || r.left) {
			snprintf(err, errlen, "ed25519 key blob is malformed");
			return -1;
		}
		k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, pkl);
	} else if (!strcmp(k->type, "ssh-rsa")) {
		k->pkey = rsa_key(&r);
	} else if (!strcmp(k->type, "ecdsa-sha2-nistp256")) {
		k->pkey = ec_key(&r, "nistp256", "P-256");
		k->ecdsa_md = EVP_sha256();
	} else if (!strcmp(k->type, "ecdsa-sha2-nistp384")) {
		k->pkey = ec_key(&r, "nistp384", "P-384");
		k->ecdsa_md = EVP_sha384();
	} else if (!strcmp(k->type, "ecdsa-sha2-nistp521")) {
		k->pkey = ec_key(&r, "nistp521", "P-521");
		k->ecdsa_md = EVP_sha512();
	} else {
		snprintf(err, errlen, "key type '%s' is not supported (use ssh-ed25519, "
				      "ecdsa-sha2-nistp256/384/521 or ssh-rsa)", k->type);
		return -1;
	}
	if (!k->pkey) {
		snprintf(err, errlen, "%s key is malformed", k->type);
		return -1;
	}
	return 0;
}

int gate_sshkey_parse(gate_sshkey **out, const char *line, char *err, size_t errlen)
{
	gate_sshkey *k;
	const char *p = line, *type, *b64;
	size_t tl, bl;
	long n;

	*out = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	type = p;
	tl = strcspn(p, " \t");
	p += tl;
	while (*p == ' ' || *p == '\t')
		p++;
	b64 = p;
	bl = strcspn(p, " \t");
	if (!tl || !bl) {
		snprintf(err, errlen, "expected 'TYPE BASE64 [COMMENT]', like a line of authorized_keys");
		return GATE_EINVAL;
	}
	k = gate_calloc(1, sizeof(*k));
	if (!k)
		return GATE_ENOMEM;
	n = b64_decode(&k->blob, b64, bl);
	if (n <= 0 || n > SSH_MAX_BLOB) {
		snprintf(err, errlen, "the key's base64 does not decode");
		gate_sshkey_free(k);
		return GATE_EINVAL;
	}
	k->blob_len = (size_t)n;
	if (key_from_blob(k, err, errlen) < 0) {
		gate_sshkey_free(k);
		return GATE_EINVAL;
	}
	if (strlen(k->type) != tl || strncmp(k->type, type, tl)) {
		snprintf(err, errlen, "the line says %.*s but the key is %s", (int)(tl > 40 ? 40 : tl),
			 type, k->type);
		gate_sshkey_free(k);
		return GATE_EINVAL;
	}
	*out = k;
	return 0;
}

void gate_sshkey_free(gate_sshkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	gate_free(k->blob);
	gate_free(k);
}

const unsigned char *gate_sshkey_blob(const gate_sshkey *k, size_t *len)
{
	*len = k->blob_len;
	return k->blob;
}

const char *gate_sshkey_type(const gate_sshkey *k) { return k->type; }

void gate_ssh_fingerprint(char *buf, size_t len, const unsigned char *blob, size_t blob_len)
{
	unsigned char md[32];
	unsigned char b64[64];
	unsigned int mdlen = 0;
	int n;

	if (!EVP_Digest(blob, blob_len, md, &mdlen, EVP_sha256(), NULL)) {
		snprintf(buf, len, "SHA256:?");
		return;
	}
	n = EVP_EncodeBlock(b64, md, (int)mdlen);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	snprintf(buf, len, "SHA256:%.*s", n, (const char *)b64);
}

/* ---- signatures ----------------------------------------------------------- */

static const char *find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	size_t i;
	for (i = 0; i + nlen <= hlen; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, nlen))
			return hay + i;
	return NULL;
}

static const char begin_marker[] = "-----BEGIN SSH SIGNATURE-----";
static const char end_marker[] = "-----END SSH SIGNATURE-----";

gate_sig_result gate_sshsig_parse(gate_sshsig **out, const char *armored, size_t len,
				  char *err, size_t errlen)
{
	const char *b, *e;
	gate_sshsig *s;
	rd r;
	uint32_t version;
	long n;

	*out = NULL;
	b = find(armored, len, begin_marker, sizeof(begin_marker) - 1);
	if (!b) {
		snprintf(err, errlen, "no SSH signature armor");
		return GATE_SIG_MALFORMED;
	}
	b += sizeof(begin_marker) - 1;
	e = find(b, len - (size_t)(b - armored), end_marker, sizeof(end_marker) - 1);
	if (!e) {
		snprintf(err, errlen, "SSH signature armor is not closed");
		return GATE_SIG_MALFORMED;
	}
	s = gate_calloc(1, sizeof(*s));
	if (!s)
		return GATE_SIG_MALFORMED;
	n = b64_decode(&s->raw, b, (size_t)(e - b));
	if (n <= 0) {
		snprintf(err, errlen, "SSH signature base64 does not decode");
		gate_sshsig_free(s);
		return GATE_SIG_MALFORMED;
	}
	s->raw_len = (size_t)n;
	r.p = s->raw;
	r.left = s->raw_len;
	if (r.left < 6 || memcmp(r.p, "SSHSIG", 6)) {
		snprintf(err, errlen, "not an SSHSIG blob (bad magic)");
		gate_sshsig_free(s);
		return GATE_SIG_MALFORMED;
	}
	r.p += 6;
	r.left -= 6;
	if (rd_u32(&r, &version) < 0 || version != 1 || rd_string(&r, &s->pub, &s->pub_len) < 0 ||
	    rd_string(&r, &s->ns, &s->ns_len) < 0 || rd_string(&r, &s->reserved, &s->reserved_len) < 0 ||
	    rd_string(&r, &s->hash, &s->hash_len) < 0 || rd_string(&r, &s->sig, &s->sig_len) < 0 ||
	    r.left) {
		snprintf(err, errlen, "SSHSIG blob is malformed");
		gate_sshsig_free(s);
		return GATE_SIG_MALFORMED;
	}
	*out = s;
	return GATE_SIG_OK;
}

const unsigned char *gate_sshsig_signer(const gate_sshsig *s, size_t *len)
{
	*len = s->pub_len;
	return s->pub;
}

static void put_string(gate_buf *b, const void *s, size_t len)
{
	unsigned char n[4] = { (unsigned char)(len >> 24), (unsigned char)(len >> 16),
			       (unsigned char)(len >> 8), (unsigned char)len };
	gate_buf_put(b, (const char *)n, 4);
	gate_buf_put(b, s, len);
}

/* Converts an SSH ecdsa signature (mpint r, mpint s) to DER. */
static unsigned char *ecdsa_der(const unsigned char *blob, size_t len, size_t *der_len)
{
	rd r = { blob, len };
	const unsigned char *rp, *sp;
	size_t rl, sl;
	ECDSA_SIG *sig;
	BIGNUM *br, *bs;
	unsigned char *der = NULL, *p;
	int n;

	if (rd_string(&r, &rp, &rl) < 0 || rd_string(&r, &sp, &sl) < 0 || r.left || rl > 67 || sl > 67)
		return NULL;
	sig = ECDSA_SIG_new();
	br = BN_bin2bn(rp, (int)rl, NULL);
	bs = BN_bin2bn(sp, (int)sl, NULL);
	if (!sig || !br || !bs || !ECDSA_SIG_set0(sig, br, bs)) {
		ECDSA_SIG_free(sig);
		BN_free(br);
		BN_free(bs);
		return NULL;
	}
	n = i2d_ECDSA_SIG(sig, NULL);
	if (n > 0 && (der = gate_malloc((size_t)n))) {
		p = der;
		if (i2d_ECDSA_SIG(sig, &p) != n) {
			gate_free(der);
			der = NULL;
		} else {
			*der_len = (size_t)n;
		}
	}
	ECDSA_SIG_free(sig);
	return der;
}

gate_sig_result gate_sshsig_verify(const gate_sshsig *s, const gate_sshkey *key,
				   const char *namespace, const unsigned char *msg, size_t msglen,
				   char *err, size_t errlen)
{
	unsigned char digest[64];
	unsigned int dlen = 0;
	const EVP_MD *hmd, *smd = NULL;
	const unsigned char *stype, *sblob, *vsig;
	size_t stl, sbl, vlen;
	unsigned char *der = NULL;
	gate_buf signed_data = GATE_BUF_INIT;
	EVP_MD_CTX *ctx = NULL;
	gate_sig_result res = GATE_SIG_BAD;
	rd r = { s->sig, s->sig_len };

	if (s->pub_len != key->blob_len || memcmp(s->pub, key->blob, key->blob_len)) {
		snprintf(err, errlen, "signed by another key");
		return GATE_SIG_BAD;
	}
	if (!str_is(s->ns, s->ns_len, namespace)) {
		snprintf(err, errlen, "signature is for namespace '%.*s', not '%s'",
			 (int)(s->ns_len > 40 ? 40 : s->ns_len), (const char *)s->ns, namespace);
		return GATE_SIG_NAMESPACE;
	}
	if (str_is(s->hash, s->hash_len, "sha256"))
		hmd = EVP_sha256();
	else if (str_is(s->hash, s->hash_len, "sha512"))
		hmd = EVP_sha512();
	else {
		snprintf(err, errlen, "hash algorithm is not sha256 or sha512");
		return GATE_SIG_UNSUPPORTED;
	}
	if (rd_string(&r, &stype, &stl) < 0 || rd_string(&r, &sblob, &sbl) < 0 || r.left) {
		snprintf(err, errlen, "signature blob is malformed");
		return GATE_SIG_MALFORMED;
	}
	vsig = sblob;
	vlen = sbl;
	if (!strcmp(key->type, "ssh-ed25519")) {
		if (!str_is(stype, stl, "ssh-ed25519") || sbl != 64) {
			snprintf(err, errlen, "not an ed25519 signature");
			return GATE_SIG_MALFORMED;
		}
	} else if (!strcmp(key->type, "ssh-rsa")) {
		if (str_is(stype, stl, "rsa-sha2-256"))
			smd = EVP_sha256();
		else if (str_is(stype, stl, "rsa-sha2-512"))
			smd = EVP_sha512();
		else {
			snprintf(err, errlen, "RSA signature type must be rsa-sha2-256 or rsa-sha2-512 "
					      "(SHA-1 'ssh-rsa' signatures are refused)");
			return GATE_SIG_UNSUPPORTED;
		}
	} else {
		if (!str_is(stype, stl, key->type)) {
			snprintf(err, errlen, "signature type does not match the %s key", key->type);
			return GATE_SIG_MALFORMED;
		}
		smd = key->ecdsa_md;
		der = ecdsa_der(sblob, sbl, &vlen);
		if (!der) {
			snprintf(err, errlen, "ECDSA signature is malformed");
			return GATE_SIG_MALFORMED;
		}
		vsig = der;
	}

	if (!EVP_Digest(msg, msglen, digest, &dlen, hmd, NULL)) {
		snprintf(err, errlen, "hashing the payload failed");
		goto out;
	}
	gate_buf_put(&signed_data, "SSHSIG", 6);
	put_string(&signed_data, s->ns, s->ns_len);
	put_string(&signed_data, s->reserved, s->reserved_len);
	put_string(&signed_data, s->hash, s->hash_len);
	put_string(&signed_data, digest, dlen);
	if (signed_data.oom) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit(ctx, NULL, smd, NULL, key->pkey) != 1) {
		snprintf(err, errlen, "cannot set up verification");
		goto out;
	}
	if (EVP_DigestVerify(ctx, vsig, vlen, (const unsigned char *)signed_data.ptr, signed_data.len) == 1)
		res = GATE_SIG_OK;
	else
		snprintf(err, errlen, "signature does not verify over the commit");
out:
	EVP_MD_CTX_free(ctx);
	gate_free(der);
	gate_buf_dispose(&signed_data);
	return res;
}

void gate_sshsig_free(gate_sshsig *s)
{
	if (!s)
		return;
	gate_free(s->raw);
	gate_free(s);
}
