#ifndef TUNETOP_ALLOC_COUNTER_H
#define TUNETOP_ALLOC_COUNTER_H

/// Number of heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign)
/// made by any thread of this process so far. Nonzero support only with glibc, where this target
/// interposes those functions for the executable linking it (tunetop-bench); elsewhere it is -1.
long tt_allocation_count(void);

#endif
