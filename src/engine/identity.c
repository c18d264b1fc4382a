/*
 * Pusher identity from the environment (see identity.h).
 *
 * Trust: these variables are set by the server (sshd forced commands,
 * gitolite, Gitea, GitLab, the web server) after authentication.  A login
 * longer than 255 bytes or holding control characters is refused rather
 * than truncated, so two different users can never collapse into one.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/common.h"
#include "engine/identity.h"

const char *const gate_identity_vars[] = {
	"GATEHOUSE_USER", "GITEA_PUSHER_NAME", "GL_USERNAME", "GL_USER",
	"GITHUB_USER_LOGIN", "REMOTE_USER", NULL
};

static int set_login(gate_identity *id, const char *v, const char *source)
{
	size_t i, len = strlen(v);
	if (len >= sizeof(id->login))
		return gate_error_set(GATE_EINVAL, "%s is longer than %zu bytes", source,
				      sizeof(id->login) - 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7F)
			return gate_error_set(GATE_EINVAL, "%s holds a control character", source);
	memcpy(id->login, v, len + 1);
	id->source = source;
	return 0;
}

int gate_identity_from_env(gate_identity *id)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	size_t i;

	memset(id, 0, sizeof(*id));
	for (i = 0; gate_identity_vars[i]; i++) {
		const char *v = getenv(gate_identity_vars[i]);
		if (v && *v)
			return set_login(id, v, gate_identity_vars[i]);
	}
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_name)
		return set_login(id, res->pw_name, "os-user");
	return gate_error_set(GATE_ENOTFOUND, "cannot tell who is pushing: no %s and no OS user",
			      gate_identity_vars[0]);
}
