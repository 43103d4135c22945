// Pin types of Verilated SystemC models and signal bundles for the buses the
// adapters speak. Verilator maps a port of 1 bit to bool, 2..32 bits to
// uint32_t and 33..64 bits to uint64_t (its default, without --pins-*
// options); pin_t<N> gives the same type, so adapters bind straight to a
// Verilated top. Buses wider than 64 bits are not supported.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include <systemc>

namespace cosim::rtl {

template <unsigned Bits>
struct PinType {
  static_assert(Bits >= 1 && Bits <= 64, "Verilated ports wider than 64 bits are sc_bv: not supported");
  using type = std::conditional_t<Bits == 1, bool, std::conditional_t<(Bits <= 32), uint32_t, uint64_t>>;
};
template <unsigned Bits>
using pin_t = typename PinType<Bits>::type;

// Converts a pin value (bool, uint32_t or uint64_t) to uint64_t and back.
template <typename T>
constexpr uint64_t pin_u64(const T& v) { return static_cast<uint64_t>(v); }
template <typename T>
constexpr T to_pin(uint64_t v) {
  if constexpr (std::is_same_v<T, bool>) return (v & 1) != 0;
  else return static_cast<T>(v);
}

// AXI response codes (AXI spec, RRESP/BRESP).
enum class AxiResp : uint32_t { kOkay = 0, kExOkay = 1, kSlvErr = 2, kDecErr = 3 };
// AXI burst types (AxBURST).
enum class AxiBurst : uint32_t { kFixed = 0, kIncr = 1, kWrap = 2 };

inline std::string pin_name(const std::string& prefix, const char* pin) {
  return prefix.empty() ? std::string(pin) : prefix + "_" + pin;
}

// ---- Pin lists ------------------------------------------------------------------
// Each bus is declared once, as a list of its pins: X(ctx..., name, type, driver),
// `driver` m (the master drives the pin) or s (the slave does), `type` one of
// the bundle's addr_t/data_t/strb_t/sel_t or a plain type. The signal bundles,
// the adapters' and checkers' ports and every bind below are generated from
// these lists, so a bus's pins are named and typed in one place.
// (Verilator's own port names are <prefix>_<name>.)
#define COSIM_RTL_AXIL_PINS(X, ...)                                                                          \
  X(__VA_ARGS__, awvalid, bool, m) X(__VA_ARGS__, awready, bool, s) X(__VA_ARGS__, awaddr, addr_t, m)        \
  X(__VA_ARGS__, wvalid, bool, m) X(__VA_ARGS__, wready, bool, s) X(__VA_ARGS__, wdata, data_t, m)           \
  X(__VA_ARGS__, wstrb, strb_t, m) X(__VA_ARGS__, bvalid, bool, s) X(__VA_ARGS__, bready, bool, m)           \
  X(__VA_ARGS__, bresp, uint32_t, s) X(__VA_ARGS__, arvalid, bool, m) X(__VA_ARGS__, arready, bool, s)       \
  X(__VA_ARGS__, araddr, addr_t, m) X(__VA_ARGS__, rvalid, bool, s) X(__VA_ARGS__, rready, bool, m)          \
  X(__VA_ARGS__, rdata, data_t, s) X(__VA_ARGS__, rresp, uint32_t, s)

// AXI4: AXI4-Lite's channels plus burst length/size/type and WLAST/RLAST.
#define COSIM_RTL_AXI4_PINS(X, ...)                                                                          \
  COSIM_RTL_AXIL_PINS(X, __VA_ARGS__)                                                                        \
  X(__VA_ARGS__, awlen, uint32_t, m) X(__VA_ARGS__, awsize, uint32_t, m) X(__VA_ARGS__, awburst, uint32_t, m) \
  X(__VA_ARGS__, wlast, bool, m) X(__VA_ARGS__, arlen, uint32_t, m) X(__VA_ARGS__, arsize, uint32_t, m)      \
  X(__VA_ARGS__, arburst, uint32_t, m) X(__VA_ARGS__, rlast, bool, s)

#define COSIM_RTL_APB_PINS(X, ...)                                                                           \
  X(__VA_ARGS__, psel, bool, m) X(__VA_ARGS__, penable, bool, m) X(__VA_ARGS__, pwrite, bool, m)             \
  X(__VA_ARGS__, paddr, addr_t, m) X(__VA_ARGS__, pwdata, data_t, m) X(__VA_ARGS__, pstrb, strb_t, m)        \
  X(__VA_ARGS__, pready, bool, s) X(__VA_ARGS__, prdata, data_t, s) X(__VA_ARGS__, pslverr, bool, s)

// dat_w: master -> slave (the master's DAT_O); dat_r: slave -> master.
#define COSIM_RTL_WB_PINS(X, ...)                                                                            \
  X(__VA_ARGS__, cyc, bool, m) X(__VA_ARGS__, stb, bool, m) X(__VA_ARGS__, we, bool, m)                      \
  X(__VA_ARGS__, adr, addr_t, m) X(__VA_ARGS__, dat_w, data_t, m) X(__VA_ARGS__, sel, sel_t, m)              \
  X(__VA_ARGS__, ack, bool, s) X(__VA_ARGS__, err, bool, s) X(__VA_ARGS__, rty, bool, s)                     \
  X(__VA_ARGS__, dat_r, data_t, s)

// What the lists expand to.
// A bundle's sc_signal, named <prefix>_<pin> (the bundle's prefix_ member).
#define COSIM_RTL_SIGNAL_(unused, pin, type, driver) sc_core::sc_signal<type> pin{pin_name(prefix_, #pin).c_str()};
// A port of a module on the bus, by the module's role: master (drives the m
// pins), slave (drives the s pins) or monitor (drives nothing).
#define COSIM_RTL_PORT_master_m sc_core::sc_out
#define COSIM_RTL_PORT_master_s sc_core::sc_in
#define COSIM_RTL_PORT_slave_m sc_core::sc_in
#define COSIM_RTL_PORT_slave_s sc_core::sc_out
#define COSIM_RTL_PORT_monitor_m sc_core::sc_in
#define COSIM_RTL_PORT_monitor_s sc_core::sc_in
#define COSIM_RTL_PORT_(role, pin, type, driver) COSIM_RTL_PORT_##role##_##driver<type> pin{#pin};
// Binds each port to the same-named signal of bundle `sig`.
#define COSIM_RTL_BIND_PORT_(sig, pin, type, driver) pin((sig).pin);
// Binds the Verilated top's port <prefix>_<pin> to the bundle's signal.
#define COSIM_RTL_BIND_TOP_PIN_(top, prefix, sig, pin, type, driver) (top).prefix##_##pin((sig).pin);

// In a bundle struct `Name`: its constructor (from the pin-name prefix) and
// one sc_signal per pin, named <prefix>_<pin>.
#define COSIM_RTL_SIGNAL_BUNDLE(Name, PINS)                          \
  explicit Name(const std::string& prefix) : prefix_(prefix) {}     \
  const std::string prefix_;                                        \
  PINS(COSIM_RTL_SIGNAL_, _)

// Binds each port <prefix>_<pin> of a Verilated top (a reference expression)
// to the same pin of bundle `sig`.
#define COSIM_RTL_BIND_TOP(PINS, top, prefix, sig)      \
  do {                                                  \
    PINS(COSIM_RTL_BIND_TOP_PIN_, top, prefix, sig)     \
  } while (0)

// In a class: the bus's ports for `role` and bind(Signals&) to a bundle.
#define COSIM_RTL_BUS_PORTS(PINS, role) \
  PINS(COSIM_RTL_PORT_, role)           \
  void bind(Signals& sig) { PINS(COSIM_RTL_BIND_PORT_, sig) }

// ---- AXI4-Lite ------------------------------------------------------------
// Signals between an AXI4-Lite master and slave. AxPROT is not carried: a
// slave that has it ties it in its wrapper.
template <unsigned ADDR_BITS = 32, unsigned DATA_BITS = 32>
struct AxiLiteSignals {
  static_assert(DATA_BITS == 32 || DATA_BITS == 64, "AXI4-Lite data is 32 or 64 bits");
  using addr_t = pin_t<ADDR_BITS>;
  using data_t = pin_t<DATA_BITS>;
  using strb_t = pin_t<DATA_BITS / 8>;

  COSIM_RTL_SIGNAL_BUNDLE(AxiLiteSignals, COSIM_RTL_AXIL_PINS)
};

// Binds the ports <prefix>_awvalid ... <prefix>_rresp of a Verilated slave
// `top` (a reference expression) to an AxiLiteSignals bundle.
#define COSIM_RTL_BIND_AXIL_SLAVE(top, prefix, sig) COSIM_RTL_BIND_TOP(COSIM_RTL_AXIL_PINS, top, prefix, sig)

// ---- AXI4 (full) ------------------------------------------------------------
// The subset the adapters carry: no ID (one master, responses in order),
// PROT, CACHE, LOCK, QOS, REGION or USER signals.
template <unsigned ADDR_BITS = 64, unsigned DATA_BITS = 64>
struct Axi4Signals {
  static_assert(DATA_BITS >= 8 && DATA_BITS <= 64 && (DATA_BITS & (DATA_BITS - 1)) == 0,
                "AXI4 data is 8, 16, 32 or 64 bits here");
  using addr_t = pin_t<ADDR_BITS>;
  using data_t = pin_t<DATA_BITS>;
  using strb_t = pin_t<DATA_BITS / 8>;

  COSIM_RTL_SIGNAL_BUNDLE(Axi4Signals, COSIM_RTL_AXI4_PINS)
};

// Binds the ports <prefix>_awvalid ... <prefix>_rlast of a Verilated AXI4
// master `top` to an Axi4Signals bundle.
#define COSIM_RTL_BIND_AXI4_MASTER(top, prefix, sig) COSIM_RTL_BIND_TOP(COSIM_RTL_AXI4_PINS, top, prefix, sig)

// ---- APB (AMBA 3/4) -----------------------------------------------------------
template <unsigned ADDR_BITS = 32, unsigned DATA_BITS = 32>
struct ApbSignals {
  static_assert(DATA_BITS == 8 || DATA_BITS == 16 || DATA_BITS == 32, "APB data is 8, 16 or 32 bits");
  using addr_t = pin_t<ADDR_BITS>;
  using data_t = pin_t<DATA_BITS>;
  using strb_t = pin_t<DATA_BITS / 8>;

  COSIM_RTL_SIGNAL_BUNDLE(ApbSignals, COSIM_RTL_APB_PINS)
};

#define COSIM_RTL_BIND_APB_SLAVE(top, prefix, sig) COSIM_RTL_BIND_TOP(COSIM_RTL_APB_PINS, top, prefix, sig)

// ---- Wishbone B4 classic --------------------------------------------------------
// ADR carries the byte address of the port-width word (low bits zero).
template <unsigned ADDR_BITS = 32, unsigned DATA_BITS = 32>
struct WishboneSignals {
  static_assert(DATA_BITS == 8 || DATA_BITS == 16 || DATA_BITS == 32, "Wishbone data is 8, 16 or 32 bits here");
  using addr_t = pin_t<ADDR_BITS>;
  using data_t = pin_t<DATA_BITS>;
  using sel_t = pin_t<DATA_BITS / 8>;

  COSIM_RTL_SIGNAL_BUNDLE(WishboneSignals, COSIM_RTL_WB_PINS)
};

#define COSIM_RTL_BIND_WB_SLAVE(top, prefix, sig) COSIM_RTL_BIND_TOP(COSIM_RTL_WB_PINS, top, prefix, sig)

}  // namespace cosim::rtl
