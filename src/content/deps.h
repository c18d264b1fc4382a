/*
 * Dependency policies (matrix policies.dependencies): what lock and
 * manifest files declare, deny-list entries with version ranges, and OSV
 * advisories.
 *
 * Trust: lock files are pushed content; parsers are bounded (sizes, counts,
 * nesting) and a file that does not parse yields no dependency, never a
 * crash.  JSON is parsed with jansson, YAML with libyaml.
 */
#ifndef GATE_DEPS_H
#define GATE_DEPS_H

#include <stddef.h>

#include "content/policy.h"

/* Ecosystems, as written in matrix entries ("npm:name@range"). */
typedef enum {
	GATE_ECO_NPM = 1, /* "npm"   OSV "npm" */
	GATE_ECO_PYPI,    /* "pypi"  OSV "PyPI" (names compared PEP 503-normalised) */
	GATE_ECO_CARGO,   /* "cargo" OSV "crates.io" */
	GATE_ECO_GO,      /* "go"    OSV "Go" */
} gate_ecosystem;

/* One dependency a file declares. */
typedef struct {
	gate_ecosystem eco;
	char *name;
	char *version; /* exact version; "" when the file pins none (e.g. a bare requirement) */
	int line;      /* 1-based line in the file; 0 unknown */
} gate_dep;

typedef struct {
	gate_dep *items;
	size_t count, cap;
	size_t unreadable; /* files given to gate_deps_parse that did not parse (JSON, YAML) */
	const char *cut;   /* a file was not read to its end: the bound reached (static text) */
} gate_deps;

#define GATE_DEPS_INIT { NULL, 0, 0, 0, NULL }

/*
 * Files larger than this yield no dependency; at most this many are read from
 * one file.  Either sets `cut`: the caller must treat the file as unchecked.
 */
#define GATE_DEPS_MAX_FILE ((size_t)64 << 20)
#define GATE_DEPS_MAX_PER_FILE 200000

/*
 * Whether PATH (a repository path) is a file gate_deps_parse reads, by its
 * base name: package-lock.json (v2/v3), yarn.lock, pnpm-lock.yaml,
 * requirements*.txt, poetry.lock, Cargo.lock, go.sum, go.mod.
 * Also npm-shrinkwrap.json (package-lock's format; npm prefers it when both
 * exist) and lockfileVersion 1 package-locks (npm 7+ still installs from them).
 */
int gate_deps_is_lockfile(const char *path);

/*
 * Appends the dependencies DATA (the content of PATH) declares.  0, or GATE_ENOMEM.
 * On failure OUT is as it was.  What each format gives:
 *   package-lock.json  every "node_modules/..." entry (the "name" of an aliased
 *                      one), line of its key; links to workspace folders skipped
 *   yarn.lock          each entry (classic "version" or berry "resolution"; an
 *                      "npm:" alias gives the real package), line of its header
 *   pnpm-lock.yaml     each key of "packages" (v5 "/a/1.0", v6 "/a@1.0", v9
 *                      "a@1.0", peer suffixes dropped), in every document
 *   requirements*.txt  each requirement; the version only when pinned with ==
 *                      or === (else ""), names PEP 503-normalised
 *   poetry.lock, Cargo.lock  each [[package]] name/version, line of "name ="
 *   go.sum             each module@version once (".../go.mod" lines included)
 *   go.mod             require lines (blocks and single) and replacement targets
 * A JSON or YAML file that does not parse yields nothing; the line formats skip
 * lines they do not understand.  A file larger than GATE_DEPS_MAX_FILE, with
 * more than GATE_DEPS_MAX_PER_FILE entries, or (lockfileVersion 1) nested
 * deeper than 64 levels, sets OUT->cut (what it yields is kept).  package-lock.json is read as npm reads it, so
 * a BOM, integers beyond 64 bits, invalid UTF-8 and lone surrogate escapes do
 * not make it "not parse" (jansson alone would refuse them).
 */
int gate_deps_parse(gate_deps *out, const char *path, const char *data, size_t len);

void gate_deps_dispose(gate_deps *d);

/*
 * A deny or allow entry: "npm:event-stream@3.3.6", "npm:ua-parser-js@>=0.7.29 <0.7.30",
 * "pypi:ctx@*", "cargo:name", "go:github.com/x/y@<1.2.3".  No "@" means any version.
 * Ranges: space-separated comparators (=, >, >=, <, <=, bare version = exact),
 * all of which must hold; "||" between alternatives; "*" any.  Versions
 * compare numerically part by part (semver-like, a pre-release sorts before
 * its release; a leading "v" is ignored).
 *
 * Also accepted: commas between comparators (">=1.0, <2.0"), "==" and "===" for
 * "=", "!=", npm's "^1.2.3" (>=1.2.3 <2.0.0, ^0.2.3 <0.3.0, ^0.0.3 <0.0.4) and
 * "~1.2.3" (>=1.2.3 <1.3.0; ~1 <2.0.0), PEP 440's "~=1.4.2" (>=1.4.2 <1.5) and
 * wildcards "1.2.x" / "1.2.*" (every 1.2 version).  The upper bounds these imply
 * exclude the bound's pre-releases (^1.2.3 does not cover 2.0.0-rc.1).
 * The version separator is the last "@" not at the start of the name, so
 * "npm:@scope/name@1.2.3" works.  The ecosystem is case-insensitive.
 * Names compare exactly for npm and go, PEP 503-normalised for pypi, and
 * case-insensitively with "-" == "_" for cargo (as crates.io does).
 * Version details: build metadata ("+...") is ignored, so are Go's
 * "+incompatible"; Go pseudo-versions (v0.0.0-20191109021931-daa7c04131f5)
 * order by time below the release they precede; for pypi, PEP 440 suffixes
 * order .devN < aN < bN < rcN < release < .postN (and epochs "N!" first).
 * A dependency whose version does not start with a digit (a git URL, "file:")
 * matches only "=" of the same text and "any version" rules.
 * Unlike npm and PEP 440 matching, "<2.0" covers 2.0's pre-releases (they sort
 * below it): for a deny list, matching one version too many is the safe error.
 */
typedef struct gate_dep_rule gate_dep_rule;

/*
 * Parses SPEC into *OUT (new, free with gate_dep_rule_free).  GATE_EINVAL with
 * a message naming what is wrong in the last-error slot; GATE_ENOMEM.
 */
int gate_dep_rule_parse(gate_dep_rule **out, const char *spec);

/* Whether rule R covers dependency D (an unpinned D matches only "any version" rules). */
int gate_dep_rule_matches(const gate_dep_rule *r, const gate_dep *d);

/* Compares versions A and B the way rules for ECO do: <0, 0 or >0. */
int gate_dep_version_cmp(gate_ecosystem eco, const char *a, const char *b);

/* The entry as written (for messages). */
const char *gate_dep_rule_spec(const gate_dep_rule *r);

void gate_dep_rule_free(gate_dep_rule *r);

/*
 * Rules from an OSV-format JSON document (one advisory object, an array of
 * them, or {"vulns": [...]}): each affected[] package with its ranges
 * (SEMVER/ECOSYSTEM events introduced/fixed/last_affected) and versions[]
 * becomes rules whose spec reads "<eco>:<name>@<range> (<advisory id>)".
 * Appends to *RULES (N in *N).  GATE_EINVAL with a message for a document
 * that is not OSV; GATE_ENOMEM.
 * Events are ordered by version before they are read (introduced "0" first);
 * listed versions the ranges already cover are not repeated; GIT ranges,
 * other ecosystems and withdrawn advisories are skipped.  On failure *RULES
 * and *N are as they were.
 */
int gate_osv_load(gate_dep_rule ***rules, size_t *n, const char *json, size_t len);

#endif
