/*
 * Output sinks, the library's side (see gatehouse/sink.h): a sink over a
 * gate_buf, for a caller that wants the text another function writes (the
 * drill keeps what the hooks' engine would have said to the pusher).
 */
#ifndef GATE_SINK_H
#define GATE_SINK_H

#include "gatehouse/sink.h"
#include "util/common.h"

/*
 * A sink appending to B (borrowed; B must outlive the sink).  A write fails
 * with GATE_ENOMEM once B ran out of memory.
 */
gate_sink gate_sink_buf(gate_buf *b);

#endif
