/* package: a package folder to a zip and back, and conversions between an
 * .mlmodel, a package folder and a zipped package.
 *
 * Every function writes atomically: a zip goes to a temp file beside the
 * result, a folder is built in a temp folder beside it, and either is renamed
 * into place; a failure (or Ctrl-C) leaves nothing behind and an existing
 * result untouched.  Functions return 0, or -1 reported through error_code()
 * with the exit classes of error.h: EXIT_USAGE for a request refused,
 * EXIT_NOTFOUND for a missing input, EXIT_INVALID for an input that is not a
 * valid (or a hostile) model, package or zip, EXIT_WRITE when the result
 * could not be written.
 *
 * Copies can be long: pack, unpack and convert tell a progress callback how
 * far they are (the library draws nothing itself). */
#ifndef MLPKG_PACKAGE_H
#define MLPKG_PACKAGE_H
#include <stdint.h>

/* Where pack, unpack and convert report progress; a NULL pointer (or fn)
 * asks for none.  fn is called with ctx as the work advances: verb
 * ("packing", "unpacking", "converting"), path (the input), done bytes of
 * total (done never above total; total may be 0).  When the work ends,
 * finished or not, fn is called once more with verb NULL, so that whatever
 * was drawn can be taken away.  Errors may be reported between calls. */
struct mlpkg_progress {
	void (*fn)(void *ctx, const char *verb, const char *path, uint64_t done, uint64_t total);
	void *ctx;
};

enum pkg_compress {
	PKG_AUTO,    /* deflate JSON files and specs up to 64 MiB, store the rest */
	PKG_STORE,   /* store everything */
	PKG_DEFLATE, /* deflate everything */
};

/* Zips the package folder pkg into the file out: entries "X.mlpackage/..."
 * (X.mlpackage being pkg's folder name), folders included, Unix permission
 * bits and dates kept.  Links are kept as links when they stay inside the
 * package and refused otherwise. */
int pkg_pack(const char *pkg, const char *out, enum pkg_compress how, const struct mlpkg_progress *prog);

/* Unpacks the zipped package zip as the folder dir/NAME, where NAME is name,
 * or when name is NULL the package's folder in the archive (or, for a
 * package at the archive's root, the zip's name without ".zip").  dir is
 * created when missing.  An existing package folder at dir/NAME is replaced;
 * anything else there is refused.  Entries that would land outside the
 * package (absolute names, "..", links leading outside or through other
 * links), special files, duplicated names, a second package and declared
 * sizes the archive cannot hold are refused before anything is written.
 * *made (when made is not NULL) gets the path of the new folder; caller
 * frees. */
int pkg_unpack(const char *zip, const char *dir, const char *name, char **made, const struct mlpkg_progress *prog);

/* Converts in to out, the kind of out coming from its name (.mlmodel,
 * .mlpackage, .zip): an .mlmodel (or standard input, or a zip holding a
 * single .mlmodel) becomes a package folder or zipped package with a new
 * Manifest.json; a package folder or zipped package becomes an .mlmodel
 * when it has no weights nor other items; a zipped package becomes a folder
 * (pkg_unpack) and a folder a zip (pkg_pack).  The spec bytes are copied
 * verbatim.  Refused: a spec that does not decode and an .mlmodel whose ML
 * program refers to weight files (EXIT_INVALID), a package with weights to
 * .mlmodel and a conversion to the same kind (EXIT_USAGE). */
int pkg_convert(const char *in, const char *out, enum pkg_compress how, const struct mlpkg_progress *prog);

/* A new identifier as Apple's tools make them: a random (version 4) UUID in
 * upper case, 36 characters and a NUL in buf. */
void pkg_new_uuid(char buf[37]);
/* A new Manifest.json (fresh identifiers, Apple's layout and final newline)
 * naming the spec com.apple.CoreML/model.mlmodel and, when with_weights, the
 * folder com.apple.CoreML/weights.  Caller frees. */
char *pkg_new_manifest(int with_weights);
#endif
