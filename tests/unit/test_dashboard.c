/*
 * Specification of the audit dashboard (src/dashboard.c), `gatehouse report`:
 * what is counted from hand-written audit records and how (once per ref
 * update, once per push), which lines are not records, --since, the bounds
 * on lines and keys, and that text from the log reaches the terminal and the
 * page only escaped.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/common.h"
#include "output/dashboard.h"
#include "oom.h"

#include <jansson.h>

/* ---- helpers ------------------------------------------------------------------------ */

/* One audit record (the fields the dashboard needs first, then REST). */
#define REC(time, verdict, ref, rest)                                                       \
	"{\"time\":\"" time "\",\"verdict\":\"" verdict "\",\"ref\":\"" ref "\"" rest "}\n"
#define BOB ",\"repo\":\"/srv/app.git\",\"hook\":\"pre-receive\",\"pusher\":\"bob\",\"person\":\"bob\"," \
	    "\"roles\":[\"developers\"]"
#define ERIN ",\"repo\":\"/srv/app.git\",\"hook\":\"pre-receive\",\"pusher\":\"erin\",\"person\":\"erin\"," \
	     "\"roles\":[\"release\",\"developers\"]"
#define REASON(id, rule) "{\"id\":\"" id "\",\"rule\":\"" rule "\",\"subject\":\"s\",\"found\":\"f\",\"missing\":\"m\"}"
#define MAIN55 "refs/heads/main:matrix/responsibility.yml:55"

static gate_dashboard *load_with(const char *log, const gate_dashboard_opts *opts)
{
	gate_dashboard *d = NULL;
	cr_assert_eq(gate_dashboard_new(&d, opts), 0);
	cr_assert_eq(gate_dashboard_load_buffer(d, log, strlen(log), "test.jsonl"), 0, "%s",
		     gate_error_last());
	return d;
}

static gate_dashboard *load(const char *log) { return load_with(log, NULL); }

static gate_dashboard_row row(const gate_dashboard *d, gate_dashboard_table t, const char *key)
{
	gate_dashboard_row r;
	gate_dashboard_find(d, t, key, &r);
	return r;
}

static gate_dashboard_totals totals(const gate_dashboard *d)
{
	gate_dashboard_totals t;
	gate_dashboard_get_totals(d, &t);
	return t;
}

static char *text_of(const gate_dashboard *d)
{
	gate_buf b = GATE_BUF_INIT;
	cr_assert_eq(gate_dashboard_format_text(&b, d), 0);
	return gate_buf_detach(&b);
}

static char *html_of(const gate_dashboard *d)
{
	gate_buf b = GATE_BUF_INIT;
	cr_assert_eq(gate_dashboard_format_html(&b, d, "2026-03-18T10:00:00Z"), 0);
	return gate_buf_detach(&b);
}

/* ---- what is counted --------------------------------------------------------------------- */

static const char sample[] =
	/* bob: two reasons from one check, on the same rule twice: counted once each */
	REC("2026-03-16T09:00:00.000Z", "rejected", "refs/heads/main",
	    BOB ",\"reasons\":[" REASON("trailer.required", MAIN55) "," REASON("trailer.required", MAIN55)
		"," REASON("ref.push", "refs/heads/main:matrix/responsibility.yml:50") "]"
		",\"duration_ms\":5.5")
	REC("2026-03-16T10:00:00.000Z", "accepted", "refs/heads/feature/x",
	    BOB ",\"reasons\":[],\"duration_ms\":3.25")
	/* erin, in two roles: counted under both */
	REC("2026-03-17T11:00:00.000Z", "accepted", "refs/heads/main", ERIN ",\"reasons\":[],\"duration_ms\":7")
	/* a pusher the matrix does not know, and a person without a role */
	REC("2026-03-17T12:00:00.000Z", "rejected", "refs/heads/release/1.x",
	    ",\"pusher\":\"mallory\",\"person\":null,\"reasons\":[" REASON("ref.create", "built-in") "]")
	REC("2026-03-18T13:00:00.000Z", "accepted", "refs/heads/feature/x",
	    ",\"pusher\":\"gina\",\"person\":\"gina\",\"roles\":[],\"reasons\":[]");

Test(dashboard, counts_updates_by_verdict_and_each_reason_once_per_update)
{
	gate_dashboard *d = load(sample);
	gate_dashboard_totals t = totals(d);

	cr_expect_eq(t.records, 5);
	cr_expect_eq(t.accepted, 3);
	cr_expect_eq(t.rejected, 2);
	cr_expect_eq(t.skipped, 0);
	cr_expect_eq(row(d, GATE_DASHBOARD_REASONS, "trailer.required").count, 1, "one update, two reasons");
	cr_expect_eq(row(d, GATE_DASHBOARD_REASONS, "ref.push").count, 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_REASONS, "ref.create").count, 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_RULES, MAIN55).count, 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_RULES, "built-in").count, 1);
	cr_expect_eq(gate_dashboard_find(d, GATE_DASHBOARD_REASONS, "review.min", &(gate_dashboard_row){ 0 }),
		     GATE_ENOTFOUND);
	cr_expect_eq(t.first_ms, 1773651600000ll, "2026-03-16T09:00:00Z");
	cr_expect_eq(t.last_ms, 1773838800000ll, "2026-03-18T13:00:00Z");
	gate_dashboard_free(d);
}

Test(dashboard, roles_refs_pushers_and_days_count_accepted_and_rejected)
{
	gate_dashboard *d = load(sample);
	gate_dashboard_row r;

	r = row(d, GATE_DASHBOARD_ROLES, "developers");
	cr_expect(r.count == 3 && r.accepted == 2 && r.rejected == 1, "developers: bob twice, erin once");
	r = row(d, GATE_DASHBOARD_ROLES, "release");
	cr_expect(r.count == 1 && r.accepted == 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_ROLES, GATE_DASHBOARD_NOT_IN_MATRIX).rejected, 1, "mallory");
	cr_expect_eq(row(d, GATE_DASHBOARD_ROLES, GATE_DASHBOARD_NO_ROLE).accepted, 1, "gina");
	r = row(d, GATE_DASHBOARD_REFS, "refs/heads/main");
	cr_expect(r.count == 2 && r.rejected == 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_REFS, "refs/heads/feature/x").count, 2);
	cr_expect_eq(row(d, GATE_DASHBOARD_PUSHERS, "bob").count, 2);
	cr_expect_eq(row(d, GATE_DASHBOARD_DAYS, "2026-03-16").count, 2);
	cr_expect_eq(row(d, GATE_DASHBOARD_DAYS, "2026-03-17").rejected, 1);
	gate_dashboard_free(d);
}

Test(dashboard, rows_come_most_counted_first_then_by_key)
{
	gate_dashboard *d = load(sample);
	gate_dashboard_row *rows;
	size_t n;

	cr_assert_eq(gate_dashboard_rows(d, GATE_DASHBOARD_REFS, &rows, &n), 0);
	cr_assert_eq(n, 3);
	cr_expect_str_eq(rows[0].key, "refs/heads/feature/x");
	cr_expect_str_eq(rows[1].key, "refs/heads/main");
	cr_expect_str_eq(rows[2].key, "refs/heads/release/1.x");
	gate_free(rows);
	gate_dashboard_free(d);
}

Test(dashboard, secrets_count_every_finding_and_the_updates_they_are_on)
{
	static const char log[] =
		REC("2026-03-16T09:00:00Z", "rejected", "refs/heads/a",
		    BOB ",\"reasons\":[" REASON("secret.aws-access-key-id", "r:1") ","
			REASON("secret.aws-access-key-id", "r:1") "," REASON("secret.github-pat", "r:2") "]")
		REC("2026-03-16T09:01:00Z", "rejected", "refs/heads/b",
		    BOB ",\"reasons\":[" REASON("secret.aws-access-key-id", "r:1") "]");
	gate_dashboard *d = load(log);
	gate_dashboard_row r = row(d, GATE_DASHBOARD_SECRETS, "secret.aws-access-key-id");
	gate_dashboard_totals t = totals(d);

	cr_expect_eq(r.findings, 3);
	cr_expect_eq(r.count, 2);
	cr_expect_eq(row(d, GATE_DASHBOARD_SECRETS, "secret.github-pat").findings, 1);
	cr_expect_eq(t.secret_findings, 4);
	cr_expect_eq(t.secret_updates, 2);
	cr_expect_eq(row(d, GATE_DASHBOARD_REASONS, "secret.aws-access-key-id").count, 2,
		     "as a reason: once per update");
	gate_dashboard_free(d);
}

/* ---- pushes: the records of one hook run are consecutive lines ------------------------------------ */

Test(dashboard, consecutive_records_of_one_hook_run_are_one_push)
{
	static const char log[] =
		/* one pre-receive run with three refs: same repo, hook, pusher and duration */
		REC("2026-03-16T09:00:00.001Z", "accepted", "refs/heads/a", BOB ",\"duration_ms\":12.5")
		REC("2026-03-16T09:00:00.002Z", "rejected", "refs/heads/b", BOB ",\"duration_ms\":12.5")
		REC("2026-03-16T09:00:00.002Z", "accepted", "refs/heads/c", BOB ",\"duration_ms\":12.5")
		/* the next push by the same person takes another time */
		REC("2026-03-16T09:05:00Z", "accepted", "refs/heads/a", BOB ",\"duration_ms\":4")
		/* same duration, another pusher: another push */
		REC("2026-03-16T09:05:00Z", "accepted", "refs/heads/a", ERIN ",\"duration_ms\":4")
		/* a line that is not a record ends a run */
		"garbage\n"
		REC("2026-03-16T09:05:00Z", "accepted", "refs/heads/b", ERIN ",\"duration_ms\":4")
		/* no duration: each record on its own */
		REC("2026-03-16T09:06:00Z", "accepted", "refs/heads/a", BOB)
		REC("2026-03-16T09:06:00Z", "accepted", "refs/heads/b", BOB);
	gate_dashboard *d = load(log);
	gate_dashboard_totals t = totals(d);
	const gate_dashboard_run_info *slow;
	size_t n;

	cr_expect_eq(t.records, 8);
	cr_expect_eq(t.pushes, 6);
	cr_expect_eq(t.pushes_rejected, 1);
	cr_expect_eq(t.timed_pushes, 4);
	cr_expect_float_eq(t.duration_total_ms, 24.5, 1e-9);
	slow = gate_dashboard_slowest(d, &n);
	cr_assert_eq(n, 4);
	cr_expect_float_eq(slow[0].duration_ms, 12.5, 1e-9);
	cr_expect_eq(slow[0].refs, 3);
	cr_expect_eq(slow[0].rejected, 1);
	cr_expect_str_eq(slow[0].ref, "refs/heads/a", "the run's first ref");
	gate_dashboard_free(d);
}

Test(dashboard, the_slowest_runs_are_kept_slowest_first_and_bounded)
{
	gate_buf log = GATE_BUF_INIT;
	const gate_dashboard_run_info *slow;
	gate_dashboard *d;
	size_t i, n;

	for (i = 0; i < 100; i++) /* 0, 37, 74 ... ms in a scrambled order */
		gate_buf_printf(&log,
				"{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\",\"ref\":\"r%zu\","
				"\"pusher\":\"p%zu\",\"duration_ms\":%zu,\"phases_ms\":{\"matrix\":1.5}}\n",
				i, i, i * 37 % 100);
	d = load(gate_buf_cstr(&log));
	slow = gate_dashboard_slowest(d, &n);
	cr_assert_eq(n, GATE_DASHBOARD_SLOWEST);
	for (i = 0; i < n; i++)
		cr_expect_float_eq(slow[i].duration_ms, 99.0 - (double)i, 1e-9, "#%zu", i);
	cr_expect_float_eq(slow[0].phase_ms[1], 1.5, 1e-9, "matrix");
	cr_expect_lt(slow[0].phase_ms[0], 0, "objects: not recorded");
	cr_expect_eq(totals(d).duration_hist[0], 10, "under 10 ms");
	cr_expect_eq(totals(d).duration_hist[2], 50, "50 to 100 ms");
	gate_dashboard_free(d);
	gate_buf_dispose(&log);
}

Test(dashboard, an_override_counts_once_per_push_applied_or_refused)
{
	static const char log[] =
		/* carol's push of two refs: the override is on both records */
		REC("2026-03-16T09:00:00Z", "accepted", "refs/heads/main",
		    ",\"pusher\":\"carol\",\"person\":\"carol\",\"roles\":[\"security\"],\"duration_ms\":9,"
		    "\"override\":{\"requested_by\":\"carol\",\"reason\":\"INC-1: prod down\",\"applied\":true,"
		    "\"checks_skipped\":\"review.min,secret.aws-access-key-id\"}")
		REC("2026-03-16T09:00:00Z", "accepted", "refs/heads/hotfix",
		    ",\"pusher\":\"carol\",\"person\":\"carol\",\"roles\":[\"security\"],\"duration_ms\":9,"
		    "\"override\":{\"requested_by\":\"carol\",\"reason\":\"INC-1: prod down\",\"applied\":false,"
		    "\"checks_skipped\":null}")
		/* bob may not: refused */
		REC("2026-03-17T09:00:00Z", "rejected", "refs/heads/main",
		    BOB ",\"duration_ms\":3,\"reasons\":[" REASON("override.refused", "built-in") "],"
			"\"override\":{\"requested_by\":\"bob\",\"reason\":\"let me\",\"applied\":false,"
			"\"checks_skipped\":null}")
		/* asked for, nothing to lift */
		REC("2026-03-15T09:00:00Z", "accepted", "refs/heads/x",
		    ERIN ",\"duration_ms\":2,\"override\":{\"requested_by\":\"erin\",\"reason\":\"just in case\","
			 "\"applied\":false,\"checks_skipped\":null}");
	gate_dashboard *d = load(log);
	gate_dashboard_totals t = totals(d);
	const gate_dashboard_override *o;
	size_t n;

	cr_expect_eq(t.overrides, 3);
	cr_expect_eq(t.overrides_applied, 1);
	cr_expect_eq(t.overrides_refused, 1);
	o = gate_dashboard_overrides(d, &n);
	cr_assert_eq(n, 3);
	cr_expect_str_eq(o[0].requested_by, "bob", "newest first");
	cr_expect(o[0].refused && !o[0].applied && o[0].rejected);
	cr_expect_str_eq(o[1].requested_by, "carol");
	cr_expect_str_eq(o[1].reason, "INC-1: prod down");
	cr_expect_str_eq(o[1].checks_skipped, "review.min,secret.aws-access-key-id");
	cr_expect(o[1].applied && o[1].refs == 2 && !o[1].rejected);
	cr_expect_str_eq(o[2].requested_by, "erin");
	cr_expect(!o[2].applied && !o[2].refused);
	gate_dashboard_free(d);
}

Test(dashboard, internal_errors_and_warnings_are_counted)
{
	static const char log[] =
		REC("2026-03-16T09:00:00Z", "rejected", "refs/heads/a",
		    ",\"error\":\"cannot read the matrix\",\"on_error\":\"reject\",\"reasons\":["
		    REASON("internal.error", "built-in") "]")
		REC("2026-03-16T09:00:01Z", "accepted", "refs/heads/b",
		    ",\"error\":\"cannot read the matrix\",\"on_error\":\"allow\"")
		REC("2026-03-16T09:00:02Z", "accepted", "refs/heads/c",
		    ",\"warnings\":[{\"id\":\"policy.container.run_as_root\"},{\"id\":\"policy.container.run_as_root\"}]");
	gate_dashboard *d = load(log);
	gate_dashboard_totals t = totals(d);

	cr_expect_eq(t.errors, 2);
	cr_expect_eq(t.errors_allowed, 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_ERRORS, "cannot read the matrix").count, 2);
	cr_expect_eq(t.warned, 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_WARNINGS, "policy.container.run_as_root").count, 1);
	gate_dashboard_free(d);
}

/* ---- lines that are not records ---------------------------------------------------------------- */

Test(dashboard, lines_that_are_not_audit_records_are_counted_not_fatal)
{
	static const char *const bad[] = {
		"not json",
		"{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\",\"ref\":\"refs/heads/a\"", /* torn */
		"[1, 2, 3]",
		"\"a string\"",
		"{}",
		"{\"time\":\"2026-03-16T09:00:00Z\",\"ref\":\"refs/heads/a\"}",                        /* no verdict */
		"{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"maybe\",\"ref\":\"refs/heads/a\"}",   /* odd verdict */
		"{\"time\":\"yesterday\",\"verdict\":\"accepted\",\"ref\":\"refs/heads/a\"}",           /* odd time */
		"{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\"}",                         /* no ref */
		"{\"time\":1773651600,\"verdict\":\"accepted\",\"ref\":\"refs/heads/a\"}",             /* time not a string */
		"{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\",\"ref\":\"a\",\"ref\":\"b\"}", /* duplicate key */
		"{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\",\"ref\":\"a\\u0000b\"}",  /* NUL */
		"{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		"\xff\xfe{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\",\"ref\":\"a\"}",
	};
	gate_buf log = GATE_BUF_INIT;
	gate_dashboard *d;
	char *text;
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		gate_buf_puts(&log, bad[i]);
		gate_buf_puts(&log, "\n\n   \r\n"); /* blank lines are neither records nor skipped */
	}
	gate_buf_puts(&log, REC("2026-03-16T09:00:00Z", "accepted", "refs/heads/ok", ""));
	gate_buf_puts(&log, "{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\",\"ref\":\"crlf\"}\r\n");
	d = load(gate_buf_cstr(&log));
	cr_expect_eq(totals(d).skipped, GATE_ARRAY_SIZE(bad));
	cr_expect_eq(totals(d).lines, GATE_ARRAY_SIZE(bad) + 2);
	cr_expect_eq(totals(d).records, 2);
	cr_expect_eq(row(d, GATE_DASHBOARD_REFS, "crlf").count, 1, "a CRLF line is a record");
	text = text_of(d);
	cr_expect(strstr(text, "  14 lines skipped: not audit records\n"), "%s", text);
	gate_free(text);
	gate_dashboard_free(d);
	gate_buf_dispose(&log);
}

Test(dashboard, odd_fields_are_ignored_not_trusted)
{
	static const char log[] =
		REC("2026-03-16T09:00:00Z", "rejected", "refs/heads/a",
		    ",\"reasons\":{\"id\":\"x\"},\"roles\":\"admin\",\"person\":\"p\",\"duration_ms\":-5,"
		    "\"phases_ms\":[1,2],\"secrets\":7,\"override\":\"yes\",\"warnings\":[1,{\"id\":2}],"
		    "\"error\":false,\"pusher\":{\"a\":1}")
		REC("2026-03-16T09:00:00Z", "rejected", "refs/heads/b",
		    ",\"reasons\":[7,{\"rule\":\"no id\"},{\"id\":\"ref.push\",\"rule\":9}],\"duration_ms\":1e300");
	gate_dashboard *d = load(log);
	gate_dashboard_totals t = totals(d);

	cr_expect_eq(t.records, 2);
	cr_expect_eq(t.overrides + t.errors + t.warned + t.timed_pushes, 0);
	cr_expect_eq(row(d, GATE_DASHBOARD_ROLES, GATE_DASHBOARD_NO_ROLE).count, 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_REASONS, "ref.push").count, 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_PUSHERS, "(unknown)").count, 2);
	gate_dashboard_free(d);
}

/* A log file holding LOG, read back through a FILE*. */
static gate_dashboard *load_via_file(const char *log, size_t len)
{
	gate_dashboard *d = NULL;
	FILE *f = tmpfile();
	cr_assert(f);
	cr_assert_eq(fwrite(log, 1, len, f), len);
	rewind(f);
	cr_assert_eq(gate_dashboard_new(&d, NULL), 0);
	cr_assert_eq(gate_dashboard_load_file(d, f, "tmp"), 0);
	fclose(f);
	return d;
}

Test(dashboard, a_line_over_the_limit_is_skipped_and_the_next_one_counts)
{
	size_t pad = GATE_DASHBOARD_LINE_MAX + 100000, i;
	gate_buf log = GATE_BUF_INIT;
	gate_dashboard *d;

	gate_buf_puts(&log, REC("2026-03-16T09:00:00Z", "accepted", "refs/heads/before", ""));
	gate_buf_puts(&log, "{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\",\"ref\":\"long\",\"x\":\"");
	cr_assert_eq(gate_buf_grow(&log, pad), 0);
	for (i = 0; i < pad; i++)
		log.ptr[log.len++] = 'a';
	log.ptr[log.len] = '\0';
	gate_buf_puts(&log, "\"}\n");
	gate_buf_puts(&log, REC("2026-03-16T09:00:00Z", "accepted", "refs/heads/after", ""));
	/* exactly at the limit (72 bytes of JSON around the padding) still counts */
	gate_buf_puts(&log, "{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\",\"ref\":\"edge\",\"x\":\"");
	cr_assert_eq(gate_buf_grow(&log, GATE_DASHBOARD_LINE_MAX), 0);
	memset(log.ptr + log.len, 'b', GATE_DASHBOARD_LINE_MAX - 72);
	log.len += GATE_DASHBOARD_LINE_MAX - 72;
	log.ptr[log.len] = '\0';
	gate_buf_puts(&log, "\"}\n");
	cr_assert_eq(log.oom, 0);

	d = load_via_file(log.ptr, log.len);
	cr_expect_eq(totals(d).skipped_long, 1);
	cr_expect_eq(totals(d).skipped, 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_REFS, "refs/heads/before").count, 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_REFS, "refs/heads/after").count, 1);
	cr_expect_eq(row(d, GATE_DASHBOARD_REFS, "edge").count, 1, "a line of exactly the limit counts");
	gate_dashboard_free(d);
	d = load(log.ptr);
	cr_expect_eq(totals(d).skipped_long, 1, "the same from memory");
	cr_expect_eq(totals(d).records, 3);
	gate_dashboard_free(d);
	gate_buf_dispose(&log);
}

Test(dashboard, reading_a_file_counts_what_reading_the_bytes_counts)
{
	gate_dashboard *a = load(sample), *b = load_via_file(sample, strlen(sample) - 1); /* no last newline */
	char *ta = text_of(a), *tb = text_of(b);
	cr_expect_str_eq(strstr(ta, "totals:"), strstr(tb, "totals:"));
	cr_expect_eq(totals(b).records, 5, "a last line without a newline counts");
	gate_free(ta);
	gate_free(tb);
	gate_dashboard_free(a);
	gate_dashboard_free(b);
}

/* ---- --since ------------------------------------------------------------------------------------- */

Test(dashboard, times_parse_as_dates_or_iso_8601_and_nothing_else)
{
	static const struct {
		const char *in;
		long long ms; /* -1: refused */
	} cases[] = {
		{ "1970-01-01", 0 },
		{ "2026-03-16", 1773619200000ll },
		{ "2026-03-16T09:00:00Z", 1773651600000ll },
		{ "2026-03-16T09:00:00.250Z", 1773651600250ll },
		{ "2026-03-16T09:00:00.25Z", 1773651600250ll },
		{ "2026-03-16T09:00:00.123456789Z", 1773651600123ll },
		{ "2026-03-16T09:00Z", 1773651600000ll },
		{ "2026-03-16T09:00:00", 1773651600000ll },
		{ "2026-03-16 09:00:00Z", 1773651600000ll },
		{ "2026-03-16T10:00:00+01:00", 1773651600000ll },
		{ "2026-03-16T04:00:00-0500", 1773651600000ll },
		{ "2024-02-29", 1709164800000ll },
		{ "1969-12-31T23:59:59Z", -1000ll },
		{ "2026-02-29", -1 }, { "2026-13-01", -1 }, { "2026-00-10", -1 }, { "2026-01-32", -1 },
		{ "2026-03-16T24:00:00Z", -1 }, { "2026-03-16T09:60Z", -1 }, { "2026-03-16T09", -1 },
		{ "2026-03-16T09:00:00.Z", -1 }, { "2026-03-16T09:00:00.1234567891Z", -1 },
		{ "2026-03-16T09:00:00+25:00", -1 }, { "2026-03-16Z", -1 }, { "2026-3-16", -1 },
		{ "20260316", -1 }, { "yesterday", -1 }, { "", -1 }, { "2026-03-16 ", -1 },
		{ "2026-03-16T09:00:00Zjunk", -1 },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		int64_t ms = 42;
		int rc = gate_dashboard_parse_time(&ms, cases[i].in);
		if (cases[i].ms == -1) {
			cr_expect_eq(rc, GATE_EINVAL, "'%s' should be refused", cases[i].in);
		} else {
			cr_expect_eq(rc, 0, "'%s' should parse", cases[i].in);
			cr_expect_eq(ms, cases[i].ms, "'%s': %lld, not %lld", cases[i].in, (long long)ms,
				     cases[i].ms);
		}
	}
}

Test(dashboard, since_leaves_out_older_records_and_says_how_many)
{
	gate_dashboard_opts opts = GATE_DASHBOARD_OPTS_INIT;
	gate_dashboard *d;
	char *text;

	opts.has_since = 1;
	cr_assert_eq(gate_dashboard_parse_time(&opts.since_ms, "2026-03-17T11:00:00Z"), 0);
	d = load_with(sample, &opts);
	cr_expect_eq(totals(d).records, 3, "records at or after the time count");
	cr_expect_eq(totals(d).before_since, 2);
	cr_expect_eq(row(d, GATE_DASHBOARD_PUSHERS, "bob").count, 0);
	cr_expect_eq(row(d, GATE_DASHBOARD_REASONS, "ref.create").count, 1);
	text = text_of(d);
	cr_expect(strstr(text, "  since 2026-03-17T11:00:00Z: 2 earlier records left out\n"), "%s", text);
	gate_free(text);
	gate_dashboard_free(d);
}

/* ---- bounds ---------------------------------------------------------------------------------------- */

Test(dashboard, keys_past_the_cap_are_counted_together_as_other)
{
	gate_buf log = GATE_BUF_INIT;
	gate_dashboard_row *rows;
	gate_dashboard *d;
	size_t i, n;

	for (i = 0; i < GATE_DASHBOARD_KEYS_MAX + 7; i++)
		gate_buf_printf(&log, "{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\",\"ref\":\"r%zu\"}\n", i);
	cr_assert_eq(log.oom, 0);
	d = load(log.ptr);
	cr_expect_eq(totals(d).records, GATE_DASHBOARD_KEYS_MAX + 7);
	cr_expect_eq(row(d, GATE_DASHBOARD_REFS, GATE_DASHBOARD_OTHER).count, 7);
	cr_assert_eq(gate_dashboard_rows(d, GATE_DASHBOARD_REFS, &rows, &n), 0);
	cr_expect_eq(n, GATE_DASHBOARD_KEYS_MAX + 1);
	cr_expect_str_eq(rows[n - 1].key, GATE_DASHBOARD_OTHER, "(other) comes last");
	gate_free(rows);
	gate_dashboard_free(d);
	gate_buf_dispose(&log);
}

Test(dashboard, long_keys_are_cut_on_a_character_boundary)
{
	gate_buf log = GATE_BUF_INIT, key = GATE_BUF_INIT;
	gate_dashboard_row *rows;
	gate_dashboard *d;
	size_t n, i;

	gate_buf_puts(&key, "refs/heads/");
	while (key.len < GATE_DASHBOARD_KEY_BYTES - 1)
		gate_buf_puts(&key, "a");
	for (i = 0; i < 2; i++) /* "é" across the cut, then different tails: one key */
		gate_buf_printf(&log, "{\"time\":\"2026-03-16T09:00:00Z\",\"verdict\":\"accepted\","
				      "\"ref\":\"%s\xc3\xa9%s\"}\n", key.ptr, i ? "tail-one" : "tail-two");
	d = load(log.ptr);
	cr_assert_eq(gate_dashboard_rows(d, GATE_DASHBOARD_REFS, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_eq(rows[0].count, 2);
	cr_expect_str_eq(rows[0].key, key.ptr, "cut before the two-byte character, not inside it");
	gate_free(rows);
	gate_dashboard_free(d);
	gate_buf_dispose(&log);
	gate_buf_dispose(&key);
}

/* ---- escaping ------------------------------------------------------------------------------------------ */

Test(dashboard, html_escaping_turns_hostile_text_into_text)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
#define E(in, out) { in, sizeof(in) - 1, out }
		E("refs/heads/main", "refs/heads/main"),
		E("", ""),
		E("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
		E("a\"b'c&d", "a&quot;b&#39;c&amp;d"),
		E("\" onmouseover=\"x", "&quot; onmouseover=&quot;x"),
		E("&lt;", "&amp;lt;"),
		E("a\x1b[31mb\x07", "a\\x1b[31mb\\x07"),
		E("a\nb\0c", "a\\x0ab\\x00c"),
		E("\xff\xfe<", "\\xff\\xfe&lt;"),
		E("\xc3\x28", "\\xc3("),
		E("\xe2\x82", "\\xe2\\x82"),
		E("\xc0\xbc", "\\xc0\\xbc"), /* overlong '<' */
		E("\xc2\x85", "\\xc2\\x85"), /* C1 control */
		E("caf\xc3\xa9 \xf0\x9f\x94\x91", "caf\xc3\xa9 \xf0\x9f\x94\x91"),
		E("main\xe2\x80\xaeniam", "main\\u{202e}niam"), /* right-to-left override */
		E("ma\xe2\x80\x8bin", "ma\\u{200b}in"),         /* zero-width space */
		E("\xef\xbb\xbfx", "\\u{feff}x"),
		E("\xd8\x9c", "\\u{061c}"),
#undef E
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_buf b = GATE_BUF_INIT;
		cr_expect_eq(gate_dashboard_html_escape(&b, cases[i].in, cases[i].len), 0);
		cr_expect_str_eq(gate_buf_cstr(&b), cases[i].out, "case %zu", i);
		gate_buf_dispose(&b);
	}
}

/* A log whose every string a pusher could choose is hostile. */
static const char hostile[] =
	REC("2026-03-16T09:00:00Z", "rejected", "refs/heads/<script>alert(1)</script>",
	    ",\"repo\":\"/srv/\\\"><svg onload=alert(2)>.git\",\"hook\":\"pre-receive\","
	    "\"pusher\":\"<b>bob</b>\\u001b[2J\",\"person\":\"bob\",\"roles\":[\"</text><script>x</script>\"],"
	    "\"reasons\":[{\"id\":\"secret.<i>x</i>\",\"rule\":\"'onclick='alert(3)\"},"
	    "{\"id\":\"ref.push\",\"rule\":\"refs/heads/main:m.yml:1\\u202e\"}],"
	    "\"warnings\":[{\"id\":\"<style>*{display:none}</style>\"}],"
	    "\"error\":\"<iframe src=//evil>\",\"on_error\":\"reject\",\"duration_ms\":9,"
	    "\"override\":{\"requested_by\":\"<u>bob</u>\",\"reason\":\"INC <img src=x onerror=alert(4)> &amp;\","
	    "\"applied\":false,\"checks_skipped\":\"<a href=javascript:alert(5)>\"}")
	"{\"time\":\"2026-03-16T09:00:01Z\",\"verdict\":\"accepted\",\"ref\":\"\\u00ff\\ud83d\\udd11<\"}\n";

Test(dashboard, the_page_never_carries_markup_from_the_log)
{
	static const char *const never[] = { "<script", "<svg onload", "<b>", "<i>", "<u>", "<img",
					     "<iframe", "<style>*", "<a href", "</text><script", "\x1b",
					     "onclick='", "\xe2\x80\xae" };
	gate_dashboard *d = load(hostile);
	char *page = html_of(d);
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(never); i++)
		cr_expect_null(strstr(page, never[i]), "the page carries '%s'", never[i]);
	cr_expect(strstr(page, "refs/heads/&lt;script&gt;alert(1)&lt;/script&gt;"));
	cr_expect(strstr(page, "INC &lt;img src=x onerror=alert(4)&gt; &amp;amp;"));
	cr_expect(strstr(page, "&lt;b&gt;bob&lt;/b&gt;\\x1b[2J"));
	cr_expect(strstr(page, "\xc3\xbf\xf0\x9f\x94\x91&lt;"), "valid UTF-8 stays as it is");
	cr_expect(strstr(page, "content=\"default-src 'none'; style-src 'unsafe-inline'\""),
		  "and no script could run anyway");
	gate_free(page);
	gate_dashboard_free(d);
}

Test(dashboard, the_text_summary_sends_no_control_character_to_the_terminal)
{
	gate_dashboard *d = load(hostile);
	char *text = text_of(d);
	const char *p;

	for (p = text; *p; p++)
		cr_expect(*p == '\n' || ((unsigned char)*p >= 0x20 && *p != 0x7f), "byte 0x%02x at %td",
			  (unsigned char)*p, p - text);
	cr_expect(strstr(text, "<b>bob</b>\\x1b[2J"), "shown, escaped");
	gate_free(text);
	gate_dashboard_free(d);
}

/* ---- the page ---------------------------------------------------------------------------------------- */

Test(dashboard, the_page_is_self_contained_with_charts_and_numbered_metrics)
{
	static const char *const want[] = {
		"<!DOCTYPE html>", "<style>", "<svg role=\"img\" aria-labelledby=\"timeline-t timeline-d\"",
		"data-metric=\"records\">5<", "data-metric=\"accepted\">3<", "data-metric=\"rejected\">2<",
		"data-metric=\"pushes\">5<",
		"data-chart=\"reasons\" data-key=\"trailer.required\" data-value=\"1\"",
		"data-chart=\"roles\" data-key=\"developers\" data-value=\"3\" data-accepted=\"2\" data-rejected=\"1\"",
		"data-chart=\"refs\" data-key=\"refs/heads/main\" data-value=\"2\"",
		"data-bucket=\"2026-03-16\" data-accepted=\"1\" data-rejected=\"1\"",
		"data-bucket=\"2026-03-18\" data-accepted=\"1\" data-rejected=\"0\"",
		"<title>developers: 3 ref updates (2 accepted, 1 rejected)</title>",
		"id=\"slowest\"", "data-run-ms=\"7.000\"", "at 2026-03-18T10:00:00Z",
	};
	static const char *const never[] = { "http://", "https://", "src=", "<link", "@import", "url(" };
	gate_dashboard *d = load(sample);
	char *page = html_of(d);
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(want); i++)
		cr_expect(strstr(page, want[i]), "the page lacks '%s'", want[i]);
	for (i = 0; i < GATE_ARRAY_SIZE(never); i++)
		cr_expect_null(strstr(page, never[i]), "the page fetches something: '%s'", never[i]);
	gate_free(page);
	gate_dashboard_free(d);
}

Test(dashboard, a_long_period_is_charted_per_week_month_or_year)
{
	static const struct {
		const char *log, *per, *bucket;
	} cases[] = {
		{ REC("2026-01-01T00:00:00Z", "accepted", "a", "") REC("2026-04-30T00:00:00Z", "accepted", "a", ""),
		  "per day", "data-bucket=\"2026-04-30\"" },
		{ REC("2026-01-01T00:00:00Z", "accepted", "a", "") REC("2026-06-30T00:00:00Z", "accepted", "a", ""),
		  "per week", "data-bucket=\"2025-12-29\" data-accepted=\"1\"" }, /* the Monday before */
		{ REC("2020-01-01T00:00:00Z", "accepted", "a", "") REC("2026-06-30T00:00:00Z", "accepted", "a", ""),
		  "per month", "data-bucket=\"2026-06\" data-accepted=\"1\"" },
		{ REC("1900-01-01T00:00:00Z", "accepted", "a", "") REC("2026-06-30T00:00:00Z", "accepted", "a", ""),
		  "per year", "data-bucket=\"2026\" data-accepted=\"1\"" },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_dashboard *d = load(cases[i].log);
		char *page = html_of(d), *text = text_of(d);
		cr_expect(strstr(page, cases[i].bucket), "case %zu lacks %s", i, cases[i].bucket);
		cr_expect(strstr(text, cases[i].per), "case %zu: not %s", i, cases[i].per);
		if (i == 3)
			cr_expect(strstr(page, "1 older records not shown"), "1900 is too far back");
		gate_free(page);
		gate_free(text);
		gate_dashboard_free(d);
	}
}

Test(dashboard, the_default_log_is_under_git_dir_or_here)
{
	char *p;
	setenv("GIT_DIR", "/srv/git/app.git", 1);
	p = gate_dashboard_default_log();
	cr_expect_str_eq(p, "/srv/git/app.git/gatehouse/audit.jsonl");
	gate_free(p);
	unsetenv("GIT_DIR");
	p = gate_dashboard_default_log();
	cr_expect_str_eq(p, "./gatehouse/audit.jsonl");
	gate_free(p);
}

/* ---- running out of memory ------------------------------------------------------------------------------ */

#ifdef GATE_FAULT_INJECTION
/* In a child whose allocation N fails: the verdict of every step (see oom.h). */
static int oom_child(const void *arg)
{
	const char *log = arg;
	gate_buf text = GATE_BUF_INIT, page = GATE_BUF_INIT;
	gate_dashboard_row *rows = NULL;
	gate_dashboard *d = NULL;
	size_t before, n;
	int rc;

	json_decref(json_loads("{\"a\": [1, \"b\"]}", 0, NULL)); /* jansson's one-time set-up */
	before = oom_live_bytes();
	rc = gate_dashboard_new(&d, NULL);
	if (rc == 0)
		rc = gate_dashboard_load_buffer(d, log, strlen(log), "oom.jsonl");
	if (rc == 0)
		rc = gate_dashboard_format_text(&text, d);
	if (rc == 0)
		rc = gate_dashboard_format_html(&page, d, "now");
	if (rc == 0)
		rc = gate_dashboard_rows(d, GATE_DASHBOARD_REFS, &rows, &n);
	gate_free(rows);
	gate_dashboard_free(d);
	gate_buf_dispose(&text);
	gate_buf_dispose(&page);
	return oom_verdict(rc, before);
}
#endif

Test(dashboard, every_allocation_failure_returns_enomem_and_leaks_nothing)
{
#ifndef GATE_FAULT_INJECTION
	cr_skip_test("built without FAULT=1: no allocation-failure injection");
#else
	static char log[sizeof(sample) + sizeof(hostile) + 1024];

	snprintf(log, sizeof(log), "%s%s%s", sample, hostile,
		 REC("2026-03-19T00:00:00Z", "rejected", "refs/heads/x",
		     ERIN ",\"duration_ms\":1,\"override\":{\"requested_by\":\"erin\",\"reason\":\"r\","
			  "\"applied\":true,\"checks_skipped\":\"review.min\"}"));
	cr_expect_gt(oom_walk(oom_child, log, "the dashboard"), 10, "the dashboard allocates nothing?");
#endif
}
