/*
 * floor.c - the start-up floor for signet: the smallest C program that
 * links OpenSSL 3 and computes one SHA-256 (OpenSSL's configuration and
 * provider set-up included). `make bench` times `signet version`
 * against it; built with -DEMPTY it is an empty C program, the floor of
 * any process.
 */
#include <stdio.h>
#ifndef EMPTY
#include <openssl/evp.h>
#endif

int main(void)
{
#ifndef EMPTY
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n;

	if (!EVP_Digest("signet", 6, md, &n, EVP_sha256(), NULL))
		return 1;
	printf("%02x\n", md[0]);
#endif
	return 0;
}
