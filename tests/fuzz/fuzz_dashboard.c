/*
 * libFuzzer target: the audit dashboard (src/dashboard.c) reading a hostile
 * audit log and writing the summary and the page.
 *
 * The input is the log, copied to a buffer of exactly its size (no NUL after
 * it), so reading past the end is caught.  An input whose first line is
 * "since=TIME" is read with that --since.  Besides "does not crash, does not
 * leak", it checks properties: every counted record is accepted or
 * rejected and on exactly one day; the summary sends no control character to
 * a terminal; the page carries no markup from the log.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "output/dashboard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "dashboard property broken: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gate_dashboard_opts opts = GATE_DASHBOARD_OPTS_INIT;
	gate_buf text = GATE_BUF_INIT, page = GATE_BUF_INIT;
	gate_dashboard_totals t;
	gate_dashboard_row *rows = NULL;
	gate_dashboard *d = NULL;
	const char *log = (const char *)data, *nl;
	char *copy, since[64];
	uint64_t days = 0;
	size_t n = 0, i, skip = 0;

	nl = memchr(log, '\n', size);
	if (size > 6 && !memcmp(log, "since=", 6) && nl && (size_t)(nl - log) - 6 < sizeof(since)) {
		memcpy(since, log + 6, (size_t)(nl - log) - 6);
		since[nl - log - 6] = '\0';
		opts.has_since = gate_dashboard_parse_time(&opts.since_ms, since) == 0;
		skip = (size_t)(nl - log) + 1;
	}
	if (!(copy = malloc(size - skip ? size - skip : 1)))
		return 0;
	memcpy(copy, log + skip, size - skip);
	if (gate_dashboard_new(&d, &opts) < 0) {
		free(copy);
		return 0;
	}
	if (gate_dashboard_load_buffer(d, copy, size - skip, "fuzz") == 0 &&
	    gate_dashboard_format_text(&text, d) == 0 &&
	    gate_dashboard_format_html(&page, d, NULL) == 0 &&
	    gate_dashboard_rows(d, GATE_DASHBOARD_DAYS, &rows, &n) == 0) {
		gate_dashboard_get_totals(d, &t);
		if (t.accepted + t.rejected != t.records)
			fail("accepted + rejected != records");
		for (i = 0; i < n; i++)
			days += rows[i].count;
		if (days != t.records)
			fail("the days do not add up to the records");
		if (t.skipped > t.lines || t.records + t.skipped + t.before_since != t.lines)
			fail("every non-blank line is a record, left out, or skipped");
		for (i = 0; i < text.len; i++)
			if (text.ptr[i] != '\n' && ((unsigned char)text.ptr[i] < 0x20 || text.ptr[i] == 0x7f))
				fail("a control character in the summary");
		if (strstr(page.ptr, "<script") || strstr(page.ptr, "<img") || strstr(page.ptr, "<iframe"))
			fail("markup from the log in the page");
	}
	gate_free(rows);
	gate_buf_dispose(&text);
	gate_buf_dispose(&page);
	gate_dashboard_free(d);
	free(copy);
	return 0;
}
