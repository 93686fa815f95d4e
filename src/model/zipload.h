/* zipload: libzip, loaded the first time a zip archive is touched.
 *
 * libzip brings libcrypto, libbz2 and libz with it; mapping and relocating
 * them at start-up is about half of what starting mlpkg costs, and only zip
 * archives need them.  The files that call libzip (zipio.c, main.c for
 * --version) include this header after <zip.h>: each zip_* call below then
 * goes through the address zipload_sym() finds, in the libzip already linked
 * in if there is one, else in the one it dlopen()s on first use.  mlpkg is
 * linked with --as-needed, so that libzip is not loaded at start.  A libzip
 * function used without a line here is simply linked as usual (and libzip
 * loaded at start again): tests/t-bench.sh checks it is not. */
#ifndef MLPKG_ZIPLOAD_H
#define MLPKG_ZIPLOAD_H
#include <zip.h>

/* The address of libzip's function name; dies (exit 1, with the reason)
 * when libzip cannot be loaded. */
void *zipload_sym(const char *name);

#define ZIPLOAD_(f) (*(__typeof__(&f))zipload_sym(#f))
#define zip_close ZIPLOAD_(zip_close)
#define zip_dir_add ZIPLOAD_(zip_dir_add)
#define zip_discard ZIPLOAD_(zip_discard)
#define zip_error_code_zip ZIPLOAD_(zip_error_code_zip)
#define zip_error_fini ZIPLOAD_(zip_error_fini)
#define zip_error_init_with_code ZIPLOAD_(zip_error_init_with_code)
#define zip_error_strerror ZIPLOAD_(zip_error_strerror)
#define zip_fclose ZIPLOAD_(zip_fclose)
#define zip_file_add ZIPLOAD_(zip_file_add)
#define zip_file_extra_field_delete_by_id ZIPLOAD_(zip_file_extra_field_delete_by_id)
#define zip_file_get_error ZIPLOAD_(zip_file_get_error)
#define zip_file_get_external_attributes ZIPLOAD_(zip_file_get_external_attributes)
#define zip_file_replace ZIPLOAD_(zip_file_replace)
#define zip_file_set_external_attributes ZIPLOAD_(zip_file_set_external_attributes)
#define zip_file_set_mtime ZIPLOAD_(zip_file_set_mtime)
#define zip_file_strerror ZIPLOAD_(zip_file_strerror)
#define zip_fdopen ZIPLOAD_(zip_fdopen)
#define zip_fopen_index ZIPLOAD_(zip_fopen_index)
#define zip_fread ZIPLOAD_(zip_fread)
#define zip_get_error ZIPLOAD_(zip_get_error)
#define zip_get_name ZIPLOAD_(zip_get_name)
#define zip_get_num_entries ZIPLOAD_(zip_get_num_entries)
#define zip_libzip_version ZIPLOAD_(zip_libzip_version)
#define zip_name_locate ZIPLOAD_(zip_name_locate)
#define zip_open ZIPLOAD_(zip_open)
#define zip_register_cancel_callback_with_state ZIPLOAD_(zip_register_cancel_callback_with_state)
#define zip_register_progress_callback_with_state ZIPLOAD_(zip_register_progress_callback_with_state)
#define zip_set_file_compression ZIPLOAD_(zip_set_file_compression)
#define zip_source_buffer ZIPLOAD_(zip_source_buffer)
#define zip_source_file ZIPLOAD_(zip_source_file)
#define zip_source_free ZIPLOAD_(zip_source_free)
#define zip_stat_index ZIPLOAD_(zip_stat_index)
#define zip_strerror ZIPLOAD_(zip_strerror)
#endif
