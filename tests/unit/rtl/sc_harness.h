// SystemC test harness for the RTL unit tests: a runner that executes a test's
// steps in an SC_THREAD (bus adapters wait for clock edges) and runs the
// kernel until they finish, a TLM memory backed by a HostPort (the same
// FakeHost the native model's tests use, so both see identical memory and
// DMA faults), an MSI/MSI-X recorder and a BAR master.
//
// SystemC elaborates once per process: each test binary builds one testbench
// on first use and its tests share it, each starting from a reset.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "cosim/bridge/device.h"

namespace cosim::rtl::test {

// Runs a job in simulation context. run() returns false if the job did not
// finish within `limit` of simulated time (the job stays stuck in its thread).
class Runner : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Runner);
  explicit Runner(const sc_core::sc_module_name& name) : sc_core::sc_module(name) { SC_THREAD(main); }

  bool run(std::function<void()> job, const sc_core::sc_time& limit = sc_core::sc_time(50, sc_core::SC_MS)) {
    job_ = std::move(job);
    done_ = false;
    pending_ = true;  // a notification before the first sc_start would be lost
    go_.notify(sc_core::SC_ZERO_TIME);
    sc_core::sc_start(limit);
    return done_;
  }

 private:
  void main() {
    for (;;) {
      while (!pending_) sc_core::wait(go_);
      pending_ = false;
      job_();
      done_ = true;
      sc_core::sc_pause();
    }
  }
  std::function<void()> job_;
  bool done_ = false;
  bool pending_ = false;
  sc_core::sc_event go_;
};

// A TLM target serving bus-master accesses from a HostPort: reads and writes
// of any length; a HostPort error answers TLM_ADDRESS_ERROR_RESPONSE, as the
// bridge does for memory the guest cannot reach. Records each access.
class HostMemory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<HostMemory, 32> socket;
  struct Access {
    bool write;
    uint64_t addr;
    unsigned len;
    sc_core::sc_time time;
  };

  HostMemory(const sc_core::sc_module_name& name, HostPort& host) : sc_core::sc_module(name), socket("socket"), host_(host) {
    socket.register_b_transport(this, &HostMemory::b_transport);
  }
  std::vector<Access> accesses;
  // Delay annotated per access (a memory latency), default none.
  sc_core::sc_time latency = sc_core::SC_ZERO_TIME;

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const bool write = gp.is_write();
    accesses.push_back({write, gp.get_address(), gp.get_data_length(), sc_core::sc_time_stamp()});
    if (gp.get_byte_enable_ptr() || gp.get_streaming_width() < gp.get_data_length()) {
      gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
      return;
    }
    const Status s = write ? host_.dma_write(gp.get_address(), {gp.get_data_ptr(), gp.get_data_length()})
                           : host_.dma_read(gp.get_address(), {gp.get_data_ptr(), gp.get_data_length()});
    gp.set_response_status(s ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    delay += latency;
  }
  HostPort& host_;
};

// A TLM initiator for bus accesses from test jobs (simulation context).
class BusMaster : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<BusMaster, 32> socket;
  explicit BusMaster(const sc_core::sc_module_name& name) : sc_core::sc_module(name), socket("socket") {}

  // One payload; returns the response status. `be` (optional) is the byte-enable array.
  tlm::tlm_response_status transport(bool write, uint64_t addr, unsigned char* data, unsigned len,
                                     const std::vector<unsigned char>& be = {},
                                     sc_core::sc_time delay = sc_core::SC_ZERO_TIME) {
    tlm::tlm_generic_payload gp;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    std::vector<unsigned char> be_copy = be;
    gp.set_byte_enable_ptr(be_copy.empty() ? nullptr : be_copy.data());
    gp.set_byte_enable_length(static_cast<unsigned>(be_copy.size()));
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(gp, delay);
    return gp.get_response_status();
  }
  // Little-endian value accesses of 1/2/4/8 bytes.
  tlm::tlm_response_status write(uint64_t addr, uint64_t value, unsigned size) {
    unsigned char b[8];
    for (unsigned i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(value >> (8 * i));
    return transport(true, addr, b, size);
  }
  tlm::tlm_response_status read(uint64_t addr, uint64_t& value, unsigned size) {
    unsigned char b[8] = {};
    const auto r = transport(false, addr, b, size);
    value = 0;
    for (unsigned i = 0; i < size; ++i) value |= uint64_t{b[i]} << (8 * i);
    return r;
  }
  uint32_t read32(uint64_t addr) {
    uint64_t v = 0;
    read(addr, v, 4);
    return static_cast<uint32_t>(v);
  }
};

// Deterministic test data.
inline void fill_random(std::span<uint8_t> out, uint64_t seed) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& b : out) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    b = static_cast<uint8_t>(s >> 56);
  }
}

}  // namespace cosim::rtl::test
