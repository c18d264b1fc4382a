/*
 * Formatting decisions for the pusher (see report.h).
 *
 * Layout: a headline with the verdict, then per ref the verdict and each
 * reason as check id, what was found, what is missing, the matrix rule and
 * the fix.  A developer who was rejected should know what to do from this
 * text alone.
 */
#include <string.h>

#include "util/common.h"
#include "output/report.h"

static void put_ref(gate_buf *b, const char *ref) { gate_buf_put_escaped(b, ref, strlen(ref)); }

/* Multi-line text from anywhere (error messages): escaped line by line. */
static void put_text(gate_buf *b, const char *s)
{
	while (*s) {
		size_t len = strcspn(s, "\n");
		gate_buf_put_escaped(b, s, len);
		s += len;
		if (*s == '\n') {
			gate_buf_puts(b, "\n");
			s++;
		}
	}
}

/* One labelled line; the text is escaped (idempotently) whatever built it. */
static void put_line(gate_buf *b, const char *label, const char *text)
{
	gate_buf_puts(b, label);
	gate_buf_put_escaped(b, text, strlen(text));
	gate_buf_puts(b, "\n");
}

static void put_reason(gate_buf *b, const gate_reason *r, const gate_report_info *info)
{
	gate_buf_printf(b, "    [%s] ", r->check);

	put_line(b, "", r->found);
	if (*r->missing)
		put_line(b, "      needs: ", r->missing);
	if (r->line > 0 && info->matrix_label)
		gate_buf_printf(b, "      rule:  %s:%d:%d\n", info->matrix_label, r->line, r->col);
	else if (!strncmp(r->check, "secret.", 7))
		gate_buf_printf(b, "      rule:  built-in secret rule %s (rules/secrets.yml; the matrix's "
				   "secrets.disable can switch it off)\n", r->check + 7);
	else if (!strncmp(r->check, "limit.", 6))
		gate_buf_printf(b, "      rule:  built-in default of settings.limits.%s (the matrix can "
				   "set it)\n", r->check + 6);
	else
		gate_buf_puts(b, "      rule:  built in (cannot be turned off)\n");
	if (*r->fix)
		put_line(b, "      fix:   ", r->fix);
}

/* The first few of N blobs not scanned, escaped, then how many more. */
static void put_skipped(gate_buf *b, const gate_skipped_blob *list, size_t n, int sizes)
{
	size_t k;
	for (k = 0; k < n && k < GATE_REPORT_MAX_SKIPPED; k++) {
		gate_buf_puts(b, k ? ", " : " ");
		gate_buf_put_escaped(b, list[k].path, strlen(list[k].path));
		if (sizes)
			gate_buf_printf(b, " (%zu bytes)", list[k].size);
	}
	if (n > GATE_REPORT_MAX_SKIPPED)
		gate_buf_printf(b, " and %zu more", n - GATE_REPORT_MAX_SKIPPED);
	gate_buf_puts(b, "\n");
}

/* Warnings (policy checks set to warn) of D, under its ref. */
static void put_warnings(gate_buf *b, const gate_decision *d, const gate_report_info *info)
{
	size_t j;
	for (j = 0; j < d->n_warnings; j++) {
		const gate_reason *r = &d->warnings[j];
		gate_buf_printf(b, "    warning [%s] ", r->check);
		put_line(b, "", r->found);
		if (r->line > 0 && info->matrix_label)
			gate_buf_printf(b, "      rule:  %s:%d:%d (warn: not rejected)\n", info->matrix_label,
					r->line, r->col);
		if (*r->fix)
			put_line(b, "      fix:   ", r->fix);
	}
}

int gate_report_format(gate_buf *out, const gate_decision *ds, size_t n,
		       const gate_report_info *info)
{
	size_t i, j, rejected = 0;

	for (i = 0; i < n; i++)
		rejected += ds[i].verdict == GATE_REJECT;

	if (info->error && !info->error_allowed) {
		gate_buf_printf(out, "gatehouse: push %s: gatehouse could not check it safely\n",
				info->dry_run ? "would be rejected" : "rejected");
		gate_buf_puts(out, "  error: ");
		put_text(out, info->error);
		gate_buf_puts(out, "\n");
		gate_buf_puts(out, "  Nothing was updated. gatehouse fails closed: when it cannot "
				   "check a push it rejects it.\n"
				   "  If this persists, show this message to the server's admins.\n");
		return out->oom ? GATE_ENOMEM : 0;
	}
	if (info->override_by) {
		gate_buf_puts(out, "gatehouse: *** BREAK-GLASS OVERRIDE by ");
		gate_buf_put_escaped(out, info->override_by, strlen(info->override_by));
		gate_buf_puts(out, ": \"");
		gate_buf_put_escaped(out, info->override_reason ? info->override_reason : "",
				     info->override_reason ? strlen(info->override_reason) : 0);
		gate_buf_puts(out, "\" ***\n");
		for (i = 0; i < n; i++)
			if (ds[i].overridden) {
				gate_buf_puts(out, "gatehouse: *** checks skipped on ");
				put_ref(out, ds[i].update->ref);
				gate_buf_printf(out, ": %s ***\n", ds[i].overridden);
			}
		gate_buf_puts(out, "gatehouse: *** permissions still applied; this push and its reason "
				   "are in the audit log ***\n");
	}
	if (rejected) {
		gate_buf_printf(out, "gatehouse: push %s: %zu of %zu ref update%s broke the "
				     "responsibility matrix\n",
				info->dry_run ? "would be rejected" : "rejected", rejected, n,
				n == 1 ? "" : "s");
		for (i = 0; i < n; i++) {
			const gate_decision *d = &ds[i];
			gate_buf_puts(out, "  ");
			put_ref(out, d->update->ref);
			if (d->verdict == GATE_ACCEPT) {
				gate_buf_printf(out, ": ok (%s)%s\n",
						gate_update_kind_name(d->update->kind),
						n > 1 && !info->dry_run
							? " - not updated either: a push is accepted "
							  "or rejected as a whole"
							: "");
				put_warnings(out, d, info);
				continue;
			}
			gate_buf_printf(out, ": REJECTED (%s)\n", gate_update_kind_name(d->update->kind));
			for (j = 0; j < d->n_reasons; j++)
				put_reason(out, &d->reasons[j], info);
			put_warnings(out, d, info);
			if (d->n_suppressed)
				gate_buf_printf(out, "    ... and %zu more problems like these (fix the ones "
						     "above and push again to see them)\n", d->n_suppressed);
		}
	} else {
		gate_buf_printf(out, "gatehouse: %s %zu ref update%s", info->dry_run ? "would accept" : "accepted",
				n, n == 1 ? "" : "s");
		if (n == 1) {
			gate_buf_puts(out, " (");
			put_ref(out, ds[0].update->ref);
			gate_buf_printf(out, ", %s)", gate_update_kind_name(ds[0].update->kind));
		}
		gate_buf_puts(out, "\n");
		for (i = 0; i < n; i++)
			if (ds[i].n_warnings) {
				gate_buf_puts(out, "  ");
				put_ref(out, ds[i].update->ref);
				gate_buf_puts(out, ": accepted with warnings\n");
				put_warnings(out, &ds[i], info);
			}
	}
	if (info->matrix_diff) {
		gate_buf_puts(out, "  this push changes the responsibility matrix:\n");
		put_text(out, info->matrix_diff);
	}
	if (info->error && info->error_allowed)
	{
		gate_buf_puts(out, "  WARNING: checks did not run: ");
		put_text(out, info->error);
		gate_buf_puts(out, "\n  accepted only because the matrix says settings.on_error: allow\n");
	}
	if (info->secrets && info->secrets->n_skipped_large) {
		const gate_secret_report *sr = info->secrets;
		gate_buf_printf(out, "  note: %zu blob%s over secrets.max_blob_bytes %s not scanned for "
				     "secrets (recorded in the audit log):",
				sr->n_skipped_large, sr->n_skipped_large == 1 ? "" : "s",
				sr->n_skipped_large == 1 ? "was" : "were");
		put_skipped(out, sr->skipped_large, sr->n_skipped_large, 1);
	}
	if (info->secrets && info->secrets->n_skipped_bin) {
		const gate_secret_report *sr = info->secrets;
		gate_buf_printf(out, "  note: %zu binary blob%s with no text in %s %s not scanned for "
				     "secrets (recorded in the audit log):",
				sr->n_skipped_bin, sr->n_skipped_bin == 1 ? "" : "s",
				sr->n_skipped_bin == 1 ? "it" : "them",
				sr->n_skipped_bin == 1 ? "was" : "were");
		put_skipped(out, sr->skipped_bin, sr->n_skipped_bin, 0);
	}
	if (info->unprotected)
		gate_buf_printf(out, "  note: no responsibility matrix on the trusted ref (%s) yet: "
				     "only that ref is guarded until a push brings a valid matrix\n",
				info->trusted_ref ? info->trusted_ref : "?");
	else if (info->matrix_label)
		gate_buf_printf(out, "  matrix: %s%s%.12s%s\n", info->matrix_label,
				info->matrix_commit ? " @ " : "",
				info->matrix_commit ? info->matrix_commit : "",
				info->bootstrap ? " (bootstrap: the matrix inside this push)" : "");
	return out->oom ? GATE_ENOMEM : 0;
}

int gate_report_emit(const gate_sink *out, const char *text, const char *prefix)
{
	gate_buf b = GATE_BUF_INIT;
	const char *p = text;
	int rc = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (prefix)
			gate_buf_puts(&b, prefix);
		gate_buf_put(&b, p, len);
		gate_buf_puts(&b, "\n");
		p += len + (nl ? 1 : 0);
	}
	if (b.oom)
		rc = GATE_ENOMEM;
	else if (b.len && gate_sink_write(out, b.ptr, b.len) < 0)
		rc = gate_error_set(GATE_EIO, "writing the report failed");
	gate_sink_flush(out);
	gate_buf_dispose(&b);
	return rc;
}
