/*
 * Text the secret scanner would otherwise not see as text: UTF-16 blobs,
 * printable runs inside binary blobs, and the text a push carries outside
 * its blobs (commit and tag messages, paths, ref names).
 *
 * The decoders are pure functions over bytes; gate_textscan_push gathers a
 * push's text and hands it, with where each piece came from, to the secrets
 * policy (gate_secrets_text_*), which applies the same rules and allowlists
 * as to files.
 */
#ifndef GATE_TEXTSCAN_H
#define GATE_TEXTSCAN_H

#include <git2.h>
#include <stddef.h>
#include <stdio.h> /* push.h */

#include "git/newobjs.h"
#include "git/push.h"
#include "content/redact.h"
#include "content/secrets.h"
#include "content/source.h"

typedef enum { GATE_UTF16_NONE, GATE_UTF16_LE, GATE_UTF16_BE } gate_utf16;

/* Shortest run of printable characters in a binary blob that is scanned as text. */
#define GATE_TEXT_RUN_MIN 20

/*
 * Whether DATA (LEN bytes) is UTF-16 text: a byte-order mark (*BOM = 2), or
 * (*BOM = 0) ASCII with every other byte NUL through its first 8000 bytes.
 */
gate_utf16 gate_textscan_utf16(const char *data, size_t len, size_t *bom);

/*
 * Decodes DATA (LEN bytes, without its byte-order mark) from UTF-16 WHICH
 * into UTF-8: *OUT (allocated, NUL-terminated, the caller frees it with
 * gate_free) and *OUT_LEN.  An unpaired surrogate or a trailing odd byte
 * becomes U+FFFD.  0 or GATE_ENOMEM.
 */
int gate_textscan_utf16_decode(char **out, size_t *out_len, const char *data, size_t len,
			       gate_utf16 which);

/*
 * The runs of at least MIN printable ASCII characters (and tabs) in DATA,
 * like strings(1), kept in place in a copy where every other byte is a
 * space and newlines stay, so offsets, lines and columns are DATA's: 1 and
 * *OUT (LEN bytes, allocated), or 0 and *OUT = NULL when DATA has no such
 * run; GATE_ENOMEM.
 */
int gate_textscan_runs(char **out, const char *data, size_t len, size_t min);

/*
 * Scans, under S, the text PUSH carries outside its blobs: each pushed ref
 * name, the message of every new annotated tag a ref names (and of the new
 * tags it names in turn), the message of every new commit, and every path
 * JOBS lists (each distinct path once, under the first job that has it).
 * Findings go to REPORT (attributed to the update that brought them), and
 * every secret found to RED.  The name of a deleted ref is looked at for
 * RED only.  0, or a negative error (a time budget in S included).
 */
int gate_textscan_push(gate_secret_report *report, gate_redactions *red, gate_secrets *s,
		       git_repository *repo, const gate_push *push, const gate_newobjs *newobjs,
		       const gate_source *jobs);

#endif
