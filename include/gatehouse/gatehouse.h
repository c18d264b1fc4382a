/*
 * libgatehouse: the engine behind the gatehouse git hooks and CLI.
 */
#ifndef GATEHOUSE_H
#define GATEHOUSE_H

#define GATEHOUSE_VERSION "0.1.0"

#include "gatehouse/errors.h"
#include "gatehouse/matrix.h"
#include "gatehouse/run.h"
#include "gatehouse/scan.h"
#include "gatehouse/sink.h"

#endif
