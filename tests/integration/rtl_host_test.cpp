// cosim-host serving rtl:epf-test (the Verilated RTL) in a process of its own,
// driven over unix:// by a RemoteDevice: 1/2/4-byte accesses on an I/O BAR
// and 8/16-bit accesses on a memory BAR must reach the RTL's AXI4-Lite pins
// unchanged. What the RTL saw is read back from the host's own waveform (VCD)
// of the run: every AW/W/AR handshake on the two BARs' ports, with address,
// data and WSTRB, must be exactly the accesses sent. Suites are named RtlHost*.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "epf_test_regs.h"
#include "guest_memory.h"
#include "integration_fixture.h"

namespace cosim::integration {
namespace {

using namespace std::chrono;

// The handshakes of one AXI4-Lite slave port, in order, from a VCD.
struct AxiLiteLog {
  std::vector<uint64_t> aw_addr;
  std::vector<std::pair<uint64_t, uint64_t>> w_data_strb;
  std::vector<uint64_t> ar_addr;
};

// A minimal VCD reader for what the recorder writes: scalar ("1!") and vector
// ("b1010 !") changes, "#t" timestamps. A handshake is VALID && READY in the
// values that stand just before a rising edge of `clk` (the values after the
// previous timestamp), which is what the slave samples at that edge.
class VcdHandshakes {
 public:
  // Records the handshakes of the ports <prefix>_* for each of `prefixes`.
  VcdHandshakes(const std::string& path, const std::vector<std::string>& prefixes) {
    for (const auto& p : prefixes) ports_[p];
    std::ifstream in(path);
    if (!in) {
      error_ = "cannot open " + path;
      return;
    }
    std::string tok;
    int depth = 0;
    // Header: the shallowest variable of each name is the top's port.
    std::map<std::string, int> best_depth;
    while (in >> tok) {
      if (tok == "$scope") {
        ++depth;
      } else if (tok == "$upscope") {
        --depth;
      } else if (tok == "$var") {
        std::string type, width, id, name;
        in >> type >> width >> id >> name;
        auto it = best_depth.find(name);
        if (it == best_depth.end() || depth < it->second) {
          best_depth[name] = depth;
          id_of_[name] = id;
        }
      } else if (tok == "$enddefinitions") {
        break;
      }
    }
    std::map<std::string, uint64_t> now, prev;
    bool have_time = false;
    auto flush = [&] {
      // `now` holds the values at the timestamp just finished; a rising clock
      // there means `prev` is what the edge sampled.
      if (have_time && value(prev, "clk") == 0 && value(now, "clk") == 1) on_edge(prev);
      prev = now;
    };
    while (in >> tok) {
      if (tok[0] == '#') {
        flush();
        have_time = true;
      } else if (tok[0] == 'b' || tok[0] == 'B') {
        std::string id;
        in >> id;
        uint64_t v = 0;
        for (size_t i = 1; i < tok.size(); ++i) v = (v << 1) | (tok[i] == '1' ? 1 : 0);
        now[id] = v;
      } else if (tok[0] == '0' || tok[0] == '1' || tok[0] == 'x' || tok[0] == 'z') {
        now[tok.substr(1)] = tok[0] == '1' ? 1 : 0;
      }
    }
    flush();
  }

  const std::string& error() const { return error_; }
  bool has(const std::string& name) const { return id_of_.count(name) != 0; }
  const AxiLiteLog& port(const std::string& prefix) { return ports_[prefix]; }

 private:
  uint64_t value(const std::map<std::string, uint64_t>& state, const std::string& name) const {
    auto id = id_of_.find(name);
    if (id == id_of_.end()) return 0;
    auto v = state.find(id->second);
    return v == state.end() ? 0 : v->second;
  }

  void on_edge(const std::map<std::string, uint64_t>& s) {
    for (auto& [p, log] : ports_) {
      auto v = [&](const char* pin) { return value(s, p + "_" + pin); };
      if (v("awvalid") && v("awready")) log.aw_addr.push_back(v("awaddr"));
      if (v("wvalid") && v("wready")) log.w_data_strb.emplace_back(v("wdata"), v("wstrb"));
      if (v("arvalid") && v("arready")) log.ar_addr.push_back(v("araddr"));
    }
  }

  std::string error_;
  std::map<std::string, std::string> id_of_;  // signal name -> VCD id
  std::map<std::string, AxiLiteLog> ports_;
};

class RtlHostAccess : public IntegrationTest {};

TEST_F(RtlHostAccess, IoBarAndNarrowAccessesReachTheRtlUnchanged) {
  const std::string waves = log_dir_ + "/waves";
  std::filesystem::remove_all(waves);
  HostOptions o;
  o.model = "rtl:epf-test";
  // BAR2 as a 256-byte I/O BAR (the largest PCI allows); waveforms of the
  // whole run, as VCD, to see the RTL's pins.
  o.params = {"bar2=256", "bar2_kind=io", "waves=vcd", "waves_dir=" + waves, "waves_test=io"};
  Host host;
  ASSERT_NO_FATAL_FAILURE(start_host(Net::kUnix, o, host));
  auto dev = connect(host.endpoint);
  ASSERT_TRUE(dev) << dev.status().to_string();
  GuestMemory memory;
  (*dev)->attach(&memory);
  const DeviceDescription& d = (*dev)->description();
  ASSERT_EQ(d.bars[2].kind, BarKind::kIo);
  ASSERT_EQ(d.bars[2].size, 256u);
  ASSERT_EQ(d.bars[1].kind, BarKind::kMem32);

  RemoteDevice& r = **dev;
  uint64_t v = 0;
  // I/O BAR2: 4-, 1- and 2-byte writes, then reads of each.
  ASSERT_TRUE(r.bar_write(2, 0x10, 4, 0x11223344));
  ASSERT_TRUE(r.bar_write(2, 0x21, 1, 0xab));
  ASSERT_TRUE(r.bar_write(2, 0x32, 2, 0xbeef));
  ASSERT_TRUE(r.bar_read(2, 0x21, 1, v));
  EXPECT_EQ(v, 0xabu);
  ASSERT_TRUE(r.bar_read(2, 0x32, 2, v));
  EXPECT_EQ(v, 0xbeefu);
  ASSERT_TRUE(r.bar_read(2, 0x10, 4, v));
  EXPECT_EQ(v, 0x11223344u);
  ASSERT_TRUE(r.bar_read(2, 0x13, 1, v));
  EXPECT_EQ(v, 0x11u);
  // An 8-byte access to an I/O BAR is refused before it reaches the device.
  EXPECT_FALSE(r.bar_write(2, 0x40, 8, 0));
  // Memory BAR1: 8- and 16-bit writes into a word of known contents.
  ASSERT_TRUE(r.bar_write(1, 0x04, 4, 0));
  ASSERT_TRUE(r.bar_write(1, 0x07, 1, 0x5a));
  ASSERT_TRUE(r.bar_write(1, 0x04, 2, 0xc0de));
  ASSERT_TRUE(r.bar_read(1, 0x04, 4, v));
  EXPECT_EQ(v, 0x5a00c0deu);
  ASSERT_TRUE(r.bar_read(1, 0x06, 2, v));
  EXPECT_EQ(v, 0x5a00u);
  ASSERT_TRUE(r.bar_read(1, 0x05, 1, v));
  EXPECT_EQ(v, 0xc0u);
  r.close("test finished");
  const auto st = host.process->wait_exit(seconds(30));
  ASSERT_TRUE(st.has_value()) << "cosim-host --once still runs 30 s after the frontend's goodbye";
  ASSERT_EQ(*st, 0);

  // What the RTL saw, from the host's waveform of the run.
  const std::string vcd = waves + "/io.run.vcd";
  VcdHandshakes h(vcd, {"s1", "s2"});
  ASSERT_EQ(h.error(), "");
  ASSERT_TRUE(h.has("clk") && h.has("s2_wstrb") && h.has("s1_wstrb")) << vcd << " lacks the top's ports";
  using DS = std::pair<uint64_t, uint64_t>;
  const AxiLiteLog& io = h.port("s2");
  EXPECT_EQ(io.aw_addr, (std::vector<uint64_t>{0x10, 0x20, 0x30}));
  EXPECT_EQ(io.w_data_strb, (std::vector<DS>{{0x11223344, 0xf}, {0xab00, 0x2}, {0xbeef0000, 0xc}}));
  EXPECT_EQ(io.ar_addr, (std::vector<uint64_t>{0x20, 0x30, 0x10, 0x10}));
  const AxiLiteLog& mem = h.port("s1");
  EXPECT_EQ(mem.aw_addr, (std::vector<uint64_t>{0x04, 0x04, 0x04}));
  EXPECT_EQ(mem.w_data_strb, (std::vector<DS>{{0, 0xf}, {0x5a000000, 0x8}, {0xc0de, 0x3}}));
  EXPECT_EQ(mem.ar_addr, (std::vector<uint64_t>{0x04, 0x04, 0x04}));
}

// waves_txn=N through the real host: the window around the N-th BAR access
// the bridge forwards holds that access and not ones long after it.
TEST_F(RtlHostAccess, WaveWindowAroundTheNthTransaction) {
  const std::string waves = log_dir_ + "/waves";
  std::filesystem::remove_all(waves);
  HostOptions o;
  o.model = "rtl:epf-test";
  o.params = {"waves=vcd", "waves_dir=" + waves, "waves_test=txn", "waves_txn=3", "waves_pre=20ns",
              "waves_post=50ns"};
  Host host;
  ASSERT_NO_FATAL_FAILURE(start_host(Net::kUnix, o, host));
  auto dev = connect(host.endpoint);
  ASSERT_TRUE(dev) << dev.status().to_string();
  GuestMemory memory;
  (*dev)->attach(&memory);
  // Ten writes to BAR1 word 4*i (transactions 1..10), then a read to wait for them.
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE((*dev)->bar_write(1, 4 * i, 4, 0x100 + i));
  uint64_t v = 0;
  ASSERT_TRUE((*dev)->bar_read(1, 4 * 9, 4, v));
  EXPECT_EQ(v, 0x109u);
  (*dev)->close("test finished");
  const auto st = host.process->wait_exit(seconds(30));
  ASSERT_TRUE(st.has_value());
  ASSERT_EQ(*st, 0);
  EXPECT_FALSE(std::filesystem::exists(waves + "/txn.run.vcd")) << "a window was asked for, not the whole run";
  VcdHandshakes h(waves + "/txn.txn3.vcd", {"s1"});
  ASSERT_EQ(h.error(), "");
  const AxiLiteLog& bar1 = h.port("s1");
  // Transaction 3 writes word 0x8; each write takes several 10 ns cycles, so
  // the 10th (0x24) is well past the 50 ns after transaction 3.
  EXPECT_NE(std::find(bar1.aw_addr.begin(), bar1.aw_addr.end(), 0x8u), bar1.aw_addr.end());
  EXPECT_EQ(std::find(bar1.aw_addr.begin(), bar1.aw_addr.end(), 0x24u), bar1.aw_addr.end());
  EXPECT_LT(bar1.aw_addr.size(), 10u);
}

}  // namespace
}  // namespace cosim::integration
