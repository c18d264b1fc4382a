/*
 * The audit dashboard (see dashboard.h and gatehouse/report.h): what
 * `gatehouse report` shows.
 *
 * Trust: the logs are read as hostile input.  A line is at most
 * GATE_DASHBOARD_LINE_MAX bytes (a longer one is skipped without being
 * buffered whole), is parsed by jansson (nesting bounded, duplicate keys
 * refused) and must look like an audit record (a time, a verdict, a ref) to
 * count; every other line is counted as skipped.  Keys are cut to
 * GATE_DASHBOARD_KEY_BYTES and each table stops taking new keys at
 * GATE_DASHBOARD_KEYS_MAX, so a log of any size and shape needs bounded
 * memory.  Strings reach the terminal through gate_buf_put_escaped() and the
 * page through gate_dashboard_html_escape(); the page has no script and a
 * Content-Security-Policy that forbids one, so a missed escape could at worst
 * garble the layout.
 *
 * Hook runs: all records of one hook run are written in a single write(2)
 * (audit.c), so they are consecutive lines of a log and share repo, hook,
 * pusher and duration_ms.  That is how pushes, overrides (recorded on every
 * record of the push) and the slowest runs are counted once per run.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gatehouse/checks.h"
#include "output/dashboard.h"
#include "gatehouse/gatehouse.h"

const double gate_dashboard_hist_ms[GATE_DASHBOARD_HIST] = { 10, 50, 100, 250, 500, 1000,
							     2500, 5000, 10000, -1 };
const char *const gate_dashboard_phase_names[GATE_DASHBOARD_PHASES] = {
	"objects", "matrix", "evidence", "secrets_list", "secrets_scan"
};

/*
 * Rows shown per section: on the terminal (ids such as reasons and secret
 * rules are a bounded set and all shown up to TEXT_IDS; refs and pushers are
 * not, TEXT_TOP of them), and as bars on the page.
 */
#define TEXT_IDS 60
#define TEXT_TOP 20
#define HTML_TOP 15
#define TEXT_RUNS 10
/* Longest override reason or error message kept (bytes). */
#define TEXT_BYTES 1024
/* Log names kept for the page's header. */
#define LABELS_MAX 32
/* Most bars on the timeline; coarser periods are used beyond that. */
#define TIMELINE_MAX 120

/* ---- tables: string -> counters, open addressing ------------------------- */

typedef struct {
	char *key;
	uint64_t hash;
	uint64_t count, accepted, rejected, findings;
	uint64_t seen; /* serial of the last record counted, so each counts once */
	int64_t aux;   /* GATE_DASHBOARD_DAYS: the day number */
} dash_entry;

typedef struct {
	dash_entry *slots;
	size_t cap, used;
	dash_entry other; /* every key past GATE_DASHBOARD_KEYS_MAX; key set once used */
} dash_map;

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* The length of S cut to at most MAX bytes, never inside a UTF-8 sequence. */
static size_t cut_len(const char *s, size_t max)
{
	return gate_utf8_cut(s, strlen(s), max);
}

static int map_rehash(dash_map *m, size_t ncap)
{
	dash_entry *slots = gate_calloc(ncap, sizeof(*slots));
	size_t i;
	if (!slots)
		return GATE_ENOMEM;
	for (i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->slots[i].key)
			continue;
		for (j = m->slots[i].hash & (ncap - 1); slots[j].key; j = (j + 1) & (ncap - 1))
			;
		slots[j] = m->slots[i];
	}
	gate_free(m->slots);
	m->slots = slots;
	m->cap = ncap;
	return 0;
}

/* The entry for KEY (cut to GATE_DASHBOARD_KEY_BYTES), created when new. */
static int map_get(dash_map *m, const char *key, dash_entry **out)
{
	size_t len = cut_len(key, GATE_DASHBOARD_KEY_BYTES), j;
	uint64_t h = hash_bytes(key, len);
	dash_entry *e;

	*out = NULL;
	if (m->cap) {
		for (j = h & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
			e = &m->slots[j];
			if (e->hash == h && !strncmp(e->key, key, len) && e->key[len] == '\0') {
				*out = e;
				return 0;
			}
		}
	}
	if (m->used >= GATE_DASHBOARD_KEYS_MAX) {
		m->other.key = (char *)GATE_DASHBOARD_OTHER;
		*out = &m->other;
		return 0;
	}
	if ((m->used + 1) * 10 > m->cap * 7) {
		int rc = map_rehash(m, m->cap ? m->cap * 2 : 64);
		if (rc < 0)
			return rc;
	}
	for (j = h & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1))
		;
	e = &m->slots[j];
	if (!(e->key = gate_strndup(key, len)))
		return GATE_ENOMEM;
	e->hash = h;
	m->used++;
	*out = e;
	return 0;
}

/* Counts record SERIAL (with its verdict) under KEY once, however often it names KEY. */
static int map_hit(dash_map *m, const char *key, uint64_t serial, int rejected, dash_entry **out)
{
	dash_entry *e;
	int rc = map_get(m, key, &e);
	if (out)
		*out = e;
	if (rc < 0)
		return rc;
	if (e->seen != serial) {
		e->seen = serial;
		e->count++;
		if (rejected)
			e->rejected++;
		else
			e->accepted++;
	}
	return 0;
}

static void map_dispose(dash_map *m)
{
	size_t i;
	for (i = 0; i < m->cap; i++)
		gate_free(m->slots[i].key);
	gate_free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- time ----------------------------------------------------------------- */

#define DAY_MS 86400000ll

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

static int take_digits(const char **p, int n, int *out)
{
	int v = 0, i;
	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* gate_dashboard_parse_time() without touching the last error: 0 or -1. */
static int parse_time(int64_t *out_ms, const char *s)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, oh = 0, om = 0, sign = 0, leap;

	*out_ms = 0;
	if (!s || take_digits(&p, 4, &y) < 0 || *p != '-')
		goto bad;
	p++;
	if (take_digits(&p, 2, &mo) < 0 || *p != '-')
		goto bad;
	p++;
	if (take_digits(&p, 2, &d) < 0)
		goto bad;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (take_digits(&p, 2, &h) < 0 || *p != ':')
			goto bad;
		p++;
		if (take_digits(&p, 2, &mi) < 0)
			goto bad;
		if (*p == ':') {
			p++;
			if (take_digits(&p, 2, &sec) < 0)
				goto bad;
			if (*p == '.' || *p == ',') {
				int k;
				p++;
				for (k = 0; *p >= '0' && *p <= '9'; k++, p++) {
					if (k >= 9)
						goto bad;
					if (k < 3)
						ms = ms * 10 + (*p - '0');
				}
				if (k == 0)
					goto bad;
				for (; k < 3; k++)
					ms *= 10;
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '+' ? 1 : -1;
			if (take_digits(&p, 2, &oh) < 0)
				goto bad;
			if (*p == ':')
				p++;
			if (take_digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
				goto bad;
		}
	}
	if (*p)
		goto bad;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 ||
	    mi > 59 || sec > 60)
		goto bad;
	*out_ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec) *
		   1000) + ms - (int64_t)sign * (oh * 60 + om) * 60000;
	return 0;
bad:
	return -1;
}

int gate_dashboard_parse_time(int64_t *out_ms, const char *s)
{
	if (parse_time(out_ms, s) == 0)
		return 0;
	return gate_error_set(GATE_EINVAL, "not a date (YYYY-MM-DD) or ISO 8601 time: '%s'",
			      s ? s : "(null)");
}

static int64_t day_of(int64_t ms) { return floor_div(ms, DAY_MS); }

/* "2026-03-18" */
static void fmt_day(char *buf, size_t n, int64_t day)
{
	int64_t y;
	unsigned m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(buf, n, "%04lld-%02u-%02u", (long long)y, m, d);
}

/* "2026-03-18T10:04:05Z" */
static void fmt_time(char *buf, size_t n, int64_t ms)
{
	int64_t day = day_of(ms), s = (ms - day * DAY_MS) / 1000;
	char d[24];
	fmt_day(d, sizeof(d), day);
	snprintf(buf, n, "%sT%02d:%02d:%02dZ", d, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

/* ---- the dashboard ---------------------------------------------------------- */

struct gate_dashboard {
	gate_dashboard_opts opts;
	gate_dashboard_totals t;
	dash_map maps[GATE_DASHBOARD_TABLES];
	uint64_t serial;
	/* the hook run being read */
	int in_run, run_has_override;
	gate_dashboard_run_info run;
	gate_dashboard_override ov;
	uint64_t run_blobs, run_bytes, run_large;
	/* kept sorted: slowest first; newest first */
	gate_dashboard_run_info slowest[GATE_DASHBOARD_SLOWEST];
	size_t n_slowest;
	gate_dashboard_override overrides[GATE_DASHBOARD_OVERRIDES];
	size_t n_overrides;
	char *labels[LABELS_MAX];
	size_t n_labels;
};

static void run_info_dispose(gate_dashboard_run_info *r)
{
	gate_free(r->time);
	gate_free(r->repo);
	gate_free(r->hook);
	gate_free(r->pusher);
	gate_free(r->ref);
	memset(r, 0, sizeof(*r));
}

static void override_dispose(gate_dashboard_override *o)
{
	gate_free(o->time);
	gate_free(o->requested_by);
	gate_free(o->reason);
	gate_free(o->ref);
	gate_free(o->checks_skipped);
	memset(o, 0, sizeof(*o));
}

int gate_dashboard_new(gate_dashboard **out, const gate_dashboard_opts *opts)
{
	gate_dashboard *d = gate_calloc(1, sizeof(*d));
	*out = NULL;
	if (!d)
		return GATE_ENOMEM;
	if (opts)
		d->opts = *opts;
	*out = d;
	return 0;
}

void gate_dashboard_free(gate_dashboard *d)
{
	size_t i;
	if (!d)
		return;
	for (i = 0; i < GATE_DASHBOARD_TABLES; i++)
		map_dispose(&d->maps[i]);
	run_info_dispose(&d->run);
	override_dispose(&d->ov);
	for (i = 0; i < d->n_slowest; i++)
		run_info_dispose(&d->slowest[i]);
	for (i = 0; i < d->n_overrides; i++)
		override_dispose(&d->overrides[i]);
	for (i = 0; i < d->n_labels; i++)
		gate_free(d->labels[i]);
	gate_free(d);
}

/* A bounded copy of S (NULL stays NULL); 0 or GATE_ENOMEM. */
static int dup_cut(char **out, const char *s, size_t max)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = gate_strndup(s, cut_len(s, max));
	return *out ? 0 : GATE_ENOMEM;
}

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A non-negative number field, or -1. */
static double jnum(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	double x = json_is_number(v) ? json_number_value(v) : -1;
	return x >= 0 && x < 1e15 ? x : -1;
}

static uint64_t jcount(const json_t *o, const char *k)
{
	double x = jnum(o, k);
	return x > 0 ? (uint64_t)x : 0;
}

/* Moves R into the slowest list when it belongs there; R is left empty. */
static void offer_slowest(gate_dashboard *d, gate_dashboard_run_info *r)
{
	size_t pos;
	if (r->duration_ms < 0 ||
	    (d->n_slowest == GATE_DASHBOARD_SLOWEST &&
	     r->duration_ms <= d->slowest[GATE_DASHBOARD_SLOWEST - 1].duration_ms)) {
		run_info_dispose(r);
		return;
	}
	if (d->n_slowest == GATE_DASHBOARD_SLOWEST)
		run_info_dispose(&d->slowest[--d->n_slowest]);
	for (pos = 0; pos < d->n_slowest && d->slowest[pos].duration_ms >= r->duration_ms; pos++)
		;
	memmove(&d->slowest[pos + 1], &d->slowest[pos], (d->n_slowest - pos) * sizeof(*r));
	d->slowest[pos] = *r;
	d->n_slowest++;
	memset(r, 0, sizeof(*r));
}

/* Moves O into the recent-overrides list (newest first; a later line wins a tie). */
static void offer_override(gate_dashboard *d, gate_dashboard_override *o)
{
	size_t pos;
	if (d->n_overrides == GATE_DASHBOARD_OVERRIDES &&
	    o->time_ms < d->overrides[GATE_DASHBOARD_OVERRIDES - 1].time_ms) {
		override_dispose(o);
		return;
	}
	if (d->n_overrides == GATE_DASHBOARD_OVERRIDES)
		override_dispose(&d->overrides[--d->n_overrides]);
	for (pos = 0; pos < d->n_overrides && d->overrides[pos].time_ms > o->time_ms; pos++)
		;
	memmove(&d->overrides[pos + 1], &d->overrides[pos], (d->n_overrides - pos) * sizeof(*o));
	d->overrides[pos] = *o;
	d->n_overrides++;
	memset(o, 0, sizeof(*o));
}

/* Closes the run being read: counts it and offers it to the lists. */
static void end_run(gate_dashboard *d)
{
	gate_dashboard_totals *t = &d->t;
	size_t k;

	if (!d->in_run)
		return;
	d->in_run = 0;
	t->pushes++;
	t->pushes_rejected += d->run.rejected != 0;
	t->scanned_blobs += d->run_blobs;
	t->scanned_bytes += d->run_bytes;
	t->skipped_large += d->run_large;
	if (d->run.duration_ms >= 0) {
		t->timed_pushes++;
		t->duration_total_ms += d->run.duration_ms;
		if (d->run.duration_ms > t->duration_max_ms)
			t->duration_max_ms = d->run.duration_ms;
		for (k = 0; k + 1 < GATE_DASHBOARD_HIST && d->run.duration_ms >= gate_dashboard_hist_ms[k]; k++)
			;
		t->duration_hist[k]++;
	}
	if (d->run_has_override) {
		t->overrides++;
		t->overrides_applied += d->ov.applied != 0;
		t->overrides_refused += d->ov.refused != 0;
		d->ov.refs = d->run.refs;
		d->ov.rejected = d->run.rejected;
		offer_override(d, &d->ov);
	}
	d->run_has_override = 0;
	offer_slowest(d, &d->run);
	override_dispose(&d->ov);
	run_info_dispose(&d->run);
}

static int same_str(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

/* Whether REC continues the run being read (same repo, hook, pusher and duration). */
static int continues_run(const gate_dashboard *d, const json_t *rec, double duration)
{
	return d->in_run && duration >= 0 && duration == d->run.duration_ms &&
	       same_str(jstr(rec, "repo"), d->run.repo) && same_str(jstr(rec, "hook"), d->run.hook) &&
	       same_str(jstr(rec, "pusher"), d->run.pusher);
}

/* Starts a run at REC. */
static int start_run(gate_dashboard *d, const json_t *rec, int64_t ms, int rejected, double duration)
{
	gate_dashboard_run_info *r = &d->run;
	const json_t *ph = json_object_get(rec, "phases_ms"), *sec = json_object_get(rec, "secrets");
	const json_t *ov = json_object_get(rec, "override");
	size_t k;
	int rc = 0;

	d->in_run = 1;
	r->time_ms = ms;
	r->refs = 1;
	r->rejected = rejected;
	r->duration_ms = duration;
	for (k = 0; k < GATE_DASHBOARD_PHASES; k++)
		r->phase_ms[k] = json_is_object(ph) ? jnum(ph, gate_dashboard_phase_names[k]) : -1;
	rc |= dup_cut(&r->time, jstr(rec, "time"), 64);
	rc |= dup_cut(&r->repo, jstr(rec, "repo"), GATE_DASHBOARD_KEY_BYTES);
	rc |= dup_cut(&r->hook, jstr(rec, "hook"), 64);
	rc |= dup_cut(&r->pusher, jstr(rec, "pusher"), GATE_DASHBOARD_KEY_BYTES);
	rc |= dup_cut(&r->ref, jstr(rec, "ref"), GATE_DASHBOARD_KEY_BYTES);
	d->run_blobs = d->run_bytes = d->run_large = 0;
	if (json_is_object(sec)) {
		const json_t *large = json_object_get(sec, "skipped_large");
		d->run_blobs = jcount(sec, "scanned_blobs");
		d->run_bytes = jcount(sec, "scanned_bytes");
		d->run_large = json_is_array(large) ? json_array_size(large) : 0;
	}
	if (json_is_object(ov)) {
		d->run_has_override = 1;
		d->ov.time_ms = ms;
		rc |= dup_cut(&d->ov.time, jstr(rec, "time"), 64);
		rc |= dup_cut(&d->ov.requested_by, jstr(ov, "requested_by") ? jstr(ov, "requested_by")
									    : jstr(rec, "pusher"),
			      GATE_DASHBOARD_KEY_BYTES);
		rc |= dup_cut(&d->ov.reason, jstr(ov, "reason"), TEXT_BYTES);
		rc |= dup_cut(&d->ov.ref, jstr(rec, "ref"), GATE_DASHBOARD_KEY_BYTES);
	}
	return rc ? GATE_ENOMEM : 0;
}

/* Adds what REC says about the override of its run (every record of the push carries it). */
static int note_override(gate_dashboard *d, const json_t *rec, int refused)
{
	const json_t *ov = json_object_get(rec, "override");
	const char *skipped;
	if (!json_is_object(ov) || !d->run_has_override)
		return 0;
	d->ov.applied |= json_is_true(json_object_get(ov, "applied"));
	d->ov.refused |= refused;
	skipped = jstr(ov, "checks_skipped");
	if (skipped && *skipped && !d->ov.checks_skipped)
		return dup_cut(&d->ov.checks_skipped, skipped, TEXT_BYTES);
	return 0;
}

/* Counts REC.  1 when it is not an audit record (nothing counted), 0, or GATE_ENOMEM. */
static int add_record(gate_dashboard *d, const json_t *rec)
{
	gate_dashboard_totals *t = &d->t;
	const char *time = jstr(rec, "time"), *verdict = jstr(rec, "verdict"), *ref = jstr(rec, "ref");
	const char *person, *pusher, *hook, *repo, *error;
	const json_t *reasons, *warnings, *roles, *r;
	uint64_t serial;
	double duration;
	int64_t ms;
	int rejected, refused = 0, has_secret = 0, has_warning, rc = 0;
	size_t i;
	char day[24];
	dash_entry *e;

	if (!json_is_object(rec) || !time || !verdict || !ref ||
	    (strcmp(verdict, "accepted") && strcmp(verdict, "rejected")))
		return 1;
	if (parse_time(&ms, time) < 0)
		return 1;
	if (d->opts.has_since && ms < d->opts.since_ms) {
		end_run(d);
		t->before_since++;
		return 0;
	}
	rejected = !strcmp(verdict, "rejected");
	serial = ++d->serial;
	t->records++;
	if (rejected)
		t->rejected++;
	else
		t->accepted++;
	if (!t->has_time || ms < t->first_ms)
		t->first_ms = ms;
	if (!t->has_time || ms > t->last_ms)
		t->last_ms = ms;
	t->has_time = 1;

	fmt_day(day, sizeof(day), day_of(ms));
	if ((rc = map_hit(&d->maps[GATE_DASHBOARD_DAYS], day, serial, rejected, &e)) < 0)
		return rc;
	e->aux = day_of(ms);
	reasons = json_object_get(rec, "reasons");
	json_array_foreach(reasons, i, r) {
		const char *id = jstr(r, "id"), *rule = jstr(r, "rule");
		if (!id)
			continue;
		if (rejected && (rc = map_hit(&d->maps[GATE_DASHBOARD_REASONS], id, serial, 1, NULL)) < 0)
			return rc;
		if (rejected && rule &&
		    (rc = map_hit(&d->maps[GATE_DASHBOARD_RULES], rule, serial, 1, NULL)) < 0)
			return rc;
		if (!strncmp(id, "secret.", 7)) {
			if ((rc = map_hit(&d->maps[GATE_DASHBOARD_SECRETS], id, serial, rejected, &e)) < 0)
				return rc;
			e->findings++;
			t->secret_findings++;
			has_secret = 1;
		}
		refused |= !strcmp(id, "override.refused");
	}
	t->secret_updates += has_secret;
	warnings = json_object_get(rec, "warnings");
	has_warning = 0;
	json_array_foreach(warnings, i, r) {
		const char *id = jstr(r, "id");
		if (!id)
			continue;
		if ((rc = map_hit(&d->maps[GATE_DASHBOARD_WARNINGS], id, serial, rejected, NULL)) < 0)
			return rc;
		has_warning = 1;
	}
	t->warned += has_warning;
	person = jstr(rec, "person");
	roles = json_object_get(rec, "roles");
	if (!person) {
		rc = map_hit(&d->maps[GATE_DASHBOARD_ROLES], GATE_DASHBOARD_NOT_IN_MATRIX, serial, rejected,
			     NULL);
	} else if (!json_array_size(roles)) {
		rc = map_hit(&d->maps[GATE_DASHBOARD_ROLES], GATE_DASHBOARD_NO_ROLE, serial, rejected, NULL);
	} else {
		json_array_foreach(roles, i, r) {
			if (json_is_string(r) &&
			    (rc = map_hit(&d->maps[GATE_DASHBOARD_ROLES], json_string_value(r), serial,
					  rejected, NULL)) < 0)
				break;
		}
	}
	if (rc < 0)
		return rc;
	pusher = jstr(rec, "pusher");
	hook = jstr(rec, "hook");
	repo = jstr(rec, "repo");
	if ((rc = map_hit(&d->maps[GATE_DASHBOARD_REFS], ref, serial, rejected, NULL)) < 0 ||
	    (rc = map_hit(&d->maps[GATE_DASHBOARD_PUSHERS], pusher ? pusher : "(unknown)", serial,
			  rejected, NULL)) < 0 ||
	    (rc = map_hit(&d->maps[GATE_DASHBOARD_HOOKS], hook ? hook : "(unknown)", serial, rejected,
			  NULL)) < 0 ||
	    (rc = map_hit(&d->maps[GATE_DASHBOARD_REPOS], repo ? repo : "(unknown)", serial, rejected,
			  NULL)) < 0)
		return rc;
	error = jstr(rec, "error");
	if (error) {
		const char *on_error = jstr(rec, "on_error");
		t->errors++;
		t->errors_allowed += on_error && !strcmp(on_error, "allow");
		if ((rc = map_hit(&d->maps[GATE_DASHBOARD_ERRORS], error, serial, rejected, NULL)) < 0)
			return rc;
	}

	duration = jnum(rec, "duration_ms");
	if (continues_run(d, rec, duration)) {
		d->run.refs++;
		d->run.rejected |= rejected;
	} else {
		end_run(d);
		if ((rc = start_run(d, rec, ms, rejected, duration)) < 0)
			return rc;
	}
	return note_override(d, rec, refused);
}

/* Counts one line (without its newline).  0 or GATE_ENOMEM. */
static int add_line(gate_dashboard *d, const char *line, size_t len, int too_long)
{
	json_error_t jerr;
	json_t *rec;
	size_t i;
	int rc;

	for (i = 0; i < len && line[i] && strchr(" \t\r\f\v", line[i]); i++)
		;
	if (i == len && !too_long)
		return 0; /* blank */
	d->t.lines++;
	if (too_long) {
		end_run(d);
		d->t.skipped++;
		d->t.skipped_long++;
		return 0;
	}
	rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	rc = rec ? add_record(d, rec) : 1;
	json_decref(rec);
	if (rc == 1) {
		end_run(d);
		d->t.skipped++;
		rc = 0;
	}
	return rc;
}

static int add_label(gate_dashboard *d, const char *label)
{
	d->t.logs++;
	if (d->n_labels == LABELS_MAX)
		return 0;
	if (dup_cut(&d->labels[d->n_labels], label ? label : "(log)", GATE_DASHBOARD_KEY_BYTES) < 0)
		return GATE_ENOMEM;
	d->n_labels++;
	return 0;
}

static void report_progress(gate_dashboard *d, const char *label, uint64_t bytes, uint64_t size,
			    uint64_t lines, int done)
{
	gate_dashboard_progress p;
	if (!d->opts.progress)
		return;
	p.label = label;
	p.bytes = bytes;
	p.size = size;
	p.lines = lines;
	p.done = done;
	d->opts.progress(d->opts.progress_ctx, &p);
}

int gate_dashboard_load_buffer(gate_dashboard *d, const char *data, size_t len, const char *label)
{
	size_t off = 0, lines = 0;
	int rc = add_label(d, label);

	while (rc == 0 && off < len) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (data + off)) : len - off;
		size_t keep = n && data[off + n - 1] == '\r' ? n - 1 : n;
		rc = add_line(d, data + off, keep, keep > GATE_DASHBOARD_LINE_MAX);
		off += n + (nl != NULL);
		if (++lines % 4096 == 0)
			report_progress(d, label, off, len, lines, 0);
	}
	end_run(d);
	report_progress(d, label, off, len, lines, 1);
	return rc;
}

int gate_dashboard_load_file(gate_dashboard *d, FILE *f, const char *label)
{
	enum { CHUNK = 64 * 1024 };
	char *chunk = gate_malloc(CHUNK), *line = gate_malloc(GATE_DASHBOARD_LINE_MAX + 1);
	size_t pos = 0, have = 0, len = 0;
	uint64_t consumed = 0, size = 0, lines = 0;
	int too_long = 0, rc = 0, in_line = 0;
	struct stat st;

	if (!chunk || !line) {
		gate_free(chunk);
		gate_free(line);
		return GATE_ENOMEM;
	}
	if ((rc = add_label(d, label)) < 0)
		goto out;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		size = (uint64_t)st.st_size;
	for (;;) {
		const char *nl;
		size_t n;
		if (pos == have) {
			have = fread(chunk, 1, CHUNK, f);
			pos = 0;
			if (have == 0) {
				if (ferror(f)) {
					rc = gate_error_set(GATE_EIO, "cannot read %s: %s", label,
							    strerror(errno ? errno : EIO));
					goto out;
				}
				break;
			}
		}
		nl = memchr(chunk + pos, '\n', have - pos);
		n = nl ? (size_t)(nl - (chunk + pos)) : have - pos;
		in_line = 1;
		if (!too_long && len + n <= GATE_DASHBOARD_LINE_MAX) {
			memcpy(line + len, chunk + pos, n);
			len += n;
		} else {
			too_long = 1;
		}
		pos += n;
		consumed += n;
		if (!nl)
			continue;
		pos++;
		consumed++;
		if (!too_long && len && line[len - 1] == '\r')
			len--;
		if ((rc = add_line(d, line, len, too_long)) < 0)
			goto out;
		len = 0;
		too_long = in_line = 0;
		if (++lines % 4096 == 0)
			report_progress(d, label, consumed, size, lines, 0);
	}
	if (in_line) { /* a last line without a newline: a torn record, or a hand-made log */
		if (!too_long && len && line[len - 1] == '\r')
			len--;
		rc = add_line(d, line, len, too_long);
		lines++;
	}
out:
	end_run(d);
	report_progress(d, label, consumed, size, lines, 1);
	gate_free(chunk);
	gate_free(line);
	return rc;
}

int gate_dashboard_load_path(gate_dashboard *d, const char *path)
{
	struct stat st;
	FILE *f;
	int fd, rc;

	if (!strcmp(path, "-"))
		return gate_dashboard_load_file(d, stdin, "-");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return gate_error_set(GATE_EIO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		return gate_error_set(GATE_EIO, "cannot read %s: %s", path,
				      S_ISDIR(st.st_mode) ? "it is a directory" : strerror(errno));
	}
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return gate_error_set(GATE_EIO, "cannot read %s: %s", path, strerror(errno));
	}
	rc = gate_dashboard_load_file(d, f, path);
	fclose(f);
	return rc;
}

/* ---- reading the aggregates ------------------------------------------------- */

void gate_dashboard_get_totals(const gate_dashboard *d, gate_dashboard_totals *out) { *out = d->t; }

/* Most counted first, then by key; the "(other)" row last.  BY_FINDINGS: secrets. */
static int row_order(const gate_dashboard_row *a, const gate_dashboard_row *b, int by_findings)
{
	int a_other = !strcmp(a->key, GATE_DASHBOARD_OTHER), b_other = !strcmp(b->key, GATE_DASHBOARD_OTHER);
	if (a_other != b_other)
		return a_other - b_other;
	if (by_findings && a->findings != b->findings)
		return a->findings > b->findings ? -1 : 1;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int row_cmp(const void *a, const void *b) { return row_order(a, b, 0); }
static int row_cmp_findings(const void *a, const void *b) { return row_order(a, b, 1); }

static void entry_row(gate_dashboard_row *r, const dash_entry *e)
{
	r->key = e->key;
	r->count = e->count;
	r->accepted = e->accepted;
	r->rejected = e->rejected;
	r->findings = e->findings;
}

int gate_dashboard_rows(const gate_dashboard *d, gate_dashboard_table t, gate_dashboard_row **out,
			size_t *n)
{
	const dash_map *m = &d->maps[t];
	gate_dashboard_row *rows;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (!(rows = gate_calloc(m->used + 1, sizeof(*rows))))
		return GATE_ENOMEM;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			entry_row(&rows[k++], &m->slots[i]);
	if (m->other.key)
		entry_row(&rows[k++], &m->other);
	qsort(rows, k, sizeof(*rows), t == GATE_DASHBOARD_SECRETS ? row_cmp_findings : row_cmp);
	*out = rows;
	*n = k;
	return 0;
}

int gate_dashboard_find(const gate_dashboard *d, gate_dashboard_table t, const char *key,
			gate_dashboard_row *out)
{
	const dash_map *m = &d->maps[t];
	size_t len = cut_len(key, GATE_DASHBOARD_KEY_BYTES), j;
	uint64_t h = hash_bytes(key, len);

	memset(out, 0, sizeof(*out));
	out->key = key;
	if (!strcmp(key, GATE_DASHBOARD_OTHER) && m->other.key) {
		entry_row(out, &m->other);
		return 0;
	}
	for (j = m->cap ? h & (m->cap - 1) : 0; m->cap && m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
		const dash_entry *e = &m->slots[j];
		if (e->hash == h && !strncmp(e->key, key, len) && e->key[len] == '\0') {
			entry_row(out, e);
			return 0;
		}
	}
	return GATE_ENOTFOUND;
}

const gate_dashboard_run_info *gate_dashboard_slowest(const gate_dashboard *d, size_t *n)
{
	*n = d->n_slowest;
	return d->slowest;
}

const gate_dashboard_override *gate_dashboard_overrides(const gate_dashboard *d, size_t *n)
{
	*n = d->n_overrides;
	return d->overrides;
}

/* ---- the timeline: records per day, week, month or year ------------------------- */

typedef enum { PER_DAY, PER_WEEK, PER_MONTH, PER_YEAR } period;
static const char *const period_names[] = { "day", "week", "month", "year" };

typedef struct {
	char label[24];
	uint64_t accepted, rejected;
} tl_bucket;

static int64_t bucket_of(period p, int64_t day)
{
	int64_t y;
	unsigned m, dd;
	if (p == PER_DAY)
		return day;
	if (p == PER_WEEK)
		return floor_div(day + 3, 7); /* weeks start on Monday; 1970-01-01 was a Thursday */
	civil_from_days(day, &y, &m, &dd);
	return p == PER_MONTH ? y * 12 + (m - 1) : y;
}

static void bucket_label(period p, int64_t idx, char *buf, size_t n)
{
	int64_t y;
	if (p == PER_DAY) {
		fmt_day(buf, n, idx);
	} else if (p == PER_WEEK) {
		fmt_day(buf, n, idx * 7 - 3);
	} else if (p == PER_MONTH) {
		y = floor_div(idx, 12);
		snprintf(buf, n, "%04lld-%02d", (long long)y, (int)(idx - y * 12 + 1));
	} else {
		snprintf(buf, n, "%04lld", (long long)idx);
	}
}

/*
 * The records per period, oldest first, every period between the first and
 * the last record present (at most TIMELINE_MAX: the coarsest period that
 * fits, then only the latest ones; *LEFT_OUT counts the records not shown).
 */
static int timeline(const gate_dashboard *d, tl_bucket **out, size_t *n, period *per,
		    uint64_t *left_out)
{
	const dash_map *m = &d->maps[GATE_DASHBOARD_DAYS];
	int64_t lo = 0, hi = 0, first, count = 0;
	tl_bucket *b;
	size_t i;
	int any = 0;
	period p;

	*out = NULL;
	*n = 0;
	*per = PER_DAY;
	*left_out = m->other.count;
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		if (!any || m->slots[i].aux < lo)
			lo = m->slots[i].aux;
		if (!any || m->slots[i].aux > hi)
			hi = m->slots[i].aux;
		any = 1;
	}
	if (!any)
		return 0;
	for (p = PER_DAY; p <= PER_YEAR; p++) {
		count = bucket_of(p, hi) - bucket_of(p, lo) + 1;
		if (count <= TIMELINE_MAX)
			break;
	}
	if (p > PER_YEAR)
		p = PER_YEAR;
	if (count > TIMELINE_MAX)
		count = TIMELINE_MAX;
	first = bucket_of(p, hi) - count + 1;
	if (!(b = gate_calloc((size_t)count, sizeof(*b))))
		return GATE_ENOMEM;
	for (i = 0; i < (size_t)count; i++)
		bucket_label(p, first + (int64_t)i, b[i].label, sizeof(b[i].label));
	for (i = 0; i < m->cap; i++) {
		const dash_entry *e = &m->slots[i];
		int64_t k;
		if (!e->key)
			continue;
		k = bucket_of(p, e->aux) - first;
		if (k < 0) {
			*left_out += e->count;
			continue;
		}
		b[k].accepted += e->accepted;
		b[k].rejected += e->rejected;
	}
	*out = b;
	*n = (size_t)count;
	*per = p;
	return 0;
}

/* ---- the text summary -------------------------------------------------------- */

static void put_esc(gate_buf *b, const char *s)
{
	if (s)
		gate_buf_put_escaped(b, s, strlen(s));
}

static void fmt_bytes(char *buf, size_t n, double bytes)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;
	while (bytes >= 1024 && u + 1 < GATE_ARRAY_SIZE(units)) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static double pct(uint64_t part, uint64_t whole) { return whole ? 100.0 * (double)part / (double)whole : 0; }

static const char *override_status(const gate_dashboard_override *o)
{
	return o->applied ? "applied" : o->refused ? "refused" : "not applied";
}

/* Header lines common to both formats: the period, the logs, what was left out. */
static void text_header(gate_buf *b, const gate_dashboard *d)
{
	const gate_dashboard_totals *t = &d->t;
	char from[40], to[40];
	size_t i;

	if (t->has_time) {
		fmt_time(from, sizeof(from), t->first_ms);
		fmt_time(to, sizeof(to), t->last_ms);
		gate_buf_printf(b, "gatehouse report: %llu ref update%s in %llu push%s, %s .. %s\n",
				(unsigned long long)t->records, t->records == 1 ? "" : "s",
				(unsigned long long)t->pushes, t->pushes == 1 ? "" : "es", from, to);
	} else {
		gate_buf_puts(b, "gatehouse report: no audit records\n");
	}
	gate_buf_printf(b, "  from %zu log%s:", t->logs, t->logs == 1 ? "" : "s");
	for (i = 0; i < d->n_labels; i++) {
		gate_buf_puts(b, i ? ", " : " ");
		put_esc(b, d->labels[i]);
	}
	gate_buf_puts(b, t->logs > d->n_labels ? ", ...\n" : "\n");
	if (d->opts.has_since) {
		fmt_time(from, sizeof(from), d->opts.since_ms);
		gate_buf_printf(b, "  since %s: %llu earlier record%s left out\n", from,
				(unsigned long long)t->before_since, t->before_since == 1 ? "" : "s");
	}
	if (t->skipped) {
		gate_buf_printf(b, "  %llu line%s skipped: not audit records", (unsigned long long)t->skipped,
				t->skipped == 1 ? "" : "s");
		if (t->skipped_long)
			gate_buf_printf(b, " (%llu longer than %u MiB)", (unsigned long long)t->skipped_long,
					GATE_DASHBOARD_LINE_MAX >> 20);
		gate_buf_puts(b, "\n");
	}
}

/* A section of at most TOP rows: COLS 1 (count), 2 (count, rejected) or 3 (findings, count). */
static int text_rows(gate_buf *b, const gate_dashboard *d, gate_dashboard_table t, const char *title,
		     int cols, size_t top)
{
	gate_dashboard_row *rows;
	size_t n, i;
	int rc = gate_dashboard_rows(d, t, &rows, &n);

	if (rc < 0)
		return rc;
	gate_buf_printf(b, "\n%s:\n", title);
	if (!n)
		gate_buf_puts(b, "  (none)\n");
	for (i = 0; i < n && i < top; i++) {
		const gate_dashboard_row *r = &rows[i];
		if (cols == 1)
			gate_buf_printf(b, "  %9llu  ", (unsigned long long)r->count);
		else if (cols == 2)
			gate_buf_printf(b, "  %9llu %9llu  ", (unsigned long long)r->count,
					(unsigned long long)r->rejected);
		else
			gate_buf_printf(b, "  %9llu %9llu  ", (unsigned long long)r->findings,
					(unsigned long long)r->count);
		put_esc(b, r->key);
		gate_buf_puts(b, "\n");
	}
	if (n > top) {
		uint64_t rest = 0;
		for (; i < n; i++)
			rest += rows[i].count;
		gate_buf_printf(b, "  ... %zu more (%llu ref updates)\n", n - top,
				(unsigned long long)rest);
	}
	gate_free(rows);
	return 0;
}

static void text_phases(gate_buf *b, const double *ph)
{
	size_t k;
	for (k = 0; k < GATE_DASHBOARD_PHASES; k++)
		if (ph[k] >= 0)
			gate_buf_printf(b, "  %s %.1f", gate_dashboard_phase_names[k], ph[k]);
}

int gate_dashboard_format_text(gate_buf *b, const gate_dashboard *d)
{
	const gate_dashboard_totals *t = &d->t;
	tl_bucket *tl;
	size_t n, i;
	uint64_t left_out;
	period per;
	char buf[64];
	int rc;

	text_header(b, d);
	gate_buf_puts(b, "\ntotals:\n");
	gate_buf_printf(b, "  %9llu  ref updates\n", (unsigned long long)t->records);
	gate_buf_printf(b, "  %9llu  accepted\n", (unsigned long long)t->accepted);
	gate_buf_printf(b, "  %9llu  rejected (%.1f%%)\n", (unsigned long long)t->rejected,
			pct(t->rejected, t->records));
	gate_buf_printf(b, "  %9llu  pushes (%llu with a rejection)\n", (unsigned long long)t->pushes,
			(unsigned long long)t->pushes_rejected);
	gate_buf_printf(b, "  %9llu  overrides requested (%llu applied, %llu refused)\n",
			(unsigned long long)t->overrides, (unsigned long long)t->overrides_applied,
			(unsigned long long)t->overrides_refused);
	gate_buf_printf(b, "  %9llu  secrets found (in %llu ref update%s)\n",
			(unsigned long long)t->secret_findings, (unsigned long long)t->secret_updates,
			t->secret_updates == 1 ? "" : "s");
	gate_buf_printf(b, "  %9llu  internal errors (%llu let through by on_error: allow)\n",
			(unsigned long long)t->errors, (unsigned long long)t->errors_allowed);
	gate_buf_printf(b, "  %9llu  ref updates with warnings\n", (unsigned long long)t->warned);
	fmt_bytes(buf, sizeof(buf), (double)t->scanned_bytes);
	gate_buf_printf(b, "  scanned: %llu blobs (%s), %llu files too large to scan\n",
			(unsigned long long)t->scanned_blobs, buf, (unsigned long long)t->skipped_large);
	if (t->timed_pushes)
		gate_buf_printf(b, "  hook runs: mean %.1f ms, max %.1f ms\n",
				t->duration_total_ms / (double)t->timed_pushes, t->duration_max_ms);

	if ((rc = timeline(d, &tl, &n, &per, &left_out)) < 0)
		return rc;
	if (n) {
		size_t from = n > 14 ? n - 14 : 0;
		gate_buf_printf(b, "\nper %s (accepted, rejected%s):\n", period_names[per],
				from ? "; the last 14" : "");
		for (i = from; i < n; i++)
			gate_buf_printf(b, "  %9llu %9llu  %s\n", (unsigned long long)tl[i].accepted,
					(unsigned long long)tl[i].rejected, tl[i].label);
	}
	gate_free(tl);

	if ((rc = text_rows(b, d, GATE_DASHBOARD_REASONS, "rejections by reason (rejected ref updates)", 1,
			    TEXT_IDS)) < 0 ||
	    (rc = text_rows(b, d, GATE_DASHBOARD_RULES, "rejections by rule (rejected ref updates)", 1,
			    TEXT_TOP)) < 0 ||
	    (rc = text_rows(b, d, GATE_DASHBOARD_ROLES, "by role (ref updates, rejected)", 2, TEXT_IDS)) < 0 ||
	    (rc = text_rows(b, d, GATE_DASHBOARD_REFS, "top refs (ref updates, rejected)", 2, TEXT_TOP)) < 0 ||
	    (rc = text_rows(b, d, GATE_DASHBOARD_PUSHERS, "top pushers (ref updates, rejected)", 2,
			    TEXT_TOP / 2)) < 0 ||
	    (rc = text_rows(b, d, GATE_DASHBOARD_SECRETS, "secrets caught by rule (findings, ref updates)", 3,
			    TEXT_IDS)) < 0 ||
	    (rc = text_rows(b, d, GATE_DASHBOARD_WARNINGS, "warnings by check (ref updates)", 1, TEXT_IDS)) < 0)
		return rc;
	if (t->errors && (rc = text_rows(b, d, GATE_DASHBOARD_ERRORS, "internal errors (ref updates)", 1,
					 TEXT_RUNS)) < 0)
		return rc;

	gate_buf_printf(b, "\noverrides (%llu requested; most recent first):\n",
			(unsigned long long)t->overrides);
	if (!d->n_overrides)
		gate_buf_puts(b, "  (none)\n");
	for (i = 0; i < d->n_overrides && i < TEXT_RUNS; i++) {
		const gate_dashboard_override *o = &d->overrides[i];
		fmt_time(buf, sizeof(buf), o->time_ms);
		gate_buf_printf(b, "  %s  %-11s  ", buf, override_status(o));
		put_esc(b, o->requested_by ? o->requested_by : "(unknown)");
		gate_buf_puts(b, "  ");
		put_esc(b, o->ref);
		if (o->refs > 1)
			gate_buf_printf(b, " (+%llu)", (unsigned long long)(o->refs - 1));
		gate_buf_puts(b, "  \"");
		put_esc(b, o->reason ? o->reason : "");
		gate_buf_puts(b, "\"");
		if (o->checks_skipped) {
			gate_buf_puts(b, "  skipped: ");
			put_esc(b, o->checks_skipped);
		}
		gate_buf_puts(b, "\n");
	}
	if (d->n_overrides > TEXT_RUNS)
		gate_buf_printf(b, "  ... %zu more on the page (--html)\n", d->n_overrides - TEXT_RUNS);

	gate_buf_puts(b, "\nslowest hook runs (ms):\n");
	if (!d->n_slowest)
		gate_buf_puts(b, "  (none)\n");
	for (i = 0; i < d->n_slowest && i < TEXT_RUNS; i++) {
		const gate_dashboard_run_info *r = &d->slowest[i];
		fmt_time(buf, sizeof(buf), r->time_ms);
		gate_buf_printf(b, "  %10.1f  %s  ", r->duration_ms, buf);
		put_esc(b, r->hook ? r->hook : "(unknown)");
		gate_buf_puts(b, "  ");
		put_esc(b, r->pusher ? r->pusher : "(unknown)");
		gate_buf_puts(b, "  ");
		put_esc(b, r->ref);
		if (r->refs > 1)
			gate_buf_printf(b, " (+%llu)", (unsigned long long)(r->refs - 1));
		gate_buf_puts(b, r->rejected ? "  rejected\n" : "  accepted\n");
		gate_buf_puts(b, "             ");
		text_phases(b, r->phase_ms);
		gate_buf_puts(b, "\n");
	}
	return b->oom ? gate_error_oom() : 0;
}

/* ---- HTML ---------------------------------------------------------------------- */

/* Invisible or reordering code points a ref name could hide behind. */
static int invisible_cp(unsigned cp)
{
	return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

int gate_dashboard_html_escape(gate_buf *out, const char *s, size_t len)
{
	gate_buf vis = GATE_BUF_INIT;
	const unsigned char *p;
	size_t i, run = 0;

	/* first what a terminal would act on, and invalid UTF-8: valid text after this */
	if (gate_buf_put_escaped(&vis, s, len) < 0 || vis.oom) {
		gate_buf_dispose(&vis);
		out->oom = 1;
		return GATE_ENOMEM;
	}
	if (!vis.len) { /* vis.ptr may be NULL: no arithmetic on it */
		gate_buf_dispose(&vis);
		return 0;
	}
	p = (const unsigned char *)vis.ptr;
	for (i = 0; i < vis.len; i++) {
		const char *ent = NULL;
		unsigned cp = 0;
		size_t n = 1;
		switch (p[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default:
			if ((p[i] & 0xE0) == 0xC0) {
				cp = ((p[i] & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu);
				n = 2;
			} else if ((p[i] & 0xF0) == 0xE0) {
				cp = ((p[i] & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu);
				n = 3;
			}
		}
		if (!ent && !invisible_cp(cp)) {
			run += n;
			i += n - 1;
			continue;
		}
		gate_buf_put(out, vis.ptr + i - run, run);
		run = 0;
		if (ent)
			gate_buf_puts(out, ent);
		else
			gate_buf_printf(out, "\\u{%04x}", cp);
		i += n - 1;
	}
	gate_buf_put(out, vis.ptr + vis.len - run, run);
	gate_buf_dispose(&vis);
	return out->oom ? GATE_ENOMEM : 0;
}

static void h(gate_buf *b, const char *s)
{
	if (s)
		gate_dashboard_html_escape(b, s, strlen(s));
}

/*
 * S made visible, cut to MAX code points with an ellipsis, HTML-escaped.
 * TAIL keeps the end instead of the start: what tells refs and rule
 * locations apart is at their end ("...responsibility.yml:55").
 */
static void h_cut(gate_buf *b, const char *s, size_t max, int tail)
{
	gate_buf vis = GATE_BUF_INIT;
	size_t i, cps = 0, cut = 0;

	if (!s)
		return;
	if (gate_buf_put_escaped(&vis, s, strlen(s)) < 0 || vis.oom) {
		gate_buf_dispose(&vis);
		b->oom = 1;
		return;
	}
	for (i = 0; i < vis.len; i++)
		cps += ((unsigned char)vis.ptr[i] & 0xC0) != 0x80;
	if (cps <= max) {
		gate_dashboard_html_escape(b, vis.ptr, vis.len);
		gate_buf_dispose(&vis);
		return;
	}
	/* the byte offset of code point number MAX - 1 (from the start or the end) */
	for (i = 0, cps = tail ? cps - (max - 1) : max - 1; i < vis.len; i++) {
		if (((unsigned char)vis.ptr[i] & 0xC0) == 0x80)
			continue;
		if (cps-- == 0) {
			cut = i;
			break;
		}
	}
	if (tail) {
		gate_buf_puts(b, "\xE2\x80\xA6");
		gate_dashboard_html_escape(b, vis.ptr + cut, vis.len - cut);
	} else {
		gate_dashboard_html_escape(b, vis.ptr, cut);
		gate_buf_puts(b, "\xE2\x80\xA6");
	}
	gate_buf_dispose(&vis);
}

static const char css[] =
	":root{color-scheme:light}"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"margin:0;background:#f3f4f7;color:#1d2330}"
	"main{max-width:1240px;margin:0 auto;padding:20px 24px 40px}"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:16px;margin:0 0 10px}"
	".sub{color:#4a5161;margin:2px 0}.note{color:#8a4b00;margin:2px 0}"
	".tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(138px,1fr));gap:12px;margin:16px 0 0}"
	".tile,.card{background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.1)}"
	".tile{padding:12px 14px}.card{padding:14px 16px;min-width:0}"
	".num{font-size:26px;font-weight:600;font-variant-numeric:tabular-nums}"
	".tile.rejected .num{color:#c62828}.tile.accepted .num{color:#2e7d32}"
	".tile.warn .num{color:#b35c00}.lbl{color:#4a5161;font-size:12.5px}"
	".grid{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:16px}"
	"@media (max-width:900px){.grid{grid-template-columns:1fr}}"
	".wide{margin-top:16px}"
	"svg{display:block;width:100%;height:auto}"
	"svg text{font-size:11px;fill:#1d2330}"
	"svg .k{font-family:ui-monospace,'DejaVu Sans Mono',monospace}"
	"svg .v{fill:#333}svg .x{fill:#555;font-size:10px}svg .axis{stroke:#bbb}svg .gl{stroke:#eceef2}"
	".acc{fill:#2e7d32}.rej{fill:#c62828}.bar{fill:#3f51b5}.sec{fill:#8e24aa}.warn{fill:#ef6c00}"
	".p0{fill:#78909c}.p1{fill:#3f51b5}.p2{fill:#009688}.p3{fill:#ffa000}.p4{fill:#d81b60}"
	".legend{margin:0 0 6px;color:#4a5161;font-size:12.5px}"
	".sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px}"
	".sw.acc{background:#2e7d32}.sw.rej{background:#c62828}.sw.p0{background:#78909c}"
	".sw.p1{background:#3f51b5}.sw.p2{background:#009688}.sw.p3{background:#ffa000}.sw.p4{background:#d81b60}"
	"table{border-collapse:collapse;width:100%;font-size:12.5px}"
	"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceef2;vertical-align:top}"
	"th{color:#4a5161;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px;word-break:break-all}"
	".applied{color:#2e7d32;font-weight:600}.refused{color:#c62828;font-weight:600}"
	".rejected-t{color:#c62828}.more,.empty{color:#6b7280;font-size:12.5px;margin:6px 0 0}"
	".empty{font-style:italic}.phases svg{width:160px;display:inline-block;vertical-align:middle}"
	"footer{color:#6b7280;font-size:12px;margin-top:24px}";

static void tile(gate_buf *b, const char *metric, uint64_t v, const char *label, const char *cls,
		 const char *sub)
{
	gate_buf_printf(b, "<div class=\"tile %s\"><div class=\"num\" data-metric=\"%s\">%llu</div>"
			   "<div class=\"lbl\">%s%s</div></div>\n",
			cls, metric, (unsigned long long)v, label, sub ? sub : "");
}

/* A "nice" axis step: 1, 2, 5, 10, 20, 50... so that MAX spans at most 5 steps. */
static uint64_t nice_step(uint64_t max)
{
	static const uint64_t mult[] = { 1, 2, 5 };
	uint64_t base = 1;
	size_t k;
	for (;;) {
		if (base > UINT64_MAX / 100)
			return base;
		for (k = 0; k < GATE_ARRAY_SIZE(mult); k++)
			if (max <= base * mult[k] * 5)
				return base * mult[k];
		base *= 10;
	}
}

enum { BARS_COUNT, BARS_VERDICT, BARS_FINDINGS };

/* Geometry of the horizontal bar charts (SVG user units). */
#define HB_WIDTH 560
#define HB_LABEL_CP 32
#define HB_X 232
#define HB_MAXW 200
#define HB_ROW 22

static double scaled(uint64_t v, uint64_t max, double span)
{
	double w = max ? (double)v * span / (double)max : 0;
	return v && w < 1 ? 1 : w;
}

/*
 * A card with table T as horizontal bars (the HTML_TOP most counted), each
 * with its key and number as text; NOTE (trusted HTML) goes under the chart.
 */
/* ": when it fires", from check ID's row of the table of checks (nothing for an unknown id). */
static void check_doc(gate_buf *b, const char *id)
{
	const gate_check_info *c = gate_check_lookup(id);
	if (!c)
		return;
	gate_buf_puts(b, " \xE2\x80\x94 ");
	h(b, c->doc);
}

static int html_bars(gate_buf *b, const gate_dashboard *d, gate_dashboard_table t, const char *id,
		     const char *title, const char *unit, int mode, const char *cls, const char *empty,
		     const char *note)
{
	gate_dashboard_row *rows;
	size_t n, shown, i;
	uint64_t max = 0;
	int rc = gate_dashboard_rows(d, t, &rows, &n);

	if (rc < 0)
		return rc;
	gate_buf_printf(b, "<section class=\"card\" id=\"%s\"><h2>%s</h2>\n", id, title);
	shown = n < HTML_TOP ? n : HTML_TOP;
	for (i = 0; i < shown; i++) {
		uint64_t v = mode == BARS_FINDINGS ? rows[i].findings : rows[i].count;
		if (v > max)
			max = v;
	}
	if (!n) {
		gate_buf_printf(b, "<p class=\"empty\">%s</p>\n", empty);
		goto done;
	}
	if (mode == BARS_VERDICT)
		gate_buf_puts(b, "<p class=\"legend\"><span class=\"sw acc\"></span>accepted"
				 "<span class=\"sw rej\"></span>rejected</p>\n");
	gate_buf_printf(b, "<svg role=\"img\" aria-labelledby=\"%s-t %s-d\" viewBox=\"0 0 %d %zu\">"
			   "<title id=\"%s-t\">%s</title><desc id=\"%s-d\">",
			id, id, HB_WIDTH, shown * HB_ROW + 4, id, title, id);
	for (i = 0; i < shown; i++) {
		gate_buf_puts(b, i ? "; " : "");
		h(b, rows[i].key);
		gate_buf_printf(b, ": %llu",
				(unsigned long long)(mode == BARS_FINDINGS ? rows[i].findings : rows[i].count));
	}
	gate_buf_puts(b, "</desc>\n");
	for (i = 0; i < shown; i++) {
		const gate_dashboard_row *r = &rows[i];
		uint64_t v = mode == BARS_FINDINGS ? r->findings : r->count;
		double w = scaled(v, max, HB_MAXW), wa = scaled(r->accepted, max, HB_MAXW);

		gate_buf_printf(b, "<g class=\"row\" data-chart=\"%s\" data-key=\"", id);
		h(b, r->key);
		gate_buf_printf(b, "\" data-value=\"%llu\"", (unsigned long long)v);
		if (mode == BARS_VERDICT)
			gate_buf_printf(b, " data-accepted=\"%llu\" data-rejected=\"%llu\"",
					(unsigned long long)r->accepted, (unsigned long long)r->rejected);
		if (mode == BARS_FINDINGS)
			gate_buf_printf(b, " data-updates=\"%llu\"", (unsigned long long)r->count);
		gate_buf_printf(b, " transform=\"translate(0,%zu)\"><title>", i * HB_ROW);
		h(b, r->key);
		gate_buf_printf(b, ": %llu %s", (unsigned long long)v, unit);
		if (mode == BARS_VERDICT)
			gate_buf_printf(b, " (%llu accepted, %llu rejected)", (unsigned long long)r->accepted,
					(unsigned long long)r->rejected);
		if (mode == BARS_FINDINGS)
			gate_buf_printf(b, " in %llu ref updates", (unsigned long long)r->count);
		if (t == GATE_DASHBOARD_REASONS || t == GATE_DASHBOARD_WARNINGS)
			check_doc(b, r->key);
		gate_buf_puts(b, "</title><text class=\"k\" x=\"0\" y=\"15\">");
		h_cut(b, r->key, HB_LABEL_CP,
		      t == GATE_DASHBOARD_RULES || t == GATE_DASHBOARD_REFS || t == GATE_DASHBOARD_REPOS);
		gate_buf_puts(b, "</text>");
		if (mode == BARS_VERDICT) {
			if (wa > w)
				wa = w;
			gate_buf_printf(b, "<rect class=\"acc\" x=\"%d\" y=\"4\" width=\"%.1f\" height=\"14\"/>"
					   "<rect class=\"rej\" x=\"%.1f\" y=\"4\" width=\"%.1f\" height=\"14\"/>",
					HB_X, wa, HB_X + wa, w - wa);
		} else {
			gate_buf_printf(b, "<rect class=\"%s\" x=\"%d\" y=\"4\" width=\"%.1f\" height=\"14\"/>",
					cls, HB_X, w);
		}
		gate_buf_printf(b, "<text class=\"v\" x=\"%.1f\" y=\"15\">%llu", HB_X + w + 6,
				(unsigned long long)v);
		if (mode == BARS_VERDICT && r->rejected)
			gate_buf_printf(b, " \xC2\xB7 %llu rejected", (unsigned long long)r->rejected);
		if (mode == BARS_FINDINGS)
			gate_buf_printf(b, " \xC2\xB7 %llu update%s", (unsigned long long)r->count,
					r->count == 1 ? "" : "s");
		gate_buf_puts(b, "</text></g>\n");
	}
	gate_buf_puts(b, "</svg>\n");
	if (n > shown) {
		uint64_t rest = 0;
		for (i = shown; i < n; i++)
			rest += rows[i].count;
		gate_buf_printf(b, "<p class=\"more\">and %zu more (%llu ref updates)</p>\n", n - shown,
				(unsigned long long)rest);
	}
done:
	if (note)
		gate_buf_puts(b, note);
	gate_buf_puts(b, "</section>\n");
	gate_free(rows);
	return 0;
}

/* Y axis grid lines and numbers for a vertical chart from Y0 (top) to Y1 (bottom). */
static uint64_t y_axis(gate_buf *b, uint64_t max, double x0, double x1, double y0, double y1)
{
	uint64_t step = nice_step(max ? max : 1), top, v;
	top = (max + step - 1) / step * step;
	if (!top)
		top = step;
	for (v = 0; v <= top; v += step) {
		double y = y1 - (double)v * (y1 - y0) / (double)top;
		gate_buf_printf(b, "<line class=\"gl\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
				   "<text class=\"x\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%llu</text>\n",
				x0, x1, y, y, x0 - 6, y + 3, (unsigned long long)v);
	}
	return top;
}

static int html_timeline(gate_buf *b, const gate_dashboard *d)
{
	const double x0 = 56, x1 = 1150, y0 = 12, y1 = 250;
	tl_bucket *tl;
	size_t n, i, every;
	uint64_t left_out, max = 0, acc = 0, rej = 0, top;
	double slot, bw;
	period per;
	int rc = timeline(d, &tl, &n, &per, &left_out);

	if (rc < 0)
		return rc;
	gate_buf_printf(b, "<section class=\"card wide\" id=\"timeline\"><h2>Ref updates per %s%s</h2>\n",
			period_names[per], per == PER_WEEK ? " (weeks from Monday)" : "");
	if (!n) {
		gate_buf_puts(b, "<p class=\"empty\">No audit records.</p></section>\n");
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint64_t tot = tl[i].accepted + tl[i].rejected;
		max = tot > max ? tot : max;
		acc += tl[i].accepted;
		rej += tl[i].rejected;
	}
	gate_buf_puts(b, "<p class=\"legend\"><span class=\"sw acc\"></span>accepted"
			 "<span class=\"sw rej\"></span>rejected</p>\n");
	gate_buf_printf(b, "<svg role=\"img\" aria-labelledby=\"timeline-t timeline-d\" viewBox=\"0 0 1160 280\">"
			   "<title id=\"timeline-t\">Ref updates per %s, accepted and rejected</title>"
			   "<desc id=\"timeline-d\">%zu %ss from %s to %s: %llu accepted, %llu rejected.</desc>\n",
			period_names[per], n, period_names[per], tl[0].label, tl[n - 1].label,
			(unsigned long long)acc, (unsigned long long)rej);
	top = y_axis(b, max, x0, x1, y0, y1);
	slot = (x1 - x0) / (double)n;
	bw = slot * 0.78 < 1 ? 1 : slot * 0.78 > 48 ? 48 : slot * 0.78;
	every = (n + 13) / 14;
	for (i = 0; i < n; i++) {
		double x = x0 + slot * (double)i + (slot - bw) / 2, cx = x + bw / 2;
		double ha = (double)tl[i].accepted * (y1 - y0) / (double)top;
		double hr = (double)tl[i].rejected * (y1 - y0) / (double)top;
		gate_buf_printf(b, "<g class=\"col\" data-bucket=\"%s\" data-accepted=\"%llu\" "
				   "data-rejected=\"%llu\"><title>%s: %llu accepted, %llu rejected</title>"
				   "<rect class=\"acc\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>"
				   "<rect class=\"rej\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>",
				tl[i].label, (unsigned long long)tl[i].accepted, (unsigned long long)tl[i].rejected,
				tl[i].label, (unsigned long long)tl[i].accepted, (unsigned long long)tl[i].rejected,
				x, y1 - ha, bw, ha, x, y1 - ha - hr, bw, hr);
		if (n <= 40 && tl[i].accepted + tl[i].rejected)
			gate_buf_printf(b, "<text class=\"x\" x=\"%.1f\" y=\"%.1f\" "
					   "text-anchor=\"middle\">%llu</text>",
					cx, y1 - ha - hr - 3, (unsigned long long)tl[i].accepted + tl[i].rejected);
		gate_buf_puts(b, "</g>\n");
		if (i % every == 0)
			gate_buf_printf(b, "<text class=\"x\" x=\"%.1f\" y=\"%.1f\" "
					   "text-anchor=\"middle\">%s</text>\n",
					cx, y1 + 16, tl[i].label);
	}
	gate_buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/></svg>\n",
			x0, x1, y1, y1);
	if (left_out)
		gate_buf_printf(b, "<p class=\"more\">%llu older records not shown</p>\n",
				(unsigned long long)left_out);
	gate_buf_puts(b, "</section>\n");
	gate_free(tl);
	return 0;
}

static void html_durations(gate_buf *b, const gate_dashboard *d)
{
	static const char *const labels[GATE_DASHBOARD_HIST] = {
		"&lt;10 ms", "&lt;50 ms", "&lt;100 ms", "&lt;250 ms", "&lt;500 ms", "&lt;1 s", "&lt;2.5 s",
		"&lt;5 s", "&lt;10 s", "\u226510 s"
	};
	const gate_dashboard_totals *t = &d->t;
	const double x0 = 44, x1 = 552, y0 = 14, y1 = 180;
	uint64_t max = 0, top;
	double slot = (x1 - x0) / GATE_DASHBOARD_HIST, bw = slot * 0.7;
	size_t i;

	gate_buf_puts(b, "<section class=\"card\" id=\"durations\"><h2>Hook run durations</h2>\n");
	if (!t->timed_pushes) {
		gate_buf_puts(b, "<p class=\"empty\">No timed hook runs.</p></section>\n");
		return;
	}
	gate_buf_printf(b, "<p class=\"sub\">%llu runs: mean <span data-metric=\"mean_ms\">%.1f</span> ms, "
			   "max <span data-metric=\"max_ms\">%.1f</span> ms</p>\n",
			(unsigned long long)t->timed_pushes, t->duration_total_ms / (double)t->timed_pushes,
			t->duration_max_ms);
	for (i = 0; i < GATE_DASHBOARD_HIST; i++)
		max = t->duration_hist[i] > max ? t->duration_hist[i] : max;
	gate_buf_printf(b, "<svg role=\"img\" aria-labelledby=\"durations-t\" viewBox=\"0 0 560 206\">"
			   "<title id=\"durations-t\">Hook runs by duration: %llu in all</title>\n",
			(unsigned long long)t->timed_pushes);
	top = y_axis(b, max, x0, x1, y0, y1);
	for (i = 0; i < GATE_DASHBOARD_HIST; i++) {
		double x = x0 + slot * (double)i + (slot - bw) / 2;
		double hh = (double)t->duration_hist[i] * (y1 - y0) / (double)top;
		gate_buf_printf(b, "<g class=\"col\" data-chart=\"durations\" data-bucket=\"%zu\" "
				   "data-value=\"%llu\"><title>%s: %llu runs</title>"
				   "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>"
				   "<text class=\"x\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%llu</text>"
				   "<text class=\"x\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text></g>\n",
				i, (unsigned long long)t->duration_hist[i], labels[i],
				(unsigned long long)t->duration_hist[i], x, y1 - hh, bw, hh, x + bw / 2,
				y1 - hh - 3, (unsigned long long)t->duration_hist[i], x + bw / 2, y1 + 16,
				labels[i]);
	}
	gate_buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/></svg></section>\n",
			x0, x1, y1, y1);
}

static void html_overrides(gate_buf *b, const gate_dashboard *d)
{
	const gate_dashboard_totals *t = &d->t;
	char when[40];
	size_t i;

	gate_buf_puts(b, "<section class=\"card wide\" id=\"overrides\"><h2>Break-glass overrides</h2>\n");
	if (!d->n_overrides) {
		gate_buf_puts(b, "<p class=\"empty\">No override was requested.</p></section>\n");
		return;
	}
	gate_buf_printf(b, "<p class=\"sub\">%llu requested (one per push): %llu applied, %llu refused. "
			   "Newest first%s.</p>\n",
			(unsigned long long)t->overrides, (unsigned long long)t->overrides_applied,
			(unsigned long long)t->overrides_refused,
			t->overrides > d->n_overrides ? "; only the most recent are listed" : "");
	gate_buf_puts(b, "<table><thead><tr><th scope=\"col\">time (UTC)</th>"
			 "<th scope=\"col\">requested by</th><th scope=\"col\">ref</th>"
			 "<th scope=\"col\">override</th><th scope=\"col\">push</th>"
			 "<th scope=\"col\">checks skipped</th><th scope=\"col\">reason given</th>"
			 "</tr></thead><tbody>\n");
	for (i = 0; i < d->n_overrides; i++) {
		const gate_dashboard_override *o = &d->overrides[i];
		const char *st = override_status(o);
		fmt_time(when, sizeof(when), o->time_ms);
		gate_buf_printf(b, "<tr data-override=\"%s\"><td class=\"n\">%s</td><td><code>", st, when);
		h(b, o->requested_by ? o->requested_by : "(unknown)");
		gate_buf_puts(b, "</code></td><td><code>");
		h(b, o->ref);
		gate_buf_puts(b, "</code>");
		if (o->refs > 1)
			gate_buf_printf(b, " (+%llu)", (unsigned long long)(o->refs - 1));
		gate_buf_printf(b, "</td><td class=\"%s\">%s</td><td%s>%s</td><td><code>",
				o->applied ? "applied" : o->refused ? "refused" : "", st,
				o->rejected ? " class=\"rejected-t\"" : "", o->rejected ? "rejected" : "accepted");
		h(b, o->checks_skipped ? o->checks_skipped : "");
		gate_buf_puts(b, "</code></td><td>");
		h(b, o->reason ? o->reason : "");
		gate_buf_puts(b, "</td></tr>\n");
	}
	gate_buf_puts(b, "</tbody></table></section>\n");
}

static void html_phases(gate_buf *b, const gate_dashboard_run_info *r)
{
	double sum = 0, x = 0;
	size_t k;
	for (k = 0; k < GATE_DASHBOARD_PHASES; k++)
		sum += r->phase_ms[k] > 0 ? r->phase_ms[k] : 0;
	gate_buf_puts(b, "<td class=\"phases\">");
	if (sum > 0) {
		gate_buf_puts(b, "<svg viewBox=\"0 0 160 12\" aria-hidden=\"true\">");
		for (k = 0; k < GATE_DASHBOARD_PHASES; k++) {
			double w = r->phase_ms[k] > 0 ? 160 * r->phase_ms[k] / sum : 0;
			if (w > 0)
				gate_buf_printf(b, "<rect class=\"p%zu\" x=\"%.2f\" y=\"0\" width=\"%.2f\" "
						   "height=\"12\"/>", k, x, w);
			x += w;
		}
		gate_buf_puts(b, "</svg> ");
	}
	for (k = 0; k < GATE_DASHBOARD_PHASES; k++)
		if (r->phase_ms[k] >= 0)
			gate_buf_printf(b, "%s%s %.1f", k ? " \xC2\xB7 " : "", gate_dashboard_phase_names[k],
					r->phase_ms[k]);
	gate_buf_puts(b, "</td>");
}

static void html_slowest(gate_buf *b, const gate_dashboard *d)
{
	char when[40];
	size_t i, k;

	gate_buf_puts(b, "<section class=\"card wide\" id=\"slowest\"><h2>Slowest hook runs</h2>\n");
	if (!d->n_slowest) {
		gate_buf_puts(b, "<p class=\"empty\">No timed hook runs.</p></section>\n");
		return;
	}
	gate_buf_puts(b, "<p class=\"legend\">phases:");
	for (k = 0; k < GATE_DASHBOARD_PHASES; k++)
		gate_buf_printf(b, "<span class=\"sw p%zu\"></span>%s", k, gate_dashboard_phase_names[k]);
	gate_buf_puts(b, "</p>\n<table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">duration</th>"
			 "<th scope=\"col\">time (UTC)</th><th scope=\"col\">hook</th><th scope=\"col\">pusher</th>"
			 "<th scope=\"col\">ref</th><th scope=\"col\">push</th><th scope=\"col\">phases (ms)</th>"
			 "</tr></thead><tbody>\n");
	for (i = 0; i < d->n_slowest; i++) {
		const gate_dashboard_run_info *r = &d->slowest[i];
		fmt_time(when, sizeof(when), r->time_ms);
		gate_buf_printf(b, "<tr data-run-ms=\"%.3f\"><td class=\"n\">%zu</td><td class=\"n\">%.1f ms</td>"
				   "<td class=\"n\">%s</td><td>",
				r->duration_ms, i + 1, r->duration_ms, when);
		h(b, r->hook ? r->hook : "(unknown)");
		gate_buf_puts(b, "</td><td><code>");
		h(b, r->pusher ? r->pusher : "(unknown)");
		gate_buf_puts(b, "</code></td><td title=\"");
		h(b, r->repo ? r->repo : "");
		gate_buf_puts(b, "\"><code>");
		h(b, r->ref);
		gate_buf_puts(b, "</code>");
		if (r->refs > 1)
			gate_buf_printf(b, " (+%llu)", (unsigned long long)(r->refs - 1));
		gate_buf_printf(b, "</td><td%s>%s</td>", r->rejected ? " class=\"rejected-t\"" : "",
				r->rejected ? "rejected" : "accepted");
		html_phases(b, r);
		gate_buf_puts(b, "</tr>\n");
	}
	gate_buf_puts(b, "</tbody></table></section>\n");
}

static int html_errors(gate_buf *b, const gate_dashboard *d)
{
	gate_dashboard_row *rows;
	size_t n, i;
	int rc;

	if (!d->t.errors)
		return 0;
	if ((rc = gate_dashboard_rows(d, GATE_DASHBOARD_ERRORS, &rows, &n)) < 0)
		return rc;
	gate_buf_printf(b, "<section class=\"card wide\" id=\"errors\"><h2>Internal errors</h2>\n"
			   "<p class=\"sub\">%llu ref updates were decided by an internal error; %llu of them "
			   "let through by <code>on_error: allow</code>.</p>\n<table><thead><tr>"
			   "<th scope=\"col\">ref updates</th><th scope=\"col\">error</th></tr></thead><tbody>\n",
			(unsigned long long)d->t.errors, (unsigned long long)d->t.errors_allowed);
	for (i = 0; i < n && i < HTML_TOP; i++) {
		gate_buf_printf(b, "<tr><td class=\"n\">%llu</td><td>", (unsigned long long)rows[i].count);
		h(b, rows[i].key);
		gate_buf_puts(b, "</td></tr>\n");
	}
	gate_buf_puts(b, "</tbody></table></section>\n");
	gate_free(rows);
	return 0;
}

int gate_dashboard_format_html(gate_buf *b, const gate_dashboard *d, const char *generated)
{
	const gate_dashboard_totals *t = &d->t;
	char from[40], to[40], sub[96], bytes[32], note[256];
	size_t i;
	int rc;

	gate_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
			 "style-src 'unsafe-inline'\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			 "<meta name=\"generator\" content=\"gatehouse " GATEHOUSE_VERSION "\">\n"
			 "<title>gatehouse audit dashboard</title>\n<style>");
	gate_buf_puts(b, css);
	gate_buf_puts(b, "</style></head>\n<body><main>\n<header><h1>gatehouse audit dashboard</h1>\n");
	if (t->has_time) {
		fmt_time(from, sizeof(from), t->first_ms);
		fmt_time(to, sizeof(to), t->last_ms);
		gate_buf_printf(b, "<p class=\"sub\">%s \xE2\x80\x93 %s (UTC) \xC2\xB7 ", from, to);
	} else {
		gate_buf_puts(b, "<p class=\"sub\">No audit records \xC2\xB7 ");
	}
	gate_buf_printf(b, "%zu log%s:", t->logs, t->logs == 1 ? "" : "s");
	for (i = 0; i < d->n_labels; i++) {
		gate_buf_puts(b, i ? ", <code>" : " <code>");
		h(b, d->labels[i]);
		gate_buf_puts(b, "</code>");
	}
	gate_buf_puts(b, t->logs > d->n_labels ? ", \xE2\x80\xA6</p>\n" : "</p>\n");
	if (d->opts.has_since) {
		fmt_time(from, sizeof(from), d->opts.since_ms);
		gate_buf_printf(b, "<p class=\"sub\">Since %s: <span data-metric=\"before_since\">%llu</span> "
				   "earlier records left out.</p>\n",
				from, (unsigned long long)t->before_since);
	}
	if (t->skipped) {
		gate_buf_printf(b, "<p class=\"note\"><span data-metric=\"skipped\">%llu</span> line%s skipped: "
				   "not audit records",
				(unsigned long long)t->skipped, t->skipped == 1 ? "" : "s");
		if (t->skipped_long)
			gate_buf_printf(b, " (%llu longer than %u MiB)", (unsigned long long)t->skipped_long,
					GATE_DASHBOARD_LINE_MAX >> 20);
		gate_buf_puts(b, ".</p>\n");
	}
	gate_buf_puts(b, "</header>\n<section class=\"tiles\" aria-label=\"totals\">\n");
	tile(b, "records", t->records, "ref updates", "", NULL);
	tile(b, "accepted", t->accepted, "accepted", "accepted", NULL);
	snprintf(sub, sizeof(sub), " (%.1f%%)", pct(t->rejected, t->records));
	tile(b, "rejected", t->rejected, "rejected", "rejected", sub);
	snprintf(sub, sizeof(sub), " (%llu rejected)", (unsigned long long)t->pushes_rejected);
	tile(b, "pushes", t->pushes, "pushes", "", sub);
	snprintf(sub, sizeof(sub), " (%llu applied)", (unsigned long long)t->overrides_applied);
	tile(b, "overrides", t->overrides, "overrides", t->overrides ? "warn" : "", sub);
	snprintf(sub, sizeof(sub), " (%llu ref updates)", (unsigned long long)t->secret_updates);
	tile(b, "secrets", t->secret_findings, "secrets caught", t->secret_findings ? "rejected" : "", sub);
	snprintf(sub, sizeof(sub), " (%llu allowed)", (unsigned long long)t->errors_allowed);
	tile(b, "errors", t->errors, "internal errors", t->errors ? "warn" : "", sub);
	tile(b, "warned", t->warned, "with warnings", "", NULL);
	gate_buf_puts(b, "</section>\n");

	if ((rc = html_timeline(b, d)) < 0)
		return rc;
	fmt_bytes(bytes, sizeof(bytes), (double)t->scanned_bytes);
	snprintf(note, sizeof(note),
		 "<p class=\"more\">%llu blobs (%s) scanned; %llu files too large to scan.</p>\n",
		 (unsigned long long)t->scanned_blobs, bytes, (unsigned long long)t->skipped_large);
	gate_buf_puts(b, "<div class=\"grid\">\n");
	if ((rc = html_bars(b, d, GATE_DASHBOARD_REASONS, "reasons", "Rejections by reason",
			    "rejected ref updates", BARS_COUNT, "rej", "No rejections.", NULL)) < 0 ||
	    (rc = html_bars(b, d, GATE_DASHBOARD_RULES, "rules", "Rejections by matrix rule",
			    "rejected ref updates", BARS_COUNT, "rej", "No rejections.", NULL)) < 0 ||
	    (rc = html_bars(b, d, GATE_DASHBOARD_ROLES, "roles", "By role of the pusher", "ref updates",
			    BARS_VERDICT, NULL, "No records.", NULL)) < 0 ||
	    (rc = html_bars(b, d, GATE_DASHBOARD_REFS, "refs", "Top refs", "ref updates", BARS_VERDICT,
			    NULL, "No records.", NULL)) < 0 ||
	    (rc = html_bars(b, d, GATE_DASHBOARD_SECRETS, "secrets", "Secrets caught, by rule", "findings",
			    BARS_FINDINGS, "sec", "No secrets found.", note)) < 0 ||
	    (rc = html_bars(b, d, GATE_DASHBOARD_WARNINGS, "warnings", "Warnings, by check", "ref updates",
			    BARS_COUNT, "warn", "No warnings.", NULL)) < 0 ||
	    (rc = html_bars(b, d, GATE_DASHBOARD_PUSHERS, "pushers", "Top pushers", "ref updates",
			    BARS_VERDICT, NULL, "No records.", NULL)) < 0)
		return rc;
	html_durations(b, d);
	if ((rc = html_bars(b, d, GATE_DASHBOARD_HOOKS, "hooks", "By hook", "ref updates", BARS_VERDICT,
			    NULL, "No records.", NULL)) < 0)
		return rc;
	if (d->maps[GATE_DASHBOARD_REPOS].used > 1 &&
	    (rc = html_bars(b, d, GATE_DASHBOARD_REPOS, "repos", "By repository", "ref updates",
			    BARS_VERDICT, NULL, "No records.", NULL)) < 0)
		return rc;
	gate_buf_puts(b, "</div>\n");
	html_overrides(b, d);
	html_slowest(b, d);
	if ((rc = html_errors(b, d)) < 0)
		return rc;
	gate_buf_puts(b, "<footer>A ref update is one audit record; a push is one hook run (its records are "
			 "consecutive lines of a log). A rejection with several reasons counts under each. "
			 "Made by <code>gatehouse report</code> (gatehouse " GATEHOUSE_VERSION ")");
	if (generated) {
		gate_buf_puts(b, " at ");
		h(b, generated);
	}
	gate_buf_puts(b, ".</footer>\n</main></body></html>\n");
	return b->oom ? gate_error_oom() : 0;
}

/* ---- writing it out ---------------------------------------------------------------- */

/* Writes B to OUT unless it ran out of memory. */
static int write_buf(const gate_sink *out, const gate_buf *b)
{
	return b->oom ? gate_error_oom() : gate_sink_write(out, gate_buf_cstr(b), b->len);
}

int gate_dashboard_write_text(const gate_sink *out, const gate_dashboard *d)
{
	gate_buf b = GATE_BUF_INIT;
	int rc = gate_dashboard_format_text(&b, d);
	if (rc == 0)
		rc = write_buf(out, &b);
	gate_buf_dispose(&b);
	return rc;
}

int gate_dashboard_write_html(const gate_sink *out, const gate_dashboard *d, const char *generated)
{
	gate_buf b = GATE_BUF_INIT;
	int rc = gate_dashboard_format_html(&b, d, generated);
	if (rc == 0)
		rc = write_buf(out, &b);
	gate_buf_dispose(&b);
	return rc;
}

int gate_dashboard_write_progress(const gate_sink *out, const gate_dashboard_progress *p)
{
	gate_buf b = GATE_BUF_INIT;
	char size[32];
	int rc;

	put_esc(&b, p->label);
	if (p->size) {
		fmt_bytes(size, sizeof(size), (double)p->size);
		gate_buf_printf(&b, ": %llu lines, %3.0f%% of %s", (unsigned long long)p->lines,
				pct(p->bytes, p->size), size);
	} else {
		fmt_bytes(size, sizeof(size), (double)p->bytes);
		gate_buf_printf(&b, ": %llu lines, %s read", (unsigned long long)p->lines, size);
	}
	rc = write_buf(out, &b);
	gate_buf_dispose(&b);
	return rc;
}

char *gate_dashboard_default_log(void)
{
	const char *git_dir = getenv("GIT_DIR");
	gate_buf b = GATE_BUF_INIT;
	if (git_dir && *git_dir)
		gate_buf_printf(&b, "%s/gatehouse/audit.jsonl", git_dir);
	else
		gate_buf_puts(&b, "./gatehouse/audit.jsonl");
	if (b.oom) {
		gate_buf_dispose(&b);
		return NULL;
	}
	return gate_buf_detach(&b);
}

int gate_dashboard_load_default(gate_dashboard *d)
{
	char *path = gate_dashboard_default_log();
	int rc = path ? gate_dashboard_load_path(d, path) : GATE_ENOMEM;
	gate_free(path);
	return rc;
}
