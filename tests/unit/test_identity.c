/*
 * Specification of pusher identification (src/identity.h): the server
 * variables in their documented order, the first set and non-empty one
 * winning, the OS user as the last resort, and refusal (never truncation) of
 * a login that is too long or holds a control character.
 */
#include <criterion/criterion.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/common.h"
#include "engine/identity.h"

/* The order the header promises, spelled out independently of the code. */
static const char *const order[] = {
	"GATEHOUSE_USER", "GITEA_PUSHER_NAME", "GL_USERNAME", "GL_USER",
	"GITHUB_USER_LOGIN", "REMOTE_USER",
};

#define N_VARS (sizeof(order) / sizeof(order[0]))

static void clear_env(void)
{
	size_t i;
	for (i = 0; i < N_VARS; i++)
		unsetenv(order[i]);
}

static const char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	cr_assert_not_null(pw, "this test needs the euid to have a passwd entry");
	return pw->pw_name;
}

TestSuite(identity, .init = clear_env);

Test(identity, consults_exactly_the_documented_variables_in_order)
{
	size_t i;
	for (i = 0; i < N_VARS; i++) {
		cr_assert_not_null(gate_identity_vars[i]);
		cr_expect_str_eq(gate_identity_vars[i], order[i]);
	}
	cr_expect_null(gate_identity_vars[N_VARS]);
}

Test(identity, each_variable_alone_names_the_pusher)
{
	size_t i;
	for (i = 0; i < N_VARS; i++) {
		gate_identity id;
		char login[64];

		clear_env();
		snprintf(login, sizeof(login), "user-%zu", i);
		setenv(order[i], login, 1);
		cr_assert_eq(gate_identity_from_env(&id), 0, "%s: %s", order[i], gate_error_last());
		cr_expect_str_eq(id.login, login, "%s", order[i]);
		cr_expect_str_eq(id.source, order[i]);
	}
}

Test(identity, earlier_variable_wins_over_every_later_one)
{
	size_t first, i;

	/* for each position, set it and everything after it: it must win */
	for (first = 0; first < N_VARS; first++) {
		gate_identity id;
		clear_env();
		for (i = first; i < N_VARS; i++)
			setenv(order[i], order[i], 1);
		cr_assert_eq(gate_identity_from_env(&id), 0);
		cr_expect_str_eq(id.source, order[first]);
		cr_expect_str_eq(id.login, order[first]);
	}
}

Test(identity, empty_variable_is_skipped)
{
	gate_identity id;

	setenv("GATEHOUSE_USER", "", 1);
	setenv("GITEA_PUSHER_NAME", "", 1);
	setenv("GL_USER", "carol", 1);
	setenv("REMOTE_USER", "mallory", 1);
	cr_assert_eq(gate_identity_from_env(&id), 0);
	cr_expect_str_eq(id.login, "carol");
	cr_expect_str_eq(id.source, "GL_USER");
}

Test(identity, os_user_is_the_last_resort)
{
	gate_identity id;

	cr_assert_eq(gate_identity_from_env(&id), 0, "%s", gate_error_last());
	cr_expect_str_eq(id.source, "os-user");
	cr_expect_str_eq(id.login, os_user());
}

Test(identity, all_variables_empty_falls_back_to_os_user)
{
	gate_identity id;
	size_t i;

	for (i = 0; i < N_VARS; i++)
		setenv(order[i], "", 1);
	cr_assert_eq(gate_identity_from_env(&id), 0);
	cr_expect_str_eq(id.source, "os-user");
	cr_expect_str_eq(id.login, os_user());
}

Test(identity, login_of_255_bytes_is_accepted_whole)
{
	gate_identity id;
	char login[256];

	memset(login, 'a', 255);
	login[255] = '\0';
	setenv("GATEHOUSE_USER", login, 1);
	cr_assert_eq(gate_identity_from_env(&id), 0);
	cr_expect_eq(strlen(id.login), 255);
	cr_expect_str_eq(id.login, login);
}

Test(identity, login_longer_than_255_bytes_is_refused_not_truncated)
{
	gate_identity id;
	char login[300];

	memset(login, 'a', 256);
	login[256] = '\0';
	setenv("GATEHOUSE_USER", login, 1);
	setenv("REMOTE_USER", "fallback", 1);
	cr_expect_eq(gate_identity_from_env(&id), GATE_EINVAL);
	cr_expect(strstr(gate_error_last(), "GATEHOUSE_USER") != NULL, "%s", gate_error_last());
	cr_expect_str_neq(id.login, "fallback", "a refused login must not fall through");
	cr_expect_neq(strlen(id.login), 255, "a refused login must not be truncated");
}

Test(identity, login_with_a_control_character_is_refused)
{
	static const char *const bad[] = {
		"ali\nce", "alice\r", "\x1b[31malice", "al\tice", "alice\x7f", "\x01",
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(bad); i++) {
		gate_identity id;
		clear_env();
		setenv("GITEA_PUSHER_NAME", bad[i], 1);
		setenv("REMOTE_USER", "fallback", 1);
		cr_expect_eq(gate_identity_from_env(&id), GATE_EINVAL, "case %zu accepted", i);
		cr_expect(strstr(gate_error_last(), "GITEA_PUSHER_NAME") != NULL, "%s",
			  gate_error_last());
		cr_expect_str_neq(id.login, "fallback", "case %zu fell through", i);
	}
}

Test(identity, non_ascii_login_is_kept_as_is)
{
	gate_identity id;

	setenv("REMOTE_USER", "jos\xc3\xa9", 1);
	cr_assert_eq(gate_identity_from_env(&id), 0);
	cr_expect_str_eq(id.login, "jos\xc3\xa9");
	cr_expect_str_eq(id.source, "REMOTE_USER");
}
