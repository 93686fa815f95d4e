/* zipload: libzip, loaded when first needed (see zipload.h). */
#include "config.h"
#include "model/zipload.h"
#include "base/error.h"
#include <dlfcn.h>
#include <stddef.h>

/* sonames to try when configure did not find the one we were built with */
static const char *const sonames[] = {
#ifdef LIBZIP_SONAME
	LIBZIP_SONAME,
#endif
	"libzip.so.5", "libzip.so.4", "libzip.5.dylib", "libzip.dylib", "libzip.so", NULL,
};

void *zipload_sym(const char *name)
{
	static void *lib;
	void *p = NULL;
	if (!lib) {
		/* linked in already (a build without --as-needed, the tests)? */
		p = dlsym(RTLD_DEFAULT, name);
		if (p)
			return p;
		for (size_t i = 0; !lib && sonames[i]; i++)
			lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
		if (!lib)
			die(EXIT_FAIL, "cannot load libzip (%s), needed for zip archives: %s", sonames[0], dlerror());
	}
	p = dlsym(lib, name);
	if (!p)
		die(EXIT_FAIL, "libzip has no %s: %s", name, dlerror());
	return p;
}
