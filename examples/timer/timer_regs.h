/* Register map of the example device `timer` (examples/timer/README.md):
 * a countdown timer with an interrupt, and a scratchpad. Declared once, in C,
 * for the TLM model, the guest test and the host test alike. */
#ifndef COSIM_EXAMPLE_TIMER_REGS_H
#define COSIM_EXAMPLE_TIMER_REGS_H

/* Identity (the model's `vendor=` / `device=` parameters change it). */
#define TIMER_VENDOR_ID 0x1234
#define TIMER_DEVICE_ID 0xc051
#define TIMER_CLASS_CODE 0xff0000 /* unassigned class: no Linux driver binds it */

/* BAR0: registers, 32-bit little-endian, 4-byte aligned 4-byte accesses. */
#define TIMER_BAR_REGS 0
#define TIMER_REGS_SIZE 4096
#define TIMER_ID 0x00       /* RO: TIMER_ID_VALUE */
#define TIMER_CTRL 0x04     /* RW: TIMER_CTRL_* */
#define TIMER_LOAD 0x08     /* RW: period in ns; written while enabled, restarts the count */
#define TIMER_COUNT 0x0c    /* RO: ns to the next expiry; 0 when stopped */
#define TIMER_STATUS 0x10   /* write 1 to clear: TIMER_STATUS_* */
#define TIMER_EXPIRIES 0x14 /* RO: expiries since the last reset */
#define TIMER_REGS_END 0x18 /* anything beyond answers an address error */

#define TIMER_ID_VALUE 0x544d5231u /* "1RMT" */

#define TIMER_CTRL_ENABLE (1u << 0)   /* count LOAD ns, then expire; cleared on a one-shot expiry */
#define TIMER_CTRL_PERIODIC (1u << 1) /* reload on expiry and keep counting */
#define TIMER_CTRL_IRQ (1u << 2)      /* interrupt on expiry */
#define TIMER_CTRL_MSI (1u << 3)      /* the interrupt is MSI vector 0, else INTx (level, while EXPIRED) */

#define TIMER_STATUS_EXPIRED (1u << 0)

/* BAR2: scratchpad, plain memory, 1/2/4/8-byte accesses. */
#define TIMER_BAR_SCRATCH 2
#define TIMER_SCRATCH_SIZE 4096

#endif
