/*
 * p11dl.h - libp11 and p11-kit, opened when the first "pkcs11:" URI is
 * used (p11dl.c), not when signet starts: no other command maps them or
 * the libraries they need. Included by pkcs11.c and p11dl.c only.
 *
 * pkcs11.c calls these functions by their own names; the defines at the
 * end route each call through the table p11dl_open fills. libp11 uses the
 * libcrypto already in the process, so there is one OpenSSL, never two.
 */
#ifndef SIGNET_KEYS_P11DL_H
#define SIGNET_KEYS_P11DL_H

#include <libp11.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

/* X(library, function): every function pkcs11.c calls */
#define P11DL_FUNCS(X) \
	X(P11DL_LIBP11, PKCS11_CTX_new) \
	X(P11DL_LIBP11, PKCS11_CTX_free) \
	X(P11DL_LIBP11, PKCS11_CTX_load) \
	X(P11DL_LIBP11, PKCS11_CTX_unload) \
	X(P11DL_LIBP11, PKCS11_enumerate_slots) \
	X(P11DL_LIBP11, PKCS11_release_all_slots) \
	X(P11DL_LIBP11, PKCS11_get_slotid_from_slot) \
	X(P11DL_LIBP11, PKCS11_is_logged_in) \
	X(P11DL_LIBP11, PKCS11_login) \
	X(P11DL_LIBP11, PKCS11_enumerate_keys) \
	X(P11DL_LIBP11, PKCS11_enumerate_public_keys) \
	X(P11DL_LIBP11, PKCS11_get_private_key) \
	X(P11DL_LIBP11, PKCS11_get_public_key) \
	X(P11DL_P11KIT, p11_kit_modules_load) \
	X(P11DL_P11KIT, p11_kit_modules_release) \
	X(P11DL_P11KIT, p11_kit_module_get_name) \
	X(P11DL_P11KIT, p11_kit_module_get_filename) \
	X(P11DL_P11KIT, p11_kit_uri_new) \
	X(P11DL_P11KIT, p11_kit_uri_free) \
	X(P11DL_P11KIT, p11_kit_uri_parse) \
	X(P11DL_P11KIT, p11_kit_uri_format) \
	X(P11DL_P11KIT, p11_kit_uri_message) \
	X(P11DL_P11KIT, p11_kit_uri_any_unrecognized) \
	X(P11DL_P11KIT, p11_kit_uri_get_attribute) \
	X(P11DL_P11KIT, p11_kit_uri_set_attribute) \
	X(P11DL_P11KIT, p11_kit_uri_get_module_name) \
	X(P11DL_P11KIT, p11_kit_uri_get_module_path) \
	X(P11DL_P11KIT, p11_kit_uri_get_pin_source) \
	X(P11DL_P11KIT, p11_kit_uri_get_pin_value) \
	X(P11DL_P11KIT, p11_kit_uri_get_slot_id) \
	X(P11DL_P11KIT, p11_kit_uri_match_attributes) \
	X(P11DL_P11KIT, p11_kit_uri_match_module_info) \
	X(P11DL_P11KIT, p11_kit_uri_match_slot_info) \
	X(P11DL_P11KIT, p11_kit_uri_match_token_info)

enum { P11DL_LIBP11, P11DL_P11KIT, P11DL_NLIBS };

struct p11dl {
#define P11DL_MEMBER(lib, fn) __typeof__(fn) *fn;
	P11DL_FUNCS(P11DL_MEMBER)
#undef P11DL_MEMBER
};

/* Filled by p11dl_open; all NULL before. */
extern struct p11dl p11dl;

/* Open both libraries and find every function, once per process; 0, or
 * ERR_IO with a message naming what is missing (then nothing is kept). */
int p11dl_open(void);

/* p11dl.c names the table's members themselves */
#ifndef P11DL_TABLE
#define PKCS11_CTX_new (*p11dl.PKCS11_CTX_new)
#define PKCS11_CTX_free (*p11dl.PKCS11_CTX_free)
#define PKCS11_CTX_load (*p11dl.PKCS11_CTX_load)
#define PKCS11_CTX_unload (*p11dl.PKCS11_CTX_unload)
#define PKCS11_enumerate_slots (*p11dl.PKCS11_enumerate_slots)
#define PKCS11_release_all_slots (*p11dl.PKCS11_release_all_slots)
#define PKCS11_get_slotid_from_slot (*p11dl.PKCS11_get_slotid_from_slot)
#define PKCS11_is_logged_in (*p11dl.PKCS11_is_logged_in)
#define PKCS11_login (*p11dl.PKCS11_login)
#define PKCS11_enumerate_keys (*p11dl.PKCS11_enumerate_keys)
#define PKCS11_enumerate_public_keys (*p11dl.PKCS11_enumerate_public_keys)
#define PKCS11_get_private_key (*p11dl.PKCS11_get_private_key)
#define PKCS11_get_public_key (*p11dl.PKCS11_get_public_key)
#define p11_kit_modules_load (*p11dl.p11_kit_modules_load)
#define p11_kit_modules_release (*p11dl.p11_kit_modules_release)
#define p11_kit_module_get_name (*p11dl.p11_kit_module_get_name)
#define p11_kit_module_get_filename (*p11dl.p11_kit_module_get_filename)
#define p11_kit_uri_new (*p11dl.p11_kit_uri_new)
#define p11_kit_uri_free (*p11dl.p11_kit_uri_free)
#define p11_kit_uri_parse (*p11dl.p11_kit_uri_parse)
#define p11_kit_uri_format (*p11dl.p11_kit_uri_format)
#define p11_kit_uri_message (*p11dl.p11_kit_uri_message)
#define p11_kit_uri_any_unrecognized (*p11dl.p11_kit_uri_any_unrecognized)
#define p11_kit_uri_get_attribute (*p11dl.p11_kit_uri_get_attribute)
#define p11_kit_uri_set_attribute (*p11dl.p11_kit_uri_set_attribute)
#define p11_kit_uri_get_module_name (*p11dl.p11_kit_uri_get_module_name)
#define p11_kit_uri_get_module_path (*p11dl.p11_kit_uri_get_module_path)
#define p11_kit_uri_get_pin_source (*p11dl.p11_kit_uri_get_pin_source)
#define p11_kit_uri_get_pin_value (*p11dl.p11_kit_uri_get_pin_value)
#define p11_kit_uri_get_slot_id (*p11dl.p11_kit_uri_get_slot_id)
#define p11_kit_uri_match_attributes (*p11dl.p11_kit_uri_match_attributes)
#define p11_kit_uri_match_module_info (*p11dl.p11_kit_uri_match_module_info)
#define p11_kit_uri_match_slot_info (*p11dl.p11_kit_uri_match_slot_info)
#define p11_kit_uri_match_token_info (*p11dl.p11_kit_uri_match_token_info)
#endif

#endif
