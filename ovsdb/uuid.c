/* ovsdb/uuid: RFC 4122 UUIDs. */
#include "ovsdb/uuid.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* Random bytes are drawn from getrandom() in blocks to keep the number of
 * system calls low; the control thread is the only user. */
static uint8_t pool[512];
static size_t pool_left;

static void
fill_random(void *dst, size_t n)
{
    if (pool_left < n) {
        size_t got = 0;
        while (got < sizeof pool) {
            ssize_t r = getrandom(pool + got, sizeof pool - got, 0);
            if (r < 0) {
                if (errno == EINTR) {
                    continue;
                }
                abort();    /* No entropy source: cannot make safe UUIDs. */
            }
            got += (size_t) r;
        }
        pool_left = sizeof pool;
    }
    memcpy(dst, pool + sizeof pool - pool_left, n);
    memset(pool + sizeof pool - pool_left, 0, n);
    pool_left -= n;
}

void
ovsdb_uuid_generate(struct ovsdb_uuid *u)
{
    fill_random(u->b, sizeof u->b);
    u->b[6] = (uint8_t) ((u->b[6] & 0x0f) | 0x40);
    u->b[8] = (uint8_t) ((u->b[8] & 0x3f) | 0x80);
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

bool
ovsdb_uuid_from_string(struct ovsdb_uuid *u, const char *s)
{
    struct ovsdb_uuid r;
    size_t bi = 0;

    memset(u, 0, sizeof *u);
    if (!s || strlen(s) != OVSDB_UUID_LEN) {
        return false;
    }
    for (size_t i = 0; i < OVSDB_UUID_LEN;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return false;
            }
            i++;
            continue;
        }
        int hi = hexval((unsigned char) s[i]);
        int lo = hexval((unsigned char) s[i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        r.b[bi++] = (uint8_t) (hi << 4 | lo);
        i += 2;
    }
    *u = r;
    return true;
}

void
ovsdb_uuid_format(const struct ovsdb_uuid *u, char buf[OVSDB_UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    char *p = buf;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            *p++ = '-';
        }
        *p++ = hex[u->b[i] >> 4];
        *p++ = hex[u->b[i] & 15];
    }
    *p = '\0';
}

int
ovsdb_uuid_compare(const struct ovsdb_uuid *a, const struct ovsdb_uuid *b)
{
    return memcmp(a->b, b->b, sizeof a->b);
}

bool
ovsdb_uuid_equals(const struct ovsdb_uuid *a, const struct ovsdb_uuid *b)
{
    return !memcmp(a->b, b->b, sizeof a->b);
}

bool
ovsdb_uuid_is_zero(const struct ovsdb_uuid *u)
{
    static const struct ovsdb_uuid zero;
    return ovsdb_uuid_equals(u, &zero);
}

uint32_t
ovsdb_uuid_hash(const struct ovsdb_uuid *u)
{
    /* Mix all four words: UUIDs read from files need not be random. */
    uint32_t w[4];
    memcpy(w, u->b, sizeof w);
    uint32_t h = w[0] * 0x9e3779b1u;
    h ^= (w[1] + (h << 6) + (h >> 2)) * 0x85ebca6bu;
    h ^= (w[2] + (h << 6) + (h >> 2)) * 0xc2b2ae35u;
    h ^= (w[3] + (h << 6) + (h >> 2)) * 0x27d4eb2fu;
    h ^= h >> 15;
    return h;
}
