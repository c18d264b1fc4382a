/*
 * Specification of src/redact.c: every secret found in a ref name, a path or
 * a message is replaced by its redacted form wherever gatehouse prints or
 * records it, the longest first, in its escaped spelling too.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "content/redact.h"

static char *redacted(gate_redactions *r, const char *s)
{
	gate_buf b = GATE_BUF_INIT;
	cr_assert_eq(gate_redact_put(&b, r, s, strlen(s)), 0);
	return gate_buf_detach(&b);
}

Test(redact, every_occurrence_is_replaced_and_the_rest_kept)
{
	gate_redactions r = GATE_REDACTIONS_INIT;
	char *out;
	cr_assert_eq(gate_redactions_add(&r, "AKIAZ7QRST2345ABCDEF", 20, "AKIA...(20 chars)"), 0);
	out = redacted(&r, "refs/heads/AKIAZ7QRST2345ABCDEF: also AKIAZ7QRST2345ABCDEF.");
	cr_assert_str_eq(out, "refs/heads/AKIA...(20 chars): also AKIA...(20 chars).");
	gate_free(out);
	out = redacted(&r, "nothing here, AKIAZ7QRST2345ABCDE (one short)");
	cr_assert_str_eq(out, "nothing here, AKIAZ7QRST2345ABCDE (one short)");
	cr_assert_eq(gate_redact_needed(&r, "x AKIAZ7QRST2345ABCDEF", 22), 1);
	cr_assert_eq(gate_redact_needed(&r, "x AKIAZ7QRST2345ABCDE", 21), 0);
	gate_free(out);
	gate_redactions_dispose(&r);
}

Test(redact, the_longest_secret_goes_first_and_duplicates_once)
{
	gate_redactions r = GATE_REDACTIONS_INIT;
	char *out;
	cr_assert_eq(gate_redactions_add(&r, "abcdefgh12", 10, "SHORT"), 0);
	cr_assert_eq(gate_redactions_add(&r, "xxabcdefgh12yy", 14, "LONG"), 0);
	cr_assert_eq(gate_redactions_add(&r, "abcdefgh12", 10, "SHORT"), 0);
	out = redacted(&r, "xxabcdefgh12yy abcdefgh12");
	cr_assert_str_eq(out, "LONG SHORT");
	cr_assert_eq(r.n, 2);
	gate_free(out);
	gate_redactions_dispose(&r);
}

Test(redact, a_secret_with_control_bytes_is_redacted_as_reports_escape_it)
{
	gate_redactions r = GATE_REDACTIONS_INIT;
	char *out;
	cr_assert_eq(gate_redactions_add(&r, "tok\ten1234", 10, "to...(10 chars)"), 0);
	out = redacted(&r, "path tok\\x09en1234 and raw tok\ten1234");
	cr_assert_str_eq(out, "path to...(10 chars) and raw to...(10 chars)");
	gate_free(out);
	gate_redactions_dispose(&r);
}

Test(redact, nothing_to_redact_copies_the_text)
{
	gate_redactions r = GATE_REDACTIONS_INIT;
	char *out = redacted(&r, "refs/heads/main");
	cr_assert_str_eq(out, "refs/heads/main");
	gate_free(out);
	gate_redactions_dispose(&r);
}
