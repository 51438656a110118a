/* err.c - one recorded error message per process; see core.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>

#include "core.h"

static _Thread_local char msg[1024];

/* Messages quote registry data: never let a control character or an
 * escape sequence reach a terminal through them. */
static void clean(void)
{
	char tmp[sizeof(msg)];

	str_sanitize(tmp, sizeof(tmp), msg);
	memcpy(msg, tmp, sizeof(msg));
}

static void vrecord(const char *fmt, va_list ap)
{
	vsnprintf(msg, sizeof(msg), fmt, ap);
	clean();
}

int err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(fmt, ap);
	va_end(ap);
	return code;
}

static void append(const char *s)
{
	size_t n = strlen(msg);

	if (n < sizeof(msg) - 1)
		snprintf(msg + n, sizeof(msg) - n, ": %s", s);
	clean();
}

int err_set_errno(int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vrecord(fmt, ap);
	va_end(ap);
	append(strerror(saved));
	return code;
}

int err_set_ssl(int code, const char *fmt, ...)
{
	unsigned long e = ERR_get_error();
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vrecord(fmt, ap);
	va_end(ap);
	if (e) {
		const char *r = ERR_reason_error_string(e);

		if (r)
			snprintf(reason, sizeof(reason), "%s", r);
		else
			ERR_error_string_n(e, reason, sizeof(reason));
		append(reason);
	}
	ERR_clear_error();
	return code;
}

int err_wrap(int code, const char *fmt, ...)
{
	char prefix[512], old[sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, msg, sizeof(old));
	if (snprintf(msg, sizeof(msg), "%s: %s", prefix, old) < 0)
		msg[0] = '\0';
	clean();
	return code;
}

const char *err_msg(void)
{
	return msg[0] ? msg : "unknown error";
}

void err_clear(void)
{
	msg[0] = '\0';
}

int err_exit_status(int code)
{
	if (code == 0)
		return 0;
	if (code == ERR_VERIFY)
		return 1;
	return 2;
}
