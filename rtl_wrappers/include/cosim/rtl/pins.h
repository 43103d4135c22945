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

// ---- AXI4-Lite ------------------------------------------------------------
// Signals between an AXI4-Lite master and slave. AxPROT is not carried: a
// slave that has it ties it in its wrapper.
template <unsigned ADDR_BITS = 32, unsigned DATA_BITS = 32>
struct AxiLiteSignals {
  static_assert(DATA_BITS == 32 || DATA_BITS == 64, "AXI4-Lite data is 32 or 64 bits");
  using addr_t = pin_t<ADDR_BITS>;
  using data_t = pin_t<DATA_BITS>;
  using strb_t = pin_t<DATA_BITS / 8>;

  explicit AxiLiteSignals(const std::string& prefix)
      : awvalid(pin_name(prefix, "awvalid").c_str()), awready(pin_name(prefix, "awready").c_str()),
        awaddr(pin_name(prefix, "awaddr").c_str()), wvalid(pin_name(prefix, "wvalid").c_str()),
        wready(pin_name(prefix, "wready").c_str()), wdata(pin_name(prefix, "wdata").c_str()),
        wstrb(pin_name(prefix, "wstrb").c_str()), bvalid(pin_name(prefix, "bvalid").c_str()),
        bready(pin_name(prefix, "bready").c_str()), bresp(pin_name(prefix, "bresp").c_str()),
        arvalid(pin_name(prefix, "arvalid").c_str()), arready(pin_name(prefix, "arready").c_str()),
        araddr(pin_name(prefix, "araddr").c_str()), rvalid(pin_name(prefix, "rvalid").c_str()),
        rready(pin_name(prefix, "rready").c_str()), rdata(pin_name(prefix, "rdata").c_str()),
        rresp(pin_name(prefix, "rresp").c_str()) {}

  sc_core::sc_signal<bool> awvalid, awready;
  sc_core::sc_signal<addr_t> awaddr;
  sc_core::sc_signal<bool> wvalid, wready;
  sc_core::sc_signal<data_t> wdata;
  sc_core::sc_signal<strb_t> wstrb;
  sc_core::sc_signal<bool> bvalid, bready;
  sc_core::sc_signal<uint32_t> bresp;
  sc_core::sc_signal<bool> arvalid, arready;
  sc_core::sc_signal<addr_t> araddr;
  sc_core::sc_signal<bool> rvalid, rready;
  sc_core::sc_signal<data_t> rdata;
  sc_core::sc_signal<uint32_t> rresp;
};

// Binds the ports <prefix>_awvalid ... <prefix>_rresp of a Verilated slave
// `top` (a pointer or reference expression) to an AxiLiteSignals bundle.
#define COSIM_RTL_BIND_AXIL_SLAVE(top, prefix, sig) \
  do {                                              \
    (top).prefix##_awvalid((sig).awvalid);          \
    (top).prefix##_awready((sig).awready);          \
    (top).prefix##_awaddr((sig).awaddr);            \
    (top).prefix##_wvalid((sig).wvalid);            \
    (top).prefix##_wready((sig).wready);            \
    (top).prefix##_wdata((sig).wdata);              \
    (top).prefix##_wstrb((sig).wstrb);              \
    (top).prefix##_bvalid((sig).bvalid);            \
    (top).prefix##_bready((sig).bready);            \
    (top).prefix##_bresp((sig).bresp);              \
    (top).prefix##_arvalid((sig).arvalid);          \
    (top).prefix##_arready((sig).arready);          \
    (top).prefix##_araddr((sig).araddr);            \
    (top).prefix##_rvalid((sig).rvalid);            \
    (top).prefix##_rready((sig).rready);            \
    (top).prefix##_rdata((sig).rdata);              \
    (top).prefix##_rresp((sig).rresp);              \
  } while (0)

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

  explicit Axi4Signals(const std::string& prefix)
      : awvalid(pin_name(prefix, "awvalid").c_str()), awready(pin_name(prefix, "awready").c_str()),
        awaddr(pin_name(prefix, "awaddr").c_str()), awlen(pin_name(prefix, "awlen").c_str()),
        awsize(pin_name(prefix, "awsize").c_str()), awburst(pin_name(prefix, "awburst").c_str()),
        wvalid(pin_name(prefix, "wvalid").c_str()), wready(pin_name(prefix, "wready").c_str()),
        wdata(pin_name(prefix, "wdata").c_str()), wstrb(pin_name(prefix, "wstrb").c_str()),
        wlast(pin_name(prefix, "wlast").c_str()), bvalid(pin_name(prefix, "bvalid").c_str()),
        bready(pin_name(prefix, "bready").c_str()), bresp(pin_name(prefix, "bresp").c_str()),
        arvalid(pin_name(prefix, "arvalid").c_str()), arready(pin_name(prefix, "arready").c_str()),
        araddr(pin_name(prefix, "araddr").c_str()), arlen(pin_name(prefix, "arlen").c_str()),
        arsize(pin_name(prefix, "arsize").c_str()), arburst(pin_name(prefix, "arburst").c_str()),
        rvalid(pin_name(prefix, "rvalid").c_str()), rready(pin_name(prefix, "rready").c_str()),
        rdata(pin_name(prefix, "rdata").c_str()), rresp(pin_name(prefix, "rresp").c_str()),
        rlast(pin_name(prefix, "rlast").c_str()) {}

  sc_core::sc_signal<bool> awvalid, awready;
  sc_core::sc_signal<addr_t> awaddr;
  sc_core::sc_signal<uint32_t> awlen, awsize, awburst;
  sc_core::sc_signal<bool> wvalid, wready;
  sc_core::sc_signal<data_t> wdata;
  sc_core::sc_signal<strb_t> wstrb;
  sc_core::sc_signal<bool> wlast;
  sc_core::sc_signal<bool> bvalid, bready;
  sc_core::sc_signal<uint32_t> bresp;
  sc_core::sc_signal<bool> arvalid, arready;
  sc_core::sc_signal<addr_t> araddr;
  sc_core::sc_signal<uint32_t> arlen, arsize, arburst;
  sc_core::sc_signal<bool> rvalid, rready;
  sc_core::sc_signal<data_t> rdata;
  sc_core::sc_signal<uint32_t> rresp;
  sc_core::sc_signal<bool> rlast;
};

// Binds the ports <prefix>_awvalid ... <prefix>_rlast of a Verilated AXI4
// master `top` to an Axi4Signals bundle.
#define COSIM_RTL_BIND_AXI4_MASTER(top, prefix, sig) \
  do {                                               \
    (top).prefix##_awvalid((sig).awvalid);           \
    (top).prefix##_awready((sig).awready);           \
    (top).prefix##_awaddr((sig).awaddr);             \
    (top).prefix##_awlen((sig).awlen);               \
    (top).prefix##_awsize((sig).awsize);             \
    (top).prefix##_awburst((sig).awburst);           \
    (top).prefix##_wvalid((sig).wvalid);             \
    (top).prefix##_wready((sig).wready);             \
    (top).prefix##_wdata((sig).wdata);               \
    (top).prefix##_wstrb((sig).wstrb);               \
    (top).prefix##_wlast((sig).wlast);               \
    (top).prefix##_bvalid((sig).bvalid);             \
    (top).prefix##_bready((sig).bready);             \
    (top).prefix##_bresp((sig).bresp);               \
    (top).prefix##_arvalid((sig).arvalid);           \
    (top).prefix##_arready((sig).arready);           \
    (top).prefix##_araddr((sig).araddr);             \
    (top).prefix##_arlen((sig).arlen);               \
    (top).prefix##_arsize((sig).arsize);             \
    (top).prefix##_arburst((sig).arburst);           \
    (top).prefix##_rvalid((sig).rvalid);             \
    (top).prefix##_rready((sig).rready);             \
    (top).prefix##_rdata((sig).rdata);               \
    (top).prefix##_rresp((sig).rresp);               \
    (top).prefix##_rlast((sig).rlast);               \
  } while (0)

// ---- APB (AMBA 3/4) -----------------------------------------------------------
template <unsigned ADDR_BITS = 32, unsigned DATA_BITS = 32>
struct ApbSignals {
  static_assert(DATA_BITS == 8 || DATA_BITS == 16 || DATA_BITS == 32, "APB data is 8, 16 or 32 bits");
  using addr_t = pin_t<ADDR_BITS>;
  using data_t = pin_t<DATA_BITS>;
  using strb_t = pin_t<DATA_BITS / 8>;

  explicit ApbSignals(const std::string& prefix)
      : psel(pin_name(prefix, "psel").c_str()), penable(pin_name(prefix, "penable").c_str()),
        pwrite(pin_name(prefix, "pwrite").c_str()), paddr(pin_name(prefix, "paddr").c_str()),
        pwdata(pin_name(prefix, "pwdata").c_str()), pstrb(pin_name(prefix, "pstrb").c_str()),
        pready(pin_name(prefix, "pready").c_str()), prdata(pin_name(prefix, "prdata").c_str()),
        pslverr(pin_name(prefix, "pslverr").c_str()) {}

  sc_core::sc_signal<bool> psel, penable, pwrite;
  sc_core::sc_signal<addr_t> paddr;
  sc_core::sc_signal<data_t> pwdata;
  sc_core::sc_signal<strb_t> pstrb;
  sc_core::sc_signal<bool> pready;
  sc_core::sc_signal<data_t> prdata;
  sc_core::sc_signal<bool> pslverr;
};

#define COSIM_RTL_BIND_APB_SLAVE(top, prefix, sig) \
  do {                                             \
    (top).prefix##_psel((sig).psel);               \
    (top).prefix##_penable((sig).penable);         \
    (top).prefix##_pwrite((sig).pwrite);           \
    (top).prefix##_paddr((sig).paddr);             \
    (top).prefix##_pwdata((sig).pwdata);           \
    (top).prefix##_pstrb((sig).pstrb);             \
    (top).prefix##_pready((sig).pready);           \
    (top).prefix##_prdata((sig).prdata);           \
    (top).prefix##_pslverr((sig).pslverr);         \
  } while (0)

// ---- Wishbone B4 classic --------------------------------------------------------
// ADR carries the byte address of the port-width word (low bits zero).
template <unsigned ADDR_BITS = 32, unsigned DATA_BITS = 32>
struct WishboneSignals {
  static_assert(DATA_BITS == 8 || DATA_BITS == 16 || DATA_BITS == 32, "Wishbone data is 8, 16 or 32 bits here");
  using addr_t = pin_t<ADDR_BITS>;
  using data_t = pin_t<DATA_BITS>;
  using sel_t = pin_t<DATA_BITS / 8>;

  explicit WishboneSignals(const std::string& prefix)
      : cyc(pin_name(prefix, "cyc").c_str()), stb(pin_name(prefix, "stb").c_str()),
        we(pin_name(prefix, "we").c_str()), adr(pin_name(prefix, "adr").c_str()),
        dat_w(pin_name(prefix, "dat_w").c_str()), sel(pin_name(prefix, "sel").c_str()),
        ack(pin_name(prefix, "ack").c_str()), err(pin_name(prefix, "err").c_str()),
        rty(pin_name(prefix, "rty").c_str()), dat_r(pin_name(prefix, "dat_r").c_str()) {}

  sc_core::sc_signal<bool> cyc, stb, we;
  sc_core::sc_signal<addr_t> adr;
  sc_core::sc_signal<data_t> dat_w;  // master -> slave (DAT_O of the master)
  sc_core::sc_signal<sel_t> sel;
  sc_core::sc_signal<bool> ack, err, rty;
  sc_core::sc_signal<data_t> dat_r;  // slave -> master (DAT_I of the master)
};

#define COSIM_RTL_BIND_WB_SLAVE(top, prefix, sig) \
  do {                                            \
    (top).prefix##_cyc((sig).cyc);                \
    (top).prefix##_stb((sig).stb);                \
    (top).prefix##_we((sig).we);                  \
    (top).prefix##_adr((sig).adr);                \
    (top).prefix##_dat_w((sig).dat_w);            \
    (top).prefix##_sel((sig).sel);                \
    (top).prefix##_ack((sig).ack);                \
    (top).prefix##_err((sig).err);                \
    (top).prefix##_rty((sig).rty);                \
    (top).prefix##_dat_r((sig).dat_r);            \
  } while (0)

}  // namespace cosim::rtl
