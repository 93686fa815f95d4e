/* model: opening a model in any of its forms (.mlmodel, .mlpackage folder,
 * zipped package, standard input), the spec tree over it, and saving. */
#ifndef MLPKG_MODEL_H
#define MLPKG_MODEL_H
#include "base/buf.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include "model/manifest.h"
#include "spec/tree.h"

enum mlpkg_format { FMT_MLMODEL, FMT_PACKAGE, FMT_ZIP, FMT_STDIN };

struct mlpkg_model {
	char *path; /* as given */
	enum mlpkg_format fmt;
	char *spec_path;  /* the spec on disk (mlmodel, package) */
	char *pkg_dir;    /* package folder */
	char *zip_prefix; /* zip: folder of the package inside ("X.mlpackage/" or "") */
	long spec_entry;  /* zip: index of the spec entry */
	struct manifest *man;
	char *manifest_text;
	size_t manifest_len;
	const uint8_t *spec; /* the spec bytes */
	size_t spec_len;
	void *map; /* mmap of the spec, or NULL */
	size_t map_len;
	uint8_t *buf;         /* owned spec bytes (zip, stdin) */
	struct mt_node *root; /* CoreML.Specification.Model over spec */
	int fd;               /* the spec file (or the package folder): holds the lock */
	int locked;
	struct stat st; /* of the spec file */
	struct zipio *zip;
	int writable;
};

enum { MLPKG_OPEN_WRITE = 1 };

/* Opens path ("-" for standard input).  With MLPKG_OPEN_WRITE the model is
 * locked for a read-modify-write until it is closed.  0, or -1 reported with
 * the exit class set (EXIT_NOTFOUND, EXIT_INVALID...). */
int mlpkg_open(const char *path, int flags, struct mlpkg_model **out);
void mlpkg_close(struct mlpkg_model *m);
/* Saves the edited tree: in place when out is NULL (or names the model
 * itself), else as a new file / package / zip at out.  Only the spec is
 * written; every other byte of a package or zip is kept. */
int mlpkg_save(struct mlpkg_model *m, const char *out);
/* a file of a package written with the spec (Xcode's overlays): rel is
 * relative to the package folder ("Data/com.apple.CoreML/Metadata.json"),
 * the new contents data[0..len) */
struct mlpkg_file {
	const char *rel;
	const void *data;
	size_t len;
};
/* Saves like mlpkg_save, and replaces files[0..n) of a package or zipped
 * package (ignored for other kinds) in the same save: a zip in place in
 * one libzip commit (a file the archive lacks is left out), a zip with -o
 * as one new archive renamed into place, a package with -o built in a temp
 * folder renamed into place once, a package in place with every new file
 * written and fsynced before the first rename (the spec's, then the
 * files').  spec 0 leaves the spec file of a package edited in place as it
 * is (elsewhere the spec is always written).  0, or -1 reported with
 * EXIT_WRITE (EXIT_USAGE for an OUT of another kind), nothing changed. */
int mlpkg_save_with(struct mlpkg_model *m, const char *out, const struct mlpkg_file *files, size_t n, int spec);
const char *mlpkg_format_name(enum mlpkg_format f);
/* The model to use when none is named: $MLPKG_MODEL, the package holding
 * the current folder, or the single model in it.  Caller frees. NULL with
 * EXIT_USAGE (candidates listed) when there is none or several. */
char *mlpkg_default_model(void);
/* Reads a file of a package (relative to Data/com.apple.CoreML or given as
 * "@model_path/..."), for packages and zips, into *out: read from a zip,
 * mapped from a folder; the caller calls buf_release(out).  On -1 (reported)
 * out is empty. */
int mlpkg_read_item(struct mlpkg_model *m, const char *name, struct buf *out);
/* 1 when the package has the file (relative to its folder) */
int mlpkg_has_file(struct mlpkg_model *m, const char *rel);
/* 1 when the package has the file or folder (relative to its folder); in
 * a zip, a folder is there when an entry is under it (zips need not hold
 * folder entries) */
int mlpkg_has_item(struct mlpkg_model *m, const char *rel);
/* 1 when a and b name the same file (links followed) */
int mlpkg_same_file(const char *a, const char *b);
/* the kind a name says by its suffix (.mlmodel, .mlpackage, .zip, trailing
 * slashes ignored): FMT_MLMODEL, FMT_PACKAGE or FMT_ZIP; -1 when none */
int mlpkg_kind_of_name(const char *name);

/* A Git LFS pointer (the small text file a repository holds when the real
 * file was not fetched): 1 and *size, the real file's size (0 when not
 * said); 0 otherwise. */
int lfs_pointer(const uint8_t *p, size_t n, uint64_t *size);
/* "'LABEL': a Git LFS pointer ..." as an error, exit 4 */
int lfs_error(const char *label, uint64_t size);
/* size of a package file (relative to the package folder), -1 when absent */
int64_t mlpkg_file_size(struct mlpkg_model *m, const char *rel);
/* The folder of the root spec inside the package, relative to the package
 * ("Data/com.apple.CoreML"); caller frees. */
char *mlpkg_model_dir(struct mlpkg_model *m);
#endif
