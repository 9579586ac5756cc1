#ifndef COPENBLAS_SHIM_H
#define COPENBLAS_SHIM_H

// Debian's <cblas.h> resolves to OpenBLAS's pthread build; there is no cblas pkg-config module.
#include <cblas.h>

#endif
