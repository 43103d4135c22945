/* Guest-side test of the example device `timer`: finds it in sysfs, maps its
 * BARs through /sys/bus/pci/devices/<dev>/resourceN (no kernel driver
 * needed) and checks the registers, the scratchpad and the counter.
 * Built static, for a busybox initramfs:
 *   cc -static -O2 -I.. -o timer-guest-test timer_guest_test.c
 * Usage: timer-guest-test [VENDOR DEVICE]   (default 0x1234 0xc051)
 * Prints "timer-guest-test: OKAY" and exits 0, or names the first failure and
 * exits 1. Interrupts are not checked: user space cannot see them without a
 * driver. */
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
#include <time.h>
#include <unistd.h>

#include "timer_regs.h"

static const char* g_dev; /* sysfs folder of the device */

static int fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stdout, "timer-guest-test: FAILED: ");
  vfprintf(stdout, fmt, ap);
  fprintf(stdout, "\n");
  va_end(ap);
  return 1;
}

static unsigned long read_hex(const char* dir, const char* file) {
  char path[1024], buf[64] = {0};
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE* f = fopen(path, "r");
  if (!f) return ~0ul;
  if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
  fclose(f);
  return strtoul(buf, NULL, 0);
}

static int write_file(const char* dir, const char* file, const char* text) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_WRONLY);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* /sys/bus/pci/devices/<bdf> of the first function with these ids. */
static char* find_device(unsigned long vendor, unsigned long device) {
  static char found[512];
  DIR* d = opendir("/sys/bus/pci/devices");
  if (!d) return NULL;
  struct dirent* e;
  char* result = NULL;
  while ((e = readdir(d)) && !result) {
    if (e->d_name[0] == '.') continue;
    snprintf(found, sizeof found, "/sys/bus/pci/devices/%s", e->d_name);
    if (read_hex(found, "vendor") == vendor && read_hex(found, "device") == device) result = found;
  }
  closedir(d);
  return result;
}

static volatile uint8_t* map_bar(int bar, size_t size) {
  char path[1024];
  snprintf(path, sizeof path, "%s/resource%d", g_dev, bar);
  int fd = open(path, O_RDWR | O_SYNC);
  if (fd < 0) return NULL;
  void* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  return p == MAP_FAILED ? NULL : (volatile uint8_t*)p;
}

/* For a failure message: the BAR's address range and the command register,
 * the two things that decide whether an access reaches the device. */
static const char* describe_bar(int bar) {
  static char out[256];
  char path[1024], line[128] = "?";
  snprintf(path, sizeof path, "%s/resource", g_dev);
  FILE* f = fopen(path, "r");
  for (int i = 0; f && i <= bar; ++i)
    if (!fgets(line, sizeof line, f)) break;
  if (f) fclose(f);
  line[strcspn(line, "\n")] = 0;
  uint16_t command = 0xffff;
  snprintf(path, sizeof path, "%s/config", g_dev);
  int fd = open(path, O_RDONLY);
  if (fd >= 0) {
    if (pread(fd, &command, sizeof command, 4) != (ssize_t)sizeof command) command = 0xffff;
    close(fd);
  }
  snprintf(out, sizeof out, "BAR%d at %s, command register 0x%04x", bar, line, command);
  return out;
}

static volatile uint8_t* g_regs;
static uint32_t rd(unsigned off) { return *(volatile uint32_t*)(g_regs + off); }
static void wr(unsigned off, uint32_t v) { *(volatile uint32_t*)(g_regs + off) = v; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Polls until (reg & mask) == want, for up to `timeout_s` of wall time. */
static int wait_reg(unsigned off, uint32_t mask, uint32_t want, double timeout_s) {
  const double end = now_s() + timeout_s;
  while (now_s() < end) {
    if ((rd(off) & mask) == want) return 0;
    usleep(100);
  }
  return -1;
}

static int test_scratchpad(volatile uint8_t* s) {
  for (unsigned i = 0; i < TIMER_SCRATCH_SIZE; i += 4) *(volatile uint32_t*)(s + i) = 0xA0A0A0A0u ^ i;
  for (unsigned i = 0; i < TIMER_SCRATCH_SIZE; i += 4) {
    uint32_t v = *(volatile uint32_t*)(s + i);
    if (v != (0xA0A0A0A0u ^ i)) return fail("scratchpad word 0x%x reads 0x%08x, wrote 0x%08x", i, v, 0xA0A0A0A0u ^ i);
  }
  s[5] = 0x5a;
  *(volatile uint16_t*)(s + 6) = 0x1234;
  uint64_t q = *(volatile uint64_t*)s;
  uint64_t want = ((uint64_t)0x1234 << 48) | ((uint64_t)0x5a << 40) | ((uint64_t)((0xA0A0A0A0u ^ 4) & 0xff) << 32) |
                  0xA0A0A0A0u;
  if (q != want) return fail("scratchpad: 8-byte read 0x%016llx after byte/halfword writes, expected 0x%016llx",
                             (unsigned long long)q, (unsigned long long)want);
  return 0;
}

static int test_one_shot(void) {
  wr(TIMER_CTRL, 0);
  wr(TIMER_STATUS, TIMER_STATUS_EXPIRED);
  const uint32_t before = rd(TIMER_EXPIRIES);
  wr(TIMER_LOAD, 100000); /* 100 us of device time */
  wr(TIMER_CTRL, TIMER_CTRL_ENABLE);
  if (wait_reg(TIMER_STATUS, TIMER_STATUS_EXPIRED, TIMER_STATUS_EXPIRED, 10.0))
    return fail("one-shot: STATUS.EXPIRED not set within 10 s (COUNT 0x%x, CTRL 0x%x)", rd(TIMER_COUNT), rd(TIMER_CTRL));
  if (rd(TIMER_EXPIRIES) != before + 1) return fail("one-shot: EXPIRIES %u, expected %u", rd(TIMER_EXPIRIES), before + 1);
  if (rd(TIMER_CTRL) & TIMER_CTRL_ENABLE) return fail("one-shot: CTRL.ENABLE still set after the expiry");
  if (rd(TIMER_COUNT) != 0) return fail("one-shot: COUNT %u after the expiry, expected 0", rd(TIMER_COUNT));
  wr(TIMER_STATUS, TIMER_STATUS_EXPIRED);
  if (rd(TIMER_STATUS) != 0) return fail("STATUS 0x%x after writing 1 to clear", rd(TIMER_STATUS));
  return 0;
}

static int test_periodic(void) {
  const uint32_t before = rd(TIMER_EXPIRIES);
  wr(TIMER_LOAD, 50000);
  wr(TIMER_CTRL, TIMER_CTRL_ENABLE | TIMER_CTRL_PERIODIC);
  const uint32_t c1 = rd(TIMER_COUNT);
  if (c1 == 0 || c1 > 50000) return fail("periodic: COUNT %u right after the start, expected 1..50000", c1);
  const double end = now_s() + 10.0;
  while (rd(TIMER_EXPIRIES) < before + 3 && now_s() < end) usleep(100);
  if (rd(TIMER_EXPIRIES) < before + 3) return fail("periodic: %u expiries in 10 s", rd(TIMER_EXPIRIES) - before);
  if (!(rd(TIMER_CTRL) & TIMER_CTRL_ENABLE)) return fail("periodic: CTRL.ENABLE cleared by an expiry");
  wr(TIMER_CTRL, 0);
  const uint32_t stopped = rd(TIMER_EXPIRIES);
  usleep(20000);
  if (rd(TIMER_EXPIRIES) != stopped) return fail("periodic: still expiring after CTRL = 0");
  wr(TIMER_STATUS, TIMER_STATUS_EXPIRED);
  return 0;
}

int main(int argc, char** argv) {
  unsigned long vendor = TIMER_VENDOR_ID, device = TIMER_DEVICE_ID;
  if (argc == 3) {
    vendor = strtoul(argv[1], NULL, 0);
    device = strtoul(argv[2], NULL, 0);
  } else if (argc != 1) {
    fprintf(stderr, "usage: %s [VENDOR DEVICE]\n", argv[0]);
    return 2;
  }
  g_dev = find_device(vendor, device);
  if (!g_dev) return fail("no PCI device %04lx:%04lx in /sys/bus/pci/devices", vendor, device);
  printf("timer-guest-test: device %04lx:%04lx at %s\n", vendor, device, g_dev);
  /* Memory decoding on (pci_enable_device), as a driver's probe would. */
  if (write_file(g_dev, "enable", "1")) return fail("cannot write %s/enable: %s", g_dev, strerror(errno));
  g_regs = map_bar(TIMER_BAR_REGS, TIMER_REGS_SIZE);
  if (!g_regs) return fail("cannot map %s/resource%d: %s", g_dev, TIMER_BAR_REGS, strerror(errno));
  volatile uint8_t* scratch = map_bar(TIMER_BAR_SCRATCH, TIMER_SCRATCH_SIZE);
  if (!scratch) return fail("cannot map %s/resource%d: %s", g_dev, TIMER_BAR_SCRATCH, strerror(errno));

  if (rd(TIMER_ID) != TIMER_ID_VALUE)
    return fail("ID reads 0x%08x, expected 0x%08x (%s)", rd(TIMER_ID), TIMER_ID_VALUE, describe_bar(TIMER_BAR_REGS));
  if (test_scratchpad(scratch) || test_one_shot() || test_periodic()) return 1;
  printf("timer-guest-test: OKAY\n");
  return 0;
}
