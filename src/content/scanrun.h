/*
 * What a scan found (see gatehouse/scan.h), as output/findings.c reads it
 * to write it out.
 */
#ifndef GATE_SCANRUN_H
#define GATE_SCANRUN_H

#include "gatehouse/scan.h"
#include "content/secrets.h"

struct gate_scan_result {
	gate_secret_report rep; /* the findings (sorted) and what was not scanned */
	char *engine;           /* the scanner that ran ("Vectorscan 5.4 (cached)"...) */
};

#endif
