// AXI4 master pins (from the RTL) -> TLM-2.0 initiator: the slave side of an
// RTL bus master, for DMA. Reads and writes are served by two independent
// threads, one burst at a time each (no IDs: responses in order).
//
// Read burst: AR is accepted, the burst's bytes are fetched with b_transport
// (consecutive beats whose bytes are contiguous become one transaction: an
// INCR burst is one TLM read), the annotated delay is waited out, then the R
// beats follow one per cycle as RREADY allows.
// Write burst: AW is accepted, then WREADY is held high for the burst's beats
// (the slave may wait for AW before WREADY: AXI allows it); the strobed bytes
// become b_transport writes of contiguous runs (no byte-enable arrays, so any
// TLM target can serve them), the delay is waited out, then B.
// Any size up to the bus width, INCR, FIXED and WRAP bursts of legal length.
// Response mapping: TLM_OK_RESPONSE -> OKAY, TLM_ADDRESS_ERROR_RESPONSE ->
// DECERR, any other status -> SLVERR (the worst one for a write burst). An
// illegal burst (axi_burst_error) is answered SLVERR without TLM traffic.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "cosim/rtl/axi_burst.h"
#include "cosim/rtl/pins.h"

namespace cosim::rtl {

// TLM response -> AXI response code.
inline AxiResp axi_resp_from_tlm(tlm::tlm_response_status s) {
  if (s == tlm::TLM_OK_RESPONSE) return AxiResp::kOkay;
  if (s == tlm::TLM_ADDRESS_ERROR_RESPONSE) return AxiResp::kDecErr;
  return AxiResp::kSlvErr;
}

template <unsigned ADDR_BITS = 64, unsigned DATA_BITS = 64, unsigned TLM_BUSWIDTH = 32>
class AxiToTlm : public sc_core::sc_module {
 public:
  using Signals = Axi4Signals<ADDR_BITS, DATA_BITS>;
  using addr_t = typename Signals::addr_t;
  using data_t = typename Signals::data_t;
  using strb_t = typename Signals::strb_t;
  static constexpr unsigned kBusBytes = DATA_BITS / 8;

  tlm_utils::simple_initiator_socket<AxiToTlm, TLM_BUSWIDTH> socket;
  sc_core::sc_in<bool> clk;
  sc_core::sc_in<bool> resetn;  // active low: drops outputs and abandons bursts in flight

  COSIM_RTL_BUS_PORTS(COSIM_RTL_AXI4_PINS, slave)

  SC_HAS_PROCESS(AxiToTlm);
  explicit AxiToTlm(const sc_core::sc_module_name& name)
      : sc_core::sc_module(name), socket("socket"), clk("clk"), resetn("resetn") {
    SC_THREAD(read_thread);
    SC_THREAD(write_thread);
  }

  // Statistics since construction.
  uint64_t read_bursts() const { return read_bursts_; }
  uint64_t write_bursts() const { return write_bursts_; }
  uint64_t read_transports() const { return read_transports_; }
  uint64_t write_transports() const { return write_transports_; }
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t error_responses() const { return error_responses_; }

 private:
  struct Run {
    uint64_t addr = 0;
    std::vector<unsigned char> bytes;
  };

  // Waits for the next rising edge; false if reset is asserted at it.
  bool edge() {
    sc_core::wait(clk.posedge_event());
    return resetn.read();
  }
  // Waits, cycle by cycle, until `valid` is sampled high at a rising edge
  // (sleeping on its rising event while it is low, so an idle channel costs
  // nothing per cycle). False if reset is asserted at an edge on the way.
  bool await_valid(sc_core::sc_in<bool>& valid) {
    for (;;) {
      if (!valid.read()) sc_core::wait(valid.posedge_event() | resetn.negedge_event());
      if (!edge()) return false;
      if (valid.read()) return true;
    }
  }
  void await_reset_release() {
    if (!resetn.read()) sc_core::wait(resetn.posedge_event());
  }

  tlm::tlm_response_status transport(tlm::tlm_command cmd, uint64_t addr, unsigned char* data, unsigned len,
                                     sc_core::sc_time& delay) {
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(gp, delay);
    if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) ++error_responses_;
    return gp.get_response_status();
  }

  static AxiResp worse(AxiResp a, AxiResp b) {
    // DECERR over SLVERR over OKAY.
    auto rank = [](AxiResp r) { return r == AxiResp::kDecErr ? 2 : r == AxiResp::kSlvErr ? 1 : 0; };
    return rank(a) >= rank(b) ? a : b;
  }

  void read_thread() {
    arready.write(false);
    rvalid.write(false);
    rlast.write(false);
    rresp.write(0);
    for (;;) {
      await_reset_release();
      arready.write(true);
      if (!await_valid(arvalid)) continue;
      // Handshake at this edge.
      arready.write(false);
      AxiBurstRequest req{pin_u64(araddr.read()), arlen.read() & 0xff, arsize.read() & 7, arburst.read() & 3};
      ++read_bursts_;
      const unsigned nbeats = req.len + 1;
      std::vector<uint64_t> data(nbeats, 0);
      std::vector<AxiResp> resp(nbeats, AxiResp::kOkay);
      if (!axi_burst_error(req, kBusBytes).empty()) {
        std::fill(resp.begin(), resp.end(), AxiResp::kSlvErr);
      } else {
        const std::vector<AxiBeat> beats = axi_burst_beats(req, kBusBytes);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        // Runs of beats whose bytes follow each other: one TLM read each.
        size_t first = 0;
        while (first < nbeats) {
          size_t last = first;
          uint64_t end = beats[first].first_byte() + beats[first].bytes();
          while (last + 1 < nbeats && beats[last + 1].first_byte() == end) {
            ++last;
            end += beats[last].bytes();
          }
          std::vector<unsigned char> buf(end - beats[first].first_byte());
          const AxiResp r = axi_resp_from_tlm(
              transport(tlm::TLM_READ_COMMAND, beats[first].first_byte(), buf.data(),
                        static_cast<unsigned>(buf.size()), delay));
          ++read_transports_;
          bytes_read_ += buf.size();
          size_t off = 0;
          for (size_t b = first; b <= last; ++b) {
            for (unsigned lane = beats[b].lo_lane; lane <= beats[b].hi_lane; ++lane)
              data[b] |= uint64_t{buf[off++]} << (8 * lane);
            resp[b] = r;
          }
          first = last + 1;
        }
        sc_core::wait(delay);
        if (!resetn.read()) continue;
      }
      bool reset = false;
      for (unsigned b = 0; b < nbeats && !reset; ++b) {
        rdata.write(to_pin<data_t>(data[b]));
        rresp.write(static_cast<uint32_t>(resp[b]));
        rlast.write(b + 1 == nbeats);
        rvalid.write(true);
        do {
          if (!edge()) reset = true;
        } while (!reset && !rready.read());
      }
      rvalid.write(false);
      rlast.write(false);
    }
  }

  void write_thread() {
    awready.write(false);
    wready.write(false);
    bvalid.write(false);
    bresp.write(0);
    for (;;) {
      await_reset_release();
      awready.write(true);
      if (!await_valid(awvalid)) continue;
      awready.write(false);
      AxiBurstRequest req{pin_u64(awaddr.read()), awlen.read() & 0xff, awsize.read() & 7, awburst.read() & 3};
      ++write_bursts_;
      const unsigned nbeats = req.len + 1;
      const std::string error = axi_burst_error(req, kBusBytes);
      const std::vector<AxiBeat> beats = error.empty() ? axi_burst_beats(req, kBusBytes) : std::vector<AxiBeat>();
      // Collect the beats: the bytes each one writes, in order.
      std::vector<std::pair<uint64_t, unsigned char>> bytes;
      bool last_ok = true;
      bool reset = false;
      wready.write(true);
      for (unsigned b = 0; b < nbeats; ++b) {
        if (!await_valid(wvalid)) {
          reset = true;
          break;
        }
        const uint64_t d = pin_u64(wdata.read());
        const uint32_t strb = static_cast<uint32_t>(pin_u64(wstrb.read()));
        if (wlast.read() != (b + 1 == nbeats)) last_ok = false;
        if (error.empty()) {
          // Strobes outside the beat's lanes are ignored (the checker flags them).
          for (unsigned lane = beats[b].lo_lane; lane <= beats[b].hi_lane; ++lane)
            if (strb & (1u << lane))
              bytes.emplace_back(beats[b].lane_base + lane, static_cast<unsigned char>(d >> (8 * lane)));
        }
      }
      wready.write(false);
      if (reset) continue;

      AxiResp resp = (error.empty() && last_ok) ? AxiResp::kOkay : AxiResp::kSlvErr;
      if (resp == AxiResp::kOkay) {
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        size_t i = 0;
        while (i < bytes.size()) {
          Run run;
          run.addr = bytes[i].first;
          while (i < bytes.size() && bytes[i].first == run.addr + run.bytes.size())
            run.bytes.push_back(bytes[i++].second);
          resp = worse(resp, axi_resp_from_tlm(transport(tlm::TLM_WRITE_COMMAND, run.addr, run.bytes.data(),
                                                         static_cast<unsigned>(run.bytes.size()), delay)));
          ++write_transports_;
          bytes_written_ += run.bytes.size();
        }
        sc_core::wait(delay);
        if (!resetn.read()) continue;
      }
      bresp.write(static_cast<uint32_t>(resp));
      bvalid.write(true);
      do {
        if (!edge()) reset = true;
      } while (!reset && !bready.read());
      bvalid.write(false);
    }
  }

  uint64_t read_bursts_ = 0, write_bursts_ = 0;
  uint64_t read_transports_ = 0, write_transports_ = 0;
  uint64_t bytes_read_ = 0, bytes_written_ = 0;
  uint64_t error_responses_ = 0;
};

}  // namespace cosim::rtl
