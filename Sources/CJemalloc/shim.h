#ifndef CJEMALLOC_SHIM_H
#define CJEMALLOC_SHIM_H

// Debian's jemalloc is built without a symbol prefix: linking it replaces malloc and free for
// the whole process (Swift runtime, librdkafka, protobuf-c, OpenBLAS).
#include <jemalloc/jemalloc.h>

#endif
