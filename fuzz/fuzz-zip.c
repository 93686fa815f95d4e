/* fuzz-zip: libFuzzer target for zipped packages.  The input is written to a
 * memory file and opened as mlmodel does (mlpkg_open, read-only): the zip
 * directory, Manifest.json inside it, the root spec, the weight file; every
 * entry is also described, checked and read through zipio directly. */
#include "base/error.h"
#include "query/meta.h"
#include "model/model.h"
#include "spec/tree.h"
#include "model/zipio.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* messages about the fuzzed input are expected: none is printed */
static void quiet(int code, int is_warning, const char *msg, void *ctx)
{
	(void)code;
	(void)is_warning;
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	set_error_routine(quiet, NULL);
	if (fd < 0) {
		fd = memfd_create("fuzz-zip", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	struct zipio *z = zipio_open(path, 0);
	if (z) {
		long n = zipio_count(z);
		zipio_check_all(z);
		for (long i = 0; i < n && i < 64; i++) {
			struct zipio_entry e;
			zipio_entry(z, i, &e);
			uint8_t *b;
			size_t len;
			if (zipio_read(z, i, &b, &len, 1 << 20) == 0)
				free(b);
		}
		zipio_close(z);
	}

	struct mlpkg_model *m;
	if (mlpkg_open(path, 0, &m) == 0) {
		if (mt_validate(m->root) == 0) {
			struct meta_entry *e;
			size_t n;
			if (meta_list(m->root, &e, &n) == 0)
				meta_entries_free(e, n);
		}
		if (m->fmt == FMT_ZIP && m->man) {
			struct buf b;
			if (mlpkg_read_item(m, "@model_path/weights/weight.bin", &b) == 0)
				buf_release(&b);
			free(mlpkg_model_dir(m));
		}
		mlpkg_close(m);
	}
	return 0;
}
