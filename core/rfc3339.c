/*
 * rfc3339.c - the one RFC 3339 date-time parser and formatter, for the
 * trust policy's revocation times and Notary's signing times.
 *
 * The rule, strict on purpose (both notation, in Go, and people writing a
 * policy expect what Go's time.RFC3339 reads):
 *   YYYY-MM-DD "T" hh:mm:ss [ "." 1 to 9 digits ] ( "Z" | ("+"|"-") hh:mm )
 * - every field has exactly its digits; the date exists (leap years
 *   counted); hh <= 23, mm <= 59, ss <= 59: no leap second ":60", which
 *   Go refuses, so a signature we accept would be one notation rejects;
 * - years 0000 to 9999; offsets up to 23:59;
 * - "T" and "Z" upper case, unless the caller passes RFC3339_LOWER (RFC
 *   3339 5.6 allows "t" and "z"; the policy, written by hand, takes
 *   them);
 * - the fraction is dropped; nothing may follow.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "core.h"

static bool digits(const char **p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return true;
}

/* @c (upper case), or its lower case when @lower. */
static bool expect(const char **p, char c, bool lower)
{
	if (**p != c && !(lower && **p == c - 'A' + 'a'))
		return false;
	(*p)++;
	return true;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The offset east of UTC in seconds from "Z" or "+hh:mm" at *@p. */
static bool zone(const char **p, bool lower, int *off)
{
	int sign, oh, om;

	*off = 0;
	if (expect(p, 'Z', lower))
		return true;
	if (**p != '+' && **p != '-')
		return false;
	sign = *(*p)++ == '+' ? 1 : -1;
	if (!digits(p, 2, &oh) || !expect(p, ':', false) ||
	    !digits(p, 2, &om) || oh > 23 || om > 59)
		return false;
	*off = sign * (oh * 3600 + om * 60);
	return true;
}

int rfc3339_parse(time_t *out, const char *s, unsigned flags)
{
	bool lower = flags & RFC3339_LOWER;
	int y, mo, d, h, mi, sec, off, frac = 0;
	const char *p = s;
	char shown[64];

	if (!s)
		return err_set(ERR_FORMAT, "missing time");
	if (!digits(&p, 4, &y) || !expect(&p, '-', false) ||
	    !digits(&p, 2, &mo) || !expect(&p, '-', false) ||
	    !digits(&p, 2, &d) || !expect(&p, 'T', lower) ||
	    !digits(&p, 2, &h) || !expect(&p, ':', false) ||
	    !digits(&p, 2, &mi) || !expect(&p, ':', false) ||
	    !digits(&p, 2, &sec))
		goto bad;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			frac++;
		if (frac < 1 || frac > 9)
			goto bad;
	}
	if (!zone(&p, lower, &off) || *p || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo) || h > 23 || mi > 59 || sec > 59)
		goto bad;
	*out = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 +
			mi * 60 + sec - off);
	return 0;
bad:
	str_sanitize(shown, sizeof(shown), s);
	return err_set(ERR_FORMAT, "invalid RFC 3339 time '%s'", shown);
}

int rfc3339_format(char out[RFC3339_MAX], time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999)
		return err_set(ERR_USAGE, "time %lld is out of range",
			       (long long)t);
	snprintf(out, RFC3339_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	return 0;
}
