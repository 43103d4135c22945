// Test peripheral for the TLM -> APB adapter: 16 32-bit registers at
// 0x00..0x3c (PSTRB honoured), PSLVERR above. PREADY is held low for 0..3
// access cycles (from an LFSR), so transfers have wait states.
module apb_regfile (
    input  logic        clk,
    input  logic        aresetn,
    input  logic        p_psel,
    input  logic        p_penable,
    input  logic        p_pwrite,
    input  logic [31:0] p_paddr,
    input  logic [31:0] p_pwdata,
    input  logic [3:0]  p_pstrb,
    output logic        p_pready,
    output logic [31:0] p_prdata,
    output logic        p_pslverr
);
  logic [31:0] regs[16];
  logic [15:0] lfsr;
  logic [1:0]  wait_left;
  logic        waiting;

  wire in_range = p_paddr < 32'h40;
  assign p_pready  = p_psel && p_penable && waiting && wait_left == 2'd0;
  assign p_pslverr = p_pready && !in_range;
  assign p_prdata  = (p_pready && in_range && !p_pwrite) ? regs[p_paddr[5:2]] : 32'h0;

  always_ff @(posedge clk) begin
    if (!aresetn) begin
      lfsr      <= 16'hBEEF;
      wait_left <= '0;
      waiting   <= 1'b0;
      for (int i = 0; i < 16; i++) regs[i] <= '0;
    end else begin
      lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
      if (p_psel && !p_penable) begin
        // Setup phase: choose this transfer's wait states.
        waiting   <= 1'b1;
        wait_left <= lfsr[1:0];
      end else if (p_psel && p_penable && waiting) begin
        if (wait_left != 2'd0) begin
          wait_left <= wait_left - 2'd1;
        end else begin
          waiting <= 1'b0;
          if (p_pwrite && in_range)
            for (int b = 0; b < 4; b++) if (p_pstrb[b]) regs[p_paddr[5:2]][8*b+:8] <= p_pwdata[8*b+:8];
        end
      end
    end
  end
  wire unused_ok = &{1'b0, p_paddr[1:0]};
endmodule
