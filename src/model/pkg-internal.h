/* pkg-internal: what package.c (the helpers), pack.c, unpack.c and
 * convert.c share: where a package keeps its spec, progress for the
 * caller to show, the entries of a package, and the file and folder steps
 * every result takes (a temp folder or file beside OUT, put in place). */
#ifndef MLPKG_MODEL_PKG_INTERNAL_H
#define MLPKG_MODEL_PKG_INTERNAL_H
#include "model/package.h"
#include "model/model.h"
#include "model/zipio.h"
#include "base/atomic.h"
#include "spec/tree.h"
#include <stdint.h>
#include <sys/types.h>

#define SPEC_AUTHOR "com.apple.CoreML"
#define SPEC_REL "Data/com.apple.CoreML/model.mlmodel"
#define DEFLATE_MAX ((uint64_t)64 << 20) /* PKG_AUTO deflates specs up to this */

/* ---- progress ---- */
struct progress {
	const struct mlpkg_progress *to; /* NULL: nobody is told */
	const char *verb;
	const char *path;
	uint64_t total, done;
};

void pkg_progress_begin(struct progress *p, const struct mlpkg_progress *to, const char *verb, const char *path,
			uint64_t total);
void pkg_progress_add(struct progress *p, uint64_t n);
/* zipio's progress callback (ctx: a struct progress) */
void pkg_progress_fraction(void *ctx, double f);
void pkg_progress_end(struct progress *p);
/* zipio_extract's callback: progress, and a way out on Ctrl-C */
int pkg_on_bytes(void *ctx, uint64_t n);

/* ---- an entry of a package (a zip's, to unpack; a folder's, to check) ---- */
struct uent {
	long index;
	char *rel; /* relative to the package folder, no final '/' */
	enum zipio_kind kind;
	mode_t mode; /* final permission bits */
	long long mtime;
	char *target; /* links */
};

/* the kinds of result convert makes (pack makes a zip) */
enum out_kind { OUT_MLMODEL, OUT_PACKAGE, OUT_ZIP };

/* ---- package.c: names and paths ---- */
int pkg_has_suffix(const char *s, const char *suf);
mode_t pkg_current_umask(void);
/* path split into its folder ("." when none) and last name; new strings */
void pkg_split_path(const char *path, char **dir, char **base);
/* a name good for one folder entry: not empty, no '/', not . or .. */
int pkg_plain_name(const char *s);
/* a copy of s with control characters shown as '?', for messages */
char *pkg_shown(const char *s);
int pkg_fsync_path(const char *path, int dir);
/* 1 (reported, naming what) when INT, TERM or HUP is waiting */
int pkg_interrupted(const char *what);
/* Ends writing the zip z to out: when rc is 0, commits z (progress shown as
 * VERB of path, total bytes), then closes z; commits af (the temp file
 * begun for out; NULL when none was) when all went well and no signal
 * came, else aborts it.  Returns 0 or -1. */
int pkg_commit_zip(struct zipio *z, int rc, struct atomic_file *af, const char *out, const struct mlpkg_progress *prog,
		   const char *verb, const char *path, uint64_t total);

/* ---- package.c: writing files and folders ---- */
/* creates path (it must not exist) with the bytes, then mode, fsync */
int pkg_write_new_file(const char *path, const void *p, size_t len, mode_t mode, struct progress *pr);
/* fs_install_dir, reported */
int pkg_install_dir(const char *tmp, const char *dest, int replace);
/* removes the folders pkg_prepare_dest made: dir and its parents up to top */
void pkg_unmake_path(const char *dir, const char *top);
char *pkg_prepare_dest(const char *dir, const char *name, char **made_top, int *replace);
char *pkg_make_temp_dir(const char *dir, const char *name);
/* an existing OUT may be replaced by a result of kind k (else reported) */
int pkg_dest_replaceable(const char *out, enum out_kind k);

/* ---- package.c: the spec's weights, entry names and links ---- */
int pkg_find_blob_ref(struct mt_node *n, char **file);
int pkg_check_entry_name(const char *label, const char *name);
int pkg_cmp_uent(const void *a, const void *b);
const struct uent *pkg_find_uent(const struct uent *v, size_t n, const char *rel);
int pkg_link_stays_inside(const struct uent *v, size_t n, const char *rel, const char *target);

/* ---- pack.c ---- */
int pkg_pack_model(struct mlpkg_model *m, const char *out, enum pkg_compress how, const struct mlpkg_progress *prog);
int pkg_want_deflate(const char *rel, uint64_t size, enum pkg_compress how);
char *pkg_zip_root_name(const char *base);

/* ---- unpack.c ---- */
int pkg_make_dirs(const char *zip, const char *base, const char *rel, int last_too);
int pkg_unpack_model(struct mlpkg_model *m, const char *dir, const char *name, char **made,
		     const struct mlpkg_progress *prog);
#endif
