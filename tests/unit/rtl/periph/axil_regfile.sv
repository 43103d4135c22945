// Test peripheral for the TLM -> AXI4-Lite adapter: 16 32-bit registers at
// 0x00..0x3c (WSTRB honoured), SLVERR for 0x40..0x7f, DECERR above. Ready and
// response timing is varied by an LFSR (wait states on every channel) so the
// adapter sees back-pressure; AW and W are taken independently.
module axil_regfile (
    input  logic        clk,
    input  logic        aresetn,
    input  logic        s_awvalid,
    output logic        s_awready,
    input  logic [31:0] s_awaddr,
    input  logic        s_wvalid,
    output logic        s_wready,
    input  logic [31:0] s_wdata,
    input  logic [3:0]  s_wstrb,
    output logic        s_bvalid,
    input  logic        s_bready,
    output logic [1:0]  s_bresp,
    input  logic        s_arvalid,
    output logic        s_arready,
    input  logic [31:0] s_araddr,
    output logic        s_rvalid,
    input  logic        s_rready,
    output logic [31:0] s_rdata,
    output logic [1:0]  s_rresp
);
  logic [31:0] regs[16];
  logic [15:0] lfsr;
  logic        aw_have, w_have;
  logic [31:0] aw_addr;
  logic [31:0] w_data;
  logic [3:0]  w_strb;

  function automatic logic [1:0] resp_for(input logic [31:0] a);
    if (a < 32'h40) return 2'b00;
    if (a < 32'h80) return 2'b10;
    return 2'b11;
  endfunction

  // Stall pattern: ready on about 3 cycles in 4.
  wire go_aw = lfsr[1:0] != 2'b00;
  wire go_w = lfsr[3:2] != 2'b01;
  wire go_ar = lfsr[5:4] != 2'b10;
  wire go_resp = lfsr[7:6] != 2'b11;

  assign s_awready = !aw_have && go_aw;
  assign s_wready  = !w_have && go_w;
  assign s_arready = !s_rvalid && go_ar;

  always_ff @(posedge clk) begin
    if (!aresetn) begin
      lfsr     <= 16'hACE1;
      aw_have  <= 1'b0;
      w_have   <= 1'b0;
      aw_addr  <= '0;
      w_data   <= '0;
      w_strb   <= '0;
      s_bvalid <= 1'b0;
      s_bresp  <= '0;
      s_rvalid <= 1'b0;
      s_rdata  <= '0;
      s_rresp  <= '0;
      for (int i = 0; i < 16; i++) regs[i] <= '0;
    end else begin
      lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
      if (s_awvalid && s_awready) begin
        aw_have <= 1'b1;
        aw_addr <= s_awaddr;
      end
      if (s_wvalid && s_wready) begin
        w_have <= 1'b1;
        w_data <= s_wdata;
        w_strb <= s_wstrb;
      end
      if (aw_have && w_have && !s_bvalid && go_resp) begin
        if (resp_for(aw_addr) == 2'b00)
          for (int b = 0; b < 4; b++) if (w_strb[b]) regs[aw_addr[5:2]][8*b+:8] <= w_data[8*b+:8];
        s_bresp  <= resp_for(aw_addr);
        s_bvalid <= 1'b1;
        aw_have  <= 1'b0;
        w_have   <= 1'b0;
      end else if (s_bvalid && s_bready) begin
        s_bvalid <= 1'b0;
      end
      if (s_arvalid && s_arready) begin
        s_rvalid <= 1'b1;
        s_rresp  <= resp_for(s_araddr);
        s_rdata  <= resp_for(s_araddr) == 2'b00 ? regs[s_araddr[5:2]] : 32'hDEADBEEF;
      end else if (s_rvalid && s_rready) begin
        s_rvalid <= 1'b0;
      end
    end
  end
  wire unused_ok = &{1'b0, aw_addr[1:0], s_araddr[1:0]};
endmodule
