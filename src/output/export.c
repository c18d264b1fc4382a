/*
 * Metrics file and syslog (see export.h).
 *
 * The metrics file is ours: we read back only lines we wrote ("name{labels}
 * value"), so a hand-edited or foreign file is rewritten from what parses.
 * Label values come from reason ids, which are gatehouse's own, and are
 * escaped per the text format anyway.
 */
#define _GNU_SOURCE /* dprintf, flock */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/common.h"
#include "output/export.h"

typedef struct {
	char *key; /* name{labels} */
	double value;
} series;

typedef struct {
	series *items;
	size_t n, cap;
} series_set;

static series *find(series_set *s, const char *key)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->items[i].key, key))
			return &s->items[i];
	return NULL;
}

/* Adds DELTA to KEY (created at 0); SET replaces instead. */
static int bump(series_set *s, const char *key, double delta, int set)
{
	series *x = find(s, key);
	if (!x) {
		if (s->n >= GATE_METRICS_MAX_SERIES)
			return 0;
		if (gate_grow(&s->items, &s->cap, s->n + 1, sizeof(*s->items)) < 0)
			return GATE_ENOMEM;
		x = &s->items[s->n];
		if (!(x->key = gate_strdup(key)))
			return GATE_ENOMEM;
		x->value = 0;
		s->n++;
	}
	x->value = set ? delta : x->value + delta;
	return 0;
}

static void series_dispose(series_set *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		gate_free(s->items[i].key);
	gate_free(s->items);
}

/* A label value, escaped per the text format (backslash, quote, newline). */
static void label(gate_buf *b, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			gate_buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			gate_buf_puts(b, "\\n");
		else if ((unsigned char)*v >= 0x20)
			gate_buf_put(b, v, 1);
	}
}

static int bump1(series_set *s, const char *name, const char *lname, const char *lvalue,
		 double delta)
{
	gate_buf k = GATE_BUF_INIT;
	int rc;
	gate_buf_puts(&k, name);
	if (lname) {
		gate_buf_printf(&k, "{%s=\"", lname);
		label(&k, lvalue);
		gate_buf_puts(&k, "\"}");
	}
	rc = k.oom ? GATE_ENOMEM : bump(s, gate_buf_cstr(&k), delta, 0);
	gate_buf_dispose(&k);
	return rc;
}

static void load(series_set *s, FILE *fp)
{
	char line[1024];
	while (fgets(line, sizeof(line), fp)) {
		char *sp, *end;
		double v;
		if (line[0] == '#' || !strchr(line, '\n'))
			continue;
		sp = strrchr(line, ' ');
		if (!sp || sp == line)
			continue;
		*sp = '\0';
		v = strtod(sp + 1, &end);
		if (end == sp + 1 || !isfinite(v) || strncmp(line, "gatehouse_", 10))
			continue;
		if (bump(s, line, v, 1) < 0)
			return;
	}
}

static const double buckets[] = { 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };

static const struct {
	const char *name, *type, *help;
} families[] = {
	{ "gatehouse_ref_updates_total", "counter", "Ref updates judged, by verdict." },
	{ "gatehouse_rejections_total", "counter", "Reasons ref updates were rejected for, by check id." },
	{ "gatehouse_warnings_total", "counter", "Policy warnings shown, by check id." },
	{ "gatehouse_secrets_found_total", "counter", "Secret findings, by rule." },
	{ "gatehouse_overrides_total", "counter", "Break-glass overrides applied." },
	{ "gatehouse_overridden_findings_total", "counter",
	  "Secret findings a break-glass override let onto a ref (the ledger's records)." },
	{ "gatehouse_internal_errors_total", "counter", "Hook runs decided by an internal error." },
	{ "gatehouse_hook_runs_total", "counter", "Hook runs." },
	{ "gatehouse_hook_duration_seconds", "histogram", "Wall-clock time of one hook run." },
	{ "gatehouse_last_run_timestamp_seconds", "gauge", "When the last hook run ended (Unix time)." },
};

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int gate_export_metrics(const char *path, json_t *const *records, size_t n, double duration_s)
{
	series_set s = { NULL, 0, 0 };
	gate_buf lock = GATE_BUF_INIT, tmp = GATE_BUF_INIT, out = GATE_BUF_INIT;
	int lfd = -1, fd = -1, rc = 0;
	size_t i, f, k;
	FILE *fp;

	gate_buf_printf(&lock, "%s.lock", path);
	gate_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if (lock.oom || tmp.oom) {
		rc = GATE_ENOMEM;
		goto out;
	}
	lfd = open(gate_buf_cstr(&lock), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
		rc = gate_error_set(GATE_EIO, "metrics file %s: cannot lock: %s", path, strerror(errno));
		goto out;
	}
	if ((fp = fopen(path, "re"))) {
		load(&s, fp);
		fclose(fp);
	}
	rc |= bump1(&s, "gatehouse_hook_runs_total", NULL, NULL, 1);
	for (i = 0; i < n; i++) {
		json_t *r = records[i], *a;
		const char *verdict = json_string_value(json_object_get(r, "verdict"));
		rc |= bump1(&s, "gatehouse_ref_updates_total", "verdict", verdict ? verdict : "unknown", 1);
		json_array_foreach(json_object_get(r, "reasons"), k, a) {
			const char *id = json_string_value(json_object_get(a, "id"));
			if (!id)
				continue;
			rc |= bump1(&s, "gatehouse_rejections_total", "check", id, 1);
			if (!strncmp(id, "secret.", 7))
				rc |= bump1(&s, "gatehouse_secrets_found_total", "rule", id + 7, 1);
		}
		{
			size_t nf = json_array_size(json_object_get(json_object_get(r, "override"), "findings"));
			if (nf)
				rc |= bump1(&s, "gatehouse_overridden_findings_total", NULL, NULL, (double)nf);
		}
		json_array_foreach(json_object_get(r, "warnings"), k, a) {
			const char *id = json_string_value(json_object_get(a, "id"));
			if (id)
				rc |= bump1(&s, "gatehouse_warnings_total", "check", id, 1);
		}
	}
	if (n) {
		json_t *ov = json_object_get(records[0], "override");
		if (json_is_true(json_object_get(ov, "applied")))
			rc |= bump1(&s, "gatehouse_overrides_total", NULL, NULL, 1);
		if (json_object_get(records[0], "error"))
			rc |= bump1(&s, "gatehouse_internal_errors_total", NULL, NULL, 1);
	}
	for (k = 0; k < GATE_ARRAY_SIZE(buckets); k++) {
		char le[32];
		snprintf(le, sizeof(le), "%g", buckets[k]);
		rc |= bump1(&s, "gatehouse_hook_duration_seconds_bucket", "le", le,
			    duration_s <= buckets[k] ? 1 : 0);
	}
	rc |= bump1(&s, "gatehouse_hook_duration_seconds_bucket", "le", "+Inf", 1);
	rc |= bump1(&s, "gatehouse_hook_duration_seconds_sum", NULL, NULL, duration_s);
	rc |= bump1(&s, "gatehouse_hook_duration_seconds_count", NULL, NULL, 1);
	rc |= bump(&s, "gatehouse_last_run_timestamp_seconds", (double)time(NULL), 1);
	if (rc < 0) {
		rc = GATE_ENOMEM;
		goto out;
	}
	/* families in a fixed order, each with its HELP and TYPE, series as read or added */
	for (f = 0; f < GATE_ARRAY_SIZE(families); f++) {
		size_t nl = strlen(families[f].name);
		gate_buf_printf(&out, "# HELP %s %s\n# TYPE %s %s\n", families[f].name, families[f].help,
				families[f].name, families[f].type);
		for (i = 0; i < s.n; i++) {
			const char *key = s.items[i].key, *rest = key + nl;
			if (strncmp(key, families[f].name, nl) ||
			    (*rest && *rest != '{' && strcmp(rest, "_sum") && strcmp(rest, "_count") &&
			     strncmp(rest, "_bucket{", 8)))
				continue;
			gate_buf_printf(&out, "%s %.17g\n", key, s.items[i].value);
		}
	}
	if (out.oom) {
		rc = GATE_ENOMEM;
		goto out;
	}
	fd = open(gate_buf_cstr(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write_all(fd, out.ptr, out.len) < 0 || fsync(fd) < 0 || close(fd) < 0) {
		rc = gate_error_set(GATE_EIO, "metrics file %s: cannot write: %s", path, strerror(errno));
		if (fd >= 0)
			unlink(gate_buf_cstr(&tmp));
		goto out;
	}
	if (rename(gate_buf_cstr(&tmp), path) < 0) {
		rc = gate_error_set(GATE_EIO, "metrics file %s: cannot rename into place: %s", path,
				    strerror(errno));
		unlink(gate_buf_cstr(&tmp));
	}
out:
	if (lfd >= 0)
		close(lfd); /* releases the lock */
	series_dispose(&s);
	gate_buf_dispose(&lock);
	gate_buf_dispose(&tmp);
	gate_buf_dispose(&out);
	return rc;
}

int gate_export_syslog(json_t *const *records, size_t n)
{
	const char *path = getenv("GATEHOUSE_SYSLOG_SOCKET");
	struct sockaddr_un addr;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int fd, rc = 0;

	if (!path || !*path)
		path = "/dev/log";
	if (strlen(path) >= sizeof(addr.sun_path))
		return gate_error_set(GATE_ECONFIG, "syslog socket path too long: %s", path);
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return gate_error_set(GATE_EIO, "syslog: socket: %s", strerror(errno));
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	for (i = 0; i < n && rc == 0; i++) {
		json_t *r = records[i];
		const char *verdict = json_string_value(json_object_get(r, "verdict"));
		int sev = json_object_get(r, "error") ? 3 : verdict && !strcmp(verdict, "rejected") ? 5 : 6;
		char *msg = json_dumps(r, JSON_COMPACT | JSON_ENSURE_ASCII);
		gate_buf d = GATE_BUF_INIT;
		if (!msg)
			return close(fd), gate_error_oom();
		/* RFC 3164 as the local socket expects it: <PRI>TIMESTAMP TAG[PID]: MSG */
		gate_buf_printf(&d, "<%d>%s gatehouse[%ld]: ", 4 * 8 + sev, stamp, (long)getpid());
		gate_buf_put(&d, msg, strlen(msg) > 60000 ? 60000 : strlen(msg));
		free(msg);
		if (d.oom)
			rc = GATE_ENOMEM;
		else if (sendto(fd, d.ptr, d.len, 0, (struct sockaddr *)&addr, sizeof(addr)) < 0)
			rc = gate_error_set(GATE_EIO, "syslog: cannot send to %s: %s", path, strerror(errno));
		gate_buf_dispose(&d);
	}
	close(fd);
	return rc;
}
