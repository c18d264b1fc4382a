/*
 * The watchdog and its audit record (see watchdog.h).
 *
 * Everything the handler touches is static and fixed-size, filled before it
 * can run and published with a sig_atomic_t flag; the handler calls only
 * async-signal-safe functions (clock_gettime, open, mkdir, fstat, pread,
 * write, close, _exit) and formats the time by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/common.h"
#include "gatehouse/run.h"
#include "engine/watchdog.h"

#define WD_RECORD_MAX (64 * 1024)
#define WD_TIMES_MAX 256

static char wd_record[WD_RECORD_MAX];
static size_t wd_len;
static size_t wd_time_at[WD_TIMES_MAX]; /* offsets of the time placeholders */
static size_t wd_n_times;
static char wd_path[4096], wd_dir[4096];
static volatile sig_atomic_t wd_ready;

/* Writes N as WIDTH digits at P. */
static void digits(char *p, long long n, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + n % 10);
		n /= 10;
	}
}

/* The current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" at P (24 bytes), without gmtime. */
static void stamp(char *p)
{
	struct timespec ts;
	long long days, secs, z, era, doe, yoe, y, doy, mp, d, m;

	clock_gettime(CLOCK_REALTIME, &ts);
	days = (long long)ts.tv_sec / 86400;
	secs = (long long)ts.tv_sec % 86400;
	/* days to civil date (H. Hinnant's algorithm) */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	digits(p, y, 4);
	digits(p + 5, m, 2);
	digits(p + 8, d, 2);
	digits(p + 11, secs / 3600, 2);
	digits(p + 14, secs / 60 % 60, 2);
	digits(p + 17, secs % 60, 2);
	digits(p + 20, ts.tv_nsec / 1000000, 3);
}

static void append_record(void)
{
	struct stat sb;
	size_t i, off = 0;
	char last;
	int fd;

	for (i = 0; i < wd_n_times; i++)
		stamp(wd_record + wd_time_at[i]);
	fd = open(wd_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
	if (fd < 0 && errno == ENOENT && wd_dir[0]) {
		(void)mkdir(wd_dir, 0750);
		fd = open(wd_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
	}
	if (fd < 0)
		return;
	/* a torn last line (a writer killed mid-way): start on a fresh one */
	if (fstat(fd, &sb) == 0 && sb.st_size > 0 && pread(fd, &last, 1, sb.st_size - 1) == 1 &&
	    last != '\n')
		(void)!write(fd, "\n", 1);
	while (off < wd_len) {
		ssize_t w = write(fd, wd_record + off, wd_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
}

static void on_watchdog(int sig)
{
	static const char msg[] =
		"gatehouse: push rejected: the hook did not finish in time (watchdog: "
		"gatehouse.watchdogSeconds, or twice settings.time_budget_ms plus 10 s); a git object may be "
		"corrupt. Nothing was updated; show this message to the server's admins.\n";
	ssize_t w;
	(void)sig;
	if (wd_ready)
		append_record();
	w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)w;
	_exit(GATE_EXIT_REJECTED);
}

void gate_watchdog_arm(unsigned seconds)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_watchdog;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds ? seconds : 1);
}

void gate_watchdog_forget(void)
{
	wd_ready = 0;
}

int gate_watchdog_record(const char *path, int mkdir_parent, json_t *const *records, size_t n)
{
	static const char key[] = "\"time\":\"" GATE_WATCHDOG_TIME_PLACEHOLDER "\"";
	size_t i, len = 0, times = 0, kept = 0;
	char *copy;
	int rc = 0;

	wd_ready = 0; /* the handler never sees a half-built record */
	if (!path || strlen(path) >= sizeof(wd_path))
		return 0;
	for (i = 0; i < n; i++) {
		char *s;
		size_t sl;
		const char *t;
		if (times >= WD_TIMES_MAX)
			break;
		s = json_dumps(records[i], JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
		if (!s)
			return gate_error_oom();
		sl = strlen(s);
		t = strstr(s, key);
		if (!t || len + sl + 1 > sizeof(wd_record)) {
			free(s);
			break;
		}
		memcpy(wd_record + len, s, sl);
		wd_time_at[times++] = len + (size_t)(t - s) + 8;
		wd_record[len + sl] = '\n';
		len += sl + 1;
		kept++;
		free(s);
	}
	if (kept < n && kept > 0) {
		/* say how many were left out, on the last record kept */
		char note[64];
		size_t at = len - 1; /* its closing brace is just before the newline */
		int nl = snprintf(note, sizeof(note), ",\"refs_not_audited\":%zu}\n", n - kept);
		while (at > 0 && wd_record[at] != '}')
			at--;
		if (nl > 0 && at + (size_t)nl <= sizeof(wd_record)) {
			memcpy(wd_record + at, note, (size_t)nl);
			len = at + (size_t)nl;
		}
	}
	wd_len = len;
	wd_n_times = times;
	memcpy(wd_path, path, strlen(path) + 1);
	wd_dir[0] = '\0';
	if (mkdir_parent && (copy = gate_strdup(path))) {
		const char *dir = dirname(copy);
		if (strlen(dir) < sizeof(wd_dir))
			memcpy(wd_dir, dir, strlen(dir) + 1);
		gate_free(copy);
	}
	if (len)
		wd_ready = 1;
	return rc;
}
