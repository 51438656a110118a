/*
 * jsonpath.c - a strict reader for JSON that people write (the trust
 * policy): unknown fields, duplicate keys, wrong types and empty strings
 * are errors that name their JSON path (".rules[0].keys: ..."), and
 * reading goes on after each, so one pass shows every mistake.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define JP_DEPTH 32		/* nesting followed by path_at */

/* ---- reports ------------------------------------------------------------- */

void jp_vreport(struct jp_reader *r, int code, const char *jp,
		const char *fmt, va_list ap)
{
	char what[400], msg[JP_MSG_MAX], clean[JP_MSG_MAX];

	vsnprintf(what, sizeof(what), fmt, ap);
	snprintf(msg, sizeof(msg), "%s%s%s", jp ? jp : "", jp ? ": " : "",
		 what);
	str_sanitize(clean, sizeof(clean), msg);
	if (code < 0 && r->n_errors++ == 0) {
		r->first_rc = code;
		snprintf(r->first, sizeof(r->first), "%s", clean);
	}
	if (r->report)
		r->report(r->arg, code == 0, clean);
}

void jp_report(struct jp_reader *r, int code, const char *jp,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jp_vreport(r, code, jp, fmt, ap);
	va_end(ap);
}

/* ---- paths --------------------------------------------------------------- */

static bool plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

const char *jp_key(char out[JP_MAX], const char *base, const char *name)
{
	int n;

	if (plain_name(name))
		n = snprintf(out, JP_MAX, "%s.%.100s", base, name);
	else
		n = snprintf(out, JP_MAX, "%s[\"%.100s\"]", base, name);
	if (n >= JP_MAX)
		out[JP_MAX - 2] = '~';	/* shown cut */
	return out;
}

const char *jp_idx(char out[JP_MAX], const char *base, size_t i)
{
	if (snprintf(out, JP_MAX, "%s[%zu]", base, i) >= JP_MAX)
		out[JP_MAX - 2] = '~';	/* shown cut */
	return out;
}

struct frame {
	bool obj, want_key;
	size_t idx;
	char key[64];
};

/* Step over the string at @s[i] ('"'); remember it when it is a key. */
static size_t scan_string(struct frame *f, const char *s, size_t len,
			  size_t i)
{
	size_t j = i + 1, n;

	while (j < len && s[j] != '"')
		j += s[j] == '\\' ? 2 : 1;
	if (f && f->obj && f->want_key) {
		n = j - i - 1 < 63 ? j - i - 1 : 63;
		memcpy(f->key, s + i + 1, n);
		f->key[n] = '\0';
		f->want_key = false;
	}
	return j + 1;
}

/* The path of the member whose key ends just before byte @pos of @s:
 * where jansson stopped on a duplicate key (the text before it is valid
 * JSON, so a plain scan can follow the nesting). */
static void path_at(char out[JP_MAX], const char *s, size_t len, size_t pos)
{
	struct frame st[JP_DEPTH];
	int depth = -1, k;
	size_t i = 0;

	while (i < len && i < pos) {
		char ch = s[i];

		if (ch == '"') {
			i = scan_string(depth >= 0 && depth < JP_DEPTH ?
					&st[depth] : NULL, s, len, i);
			continue;
		}
		if (ch == '{' || ch == '[') {
			if (++depth < JP_DEPTH) {
				st[depth].obj = ch == '{';
				st[depth].want_key = ch == '{';
				st[depth].idx = 0;
				st[depth].key[0] = '\0';
			}
		} else if (ch == '}' || ch == ']') {
			depth--;
		} else if (ch == ',' && depth >= 0 && depth < JP_DEPTH) {
			if (st[depth].obj)
				st[depth].want_key = true;
			else
				st[depth].idx++;
		}
		i++;
	}
	out[0] = '\0';
	for (k = 0; k <= depth && k < JP_DEPTH; k++) {
		char tmp[JP_MAX];

		snprintf(tmp, sizeof(tmp), "%s", out);
		if (st[k].obj)
			jp_key(out, tmp, st[k].key);
		else
			jp_idx(out, tmp, st[k].idx);
	}
	if (!out[0])
		snprintf(out, JP_MAX, ".");
}

int jp_parse(json_t **out, struct jp_reader *r, const void *data,
	     size_t len, const char *what)
{
	json_error_t e;
	json_t *again;
	char jp[JP_MAX];
	int rc;

	if ((rc = jx_parse(out, data, len, what)) == 0)
		return 0;
	/* once more, for where: jx_parse hides jansson's position */
	again = json_loadb(data, len, JSON_REJECT_DUPLICATES, &e);
	json_decref(again);
	if (strncmp(e.text, "duplicate object key", 20) == 0) {
		path_at(jp, data, len, (size_t)e.position);
		jp_report(r, ERR_FORMAT, jp, "duplicate key (line %d)",
			  e.line);
	} else {
		jp_report(r, rc, NULL, "%s", err_msg());
	}
	return rc;
}

/* ---- strict field access ------------------------------------------------- */

void jp_only_fields(struct jp_reader *r, const json_t *obj, const char *jp,
		    const char *const *allowed, const char *list)
{
	const char *k;
	json_t *v;
	char sub[JP_MAX];

	json_object_foreach((json_t *)obj, k, v) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (strcmp(*a, k) == 0)
				break;
		if (!*a)
			jp_report(r, ERR_FORMAT, jp_key(sub, jp, k),
				  "unknown field (known: %s)", list);
	}
}

const json_t *jp_get_obj(struct jp_reader *r, const json_t *obj,
			 const char *field, const char *jp, bool required)
{
	json_t *v = json_object_get(obj, field);
	char sub[JP_MAX];

	jp_key(sub, jp, field);
	if (!v) {
		if (required)
			jp_report(r, ERR_FORMAT, sub, "missing");
		return NULL;
	}
	if (!json_is_object(v)) {
		jp_report(r, ERR_FORMAT, sub, "expected an object");
		return NULL;
	}
	return v;
}

const json_t *jp_get_obj_only(struct jp_reader *r, const json_t *obj,
			      const char *field, const char *jp,
			      const char *const *allowed, const char *list)
{
	const json_t *v = jp_get_obj(r, obj, field, jp, true);
	char sub[JP_MAX];

	if (v)
		jp_only_fields(r, v, jp_key(sub, jp, field), allowed, list);
	return v;
}

void jp_get_b64(struct jp_reader *r, const json_t *obj, const char *field,
		const char *jp, struct buf *out)
{
	const char *s = jp_get_str(r, obj, field, jp, true);
	char sub[JP_MAX];

	if (s && b64_decode(out, s, strlen(s)) < 0)
		jp_report(r, ERR_FORMAT, jp_key(sub, jp, field),
			  "not standard base64 (or too long)");
}

const char *jp_get_str(struct jp_reader *r, const json_t *obj,
		       const char *field, const char *jp, bool required)
{
	json_t *v = json_object_get(obj, field);
	char sub[JP_MAX];

	jp_key(sub, jp, field);
	if (!v) {
		if (required)
			jp_report(r, ERR_FORMAT, sub, "missing");
		return NULL;
	}
	if (!json_is_string(v)) {
		jp_report(r, ERR_FORMAT, sub, "expected a string");
		return NULL;
	}
	if (!json_string_length(v) ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		jp_report(r, ERR_FORMAT, sub, "expected a non-empty string "
			  "without NUL");
		return NULL;
	}
	return json_string_value(v);
}

bool jp_get_bool(struct jp_reader *r, const json_t *obj, const char *field,
		 const char *jp)
{
	json_t *v = json_object_get(obj, field);
	char sub[JP_MAX];

	if (!v)
		return false;
	if (!json_is_boolean(v)) {
		jp_report(r, ERR_FORMAT, jp_key(sub, jp, field),
			  "expected true or false");
		return false;
	}
	return json_is_true(v);
}

/* Append @k = @value to @out; false (reported) when out of memory. */
static bool kv_add(struct jp_reader *r, struct kvlist *out, const char *k,
		   const char *value)
{
	struct kv *items = realloc(out->items, (out->n + 1) * sizeof(*items));

	if (!items) {
		jp_report(r, ERR_NOMEM, NULL, "out of memory");
		return false;
	}
	out->items = items;
	items[out->n].key = strdup(k);
	items[out->n].value = strdup(value);
	if (!items[out->n].key || !items[out->n].value) {
		free(items[out->n].key);
		free(items[out->n].value);
		jp_report(r, ERR_NOMEM, NULL, "out of memory");
		return false;
	}
	out->n++;
	return true;
}

void jp_get_kv(struct jp_reader *r, const json_t *obj, const char *field,
	       const char *jp, struct kvlist *out,
	       const char *(*check)(const char *name))
{
	json_t *v = json_object_get(obj, field), *m;
	char sub[JP_MAX], item[JP_MAX];
	const char *k, *bad;

	if (!v)
		return;
	jp_key(sub, jp, field);
	if (!json_is_object(v)) {
		jp_report(r, ERR_FORMAT, sub, "expected an object of strings");
		return;
	}
	json_object_foreach(v, k, m) {
		jp_key(item, sub, k);
		if (!*k) {
			jp_report(r, ERR_FORMAT, item, "empty name");
			continue;
		}
		if (check && (bad = check(k))) {
			jp_report(r, ERR_FORMAT, item, "%s", bad);
			continue;
		}
		if (!json_is_string(m) || !json_string_length(m) ||
		    strlen(json_string_value(m)) != json_string_length(m)) {
			jp_report(r, ERR_FORMAT, item, "expected a non-empty "
				  "string");
			continue;
		}
		if (!kv_add(r, out, k, json_string_value(m)))
			return;
	}
}
