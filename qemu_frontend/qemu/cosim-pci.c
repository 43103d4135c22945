/*
 * cosim-pci: QEMU 7.2 PCI(e) device that hands everything to libcosim_frontend.so
 * (dlopen()ed at realize) through the C ABI in cosim_frontend.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * This file is only QOM glue: config space built from the library's describe(),
 * BARs forwarded as-is, DMA through the PCI address space (so an IOMMU applies),
 * INTx/MSI/MSI-X, reset and the main-loop hookup. The device has no state of
 * its own, so a new model never needs a QEMU rebuild.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "sysemu/sysemu.h"
#include "sysemu/cpu-timers.h"
#include "sysemu/kvm.h"
#include "sysemu/runstate.h"
#include "sysemu/tcg.h"
#include "qemu/timer.h"

#include <dlfcn.h>

#include "cosim_frontend.h"

#define TYPE_COSIM_PCI "cosim-pci"
OBJECT_DECLARE_SIMPLE_TYPE(CosimPCIState, COSIM_PCI)

#define COSIM_NUM_BARS 6
#define COSIM_MSI_VECTORS_MAX 32 /* PCI 3.0, 6.8.1.3: Multiple Message Capable */

typedef struct CosimBar {
    struct CosimPCIState *dev;
    int index;
} CosimBar;

struct CosimPCIState {
    PCIDevice parent_obj;

    /* properties */
    char *lib;
    char *endpoint;
    char *model;
    char *params;
    char *fallback;
    uint32_t connect_timeout_ms;
    int32_t reply_timeout_ms;
    bool debug;
    char *time_mode;    /* off, freeze, lockstep (docs/time.md) */
    char *time_quantum; /* e.g. 100us */
    char *time_scale;   /* K: guest time = K x device time */

    char *name; /* prefix of every log line */
    void *dl;
    const cosim_fe_api *api;
    cosim_fe *fe;
    cosim_fe_host_ops host;
    cosim_fe_time_ops time_ops;
    QEMUTimer *sync_timer; /* QEMU_CLOCK_VIRTUAL: the next sync point */
    bool froze_ticks;      /* this device stopped guest time and must restart it */
    cosim_fe_device_info info;
    QEMUBH *poll_bh;
    Notifier exit_notifier; /* QEMU exits without unrealizing devices */
    int poll_fd;
    bool host_lost;

    /*
     * Each BAR is a container: the forwarding region sits underneath at a
     * lower priority so that msix_init() can overlay the MSI-X table and PBA
     * on whatever BAR the description puts them in.
     */
    MemoryRegion bar[COSIM_NUM_BARS];
    MemoryRegion fwd[COSIM_NUM_BARS];
    CosimBar bar_ctx[COSIM_NUM_BARS];
};

static uint64_t all_ones(unsigned size)
{
    return size >= 8 ? UINT64_MAX : MAKE_64BIT_MASK(0, size * 8);
}

/* --- failures the library reports -------------------------------------- */

/*
 * The library itself reports the loss (it knows the endpoint and why); the
 * shim only stops watching the descriptor.
 */
static void cosim_host_lost(CosimPCIState *s)
{
    if (s->host_lost) {
        return;
    }
    s->host_lost = true;
    if (s->debug) {
        info_report("%s: host lost, BAR reads now return all-ones", s->name);
    }
    /* A dead peer's descriptor stays readable: unhook it or the main loop spins. */
    if (s->poll_fd >= 0) {
        qemu_set_fd_handler(s->poll_fd, NULL, NULL, NULL);
        s->poll_fd = -1;
    }
}

static void cosim_access_failed(CosimPCIState *s, int rc, const char *what,
                                int bar, hwaddr addr, unsigned size)
{
    if (rc == COSIM_FE_ERR_PEER_LOST) {
        cosim_host_lost(s);
        return;
    }
    /* Timeouts and model errors are logged by the library; this is the guest's view. */
    qemu_log_mask(LOG_GUEST_ERROR,
                  "%s: BAR%d %s of %u bytes at 0x%" HWADDR_PRIx " failed (%s)\n",
                  s->name, bar, what, size, addr,
                  rc == COSIM_FE_ERR_ARGUMENT ? "no such register or size" :
                  rc == COSIM_FE_ERR_TIMEOUT ? "timeout" : "device error");
}

/* --- BAR accesses ------------------------------------------------------- */

static uint64_t cosim_bar_read(void *opaque, hwaddr addr, unsigned size)
{
    CosimBar *b = opaque;
    CosimPCIState *s = b->dev;
    uint64_t value = UINT64_MAX;
    int rc;

    if (!s->fe) {
        return all_ones(size);
    }
    rc = s->api->bar_read(s->fe, b->index, addr, size, &value);
    if (rc < 0) {
        cosim_access_failed(s, rc, "read", b->index, addr, size);
        return all_ones(size);
    }
    return value & all_ones(size);
}

static void cosim_bar_write(void *opaque, hwaddr addr, uint64_t value,
                            unsigned size)
{
    CosimBar *b = opaque;
    CosimPCIState *s = b->dev;
    int rc;

    if (!s->fe) {
        return;
    }
    rc = s->api->bar_write(s->fe, b->index, addr, size, value);
    if (rc < 0) {
        cosim_access_failed(s, rc, "write", b->index, addr, size);
    }
}

/*
 * .impl equals .valid so QEMU hands every access to the device unchanged
 * (no splitting or widening): the device decides what a size means.
 */
static const MemoryRegionOps cosim_mem_ops = {
    .read = cosim_bar_read,
    .write = cosim_bar_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

static const MemoryRegionOps cosim_io_ops = {
    .read = cosim_bar_read,
    .write = cosim_bar_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

/* --- services offered to the library (cosim_fe_host_ops) ---------------- */

static const char *dma_failure_hint(PCIDevice *pdev)
{
    return (pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER)
        ? "" : " (bus mastering is disabled)";
}

static int host_dma_read(void *opaque, uint64_t addr, void *buf, uint64_t len)
{
    CosimPCIState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);

    if (pci_dma_read(pdev, addr, buf, len) != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: DMA read of %" PRIu64
                      " bytes at 0x%" PRIx64 " failed%s\n",
                      s->name, len, addr, dma_failure_hint(pdev));
        return -1;
    }
    return 0;
}

static int host_dma_write(void *opaque, uint64_t addr, const void *buf,
                          uint64_t len)
{
    CosimPCIState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);

    if (pci_dma_write(pdev, addr, buf, len) != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: DMA write of %" PRIu64
                      " bytes at 0x%" PRIx64 " failed%s\n",
                      s->name, len, addr, dma_failure_hint(pdev));
        return -1;
    }
    return 0;
}

static void host_set_intx(void *opaque, int level)
{
    CosimPCIState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);

    /* pci_set_irq() asserts on a device without a pin. */
    if (!pdev->config[PCI_INTERRUPT_PIN]) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: INTx raised but the device describes no pin\n",
                      s->name);
        return;
    }
    pci_set_irq(pdev, level != 0);
}

static void host_raise_msi(void *opaque, uint32_t vector)
{
    CosimPCIState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);

    if (!msi_present(pdev) || !msi_enabled(pdev)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: MSI vector %u raised while MSI is disabled\n",
                      s->name, vector);
        return;
    }
    /* The guest may enable fewer vectors than offered; msi_notify() asserts. */
    if (vector >= msi_nr_vectors_allocated(pdev)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: MSI vector %u raised but the guest enabled %u\n",
                      s->name, vector, msi_nr_vectors_allocated(pdev));
        return;
    }
    msi_notify(pdev, vector);
}

static void host_raise_msix(void *opaque, uint32_t vector)
{
    CosimPCIState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);

    if (!msix_present(pdev) || !msix_enabled(pdev)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: MSI-X vector %u raised while MSI-X is disabled\n",
                      s->name, vector);
        return;
    }
    if (vector >= pdev->msix_entries_nr) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: MSI-X vector %u raised but the table has %u\n",
                      s->name, vector, pdev->msix_entries_nr);
        return;
    }
    msix_notify(pdev, vector); /* a masked vector becomes pending */
}

/* The library already names the instance (cosim_fe_config.id) in message. */
static void host_log(void *opaque, int level, const char *message)
{
    CosimPCIState *s = opaque;

    switch (level) {
    case COSIM_FE_LOG_ERROR:
        error_report("%s", message);
        break;
    case COSIM_FE_LOG_WARNING:
        warn_report("%s", message);
        break;
    case COSIM_FE_LOG_INFO:
        info_report("%s", message);
        break;
    default:
        /* Opt-in: QEMU's own qemu_log() goes to stderr in builds with the log trace backend. */
        if (s->debug) {
            info_report("%s", message);
        }
        break;
    }
}

static void cosim_poll(CosimPCIState *s)
{
    if (!s->fe) {
        return;
    }
    s->api->poll(s->fe);
    if (!s->api->alive(s->fe)) {
        cosim_host_lost(s);
    }
}

static void cosim_poll_bh(void *opaque)
{
    cosim_poll(opaque);
}

static void cosim_fd_readable(void *opaque)
{
    cosim_poll(opaque);
}

static void host_kick(void *opaque)
{
    CosimPCIState *s = opaque;

    qemu_bh_schedule(s->poll_bh);
}

/* --- virtual time (cosim_fe_time_ops, docs/time.md) --------------------- */

static int64_t time_clock_ns(void *opaque)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/*
 * Guest time stands still while the guest waits for the device: with TCG,
 * cpu_disable_ticks() stops QEMU_CLOCK_VIRTUAL and the guest TSC alike (what
 * vm_stop() does, without stopping the vCPUs). Under -icount a blocked vCPU
 * executes nothing, so guest time stops anyway. Only a running VM is frozen,
 * and only this device's own freeze is undone.
 */
static void time_freeze(void *opaque)
{
    CosimPCIState *s = opaque;

    if (!s->froze_ticks && runstate_is_running()) {
        cpu_disable_ticks();
        s->froze_ticks = true;
    }
}

static void time_unfreeze(void *opaque)
{
    CosimPCIState *s = opaque;

    if (s->froze_ticks) {
        s->froze_ticks = false;
        cpu_enable_ticks();
    }
}

static void time_timer_arm(void *opaque, int64_t deadline_ns)
{
    CosimPCIState *s = opaque;

    timer_mod(s->sync_timer, deadline_ns);
}

static void time_timer_cancel(void *opaque)
{
    CosimPCIState *s = opaque;

    timer_del(s->sync_timer);
}

static void cosim_sync_timer_cb(void *opaque)
{
    CosimPCIState *s = opaque;

    if (s->fe) {
        s->api->on_timer(s->fe);
        if (!s->api->alive(s->fe)) {
            cosim_host_lost(s);
        }
    }
}

/*
 * freeze stops guest time by stopping QEMU's tick counters, which a KVM guest
 * does not use (its TSC and kvmclock run in hardware); lockstep needs the
 * instruction counter. Refuse rather than run with time that is not managed.
 */
static bool cosim_check_time_mode(CosimPCIState *s, Error **errp)
{
    const char *mode = s->time_mode;

    if (!mode || !*mode || !strcmp(mode, "off")) {
        return true;
    }
    if (!tcg_enabled()) {
        error_setg(errp, "time=%s needs TCG (-accel tcg)%s", mode,
                   kvm_enabled() ? ": under KVM the guest's TSC and kvmclock "
                   "run in hardware, so guest time cannot be frozen from a "
                   "device; use time=off with KVM" : "");
        return false;
    }
    if (!strcmp(mode, "lockstep") && !icount_enabled()) {
        error_setg(errp, "time=lockstep needs instruction counting: add "
                   "-icount shift=N,sleep=off (or use time=freeze)");
        return false;
    }
    return true;
}

/* --- realize ------------------------------------------------------------ */

static bool cosim_load_library(CosimPCIState *s, Error **errp)
{
    const char *path = s->lib;
    cosim_fe_get_api_fn get_api;

    if (!path || !*path) {
        path = getenv("COSIM_FRONTEND_LIB");
    }
    if (!path || !*path) {
        path = COSIM_FE_LIBRARY;
    }
    /*
     * RTLD_NODELETE: the C++ library may keep runtime state (protobuf
     * descriptors, thread-locals) that does not survive an unload and reload
     * across hot-unplug/plug.
     */
    s->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!s->dl) {
        error_setg(errp, "cannot load the cosim frontend library '%s': %s",
                   path, dlerror());
        error_append_hint(errp, "Set the lib= property or COSIM_FRONTEND_LIB.\n");
        return false;
    }
    get_api = (cosim_fe_get_api_fn)dlsym(s->dl, COSIM_FE_ENTRY);
    if (!get_api) {
        error_setg(errp, "'%s' has no entry point %s: %s", path,
                   COSIM_FE_ENTRY, dlerror());
        return false;
    }
    s->api = get_api(COSIM_FE_ABI_MAJOR);
    if (!s->api || s->api->abi_major != COSIM_FE_ABI_MAJOR) {
        error_setg(errp, "'%s' does not implement cosim frontend ABI %d "
                   "(this QEMU's cosim-pci was built against %d.%d)", path,
                   COSIM_FE_ABI_MAJOR, COSIM_FE_ABI_MAJOR, COSIM_FE_ABI_MINOR);
        s->api = NULL;
        return false;
    }
    /* Minor versions only append: an older library lacks what we call. */
    if (s->api->struct_size < sizeof(cosim_fe_api)) {
        error_setg(errp, "'%s' implements cosim frontend ABI %u.%u, older "
                   "than the %d.%d this QEMU needs", path, s->api->abi_major,
                   s->api->abi_minor, COSIM_FE_ABI_MAJOR, COSIM_FE_ABI_MINOR);
        s->api = NULL;
        return false;
    }
    return true;
}

static bool cosim_open(CosimPCIState *s, Error **errp)
{
    char err[512] = "";
    cosim_fe_config cfg = {
        .id = s->name,
        .endpoint = s->endpoint,
        .model = s->model,
        .params = s->params,
        .fallback = s->fallback ? s->fallback : "none",
        .connect_timeout_ms = s->connect_timeout_ms,
        .reply_timeout_ms = s->reply_timeout_ms,
    };

    s->host = (cosim_fe_host_ops) {
        .opaque = s,
        .dma_read = host_dma_read,
        .dma_write = host_dma_write,
        .set_intx = host_set_intx,
        .raise_msi = host_raise_msi,
        .raise_msix = host_raise_msix,
        .log = host_log,
        .kick = host_kick,
    };
    s->time_ops = (cosim_fe_time_ops) {
        .struct_size = sizeof(cosim_fe_time_ops),
        .opaque = s,
        .clock_ns = time_clock_ns,
        .freeze = time_freeze,
        .unfreeze = time_unfreeze,
        .timer_arm = time_timer_arm,
        .timer_cancel = time_timer_cancel,
    };
    cosim_fe_time_config tcfg = {
        .struct_size = sizeof(cosim_fe_time_config),
        .mode = s->time_mode,
        .quantum = s->time_quantum,
        .scale = s->time_scale,
    };
    s->fe = s->api->open_timed(&cfg, &s->host, &tcfg, &s->time_ops, err,
                               sizeof(err));
    if (!s->fe) {
        error_setg(errp, "%s", err[0] ? err : "the cosim frontend refused to open");
        return false;
    }
    if (s->api->describe(s->fe, &s->info) < 0) {
        error_setg(errp, "the device (%s) did not describe itself",
                   s->api->summary(s->fe));
        return false;
    }
    s->info.name[sizeof(s->info.name) - 1] = '\0';
    return true;
}

/* The description comes from a model we did not write: check it before QEMU's asserts do. */
static bool cosim_check_description(CosimPCIState *s, Error **errp)
{
    const cosim_fe_device_info *d = &s->info;
    const cosim_fe_bar *tb;
    int i;

    if (d->vendor_id == 0 || d->vendor_id == 0xffff) {
        error_setg(errp, "device '%s' describes invalid vendor id 0x%04x",
                   d->name, d->vendor_id);
        return false;
    }
    if (d->intx_pin > 4) {
        error_setg(errp, "device '%s' describes INTx pin %u (0..4 allowed)",
                   d->name, d->intx_pin);
        return false;
    }
    if (d->msi_vectors > COSIM_MSI_VECTORS_MAX) {
        error_setg(errp, "device '%s' describes %u MSI vectors (at most %d)",
                   d->name, d->msi_vectors, COSIM_MSI_VECTORS_MAX);
        return false;
    }
    if (d->msix_vectors > PCI_MSIX_FLAGS_QSIZE + 1) {
        error_setg(errp, "device '%s' describes %u MSI-X vectors (at most %d)",
                   d->name, d->msix_vectors, PCI_MSIX_FLAGS_QSIZE + 1);
        return false;
    }
    for (i = 0; i < COSIM_NUM_BARS; i++) {
        const cosim_fe_bar *b = &d->bars[i];

        if (b->kind == COSIM_FE_BAR_NONE || b->size == 0) {
            continue;
        }
        if (b->kind > COSIM_FE_BAR_IO) {
            error_setg(errp, "device '%s' BAR%d: unknown kind %u", d->name, i,
                       b->kind);
            return false;
        }
        if (!is_power_of_2(b->size)) {
            error_setg(errp, "device '%s' BAR%d: size 0x%" PRIx64
                       " is not a power of two", d->name, i, b->size);
            return false;
        }
        if (b->kind == COSIM_FE_BAR_IO &&
            (b->size < 4 || b->size > 256 || b->prefetchable)) {
            error_setg(errp, "device '%s' BAR%d: an I/O BAR is 4..256 bytes "
                       "and not prefetchable (got 0x%" PRIx64 ")", d->name, i,
                       b->size);
            return false;
        }
        if (b->kind != COSIM_FE_BAR_IO && b->size < 16) {
            error_setg(errp, "device '%s' BAR%d: a memory BAR is at least 16 "
                       "bytes (got %" PRIu64 ")", d->name, i, b->size);
            return false;
        }
        if (b->kind == COSIM_FE_BAR_MEM32 && b->size > 2 * GiB) {
            error_setg(errp, "device '%s' BAR%d: 0x%" PRIx64 " bytes needs a "
                       "64-bit BAR", d->name, i, b->size);
            return false;
        }
        if (b->kind == COSIM_FE_BAR_MEM64) {
            /* A 64-bit BAR takes the next BAR register as its upper half. */
            if (i == COSIM_NUM_BARS - 1 ||
                (d->bars[i + 1].kind != COSIM_FE_BAR_NONE &&
                 d->bars[i + 1].size != 0)) {
                error_setg(errp, "device '%s' BAR%d is 64-bit, so BAR%d must "
                           "be unused", d->name, i, i + 1);
                return false;
            }
            i++;
        }
    }
    if (d->msix_vectors) {
        if (d->msix_table_bar >= COSIM_NUM_BARS ||
            d->msix_pba_bar >= COSIM_NUM_BARS) {
            error_setg(errp, "device '%s': MSI-X table/PBA in BAR%u/BAR%u",
                       d->name, d->msix_table_bar, d->msix_pba_bar);
            return false;
        }
        tb = &d->bars[d->msix_table_bar];
        if (tb->size == 0 || tb->kind == COSIM_FE_BAR_NONE ||
            tb->kind == COSIM_FE_BAR_IO ||
            d->bars[d->msix_pba_bar].size == 0 ||
            d->bars[d->msix_pba_bar].kind == COSIM_FE_BAR_NONE ||
            d->bars[d->msix_pba_bar].kind == COSIM_FE_BAR_IO) {
            error_setg(errp, "device '%s': the MSI-X table and PBA must be in "
                       "implemented memory BARs", d->name);
            return false;
        }
    }
    return true;
}

static void cosim_build_config(CosimPCIState *s)
{
    const cosim_fe_device_info *d = &s->info;
    uint8_t *conf = PCI_DEVICE(s)->config;

    pci_config_set_vendor_id(conf, d->vendor_id);
    pci_config_set_device_id(conf, d->device_id);
    pci_config_set_revision(conf, d->revision);
    pci_config_set_class(conf, (d->class_code >> 8) & 0xffff);
    pci_config_set_prog_interface(conf, d->class_code & 0xff);
    /* 0:0 keeps QEMU's default subsystem ids rather than advertise none. */
    if (d->subsystem_vendor_id || d->subsystem_id) {
        pci_set_word(conf + PCI_SUBSYSTEM_VENDOR_ID, d->subsystem_vendor_id);
        pci_set_word(conf + PCI_SUBSYSTEM_ID, d->subsystem_id);
    }
    pci_config_set_interrupt_pin(conf, d->intx_pin);
}

static void cosim_init_bars(CosimPCIState *s)
{
    int i;

    for (i = 0; i < COSIM_NUM_BARS; i++) {
        const cosim_fe_bar *b = &s->info.bars[i];
        bool io = b->kind == COSIM_FE_BAR_IO;
        g_autofree char *name = NULL;
        g_autofree char *fwd_name = NULL;

        if (b->kind == COSIM_FE_BAR_NONE || b->size == 0) {
            continue;
        }
        name = g_strdup_printf("cosim-bar%d", i);
        fwd_name = g_strdup_printf("cosim-bar%d-fwd", i);
        s->bar_ctx[i] = (CosimBar) { .dev = s, .index = i };
        memory_region_init(&s->bar[i], OBJECT(s), name, b->size);
        memory_region_init_io(&s->fwd[i], OBJECT(s),
                               io ? &cosim_io_ops : &cosim_mem_ops,
                               &s->bar_ctx[i], fwd_name, b->size);
        memory_region_add_subregion_overlap(&s->bar[i], 0, &s->fwd[i], -1);
    }
}

static void cosim_register_bars(CosimPCIState *s)
{
    int i;

    for (i = 0; i < COSIM_NUM_BARS; i++) {
        const cosim_fe_bar *b = &s->info.bars[i];
        uint8_t type;

        if (b->kind == COSIM_FE_BAR_NONE || b->size == 0) {
            continue;
        }
        if (b->kind == COSIM_FE_BAR_IO) {
            type = PCI_BASE_ADDRESS_SPACE_IO;
        } else {
            type = PCI_BASE_ADDRESS_SPACE_MEMORY;
            if (b->kind == COSIM_FE_BAR_MEM64) {
                type |= PCI_BASE_ADDRESS_MEM_TYPE_64;
            }
            if (b->prefetchable) {
                type |= PCI_BASE_ADDRESS_MEM_PREFETCH;
            }
        }
        pci_register_bar(PCI_DEVICE(s), i, type, &s->bar[i]);
    }
}

static bool cosim_init_interrupts(CosimPCIState *s, Error **errp)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    const cosim_fe_device_info *d = &s->info;
    unsigned i;

    if (d->msi_vectors &&
        msi_init(pdev, 0, pow2ceil(d->msi_vectors), true, true, errp) < 0) {
        error_prepend(errp, "device '%s' (%u MSI vectors): ", d->name,
                      d->msi_vectors);
        return false;
    }
    if (d->msix_vectors) {
        if (msix_init(pdev, d->msix_vectors,
                      &s->bar[d->msix_table_bar], d->msix_table_bar,
                      d->msix_table_offset,
                      &s->bar[d->msix_pba_bar], d->msix_pba_bar,
                      d->msix_pba_offset, 0, errp) < 0) {
            error_prepend(errp, "device '%s' (%u MSI-X vectors, table BAR%u+0x%x,"
                          " PBA BAR%u+0x%x): ", d->name, d->msix_vectors,
                          d->msix_table_bar, d->msix_table_offset,
                          d->msix_pba_bar, d->msix_pba_offset);
            return false;
        }
        /* msix_notify() silently drops vectors not marked in use. */
        for (i = 0; i < d->msix_vectors; i++) {
            msix_vector_use(pdev, i);
        }
    }
    return true;
}

/*
 * QEMU is exiting (guest poweroff, quit): close the session so the host hears
 * an orderly goodbye rather than a vanished peer.
 */
static void cosim_on_exit(Notifier *n, void *data)
{
    CosimPCIState *s = container_of(n, CosimPCIState, exit_notifier);

    if (s->poll_fd >= 0) {
        qemu_set_fd_handler(s->poll_fd, NULL, NULL, NULL);
        s->poll_fd = -1;
    }
    if (s->fe) {
        s->api->close(s->fe);
        s->fe = NULL;
    }
}

/* Undoes realize, from any point it reached; also the unrealize path. */
static void cosim_teardown(CosimPCIState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (s->exit_notifier.notify) {
        qemu_remove_exit_notifier(&s->exit_notifier);
        s->exit_notifier.notify = NULL;
    }
    if (s->poll_fd >= 0) {
        qemu_set_fd_handler(s->poll_fd, NULL, NULL, NULL);
        s->poll_fd = -1;
    }
    /* Close first: the library may still call host ops while it shuts down. */
    if (s->fe) {
        s->api->close(s->fe);
        s->fe = NULL;
    }
    if (s->poll_bh) {
        qemu_bh_delete(s->poll_bh);
        s->poll_bh = NULL;
    }
    if (s->sync_timer) {
        timer_free(s->sync_timer);
        s->sync_timer = NULL;
    }
    time_unfreeze(s);
    if (msix_present(pdev)) {
        msix_unuse_all_vectors(pdev);
        msix_uninit(pdev, &s->bar[s->info.msix_table_bar],
                    &s->bar[s->info.msix_pba_bar]);
    }
    msi_uninit(pdev);
    /*
     * A subregion holds a reference on its owner (this device): without
     * removing it the device is never finalized, so DEVICE_DELETED is never
     * sent and a hot-unplug never completes for management tools.
     */
    for (int i = 0; i < COSIM_NUM_BARS; i++) {
        if (memory_region_is_mapped(&s->fwd[i])) {
            memory_region_del_subregion(&s->bar[i], &s->fwd[i]);
        }
    }
    if (s->dl) {
        dlclose(s->dl); /* a no-op unload thanks to RTLD_NODELETE */
        s->dl = NULL;
    }
    s->api = NULL;
    g_free(s->name);
    s->name = NULL;
}

static void cosim_realize(PCIDevice *pdev, Error **errp)
{
    CosimPCIState *s = COSIM_PCI(pdev);
    DeviceState *dev = DEVICE(pdev);
    int fd;

    s->poll_fd = -1;
    s->host_lost = false;
    s->name = dev->id ? g_strdup_printf("cosim-pci '%s'", dev->id)
                      : g_strdup_printf("cosim-pci %02x.%x",
                                        PCI_SLOT(pdev->devfn),
                                        PCI_FUNC(pdev->devfn));
    /* Before open(): the library may kick during its handshake. */
    s->poll_bh = qemu_bh_new(cosim_poll_bh, s);
    s->sync_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, cosim_sync_timer_cb, s);

    if (!cosim_check_time_mode(s, errp) || !cosim_load_library(s, errp) ||
        !cosim_open(s, errp) ||
        !cosim_check_description(s, errp)) {
        goto fail;
    }
    cosim_build_config(s);

    /*
     * Behind a PCIe port the device is an endpoint (a root-complex integrated
     * one on q35's root bus); on a conventional bus it stays plain PCI.
     */
    if (pci_bus_is_express(pci_get_bus(pdev))) {
        if (pcie_endpoint_cap_init(pdev, 0) < 0) {
            error_setg(errp, "%s: cannot add the PCI Express capability",
                       s->name);
            goto fail;
        }
        pcie_cap_flr_init(pdev);
    }

    cosim_init_bars(s);
    if (!cosim_init_interrupts(s, errp)) {
        goto fail;
    }
    /* Last: nothing below can fail, and PCI core does not unregister BARs of a failed realize. */
    cosim_register_bars(s);

    fd = s->api->poll_fd(s->fe);
    if (fd >= 0) {
        s->poll_fd = fd;
        qemu_set_fd_handler(fd, cosim_fd_readable, NULL, s);
    }
    s->exit_notifier.notify = cosim_on_exit;
    qemu_add_exit_notifier(&s->exit_notifier);
    if (s->debug) {
        info_report("%s: runs %s", s->name, s->api->summary(s->fe));
    }
    return;

fail:
    error_prepend(errp, "%s: ", s->name ? s->name : TYPE_COSIM_PCI);
    cosim_teardown(s);
}

static void cosim_exit(PCIDevice *pdev)
{
    cosim_teardown(COSIM_PCI(pdev));
}

/*
 * Both system reset and FLR land here (pcie_cap_flr_write_config() calls
 * pci_device_reset()); during an FLR the initiate bit is still set.
 */
static void cosim_reset(DeviceState *dev)
{
    CosimPCIState *s = COSIM_PCI(dev);
    PCIDevice *pdev = PCI_DEVICE(dev);
    int kind = COSIM_FE_RESET_SYSTEM;

    if (!s->fe) {
        return;
    }
    if (pdev->exp.exp_cap &&
        (pci_get_word(pdev->config + pdev->exp.exp_cap + PCI_EXP_DEVCTL) &
         PCI_EXP_DEVCTL_BCR_FLR)) {
        kind = COSIM_FE_RESET_FLR;
    }
    s->api->reset(s->fe, kind);
}

static void cosim_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                               int len)
{
    pci_default_write_config(pdev, addr, val, len);
    if (pdev->exp.exp_cap) {
        pcie_cap_flr_write_config(pdev, addr, val, len);
    }
}

static void cosim_instance_init(Object *obj)
{
    /*
     * Decided before realize because config space is sized from it; like
     * xhci, the PCIe capability itself is only added on an express bus.
     */
    PCI_DEVICE(obj)->cap_present |= QEMU_PCI_CAP_EXPRESS;
    COSIM_PCI(obj)->poll_fd = -1;
}

/* The device's state lives in another process (or library): nothing to send. */
static const VMStateDescription vmstate_cosim_pci = {
    .name = TYPE_COSIM_PCI,
    .unmigratable = 1,
};

static Property cosim_properties[] = {
    DEFINE_PROP_STRING("lib", CosimPCIState, lib),
    DEFINE_PROP_STRING("endpoint", CosimPCIState, endpoint),
    DEFINE_PROP_STRING("model", CosimPCIState, model),
    DEFINE_PROP_STRING("params", CosimPCIState, params),
    DEFINE_PROP_STRING("fallback", CosimPCIState, fallback),
    DEFINE_PROP_UINT32("connect-timeout", CosimPCIState, connect_timeout_ms, 2000),
    DEFINE_PROP_INT32("reply-timeout", CosimPCIState, reply_timeout_ms, -1),
    DEFINE_PROP_BOOL("debug", CosimPCIState, debug, false),
    DEFINE_PROP_STRING("time", CosimPCIState, time_mode),
    DEFINE_PROP_STRING("time-quantum", CosimPCIState, time_quantum),
    DEFINE_PROP_STRING("time-scale", CosimPCIState, time_scale),
    DEFINE_PROP_END_OF_LIST(),
};

static void cosim_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = cosim_realize;
    k->exit = cosim_exit;
    k->config_write = cosim_write_config;
    /* Real ids come from the library at realize; these are placeholders. */
    k->vendor_id = PCI_VENDOR_ID_QEMU;
    k->device_id = 0x0000;
    k->class_id = PCI_CLASS_OTHERS;
    dc->desc = "Co-simulation PCI(e) device (model in libcosim_frontend.so)";
    dc->reset = cosim_reset;
    dc->vmsd = &vmstate_cosim_pci;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, cosim_properties);

    object_class_property_set_description(klass, "lib",
        "frontend library path (default: $COSIM_FRONTEND_LIB, else "
        COSIM_FE_LIBRARY " on the library search path)");
    object_class_property_set_description(klass, "endpoint",
        "co-simulation host to connect to: ipc://PATH or tcp://HOST:PORT");
    object_class_property_set_description(klass, "model",
        "run this native model in-process instead (e.g. epf-test)");
    object_class_property_set_description(klass, "params",
        "model parameters, key=value;key=value");
    object_class_property_set_description(klass, "fallback",
        "native model to run if no host answers; unset or none: fail instead");
    object_class_property_set_description(klass, "connect-timeout",
        "milliseconds to wait for the host at realize");
    object_class_property_set_description(klass, "reply-timeout",
        "milliseconds to wait for a BAR read reply; -1 waits as long as the "
        "host is alive");
    object_class_property_set_description(klass, "time",
        "virtual time: off (guest time runs with the host clock), freeze "
        "(guest time stops while the device simulation is behind; TCG) or "
        "lockstep (with -icount; guest and device within one quantum)");
    object_class_property_set_description(klass, "time-quantum",
        "largest drift between guest and a busy device, e.g. 100us (default)");
    object_class_property_set_description(klass, "time-scale",
        "K in guest time = K x device time (default 1)");
    object_class_property_set_description(klass, "debug",
        "print the frontend's debug messages and what the device runs");
}

static const TypeInfo cosim_pci_info = {
    .name = TYPE_COSIM_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(CosimPCIState),
    .instance_init = cosim_instance_init,
    .class_init = cosim_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { }
    },
};

static void cosim_pci_register_types(void)
{
    type_register_static(&cosim_pci_info);
}

type_init(cosim_pci_register_types)
