/*
 * p11dl.c - open libp11 and p11-kit at the first "pkcs11:" URI (see
 * p11dl.h). The sonames come from the libraries signet was built against
 * (the Makefile reads them); dlopen finds them where the dynamic linker
 * would.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#define P11DL_TABLE
#include "p11dl.h"

#ifndef SIGNET_LIBP11
#define SIGNET_LIBP11 "libp11.so.3"
#endif
#ifndef SIGNET_LIBP11KIT
#define SIGNET_LIBP11KIT "libp11-kit.so.0"
#endif

struct p11dl p11dl;

static const char *const lib_names[P11DL_NLIBS] = {
	[P11DL_LIBP11] = SIGNET_LIBP11,
	[P11DL_P11KIT] = SIGNET_LIBP11KIT,
};

static const struct {
	int lib;
	const char *name;
	size_t offset;
} funcs[] = {
#define P11DL_ENTRY(l, fn) { l, #fn, offsetof(struct p11dl, fn) },
	P11DL_FUNCS(P11DL_ENTRY)
#undef P11DL_ENTRY
};

static int open_rc;
static char open_msg[256];

static void open_once(void)
{
	void *h[P11DL_NLIBS] = { NULL }, *sym;
	struct p11dl t;
	size_t i;

	for (i = 0; i < P11DL_NLIBS; i++)
		if (!(h[i] = dlopen(lib_names[i], RTLD_NOW | RTLD_LOCAL))) {
			snprintf(open_msg, sizeof(open_msg), "cannot load "
				 "'%s', which PKCS#11 keys need (Debian: "
				 "libp11-3, libp11-kit0)", lib_names[i]);
			goto fail;
		}
	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		if (!(sym = dlsym(h[funcs[i].lib], funcs[i].name))) {
			snprintf(open_msg, sizeof(open_msg), "'%s' has no "
				 "%s", lib_names[funcs[i].lib],
				 funcs[i].name);
			goto fail;
		}
		memcpy((char *)&t + funcs[i].offset, &sym, sizeof(sym));
	}
	p11dl = t;	/* the libraries stay open until exit */
	return;
fail:
	for (i = 0; i < P11DL_NLIBS; i++)
		if (h[i])
			dlclose(h[i]);
	open_rc = ERR_IO;
}

int p11dl_open(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, open_once);
	return open_rc ? err_set(open_rc, "%s", open_msg) : 0;
}
