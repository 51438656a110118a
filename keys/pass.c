/*
 * pass.c - where passphrases come from: SIGNET_PASSWORD (COSIGN_PASSWORD
 * for cosign keys), a password file, or /dev/tty with echo off. They only
 * ever live in the caller's fixed buffer and in locals wiped before return.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "internal.h"

#define NO_SOURCE "no passphrase: set SIGNET_PASSWORD, use --password-file, " \
		  "or run on a terminal"
#define NO_SOURCE_COSIGN "no passphrase: set SIGNET_PASSWORD or " \
			 "COSIGN_PASSWORD, use --password-file, or run on a " \
			 "terminal"

static int from_env(char *out, size_t *outlen, const char *var,
		    const char *val)
{
	size_t n = strlen(val);

	if (n >= KEYS_PASS_MAX)
		return err_set(ERR_USAGE, "%s is too long (at most %d bytes)",
			       var, KEYS_PASS_MAX - 1);
	memcpy(out, val, n);
	out[n] = '\0';
	*outlen = n;
	return 0;
}

/* First line of @path, without its "\n" or "\r\n". Links and pipes are
 * fine here (secret mounts, --password-file <(...)). */
static int from_file(char *out, size_t *outlen, const char *path)
{
	size_t n = 0, line;
	ssize_t r;
	char *nl = NULL;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_set_errno(ERR_IO, "cannot open password file '%s'",
				     path);
	while (n < KEYS_PASS_MAX && !nl) {
		r = read(fd, out + n, KEYS_PASS_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = err_set_errno(ERR_IO,
					   "cannot read password file '%s'",
					   path);
			goto out;
		}
		if (r == 0)
			break;
		nl = memchr(out + n, '\n', (size_t)r);
		n += (size_t)r;
	}
	line = nl ? (size_t)(nl - out) : n;
	if (line >= KEYS_PASS_MAX) {
		rc = err_set(ERR_USAGE, "the passphrase in '%s' is too long "
			     "(at most %d bytes)", path, KEYS_PASS_MAX - 1);
		goto out;
	}
	if (line && out[line - 1] == '\r')
		line--;
	if (memchr(out, '\0', line)) {
		rc = err_set(ERR_USAGE, "the passphrase in '%s' contains a "
			     "NUL byte", path);
		goto out;
	}
	secure_wipe(out + line, KEYS_PASS_MAX - line);
	*outlen = line;
out:
	close(fd);
	return rc;
}

void keys_no_core_dumps(void)
{
	static const struct rlimit none = { 0, 0 };

	/* best effort: a sandbox that forbids either still signs. The
	 * rlimit alone does not stop a core_pattern pipe (systemd-coredump,
	 * apport); not dumpable does, and keeps ptrace of our uid out */
	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* ---- terminal ---------------------------------------------------------- */

/* A signal while echo is off must not leave the terminal silent: note it,
 * restore the terminal, then deliver it again (as readpassphrase(3)). */
static const int tty_signals[] = {
	SIGINT, SIGHUP, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU,
};
#define N_TTY_SIGNALS (sizeof(tty_signals) / sizeof(tty_signals[0]))
static volatile sig_atomic_t tty_caught[N_TTY_SIGNALS];

static void tty_on_signal(int sig)
{
	size_t i;

	for (i = 0; i < N_TTY_SIGNALS; i++)
		if (tty_signals[i] == sig)
			tty_caught[i] = 1;
}

static void write_all(int fd, const char *s)
{
	size_t n = strlen(s);
	ssize_t r;

	while (n) {
		r = write(fd, s, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		s += r;
		n -= (size_t)r;
	}
}

/* One line from the terminal @fd with echo off. */
static int tty_line(int fd, const char *prompt, char *out, size_t *outlen)
{
	struct sigaction sa, saved[N_TTY_SIGNALS];
	struct termios old, quiet;
	bool too_long = false, interrupted = false, restore;
	size_t n = 0, i;
	ssize_t r;
	char c;
	int rc = 0;

	if (tcgetattr(fd, &old) < 0)
		return err_set_errno(ERR_USAGE, "cannot use the terminal");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_on_signal;	/* no SA_RESTART: read() returns */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < N_TTY_SIGNALS; i++) {
		tty_caught[i] = 0;
		sigaction(tty_signals[i], &sa, &saved[i]);
	}
	quiet = old;
	quiet.c_lflag &= (tcflag_t)~(ECHO | ECHOE | ECHOK | ECHONL);
	restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	write_all(fd, prompt);
	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR) {
			for (i = 0; i < N_TTY_SIGNALS; i++)
				if (tty_caught[i])
					interrupted = true;
			if (interrupted)
				break;
			continue;
		}
		if (r < 0) {
			rc = err_set_errno(ERR_IO, "cannot read the terminal");
			break;
		}
		if (r == 0 || c == '\n' || c == '\r')
			break;
		if (n + 1 < KEYS_PASS_MAX)
			out[n++] = c;
		else
			too_long = true;	/* drain the rest of the line */
	}
	secure_wipe(&c, sizeof(c));
	write_all(fd, "\n");
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	for (i = 0; i < N_TTY_SIGNALS; i++)
		sigaction(tty_signals[i], &saved[i], NULL);
	for (i = 0; i < N_TTY_SIGNALS; i++)
		if (tty_caught[i])
			raise(tty_signals[i]);
	if (!rc && interrupted)
		rc = err_set(ERR_USAGE, "passphrase entry interrupted");
	if (!rc && too_long)
		rc = err_set(ERR_USAGE, "the passphrase is too long (at most "
			     "%d bytes)", KEYS_PASS_MAX - 1);
	if (!rc && memchr(out, '\0', n))
		rc = err_set(ERR_USAGE, "the passphrase contains a NUL byte");
	if (rc) {
		secure_wipe(out, KEYS_PASS_MAX);
		return rc;
	}
	out[n] = '\0';
	*outlen = n;
	return 0;
}

static int from_tty(char *out, size_t *outlen, enum pass_purpose why,
		    const char *path)
{
	char confirm[KEYS_PASS_MAX], prompt[PATH_MAX + 64], clean[PATH_MAX];
	size_t clen = 0;
	int fd, rc;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err_set(ERR_USAGE, "%s", why == PASS_READ_COSIGN ||
			       why == PASS_NEW_COSIGN ? NO_SOURCE_COSIGN :
			       NO_SOURCE);
	str_sanitize(clean, sizeof(clean), path ? path : "");
	switch (why) {
	case PASS_NEW:
		snprintf(prompt, sizeof(prompt),
			 "Enter passphrase for new key: ");
		break;
	case PASS_NEW_COSIGN:
		snprintf(prompt, sizeof(prompt),
			 "Enter passphrase for cosign key '%s': ", clean);
		break;
	default:
		snprintf(prompt, sizeof(prompt),
			 "Enter passphrase for '%s': ", clean);
	}
	if ((rc = tty_line(fd, prompt, out, outlen)) < 0)
		goto out;
	if (why != PASS_NEW && why != PASS_NEW_COSIGN)
		goto out;
	/* refuse an empty one before asking again */
	if (why == PASS_NEW && *outlen == 0)
		goto out;
	if ((rc = tty_line(fd, "Confirm passphrase: ", confirm, &clen)) < 0)
		goto out;
	if (clen != *outlen || !ct_equal(confirm, out, clen))
		rc = err_set(ERR_USAGE, "the passphrases do not match");
out:
	secure_wipe(confirm, sizeof(confirm));
	close(fd);
	return rc;
}

int keys_pin_get(char out[KEYS_PASS_MAX], size_t *outlen,
		 const char *pin_source, const char *token)
{
	char prompt[256], clean[128];
	const char *v;
	int fd, rc;

	keys_no_core_dumps();
	*outlen = 0;
	out[0] = '\0';
	if (pin_source) {
		/* RFC 7512: a "file:" URI (RFC 8089: file:/p, file:///p,
		 * file://localhost/p) or a plain path; "|command" is a
		 * p11-kit extension we do not run */
		if (strncasecmp(pin_source, "file://localhost/", 17) == 0)
			pin_source += 16;
		else if (strncasecmp(pin_source, "file://", 7) == 0 &&
			 pin_source[7] != '/')
			return err_set(ERR_USAGE, "pin-source '%s' names a file "
				       "on another host", pin_source);
		else if (strncasecmp(pin_source, "file:", 5) == 0)
			pin_source += 5;
		if (pin_source[0] != '/')
			return err_set(ERR_USAGE, "pin-source '%s' is not an "
				       "absolute file path", pin_source);
		rc = from_file(out, outlen, pin_source);
	} else if ((v = getenv("SIGNET_PKCS11_PIN"))) {
		rc = from_env(out, outlen, "SIGNET_PKCS11_PIN", v);
	} else if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) <
		   0) {
		return err_set(ERR_USAGE, "no PIN for token '%s': add "
			       "pin-source=file:PATH to the URI, set "
			       "SIGNET_PKCS11_PIN, or run on a terminal",
			       token);
	} else {
		str_sanitize(clean, sizeof(clean), token);
		snprintf(prompt, sizeof(prompt), "Enter PIN for token '%s': ",
			 clean);
		rc = tty_line(fd, prompt, out, outlen);
		close(fd);
	}
	if (rc == 0 && *outlen == 0)
		rc = err_set(ERR_USAGE, "empty PIN for token '%s'", token);
	if (rc) {
		secure_wipe(out, KEYS_PASS_MAX);
		*outlen = 0;
	}
	return rc;
}

int keys_pass_get(char out[KEYS_PASS_MAX], size_t *outlen,
		  const struct pass_source *src, enum pass_purpose why,
		  const char *path)
{
	bool cosign = why == PASS_READ_COSIGN || why == PASS_NEW_COSIGN;
	const char *v;
	int rc;

	keys_no_core_dumps();
	*outlen = 0;
	out[0] = '\0';
	if ((v = getenv("SIGNET_PASSWORD")))
		rc = from_env(out, outlen, "SIGNET_PASSWORD", v);
	else if (cosign && (v = getenv("COSIGN_PASSWORD")))
		rc = from_env(out, outlen, "COSIGN_PASSWORD", v);
	else if (src && src->password_file)
		rc = from_file(out, outlen, src->password_file);
	else
		rc = from_tty(out, outlen, why, path);
	if (!rc && why == PASS_NEW && *outlen == 0)
		rc = err_set(ERR_USAGE, "empty passphrase: give one, or use "
			     "--no-password for an unencrypted key");
	if (rc) {
		secure_wipe(out, KEYS_PASS_MAX);
		*outlen = 0;
	}
	return rc;
}
