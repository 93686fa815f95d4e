/* compat: the few Linux-only calls mlpkg uses, with what other systems
 * (macOS, the BSDs) do instead.  Each caller already copes with the
 * fallback's answer: copy_file_range failing with ENOSYS makes it copy
 * through a buffer; O_NOATIME is only a hint. */
#ifndef MLPKG_COMPAT_H
#define MLPKG_COMPAT_H
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef O_NOATIME
#define O_NOATIME 0
#endif

#ifndef HAVE_COPY_FILE_RANGE
static inline ssize_t mlpkg_no_copy_file_range(int in, off_t *ioff, int out, off_t *ooff, size_t n, unsigned flags)
{
	(void)in, (void)ioff, (void)out, (void)ooff, (void)n, (void)flags;
	errno = ENOSYS;
	return -1;
}
#define copy_file_range mlpkg_no_copy_file_range
#endif

/* n random bytes from the system; how many it could get */
size_t compat_random(void *buf, size_t n);
#endif
