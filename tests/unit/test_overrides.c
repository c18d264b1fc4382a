/*
 * Specification of the break-glass ledger (src/engine/overrides.c): records
 * survive a round trip without the secret, and a ledger that cannot be read
 * whole is an error (never an empty ledger).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/overrides.h"

static char dir[] = "/tmp/gatehouse-overrides-XXXXXX";
static char path[256];

static void setup(void)
{
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gatehouse/overrides.jsonl", dir);
	git_libgit2_init();
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
	git_libgit2_shutdown();
}

static gate_secret_finding finding(const char *rule, const char *fpath, const char *commit)
{
	gate_secret_finding f;
	memset(&f, 0, sizeof(f));
	f.rule_id = (char *)rule;
	f.path = (char *)fpath;
	snprintf(f.fingerprint, sizeof(f.fingerprint), "%s:%s:0123456789abcdef", rule, fpath);
	snprintf(f.redacted, sizeof(f.redacted), "AKIA...(20 chars)");
	cr_assert_eq(git_oid_fromstr(&f.commit, commit), 0);
	return f;
}

#define C1 "0102030405060708090a0b0c0d0e0f1011121314"
#define B1 "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4"

TestSuite(overrides, .init = setup, .fini = teardown);

Test(overrides, a_missing_ledger_is_empty)
{
	gate_override_ledger l = GATE_OVERRIDE_LEDGER_INIT;
	cr_assert_eq(gate_overrides_load(&l, path), 0);
	cr_expect_eq(l.count, 0);
}

Test(overrides, records_round_trip_with_the_ref_they_were_given_for)
{
	gate_override_ledger w = GATE_OVERRIDE_LEDGER_INIT, r = GATE_OVERRIDE_LEDGER_INIT;
	gate_secret_finding f = finding("aws-access-key-id", "incident.txt", C1);
	git_oid blob;
	char hex[GIT_OID_HEXSZ + 1];

	cr_assert_eq(git_oid_fromstr(&blob, B1), 0);
	cr_assert_eq(gate_overrides_add(&w, "refs/heads/hotfix", &f, &blob, "carol", "INC-7: down",
					"2026-12-07T00:00:00.000Z"), 0);
	cr_assert_eq(gate_overrides_append(path, &w), 0);
	cr_assert_eq(gate_overrides_append(path, &w), 0); /* appended, not replaced */
	cr_assert_eq(gate_overrides_load(&r, path), 0);
	cr_assert_eq(r.count, 2);
	cr_expect_str_eq(r.items[1].ref, "refs/heads/hotfix");
	cr_expect_str_eq(r.items[1].rule, "aws-access-key-id");
	cr_expect_str_eq(r.items[1].path, "incident.txt");
	cr_expect_str_eq(r.items[1].by, "carol");
	cr_expect_str_eq(r.items[1].reason, "INC-7: down");
	cr_expect_str_eq(r.items[1].redacted, "AKIA...(20 chars)");
	cr_expect_str_eq(git_oid_tostr(hex, sizeof(hex), &r.items[1].commit), C1);
	cr_expect_str_eq(git_oid_tostr(hex, sizeof(hex), &r.items[1].blob), B1);
	gate_override_ledger_dispose(&w);
	gate_override_ledger_dispose(&r);
}

static void write_ledger(const char *text)
{
	FILE *fp;
	char d[300];
	snprintf(d, sizeof(d), "%s/gatehouse", dir);
	mkdir(d, 0700);
	cr_assert((fp = fopen(path, "w")));
	fputs(text, fp);
	fclose(fp);
}

Test(overrides, a_line_that_is_not_a_record_is_an_error_naming_the_line)
{
	static const char *const bad[] = {
		"not json\n",
		"{}\n",
		"[1,2]\n",
		"{\"ref\":\"refs/heads/x\",\"rule\":\"r\",\"path\":\"p\",\"fingerprint\":\"f\",\"redacted\":\"x\","
		"\"by\":\"b\",\"reason\":\"r\",\"time\":\"t\",\"commit\":\"zz\",\"blob\":\"" B1 "\"}\n",
		"{\"ref\":\"\",\"rule\":\"r\",\"path\":\"p\",\"fingerprint\":\"f\",\"redacted\":\"x\","
		"\"by\":\"b\",\"reason\":\"r\",\"time\":\"t\",\"commit\":\"" C1 "\",\"blob\":\"" B1 "\"}\n",
	};
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		gate_override_ledger l = GATE_OVERRIDE_LEDGER_INIT;
		write_ledger(bad[i]);
		cr_expect_eq(gate_overrides_load(&l, path), GATE_EINVAL, "case %zu", i);
		cr_expect(strstr(gate_error_last(), "line 1: not a ledger record"), "case %zu: %s", i,
			  gate_error_last());
		gate_override_ledger_dispose(&l);
	}
}

Test(overrides, a_ledger_over_the_cap_is_an_error_not_an_empty_ledger)
{
	gate_override_ledger l = GATE_OVERRIDE_LEDGER_INIT;
	char *big = malloc(GATE_OVERRIDES_MAX_BYTES + 2);
	cr_assert(big);
	memset(big, '\n', GATE_OVERRIDES_MAX_BYTES + 1);
	big[GATE_OVERRIDES_MAX_BYTES + 1] = '\0';
	write_ledger(big);
	free(big);
	cr_expect_eq(gate_overrides_load(&l, path), GATE_ELIMIT);
	cr_expect(strstr(gate_error_last(), "cannot be read"), "%s", gate_error_last());
}
