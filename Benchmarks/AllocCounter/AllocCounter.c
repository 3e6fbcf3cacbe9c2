// Counts heap allocations for `tunetop-bench alloc`, by defining the allocation functions in the
// executable: ELF symbol interposition makes every library (the Swift runtime included) call these,
// and they forward to glibc's own __libc_* entry points. Only tunetop-bench links this target.

#include "AllocCounter.h"

#include <stdlib.h>  // defines __GLIBC__ when the C library is glibc

#if defined(__GLIBC__)
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static atomic_long tt_allocations;

long tt_allocation_count(void) { return atomic_load_explicit(&tt_allocations, memory_order_relaxed); }

static inline void tt_count(void) { atomic_fetch_add_explicit(&tt_allocations, 1, memory_order_relaxed); }

void *malloc(size_t size) {
  tt_count();
  return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
  tt_count();
  return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
  tt_count();
  return __libc_realloc(pointer, size);
}

void free(void *pointer) { __libc_free(pointer); }

void *memalign(size_t alignment, size_t size) {
  tt_count();
  return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
  tt_count();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
  tt_count();
  if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  void *pointer = __libc_memalign(alignment, size);
  if (pointer == NULL && size != 0) return ENOMEM;
  *out = pointer;
  return 0;
}
#else
long tt_allocation_count(void) { return -1; }
#endif
