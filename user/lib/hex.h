/* SPDX-License-Identifier: GPL-2.0 */
/* Hex string <-> bytes. */
#ifndef TLSDEV_HEX_H
#define TLSDEV_HEX_H

#include <stddef.h>
#include <stdint.h>

enum hex_err {
	HEX_OK = 0,
	HEX_EMPTY,     /* empty string (or only "0x") */
	HEX_ODD,       /* odd number of hex digits */
	HEX_BADCHAR,   /* a character that is not a hex digit */
	HEX_SIZE,      /* decodes to the wrong number of bytes */
};

/*
 * Decode @s (optionally prefixed by "0x"/"0X") into @out.  At most @outmax
 * bytes are written.  When the string is well formed, *@outlen is set to the
 * decoded length even if it exceeds @outmax (then HEX_SIZE is returned and
 * nothing is written), so callers can report "got N bytes".  On
 * HEX_BADCHAR, *@outlen is set to the offending character's index.
 */
int hex_decode(const char *s, uint8_t *out, size_t outmax, size_t *outlen);

/* Like hex_decode() but the result must be exactly @want bytes. */
int hex_decode_exact(const char *s, uint8_t *out, size_t want);

/* Human-readable text for an hex_err value. */
const char *hex_strerror(int err);

/* Lower-case hex of @len bytes into @out, which must hold 2*len+1 chars. */
void hex_encode(const uint8_t *in, size_t len, char *out);

#endif
