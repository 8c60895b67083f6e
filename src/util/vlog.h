/* vlog: logging with per-module levels, settable at run time.
 * Each .c that logs says VLOG_DEFINE_THIS_MODULE(name) once; modules
 * register themselves before main().  Output goes to stderr (console) and,
 * after vlog_set_log_file(), to a file that `vlog/reopen` reopens.
 * Safe to call from PMD threads; use the _RL variants on hot paths. */
#ifndef SLUICE_VLOG_H
#define SLUICE_VLOG_H

#include <stdbool.h>
#include <stdint.h>

enum vlog_level {
    VLL_OFF,
    VLL_EMER,
    VLL_ERR,
    VLL_WARN,
    VLL_INFO,
    VLL_DBG,
    VLL_N_LEVELS
};

enum vlog_dest {
    VLD_CONSOLE,
    VLD_FILE,
    VLD_N_DESTS
};

struct vlog_module {
    const char *name;
    enum vlog_level levels[VLD_N_DESTS];
    enum vlog_level min_level;      /* Most verbose of 'levels'. */
    struct vlog_module *next;
};

void vlog_register_module(struct vlog_module *);

#define VLOG_DEFINE_THIS_MODULE(NAME)                                       \
    static struct vlog_module this_module = {                               \
        #NAME, { VLL_INFO, VLL_INFO }, VLL_INFO, NULL };                    \
    __attribute__((constructor)) static void                                \
    vlog_init_this_module(void)                                             \
    {                                                                       \
        vlog_register_module(&this_module);                                 \
    }

/* Token bucket: at most 'burst' messages, refilled at 'rate' per minute. */
struct vlog_rate_limit {
    unsigned int rate;
    unsigned int burst;
    unsigned int tokens;
    uint64_t last_ms;
    unsigned int dropped;
};
#define VLOG_RATE_LIMIT_INIT(RATE, BURST) { RATE, BURST, BURST, 0, 0 }

void vlog(struct vlog_module *, enum vlog_level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vlog_rl(struct vlog_module *, enum vlog_level, struct vlog_rate_limit *,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline bool
vlog_is_enabled(const struct vlog_module *m, enum vlog_level level)
{
    return level <= m->min_level;
}

#define VLOG_LOG(LEVEL, ...)                                                \
    do {                                                                    \
        if (vlog_is_enabled(&this_module, LEVEL)) {                         \
            vlog(&this_module, LEVEL, __VA_ARGS__);                         \
        }                                                                   \
    } while (0)
#define VLOG_EMER(...) VLOG_LOG(VLL_EMER, __VA_ARGS__)
#define VLOG_ERR(...) VLOG_LOG(VLL_ERR, __VA_ARGS__)
#define VLOG_WARN(...) VLOG_LOG(VLL_WARN, __VA_ARGS__)
#define VLOG_INFO(...) VLOG_LOG(VLL_INFO, __VA_ARGS__)
#define VLOG_DBG(...) VLOG_LOG(VLL_DBG, __VA_ARGS__)

#define VLOG_LOG_RL(RL, LEVEL, ...)                                         \
    do {                                                                    \
        if (vlog_is_enabled(&this_module, LEVEL)) {                         \
            vlog_rl(&this_module, LEVEL, RL, __VA_ARGS__);                  \
        }                                                                   \
    } while (0)
#define VLOG_ERR_RL(RL, ...) VLOG_LOG_RL(RL, VLL_ERR, __VA_ARGS__)
#define VLOG_WARN_RL(RL, ...) VLOG_LOG_RL(RL, VLL_WARN, __VA_ARGS__)
#define VLOG_INFO_RL(RL, ...) VLOG_LOG_RL(RL, VLL_INFO, __VA_ARGS__)
#define VLOG_DBG_RL(RL, ...) VLOG_LOG_RL(RL, VLL_DBG, __VA_ARGS__)

/* Parses and applies a setting such as "dbg", "console:warn",
 * "pmd:file:dbg", "any:any:info" (module:destination:level, each part
 * optional and in any order, as ovs-appctl vlog/set takes them).
 * Returns 0, or -EINVAL with a message in 'err' (static storage). */
int vlog_set_spec(const char *spec, const char **err);

/* Opens (or reopens) the log file.  Returns 0 or a negative errno. */
int vlog_set_log_file(const char *path);
int vlog_reopen_log_file(void);
const char *vlog_get_log_file(void);

/* Registers vlog/list, vlog/set and vlog/reopen on the control socket. */
void vlog_register_commands(void);

const char *vlog_level_name(enum vlog_level);
/* Returns the level called 'name', or -1. */
int vlog_level_from_name(const char *name);
struct vlog_module *vlog_module_from_name(const char *name);
struct vlog_module *vlog_modules(void);     /* Linked list head. */

#endif
