/*
 * A scan's findings written out (see gatehouse/scan.h): one line per secret
 * for a terminal, a JSON array for scripts, or a SARIF 2.1.0 log for code
 * scanning dashboards (stable rule ids "secret.RULE" and a partial
 * fingerprint, so a dashboard tracks a finding across runs).  Secrets appear
 * redacted only, and paths from a repository are escaped for the terminal.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/checks.h"
#include "util/common.h"
#include "gatehouse/gatehouse.h"
#include "content/scanrun.h"
#include "output/audit.h"

/* Each binary blob with no text in it, one line each after PREFIX, escaped. */
static int write_skipped_bin(const gate_secret_report *r, const gate_sink *err, const char *prefix)
{
	size_t i;
	int rc = 0;
	for (i = 0; rc == 0 && i < r->n_skipped_bin; i++) {
		gate_buf b = GATE_BUF_INIT;
		gate_buf_put_escaped(&b, r->skipped_bin[i].path, strlen(r->skipped_bin[i].path));
		rc = gate_sink_printf(err, "%s%s (%zu bytes)\n", prefix, gate_buf_cstr(&b),
				      r->skipped_bin[i].size);
		gate_buf_dispose(&b);
	}
	return rc;
}

static void write_text(const gate_secret_report *rep, const gate_sink *out)
{
	size_t i;
	for (i = 0; i < rep->count; i++) {
		const gate_secret_finding *f = &rep->items[i];
		gate_buf b = GATE_BUF_INIT;
		char hex[GIT_OID_HEXSZ + 1];
		gate_buf_put_escaped(&b, *f->path ? f->path : "(no path)", strlen(*f->path ? f->path : "(no path)"));
		gate_buf_printf(&b, ":%zu:%zu: secret.%s %s: %s", f->line, f->column, f->rule_id,
				f->description ? f->description : "", f->redacted);
		if (!git_oid_is_zero(&f->commit)) {
			git_oid_tostr(hex, 11, &f->commit);
			gate_buf_printf(&b, " (commit %s)", hex);
		}
		gate_buf_printf(&b, "\n    fingerprint: %s\n", f->fingerprint);
		gate_sink_puts(out, gate_buf_cstr(&b));
		gate_buf_dispose(&b);
	}
}

static json_t *finding_json(const gate_secret_finding *f)
{
	char hex[GIT_OID_HEXSZ + 1];
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "rule", json_string(f->rule_id));
	json_object_set_new(o, "description", f->description ? json_string(f->description) : json_null());
	json_object_set_new(o, "path", gate_json_string(f->path));
	json_object_set_new(o, "line", json_integer((json_int_t)f->line));
	json_object_set_new(o, "column", json_integer((json_int_t)f->column));
	if (git_oid_is_zero(&f->commit)) {
		json_object_set_new(o, "commit", json_null());
	} else {
		git_oid_tostr(hex, sizeof(hex), &f->commit);
		json_object_set_new(o, "commit", json_string(hex));
	}
	json_object_set_new(o, "secret", json_string(f->redacted));
	json_object_set_new(o, "fingerprint", gate_json_string(f->fingerprint));
	return o;
}

/* RULE's fullDescription and help, from its row of the table of checks. */
static void sarif_rule_help(json_t *rule, const char *id)
{
	const gate_check_info *c = gate_check_lookup(id);
	char text[600];

	if (!c)
		return;
	json_object_set_new(rule, "fullDescription", json_pack("{s:s}", "text", c->doc));
	snprintf(text, sizeof(text), "gatehouse check %s (%s family): needs %s. Documented in the "
		 "README, section #%s.", id, gate_check_family_name(c->family), c->needs, c->anchor);
	json_object_set_new(rule, "help", json_pack("{s:s}", "text", text));
}

static json_t *sarif(const gate_secret_report *rep)
{
	json_t *root = json_object(), *runs = json_array(), *run = json_object(), *tool = json_object(),
	       *driver = json_object(), *rules = json_array(), *results = json_array();
	size_t i, j;

	json_object_set_new(root, "version", json_string("2.1.0"));
	json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(driver, "name", json_string("gatehouse"));
	json_object_set_new(driver, "version", json_string(GATEHOUSE_VERSION));
	for (i = 0; i < rep->count; i++) {
		const gate_secret_finding *f = &rep->items[i];
		json_t *r, *loc, *phys, *art, *region, *locs, *fps, *msg;
		char id[100];
		int seen = 0;
		snprintf(id, sizeof(id), "secret.%s", f->rule_id);
		for (j = 0; j < i; j++)
			seen |= !strcmp(rep->items[j].rule_id, f->rule_id);
		if (!seen) {
			json_t *rule = json_object(), *sd = json_object(), *props = json_object(),
			       *tags = json_array(), *conf = json_object();
			json_object_set_new(rule, "id", json_string(id));
			json_object_set_new(rule, "name", json_string(f->rule_id));
			json_object_set_new(sd, "text", json_string(f->description ? f->description : f->rule_id));
			json_object_set_new(rule, "shortDescription", sd);
			sarif_rule_help(rule, id);
			json_object_set_new(conf, "level", json_string("error"));
			json_object_set_new(rule, "defaultConfiguration", conf);
			json_array_append_new(tags, json_string("security"));
			json_array_append_new(tags, json_string("secret"));
			json_object_set_new(props, "tags", tags);
			json_object_set_new(props, "security-severity", json_string("9.0"));
			json_object_set_new(rule, "properties", props);
			json_array_append_new(rules, rule);
		}
		r = json_object();
		msg = json_object();
		json_object_set_new(r, "ruleId", json_string(id));
		json_object_set_new(r, "level", json_string("error"));
		{
			char text[400];
			snprintf(text, sizeof(text), "%s: %s", f->description ? f->description : f->rule_id,
				 f->redacted);
			json_object_set_new(msg, "text", json_string(text));
		}
		json_object_set_new(r, "message", msg);
		loc = json_object();
		phys = json_object();
		art = json_object();
		region = json_object();
		json_object_set_new(art, "uri", gate_json_string(*f->path ? f->path : "unknown"));
		json_object_set_new(region, "startLine", json_integer((json_int_t)(f->line ? f->line : 1)));
		json_object_set_new(region, "startColumn", json_integer((json_int_t)(f->column ? f->column : 1)));
		json_object_set_new(phys, "artifactLocation", art);
		json_object_set_new(phys, "region", region);
		json_object_set_new(loc, "physicalLocation", phys);
		locs = json_array();
		json_array_append_new(locs, loc);
		json_object_set_new(r, "locations", locs);
		fps = json_object();
		json_object_set_new(fps, "gatehouse/v1", gate_json_string(f->fingerprint));
		json_object_set_new(r, "partialFingerprints", fps);
		if (!git_oid_is_zero(&f->commit)) {
			char hex[GIT_OID_HEXSZ + 1];
			json_t *props = json_object();
			git_oid_tostr(hex, sizeof(hex), &f->commit);
			json_object_set_new(props, "commit", json_string(hex));
			json_object_set_new(r, "properties", props);
		}
		json_array_append_new(results, r);
	}
	json_object_set_new(driver, "rules", rules);
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);
	json_object_set_new(run, "results", results);
	json_array_append_new(runs, run);
	json_object_set_new(root, "runs", runs);
	return root;
}

static int write_json(const gate_secret_report *rep, gate_scan_format format, const gate_sink *out)
{
	json_t *doc;
	char *s;
	size_t i;

	if (format == GATE_SCAN_SARIF) {
		doc = sarif(rep);
	} else {
		doc = json_array();
		for (i = 0; doc && i < rep->count; i++)
			json_array_append_new(doc, finding_json(&rep->items[i]));
	}
	s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	json_decref(doc);
	if (!s)
		return gate_error_oom();
	gate_sink_puts(out, s);
	gate_sink_puts(out, "\n");
	free(s);
	return 0;
}

int gate_scan_result_write(const gate_scan_result *r, gate_scan_format format, const gate_sink *out)
{
	if (format == GATE_SCAN_TEXT) {
		write_text(&r->rep, out);
		return 0;
	}
	return write_json(&r->rep, format, out);
}

int gate_scan_result_summary(const gate_scan_result *r, const gate_sink *out)
{
	const gate_secret_report *rep = &r->rep;
	size_t i;
	int rc;

	rc = gate_sink_printf(out, "gatehouse scan: %zu finding%s; %zu blob%s (%zu bytes) scanned with %s",
			      rep->count, rep->count == 1 ? "" : "s", rep->scanned,
			      rep->scanned == 1 ? "" : "s", rep->scanned_bytes, r->engine);
	if (rc == 0 && rep->skipped_binary)
		rc = gate_sink_printf(out, "; %zu binary with no text in it NOT scanned", rep->skipped_binary);
	if (rc == 0 && rep->n_skipped_large)
		rc = gate_sink_printf(out, "; %zu over max_blob_bytes NOT scanned", rep->n_skipped_large);
	if (rc == 0)
		rc = gate_sink_puts(out, "\n");
	for (i = 0; rc == 0 && i < rep->n_skipped_large; i++)
		rc = gate_sink_printf(out, "  not scanned (too large): %s (%zu bytes)\n",
				      rep->skipped_large[i].path, rep->skipped_large[i].size);
	return rc == 0 ? write_skipped_bin(rep, out, "  not scanned (binary, no text in it): ") : rc;
}

int gate_scan_result_advice(const gate_scan_result *r, const gate_sink *out)
{
	const gate_secret_report *rep = &r->rep;
	size_t i;
	int rc = 0;

	if (rep->count)
		rc = gate_sink_printf(out,
				      "gatehouse: commit stopped: %zu secret%s in the staged changes.\n"
				      "  Remove %s from the file%s and 'git add' again (rotate it if it ever "
				      "left your machine).\n"
				      "  A false positive? Add 'gatehouse:allow' in a comment on that line, or "
				      "its fingerprint to .gatehouse/ignore.\n",
				      rep->count, rep->count == 1 ? "" : "s", rep->count == 1 ? "it" : "them",
				      rep->count == 1 ? "" : "s");
	for (i = 0; rc == 0 && i < rep->n_skipped_large; i++)
		rc = gate_sink_printf(out, "gatehouse: note: %s (%zu bytes) is over max_blob_bytes and was "
					   "not scanned\n",
				      rep->skipped_large[i].path, rep->skipped_large[i].size);
	return rc == 0 ? write_skipped_bin(rep, out, "gatehouse: note: binary, no text in it, not scanned: ")
		       : rc;
}
