// SPDX-License-Identifier: GPL-2.0
#include "hex.h"

#include <string.h>

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, uint8_t *out, size_t outmax, size_t *outlen)
{
	size_t n, i;

	*outlen = 0;
	if (!s)
		return HEX_EMPTY;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (n == 0)
		return HEX_EMPTY;
	for (i = 0; i < n; i++) {
		if (hexval((unsigned char)s[i]) < 0) {
			*outlen = i;
			return HEX_BADCHAR;
		}
	}
	if (n % 2)
		return HEX_ODD;
	*outlen = n / 2;
	if (n / 2 > outmax)
		return HEX_SIZE;
	for (i = 0; i < n / 2; i++)
		out[i] = (uint8_t)(hexval((unsigned char)s[2 * i]) << 4 |
				   hexval((unsigned char)s[2 * i + 1]));
	return HEX_OK;
}

int hex_decode_exact(const char *s, uint8_t *out, size_t want)
{
	size_t len;
	int err;

	err = hex_decode(s, out, want, &len);
	if (err)
		return err;
	if (len != want) {
		memset(out, 0, want);
		return HEX_SIZE;
	}
	return HEX_OK;
}

const char *hex_strerror(int err)
{
	switch (err) {
	case HEX_OK:      return "ok";
	case HEX_EMPTY:   return "empty hex string";
	case HEX_ODD:     return "odd number of hex digits";
	case HEX_BADCHAR: return "invalid hex character";
	case HEX_SIZE:    return "wrong length";
	}
	return "hex error";
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}
