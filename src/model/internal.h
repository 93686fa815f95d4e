/* internal: what the files of the model layer share and nothing above it
 * uses. */
#ifndef MLPKG_MODEL_INTERNAL_H
#define MLPKG_MODEL_INTERNAL_H

/* seconds: temp files of ours older than this are a killed edit's */
#define STALE_TEMP_AGE (10 * 60)

/* opens path read-only without touching its access time where allowed;
 * extra is or-ed into the flags */
int model_open_ro(const char *path, int extra);
#endif
