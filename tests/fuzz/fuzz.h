/*
 * fuzz.h - shared by the fuzz targets in tests/fuzz. Each fuzz_<name>.c
 * defines LLVMFuzzerTestOneInput; `make fuzz` links it with libFuzzer
 * (clang), `make fuzz-replay` with replay.c (any compiler) to run the
 * checked-in corpus in tests/fuzz/corpus/<name>/.
 */
#ifndef SIGNET_FUZZ_H
#define SIGNET_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken property is a crash, so that libFuzzer keeps the input. */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: property failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* The input as a new NUL-terminated string (it may hold NULs too). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		if (size)
			memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
