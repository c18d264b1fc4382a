/*
 * Specification of the shared helpers in src/common.h: escaping bytes that
 * came from a push before they reach a terminal, the growable buffer, the
 * arena, and gate_read_file()'s refusal of symlinks and oversize files.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/common.h"

/* ---- gate_buf_put_escaped --------------------------------------------------- */

typedef struct {
	const char *name;
	const char *in;
	size_t len;
	const char *out;
} escape_case;

#define ESC(name, in, out) { name, in, sizeof(in) - 1, out }

Test(util, escaping_makes_terminal_bytes_visible_and_keeps_valid_text)
{
	static const escape_case cases[] = {
		ESC("plain ascii", "refs/heads/main", "refs/heads/main"),
		ESC("empty", "", ""),
		ESC("escape", "a\x1b[31mb", "a\\x1b[31mb"),
		ESC("newline", "a\nb", "a\\x0ab"),
		ESC("carriage return", "a\rb", "a\\x0db"),
		ESC("tab", "a\tb", "a\\x09b"),
		ESC("bell", "\a", "\\x07"),
		ESC("NUL inside", "a\0b", "a\\x00b"),
		ESC("DEL", "a\x7f" "b", "a\\x7fb"),
		ESC("backslash kept", "a\\b", "a\\b"),
		ESC("already escaped text is unchanged (idempotent)", "\\x1b", "\\x1b"),
		ESC("2-byte UTF-8 kept", "caf\xc3\xa9", "caf\xc3\xa9"),
		ESC("3-byte UTF-8 kept", "\xe2\x82\xac", "\xe2\x82\xac"),
		ESC("4-byte UTF-8 kept", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"),
		ESC("U+00A0 kept", "\xc2\xa0", "\xc2\xa0"),
		ESC("C1 control CSI escaped", "\xc2\x9b" "31m", "\\xc2\\x9b31m"),
		ESC("C1 control NEL escaped", "\xc2\x85", "\\xc2\\x85"),
		ESC("lone continuation byte", "a\x80" "b", "a\\x80b"),
		ESC("lone lead byte", "a\xc3", "a\\xc3"),
		ESC("truncated 3-byte", "\xe2\x82", "\\xe2\\x82"),
		ESC("lead byte then ascii", "\xe2" "ab", "\\xe2ab"),
		ESC("overlong slash", "\xc0\xaf", "\\xc0\\xaf"),
		ESC("overlong NUL", "\xc0\x80", "\\xc0\\x80"),
		ESC("overlong 3-byte", "\xe0\x80\xaf", "\\xe0\\x80\\xaf"),
		ESC("overlong 4-byte", "\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"),
		ESC("surrogate", "\xed\xa0\x80", "\\xed\\xa0\\x80"),
		ESC("above U+10FFFF", "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"),
		ESC("0xFF", "\xff", "\\xff"),
		ESC("0xF8 five-byte lead", "\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80"),
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_buf b = GATE_BUF_INIT;
		cr_assert_eq(gate_buf_put_escaped(&b, cases[i].in, cases[i].len), 0);
		cr_expect_str_eq(gate_buf_cstr(&b), cases[i].out, "%s", cases[i].name);
		cr_expect_eq(b.len, strlen(cases[i].out), "%s: length", cases[i].name);
		gate_buf_dispose(&b);
	}
}

Test(util, escaped_output_never_holds_a_control_byte)
{
	/* every single byte value, alone and between letters */
	gate_buf b = GATE_BUF_INIT;
	char in[3];
	int c;
	size_t i;

	for (c = 0; c < 256; c++) {
		in[0] = 'x';
		in[1] = (char)c;
		in[2] = 'y';
		cr_assert_eq(gate_buf_put_escaped(&b, in, 3), 0);
	}
	for (i = 0; i < b.len; i++) {
		unsigned char u = (unsigned char)b.ptr[i];
		cr_assert(u >= 0x20 && u < 0x7f, "byte 0x%02x at %zu survived escaping", u, i);
	}
	gate_buf_dispose(&b);
}

Test(util, escaping_appends_to_what_the_buffer_holds)
{
	gate_buf b = GATE_BUF_INIT;
	gate_buf_puts(&b, "ref ");
	gate_buf_put_escaped(&b, "\x1b", 1);
	cr_expect_str_eq(gate_buf_cstr(&b), "ref \\x1b");
	gate_buf_dispose(&b);
}

/* ---- gate_buf ---------------------------------------------------------------- */

Test(util, empty_buffer_reads_as_empty_string)
{
	gate_buf b = GATE_BUF_INIT;
	cr_expect_str_eq(gate_buf_cstr(&b), "");
	cr_expect_eq(b.len, 0);
}

Test(util, printf_grows_the_buffer_past_its_capacity)
{
	gate_buf b = GATE_BUF_INIT;
	gate_buf expect = GATE_BUF_INIT;
	char big[5000];
	int i;

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(gate_buf_printf(&b, "%d-%s", 42, "x"), 0);
	cr_expect_str_eq(gate_buf_cstr(&b), "42-x");
	cr_assert_eq(gate_buf_printf(&b, "[%s]", big), 0);
	cr_expect_eq(b.len, 4 + 1 + 4999 + 1);
	cr_expect(b.cap > b.len, "capacity leaves room for the terminator");
	cr_expect_eq(b.ptr[b.len], '\0');
	cr_expect_eq(b.ptr[4], '[');
	cr_expect_eq(b.ptr[b.len - 1], ']');

	/* many small appends agree with one big one */
	gate_buf_clear(&b);
	cr_expect_eq(b.len, 0);
	cr_expect_str_eq(gate_buf_cstr(&b), "");
	for (i = 0; i < 2000; i++)
		cr_assert_eq(gate_buf_printf(&b, "%d,", i), 0);
	for (i = 0; i < 2000; i++) {
		char tmp[16];
		snprintf(tmp, sizeof(tmp), "%d,", i);
		gate_buf_puts(&expect, tmp);
	}
	cr_expect_str_eq(gate_buf_cstr(&b), gate_buf_cstr(&expect));
	cr_expect_eq(b.len, expect.len);
	gate_buf_dispose(&b);
	gate_buf_dispose(&expect);
	cr_expect_null(b.ptr);
}

Test(util, put_copies_exact_bytes_including_nul)
{
	gate_buf b = GATE_BUF_INIT;
	cr_assert_eq(gate_buf_put(&b, "a\0b", 3), 0);
	cr_expect_eq(b.len, 3);
	cr_expect_eq(memcmp(b.ptr, "a\0b", 4), 0);
	gate_buf_dispose(&b);
}

Test(util, detach_hands_over_the_string_and_empties_the_buffer)
{
	gate_buf b = GATE_BUF_INIT;
	char *s;

	gate_buf_puts(&b, "hello");
	s = gate_buf_detach(&b);
	cr_expect_str_eq(s, "hello");
	cr_expect_null(b.ptr);
	cr_expect_eq(b.len, 0);
	gate_free(s);

	s = gate_buf_detach(&b); /* an empty buffer still gives a string */
	cr_assert_not_null(s);
	cr_expect_str_eq(s, "");
	gate_free(s);
}

/* ---- arena -------------------------------------------------------------------- */

Test(util, arena_hands_out_zeroed_aligned_distinct_blocks)
{
	gate_arena a = { NULL, 0 };
	char *prev = NULL;
	size_t i, j;

	for (i = 1; i < 3000; i += 7) {
		char *p = gate_arena_alloc(&a, i);
		cr_assert_not_null(p);
		cr_expect_eq((uintptr_t)p % _Alignof(max_align_t), 0, "block of %zu misaligned", i);
		for (j = 0; j < i; j++)
			cr_assert_eq(p[j], 0, "block of %zu not zeroed at %zu", i, j);
		memset(p, 0xAB, i);
		cr_expect_neq(p, prev);
		prev = p;
	}
	cr_expect(a.total > 0);
	gate_arena_dispose(&a);
	cr_expect_null(a.head);
	cr_expect_eq(a.total, 0);
}

Test(util, arena_serves_blocks_larger_than_a_chunk)
{
	gate_arena a = { NULL, 0 };
	size_t big = 1024 * 1024;
	char *small1 = gate_arena_alloc(&a, 16);
	char *p = gate_arena_alloc(&a, big);
	char *small2 = gate_arena_alloc(&a, 16);

	cr_assert_not_null(small1);
	cr_assert_not_null(p);
	cr_assert_not_null(small2);
	memset(p, 1, big); /* all of it is ours */
	memset(small1, 2, 16);
	memset(small2, 3, 16);
	cr_expect_eq(p[0], 1);
	cr_expect_eq(p[big - 1], 1);
	cr_expect_eq(small1[15], 2);
	cr_expect(a.total >= big + 32);
	gate_arena_dispose(&a);
}

Test(util, arena_strdup_copies_and_terminates)
{
	gate_arena a = { NULL, 0 };
	const char src[] = "refs/heads/main";
	char *s = gate_arena_strdup(&a, src);
	char *t = gate_arena_strndup(&a, "abcdef", 3);

	cr_assert_not_null(s);
	cr_expect_str_eq(s, src);
	cr_expect_neq((const char *)s, src);
	cr_expect_str_eq(t, "abc");
	gate_arena_dispose(&a);
}

/* ---- string helpers ------------------------------------------------------------- */

Test(util, ascii_case_insensitive_comparison)
{
	cr_expect_eq(gate_strcasecmp("Alice@Example.COM", "alice@example.com"), 0);
	cr_expect_neq(gate_strcasecmp("alice", "alicia"), 0);
	cr_expect(gate_strcasecmp("a", "B") < 0);
	cr_expect(gate_strcasecmp("abc", "ab") > 0);
	cr_expect_eq(gate_strncasecmp("ABCx", "abcy", 3), 0);
	cr_expect_neq(gate_strncasecmp("ABCx", "abcy", 4), 0);
	/* not locale folding: only A-Z */
	cr_expect_neq(gate_strcasecmp("\xc3\x89", "\xc3\xa9"), 0);
}

/* ---- gate_read_file -------------------------------------------------------------- */

static char tmpdir[] = "/tmp/gate-util-XXXXXX";

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void make_tmpdir(void)
{
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static void remove_tmpdir(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	cr_assert_not_null(fp, "fopen %s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, fp), len);
	cr_assert_eq(fclose(fp), 0);
}

static void in_tmp(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
}

Test(util, read_file_returns_whole_contents_terminated, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
	char path[256], *data = NULL;
	size_t len = 0;

	in_tmp(path, sizeof(path), "m.yml");
	write_file(path, "version: 1\n\0tail", 16);
	cr_assert_eq(gate_read_file(&data, &len, path, 1024), 0, "%s", gate_error_last());
	cr_expect_eq(len, 16);
	cr_expect_eq(memcmp(data, "version: 1\n\0tail", 16), 0);
	cr_expect_eq(data[len], '\0');
	gate_free(data);
}

Test(util, read_file_accepts_a_file_of_exactly_the_limit, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
	char path[256], *data = NULL, content[100];
	size_t len = 0;

	memset(content, 'x', sizeof(content));
	in_tmp(path, sizeof(path), "exact");
	write_file(path, content, sizeof(content));
	cr_expect_eq(gate_read_file(&data, &len, path, sizeof(content)), 0);
	cr_expect_eq(len, sizeof(content));
	gate_free(data);
}

Test(util, read_file_refuses_a_file_over_the_limit, .init = make_tmpdir, .fini = remove_tmpdir)
{
	char path[256], *data = (char *)1, content[101];
	size_t len = 99;

	memset(content, 'x', sizeof(content));
	in_tmp(path, sizeof(path), "big");
	write_file(path, content, sizeof(content));
	cr_expect_eq(gate_read_file(&data, &len, path, 100), GATE_ELIMIT);
	cr_expect_null(data);
	cr_expect_eq(len, 0);
	cr_expect(strstr(gate_error_last(), "limit") != NULL, "%s", gate_error_last());
}

Test(util, read_file_refuses_a_symlink_even_to_a_good_file, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
	char target[256], link[256], *data = (char *)1;
	size_t len = 99;

	in_tmp(target, sizeof(target), "real.yml");
	in_tmp(link, sizeof(link), "link.yml");
	write_file(target, "version: 1\n", 11);
	cr_assert_eq(symlink(target, link), 0, "symlink: %s", strerror(errno));
	cr_expect_lt(gate_read_file(&data, &len, link, 1024), 0);
	cr_expect_null(data);
	cr_expect_eq(len, 0);
	/* the target itself is fine */
	cr_expect_eq(gate_read_file(&data, &len, target, 1024), 0);
	gate_free(data);
}

Test(util, read_file_reports_a_missing_file_as_not_found, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
	char path[256], *data = NULL;
	size_t len;

	in_tmp(path, sizeof(path), "nope");
	cr_expect_eq(gate_read_file(&data, &len, path, 1024), GATE_ENOTFOUND);
	cr_expect_null(data);
}

Test(util, read_file_refuses_a_directory, .init = make_tmpdir, .fini = remove_tmpdir)
{
	char *data = NULL;
	size_t len;

	cr_expect_eq(gate_read_file(&data, &len, tmpdir, 1024), GATE_EIO);
	cr_expect_null(data);
}

/*
 * Regression (found by this test, fixed): gate_read_file() opens without O_NONBLOCK, so open(2) on a FIFO blocks
 * until a writer appears: a FIFO planted at the matrix path hangs the hook
 * forever instead of being refused as "not a regular file".  See the report.
 */
Test(util, read_file_refuses_a_fifo_without_blocking, .init = make_tmpdir,
     .fini = remove_tmpdir, .timeout = 5)
{
	char path[256], *data = NULL;
	size_t len;

	in_tmp(path, sizeof(path), "fifo");
	cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo: %s", strerror(errno));
	cr_expect_eq(gate_read_file(&data, &len, path, 1024), GATE_EIO);
	cr_expect_null(data);
}

/* ---- gate_read_regular: what a directory scan meets ------------------------------- */

Test(util, read_regular_passes_over_what_is_not_a_regular_file, .init = make_tmpdir,
     .fini = remove_tmpdir, .timeout = 5)
{
	char fifo[256], link[256], target[256], *data = (char *)1;
	size_t len = 99;

	in_tmp(fifo, sizeof(fifo), "fifo");
	in_tmp(target, sizeof(target), "real");
	in_tmp(link, sizeof(link), "link");
	cr_assert_eq(mkfifo(fifo, 0600), 0, "mkfifo: %s", strerror(errno));
	write_file(target, "token\n", 6);
	cr_assert_eq(symlink(target, link), 0, "symlink: %s", strerror(errno));
	cr_expect_eq(gate_read_regular(&data, &len, fifo, 1024), GATE_READ_NOT_REGULAR);
	cr_expect_eq(gate_read_regular(&data, &len, link, 1024), GATE_READ_NOT_REGULAR);
	cr_expect_eq(gate_read_regular(&data, &len, tmpdir, 1024), GATE_READ_NOT_REGULAR);
	cr_expect_null(data);
	cr_expect_eq(len, 0);
	in_tmp(link, sizeof(link), "missing");
	cr_expect_eq(gate_read_regular(&data, &len, link, 1024), GATE_ENOTFOUND);
}

Test(util, read_regular_gives_the_size_of_a_file_over_the_limit, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
	char path[256], *data = (char *)1, content[300];
	size_t len = 0;

	memset(content, 'x', sizeof(content));
	in_tmp(path, sizeof(path), "big");
	write_file(path, content, sizeof(content));
	cr_expect_eq(gate_read_regular(&data, &len, path, 299), GATE_READ_TOO_LARGE);
	cr_expect_null(data);
	cr_expect_eq(len, 300);
	cr_assert_eq(gate_read_regular(&data, &len, path, 300), 0);
	cr_expect_eq(len, 300);
	cr_expect_eq(data[300], '\0');
	gate_free(data);
}

Test(util, read_regular_reads_empty_files_and_files_that_report_no_size, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
	char path[256], *data = NULL;
	size_t len = 99;

	in_tmp(path, sizeof(path), "empty");
	write_file(path, "", 0);
	cr_assert_eq(gate_read_regular(&data, &len, path, 10), 0, "%s", gate_error_last());
	cr_expect_eq(len, 0);
	cr_assert_not_null(data);
	cr_expect_eq(data[0], '\0');
	gate_free(data);

	/* /proc files say size 0 and have content: read to the end */
	cr_assert_eq(gate_read_regular(&data, &len, "/proc/self/status", 1 << 20), 0, "%s",
		     gate_error_last());
	cr_expect_gt(len, 0);
	cr_expect_not_null(strstr(data, "Name:"));
	cr_expect_eq(data[len], '\0');
	gate_free(data);
	cr_assert_eq(gate_read_regular(&data, &len, "/dev/null", 10), GATE_READ_NOT_REGULAR);
}
