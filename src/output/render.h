/*
 * Rendering the responsibility matrix as a document (see
 * gatehouse/render.h): the in-memory forms behind gate_render_write, which
 * the tests compare with hand-written expectations.
 */
#ifndef GATE_RENDER_H
#define GATE_RENDER_H

#include "util/common.h"
#include "gatehouse/render.h"
#include "matrix/model.h"

/*
 * Appends M as a Markdown document to OUT; SOURCE_LABEL is the matrix's path
 * as the text names it (NULL: M's label).  Returns 0, or GATE_ENOMEM with OUT
 * holding a partial document the caller disposes of as usual.
 */
int gate_render_markdown(gate_buf *out, const gate_matrix *m, const char *source_label);

/* Same, as one standalone HTML page: inline CSS, no script, no external asset. */
int gate_render_html(gate_buf *out, const gate_matrix *m, const char *source_label);

#endif
