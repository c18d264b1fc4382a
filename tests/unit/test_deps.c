/*
 * Specification of dependency policies (src/deps.h): what each lock file and
 * manifest format yields (name, version, line), the bounds on pushed files,
 * version ordering, deny/allow rules with ranges, OSV advisories as rules,
 * and that running out of memory anywhere returns GATE_ENOMEM, leaves the
 * caller's lists as they were and leaks nothing.
 *
 * Samples live in data/deps/ (tests run from tests/unit).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/common.h"
#include "content/deps.h"
#include "oom.h"

#include <jansson.h>
#include <yaml.h>

/* ---- helpers ------------------------------------------------------------------------ */

static char *slurp(const char *file, size_t *len)
{
	char path[256];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "data/deps/%s", file);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s (the unit tests run from tests/unit)", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void parse_sample(gate_deps *d, const char *path, const char *file)
{
	size_t len;
	char *data = slurp(file, &len);
	cr_assert_eq(gate_deps_parse(d, path, data, len), 0, "%s: %s", file, gate_error_last());
	free(data);
}

static void parse_text(gate_deps *d, const char *path, const char *text)
{
	cr_assert_eq(gate_deps_parse(d, path, text, strlen(text)), 0, "%s", gate_error_last());
}

typedef struct {
	const char *name, *version;
	int line;
} want;

/* D holds exactly the dependencies W, in order, all of ecosystem ECO. */
static void expect_deps(const gate_deps *d, gate_ecosystem eco, const want *w, size_t n)
{
	size_t i;
	for (i = 0; i < d->count && i < n; i++) {
		cr_expect_eq(d->items[i].eco, eco, "dependency %zu (%s): ecosystem", i, d->items[i].name);
		cr_expect_str_eq(d->items[i].name, w[i].name, "dependency %zu: name", i);
		cr_expect_str_eq(d->items[i].version, w[i].version, "dependency %zu (%s): version", i,
				 w[i].name);
		cr_expect_eq(d->items[i].line, w[i].line, "dependency %zu (%s): line %d, expected %d", i,
			     w[i].name, d->items[i].line, w[i].line);
	}
	cr_assert_eq(d->count, n, "%zu dependencies, expected %zu", d->count, n);
}

#define EXPECT_DEPS(d, eco, ...)                                                            \
	do {                                                                                \
		static const want w_[] = { __VA_ARGS__ };                                    \
		expect_deps((d), (eco), w_, sizeof(w_) / sizeof(w_[0]));                    \
	} while (0)

static gate_dep_rule *rule(const char *spec)
{
	gate_dep_rule *r = NULL;
	cr_assert_eq(gate_dep_rule_parse(&r, spec), 0, "'%s': %s", spec, gate_error_last());
	cr_assert_not_null(r);
	return r;
}

static int matches(const gate_dep_rule *r, gate_ecosystem eco, const char *name, const char *ver)
{
	gate_dep d;
	d.eco = eco;
	d.name = (char *)name;
	d.version = (char *)ver;
	d.line = 1;
	return gate_dep_rule_matches(r, &d);
}

/* ---- which files ---------------------------------------------------------------------- */

Test(deps, lockfiles_are_recognised_by_base_name)
{
	static const struct {
		const char *path;
		int is;
	} cases[] = {
		{ "package-lock.json", 1 },   { "web/shop/package-lock.json", 1 },
		{ "npm-shrinkwrap.json", 1 }, { "yarn.lock", 1 },
		{ "a/b/pnpm-lock.yaml", 1 },  { "requirements.txt", 1 },
		{ "requirements-dev.txt", 1 }, { "svc/requirements_prod.txt", 1 },
		{ "poetry.lock", 1 },         { "Cargo.lock", 1 },
		{ "go.sum", 1 },              { "tools/go.mod", 1 },
		{ "package.json", 0 },        { "requirements.in", 0 },
		{ "requirements/prod.txt", 0 }, { "cargo.lock", 0 },
		{ "yarn.lock.orig", 0 },      { "Pipfile.lock", 0 },
		{ "go.sum/README", 0 },       { "", 0 },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(gate_deps_is_lockfile(cases[i].path), cases[i].is, "%s", cases[i].path);
	cr_expect_eq(gate_deps_is_lockfile(NULL), 0);
}

Test(deps, other_files_yield_nothing)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_text(&d, "package.json", "{\"dependencies\": {\"lodash\": \"4.17.21\"}}");
	parse_text(&d, "README.md", "requests==2.31.0\n");
	cr_expect_eq(d.count, 0);
	gate_deps_dispose(&d);
}

/* ---- package-lock.json ---------------------------------------------------------------- */

Test(deps, package_lock_v3_entries_give_name_version_and_key_line)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "web/package-lock.json", "package-lock-v3.json");
	/* the root project, the workspace folder and the link to it are not packages;
	 * the alias "es" is the real package event-stream; nested installs count */
	EXPECT_DEPS(&d, GATE_ECO_NPM,
		    { "@babel/core", "7.22.5", 24 }, { "debug", "4.1.1", 35 }, { "debug", "4.3.4", 43 },
		    { "event-stream", "3.3.6", 59 }, { "lodash", "4.17.21", 69 }, { "ms", "2.1.2", 74 },
		    { "ua-parser-js", "0.7.29", 80 });
	gate_deps_dispose(&d);
}

Test(deps, package_lock_v2_reads_packages_not_the_legacy_tree_too)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "package-lock.json", "package-lock-v2.json");
	EXPECT_DEPS(&d, GATE_ECO_NPM, { "@types/node", "20.4.1", 15 }, { "minimist", "1.2.5", 20 });
	gate_deps_dispose(&d);
}

Test(deps, package_lock_v1_nested_dependencies_and_aliases_are_read)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "package-lock.json", "package-lock-v1.json");
	EXPECT_DEPS(&d, GATE_ECO_NPM, { "event-stream", "3.3.6", 0 }, { "mkdirp", "0.5.1", 0 },
		    { "minimist", "0.0.8", 0 });
	gate_deps_dispose(&d);
}

/* What node's JSON.parse accepts must not hide packages from a jansson-based check. */
Test(deps, package_lock_quirks_npm_accepts_do_not_hide_packages)
{
	static const char text[] =
		"\xef\xbb\xbf{\n"
		"  \"lockfileVersion\": 3,\n"
		"  \"size\": 123456789012345678901234567890,\n"
		"  \"note\": \"bad \xff byte, lone \\ud800 surrogate, \\u0000 NUL\",\n"
		"  \"packages\": {\n"
		"    \"node_modules/event-stream\": { \"version\": \"3.3.6\" }\n"
		"  }\n"
		"}\n";
	gate_deps d = GATE_DEPS_INIT;
	parse_text(&d, "package-lock.json", text);
	EXPECT_DEPS(&d, GATE_ECO_NPM, { "event-stream", "3.3.6", 6 });
	gate_deps_dispose(&d);
}

Test(deps, package_lock_that_does_not_parse_yields_nothing)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_text(&d, "package-lock.json",
		   "{\"packages\": {\"node_modules/a\": {\"version\": \"1.0.0\"}}, oops");
	parse_text(&d, "package-lock.json", "[]");
	parse_text(&d, "package-lock.json", "{\"packages\": [1, 2]}");
	cr_expect_eq(d.count, 0);
	gate_deps_dispose(&d);
}

/* ---- yarn.lock ------------------------------------------------------------------------ */

Test(deps, yarn_lock_entries_give_name_version_and_line)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "yarn.lock", "yarn-classic.lock");
	EXPECT_DEPS(&d, GATE_ECO_NPM,
		    { "@babel/code-frame", "7.22.5", 5 }, { "duplexer", "0.1.2", 12 },
		    { "event-stream", "3.3.6", 17 }, /* es@npm:event-stream@3.3.6 */
		    { "lodash", "4.17.21", 25 }, { "minimist", "1.2.5", 30 });
	gate_deps_dispose(&d);
}

Test(deps, yarn_berry_entries_use_the_resolution_and_skip_workspaces)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "yarn.lock", "yarn-berry.lock");
	EXPECT_DEPS(&d, GATE_ECO_NPM,
		    { "@babel/code-frame", "7.22.5", 8 }, { "event-stream", "3.3.6", 17 },
		    { "lodash", "4.17.21", 27 }, { "resolve", "1.22.8", 34 });
	gate_deps_dispose(&d);
}

/* ---- pnpm-lock.yaml ------------------------------------------------------------------- */

Test(deps, pnpm_v6_package_keys_give_name_version_and_line)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "pnpm-lock.yaml", "pnpm-lock-v6.yaml");
	/* the top-level "dependencies" are importers' specifiers, not packages */
	EXPECT_DEPS(&d, GATE_ECO_NPM,
		    { "@babel/core", "7.22.5", 25 }, { "debug", "4.3.4", 34 },
		    { "lodash", "4.17.21", 46 }, { "ms", "2.1.2", 50 },
		    { "react-dom", "18.2.0", 53 }, /* peer suffix dropped */
		    { "react", "18.2.0", 63 });
	gate_deps_dispose(&d);
}

Test(deps, pnpm_v9_package_keys_count_once_and_snapshots_do_not)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "pnpm-lock.yaml", "pnpm-lock-v9.yaml");
	EXPECT_DEPS(&d, GATE_ECO_NPM,
		    { "@babel/core", "7.22.5", 23 }, { "debug", "4.3.4", 27 },
		    { "lodash", "4.17.21", 36 }, { "ms", "2.1.2", 39 },
		    { "react-dom", "18.2.0", 42 }, { "react", "18.2.0", 47 });
	gate_deps_dispose(&d);
}

Test(deps, pnpm_v5_slash_keys_with_peer_suffixes)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_text(&d, "pnpm-lock.yaml",
		   "lockfileVersion: 5.4\n"
		   "packages:\n"
		   "  /lodash/4.17.21:\n"
		   "    resolution: {integrity: sha512-x}\n"
		   "  /@babel/core/7.22.5_supports-color@8.1.1:\n"
		   "    dev: false\n"
		   "  /react-dom/18.2.0_react@18.2.0:\n"
		   "    dev: false\n");
	EXPECT_DEPS(&d, GATE_ECO_NPM, { "lodash", "4.17.21", 3 }, { "@babel/core", "7.22.5", 5 },
		    { "react-dom", "18.2.0", 7 });
	gate_deps_dispose(&d);
}

Test(deps, pnpm_every_document_of_the_stream_is_read)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_text(&d, "pnpm-lock.yaml",
		   "---\n"
		   "lockfileVersion: '9.0'\n"
		   "importers:\n"
		   "  .:\n"
		   "    configDependencies: {}\n"
		   "packages:\n"
		   "  pnpm@9.12.0:\n"
		   "    resolution: {integrity: sha512-x}\n"
		   "---\n"
		   "lockfileVersion: '9.0'\n"
		   "packages:\n"
		   "  lodash@4.17.21: {resolution: {integrity: sha512-y}}\n");
	EXPECT_DEPS(&d, GATE_ECO_NPM, { "pnpm", "9.12.0", 7 }, { "lodash", "4.17.21", 12 });
	gate_deps_dispose(&d);
}

Test(deps, pnpm_file_that_does_not_parse_or_nests_too_deep_yields_nothing)
{
	gate_deps d = GATE_DEPS_INIT;
	char deep[400];
	size_t i;

	parse_text(&d, "pnpm-lock.yaml", "packages:\n  /a@1.0.0: {}\n  /b@2.0.0: [\n");
	parse_text(&d, "pnpm-lock.yaml", "packages:\n  /a@1.0.0: {}\n\t- : : [}\n");
	strcpy(deep, "packages:\n  /a@1.0.0: {}\n  /b@1.0.0: ");
	for (i = strlen(deep); i < sizeof(deep) - 1; i++)
		deep[i] = '[';
	deep[i] = '\0';
	parse_text(&d, "pnpm-lock.yaml", deep);
	cr_expect_eq(d.count, 0);
	gate_deps_dispose(&d);
}

Test(deps, pnpm_aliases_are_resolved_and_duplicate_keys_counted_as_pnpm_reads_them)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_text(&d, "pnpm-lock.yaml",
		   "x-pkgs: &pkgs\n"
		   "  /a@1.0.0: {}\n"
		   "  /a@1.0.0: {}\n"
		   "packages: *pkgs\n");
	EXPECT_DEPS(&d, GATE_ECO_NPM, { "a", "1.0.0", 2 }, { "a", "1.0.0", 3 });
	gate_deps_dispose(&d);
}

/* ---- requirements*.txt ---------------------------------------------------------------- */

Test(deps, requirements_pins_comments_options_extras_markers_and_unpinned_names)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "requirements.txt", "requirements.txt");
	/* options (-r, -c, --index-url, -e) and paths are not requirements; only ==
	 * and === pin a version; a continued line keeps its first line's number */
	EXPECT_DEPS(&d, GATE_ECO_PYPI,
		    { "requests", "2.31.0", 7 }, { "django", "", 8 }, { "urllib3", "1.26.18", 9 },
		    { "zope-interface", "6.0", 10 }, { "flask-sqlalchemy", "3.0.5", 11 },
		    { "numpy", "", 12 }, { "pyyaml", "6.0.1", 13 }, { "ctx", "0.1.2", 18 },
		    { "cryptography", "", 19 });
	gate_deps_dispose(&d);
}

Test(deps, requirements_url_references_and_odd_spacing)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_text(&d, "requirements-dev.txt",
		   "pip @ https://github.com/pypa/pip/archive/22.0.2.zip\n"
		   "  black  ==  23.1.0  \r\n"
		   "Some.Weird__Name (==1.0)\n"
		   "https://example.com/pkg.tar.gz\n"
		   "#requests==1.0\n"
		   "pytest==7.4.0 # a comment\n");
	EXPECT_DEPS(&d, GATE_ECO_PYPI, { "pip", "", 1 }, { "black", "23.1.0", 2 },
		    { "some-weird-name", "1.0", 3 },
		    { "pytest", "7.4.0", 6 });
	gate_deps_dispose(&d);
}

/* ---- poetry.lock and Cargo.lock ------------------------------------------------------- */

Test(deps, poetry_lock_packages_give_name_version_and_line)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "poetry.lock", "poetry.lock");
	/* [package.dependencies] and [metadata] keys are not packages */
	EXPECT_DEPS(&d, GATE_ECO_PYPI, { "certifi", "2023.11.17", 4 }, { "idna", "3.6", 15 },
		    { "requests", "2.31.0", 26 }, { "zope-interface", "6.0", 47 });
	gate_deps_dispose(&d);
}

Test(deps, cargo_lock_packages_give_name_version_and_line)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "Cargo.lock", "Cargo.lock");
	EXPECT_DEPS(&d, GATE_ECO_CARGO,
		    { "aho-corasick", "1.1.2", 6 }, { "ledger", "0.1.0", 15 }, { "memchr", "2.6.4", 23 },
		    { "regex", "1.10.2", 29 }, { "regex-automata", "0.4.3", 41 },
		    { "regex-syntax", "0.8.2", 52 }, { "smallvec", "0.6.13", 58 });
	gate_deps_dispose(&d);
}

Test(deps, toml_strings_and_arrays_cannot_smuggle_in_package_tables)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_text(&d, "Cargo.lock",
		   "[[package]]\n"
		   "name = \"safe\"\n"
		   "version = \"1.0.0\"\n"
		   "description = \"\"\"\n"
		   "[[package]]\n"
		   "name = \"hidden\"\n"
		   "\"\"\"\n"
		   "files = [\n"
		   "  {name = \"also-hidden\", s = \"]\"},\n"
		   "  '''\n"
		   "[[package]]'''\n"
		   "]\n"
		   "[[ package ]] # spaces are allowed]\n"
		   "version = '2.0.0'\n"
		   "name='second'\n"
		   "[[\"package\"]]\n"
		   "name = \"third\" # a comment\n"
		   "[[packages]]\n"
		   "name = \"not-a-package\"\n");
	EXPECT_DEPS(&d, GATE_ECO_CARGO, { "safe", "1.0.0", 2 }, { "second", "2.0.0", 15 },
		    { "third", "", 17 });
	gate_deps_dispose(&d);
}

/* ---- go.sum and go.mod ---------------------------------------------------------------- */

Test(deps, go_sum_lists_each_module_version_once)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "go.sum", "go.sum");
	EXPECT_DEPS(&d, GATE_ECO_GO,
		    { "github.com/davecgh/go-spew", "v1.1.1", 1 },
		    { "github.com/gin-gonic/gin", "v1.9.0", 3 },
		    { "github.com/google/uuid", "v1.3.0", 5 },
		    { "github.com/pmezard/go-difflib", "v1.0.0", 7 },
		    { "github.com/stretchr/testify", "v1.8.4", 8 },
		    { "golang.org/x/net", "v0.0.0-20220722155237-a158d28d115b", 10 },
		    { "golang.org/x/text", "v0.3.7", 12 }, { "gopkg.in/yaml.v3", "v3.0.1", 13 });
	gate_deps_dispose(&d);
}

Test(deps, go_mod_require_blocks_single_requires_and_replacements)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "go.mod", "go.mod");
	/* exclude and retract are not dependencies; a replacement by a directory has no version */
	EXPECT_DEPS(&d, GATE_ECO_GO,
		    { "github.com/gin-gonic/gin", "v1.9.0", 8 },
		    { "github.com/stretchr/testify", "v1.8.4", 9 },
		    { "golang.org/x/net", "v0.0.0-20220722155237-a158d28d115b", 10 },
		    { "gopkg.in/yaml.v3", "v3.0.1", 11 }, { "github.com/google/uuid", "v1.3.0", 14 },
		    { "github.com/new/logger", "v1.2.3", 18 });
	gate_deps_dispose(&d);
}

/* ---- bounds --------------------------------------------------------------------------- */

Test(deps, a_file_over_64_mib_yields_nothing_and_is_cut)
{
	gate_deps d = GATE_DEPS_INIT;
	static const char line[] = "m v1.0.0 h1:x\n";
	size_t n = GATE_DEPS_MAX_FILE + 1, i;
	char *big = malloc(n);

	cr_assert_not_null(big);
	for (i = 0; i < n; i++)
		big[i] = line[i % (sizeof(line) - 1)];
	cr_assert_eq(gate_deps_parse(&d, "go.sum", big, n), 0);
	cr_expect_eq(d.count, 0, "over the limit");
	cr_expect_str_eq(d.cut, "larger than 64 MiB", "and the file is marked as not read");
	d.cut = NULL;
	cr_assert_eq(gate_deps_parse(&d, "go.sum", big, n - 1), 0);
	cr_expect_eq(d.count, 1, "at the limit the file is read");
	cr_expect_null(d.cut);
	free(big);
	gate_deps_dispose(&d);
}

Test(deps, at_most_200000_dependencies_are_read_from_one_file_and_more_is_cut)
{
	gate_deps d = GATE_DEPS_INIT;
	gate_buf b = GATE_BUF_INIT;
	size_t i;

	for (i = 0; i < GATE_DEPS_MAX_PER_FILE + 10; i++)
		gate_buf_printf(&b, "example.com/m%zu v1.0.0 h1:x=\n", i);
	cr_assert_eq(b.oom, 0);
	cr_assert_eq(gate_deps_parse(&d, "go.sum", b.ptr, b.len), 0);
	cr_expect_eq(d.count, GATE_DEPS_MAX_PER_FILE);
	cr_expect_str_eq(d.items[d.count - 1].name, "example.com/m199999");
	cr_expect_str_eq(d.cut, "more than 200000 entries");
	gate_buf_dispose(&b);
	gate_deps_dispose(&d);
}

Test(deps, a_file_that_fails_keeps_what_earlier_files_appended)
{
	gate_deps d = GATE_DEPS_INIT;
	parse_sample(&d, "go.sum", "go.sum");
	cr_assert_eq(d.count, 8);
	parse_text(&d, "pnpm-lock.yaml", "packages:\n  /a@1.0.0: {}\n  /b@2.0.0: [\n");
	cr_expect_eq(d.count, 8);
	cr_expect_str_eq(d.items[7].name, "gopkg.in/yaml.v3");
	gate_deps_dispose(&d);
}

/* Deterministic noise: random bytes, samples cut short, samples with bytes flipped. */
static unsigned long rng_state = 88172645463325252UL;
static unsigned long rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void parse_noise(const char *path, const char *data, size_t len)
{
	gate_deps d = GATE_DEPS_INIT;
	size_t i;
	cr_assert_eq(gate_deps_parse(&d, path, data, len), 0, "%s", path);
	for (i = 0; i < d.count; i++) {
		cr_assert_not_null(d.items[i].name);
		cr_assert_not_null(d.items[i].version);
		cr_assert_geq(d.items[i].line, 0);
	}
	gate_deps_dispose(&d);
}

Test(deps, garbage_never_crashes_any_parser)
{
	static const struct {
		const char *path, *sample;
	} kinds[] = {
		{ "package-lock.json", "package-lock-v3.json" }, { "yarn.lock", "yarn-classic.lock" },
		{ "yarn.lock", "yarn-berry.lock" },             { "pnpm-lock.yaml", "pnpm-lock-v9.yaml" },
		{ "requirements.txt", "requirements.txt" },     { "poetry.lock", "poetry.lock" },
		{ "Cargo.lock", "Cargo.lock" },                 { "go.sum", "go.sum" },
		{ "go.mod", "go.mod" },
	};
	static const char alphabet[] = "{}[]\"':,=@/\\-_.#() \t\r\n\n\n0123456789vabcnpm*|^~<>!;`";
	char buf[2048];
	size_t k, i, j;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t len;
		char *s = slurp(kinds[k].sample, &len), *m = malloc(len + 1);
		cr_assert_not_null(m);
		for (i = 0; i < 200; i++) {
			size_t n = rng() % sizeof(buf);
			for (j = 0; j < n; j++)
				buf[j] = i % 2 ? (char)rng() : alphabet[rng() % (sizeof(alphabet) - 1)];
			parse_noise(kinds[k].path, buf, n);
		}
		for (i = 0; i < len; i += 1 + rng() % 61)
			parse_noise(kinds[k].path, s, i);
		for (i = 0; i < 100; i++) {
			memcpy(m, s, len);
			for (j = 0; j < 8; j++)
				m[rng() % len] = alphabet[rng() % (sizeof(alphabet) - 1)];
			parse_noise(kinds[k].path, m, len);
		}
		free(m);
		free(s);
	}
}

/* ---- versions ------------------------------------------------------------------------- */

Test(deps, versions_compare_numerically_with_pre_releases_first)
{
	static const struct {
		gate_ecosystem eco;
		const char *a, *b;
		int sign;
	} cases[] = {
		{ GATE_ECO_NPM, "1.2.3", "1.2.10", -1 },
		{ GATE_ECO_NPM, "10.0.0", "9.99.99", 1 },
		{ GATE_ECO_NPM, "1.2", "1.2.0", 0 },
		{ GATE_ECO_NPM, "1.0.0-rc.1", "1.0.0", -1 },
		{ GATE_ECO_NPM, "1.0.0-alpha", "1.0.0-alpha.1", -1 },
		{ GATE_ECO_NPM, "1.0.0-alpha.1", "1.0.0-alpha.beta", -1 },
		{ GATE_ECO_NPM, "1.0.0-beta.2", "1.0.0-beta.11", -1 },
		{ GATE_ECO_NPM, "1.0.0-rc.1", "1.0.0-beta.11", 1 },
		{ GATE_ECO_NPM, "1.0.0+build.5", "1.0.0", 0 },
		{ GATE_ECO_NPM, "1.0.0", "99999999999999999999999.0.0", -1 },
		{ GATE_ECO_NPM, "007.1", "7.1", 0 },
		{ GATE_ECO_GO, "v1.2.3", "1.2.3", 0 },
		{ GATE_ECO_GO, "v2.0.0+incompatible", "v2.0.0", 0 },
		{ GATE_ECO_GO, "v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-abcdef012345", -1 },
		{ GATE_ECO_GO, "v0.0.0-20220722155237-a158d28d115b", "v0.1.0", -1 },
		{ GATE_ECO_GO, "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", 1 },
		{ GATE_ECO_GO, "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", -1 },
		{ GATE_ECO_GO, "v1.2.4-pre.0.20191109021931-daa7c04131f5", "v1.2.4-pre", 1 },
		{ GATE_ECO_CARGO, "0.6.13", "0.6.9", 1 },
		{ GATE_ECO_PYPI, "1.0.dev1", "1.0a1", -1 },
		{ GATE_ECO_PYPI, "1.0a1", "1.0b1", -1 },
		{ GATE_ECO_PYPI, "1.0b2", "1.0rc1", -1 },
		{ GATE_ECO_PYPI, "1.0rc1", "1.0", -1 },
		{ GATE_ECO_PYPI, "1.0", "1.0.post1", -1 },
		{ GATE_ECO_PYPI, "1.0a1.dev1", "1.0a1", -1 },
		{ GATE_ECO_PYPI, "1.0-1", "1.0.post1", 0 },
		{ GATE_ECO_PYPI, "1.0.0-rc.1", "1.0.0rc1", 0 },
		{ GATE_ECO_PYPI, "1.0RC1", "1.0rc1", 0 },
		{ GATE_ECO_PYPI, "1!0.5", "2.0", 1 },
		{ GATE_ECO_PYPI, "2023.11.17", "2017.4.17", 1 },
		{ GATE_ECO_PYPI, "1.0+local.7", "1.0", 0 },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int c = gate_dep_version_cmp(cases[i].eco, cases[i].a, cases[i].b);
		int back = gate_dep_version_cmp(cases[i].eco, cases[i].b, cases[i].a);
		cr_expect_eq((c > 0) - (c < 0), cases[i].sign, "%s vs %s: %d", cases[i].a, cases[i].b, c);
		cr_expect_eq((back > 0) - (back < 0), -cases[i].sign, "%s vs %s (swapped)", cases[i].b,
			     cases[i].a);
	}
}

/* ---- rules ---------------------------------------------------------------------------- */

Test(deps, rules_match_by_ecosystem_name_and_range)
{
	static const struct {
		const char *spec;
		gate_ecosystem eco;
		const char *name, *version;
		int match;
	} cases[] = {
		{ "npm:event-stream@3.3.6", GATE_ECO_NPM, "event-stream", "3.3.6", 1 },
		{ "npm:event-stream@3.3.6", GATE_ECO_NPM, "event-stream", "3.3.5", 0 },
		{ "npm:event-stream@3.3.6", GATE_ECO_PYPI, "event-stream", "3.3.6", 0 },
		{ "npm:event-stream@3.3.6", GATE_ECO_NPM, "event-streams", "3.3.6", 0 },
		{ "npm:event-stream", GATE_ECO_NPM, "event-stream", "9.9.9", 1 },
		{ "NPM:event-stream", GATE_ECO_NPM, "event-stream", "9.9.9", 1 },
		{ "npm:ua-parser-js@>=0.7.29 <0.7.30", GATE_ECO_NPM, "ua-parser-js", "0.7.29", 1 },
		{ "npm:ua-parser-js@>=0.7.29 <0.7.30", GATE_ECO_NPM, "ua-parser-js", "0.7.30", 0 },
		{ "npm:ua-parser-js@>=0.7.29 <0.7.30", GATE_ECO_NPM, "ua-parser-js", "0.7.28", 0 },
		{ "npm:ua-parser-js@0.7.29 || 0.8.0 || =1.0.0", GATE_ECO_NPM, "ua-parser-js", "0.8.0", 1 },
		{ "npm:ua-parser-js@0.7.29 || 0.8.0 || =1.0.0", GATE_ECO_NPM, "ua-parser-js", "1.0.0", 1 },
		{ "npm:ua-parser-js@0.7.29 || 0.8.0 || =1.0.0", GATE_ECO_NPM, "ua-parser-js", "0.8.1", 0 },
		{ "npm:x@<1.0.0||>=2", GATE_ECO_NPM, "x", "2.0.1", 1 },
		{ "npm:x@<1.0.0||>=2", GATE_ECO_NPM, "x", "1.5.0", 0 },
		{ "npm:x@<1.0.0", GATE_ECO_NPM, "x", "1.0.0-rc.1", 1 },
		{ "npm:x@>1.0.0", GATE_ECO_NPM, "x", "1.0.0+build.7", 0 },
		{ "npm:x@>=1.0.0 <2.0.0", GATE_ECO_NPM, "x", "v1.5.0", 1 },
		{ "npm:x@>= 1.0.0, < 2.0.0", GATE_ECO_NPM, "x", "1.5.0", 1 },
		{ "npm:x@!=1.0.0", GATE_ECO_NPM, "x", "1.0.1", 1 },
		{ "npm:x@!=1.0.0", GATE_ECO_NPM, "x", "1.0.0", 0 },
		{ "npm:x@<9", GATE_ECO_NPM, "x", "github:user/x#abc123", 0 },
		{ "npm:x@*", GATE_ECO_NPM, "x", "github:user/x#abc123", 1 },
		{ "npm:lodash", GATE_ECO_NPM, "Lodash", "1.0.0", 0 },
		{ "go:golang.org/x/net@<0.7.0", GATE_ECO_GO, "golang.org/x/net",
		  "v0.0.0-20220722155237-a158d28d115b", 1 },
		{ "go:golang.org/x/net@<0.7.0", GATE_ECO_GO, "golang.org/x/net", "v0.7.0", 0 },
		{ "go:github.com/x/y@<1.2.3", GATE_ECO_GO, "github.com/x/y",
		  "v1.2.3-0.20191109021931-daa7c04131f5", 1 },
		{ "go:github.com/x/y@v1.2.3", GATE_ECO_GO, "github.com/x/y", "v1.2.3", 1 },
		{ "cargo:smallvec@>=0.6.3 <0.6.14", GATE_ECO_CARGO, "smallvec", "0.6.13", 1 },
		{ "cargo:regex_syntax", GATE_ECO_CARGO, "regex-syntax", "0.8.2", 1 },
		{ "cargo:Regex-Syntax", GATE_ECO_CARGO, "regex_syntax", "0.8.2", 1 },
		{ "pypi:Zope_Interface@==6.0", GATE_ECO_PYPI, "zope-interface", "6.0", 1 },
		{ "pypi:zope.interface", GATE_ECO_PYPI, "Zope__Interface", "1", 1 },
		{ "pypi:zope.interface", GATE_ECO_PYPI, "zopeinterface", "1", 0 },
		{ "pypi:django@>=3.2,<4.0", GATE_ECO_PYPI, "django", "3.2.19", 1 },
		{ "pypi:django@>=3.2,<4.0", GATE_ECO_PYPI, "django", "4.0", 0 },
		{ "pypi:requests@~=2.28", GATE_ECO_PYPI, "requests", "2.31.0", 1 },
		{ "pypi:requests@~=2.28", GATE_ECO_PYPI, "requests", "3.0", 0 },
		{ "pypi:requests@~=2.28.1", GATE_ECO_PYPI, "requests", "2.29.0", 0 },
		{ "pypi:cryptography@==41.*", GATE_ECO_PYPI, "cryptography", "41.0.7", 1 },
		{ "pypi:cryptography@==41.*", GATE_ECO_PYPI, "cryptography", "42.0.0", 0 },
		{ "pypi:x@<2.0", GATE_ECO_PYPI, "x", "2.0.post1", 0 },
		{ "pypi:x@<=2.0", GATE_ECO_PYPI, "x", "2.0rc1", 1 },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gate_dep_rule *r = rule(cases[i].spec);
		cr_expect_eq(matches(r, cases[i].eco, cases[i].name, cases[i].version), cases[i].match,
			     "'%s' against %s@%s", cases[i].spec, cases[i].name, cases[i].version);
		cr_expect_str_eq(gate_dep_rule_spec(r), cases[i].spec);
		gate_dep_rule_free(r);
	}
}

Test(deps, scoped_npm_names_work_in_rules)
{
	gate_dep_rule *exact = rule("npm:@scope/name@1.2.3"), *any = rule("npm:@scope/name"),
		      *range = rule("npm:@babel/core@>=7.0.0 <7.22.6");
	cr_expect(matches(exact, GATE_ECO_NPM, "@scope/name", "1.2.3"));
	cr_expect_not(matches(exact, GATE_ECO_NPM, "@scope/name", "1.2.4"));
	cr_expect_not(matches(exact, GATE_ECO_NPM, "name", "1.2.3"));
	cr_expect(matches(any, GATE_ECO_NPM, "@scope/name", "0.0.1"));
	cr_expect(matches(range, GATE_ECO_NPM, "@babel/core", "7.22.5"));
	gate_dep_rule_free(exact);
	gate_dep_rule_free(any);
	gate_dep_rule_free(range);
}

Test(deps, caret_tilde_and_wildcards_expand_to_their_semver_ranges)
{
	static const struct {
		const char *spec, *in, *out;
	} cases[] = {
		{ "npm:x@^1.2.3", "1.9.9", "2.0.0" },   { "npm:x@^1.2.3", "1.2.3", "1.2.2" },
		{ "npm:x@^1.2.3", "1.2.3", "2.0.0-rc.1" }, { "npm:x@^0.2.3", "0.2.9", "0.3.0" },
		{ "npm:x@^0.0.3", "0.0.3", "0.0.4" },   { "npm:x@^1.2", "1.2.0", "2.0.0" },
		{ "npm:x@^0", "0.9.9", "1.0.0" },       { "npm:x@^9.9.9", "9.99.0", "10.0.0" },
		{ "npm:x@~1.2.3", "1.2.9", "1.3.0" },   { "npm:x@~1.2.3", "1.2.3", "1.2.2" },
		{ "npm:x@~1", "1.9.9", "2.0.0" },       { "npm:x@~0.2.3", "0.2.3", "0.3.0" },
		{ "npm:x@1.2.x", "1.2.7", "1.3.0" },    { "npm:x@1.x", "1.0.0-beta", "2.0.0" },
		{ "npm:x@~1.9", "1.9.0", "1.10.0" },    { "npm:x@^1.2.3-beta.1", "1.2.3-beta.2", "1.2.3-alpha" },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gate_dep_rule *r = rule(cases[i].spec);
		cr_expect(matches(r, GATE_ECO_NPM, "x", cases[i].in), "'%s' covers %s", cases[i].spec,
			  cases[i].in);
		cr_expect_not(matches(r, GATE_ECO_NPM, "x", cases[i].out), "'%s' does not cover %s",
			      cases[i].spec, cases[i].out);
		gate_dep_rule_free(r);
	}
}

Test(deps, an_unpinned_dependency_matches_only_any_version_rules)
{
	gate_dep_rule *exact = rule("pypi:numpy@1.26.0"), *range = rule("pypi:numpy@<2"),
		      *star = rule("pypi:numpy@*"), *bare = rule("pypi:numpy");
	cr_expect_not(matches(exact, GATE_ECO_PYPI, "numpy", ""));
	cr_expect_not(matches(range, GATE_ECO_PYPI, "numpy", ""));
	cr_expect(matches(star, GATE_ECO_PYPI, "numpy", ""));
	cr_expect(matches(bare, GATE_ECO_PYPI, "numpy", ""));
	gate_dep_rule_free(exact);
	gate_dep_rule_free(range);
	gate_dep_rule_free(star);
	gate_dep_rule_free(bare);
}

Test(deps, malformed_rules_are_rejected_with_a_reason)
{
	static const struct {
		const char *spec, *msg;
	} cases[] = {
		{ "lodash@1.0", "expected <ecosystem>:<name>" },
		{ "maven:log4j", "unknown ecosystem 'maven'" },
		{ "npm:", "is not a valid npm package name" },
		{ "npm:lo dash@1.0", "'lo dash' is not a valid npm package name" },
		{ "npm:a@b@1.0", "'a@b' is not a valid npm package name" },
		{ "npm:@scope@1.0", "'@scope' is not a valid npm package name" },
		{ "pypi:foo/bar", "not a valid pypi package name" },
		{ "npm:lodash@", "no versions after '@'" },
		{ "npm:lodash@>=", "'>=' is not followed by a version" },
		{ "npm:lodash@>=abc", "'>=abc' is not a version" },
		{ "npm:lodash@1.0 ||", "empty alternative" },
		{ "npm:lodash@1.0 || || 2.0", "empty alternative" },
		{ "npm:lodash@=>1.0", "unknown operator '=>'" },
		{ "pypi:requests@~=2", "needs at least two release numbers" },
		{ "npm:lodash@>1.x", "goes only with '='" },
		{ "npm:lodash@1.beta.x", "takes only numbers" },
		{ "npm:lodash@=>1.x", "unknown operator '=>'" },
		{ "npm:lodash@, ,", "empty alternative" },
		{ "npm:lodash@1.0 || ,", "empty alternative" },
		{ "go:example.com/m@*1.0", "'*1.0' is not a version" },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gate_dep_rule *r = (gate_dep_rule *)1;
		cr_expect_eq(gate_dep_rule_parse(&r, cases[i].spec), GATE_EINVAL, "%s", cases[i].spec);
		cr_expect_null(r, "%s", cases[i].spec);
		cr_expect(strstr(gate_error_last(), cases[i].msg), "'%s': message '%s' lacks '%s'",
			  cases[i].spec, gate_error_last(), cases[i].msg);
	}
}

/* ---- OSV ------------------------------------------------------------------------------ */

static size_t load_osv(gate_dep_rule ***rules, size_t *n, const char *file)
{
	size_t len;
	char *data = slurp(file, &len);
	cr_assert_eq(gate_osv_load(rules, n, data, len), 0, "%s", gate_error_last());
	free(data);
	return *n;
}

Test(deps, osv_advisories_become_rules_with_ranges_and_versions)
{
	static const char *const specs[] = {
		"npm:event-stream@>=3.3.6 <4.0.0 (GHSA-mh6f-8j2x-4483)",
		"npm:flatmap-stream@=0.1.1 (GHSA-mh6f-8j2x-4483)",
		"npm:ua-parser-js@>=0.7.29 <0.7.30 || >=0.8.0 <0.8.1 || >=1.0.0 <1.0.1 "
		"(GHSA-pjwm-rvh2-c87w)",
		"pypi:ctx@* (GHSA-4g82-3jcr-q52w)",
		"pypi:Zope.Interface@>=5.0 <=6.0 || =4.7.2 (PYSEC-2099-0001)",
		"cargo:smallvec@>=0.6.3 <0.6.14 || >=1.0.0 <1.6.1 (RUSTSEC-2021-0003)",
		"go:golang.org/x/net@<0.7.0 (GO-2023-1571)",
	};
	gate_dep_rule **r = NULL;
	size_t n = 0, i;

	/* Maven, GIT ranges and the withdrawn advisory give no rule */
	cr_assert_eq(load_osv(&r, &n, "osv-vulns.json"), sizeof(specs) / sizeof(specs[0]));
	for (i = 0; i < n; i++)
		cr_expect_str_eq(gate_dep_rule_spec(r[i]), specs[i]);
	cr_expect(matches(r[0], GATE_ECO_NPM, "event-stream", "3.3.6"));
	cr_expect_not(matches(r[0], GATE_ECO_NPM, "event-stream", "4.0.0"));
	cr_expect(matches(r[2], GATE_ECO_NPM, "ua-parser-js", "0.8.0"));
	cr_expect_not(matches(r[2], GATE_ECO_NPM, "ua-parser-js", "0.8.1"));
	cr_expect_not(matches(r[2], GATE_ECO_NPM, "ua-parser-js", "0.7.28"));
	cr_expect(matches(r[3], GATE_ECO_PYPI, "ctx", "0.2.6"));
	cr_expect(matches(r[4], GATE_ECO_PYPI, "zope-interface", "6.0"), "last_affected is included");
	cr_expect_not(matches(r[4], GATE_ECO_PYPI, "zope-interface", "6.0.1"));
	cr_expect(matches(r[4], GATE_ECO_PYPI, "zope.interface", "4.7.2"));
	cr_expect_not(matches(r[4], GATE_ECO_PYPI, "zope.interface", "4.7.3"));
	cr_expect(matches(r[5], GATE_ECO_CARGO, "smallvec", "0.6.13"));
	cr_expect(matches(r[6], GATE_ECO_GO, "golang.org/x/net", "v0.0.0-20220722155237-a158d28d115b"));
	cr_expect_not(matches(r[6], GATE_ECO_GO, "golang.org/x/net", "v0.7.0"));
	for (i = 0; i < n; i++)
		gate_dep_rule_free(r[i]);
	gate_free(r);
}

Test(deps, osv_rules_flag_the_packages_a_lock_file_declares)
{
	gate_deps d = GATE_DEPS_INIT;
	gate_dep_rule **r = NULL;
	size_t n = 0, i, k, hits = 0;

	load_osv(&r, &n, "osv-vulns.json");
	parse_sample(&d, "yarn.lock", "yarn-classic.lock");
	parse_sample(&d, "poetry.lock", "poetry.lock");
	parse_sample(&d, "go.sum", "go.sum");
	for (i = 0; i < d.count; i++)
		for (k = 0; k < n; k++)
			if (gate_dep_rule_matches(r[k], &d.items[i])) {
				hits++;
				cr_expect(!strcmp(d.items[i].name, "event-stream") ||
					  !strcmp(d.items[i].name, "zope-interface") ||
					  !strcmp(d.items[i].name, "golang.org/x/net"),
					  "unexpected hit %s@%s by %s", d.items[i].name,
					  d.items[i].version, gate_dep_rule_spec(r[k]));
			}
	cr_expect_eq(hits, 3);
	for (i = 0; i < n; i++)
		gate_dep_rule_free(r[i]);
	gate_free(r);
	gate_deps_dispose(&d);
}

Test(deps, osv_single_advisories_and_arrays_are_accepted_and_appended)
{
	static const char one[] = "{\"id\": \"GHSA-1\", \"affected\": [{\"package\": {\"ecosystem\": "
				  "\"npm\", \"name\": \"a\"}, \"versions\": [\"1.0.0\"]}]}";
	static const char arr[] = "[{\"id\": \"GHSA-2\", \"affected\": [{\"package\": {\"ecosystem\": "
				  "\"Go\", \"name\": \"example.com/m\"}, \"ranges\": [{\"type\": "
				  "\"SEMVER\", \"events\": [{\"introduced\": \"1.0.0\"}, {\"limit\": "
				  "\"2.0.0\"}]}]}]}, {\"id\": \"GHSA-3\"}]";
	gate_dep_rule **r = NULL;
	size_t n = 0;

	r = gate_calloc(1, sizeof(*r));
	r[0] = rule("npm:kept");
	n = 1;
	cr_assert_eq(gate_osv_load(&r, &n, one, strlen(one)), 0, "%s", gate_error_last());
	cr_assert_eq(gate_osv_load(&r, &n, arr, strlen(arr)), 0, "%s", gate_error_last());
	cr_assert_eq(gate_osv_load(&r, &n, "{\"vulns\": []}", 13), 0, "%s", gate_error_last());
	cr_assert_eq(n, 3);
	cr_expect_str_eq(gate_dep_rule_spec(r[0]), "npm:kept");
	cr_expect_str_eq(gate_dep_rule_spec(r[1]), "npm:a@=1.0.0 (GHSA-1)");
	cr_expect_str_eq(gate_dep_rule_spec(r[2]), "go:example.com/m@>=1.0.0 (GHSA-2)");
	cr_expect(matches(r[2], GATE_ECO_GO, "example.com/m", "v3.0.0"));
	while (n)
		gate_dep_rule_free(r[--n]);
	gate_free(r);
}

Test(deps, a_document_that_is_not_osv_is_an_error_with_a_reason)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{ "not json", "not JSON" },
		{ "42", "not JSON" },
		{ "{}", "expected an advisory" },
		{ "{\"vulns\": {}}", "\"vulns\" is not a list" },
		{ "[1]", "advisory #1: not an object" },
		{ "[{\"summary\": \"x\"}]", "advisory #1: no \"id\"" },
		{ "{\"id\": \"X-1\", \"affected\": {}}", "X-1: \"affected\" is not a list" },
		{ "{\"id\": \"X-2\", \"affected\": [3]}", "X-2: an \"affected\" entry is not an object" },
		{ "{\"id\": \"X-3\", \"affected\": [{\"package\": {\"name\": \"a\"}}]}",
		  "\"package\" needs \"ecosystem\" and \"name\"" },
		{ "{\"id\": \"X-4\", \"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": "
		  "\"a\"}, \"ranges\": [{\"events\": []}]}]}",
		  "a range needs a \"type\"" },
		{ "{\"id\": \"X-5\", \"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": "
		  "\"a\"}, \"ranges\": [{\"type\": \"SEMVER\"}]}]}",
		  "no \"events\" list" },
		{ "{\"id\": \"X-6\", \"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": "
		  "\"a\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"fixd\": \"1\"}]}]}]}",
		  "none of introduced, fixed, last_affected, limit" },
		{ "{\"id\": \"X-7\", \"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": "
		  "\"a\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"fixed\": 1}]}]}]}",
		  "version is not a string" },
		{ "{\"id\": \"X-8\", \"affected\": [{\"package\": {\"ecosystem\": \"npm\", \"name\": "
		  "\"a\"}, \"versions\": [\"1.0\", 2]}]}",
		  "\"versions\" holds a non-string" },
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gate_dep_rule *keep = rule("npm:kept"), **r = gate_calloc(1, sizeof(*r));
		size_t n = 1;
		r[0] = keep;
		cr_expect_eq(gate_osv_load(&r, &n, cases[i].json, strlen(cases[i].json)), GATE_EINVAL,
			     "%s", cases[i].json);
		cr_expect(strstr(gate_error_last(), cases[i].msg), "%s: message '%s' lacks '%s'",
			  cases[i].json, gate_error_last(), cases[i].msg);
		cr_expect_eq(n, 1, "the list is as it was");
		cr_expect_eq(r[0], keep);
		gate_dep_rule_free(r[0]);
		gate_free(r);
	}
}

/* ---- running out of memory ------------------------------------------------------------ */

typedef struct {
	const char *path;
	const char *data;
	size_t len;
	int what; /* 0 parse, 1 rule, 2 osv */
} oom_case;

#ifdef GATE_FAULT_INJECTION
/*
 * In a child with allocation N+1 failing: the verdict of the call (see oom.h),
 * OOM_CHANGED_OUTPUT when it returned GATE_ENOMEM but did not leave its
 * output as it was.
 */
static int oom_child(const void *arg)
{
	const oom_case *c = arg;
	int rc, state_ok = 1, verdict;
	size_t before;

	{
		/* the libraries' one-time set-up is not a leak */
		json_t *j = json_loads("{\"a\": [1, \"b\"]}", 0, NULL);
		yaml_parser_t p;
		yaml_event_t ev;
		json_decref(j);
		if (yaml_parser_initialize(&p)) {
			yaml_parser_set_input_string(&p, (const unsigned char *)"a: [b]", 6);
			while (yaml_parser_parse(&p, &ev) && ev.type != YAML_STREAM_END_EVENT)
				yaml_event_delete(&ev);
			yaml_event_delete(&ev);
			yaml_parser_delete(&p);
		}
	}
	before = oom_live_bytes();
	if (c->what == 0) {
		gate_deps d = GATE_DEPS_INIT;
		/* one dependency already there, allocated outside the injector's count */
		d.items = calloc(1, sizeof(*d.items));
		d.cap = d.count = 1;
		d.items[0].name = strdup("earlier");
		d.items[0].version = strdup("1.0.0");
		rc = gate_deps_parse(&d, c->path, c->data, c->len);
		if (rc == GATE_ENOMEM)
			state_ok = d.count == 1 && !strcmp(d.items[0].name, "earlier");
		gate_deps_dispose(&d);
	} else if (c->what == 1) {
		gate_dep_rule *r = NULL;
		rc = gate_dep_rule_parse(&r, c->data);
		if (rc == GATE_ENOMEM)
			state_ok = r == NULL;
		gate_dep_rule_free(r);
	} else {
		gate_dep_rule **r = NULL;
		size_t n = 0;
		rc = gate_osv_load(&r, &n, c->data, c->len);
		if (rc == GATE_ENOMEM)
			state_ok = r == NULL && n == 0;
		while (n)
			gate_dep_rule_free(r[--n]);
		gate_free(r);
	}
	verdict = oom_verdict(rc, before);
	return verdict == OOM_ENOMEM && !state_ok ? OOM_CHANGED_OUTPUT : verdict;
}
#endif

static void under_every_allocation_failure(const oom_case *c, const char *what)
{
#ifndef GATE_FAULT_INJECTION
	(void)c;
	(void)what;
	cr_skip_test("built without FAULT=1: no allocation-failure injection");
#else
	cr_expect_gt(oom_walk(oom_child, c, what), 0, "%s allocates nothing?", what);
#endif
}

Test(deps, every_parser_under_allocation_failure_returns_enomem_and_leaks_nothing)
{
	static const struct {
		const char *path, *sample;
	} files[] = {
		{ "package-lock.json", "package-lock-v3.json" }, { "package-lock.json", "package-lock-v1.json" },
		{ "yarn.lock", "yarn-classic.lock" },           { "yarn.lock", "yarn-berry.lock" },
		{ "pnpm-lock.yaml", "pnpm-lock-v6.yaml" },      { "requirements.txt", "requirements.txt" },
		{ "poetry.lock", "poetry.lock" },               { "Cargo.lock", "Cargo.lock" },
		{ "go.sum", "go.sum" },                         { "go.mod", "go.mod" },
	};
	size_t i;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		oom_case c;
		char *data = slurp(files[i].sample, &c.len);
		c.path = files[i].path;
		c.data = data;
		c.what = 0;
		under_every_allocation_failure(&c, files[i].sample);
		free(data);
	}
}

Test(deps, invalid_utf8_package_lock_under_allocation_failure)
{
	static const char text[] = "{\"x\": \"\xff\", \"packages\": {\"node_modules/a\": "
				   "{\"version\": \"1.0.0\"}}}";
	oom_case c = { "package-lock.json", text, sizeof(text) - 1, 0 };
	under_every_allocation_failure(&c, "sanitised package-lock.json");
}

Test(deps, rule_parsing_under_allocation_failure_returns_enomem_and_leaks_nothing)
{
	oom_case c = { NULL, "npm:@scope/name@^1.2.3 || ~0.9.9 || >=3.0.0 <3.1.0 || 4.x", 0, 1 };
	under_every_allocation_failure(&c, "gate_dep_rule_parse");
}

Test(deps, osv_loading_under_allocation_failure_returns_enomem_and_leaks_nothing)
{
	oom_case c;
	char *data = slurp("osv-vulns.json", &c.len);
	c.path = NULL;
	c.data = data;
	c.what = 2;
	under_every_allocation_failure(&c, "gate_osv_load");
	free(data);
}

/* A JSON or YAML lock file that does not parse is counted, so a policy can refuse it. */
Test(deps, a_lock_file_that_does_not_parse_is_counted_as_unreadable)
{
	static const char broken_json[] = "{\"lockfileVersion\": 3, \"packages\": {";
	static const char broken_yaml[] = "packages:\n  /lodash@4.17.21: {resolution: [\n";
	static const char good_json[] = "{\"lockfileVersion\": 3, \"packages\": {}}";
	gate_deps d = GATE_DEPS_INIT;
	cr_assert_eq(gate_deps_parse(&d, "package-lock.json", broken_json, sizeof(broken_json) - 1), 0);
	cr_expect_eq(d.count, 0);
	cr_expect_eq(d.unreadable, 1);
	cr_assert_eq(gate_deps_parse(&d, "pnpm-lock.yaml", broken_yaml, sizeof(broken_yaml) - 1), 0);
	cr_expect_eq(d.unreadable, 2);
	cr_assert_eq(gate_deps_parse(&d, "package-lock.json", good_json, sizeof(good_json) - 1), 0);
	cr_expect_eq(d.unreadable, 2, "a file that parses is not counted");
	gate_deps_dispose(&d);
}

Test(deps, exactly_200000_dependencies_are_not_cut)
{
	gate_deps d = GATE_DEPS_INIT;
	gate_buf b = GATE_BUF_INIT;
	size_t i;

	for (i = 0; i < GATE_DEPS_MAX_PER_FILE; i++)
		gate_buf_printf(&b, "example.com/m%zu v1.0.0 h1:x=\n", i);
	cr_assert_eq(b.oom, 0);
	cr_assert_eq(gate_deps_parse(&d, "go.sum", b.ptr, b.len), 0);
	cr_expect_eq(d.count, GATE_DEPS_MAX_PER_FILE);
	cr_expect_null(d.cut);
	gate_buf_dispose(&b);
	gate_deps_dispose(&d);
}

Test(deps, npm_v1_dependencies_nested_deeper_than_64_levels_are_cut)
{
	gate_deps d = GATE_DEPS_INIT;
	gate_buf b = GATE_BUF_INIT;
	int i;

	gate_buf_puts(&b, "{\"lockfileVersion\": 1, \"dependencies\": ");
	for (i = 0; i < 70; i++)
		gate_buf_printf(&b, "{\"p%d\": {\"version\": \"1.0.0\", \"dependencies\": ", i);
	gate_buf_puts(&b, "{\"event-stream\": {\"version\": \"3.3.6\"}}");
	for (i = 0; i < 70; i++)
		gate_buf_puts(&b, "}}");
	gate_buf_puts(&b, "}\n");
	cr_assert_eq(b.oom, 0);
	cr_assert_eq(gate_deps_parse(&d, "package-lock.json", b.ptr, b.len), 0);
	cr_expect_str_eq(d.cut, "\"dependencies\" nested deeper than 64 levels");
	gate_buf_dispose(&b);
	gate_deps_dispose(&d);
}
