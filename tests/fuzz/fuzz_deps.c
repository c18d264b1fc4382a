/*
 * libFuzzer target: dependency lock-file parsers, dependency rules and OSV
 * documents (src/deps.c).
 *
 * The first line of an input names what the rest is: a lock file's name
 * ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "requirements.txt",
 * "poetry.lock", "Cargo.lock", "go.sum", "go.mod"), "rules" (one rule per line)
 * or "osv.json".  The content is copied to a buffer of exactly its size, with
 * no NUL after it, so a parser reading past the end is caught.
 *
 * Besides "does not crash, does not leak", it checks properties: version
 * comparison is antisymmetric and reflexive, and a dependency matches the
 * rule "<eco>:<its name>@=<its version>" whenever that rule parses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "content/deps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const eco_names[] = { "", "npm", "pypi", "cargo", "go" };

static int sign(int c) { return (c > 0) - (c < 0); }

static void check_versions(gate_ecosystem eco, const char *a, const char *b)
{
	if (sign(gate_dep_version_cmp(eco, a, b)) != -sign(gate_dep_version_cmp(eco, b, a)) ||
	    gate_dep_version_cmp(eco, a, a) != 0) {
		fprintf(stderr, "version order broken: '%s' vs '%s'\n", a, b);
		abort();
	}
}

/* Whether V is made only of what a rule's version may hold (so "=V" is one comparator). */
static int plain_version(const char *v)
{
	for (; *v; v++)
		if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		      strchr(".+-_!", *v)))
			return 0;
	return 1;
}

/* Whether a rule can name N as it is (rules trim names and refuse blanks in them). */
static int plain_name(const char *n)
{
	for (; *n; n++)
		if ((unsigned char)*n <= ' ' || (unsigned char)*n >= 0x7f)
			return 0;
	return 1;
}

/* A few rules on the dependency's own name: exact, a range, npm and PEP 440 forms. */
static void check_rules(const gate_dep *d)
{
	static const char *const ranges[] = { "=%s", ">=%s <99999", "^%s || ~%s", "~=%s,!=%s" };
	char spec[512], fmt[64];
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		gate_dep_rule *r = NULL;
		int rc, n;
		n = snprintf(fmt, sizeof(fmt), "%%s:%%s@%s", ranges[i]);
		if (n < 0 || (size_t)n >= sizeof(fmt))
			abort();
		n = snprintf(spec, sizeof(spec), fmt, eco_names[d->eco], d->name, d->version,
			     d->version);
		if (n < 0 || (size_t)n >= sizeof(spec) || !*d->version)
			continue;
		rc = gate_dep_rule_parse(&r, spec);
		if (rc == 0 && i == 0 && plain_name(d->name) && plain_version(d->version) &&
		    !gate_dep_rule_matches(r, d)) {
			fprintf(stderr, "'%s' does not match %s@%s\n", spec, d->name, d->version);
			abort();
		}
		if (rc == 0)
			(void)gate_dep_rule_matches(r, d);
		gate_dep_rule_free(r);
	}
}

static const gate_dep fixed_deps[] = {
	{ GATE_ECO_NPM, (char *)"lodash", (char *)"4.17.21", 1 },
	{ GATE_ECO_NPM, (char *)"@scope/name", (char *)"1.0.0-rc.1", 1 },
	{ GATE_ECO_PYPI, (char *)"zope-interface", (char *)"6.0.post1", 1 },
	{ GATE_ECO_CARGO, (char *)"smallvec", (char *)"0.6.13", 1 },
	{ GATE_ECO_GO, (char *)"golang.org/x/net", (char *)"v0.0.0-20220722155237-a158d28d115b", 1 },
	{ GATE_ECO_NPM, (char *)"x", (char *)"", 1 },
};

static void match_fixed(const gate_dep_rule *r)
{
	size_t i;
	(void)gate_dep_rule_spec(r);
	for (i = 0; i < sizeof(fixed_deps) / sizeof(fixed_deps[0]); i++)
		(void)gate_dep_rule_matches(r, &fixed_deps[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size < 64 ? size : 64);
	char name[64], *body;
	size_t len, i;

	if (!nl)
		return 0;
	memcpy(name, data, (size_t)(nl - data));
	name[nl - data] = '\0';
	len = size - (size_t)(nl - data) - 1;
	if (!(body = malloc(len ? len : 1)))
		return 0;
	memcpy(body, nl + 1, len);

	if (!strcmp(name, "rules")) {
		char *spec = malloc(len + 1);
		size_t start = 0;
		if (spec) {
			for (i = 0; i <= len; i++) {
				gate_dep_rule *r = NULL;
				if (i < len && body[i] != '\n')
					continue;
				memcpy(spec, body + start, i - start);
				spec[i - start] = '\0';
				start = i + 1;
				if (gate_dep_rule_parse(&r, spec) == 0)
					match_fixed(r);
				gate_dep_rule_free(r);
			}
			free(spec);
		}
	} else if (!strcmp(name, "osv.json")) {
		gate_dep_rule **rules = NULL;
		size_t n = 0;
		if (gate_osv_load(&rules, &n, body, len) == 0)
			for (i = 0; i < n; i++)
				match_fixed(rules[i]);
		for (i = 0; i < n; i++)
			gate_dep_rule_free(rules[i]);
		gate_free(rules);
	} else {
		gate_deps d = GATE_DEPS_INIT;
		(void)gate_deps_is_lockfile(name);
		if (gate_deps_parse(&d, name, body, len) == 0)
			for (i = 0; i < d.count && i < 64; i++) {
				if (i > 0 && d.items[i].eco == d.items[i - 1].eco)
					check_versions(d.items[i].eco, d.items[i].version,
						       d.items[i - 1].version);
				check_versions(d.items[i].eco, d.items[i].version, "1.0.0-rc.1");
				check_rules(&d.items[i]);
			}
		gate_deps_dispose(&d);
	}
	free(body);
	return 0;
}
