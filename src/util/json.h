/*
 * JSON helpers over jansson, for every JSON gatehouse writes (audit
 * records, the external policy's input, scan reports).
 */
#ifndef GATE_JSON_H
#define GATE_JSON_H

#include <jansson.h>

/*
 * A JSON string for S (json_null() for NULL), whatever its bytes: text
 * that is not valid UTF-8 has its bytes made visible as \xNN.  A new
 * reference, or NULL out of memory.
 */
json_t *gate_json_string(const char *s);

#endif
