// TLM payload -> bus words, shared by the AXI4-Lite, APB and Wishbone adapters.
#include "cosim/rtl/tlm_bus_target.h"

#include <sstream>

namespace cosim::rtl {

TlmBusTarget::TlmBusTarget(const sc_core::sc_module_name& name, unsigned bus_bytes)
    : sc_core::sc_module(name), socket("socket"), clk("clk"), resetn("resetn"), bus_bytes_(bus_bytes) {
  socket.register_b_transport(this, &TlmBusTarget::b_transport);
}

void TlmBusTarget::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  // Catch up with the initiator's local time before touching the pins.
  sc_core::wait(delay);
  delay = sc_core::SC_ZERO_TIME;
  mutex_.lock();
  if (!resetn.read()) sc_core::wait(resetn.posedge_event());
  run_payload(gp);
  ++transactions_;
  mutex_.unlock();
}

void TlmBusTarget::run_payload(tlm::tlm_generic_payload& gp) {
  gp.set_dmi_allowed(false);
  const tlm::tlm_command cmd = gp.get_command();
  if (cmd == tlm::TLM_IGNORE_COMMAND) {
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  const uint64_t base = gp.get_address();
  const unsigned len = gp.get_data_length();
  if (len == 0 || gp.get_data_ptr() == nullptr) {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  // Streaming (a FIFO at one address) is not a bus word access.
  if (gp.get_streaming_width() != 0 && gp.get_streaming_width() < len) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  const unsigned char* be = gp.get_byte_enable_ptr();
  const unsigned be_len = gp.get_byte_enable_length();
  if (be && be_len == 0) {
    gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  unsigned char* data = gp.get_data_ptr();
  const bool write = cmd == tlm::TLM_WRITE_COMMAND;
  const uint64_t bb = bus_bytes_;

  begin_payload();
  WordResult result = WordResult::kOkay;
  uint64_t failed_addr = 0;
  for (uint64_t word = base / bb * bb; word < base + len; word += bb) {
    uint32_t strb = 0;
    uint64_t wdata = 0;
    for (unsigned lane = 0; lane < bb; ++lane) {
      const uint64_t a = word + lane;
      if (a < base || a >= base + len) continue;
      const uint64_t i = a - base;
      if (be && be[i % be_len] != TLM_BYTE_ENABLED) continue;
      strb |= 1u << lane;
      if (write) wdata |= uint64_t{data[i]} << (8 * lane);
    }
    if (strb == 0) continue;  // no byte of this word is enabled
    uint64_t rdata = 0;
    result = write ? write_word(word, wdata, strb) : read_word(word, strb, rdata);
    if (result != WordResult::kOkay) {
      failed_addr = word;
      break;
    }
    ++words_;
    if (!write)
      for (unsigned lane = 0; lane < bb; ++lane)
        if (strb & (1u << lane)) data[word + lane - base] = static_cast<unsigned char>(rdata >> (8 * lane));
  }
  if (result == WordResult::kTimeout || result == WordResult::kReset) idle_outputs();
  end_payload();

  switch (result) {
    case WordResult::kOkay: gp.set_response_status(tlm::TLM_OK_RESPONSE); return;
    case WordResult::kDecErr: gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE); return;
    case WordResult::kSlvErr: gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE); return;
    case WordResult::kTimeout:
    case WordResult::kReset: {
      std::ostringstream msg;
      msg << (write ? "write" : "read") << " of the bus word at 0x" << std::hex << failed_addr << std::dec;
      if (result == WordResult::kTimeout)
        msg << " not answered within " << timeout_cycles_ << " clock cycles";
      else
        msg << " interrupted by reset";
      SC_REPORT_WARNING(name(), msg.str().c_str());
      gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
  }
}

}  // namespace cosim::rtl
