/* zipio: the libzip boundary (see zipio.h). */
#include "model/zipio.h"
#include "base/atomic.h"
#include "base/error.h"
#include "base/xalloc.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>
#include "model/zipload.h"

struct zipio {
	zip_t *za;
	char *path;
	char *label; /* names the archive in messages when path is a temp file */
	uint64_t archive_size;
	void (*progress)(void *ctx, double done);
	void *progress_ctx;
};

#define LABEL(z) ((z)->label ? (z)->label : (z)->path)

int zipio_sniff(const uint8_t *h, size_t n)
{
	return n >= 4 && h[0] == 'P' && h[1] == 'K' && ((h[2] == 3 && h[3] == 4) || (h[2] == 5 && h[3] == 6));
}

/* the zipio for an archive libzip opened (za NULL: it failed with err) */
static struct zipio *opened(const char *path, zip_t *za, int err, uint64_t size)
{
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
	z->archive_size = size;
	return z;
}

struct zipio *zipio_open_fd(const char *path, int fd)
{
	/* libzip opening by name stats the file, then opens it again: an
	 * archive replaced in between (another process's edit) is read with
	 * the old size and looks broken.  From an open file both agree. */
	struct stat st;
	int dfd = fd >= 0 ? dup(fd) : -1;
	if (dfd < 0 || fstat(dfd, &st) < 0) {
		if (dfd >= 0)
			close(dfd);
		return zipio_open(path, 0);
	}
	int err = 0;
	zip_t *za = zip_fdopen(dfd, 0, &err);
	if (!za)
		close(dfd);
	return opened(path, za, err, (uint64_t)st.st_size);
}

struct zipio *zipio_open(const char *path, int writable)
{
	int err = 0;
	zip_t *za = zip_open(path, writable ? 0 : ZIP_RDONLY, &err);
	struct stat st;
	uint64_t size = za && stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
	return opened(path, za, err, size);
}

void zipio_close(struct zipio *z)
{
	if (!z)
		return;
	if (z->za)
		zip_discard(z->za);
	free(z->path);
	free(z->label);
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

int zipio_read_head(struct zipio *z, long i, uint8_t **buf, size_t *len, size_t max)
{
	const char *name = zipio_name(z, i);
	zip_file_t *zf = zip_fopen_index(z->za, (zip_uint64_t)i, 0);
	if (!zf)
		return error_code(EXIT_INVALID, "'%s': cannot open entry '%s': %s", z->path, name ? name : "?",
				  zip_strerror(z->za));
	uint64_t size = zipio_size(z, i);
	size_t want = size < max ? (size_t)size : max;
	uint8_t *b = xmalloc(want + 1);
	size_t got = 0;
	while (got < want) {
		zip_int64_t r = zip_fread(zf, b + got, want - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	zip_fclose(zf);
	if (got < want) {
		free(b);
		return error_code(EXIT_INVALID, "'%s': entry '%s' is damaged: shorter than it claims", z->path, name);
	}
	b[got] = 0;
	*buf = b;
	*len = got;
	return 0;
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
	if (zipio_check(z, i) < 0)
		return -1;
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
	/* libzip's message lives in zf: copied before zip_fclose frees it */
	char why[200] = "size mismatch";
	if (bad && zip_error_code_zip(zip_file_get_error(zf)) != ZIP_ER_OK)
		snprintf(why, sizeof(why), "%s", zip_file_strerror(zf));
	else if (bad)
		snprintf(why, sizeof(why), "%s", got < st.size ? "shorter than it claims" : "longer than it claims");
	zip_fclose(zf);
	if (bad) {
		free(b);
		return error_code(EXIT_INVALID, "'%s': entry '%s' is damaged: %s", z->path, name, why);
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
	/* the entry's own time is now; an extended-timestamp field (0x5455,
	 * what Info-ZIP writes) would still give the old one to unzip */
	zip_file_extra_field_delete_by_id(z->za, (zip_uint64_t)i, 0x5455, ZIP_EXTRA_FIELD_ALL,
					  ZIP_FL_LOCAL | ZIP_FL_CENTRAL);
	return 0;
}

static void on_progress(zip_t *za, double done, void *ud)
{
	struct zipio *z = ud;
	(void)za;
	z->progress(z->progress_ctx, done);
}

#if LIBZIP_VERSION_MAJOR > 1 || (LIBZIP_VERSION_MAJOR == 1 && LIBZIP_VERSION_MINOR >= 6)
/* while zip_close runs, INT/TERM/HUP are blocked: a pending one cancels the
 * write, libzip removes its temp file, and the signal is delivered after */
static int on_cancel(zip_t *za, void *ud)
{
	(void)za, (void)ud;
	return atomic_signal_pending(); /* not an ignored one (nohup) */
}
#endif

/* zip_close with the progress callback and signals held back (see above) */
static int close_archive(struct zipio *z)
{
	sigset_t block, old;
	if (z->progress)
		zip_register_progress_callback_with_state(z->za, 0.01, on_progress, NULL, z);
#if LIBZIP_VERSION_MAJOR > 1 || (LIBZIP_VERSION_MAJOR == 1 && LIBZIP_VERSION_MINOR >= 6)
	zip_register_cancel_callback_with_state(z->za, on_cancel, NULL, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
#endif
	int r = zip_close(z->za);
#if LIBZIP_VERSION_MAJOR > 1 || (LIBZIP_VERSION_MAJOR == 1 && LIBZIP_VERSION_MINOR >= 6)
	sigprocmask(SIG_SETMASK, &old, NULL);
#endif
	return r;
}

int zipio_commit(struct zipio *z)
{
	struct stat st;
	int have = stat(z->path, &st) == 0;
	if (close_archive(z) < 0) {
		if (zip_error_code_zip(zip_get_error(z->za)) == ZIP_ER_CANCELLED)
			error_code(EXIT_FAIL, "'%s': interrupted; nothing written", LABEL(z));
		else
			error_code(EXIT_WRITE, "'%s': cannot write the archive: %s (the original is untouched)",
				   LABEL(z), zip_strerror(z->za));
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

/* ---- entries in detail, extraction, new archives ---------------------------- */

int zipio_entry(struct zipio *z, long i, struct zipio_entry *e)
{
	zip_stat_t st;
	memset(e, 0, sizeof(*e));
	e->mtime = -1;
	if (zip_stat_index(z->za, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_NAME))
		return error_code(EXIT_INVALID, "'%s': cannot read entry %ld: %s", z->path, i, zip_strerror(z->za));
	e->name = st.name;
	e->size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
	e->comp_size = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
	e->encrypted = (st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE;
	if (st.valid & ZIP_STAT_MTIME)
		e->mtime = (long long)st.mtime;
	size_t l = strlen(st.name);
	e->kind = l && st.name[l - 1] == '/' ? ZIPIO_DIR : ZIPIO_FILE;
	zip_uint8_t os;
	zip_uint32_t attr;
	if (zip_file_get_external_attributes(z->za, (zip_uint64_t)i, 0, &os, &attr) == 0 && os == ZIP_OPSYS_UNIX) {
		unsigned m = attr >> 16;
		switch (m & S_IFMT) {
		case S_IFLNK: e->kind = ZIPIO_LINK; break;
		case S_IFDIR: e->kind = ZIPIO_DIR; break;
		case S_IFREG:
		case 0: break;
		default: e->kind = ZIPIO_OTHER; break;
		}
		if (m & 07777) {
			e->mode = m & 07777;
			e->has_mode = 1;
		}
	}
	return 0;
}

int zipio_check(struct zipio *z, long i)
{
	zip_stat_t st;
	const char *name = zipio_name(z, i);
	if (zip_stat_index(z->za, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
		return error_code(EXIT_INVALID, "'%s': cannot read entry '%s'", z->path, name ? name : "?");
	/* deflate cannot expand more than ~1032:1; more than that is a lie */
	if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > 1024 * 1024 && st.size / 1032 > st.comp_size + 1024)
		return error_code(EXIT_INVALID, "'%s': entry '%s' claims an impossible size (zip bomb?)", z->path,
				  name);
	if (st.size > z->archive_size * 1100 + (1 << 20))
		return error_code(EXIT_INVALID, "'%s': entry '%s' claims more than the archive can hold", z->path,
				  name);
	/* its compressed bytes must lie in the archive, and stored bytes are
	 * the data: refused before anything is allocated for the claim */
	if ((st.valid & ZIP_STAT_COMP_SIZE) && st.comp_size > z->archive_size)
		return error_code(EXIT_INVALID, "'%s': entry '%s' claims more than the archive can hold", z->path,
				  name);
	if ((st.valid & ZIP_STAT_COMP_SIZE) && (st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method == ZIP_CM_STORE &&
	    st.size > st.comp_size)
		return error_code(EXIT_INVALID,
				  "'%s': entry '%s' claims an impossible size (stored, %llu bytes in %llu)", z->path,
				  name, (unsigned long long)st.size, (unsigned long long)st.comp_size);
	return 0;
}

int zipio_check_all(struct zipio *z)
{
	long n = zipio_count(z);
	uint64_t total = 0;
	for (long i = 0; i < n; i++) {
		if (zipio_check(z, i) < 0)
			return -1;
		total += zipio_size(z, i);
		if (total > z->archive_size * 1100 + (1 << 20))
			return error_code(EXIT_INVALID,
					  "'%s': the entries claim more than the archive can hold (zip bomb?)",
					  z->path);
	}
	return 0;
}

int zipio_extract(struct zipio *z, long i, int fd, const char *dest, int (*progress)(void *ctx, uint64_t n), void *ctx)
{
	zip_stat_t st;
	const char *name = zipio_name(z, i);
	if (zipio_check(z, i) < 0)
		return -1;
	if (zip_stat_index(z->za, (zip_uint64_t)i, 0, &st) < 0)
		return error_code(EXIT_INVALID, "'%s': cannot read entry '%s'", z->path, name ? name : "?");
	zip_file_t *zf = zip_fopen_index(z->za, (zip_uint64_t)i, 0);
	if (!zf)
		return error_code(EXIT_INVALID, "'%s': cannot open entry '%s': %s", z->path, name, zip_strerror(z->za));
	size_t cap = 1 << 20;
	uint8_t *b = xmalloc(cap);
	uint64_t got = 0;
	int rc = 0;
	while (rc == 0 && got < st.size) {
		uint64_t want = st.size - got < cap ? st.size - got : cap;
		zip_int64_t r = zip_fread(zf, b, want);
		if (r <= 0) {
			const char *why = r < 0 ? zip_file_strerror(zf) : "shorter than it claims";
			rc = error_code(EXIT_INVALID, "'%s': entry '%s' is damaged: %s", z->path, name, why);
			break;
		}
		for (zip_int64_t off = 0; off < r;) {
			ssize_t w = write(fd, b + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = error_code(EXIT_WRITE, "'%s': write failed: %s", dest, strerror(errno));
				break;
			}
			off += w;
		}
		got += (uint64_t)r;
		if (rc == 0 && progress && progress(ctx, (uint64_t)r) < 0)
			rc = -1;
	}
	if (rc == 0) {
		/* the end: libzip checks the CRC when the data is used up */
		zip_int64_t more = zip_fread(zf, b, 1);
		if (more != 0)
			rc = error_code(EXIT_INVALID, "'%s': entry '%s' is damaged: %s", z->path, name,
					more < 0 ? zip_file_strerror(zf) : "longer than it claims");
	}
	free(b);
	zip_fclose(zf);
	return rc;
}

struct zipio *zipio_create(const char *path, const char *label)
{
	int err = 0;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	if (!za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, err);
		error_code(EXIT_WRITE, "'%s': cannot create the archive: %s", label ? label : path,
			   zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return NULL;
	}
	struct zipio *z = xcalloc(1, sizeof(*z));
	z->za = za;
	z->path = xstrdup(path);
	z->label = label ? xstrdup(label) : NULL;
	return z;
}

static int set_attrs(struct zipio *z, zip_int64_t idx, unsigned type, unsigned mode, int deflate)
{
	zip_uint32_t attr = (zip_uint32_t)(type | (mode & 07777)) << 16;
	if (type == S_IFDIR)
		attr |= 0x10; /* the MS-DOS folder bit, for other unzippers */
	if (zip_file_set_external_attributes(z->za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, attr) < 0 ||
	    zip_set_file_compression(z->za, (zip_uint64_t)idx, deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) < 0)
		return error_code(EXIT_WRITE, "'%s': %s", LABEL(z), zip_strerror(z->za));
	return 0;
}

int zipio_add_dir(struct zipio *z, const char *name, unsigned mode, long long mtime)
{
	zip_int64_t idx = zip_dir_add(z->za, name, ZIP_FL_ENC_GUESS);
	if (idx < 0)
		return error_code(EXIT_WRITE, "'%s': cannot add '%s': %s", LABEL(z), name, zip_strerror(z->za));
	if (mtime >= 0)
		zip_file_set_mtime(z->za, (zip_uint64_t)idx, (time_t)mtime, 0);
	return set_attrs(z, idx, S_IFDIR, mode, 0);
}

/* adds src under name (the source is ours to free only when the add fails) */
static int add_source(struct zipio *z, const char *name, zip_source_t *src, unsigned type, unsigned mode, int deflate)
{
	if (!src)
		return error_code(EXIT_WRITE, "'%s': cannot add '%s': %s", LABEL(z), name, zip_strerror(z->za));
	zip_int64_t idx = zip_file_add(z->za, name, src, ZIP_FL_ENC_GUESS);
	if (idx < 0) {
		zip_source_free(src);
		return error_code(EXIT_WRITE, "'%s': cannot add '%s': %s", LABEL(z), name, zip_strerror(z->za));
	}
	return set_attrs(z, idx, type, mode, deflate);
}

int zipio_add_file(struct zipio *z, const char *name, const char *path, unsigned mode, int deflate)
{
	return add_source(z, name, zip_source_file(z->za, path, 0, -1), S_IFREG, mode, deflate);
}

int zipio_add_buffer(struct zipio *z, const char *name, const void *p, size_t len, unsigned mode, int deflate)
{
	return add_source(z, name, zip_source_buffer(z->za, len ? p : "", len, 0), S_IFREG, mode, deflate);
}

int zipio_add_symlink(struct zipio *z, const char *name, const char *target)
{
	size_t l = strlen(target);
	char *copy = xstrdup(target);
	zip_source_t *src = zip_source_buffer(z->za, copy, l, 1);
	if (!src)
		free(copy);
	return add_source(z, name, src, S_IFLNK, 0777, 0);
}

void zipio_set_progress(struct zipio *z, void (*fn)(void *ctx, double done), void *ctx)
{
	z->progress = fn;
	z->progress_ctx = ctx;
}
