/* overlay-save: an edited overlay saved together with the spec. */
#include "edit/overlay-save.h"
#include "base/atomic.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "model/zipio.h"
#include "query/overlay.h"
#include <stdlib.h>
#include <string.h>

static int write_file_atomic(const char *path, const char *text)
{
	struct atomic_file af;
	if (atomic_begin(&af, path, 0) < 0)
		return -1;
	if (atomic_write(&af, text, strlen(text)) < 0) {
		atomic_abort(&af);
		return -1;
	}
	return atomic_commit(&af);
}

int overlay_save(struct mlpkg_model *m, const char *out, const char *name, const char *text, int spec_changed)
{
	if (out && m->fmt != FMT_STDIN && mlpkg_same_file(out, m->path))
		out = NULL;
	char *rel = text ? overlay_rel(m, name) : NULL;
	int rc = 0;
	if (text && m->fmt == FMT_ZIP && !out) {
		/* staged in the archive: the spec and the overlay land in one commit */
		char *entry = xasprintf("%s%s", m->zip_prefix, rel);
		long i = zipio_find(m->zip, entry);
		free(entry);
		if (i >= 0 && zipio_replace(m->zip, i, text, strlen(text)) < 0)
			rc = -1;
		text = NULL;
	}
	/* a package edited in place: the overlay's new file is written before
	 * the spec is touched, so a folder that refuses it fails the edit with
	 * both files as they were; only the two renames follow each other */
	struct atomic_file oaf;
	int staged_ov = 0;
	if (rc == 0 && text && m->fmt == FMT_PACKAGE && !out) {
		char *path = xasprintf("%s/%s", m->pkg_dir, rel);
		rc = atomic_begin(&oaf, path, 0);
		free(path);
		if (rc == 0 && atomic_write(&oaf, text, strlen(text)) < 0) {
			atomic_abort(&oaf);
			rc = -1;
		}
		staged_ov = rc == 0;
		text = NULL;
	}
	if (rc == 0 && (spec_changed || out || m->fmt != FMT_PACKAGE))
		rc = mlpkg_save(m, out);
	if (staged_ov) {
		if (rc == 0)
			rc = atomic_commit(&oaf) < 0 ? -1 : 0;
		else
			atomic_abort(&oaf);
	}
	if (rc == 0 && text) {
		if (m->fmt == FMT_PACKAGE) {
			char *path = xasprintf("%s/%s", out, rel);
			rc = write_file_atomic(path, text);
			free(path);
		} else if (m->fmt == FMT_ZIP) {
			struct zipio *z = zipio_open(out, 1);
			char *entry = xasprintf("%s%s", m->zip_prefix, rel);
			long i = z ? zipio_find(z, entry) : -1;
			free(entry);
			if (!z)
				rc = -1;
			else if (i >= 0 && (zipio_replace(z, i, text, strlen(text)) < 0 || zipio_commit(z) < 0))
				rc = -1;
			zipio_close(z);
		}
	}
	free(rel);
	return rc < 0 ? -1 : 0;
}
