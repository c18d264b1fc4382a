/*
 * `gatehouse report [--since DATE] [--html FILE] [AUDIT_LOG...]`: the audit
 * dashboard (see gatehouse/report.h).  Reads every log named (or the
 * default one), writes the HTML page when asked, and prints the text
 * summary; on a terminal, a log that takes a while to read shows a progress
 * line on stderr.  Exit 0, or 2 for a bad --since, a log that cannot be read
 * or a page or summary that cannot be written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "gatehouse/report.h"

/* Logs smaller than this show no progress line unless reading them takes a while. */
#define PROGRESS_MIN_BYTES (4u * 1024 * 1024)

typedef struct {
	gate_sink err;
	int tty, shown;
	double t0, last;
} progress_line;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* "\rgatehouse report: LOG: 1234 lines, 40% of 2.0 MiB", at most ten times a second, cleared at the end. */
static void progress_print(void *ctx, const gate_dashboard_progress *p)
{
	progress_line *pl = ctx;
	double now;

	if (!pl->tty)
		return;
	if (p->done) {
		if (pl->shown)
			fputs("\r\033[K", stderr);
		fflush(stderr);
		pl->shown = 0;
		return;
	}
	now = now_ms();
	if ((p->size < PROGRESS_MIN_BYTES && now - pl->t0 < 500) || (pl->shown && now - pl->last < 100))
		return;
	fputs("\rgatehouse report: ", stderr);
	if (gate_dashboard_write_progress(&pl->err, p) == 0) {
		fputs("\033[K", stderr);
		fflush(stderr);
		pl->shown = 1;
		pl->last = now;
	}
}

/*
 * The page's file, opened on the first write (so a page that cannot be made
 * leaves the file alone), never through a symlink.
 */
typedef struct {
	const char *path;
	int fd;
} page_file;

static int page_write(void *ctx, const char *s, size_t n)
{
	page_file *pf = ctx;
	size_t off = 0;

	if (pf->fd < 0)
		pf->fd = open(pf->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
	if (pf->fd < 0)
		return gate_error_set(GATE_EIO, "cannot write %s: %s", pf->path, strerror(errno));
	while (off < n) {
		ssize_t w = write(pf->fd, s + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return gate_error_set(GATE_EIO, "cannot write %s: %s", pf->path,
					      strerror(w < 0 ? errno : EIO));
		off += (size_t)w;
	}
	return 0;
}

/* Writes D's HTML page to PATH, stamped with the time now.  0, or a negative code. */
static int write_page(const gate_dashboard *d, const char *path)
{
	page_file pf = { path, -1 };
	gate_sink sink = { page_write, NULL, &pf };
	char generated[40];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	if (!gmtime_r(&t, &tm) || !strftime(generated, sizeof(generated), "%Y-%m-%dT%H:%M:%SZ", &tm))
		generated[0] = '\0';
	rc = gate_dashboard_write_html(&sink, d, generated);
	if (pf.fd >= 0 && close(pf.fd) < 0 && rc == 0)
		rc = gate_error_set(GATE_EIO, "cannot write %s: %s", path, strerror(errno));
	return rc;
}

/* Loads LOGS (none: the default log) into D.  0, or a negative code. */
static int load_logs(gate_dashboard *d, const char *const *logs)
{
	size_t i;
	int rc = 0;

	if (!logs || !logs[0])
		return gate_dashboard_load_default(d);
	for (i = 0; rc == 0 && logs[i]; i++)
		rc = gate_dashboard_load_path(d, logs[i]);
	return rc;
}

/* The dashboard of LOGS since SINCE (may be NULL), the page at HTML_PATH (may be NULL), the summary. */
static int report(const char *since, const char *html_path, const char *const *logs)
{
	gate_dashboard_opts opts = GATE_DASHBOARD_OPTS_INIT;
	gate_sink out = gate_sink_file(stdout);
	progress_line pl;
	gate_dashboard *d = NULL;
	int rc, status = GATE_EXIT_USAGE;

	if (since && gate_dashboard_parse_time(&opts.since_ms, since) < 0) {
		fprintf(stderr, "gatehouse report: --since wants YYYY-MM-DD or an ISO 8601 time "
				"(2026-03-18T10:00:00Z)\n");
		return GATE_EXIT_USAGE;
	}
	opts.has_since = since != NULL;
	memset(&pl, 0, sizeof(pl));
	pl.err = gate_sink_file(stderr);
	pl.tty = isatty(fileno(stderr));
	pl.t0 = now_ms();
	opts.progress = progress_print;
	opts.progress_ctx = &pl;
	if ((rc = gate_dashboard_new(&d, &opts)) == 0 && (rc = load_logs(d, logs)) == 0 &&
	    (!html_path || (rc = write_page(d, html_path)) == 0) &&
	    (rc = gate_dashboard_write_text(&out, d)) == 0) {
		if (html_path) {
			fputs("\npage: ", stdout);
			gate_sink_put_escaped(&out, html_path, strlen(html_path));
			fputs("\n", stdout);
		}
		status = fflush(stdout) == 0 && !ferror(stdout) ? GATE_EXIT_OK : GATE_EXIT_USAGE;
	} else {
		fputs("gatehouse report: ", stderr);
		if (rc == GATE_ENOMEM)
			fputs("out of memory", stderr);
		else
			gate_sink_put_escaped(&pl.err, gate_error_last(), strlen(gate_error_last()));
		fputs("\n", stderr);
	}
	gate_dashboard_free(d);
	return status;
}

int gate_cli_report(int argc, char **argv)
{
	const char *since = NULL, *html_path = NULL;
	const char **logs = calloc((size_t)argc + 1, sizeof(char *));
	int i, n = 0, rc;

	if (!logs)
		return GATE_EXIT_USAGE;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--since") && i + 1 < argc)
			since = argv[++i];
		else if (!strncmp(argv[i], "--since=", 8))
			since = argv[i] + 8;
		else if (!strcmp(argv[i], "--html") && i + 1 < argc)
			html_path = argv[++i];
		else if (!strncmp(argv[i], "--html=", 7))
			html_path = argv[i] + 7;
		else if (!strcmp(argv[i], "--"))
			while (i + 1 < argc)
				logs[n++] = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gatehouse report: unknown option %s\n%s", argv[i], gate_cli_usage);
			free(logs);
			return GATE_EXIT_USAGE;
		} else
			logs[n++] = argv[i];
	}
	rc = report(since, html_path, logs);
	free(logs);
	return rc;
}
