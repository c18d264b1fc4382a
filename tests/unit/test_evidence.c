/*
 * Specification of the evidence checks (src/evidence.h): Reviewed-by from
 * enough distinct people in the accepted roles (never whoever made or pushes
 * the change: author, committer, signers, tagger, pusher), required
 * scan trailers, SSH signatures, path owners' and pipeline owners' reviews,
 * Approved-by on what a tag names, and reachable_from.
 *
 * Pure: the matrix is inline YAML, commit facts are built by hand with
 * trailers parsed from real-looking messages, and no git is involved.  Each
 * case states which check ids the push produces, in order; reasons are also
 * checked for the matrix line of the rule key they enforce and a fix the
 * pusher can run.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "engine/checks.h"
#include "evidence/evidence.h"

#define LABEL "m.yml"

static const char matrix_yaml[] =
	"version: 1\n"                                                   /*  1 */
	"people:\n"                                                      /*  2 */
	"  alice: { name: Alice Adams, emails: [alice@example.com] }\n"  /*  3 */
	"  bob: { emails: [bob@example.com, bob@users.example.org] }\n"  /*  4 */
	"  carol: { emails: [carol@example.com] }\n"                     /*  5 */
	"  dave: { name: Dave Dee, emails: [dave@example.com] }\n"       /*  6 */
	"  erin: { name: Erin Eames, emails: [erin@example.com] }\n"     /*  7 */
	"  oscar: { emails: [oscar@example.com] }\n"                     /*  8 */
	"roles:\n"                                                       /*  9 */
	"  developers: [alice, bob, carol]\n"                            /* 10 */
	"  security: [dave]\n"                                           /* 11 */
	"  operations: [oscar]\n"                                        /* 12 */
	"  release: [erin]\n"                                            /* 13 */
	"responsibilities:\n"                                            /* 14 */
	"  write_code: developers\n"                                     /* 15 */
	"  review_code: developers\n"                                    /* 16 */
	"  configure_pipeline: release\n"                                /* 17 */
	"  resolve_vulnerabilities: security\n"                          /* 18 */
	"  approve_deployment: release\n"                                /* 19 */
	"refs:\n"                                                        /* 20 */
	"  - pattern: refs/heads/main\n"                                 /* 21 */
	"    reviews: { min: 2, from: [developers, security] }\n"        /* 22 */
	"    trailers:\n"                                                /* 23 */
	"      Scan-SAST: [pass]\n"                                      /* 24 */
	"      Scan-Deps: [pass, waived]\n"                              /* 25 */
	"    signed: true\n"                                             /* 26 */
	"  - pattern: refs/tags/v*\n"                                    /* 27 */
	"    approvals: { min: 1 }\n"                                    /* 28 */
	"    reachable_from: refs/heads/main\n"                          /* 29 */
	"  - pattern: refs/heads/dev\n"                                  /* 30 */
	"    push: [developers]\n"                                       /* 31 */
	"  - pattern: refs/heads/team\n"                                 /* 32 */
	"    reviews: 1\n"                                               /* 33 */
	"paths:\n"                                                       /* 34 */
	"  - { pattern: \"infra/**\", owners: [operations] }\n"          /* 35 */
	"  - { pattern: \"**/*.tf\", owners: [operations, security] }\n" /* 36 */
	"pipeline_paths: [\"deploy/**\"]\n";                             /* 37 */

#define LINE_REVIEWS 22
#define LINE_SAST 24
#define LINE_DEPS 25
#define LINE_SIGNED 26
#define LINE_APPROVALS 28
#define LINE_REACHABLE 29
#define LINE_PATH_INFRA 35
#define LINE_PATH_TF 36

#define MAIN "refs/heads/main"
#define TAG "refs/tags/v1.0"
#define DEV "refs/heads/dev" /* a rule with no evidence keys: only path owners apply */
#define MATRIX_PATH "matrix/responsibility.yml"

static gate_matrix *m;
static gate_commit_list commits;
static gate_update upd;
static gate_decision d;

static void setup(void)
{
	gate_diags diags = GATE_DIAGS_INIT;
	int rc = gate_matrix_load_buffer(&m, LABEL, matrix_yaml, sizeof(matrix_yaml) - 1, &diags);
	size_t i;

	for (i = 0; i < diags.count; i++)
		cr_log_error("%s", diags.items[i].text);
	cr_assert_eq(rc, 0, "test matrix must load: %s", gate_error_last());
	gate_diags_dispose(&diags);
	memset(&commits, 0, sizeof(commits));
	memset(&d, 0, sizeof(d));
}

static void teardown(void)
{
	gate_decision_dispose(&d);
	gate_commit_list_dispose(&commits);
	gate_free(upd.ref);
	memset(&upd, 0, sizeof(upd));
	gate_matrix_free(m);
	m = NULL;
}

TestSuite(evidence, .init = setup, .fini = teardown);

/* ---- building facts ---------------------------------------------------------------- */

/* Trailers a commit to main needs besides reviews (and a signature). */
#define SCANS "Scan-SAST: pass\nScan-Deps: pass\n"
#define BY_BOB "Reviewed-by: Bob <bob@example.com>\n"
#define BY_CAROL "Reviewed-by: Carol <carol@example.com>\n"
#define BY_DAVE "Reviewed-by: Dave Dee <dave@example.com>\n"
#define BY_ERIN "Reviewed-by: Erin Eames <erin@example.com>\n"
#define BY_OSCAR "Reviewed-by: Oscar <oscar@example.com>\n"
#define BY_ALICE "Reviewed-by: Alice Adams <alice@example.com>\n"

/* Fills C from MESSAGE (subject: its first line) by AUTHOR, touching PATHS (NULL-terminated). */
static void facts_init(gate_commit_facts *c, const char *author, const char *message,
		       const char *const *paths, gate_signed_status sig)
{
	static unsigned serial;
	size_t i;

	memset(c, 0, sizeof(*c));
	snprintf(c->short_id, sizeof(c->short_id), "c%09u", ++serial);
	c->subject = gate_strndup(message, strcspn(message, "\n"));
	c->author_email = gate_strdup(author);
	cr_assert(c->subject && c->author_email);
	cr_assert_eq(gate_trailers_parse(&c->trailers, message), 0);
	for (i = 0; paths && paths[i]; i++) {
		cr_assert_eq(gate_grow(&c->paths, &c->cap_paths, c->n_paths + 1, sizeof(char *)),
			     0);
		c->paths[c->n_paths] = gate_strdup(paths[i]);
		cr_assert_not_null(c->paths[c->n_paths]);
		c->n_paths++;
	}
	c->sig = sig;
	c->signer = -1;
}

/* Appends a judged commit; returns it (valid until the next add). */
static gate_commit_facts *add(const char *author, const char *message, const char *const *paths,
			      gate_signed_status sig)
{
	cr_assert_eq(gate_grow(&commits.items, &commits.cap, commits.count + 1,
			       sizeof(gate_commit_facts)), 0);
	facts_init(&commits.items[commits.count], author, message, paths, sig);
	return &commits.items[commits.count++];
}

static const char *const SRC[] = { "src/main.c", NULL };

/* A commit by alice that main accepts: two reviews, both scans, signed. */
#define GOOD_MESSAGE "Fix the parser\n\nLonger text.\n\n" BY_BOB BY_CAROL SCANS

/* ---- judging ------------------------------------------------------------------------ */

/* reachable_from as the caller found it; zero (the default) is "not checked". */
enum { UNCHECKED = 0, NOT_REACHABLE, REACHABLE };

typedef struct {
	const char *matrix_path;
	const gate_commit_facts *target;
	const gate_trailers *tag_trailers;
	int reach;    /* UNCHECKED, NOT_REACHABLE or REACHABLE */
	int deleting; /* the update deletes the ref */
	const gate_evidence_party *parties; /* tagger, tag signer, pusher */
	size_t n_parties;
} opts;

#define OPTS(...) ((opts){ __VA_ARGS__ })

/* Judges the commits added so far as a push to REF; the decision is in d. */
static void judge_with(const char *ref, opts o)
{
	gate_evidence_ctx ctx;
	const gate_refrule *rule = NULL;

	gate_decision_dispose(&d);
	gate_free(upd.ref);
	memset(&upd, 0, sizeof(upd));
	upd.ref = gate_strdup(ref);
	upd.kind = o.deleting ? GATE_UPD_DELETE : GATE_UPD_FAST_FORWARD;
	upd.is_tag = !strncmp(ref, "refs/tags/", 10);
	upd.new_type = o.deleting ? GIT_OBJECT_INVALID : GIT_OBJECT_COMMIT;
	cr_assert_eq(gate_matrix_rule_for_ref(&rule, m, ref), 0);
	d.update = &upd;
	d.rule = rule;
	memset(&ctx, 0, sizeof(ctx));
	ctx.m = m;
	ctx.rule = rule;
	ctx.u = &upd;
	ctx.matrix_path = o.matrix_path;
	ctx.commits = &commits;
	ctx.target = o.target;
	ctx.tag_trailers = o.tag_trailers;
	ctx.reachable = o.reach == UNCHECKED ? -1 : o.reach == REACHABLE;
	ctx.parties = o.parties;
	ctx.n_parties = o.n_parties;
	cr_assert_eq(gate_checks_run_ref(&d, &ctx), 0, "gate_checks_run_ref: %s",
		     gate_error_last());
}

static void judge(const char *ref) { judge_with(ref, OPTS(.matrix_path = NULL)); }

/* The check ids of d's reasons, comma-separated ("" when accepted). */
static const char *ids(void)
{
	static char buf[4096];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < d.n_reasons && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "",
				      d.reasons[i].check);
	return buf;
}

static void dump(void)
{
	size_t i;
	for (i = 0; i < d.n_reasons; i++)
		cr_log_info("reason %zu %s [%d:%d] subject=%s | found=%s | missing=%s | fix=%s", i,
			    d.reasons[i].check, d.reasons[i].line, d.reasons[i].col,
			    d.reasons[i].subject, d.reasons[i].found, d.reasons[i].missing,
			    d.reasons[i].fix);
}

/*
 * The decision's check ids are exactly WANT (and the verdict follows).  A
 * wrong number of reasons stops the test, so callers may index them.
 */
static void expect_ids(const char *want, const char *what)
{
	size_t n = want[0] ? 1 : 0;
	const char *p;

	for (p = want; *p; p++)
		n += *p == ',';
	if (strcmp(ids(), want))
		dump();
	cr_expect_str_eq(ids(), want, "%s", what);
	cr_expect_eq(d.verdict, want[0] ? GATE_REJECT : GATE_ACCEPT, "%s: verdict", what);
	cr_assert_eq(d.n_reasons, n, "%s: %zu reason(s) expected", what, n);
}

static void expect_found(size_t i, const char *needle)
{
	cr_assert_lt(i, d.n_reasons, "no reason %zu", i);
	cr_expect_not_null(strstr(d.reasons[i].found, needle),
			   "found of reason %zu ('%s') lacks '%s'", i, d.reasons[i].found, needle);
}

/* ---- reviews ------------------------------------------------------------------------- */

Test(evidence, commit_with_every_piece_of_evidence_is_accepted)
{
	add("alice@example.com", GOOD_MESSAGE, SRC, GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("", "two reviews, both scans, signed");
	cr_expect_eq(d.n_suppressed, 0);
}

Test(evidence, reviews_met_by_two_distinct_people_in_accepted_roles)
{
	static const struct {
		const char *reviews, *what;
		const char *ids;
	} cases[] = {
		{ BY_BOB BY_CAROL, "two developers", "" },
		{ BY_BOB BY_DAVE, "a developer and security", "" },
		{ BY_DAVE BY_CAROL BY_BOB, "three", "" },
		{ "Reviewed-by: bob@example.com\nReviewed-by: CAROL@Example.com\n",
		  "bare, any case", "" },
		{ "Reviewed-by: Bob <bob@users.example.org>\n" BY_CAROL, "a second email of bob",
		  "" },
		{ BY_BOB, "one review", "review.min" },
		{ "", "no review", "review.min" },
		{ "Acked-by: Bob <bob@example.com>\n" BY_CAROL, "Acked-by is not Reviewed-by",
		  "review.min" },
		{ "reviewed-by: Bob <bob@example.com>\n" BY_CAROL, "the key is case-insensitive",
		  "" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char msg[512];
		gate_commit_list_dispose(&commits);
		snprintf(msg, sizeof(msg), "Change\n\n%s" SCANS, cases[i].reviews);
		add("alice@example.com", msg, SRC, GATE_SIGNED_OK);
		judge(MAIN);
		expect_ids(cases[i].ids, cases[i].what);
	}
}

Test(evidence, author_review_does_not_count)
{
	add("alice@example.com", "Change\n\n" BY_ALICE BY_BOB SCANS, SRC, GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("review.min", "alice reviewing her own commit");
	expect_found(0, "1 review counted (bob)");
	expect_found(0, "alice@example.com (the author: no self-review)");
}

Test(evidence, author_is_recognised_by_any_of_their_emails_and_any_case)
{
	add("BOB@users.example.ORG", "Change\n\n" BY_BOB BY_CAROL SCANS, SRC, GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("review.min", "bob's commit under his second address, reviewed by bob");
	expect_found(0, "the author: no self-review");
}

Test(evidence, two_trailers_by_the_same_person_count_once)
{
	static const char *const twice[] = {
		BY_BOB BY_BOB,
		BY_BOB "Reviewed-by: BOB@EXAMPLE.COM\n",
		BY_BOB "Reviewed-by: Robert <bob@users.example.org>\n",
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(twice); i++) {
		char msg[512];
		gate_commit_list_dispose(&commits);
		snprintf(msg, sizeof(msg), "Change\n\n%s" SCANS, twice[i]);
		add("alice@example.com", msg, SRC, GATE_SIGNED_OK);
		judge(MAIN);
		expect_ids("review.min", twice[i]);
		expect_found(0, "1 review counted (bob)");
	}
}

Test(evidence, unknown_email_counts_for_nothing_and_is_named)
{
	add("alice@example.com",
	    "Change\n\n" BY_BOB "Reviewed-by: Mallory <mallory@evil.example>\n" SCANS, SRC,
	    GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("review.min", "a stranger's review");
	expect_found(0, "mallory@evil.example (not a person in the matrix)");
	expect_found(0, "1 review counted (bob)");
}

Test(evidence, review_without_an_email_counts_for_nothing_and_is_named)
{
	add("alice@example.com", "Change\n\n" BY_BOB "Reviewed-by: Carol\n" SCANS, SRC,
	    GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("review.min", "a name without an address");
	expect_found(0, "'Carol' (no email)");
}

Test(evidence, reviewer_outside_the_accepted_roles_does_not_count)
{
	add("alice@example.com", "Change\n\n" BY_BOB BY_OSCAR SCANS, SRC, GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("review.min", "operations is not a reviewing role of main");
	expect_found(0, "oscar is not in an accepted role");
	expect_found(0, "1 review counted (bob)");
}

Test(evidence, every_judged_commit_needs_its_own_reviews)
{
	add("alice@example.com", GOOD_MESSAGE, SRC, GATE_SIGNED_OK);
	add("alice@example.com", "Second\n\n" BY_BOB SCANS, SRC, GATE_SIGNED_OK);
	add("bob@example.com", "Third\n\n" BY_ALICE BY_DAVE SCANS, SRC, GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("review.min", "only the second commit lacks a review");
	cr_expect_not_null(strstr(d.reasons[0].subject, "Second"), "subject: %s",
			   d.reasons[0].subject);
	cr_expect_not_null(strstr(d.reasons[0].subject, commits.items[1].short_id));
}

Test(evidence, reviews_shorthand_accepts_the_review_code_owners)
{
	add("alice@example.com", "Change\n\n" BY_DAVE, SRC, GATE_SIGNED_NONE);
	judge("refs/heads/team");
	expect_ids("review.min", "reviews: 1 takes review_code's roles: security does not count");
	gate_commit_list_dispose(&commits);
	add("alice@example.com", "Change\n\n" BY_CAROL, SRC, GATE_SIGNED_NONE);
	judge("refs/heads/team");
	expect_ids("", "a developer's review");
}

Test(evidence, review_reason_names_its_rule_line_and_a_trailer_fix)
{
	const gate_reason *r;

	add("alice@example.com", "Change\n\n" BY_BOB SCANS, SRC, GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("review.min", "one review short");
	r = &d.reasons[0];
	cr_expect_eq(r->line, LINE_REVIEWS);
	cr_expect_eq(r->col, 14, "the reviews: value");
	cr_expect_not_null(strstr(r->fix, "git commit --amend --trailer 'Reviewed-by: "), "%s",
			   r->fix);
	cr_expect_not_null(strstr(r->fix, "<bob@example.com>"), "suggests someone who can: %s",
			   r->fix);
	cr_expect_not_null(strstr(r->missing, "2 Reviewed-by"), "%s", r->missing);
	cr_expect_not_null(strstr(r->missing, "developers (alice, bob, carol)"), "%s", r->missing);
	cr_expect_not_null(strstr(r->missing, "security (dave)"), "%s", r->missing);
}

Test(evidence, fix_never_suggests_the_author_as_reviewer)
{
	add("bob@example.com", "Change\n\n" BY_CAROL SCANS, SRC, GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("review.min", "bob's commit");
	cr_expect_null(strstr(d.reasons[0].fix, "bob@example.com"), "%s", d.reasons[0].fix);
	cr_expect_not_null(strstr(d.reasons[0].fix, "Alice Adams <alice@example.com>"), "%s",
			   d.reasons[0].fix);
}

/* ---- trailers ------------------------------------------------------------------------- */

Test(evidence, required_trailers_need_an_accepted_value)
{
	static const struct {
		const char *scans, *what, *ids;
	} cases[] = {
		{ "Scan-SAST: pass\nScan-Deps: pass\n", "both pass", "" },
		{ "Scan-SAST: pass\nScan-Deps: waived\n", "a second accepted value", "" },
		{ "Scan-SAST: PASS\nScan-Deps: Waived\n", "values ignore case", "" },
		{ "scan-sast: pass\nSCAN-DEPS: pass\n", "names ignore case", "" },
		{ "Scan-Deps: pass\n", "Scan-SAST missing", "trailer.required" },
		{ "Scan-SAST: pass\n", "Scan-Deps missing", "trailer.required" },
		{ "", "both missing", "trailer.required,trailer.required" },
		{ "Scan-SAST: fail\nScan-Deps: pass\n", "a wrong value", "trailer.required" },
		{ "Scan-SAST: waived\nScan-Deps: pass\n", "waived is accepted for Deps only",
		  "trailer.required" },
		{ "Scan-SAST: passed\nScan-Deps: pass\n", "no prefix matching",
		  "trailer.required" },
		{ "Scan-SAST:\nScan-Deps: pass\n", "an empty value", "trailer.required" },
		{ "Scan-SAST: pass\nScan-SAST: fail\nScan-Deps: pass\n", "the last one wins (fail)",
		  "trailer.required" },
		{ "Scan-SAST: fail\nScan-SAST: pass\nScan-Deps: pass\n", "the last one wins (pass)",
		  "" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char msg[512];
		gate_commit_list_dispose(&commits);
		snprintf(msg, sizeof(msg), "Change\n\n" BY_BOB BY_CAROL "%s", cases[i].scans);
		add("alice@example.com", msg, SRC, GATE_SIGNED_OK);
		judge(MAIN);
		expect_ids(cases[i].ids, cases[i].what);
	}
}

Test(evidence, trailers_outside_the_trailer_block_do_not_count)
{
	add("alice@example.com",
	    "Change\n\nScan-SAST: pass\nScan-Deps: pass\n\nThe scans above were run by hand.\n",
	    SRC, GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("review.min,trailer.required,trailer.required", "prose after the scans");
}

Test(evidence, trailer_reasons_say_what_was_found_and_name_their_line)
{
	add("alice@example.com", "Change\n\n" BY_BOB BY_CAROL "Scan-Deps: failed\n", SRC,
	    GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("trailer.required,trailer.required", "SAST missing, Deps wrong");
	cr_expect_eq(d.reasons[0].line, LINE_SAST);
	cr_expect_eq(d.reasons[0].col, 7);
	expect_found(0, "has no Scan-SAST trailer");
	cr_expect_str_eq(d.reasons[0].missing, "Scan-SAST: pass");
	cr_expect_not_null(strstr(d.reasons[0].fix, "--trailer 'Scan-SAST: pass'"), "%s",
			   d.reasons[0].fix);
	cr_expect_eq(d.reasons[1].line, LINE_DEPS);
	expect_found(1, "says Scan-Deps: failed");
	cr_expect_str_eq(d.reasons[1].missing, "Scan-Deps: pass or waived");
	cr_expect_not_null(strstr(d.reasons[1].fix, "--trailer 'Scan-Deps: pass'"), "%s",
			   d.reasons[1].fix);
}

Test(evidence, hostile_trailer_value_is_escaped_in_the_reason)
{
	add("alice@example.com",
	    "Change\n\n" BY_BOB BY_CAROL "Scan-SAST: \x1b[2Jpass\nScan-Deps: pass\n", SRC,
	    GATE_SIGNED_OK);
	judge(MAIN);
	expect_ids("trailer.required", "an escape sequence is not 'pass'");
	cr_expect_null(strchr(d.reasons[0].found, '\x1b'), "raw ESC in: %s", d.reasons[0].found);
	expect_found(0, "\\x1b");
}

/* ---- signatures ------------------------------------------------------------------------ */

Test(evidence, signature_statuses_map_to_check_ids)
{
	static const struct {
		gate_signed_status sig;
		const char *id, *found;
	} cases[] = {
		{ GATE_SIGNED_OK, "", NULL },
		{ GATE_SIGNED_NONE, "signature.missing", "is not signed" },
		{ GATE_SIGNED_OPENPGP, "signature.unsupported", "OpenPGP" },
		{ GATE_SIGNED_X509, "signature.unsupported", "not an SSH signature" },
		{ GATE_SIGNED_UNKNOWN_KEY, "signature.unknown_key", "SHA256:abc" },
		{ GATE_SIGNED_BAD, "signature.invalid", "does not verify: detail text" },
		{ GATE_SIGNED_MALFORMED, "signature.invalid", "malformed signature: detail text" },
		/* a signature nobody checked never passes */
		{ GATE_SIGNED_NOT_CHECKED, "signature.invalid", "malformed" },
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_commit_facts *c;
		char what[64];

		gate_commit_list_dispose(&commits);
		c = add("alice@example.com", GOOD_MESSAGE, SRC, cases[i].sig);
		snprintf(c->fingerprint, sizeof(c->fingerprint), "SHA256:abc");
		snprintf(c->sig_detail, sizeof(c->sig_detail), "detail text");
		if (cases[i].sig == GATE_SIGNED_BAD)
			c->signer = 4; /* erin, who reviewed nothing */
		judge(MAIN);
		snprintf(what, sizeof(what), "signature status %d", (int)cases[i].sig);
		expect_ids(cases[i].id, what);
		if (cases[i].found)
			expect_found(0, cases[i].found);
	}
}

Test(evidence, bad_signature_names_the_key_holder)
{
	gate_commit_facts *c = add("alice@example.com", GOOD_MESSAGE, SRC, GATE_SIGNED_BAD);
	c->signer = 4;
	snprintf(c->fingerprint, sizeof(c->fingerprint), "SHA256:xyz");
	judge(MAIN);
	expect_ids("signature.invalid", "bad signature");
	expect_found(0, "by erin's key SHA256:xyz");
}

Test(evidence, signature_reason_names_its_line_and_a_signing_fix)
{
	add("alice@example.com", GOOD_MESSAGE, SRC, GATE_SIGNED_NONE);
	judge(MAIN);
	expect_ids("signature.missing", "unsigned");
	cr_expect_eq(d.reasons[0].line, LINE_SIGNED);
	cr_expect_eq(d.reasons[0].col, 13);
	cr_expect_not_null(strstr(d.reasons[0].fix, " -S"), "%s", d.reasons[0].fix);
	cr_expect_not_null(strstr(d.reasons[0].fix, "gpg.format ssh"), "%s", d.reasons[0].fix);
}

/*
 * Regression (found by this test, fixed): (src/evidence.c, check_signature / need_reviews): README promises that
 * with signed: true "nobody can land commits in someone else's name", but a
 * GATE_SIGNED_OK commit passes whoever signed it: the signer (c->signer) is
 * never compared with the author.  alice can sign a commit whose author
 * header says carol, then review it herself: both reviews count, because
 * the self-review rule only looks at the (forgeable) author email.
 */
Test(evidence, signed_commit_in_someone_elses_name_is_refused)
{
	gate_commit_facts *c = add("carol@example.com", "Change\n\n" BY_ALICE BY_BOB SCANS, SRC,
				   GATE_SIGNED_OK);
	c->signer = 0; /* alice's key */
	judge(MAIN);
	cr_expect_eq(d.verdict, GATE_REJECT,
		     "alice signed a commit in carol's name and reviewed it herself: %s", ids());
}

Test(evidence, signatures_are_not_checked_where_the_rule_does_not_ask)
{
	add("alice@example.com", "Change\n", SRC, GATE_SIGNED_NONE);
	add("alice@example.com", "Change\n", SRC, GATE_SIGNED_BAD);
	judge(DEV);
	expect_ids("", "dev has no signed: key");
}

/* ---- path owners ------------------------------------------------------------------------ */

static void judge_paths(const char *message, const char *const *paths)
{
	gate_commit_list_dispose(&commits);
	add("alice@example.com", message, paths, GATE_SIGNED_NONE);
	judge_with(DEV, OPTS(.matrix_path = MATRIX_PATH));
}

Test(evidence, touching_infra_needs_an_operations_review)
{
	static const char *const infra[] = { "infra/x", NULL };

	judge_paths("Change\n", infra);
	expect_ids("review.owner", "no review");
	cr_expect_eq(d.reasons[0].line, LINE_PATH_INFRA);
	expect_found(0, "touches infra/x");
	expect_found(0, "path rule infra/**");
	cr_expect_not_null(strstr(d.reasons[0].missing, "operations (oscar)"), "%s",
			   d.reasons[0].missing);
	cr_expect_not_null(
		strstr(d.reasons[0].fix, "--trailer 'Reviewed-by: oscar <oscar@example.com>'"),
		"%s", d.reasons[0].fix);

	judge_paths("Change\n\n" BY_BOB BY_DAVE, infra);
	expect_ids("review.owner", "developers and security do not own infra/**");
	judge_paths("Change\n\n" BY_OSCAR, infra);
	expect_ids("", "an operations review");
}

Test(evidence, owner_review_of_their_own_change_does_not_count)
{
	static const char *const infra[] = { "infra/x", NULL };
	gate_commit_list_dispose(&commits);
	add("oscar@example.com", "Change\n\n" BY_OSCAR, infra, GATE_SIGNED_NONE);
	judge(DEV);
	expect_ids("review.owner", "oscar reviewing his own infra change");
	expect_found(0, "oscar@example.com (the author: no self-review)");
}

Test(evidence, touching_a_tf_file_accepts_security_or_operations)
{
	static const char *const tf[] = { "a.tf", NULL };
	static const char *const deep_tf[] = { "modules/net/vpc.tf", NULL };

	judge_paths("Change\n", tf);
	expect_ids("review.owner", "no review");
	cr_expect_eq(d.reasons[0].line, LINE_PATH_TF);
	judge_paths("Change\n\n" BY_DAVE, tf);
	expect_ids("", "security owns **/*.tf");
	judge_paths("Change\n\n" BY_OSCAR, tf);
	expect_ids("", "so does operations");
	judge_paths("Change\n\n" BY_BOB, deep_tf);
	expect_ids("review.owner", "a developer does not own it, at any depth");
	judge_paths("Change\n\n" BY_DAVE, deep_tf);
	expect_ids("", "security, at any depth");
}

Test(evidence, path_matched_by_two_rules_needs_both_satisfied)
{
	static const char *const both[] = { "infra/main.tf", NULL };

	judge_paths("Change\n", both);
	expect_ids("review.owner,review.owner", "neither rule met");
	cr_expect_eq(d.reasons[0].line, LINE_PATH_INFRA);
	cr_expect_eq(d.reasons[1].line, LINE_PATH_TF);
	judge_paths("Change\n\n" BY_DAVE, both);
	expect_ids("review.owner", "security meets **/*.tf but not infra/**");
	cr_expect_eq(d.reasons[0].line, LINE_PATH_INFRA);
	judge_paths("Change\n\n" BY_OSCAR, both);
	expect_ids("", "operations owns both");
}

Test(evidence, one_reason_per_path_rule_however_many_paths_it_covers)
{
	static const char *const many[] = { "infra/a", "src/x.c", "infra/b", "infra/c/d", NULL };

	judge_paths("Change\n", many);
	expect_ids("review.owner", "three infra paths");
	expect_found(0, "touches infra/a (and 2 more)");
}

Test(evidence, paths_no_rule_covers_need_no_owner)
{
	static const char *const plain[] = { "src/main.c", "docs/infra/x", "a.tfvars", "README",
					     NULL };
	judge_paths("Change\n", plain);
	expect_ids("", "no path rule matches");
}

Test(evidence, pipeline_paths_need_a_configure_pipeline_review)
{
	static const char *const pipeline[] = {
		".github/workflows/ci.yml", ".github/workflows/sub/x.yml", ".gitlab-ci.yml",
		"Jenkinsfile", ".ci/run", ".ci/lib/x.sh", ".gitea/workflows/x",
		MATRIX_PATH, /* the matrix itself */
		"deploy/x", "deploy/prod/app.yml", /* pipeline_paths: from the matrix */
		".gatehouse/ignore", /* allowlists secrets: policy data */
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(pipeline); i++) {
		const char *paths[2] = { pipeline[i], NULL };

		judge_paths("Change\n", paths);
		expect_ids("review.pipeline", pipeline[i]);
		if (d.n_reasons) {
			expect_found(0, pipeline[i]);
			expect_found(0, "configure_pipeline");
			cr_expect_eq(d.reasons[0].line, 0, "built-in check: no matrix line");
			cr_expect_not_null(strstr(d.reasons[0].missing, "release (erin)"), "%s",
					   d.reasons[0].missing);
			cr_expect_not_null(
				strstr(d.reasons[0].fix,
				       "--trailer 'Reviewed-by: Erin Eames <erin@example.com>'"),
				"%s", d.reasons[0].fix);
		}
		judge_paths("Change\n\n" BY_BOB BY_DAVE, paths);
		expect_ids("review.pipeline", "other roles do not own pipelines");
		judge_paths("Change\n\n" BY_ERIN, paths);
		expect_ids("", "release owns configure_pipeline");
	}
}

Test(evidence, near_misses_of_pipeline_paths_are_ordinary_paths)
{
	static const char *const ordinary[] = {
		"src/Jenkinsfile",    "Jenkinsfile.bak",  "docs/.gitlab-ci.yml",
		".github/CODEOWNERS", "ci/run",           "src/.ci/run",
		"deployment/x",       "matrix/other.yml", "matrix/responsibility.yml.bak",
	};
	size_t i;

	for (i = 0; i < GATE_ARRAY_SIZE(ordinary); i++) {
		const char *paths[2] = { ordinary[i], NULL };
		judge_paths("Change\n", paths);
		expect_ids("", ordinary[i]);
	}
}

Test(evidence, matrix_path_is_a_pipeline_path_only_when_given)
{
	static const char *const matrix[] = { MATRIX_PATH, NULL };
	gate_commit_list_dispose(&commits);
	add("alice@example.com", "Change\n", matrix, GATE_SIGNED_NONE);
	judge(DEV);
	expect_ids("", "no matrix_path in the context");
	cr_expect_eq(gate_evidence_is_pipeline_path(m, MATRIX_PATH, MATRIX_PATH), 1);
	cr_expect_eq(gate_evidence_is_pipeline_path(m, NULL, MATRIX_PATH), 0);
	cr_expect_eq(gate_evidence_is_pipeline_path(m, NULL, "deploy/x"), 1);
	cr_expect_eq(gate_evidence_is_pipeline_path(m, NULL, ".gitlab-ci.yml"), 1);
	cr_expect_eq(gate_evidence_is_pipeline_path(m, NULL, "src/main.c"), 0);
}

/* Policy data the trusted matrix names needs the same review as the matrix. */
Test(evidence, the_osv_file_the_matrix_names_is_a_pipeline_path)
{
	gate_matrix *two = NULL;
	static const char yaml[] = "version: 1\npeople: {erin: {}}\nroles: {release: [erin]}\n"
				   "responsibilities: {write_code: release, review_code: release, "
				   "configure_pipeline: release, resolve_vulnerabilities: release, "
				   "approve_deployment: release}\n"
				   "policies: {dependencies: {osv: security/advisories.json}}\n";
	cr_assert_eq(gate_matrix_load_buffer(&two, LABEL, yaml, strlen(yaml), NULL), 0, "%s",
		     gate_error_last());
	cr_expect_eq(gate_evidence_is_pipeline_path(two, NULL, "security/advisories.json"), 1);
	cr_expect_eq(gate_evidence_is_pipeline_path(two, NULL, "security/other.json"), 0);
	cr_expect_eq(gate_evidence_is_pipeline_path(two, NULL, ".gatehouse/ignore"), 1);
	cr_expect_eq(gate_evidence_is_pipeline_path(m, NULL, "security/advisories.json"), 0,
		     "only the file the matrix names");
	gate_matrix_free(two);
}

Test(evidence, pipeline_and_owner_reasons_come_with_the_refs_own)
{
	static const char *const paths[] = { "src/x.c", "infra/a", ".gitlab-ci.yml", NULL };
	add("alice@example.com", "Change\n\n" BY_BOB, paths, GATE_SIGNED_NONE);
	judge_with(MAIN, OPTS(.matrix_path = MATRIX_PATH));
	expect_ids("review.min,trailer.required,trailer.required,signature.missing,review.owner,"
		   "review.pipeline",
		   "everything missing, in order");
}

Test(evidence, truncated_path_list_is_rejected)
{
	gate_commit_facts *c = add("alice@example.com", "Change\n", SRC, GATE_SIGNED_NONE);
	c->paths_truncated = 1;
	judge(DEV);
	expect_ids("internal.limit", "a commit too big to judge");
}

/* ---- approvals and reachable_from ------------------------------------------------------ */

Test(evidence, approvals_are_counted_from_the_commit)
{
	gate_commit_facts target;

	facts_init(&target, "alice@example.com",
		   "Release\n\nApproved-by: Erin Eames <erin@example.com>\n", NULL,
		   GATE_SIGNED_NOT_CHECKED);
	judge_with(TAG, OPTS(.target = &target, .reach = REACHABLE));
	expect_ids("", "erin approved the tagged commit");
	gate_commit_facts_dispose(&target);

	facts_init(&target, "alice@example.com", "Release\n", NULL, GATE_SIGNED_NOT_CHECKED);
	judge_with(TAG, OPTS(.target = &target, .reach = REACHABLE));
	expect_ids("approval.min", "no approval");
	cr_expect_eq(d.reasons[0].line, LINE_APPROVALS);
	cr_expect_str_eq(d.reasons[0].subject, TAG);
	expect_found(0, "no approvals counted");
	cr_expect_not_null(strstr(d.reasons[0].missing, "release (erin)"), "%s",
			   d.reasons[0].missing);
	cr_expect_not_null(strstr(d.reasons[0].fix, "Approved-by: Erin Eames <erin@example.com>"),
			   "%s", d.reasons[0].fix);
	gate_commit_facts_dispose(&target);
}

Test(evidence, approvals_are_counted_from_the_tag_message)
{
	gate_commit_facts target;
	gate_trailers tag = GATE_TRAILERS_INIT;

	facts_init(&target, "alice@example.com", "Release\n", NULL, GATE_SIGNED_NOT_CHECKED);
	cr_assert_eq(gate_trailers_parse(&tag, "v1.0\n\nApproved-by: erin@example.com\n"), 0);
	judge_with(TAG, OPTS(.target = &target, .tag_trailers = &tag, .reach = REACHABLE));
	expect_ids("", "the annotated tag carries the approval");
	gate_trailers_dispose(&tag);
	gate_commit_facts_dispose(&target);
}

Test(evidence, approvals_in_commit_and_tag_by_one_person_count_once)
{
	static const char approve[] = "Approved-by: Erin Eames <erin@example.com>\n";
	const char *yaml_two =
		"version: 1\n"
		"people:\n"
		"  alice: { emails: [alice@example.com] }\n"
		"  erin: { emails: [erin@example.com] }\n"
		"  fred: { emails: [fred@example.com] }\n"
		"roles:\n"
		"  developers: [alice]\n"
		"  release: [erin, fred]\n"
		"responsibilities:\n"
		"  write_code: developers\n"
		"  review_code: developers\n"
		"  configure_pipeline: release\n"
		"  resolve_vulnerabilities: developers\n"
		"  approve_deployment: release\n"
		"refs:\n"
		"  - pattern: refs/tags/*\n"
		"    approvals: 2\n";
	gate_matrix *two = NULL;
	gate_commit_facts target;
	gate_trailers tag = GATE_TRAILERS_INIT;
	char msg[256];

	cr_assert_eq(gate_matrix_load_buffer(&two, LABEL, yaml_two, strlen(yaml_two), NULL), 0,
		     "%s", gate_error_last());
	gate_matrix_free(m);
	m = two;
	snprintf(msg, sizeof(msg), "Release\n\n%s", approve);
	facts_init(&target, "alice@example.com", msg, NULL, GATE_SIGNED_NOT_CHECKED);
	snprintf(msg, sizeof(msg), "v1.0\n\n%s", approve);
	cr_assert_eq(gate_trailers_parse(&tag, msg), 0);
	judge_with(TAG, OPTS(.target = &target, .tag_trailers = &tag));
	expect_ids("approval.min", "erin in both places is one approval of two");
	expect_found(0, "1 approval counted (erin)");
	gate_trailers_dispose(&tag);

	cr_assert_eq(gate_trailers_parse(&tag, "v1.0\n\nApproved-by: fred@example.com\n"), 0);
	judge_with(TAG, OPTS(.target = &target, .tag_trailers = &tag));
	expect_ids("", "erin in the commit, fred in the tag");
	gate_trailers_dispose(&tag);
	gate_commit_facts_dispose(&target);
}

Test(evidence, approval_by_the_author_or_outside_the_role_does_not_count)
{
	gate_commit_facts target;
	gate_trailers tag = GATE_TRAILERS_INIT;

	facts_init(&target, "erin@example.com", "Release\n\nApproved-by: erin@example.com\n", NULL,
		   GATE_SIGNED_NOT_CHECKED);
	cr_assert_eq(gate_trailers_parse(&tag, "v1.0\n\nApproved-by: bob@example.com\n"
					       "Reviewed-by: erin@example.com\n"), 0);
	judge_with(TAG, OPTS(.target = &target, .tag_trailers = &tag, .reach = REACHABLE));
	expect_ids("approval.min", "self-approval, a developer, and a review are not approvals");
	expect_found(0, "the author");
	expect_found(0, "bob is not in an accepted role");
	gate_trailers_dispose(&tag);
	gate_commit_facts_dispose(&target);
}

Test(evidence, ref_naming_no_commit_has_no_approvals)
{
	judge_with(TAG, OPTS(.target = NULL, .reach = NOT_REACHABLE));
	expect_ids("approval.min,ref.reachable_from", "a tag of a tree, say");
	expect_found(0, "does not name a commit");
	expect_found(1, "does not name a commit");
}

Test(evidence, reachable_from_is_required_when_checked_false)
{
	gate_commit_facts target;

	facts_init(&target, "alice@example.com", "Release\n\nApproved-by: erin@example.com\n", NULL,
		   GATE_SIGNED_NOT_CHECKED);
	judge_with(TAG, OPTS(.target = &target, .reach = NOT_REACHABLE));
	expect_ids("ref.reachable_from", "not on main");
	cr_expect_eq(d.reasons[0].line, LINE_REACHABLE);
	cr_expect_eq(d.reasons[0].col, 21);
	expect_found(0, "which is not on refs/heads/main");
	cr_expect_not_null(strstr(d.reasons[0].fix, "refs/heads/main"), "%s", d.reasons[0].fix);
	judge_with(TAG, OPTS(.target = &target, .reach = REACHABLE));
	expect_ids("", "on main");
	gate_commit_facts_dispose(&target);
}

Test(evidence, branch_rules_without_approvals_ignore_the_target)
{
	add("alice@example.com", GOOD_MESSAGE, SRC, GATE_SIGNED_OK);
	judge_with(MAIN, OPTS(.target = NULL, .reach = NOT_REACHABLE));
	expect_ids("", "main has neither approvals nor reachable_from");
}

/* ---- scope and limits ------------------------------------------------------------------ */

Test(evidence, deletes_and_unruled_refs_are_not_judged)
{
	add("alice@example.com", "Change\n", SRC, GATE_SIGNED_NONE);
	judge_with(MAIN, OPTS(.deleting = 1));
	expect_ids("", "a delete carries no commits to judge");
	judge("refs/heads/unruled");
	cr_expect_null(d.rule);
	expect_ids("", "no rule");
}

Test(evidence, no_commits_means_no_commit_checks)
{
	judge(MAIN);
	expect_ids("", "a push that adds no commit to main");
}

Test(evidence, reasons_beyond_the_maximum_are_counted_not_kept)
{
	size_t i, per_commit = 4, n = 15; /* review.min, 2 x trailer.required, signature.missing */

	for (i = 0; i < n; i++)
		add("alice@example.com", "Change\n", SRC, GATE_SIGNED_NONE);
	judge(MAIN);
	cr_expect_eq(d.verdict, GATE_REJECT);
	cr_expect_eq(d.n_reasons, GATE_REASONS_MAX);
	cr_expect_eq(d.n_suppressed, per_commit * n - GATE_REASONS_MAX);
	cr_expect_str_eq(d.reasons[0].check, "review.min");
	cr_expect_str_eq(d.reasons[3].check, "signature.missing");
}

Test(evidence, each_reason_has_subject_found_missing_and_fix)
{
	static const char *const paths[] = { "infra/x.tf", ".ci/run", NULL };
	size_t i;

	add("alice@example.com", "Change\n", paths, GATE_SIGNED_NONE);
	judge_with(MAIN, OPTS(.matrix_path = MATRIX_PATH));
	cr_assert_geq(d.n_reasons, 6);
	for (i = 0; i < d.n_reasons; i++) {
		const gate_reason *r = &d.reasons[i];
		cr_expect_neq(r->subject[0], '\0', "%s: subject", r->check);
		cr_expect_neq(r->found[0], '\0', "%s: found", r->check);
		cr_expect_neq(r->missing[0], '\0', "%s: missing", r->check);
		cr_expect_neq(r->fix[0], '\0', "%s: fix", r->check);
		cr_expect_not_null(strstr(r->found, commits.items[0].short_id),
				   "%s: names the commit", r->check);
		if (!strncmp(r->check, "review.", 7) || !strcmp(r->check, "trailer.required"))
			cr_expect_not_null(strstr(r->fix, "--trailer"), "%s: %s", r->check, r->fix);
		if (!strncmp(r->check, "signature.", 10))
			cr_expect_not_null(strstr(r->fix, "-S"), "%s: %s", r->check, r->fix);
	}
}

Test(evidence, hostile_subject_is_escaped_in_reasons)
{
	add("alice@example.com", "Evil \x1b]0;pwned\x07 subject\n", SRC, GATE_SIGNED_NONE);
	judge(MAIN);
	cr_assert_geq(d.n_reasons, 1);
	cr_expect_null(strchr(d.reasons[0].subject, '\x1b'), "%s", d.reasons[0].subject);
	cr_expect_null(strchr(d.reasons[0].found, '\x07'), "%s", d.reasons[0].found);
}

/* ---- who never vouches for what they make or push -------------------------------- */

/* People of the test matrix by index. */
enum { ALICE, BOB, CAROL, DAVE, ERIN, OSCAR };

Test(evidence, committer_review_of_their_own_commit_does_not_count)
{
	gate_commit_facts *c = add("alice@example.com", GOOD_MESSAGE, SRC, GATE_SIGNED_OK);
	c->committer_email = gate_strdup("BOB@example.com");
	c->signer = BOB; /* bob committed and signed: the signature itself is in order */
	judge(MAIN);
	expect_ids("review.min", "bob committed alice's commit and reviewed it");
	expect_found(0, "1 review counted (carol)");
	expect_found(0, "bob@example.com (the committer: no self-review)");
}

Test(evidence, pusher_review_does_not_count)
{
	static const gate_evidence_party pusher[] = { { BOB, "the pusher" } };
	add("alice@example.com", GOOD_MESSAGE, SRC, GATE_SIGNED_OK);
	judge_with(MAIN, OPTS(.parties = pusher, .n_parties = 1));
	expect_ids("review.min", "bob pushes what he reviewed");
	expect_found(0, "bob@example.com (the pusher: no self-review)");
	cr_expect_not_null(strstr(d.reasons[0].missing, "other than the author, committer, signer and pusher"),
			   "%s", d.reasons[0].missing);
}

Test(evidence, unverified_signer_review_does_not_count_either)
{
	/* signed: false on team: the signature is not verified, its named signer still excluded */
	gate_commit_facts *c = add("alice@example.com", "Team change\n\n" BY_BOB, SRC,
				   GATE_SIGNED_NOT_CHECKED);
	c->signer = BOB;
	judge("refs/heads/team");
	expect_ids("review.min", "bob's key signed it");
	expect_found(0, "(signed the commit: no self-review)");
}

Test(evidence, tagger_tag_signer_and_pusher_approvals_do_not_count)
{
	static const struct {
		gate_evidence_party party;
		const char *found;
	} cases[] = {
		{ { ERIN, "the tagger" }, "erin@example.com (the tagger: no self-review)" },
		{ { ERIN, "signed the tag" }, "erin@example.com (signed the tag: no self-review)" },
		{ { ERIN, "the pusher" }, "erin@example.com (the pusher: no self-review)" },
	};
	gate_commit_facts target;
	gate_trailers tag = GATE_TRAILERS_INIT;
	size_t i;

	facts_init(&target, "alice@example.com", "Release\n", NULL, GATE_SIGNED_NOT_CHECKED);
	cr_assert_eq(gate_trailers_parse(&tag, "v1.0\n\nApproved-by: Erin <erin@example.com>\n"), 0);
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		judge_with(TAG, OPTS(.target = &target, .tag_trailers = &tag, .reach = REACHABLE,
				     .parties = &cases[i].party, .n_parties = 1));
		expect_ids("approval.min", cases[i].party.why);
		expect_found(0, cases[i].found);
		/* the fix suggests nobody who cannot count: erin is release's only member */
		cr_expect_null(strstr(d.reasons[0].fix, "ask erin"), "%s", d.reasons[0].fix);
	}
	gate_trailers_dispose(&tag);
	gate_commit_facts_dispose(&target);
}

Test(evidence, approval_by_someone_outside_the_push_counts)
{
	static const gate_evidence_party parties[] = { { BOB, "the tagger" }, { -1, "signed the tag" },
						       { CAROL, "the pusher" } };
	gate_commit_facts target;
	gate_trailers tag = GATE_TRAILERS_INIT;

	facts_init(&target, "alice@example.com", "Release\n", NULL, GATE_SIGNED_NOT_CHECKED);
	cr_assert_eq(gate_trailers_parse(&tag, "v1.0\n\nApproved-by: Erin <erin@example.com>\n"), 0);
	judge_with(TAG, OPTS(.target = &target, .tag_trailers = &tag, .reach = REACHABLE,
			     .parties = parties, .n_parties = 3));
	expect_ids("", "erin approved; bob tagged, carol pushed");
	gate_trailers_dispose(&tag);
	gate_commit_facts_dispose(&target);
}

/* ---- comparing rules (which refs a creation trusts) ------------------------------- */

static const char covers_yaml[] =
	"version: 1\n"
	"people:\n"
	"  alice: { emails: [alice@example.com] }\n"
	"  bob: { emails: [bob@example.com] }\n"
	"  carol: { emails: [carol@example.com] }\n"
	"  erin: { emails: [erin@example.com] }\n"
	"roles:\n"
	"  developers: [alice, bob]\n"
	"  seniors: [bob, carol]\n"
	"  security: [carol]\n"
	"  release: [erin]\n"
	"responsibilities:\n"
	"  write_code: developers\n"
	"  review_code: developers\n"
	"  configure_pipeline: release\n"
	"  resolve_vulnerabilities: developers\n"
	"  approve_deployment: release\n"
	"refs:\n"
	"  - pattern: refs/heads/release/*\n"          /* 0: the rule a creation wants */
	"    reviews: { min: 1, from: [developers, security] }\n"
	"    trailers: { Scan-SAST: [pass, waived] }\n"
	"  - pattern: refs/heads/same\n"               /* 1: the same demands */
	"    reviews: { min: 1, from: [developers, security] }\n"
	"    trailers: { scan-sast: [PASS, waived] }\n"
	"  - pattern: refs/heads/more\n"               /* 2: more of everything */
	"    reviews: { min: 2, from: [seniors] }\n"
	"    trailers: { Scan-SAST: [pass], Scan-Deps: [pass] }\n"
	"    signed: true\n"
	"    approvals: 1\n"
	"  - pattern: refs/heads/fewer-reviews\n"      /* 3 */
	"    reviews: { min: 1, from: [developers] }\n"
	"  - pattern: refs/heads/other-reviewers\n"    /* 4: release may review there */
	"    reviews: { min: 3, from: [developers, release] }\n"
	"    trailers: { Scan-SAST: [pass] }\n"
	"  - pattern: refs/heads/looser-trailer\n"     /* 5: accepts a value the first refuses */
	"    reviews: { min: 1, from: [developers] }\n"
	"    trailers: { Scan-SAST: [pass, skipped] }\n"
	"  - pattern: refs/heads/**\n"                 /* 6: a catch-all, no evidence */
	"    push: [developers]\n"
	"  - pattern: refs/tags/signed-*\n"            /* 7: wants signatures */
	"    signed: true\n"
	"  - pattern: refs/tags/approved-*\n"          /* 8: wants approvals */
	"    approvals: { min: 1 }\n";

Test(evidence, rule_covers_only_rules_that_demand_as_much)
{
	static const struct {
		size_t held, wanted;
		int covers;
		const char *why;
	} cases[] = {
		{ 0, 0, 1, "a rule covers itself" },
		{ 1, 0, 1, "the same demands, trailer names and values in another case" },
		{ 2, 0, 1, "more reviews from fewer people, more trailers, signatures, approvals" },
		{ 3, 0, 0, "no scan trailer" },
		{ 4, 0, 0, "release members review there, not under release/*" },
		{ 5, 0, 0, "accepts Scan-SAST: skipped, which release/* refuses" },
		{ 6, 0, 0, "a catch-all demands nothing" },
		{ 0, 6, 1, "anything covers a rule that demands nothing" },
		{ 0, 7, 0, "unsigned commits do not cover signed ones" },
		{ 2, 7, 1, "signed covers signed" },
		{ 0, 8, 0, "no approvals" },
		{ 2, 8, 1, "approvals from the same approvers (approve_deployment's owners)" },
	};
	gate_matrix *cm = NULL;
	size_t i;

	cr_assert_eq(gate_matrix_load_buffer(&cm, LABEL, covers_yaml, strlen(covers_yaml), NULL), 0,
		     "%s", gate_error_last());
	cr_assert_eq(cm->n_refs, 9);
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++)
		cr_expect_eq(gate_evidence_rule_covers(cm, &cm->refs[cases[i].held], &cm->refs[cases[i].wanted]),
			     cases[i].covers, "%s covers %s: %s", cm->refs[cases[i].held].pattern,
			     cm->refs[cases[i].wanted].pattern, cases[i].why);
	gate_matrix_free(cm);
}

Test(evidence, rules_demanding_evidence)
{
	gate_matrix *cm = NULL;
	static const int demands[] = { 1, 1, 1, 1, 1, 1, 0, 1, 1 };
	size_t i;

	cr_assert_eq(gate_matrix_load_buffer(&cm, LABEL, covers_yaml, strlen(covers_yaml), NULL), 0,
		     "%s", gate_error_last());
	for (i = 0; i < GATE_ARRAY_SIZE(demands); i++)
		cr_expect_eq(gate_evidence_rule_demands(&cm->refs[i]), demands[i], "%s",
			     cm->refs[i].pattern);
	gate_matrix_free(cm);
}
