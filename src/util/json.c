/*
 * JSON helpers (see json.h).
 */
#include <string.h>

#include "util/common.h"
#include "util/json.h"

json_t *gate_json_string(const char *s)
{
	gate_buf b = GATE_BUF_INIT;
	json_t *j;
	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	/* not valid UTF-8: make the bytes visible as \xNN */
	gate_buf_put_escaped(&b, s, strlen(s));
	j = json_string(gate_buf_cstr(&b));
	gate_buf_dispose(&b);
	return j;
}
