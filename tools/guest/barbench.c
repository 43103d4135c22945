/*
 * barbench: time 4-byte reads of a PCI BAR from guest user space, through the
 * sysfs resource file, for every device with the given vendor:device ids.
 *   barbench VVVV:DDDD BAR COUNT
 * Prints one line per device:
 *   COSIM-BENCH bar-read dev=VVVV:DDDD bdf=B reads=N ns_per_read=X
 * A bound driver is unbound first: a BAR claimed by a driver cannot be mapped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned read_hex(const char *dir, const char *file)
{
    char path[512], buf[32] = "";
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    f = fopen(path, "r");
    if (!f) {
        return 0;
    }
    if (!fgets(buf, sizeof buf, f)) {
        buf[0] = 0;
    }
    fclose(f);
    return (unsigned)strtoul(buf, NULL, 16);
}

static void write_str(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY);
    if (fd >= 0) {
        if (write(fd, s, strlen(s)) < 0) {
            perror(path);
        }
        close(fd);
    }
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int bench(const char *bdf, unsigned vendor, unsigned device, int bar, long count)
{
    char dir[300], path[400];
    struct stat st;
    volatile uint32_t *p;
    uint32_t sink = 0;
    double t0, t1;
    int fd;

    snprintf(dir, sizeof dir, "/sys/bus/pci/devices/%s", bdf);
    snprintf(path, sizeof path, "%s/driver/unbind", dir);
    if (access(path, W_OK) == 0) {
        write_str(path, bdf);
    }
    snprintf(path, sizeof path, "%s/enable", dir);
    write_str(path, "1");
    snprintf(path, sizeof path, "%s/resource%d", dir, bar);
    fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < 4) {
        printf("COSIM-LOG barbench: cannot open %s\n", path);
        return 1;
    }
    p = mmap(NULL, 4096 < st.st_size ? 4096 : st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        printf("COSIM-LOG barbench: cannot map %s\n", path);
        close(fd);
        return 1;
    }
    for (long i = 0; i < count / 10 + 1; i++) { /* warm up */
        sink += p[0];
    }
    t0 = now_ns();
    for (long i = 0; i < count; i++) {
        sink += p[0];
    }
    t1 = now_ns();
    printf("COSIM-BENCH bar-read dev=%04x:%04x bdf=%s reads=%ld ns_per_read=%.0f sink=%u\n", vendor, device,
           bdf, count, (t1 - t0) / count, sink & 1);
    munmap((void *)p, 4096);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned vendor, device;
    int bar, found = 0, rc = 0;
    long count;
    DIR *d;
    struct dirent *e;

    if (argc != 4 || sscanf(argv[1], "%x:%x", &vendor, &device) != 2) {
        fprintf(stderr, "usage: barbench VVVV:DDDD BAR COUNT\n");
        return 2;
    }
    bar = atoi(argv[2]);
    count = atol(argv[3]);
    d = opendir("/sys/bus/pci/devices");
    if (!d) {
        perror("/sys/bus/pci/devices");
        return 1;
    }
    while ((e = readdir(d))) {
        char dir[300];
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(dir, sizeof dir, "/sys/bus/pci/devices/%s", e->d_name);
        if (read_hex(dir, "vendor") == vendor && read_hex(dir, "device") == device) {
            found++;
            rc |= bench(e->d_name, vendor, device, bar, count);
        }
    }
    closedir(d);
    if (!found) {
        printf("COSIM-LOG barbench: no %04x:%04x device\n", vendor, device);
        return 1;
    }
    return rc;
}
