// The adapter testbench's construction and binding.
#include "adapters_bench.h"

namespace cosim::rtl::test {

AdapterBench::AdapterBench(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name), cr("cr", sc_core::sc_time(10, sc_core::SC_NS)), axil_sig("axil"), axil("axil"),
      axil_dut("axil_dut"), axil_check("axil_check"), axil_m("axil_m"), dead_sig("dead"), dead("dead"),
      dead_m("dead_m"), apb_sig("apb"), apb("apb"), apb_dut("apb_dut"), apb_m("apb_m"), apb_mon("apb_mon"), wb8("8"), wb16("16"),
      wb32("32"), wb8_dut("wb8_dut"), wb16_dut("wb16_dut"), wb32_dut("wb32_dut"), wb8_mon("wb8_mon"), wb16_mon("wb16_mon"), wb32_mon("wb32_mon"), axi_sig("axi"),
      axi_dut("axi_dut"), axi2tlm("axi2tlm"), axi_check("axi_check"), mem("mem", host), irq("irq", &irq_log),
      runner("runner") {
  // AXI4-Lite
  axil.clk(cr.clk);
  axil.resetn(cr.resetn);
  axil.bind(axil_sig);
  axil_dut.clk(cr.clk);
  axil_dut.aresetn(cr.resetn);
  COSIM_RTL_BIND_AXIL_SLAVE(axil_dut, s, axil_sig);
  axil_check.clk(cr.clk);
  axil_check.resetn(cr.resetn);
  axil_check.bind(axil_sig);
  axil_m.socket.bind(axil.socket);
  dead.clk(cr.clk);
  dead.resetn(cr.resetn);
  dead.bind(dead_sig);
  dead.set_timeout_cycles(50);
  dead_m.socket.bind(dead.socket);

  // APB
  apb.clk(cr.clk);
  apb.resetn(cr.resetn);
  apb.bind(apb_sig);
  apb_dut.clk(cr.clk);
  apb_dut.aresetn(cr.resetn);
  COSIM_RTL_BIND_APB_SLAVE(apb_dut, p, apb_sig);
  apb_m.socket.bind(apb.socket);
  apb_mon.clk(cr.clk);
  apb_mon.s = &apb_sig;

  // Wishbone
  wb8.adapter.clk(cr.clk);
  wb8.adapter.resetn(cr.resetn);
  wb16.adapter.clk(cr.clk);
  wb16.adapter.resetn(cr.resetn);
  wb32.adapter.clk(cr.clk);
  wb32.adapter.resetn(cr.resetn);
  wb8_dut.clk(cr.clk);
  wb8_dut.aresetn(cr.resetn);
  wb16_dut.clk(cr.clk);
  wb16_dut.aresetn(cr.resetn);
  wb32_dut.clk(cr.clk);
  wb32_dut.aresetn(cr.resetn);
  COSIM_RTL_BIND_WB_SLAVE(wb8_dut, w, wb8.sig);
  COSIM_RTL_BIND_WB_SLAVE(wb16_dut, w, wb16.sig);
  COSIM_RTL_BIND_WB_SLAVE(wb32_dut, w, wb32.sig);
  wb8_mon.clk(cr.clk);
  wb8_mon.s = &wb8.sig;
  wb16_mon.clk(cr.clk);
  wb16_mon.s = &wb16.sig;
  wb32_mon.clk(cr.clk);
  wb32_mon.s = &wb32.sig;

  // AXI4 master -> TLM
  host.add_region(kMemBase, kMemSize);
  host.make_invalid(kRefused, 16);
  axi_dut.clk(cr.clk);
  axi_dut.aresetn(cr.resetn);
  axi_dut.cmd_valid(cmd_valid);
  axi_dut.cmd_ready(cmd_ready);
  axi_dut.cmd_write(cmd_write);
  axi_dut.cmd_addr(cmd_addr);
  axi_dut.cmd_len(cmd_len);
  axi_dut.cmd_size(cmd_size);
  axi_dut.cmd_burst(cmd_burst);
  axi_dut.cmd_seed(cmd_seed);
  axi_dut.cmd_w_first(cmd_w_first);
  axi_dut.cmd_stall(cmd_stall);
  axi_dut.done(done);
  axi_dut.resp(resp);
  axi_dut.rlast_ok(rlast_ok);
  axi_dut.beats(beats);
  axi_dut.rd_index(rd_index);
  axi_dut.rd_word(rd_word);
  COSIM_RTL_BIND_AXI4_MASTER(axi_dut, m, axi_sig);
  axi2tlm.clk(cr.clk);
  axi2tlm.resetn(cr.resetn);
  axi2tlm.bind(axi_sig);
  axi2tlm.socket.bind(mem.socket);
  axi_check.clk(cr.clk);
  axi_check.resetn(cr.resetn);
  axi_check.bind(axi_sig);

  // IRQ monitor
  irq.clk(cr.clk);
  irq.intx(irq_intx);
  irq.req_valid(irq_valid);
  irq.req_ready(irq_ready);
  irq.req_msix(irq_msix);
  irq.req_vector(irq_vector);
}

AdapterBench& AdapterBench::get() {
  static AdapterBench* b = new AdapterBench("tb");  // lives until exit, as the kernel does
  return *b;
}

}  // namespace cosim::rtl::test
