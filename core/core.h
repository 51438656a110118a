/*
 * core.h - shared pieces below every other folder: error type, bounded
 * buffer, capped file reading, RFC 3339 times, digests, base64, strict
 * JSON (with JSON paths for files people write), secret hygiene,
 * annotations.
 */
#ifndef SIGNET_CORE_H
#define SIGNET_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

/* ---- errors ---------------------------------------------------------- */

enum err_code {
	ERR_OK = 0,
	ERR_USAGE = -1,		/* bad command line or argument */
	ERR_IO = -2,		/* local file problem */
	ERR_NET = -3,		/* cannot talk to the registry */
	ERR_AUTH = -4,		/* registry refused our credentials */
	ERR_NOTFOUND = -5,	/* image, tag or blob absent */
	ERR_FORMAT = -6,	/* malformed data */
	ERR_CRYPTO = -7,	/* key or crypto library failure */
	ERR_VERIFY = -8,	/* a signature is missing or invalid */
	ERR_NOMEM = -9,
	ERR_INTEGRITY = -10,	/* bytes do not match their digest */
};

/* Record a message and return @code. Later calls overwrite. */
int err_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, appending ": strerror(errno)". */
int err_set_errno(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, appending the first OpenSSL error queue entry (and clearing it). */
int err_set_ssl(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prefix the recorded message with "what: " (keeps the code). */
int err_wrap(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *err_msg(void);
void err_clear(void);
/* Process exit status for a code: 0, 1 (verification) or 2. */
int err_exit_status(int code);

/* ---- bounded buffer ---------------------------------------------------- */

struct buf {
	unsigned char *data;	/* always NUL-terminated past len */
	size_t len;
	size_t cap;
	size_t max;		/* hard cap on len; 0 means SIZE_MAX/2 */
};

void buf_init(struct buf *b, size_t max);
/* ERR_FORMAT when the cap would be passed, ERR_NOMEM on allocation. */
int buf_append(struct buf *b, const void *data, size_t n);
/* Room for @n more bytes past len (and the NUL) without moving len:
 * for reading straight into data + len. Errors as buf_append. */
int buf_reserve(struct buf *b, size_t n);
int buf_appends(struct buf *b, const char *s);
int buf_appendf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
/* Wipe the bytes before freeing: for anything secret. */
void buf_release_secret(struct buf *b);
/* Transfer ownership of the bytes to the caller (NUL-terminated). */
char *buf_detach(struct buf *b, size_t *len);

/* ---- files (core/file.c) ------------------------------------------------ */

#define FILE_FOLLOW 1u	/* a symbolic link is followed (files a config
			 * mount may provide as links); else refused */

/* Append the whole of the regular file @path to @out, NUL-terminated.
 * Never a FIFO, device or folder (opening one does not block); never a
 * symbolic link unless @flags has FILE_FOLLOW. A file over @max bytes is
 * refused (ERR_FORMAT), as is one that grows past it while read. The
 * bytes go straight into @out's storage, and every block it outgrows is
 * wiped, so a secret leaves no copy behind: release @out with
 * buf_release_secret then. @what names the file in messages ("policy":
 * "cannot read policy 'PATH': ..."), NULL for the path alone.
 * ERR_NOTFOUND when nothing is at @path, ERR_IO for the rest. On error
 * @out is as it was. */
int file_read(struct buf *out, const char *path, size_t max,
	      unsigned flags, const char *what);
/* file_read, and what fstat said of the file read into @st. */
struct stat;
int file_read_stat(struct buf *out, struct stat *st, const char *path,
		   size_t max, unsigned flags, const char *what);

/* ---- programs signet starts (core/exec.c) ------------------------------- */

/* A new array (free it; the strings are borrowed from environ): our
 * environment without SIGNET_PASSWORD, COSIGN_PASSWORD and
 * SIGNET_PKCS11_PIN. NULL when out of memory. */
char **exec_env_clean(void);
/* @prog (a bare name) in an absolute PATH entry, as docker finds its
 * helpers: empty and relative entries, the current folder, are skipped.
 * The full path into @out; false when there is none. */
bool exec_find_program(char *out, size_t outsz, const char *prog);

/* ---- RFC 3339 times (core/rfc3339.c) ------------------------------------ */

#define RFC3339_MAX 32		/* "YYYY-MM-DDThh:mm:ssZ" and the NUL */
#define RFC3339_LOWER 1u	/* "t" and "z" too, as RFC 3339 5.6 allows */

/* "2023-06-27T13:30:33+08:00", "...Z", a fraction of 1 to 9 digits
 * (dropped); years 0000-9999; no leap second. The exact rule is in
 * rfc3339.c. ERR_FORMAT "invalid RFC 3339 time '...'" otherwise. */
int rfc3339_parse(time_t *out, const char *s, unsigned flags);
/* @t in UTC, "2023-06-27T05:30:33Z"; ERR_USAGE outside years 0-9999. */
int rfc3339_format(char out[RFC3339_MAX], time_t t);

/* ---- digests ----------------------------------------------------------- */

#define DIGEST_STR_MAX 72	/* "sha256:" + 64 hex + NUL */

struct digest {
	char str[DIGEST_STR_MAX];	/* "sha256:<64 lower-case hex>" */
};

/* Strict: "sha256:" followed by exactly 64 lower-case hex digits. */
int digest_parse(struct digest *out, const char *s);
bool digest_valid(const char *s);
void digest_of(struct digest *out, const void *data, size_t len);
/* 0 when data hashes to @want, ERR_INTEGRITY otherwise. */
int digest_check(const struct digest *want, const void *data, size_t len);
/* The 64 hex digits (borrowed). */
const char *digest_hex(const struct digest *d);
bool digest_eq(const struct digest *a, const struct digest *b);

/* ---- base64 ------------------------------------------------------------ */

/* Standard alphabet with padding; returns a new string. */
char *b64_encode(const void *data, size_t len);
/* URL alphabet without padding; returns a new string. */
char *b64url_encode(const void *data, size_t len);
/* Strict decoders: no whitespace, canonical padding. Into @out. */
int b64_decode(struct buf *out, const char *s, size_t len);
int b64url_decode(struct buf *out, const char *s, size_t len);

/* ---- JSON -------------------------------------------------------------- */

/* Parse with duplicate keys rejected; exactly one value, no trailing junk.
 * @what names the document in the error message. New reference. */
int jx_parse(json_t **out, const void *data, size_t len, const char *what);
/* Once, before threads start: jansson wipes every block it frees. */
void jx_init(void);
/* Borrowed string member or NULL when absent or not a string. */
const char *jx_str(const json_t *obj, const char *key);
/* true when @obj is an object whose members are all named in the
 * NULL-terminated @allowed list. */
bool jx_only_members(const json_t *obj, const char *const *allowed);
/* Serialise compactly with sorted keys; new string. */
char *jx_dump(const json_t *v);

/* ---- strict JSON with JSON paths (core/jsonpath.c) ---------------------- */

#define JP_MAX 256		/* a JSON path in a message */
#define JP_MSG_MAX 512		/* a report: path and words */

struct kvlist;

/* A strict reader of a JSON document people write: each problem goes to
 * @report with its JSON path (".rules[0].keys: missing"), and reading
 * goes on, so one pass finds them all. The first error is kept. */
struct jp_reader {
	/* each report, sanitised; NULL: only the first error is kept */
	void (*report)(void *arg, bool warning, const char *msg);
	void *arg;
	int first_rc;			/* code of the first error, or 0 */
	char first[JP_MSG_MAX];		/* its message */
	size_t n_errors;
};

/* An error (@code < 0) or a warning (@code 0) at JSON path @jp (NULL:
 * none): "JP: words". */
void jp_report(struct jp_reader *r, int code, const char *jp,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void jp_vreport(struct jp_reader *r, int code, const char *jp,
		const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* @base + ".name", or + "[\"name\"]" when the name needs quoting; @base
 * + "[i]". Both return @out; a path too long ends in "~". */
const char *jp_key(char out[JP_MAX], const char *base, const char *name);
const char *jp_idx(char out[JP_MAX], const char *base, size_t i);
/* jx_parse, reporting the failure too: a duplicate key at its path
 * ("JP: duplicate key (line N)"), other errors as jx_parse words them. */
int jp_parse(json_t **out, struct jp_reader *r, const void *data,
	     size_t len, const char *what);
/* Report every member of @obj that is not in @allowed (NULL-terminated;
 * @list spells them for the message). */
void jp_only_fields(struct jp_reader *r, const json_t *obj, const char *jp,
		    const char *const *allowed, const char *list);
/* A string member (borrowed): NULL when absent (an error when @required)
 * or not a non-empty string without NUL (an error). */
const char *jp_get_str(struct jp_reader *r, const json_t *obj,
		       const char *field, const char *jp, bool required);
/* An object member (borrowed): NULL when absent (an error when
 * @required) or not an object (an error). */
const json_t *jp_get_obj(struct jp_reader *r, const json_t *obj,
			 const char *field, const char *jp, bool required);
/* A required object member holding none but @allowed members
 * (jp_only_fields; @list spells them): NULL, reported, otherwise. */
const json_t *jp_get_obj_only(struct jp_reader *r, const json_t *obj,
			      const char *field, const char *jp,
			      const char *const *allowed, const char *list);
/* A required string member in standard base64, decoded into @out (a
 * bounded buffer: too long is reported as not base64). */
void jp_get_b64(struct jp_reader *r, const json_t *obj, const char *field,
		const char *jp, struct buf *out);
/* A boolean member; false when absent or not a boolean (an error). */
bool jp_get_bool(struct jp_reader *r, const json_t *obj, const char *field,
		 const char *jp);
/* An object member of non-empty strings appended to @out; @check, when
 * not NULL, vets each name (the reason it is refused, or NULL). */
void jp_get_kv(struct jp_reader *r, const json_t *obj, const char *field,
	       const char *jp, struct kvlist *out,
	       const char *(*check)(const char *name));

/* ---- annotations (KEY=VALUE lists, core/kvlist.c) ---------------------- */

struct kv {
	char *key;
	char *value;
};

struct kvlist {
	struct kv *items;
	size_t n;
};

/* Parse "KEY=VALUE" and append; ERR_USAGE on a missing '=' or empty key. */
int kvlist_add_arg(struct kvlist *l, const char *arg);
void kvlist_release(struct kvlist *l);
/* true when every pair in @want is a string member of @obj with that value */
bool kvlist_matched_by(const struct kvlist *want, const json_t *obj,
		       const char **missing);

/* ---- secrets and output hygiene --------------------------------------- */

void secure_wipe(void *p, size_t n);
/* Constant time; true when equal. */
bool ct_equal(const void *a, const void *b, size_t n);
/* Copy @in into @out replacing control and non-printable bytes with '?'
 * (keeps valid UTF-8 text), always NUL-terminating. For registry data. */
void str_sanitize(char *out, size_t outsz, const char *in);

/* Verbose tracing to stderr when SIGNET_DEBUG is set (never secrets). */
void debugf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
