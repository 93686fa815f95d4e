/* error: one sink for every message, and the exit codes every command shares.
 *
 * error(), error_code() and warning() format a one-line message and hand it
 * to the error routine; the default routine prints "mlpkg: <message>" (or
 * "mlpkg: warning: <message>") on stderr.  A program that cannot have
 * stderr written to (the browser, while its screen is up) installs its own
 * routine with set_error_routine().
 *
 * Code that wants to know whether the calls it makes reported errors, or
 * that probes and wants their messages silenced, opens a capture scope
 * around those calls (error_capture_begin/end): the scope counts the errors
 * reported inside it, keeps their codes, and passes, keeps or drops their
 * messages.  Scopes nest; there is no global switch. */
#ifndef MLPKG_ERROR_H
#define MLPKG_ERROR_H

/* Exit codes, documented in mlpkg(1) under EXIT STATUS. */
enum mlpkg_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,     /* failure, or "differs" for commands that compare */
	EXIT_USAGE = 2,    /* bad command line or refused value */
	EXIT_NOTFOUND = 3, /* key, path or feature not found */
	EXIT_INVALID = 4,  /* input is not a valid model or package */
	EXIT_WRITE = 5,    /* could not write; the original is untouched */
};

/* Reports the message and returns -1; the exit class is EXIT_FAIL. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, with the exit class CODE for the command to return. */
int error_code(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error whose message was given already, or is given by the caller
 * (a damaged node reported once, a copy stopped by a signal): counts in the
 * open capture scopes and as the last error with the exit class CODE, like
 * error_code(), but prints nothing.  Returns -1. */
int error_code_silent(int code);
/* A message that is not an error: reported, never counted. */
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports the message and exits with CODE.  Capture scopes do not hold it
 * back: it always reaches the error routine. */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The exit class of the last error reported outside any scope that keeps
 * its errors to itself (EXIT_FAIL when none was): what a command returns
 * right after a call that failed, e.g. cmd_open().  To learn whether a call
 * reported errors, open a capture scope instead. */
int last_error_code(void);

/* ---- the error routine ------------------------------------------------------ */

/* Receives each message that reaches the user: CODE is the exit class of an
 * error (0 for a warning), IS_WARNING says which it is, MSG is the message
 * without the "mlpkg: " or "warning: " prefix and without a newline. */
typedef void (*error_routine)(int code, int is_warning, const char *msg, void *ctx);
/* Installs fn (called with ctx) as the routine; NULL puts back the default. */
void set_error_routine(error_routine fn, void *ctx);
/* The routine installed (the default's address when none is), and its ctx
 * when ctx is not NULL: to put it back after installing another. */
error_routine get_error_routine(void **ctx);
/* The default: "mlpkg: MSG" (or "mlpkg: warning: MSG") and a newline on
 * stderr, standard output flushed first so the two interleave in order. */
void error_default_routine(int code, int is_warning, const char *msg, void *ctx);

/* ---- capture scopes ----------------------------------------------------------- */

enum error_capture_mode {
	/* messages and codes go on as if there were no scope: it only counts */
	ERRCAP_WATCH,
	/* messages go on to the user, but the errors are handled here: outer
	 * scopes and last_error_code() do not count them */
	ERRCAP_HANDLE,
	/* messages are kept in the scope's list (read msgs, then call
	 * error_capture_release); the errors stay here as with ERRCAP_HANDLE */
	ERRCAP_KEEP,
	/* messages are thrown away and the errors stay here: for probing */
	ERRCAP_DROP,
};

/* A message kept by an ERRCAP_KEEP scope. */
struct error_msg {
	struct error_msg *next;
	int code; /* the exit class; 0 for a warning */
	int is_warning;
	char text[]; /* as the routine would have received it */
};

struct error_capture {
	enum error_capture_mode mode;
	int errors;                     /* errors reported inside the scope (warnings not counted) */
	int worst;                      /* the highest exit class among them; EXIT_OK when none */
	int last;                       /* the exit class of the last of them; EXIT_OK when none */
	struct error_msg *msgs, **tail; /* ERRCAP_KEEP: the messages, oldest first */
	struct error_capture *outer;
};

/* Opens a scope on cap (a caller's variable, usually on its stack) until
 * the matching error_capture_end().  Scopes nest: the innermost open one
 * sees a message first and, as its mode says, passes it outward or not. */
void error_capture_begin(struct error_capture *cap, enum error_capture_mode mode);
/* Closes the scope cap, which must be the innermost open one; its counts
 * and kept messages stay readable.  Returns cap->errors ? cap->last : EXIT_OK. */
int error_capture_end(struct error_capture *cap);
/* Frees the messages an ERRCAP_KEEP scope kept. */
void error_capture_release(struct error_capture *cap);
/* 1 when a message reported now would reach no one (an ERRCAP_DROP scope
 * holds it): for code that remembers having told the user something. */
int error_dropping(void);
#endif
