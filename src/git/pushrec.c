/*
 * The trusted ref as it stood before the push, for the update hook (see
 * pushrec.h).  Trusts /proc (Linux) for the process tree, and the
 * repository's gatehouse/ directory, which only the server user writes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/common.h"
#include "git/pushrec.h"

#define RECORD_MAGIC "gatehouse update-push v1"
#define RECORD_MAX 8192
#define ANCESTORS_MAX 32
#define STALE_SCAN_MAX 10000

/* Reads at most CAP - 1 bytes of PATH into BUF (NUL-terminated).  Length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	while (len < cap - 1) {
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* PID's parent and start time (fields 4 and 22 of /proc/PID/stat).  0, or -1. */
static int proc_stat(long pid, long *ppid, unsigned long long *start)
{
	char path[64], buf[1024], *p, *end;
	int field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return -1;
	p++; /* the command name may hold spaces and parentheses: fields start after the last ')' */
	for (field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -1;
		if (field == 4)
			*ppid = strtol(p, &end, 10);
		else if (field == 22)
			*start = strtoull(p, &end, 10);
		p = strchr(p, ' ');
		if (!p && field < 22)
			return -1;
		if (!p)
			break;
	}
	return 0;
}

/* Whether PID runs git receive-pack (git-receive-pack, or git [options] receive-pack). */
static int proc_is_receive_pack(long pid)
{
	char path[64], buf[8192];
	const char *arg, *base;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if ((len = read_small(path, buf, sizeof(buf))) <= 0)
		return 0;
	base = strrchr(buf, '/');
	base = base ? base + 1 : buf;
	if (!strcmp(base, "git-receive-pack"))
		return 1;
	for (arg = buf + strlen(buf) + 1; arg < buf + len; arg += strlen(arg) + 1)
		if (!strcmp(arg, "receive-pack"))
			return 1;
	return 0;
}

/* The receive-pack above this process: 1 (*PID, *START), 0 none, <0 error. */
static int find_receive_pack(long *pid, unsigned long long *start)
{
	long cur = (long)getppid(), parent;
	unsigned long long st;
	int level;

	for (level = 0; level < ANCESTORS_MAX && cur > 1; level++) {
		if (proc_stat(cur, &parent, &st) < 0) {
			if (level == 0)
				return gate_error_set(GATE_EIO, "cannot read /proc/%ld/stat to tell which push "
								"this update belongs to", cur);
			return 0;
		}
		if (proc_is_receive_pack(cur)) {
			*pid = cur;
			*start = st;
			return 1;
		}
		cur = parent;
	}
	return 0;
}

/* Removes the records of receive-packs that are gone (bounded), keeping OWN. */
static void remove_stale(const char *dir, const char *own)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t seen = 0;

	if (!d)
		return;
	while ((e = readdir(d)) && seen++ < STALE_SCAN_MAX) {
		long pid, ppid;
		unsigned long long start, now;
		char *end;
		if (strncmp(e->d_name, "update-push.", 12) || !strcmp(e->d_name, own))
			continue;
		pid = strtol(e->d_name + 12, &end, 10);
		if (*end != '.' || pid <= 0)
			continue;
		start = strtoull(end + 1, &end, 10);
		if (proc_stat(pid, &ppid, &now) == 0 && now == start)
			continue; /* that push is still running */
		unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* Parses record TEXT for TRUSTED_REF into OUT.  0, or an error. */
static int parse_record(gate_pushrec *out, char *text, const char *trusted_ref, const char *path)
{
	char *ref, *value, *end;

	if (strncmp(text, RECORD_MAGIC "\n", sizeof(RECORD_MAGIC)))
		goto bad;
	ref = text + sizeof(RECORD_MAGIC);
	if (!(value = strchr(ref, '\n')))
		goto bad;
	*value++ = '\0';
	if (!(end = strchr(value, '\n')) || end[1])
		goto bad;
	*end = '\0';
	if (strcmp(ref, trusted_ref))
		return gate_error_set(GATE_EINVAL, "%s records the trusted ref %.200s, not %.200s", path,
				      ref, trusted_ref);
	if (!strcmp(value, "none")) {
		out->existed = 0;
		return 0;
	}
	if (strlen(value) != GIT_OID_HEXSZ || git_oid_fromstr(&out->id, value) < 0)
		goto bad;
	out->existed = 1;
	return 0;
bad:
	return gate_error_set(GATE_EINVAL, "%s is not a gatehouse push record", path);
}

/* Writes the record for OUT at PATH (atomically, never over another). 0, 1 if one exists, <0. */
static int write_record(const char *path, const char *trusted_ref, const gate_pushrec *out)
{
	gate_buf text = GATE_BUF_INIT, tmp = GATE_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	int fd, rc = 0;

	if (out->existed)
		git_oid_tostr(hex, sizeof(hex), &out->id);
	gate_buf_printf(&text, "%s\n%s\n%s\n", RECORD_MAGIC, trusted_ref, out->existed ? hex : "none");
	gate_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if (text.oom || tmp.oom) {
		rc = GATE_ENOMEM;
		goto out;
	}
	fd = open(gate_buf_cstr(&tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = gate_error_set(GATE_EIO, "cannot write %s: %s", gate_buf_cstr(&tmp), strerror(errno));
		goto out;
	}
	if (write(fd, text.ptr, text.len) != (ssize_t)text.len)
		rc = gate_error_set(GATE_EIO, "cannot write %s: %s", gate_buf_cstr(&tmp),
				    strerror(errno ? errno : ENOSPC));
	if (close(fd) < 0 && rc == 0)
		rc = gate_error_set(GATE_EIO, "cannot write %s: %s", gate_buf_cstr(&tmp), strerror(errno));
	if (rc == 0 && link(gate_buf_cstr(&tmp), path) < 0)
		rc = errno == EEXIST ? 1
				     : gate_error_set(GATE_EIO, "cannot create %s: %s", path, strerror(errno));
	unlink(gate_buf_cstr(&tmp));
out:
	gate_buf_dispose(&text);
	gate_buf_dispose(&tmp);
	return rc;
}

/* The trusted ref as it stands now into OUT. */
static int current_value(gate_pushrec *out, git_repository *repo, const char *trusted_ref)
{
	int rc = git_reference_name_to_id(&out->id, repo, trusted_ref);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		out->existed = 0;
		return 0;
	}
	if (rc < 0)
		return gate_error_from_git(rc, trusted_ref);
	out->existed = 1;
	return 0;
}

int gate_pushrec_trusted(gate_pushrec *out, git_repository *repo, const char *repo_path,
			 const char *trusted_ref)
{
	gate_buf dir = GATE_BUF_INIT, path = GATE_BUF_INIT;
	char name[96], text[RECORD_MAX];
	unsigned long long start = 0;
	long pid = 0;
	int rc, tries;

	memset(out, 0, sizeof(*out));
	if ((rc = find_receive_pack(&pid, &start)) <= 0)
		return rc < 0 ? rc : current_value(out, repo, trusted_ref);
	out->in_push = 1;
	snprintf(name, sizeof(name), "update-push.%ld.%llu", pid, start);
	gate_buf_printf(&dir, "%s/gatehouse", repo_path);
	gate_buf_printf(&path, "%s/%s", gate_buf_cstr(&dir), name);
	if (dir.oom || path.oom) {
		rc = GATE_ENOMEM;
		goto out;
	}
	for (tries = 0; tries < 2; tries++) {
		if (read_small(gate_buf_cstr(&path), text, sizeof(text)) >= 0) {
			rc = parse_record(out, text, trusted_ref, gate_buf_cstr(&path));
			break;
		}
		if (errno != ENOENT) {
			rc = gate_error_set(GATE_EIO, "cannot read %s: %s", gate_buf_cstr(&path),
					    strerror(errno));
			break;
		}
		/* the first run of this push: nothing has moved yet */
		if (mkdir(gate_buf_cstr(&dir), 0750) < 0 && errno != EEXIST) {
			rc = gate_error_set(GATE_EIO, "cannot create %s: %s", gate_buf_cstr(&dir),
					    strerror(errno));
			break;
		}
		remove_stale(gate_buf_cstr(&dir), name);
		if ((rc = current_value(out, repo, trusted_ref)) < 0 ||
		    (rc = write_record(gate_buf_cstr(&path), trusted_ref, out)) <= 0)
			break;
		/* rc 1: a record appeared meanwhile; read it */
	}
	if (rc > 0)
		rc = gate_error_set(GATE_EIO, "%s: cannot settle the push record", gate_buf_cstr(&path));
	if (rc == 0 && !out->existed) {
		/* absent before the push: an earlier ref of it may have created it (bootstrap) */
		gate_pushrec now;
		memset(&now, 0, sizeof(now));
		if ((rc = current_value(&now, repo, trusted_ref)) == 0 && now.existed) {
			out->id = now.id;
			out->created = 1;
		}
	}
out:
	gate_buf_dispose(&dir);
	gate_buf_dispose(&path);
	return rc;
}
