/*
 * Specification of SSH keys and SSHSIG signatures (src/sshsig.h), checked
 * against the real OpenSSH: keys come from `ssh-keygen -t`, signatures from
 * `ssh-keygen -Y sign`, fingerprints are compared with `ssh-keygen -l`.
 * Hostile inputs (tampered payloads, relabelled namespaces, truncated or
 * rewritten signature blobs, malformed key lines) are built from those real
 * signatures, so each one differs from a valid input in exactly one way.
 *
 * Everything lives in a mkdtemp directory removed after each test.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "evidence/sshsig.h"

static char dir[] = "/tmp/gate-sshsig-XXXXXX";

static void dir_up(void)
{
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void dir_down(void)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(sshsig, .init = dir_up, .fini = dir_down);

/* ---- helpers: files and ssh-keygen ---------------------------------------------- */

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command in DIR (no agent, no prompts); it must succeed. */
static void run(const char *fmt, ...)
{
	char cmd[1024], inner[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(inner, sizeof(inner), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && unset SSH_AUTH_SOCK && ( %s ) </dev/null >/dev/null 2>&1", dir, inner);
	cr_assert_eq(system(cmd), 0, "command failed: %s", inner);
}

/* Generates key NAME (and NAME.pub): ARGS like "-t ed25519". */
static void keygen(const char *name, const char *args)
{
	run("ssh-keygen -q %s -N '' -C gate-test -f %s", args, name);
}

static char *slurp(const char *name, size_t *len)
{
	char path[256];
	char *data;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_eq(gate_read_file(&data, &n, path, 1 << 20), 0, "reading %s: %s", path,
		     gate_error_last());
	if (len)
		*len = n;
	return data;
}

static void spit(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static const char payload[] =
	"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	"author A <a@example.com> 1700000000 +0000\n"
	"committer A <a@example.com> 1700000000 +0000\n"
	"\n"
	"a commit to sign\n";

/* Signs the payload with KEY for NS into OUT (a .sig file); EXTRA: more ssh-keygen options. */
static void sign_payload(const char *key, const char *ns, const char *extra, const char *out)
{
	spit("payload", payload, strlen(payload));
	run("rm -f payload.sig && ssh-keygen -Y sign -n %s %s -f %s payload && mv payload.sig %s",
	    ns, extra ? extra : "", key, out);
}

/* The key in NAME.pub (without its newline); the test fails unless it parses. */
static gate_sshkey *load_pub(const char *name)
{
	char file[128], err[256] = "";
	char *line;
	gate_sshkey *k = NULL;
	int rc;

	snprintf(file, sizeof(file), "%s.pub", name);
	line = slurp(file, NULL);
	line[strcspn(line, "\n")] = '\0';
	rc = gate_sshkey_parse(&k, line, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s should parse: %s", file, err);
	cr_assert_not_null(k);
	gate_free(line);
	return k;
}

/* Parses signature file SIG and verifies it over MSG with KEY for NS. */
static gate_sig_result verify_msg(const char *sig, const gate_sshkey *key, const char *ns,
				  const char *msg, size_t msglen, char *err, size_t errlen)
{
	size_t len;
	char *armored = slurp(sig, &len);
	gate_sshsig *s = NULL;
	gate_sig_result r;

	r = gate_sshsig_parse(&s, armored, len, err, errlen);
	gate_free(armored);
	if (r != GATE_SIG_OK)
		return r;
	cr_assert_not_null(s);
	r = gate_sshsig_verify(s, key, ns, (const unsigned char *)msg, msglen, err, errlen);
	gate_sshsig_free(s);
	return r;
}

static gate_sig_result verify(const char *sig, const gate_sshkey *key, const char *ns, char *err,
			      size_t errlen)
{
	return verify_msg(sig, key, ns, payload, strlen(payload), err, errlen);
}

static const char *result_name(gate_sig_result r)
{
	switch (r) {
	case GATE_SIG_OK: return "OK";
	case GATE_SIG_MALFORMED: return "MALFORMED";
	case GATE_SIG_NAMESPACE: return "NAMESPACE";
	case GATE_SIG_UNSUPPORTED: return "UNSUPPORTED";
	case GATE_SIG_BAD: return "BAD";
	}
	return "?";
}

#define expect_result(got, want, ...)                                                     \
	cr_expect_eq((got), (want), "expected %s, got %s: %s", result_name(want),        \
		     result_name(got), __VA_ARGS__)

/* ---- helpers: the wire format, for rewriting real signatures --------------------- */

typedef struct {
	unsigned char *p;
	size_t len;
} bytes;

static bytes b64_decode(const char *s, size_t n)
{
	bytes b;
	char *clean = gate_malloc(n + 1);
	size_t i, m = 0, pad = 0;
	int dec;

	cr_assert_not_null(clean);
	for (i = 0; i < n; i++)
		if (s[i] != '\n' && s[i] != '\r' && s[i] != ' ')
			clean[m++] = s[i];
	clean[m] = '\0';
	cr_assert(m % 4 == 0 && m > 0, "test base64 has a bad length");
	pad = (clean[m - 1] == '=') + (clean[m - 2] == '=');
	b.p = gate_malloc(m / 4 * 3 + 1);
	cr_assert_not_null(b.p);
	dec = EVP_DecodeBlock(b.p, (unsigned char *)clean, (int)m);
	cr_assert_geq(dec, 0);
	b.len = (size_t)dec - pad;
	gate_free(clean);
	return b;
}

static char *b64_encode(const unsigned char *p, size_t n)
{
	char *out = gate_malloc(4 * ((n + 2) / 3) + 1);
	cr_assert_not_null(out);
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/* The decoded blob of armored signature file SIG. */
static bytes sig_blob(const char *sig)
{
	size_t len;
	char *a = slurp(sig, &len);
	char *b = strstr(a, "-----BEGIN SSH SIGNATURE-----");
	char *e = strstr(a, "-----END SSH SIGNATURE-----");
	bytes out;

	cr_assert(b && e && b < e);
	b += strlen("-----BEGIN SSH SIGNATURE-----");
	out = b64_decode(b, (size_t)(e - b));
	gate_free(a);
	return out;
}

/* Armors BLOB (LEN bytes) into file OUT, wrapped at 70 columns like ssh-keygen. */
static void write_armored(const char *out, const unsigned char *blob, size_t len)
{
	gate_buf b = GATE_BUF_INIT;
	char *enc = b64_encode(blob, len);
	size_t i, n = strlen(enc);

	gate_buf_puts(&b, "-----BEGIN SSH SIGNATURE-----\n");
	for (i = 0; i < n; i += 70) {
		gate_buf_put(&b, enc + i, n - i > 70 ? 70 : n - i);
		gate_buf_puts(&b, "\n");
	}
	gate_buf_puts(&b, "-----END SSH SIGNATURE-----\n");
	spit(out, b.ptr, b.len);
	gate_buf_dispose(&b);
	gate_free(enc);
}

typedef struct {
	const unsigned char *p;
	size_t len;
} field;

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Splits an SSHSIG blob: F[0] publickey, namespace, reserved, hash_algorithm, signature. */
static void sig_fields(const bytes *b, field f[5])
{
	size_t off = 10, i;

	cr_assert(b->len > 10 && !memcmp(b->p, "SSHSIG", 6) && get_u32(b->p + 6) == 1);
	for (i = 0; i < 5; i++) {
		cr_assert_leq(off + 4, b->len);
		f[i].len = get_u32(b->p + off);
		f[i].p = b->p + off + 4;
		off += 4 + f[i].len;
		cr_assert_leq(off, b->len);
	}
	cr_assert_eq(off, b->len);
}

static void put_u32(gate_buf *b, uint32_t v)
{
	char n[4] = { (char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v };
	gate_buf_put(b, n, 4);
}

static void put_str(gate_buf *b, const void *p, size_t len)
{
	put_u32(b, (uint32_t)len);
	gate_buf_put(b, p, len);
}

static void put_cstr(gate_buf *b, const char *s) { put_str(b, s, strlen(s)); }

/* An SSHSIG blob of VERSION with fields F, armored into OUT. */
static void write_sig(const char *out, uint32_t version, const field f[5])
{
	gate_buf b = GATE_BUF_INIT;
	size_t i;

	gate_buf_put(&b, "SSHSIG", 6);
	put_u32(&b, version);
	for (i = 0; i < 5; i++)
		put_str(&b, f[i].p, f[i].len);
	cr_assert(!b.oom);
	write_armored(out, (const unsigned char *)b.ptr, b.len);
	gate_buf_dispose(&b);
}

/* ---- keys ------------------------------------------------------------------------ */

Test(sshsig, key_line_parses_into_type_and_blob)
{
	static const struct {
		const char *args, *type;
	} cases[] = {
		{ "-t ed25519", "ssh-ed25519" },
		{ "-t ecdsa -b 256", "ecdsa-sha2-nistp256" },
		{ "-t ecdsa -b 384", "ecdsa-sha2-nistp384" },
		{ "-t ecdsa -b 521", "ecdsa-sha2-nistp521" },
		{ "-t rsa -b 2048", "ssh-rsa" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char name[16], file[32];
		char *line, *sp;
		gate_sshkey *k;
		const unsigned char *blob;
		size_t len;
		bytes want;

		snprintf(name, sizeof(name), "k%zu", i);
		keygen(name, cases[i].args);
		k = load_pub(name);
		cr_expect_str_eq(gate_sshkey_type(k), cases[i].type);
		/* the blob is the decoded middle field */
		snprintf(file, sizeof(file), "%s.pub", name);
		line = slurp(file, NULL);
		sp = strchr(line, ' ');
		cr_assert_not_null(sp);
		want = b64_decode(sp + 1, strcspn(sp + 1, " \n"));
		blob = gate_sshkey_blob(k, &len);
		cr_expect_eq(len, want.len, "%s blob length", cases[i].type);
		cr_expect(len == want.len && !memcmp(blob, want.p, len), "%s blob", cases[i].type);
		gate_free(want.p);
		gate_free(line);
		gate_sshkey_free(k);
	}
}

Test(sshsig, key_line_comment_and_surrounding_blanks_are_ignored)
{
	char *line, *sp, *b64;
	char buf[1024], err[256];
	gate_sshkey *k = NULL;
	const char *const forms[] = { "%s %s", "%s %s a comment with spaces", "  %s\t%s  ",
				      "%s  %s\tuser@host" };
	size_t i;

	keygen("k", "-t ed25519");
	line = slurp("k.pub", NULL);
	sp = strchr(line, ' ');
	*sp = '\0';
	b64 = sp + 1;
	b64[strcspn(b64, " \n")] = '\0';
	for (i = 0; i < GATE_ARRAY_SIZE(forms); i++) {
		snprintf(buf, sizeof(buf), forms[i], line, b64);
		cr_expect_eq(gate_sshkey_parse(&k, buf, err, sizeof(err)), 0, "'%s': %s", buf, err);
		if (k)
			cr_expect_str_eq(gate_sshkey_type(k), "ssh-ed25519");
		gate_sshkey_free(k);
		k = NULL;
	}
	gate_free(line);
}

Test(sshsig, fingerprint_is_what_ssh_keygen_l_prints)
{
	static const char *const args[] = { "-t ed25519", "-t ecdsa -b 256", "-t ecdsa -b 521",
					    "-t rsa -b 2048" };
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(args); i++) {
		char name[16], out[32], fp[80], want[80];
		char *printed;
		gate_sshkey *k;
		const unsigned char *blob;
		size_t len;

		snprintf(name, sizeof(name), "k%zu", i);
		snprintf(out, sizeof(out), "k%zu.fp", i);
		keygen(name, args[i]);
		run("ssh-keygen -E sha256 -lf %s.pub > %s", name, out);
		printed = slurp(out, NULL);
		/* "BITS SHA256:... COMMENT (TYPE)" */
		cr_assert_eq(sscanf(printed, "%*s %79s", want), 1, "ssh-keygen printed '%s'",
			     printed);
		k = load_pub(name);
		blob = gate_sshkey_blob(k, &len);
		gate_ssh_fingerprint(fp, sizeof(fp), blob, len);
		cr_expect_str_eq(fp, want, "fingerprint of %s", args[i]);
		cr_expect_eq(strncmp(fp, "SHA256:", 7), 0);
		cr_expect_eq(strlen(fp), 7 + 43, "43 base64 characters, no padding");
		gate_free(printed);
		gate_sshkey_free(k);
	}
}

Test(sshsig, fingerprint_is_truncated_safely_into_a_small_buffer)
{
	char fp[12];
	memset(fp, 'Z', sizeof(fp));
	gate_ssh_fingerprint(fp, sizeof(fp), (const unsigned char *)"x", 1);
	cr_expect_eq(strlen(fp), sizeof(fp) - 1);
	cr_expect_eq(strncmp(fp, "SHA256:", 7), 0);
}

/* A key line "TYPE BASE64(blob)" built from BLOB. */
static char *key_line(const char *type, const gate_buf *blob)
{
	char *enc = b64_encode((const unsigned char *)blob->ptr, blob->len);
	gate_buf line = GATE_BUF_INIT;
	gate_buf_printf(&line, "%s %s comment", type, enc);
	gate_free(enc);
	return gate_buf_detach(&line);
}

static void expect_key_refused(const char *line, const char *needle, const char *what)
{
	gate_sshkey *k = (gate_sshkey *)1;
	char err[256] = "";
	int rc = gate_sshkey_parse(&k, line, err, sizeof(err));

	cr_expect_eq(rc, GATE_EINVAL, "%s: expected GATE_EINVAL, got %d", what, rc);
	cr_expect_null(k, "%s: no key on failure", what);
	cr_expect_neq(err[0], '\0', "%s: a message", what);
	if (needle)
		cr_expect_not_null(strstr(err, needle), "%s: message '%s' lacks '%s'", what, err,
				   needle);
	if (rc == 0)
		gate_sshkey_free(k);
}

Test(sshsig, malformed_key_lines_are_refused_with_a_message)
{
	static const struct {
		const char *line, *needle;
	} cases[] = {
		{ "", "TYPE BASE64" },
		{ "   ", "TYPE BASE64" },
		{ "ssh-ed25519", "TYPE BASE64" },
		{ "ssh-ed25519   ", "TYPE BASE64" },
		{ "ssh-ed25519 !!!!not-base64!!!!", "base64" },
		{ "ssh-ed25519 AAAA", "malformed" },    /* decodes to 3 zero bytes: no type */
		{ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "malformed" }, /* a type and nothing else */
		{ "ssh-ed25519 QUJD=", "base64" },      /* length not a multiple of 4 */
		{ "ssh-ed25519 ====", NULL },           /* refused, as base64 or as a 1-byte blob */
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++)
		expect_key_refused(cases[i].line, cases[i].needle, cases[i].line);
}

Test(sshsig, key_line_type_must_match_the_blob)
{
	char *line, *sp, buf[1024];

	keygen("k", "-t ed25519");
	line = slurp("k.pub", NULL);
	line[strcspn(line, "\n")] = '\0';
	sp = strchr(line, ' ');
	snprintf(buf, sizeof(buf), "ssh-rsa%s", sp);
	expect_key_refused(buf, "the line says ssh-rsa but the key is ssh-ed25519", "rsa label");
	snprintf(buf, sizeof(buf), "ecdsa-sha2-nistp256%s", sp);
	expect_key_refused(buf, "ssh-ed25519", "ecdsa label");
	snprintf(buf, sizeof(buf), "ssh-ed25519x%s", sp);
	expect_key_refused(buf, "the line says ssh-ed25519x", "longer label");
	snprintf(buf, sizeof(buf), "ssh-ed2551%s", sp);
	expect_key_refused(buf, "the line says ssh-ed2551 ", "shorter label");
	gate_free(line);
}

Test(sshsig, unsupported_key_types_are_refused)
{
	gate_buf blob = GATE_BUF_INIT;
	unsigned char pk[32] = { 1 };
	char *line, *dsa;

	/* a real DSA key, when this OpenSSH still makes them */
	{
		char cmd[512];
		snprintf(cmd, sizeof(cmd),
			 "cd '%s' && ssh-keygen -q -t dsa -N '' -f d </dev/null >/dev/null 2>&1",
			 dir);
		if (system(cmd) == 0) {
			dsa = slurp("d.pub", NULL);
			dsa[strcspn(dsa, "\n")] = '\0';
			expect_key_refused(dsa, "'ssh-dss' is not supported", "ssh-dss");
			gate_free(dsa);
		} else {
			cr_log_info("this ssh-keygen makes no DSA keys; using a built blob only");
		}
	}
	/* a DSA-shaped blob */
	put_cstr(&blob, "ssh-dss");
	put_str(&blob, pk, sizeof(pk));
	line = key_line("ssh-dss", &blob);
	expect_key_refused(line, "'ssh-dss' is not supported", "ssh-dss blob");
	gate_free(line);
	gate_buf_clear(&blob);

	/* a FIDO key: the key holder is a token, and its signatures carry flags */
	put_cstr(&blob, "sk-ssh-ed25519@openssh.com");
	put_str(&blob, pk, sizeof(pk));
	put_cstr(&blob, "ssh:");
	line = key_line("sk-ssh-ed25519@openssh.com", &blob);
	expect_key_refused(line, "'sk-ssh-ed25519@openssh.com' is not supported", "sk-ed25519");
	gate_free(line);
	gate_buf_clear(&blob);

	/* a certificate (its message is pinned by certificate_key_is_refused_as_unsupported) */
	put_cstr(&blob, "ssh-ed25519-cert-v01@openssh.com");
	put_str(&blob, pk, sizeof(pk));
	line = key_line("ssh-ed25519-cert-v01@openssh.com", &blob);
	expect_key_refused(line, NULL, "certificate");
	gate_free(line);
	gate_buf_dispose(&blob);
}

/*
 * Regression (found by this test, fixed): (src/sshsig.c, key_from_blob): a key type of 32 bytes or more is
 * reported as "key blob is malformed" because it does not fit k->type[32],
 * so a certificate (ssh-ed25519-cert-v01@openssh.com, 32 bytes;
 * ecdsa-sha2-nistp256-cert-v01@openssh.com, 40) gets a misleading message
 * instead of "key type '...' is not supported".  Still refused (fail
 * closed); only the message is wrong.
 */
Test(sshsig, certificate_key_is_refused_as_unsupported)
{
	static const char *const types[] = { "ssh-ed25519-cert-v01@openssh.com",
					     "ecdsa-sha2-nistp256-cert-v01@openssh.com" };
	unsigned char pk[32] = { 1 };
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(types); i++) {
		gate_buf blob = GATE_BUF_INIT;
		char *line;
		put_cstr(&blob, types[i]);
		put_str(&blob, pk, sizeof(pk));
		line = key_line(types[i], &blob);
		expect_key_refused(line, "is not supported", types[i]);
		gate_free(line);
		gate_buf_dispose(&blob);
	}
}

Test(sshsig, malformed_key_blobs_are_refused)
{
	unsigned char pk[133], n[64];
	static const unsigned char e[] = { 1, 0, 1 };
	gate_buf blob = GATE_BUF_INIT;
	char *line;

	memset(pk, 7, sizeof(pk));
	memset(n, 0xC5, sizeof(n));

	put_cstr(&blob, "ssh-ed25519");
	put_str(&blob, pk, 31);
	line = key_line("ssh-ed25519", &blob);
	expect_key_refused(line, "ed25519 key blob is malformed", "31-byte ed25519 key");
	gate_free(line);
	gate_buf_clear(&blob);

	put_cstr(&blob, "ssh-ed25519");
	put_str(&blob, pk, 32);
	put_cstr(&blob, "trailing");
	line = key_line("ssh-ed25519", &blob);
	expect_key_refused(line, "ed25519 key blob is malformed", "bytes after the key");
	gate_free(line);
	gate_buf_clear(&blob);

	put_cstr(&blob, "ssh-ed25519");
	put_u32(&blob, 32); /* claims 32 bytes, has 4 */
	gate_buf_put(&blob, "abcd", 4);
	line = key_line("ssh-ed25519", &blob);
	expect_key_refused(line, "malformed", "length past the end");
	gate_free(line);
	gate_buf_clear(&blob);

	put_cstr(&blob, "ecdsa-sha2-nistp256");
	put_cstr(&blob, "nistp384"); /* the curve does not match the type */
	pk[0] = 4;
	put_str(&blob, pk, 65);
	line = key_line("ecdsa-sha2-nistp256", &blob);
	expect_key_refused(line, "ecdsa-sha2-nistp256 key is malformed", "curve mismatch");
	gate_free(line);
	gate_buf_clear(&blob);

	put_cstr(&blob, "ecdsa-sha2-nistp256");
	put_cstr(&blob, "nistp256");
	put_str(&blob, pk, 65); /* 04 || x || y, not a point on the curve */
	line = key_line("ecdsa-sha2-nistp256", &blob);
	expect_key_refused(line, "ecdsa-sha2-nistp256 key is malformed", "point off the curve");
	gate_free(line);
	gate_buf_clear(&blob);

	put_cstr(&blob, "ssh-rsa");
	put_str(&blob, e, sizeof(e));
	put_str(&blob, n, sizeof(n)); /* a 512-bit modulus */
	line = key_line("ssh-rsa", &blob);
	expect_key_refused(line, "ssh-rsa key is malformed", "512-bit RSA");
	gate_free(line);
	gate_buf_dispose(&blob);
}

/* ---- signatures that verify ------------------------------------------------------- */

Test(sshsig, signatures_by_every_supported_key_type_verify)
{
	static const struct {
		const char *args, *sign_opts, *what;
	} cases[] = {
		{ "-t ed25519", NULL, "ed25519" },
		{ "-t ecdsa -b 256", NULL, "ecdsa nistp256" },
		{ "-t ecdsa -b 384", NULL, "ecdsa nistp384" },
		{ "-t ecdsa -b 521", NULL, "ecdsa nistp521" },
		{ "-t rsa -b 2048", NULL, "rsa (rsa-sha2-512)" },
		{ "-t rsa -b 3072", "-O hashalg=sha256", "rsa, sha256 message hash" },
		{ "-t ed25519", "-O hashalg=sha256", "ed25519, sha256 message hash" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char name[16], sig[16], err[256] = "";
		gate_sshkey *k;

		snprintf(name, sizeof(name), "k%zu", i);
		snprintf(sig, sizeof(sig), "s%zu", i);
		keygen(name, cases[i].args);
		sign_payload(name, "git", cases[i].sign_opts, sig);
		k = load_pub(name);
		expect_result(verify(sig, k, "git", err, sizeof(err)), GATE_SIG_OK, "%s: %s",
			      cases[i].what, err);
		gate_sshkey_free(k);
	}
}

Test(sshsig, signer_is_the_signing_key_blob)
{
	char err[256];
	size_t len, klen, slen;
	char *armored;
	gate_sshsig *s = NULL;
	gate_sshkey *k;
	const unsigned char *kb, *sb;

	keygen("k", "-t ed25519");
	sign_payload("k", "git", NULL, "s");
	k = load_pub("k");
	armored = slurp("s", &len);
	cr_assert_eq(gate_sshsig_parse(&s, armored, len, err, sizeof(err)), GATE_SIG_OK, "%s", err);
	kb = gate_sshkey_blob(k, &klen);
	sb = gate_sshsig_signer(s, &slen);
	cr_expect_eq(slen, klen);
	cr_expect(slen == klen && !memcmp(sb, kb, klen), "the signer is the key that signed");
	gate_sshsig_free(s);
	gate_sshkey_free(k);
	gate_free(armored);
}

Test(sshsig, armor_may_sit_inside_surrounding_text)
{
	char err[256] = "";
	gate_sshkey *k;
	size_t len;
	char *armored;
	gate_buf b = GATE_BUF_INIT;

	keygen("k", "-t ed25519");
	sign_payload("k", "git", NULL, "s");
	armored = slurp("s", &len);
	/* CRLF armor with text around it, as a gpgsig header might carry */
	gate_buf_puts(&b, "prefix\r\n");
	for (size_t i = 0; i < len; i++) {
		if (armored[i] == '\n')
			gate_buf_puts(&b, "\r");
		gate_buf_put(&b, &armored[i], 1);
	}
	gate_buf_puts(&b, "suffix\r\n");
	spit("wrapped", b.ptr, b.len);
	k = load_pub("k");
	expect_result(verify("wrapped", k, "git", err, sizeof(err)), GATE_SIG_OK, "%s", err);
	gate_sshkey_free(k);
	gate_buf_dispose(&b);
	gate_free(armored);
}

/* ---- signatures that do not ------------------------------------------------------- */

Test(sshsig, tampered_payload_is_bad)
{
	static const char *const args[] = { "-t ed25519", "-t ecdsa -b 256", "-t rsa -b 2048" };
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(args); i++) {
		char name[16], sig[16], err[256] = "";
		char tampered[sizeof(payload)];
		gate_sshkey *k;

		snprintf(name, sizeof(name), "k%zu", i);
		snprintf(sig, sizeof(sig), "s%zu", i);
		keygen(name, args[i]);
		sign_payload(name, "git", NULL, sig);
		k = load_pub(name);
		memcpy(tampered, payload, sizeof(payload));
		tampered[sizeof(payload) - 3] ^= 1;
		expect_result(
			verify_msg(sig, k, "git", tampered, strlen(tampered), err, sizeof(err)),
			GATE_SIG_BAD, "%s, one bit flipped", args[i]);
		expect_result(
			verify_msg(sig, k, "git", payload, strlen(payload) - 1, err, sizeof(err)),
			GATE_SIG_BAD, "%s, one byte short", args[i]);
		expect_result(verify_msg(sig, k, "git", "", 0, err, sizeof(err)), GATE_SIG_BAD,
			      "%s, empty payload", args[i]);
		cr_expect_not_null(strstr(err, "does not verify"), "message: %s", err);
		gate_sshkey_free(k);
	}
}

Test(sshsig, signature_for_another_namespace_is_refused)
{
	char err[256] = "";
	gate_sshkey *k;

	keygen("k", "-t ed25519");
	sign_payload("k", "file", NULL, "s");
	k = load_pub("k");
	expect_result(verify("s", k, "git", err, sizeof(err)), GATE_SIG_NAMESPACE, "%s", err);
	cr_expect_not_null(strstr(err, "'file'"), "message names the namespace: %s", err);
	expect_result(verify("s", k, "file", err, sizeof(err)), GATE_SIG_OK, "%s", err);
	expect_result(verify("s", k, "gi", err, sizeof(err)), GATE_SIG_NAMESPACE, "prefix: %s",
		      err);
	expect_result(verify("s", k, "files", err, sizeof(err)), GATE_SIG_NAMESPACE, "longer: %s",
		      err);
	gate_sshkey_free(k);
}

Test(sshsig, namespace_relabelled_in_the_blob_does_not_verify)
{
	char err[256] = "";
	gate_sshkey *k;
	bytes b;
	field f[5];

	keygen("k", "-t ed25519");
	sign_payload("k", "file", NULL, "s");
	b = sig_blob("s");
	sig_fields(&b, f);
	f[1].p = (const unsigned char *)"git";
	f[1].len = 3;
	write_sig("relabelled", 1, f);
	k = load_pub("k");
	expect_result(verify("relabelled", k, "git", err, sizeof(err)), GATE_SIG_BAD,
		      "the signature covers the namespace: %s", err);
	gate_sshkey_free(k);
	gate_free(b.p);
}

Test(sshsig, reserved_field_rewritten_does_not_verify)
{
	char err[256] = "";
	gate_sshkey *k;
	bytes b;
	field f[5];

	keygen("k", "-t ed25519");
	sign_payload("k", "git", NULL, "s");
	b = sig_blob("s");
	sig_fields(&b, f);
	f[2].p = (const unsigned char *)"x";
	f[2].len = 1;
	write_sig("rewritten", 1, f);
	k = load_pub("k");
	expect_result(verify("rewritten", k, "git", err, sizeof(err)), GATE_SIG_BAD, "%s", err);
	gate_sshkey_free(k);
	gate_free(b.p);
}

Test(sshsig, verifying_with_another_key_is_bad)
{
	char err[256] = "";
	gate_sshkey *other, *other_type;

	keygen("k", "-t ed25519");
	keygen("other", "-t ed25519");
	keygen("rsa", "-t rsa -b 2048");
	sign_payload("k", "git", NULL, "s");
	other = load_pub("other");
	other_type = load_pub("rsa");
	expect_result(verify("s", other, "git", err, sizeof(err)), GATE_SIG_BAD, "%s", err);
	cr_expect_not_null(strstr(err, "another key"), "message: %s", err);
	expect_result(verify("s", other_type, "git", err, sizeof(err)), GATE_SIG_BAD, "%s", err);
	gate_sshkey_free(other);
	gate_sshkey_free(other_type);
}

Test(sshsig, signer_field_swapped_for_the_verifiers_key_does_not_verify)
{
	char err[256] = "";
	gate_sshkey *victim;
	const unsigned char *vb;
	size_t vlen;
	bytes b;
	field f[5];

	keygen("attacker", "-t ed25519");
	keygen("victim", "-t ed25519");
	sign_payload("attacker", "git", NULL, "s");
	victim = load_pub("victim");
	b = sig_blob("s");
	sig_fields(&b, f);
	vb = gate_sshkey_blob(victim, &vlen);
	f[0].p = vb;
	f[0].len = vlen;
	write_sig("swapped", 1, f);
	expect_result(verify("swapped", victim, "git", err, sizeof(err)), GATE_SIG_BAD, "%s", err);
	gate_sshkey_free(victim);
	gate_free(b.p);
}

static void expect_parse_malformed(const char *text, size_t len, const char *what)
{
	gate_sshsig *s = (gate_sshsig *)1;
	char err[256] = "";
	gate_sig_result r = gate_sshsig_parse(&s, text, len, err, sizeof(err));

	expect_result(r, GATE_SIG_MALFORMED, "%s (%s)", what, err);
	cr_expect_null(s, "%s: no signature on failure", what);
	cr_expect_neq(err[0], '\0', "%s: a message", what);
	if (r == GATE_SIG_OK)
		gate_sshsig_free(s);
}

Test(sshsig, truncated_garbage_and_non_base64_armor_is_malformed)
{
	size_t len;
	char *armored, *end;
	gate_buf b = GATE_BUF_INIT;
	static const char *const texts[] = {
		"",
		"not a signature",
		"-----BEGIN SSH SIGNATURE-----\n",
		"-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
		"-----BEGIN SSH SIGNATURE-----\n!!!!notbase64!!!\n-----END SSH SIGNATURE-----\n",
		/* only the magic "SSHSIG" */
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAg==\n-----END SSH SIGNATURE-----\n",
		"-----BEGIN SSH SIGNATURE-----\naGVsbG8gd29ybGQh\n-----END SSH SIGNATURE-----\n",
		"-----END SSH SIGNATURE-----\n-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n",
		"-----BEGIN PGP SIGNATURE-----\nU1NIU0lH\n-----END PGP SIGNATURE-----\n",
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(texts); i++)
		expect_parse_malformed(texts[i], strlen(texts[i]), texts[i]);

	keygen("k", "-t ed25519");
	sign_payload("k", "git", NULL, "s");
	armored = slurp("s", &len);
	/* the same armor, cut short in every way */
	expect_parse_malformed(armored, len - 10, "END marker cut");
	expect_parse_malformed(armored, 40, "cut inside the base64");
	end = strstr(armored, "-----END");
	cr_assert_not_null(end);
	for (i = 4; i <= 24; i += 4) { /* drop whole base64 quads before the END line */
		gate_buf_clear(&b);
		gate_buf_put(&b, armored, (size_t)(end - armored) - 1 - i);
		gate_buf_puts(&b, "\n-----END SSH SIGNATURE-----\n");
		expect_parse_malformed(b.ptr, b.len, "blob cut short");
	}
	/* one base64 character replaced by a non-base64 one */
	gate_buf_clear(&b);
	gate_buf_put(&b, armored, len);
	b.ptr[40] = '*';
	expect_parse_malformed(b.ptr, b.len, "a '*' in the base64");
	gate_buf_dispose(&b);
	gate_free(armored);
}

Test(sshsig, rewritten_blobs_are_malformed_or_unsupported)
{
	char err[256] = "";
	gate_sshkey *k;
	bytes b;
	field f[5], g[5];
	gate_buf sigf = GATE_BUF_INIT, raw = GATE_BUF_INIT;

	keygen("k", "-t ed25519");
	sign_payload("k", "git", NULL, "s");
	k = load_pub("k");
	b = sig_blob("s");
	sig_fields(&b, f);

	/* version 2 */
	write_sig("v2", 2, f);
	{
		size_t len;
		char *t = slurp("v2", &len);
		expect_parse_malformed(t, len, "version 2");
		gate_free(t);
	}

	/* bytes after the last field */
	gate_buf_put(&raw, (const char *)b.p, b.len);
	gate_buf_puts(&raw, "X");
	write_armored("trailing", (const unsigned char *)raw.ptr, raw.len);
	{
		size_t len;
		char *t = slurp("trailing", &len);
		expect_parse_malformed(t, len, "a byte after the signature");
		gate_free(t);
	}

	/* a hash algorithm other than sha256 / sha512 */
	memcpy(g, f, sizeof(g));
	g[3].p = (const unsigned char *)"sha1";
	g[3].len = 4;
	write_sig("sha1", 1, g);
	expect_result(verify("sha1", k, "git", err, sizeof(err)), GATE_SIG_UNSUPPORTED, "%s", err);

	/* a signature field of the wrong type for the key */
	memcpy(g, f, sizeof(g));
	put_cstr(&sigf, "ssh-rsa");
	put_str(&sigf, f[4].p + 4 + 11 + 4, 64);
	g[4].p = (const unsigned char *)sigf.ptr;
	g[4].len = sigf.len;
	write_sig("wrongtype", 1, g);
	expect_result(verify("wrongtype", k, "git", err, sizeof(err)), GATE_SIG_MALFORMED, "%s",
		      err);

	/* an ed25519 signature of 63 bytes */
	gate_buf_clear(&sigf);
	put_cstr(&sigf, "ssh-ed25519");
	put_str(&sigf, f[4].p + 4 + 11 + 4, 63);
	g[4].p = (const unsigned char *)sigf.ptr;
	g[4].len = sigf.len;
	write_sig("short", 1, g);
	expect_result(verify("short", k, "git", err, sizeof(err)), GATE_SIG_MALFORMED, "%s", err);

	/* a signature field that is not two strings */
	g[4].p = (const unsigned char *)"\0\0\0\x0bssh-ed25519";
	g[4].len = 15;
	write_sig("onestring", 1, g);
	expect_result(verify("onestring", k, "git", err, sizeof(err)), GATE_SIG_MALFORMED, "%s",
		      err);

	gate_buf_dispose(&sigf);
	gate_buf_dispose(&raw);
	gate_sshkey_free(k);
	gate_free(b.p);
}

Test(sshsig, sha1_rsa_signatures_are_unsupported)
{
	char err[256] = "";
	gate_sshkey *k;
	bytes b;
	field f[5], s[2];
	gate_buf sigf = GATE_BUF_INIT;
	size_t off;

	keygen("k", "-t rsa -b 2048");
	sign_payload("k", "git", NULL, "s");
	k = load_pub("k");
	b = sig_blob("s");
	sig_fields(&b, f);
	/* signature = string(type) string(blob): keep the blob, call it "ssh-rsa" */
	s[0].len = get_u32(f[4].p);
	s[0].p = f[4].p + 4;
	cr_assert(s[0].len == 12 && !memcmp(s[0].p, "rsa-sha2-512", 12),
		  "ssh-keygen signs rsa-sha2-512");
	off = 4 + s[0].len;
	s[1].len = get_u32(f[4].p + off);
	s[1].p = f[4].p + off + 4;
	put_cstr(&sigf, "ssh-rsa");
	put_str(&sigf, s[1].p, s[1].len);
	f[4].p = (const unsigned char *)sigf.ptr;
	f[4].len = sigf.len;
	write_sig("sha1", 1, f);
	expect_result(verify("sha1", k, "git", err, sizeof(err)), GATE_SIG_UNSUPPORTED, "%s", err);
	cr_expect_not_null(strstr(err, "SHA-1"), "message: %s", err);

	/* calling the sha512 signature rsa-sha2-256 makes it not verify */
	gate_buf_clear(&sigf);
	put_cstr(&sigf, "rsa-sha2-256");
	put_str(&sigf, s[1].p, s[1].len);
	f[4].p = (const unsigned char *)sigf.ptr;
	f[4].len = sigf.len;
	write_sig("relabel", 1, f);
	expect_result(verify("relabel", k, "git", err, sizeof(err)), GATE_SIG_BAD, "%s", err);

	gate_buf_dispose(&sigf);
	gate_sshkey_free(k);
	gate_free(b.p);
}

Test(sshsig, ecdsa_signature_with_oversized_integers_is_malformed)
{
	char err[256] = "";
	gate_sshkey *k;
	bytes b;
	field f[5];
	gate_buf inner = GATE_BUF_INIT, sigf = GATE_BUF_INIT;
	unsigned char big[68];

	memset(big, 0x11, sizeof(big));
	keygen("k", "-t ecdsa -b 256");
	sign_payload("k", "git", NULL, "s");
	k = load_pub("k");
	b = sig_blob("s");
	sig_fields(&b, f);
	put_str(&inner, big, sizeof(big));
	put_str(&inner, big, 32);
	put_cstr(&sigf, "ecdsa-sha2-nistp256");
	put_str(&sigf, inner.ptr, inner.len);
	f[4].p = (const unsigned char *)sigf.ptr;
	f[4].len = sigf.len;
	write_sig("big", 1, f);
	expect_result(verify("big", k, "git", err, sizeof(err)), GATE_SIG_MALFORMED, "%s", err);

	/* the right sizes but wrong numbers: well-formed, does not verify */
	gate_buf_clear(&inner);
	gate_buf_clear(&sigf);
	put_str(&inner, big, 32);
	put_str(&inner, big, 32);
	put_cstr(&sigf, "ecdsa-sha2-nistp256");
	put_str(&sigf, inner.ptr, inner.len);
	f[4].p = (const unsigned char *)sigf.ptr;
	f[4].len = sigf.len;
	write_sig("wrong", 1, f);
	expect_result(verify("wrong", k, "git", err, sizeof(err)), GATE_SIG_BAD, "%s", err);

	gate_buf_dispose(&inner);
	gate_buf_dispose(&sigf);
	gate_sshkey_free(k);
	gate_free(b.p);
}

Test(sshsig, free_accepts_null)
{
	gate_sshkey_free(NULL);
	gate_sshsig_free(NULL);
}
