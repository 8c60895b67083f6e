/* scan: strict numbers and Ethernet addresses (see scan.h). */
#include "src/util/scan.h"

#include <errno.h>
#include <string.h>

static int
digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int
scan_uint(const char *s, int base, uint64_t max, uint64_t *v)
{
    unsigned int b;
    if (base == SCAN_C) {
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            b = 16;
            s += 2;
        } else if (s[0] == '0' && s[1]) {
            b = 8;
            s++;
        } else {
            b = 10;
        }
    } else if (base == 16) {
        b = 16;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            s += 2;
        }
    } else if (base == 10) {
        b = 10;
    } else {
        return -EINVAL;
    }
    if (!*s) {
        return -EINVAL;
    }

    uint64_t x = 0;
    int over = 0;
    for (; *s; s++) {
        int d = digit_value(*s);
        if (d < 0 || (unsigned int) d >= b) {
            return -EINVAL;
        }
        if (x > (UINT64_MAX - (unsigned int) d) / b) {
            over = 1;
        }
        x = x * b + (unsigned int) d;
    }
    if (over || x > max) {
        return -ERANGE;
    }
    *v = x;
    return 0;
}

int
scan_u32(const char *s, int base, uint32_t max, uint32_t *v)
{
    uint64_t x;
    int error = scan_uint(s, base, max, &x);
    if (!error) {
        *v = (uint32_t) x;
    }
    return error;
}

int
scan_mac(const char *s, uint8_t mac[6])
{
    uint8_t m[6];
    for (int i = 0; i < 6; i++) {
        int hi = digit_value(s[0]);
        if (hi < 0) {
            return -EINVAL;
        }
        int lo = digit_value(s[1]);
        if (lo >= 0) {
            m[i] = (uint8_t) (hi << 4 | lo);
            s += 2;
        } else {
            m[i] = (uint8_t) hi;
            s++;
        }
        if (*s != (i < 5 ? ':' : '\0')) {
            return -EINVAL;
        }
        s += i < 5;
    }
    memcpy(mac, m, 6);
    return 0;
}
