/* zipio: the libzip boundary (see zipio.h). */
#include "zipio.h"
#include "atomic.h"
#include "error.h"
#include "xalloc.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

struct zipio {
	zip_t *za;
	char *path;
	uint64_t archive_size;
};

int zipio_sniff(const uint8_t *h, size_t n)
{
	return n >= 4 && h[0] == 'P' && h[1] == 'K' && ((h[2] == 3 && h[3] == 4) || (h[2] == 5 && h[3] == 6));
}

struct zipio *zipio_open(const char *path, int writable)
{
	int err = 0;
	zip_t *za = zip_open(path, writable ? 0 : ZIP_RDONLY, &err);
	if (!za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, err);
		error_code(EXIT_INVALID, "'%s': not a readable zip archive: %s", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return NULL;
	}
	struct zipio *z = xcalloc(1, sizeof(*z));
	z->za = za;
	z->path = xstrdup(path);
	struct stat st;
	if (stat(path, &st) == 0)
		z->archive_size = (uint64_t)st.st_size;
	return z;
}

void zipio_close(struct zipio *z)
{
	if (!z)
		return;
	if (z->za)
		zip_discard(z->za);
	free(z->path);
	free(z);
}

long zipio_count(struct zipio *z)
{
	return (long)zip_get_num_entries(z->za, 0);
}

const char *zipio_name(struct zipio *z, long i)
{
	return zip_get_name(z->za, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);
}

long zipio_find(struct zipio *z, const char *name)
{
	return (long)zip_name_locate(z->za, name, ZIP_FL_ENC_GUESS);
}

uint64_t zipio_size(struct zipio *z, long i)
{
	zip_stat_t st;
	if (zip_stat_index(z->za, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
		return 0;
	return st.size;
}

int zipio_read(struct zipio *z, long i, uint8_t **buf, size_t *len, uint64_t max)
{
	zip_stat_t st;
	const char *name = zipio_name(z, i);
	if (zip_stat_index(z->za, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
		return error_code(EXIT_INVALID, "'%s': cannot read entry '%s'", z->path, name ? name : "?");
	if (st.size > max)
		return error_code(EXIT_INVALID, "'%s': entry '%s' is too large (%llu bytes)", z->path, name,
				  (unsigned long long)st.size);
	/* deflate cannot expand more than ~1032:1; more than that is a lie */
	if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > 1024 * 1024 && st.size / 1032 > st.comp_size + 1024)
		return error_code(EXIT_INVALID, "'%s': entry '%s' claims an impossible size (zip bomb?)", z->path, name);
	if (st.size > z->archive_size * 1100 + (1 << 20))
		return error_code(EXIT_INVALID, "'%s': entry '%s' claims more than the archive can hold", z->path, name);
	zip_file_t *zf = zip_fopen_index(z->za, (zip_uint64_t)i, 0);
	if (!zf)
		return error_code(EXIT_INVALID, "'%s': cannot open entry '%s': %s", z->path, name, zip_strerror(z->za));
	uint8_t *b = xmalloc(st.size + 1);
	uint64_t got = 0;
	while (got < st.size) {
		zip_int64_t r = zip_fread(zf, b + got, st.size - got);
		if (r <= 0)
			break;
		got += (uint64_t)r;
	}
	uint8_t extra;
	zip_int64_t more = got == st.size ? zip_fread(zf, &extra, 1) : 0;
	int bad = got != st.size || more != 0;
	const char *why = bad ? zip_file_strerror(zf) : NULL;
	zip_fclose(zf);
	if (bad) {
		free(b);
		return error_code(EXIT_INVALID, "'%s': entry '%s' is damaged: %s", z->path, name, why ? why : "size mismatch");
	}
	b[st.size] = 0;
	*buf = b;
	*len = (size_t)st.size;
	return 0;
}

int zipio_replace(struct zipio *z, long i, const void *p, size_t len)
{
	void *copy = xmalloc(len ? len : 1);
	memcpy(copy, p, len);
	zip_source_t *src = zip_source_buffer(z->za, copy, len, 1);
	if (!src) {
		free(copy);
		return error_code(EXIT_WRITE, "'%s': %s", z->path, zip_strerror(z->za));
	}
	zip_stat_t st;
	zip_int32_t method = ZIP_CM_DEFLATE;
	if (zip_stat_index(z->za, (zip_uint64_t)i, 0, &st) == 0 && (st.valid & ZIP_STAT_COMP_METHOD))
		method = st.comp_method;
	if (zip_file_replace(z->za, (zip_uint64_t)i, src, 0) < 0) {
		zip_source_free(src);
		return error_code(EXIT_WRITE, "'%s': %s", z->path, zip_strerror(z->za));
	}
	zip_set_file_compression(z->za, (zip_uint64_t)i, method, 0);
	return 0;
}

int zipio_commit(struct zipio *z)
{
	struct stat st;
	int have = stat(z->path, &st) == 0;
	if (zip_close(z->za) < 0) {
		error_code(EXIT_WRITE, "'%s': cannot write the archive: %s (the original is untouched)", z->path,
			   zip_strerror(z->za));
		return -1;
	}
	z->za = NULL;
	if (have)
		chmod(z->path, st.st_mode & 07777);
	int fd = open(z->path, O_RDONLY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	fsync_dir_of(z->path);
	return 0;
}
