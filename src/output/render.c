/*
 * The responsibility matrix as a document for people (see render.h): the
 * page a new team member reads on day one.  Duties by role, people, each ref
 * rule in words, the rules every matrix has, path owners, and the secret,
 * policy and general settings.
 *
 * One walk over the matrix writes the document through a small table of
 * output functions per format (Markdown, HTML), so both formats say the same
 * things in the same order.  Nothing depends on the time or the machine:
 * matrix order throughout, so a committed copy compares byte for byte.
 *
 * Trust: the matrix is reviewed content, but its strings are escaped anyway.
 * Control characters and invalid UTF-8 become \xNN (gate_buf_put_escaped),
 * then each format escapes what it treats as markup: Markdown's active
 * characters and table pipes, HTML's & < > " '.  A name can neither break a
 * table nor put markup or a script into the page.
 *
 * Memory: everything goes into gate_bufs, whose failed appends are sticky,
 * so the walk runs to the end and the result is checked once.
 */
#include <stdio.h>
#include <string.h>

#include "content/policy.h"
#include "git/push.h"
#include "output/render.h"
#include "gatehouse/checks.h"

/* ---- output formats ----------------------------------------------------- */

typedef struct writer writer;

typedef struct {
	void (*begin)(writer *w, const char *label);
	void (*end)(writer *w);
	void (*heading)(writer *w, int level);
	void (*heading_end)(writer *w, int level);
	void (*para)(writer *w);
	void (*para_end)(writer *w);
	void (*text)(writer *w, const char *s); /* any string: escaped for the format */
	void (*code)(writer *w, const char *s); /* a non-empty string shown as code */
	void (*list)(writer *w);
	void (*item)(writer *w);
	void (*item_end)(writer *w);
	void (*list_end)(writer *w);
	void (*table)(writer *w, size_t center_from); /* columns from CENTER_FROM on are centred */
	void (*row)(writer *w);                       /* the first row is the header */
	void (*cell)(writer *w);
	void (*cell_end)(writer *w);
	void (*row_end)(writer *w);
	void (*table_end)(writer *w);
} format_ops;

struct writer {
	const format_ops *ops;
	gate_buf *out;
	gate_buf tmp;          /* the string being written, control bytes made visible */
	int in_table;
	size_t row, col;       /* rows done in the table, cells done in the row */
	size_t ncols;          /* cells of the header row */
	size_t center_from;
};

/* S with control characters and invalid UTF-8 as \xNN, in W->tmp; NULL when out of memory. */
static const char *visible(writer *w, const char *s)
{
	gate_buf_clear(&w->tmp);
	if (gate_buf_put_escaped(&w->tmp, s, strlen(s)) < 0)
		return NULL;
	return gate_buf_cstr(&w->tmp);
}

/* ---- Markdown ---------------------------------------------------------- */

/*
 * Characters CommonMark/GFM may act on inside a line, each escaped with a
 * backslash: emphasis, code, links, raw HTML and entities, table pipes,
 * strikethrough, GitHub's $math$, and the backslash itself (which also keeps
 * the \xNN of a control byte literal).
 */
#define MD_ACTIVE "\\`*_[]<>|#!~&$"

static void md_text(writer *w, const char *s)
{
	const char *p = visible(w, s);

	while (p && *p) {
		size_t n = strcspn(p, MD_ACTIVE);
		gate_buf_put(w->out, p, n);
		p += n;
		if (*p) {
			gate_buf_put(w->out, "\\", 1);
			gate_buf_put(w->out, p++, 1);
		}
	}
}

/*
 * A code span: backslashes mean nothing inside one, so the fence is one
 * backtick longer than the longest run in S, padded with a space where S
 * starts or ends with a backtick or space (CommonMark strips one each side).
 * In a table a pipe still ends the cell unless escaped (GFM removes the
 * backslash again).
 */
static void md_code(writer *w, const char *s)
{
	const char *p = visible(w, s);
	size_t i, run = 0, longest = 0, len;
	int pad, blank = 1;

	if (!p)
		return;
	len = strlen(p);
	for (i = 0; i < len; i++) {
		run = p[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
		blank &= p[i] == ' ';
	}
	pad = len && !blank && (p[0] == '`' || p[0] == ' ' || p[len - 1] == '`' || p[len - 1] == ' ');
	for (i = 0; i <= longest; i++)
		gate_buf_put(w->out, "`", 1);
	if (pad)
		gate_buf_put(w->out, " ", 1);
	for (i = 0; i < len; i++) {
		if (p[i] == '|' && w->in_table)
			gate_buf_put(w->out, "\\", 1);
		gate_buf_put(w->out, p + i, 1);
	}
	if (pad)
		gate_buf_put(w->out, " ", 1);
	for (i = 0; i <= longest; i++)
		gate_buf_put(w->out, "`", 1);
}

static void md_begin(writer *w, const char *label)
{
	(void)w;
	(void)label;
}

/* Blocks end with a blank line; the document ends with one newline. */
static void md_end(writer *w)
{
	gate_buf *b = w->out;
	if (!b->oom && b->len >= 2 && b->ptr[b->len - 1] == '\n' && b->ptr[b->len - 2] == '\n')
		b->ptr[--b->len] = '\0';
}

static void md_heading(writer *w, int level)
{
	static const char hashes[] = "######";
	gate_buf_put(w->out, hashes, (size_t)(level < 1 ? 1 : level > 6 ? 6 : level));
	gate_buf_put(w->out, " ", 1);
}

static void md_heading_end(writer *w, int level)
{
	(void)level;
	gate_buf_puts(w->out, "\n\n");
}
static void md_para(writer *w) { (void)w; }
static void md_para_end(writer *w) { gate_buf_puts(w->out, "\n\n"); }
static void md_list(writer *w) { (void)w; }
static void md_item(writer *w) { gate_buf_puts(w->out, "- "); }
static void md_item_end(writer *w) { gate_buf_puts(w->out, "\n"); }
static void md_list_end(writer *w) { gate_buf_puts(w->out, "\n"); }

static void md_table(writer *w, size_t center_from)
{
	w->in_table = 1;
	w->row = w->ncols = 0;
	w->center_from = center_from;
}

static void md_row(writer *w) { w->col = 0; }
static void md_cell(writer *w) { gate_buf_puts(w->out, "| "); }

static void md_cell_end(writer *w)
{
	gate_buf_puts(w->out, " ");
	w->col++;
}

static void md_row_end(writer *w)
{
	size_t i;
	gate_buf_puts(w->out, "|\n");
	if (w->row++ == 0) {
		w->ncols = w->col;
		for (i = 0; i < w->ncols; i++)
			gate_buf_puts(w->out, i >= w->center_from ? "|:-:" : "|---");
		gate_buf_puts(w->out, "|\n");
	}
}

static void md_table_end(writer *w)
{
	w->in_table = 0;
	gate_buf_puts(w->out, "\n");
}

static const format_ops markdown_ops = {
	md_begin, md_end, md_heading, md_heading_end, md_para, md_para_end, md_text, md_code,
	md_list, md_item, md_item_end, md_list_end, md_table, md_row, md_cell, md_cell_end,
	md_row_end, md_table_end,
};

/* ---- HTML -------------------------------------------------------------- */

static void html_escape(gate_buf *b, const char *p)
{
	while (p && *p) {
		size_t n = strcspn(p, "&<>\"'");
		gate_buf_put(b, p, n);
		p += n;
		switch (*p) {
		case '&': gate_buf_puts(b, "&amp;"); break;
		case '<': gate_buf_puts(b, "&lt;"); break;
		case '>': gate_buf_puts(b, "&gt;"); break;
		case '"': gate_buf_puts(b, "&quot;"); break;
		case '\'': gate_buf_puts(b, "&#39;"); break;
		default: return;
		}
		p++;
	}
}

static void html_text(writer *w, const char *s) { html_escape(w->out, visible(w, s)); }

static void html_code(writer *w, const char *s)
{
	gate_buf_puts(w->out, "<code>");
	html_escape(w->out, visible(w, s));
	gate_buf_puts(w->out, "</code>");
}

/* No script and nothing fetched: the policy says so to the browser as well. */
static void html_begin(writer *w, const char *label)
{
	gate_buf_puts(w->out,
		      "<!DOCTYPE html>\n"
		      "<html lang=\"en\">\n"
		      "<head>\n"
		      "<meta charset=\"utf-8\">\n"
		      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		      "style-src 'unsafe-inline'\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<title>Responsibilities: ");
	html_text(w, label);
	gate_buf_puts(w->out,
		      "</title>\n"
		      "<style>\n"
		      "body { font: 15px/1.5 system-ui, sans-serif; color: #1f2328; background: #fff;"
		      " max-width: 64rem; margin: 2rem auto; padding: 0 1rem; }\n"
		      "h1, h2, h3 { line-height: 1.25; }\n"
		      "h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; margin-top: 2rem; }\n"
		      "table { border-collapse: collapse; margin: 1rem 0; }\n"
		      "th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left;"
		      " vertical-align: top; }\n"
		      "th { background: #f6f8fa; }\n"
		      "th.c, td.c { text-align: center; }\n"
		      "code { font: .875em ui-monospace, SFMono-Regular, Menlo, monospace;"
		      " background: #f6f8fa; padding: .1em .3em; border-radius: 4px; }\n"
		      "</style>\n"
		      "</head>\n"
		      "<body>\n"
		      "<main>\n");
}

static void html_end(writer *w) { gate_buf_puts(w->out, "</main>\n</body>\n</html>\n"); }
static void html_heading(writer *w, int level) { gate_buf_printf(w->out, "<h%d>", level); }
static void html_heading_end(writer *w, int level) { gate_buf_printf(w->out, "</h%d>\n", level); }
static void html_para(writer *w) { gate_buf_puts(w->out, "<p>"); }
static void html_para_end(writer *w) { gate_buf_puts(w->out, "</p>\n"); }
static void html_list(writer *w) { gate_buf_puts(w->out, "<ul>\n"); }
static void html_item(writer *w) { gate_buf_puts(w->out, "<li>"); }
static void html_item_end(writer *w) { gate_buf_puts(w->out, "</li>\n"); }
static void html_list_end(writer *w) { gate_buf_puts(w->out, "</ul>\n"); }

static void html_table(writer *w, size_t center_from)
{
	w->in_table = 1;
	w->row = 0;
	w->center_from = center_from;
	gate_buf_puts(w->out, "<table>\n<thead>\n");
}

static void html_row(writer *w)
{
	w->col = 0;
	gate_buf_puts(w->out, "<tr>");
}

static void html_cell(writer *w)
{
	gate_buf_printf(w->out, "<%s%s>", w->row ? "td" : "th",
			w->col >= w->center_from ? " class=\"c\"" : "");
}

static void html_cell_end(writer *w)
{
	gate_buf_puts(w->out, w->row ? "</td>" : "</th>");
	w->col++;
}

static void html_row_end(writer *w)
{
	gate_buf_puts(w->out, w->row++ ? "</tr>\n" : "</tr>\n</thead>\n<tbody>\n");
}

static void html_table_end(writer *w)
{
	w->in_table = 0;
	gate_buf_puts(w->out, "</tbody>\n</table>\n");
}

static const format_ops html_ops = {
	html_begin, html_end, html_heading, html_heading_end, html_para, html_para_end, html_text,
	html_code, html_list, html_item, html_item_end, html_list_end, html_table, html_row,
	html_cell, html_cell_end, html_row_end, html_table_end,
};

/* ---- building blocks ---------------------------------------------------- */

#define NO_CENTER ((size_t)-1)

static void text(writer *w, const char *s) { w->ops->text(w, s); }

/* A string shown as code; an empty one says so (an empty code span is no span). */
static void code(writer *w, const char *s)
{
	if (*s)
		w->ops->code(w, s);
	else
		w->ops->text(w, "(empty)");
}

static void number(writer *w, size_t n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%zu", n);
	if (len > 0 && (size_t)len < sizeof(buf))
		text(w, buf);
}

static void heading(writer *w, int level, const char *s)
{
	w->ops->heading(w, level);
	text(w, s);
	w->ops->heading_end(w, level);
}

/* A paragraph of our own words. */
static void para(writer *w, const char *s)
{
	w->ops->para(w);
	text(w, s);
	w->ops->para_end(w);
}

static void text_cell(writer *w, const char *s)
{
	w->ops->cell(w);
	text(w, s);
	w->ops->cell_end(w);
}

static void cell(writer *w) { w->ops->cell(w); }
static void cell_end(writer *w) { w->ops->cell_end(w); }

/* ITEMS[0..N) as code, comma-separated; NONE when N is 0. */
static void code_list(writer *w, const char *const *items, size_t n, const char *none)
{
	size_t i;
	if (!n)
		text(w, none);
	for (i = 0; i < n; i++) {
		if (i)
			text(w, ", ");
		code(w, items[i]);
	}
}

/* ROLES[0..N) as code: "`a`, `b`", or with ALTERNATIVES "`a`, `b` or `c`". */
static void roles_joined(writer *w, const gate_matrix *m, const size_t *roles, size_t n,
			 int alternatives)
{
	size_t i;
	if (!n)
		text(w, "nobody");
	for (i = 0; i < n; i++) {
		if (i)
			text(w, alternatives && i + 1 == n ? " or " : ", ");
		code(w, m->roles[roles[i]].id);
	}
}

static void role_list(writer *w, const gate_matrix *m, const size_t *roles, size_t n)
{
	roles_joined(w, m, roles, n, 0);
}

/* "a person in `a` or `b`" reads better than a list. */
static void role_choice(writer *w, const gate_matrix *m, const size_t *roles, size_t n)
{
	roles_joined(w, m, roles, n, 1);
}

/* "Ada Moreau (`ada`)", or "`ada`" without a name. */
static void person(writer *w, const gate_person *p)
{
	if (p->name && *p->name) {
		text(w, p->name);
		text(w, " (");
		code(w, p->id);
		text(w, ")");
	} else {
		code(w, p->id);
	}
}

/* Whether duty D is owned by role R. */
static int duty_has_role(const gate_duty *d, size_t r)
{
	size_t i;
	for (i = 0; i < d->n_roles; i++)
		if (d->roles[i] == r)
			return 1;
	return 0;
}

static const gate_duty *pipeline_duty(const gate_matrix *m)
{
	return gate_matrix_duty(m, GATE_DUTY_CONFIGURE_PIPELINE);
}

/* "`security` (the owners of `configure_pipeline`)" */
static void pipeline_owners(writer *w, const gate_matrix *m)
{
	const gate_duty *d = pipeline_duty(m);
	if (d) {
		role_choice(w, m, d->roles, d->n_roles);
		text(w, " (the owners of ");
	} else {
		text(w, "(");
	}
	code(w, GATE_DUTY_CONFIGURE_PIPELINE);
	text(w, ")");
}

/* ---- duties, roles, people ---------------------------------------------- */

static const struct {
	const char *id, *means;
} required_duties[] = {
	{ GATE_DUTY_WRITE_CODE, "writes the code, and fixes a push gatehouse rejects" },
	{ GATE_DUTY_REVIEW_CODE,
	  "reviews changes: the default reviewers where a ref rule asks for reviews" },
	{ GATE_DUTY_CONFIGURE_PIPELINE,
	  "owns the pipelines and the rules: reviews every change to a pipeline path or the matrix" },
	{ GATE_DUTY_RESOLVE_VULNS,
	  "resolves vulnerabilities: rotates leaked secrets, removes compromised dependencies" },
	{ GATE_DUTY_APPROVE_DEPLOYMENT,
	  "approves deployments: the default approvers where a ref rule asks for approvals" },
};

/* What a required duty means, or NULL for one the matrix adds. */
static const char *duty_meaning(const char *id)
{
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(required_duties); i++)
		if (!strcmp(required_duties[i].id, id))
			return required_duties[i].means;
	return NULL;
}

/*
 * The duties in document order: the five required ones first, in their
 * usual order, then the matrix's own in matrix order.  Calls FN per duty.
 */
static void each_duty(writer *w, const gate_matrix *m, const gate_role *only,
		      void (*fn)(writer *w, const gate_matrix *m, const gate_duty *d, size_t *shown),
		      size_t *shown)
{
	size_t i;
	const gate_duty *d;

	for (i = 0; i < GATE_ARRAY_SIZE(required_duties); i++)
		if ((d = gate_matrix_duty(m, required_duties[i].id)) &&
		    (!only || duty_has_role(d, (size_t)(only - m->roles))))
			fn(w, m, d, shown);
	for (i = 0; i < m->n_duties; i++) {
		d = &m->duties[i];
		if (!duty_meaning(d->id) && (!only || duty_has_role(d, (size_t)(only - m->roles))))
			fn(w, m, d, shown);
	}
}

static void duty_row(writer *w, const gate_matrix *m, const gate_duty *d, size_t *shown)
{
	const char *means = duty_meaning(d->id);
	size_t r;

	(void)shown;
	w->ops->row(w);
	cell(w);
	code(w, d->id);
	cell_end(w);
	text_cell(w, means ? means : "added by this matrix");
	for (r = 0; r < m->n_roles; r++)
		text_cell(w, duty_has_role(d, r) ? "\xE2\x9C\x94" : ""); /* U+2714 heavy check mark */
	w->ops->row_end(w);
}

static void duty_name(writer *w, const gate_matrix *m, const gate_duty *d, size_t *shown)
{
	(void)m;
	if ((*shown)++)
		text(w, ", ");
	code(w, d->id);
}

static void render_duties(writer *w, const gate_matrix *m)
{
	size_t r;

	heading(w, 2, "Duties");
	w->ops->para(w);
	text(w, "Who owns each part of security: a \xE2\x9C\x94 marks the roles that own a duty. "
		"Every matrix assigns the first five; the owners of ");
	code(w, GATE_DUTY_CONFIGURE_PIPELINE);
	text(w, " are the people to ask when a rule must change.");
	w->ops->para_end(w);

	w->ops->table(w, 2);
	w->ops->row(w);
	text_cell(w, "Duty");
	text_cell(w, "What it means");
	for (r = 0; r < m->n_roles; r++) {
		cell(w);
		code(w, m->roles[r].id);
		cell_end(w);
	}
	w->ops->row_end(w);
	each_duty(w, m, NULL, duty_row, NULL);
	w->ops->table_end(w);
}

static void render_roles(writer *w, const gate_matrix *m)
{
	size_t r, i, shown;

	heading(w, 2, "Roles");
	para(w, "Who holds each role, and the duties it owns.");
	w->ops->table(w, NO_CENTER);
	w->ops->row(w);
	text_cell(w, "Role");
	text_cell(w, "People");
	text_cell(w, "Duties");
	w->ops->row_end(w);
	for (r = 0; r < m->n_roles; r++) {
		const gate_role *role = &m->roles[r];
		w->ops->row(w);
		cell(w);
		code(w, role->id);
		cell_end(w);
		cell(w);
		for (i = 0; i < role->n_members; i++) {
			if (i)
				text(w, ", ");
			person(w, &m->people[role->members[i]]);
		}
		cell_end(w);
		cell(w);
		shown = 0;
		each_duty(w, m, role, duty_name, &shown);
		if (!shown)
			text(w, "\xE2\x80\x94"); /* em dash: none */
		cell_end(w);
		w->ops->row_end(w);
	}
	w->ops->table_end(w);
}

static void render_people(writer *w, const gate_matrix *m)
{
	size_t i, r, k, shown;
	char fp[128];

	heading(w, 2, "People");
	w->ops->para(w);
	text(w, "The hooks know a pusher by login and a commit's author, committer and reviewers by "
		"email: write reviews as ");
	code(w, "Reviewed-by: Name <email>");
	text(w, " with the email listed here. Signing keys are the ones ");
	code(w, "signed: true");
	text(w, " accepts for that person's commits.");
	w->ops->para_end(w);

	w->ops->table(w, NO_CENTER);
	w->ops->row(w);
	text_cell(w, "Person");
	text_cell(w, "Name");
	text_cell(w, "Roles");
	text_cell(w, "Logins");
	text_cell(w, "Emails");
	text_cell(w, "Signing keys");
	w->ops->row_end(w);
	for (i = 0; i < m->n_people; i++) {
		const gate_person *p = &m->people[i];
		w->ops->row(w);
		cell(w);
		code(w, p->id);
		cell_end(w);
		text_cell(w, p->name && *p->name ? p->name : "\xE2\x80\x94");
		cell(w);
		for (r = 0, shown = 0; r < m->n_roles; r++)
			if (gate_matrix_in_role(m, (long)i, r)) {
				if (shown++)
					text(w, ", ");
				code(w, m->roles[r].id);
			}
		if (!shown)
			text(w, "\xE2\x80\x94");
		cell_end(w);
		cell(w);
		code_list(w, p->logins, p->n_logins, "\xE2\x80\x94");
		cell_end(w);
		cell(w);
		code_list(w, p->emails, p->n_emails, "\xE2\x80\x94");
		cell_end(w);
		cell(w);
		for (k = 0; k < p->n_keys; k++) {
			size_t len;
			const unsigned char *blob = gate_sshkey_blob(p->keys[k], &len);
			char key[192];
			int n;
			gate_ssh_fingerprint(fp, sizeof(fp), blob, len);
			n = snprintf(key, sizeof(key), "%s %s", gate_sshkey_type(p->keys[k]), fp);
			if (k)
				text(w, ", ");
			code(w, n > 0 && (size_t)n < sizeof(key) ? key : gate_sshkey_type(p->keys[k]));
		}
		if (!p->n_keys)
			text(w, "\xE2\x80\x94");
		cell_end(w);
		w->ops->row_end(w);
	}
	w->ops->table_end(w);
}

/* ---- refs ---------------------------------------------------------------- */

/* Who PERM grants, when set. */
static void perm_words(writer *w, const gate_matrix *m, const gate_perm *p)
{
	switch (p->kind) {
	case GATE_PERM_NOBODY: text(w, "nobody"); break;
	case GATE_PERM_ANYONE: text(w, "anyone"); break;
	case GATE_PERM_ROLES: role_list(w, m, p->roles, p->n_roles); break;
	case GATE_PERM_DEFAULT: break;
	}
}

/* The permission cells of rule R, with decide.c's defaults for absent keys. */
static void perm_cells(writer *w, const gate_matrix *m, const gate_refrule *r)
{
	cell(w);
	if (r->push.kind == GATE_PERM_DEFAULT)
		text(w, "anyone (not set)");
	else
		perm_words(w, m, &r->push);
	cell_end(w);

	cell(w);
	if (r->create.kind != GATE_PERM_DEFAULT) {
		perm_words(w, m, &r->create);
	} else {
		if (r->push.kind == GATE_PERM_DEFAULT)
			text(w, "anyone");
		else
			perm_words(w, m, &r->push);
		text(w, " (not set: as push)");
	}
	cell_end(w);

	cell(w);
	if (r->del.kind == GATE_PERM_DEFAULT)
		text(w, "nobody (not set)");
	else
		perm_words(w, m, &r->del);
	cell_end(w);

	cell(w);
	if (r->force_push.kind == GATE_PERM_DEFAULT)
		text(w, "nobody (not set)");
	else
		perm_words(w, m, &r->force_push);
	cell_end(w);
}

/*
 * "a `Reviewed-by` trailer from a person in `developers` (the owners of
 * `review_code`), not its author"; ARTICLE is "a" or "an".
 */
static void evidence_req(writer *w, const gate_matrix *m, const gate_evidence_req *q,
			 const char *article, const char *trailer, const char *where,
			 const char *duty, const char *author)
{
	w->ops->item(w);
	if (q->min == 1) {
		text(w, article);
		text(w, " ");
	} else {
		number(w, q->min);
		text(w, " ");
	}
	code(w, trailer);
	text(w, q->min == 1 ? " trailer" : " trailers");
	text(w, where);
	text(w, q->min == 1 ? " from a person in " : " from distinct people in ");
	role_choice(w, m, q->roles, q->n_roles);
	if (q->from_duty) {
		text(w, " (the owners of ");
		code(w, duty);
		text(w, ")");
	}
	text(w, q->min == 1 ? ", not " : ", none of them ");
	text(w, author);
	w->ops->item_end(w);
}

static void rule_evidence(writer *w, const gate_matrix *m, const gate_refrule *r)
{
	size_t i;

	para(w, "Every commit a push brings there needs:");
	w->ops->list(w);
	if (r->reviews.set)
		evidence_req(w, m, &r->reviews, "a", "Reviewed-by", "", GATE_DUTY_REVIEW_CODE,
			     "its author, committer, signer or pusher");
	for (i = 0; i < r->n_trailers; i++) {
		const gate_trailer_req *t = &r->trailers[i];
		w->ops->item(w);
		text(w, "a ");
		code(w, t->name);
		text(w, " trailer");
		if (t->n_values) {
			text(w, t->n_values == 1 ? " with the value " : " with one of the values ");
			code_list(w, t->values, t->n_values, "");
		}
		w->ops->item_end(w);
	}
	if (r->signed_commits) {
		w->ops->item(w);
		text(w, "an SSH signature by its committer, with a key listed under that person's ");
		code(w, "keys");
		w->ops->item_end(w);
	}
	w->ops->item(w);
	if (m->n_paths) {
		text(w, "a ");
		code(w, "Reviewed-by");
		text(w, " from the owners of each owned path it touches (see Path owners), and from a "
			"person in ");
	} else {
		text(w, "a ");
		code(w, "Reviewed-by");
		text(w, " from a person in ");
	}
	pipeline_owners(w, m);
	text(w, " if it changes a pipeline path (see Built-in rules)");
	w->ops->item_end(w);
	w->ops->list_end(w);

	if (!r->approvals.set && !r->reachable_from)
		return;
	para(w, "The commit the ref names needs:");
	w->ops->list(w);
	if (r->approvals.set)
		evidence_req(w, m, &r->approvals, "an", "Approved-by",
			     " (in the commit or in an annotated tag's message)",
			     GATE_DUTY_APPROVE_DEPLOYMENT,
			     "the commit's author, committer or signer, the tag's tagger or signer, or the "
			     "pusher");
	if (r->reachable_from) {
		w->ops->item(w);
		text(w, "to be reachable from ");
		code(w, r->reachable_from);
		text(w, " as it stood before the push");
		w->ops->item_end(w);
	}
	w->ops->list_end(w);
}

/* The options checks declare on rule R (name_pattern, ...), with their checks' ids. */
static void rule_opts(writer *w, const gate_refrule *r)
{
	size_t k;
	for (k = 0; k < r->n_opts; k++) {
		const gate_check_info *c = gate_check_rule_option(r->opts[k].name);
		w->ops->para(w);
		code(w, r->opts[k].name);
		text(w, " ");
		code(w, r->opts[k].value);
		text(w, ": ");
		text(w, c ? c->needs : "set");
		if (c) {
			text(w, " (otherwise ");
			code(w, c->id);
			text(w, ")");
		}
		text(w, ".");
		w->ops->para_end(w);
	}
}

static void render_refs(writer *w, const gate_matrix *m)
{
	size_t i;
	char title[64];

	heading(w, 2, "Protected refs");
	if (!m->n_refs) {
		para(w, "This matrix has no ref rules, so no ref is protected: the people in the matrix "
			"may create, push, force-push and delete any ref, anyone else none, nobody a ref "
			"under refs/replace/ or refs/notes/, and no commit is judged.");
		return;
	}
	para(w, "The first rule whose pattern matches a ref applies to it. A ref no rule matches is "
		"not protected: the people in the matrix may create, push, force-push and delete it, "
		"anyone else may not, and its commits are not judged. Refs under refs/replace/ and "
		"refs/notes/ answer only to a rule whose pattern starts with that prefix (a catch-all "
		"does not count): without one, nobody may change them. A force push also needs push; "
		"where a rule does not say who may delete or force-push, nobody may.");
	w->ops->table(w, NO_CENTER);
	w->ops->row(w);
	text_cell(w, "Rule");
	text_cell(w, "Pattern");
	text_cell(w, "Push");
	text_cell(w, "Create");
	text_cell(w, "Delete");
	text_cell(w, "Force-push");
	w->ops->row_end(w);
	for (i = 0; i < m->n_refs; i++) {
		w->ops->row(w);
		cell(w);
		number(w, i + 1);
		cell_end(w);
		cell(w);
		code(w, m->refs[i].pattern);
		cell_end(w);
		perm_cells(w, m, &m->refs[i]);
		w->ops->row_end(w);
	}
	w->ops->table_end(w);

	w->ops->para(w);
	text(w, "What each rule asks of a push. The commits judged are the ones the update brings, "
		"along first parents (");
	code(w, "git rev-list --first-parent OLD..NEW");
	text(w, "); a deletion brings none.");
	w->ops->para_end(w);
	for (i = 0; i < m->n_refs; i++) {
		int n = snprintf(title, sizeof(title), "Rule %zu: ", i + 1);
		w->ops->heading(w, 3);
		if (n > 0 && (size_t)n < sizeof(title))
			text(w, title);
		code(w, m->refs[i].pattern);
		w->ops->heading_end(w, 3);
		rule_opts(w, &m->refs[i]);
		rule_evidence(w, m, &m->refs[i]);
	}
}

/* ---- built-in rules and path owners -------------------------------------- */

static void render_builtin(writer *w, const gate_matrix *m)
{
	size_t i;

	heading(w, 2, "Built-in rules");
	para(w, "Every matrix has these, and no matrix can switch them off:");
	w->ops->list(w);

	w->ops->item(w);
	text(w, "The hooks read this matrix from the trusted ref (git config ");
	code(w, "gatehouse.trustedRef");
	text(w, ", by default the branch ");
	code(w, "HEAD");
	text(w, " points to) as it stood before the push, so a push never changes the rules that "
		"judge it.");
	w->ops->item_end(w);

	w->ops->item(w);
	text(w, "The trusted ref can never be deleted by a push, and a push to it must leave a valid "
		"matrix there.");
	w->ops->item_end(w);

	w->ops->item(w);
	text(w, "A commit pushed to a protected ref that changes a pipeline path needs a ");
	code(w, "Reviewed-by");
	text(w, " from a person in ");
	pipeline_owners(w, m);
	text(w, ", not its author, committer, signer or pusher. Pipeline paths: the matrix file "
		"itself, ");
	for (i = 0; gate_builtin_pipeline_paths[i]; i++) {
		if (i)
			text(w, ", ");
		code(w, gate_builtin_pipeline_paths[i]);
	}
	if (m->n_pipeline_paths) {
		text(w, "; added by this matrix: ");
		code_list(w, m->pipeline_paths, m->n_pipeline_paths, "");
	}
	text(w, ".");
	w->ops->item_end(w);

	w->ops->item(w);
	text(w, "Every push, to any ref, stays within the limits under Settings.");
	w->ops->item_end(w);
	w->ops->list_end(w);
}

static void render_paths(writer *w, const gate_matrix *m)
{
	size_t i;

	heading(w, 2, "Path owners");
	if (!m->n_paths) {
		para(w, "This matrix names no path owners: apart from the pipeline paths, no path needs "
			"a particular reviewer.");
		return;
	}
	w->ops->para(w);
	text(w, "A commit pushed to a protected ref that touches a path matching a pattern needs a ");
	code(w, "Reviewed-by");
	text(w, " from a person in one of the owning roles, not its author, committer, signer or "
		"pusher. Every matching entry applies.");
	w->ops->para_end(w);
	w->ops->table(w, NO_CENTER);
	w->ops->row(w);
	text_cell(w, "Pattern");
	text_cell(w, "Owners");
	w->ops->row_end(w);
	for (i = 0; i < m->n_paths; i++) {
		w->ops->row(w);
		cell(w);
		code(w, m->paths[i].pattern);
		cell_end(w);
		cell(w);
		role_list(w, m, m->paths[i].owners, m->paths[i].n_owners);
		cell_end(w);
		w->ops->row_end(w);
	}
	w->ops->table_end(w);
}

/* ---- secrets, policies, settings ------------------------------------------ */

/* A row of a two-column table: KEY as code, then the caller writes the value. */
static void setting_row(writer *w, const char *key)
{
	w->ops->row(w);
	cell(w);
	code(w, key);
	cell_end(w);
	cell(w);
}

static void setting_row_end(writer *w)
{
	cell_end(w);
	w->ops->row_end(w);
}

static void settings_table(writer *w, const char *what)
{
	w->ops->table(w, NO_CENTER);
	w->ops->row(w);
	text_cell(w, what);
	text_cell(w, "Value");
	w->ops->row_end(w);
}

static void render_secrets(writer *w, const gate_matrix *m)
{
	const gate_secrets_cfg *c = &m->secrets;
	size_t i;

	heading(w, 2, "Secret detection");
	if (c->disabled) {
		w->ops->para(w);
		text(w, "Off: this matrix sets ");
		code(w, "secrets.enabled: false");
		text(w, ", so pushes to this repository are not scanned for secrets.");
		w->ops->para_end(w);
	} else {
		para(w, "Every push, to any ref, protected or not, is scanned for secrets before any ref "
			"moves: every new blob, with the built-in rules and the ones below.");
	}
	settings_table(w, "Setting");
	setting_row(w, "enabled");
	text(w, c->disabled ? "no" : "yes");
	setting_row_end(w);

	setting_row(w, "max_blob_bytes");
	number(w, c->max_blob_bytes ? c->max_blob_bytes : GATE_SECRETS_DEFAULT_MAX_BLOB);
	if (!c->max_blob_bytes)
		text(w, " (default)");
	text(w, ": larger blobs are reported as not scanned");
	setting_row_end(w);

	setting_row(w, "disable");
	if (c->n_disable)
		text(w, "built-in rules switched off: ");
	code_list(w, c->disable, c->n_disable, "none: every built-in rule is on");
	setting_row_end(w);

	setting_row(w, "allow_paths");
	if (c->n_allow_paths)
		text(w, "never scanned: ");
	code_list(w, c->allow_paths, c->n_allow_paths, "none");
	setting_row_end(w);

	setting_row(w, "allow_regexes");
	if (c->n_allow_regexes)
		text(w, "a secret matching one is never a finding: ");
	code_list(w, c->allow_regexes, c->n_allow_regexes, "none");
	setting_row_end(w);

	setting_row(w, "rules");
	if (!c->n_rules) {
		text(w, "none: the built-in rules only");
	} else {
		number(w, c->n_rules);
		text(w, c->n_rules == 1 ? " extra rule: " : " extra rules: ");
		for (i = 0; i < c->n_rules; i++) {
			const gate_secret_rule *sr = &c->rules[i];
			if (i)
				text(w, ", ");
			code(w, sr->id ? sr->id : "");
			if (sr->description && *sr->description) {
				text(w, " (");
				text(w, sr->description);
				text(w, ")");
			}
		}
	}
	setting_row_end(w);
	w->ops->table_end(w);
}

static const char *action_name(int action)
{
	switch (action) {
	case GATE_POLICY_REJECT: return "reject";
	case GATE_POLICY_WARN: return "warn";
	default: return "off";
	}
}

static void render_containers(writer *w, const gate_policies_cfg *p)
{
	char check[96];
	size_t k;

	heading(w, 3, "Containers");
	if (!p->containers) {
		w->ops->para(w);
		text(w, "Off: this matrix sets no ");
		code(w, "policies.containers");
		text(w, ".");
		w->ops->para_end(w);
		return;
	}
	w->ops->para(w);
	text(w, "Kubernetes manifests, Compose files and Dockerfiles in ");
	if (p->n_container_paths)
		code_list(w, p->container_paths, p->n_container_paths, "");
	else
		text(w, "any path");
	text(w, ":");
	w->ops->para_end(w);
	w->ops->table(w, NO_CENTER);
	w->ops->row(w);
	text_cell(w, "Check");
	text_cell(w, "Action");
	w->ops->row_end(w);
	for (k = 0; k < GATE_CCHKS; k++) {
		int n = snprintf(check, sizeof(check), "policy.container.%s",
				 gate_container_check_names[k]);
		setting_row(w, n > 0 && (size_t)n < sizeof(check) ? check : gate_container_check_names[k]);
		text(w, action_name(p->action[k]));
		setting_row_end(w);
	}
	setting_row(w, "policy.container.registries");
	if (p->n_registries) {
		text(w, "reject: images only from ");
		code_list(w, p->registries, p->n_registries, "");
	} else {
		text(w, "off: images from any registry");
	}
	setting_row_end(w);
	w->ops->table_end(w);
}

static void render_dependencies(writer *w, const gate_policies_cfg *p)
{
	heading(w, 3, "Dependencies");
	if (!p->dependencies) {
		w->ops->para(w);
		text(w, "Off: this matrix sets no ");
		code(w, "policies.dependencies");
		text(w, ".");
		w->ops->para_end(w);
		return;
	}
	para(w, "Lock files and manifests (npm, PyPI, Cargo, Go) a push brings:");
	w->ops->list(w);
	w->ops->item(w);
	text(w, "denied (");
	code(w, "policy.dependency.deny");
	text(w, ", reject): ");
	code_list(w, p->deny, p->n_deny, "none");
	w->ops->item_end(w);
	w->ops->item(w);
	text(w, "only approved packages (");
	code(w, "allow_only");
	text(w, "): ");
	text(w, p->allow_only ? "yes, a package no allow entry covers is rejected" : "no");
	w->ops->item_end(w);
	w->ops->item(w);
	text(w, "approved (");
	code(w, "allow");
	text(w, "): ");
	code_list(w, p->allow, p->n_allow, "none");
	w->ops->item_end(w);
	w->ops->item(w);
	text(w, "OSV advisories (");
	code(w, "osv");
	text(w, "): ");
	if (p->osv) {
		code(w, p->osv);
		text(w, ", read from the trusted branch; each advisory denies what it affects");
	} else {
		text(w, "none");
	}
	w->ops->item_end(w);
	w->ops->list_end(w);
}

static void render_policies(writer *w, const gate_matrix *m)
{
	const gate_policies_cfg *p = &m->policies;
	char ms[32];
	size_t i;
	int n;

	heading(w, 2, "Policies on pushed content");
	if (!p->containers && !p->dependencies && !p->n_deploy_refs && !p->external_use) {
		w->ops->para(w);
		text(w, "None: this matrix sets no ");
		code(w, "policies");
		text(w, ", so pushed files are checked for secrets only.");
		w->ops->para_end(w);
		return;
	}
	w->ops->para(w);
	text(w, "Checks on the files each push brings, on every ref. ");
	code(w, "reject");
	text(w, " rejects the ref that brought the file; ");
	code(w, "warn");
	text(w, " shows the finding to the pusher and records it without rejecting; ");
	code(w, "off");
	text(w, " does nothing.");
	w->ops->para_end(w);
	render_containers(w, p);
	render_dependencies(w, p);

	heading(w, 3, "Deployment refs");
	w->ops->para(w);
	if (p->n_deploy_refs) {
		for (i = 0; i < p->n_deploy_refs; i++) {
			const gate_deploy_src *src = p->deploy_src ? &p->deploy_src[i] : NULL;
			text(w, i ? " A ref matching " : "A ref matching ");
			code(w, p->deploy_refs[i]);
			if (src && src->from) {
				text(w, " may only be created or moved to a commit that a ref matching ");
				code_list(w, src->from, src->n_from, "");
				text(w, " already holds.");
			} else {
				text(w, " may only be created or moved to a commit that a ref whose rule "
					"demands evidence (reviews, trailers, signatures or approvals) "
					"already holds.");
			}
		}
		text(w, " Otherwise: ");
		code(w, "policy.deploy_ref");
		text(w, ".");
	} else {
		text(w, "None: this matrix sets no ");
		code(w, "policies.deploy_refs");
		text(w, ".");
	}
	w->ops->para_end(w);

	heading(w, 3, "External policy");
	w->ops->para(w);
	if (p->external_use) {
		text(w, "Once per push, after the built-in checks, gatehouse runs the server's policy ");
		code(w, p->external_use);
		text(w, " (the command the server's git config gatehouse.externalPolicy.");
		text(w, p->external_use);
		text(w, ".command names, no shell) with the push as JSON on its stdin; each message it "
			"returns rejects the push (");
		code(w, "policy.external");
		text(w, "). It has ");
		n = snprintf(ms, sizeof(ms), "%u", p->external_timeout_ms);
		if (n > 0 && (size_t)n < sizeof(ms))
			text(w, ms);
		text(w, " ms to answer; a command that fails is an internal error.");
	} else {
		text(w, "None: this matrix sets no ");
		code(w, "policies.external");
		text(w, ".");
	}
	w->ops->para_end(w);
}

static void render_settings(writer *w, const gate_matrix *m)
{
	const gate_settings *s = &m->settings;
	size_t k;

	heading(w, 2, "Settings");
	settings_table(w, "Setting");
	setting_row(w, "on_error");
	if (s->on_error_allow)
		text(w, "allow: an internal error lets the push through, with a warning, on record");
	else
		text(w, s->on_error_loc.line ? "reject: an internal error rejects the push"
					     : "reject (default): an internal error rejects the push");
	setting_row_end(w);

	setting_row(w, "override_role");
	if (s->override_role >= 0 && (size_t)s->override_role < m->n_roles) {
		code(w, m->roles[s->override_role].id);
		text(w, " may break glass with ");
		code(w, "git push -o gatehouse.override=\"INC-1234: reason\"");
		text(w, ": past evidence, secret and policy checks, never past permissions");
	} else {
		text(w, "not set: nobody may break glass");
	}
	setting_row_end(w);

	setting_row(w, "time_budget_ms");
	if (s->time_budget_ms) {
		number(w, s->time_budget_ms);
		text(w, ": when it is spent the hook stops and ");
		code(w, "on_error");
		text(w, " decides");
	} else {
		text(w, "not set: no budget (4500 on GitHub Enterprise Server)");
	}
	setting_row_end(w);

	setting_row(w, "metrics_file");
	if (s->metrics_file) {
		code(w, s->metrics_file);
		text(w, ": Prometheus text-format metrics after each push");
	} else {
		text(w, "not set");
	}
	setting_row_end(w);

	setting_row(w, "syslog");
	text(w, s->syslog ? "yes: each audit record goes to syslog too" : "no");
	setting_row_end(w);
	w->ops->table_end(w);

	heading(w, 3, "Limits");
	para(w, "Bounds on what one push may bring. A push past one is rejected whole, on every ref, "
		"and the break-glass override cannot lift it.");
	w->ops->table(w, NO_CENTER);
	w->ops->row(w);
	text_cell(w, "Limit");
	text_cell(w, "Value");
	text_cell(w, "Bounds");
	w->ops->row_end(w);
	for (k = 0; k < GATE_LIMITS; k++) {
		setting_row(w, gate_limit_defs[k].key);
		number(w, s->limits.value[k]);
		if (!s->limits.loc[k].line)
			text(w, " (default)");
		cell_end(w);
		text_cell(w, gate_limit_defs[k].what);
		w->ops->row_end(w);
	}
	w->ops->table_end(w);
}

static const char *expect_action(int action)
{
	switch (action) {
	case GATE_UPD_CREATE: return "create";
	case GATE_UPD_DELETE: return "delete";
	case GATE_UPD_FORCE: return "force-push";
	default: return "push";
	}
}

static void render_expectations(writer *w, const gate_matrix *m)
{
	size_t i;

	if (!m->n_expectations)
		return;
	heading(w, 2, "Expectations");
	w->ops->para(w);
	text(w, "Privilege boundaries this matrix states about itself; ");
	code(w, "gatehouse matrix test");
	text(w, " checks each one with the hooks' own decision code (permissions only).");
	w->ops->para_end(w);
	w->ops->table(w, NO_CENTER);
	w->ops->row(w);
	text_cell(w, "Login");
	text_cell(w, "Action");
	text_cell(w, "Ref");
	text_cell(w, "Expected");
	w->ops->row_end(w);
	for (i = 0; i < m->n_expectations; i++) {
		const gate_expectation *e = &m->expectations[i];
		w->ops->row(w);
		cell(w);
		code(w, e->user);
		cell_end(w);
		text_cell(w, expect_action(e->action));
		cell(w);
		code(w, e->ref);
		cell_end(w);
		text_cell(w, e->allow ? "allowed" : "denied");
		w->ops->row_end(w);
	}
	w->ops->table_end(w);
}

/* ---- entry points --------------------------------------------------------- */

/* The title and the paragraph saying what made the page and how to change it. */
static void render_intro(writer *w, const char *label)
{
	gate_buf cmd = GATE_BUF_INIT;

	heading(w, 1, "Responsibilities");
	w->ops->para(w);
	text(w, "This page is generated from the responsibility matrix ");
	code(w, label);
	text(w, " by ");
	gate_buf_printf(&cmd, "gatehouse matrix render %s%s",
			w->ops == &html_ops ? "--format html " : "", label);
	code(w, gate_buf_cstr(&cmd));
	if (cmd.oom)
		w->out->oom = 1;
	gate_buf_dispose(&cmd);
	text(w, ". Do not edit it by hand: change the matrix, then run the command again. The "
		"matrix says who owns each part of security; gatehouse's git hooks enforce it on every "
		"push.");
	w->ops->para_end(w);
}

static int render(gate_buf *out, const gate_matrix *m, const char *source_label,
		  const format_ops *ops)
{
	writer w;
	const char *label = source_label ? source_label : gate_matrix_label(m);
	int oom;

	memset(&w, 0, sizeof(w));
	w.ops = ops;
	w.out = out;
	w.center_from = NO_CENTER;

	ops->begin(&w, label);
	render_intro(&w, label);
	render_duties(&w, m);
	render_roles(&w, m);
	render_people(&w, m);
	render_refs(&w, m);
	render_builtin(&w, m);
	render_paths(&w, m);
	render_secrets(&w, m);
	render_policies(&w, m);
	render_settings(&w, m);
	render_expectations(&w, m);
	ops->end(&w);

	oom = out->oom || w.tmp.oom;
	gate_buf_dispose(&w.tmp);
	return oom ? gate_error_oom() : 0;
}

int gate_render_markdown(gate_buf *out, const gate_matrix *m, const char *source_label)
{
	return render(out, m, source_label, &markdown_ops);
}

int gate_render_html(gate_buf *out, const gate_matrix *m, const char *source_label)
{
	return render(out, m, source_label, &html_ops);
}

int gate_render_write(const gate_sink *out, const gate_matrix *m, gate_render_format format,
		      const char *source_label)
{
	gate_buf b = GATE_BUF_INIT;
	int rc = format == GATE_RENDER_HTML ? gate_render_html(&b, m, source_label)
					    : gate_render_markdown(&b, m, source_label);

	if (rc == 0 && (gate_sink_write(out, gate_buf_cstr(&b), b.len) < 0 || gate_sink_flush(out) < 0))
		rc = gate_error_set(GATE_EIO, "cannot write the document");
	gate_buf_dispose(&b);
	return rc;
}
