/*
 * The responsibility matrix as a document for people: `gatehouse matrix
 * render`.  Markdown for a repository (a committed docs/RESPONSIBILITIES.md
 * kept current by a test), or one standalone HTML page.  The output depends
 * on the matrix alone (no dates), so a committed copy compares byte for byte.
 */
#ifndef GATEHOUSE_RENDER_H
#define GATEHOUSE_RENDER_H

#include "gatehouse/matrix.h"
#include "gatehouse/sink.h"

typedef enum { GATE_RENDER_MARKDOWN = 0, GATE_RENDER_HTML } gate_render_format;

/*
 * Writes M as a FORMAT document to OUT.  SOURCE_LABEL is the matrix's path
 * as the document names it (NULL: the label M was loaded under).  Returns 0,
 * GATE_ENOMEM (nothing written), or GATE_EIO when writing to OUT failed.
 */
int gate_render_write(const gate_sink *out, const gate_matrix *m, gate_render_format format,
		      const char *source_label);

#endif
