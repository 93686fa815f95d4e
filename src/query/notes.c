/* notes: sizes on disk, weight files and the notes info gives. */
#include "query/inspect.h"
#include "query/internal.h"
#include "query/overlay.h"
#include "query/meta.h"
#include "base/error.h"
#include "model/model.h"
#include "spec/schema.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "spec/dump.h"
#include "MIL.pb-c.h"
#include "NeuralNetwork.pb-c.h"
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- files ------------------------------------------------------------------------------ */

static int64_t tree_size(const char *dir, int depth)
{
	if (depth > 32)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int64_t total = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				total += tree_size(p, depth + 1);
			else if (S_ISREG(st.st_mode))
				total += st.st_size;
		}
		free(p);
	}
	closedir(d);
	return total;
}

int64_t model_disk_size(struct mlpkg_model *m)
{
	struct stat st;
	switch (m->fmt) {
	case FMT_PACKAGE: return tree_size(m->pkg_dir, 0);
	case FMT_ZIP: return stat(m->path, &st) == 0 ? st.st_size : -1;
	case FMT_MLMODEL: return m->st.st_size;
	case FMT_STDIN: return (int64_t)m->spec_len;
	}
	return -1;
}

char *weight_file_rel(struct mlpkg_model *m, const char *name)
{
	const char *mp = "@model_path/";
	if (strncmp(name, mp, strlen(mp)))
		return xstrdup(name);
	char *dir = mlpkg_model_dir(m);
	char *rel = xasprintf("%s/%s", dir ? dir : "Data/com.apple.CoreML", name + strlen(mp));
	free(dir);
	return rel;
}

/* ---- notes --------------------------------------------------------------------------- */

static int count_unknown(struct mt_node *n, size_t *k)
{
	if (mt_parse(n) < 0)
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		const struct mt_field *f = &n->f[i];
		if (!f->fd)
			(*k)++;
		else if (f->fd->type == PROTOBUF_C_TYPE_MESSAGE && f->wt == WT_LEN && !is_weight_params(f->fd)) {
			struct mt_node *c = mt_child(n, i);
			if (!c || count_unknown(c, k) < 0)
				return -1;
		} else if (is_weight_params(f->fd)) {
			/* listed (tags and lengths only): its values are never read */
			struct mt_node *c = mt_child(n, i);
			if (!c)
				return -1;
			for (size_t j = 0; j < c->n; j++)
				*k += c->f[j].fd == NULL;
		}
	}
	return 0;
}

int model_notes(struct mlpkg_model *m, struct strlist *notes)
{
	if (m->fmt == FMT_PACKAGE || m->fmt == FMT_ZIP) {
		/* Xcode's overlays: named, and what they say otherwise than the spec */
		static const char *const overlays[] = { OVERLAY_META, OVERLAY_FDESC };
		for (size_t i = 0; i < 2; i++) {
			char *rel = overlay_rel(m, overlays[i]);
			if (!mlpkg_has_file(m, rel)) {
				free(rel);
				continue;
			}
			char *which = NULL;
			int k;
			if (i == 0) {
				struct meta_entry *e = NULL;
				size_t n = 0;
				k = meta_list(m->root, &e, &n) < 0 ? -1 : overlay_meta_compare(m, e, n, 1, &which);
				meta_entries_free(e, n);
			} else {
				k = overlay_fdesc_compare(m, &which);
			}
			const char *what = i ? "feature descriptions" : "metadata";
			if (k > 0)
				sl_pushf(notes,
					 "the package carries %s, an overlay of the %s that Xcode may show: it says "
					 "otherwise for %s",
					 rel, what, which);
			else if (k == 0)
				sl_pushf(notes, "the package carries %s, an overlay of the %s, in step with the spec",
					 rel, what);
			else
				sl_pushf(notes,
					 "the package carries %s, an overlay Xcode may show instead of the spec's %s",
					 rel, what);
			free(which);
			free(rel);
		}
	}
	struct model_ref *v;
	size_t n;
	if (model_list(m->root, &v, &n) < 0) {
		model_list_free(v, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct model_ref *r = &v[i];
		const char *where = *r->path ? r->path : "the model";
		if (!r->type)
			sl_pushf(notes, "%s has no model type set (the Type oneof is empty)", where);
		if (r->version <= 0)
			sl_pushf(notes, "%s has no specification version", where);
		else if (!spec_version_os(r->version))
			sl_pushf(notes, "%s has specification version %d, newer than any known release", where,
				 r->version);
		if (i > 0 && r->version > v[0].version && v[0].version > 0)
			sl_pushf(notes, "%s has specification version %d, higher than the pipeline's %d", where,
				 r->version, v[0].version);
	}
	model_list_free(v, n);
	int need;
	char *why;
	if (spec_need(m->root, &need, &why) < 0) {
		free(why);
		return -1;
	}
	int have = (int)mt_get_int(m->root, F_Model_specificationVersion, 0);
	if (have > 0 && need > have)
		sl_pushf(notes, "specification version %d is lower than the %d that %s needs", have, need, why);
	free(why);
	struct model_io io;
	if (io_read(m->root, &io) < 0) {
		io_release(&io);
		return -1;
	}
	if (io.default_fn && io.n > 1) {
		int found = 0;
		for (size_t g = 1; g < io.n; g++)
			found |= io.g[g].is_default;
		if (!found)
			sl_pushf(notes, "the default function '%s' is not among the functions", io.default_fn);
	}
	io_release(&io);
	size_t unknown = 0;
	if (count_unknown(m->root, &unknown) < 0)
		return -1;
	if (unknown)
		sl_pushf(notes, "%zu field%s unknown to the schema (kept as they are)", unknown,
			 unknown == 1 ? "" : "s");
	return 0;
}
