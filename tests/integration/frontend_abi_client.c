/*
 * The frontend's C ABI (cosim_frontend.h) end to end, from C11 as QEMU's shim
 * uses it: dlopen() the library, check the ABI handshake, then drive a device
 * through it -- remote (a real cosim-host), in-process, and the fallback when no
 * host answers -- and virtual time (ABI 1.1) against a fake guest clock.
 * Exits 0 when every check passed; each failure prints a line.
 *
 *   frontend_abi_client LIBCOSIM_FRONTEND COSIM_HOST LOG_DIR
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cosim_frontend.h"

/* epf-test registers and bits (shared/specs/epf-test.md), as a C driver spells them. */
enum {
    REG_MAGIC = 0x00, REG_COMMAND = 0x04, REG_STATUS = 0x08, REG_SRC_LO = 0x0c, REG_SRC_HI = 0x10,
    REG_DST_LO = 0x14, REG_DST_HI = 0x18, REG_SIZE = 0x1c, REG_CHECKSUM = 0x20, REG_IRQ_TYPE = 0x24,
    REG_IRQ_NUMBER = 0x28,
};
enum { CMD_READ = 1u << 3, CMD_WRITE = 1u << 4 };
enum { ST_READ_SUCCESS = 1u << 0, ST_WRITE_SUCCESS = 1u << 2, ST_IRQ_RAISED = 1u << 6 };
enum { IRQ_TYPE_MSI = 1 };

static int failures;
static const char *host_log_path = "";

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);      \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
            ++failures;                                                          \
        }                                                                        \
    } while (0)

/* ---- the guest: one RAM buffer and an interrupt controller ---------------- */

struct guest {
    uint64_t base;
    uint8_t *ram;
    uint64_t size;
    unsigned msi_count;
    uint32_t last_msi;
    unsigned msix_count;
    int intx;
    unsigned kicks;
    unsigned log_lines;
    unsigned fallback_lines;
};

static int reachable(const struct guest *g, uint64_t addr, uint64_t len)
{
    return addr >= g->base && len <= g->size && addr - g->base <= g->size - len;
}

static int op_dma_read(void *opaque, uint64_t addr, void *buf, uint64_t len)
{
    struct guest *g = opaque;
    if (!reachable(g, addr, len))
        return -1;
    memcpy(buf, g->ram + (addr - g->base), len);
    return 0;
}

static int op_dma_write(void *opaque, uint64_t addr, const void *buf, uint64_t len)
{
    struct guest *g = opaque;
    if (!reachable(g, addr, len))
        return -1;
    memcpy(g->ram + (addr - g->base), buf, len);
    return 0;
}

static void op_set_intx(void *opaque, int level) { ((struct guest *)opaque)->intx = level; }

static void op_raise_msi(void *opaque, uint32_t vector)
{
    struct guest *g = opaque;
    ++g->msi_count;
    g->last_msi = vector;
}

static void op_raise_msix(void *opaque, uint32_t vector)
{
    (void)vector;
    ++((struct guest *)opaque)->msix_count;
}

static void op_log(void *opaque, int level, const char *message)
{
    struct guest *g = opaque;
    ++g->log_lines;
    if (strstr(message, "fallback"))
        ++g->fallback_lines;
    fprintf(stderr, "  [libcosim_frontend level %d] %s\n", level, message);
}

static void op_kick(void *opaque) { ++((struct guest *)opaque)->kicks; }

static cosim_fe_host_ops host_ops(struct guest *g)
{
    cosim_fe_host_ops ops;
    memset(&ops, 0, sizeof ops);
    ops.opaque = g;
    ops.dma_read = op_dma_read;
    ops.dma_write = op_dma_write;
    ops.set_intx = op_set_intx;
    ops.raise_msi = op_raise_msi;
    ops.raise_msix = op_raise_msix;
    ops.log = op_log;
    ops.kick = op_kick;
    return ops;
}

static void guest_init(struct guest *g, uint64_t size)
{
    memset(g, 0, sizeof *g);
    g->base = 0x180000000ull; /* above 4 GiB: the *_HI registers matter */
    g->size = size;
    g->ram = calloc(1, size);
    if (!g->ram) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
}

/* Linux's crc32_le(~0, buf, len): reflected 0xEDB88320, no final inversion. */
static uint32_t crc32_le(uint32_t crc, const uint8_t *p, uint64_t len)
{
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; ++k)
            crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return crc;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- driving a device through the ABI -------------------------------------- */

static uint32_t rd(const cosim_fe_api *api, cosim_fe *fe, int bar, uint64_t off)
{
    uint64_t v = 0;
    int rc = api->bar_read(fe, bar, off, 4, &v);
    CHECK(rc == COSIM_FE_OK, "bar_read(BAR%d+0x%llx) returned %d", bar, (unsigned long long)off, rc);
    return (uint32_t)v;
}

static void wr(const cosim_fe_api *api, cosim_fe *fe, int bar, uint64_t off, uint32_t value)
{
    int rc = api->bar_write(fe, bar, off, 4, value);
    CHECK(rc == COSIM_FE_OK, "bar_write(BAR%d+0x%llx) returned %d", bar, (unsigned long long)off, rc);
}

/* pcitest -b BAR: 0xA0A0A0A0 to every word (BAR0: the first only), then read back. */
static void bar_test(const cosim_fe_api *api, cosim_fe *fe, int bar, const char *where)
{
    cosim_fe_device_info info;
    CHECK(api->describe(fe, &info) == COSIM_FE_OK, "%s: describe failed", where);
    uint64_t size = bar == 0 ? 4 : info.bars[bar].size;
    CHECK(size > 0, "%s: BAR%d not implemented", where, bar);
    for (uint64_t j = 0; j < size; j += 4)
        wr(api, fe, bar, j, 0xA0A0A0A0u);
    for (uint64_t j = 0; j < size; j += 4) {
        uint32_t v = rd(api, fe, bar, j);
        if (v != 0xA0A0A0A0u) {
            CHECK(v == 0xA0A0A0A0u, "%s: BAR%d+0x%llx reads 0x%08x", where, bar, (unsigned long long)j, v);
            return;
        }
    }
}

/* Waits for an MSI as QEMU's main loop would: sleep on poll_fd, call poll(). */
static int wait_msi(const cosim_fe_api *api, cosim_fe *fe, struct guest *g, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    while (g->msi_count == 0) {
        if (now_ms() > deadline || !api->alive(fe))
            return 0;
        int fd = api->poll_fd(fe);
        if (fd >= 0) {
            struct pollfd p = {fd, POLLIN, 0};
            (void)poll(&p, 1, 20);
        } else {
            sleep_ms(1);
        }
        api->poll(fe);
    }
    return 1;
}

/* The driver's MSI handler: STATUS read, written back without IRQ_RAISED. */
static uint32_t handle_irq(const cosim_fe_api *api, cosim_fe *fe)
{
    uint32_t st = rd(api, fe, 0, REG_STATUS);
    wr(api, fe, 0, REG_STATUS, st & ~ST_IRQ_RAISED);
    return st;
}

/* pcitest -w: the device READs a C-side guest buffer and checks its CRC. */
static void read_command(const cosim_fe_api *api, cosim_fe *fe, struct guest *g, uint32_t size, const char *where)
{
    uint64_t src = g->base + 0x1000; /* 4 KiB aligned, as the driver aligns for 104c:b500 */
    for (uint32_t i = 0; i < size; ++i)
        g->ram[0x1000 + i] = (uint8_t)(i * 7 + (i >> 9));
    g->msi_count = 0;
    wr(api, fe, 0, REG_CHECKSUM, crc32_le(~0u, g->ram + 0x1000, size));
    wr(api, fe, 0, REG_SRC_LO, (uint32_t)src);
    wr(api, fe, 0, REG_SRC_HI, (uint32_t)(src >> 32));
    wr(api, fe, 0, REG_SIZE, size);
    wr(api, fe, 0, REG_IRQ_TYPE, IRQ_TYPE_MSI);
    wr(api, fe, 0, REG_IRQ_NUMBER, 1);
    wr(api, fe, 0, REG_COMMAND, CMD_READ);
    if (!wait_msi(api, fe, g, 20000)) {
        CHECK(0, "%s: READ of %u bytes: no MSI within 20 s", where, size);
        return;
    }
    CHECK(g->last_msi == 0, "%s: READ completed on MSI vector %u, expected 0", where, g->last_msi);
    uint32_t st = handle_irq(api, fe);
    CHECK(st == (ST_READ_SUCCESS | ST_IRQ_RAISED), "%s: READ STATUS 0x%x", where, st);
}

/* pcitest -r: the device WRITEs the buffer; its CRC must match CHECKSUM. */
static void write_command(const cosim_fe_api *api, cosim_fe *fe, struct guest *g, uint32_t size, const char *where)
{
    uint64_t dst = g->base + 0x1000;
    memset(g->ram, 0, g->size);
    g->msi_count = 0;
    wr(api, fe, 0, REG_DST_LO, (uint32_t)dst);
    wr(api, fe, 0, REG_DST_HI, (uint32_t)(dst >> 32));
    wr(api, fe, 0, REG_SIZE, size);
    wr(api, fe, 0, REG_IRQ_TYPE, IRQ_TYPE_MSI);
    wr(api, fe, 0, REG_IRQ_NUMBER, 1);
    wr(api, fe, 0, REG_COMMAND, CMD_WRITE);
    if (!wait_msi(api, fe, g, 20000)) {
        CHECK(0, "%s: WRITE of %u bytes: no MSI within 20 s", where, size);
        return;
    }
    uint32_t st = handle_irq(api, fe);
    CHECK(st == (ST_WRITE_SUCCESS | ST_IRQ_RAISED), "%s: WRITE STATUS 0x%x", where, st);
    uint32_t crc = crc32_le(~0u, g->ram + 0x1000, size);
    uint32_t sum = rd(api, fe, 0, REG_CHECKSUM);
    CHECK(crc == sum, "%s: CRC of the written buffer 0x%08x != CHECKSUM 0x%08x", where, crc, sum);
}

static void check_identity(const cosim_fe_api *api, cosim_fe *fe, const char *where)
{
    cosim_fe_device_info info;
    memset(&info, 0xff, sizeof info);
    CHECK(api->describe(fe, &info) == COSIM_FE_OK, "%s: describe failed", where);
    CHECK(info.vendor_id == 0x104c && info.device_id == 0xb500, "%s: ids %04x:%04x", where, info.vendor_id,
          info.device_id);
    CHECK(strcmp(info.name, "epf-test") == 0, "%s: name '%s'", where, info.name);
    CHECK(info.msi_vectors == 32 && info.msix_vectors == 2048, "%s: MSI %u, MSI-X %u", where, info.msi_vectors,
          info.msix_vectors);
    CHECK(info.bars[5].size == 1024 * 1024 && info.bars[5].kind == COSIM_FE_BAR_MEM32, "%s: BAR5 %llu bytes kind %u",
          where, (unsigned long long)info.bars[5].size, info.bars[5].kind);
}

/* ---- a cosim-host child ------------------------------------------------------ */

/* time_mode: cosim-host --time, or NULL for none; slow: --slow, or NULL. */
static pid_t spawn_host_slow(const char *host, const char *endpoint, const char *log_path, const char *time_mode,
                             const char *slow)
{
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "cannot open %s: %s\n", log_path, strerror(errno));
        exit(2);
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (time_mode && slow)
            execl(host, host, "--model", "native:epf-test", "--endpoint", endpoint, "--name", "abi-host", "--once",
                  "--time", time_mode, "--slow", slow, (char *)NULL);
        else if (time_mode)
            execl(host, host, "--model", "native:epf-test", "--endpoint", endpoint, "--name", "abi-host", "--once",
                  "--time", time_mode, (char *)NULL);
        else
            execl(host, host, "--model", "native:epf-test", "--endpoint", endpoint, "--name", "abi-host", "--once",
                  (char *)NULL);
        _exit(127);
    }
    close(fd);
    return pid;
}

static pid_t spawn_host(const char *host, const char *endpoint, const char *log_path, const char *time_mode)
{
    return spawn_host_slow(host, endpoint, log_path, time_mode, NULL);
}

static int log_contains(const char *path, const char *needle)
{
    char buf[8192];
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static int wait_child(pid_t pid, int timeout_ms, int *status)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 || now_ms() > deadline)
            return 0;
        sleep_ms(5);
    }
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "FAIL: frontend_abi_client did not finish within 60 s (a hang)\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(3);
}

static void make_dir(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; ++p) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    mkdir(tmp, 0755);
}

/* ---- the checks ---------------------------------------------------------------- */

static void test_abi_version(cosim_fe_get_api_fn get_api, const cosim_fe_api **out)
{
    const cosim_fe_api *api = get_api(COSIM_FE_ABI_MAJOR);
    CHECK(api != NULL, "cosim_fe_get_api(%d) returned NULL", COSIM_FE_ABI_MAJOR);
    if (!api) {
        fprintf(stderr, "cannot continue without the API table\n");
        exit(1);
    }
    CHECK(api->abi_major == COSIM_FE_ABI_MAJOR, "abi_major %u", api->abi_major);
    CHECK(api->struct_size >= sizeof(cosim_fe_api), "struct_size %zu < %zu", api->struct_size, sizeof(cosim_fe_api));
    CHECK(get_api(COSIM_FE_ABI_MAJOR + 1) == NULL, "a future major %d was accepted", COSIM_FE_ABI_MAJOR + 1);
    CHECK(get_api(0) == NULL, "major 0 was accepted");
    *out = api;
}

static void test_remote(const cosim_fe_api *api, const char *host, const char *dir, const char *log_dir)
{
    char endpoint[256], log_path[4096];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/host.sock", dir);
    snprintf(log_path, sizeof log_path, "%s/host.log", log_dir);
    host_log_path = log_path;
    pid_t pid = spawn_host(host, endpoint, log_path, NULL);
    int64_t deadline = now_ms() + 10000;
    while (!log_contains(log_path, "serving ") && now_ms() < deadline)
        sleep_ms(5);
    CHECK(log_contains(log_path, "serving "), "cosim-host did not come up; see %s", log_path);

    struct guest g;
    guest_init(&g, 2u << 20);
    cosim_fe_host_ops ops = host_ops(&g);
    cosim_fe_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.id = "abi-remote";
    cfg.endpoint = endpoint;
    cfg.fallback = "none";
    cfg.connect_timeout_ms = 5000;
    cfg.reply_timeout_ms = -1;
    char err[512] = "";
    cosim_fe *fe = api->open(&cfg, &ops, err, sizeof err);
    CHECK(fe != NULL, "open(endpoint=%s): %s", endpoint, err);
    if (fe) {
        CHECK(strstr(api->summary(fe), "abi-host") != NULL, "summary '%s' does not name the host", api->summary(fe));
        CHECK(api->poll_fd(fe) >= 0, "a remote device has no poll_fd");
        CHECK(api->alive(fe) == 1, "not alive after open");
        check_identity(api, fe, "remote");
        for (int bar = 0; bar < 4; ++bar)
            bar_test(api, fe, bar, "remote");
        read_command(api, fe, &g, 1024001, "remote");
        write_command(api, fe, &g, 1024001, "remote");
        uint64_t v = 0;
        CHECK(api->bar_read(fe, 6, 0, 4, &v) == COSIM_FE_ERR_ARGUMENT, "BAR6 read not refused as an argument error");
        CHECK(api->bar_read(fe, 0, 0, 3, &v) == COSIM_FE_ERR_ARGUMENT, "3-byte read not refused");
        api->close(fe);
    }
    int status = 0;
    if (wait_child(pid, 5000, &status)) {
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "cosim-host ended with wait status 0x%x; see %s",
              status, log_path);
    } else {
        CHECK(0, "cosim-host --once still runs 5 s after close(); see %s", log_path);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    free(g.ram);
}

static void test_in_process(const cosim_fe_api *api)
{
    struct guest g;
    guest_init(&g, 2u << 20);
    cosim_fe_host_ops ops = host_ops(&g);
    cosim_fe_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.id = "abi-inproc";
    cfg.model = "epf-test";
    cfg.params = "seed=7";
    char err[512] = "";
    cosim_fe *fe = api->open(&cfg, &ops, err, sizeof err);
    CHECK(fe != NULL, "open(model=epf-test): %s", err);
    if (!fe)
        return;
    CHECK(api->poll_fd(fe) == -1, "an in-process device has poll_fd %d", api->poll_fd(fe));
    CHECK(strstr(api->summary(fe), "in-process") != NULL, "summary '%s'", api->summary(fe));
    check_identity(api, fe, "in-process");
    for (int bar = 0; bar < 6; ++bar)
        bar_test(api, fe, bar, "in-process");
    read_command(api, fe, &g, 1024001, "in-process");
    write_command(api, fe, &g, 1025, "in-process");
    api->close(fe);
    free(g.ram);
}

static void test_fallback(const cosim_fe_api *api, const char *dir)
{
    char endpoint[256];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/nobody-listens.sock", dir);
    struct guest g;
    guest_init(&g, 2u << 20);
    cosim_fe_host_ops ops = host_ops(&g);
    cosim_fe_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.id = "abi-fallback";
    cfg.endpoint = endpoint;
    cfg.connect_timeout_ms = 300;
    cfg.reply_timeout_ms = -1;
    char err[512] = "";

    cfg.fallback = "none";
    cosim_fe *fe = api->open(&cfg, &ops, err, sizeof err);
    CHECK(fe == NULL, "open with nobody at the endpoint and fallback=none succeeded");
    CHECK(strstr(err, endpoint) != NULL, "the error does not name the endpoint: '%s'", err);
    if (fe)
        api->close(fe);

    err[0] = '\0';
    g.log_lines = g.fallback_lines = 0;
    cfg.fallback = "epf-test";
    fe = api->open(&cfg, &ops, err, sizeof err);
    CHECK(fe != NULL, "open with fallback=epf-test failed: %s", err);
    if (!fe)
        return;
    CHECK(g.fallback_lines == 1, "%u log lines mention the fallback, expected exactly 1", g.fallback_lines);
    CHECK(strncmp(api->summary(fe), "fallback", 8) == 0, "summary '%s'", api->summary(fe));
    CHECK(api->poll_fd(fe) == -1, "the fallback runs in-process, yet poll_fd is %d", api->poll_fd(fe));
    check_identity(api, fe, "fallback");
    bar_test(api, fe, 1, "fallback");
    read_command(api, fe, &g, 4096, "fallback");
    api->close(fe);
    free(g.ram);
}

/* ---- virtual time (ABI 1.1): a fake guest clock drives the library ---------- */

struct fake_clock {
    int64_t ns;
    int freezes, unfreezes, frozen;
    int64_t armed; /* -1 = none */
    int arms;
};

static int64_t clk_now(void *o) { return ((struct fake_clock *)o)->ns; }
static void clk_freeze(void *o)
{
    struct fake_clock *c = o;
    CHECK(!c->frozen, "freeze() while already frozen");
    c->frozen = 1;
    ++c->freezes;
}
static void clk_unfreeze(void *o)
{
    struct fake_clock *c = o;
    CHECK(c->frozen, "unfreeze() while not frozen");
    c->frozen = 0;
    ++c->unfreezes;
}
static void clk_arm(void *o, int64_t deadline)
{
    struct fake_clock *c = o;
    c->armed = deadline;
    ++c->arms;
}
static void clk_cancel(void *o) { ((struct fake_clock *)o)->armed = -1; }

static cosim_fe_time_ops time_ops(struct fake_clock *c)
{
    cosim_fe_time_ops t;
    memset(&t, 0, sizeof t);
    t.struct_size = sizeof t;
    t.opaque = c;
    t.clock_ns = clk_now;
    t.freeze = clk_freeze;
    t.unfreeze = clk_unfreeze;
    t.timer_arm = clk_arm;
    t.timer_cancel = clk_cancel;
    return t;
}

static void wait_host_exit(pid_t pid, const char *log_path)
{
    int status = 0;
    if (!wait_child(pid, 5000, &status)) {
        CHECK(0, "cosim-host --once still runs 5 s after the session; see %s", log_path);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
}

static void test_timed(const cosim_fe_api *api, const char *host, const char *dir, const char *log_dir)
{
    char endpoint[256], log_path[4096], err[512];
    struct guest g;
    guest_init(&g, 2u << 20);
    cosim_fe_host_ops ops = host_ops(&g);
    struct fake_clock clk = { .ns = 1000000, .armed = -1 };
    cosim_fe_time_ops tops = time_ops(&clk);
    cosim_fe_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.id = "abi-timed";
    cfg.fallback = "none";
    cfg.connect_timeout_ms = 5000;
    cfg.reply_timeout_ms = -1;
    cosim_fe_time_config tc = { .struct_size = sizeof tc, .mode = "freeze", .quantum = "10us", .scale = "1" };

    /* Refusals before any connection: a too-small struct, a bad mode. */
    cosim_fe_time_config small = tc;
    small.struct_size = sizeof(size_t);
    err[0] = '\0';
    CHECK(api->open_timed(&cfg, &ops, &small, &tops, err, sizeof err) == NULL, "a too-small time config was accepted");
    CHECK(strstr(err, "struct_size") != NULL, "the refusal does not say why: '%s'", err);
    cosim_fe_time_config bad = tc;
    bad.mode = "sometimes";
    cfg.model = "epf-test";
    err[0] = '\0';
    CHECK(api->open_timed(&cfg, &ops, &bad, &tops, err, sizeof err) == NULL, "time=sometimes was accepted");
    CHECK(strstr(err, "time=sometimes") != NULL, "the refusal does not name the option: '%s'", err);
    cfg.model = NULL;

    /* A host that insists on mode off refuses a frontend asking for freeze. */
    snprintf(endpoint, sizeof endpoint, "ipc://%s/timed-off.sock", dir);
    snprintf(log_path, sizeof log_path, "%s/host-time-off.log", log_dir);
    pid_t pid = spawn_host(host, endpoint, log_path, "off");
    int64_t deadline = now_ms() + 10000;
    while (!log_contains(log_path, "serving ") && now_ms() < deadline)
        sleep_ms(5);
    cfg.endpoint = endpoint;
    err[0] = '\0';
    cosim_fe *fe = api->open_timed(&cfg, &ops, &tc, &tops, err, sizeof err);
    CHECK(fe == NULL, "a host running time mode off accepted a frontend asking for freeze");
    CHECK(strstr(err, "'freeze'") && strstr(err, "'off'"), "the mismatch error does not name both modes: '%s'", err);
    if (fe)
        api->close(fe);
    wait_host_exit(pid, log_path);

    /* freeze against a host running freeze. */
    snprintf(endpoint, sizeof endpoint, "ipc://%s/timed.sock", dir);
    snprintf(log_path, sizeof log_path, "%s/host-time-freeze.log", log_dir);
    /* Every BAR access takes 5 ms of host wall time: reads are slow. */
    pid = spawn_host_slow(host, endpoint, log_path, "freeze", "per-access=5ms");
    deadline = now_ms() + 10000;
    while (!log_contains(log_path, "serving ") && now_ms() < deadline)
        sleep_ms(5);
    cfg.endpoint = endpoint;
    err[0] = '\0';
    fe = api->open_timed(&cfg, &ops, &tc, &tops, err, sizeof err);
    CHECK(fe != NULL, "open_timed(freeze): %s", err);
    if (fe) {
        /* An idle device: nothing to synchronise. */
        CHECK(clk.armed == -1, "a timer is armed for an idle device (%lld)", (long long)clk.armed);
        /* A slow BAR read freezes guest time while it waits (after 1 ms), and only then. */
        uint64_t v = 0;
        CHECK(api->bar_read(fe, 0, REG_MAGIC, 4, &v) == COSIM_FE_OK, "MAGIC read failed");
        CHECK(clk.freezes == 1 && clk.unfreezes == 1, "read: %d freezes, %d unfreezes", clk.freezes, clk.unfreezes);
        CHECK(!clk.frozen, "guest time still frozen after the read");
        /* Posted writes at 1 ms: one sync a quantum (10 us) after the first. */
        uint64_t src = g.base + 0x1000;
        g.msi_count = 0;
        wr(api, fe, 0, REG_CHECKSUM, crc32_le(~0u, g.ram + 0x1000, 64));
        clk.ns += 3000; /* later writes do not push the sync back */
        wr(api, fe, 0, REG_SRC_LO, (uint32_t)src);
        wr(api, fe, 0, REG_SRC_HI, (uint32_t)(src >> 32));
        wr(api, fe, 0, REG_SIZE, 64);
        wr(api, fe, 0, REG_IRQ_TYPE, IRQ_TYPE_MSI);
        wr(api, fe, 0, REG_IRQ_NUMBER, 1);
        wr(api, fe, 0, REG_COMMAND, CMD_READ);
        CHECK(clk.freezes == 1, "posted writes froze guest time");
        CHECK(clk.armed == 1000000 + 10000, "sync timer at %lld, expected 1010000 ns", (long long)clk.armed);
        clk.ns = clk.armed;
        clk.armed = -1; /* fired, as a QEMU timer that expires */
        api->on_timer(fe);
        CHECK(clk.freezes == 2 && clk.unfreezes == 2, "sync: %d freezes, %d unfreezes", clk.freezes, clk.unfreezes);
        /* The grant's answer comes after the interrupt: it reached the guest during the sync. */
        CHECK(g.msi_count == 1, "%u MSIs after the sync, expected 1", g.msi_count);
        CHECK(clk.armed == -1, "a timer is still armed after the sync (%lld)", (long long)clk.armed);
        cosim_fe_time_stats st;
        memset(&st, 0, sizeof st);
        st.struct_size = sizeof st;
        CHECK(api->time_stats(fe, &st) == COSIM_FE_OK, "time_stats failed");
        CHECK(st.mode == COSIM_FE_TIME_FREEZE, "stats mode %u", st.mode);
        CHECK(st.syncs == 1, "stats: %llu syncs, expected 1", (unsigned long long)st.syncs);
        CHECK(st.freezes == 2, "stats: %llu freezes, expected 2", (unsigned long long)st.freezes);
        CHECK(st.device_ps == 1010000000ull, "stats: device at %llu ps, expected 1010000000",
              (unsigned long long)st.device_ps);
        CHECK(st.guest_ps == 10000000ull, "stats: guest %llu ps, expected 10000000", (unsigned long long)st.guest_ps);
        api->close(fe);
    }
    wait_host_exit(pid, log_path);
    free(g.ram);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s LIBCOSIM_FRONTEND COSIM_HOST LOG_DIR\n", argv[0]);
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(60);
    make_dir(argv[3]);

    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "FAIL: dlopen(%s): %s\n", argv[1], dlerror());
        return 1;
    }
    cosim_fe_get_api_fn get_api;
    *(void **)&get_api = dlsym(lib, COSIM_FE_ENTRY);
    if (!get_api) {
        fprintf(stderr, "FAIL: dlsym(%s): %s\n", COSIM_FE_ENTRY, dlerror());
        return 1;
    }
    char dir[] = "/tmp/cosim-abi-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
        return 2;
    }

    const cosim_fe_api *api = NULL;
    test_abi_version(get_api, &api);
    test_remote(api, argv[2], dir, argv[3]);
    test_in_process(api);
    test_fallback(api, dir);
    test_timed(api, argv[2], dir, argv[3]);

    char sock[300];
    snprintf(sock, sizeof sock, "%s/host.sock", dir);
    unlink(sock);
    rmdir(dir);
    if (failures) {
        fprintf(stderr, "%d check(s) failed; host log: %s\n", failures, host_log_path);
        return 1;
    }
    printf("frontend C ABI: all checks passed\n");
    return 0;
}
