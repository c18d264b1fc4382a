/*
 * Text the secret scanner would otherwise not see (see textscan.h).
 *
 * Trust: every byte here is pushed.  The decoders write into buffers sized
 * from the input before they start (UTF-8 needs at most 3 bytes per UTF-16
 * code unit), and a push's text is scanned in bounded batches (the secrets
 * module cuts them), so memory does not grow with the number of commits.
 * Objects are read through the object store: a commit's or a tag's message
 * is everything after its header, NUL bytes included (libgit2's parsed
 * message stops at the first NUL, and so would a scan of it).
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "content/textscan.h"

#define UTF16_PROBE 8000 /* bytes looked at to tell NUL-interleaved ASCII */
#define TAG_DEPTH 16     /* tags of tags followed from one ref */

/* ---- decoding ------------------------------------------------------------------ */

gate_utf16 gate_textscan_utf16(const char *data, size_t len, size_t *bom)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t n = len < UTF16_PROBE ? len : UTF16_PROBE, pairs = n / 2, i, z_even = 0, z_odd = 0;

	*bom = 0;
	if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
		*bom = 2;
		return GATE_UTF16_LE;
	}
	if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
		*bom = 2;
		return GATE_UTF16_BE;
	}
	if (pairs < 2)
		return GATE_UTF16_NONE;
	for (i = 0; i < pairs; i++) {
		z_even += p[2 * i] == 0;
		z_odd += p[2 * i + 1] == 0;
	}
	/* ASCII in UTF-16: nine high bytes in ten are NUL, nine low bytes in ten are not */
	if (z_odd * 10 >= pairs * 9 && z_even * 10 <= pairs)
		return GATE_UTF16_LE;
	if (z_even * 10 >= pairs * 9 && z_odd * 10 <= pairs)
		return GATE_UTF16_BE;
	return GATE_UTF16_NONE;
}

static unsigned unit(const unsigned char *p, size_t i, gate_utf16 which)
{
	return which == GATE_UTF16_LE ? (unsigned)p[2 * i] | (unsigned)p[2 * i + 1] << 8
				      : (unsigned)p[2 * i] << 8 | (unsigned)p[2 * i + 1];
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int gate_textscan_utf16_decode(char **out, size_t *out_len, const char *data, size_t len,
			       gate_utf16 which)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t n = len / 2, i, o = 0;
	char *buf;

	*out = NULL;
	*out_len = 0;
	if (n > (SIZE_MAX - 8) / 3)
		return gate_error_set(GATE_ENOMEM, "a UTF-16 blob too large to decode");
	/* 3 bytes per unit at most: a pair of surrogates (2 units) makes 4 */
	if (!(buf = gate_malloc(n * 3 + 4)))
		return GATE_ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned u = unit(p, i, which), cp = u;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
			unsigned lo = unit(p, i + 1, which);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				i++;
			} else {
				cp = 0xFFFD;
			}
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			cp = 0xFFFD;
		}
		o += put_utf8(buf + o, cp);
	}
	if (len % 2)
		o += put_utf8(buf + o, 0xFFFD);
	buf[o] = '\0';
	*out = buf;
	*out_len = o;
	return 0;
}

static int printable(unsigned char c) { return c == '\t' || (c >= 0x20 && c < 0x7F); }

/* Whether DATA has a run of MIN printable characters (stops at the first). */
static int has_run(const char *data, size_t len, size_t min)
{
	size_t i, run = 0;
	for (i = 0; i < len; i++) {
		run = printable((unsigned char)data[i]) ? run + 1 : 0;
		if (run >= min)
			return 1;
	}
	return 0;
}

int gate_textscan_runs(char **out, const char *data, size_t len, size_t min)
{
	size_t i = 0;
	char *buf;

	*out = NULL;
	if (!min || !has_run(data, len, min))
		return 0;
	if (!(buf = gate_malloc(len)))
		return GATE_ENOMEM;
	while (i < len) {
		size_t j = i;
		while (j < len && printable((unsigned char)data[j]))
			j++;
		if (j - i >= min)
			memcpy(buf + i, data + i, j - i);
		else
			memset(buf + i, ' ', j - i);
		if (j < len) {
			buf[j] = data[j] == '\n' ? '\n' : ' ';
			j++;
		}
		i = j;
	}
	*out = buf;
	return 1;
}

/* ---- a push's text ------------------------------------------------------------- */

typedef struct {
	gate_text_batch *batch;
	git_odb *odb;
	const gate_newobjs *newobjs;
	gate_oidmap seen; /* commits and tags already handed over */
} push_ctx;

/* The message of the raw commit or tag DATA: everything after the header's blank line. */
static const char *message_of(const char *data, size_t len, size_t *mlen)
{
	const char *end = memmem(data, len, "\n\n", 2);
	if (!end) {
		*mlen = 0;
		return data + len;
	}
	*mlen = len - (size_t)(end + 2 - data);
	return end + 2;
}

/* Hands the message of object ID over, as ORIGIN says. */
static int add_message(push_ctx *c, const git_oid *id, const gate_text_origin *origin)
{
	git_odb_object *obj = NULL;
	const char *msg;
	size_t mlen;
	int rc;

	if ((rc = git_odb_read(&obj, c->odb, id)) < 0)
		return gate_error_from_git(rc, "reading a pushed commit or tag");
	msg = message_of(git_odb_object_data(obj), git_odb_object_size(obj), &mlen);
	rc = gate_secrets_text_add(c->batch, origin, msg, mlen);
	git_odb_object_free(obj);
	return rc;
}

static int want_commit(const git_oid *id, void *payload)
{
	push_ctx *c = payload;
	return gate_newobjs_has_commit(c->newobjs, id) && !gate_oidmap_get(&c->seen, id, NULL);
}

static int visit_commit(git_commit *commit, size_t ref, void *payload)
{
	push_ctx *c = payload;
	gate_text_origin o;
	int rc;

	if ((rc = gate_oidmap_put(&c->seen, git_commit_id(commit), 1)) < 0)
		return rc;
	memset(&o, 0, sizeof(o));
	o.where = GATE_SECRET_IN_COMMIT_MESSAGE;
	o.commit = git_commit_id(commit);
	o.ref_index = ref;
	return add_message(c, git_commit_id(commit), &o);
}

/* The messages of the new tags update K names, tags of tags included. */
static int tag_messages(push_ctx *c, git_repository *repo, const gate_update *u, size_t k)
{
	git_oid id = u->new_id;
	size_t depth;
	int rc = 0;

	for (depth = 0; depth < TAG_DEPTH && rc == 0; depth++) {
		git_tag *tag = NULL;
		gate_text_origin o;
		if (git_tag_lookup(&tag, repo, &id) < 0) {
			git_error_clear(); /* not a tag: the chain ends */
			break;
		}
		if (gate_newobjs_is_new(c->newobjs, &id, GIT_OBJECT_TAG) &&
		    !gate_oidmap_get(&c->seen, &id, NULL)) {
			memset(&o, 0, sizeof(o));
			o.where = GATE_SECRET_IN_TAG_MESSAGE;
			o.name = git_tag_name(tag);
			o.ref_index = k;
			if ((rc = gate_oidmap_put(&c->seen, &id, 1)) == 0)
				rc = add_message(c, &id, &o);
		}
		id = *git_tag_target_id(tag);
		git_tag_free(tag);
	}
	return rc;
}

/* Every pushed ref name; a deleted one for the redactions only. */
static int ref_names(gate_text_batch *b, const gate_push *push)
{
	size_t k;
	int rc = 0;
	for (k = 0; k < push->count && rc == 0; k++) {
		const gate_update *u = &push->items[k];
		gate_text_origin o;
		memset(&o, 0, sizeof(o));
		o.where = GATE_SECRET_IN_REF_NAME;
		o.ref_index = k;
		o.redact_only = u->kind == GATE_UPD_DELETE;
		rc = gate_secrets_text_add(b, &o, u->ref, strlen(u->ref));
	}
	return rc;
}

typedef struct {
	const char *path;
	size_t job;
} path_ref;

/* Path order, the first job of each path first. */
static int by_path(const void *a, const void *b)
{
	const path_ref *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : x->job < y->job ? -1 : (x->job > y->job);
}

/* Every distinct path of JOBS, under the first job that has it. */
static int paths(gate_text_batch *b, const gate_source *jobs)
{
	path_ref *refs;
	size_t i, n = 0;
	int rc = 0;

	if (!jobs->count)
		return 0;
	if (!(refs = gate_calloc(jobs->count, sizeof(*refs))))
		return GATE_ENOMEM;
	for (i = 0; i < jobs->count; i++)
		if (*jobs->items[i].path) {
			refs[n].path = jobs->items[i].path;
			refs[n++].job = i;
		}
	qsort(refs, n, sizeof(*refs), by_path);
	for (i = 0; i < n && rc == 0; i++) {
		const gate_source_item *j = &jobs->items[refs[i].job];
		gate_text_origin o;
		if (i && !strcmp(refs[i - 1].path, refs[i].path))
			continue;
		memset(&o, 0, sizeof(o));
		o.where = GATE_SECRET_IN_PATH;
		o.commit = j->has_commit ? &j->commit : NULL;
		o.ref_index = j->ref_index;
		rc = gate_secrets_text_add(b, &o, j->path, strlen(j->path));
	}
	gate_free(refs);
	return rc;
}

int gate_textscan_push(gate_secret_report *report, gate_redactions *red, gate_secrets *s,
		       git_repository *repo, const gate_push *push, const gate_newobjs *newobjs,
		       const gate_source *jobs)
{
	push_ctx c;
	size_t k;
	int rc;

	memset(&c, 0, sizeof(c));
	c.newobjs = newobjs;
	if ((rc = git_repository_odb(&c.odb, repo)) < 0)
		return gate_error_from_git(rc, "opening the object store");
	if ((rc = gate_secrets_text_begin(&c.batch, s, report, red)) < 0)
		goto out;
	rc = ref_names(c.batch, push);
	for (k = 0; k < push->count && rc == 0; k++)
		if (push->items[k].kind != GATE_UPD_DELETE && push->items[k].new_type == GIT_OBJECT_TAG)
			rc = tag_messages(&c, repo, &push->items[k], k);
	if (rc == 0)
		rc = gate_newobjs_walk(repo, push, want_commit, visit_commit, &c);
	if (rc == 0)
		rc = paths(c.batch, jobs);
	rc = rc < 0 ? (gate_secrets_text_abort(c.batch), rc) : gate_secrets_text_finish(c.batch);
out:
	gate_oidmap_dispose(&c.seen);
	git_odb_free(c.odb);
	return rc;
}
