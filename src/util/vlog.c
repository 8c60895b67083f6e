/* vlog: per-module logging to console and file, configurable at run time. */
#include "src/util/vlog.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "src/util/ctl.h"
#include "src/util/dstr.h"
#include "src/util/loop.h"

static struct vlog_module *modules;
static pthread_mutex_t vlog_mutex = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static char *log_file_name;

static const char *const level_names[VLL_N_LEVELS] = {
    "off", "emer", "err", "warn", "info", "dbg"
};
static const char *const dest_names[VLD_N_DESTS] = { "console", "file" };

const char *
vlog_level_name(enum vlog_level level)
{
    return level < VLL_N_LEVELS ? level_names[level] : "?";
}

int
vlog_level_from_name(const char *name)
{
    for (int i = 0; i < VLL_N_LEVELS; i++) {
        if (!strcasecmp(name, level_names[i])) {
            return i;
        }
    }
    return -1;
}

static int
dest_from_name(const char *name)
{
    for (int i = 0; i < VLD_N_DESTS; i++) {
        if (!strcasecmp(name, dest_names[i])) {
            return i;
        }
    }
    return -1;
}

static void
update_min_level(struct vlog_module *m)
{
    m->min_level = VLL_OFF;
    for (int d = 0; d < VLD_N_DESTS; d++) {
        if (m->levels[d] > m->min_level) {
            m->min_level = m->levels[d];
        }
    }
}

void
vlog_register_module(struct vlog_module *m)
{
    /* Constructors run before main(), one at a time: no lock needed, but
     * keep the list sorted so vlog/list reads well. */
    struct vlog_module **p = &modules;
    while (*p && strcmp((*p)->name, m->name) < 0) {
        p = &(*p)->next;
    }
    m->next = *p;
    *p = m;
    update_min_level(m);
}

struct vlog_module *
vlog_modules(void)
{
    return modules;
}

struct vlog_module *
vlog_module_from_name(const char *name)
{
    for (struct vlog_module *m = modules; m; m = m->next) {
        if (!strcasecmp(m->name, name)) {
            return m;
        }
    }
    return NULL;
}

static void
format_line(struct dstr *line, const struct vlog_module *m,
            enum vlog_level level, const char *fmt, va_list args)
{
    struct timeval tv;
    struct tm tm;
    char stamp[32];

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    dstr_printf(line, "%s.%03ldZ|%s|%s|", stamp, (long) tv.tv_usec / 1000,
                m->name, level_names[level]);
    dstr_vprintf(line, fmt, args);
    dstr_put(line, "\n");
}

static void
vlog_valist(struct vlog_module *m, enum vlog_level level, const char *fmt,
            va_list args)
{
    struct dstr line = DSTR_INIT;
    format_line(&line, m, level, fmt, args);

    pthread_mutex_lock(&vlog_mutex);
    if (level <= m->levels[VLD_CONSOLE]) {
        fputs(dstr_cstr(&line), stderr);
    }
    if (log_file && level <= m->levels[VLD_FILE]) {
        fputs(dstr_cstr(&line), log_file);
        fflush(log_file);
    }
    pthread_mutex_unlock(&vlog_mutex);
    dstr_free(&line);
}

void
vlog(struct vlog_module *m, enum vlog_level level, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vlog_valist(m, level, fmt, args);
    va_end(args);
}

static bool
rate_limit_allows(struct vlog_rate_limit *rl)
{
    bool ok;
    pthread_mutex_lock(&vlog_mutex);
    uint64_t now = loop_now_ms();
    if (rl->last_ms == 0) {
        rl->last_ms = now;
    }
    uint64_t refill = (now - rl->last_ms) * rl->rate / 60000;
    if (refill) {
        rl->tokens = rl->tokens + refill > rl->burst
                     ? rl->burst : rl->tokens + (unsigned int) refill;
        rl->last_ms = now;
    }
    ok = rl->tokens > 0;
    if (ok) {
        rl->tokens--;
    } else {
        rl->dropped++;
    }
    pthread_mutex_unlock(&vlog_mutex);
    return ok;
}

void
vlog_rl(struct vlog_module *m, enum vlog_level level,
        struct vlog_rate_limit *rl, const char *fmt, ...)
{
    if (!rate_limit_allows(rl)) {
        return;
    }
    va_list args;
    va_start(args, fmt);
    vlog_valist(m, level, fmt, args);
    va_end(args);
}

int
vlog_set_spec(const char *spec, const char **err)
{
    int dest = -1, level = -1;
    struct vlog_module *module = NULL;
    char *copy = strdup(spec), *save = NULL;

    *err = NULL;
    if (!copy) {
        *err = "out of memory";
        return -ENOMEM;
    }
    for (char *word = strtok_r(copy, ": \t", &save); word;
         word = strtok_r(NULL, ": \t", &save)) {
        int l = vlog_level_from_name(word);
        int d = dest_from_name(word);
        struct vlog_module *m = vlog_module_from_name(word);

        if (!strcasecmp(word, "any")) {
            continue;
        } else if (l >= 0 && level < 0) {
            level = l;
        } else if (d >= 0 && dest < 0) {
            dest = d;
        } else if (m && !module) {
            module = m;
        } else if (!strcasecmp(word, "syslog")) {
            continue;       /* Accepted for ovs-appctl habits; unused. */
        } else {
            free(copy);
            *err = l >= 0 || d >= 0 || m
                   ? "each of module, destination and level may be given "
                     "only once"
                   : "unknown module, destination or level";
            return -EINVAL;
        }
    }
    free(copy);
    if (level < 0) {
        level = VLL_DBG;    /* As in OVS: "vlog/set pmd" means debug. */
    }
    for (struct vlog_module *m = modules; m; m = m->next) {
        if (module && m != module) {
            continue;
        }
        for (int di = 0; di < VLD_N_DESTS; di++) {
            if (dest < 0 || dest == di) {
                m->levels[di] = level;
            }
        }
        update_min_level(m);
    }
    return 0;
}

int
vlog_set_log_file(const char *path)
{
    FILE *f = fopen(path, "a");
    if (!f) {
        return -errno;
    }
    char *name = strdup(path);
    if (!name) {
        fclose(f);
        return -ENOMEM;
    }
    pthread_mutex_lock(&vlog_mutex);
    if (log_file) {
        fclose(log_file);
    }
    free(log_file_name);
    log_file = f;
    log_file_name = name;
    pthread_mutex_unlock(&vlog_mutex);
    return 0;
}

int
vlog_reopen_log_file(void)
{
    if (!log_file_name) {
        return 0;
    }
    char *name = strdup(log_file_name);
    if (!name) {
        return -ENOMEM;
    }
    int error = vlog_set_log_file(name);
    free(name);
    return error;
}

const char *
vlog_get_log_file(void)
{
    return log_file_name;
}

static int
cmd_list(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) argc;
    (void) argv;
    (void) aux;
    dstr_printf(reply, "%-16s %-8s %-8s\n", "", "console", "file");
    dstr_printf(reply, "%-16s %-8s %-8s\n", "", "-------", "----");
    for (struct vlog_module *m = modules; m; m = m->next) {
        dstr_printf(reply, "%-16s %-8s %-8s\n", m->name,
                    level_names[m->levels[VLD_CONSOLE]],
                    level_names[m->levels[VLD_FILE]]);
    }
    dstr_printf(reply, "\nlog file: %s\n",
                log_file_name ? log_file_name : "(none)");
    return 0;
}

static int
cmd_set(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) aux;
    for (int i = 1; i < argc; i++) {
        const char *err;
        if (vlog_set_spec(argv[i], &err)) {
            dstr_printf(reply, "%s: %s\n", argv[i], err);
            return 1;
        }
    }
    return 0;
}

static int
cmd_reopen(int argc, const char *argv[], struct dstr *reply, void *aux)
{
    (void) argc;
    (void) argv;
    (void) aux;
    if (!log_file_name) {
        dstr_put(reply, "Logging to file not configured\n");
        return 1;
    }
    int error = vlog_reopen_log_file();
    if (error) {
        dstr_printf(reply, "cannot reopen %s: %s\n", log_file_name,
                    strerror(-error));
        return 1;
    }
    return 0;
}

void
vlog_register_commands(void)
{
    ctl_register("vlog/list", "", 0, 0, cmd_list, NULL);
    ctl_register("vlog/set", "{spec | PATTERN:destination:pattern}", 1, -1,
                 cmd_set, NULL);
    ctl_register("vlog/reopen", "", 0, 0, cmd_reopen, NULL);
}
