/*
 * Shipping decisions to what fleets already run: a Prometheus text-format
 * metrics file for node_exporter's textfile collector (settings.metrics_file)
 * and each audit record to syslog/journald (settings.syslog).
 *
 * Both are best effort: the audit log is the record of a decision, and a
 * metrics file or syslog socket that cannot be written never changes a
 * verdict.  They return an error the caller may log.
 */
#ifndef GATE_EXPORT_H
#define GATE_EXPORT_H

#include <jansson.h>
#include <stddef.h>

/* Most series the metrics file keeps (labels come from reason ids and rules). */
#define GATE_METRICS_MAX_SERIES 5000

/*
 * Adds the decisions in RECORDS (N audit records of one hook run, with its
 * duration DURATION_S) to the counters in the metrics file PATH: reads the
 * file's current values under a lock (PATH.lock), adds, writes PATH.tmp and
 * renames it over PATH, so the collector never reads half a file and
 * concurrent pushes lose no increment.  0, or a negative error.
 */
int gate_export_metrics(const char *path, json_t *const *records, size_t n, double duration_s);

/*
 * Sends each record to the local syslog socket (GATEHOUSE_SYSLOG_SOCKET, else
 * /dev/log) as one datagram: facility auth, severity info for an accepted
 * update, notice for a rejected one, err when an internal error decided it;
 * tag "gatehouse", the record's compact JSON as the message.  0, or a
 * negative error (no socket, send failed).
 */
int gate_export_syslog(json_t *const *records, size_t n);

#endif
