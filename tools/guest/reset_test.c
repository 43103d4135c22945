/*
 * reset-test: a function-level reset from the guest reaches the device model.
 *   reset-test VVVV DDDD [METHOD]      (METHOD: flr, the default, or pm, bus)
 * For the first function with these ids: unbinds its driver (a BAR a driver
 * claims cannot be mapped), maps BAR0 through sysfs, writes epf-test's
 * SRC_ADDR_LO and SIZE registers and reads them back, restricts the kernel's
 * reset to METHOD (sysfs reset_method) and resets the function (sysfs reset),
 * then checks that both registers read their reset value 0, that the
 * function still takes writes, and rebinds the driver, waiting for its
 * /dev/pci-endpoint-test.* node. Prints "reset-test: OKAY ..." and exits 0,
 * or names the first failure and exits 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define REG_SRC_ADDR_LO 0x0c
#define REG_SIZE 0x1c

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("reset-test: FAILED: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    return 1;
}

static unsigned long read_hex(const char *dir, const char *file)
{
    char path[512], buf[64] = "";
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    f = fopen(path, "r");
    if (!f)
        return ~0ul;
    if (!fgets(buf, sizeof buf, f))
        buf[0] = 0;
    fclose(f);
    return strtoul(buf, NULL, 0);
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    ssize_t n;
    if (fd < 0)
        return -errno;
    n = write(fd, text, strlen(text));
    if (n < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static void read_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    out[0] = 0;
    if (!f)
        return;
    if (fgets(out, (int)len, f))
        out[strcspn(out, "\n")] = 0;
    fclose(f);
}

static int dev_node_exists(void)
{
    DIR *d = opendir("/dev");
    struct dirent *e;
    int found = 0;
    if (!d)
        return 0;
    while ((e = readdir(d)) && !found)
        found = strncmp(e->d_name, "pci-endpoint-test.", 18) == 0;
    closedir(d);
    return found;
}

int main(int argc, char **argv)
{
    char dir[512] = "", path[600], driver[512] = "", line[128];
    const char *method = argc > 3 ? argv[3] : "flr";
    unsigned long vendor, device;
    DIR *d;
    struct dirent *e;
    volatile uint32_t *bar;
    int fd, rc, i;

    if (argc < 3) {
        fprintf(stderr, "usage: %s VENDOR DEVICE [flr|pm|bus]\n", argv[0]);
        return 2;
    }
    vendor = strtoul(argv[1], NULL, 0);
    device = strtoul(argv[2], NULL, 0);
    d = opendir("/sys/bus/pci/devices");
    if (!d)
        return fail("no /sys/bus/pci/devices");
    while ((e = readdir(d)) && !dir[0]) {
        char cand[512];
        if (e->d_name[0] == '.')
            continue;
        snprintf(cand, sizeof cand, "/sys/bus/pci/devices/%s", e->d_name);
        if (read_hex(cand, "vendor") == vendor && read_hex(cand, "device") == device)
            snprintf(dir, sizeof dir, "%s", cand);
    }
    closedir(d);
    if (!dir[0])
        return fail("no PCI device %04lx:%04lx", vendor, device);

    /* Unbind the driver (remember it, to bind it again at the end). */
    snprintf(path, sizeof path, "%s/driver", dir);
    {
        char target[512];
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n > 0) {
            target[n] = 0;
            snprintf(driver, sizeof driver, "/sys/bus/pci/drivers/%s", strrchr(target, '/') + 1);
            snprintf(path, sizeof path, "%s/unbind", driver);
            if ((rc = write_file(path, strrchr(dir, '/') + 1)) != 0)
                return fail("cannot unbind %s: %s", driver, strerror(-rc));
        }
    }
    snprintf(path, sizeof path, "%s/enable", dir);
    write_file(path, "1");

    snprintf(path, sizeof path, "%s/resource0", dir);
    fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0)
        return fail("open %s: %s", path, strerror(errno));
    bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (bar == MAP_FAILED)
        return fail("mmap BAR0: %s", strerror(errno));

    bar[REG_SRC_ADDR_LO / 4] = 0x1234abcd;
    bar[REG_SIZE / 4] = 4096;
    if (bar[REG_SRC_ADDR_LO / 4] != 0x1234abcd || bar[REG_SIZE / 4] != 4096)
        return fail("before the reset: SRC_ADDR_LO=0x%x SIZE=%u, not what was written",
                    bar[REG_SRC_ADDR_LO / 4], bar[REG_SIZE / 4]);

    snprintf(path, sizeof path, "%s/reset_method", dir);
    read_line(path, line, sizeof line);
    printf("reset-test: %s reset_method offers: %s\n", strrchr(dir, '/') + 1, line);
    if ((rc = write_file(path, method)) != 0)
        return fail("the device does not offer reset method '%s' (offers: %s): %s", method, line, strerror(-rc));
    snprintf(path, sizeof path, "%s/reset", dir);
    if ((rc = write_file(path, "1")) != 0)
        return fail("writing %s: %s", path, strerror(-rc));

    if (bar[REG_SRC_ADDR_LO / 4] != 0 || bar[REG_SIZE / 4] != 0)
        return fail("after the %s reset: SRC_ADDR_LO=0x%x SIZE=%u, not their reset value 0", method,
                    bar[REG_SRC_ADDR_LO / 4], bar[REG_SIZE / 4]);
    bar[REG_SIZE / 4] = 8;
    if (bar[REG_SIZE / 4] != 8)
        return fail("after the reset the function does not take writes (SIZE=%u)", bar[REG_SIZE / 4]);
    bar[REG_SIZE / 4] = 0;
    munmap((void *)bar, 4096);

    /* Give the device back to its driver and wait for it to probe again. */
    if (driver[0]) {
        snprintf(path, sizeof path, "%s/bind", driver);
        if ((rc = write_file(path, strrchr(dir, '/') + 1)) != 0)
            return fail("cannot bind %s again: %s", driver, strerror(-rc));
        for (i = 0; i < 100 && !dev_node_exists(); i++)
            usleep(100 * 1000);
        if (!dev_node_exists())
            return fail("the driver did not probe again after the reset");
    }
    printf("reset-test: OKAY (%s reset cleared the registers; driver bound again)\n", method);
    return 0;
}
