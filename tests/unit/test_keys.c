/* test_keys.c - key generation and files, passphrase sources, cosign key
 * files (vectors from sigstore/cosign), import/export, sign and verify.
 * Never prompts: every case sets SIGNET_PASSWORD / COSIGN_PASSWORD, and the
 * no-terminal case runs in a child without a controlling terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "../../keys/keys.h"
#include "../../keys/internal.h"

#define DATA "tests/data/keys/"
#define PASS "correct horse battery staple"

static char tmpdir[] = "/tmp/signet-test-keys-XXXXXX";

/* ---- helpers ------------------------------------------------------------ */

static const char *tpath(const char *name)
{
	static char bufs[64][512];	/* a ring: enough for one test */
	static int i;
	char *p = bufs[i++ % 64];

	assert_true(snprintf(p, 512, "%s/%s", tmpdir, name) < 512);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return data;
}

/* Owner-only, as a private key file must be for signet to read it. */
static void spit(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fchmod(fileno(f), 0600), 0);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* A private key vector from tests/data, copied owner-only into the
 * temporary folder (git checks it out 0644, which signet refuses). */
static const char *vec(const char *data_path)
{
	const char *base = strrchr(data_path, '/');
	const char *copy;
	size_t len;
	char *text;

	copy = tpath(base ? base + 1 : data_path);
	text = slurp(data_path, &len);
	unlink(copy);
	spit(copy, text, len);
	free(text);
	return copy;
}

static int file_mode(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return (int)(st.st_mode & 07777);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void set_pass(const char *signet, const char *cosign)
{
	if (signet)
		assert_int_equal(setenv("SIGNET_PASSWORD", signet, 1), 0);
	else
		unsetenv("SIGNET_PASSWORD");
	if (cosign)
		assert_int_equal(setenv("COSIGN_PASSWORD", cosign, 1), 0);
	else
		unsetenv("COSIGN_PASSWORD");
}

static void assert_msg_has(const char *needle)
{
	if (!strstr(err_msg(), needle))
		fail_msg("message '%s' lacks '%s'", err_msg(), needle);
}

static void assert_fpr_eq(EVP_PKEY *a, EVP_PKEY *b)
{
	char fa[80], fb[80];

	assert_int_equal(keys_fingerprint(fa, a), 0);
	assert_int_equal(keys_fingerprint(fb, b), 0);
	assert_string_equal(fa, fb);
}

static void gen(const char *name, enum key_type type, bool force)
{
	struct keygen_opts o = { .type = type, .force = force };

	if (keys_generate(tpath(name), &o) != 0)
		fail_msg("keys_generate %s: %s", name, err_msg());
}

/* One P-256 pair made once (PBKDF2 at 600k rounds is not free). */
static const char *shared_key(void)
{
	static bool made;
	char *saved;

	if (!made) {
		saved = getenv("SIGNET_PASSWORD");
		saved = saved ? strdup(saved) : NULL;
		assert_int_equal(setenv("SIGNET_PASSWORD", PASS, 1), 0);
		gen("shared", KEY_ECDSA_P256, false);
		if (saved)
			setenv("SIGNET_PASSWORD", saved, 1);
		else
			unsetenv("SIGNET_PASSWORD");
		free(saved);
		made = true;
	}
	return tpath("shared.key");
}

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int group_setup(void **state)
{
	(void)state;
	unsetenv("SIGNET_PASSWORD");
	unsetenv("COSIGN_PASSWORD");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- types -------------------------------------------------------------- */

static void test_parse_type(void **state)
{
	static const struct {
		const char *name;
		int rc;
		enum key_type type;
	} cases[] = {
		{ "ecdsa-p256", 0, KEY_ECDSA_P256 },
		{ "ecdsa-p384", 0, KEY_ECDSA_P384 },
		{ "rsa-3072", 0, KEY_RSA_3072 },
		{ "rsa-4096", 0, KEY_RSA_4096 },
		{ "dsa-1024", ERR_USAGE, 0 },
		{ "ECDSA-P256", ERR_USAGE, 0 },
		{ "", ERR_USAGE, 0 },
		{ "rsa-2048", ERR_USAGE, 0 },
	};
	enum key_type t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(keys_parse_type(&t, cases[i].name),
				 cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(t, cases[i].type);
		else
			assert_msg_has(cases[i].name);
	}
}

/* ---- generate, load, sign, verify: every type --------------------------- */

static void test_generate_round_trip(void **state)
{
	static const struct {
		enum key_type type;
		const char *name;
	} cases[] = {
		{ KEY_ECDSA_P256, "ecdsa-p256" },
		{ KEY_ECDSA_P384, "ecdsa-p384" },
		{ KEY_RSA_3072, "rsa-3072" },
		{ KEY_RSA_4096, "rsa-4096" },
	};
	static const char msg[] = "payload to sign";
	char keyp[512], pubp[512], desc[64];
	struct pass_source ps = { 0 };
	EVP_PKEY *priv, *pub, *any;
	struct buf sig;
	char *text;
	size_t i;

	(void)state;
	set_pass(PASS, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gen(cases[i].name, cases[i].type, false);
		snprintf(keyp, sizeof(keyp), "%s.key", tpath(cases[i].name));
		snprintf(pubp, sizeof(pubp), "%s.pub", tpath(cases[i].name));
		assert_int_equal(file_mode(keyp), 0600);
		assert_int_equal(file_mode(pubp), 0644);
		text = slurp(keyp, NULL);
		assert_true(starts_with(text, "-----BEGIN ENCRYPTED PRIVATE "
					"KEY-----\n"));
		assert_null(strstr(text, PASS));
		free(text);
		text = slurp(pubp, NULL);
		assert_true(starts_with(text, "-----BEGIN PUBLIC KEY-----\n"));
		free(text);

		if (keys_load_private(&priv, keyp, &ps) != 0)
			fail_msg("load %s: %s", keyp, err_msg());
		assert_int_equal(keys_load_public(&pub, pubp), 0);
		assert_int_equal(keys_load_any(&any, keyp, &ps), 0);
		assert_int_equal(ERR_peek_error(), 0);
		assert_fpr_eq(priv, pub);
		assert_fpr_eq(any, pub);
		keys_describe(desc, sizeof(desc), priv);
		assert_string_equal(desc, cases[i].name);
		keys_describe(desc, sizeof(desc), pub);
		assert_string_equal(desc, cases[i].name);
		assert_int_equal(keys_check_acceptable(pub), 0);

		buf_init(&sig, 0);
		assert_int_equal(keys_sign_sha256(&sig, priv, msg,
						  sizeof(msg)), 0);
		assert_true(sig.len > 0);
		assert_int_equal(keys_verify_sha256(pub, msg, sizeof(msg),
						    sig.data, sig.len), 0);
		assert_int_equal(keys_verify_sha256(pub, msg, sizeof(msg) - 1,
						    sig.data, sig.len),
				 ERR_VERIFY);
		assert_msg_has("signature does not verify");
		sig.data[sig.len / 2] ^= 1;
		assert_int_equal(keys_verify_sha256(pub, msg, sizeof(msg),
						    sig.data, sig.len),
				 ERR_VERIFY);
		assert_int_equal(ERR_peek_error(), 0);
		buf_release(&sig);
		EVP_PKEY_free(priv);
		EVP_PKEY_free(pub);
		EVP_PKEY_free(any);
	}
}

static void test_generate_refuses_existing(void **state)
{
	struct keygen_opts o = { .type = KEY_ECDSA_P256 };
	char *key1, *pub1, *key2, *pub2;

	(void)state;
	set_pass(PASS, NULL);
	gen("ow", KEY_ECDSA_P256, false);
	key1 = slurp(tpath("ow.key"), NULL);
	pub1 = slurp(tpath("ow.pub"), NULL);

	assert_int_equal(keys_generate(tpath("ow"), &o), ERR_IO);
	assert_msg_has("ow.key' exists; use --force to overwrite");
	key2 = slurp(tpath("ow.key"), NULL);
	pub2 = slurp(tpath("ow.pub"), NULL);
	assert_string_equal(key1, key2);
	assert_string_equal(pub1, pub2);
	free(key2);
	free(pub2);

	o.force = true;
	assert_int_equal(keys_generate(tpath("ow"), &o), 0);
	key2 = slurp(tpath("ow.key"), NULL);
	pub2 = slurp(tpath("ow.pub"), NULL);
	assert_string_not_equal(key1, key2);
	assert_string_not_equal(pub1, pub2);
	assert_int_equal(file_mode(tpath("ow.key")), 0600);
	assert_int_equal(file_mode(tpath("ow.pub")), 0644);
	free(key1);
	free(pub1);
	free(key2);
	free(pub2);

	/* only the .pub is there: still refused, no .key appears */
	spit(tpath("half.pub"), "x", 1);
	o.force = false;
	assert_int_equal(keys_generate(tpath("half"), &o), ERR_IO);
	assert_msg_has("half.pub' exists");
	assert_false(exists(tpath("half.key")));
}

static void test_generate_never_follows_links(void **state)
{
	struct keygen_opts o = { .type = KEY_ECDSA_P256 };
	char *victim;

	(void)state;
	set_pass(PASS, NULL);
	spit(tpath("victim"), "keep me", 7);
	assert_int_equal(symlink(tpath("victim"), tpath("ln.key")), 0);
	/* a dangling link counts as existing too */
	assert_int_equal(symlink(tpath("nowhere"), tpath("dl.pub")), 0);

	assert_int_equal(keys_generate(tpath("ln"), &o), ERR_IO);
	assert_int_equal(keys_generate(tpath("dl"), &o), ERR_IO);
	assert_false(exists(tpath("dl.key")));
	assert_false(exists(tpath("nowhere")));

	o.force = true;
	assert_int_equal(keys_generate(tpath("ln"), &o), 0);
	victim = slurp(tpath("victim"), NULL);
	assert_string_equal(victim, "keep me");
	free(victim);
	assert_int_equal(file_mode(tpath("ln.key")), 0600);	/* a file now */
	assert_int_equal(keys_generate(tpath("dl"), &o), 0);
	assert_false(exists(tpath("nowhere")));
}

static void test_generate_failure_leaves_nothing(void **state)
{
	struct keygen_opts o = { .type = KEY_ECDSA_P256 };

	(void)state;
	/* empty passphrase */
	set_pass("", NULL);
	assert_int_equal(keys_generate(tpath("empty"), &o), ERR_USAGE);
	assert_msg_has("--no-password");
	assert_false(exists(tpath("empty.key")));
	assert_false(exists(tpath("empty.pub")));

	/* directory that does not exist */
	set_pass(PASS, NULL);
	assert_int_equal(keys_generate(tpath("nodir/k"), &o), ERR_IO);

	/* .pub cannot be written (a directory is in the way): .key removed */
	assert_int_equal(mkdir(tpath("blocked.pub"), 0755), 0);
	o.force = true;
	assert_true(keys_generate(tpath("blocked"), &o) < 0);
	assert_false(exists(tpath("blocked.key")));
	assert_int_equal(rmdir(tpath("blocked.pub")), 0);
}

/* ---- passphrases -------------------------------------------------------- */

static void test_wrong_passphrase(void **state)
{
	struct pass_source ps = { 0 };
	const char *key = shared_key();
	EVP_PKEY *k = NULL;

	(void)state;
	set_pass("not the passphrase", NULL);
	assert_int_equal(keys_load_private(&k, key, &ps), ERR_CRYPTO);
	assert_null(k);
	assert_msg_has("wrong passphrase for '");
	assert_null(strstr(err_msg(), "not the passphrase"));
	assert_int_equal(ERR_peek_error(), 0);
	/* COSIGN_PASSWORD is for cosign files only */
	set_pass(NULL, PASS);
	ps.password_file = tpath("absent-file");
	assert_int_equal(keys_load_private(&k, key, &ps), ERR_IO);
	assert_msg_has("absent-file");
}

static void test_password_file(void **state)
{
	static const struct {
		const char *content;
		size_t len;
		int rc;
	} cases[] = {
		{ "file pass\n", 10, 0 },
		{ "file pass\r\n", 11, 0 },
		{ "file pass", 9, 0 },
		{ "file pass\nsecond line\n", 22, 0 },
		{ "file pass \n", 11, ERR_CRYPTO },	/* spaces count */
		{ "file\0pass\n", 10, ERR_USAGE },
	};
	struct keygen_opts o = { .type = KEY_ECDSA_P256 };
	struct pass_source ps = { .password_file = tpath("pwfile") };
	EVP_PKEY *k = NULL;
	size_t i;

	(void)state;
	o.pass.password_file = ps.password_file;
	spit(ps.password_file, "file pass\n", 10);
	set_pass(NULL, NULL);
	assert_int_equal(keys_generate(tpath("pf"), &o), 0);
	set_pass("file pass", NULL);	/* the environment comes first */
	ps.password_file = "/nonexistent";
	assert_int_equal(keys_load_private(&k, tpath("pf.key"), &ps), 0);
	EVP_PKEY_free(k);

	set_pass(NULL, NULL);
	ps.password_file = tpath("pwfile");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spit(ps.password_file, cases[i].content, cases[i].len);
		assert_int_equal(keys_load_private(&k, tpath("pf.key"), &ps),
				 cases[i].rc);
		EVP_PKEY_free(k);
		k = NULL;
	}

	/* too long for the passphrase buffer */
	{
		char big[2048];

		memset(big, 'a', sizeof(big));
		spit(ps.password_file, big, sizeof(big));
		assert_int_equal(keys_load_private(&k, tpath("pf.key"), &ps),
				 ERR_USAGE);
		assert_msg_has("too long");
	}
}

static void test_no_password(void **state)
{
	struct keygen_opts o = { .type = KEY_ECDSA_P384 };
	struct pass_source ps = { 0 };
	EVP_PKEY *k = NULL, *p = NULL;
	char *text;

	(void)state;
	set_pass(NULL, NULL);
	o.pass.no_password = true;
	assert_int_equal(keys_generate(tpath("nopw"), &o), 0);
	assert_int_equal(file_mode(tpath("nopw.key")), 0600);
	text = slurp(tpath("nopw.key"), NULL);
	assert_true(starts_with(text, "-----BEGIN PRIVATE KEY-----\n"));
	free(text);
	assert_int_equal(keys_load_private(&k, tpath("nopw.key"), &ps), 0);
	assert_int_equal(keys_load_public(&p, tpath("nopw.pub")), 0);
	assert_fpr_eq(k, p);
	EVP_PKEY_free(k);
	EVP_PKEY_free(p);
}

/* Without SIGNET_PASSWORD, a file or a terminal there is nothing to ask. */
static void test_no_terminal(void **state)
{
	struct keygen_opts o = { .type = KEY_ECDSA_P256 };
	const char *key = shared_key();
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pass_source ps = { 0 };
		EVP_PKEY *k = NULL;
		int bad = 0;

		setsid();	/* no controlling terminal: /dev/tty fails */
		set_pass(NULL, NULL);
		bad |= keys_generate(tpath("notty"), &o) != ERR_USAGE;
		bad |= strstr(err_msg(), "no passphrase: set SIGNET_PASSWORD")
		       == NULL;
		bad |= exists(tpath("notty.key"));
		bad |= keys_load_private(&k, key, &ps) != ERR_USAGE;
		setenv("COSIGN_PASSWORD", "hello", 1);	/* not for us */
		bad |= keys_load_private(&k, key, &ps) != ERR_USAGE;
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Run @fn in a child whose controlling terminal is a pty; answer each
 * prompt (text ending in ": ") with the next of @answers. Returns what the
 * terminal showed in @seen and -rc of @fn (100+ when the harness failed). */
static int with_tty(int (*fn)(void), const char *const *answers, size_t n,
		    char *seen, size_t seensz)
{
	size_t len = 0, mark = 0, i = 0;
	const char *slave;
	struct pollfd pfd;
	int m, status;
	ssize_t r;
	pid_t pid;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	assert_non_null(slave = ptsname(m));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(m);
		if (setsid() < 0 || open(slave, O_RDWR) < 0)	/* ctty now */
			_exit(100);
		_exit(-fn());
	}
	seen[0] = '\0';
	for (;;) {
		pfd.fd = m;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 20000) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		r = read(m, seen + len, seensz - 1 - len);
		if (r <= 0)
			break;	/* EIO: the child closed the terminal */
		len += (size_t)r;
		seen[len] = '\0';
		if (i < n && strstr(seen + mark, ": ")) {
			assert_true(write(m, answers[i], strlen(answers[i])) ==
				    (ssize_t)strlen(answers[i]));
			assert_int_equal(write(m, "\n", 1), 1);
			mark = len;
			i++;
		}
	}
	close(m);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

static int tty_generate(void)
{
	struct keygen_opts o = { .type = KEY_ECDSA_P256 };

	set_pass(NULL, NULL);
	return keys_generate(tpath("tty"), &o);
}

static int tty_load(void)
{
	struct pass_source ps = { 0 };
	EVP_PKEY *k = NULL;
	int rc;

	set_pass(NULL, NULL);
	rc = keys_load_private(&k, tpath("tty.key"), &ps);
	EVP_PKEY_free(k);
	return rc;
}

static int tty_export(void)
{
	struct pass_source ps = { 0 };

	set_pass(NULL, NULL);
	return keys_export_cosign(tpath("tty.key"), tpath("tty.cosign"), &ps,
				  false);
}

static int tty_load_cosign(void)
{
	struct pass_source ps = { 0 };
	EVP_PKEY *k = NULL;
	int rc;

	set_pass(NULL, NULL);
	rc = keys_load_private(&k, tpath("tty.cosign"), &ps);
	EVP_PKEY_free(k);
	return rc;
}

/* The terminal: echo off, asked twice for new keys, once to open one. */
static void test_terminal_prompts(void **state)
{
	static const char *const same[] = { "tty pass", "tty pass" };
	static const char *const differ[] = { "tty pass", "tty pasS" };
	static const char *const empty[] = { "" };
	static const char *const wrong[] = { "not it" };
	static const char *const load_export[] = {
		"tty pass", "cosign pass", "cosign pass"
	};
	static const char *const cosign[] = { "cosign pass" };
	char seen[4096];

	(void)state;
	assert_int_equal(with_tty(tty_generate, differ, 2, seen,
				  sizeof(seen)), -ERR_USAGE);
	assert_false(exists(tpath("tty.key")));
	assert_int_equal(with_tty(tty_generate, empty, 1, seen,
				  sizeof(seen)), -ERR_USAGE);
	assert_non_null(strstr(seen, "Enter passphrase for new key: "));
	assert_null(strstr(seen, "Confirm"));	/* refused at once */

	assert_int_equal(with_tty(tty_generate, same, 2, seen,
				  sizeof(seen)), 0);
	assert_non_null(strstr(seen, "Enter passphrase for new key: "));
	assert_non_null(strstr(seen, "Confirm passphrase: "));
	assert_null(strstr(seen, "tty pass"));	/* never echoed */
	assert_int_equal(file_mode(tpath("tty.key")), 0600);

	assert_int_equal(with_tty(tty_load, same, 1, seen, sizeof(seen)), 0);
	assert_non_null(strstr(seen, "Enter passphrase for '"));
	assert_non_null(strstr(seen, "tty.key': "));
	assert_null(strstr(seen, "Confirm"));
	assert_int_equal(with_tty(tty_load, wrong, 1, seen, sizeof(seen)),
			 -ERR_CRYPTO);

	assert_int_equal(with_tty(tty_export, load_export, 3, seen,
				  sizeof(seen)), 0);
	assert_non_null(strstr(seen, "Enter passphrase for cosign key '"));
	assert_null(strstr(seen, "cosign pass"));
	assert_int_equal(with_tty(tty_load_cosign, cosign, 1, seen,
				  sizeof(seen)), 0);
}

/* ---- reading key files -------------------------------------------------- */

static void test_truncated_and_garbage(void **state)
{
	static const struct {
		const char *name;
		const char *text;
		int pub_rc;	/* keys_load_public on the same file */
	} cases[] = {
		{ "empty.key", "", ERR_FORMAT },
		{ "garbage.key", "this is not a key\n", ERR_FORMAT },
		{ "badb64.key", "-----BEGIN PRIVATE KEY-----\n@@@@\n"
				"-----END PRIVATE KEY-----\n", ERR_FORMAT },
		{ "notder.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n"
				"-----END PRIVATE KEY-----\n", ERR_USAGE },
		{ "encnotder.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
				   "AAAA\n"
				   "-----END ENCRYPTED PRIVATE KEY-----\n",
		  ERR_USAGE },
		{ "cosignnotjson.key", "-----BEGIN ENCRYPTED SIGSTORE PRIVATE "
				       "KEY-----\nAAAA\n-----END ENCRYPTED "
				       "SIGSTORE PRIVATE KEY-----\n",
		  ERR_USAGE },
	};
	struct pass_source ps = { 0 };
	EVP_PKEY *k = NULL;
	size_t len, i;
	char *text;

	(void)state;
	set_pass(PASS, "hello");
	text = slurp(shared_key(), &len);
	spit(tpath("trunc.key"), text, len / 2);
	free(text);
	assert_int_equal(keys_load_private(&k, tpath("trunc.key"), &ps),
			 ERR_FORMAT);
	assert_msg_has("trunc.key");
	assert_null(k);
	text = slurp(DATA "pemsigstorekey.key", &len);
	spit(tpath("trunc-cosign.key"), text, len / 2);
	free(text);
	assert_int_equal(keys_load_private(&k, tpath("trunc-cosign.key"),
					   &ps), ERR_FORMAT);
	assert_msg_has("trunc-cosign.key");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spit(tpath(cases[i].name), cases[i].text,
		     strlen(cases[i].text));
		assert_int_equal(keys_load_private(&k, tpath(cases[i].name),
						   &ps), ERR_FORMAT);
		assert_msg_has(cases[i].name);
		assert_int_equal(keys_load_public(&k, tpath(cases[i].name)),
				 cases[i].pub_rc);
		assert_int_equal(ERR_peek_error(), 0);
	}
	assert_int_equal(keys_load_private(&k, tpath("absent.key"), &ps),
			 ERR_IO);
	assert_int_equal(keys_load_private(&k, tmpdir, &ps), ERR_IO);
}

static void test_private_key_link_refused(void **state)
{
	struct pass_source ps = { 0 };
	EVP_PKEY *k = NULL;

	(void)state;
	assert_int_equal(symlink(shared_key(), tpath("link.key")), 0);
	assert_int_equal(keys_load_private(&k, tpath("link.key"), &ps),
			 ERR_IO);
	assert_msg_has("symbolic link");
	/* a public key behind a link is fine */
	assert_int_equal(symlink(tpath("shared.pub"), tpath("link.pub")), 0);
	assert_int_equal(keys_load_public(&k, tpath("link.pub")), 0);
	EVP_PKEY_free(k);
}

static void test_public_forms(void **state)
{
	struct pass_source ps = { 0 };
	EVP_PKEY *a = NULL, *b = NULL;
	char desc[64];

	(void)state;
	assert_int_equal(keys_load_public(&a, DATA "cert.pem"), 0);
	assert_int_equal(keys_load_public(&b, DATA "cert-key.pub"), 0);
	assert_fpr_eq(a, b);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);

	assert_int_equal(keys_load_public(&a, DATA "rsa2048-pkcs1.pub"), 0);
	assert_int_equal(keys_load_any(&b, DATA "rsa2048.pub", &ps), 0);
	assert_fpr_eq(a, b);
	keys_describe(desc, sizeof(desc), a);
	assert_string_equal(desc, "rsa-2048");
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);

	/* a private key where a public one is wanted, and the reverse */
	assert_int_equal(keys_load_public(&a, shared_key()), ERR_USAGE);
	assert_msg_has("is a private key; give the public key (.pub)");
	assert_int_equal(keys_load_public(&a, DATA "pemsigstorekey.key"),
			 ERR_USAGE);
	assert_int_equal(keys_load_private(&a, DATA "rsa2048.pub", &ps),
			 ERR_USAGE);
	assert_msg_has("is a public key");
	assert_int_equal(keys_load_private(&a, DATA "sec1-ec.key", &ps),
			 ERR_FORMAT);
	assert_msg_has("PKCS#8");
	assert_null(a);
}

/* keys_d2i_pubkey reads an EC key without OpenSSL's decoders: whatever
 * the bytes, it must agree with d2i_PUBKEY (same key or none, same end),
 * a point off the curve above all. */
static void d2i_agrees(const unsigned char *der, long len)
{
	const unsigned char *p1 = der, *p2 = der;
	EVP_PKEY *a = keys_d2i_pubkey(&p1, len);
	EVP_PKEY *b = d2i_PUBKEY(NULL, &p2, len);

	assert_int_equal(a == NULL, b == NULL);
	if (a) {
		assert_ptr_equal(p1, p2);
		assert_int_equal(EVP_PKEY_eq(a, b), 1);
		assert_fpr_eq(a, b);
	}
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	ERR_clear_error();
}

static void test_d2i_pubkey(void **state)
{
	static const char *const curves[] = { "P-256", "P-384", "P-521" };
	unsigned char *der, *v;
	const unsigned char *p;
	EVP_PKEY *k, *got;
	size_t c, i;
	int n;

	(void)state;
	for (c = 0; c < 3; c++) {
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curves[c]);
		assert_non_null(k);
		der = NULL;
		n = i2d_PUBKEY(k, &der);
		assert_true(n > 30);
		v = malloc((size_t)n + 1);
		assert_non_null(v);
		p = der;
		got = keys_d2i_pubkey(&p, n);
		assert_non_null(got);
		assert_int_equal(EVP_PKEY_eq(got, k), 1);
		EVP_PKEY_free(got);
		/* every byte changed, one at a time: the point off its
		 * curve, another prefix, unused bits, other OIDs, lengths */
		for (i = 0; i < (size_t)n; i++) {
			memcpy(v, der, (size_t)n);
			v[i] ^= 0x01;
			d2i_agrees(v, n);
			v[i] = der[i] ^ 0x80;
			d2i_agrees(v, n);
		}
		memcpy(v, der, (size_t)n);
		v[n] = 0;
		d2i_agrees(v, n + 1);	/* a byte after it */
		d2i_agrees(v, n - 1);	/* one short */
		v[n - 1] ^= 1;		/* off the curve: refused */
		p = v;
		assert_null(keys_d2i_pubkey(&p, n));
		ERR_clear_error();
		free(v);
		OPENSSL_free(der);
		EVP_PKEY_free(k);
	}
}

static void test_unacceptable_keys(void **state)
{
	static const struct {
		const char *file;
		const char *msg;
		const char *desc;
	} cases[] = {
		{ DATA "ed25519.pub", "unsupported key type 'ed25519'",
		  "ed25519" },
		{ DATA "rsa1024.pub", "1024 bits is too small", "rsa-1024" },
		{ DATA "secp256k1.pub", "unsupported EC curve 'secp256k1'",
		  "ecdsa-secp256k1" },
	};
	struct pass_source ps = { 0 };
	EVP_PKEY *k = NULL;
	char desc[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(keys_load_public(&k, cases[i].file),
				 ERR_CRYPTO);
		assert_msg_has(cases[i].msg);
		assert_msg_has(cases[i].file);
		assert_null(k);
		assert_int_equal(keys_load_any(&k, cases[i].file, &ps),
				 ERR_CRYPTO);
	}
	/* describe still names them (for messages) */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fopen(cases[i].file, "r");

		assert_non_null(f);
		k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		fclose(f);
		assert_non_null(k);
		assert_int_equal(keys_check_acceptable(k), ERR_CRYPTO);
		keys_describe(desc, sizeof(desc), k);
		assert_string_equal(desc, cases[i].desc);
		EVP_PKEY_free(k);
	}
	assert_int_equal(keys_check_acceptable(NULL), ERR_CRYPTO);
}

static void test_fingerprint(void **state)
{
	unsigned char raw[32];
	char fpr[80], hex[65];
	EVP_PKEY *k = NULL;
	size_t i;

	(void)state;
	assert_int_equal(keys_load_public(&k, DATA "cert-key.pub"), 0);
	assert_int_equal(keys_fingerprint(fpr, k), 0);
	assert_int_equal(strlen(fpr), 7 + 64);
	assert_true(starts_with(fpr, "SHA256:"));
	for (i = 7; fpr[i]; i++)
		assert_non_null(strchr("0123456789abcdef", fpr[i]));
	assert_int_equal(keys_spki_sha256(raw, k), 0);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	assert_string_equal(fpr + 7, hex);
	EVP_PKEY_free(k);
}

/* ---- signatures --------------------------------------------------------- */

/* RSA-PSS made by someone else: any salt length verifies. */
static void test_verify_rsa_pss(void **state)
{
	static const int salts[] = { RSA_PSS_SALTLEN_DIGEST, 0, 20,
				     RSA_PSS_SALTLEN_MAX };
	static const char msg[] = "pss payload";
	struct pass_source ps = { 0 };
	unsigned char sig[512];
	EVP_PKEY *priv = NULL, *pub = NULL;
	EVP_PKEY_CTX *pctx;
	EVP_MD_CTX *ctx;
	size_t i, n;

	(void)state;
	set_pass(PASS, NULL);
	gen("pss", KEY_RSA_3072, false);
	assert_int_equal(keys_load_private(&priv, tpath("pss.key"), &ps), 0);
	assert_int_equal(keys_load_public(&pub, tpath("pss.pub")), 0);
	for (i = 0; i < sizeof(salts) / sizeof(salts[0]); i++) {
		ctx = EVP_MD_CTX_new();
		assert_int_equal(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(),
						    NULL, priv), 1);
		assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx,
				RSA_PKCS1_PSS_PADDING) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
				salts[i]) > 0);
		n = sizeof(sig);
		assert_int_equal(EVP_DigestSign(ctx, sig, &n, (const void *)msg,
						sizeof(msg)), 1);
		EVP_MD_CTX_free(ctx);
		assert_int_equal(keys_verify_sha256(pub, msg, sizeof(msg),
						    sig, n), 0);
		sig[0] ^= 0x80;
		assert_int_equal(keys_verify_sha256(pub, msg, sizeof(msg),
						    sig, n), ERR_VERIFY);
		assert_int_equal(ERR_peek_error(), 0);
	}
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
}

static void test_verify_garbage(void **state)
{
	static const struct {
		const char *sig;
		size_t len;
	} cases[] = {
		{ "", 0 },
		{ "\x30", 1 },
		{ "\x30\x06\x02\x01\x01\x02\x01\x01", 8 },
		{ "\x30\x07\x02\x01\x01\x02\x01\x01\x00", 9 },
		{ "not a signature at all", 22 },
	};
	struct pass_source ps = { 0 };
	EVP_PKEY *k = NULL;
	size_t i;

	(void)state;
	set_pass(PASS, NULL);
	assert_int_equal(keys_load_any(&k, shared_key(), &ps), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(keys_verify_sha256(k, "x", 1, cases[i].sig,
						    cases[i].len), ERR_VERIFY);
		assert_int_equal(ERR_peek_error(), 0);
	}
	EVP_PKEY_free(k);
}

/* ---- cosign key files ---------------------------------------------------- */

static void test_cosign_vectors(void **state)
{
	static const struct {
		const char *file;
		const char *signet_pw, *cosign_pw;
		int rc;
		const char *msg;
	} cases[] = {
		{ DATA "pemsigstorekey.key", NULL, "hello", 0, NULL },
		{ DATA "pemcosignkey.key", NULL, "hello", 0, NULL },
		{ DATA "pemsigstorekey.key", "hello", "wrong", 0, NULL },
		{ DATA "pemsigstorekey.key", NULL, "wrong", ERR_CRYPTO,
		  "pemsigstorekey.key'" },
		{ DATA "pemcosignkey.key", "wrong", "hello", ERR_CRYPTO,
		  "wrong passphrase" },
		{ DATA "pemsigstorekey.key", NULL, "", ERR_CRYPTO,
		  "wrong passphrase" },
		{ DATA "pemcosigneckey.key", NULL, "hello", ERR_FORMAT,
		  "SEC1" },
	};
	struct pass_source ps = { 0 };
	EVP_PKEY *k = NULL, *a = NULL;
	char desc[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_pass(cases[i].signet_pw, cases[i].cosign_pw);
		assert_int_equal(keys_load_private(&k, vec(cases[i].file),
						   &ps), cases[i].rc);
		if (cases[i].msg) {
			assert_msg_has(cases[i].msg);
			assert_null(k);
			continue;
		}
		keys_describe(desc, sizeof(desc), k);
		assert_string_equal(desc, "ecdsa-p256");
		assert_int_equal(keys_load_any(&a, vec(cases[i].file), &ps),
				 0);
		assert_fpr_eq(k, a);
		EVP_PKEY_free(k);
		EVP_PKEY_free(a);
		k = NULL;
	}
	assert_int_equal(ERR_peek_error(), 0);
}

/* Envelopes that must be refused before any decryption. */
static void test_cosign_envelope_strict(void **state)
{
#define SALT "\"7OuFwelmfY5uHwchiDRsmtjspgfef1F2Ne8aCN5KaZY=\""
#define NONCE "\"P4y88hBovSkOLmstlUAhbpt2t+lS5LPH\""
#define CT "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""
#define KDF(n, r, p, salt) "{\"name\":\"scrypt\",\"params\":{\"N\":" n \
	",\"r\":" r ",\"p\":" p "},\"salt\":" salt "}"
#define CIPHER(name, nonce) "{\"name\":\"" name "\",\"nonce\":" nonce "}"
#define ENV(kdf, cipher, ct) "{\"kdf\":" kdf ",\"cipher\":" cipher \
	",\"ciphertext\":" ct "}"
	static const struct {
		const char *json;
		const char *msg;
	} cases[] = {
		{ ENV(KDF("32768", "8", "1", SALT), CIPHER("nacl/secretbox",
		  NONCE), CT), "wrong passphrase" },	/* well-formed */
		{ ENV(KDF("16384", "8", "1", SALT), CIPHER("nacl/secretbox",
		  NONCE), CT), "scrypt N" },
		{ ENV(KDF("1048576", "8", "1", SALT), CIPHER("nacl/secretbox",
		  NONCE), CT), "scrypt N" },
		{ ENV(KDF("65536.0", "8", "1", SALT), CIPHER("nacl/secretbox",
		  NONCE), CT), "scrypt N" },
		{ ENV(KDF("65536", "16", "1", SALT), CIPHER("nacl/secretbox",
		  NONCE), CT), "r=8" },
		{ ENV(KDF("65536", "8", "2", SALT), CIPHER("nacl/secretbox",
		  NONCE), CT), "p=1" },
		{ ENV(KDF("65536", "8", "1", "\"AAAA\""), CIPHER(
		  "nacl/secretbox", NONCE), CT), "'salt'" },
		{ ENV(KDF("65536", "8", "1", SALT), CIPHER("nacl/secretbox",
		  "\"AAAA\""), CT), "'nonce'" },
		{ ENV(KDF("65536", "8", "1", SALT), CIPHER("aes-gcm",
		  NONCE), CT), "cipher" },
		{ ENV(KDF("65536", "8", "1", SALT), CIPHER("nacl/secretbox",
		  NONCE), "\"AAAA\""), "too short" },
		{ ENV(KDF("65536", "8", "1", SALT), CIPHER("nacl/secretbox",
		  NONCE), "\"not base64\""), "ciphertext" },
		{ "{\"kdf\":" KDF("65536", "8", "1", SALT) ",\"cipher\":"
		  CIPHER("nacl/secretbox", NONCE) "}", "malformed" },
		{ "{\"kdf\":" KDF("65536", "8", "1", SALT) ",\"cipher\":"
		  CIPHER("nacl/secretbox", NONCE) ",\"ciphertext\":" CT
		  ",\"extra\":1}", "malformed" },
		{ "{\"kdf\":" KDF("65536", "8", "1", SALT) ",\"kdf\":"
		  KDF("65536", "8", "1", SALT) ",\"cipher\":"
		  CIPHER("nacl/secretbox", NONCE) ",\"ciphertext\":" CT "}",
		  "invalid JSON" },
		{ "{\"kdf\":{\"name\":\"pbkdf2\",\"params\":{\"N\":65536,"
		  "\"r\":8,\"p\":1},\"salt\":" SALT "},\"cipher\":"
		  CIPHER("nacl/secretbox", NONCE) ",\"ciphertext\":" CT "}",
		  "want scrypt" },
		{ "[]", "malformed" },
	};
	struct pass_source ps = { 0 };
	EVP_PKEY *k = NULL;
	struct buf pem;
	char *b64;
	size_t i;

	(void)state;
	set_pass(NULL, "hello");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b64 = b64_encode(cases[i].json, strlen(cases[i].json));
		assert_non_null(b64);
		buf_init(&pem, 0);
		assert_int_equal(buf_appendf(&pem, "-----BEGIN ENCRYPTED "
					     "SIGSTORE PRIVATE KEY-----\n%s\n"
					     "-----END ENCRYPTED SIGSTORE "
					     "PRIVATE KEY-----\n", b64), 0);
		spit(tpath("env.key"), pem.data, pem.len);
		free(b64);
		buf_release(&pem);
		assert_true(keys_load_private(&k, tpath("env.key"), &ps) < 0);
		assert_msg_has(cases[i].msg);
		assert_null(k);
	}
#undef SALT
#undef NONCE
#undef CT
#undef KDF
#undef CIPHER
#undef ENV
}

static void test_cosign_export_round_trip(void **state)
{
	struct pass_source ps = { 0 };
	EVP_PKEY *orig = NULL, *back = NULL;
	struct buf body;
	const char *line;
	char *text, *p;
	json_t *doc;

	(void)state;
	set_pass(PASS, "ignored");
	assert_int_equal(keys_load_private(&orig, shared_key(), &ps), 0);
	assert_int_equal(keys_export_cosign(shared_key(), tpath("exp.key"),
					    &ps, false), 0);
	assert_int_equal(file_mode(tpath("exp.key")), 0600);
	text = slurp(tpath("exp.key"), NULL);
	assert_true(starts_with(text, "-----BEGIN ENCRYPTED SIGSTORE PRIVATE "
				"KEY-----\n"));
	assert_non_null(strstr(text, "\n-----END ENCRYPTED SIGSTORE PRIVATE "
			       "KEY-----\n"));
	/* lines of 64, and the envelope cosign writes */
	buf_init(&body, 0);
	line = strchr(text, '\n') + 1;
	while (!starts_with(line, "-----END")) {
		p = strchr(line, '\n');
		assert_true(p - line <= 64);
		assert_int_equal(buf_append(&body, line, (size_t)(p - line)),
				 0);
		if (p - line < 64)
			assert_true(starts_with(p + 1, "-----END"));
		line = p + 1;
	}
	free(text);
	text = strdup((char *)body.data);
	buf_reset(&body);
	assert_int_equal(b64_decode(&body, text, strlen(text)), 0);
	free(text);
	assert_true(starts_with((char *)body.data, "{\"kdf\":{\"name\":"
				"\"scrypt\",\"params\":{\"N\":65536,\"r\":8,"
				"\"p\":1},\"salt\":\""));
	assert_int_equal(jx_parse(&doc, body.data, body.len, "t"), 0);
	assert_string_equal(jx_str(json_object_get(doc, "cipher"), "name"),
			    "nacl/secretbox");
	json_decref(doc);
	buf_release(&body);

	/* back in, with the same passphrase through COSIGN_PASSWORD */
	set_pass(NULL, PASS);
	assert_int_equal(keys_load_private(&back, tpath("exp.key"), &ps), 0);
	assert_fpr_eq(orig, back);
	EVP_PKEY_free(back);

	/* no clobbering without force */
	set_pass(PASS, NULL);
	assert_int_equal(keys_export_cosign(shared_key(), tpath("exp.key"),
					    &ps, false), ERR_IO);
	assert_msg_has("exists; use --force");
	assert_int_equal(keys_export_cosign(shared_key(), tpath("exp.key"),
					    &ps, true), 0);
	/* a wrong passphrase for the source writes nothing */
	set_pass("wrong", NULL);
	assert_int_equal(keys_export_cosign(shared_key(), tpath("exp2.key"),
					    &ps, false), ERR_CRYPTO);
	assert_false(exists(tpath("exp2.key")));
	EVP_PKEY_free(orig);
}

/* cosign allows an empty passphrase (COSIGN_PASSWORD=""). */
static void test_cosign_empty_passphrase(void **state)
{
	struct keygen_opts o = { .type = KEY_ECDSA_P256 };
	struct pass_source ps = { 0 };
	EVP_PKEY *a = NULL, *b = NULL;

	(void)state;
	set_pass(NULL, NULL);
	o.pass.no_password = true;
	assert_int_equal(keys_generate(tpath("plain"), &o), 0);
	set_pass(NULL, "");
	assert_int_equal(keys_export_cosign(tpath("plain.key"),
					    tpath("empty.cosign"), &ps,
					    false), 0);
	assert_int_equal(keys_load_private(&a, tpath("empty.cosign"), &ps),
			 0);

	/* importing it: signet's file needs a passphrase of its own */
	o.pass.no_password = false;
	set_pass("", NULL);	/* opens the key, refused for the new file */
	assert_int_equal(keys_import_cosign(tpath("empty.cosign"),
					    tpath("imp-empty"), &o), ERR_USAGE);
	assert_false(exists(tpath("imp-empty.key")));
	assert_msg_has("empty passphrase");
	spit(tpath("newpw"), "new pass\n", 9);
	o.pass.password_file = tpath("newpw");
	set_pass(NULL, "");
	assert_int_equal(keys_import_cosign(tpath("empty.cosign"),
					    tpath("imp-empty"), &o), 0);
	set_pass("new pass", NULL);
	assert_int_equal(keys_load_private(&b, tpath("imp-empty.key"), &ps),
			 0);
	assert_fpr_eq(a, b);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void test_cosign_import_round_trip(void **state)
{
	struct keygen_opts o = { .type = KEY_ECDSA_P256 };
	struct pass_source ps = { 0 };
	EVP_PKEY *cos = NULL, *imp = NULL, *pub = NULL;
	char *text;

	(void)state;
	set_pass(NULL, "hello");
	assert_int_equal(keys_load_private(&cos, vec(DATA "pemcosignkey.key"),
					   &ps), 0);
	assert_int_equal(keys_import_cosign(vec(DATA "pemcosignkey.key"),
					    tpath("imp"), &o), 0);
	assert_int_equal(file_mode(tpath("imp.key")), 0600);
	assert_int_equal(file_mode(tpath("imp.pub")), 0644);
	text = slurp(tpath("imp.key"), NULL);
	assert_true(starts_with(text, "-----BEGIN ENCRYPTED PRIVATE "
				"KEY-----\n"));
	free(text);
	/* the new file opens with the same passphrase, via SIGNET_PASSWORD */
	set_pass("hello", NULL);
	assert_int_equal(keys_load_private(&imp, tpath("imp.key"), &ps), 0);
	assert_int_equal(keys_load_public(&pub, tpath("imp.pub")), 0);
	assert_fpr_eq(cos, imp);
	assert_fpr_eq(cos, pub);

	/* again without force: refused before anything is asked or read */
	set_pass(NULL, NULL);
	assert_int_equal(keys_import_cosign(vec(DATA "pemcosignkey.key"),
					    tpath("imp"), &o), ERR_IO);
	/* wrong passphrase or a SEC1 key: nothing written */
	set_pass(NULL, "wrong");
	assert_int_equal(keys_import_cosign(vec(DATA "pemcosignkey.key"),
					    tpath("imp2"), &o), ERR_CRYPTO);
	set_pass(NULL, "hello");
	assert_int_equal(keys_import_cosign(vec(DATA "pemcosigneckey.key"),
					    tpath("imp2"), &o), ERR_FORMAT);
	assert_false(exists(tpath("imp2.key")));
	assert_false(exists(tpath("imp2.pub")));
	EVP_PKEY_free(cos);
	EVP_PKEY_free(imp);
	EVP_PKEY_free(pub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_type),
		cmocka_unit_test(test_generate_round_trip),
		cmocka_unit_test(test_generate_refuses_existing),
		cmocka_unit_test(test_generate_never_follows_links),
		cmocka_unit_test(test_generate_failure_leaves_nothing),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_password_file),
		cmocka_unit_test(test_no_password),
		cmocka_unit_test(test_no_terminal),
		cmocka_unit_test(test_terminal_prompts),
		cmocka_unit_test(test_truncated_and_garbage),
		cmocka_unit_test(test_private_key_link_refused),
		cmocka_unit_test(test_public_forms),
		cmocka_unit_test(test_unacceptable_keys),
		cmocka_unit_test(test_d2i_pubkey),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_verify_rsa_pss),
		cmocka_unit_test(test_verify_garbage),
		cmocka_unit_test(test_cosign_vectors),
		cmocka_unit_test(test_cosign_envelope_strict),
		cmocka_unit_test(test_cosign_export_round_trip),
		cmocka_unit_test(test_cosign_empty_passphrase),
		cmocka_unit_test(test_cosign_import_round_trip),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
