/* save: writing an edited model back (see mlpkg_save, mlpkg_save_with in
 * model.h): an .mlmodel or a package's spec through an atomic file, a copy
 * of a package built beside OUT and renamed into place, a zip through one
 * libzip commit; with the package files (Xcode's overlays) an edit changes
 * written in the same save. */
#include "base/compat.h"
#include "model/model.h"
#include "base/atomic.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "model/internal.h"
#include "model/zipio.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* writes spans of the mapped original by copying from its file (in the
 * kernel: no page of it is mapped into us), everything else through a
 * buffer: the re-encoded path and the small spans between its nodes cost
 * one write() rather than one each */
#define SINK_BUF ((size_t)64 << 10)
struct spec_sink {
	struct atomic_file *af;
	struct mlpkg_model *m;
	uint8_t *buf;
	size_t len;
};

static int spec_sink_flush(struct spec_sink *s)
{
	size_t n = s->len;
	s->len = 0;
	return n ? atomic_write(s->af, s->buf, n) : 0;
}

static int spec_sink_write(void *ctx, const void *p, size_t n)
{
	struct spec_sink *s = ctx;
	const uint8_t *b = s->m->map, *q = p;
	if (b && s->m->fd >= 0 && q >= b && q + n <= b + s->m->map_len && n >= 65536)
		return spec_sink_flush(s) < 0 ? -1 : atomic_copy_from(s->af, s->m->fd, (off_t)(q - b), n);
	if (n >= SINK_BUF)
		return spec_sink_flush(s) < 0 ? -1 : atomic_write(s->af, p, n);
	if (s->len + n > SINK_BUF && spec_sink_flush(s) < 0)
		return -1;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return 0;
}

/* the spec written into the temp file of af, begun for dest (not yet
 * committed); -1 with af aborted */
static int spec_begin(struct mlpkg_model *m, const char *dest, struct atomic_file *af)
{
	if (atomic_begin(af, dest, 0) < 0)
		return -1;
	struct spec_sink ss = { af, m, xmalloc(SINK_BUF), 0 };
	struct mt_sink s = { spec_sink_write, &ss };
	int r = mt_write(m->root, &s);
	if (r == 0)
		r = spec_sink_flush(&ss);
	free(ss.buf);
	if (r < 0) {
		atomic_abort(af);
		return -1;
	}
	return 0;
}

static int write_spec_file(struct mlpkg_model *m, const char *dest)
{
	struct atomic_file af;
	if (spec_begin(m, dest, &af) < 0)
		return -1;
	return atomic_commit(&af);
}

/* While a copy of a package or zip is built beside OUT (-o), INT, TERM and
 * HUP are held back (fs_hold_signals): one that arrives stops the copy,
 * which is removed, and is delivered after (an ignored one stays ignored).
 * The handlers of atomic.c cannot remove a folder. */
static int signal_pending(void)
{
	return atomic_signal_pending();
}

static int interrupted(const char *out)
{
	return error_code(EXIT_WRITE, "'%s': interrupted; nothing written", out);
}

/* set when a copy stopped for a signal (reported by the caller, naming OUT
 * rather than the temp file) */
static int copy_stopped;

static int stop_copy(void)
{
	copy_stopped = 1;
	return error_code_silent(EXIT_WRITE);
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = model_open_ro(from, 0);
	if (in < 0)
		return error_code(EXIT_WRITE, "'%s': cannot read: %s", from, strerror(errno));
	int outfd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
	if (outfd < 0) {
		int e = errno;
		close(in);
		return error_code(EXIT_WRITE, "'%s': cannot create: %s", to, strerror(e));
	}
	fchmod(outfd, mode & 07777);
	char *buf = NULL;
	int rc = 0;
	for (;;) {
		if (signal_pending()) {
			rc = stop_copy();
			break;
		}
		ssize_t r = copy_file_range(in, NULL, outfd, NULL, 1 << 26, 0);
		if (r == 0)
			break;
		if (r > 0)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
			rc = error_code(EXIT_WRITE, "'%s': copy failed: %s", to, strerror(errno));
			break;
		}
		/* plain copy */
		buf = xmalloc(1 << 20);
		ssize_t n;
		while ((n = read(in, buf, 1 << 20)) > 0) {
			if (write(outfd, buf, (size_t)n) != n) {
				rc = error_code(EXIT_WRITE, "'%s': copy failed: %s", to, strerror(errno));
				break;
			}
			if (signal_pending()) {
				rc = stop_copy();
				break;
			}
		}
		break;
	}
	free(buf);
	if (rc == 0 && fsync(outfd) < 0)
		rc = error_code(EXIT_WRITE, "'%s': fsync failed: %s", to, strerror(errno));
	close(in);
	close(outfd);
	return rc;
}

/* copies the package folder tree from -> to, skipping the spec (skip) */
static int copy_tree(const char *from, const char *to, const char *skip)
{
	struct stat st;
	if (stat(from, &st) < 0 || mkdir(to, st.st_mode & 07777) < 0)
		return error_code(EXIT_WRITE, "'%s': cannot create: %s", to, strerror(errno));
	DIR *d = opendir(from);
	if (!d)
		return error_code(EXIT_WRITE, "'%s': cannot read: %s", from, strerror(errno));
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (signal_pending()) {
			rc = stop_copy();
			break;
		}
		char *a = xasprintf("%s/%s", from, e->d_name), *b = xasprintf("%s/%s", to, e->d_name);
		struct stat es;
		if (lstat(a, &es) < 0)
			rc = error_code(EXIT_WRITE, "'%s': %s", a, strerror(errno));
		else if (S_ISDIR(es.st_mode))
			rc = copy_tree(a, b, skip);
		else if (S_ISREG(es.st_mode)) {
			if (!skip || strcmp(a, skip))
				rc = copy_file(a, b, es.st_mode);
		} else if (S_ISLNK(es.st_mode)) {
			char target[PATH_MAX];
			ssize_t l = readlink(a, target, sizeof(target) - 1);
			if (l >= 0) {
				target[l] = 0;
				if (symlink(target, b) < 0)
					rc = error_code(EXIT_WRITE, "'%s': %s", b, strerror(errno));
			}
		}
		free(a);
		free(b);
	}
	closedir(d);
	return rc;
}

/* writes the file rel of the package being built at dir (replacing the
 * copy of the original there), fsynced */
static int write_into(const char *dir, const struct mlpkg_file *f)
{
	char *path = xasprintf("%s/%s", dir, f->rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
	int rc = 0;
	if (fd < 0 || write(fd, f->data, f->len) != (ssize_t)f->len || fsync(fd) < 0)
		rc = error_code(EXIT_WRITE, "'%s': cannot write: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

static int save_package_copy_held(struct mlpkg_model *m, const char *out, const struct mlpkg_file *files, size_t nfiles)
{
	char *tmp = xasprintf("%s.mlpkg-tmp-%ld", out, (long)getpid());
	fs_remove_tree(tmp);
	copy_stopped = 0;
	if (copy_tree(m->pkg_dir, tmp, m->spec_path) < 0) {
		if (copy_stopped)
			interrupted(out);
		fs_remove_tree(tmp);
		free(tmp);
		return -1;
	}
	const struct manifest_item *root = &m->man->items[m->man->root];
	char *dest = xasprintf("%s/Data/%s", tmp, root->path);
	int rc = write_spec_file(m, dest);
	if (rc == 0) {
		struct stat sst;
		if (stat(m->spec_path, &sst) == 0)
			chmod(dest, sst.st_mode & 07777);
	}
	free(dest);
	for (size_t i = 0; rc == 0 && i < nfiles; i++)
		rc = write_into(tmp, &files[i]);
	if (rc == 0 && signal_pending())
		rc = interrupted(out);
	if (rc == 0) {
		struct stat ost;
		int replace = lstat(out, &ost) == 0;
		if (fs_install_dir(tmp, out, replace) < 0)
			rc = error_code(EXIT_WRITE, "'%s': cannot %s it: %s", out, replace ? "replace" : "create",
					strerror(errno));
	}
	if (rc < 0)
		fs_remove_tree(tmp);
	free(tmp);
	return rc;
}

static int save_package_copy(struct mlpkg_model *m, const char *out, const struct mlpkg_file *files, size_t nfiles)
{
	struct fs_held held;
	fs_hold_signals(&held);
	int rc = save_package_copy_held(m, out, files, nfiles);
	fs_release_signals(&held);
	return rc;
}

/* the spec and the files replaced in the archive z (m's, or a copy of it),
 * to be written by one commit; a file the archive lacks is left out */
static int zip_stage(struct mlpkg_model *m, struct zipio *z, const uint8_t *spec, size_t len,
		     const struct mlpkg_file *files, size_t nfiles)
{
	int rc = zipio_replace(z, m->spec_entry, spec, len);
	for (size_t i = 0; rc == 0 && i < nfiles; i++) {
		char *entry = xasprintf("%s%s", m->zip_prefix, files[i].rel);
		long k = zipio_find(z, entry);
		free(entry);
		if (k >= 0)
			rc = zipio_replace(z, k, files[i].data, files[i].len);
	}
	return rc;
}

static int save_zip(struct mlpkg_model *m, const char *out, const struct mlpkg_file *files, size_t nfiles)
{
	size_t len;
	uint8_t *bytes = mt_serialize(m->root, &len);
	int rc;
	if (!out) {
		rc = zip_stage(m, m->zip, bytes, len, files, nfiles);
		if (rc == 0)
			rc = zipio_commit(m->zip);
		free(bytes);
		return rc;
	}
	/* a copy of the archive beside out, edited, then renamed into place
	 * (signals held back meanwhile: see fs_hold_signals) */
	struct fs_held held;
	fs_hold_signals(&held);
	char *tmp = xasprintf("%s.mlpkg-tmp-%ld", out, (long)getpid());
	unlink(tmp);
	copy_stopped = 0;
	rc = copy_file(m->path, tmp, m->st.st_mode);
	if (rc < 0 && copy_stopped)
		interrupted(out);
	struct zipio *z = rc == 0 ? zipio_open(tmp, 1) : NULL;
	if (rc == 0 && !z)
		rc = error_code(EXIT_WRITE, "'%s': cannot write", out);
	if (rc == 0)
		rc = zip_stage(m, z, bytes, len, files, nfiles);
	if (rc == 0)
		rc = zipio_commit(z);
	zipio_close(z);
	if (rc == 0 && signal_pending())
		rc = interrupted(out);
	if (rc == 0 && rename(tmp, out) < 0)
		rc = error_code(EXIT_WRITE, "'%s': cannot create it: %s", out, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	else
		fsync_dir_of(out);
	fs_release_signals(&held);
	free(tmp);
	free(bytes);
	return rc;
}

/* A package edited in place: every new file (the spec when spec is set,
 * and the files) is written and fsynced before the first rename, so a
 * folder that refuses one fails the save with every file as it was; the
 * renames then follow each other with INT, TERM and HUP held back. */
static int save_package_in_place(struct mlpkg_model *m, int spec, const struct mlpkg_file *files, size_t nfiles)
{
	struct atomic_file *af = xcalloc(nfiles + 1, sizeof(*af));
	size_t begun = 0;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < nfiles; i++) {
		char *path = xasprintf("%s/%s", m->pkg_dir, files[i].rel);
		rc = atomic_begin(&af[begun], path, 0);
		free(path);
		if (rc < 0)
			break;
		begun++;
		if (atomic_write(&af[begun - 1], files[i].data, files[i].len) < 0)
			rc = -1;
	}
	if (rc == 0 && spec) {
		rc = spec_begin(m, m->spec_path, &af[begun]);
		if (rc == 0)
			begun++;
	}
	for (size_t i = 0; rc == 0 && i < begun; i++)
		if (fsync(af[i].fd) < 0)
			rc = error_code(EXIT_WRITE, "'%s': fsync failed: %s (the original is untouched)", af[i].path,
					strerror(errno));
	if (rc < 0) {
		for (size_t i = 0; i < begun; i++)
			atomic_abort(&af[i]);
		free(af);
		return -1;
	}
	/* the spec first (it is the last one begun), then the files */
	struct fs_held held;
	fs_hold_signals(&held);
	for (size_t k = 0; k < begun; k++) {
		size_t i = begun - 1 - k;
		if (rc == 0)
			rc = atomic_commit(&af[i]);
		else
			atomic_abort(&af[i]);
	}
	fs_release_signals(&held);
	free(af);
	return rc;
}

int mlpkg_save(struct mlpkg_model *m, const char *out)
{
	return mlpkg_save_with(m, out, NULL, 0, 1);
}

int mlpkg_save_with(struct mlpkg_model *m, const char *out, const struct mlpkg_file *files, size_t nfiles, int spec)
{
	/* -o writes the model's own kind: a name that says another is refused
	 * before anything is written (convert changes the kind) */
	if (out) {
		int want = mlpkg_kind_of_name(out), have = m->fmt == FMT_STDIN ? FMT_MLMODEL : (int)m->fmt;
		static const char *const what[] = {
			[FMT_MLMODEL] = "an .mlmodel file", [FMT_PACKAGE] = "a package folder", [FMT_ZIP] = "a zip"
		};
		if (want >= 0 && want != have && have >= 0 && have < (int)(sizeof(what) / sizeof(what[0])) &&
		    what[have])
			return error_code(EXIT_USAGE,
					  "'%s': -o writes %s, as the model is; '%s' names another kind "
					  "(mlpkg convert changes it); nothing written",
					  m->path, what[have], out);
	}
	if (out && m->fmt != FMT_STDIN && mlpkg_same_file(out, m->path))
		out = NULL;
	/* only a package in place can leave its spec file as it is */
	if (out || m->fmt != FMT_PACKAGE)
		spec = 1;
	if (m->fmt != FMT_PACKAGE && m->fmt != FMT_ZIP)
		nfiles = 0;
	if (!spec && !nfiles)
		return 0;
	/* never write a spec that does not decode, whatever part of it the edit touched */
	if (spec && mt_check(m->root) < 0)
		return -1;
	/* temp files that killed edits of this spec left: with its lock held no
	 * in-place edit can be writing one; the age spares a -o write to it */
	if (!out && m->locked && m->spec_path && (m->fmt == FMT_MLMODEL || m->fmt == FMT_PACKAGE))
		atomic_clean_stale(m->spec_path, STALE_TEMP_AGE);
	if (!out && m->locked && m->fmt == FMT_ZIP)
		atomic_clean_stale_zip(m->path, STALE_TEMP_AGE);
	/* a file its owner made read-only is not replaced behind their back
	 * (the folder would allow the rename); root may, as with cp */
	const char *target = m->fmt == FMT_PACKAGE ? m->spec_path : m->path;
	if (!out && spec && m->fmt != FMT_STDIN && target && access(target, W_OK) < 0 && errno == EACCES)
		return error_code(EXIT_WRITE,
				  "'%s': read-only (no write permission): not edited; the original is "
				  "untouched",
				  target);
	switch (m->fmt) {
	case FMT_STDIN:
		if (!out)
			return error_code(EXIT_USAGE, "cannot edit standard input in place: use -o FILE");
		return write_spec_file(m, out);
	case FMT_MLMODEL: return write_spec_file(m, out ? out : m->path);
	case FMT_PACKAGE:
		if (!out)
			return save_package_in_place(m, spec, files, nfiles);
		return save_package_copy(m, out, files, nfiles);
	case FMT_ZIP: return save_zip(m, out, files, nfiles);
	}
	return -1;
}
