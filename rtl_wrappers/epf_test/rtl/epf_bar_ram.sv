// Plain read/write memory behind a BAR (spec "BARs": every BAR but BAR0 is
// memory; BAR0's bytes after the register block are memory too). Register-bus
// backend of epf_axil_slave. SIZE is in bytes: 0 (no BAR: every access is an
// error) or a power of two from 16. Offsets at or beyond SIZE are errors.
// The memory is not cleared by reset, as a RAM would not be.
module epf_bar_ram #(
    parameter int unsigned SIZE = 4096,
    parameter int          AW   = 32
) (
    input  logic          clk,
    `EPF_REG_BUS_TARGET_PORTS
);
  if (SIZE == 0) begin : g_absent
    assign wr_err  = 1'b1;
    assign rd_err  = 1'b1;
    assign rd_data = '0;
    wire unused_ok = &{1'b0, clk, wr_en, wr_addr, wr_data, wr_strb, rd_en, rd_addr};
  end else begin : g_ram
    localparam int unsigned Words = SIZE / 4;
    localparam int IW = $clog2(Words);
    logic [31:0] mem[Words];
    logic [31:0] rd_q;

    assign wr_err  = {{(64 - AW) {1'b0}}, wr_addr} >= 64'(SIZE);
    assign rd_err  = {{(64 - AW) {1'b0}}, rd_addr} >= 64'(SIZE);
    assign rd_data = rd_q;

    always_ff @(posedge clk) begin
      if (wr_en && !wr_err) begin
        for (int b = 0; b < 4; b++)
          if (wr_strb[b]) mem[wr_addr[IW+1:2]][8*b+:8] <= wr_data[8*b+:8];
      end
      if (rd_en) rd_q <= rd_err ? '0 : mem[rd_addr[IW+1:2]];
    end
    // Offsets within a word are carried by WSTRB; high bits only by the error check.
    wire unused_ok = &{1'b0, wr_addr[1:0], rd_addr[1:0]};
  end
endmodule
