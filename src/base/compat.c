/* compat: see compat.h. */
#include "base/compat.h"
#include <stdint.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif
#include <stdlib.h>

size_t compat_random(void *buf, size_t n)
{
	uint8_t *b = buf;
	size_t got = 0;
#if defined(HAVE_GETRANDOM)
	while (got < n) {
		ssize_t r = getrandom(b + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
#elif defined(HAVE_ARC4RANDOM_BUF)
	arc4random_buf(b, n);
	got = n;
#endif
	if (got < n) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		while (fd >= 0 && got < n) {
			ssize_t r = read(fd, b + got, n - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (fd >= 0)
			close(fd);
	}
	return got;
}
