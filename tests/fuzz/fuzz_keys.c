/*
 * fuzz_keys.c - key and certificate files (keys/): the input is written to
 * a temporary file, read by keys_load_public, keys_load_any and
 * keys_load_certs. Passphrases never come from a terminal: for inputs of
 * even length SIGNET_PASSWORD is set, for odd lengths only COSIGN_PASSWORD
 * (cosign keys) and a password file (PKCS#8), all "hello" (the passphrase
 * of the corpus's encrypted keys).
 * Properties: a loaded key is an accepted kind with a fingerprint; a
 * public key loaded both ways is the same key; every certificate loaded
 * has a thumbprint.
 */
#include <fcntl.h>
#include <unistd.h>
#include <openssl/x509.h>

#include "fuzz.h"
#include "../../keys/keys.h"

#define PASSPHRASE "hello"

static char dir[64], key_path[96], pass_path[96];

static void cleanup(void)
{
	unlink(key_path);
	unlink(pass_path);
	rmdir(dir);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const unsigned char *p = data;

	FUZZ_CHECK(fd >= 0);
	while (len) {
		ssize_t r = write(fd, p, len);

		FUZZ_CHECK(r > 0);
		p += r;
		len -= (size_t)r;
	}
	FUZZ_CHECK(close(fd) == 0);
}

static void init(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "%s/signet-fuzz-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	snprintf(key_path, sizeof(key_path), "%s/key", dir);
	snprintf(pass_path, sizeof(pass_path), "%s/pass", dir);
	write_file(pass_path, PASSPHRASE "\n", sizeof(PASSPHRASE));
	atexit(cleanup);
	setenv("COSIGN_PASSWORD", PASSPHRASE, 1);
}

static void check_key(EVP_PKEY *key)
{
	char fp[80], desc[64];

	FUZZ_CHECK(key != NULL);
	FUZZ_CHECK(keys_check_acceptable(key) == 0);
	FUZZ_CHECK(keys_fingerprint(fp, key) == 0);
	keys_describe(desc, sizeof(desc), key);
	FUZZ_CHECK(memchr(desc, '\0', sizeof(desc)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pass_source pass = { .password_file = pass_path };
	EVP_PKEY *pub = NULL, *any = NULL;
	X509 **certs = NULL;
	size_t n = 0, i;
	char thumb[65];
	int rc_pub, rc_any;

	init();
	if (size % 2 == 0)
		setenv("SIGNET_PASSWORD", PASSPHRASE, 1);
	else
		unsetenv("SIGNET_PASSWORD");
	write_file(key_path, data, size);

	rc_pub = keys_load_public(&pub, key_path);
	FUZZ_CHECK((rc_pub == 0) == (pub != NULL));
	if (pub)
		check_key(pub);
	rc_any = keys_load_any(&any, key_path, &pass);
	FUZZ_CHECK((rc_any == 0) == (any != NULL));
	if (any)
		check_key(any);
	/* keys_load_any tries the public forms first */
	if (pub)
		FUZZ_CHECK(any && EVP_PKEY_eq(pub, any) == 1);

	if (keys_load_certs(&certs, &n, key_path) == 0) {
		FUZZ_CHECK(certs && n >= 1 && n <= KEYS_CERTS_MAX);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(keys_cert_thumbprint(thumb, certs[i]) == 0);
		keys_certs_free(certs, n);
	} else {
		FUZZ_CHECK(certs == NULL && n == 0);
	}
	EVP_PKEY_free(pub);
	EVP_PKEY_free(any);
	err_clear();
	return 0;
}
