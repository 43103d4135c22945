// AXI4 burst arithmetic (AMBA AXI spec, "Burst address" pseudocode): the
// address and active byte lanes of every beat of a FIXED, INCR or WRAP burst,
// and the legality rules a slave or a checker applies. Shared by AxiToTlm and
// Axi4Checker.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cosim::rtl {

struct AxiBurstRequest {
  uint64_t addr = 0;
  unsigned len = 0;    // AxLEN: beats - 1
  unsigned size = 0;   // AxSIZE: log2(bytes per beat)
  unsigned burst = 1;  // AxBURST: 0 FIXED, 1 INCR, 2 WRAP
};

struct AxiBeat {
  uint64_t addr = 0;      // the beat's address (unaligned for the first beat of an unaligned burst)
  uint64_t lane_base = 0; // address of byte lane 0 of the data bus for this beat
  unsigned lo_lane = 0;   // first active byte lane
  unsigned hi_lane = 0;   // last active byte lane (inclusive)
  uint32_t lanes() const { return ((hi_lane >= 31 ? 0xffffffffu : ((1u << (hi_lane + 1)) - 1))) & ~((1u << lo_lane) - 1); }
  uint64_t first_byte() const { return lane_base + lo_lane; }
  unsigned bytes() const { return hi_lane - lo_lane + 1; }
};

// Empty if the burst is legal for a bus of `bus_bytes`; otherwise what is wrong
// (size wider than the bus, reserved burst type, WRAP length or alignment,
// FIXED longer than 16 beats, INCR crossing a 4 KiB boundary).
std::string axi_burst_error(const AxiBurstRequest& req, unsigned bus_bytes);

// The beats of a (legal) burst, in order.
std::vector<AxiBeat> axi_burst_beats(const AxiBurstRequest& req, unsigned bus_bytes);

}  // namespace cosim::rtl
