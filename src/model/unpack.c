/* unpack: a zipped package into a folder (pkg_unpack; see package.h). */
#include "base/compat.h"
#include "model/pkg-internal.h"
#include "base/error.h"
#include "base/fs.h"
#include "model/model.h"
#include "base/xalloc.h"
#include "model/zipio.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- unpack ------------------------------------------------------------------------ */

/* creates base/rel and the folders above it (mode 0700: made readable and
 * writable for us until the final modes are set) */
int pkg_make_dirs(const char *zip, const char *base, const char *rel, int last_too)
{
	char *path = xasprintf("%s/%s", base, rel);
	size_t bl = strlen(base) + 1;
	int rc = 0;
	for (char *p = path + bl; rc == 0; p++) {
		if (*p != '/' && *p != 0)
			continue;
		int end = *p == 0;
		if (end && !last_too)
			break;
		char c = *p;
		*p = 0;
		if (mkdir(path, 0700) < 0) {
			struct stat st;
			if (errno != EEXIST)
				rc = error_code(EXIT_WRITE, "'%s': cannot create: %s; nothing written", path,
						strerror(errno));
			else if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
				rc = error_code(EXIT_INVALID,
						"'%s': entry '%s' is both a file and a folder; nothing written", zip,
						path + bl);
		}
		*p = c;
		if (end)
			break;
	}
	free(path);
	return rc;
}

static void set_times(const char *path, long long mtime)
{
	if (mtime < 0)
		return;
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { (time_t)mtime, 0 } };
	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static int by_depth_desc(const void *a, const void *b)
{
	const struct uent *x = *(const struct uent *const *)a, *y = *(const struct uent *const *)b;
	size_t dx = 0, dy = 0;
	for (const char *p = x->rel; *p; p++)
		dx += *p == '/';
	for (const char *p = y->rel; *p; p++)
		dy += *p == '/';
	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

/* writes the entries into the empty folder tmp */
static int extract_into(struct zipio *z, const char *zip, const char *tmp, struct uent *v, size_t n, mode_t root_mode,
			struct progress *pr)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (v[i].kind == ZIPIO_DIR)
			rc = pkg_make_dirs(zip, tmp, v[i].rel, 1);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (v[i].kind != ZIPIO_FILE)
			continue;
		rc = pkg_make_dirs(zip, tmp, v[i].rel, 0);
		if (rc < 0 || (rc = pkg_interrupted(zip) ? -1 : 0) < 0)
			break;
		char *path = xasprintf("%s/%s", tmp, v[i].rel);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			if (errno == EEXIST || errno == EISDIR || errno == ELOOP)
				rc = error_code(EXIT_INVALID,
						"'%s': entry '%s' is both a file and a folder; nothing written", zip,
						v[i].rel);
			else
				rc = error_code(EXIT_WRITE, "'%s': cannot create: %s; nothing written", path,
						strerror(errno));
		} else {
			rc = zipio_extract(z, v[i].index, fd, path, pkg_on_bytes, pr);
			if (rc == 0 && fchmod(fd, v[i].mode) < 0)
				rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", path, strerror(errno));
			if (rc == 0 && v[i].mtime >= 0) {
				struct timespec ts[2] = { { 0, UTIME_OMIT }, { (time_t)v[i].mtime, 0 } };
				futimens(fd, ts);
			}
			if (rc == 0 && fsync(fd) < 0)
				rc = error_code(EXIT_WRITE, "'%s': fsync failed: %s", path, strerror(errno));
			if (close(fd) < 0 && rc == 0)
				rc = error_code(EXIT_WRITE, "'%s': close failed: %s", path, strerror(errno));
		}
		free(path);
	}
	/* links last, so that nothing is ever written through one */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (v[i].kind != ZIPIO_LINK)
			continue;
		rc = pkg_make_dirs(zip, tmp, v[i].rel, 0);
		if (rc < 0)
			break;
		char *path = xasprintf("%s/%s", tmp, v[i].rel);
		if (symlink(v[i].target, path) < 0)
			rc = errno == EEXIST ? error_code(EXIT_INVALID,
							  "'%s': entry '%s' is both a link and a folder; "
							  "nothing written",
							  zip, v[i].rel)
					     : error_code(EXIT_WRITE, "'%s': cannot create: %s; nothing written", path,
							  strerror(errno));
		else
			set_times(path, v[i].mtime);
		free(path);
	}
	/* folders no entry of their own describes (zips written without folder
	 * entries) get the usual mode, as mkdir would give them; then the
	 * listed folders their own modes and dates, deepest first; all flushed */
	if (rc == 0) {
		mode_t um = umask(0);
		umask(um);
		for (size_t i = 0; i < n && rc == 0; i++) {
			char *path = xasprintf("%s/%s", tmp, v[i].rel);
			for (char *sl = strrchr(path, '/'); sl && sl > path + strlen(tmp); sl = strrchr(path, '/')) {
				*sl = 0;
				if (chmod(path, 0777 & ~um) < 0)
					rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", path,
							strerror(errno));
			}
			free(path);
		}
	}
	if (rc == 0) {
		const struct uent **d = xmalloc(sizeof(*d) * (n ? n : 1));
		size_t nd = 0;
		for (size_t i = 0; i < n; i++)
			if (v[i].kind == ZIPIO_DIR)
				d[nd++] = &v[i];
		qsort(d, nd, sizeof(*d), by_depth_desc);
		for (size_t i = 0; i < nd; i++) {
			char *path = xasprintf("%s/%s", tmp, d[i]->rel);
			pkg_fsync_path(path, 1);
			if (chmod(path, d[i]->mode) < 0 && rc == 0)
				rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", path, strerror(errno));
			set_times(path, d[i]->mtime);
			free(path);
		}
		free(d);
		pkg_fsync_path(tmp, 1);
		if (rc == 0 && chmod(tmp, root_mode) < 0)
			rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", tmp, strerror(errno));
	}
	return rc;
}

static void uents_free(struct uent *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].rel);
		free(v[i].target);
	}
	free(v);
}

int pkg_unpack_model(struct mlpkg_model *m, const char *dir, const char *name, char **made,
		     const struct mlpkg_progress *prog)
{
	struct zipio *z = m->zip;
	const char *zip = m->path;
	const char *prefix = m->zip_prefix;
	size_t plen = strlen(prefix);
	mode_t um = pkg_current_umask();
	mode_t root_mode = 0777 & ~um;
	long long root_mtime = -1;
	if (zipio_check_all(z) < 0)
		return -1;
	long n = zipio_count(z);
	struct uent *v = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*v));
	size_t nv = 0;
	int rc = 0;
	uint64_t total = 0;
	for (long i = 0; rc == 0 && i < n; i++) {
		struct zipio_entry e;
		if (zipio_entry(z, i, &e) < 0) {
			rc = -1;
			break;
		}
		/* every name is checked, Finder's resource forks (__MACOSX/,
		 * skipped) included: a '..' there is as hostile as anywhere */
		if (pkg_check_entry_name(zip, e.name) < 0) {
			rc = -1;
			break;
		}
		if (!strncmp(e.name, "__MACOSX/", 9))
			continue;
		char *sn = pkg_shown(e.name);
		size_t nl = strlen(e.name);
		if (plen && strncmp(e.name, prefix, plen) &&
		    !(e.kind == ZIPIO_DIR && nl == plen - 1 && !strncmp(e.name, prefix, nl)))
			rc = error_code(EXIT_INVALID,
					"'%s': entry '%s' is outside the package folder '%s'; nothing written", zip, sn,
					prefix);
		else if (!plen && pkg_has_suffix(e.name, ".mlpackage/Manifest.json"))
			rc = error_code(EXIT_INVALID,
					"'%s': the zip holds more than one package ('%s' and one at its root); "
					"nothing written",
					zip, sn);
		else if (e.kind == ZIPIO_OTHER)
			rc = error_code(EXIT_INVALID, "'%s': entry '%s' is a device, pipe or socket; nothing written",
					zip, sn);
		else if (e.encrypted)
			rc = error_code(EXIT_INVALID, "'%s': entry '%s' is encrypted; nothing written", zip, sn);
		free(sn);
		if (rc < 0)
			break;
		const char *rel = nl >= plen ? e.name + plen : "";
		size_t rl = strlen(rel);
		while (rl && rel[rl - 1] == '/')
			rl--;
		if (!rl) {
			if (e.kind != ZIPIO_DIR) {
				rc = error_code(EXIT_INVALID, "'%s': entry '%s' is not a folder; nothing written", zip,
						e.name);
				break;
			}
			if (e.has_mode)
				root_mode = e.mode & 0777;
			root_mtime = e.mtime;
			continue;
		}
		struct uent *u = &v[nv++];
		u->index = i;
		u->rel = xstrndup(rel, rl);
		u->kind = e.kind;
		u->mtime = e.mtime;
		u->mode = e.has_mode ? e.mode & 0777 : (e.kind == ZIPIO_DIR ? 0777 : 0666) & ~um;
		if (e.kind == ZIPIO_FILE)
			total += e.size;
	}
	/* duplicated names (a file and a folder of one name included) */
	if (rc == 0) {
		qsort(v, nv, sizeof(*v), pkg_cmp_uent);
		for (size_t i = 1; i < nv; i++)
			if (!strcmp(v[i - 1].rel, v[i].rel)) {
				char *sn = pkg_shown(v[i].rel);
				rc = error_code(EXIT_INVALID, "'%s': entry '%s%s' appears twice; nothing written", zip,
						prefix, sn);
				free(sn);
				break;
			}
	}
	/* nothing may lie beyond a link or a file of the archive */
	for (size_t i = 0; rc == 0 && i < nv; i++) {
		char *p = xstrdup(v[i].rel);
		for (char *s = strchr(p, '/'); rc == 0 && s; s = strchr(s + 1, '/')) {
			*s = 0;
			const struct uent *u = pkg_find_uent(v, nv, p);
			if (u && u->kind != ZIPIO_DIR) {
				char *sn = pkg_shown(v[i].rel), *sp = pkg_shown(p);
				rc = error_code(EXIT_INVALID,
						"'%s': entry '%s%s' lies beyond the %s '%s%s'; nothing written", zip,
						prefix, sn, u->kind == ZIPIO_LINK ? "link" : "file", prefix, sp);
				free(sn);
				free(sp);
			}
			*s = '/';
		}
		free(p);
	}
	/* links: read, and kept only when they stay inside */
	for (size_t i = 0; rc == 0 && i < nv; i++) {
		if (v[i].kind != ZIPIO_LINK)
			continue;
		uint8_t *t;
		size_t tl;
		if (zipio_read(z, v[i].index, &t, &tl, PATH_MAX) < 0) {
			rc = -1;
			break;
		}
		v[i].target = (char *)t;
		if (memchr(t, 0, tl) || !pkg_link_stays_inside(v, nv, v[i].rel, v[i].target)) {
			char *sn = pkg_shown(v[i].rel), *st = pkg_shown(v[i].target);
			rc = error_code(EXIT_INVALID,
					"'%s': entry '%s%s' is a link leading outside the package (to '%s'); "
					"nothing written",
					zip, prefix, sn, st);
			free(sn);
			free(st);
		}
	}
	if (rc < 0) {
		uents_free(v, nv);
		return -1;
	}
	/* the folder's name */
	char *pname = NULL;
	if (name) {
		pname = xstrdup(name);
	} else if (plen) {
		pname = xstrndup(prefix, plen - 1);
	} else {
		char *zd, *zb;
		pkg_split_path(zip, &zd, &zb);
		pname = pkg_zip_root_name(zb);
		free(zd);
		free(zb);
	}
	if (!pkg_plain_name(pname)) {
		char *sn = pkg_shown(pname);
		error_code(EXIT_USAGE, "'%s': '%s' cannot name a package folder", zip, sn);
		free(sn);
		free(pname);
		uents_free(v, nv);
		return -1;
	}
	int replace;
	char *made_top = NULL;
	char *dest = pkg_prepare_dest(dir, pname, &made_top, &replace);
	char *tmp = NULL;
	struct fs_held h = { 0 };
	if (!dest)
		rc = -1;
	if (rc == 0) {
		fs_hold_signals(&h);
		tmp = pkg_make_temp_dir(dir, pname);
		if (!tmp)
			rc = -1;
	}
	struct progress pr;
	pkg_progress_begin(&pr, prog, "unpacking", zip, total);
	if (rc == 0)
		rc = extract_into(z, zip, tmp, v, nv, root_mode, &pr);
	pkg_progress_end(&pr);
	if (rc == 0) {
		set_times(tmp, root_mtime);
		rc = pkg_install_dir(tmp, dest, replace);
	}
	if (rc < 0) {
		if (tmp)
			fs_remove_tree(tmp);
		pkg_unmake_path(dir, made_top);
	} else if (made) {
		*made = dest;
		dest = NULL;
	}
	fs_release_signals(&h);
	free(made_top);
	free(tmp);
	free(dest);
	free(pname);
	uents_free(v, nv);
	return rc;
}

/* opens a zipped package for unpack; NULL (reported) for anything else */
static struct mlpkg_model *open_zipped_package(const char *zip)
{
	struct mlpkg_model *m;
	if (mlpkg_open(zip, 0, &m) < 0)
		return NULL;
	if (m->fmt != FMT_ZIP || !m->man) {
		if (m->fmt == FMT_ZIP)
			error_code(EXIT_USAGE,
				   "'%s': the zip holds a single .mlmodel, not a package; 'mlpkg convert' makes a "
				   "package of it",
				   zip);
		else
			error_code(EXIT_USAGE, "'%s': not a zip archive (a %s); unpack takes a zipped package", zip,
				   m->fmt == FMT_PACKAGE ? "package folder" : "spec");
		mlpkg_close(m);
		return NULL;
	}
	return m;
}

int pkg_unpack(const char *zip, const char *dir, const char *name, char **made, const struct mlpkg_progress *prog)
{
	struct mlpkg_model *m = open_zipped_package(zip);
	if (!m)
		return -1;
	int rc = pkg_unpack_model(m, dir, name, made, prog);
	mlpkg_close(m);
	return rc;
}

int zipio_screen(struct zipio *z, const char *label)
{
	if (zipio_check_all(z) < 0)
		return -1;
	long n = zipio_count(z);
	for (long i = 0; i < n; i++) {
		struct zipio_entry e;
		if (zipio_entry(z, i, &e) < 0 || pkg_check_entry_name(label, e.name) < 0)
			return -1;
		if (e.kind != ZIPIO_LINK)
			continue;
		uint8_t *t;
		size_t tl;
		if (zipio_read(z, i, &t, &tl, PATH_MAX) < 0)
			return -1;
		/* a link is never followed here; one that could lead outside the
		 * archive's tree (absolute, or going up) is refused as unpack
		 * refuses it */
		int bad = !tl || memchr(t, 0, tl) || t[0] == '/' || !strncmp((char *)t, "..", 2) ||
			  strstr((char *)t, "/..");
		free(t);
		if (bad) {
			char *sn = pkg_shown(e.name);
			error_code(EXIT_INVALID, "'%s': entry '%s' is a link leading outside the archive", label, sn);
			free(sn);
			return -1;
		}
	}
	return 0;
}
