// AXI4 burst arithmetic, after the AXI specification's burst pseudocode.
#include "cosim/rtl/axi_burst.h"

#include <sstream>

namespace cosim::rtl {

std::string axi_burst_error(const AxiBurstRequest& req, unsigned bus_bytes) {
  std::ostringstream e;
  const uint64_t nb = uint64_t{1} << req.size;
  const uint64_t beats = uint64_t{req.len} + 1;
  if (req.size > 7 || nb > bus_bytes) {
    e << "AxSIZE " << req.size << " (" << nb << " bytes) is wider than the " << bus_bytes << "-byte bus";
  } else if (req.len > 255) {
    e << "AxLEN " << req.len << " exceeds 255";
  } else if (req.burst == 0) {
    if (beats > 16) e << "FIXED burst of " << beats << " beats (at most 16)";
  } else if (req.burst == 1) {
    const uint64_t aligned = req.addr / nb * nb;
    const uint64_t last = aligned + beats * nb - 1;
    if ((req.addr >> 12) != (last >> 12))
      e << "INCR burst at 0x" << std::hex << req.addr << " of " << std::dec << beats << " x " << nb
        << " bytes crosses a 4 KiB boundary";
  } else if (req.burst == 2) {
    if (beats != 2 && beats != 4 && beats != 8 && beats != 16)
      e << "WRAP burst of " << beats << " beats (2, 4, 8 or 16)";
    else if (req.addr % nb != 0)
      e << "WRAP burst at unaligned address 0x" << std::hex << req.addr;
  } else {
    e << "reserved AxBURST " << req.burst;
  }
  return e.str();
}

std::vector<AxiBeat> axi_burst_beats(const AxiBurstRequest& req, unsigned bus_bytes) {
  const uint64_t nb = uint64_t{1} << req.size;
  const uint64_t beats = uint64_t{req.len} + 1;
  const uint64_t db = bus_bytes;
  const uint64_t aligned = req.addr / nb * nb;
  const uint64_t total = nb * beats;
  const uint64_t wrap_lo = req.addr / total * total;
  std::vector<AxiBeat> out;
  out.reserve(beats);
  for (uint64_t n = 0; n < beats; ++n) {
    uint64_t a;
    if (req.burst == 0) {
      a = req.addr;
    } else if (n == 0) {
      a = req.addr;
    } else {
      a = aligned + n * nb;
      if (req.burst == 2 && a >= wrap_lo + total) a -= total;
    }
    const uint64_t a_aligned = a / nb * nb;  // unaligned only for the first beat (and FIXED)
    AxiBeat b;
    b.addr = a;
    b.lane_base = a / db * db;
    b.lo_lane = static_cast<unsigned>(a - b.lane_base);
    b.hi_lane = static_cast<unsigned>(a_aligned + nb - 1 - b.lane_base);
    out.push_back(b);
  }
  return out;
}

}  // namespace cosim::rtl
