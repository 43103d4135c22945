// Top level of the epf-test RTL (shared/specs/epf-test.md): one AXI4-Lite
// slave port per BAR (s0_* .. s5_*, 32-bit data, byte offsets within the BAR),
// an AXI4 master with 64-bit data for DMA (m_*), INTx as a level and MSI/MSI-X
// as a valid/ready request carrying the 0-based vector. Synchronous,
// active-low reset (aresetn) on the rising edge of clk.
//
// BARn_SIZE: bytes of each BAR's memory (0 = no BAR; accesses answer SLVERR).
// BAR0 holds the 0x30-byte register block and memory after it. The MSI-X
// table and PBA are emulated by the PCI side (QEMU), not here.
// The cfg_* inputs are straps from the device configuration: whether there is
// an INTx pin, how many MSI / MSI-X vectors exist, and the WRITE pattern seed.

// A memory BAR: AXI4-Lite front end plus epf_bar_ram.
`define EPF_MEMORY_BAR(n, sz) \
  logic        b``n``_wr_en, b``n``_wr_err, b``n``_rd_en, b``n``_rd_err; \
  logic [31:0] b``n``_wr_addr, b``n``_wr_data, b``n``_rd_addr, b``n``_rd_data; \
  logic [3:0]  b``n``_wr_strb; \
  epf_axil_slave u_s``n ( \
      .clk(clk), .aresetn(aresetn), `EPF_AXIL_SLAVE_CONNECT(s``n), \
      .wr_en(b``n``_wr_en), .wr_addr(b``n``_wr_addr), .wr_data(b``n``_wr_data), \
      .wr_strb(b``n``_wr_strb), .wr_err(b``n``_wr_err), .rd_en(b``n``_rd_en), \
      .rd_addr(b``n``_rd_addr), .rd_data(b``n``_rd_data), .rd_err(b``n``_rd_err)); \
  epf_bar_ram #(.SIZE(sz)) u_bar``n ( \
      .clk(clk), .wr_en(b``n``_wr_en), .wr_addr(b``n``_wr_addr), .wr_data(b``n``_wr_data), \
      .wr_strb(b``n``_wr_strb), .wr_err(b``n``_wr_err), .rd_en(b``n``_rd_en), \
      .rd_addr(b``n``_rd_addr), .rd_data(b``n``_rd_data), .rd_err(b``n``_rd_err))

module epf_test
  import epf_test_pkg::*;
#(
    parameter int unsigned BAR0_SIZE = 512,
    parameter int unsigned BAR1_SIZE = 512,
    parameter int unsigned BAR2_SIZE = 1024,
    parameter int unsigned BAR3_SIZE = 16384,
    parameter int unsigned BAR4_SIZE = 131072,
    parameter int unsigned BAR5_SIZE = 1048576
) (
    input  logic        clk,
    input  logic        aresetn,
    // Straps
    input  logic        cfg_intx_en,
    input  logic [5:0]  cfg_msi_vectors,
    input  logic [11:0] cfg_msix_vectors,
    input  logic [63:0] cfg_write_seed,
    // BAR ports
    `EPF_AXIL_SLAVE_PORTS(s0),
    `EPF_AXIL_SLAVE_PORTS(s1),
    `EPF_AXIL_SLAVE_PORTS(s2),
    `EPF_AXIL_SLAVE_PORTS(s3),
    `EPF_AXIL_SLAVE_PORTS(s4),
    `EPF_AXIL_SLAVE_PORTS(s5),
    // DMA master
    `EPF_AXI4_MASTER_PORTS(m),
    // Activity: high while a command is pending or running (DMA, interrupt
    // request); a wrapper may stop the clock while it is low and no bus
    // transaction is in flight.
    output logic        busy,
    // Interrupts
    output logic        intx,
    output logic        irq_req_valid,
    input  logic        irq_req_ready,
    output logic        irq_req_msix,
    output logic [10:0] irq_req_vector
);
  // ---- BAR0: registers + memory ----------------------------------------------
  logic        b0_wr_en, b0_wr_err, b0_rd_en, b0_rd_err;
  logic [31:0] b0_wr_addr, b0_wr_data, b0_rd_addr, b0_rd_data;
  logic [3:0]  b0_wr_strb;

  epf_axil_slave u_s0 (
      .clk(clk),
      .aresetn(aresetn),
      `EPF_AXIL_SLAVE_CONNECT(s0),
      .wr_en(b0_wr_en),
      .wr_addr(b0_wr_addr),
      .wr_data(b0_wr_data),
      .wr_strb(b0_wr_strb),
      .wr_err(b0_wr_err),
      .rd_en(b0_rd_en),
      .rd_addr(b0_rd_addr),
      .rd_data(b0_rd_data),
      .rd_err(b0_rd_err)
  );

  logic        dma_start, dma_busy, dma_done, dma_src_err, dma_dst_err, core_busy;
  dma_op_e     dma_op;
  logic [63:0] dma_src, dma_dst, dma_pat_seed;
  logic [31:0] dma_size, dma_crc;

  epf_core #(
      .BAR0_SIZE(BAR0_SIZE)
  ) u_core (
      .clk             (clk),
      .aresetn         (aresetn),
      .cfg_intx_en     (cfg_intx_en),
      .cfg_msi_vectors (cfg_msi_vectors),
      .cfg_msix_vectors(cfg_msix_vectors),
      .cfg_write_seed  (cfg_write_seed),
      .wr_en           (b0_wr_en),
      .wr_addr         (b0_wr_addr),
      .wr_data         (b0_wr_data),
      .wr_strb         (b0_wr_strb),
      .wr_err          (b0_wr_err),
      .rd_en           (b0_rd_en),
      .rd_addr         (b0_rd_addr),
      .rd_data         (b0_rd_data),
      .rd_err          (b0_rd_err),
      .dma_start       (dma_start),
      .dma_op          (dma_op),
      .dma_src         (dma_src),
      .dma_dst         (dma_dst),
      .dma_size        (dma_size),
      .dma_pat_seed    (dma_pat_seed),
      .dma_done        (dma_done),
      .dma_src_err     (dma_src_err),
      .dma_dst_err     (dma_dst_err),
      .dma_crc         (dma_crc),
      .busy            (core_busy),
      .intx            (intx),
      .irq_req_valid   (irq_req_valid),
      .irq_req_ready   (irq_req_ready),
      .irq_req_msix    (irq_req_msix),
      .irq_req_vector  (irq_req_vector)
  );

  epf_dma u_dma (
      .clk      (clk),
      .aresetn  (aresetn),
      .start    (dma_start),
      .op       (dma_op),
      .src      (dma_src),
      .dst      (dma_dst),
      .size     (dma_size),
      .pat_seed (dma_pat_seed),
      .busy     (dma_busy),
      .done     (dma_done),
      .src_err  (dma_src_err),
      .dst_err  (dma_dst_err),
      .crc      (dma_crc),
      `EPF_AXI4_MASTER_CONNECT(m)
  );
  assign busy = core_busy || dma_busy;

  // ---- BAR1..BAR5: memory ---------------------------------------------------------
  `EPF_MEMORY_BAR(1, BAR1_SIZE);
  `EPF_MEMORY_BAR(2, BAR2_SIZE);
  `EPF_MEMORY_BAR(3, BAR3_SIZE);
  `EPF_MEMORY_BAR(4, BAR4_SIZE);
  `EPF_MEMORY_BAR(5, BAR5_SIZE);
endmodule

`undef EPF_AXIL_SLAVE_PORTS
`undef EPF_AXIL_SLAVE_CONNECT
`undef EPF_MEMORY_BAR
