/*
 * attachments.c - what verify and list say besides signatures: the
 * attachments found (attestations, SBOMs, other artifacts), the findings
 * that did not stop a verification, and the --recursive hint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* What became of an attachment's signature under the given keys. */
static const char *attach_note(const struct attachment *a, bool keys)
{
	if (!keys || a->kind != ATTACH_ATTESTATION)
		return NULL;
	if (!a->checked)
		return "not checked";
	return a->key[0] ? NULL : "not signed by any given key";
}

json_t *cli_attachments_json(const struct verify_result *res, bool keys)
{
	json_t *all = json_array(), *o;
	size_t i;

	for (i = 0; all && i < res->n_atts; i++) {
		const struct attachment *a = &res->atts[i];

		o = json_pack("{s:s,s:s,s:s}", "kind", attach_kind_name(a->kind),
			      "type", a->type, "where", a->where);
		if (!o)
			continue;
		if (a->digest.str[0])
			json_object_set_new(o, "digest",
					    json_string(a->digest.str));
		if (keys && a->kind == ATTACH_ATTESTATION) {
			json_object_set_new(o, "checked",
					    json_boolean(a->checked));
			if (a->checked)
				json_object_set_new(o, "verified",
						    json_boolean(a->key[0]));
			if (a->key[0])
				json_object_set_new(o, "key",
						    json_string(a->key));
		}
		json_array_append_new(all, o);
	}
	return all;
}

json_t *cli_warnings_json(const struct verify_result *res)
{
	json_t *all = json_array();
	size_t i;

	for (i = 0; all && i < res->n_warnings; i++)
		json_array_append_new(all, json_string(res->warnings[i]));
	return all;
}

void cli_print_attachments(const struct verify_result *res, bool keys)
{
	size_t i;

	for (i = 0; i < res->n_warnings; i++) {
		printf("%s\twarning\t", res->pinned);
		cli_put_safe(stdout, res->warnings[i]);
		fputc('\n', stdout);
	}
	for (i = 0; i < res->n_atts; i++) {
		const struct attachment *a = &res->atts[i];
		const char *note = attach_note(a, keys);

		printf("%s\t%s\t%s\t", res->pinned, attach_kind_name(a->kind),
		       a->key[0] ? a->key : "-");
		cli_put_safe(stdout, a->type[0] ? a->type : "-");
		if (strcmp(a->where, "referrer") != 0)
			printf("\tcosign's %s tag", a->where);
		if (note)
			printf("%s%s", strcmp(a->where, "referrer") != 0 ?
			       "; " : "\t", note);
		fputc('\n', stdout);
	}
}

void cli_print_warnings(const struct verify_result *res)
{
	size_t i;

	for (i = 0; i < res->n_warnings; i++) {
		fputs("signet: warning: ", stderr);
		cli_put_safe(stderr, res->warnings[i]);
		fputc('\n', stderr);
	}
}

void cli_print_hint(const struct verify_result *res, int rc)
{
	if (rc == ERR_VERIFY && res->hint_recursive)
		fprintf(stderr, "signet: hint: if '%s' is a platform manifest "
			"of a signed index, sign the index with 'signet sign "
			"--recursive' so each platform is signed too\n",
			res->pinned);
}
