/*
 * Specification of src/textscan.c's decoders: which blobs are UTF-16 (a
 * byte-order mark, or ASCII with every other byte NUL), how UTF-16 becomes
 * UTF-8, and which runs of a binary blob are scanned as text, in place.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "content/textscan.h"

#define LEN(s) (sizeof(s) - 1)

Test(textscan, a_byte_order_mark_makes_utf16_whatever_follows)
{
	size_t bom = 9;
	cr_assert_eq(gate_textscan_utf16("\xff\xfe" "a\0", 4, &bom), GATE_UTF16_LE);
	cr_assert_eq(bom, 2);
	cr_assert_eq(gate_textscan_utf16("\xfe\xff\0a", 4, &bom), GATE_UTF16_BE);
	cr_assert_eq(bom, 2);
	cr_assert_eq(gate_textscan_utf16("\xff\xfe", 2, &bom), GATE_UTF16_LE);
}

Test(textscan, ascii_with_every_other_byte_nul_is_utf16_without_a_mark)
{
	static const char le[] = "t\0o\0k\0e\0n\0 \0=\0 \0x\0";
	static const char be[] = "\0t\0o\0k\0e\0n\0 \0=\0 \0x";
	size_t bom = 9;
	cr_assert_eq(gate_textscan_utf16(le, LEN(le), &bom), GATE_UTF16_LE);
	cr_assert_eq(bom, 0);
	cr_assert_eq(gate_textscan_utf16(be, LEN(be), &bom), GATE_UTF16_BE);
}

Test(textscan, binary_and_plain_text_are_not_utf16)
{
	static const char bin[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06";
	static const char text[] = "plain text\n";
	static const char utf32[] = "a\0\0\0b\0\0\0c\0\0\0d\0\0\0";
	size_t bom;
	cr_assert_eq(gate_textscan_utf16(bin, LEN(bin), &bom), GATE_UTF16_NONE);
	cr_assert_eq(gate_textscan_utf16(text, LEN(text), &bom), GATE_UTF16_NONE);
	cr_assert_eq(gate_textscan_utf16(utf32, LEN(utf32), &bom), GATE_UTF16_NONE);
	cr_assert_eq(gate_textscan_utf16("a\0", 2, &bom), GATE_UTF16_NONE, "one unit says nothing");
	cr_assert_eq(gate_textscan_utf16("", 0, &bom), GATE_UTF16_NONE);
}

typedef struct {
	const char *name;
	const char *in;
	size_t len;
	gate_utf16 which;
	const char *out;
	size_t out_len;
} decode_case;

#define DEC(name, in, which, out) { name, in, sizeof(in) - 1, which, out, sizeof(out) - 1 }

Test(textscan, utf16_decodes_to_utf8_and_bad_units_become_replacement_characters)
{
	static const decode_case cases[] = {
		DEC("ascii LE", "k\0=\0v\0\r\0\n\0", GATE_UTF16_LE, "k=v\r\n"),
		DEC("ascii BE", "\0k\0=\0v", GATE_UTF16_BE, "k=v"),
		DEC("2-byte UTF-8", "\xe9\0", GATE_UTF16_LE, "\xc3\xa9"),
		DEC("3-byte UTF-8", "\xac\x20", GATE_UTF16_LE, "\xe2\x82\xac"),
		DEC("surrogate pair", "\x3d\xd8\x00\xde", GATE_UTF16_LE, "\xf0\x9f\x98\x80"),
		DEC("lone high surrogate then ascii", "\x3d\xd8" "a\0", GATE_UTF16_LE, "\xef\xbf\xbd" "a"),
		DEC("lone low surrogate", "\x00\xde", GATE_UTF16_LE, "\xef\xbf\xbd"),
		DEC("high surrogate at the end", "a\0\x3d\xd8", GATE_UTF16_LE, "a\xef\xbf\xbd"),
		DEC("odd trailing byte", "a\0b", GATE_UTF16_LE, "a\xef\xbf\xbd"),
		DEC("NUL unit kept", "a\0\0\0b\0", GATE_UTF16_LE, "a\0b"),
		DEC("empty", "", GATE_UTF16_LE, ""),
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const decode_case *c = &cases[i];
		char *out = NULL;
		size_t len = 0, want = c->out_len;
		cr_assert_eq(gate_textscan_utf16_decode(&out, &len, c->in, c->len, c->which), 0, "%s",
			     c->name);
		cr_assert_eq(len, want, "%s: length %zu, want %zu", c->name, len, want);
		cr_assert(!memcmp(out, c->out, want), "%s", c->name);
		cr_assert_eq(out[len], '\0', "%s: NUL-terminated", c->name);
		gate_free(out);
	}
}

Test(textscan, runs_of_twenty_printable_characters_stay_in_place_and_the_rest_is_blanked)
{
	static const char bin[] = "head\0 key AKIAZ7QRST2345ABCDEF\x01short\nline two\x02 tab\there "
				  "and more text\n";
	char *out = NULL;
	size_t n = LEN(bin);
	cr_assert_eq(gate_textscan_runs(&out, bin, n, GATE_TEXT_RUN_MIN), 1);
	cr_assert_not_null(out);
	cr_assert(!memcmp(out, "    ", 4), "a short run is blanked");
	cr_assert_eq(out[4], ' ', "the NUL is blanked");
	cr_assert(!memcmp(out + 5, " key AKIAZ7QRST2345ABCDEF", 25), "the long run is kept in place");
	cr_assert(!memcmp(out + 30, "      \n", 7), "a short run blanked, the newline kept");
	cr_assert(!memcmp(out + 37, "        ", 8), "\"line two\" is too short");
	cr_assert(!memcmp(out + 46, " tab\there and more text\n", 24), "tabs belong to runs");
	gate_free(out);
}

Test(textscan, a_binary_without_a_long_run_has_no_text)
{
	char bin[4096], *out = (char *)1;
	size_t i;
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i % 19 ? 'a' : 0); /* runs of 18 */
	cr_assert_eq(gate_textscan_runs(&out, bin, sizeof(bin), GATE_TEXT_RUN_MIN), 0);
	cr_assert_null(out);
	bin[95] = 'a'; /* joins two runs: 37 */
	cr_assert_eq(gate_textscan_runs(&out, bin, sizeof(bin), GATE_TEXT_RUN_MIN), 1);
	gate_free(out);
}
