/*
 * cosim_frontend.h - the C ABI between QEMU's `cosim-pci` device (a thin C shim)
 * and libcosim_frontend.so (everything else, in C++). Plain C99.
 *
 * QEMU loads the library with dlopen() at device realize, looks up the single
 * entry point COSIM_FE_ENTRY and asks for the ABI major it was built against.
 * The library refuses (returns NULL) a major it does not implement; minor
 * versions only append fields/functions at the end of the structs below.
 *
 * 1.1 adds virtual time (docs/time.md): open_timed(), on_timer() and
 * time_stats() at the end of cosim_fe_api, and the cosim_fe_time_* structs,
 * which start with their struct_size so they can grow. A 1.0 shim keeps
 * calling open() and runs with virtual time off; a 1.1 shim refuses a 1.0
 * library (its cosim_fe_api is too short) with a message naming both.
 */
#ifndef COSIM_FRONTEND_H
#define COSIM_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COSIM_FE_ABI_MAJOR 1
#define COSIM_FE_ABI_MINOR 1
#define COSIM_FE_ENTRY "cosim_fe_get_api"
#define COSIM_FE_LIBRARY "libcosim_frontend.so"

enum cosim_fe_bar_kind {
    COSIM_FE_BAR_NONE = 0,
    COSIM_FE_BAR_MEM32 = 1,
    COSIM_FE_BAR_MEM64 = 2,
    COSIM_FE_BAR_IO = 3,
};

enum cosim_fe_log_level {
    COSIM_FE_LOG_ERROR = 0,
    COSIM_FE_LOG_WARNING = 1,
    COSIM_FE_LOG_INFO = 2,
    COSIM_FE_LOG_DEBUG = 3,
};

enum cosim_fe_reset_kind {
    COSIM_FE_RESET_SYSTEM = 0,
    COSIM_FE_RESET_FLR = 1,
};

/* Return values of the calls below: 0 or a negative cosim_fe_status. */
enum cosim_fe_status {
    COSIM_FE_OK = 0,
    COSIM_FE_ERR_ARGUMENT = -1,  /* bad BAR, offset or size for this device */
    COSIM_FE_ERR_DEVICE = -2,    /* the model answered with an error */
    COSIM_FE_ERR_PEER_LOST = -3, /* the host is gone: reads give all-ones */
    COSIM_FE_ERR_TIMEOUT = -4,
};

typedef struct cosim_fe_bar {
    uint64_t size;         /* bytes, 0 = not implemented */
    uint32_t kind;         /* enum cosim_fe_bar_kind */
    uint32_t prefetchable; /* 0 or 1 */
} cosim_fe_bar;

/* The device's self-description, from which QEMU builds config space. */
typedef struct cosim_fe_device_info {
    char name[64];
    uint16_t vendor_id, device_id;
    uint16_t subsystem_vendor_id, subsystem_id;
    uint32_t class_code; /* 24 bits */
    uint8_t revision;
    uint8_t intx_pin;      /* 0 = none, 1..4 = INTA..INTD */
    uint16_t msi_vectors;  /* 0..32 */
    uint16_t msix_vectors; /* 0..2048 */
    uint8_t msix_table_bar, msix_pba_bar;
    uint32_t msix_table_offset, msix_pba_offset;
    cosim_fe_bar bars[6];
} cosim_fe_device_info;

/* Services QEMU offers the device. All are called with QEMU's big lock held,
 * from the thread that called into the library. */
typedef struct cosim_fe_host_ops {
    void *opaque;
    /* Bus-master access to guest memory (through the device's DMA address
     * space, so an IOMMU applies). Return 0, or -1 if the access failed. */
    int (*dma_read)(void *opaque, uint64_t addr, void *buf, uint64_t len);
    int (*dma_write)(void *opaque, uint64_t addr, const void *buf, uint64_t len);
    void (*set_intx)(void *opaque, int level);
    void (*raise_msi)(void *opaque, uint32_t vector);  /* 0-based */
    void (*raise_msix)(void *opaque, uint32_t vector); /* 0-based */
    void (*log)(void *opaque, int level, const char *message);
    /* Ask for cosim_fe_api.poll() to be called soon from the main loop
     * (a bottom half): input arrived that no descriptor edge will announce. */
    void (*kick)(void *opaque);
} cosim_fe_host_ops;

typedef struct cosim_fe_config {
    const char *id;        /* instance name for log lines */
    const char *endpoint;  /* ipc://..., tcp://...; NULL or "" = none */
    const char *model;     /* run this native model in-process, e.g. "epf-test";
                              NULL or "" = use the endpoint */
    const char *params;    /* model parameters "key=value;key=value" or NULL */
    const char *fallback;  /* native model if no host answers, or "none"/NULL */
    uint32_t connect_timeout_ms;
    int32_t reply_timeout_ms; /* <0 = wait forever (liveness still applies) */
} cosim_fe_config;

/* 1.1: virtual time. The values are parsed by the library (timescale/), so
 * an error names the property; NULL or "" = the default. */
typedef struct cosim_fe_time_config {
    size_t struct_size;     /* sizeof(cosim_fe_time_config) */
    const char *mode;       /* "off" (default), "freeze", "lockstep" */
    const char *quantum;    /* largest guest/device drift while the device is busy, e.g. "100us" */
    const char *scale;      /* K in guest_time = K * device_time, e.g. "1" (default) */
} cosim_fe_time_config;

/* 1.1: QEMU's time services, called with the big lock held. */
typedef struct cosim_fe_time_ops {
    size_t struct_size;     /* sizeof(cosim_fe_time_ops) */
    void *opaque;
    /* QEMU_CLOCK_VIRTUAL, nanoseconds: the guest's time. */
    int64_t (*clock_ns)(void *opaque);
    /* Stop / restart guest time (TCG: cpu_disable_ticks/cpu_enable_ticks):
     * while frozen, the guest's clocks and timers do not advance. Never nested
     * by the library. */
    void (*freeze)(void *opaque);
    void (*unfreeze)(void *opaque);
    /* Call cosim_fe_api.on_timer() when QEMU_CLOCK_VIRTUAL reaches
     * deadline_ns (re-arming replaces the previous deadline); cancel it. */
    void (*timer_arm)(void *opaque, int64_t deadline_ns);
    void (*timer_cancel)(void *opaque);
} cosim_fe_time_ops;

enum cosim_fe_time_mode {
    COSIM_FE_TIME_OFF = 0,
    COSIM_FE_TIME_FREEZE = 1,
    COSIM_FE_TIME_LOCKSTEP = 2,
};

/* 1.1: the figures printed at the end of a run; times in picoseconds. */
typedef struct cosim_fe_time_stats {
    size_t struct_size;     /* set by the caller: sizeof(cosim_fe_time_stats) */
    uint32_t mode;          /* enum cosim_fe_time_mode */
    uint64_t wall_ps;       /* since open */
    uint64_t guest_ps;      /* guest virtual time elapsed since open */
    uint64_t device_ps;     /* device simulated time reached (0 if unknown) */
    uint64_t frozen_ps;     /* wall time during which guest time was frozen */
    uint64_t syncs;         /* grant round trips */
    uint64_t freezes;
} cosim_fe_time_stats;

typedef struct cosim_fe cosim_fe;

typedef struct cosim_fe_api {
    uint32_t abi_major;
    uint32_t abi_minor;
    size_t struct_size;
    /* Creates a frontend: in-process model, or connection + handshake with a
     * host, or the fallback model. On failure returns NULL with a message in
     * err (naming the endpoint or model). */
    cosim_fe *(*open)(const cosim_fe_config *config, const cosim_fe_host_ops *host,
                      char *err, size_t err_len);
    void (*close)(cosim_fe *fe);
    int (*describe)(cosim_fe *fe, cosim_fe_device_info *out);
    /* One line on what this instance runs, e.g. "host ipc:///tmp/x (native:epf-test)". */
    const char *(*summary)(cosim_fe *fe);
    int (*bar_read)(cosim_fe *fe, int bar, uint64_t offset, unsigned size, uint64_t *value);
    int (*bar_write)(cosim_fe *fe, int bar, uint64_t offset, unsigned size, uint64_t value);
    void (*reset)(cosim_fe *fe, int kind);
    /* Descriptor to watch in the main loop (-1 when in-process); when readable
     * call poll(). */
    int (*poll_fd)(cosim_fe *fe);
    void (*poll)(cosim_fe *fe);
    /* 1 while the device is reachable, 0 after the host was lost. */
    int (*alive)(cosim_fe *fe);

    /* --- 1.1 --- */
    /* open() with virtual time: the mode is agreed with the host in the
     * handshake (a host running another mode is refused, with a message). */
    cosim_fe *(*open_timed)(const cosim_fe_config *config, const cosim_fe_host_ops *host,
                            const cosim_fe_time_config *time, const cosim_fe_time_ops *time_ops,
                            char *err, size_t err_len);
    /* The timer armed through cosim_fe_time_ops fired. */
    void (*on_timer)(cosim_fe *fe);
    /* Fills *out (out->struct_size set by the caller); 0 or a negative status. */
    int (*time_stats)(cosim_fe *fe, cosim_fe_time_stats *out);
} cosim_fe_api;

/* The entry point. Returns NULL if `abi_major` is not supported. */
const cosim_fe_api *cosim_fe_get_api(uint32_t abi_major);
typedef const cosim_fe_api *(*cosim_fe_get_api_fn)(uint32_t abi_major);

#ifdef __cplusplus
}
#endif

#endif /* COSIM_FRONTEND_H */
