/* pack: a package folder into a zip (pkg_pack; see package.h). */
#include "base/compat.h"
#include "model/pkg-internal.h"
#include "base/atomic.h"
#include "base/error.h"
#include "base/fs.h"
#include "model/model.h"
#include "base/xalloc.h"
#include "model/zipio.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- pack ------------------------------------------------------------------------ */

struct pent {
	char *rel; /* relative to the package folder */
	enum zipio_kind kind;
	mode_t mode;
	uint64_t size;
	long long mtime;
	char *target; /* links */
};

struct plist {
	struct pent *v;
	size_t n, cap;
	uint64_t bytes;
};

static void plist_free(struct plist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].rel);
		free(l->v[i].target);
	}
	free(l->v);
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dots(const struct dirent *e)
{
	return strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

static int inside(const char *real, const char *root)
{
	size_t l = strlen(root);
	return !strncmp(real, root, l) && (real[l] == '/' || real[l] == 0);
}

/* lists the package folder below base/rel, sorted, folders before their
 * contents; refuses what a zip of a package cannot hold */
static int walk(const char *pkg, const char *root_real, const char *rel, struct plist *l)
{
	char *dir = *rel ? xasprintf("%s/%s", pkg, rel) : xstrdup(pkg);
	struct dirent **names;
	int n = scandir(dir, &names, not_dots, cmp_names);
	if (n < 0) {
		error_code(EXIT_FAIL, "'%s': cannot read the folder: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char *r = *rel ? xasprintf("%s/%s", rel, names[i]->d_name) : xstrdup(names[i]->d_name);
		char *full = xasprintf("%s/%s", pkg, r);
		struct stat st;
		free(names[i]);
		if (rc < 0) {
			free(r);
			free(full);
			continue;
		}
		if (pkg_check_entry_name(pkg, r) < 0)
			rc = -1;
		else if (lstat(full, &st) < 0)
			rc = error_code(EXIT_FAIL, "'%s': %s", full, strerror(errno));
		if (rc < 0) {
			free(r);
			free(full);
			continue;
		}
		struct pent e = { r, ZIPIO_FILE, st.st_mode & 07777, 0, (long long)st.st_mtime, NULL };
		if (S_ISDIR(st.st_mode)) {
			e.kind = ZIPIO_DIR;
		} else if (S_ISREG(st.st_mode)) {
			e.size = (uint64_t)st.st_size;
			l->bytes += e.size;
		} else if (S_ISLNK(st.st_mode)) {
			char t[PATH_MAX];
			ssize_t tl = readlink(full, t, sizeof(t) - 1);
			char *real = realpath(full, NULL);
			int dangling = !real && errno == ENOENT;
			if (tl >= 0)
				t[tl] = 0;
			/* inside by its words, and (unless dangling) in fact */
			if (tl < 0 || !pkg_link_stays_inside(NULL, 0, r, t) ||
			    !(real ? inside(real, root_real) : dangling)) {
				rc = error_code(EXIT_INVALID,
						"'%s': '%s' is a link leading outside the package; nothing written",
						pkg, r);
			} else {
				e.kind = ZIPIO_LINK;
				e.target = xstrdup(t);
			}
			free(real);
		} else {
			rc = error_code(EXIT_INVALID, "'%s': '%s' is not a file, folder or link; nothing written", pkg,
					r);
		}
		free(full);
		if (rc < 0) {
			free(r);
			continue;
		}
		xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = e;
		if (e.kind == ZIPIO_DIR)
			rc = walk(pkg, root_real, r, l);
	}
	free(names);
	free(dir);
	return rc;
}

int pkg_want_deflate(const char *rel, uint64_t size, enum pkg_compress how)
{
	if (how != PKG_AUTO)
		return how == PKG_DEFLATE;
	return pkg_has_suffix(rel, ".json") || (pkg_has_suffix(rel, ".mlmodel") && size <= DEFLATE_MAX);
}

/* the package's folder name in a zip: ends with .mlpackage */
char *pkg_zip_root_name(const char *base)
{
	size_t l = strlen(base);
	if (l > 4 && pkg_has_suffix(base, ".zip"))
		l -= 4;
	char *r = xstrndup(base, l);
	if (!pkg_has_suffix(r, ".mlpackage") || strlen(r) == strlen(".mlpackage")) {
		char *t = xasprintf("%s.mlpackage", r);
		free(r);
		r = t;
	}
	return r;
}

int pkg_pack_model(struct mlpkg_model *m, const char *out, enum pkg_compress how, const struct mlpkg_progress *prog)
{
	char *pdir, *pbase, *odir, *obase;
	pkg_split_path(m->pkg_dir, &pdir, &pbase);
	pkg_split_path(out, &odir, &obase);
	char *root = pkg_zip_root_name(pbase);
	char *root_real = realpath(m->pkg_dir, NULL), *out_real = realpath(odir, NULL);
	struct plist l = { 0 };
	int rc = 0;
	if (!root_real)
		rc = error_code(EXIT_FAIL, "'%s': %s", m->path, strerror(errno));
	else if (out_real && inside(out_real, root_real))
		rc = error_code(EXIT_USAGE, "'%s': the zip cannot go inside the package it holds", out);
	struct stat rst;
	if (rc == 0 && stat(m->pkg_dir, &rst) < 0)
		rc = error_code(EXIT_FAIL, "'%s': %s", m->path, strerror(errno));
	if (rc == 0)
		rc = walk(m->pkg_dir, root_real, "", &l);
	struct atomic_file af;
	struct zipio *z = NULL;
	struct fs_held h = { 0 };
	int begun = 0;
	if (rc == 0) {
		fs_hold_signals(&h);
		rc = atomic_begin(&af, out, 0);
		begun = rc == 0;
	}
	if (rc == 0) {
		z = zipio_create(af.tmp, out);
		if (!z)
			rc = -1;
	}
	if (rc == 0) {
		char *name = xasprintf("%s/", root);
		rc = zipio_add_dir(z, name, rst.st_mode & 07777, (long long)rst.st_mtime);
		free(name);
	}
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		const struct pent *e = &l.v[i];
		char *name = xasprintf("%s/%s%s", root, e->rel, e->kind == ZIPIO_DIR ? "/" : "");
		char *full = xasprintf("%s/%s", m->pkg_dir, e->rel);
		if (e->kind == ZIPIO_DIR)
			rc = zipio_add_dir(z, name, e->mode, e->mtime);
		else if (e->kind == ZIPIO_LINK)
			rc = zipio_add_symlink(z, name, e->target);
		else
			rc = zipio_add_file(z, name, full, e->mode, pkg_want_deflate(e->rel, e->size, how));
		free(name);
		free(full);
	}
	rc = pkg_commit_zip(z, rc, begun ? &af : NULL, out, prog, "packing", m->path, l.bytes);
	fs_release_signals(&h);
	plist_free(&l);
	free(root_real);
	free(out_real);
	free(root);
	free(pdir);
	free(pbase);
	free(odir);
	free(obase);
	return rc;
}

/* opens a package folder for pack; NULL (reported) for anything else */
static struct mlpkg_model *open_package_dir(const char *pkg)
{
	struct mlpkg_model *m;
	if (mlpkg_open(pkg, 0, &m) < 0)
		return NULL;
	if (m->fmt != FMT_PACKAGE) {
		error_code(EXIT_USAGE, "'%s': not a package folder (an %s); pack takes an .mlpackage folder", pkg,
			   m->fmt == FMT_ZIP ? "archive" : ".mlmodel");
		mlpkg_close(m);
		return NULL;
	}
	return m;
}

int pkg_pack(const char *pkg, const char *out, enum pkg_compress how, const struct mlpkg_progress *prog)
{
	struct mlpkg_model *m = open_package_dir(pkg);
	if (!m)
		return -1;
	int rc = pkg_dest_replaceable(out, OUT_ZIP) < 0 ? -1 : pkg_pack_model(m, out, how, prog);
	mlpkg_close(m);
	return rc;
}
