// Port lists of the epf-test RTL's buses, declared once for every module
// that has them (listed first among the sources, so later files see them).
// <p>_<pin> names match what the SystemC side binds (cosim/rtl/pins.h).

`define EPF_AXIL_SLAVE_PORTS(p) \
    input  logic        p``_awvalid, \
    output logic        p``_awready, \
    input  logic [31:0] p``_awaddr, \
    input  logic        p``_wvalid, \
    output logic        p``_wready, \
    input  logic [31:0] p``_wdata, \
    input  logic [3:0]  p``_wstrb, \
    output logic        p``_bvalid, \
    input  logic        p``_bready, \
    output logic [1:0]  p``_bresp, \
    input  logic        p``_arvalid, \
    output logic        p``_arready, \
    input  logic [31:0] p``_araddr, \
    output logic        p``_rvalid, \
    input  logic        p``_rready, \
    output logic [31:0] p``_rdata, \
    output logic [1:0]  p``_rresp

`define EPF_AXIL_SLAVE_CONNECT(p) \
    .awvalid(p``_awvalid), .awready(p``_awready), .awaddr(p``_awaddr), \
    .wvalid(p``_wvalid), .wready(p``_wready), .wdata(p``_wdata), .wstrb(p``_wstrb), \
    .bvalid(p``_bvalid), .bready(p``_bready), .bresp(p``_bresp), \
    .arvalid(p``_arvalid), .arready(p``_arready), .araddr(p``_araddr), \
    .rvalid(p``_rvalid), .rready(p``_rready), .rdata(p``_rdata), .rresp(p``_rresp)

// The register bus from epf_axil_slave to what serves a BAR (epf_core,
// epf_bar_ram): one word write or read per enable, with an error answer.
// Needs the module parameter AW (address bits).
`define EPF_REG_BUS_TARGET_PORTS \
    input  logic          wr_en, \
    input  logic [AW-1:0] wr_addr, \
    input  logic [31:0]   wr_data, \
    input  logic [3:0]    wr_strb, \
    output logic          wr_err, \
    input  logic          rd_en, \
    input  logic [AW-1:0] rd_addr, \
    output logic [31:0]   rd_data, \
    output logic          rd_err

// AXI4 master with 64-bit address and data (subset: no ID, PROT, CACHE,
// LOCK, QOS, REGION, USER).
`define EPF_AXI4_MASTER_PORTS(p) \
    output logic        p``_awvalid, \
    input  logic        p``_awready, \
    output logic [63:0] p``_awaddr, \
    output logic [7:0]  p``_awlen, \
    output logic [2:0]  p``_awsize, \
    output logic [1:0]  p``_awburst, \
    output logic        p``_wvalid, \
    input  logic        p``_wready, \
    output logic [63:0] p``_wdata, \
    output logic [7:0]  p``_wstrb, \
    output logic        p``_wlast, \
    input  logic        p``_bvalid, \
    output logic        p``_bready, \
    input  logic [1:0]  p``_bresp, \
    output logic        p``_arvalid, \
    input  logic        p``_arready, \
    output logic [63:0] p``_araddr, \
    output logic [7:0]  p``_arlen, \
    output logic [2:0]  p``_arsize, \
    output logic [1:0]  p``_arburst, \
    input  logic        p``_rvalid, \
    output logic        p``_rready, \
    input  logic [63:0] p``_rdata, \
    input  logic [1:0]  p``_rresp, \
    input  logic        p``_rlast

// Connects an instance's AXI4 master ports <p>_* to same-named signals.
`define EPF_AXI4_MASTER_CONNECT(p) \
    .p``_awvalid(p``_awvalid), .p``_awready(p``_awready), .p``_awaddr(p``_awaddr), \
    .p``_awlen(p``_awlen), .p``_awsize(p``_awsize), .p``_awburst(p``_awburst), \
    .p``_wvalid(p``_wvalid), .p``_wready(p``_wready), .p``_wdata(p``_wdata), \
    .p``_wstrb(p``_wstrb), .p``_wlast(p``_wlast), \
    .p``_bvalid(p``_bvalid), .p``_bready(p``_bready), .p``_bresp(p``_bresp), \
    .p``_arvalid(p``_arvalid), .p``_arready(p``_arready), .p``_araddr(p``_araddr), \
    .p``_arlen(p``_arlen), .p``_arsize(p``_arsize), .p``_arburst(p``_arburst), \
    .p``_rvalid(p``_rvalid), .p``_rready(p``_rready), .p``_rdata(p``_rdata), \
    .p``_rresp(p``_rresp), .p``_rlast(p``_rlast)
