/*
 * Specification of `gatehouse matrix render` (src/render.h): the matrix as a
 * page for people.  The minimal example's whole page is written out by hand
 * in data/render/minimal.md and must come out byte for byte; the annotated
 * example and inline matrices check the rows and sentences that carry each
 * part of the matrix; hostile strings must not break a Markdown table or put
 * markup into the HTML page; running out of memory anywhere returns
 * GATE_ENOMEM and leaks nothing.
 *
 * Tests run from tests/unit, so the example matrices are under ../../matrix.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/common.h"
#include "matrix/model.h"
#include "oom.h"
#include "output/render.h"


/* Lines 1-14: people, roles and the five duties most matrices below share. */
#define BASE                                                \
	"version: 1\n"                                             \
	"people:\n"                                                \
	"  alice: { name: Alice Example, emails: [alice@example.com] }\n" \
	"  bob: { emails: [bob@example.com] }\n"                   \
	"  erin: { emails: [erin@example.com] }\n"                 \
	"roles:\n"                                                 \
	"  developers: [alice, bob]\n"                             \
	"  release: [erin]\n"                                      \
	"responsibilities:\n"                                      \
	"  write_code: developers\n"                               \
	"  review_code: developers\n"                              \
	"  configure_pipeline: release\n"                          \
	"  resolve_vulnerabilities: developers\n"                  \
	"  approve_deployment: release\n"

/* Every optional part of the matrix set, for the settings checks and the allocation failures. */
#define FULL                                                             \
	BASE                                                             \
	"  respond_to_incidents: [release, developers]\n"                \
	"refs:\n"                                                        \
	"  - pattern: refs/heads/main\n"                                 \
	"    push: [release]\n"                                          \
	"    create: false\n"                                            \
	"    delete: true\n"                                             \
	"    reviews: { min: 2 }\n"                                      \
	"    signed: true\n"                                             \
	"  - pattern: refs/heads/**\n"                                   \
	"paths:\n"                                                       \
	"  - pattern: infra/**\n"                                        \
	"    owners: [release, developers]\n"                            \
	"pipeline_paths: [\"deploy/**\", ci/*.sh]\n"                     \
	"secrets:\n"                                                     \
	"  enabled: false\n"                                             \
	"  max_blob_bytes: 2048\n"                                       \
	"  disable: [generic-password]\n"                                \
	"  allow_paths: [\"testdata/**\"]\n"                             \
	"  allow_regexes: [\"^AKIA0000\"]\n"                             \
	"  rules:\n"                                                     \
	"    - id: acme-internal-token\n"                                \
	"      description: ACME internal API token\n"                   \
	"      regex: '\\b(acme_[a-z0-9]{32})\\b'\n"                     \
	"      keywords: [acme_]\n"                                      \
	"policies:\n"                                                    \
	"  containers:\n"                                                \
	"    privileged: reject\n"                                       \
	"    registries: [registry.example.com]\n"                       \
	"    paths: [\"k8s/**\"]\n"                                      \
	"  dependencies:\n"                                              \
	"    allow_only: true\n"                                         \
	"    allow: [\"npm:react\"]\n"                                   \
	"    osv: security/advisories.json\n"                            \
	"  deploy_refs: [\"refs/heads/deploy/*\"]\n"                     \
	"  external:\n"                                                  \
	"    use: opa\n"                                                \
	"    timeout_ms: 1500\n"                                         \
	"settings:\n"                                                    \
	"  on_error: allow\n"                                            \
	"  override_role: release\n"                                     \
	"  time_budget_ms: 4000\n"                                       \
	"  metrics_file: gatehouse.prom\n"                               \
	"  syslog: true\n"                                               \
	"  limits: { refs: 50 }\n"                                       \
	"expectations:\n"                                                \
	"  - { user: bob, ref: refs/heads/main, action: push, expect: deny }\n" \
	"  - { user: erin, ref: refs/heads/main, action: delete, expect: allow }\n"

/* ---- helpers ------------------------------------------------------------------ */

static gate_matrix *load_yaml(const char *yaml)
{
	gate_matrix *m = NULL;
	gate_diags d = GATE_DIAGS_INIT;
	size_t i;
	int rc = gate_matrix_load_buffer(&m, "m.yml", yaml, strlen(yaml), &d);
	for (i = 0; i < d.count; i++)
		cr_log_error("%s", d.items[i].text);
	gate_diags_dispose(&d);
	cr_assert_eq(rc, 0, "the matrix must load: %s", gate_error_last());
	return m;
}

static gate_matrix *load_path(const char *path)
{
	gate_matrix *m = NULL;
	gate_diags d = GATE_DIAGS_INIT;
	int rc = gate_matrix_load_file(&m, path, &d);
	gate_diags_dispose(&d);
	cr_assert_eq(rc, 0, "%s must load (tests run from tests/unit): %s", path, gate_error_last());
	return m;
}

/* The Markdown page of M (label "m.yml" unless given); the caller frees it. */
static char *markdown(const gate_matrix *m, const char *label)
{
	gate_buf b = GATE_BUF_INIT;
	cr_assert_eq(gate_render_markdown(&b, m, label ? label : "m.yml"), 0);
	return gate_buf_detach(&b);
}

static char *html(const gate_matrix *m)
{
	gate_buf b = GATE_BUF_INIT;
	cr_assert_eq(gate_render_html(&b, m, "m.yml"), 0);
	return gate_buf_detach(&b);
}

static char *slurp(const char *path)
{
	char *data = NULL;
	size_t len = 0;
	cr_assert_eq(gate_read_file(&data, &len, path, 1 << 20), 0, "cannot read %s: %s", path,
		     gate_error_last());
	return data;
}

/* PAGE has LINE as one whole line. */
static void expect_line(const char *page, const char *line)
{
	size_t n = strlen(line);
	const char *p = page;
	while ((p = strstr(p, line)))
		if ((p == page || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return;
		else
			p++;
	cr_expect_fail("missing line:\n%s", line);
}

static void expect_has(const char *page, const char *text)
{
	cr_expect(strstr(page, text) != NULL, "missing: %s", text);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* Unescaped pipes on the line of PAGE that contains TEXT: the cells of a table row, plus one. */
static size_t pipes_on_line_with(const char *page, const char *text)
{
	const char *p = strstr(page, text), *start, *end;
	size_t n = 0;
	cr_assert_not_null(p, "no line with %s", text);
	for (start = p; start > page && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	for (p = start; p < (end ? end : p + strlen(p)); p++)
		if (*p == '|' && (p == start || p[-1] != '\\'))
			n++;
	return n;
}

/* ---- the examples ------------------------------------------------------------- */

Test(render, minimal_example_is_the_hand_written_page)
{
	gate_matrix *m = load_path("../../matrix/examples/minimal.yml");
	char *want = slurp("data/render/minimal.md");
	char *got = markdown(m, "matrix/examples/minimal.yml");
	size_t line = 1, i, start = 0;

	for (i = 0; got[i] && got[i] == want[i]; i++)
		if (got[i] == '\n') {
			line++;
			start = i + 1;
		}
	cr_expect_str_eq(got, want, "the page differs from data/render/minimal.md at line %zu:\n"
			 "got:  %.200s\nwant: %.200s", line, got + start, want + start);
	free(got);
	gate_free(want);
	gate_matrix_free(m);
}

Test(render, annotated_example_shows_each_rule_in_words)
{
	gate_matrix *m = load_path("../../matrix/examples/annotated.yml");
	char *p = markdown(m, "matrix/examples/annotated.yml");

	/* duties x roles */
	expect_line(p, "| Duty | What it means | `developers` | `security` | `operations` | `release` |");
	expect_line(p, "|---|---|:-:|:-:|:-:|:-:|");
	expect_line(p, "| `review_code` | reviews changes: the default reviewers where a ref rule asks "
		       "for reviews | ✔ | ✔ |  |  |");
	/* people per role, with names when given; a role owning no duty */
	expect_line(p, "| `developers` | Alice Example (`alice`), `bob` | `write_code`, `review_code`, "
		       "`resolve_vulnerabilities` |");
	expect_line(p, "| `release` | `erin`, `frank` | — |");
	expect_line(p, "| `erin` | — | `release` | `erin` | `erin@example.com` | "
		       "`ssh-ed25519 SHA256:uoHicakC+xMU7j6vUsl0Dya9TGkNXCEPLAkk0mPpb3w` |");
	expect_line(p, "| `alice` | Alice Example | `developers` | `alice`, `aexample` | "
		       "`alice@example.com` | — |");
	/* permissions: set, absent create, roles */
	expect_line(p, "| 1 | `refs/heads/main` | `release` | `release` | nobody | nobody |");
	expect_line(p, "| 2 | `refs/heads/release/**` | `release` | `release` (not set: as push) | "
		       "`operations` | `release` |");
	/* evidence, rule by rule */
	expect_line(p, "### Rule 1: `refs/heads/main`");
	expect_line(p, "- a `Reviewed-by` trailer from a person in `developers` or `security`, not its "
		       "author, committer, signer or pusher");
	expect_line(p, "- a `Scan-SAST` trailer with the value `pass`");
	expect_line(p, "- a `Scan-Deps` trailer with one of the values `pass`, `waived`");
	expect_line(p, "- an SSH signature by its committer, with a key listed under that person's "
		       "`keys`");
	expect_line(p, "- an `Approved-by` trailer (in the commit or in an annotated tag's message) from "
		       "a person in `operations` (the owners of `approve_deployment`), not the commit's "
		       "author, committer or signer, the tag's tagger or signer, or the pusher");
	expect_line(p, "- to be reachable from `refs/heads/main` as it stood before the push");
	expect_line(p, "- a `Reviewed-by` from the owners of each owned path it touches (see Path "
		       "owners), and from a person in `security` (the owners of `configure_pipeline`) "
		       "if it changes a pipeline path (see Built-in rules)");
	/* built-in rules, with the matrix's pipeline paths */
	expect_line(p, "- The trusted ref can never be deleted by a push, and a push to it must leave a "
		       "valid matrix there.");
	expect_has(p, "Pipeline paths: the matrix file itself, `.ci/**`, `.github/workflows/**`, "
		      "`.gitlab-ci.yml`, `.gitea/workflows/**`, `Jenkinsfile`, `.gatehouse/ignore`; added by this matrix: "
		      "`deploy/**`.");
	/* path owners */
	expect_line(p, "| `infra/**` | `operations` |");
	expect_line(p, "| `**/*.tf` | `operations`, `security` |");
	/* policies */
	expect_line(p, "| `policy.container.privileged` | reject |");
	expect_line(p, "| `policy.container.run_as_root` | warn |");
	expect_line(p, "| `policy.container.registries` | off: images from any registry |");
	expect_line(p, "- denied (`policy.dependency.deny`, reject): `npm:event-stream@3.3.6`, "
		       "`npm:ua-parser-js@>=0.7.29 <0.7.30`, `pypi:ctx@*`");
	expect_has(p, "A ref matching `refs/heads/deploy/*` may only be created or moved to a commit "
		      "that a ref whose rule demands evidence (reviews, trailers, signatures or "
		      "approvals) already holds. A ref matching `refs/heads/canary/*` may only be "
		      "created or moved to a commit that a ref matching `refs/heads/main` already "
		      "holds. Otherwise: `policy.deploy_ref`.");
	/* settings: limits the matrix sets are not marked as defaults */
	expect_line(p, "| `on_error` | reject: an internal error rejects the push |");
	expect_line(p, "| `refs` | 10000 | ref updates in one push |");
	expect_line(p, "| `path_bytes` | 4096 | bytes of one path |");
	free(p);
	gate_matrix_free(m);
}

Test(render, the_projects_own_matrix_renders)
{
	gate_matrix *m = load_path("../../matrix/responsibility.yml");
	char *p = markdown(m, "matrix/responsibility.yml");
	/* reviews without from: name the duty they come from */
	expect_line(p, "- a `Reviewed-by` trailer from a person in `developers` or `security` (the "
		       "owners of `review_code`), not its author, committer, signer or pusher");
	expect_has(p, "Ada Moreau (`ada`)");
	free(p);
	gate_matrix_free(m);
}

/* ---- duties, permissions, settings ------------------------------------------------ */

Test(render, every_duty_is_shown_with_the_five_required_first)
{
	gate_matrix *m = load_yaml("version: 1\n"
				   "people: { alice: { emails: [alice@example.com] } }\n"
				   "roles: { team: [alice] }\n"
				   "responsibilities:\n"
				   "  respond_to_incidents: team\n"
				   "  approve_deployment: team\n"
				   "  write_code: team\n"
				   "  configure_pipeline: team\n"
				   "  review_code: team\n"
				   "  resolve_vulnerabilities: team\n"
				   "  rotate_keys: team\n");
	char *p = markdown(m, NULL);
	const char *order[] = { "| `write_code` |", "| `review_code` |", "| `configure_pipeline` |",
				"| `resolve_vulnerabilities` |", "| `approve_deployment` |",
				"| `respond_to_incidents` | added by this matrix | ✔ |",
				"| `rotate_keys` | added by this matrix | ✔ |" };
	const char *at = p;
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(order); i++) {
		const char *q = strstr(at, order[i]);
		cr_assert_not_null(q, "duty row %zu (%s) missing or out of order", i, order[i]);
		at = q + 1;
	}
	expect_line(p, "| `team` | `alice` | `write_code`, `review_code`, `configure_pipeline`, "
		       "`resolve_vulnerabilities`, `approve_deployment`, `respond_to_incidents`, "
		       "`rotate_keys` |");
	expect_has(p, "This matrix has no ref rules, so no ref is protected");
	expect_has(p, "This matrix names no path owners");
	free(p);
	gate_matrix_free(m);
}

Test(render, absent_permissions_show_the_default_that_applies)
{
	gate_matrix *m = load_yaml(BASE
				   "refs:\n"
				   "  - pattern: refs/heads/open\n"
				   "  - pattern: refs/heads/team/*\n"
				   "    push: true\n"
				   "    create: [developers, release]\n"
				   "    delete: false\n"
				   "    force_push: true\n"
				   "  - pattern: refs/heads/frozen\n"
				   "    push: false\n");
	char *p = markdown(m, NULL);

	expect_line(p, "| 1 | `refs/heads/open` | anyone (not set) | anyone (not set: as push) | "
		       "nobody (not set) | nobody (not set) |");
	expect_line(p, "| 2 | `refs/heads/team/*` | anyone | `developers`, `release` | nobody | "
		       "anyone |");
	expect_line(p, "| 3 | `refs/heads/frozen` | nobody | nobody (not set: as push) | "
		       "nobody (not set) | nobody (not set) |");
	free(p);
	gate_matrix_free(m);
}

Test(render, every_optional_setting_is_shown_as_set)
{
	gate_matrix *m = load_yaml(FULL);
	char *p = markdown(m, NULL);

	/* evidence: N reviews from the duty's owners; a signer's review does not count */
	expect_line(p, "- 2 `Reviewed-by` trailers from distinct people in `developers` (the owners of "
		       "`review_code`), none of them its author, committer, signer or pusher");
	expect_line(p, "| 1 | `refs/heads/main` | `release` | nobody | anyone | nobody (not set) |");
	expect_line(p, "| `infra/**` | `release`, `developers` |");
	expect_has(p, "; added by this matrix: `deploy/**`, `ci/*.sh`.");
	/* secrets */
	expect_has(p, "Off: this matrix sets `secrets.enabled: false`, so pushes to this repository "
		      "are not scanned for secrets.");
	expect_line(p, "| `enabled` | no |");
	expect_line(p, "| `max_blob_bytes` | 2048: larger blobs are reported as not scanned |");
	expect_line(p, "| `disable` | built-in rules switched off: `generic-password` |");
	expect_line(p, "| `allow_paths` | never scanned: `testdata/**` |");
	expect_line(p, "| `allow_regexes` | a secret matching one is never a finding: `^AKIA0000` |");
	expect_line(p, "| `rules` | 1 extra rule: `acme-internal-token` (ACME internal API token) |");
	/* policies */
	expect_has(p, "Kubernetes manifests, Compose files and Dockerfiles in `k8s/**`:");
	expect_line(p, "| `policy.container.privileged` | reject |");
	expect_line(p, "| `policy.container.host_path` | off |");
	expect_line(p, "| `policy.container.registries` | reject: images only from "
		       "`registry.example.com` |");
	expect_line(p, "- denied (`policy.dependency.deny`, reject): none");
	expect_line(p, "- only approved packages (`allow_only`): yes, a package no allow entry covers "
		       "is rejected");
	expect_line(p, "- approved (`allow`): `npm:react`");
	expect_line(p, "- OSV advisories (`osv`): `security/advisories.json`, read from the trusted "
		       "branch; each advisory denies what it affects");
	expect_has(p, "gatehouse runs the server's policy `opa` (the command the server's git config "
		      "gatehouse.externalPolicy.opa.command names, no shell)");
	expect_has(p, "It has 1500 ms to answer");
	/* settings */
	expect_line(p, "| `on_error` | allow: an internal error lets the push through, with a warning, "
		       "on record |");
	expect_has(p, "| `override_role` | `release` may break glass with ");
	expect_line(p, "| `time_budget_ms` | 4000: when it is spent the hook stops and `on_error` decides |");
	expect_line(p, "| `metrics_file` | `gatehouse.prom`: Prometheus text-format metrics after each "
		       "push |");
	expect_line(p, "| `syslog` | yes: each audit record goes to syslog too |");
	expect_line(p, "| `refs` | 50 | ref updates in one push |");
	expect_line(p, "| `commits` | 100000 (default) | new commits in one push |");
	/* expectations */
	expect_line(p, "## Expectations");
	expect_line(p, "| `bob` | push | `refs/heads/main` | denied |");
	expect_line(p, "| `erin` | delete | `refs/heads/main` | allowed |");
	free(p);
	gate_matrix_free(m);
}

Test(render, a_matrix_without_expectations_has_no_such_section)
{
	gate_matrix *m = load_path("../../matrix/examples/minimal.yml");
	char *p = markdown(m, NULL);
	cr_expect_null(strstr(p, "Expectations"));
	free(p);
	gate_matrix_free(m);
}

/* ---- escaping -------------------------------------------------------------------- */

#define HOSTILE                                                                    \
	"version: 1\n"                                                             \
	"people:\n"                                                                \
	"  alice: { name: \"<script>alert(1)</script> & 'Co'\", emails: [alice@example.com] }\n" \
	"  bob: { name: \"Bob | Pipe\\nNew *line* [x](y) `t` \\\\ $m$ <b>\", emails: [bob@example.com] }\n" \
	"roles:\n"                                                                 \
	"  devs: [alice, bob]\n"                                                   \
	"responsibilities:\n"                                                      \
	"  write_code: devs\n"                                                     \
	"  review_code: devs\n"                                                    \
	"  configure_pipeline: devs\n"                                             \
	"  resolve_vulnerabilities: devs\n"                                        \
	"  approve_deployment: devs\n"                                             \
	"refs:\n"                                                                  \
	"  - pattern: \"refs/heads/a|b\"\n"                                        \
	"    trailers:\n"                                                          \
	"      Scan-X: [\"`\", \"a|b\", \" x\", \"``y\"]\n"

Test(render, html_escapes_every_matrix_string)
{
	gate_matrix *m = load_yaml(HOSTILE);
	char *p = html(m);

	cr_expect_null(strstr(p, "<script"), "a name must not open a script element");
	cr_expect_null(strstr(p, "<b>"));
	expect_has(p, "<td>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;Co&#39;</td>");
	/* a newline in a name is shown, not obeyed */
	expect_has(p, "<td>Bob | Pipe\\x0aNew *line* [x](y) `t` \\ $m$ &lt;b&gt;</td>");
	expect_has(p, "<code>refs/heads/a|b</code>");
	free(p);
	gate_matrix_free(m);
}

Test(render, html_is_one_standalone_page)
{
	gate_matrix *m = load_path("../../matrix/examples/annotated.yml");
	char *p = html(m);

	cr_expect(!strncmp(p, "<!DOCTYPE html>\n<html lang=\"en\">\n", 32));
	cr_expect(strlen(p) > 16 && !strcmp(p + strlen(p) - 16, "</body>\n</html>\n"));
	cr_expect_null(strstr(p, "http://"));
	cr_expect_null(strstr(p, "https://"));
	cr_expect_null(strstr(p, " src="));
	cr_expect_null(strstr(p, "<link"));
	cr_expect_null(strstr(p, "<script"));
	expect_has(p, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		      "style-src 'unsafe-inline'\">");
	expect_has(p, "<style>\n");
	expect_has(p, "<th class=\"c\"><code>developers</code></th>");
	expect_has(p, "<tr><td><code>review_code</code></td><td>reviews changes: the default reviewers "
		      "where a ref rule asks for reviews</td><td class=\"c\">✔</td><td class=\"c\">✔</td>"
		      "<td class=\"c\"></td><td class=\"c\"></td></tr>");
	expect_has(p, "by <code>gatehouse matrix render --format html m.yml</code>");
	cr_expect_eq(count(p, "<table>"), count(p, "</table>"));
	cr_expect_eq(count(p, "<ul>"), count(p, "</ul>"));
	cr_expect_eq(count(p, "<p>"), count(p, "</p>"));
	free(p);
	gate_matrix_free(m);
}

Test(render, markdown_escapes_what_would_break_a_table_or_become_markup)
{
	gate_matrix *m = load_yaml(HOSTILE);
	char *p = markdown(m, NULL);

	expect_line(p, "| `alice` | \\<script\\>alert(1)\\</script\\> \\& 'Co' | `devs` | `alice` | "
		       "`alice@example.com` | — |");
	expect_line(p, "| `bob` | Bob \\| Pipe\\\\x0aNew \\*line\\* \\[x\\](y) \\`t\\` \\\\ \\$m\\$ \\<b\\> | "
		       "`devs` | `bob` | `bob@example.com` | — |");
	/* six cells, seven unescaped pipes, whatever the name holds */
	cr_expect_eq(pipes_on_line_with(p, "| `bob` |"), 7);
	/* a pipe in a code span: escaped in a table (GFM), literal elsewhere */
	expect_line(p, "| 1 | `refs/heads/a\\|b` | anyone (not set) | anyone (not set: as push) | "
		       "nobody (not set) | nobody (not set) |");
	expect_line(p, "### Rule 1: `refs/heads/a|b`");
	/* a backtick in a code span: a longer fence, padded */
	expect_line(p, "- a `Scan-X` trailer with one of the values `` ` ``, `a|b`, `  x `, ``` ``y ```");
	free(p);
	gate_matrix_free(m);
}

/* ---- the document as a whole ------------------------------------------------------ */

Test(render, output_depends_on_the_matrix_alone)
{
	gate_matrix *m = load_yaml(FULL);
	char *a = markdown(m, NULL), *b = markdown(m, NULL), *c = html(m), *d = html(m);
	cr_expect_str_eq(a, b);
	cr_expect_str_eq(c, d);
	cr_expect(a[strlen(a) - 1] == '\n' && a[strlen(a) - 2] != '\n', "one newline at the end");
	free(a);
	free(b);
	free(c);
	free(d);
	gate_matrix_free(m);
}

Test(render, the_label_defaults_to_the_matrix_label)
{
	gate_matrix *m = load_yaml(BASE);
	gate_buf b = GATE_BUF_INIT;
	cr_assert_eq(gate_render_markdown(&b, m, NULL), 0);
	expect_has(gate_buf_cstr(&b), "from the responsibility matrix `m.yml` by "
				      "`gatehouse matrix render m.yml`.");
	gate_buf_dispose(&b);
	gate_matrix_free(m);
}

Test(render, write_prints_what_the_buffer_holds)
{
	gate_matrix *m = load_yaml(FULL);
	gate_buf b = GATE_BUF_INIT;
	FILE *f = tmpfile();
	gate_sink sink = gate_sink_file(f);
	char *got;
	long n;

	cr_assert_not_null(f);
	cr_assert_eq(gate_render_html(&b, m, "x.yml"), 0);
	cr_assert_eq(gate_render_write(&sink, m, GATE_RENDER_HTML, "x.yml"), 0);
	n = ftell(f);
	cr_assert_eq((size_t)n, b.len);
	rewind(f);
	got = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(got, 1, (size_t)n, f), (size_t)n);
	cr_expect_str_eq(got, gate_buf_cstr(&b));
	free(got);
	fclose(f);
	gate_buf_dispose(&b);
	gate_matrix_free(m);
}

/* ---- allocation failure ------------------------------------------------------------ */

#ifdef GATE_FAULT_INJECTION
/*
 * In a child whose allocation N fails: the verdict of rendering (see oom.h);
 * OOM_NOT_REACHED when the failure came before (loading the matrix).
 */
static int oom_child(const void *arg)
{
	int as_html = *(const int *)arg;
	gate_matrix *m = NULL;
	gate_buf b = GATE_BUF_INIT;
	size_t before;
	void *probe;
	int rc, verdict;

	if (gate_matrix_load_buffer(&m, "m.yml", FULL, strlen(FULL), NULL) < 0)
		return OOM_NOT_REACHED;
	probe = gate_malloc(1); /* the injected failure may be this one: not rendering yet */
	if (!probe)
		return OOM_NOT_REACHED;
	gate_free(probe);
	before = oom_live_bytes();
	rc = as_html ? gate_render_html(&b, m, NULL) : gate_render_markdown(&b, m, NULL);
	gate_buf_dispose(&b);
	verdict = oom_verdict(rc, before);
	gate_matrix_free(m);
	return verdict;
}
#endif

static void under_every_allocation_failure(int as_html)
{
#ifndef GATE_FAULT_INJECTION
	(void)as_html;
	cr_skip_test("built without FAULT=1: no allocation-failure injection");
#else
	cr_expect_gt(oom_walk(oom_child, &as_html, as_html ? "rendering HTML" : "rendering Markdown"), 0,
		     "rendering allocates nothing?");
#endif
}

Test(render, markdown_under_every_allocation_failure_returns_enomem_and_leaks_nothing)
{
	under_every_allocation_failure(0);
}

Test(render, html_under_every_allocation_failure_returns_enomem_and_leaks_nothing)
{
	under_every_allocation_failure(1);
}
