/* convert: a model into another kind: .mlmodel, package folder or zip
 * (pkg_convert; see package.h). */
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- convert ------------------------------------------------------------------------- */

/* a new package folder at out holding the spec */
static int new_package_dir(struct mlpkg_model *m, const char *out, const struct mlpkg_progress *prog)
{
	char *dir, *name;
	pkg_split_path(out, &dir, &name);
	int replace, rc = 0;
	char *made_top = NULL;
	mode_t um = pkg_current_umask();
	char *dest = pkg_prepare_dest(dir, name, &made_top, &replace);
	char *tmp = NULL;
	struct fs_held h = { 0 };
	if (!dest)
		rc = -1;
	if (rc == 0) {
		fs_hold_signals(&h);
		tmp = pkg_make_temp_dir(dir, name);
		if (!tmp)
			rc = -1;
	}
	struct progress pr;
	pkg_progress_begin(&pr, prog, "converting", m->path, m->spec_len);
	if (rc == 0) {
		char *man = pkg_new_manifest(0);
		char *p = xasprintf("%s/Manifest.json", tmp);
		rc = pkg_write_new_file(p, man, strlen(man), 0666 & ~um, NULL);
		free(p);
		free(man);
	}
	if (rc == 0)
		rc = pkg_make_dirs(m->path, tmp, "Data/com.apple.CoreML", 1);
	if (rc == 0) {
		char *p = xasprintf("%s/%s", tmp, SPEC_REL);
		mode_t mode = m->fmt == FMT_MLMODEL ? (m->st.st_mode & 0777) : (0666 & ~um);
		rc = pkg_write_new_file(p, m->spec, m->spec_len, mode, &pr);
		free(p);
	}
	pkg_progress_end(&pr);
	if (rc == 0) {
		const char *dirs[] = { "Data/com.apple.CoreML", "Data" };
		for (size_t i = 0; rc == 0 && i < 2; i++) {
			char *p = xasprintf("%s/%s", tmp, dirs[i]);
			pkg_fsync_path(p, 1);
			if (chmod(p, 0777 & ~um) < 0)
				rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", p, strerror(errno));
			free(p);
		}
		pkg_fsync_path(tmp, 1);
		if (rc == 0 && chmod(tmp, 0777 & ~um) < 0)
			rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", tmp, strerror(errno));
	}
	if (rc == 0)
		rc = pkg_install_dir(tmp, dest, replace);
	if (rc < 0) {
		if (tmp)
			fs_remove_tree(tmp);
		pkg_unmake_path(dir, made_top);
	}
	fs_release_signals(&h);
	free(made_top);
	free(tmp);
	free(dest);
	free(dir);
	free(name);
	return rc;
}

/* a new zipped package at out holding the spec */
static int new_package_zip(struct mlpkg_model *m, const char *out, enum pkg_compress how,
			   const struct mlpkg_progress *prog)
{
	char *dir, *base;
	pkg_split_path(out, &dir, &base);
	char *root = pkg_zip_root_name(base);
	mode_t um = pkg_current_umask();
	char *man = pkg_new_manifest(0);
	struct atomic_file af;
	struct zipio *z = NULL;
	struct fs_held h;
	fs_hold_signals(&h);
	int rc = atomic_begin(&af, out, 0), begun = rc == 0;
	if (rc == 0 && !(z = zipio_create(af.tmp, out)))
		rc = -1;
	const char *dirs[] = { "", "Data/", "Data/com.apple.CoreML/" };
	for (size_t i = 0; rc == 0 && i < 3; i++) {
		char *name = xasprintf("%s/%s", root, dirs[i]);
		rc = zipio_add_dir(z, name, 0777 & ~um, -1);
		free(name);
	}
	if (rc == 0) {
		char *name = xasprintf("%s/Manifest.json", root);
		rc = zipio_add_buffer(z, name, man, strlen(man), 0666 & ~um, how != PKG_STORE);
		free(name);
	}
	if (rc == 0) {
		char *name = xasprintf("%s/%s", root, SPEC_REL);
		mode_t mode = m->fmt == FMT_MLMODEL ? (m->st.st_mode & 0777) : (0666 & ~um);
		rc = zipio_add_buffer(z, name, m->spec, m->spec_len, mode,
				      pkg_want_deflate(SPEC_REL, m->spec_len, how));
		free(name);
	}
	rc = pkg_commit_zip(z, rc, begun ? &af : NULL, out, prog, "converting", m->path, m->spec_len);
	fs_release_signals(&h);
	free(man);
	free(root);
	free(dir);
	free(base);
	return rc;
}

/* the spec alone, verbatim, as an .mlmodel at out */
static int write_mlmodel(struct mlpkg_model *m, const char *out, const struct mlpkg_progress *prog)
{
	struct atomic_file af;
	struct fs_held h;
	fs_hold_signals(&h);
	if (atomic_begin(&af, out, 0) < 0) {
		fs_release_signals(&h);
		return -1;
	}
	struct progress pr;
	pkg_progress_begin(&pr, prog, "converting", m->path, m->spec_len);
	int rc = 0;
	for (size_t off = 0; rc == 0 && off < m->spec_len;) {
		size_t chunk = m->spec_len - off > (8u << 20) ? (8u << 20) : m->spec_len - off;
		rc = atomic_write(&af, m->spec + off, chunk);
		off += chunk;
		pkg_progress_add(&pr, chunk);
		if (rc == 0 && pkg_interrupted(out))
			rc = -1;
	}
	pkg_progress_end(&pr);
	if (rc < 0)
		atomic_abort(&af);
	else
		rc = atomic_commit(&af);
	fs_release_signals(&h);
	return rc;
}

/* 1 when the package item (a path relative to Data/) is there with content */
static int item_present(struct mlpkg_model *m, const char *path)
{
	char *rel = xasprintf("Data/%s", path);
	int found = 0;
	if (m->fmt == FMT_PACKAGE) {
		char *full = xasprintf("%s/%s", m->pkg_dir, rel);
		struct stat st;
		if (lstat(full, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				found = 1;
			} else {
				DIR *d = opendir(full);
				struct dirent *e;
				while (d && !found && (e = readdir(d)))
					found = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
				if (d)
					closedir(d);
			}
		}
		free(full);
	} else if (m->fmt == FMT_ZIP) {
		char *entry = xasprintf("%s%s", m->zip_prefix, rel);
		size_t el = strlen(entry);
		long n = zipio_count(m->zip);
		for (long i = 0; i < n && !found; i++) {
			const char *nm = zipio_name(m->zip, i);
			if (nm && !strncmp(nm, entry, el) && (nm[el] == 0 || (nm[el] == '/' && nm[el + 1])))
				found = 1;
		}
		free(entry);
	}
	free(rel);
	return found;
}

static int out_kind(const char *out, enum out_kind *k)
{
	*k = OUT_MLMODEL;
	switch (mlpkg_kind_of_name(out)) {
	case FMT_MLMODEL: *k = OUT_MLMODEL; return 0;
	case FMT_PACKAGE: *k = OUT_PACKAGE; return 0;
	case FMT_ZIP: *k = OUT_ZIP; return 0;
	default:
		return error_code(EXIT_USAGE,
				  "'%s': cannot tell what to make from the name: use .mlmodel, .mlpackage or .zip",
				  out);
	}
}

int pkg_convert(const char *in, const char *out, enum pkg_compress how, const struct mlpkg_progress *prog)
{
	enum out_kind k;
	if (out_kind(out, &k) < 0)
		return -1;
	if (strcmp(in, "-") && mlpkg_same_file(in, out))
		return error_code(EXIT_USAGE, "'%s': the result cannot replace the model it comes from", out);
	struct mlpkg_model *m;
	if (mlpkg_open(in, 0, &m) < 0)
		return -1;
	int pkg = m->man != NULL, rc = 0;
	char *blob = NULL;
	int r = pkg_find_blob_ref(m->root, &blob);
	if (r < 0)
		rc = -1; /* reported: the spec does not decode */
	else if ((k == OUT_MLMODEL && !pkg && m->fmt != FMT_ZIP) || (k == OUT_PACKAGE && m->fmt == FMT_PACKAGE) ||
		 (k == OUT_ZIP && m->fmt == FMT_ZIP && pkg))
		rc = error_code(EXIT_USAGE, "'%s' is already %s; nothing to convert", m->path,
				k == OUT_MLMODEL   ? "an .mlmodel"
				: k == OUT_PACKAGE ? "a package folder"
						   : "a zip");
	else if (pkg_dest_replaceable(out, k) < 0)
		rc = -1;
	else if (k == OUT_MLMODEL) {
		if (r == 1)
			rc = error_code(EXIT_USAGE,
					"'%s': the model keeps its weights in '%s', which an .mlmodel cannot carry; "
					"nothing written",
					m->path, blob);
		for (size_t i = 0; pkg && rc == 0 && i < m->man->n; i++)
			if (i != m->man->root && item_present(m, m->man->items[i].path))
				rc = error_code(EXIT_USAGE,
						"'%s': the package carries '%s' (%s), which an .mlmodel cannot "
						"carry; nothing written",
						m->path, m->man->items[i].path,
						m->man->items[i].description ? m->man->items[i].description
									     : m->man->items[i].name);
		if (rc == 0)
			rc = write_mlmodel(m, out, prog);
	} else if (pkg) {
		if (k == OUT_PACKAGE) {
			char *dir, *name;
			pkg_split_path(out, &dir, &name);
			rc = pkg_unpack_model(m, dir, name, NULL, prog);
			free(dir);
			free(name);
		} else {
			rc = pkg_pack_model(m, out, how, prog);
		}
	} else if (r == 1) {
		rc = error_code(EXIT_INVALID,
				"'%s': its ML program refers to the weight file '%s', which a bare .mlmodel "
				"cannot carry; convert the package it came from instead",
				m->path, blob);
	} else if (k == OUT_PACKAGE) {
		rc = new_package_dir(m, out, prog);
	} else {
		rc = new_package_zip(m, out, how, prog);
	}
	free(blob);
	mlpkg_close(m);
	return rc;
}
