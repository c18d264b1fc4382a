/*
 * Specification of the external policy runner (src/policies.h): the command
 * runs without a shell, reads the push on stdin, answers in OPA's
 * `eval --format json` shape; an empty set or no result allows, each string
 * is a rejection; failing, hanging, or printing anything else is an error
 * (GATE_EPOLICY) with a message that says which.
 *
 * The commands here are /bin/sh one-liners given as argv, standing in for opa.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "content/policies.h"

static const char input[] = "{\"version\":1,\"updates\":[{\"ref\":\"refs/heads/x\"}]}";

/* Runs `sh -c SCRIPT` as the external policy; its messages in *MSGS. */
static int run(const char *script, unsigned timeout_ms, char ***msgs, size_t *n)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	return gate_policies_external(msgs, n, argv, timeout_ms, input, strlen(input));
}

Test(policies, an_empty_set_allows)
{
	char **m;
	size_t n = 7;
	cr_assert_eq(run("cat >/dev/null; echo '{\"result\":[{\"expressions\":[{\"value\":[]}]}]}'", 5000, &m, &n), 0,
		     "%s", gate_error_last());
	cr_expect_eq(n, 0);
	gate_policies_free_msgs(m, n);
}

Test(policies, no_result_allows_as_opa_prints_for_an_undefined_query)
{
	char **m;
	size_t n = 7;
	cr_assert_eq(run("cat >/dev/null; echo '{}'", 5000, &m, &n), 0, "%s", gate_error_last());
	cr_expect_eq(n, 0);
	gate_policies_free_msgs(m, n);
}

Test(policies, each_string_of_the_set_is_one_reason)
{
	char **m;
	size_t n = 0;
	cr_assert_eq(run("cat >/dev/null; echo '{\"result\":[{\"expressions\":[{\"value\":[\"no a\",\"no b\"],\"text\":\"data.gatehouse.deny\"}]}]}'",
			 5000, &m, &n), 0, "%s", gate_error_last());
	cr_assert_eq(n, 2);
	cr_expect_str_eq(m[0], "no a");
	cr_expect_str_eq(m[1], "no b");
	gate_policies_free_msgs(m, n);
}

Test(policies, the_push_arrives_on_stdin)
{
	char **m;
	size_t n = 0;
	/* echo back the ref it read, as a deny message */
	cr_assert_eq(run("ref=$(sed -n 's/.*\"ref\":\"\\([^\"]*\\)\".*/\\1/p'); "
			 "printf '{\"result\":[{\"expressions\":[{\"value\":[\"saw %s\"]}]}]}' \"$ref\"",
			 5000, &m, &n), 0, "%s", gate_error_last());
	cr_assert_eq(n, 1);
	cr_expect_str_eq(m[0], "saw refs/heads/x");
	gate_policies_free_msgs(m, n);
}

/* Each way of failing is an error that says what happened. */
Test(policies, failing_hanging_or_garbage_is_an_error_that_says_which)
{
	static const struct {
		const char *script;
		unsigned timeout_ms;
		const char *says;
	} cases[] = {
		{ "echo 'not json'", 5000, "no JSON object" },
		{ "echo '[1,2]'", 5000, "no JSON object" },
		{ "echo '{\"result\":{}}'", 5000, "\"result\" is not a list" },
		{ "echo '{\"result\":[{\"expressions\":[{\"value\":true}]}]}'", 5000, "not a set of strings" },
		{ "echo '{\"result\":[{\"expressions\":[{\"value\":[1]}]}]}'", 5000, "non-string" },
		{ "echo '{}'; exit 3", 5000, "exited with status 3" },
		{ "kill -9 $$", 5000, "killed by signal 9" },
		{ "sleep 5; echo '{}'", 200, "did not answer within 200 ms" },
		{ "exec 1>&-; sleep 5", 200, "did not exit within 200 ms" },
		{ "head -c 5000000 /dev/zero | tr '\\\\0' x", 5000, "printed more than" },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char **m = NULL;
		size_t n = 0;
		double t0 = gate_now_ms();
		int rc = run(cases[i].script, cases[i].timeout_ms, &m, &n);
		cr_expect_eq(rc, GATE_EPOLICY, "case %zu (%s): rc %d", i, cases[i].script, rc);
		cr_expect(strstr(gate_error_last(), cases[i].says), "case %zu: '%s' does not say '%s'", i,
			  gate_error_last(), cases[i].says);
		cr_expect_lt(gate_now_ms() - t0, 4000, "case %zu took %.0f ms", i, gate_now_ms() - t0);
		cr_expect_eq(n, 0);
		gate_policies_free_msgs(m, n);
	}
}

Test(policies, a_command_that_does_not_exist_is_an_error)
{
	const char *argv[] = { "/nonexistent/opa", "eval", NULL };
	char **m = NULL;
	size_t n = 0;
	cr_expect_eq(gate_policies_external(&m, &n, argv, 1000, input, strlen(input)), GATE_EPOLICY);
	cr_expect(strstr(gate_error_last(), "/nonexistent/opa"), "%s", gate_error_last());
}

/* A command that ignores a large input must not kill the hook with SIGPIPE. */
Test(policies, a_command_that_ignores_its_input_is_fine)
{
	const char *argv[] = { "/bin/sh", "-c", "exec 0<&-; echo '{}'", NULL };
	size_t big = 8u * 1024 * 1024, n = 0;
	char *in = gate_malloc(big), **m = NULL;
	cr_assert_not_null(in);
	memset(in, ' ', big);
	cr_expect_eq(gate_policies_external(&m, &n, argv, 5000, in, big), 0, "%s", gate_error_last());
	gate_free(in);
	gate_policies_free_msgs(m, n);
}

/* ---- the server's command ------------------------------------------------------------ */

/* git config gatehouse.externalPolicy.NAME.command: words split on blanks, nothing else. */
Test(policies, the_server_command_is_split_on_blanks_and_nothing_else)
{
	static const char *const want[] = { "/usr/local/bin/opa", "eval", "--data", "/srv/p", "'a",
					    "b'", "$HOME", "*", "`id`", ";", NULL };
	char **argv = NULL;
	size_t i;
	cr_assert_eq(gate_policies_split_command(&argv, " /usr/local/bin/opa eval\t--data  /srv/p 'a b' "
							 "$HOME * `id` ;"),
		     0, "%s", gate_error_last());
	for (i = 0; want[i]; i++) {
		cr_assert_not_null(argv[i], "word %zu missing", i);
		cr_expect_str_eq(argv[i], want[i], "no quoting, expansion or globbing");
	}
	cr_expect_null(argv[i]);
	gate_policies_free_argv(argv);
}

Test(policies, the_server_command_must_start_with_an_absolute_path)
{
	char **argv = (char **)1;
	cr_expect_eq(gate_policies_split_command(&argv, "opa eval"), GATE_ECONFIG);
	cr_expect_null(argv);
	cr_expect(strstr(gate_error_last(), "absolute path"), "%s", gate_error_last());
	cr_expect_eq(gate_policies_split_command(&argv, "   "), GATE_ECONFIG);
	cr_expect_eq(gate_policies_split_command(&argv, "/bin/opa\neval"), GATE_ECONFIG,
		     "control characters are refused");
}

Test(policies, a_policy_name_is_a_short_word)
{
	cr_expect(gate_policies_name_valid("opa"));
	cr_expect(gate_policies_name_valid("team-policy_2"));
	cr_expect_not(gate_policies_name_valid(""));
	cr_expect_not(gate_policies_name_valid("a.b"), "a dot would change the git config key");
	cr_expect_not(gate_policies_name_valid("../x"));
	cr_expect_not(gate_policies_name_valid("a b"));
}

Test(policies, a_relative_command_is_never_searched_for)
{
	const char *argv[] = { "sh", "-c", "echo '{}'", NULL };
	char **m = NULL;
	size_t n = 0;
	cr_expect_eq(gate_policies_external(&m, &n, argv, 1000, input, strlen(input)), GATE_EPOLICY);
}

/* The child sees PATH and LANG only (no GIT_*, no quarantine) and runs in "/". */
Test(policies, the_child_sees_no_git_variable_and_runs_outside_the_repository)
{
	char **m = NULL;
	size_t n = 0;
	setenv("GIT_DIR", "/srv/git/app.git", 1);
	setenv("GIT_QUARANTINE_PATH", "/srv/git/app.git/objects/tmp_objdir-incoming-x", 1);
	setenv("GATEHOUSE_USER", "bob", 1);
	cr_assert_eq(run("cat >/dev/null; printf '{\"result\":[{\"expressions\":[{\"value\":[\"%s|%s\"]}]}]}' "
			 "\"$(env | cut -d= -f1 | grep -v '^PWD$\\|^SHLVL$\\|^_$' | sort | tr '\\n' ' ')\" \"$(pwd)\"",
			 5000, &m, &n),
		     0, "%s", gate_error_last());
	cr_assert_eq(n, 1);
	cr_expect_str_eq(m[0], "LANG PATH |/");
	gate_policies_free_msgs(m, n);
	unsetenv("GIT_DIR");
	unsetenv("GIT_QUARANTINE_PATH");
	unsetenv("GATEHOUSE_USER");
}

Test(policies, findings_past_the_cap_are_counted_not_kept)
{
	gate_policy_findings f = GATE_POLICY_FINDINGS_INIT;
	size_t i;

	for (i = 0; i < GATE_POLICY_FINDINGS_MAX + 2; i++)
		cr_assert_eq(gate_policy_findings_add(&f, GATE_POLICY_WARN, "policy.x", "a", 1, "", "%zu", i), 0);
	cr_expect_eq(f.count, GATE_POLICY_FINDINGS_MAX);
	cr_expect_eq(f.dropped, 2, "the caller sees them and rejects (policy.findings.incomplete)");
	gate_policy_findings_dispose(&f);
}
