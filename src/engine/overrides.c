/*
 * The break-glass ledger (see overrides.h): read whole or not at all, and
 * appended with the audit log's single-write discipline, so concurrent
 * pushes never tear a record.
 */
#include <string.h>

#include <jansson.h>

#include "output/audit.h"
#include "util/json.h"
#include "util/common.h"
#include "engine/overrides.h"

static const char *const fields[] = { "ref", "rule", "path", "fingerprint", "redacted",
				      "by", "reason", "time" };

/* The string member K of R, in the order of FIELDS. */
static char **member(gate_override_rec *r, size_t k)
{
	char **all[] = { &r->ref, &r->rule, &r->path, &r->fingerprint, &r->redacted,
			 &r->by, &r->reason, &r->time };
	return all[k];
}

static void rec_dispose(gate_override_rec *r)
{
	size_t k;
	for (k = 0; k < GATE_ARRAY_SIZE(fields); k++)
		gate_free(*member(r, k));
	memset(r, 0, sizeof(*r));
}

/* Parses one ledger line into R: 0, or GATE_EINVAL (not a record), GATE_ENOMEM. */
static int parse_line(gate_override_rec *r, const char *line, size_t len)
{
	json_error_t err;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	const char *commit, *blob;
	size_t k;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o)) {
		json_decref(o);
		return GATE_EINVAL;
	}
	for (k = 0; k < GATE_ARRAY_SIZE(fields) && rc == 0; k++) {
		const char *v = json_string_value(json_object_get(o, fields[k]));
		if (!v)
			rc = GATE_EINVAL;
		else if (!(*member(r, k) = gate_strdup(v)))
			rc = GATE_ENOMEM;
	}
	commit = json_string_value(json_object_get(o, "commit"));
	blob = json_string_value(json_object_get(o, "blob"));
	if (rc == 0 && (!commit || !blob || git_oid_fromstr(&r->commit, commit) < 0 ||
			git_oid_fromstr(&r->blob, blob) < 0 || !*r->ref))
		rc = GATE_EINVAL;
	json_decref(o);
	git_error_clear();
	if (rc < 0)
		rec_dispose(r);
	return rc;
}

int gate_overrides_load(gate_override_ledger *out, const char *path)
{
	char *data = NULL;
	size_t len = 0, off = 0, lineno = 0;
	int rc = gate_read_file(&data, &len, path, GATE_OVERRIDES_MAX_BYTES);

	if (rc == GATE_ENOTFOUND) {
		gate_error_clear();
		return 0;
	}
	if (rc < 0)
		return gate_error_set(rc == GATE_ENOMEM ? GATE_ENOMEM : GATE_ELIMIT,
				      "break-glass ledger %s cannot be read (%s; at most %u bytes): "
				      "the server's admins should archive it and start a new one",
				      path, gate_error_last(), GATE_OVERRIDES_MAX_BYTES);
	while (off < len && rc == 0) {
		const char *line = data + off, *nl = memchr(line, '\n', len - off);
		size_t n = nl ? (size_t)(nl - line) : len - off;
		off += n + (nl ? 1 : 0);
		lineno++;
		if (!n)
			continue;
		if (gate_grow(&out->items, &out->cap, out->count + 1, sizeof(*out->items)) < 0) {
			rc = GATE_ENOMEM;
			break;
		}
		rc = parse_line(&out->items[out->count], line, n);
		if (rc == GATE_EINVAL)
			rc = gate_error_set(GATE_EINVAL, "break-glass ledger %s, line %zu: not a ledger "
							 "record; the server's admins should repair it",
					    path, lineno);
		else if (rc == 0)
			out->count++;
	}
	gate_free(data);
	return rc == GATE_ENOMEM ? gate_error_oom() : rc;
}

int gate_overrides_add(gate_override_ledger *l, const char *ref, const gate_secret_finding *f,
		       const git_oid *blob, const char *by, const char *reason, const char *time)
{
	const char *v[] = { ref, f->rule_id, f->path, f->fingerprint, f->redacted, by, reason, time };
	gate_override_rec *r;
	size_t k;

	if (gate_grow(&l->items, &l->cap, l->count + 1, sizeof(*r)) < 0)
		return GATE_ENOMEM;
	r = &l->items[l->count];
	memset(r, 0, sizeof(*r));
	for (k = 0; k < GATE_ARRAY_SIZE(fields); k++)
		if (!(*member(r, k) = gate_strdup(v[k] ? v[k] : ""))) {
			rec_dispose(r);
			return gate_error_oom();
		}
	r->commit = f->commit;
	r->blob = *blob;
	l->count++;
	return 0;
}

int gate_overrides_append(const char *path, const gate_override_ledger *l)
{
	json_t **recs = gate_calloc(l->count ? l->count : 1, sizeof(*recs));
	size_t i, k;
	int rc = recs ? 0 : GATE_ENOMEM;

	for (i = 0; i < l->count && rc == 0; i++) {
		gate_override_rec *r = &l->items[i];
		char hex[GIT_OID_HEXSZ + 1];
		if (!(recs[i] = json_object()))
			rc = GATE_ENOMEM;
		for (k = 0; k < GATE_ARRAY_SIZE(fields) && rc == 0; k++)
			if (json_object_set_new(recs[i], fields[k], gate_json_string(*member(r, k))) < 0)
				rc = GATE_ENOMEM;
		if (rc == 0 &&
		    json_object_set_new(recs[i], "commit", json_string(git_oid_tostr(hex, sizeof(hex), &r->commit))) < 0)
			rc = GATE_ENOMEM;
		if (rc == 0 &&
		    json_object_set_new(recs[i], "blob", json_string(git_oid_tostr(hex, sizeof(hex), &r->blob))) < 0)
			rc = GATE_ENOMEM;
	}
	if (rc == 0)
		rc = gate_audit_append(path, recs, l->count, 1);
	for (i = 0; recs && i < l->count; i++)
		json_decref(recs[i]);
	gate_free(recs);
	return rc == GATE_ENOMEM ? gate_error_oom() : rc;
}

void gate_override_ledger_dispose(gate_override_ledger *l)
{
	size_t i;
	for (i = 0; i < l->count; i++)
		rec_dispose(&l->items[i]);
	gate_free(l->items);
	memset(l, 0, sizeof(*l));
}
