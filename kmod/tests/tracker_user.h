/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tracker.c needs from the kernel headers when built in userspace.
 */
#ifndef _TRACKER_USER_H
#define _TRACKER_USER_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#endif /* _TRACKER_USER_H */
