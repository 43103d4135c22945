// Test peripheral for the TLM -> Wishbone B4 classic adapter, DW = 8, 16 or
// 32: 16 words of DW bits at byte addresses 0 .. 16*DW/8 - 1 (SEL honoured),
// with a registered ACK after 0..3 wait states (LFSR). Byte addresses 0x80 ..
// 0x8f answer RTY to the first two attempts of each cycle, then ACK; 0xc0 and
// up answer ERR.
module wb_regfile #(
    parameter int DW = 32
) (
    input  logic            clk,
    input  logic            aresetn,
    input  logic            w_cyc,
    input  logic            w_stb,
    input  logic            w_we,
    input  logic [31:0]     w_adr,
    input  logic [DW-1:0]   w_dat_w,
    input  logic [DW/8-1:0] w_sel,
    output logic            w_ack,
    output logic            w_err,
    output logic            w_rty,
    output logic [DW-1:0]   w_dat_r
);
  localparam int BW = DW / 8;
  localparam int AB = $clog2(BW);  // byte-address bits within a word
  logic [DW-1:0] mem[16];
  logic [15:0]   lfsr;
  logic [1:0]    wait_left;
  logic          waiting;
  logic [1:0]    retries;  // RTY answers given in this bus cycle

  wire [31:0] word_span = 32'(16 * BW);
  wire in_mem = w_adr < word_span;
  wire in_rty = w_adr >= 32'h80 && w_adr < 32'h90;
  wire [3:0] idx = w_adr[AB+3:AB];
  wire req = w_cyc && w_stb && !w_ack && !w_err && !w_rty;

  always_ff @(posedge clk) begin
    if (!aresetn) begin
      lfsr      <= 16'h1D0F;
      wait_left <= '0;
      waiting   <= 1'b0;
      retries   <= '0;
      w_ack     <= 1'b0;
      w_err     <= 1'b0;
      w_rty     <= 1'b0;
      w_dat_r   <= '0;
      for (int i = 0; i < 16; i++) mem[i] <= '0;
    end else begin
      lfsr  <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
      w_ack <= 1'b0;
      w_err <= 1'b0;
      w_rty <= 1'b0;
      if (!w_cyc) retries <= '0;
      if (req && !waiting) begin
        waiting   <= 1'b1;
        wait_left <= lfsr[1:0];
      end else if (req && waiting && wait_left != 2'd0) begin
        wait_left <= wait_left - 2'd1;
      end else if (req && waiting) begin
        waiting <= 1'b0;
        if (in_mem) begin
          w_ack <= 1'b1;
          if (w_we) begin
            for (int b = 0; b < BW; b++) if (w_sel[b]) mem[idx][8*b+:8] <= w_dat_w[8*b+:8];
          end else begin
            w_dat_r <= mem[idx];
          end
        end else if (in_rty && retries != 2'd2) begin
          w_rty   <= 1'b1;
          retries <= retries + 2'd1;
        end else if (in_rty) begin
          w_ack   <= 1'b1;
          w_dat_r <= '1;
        end else begin
          w_err <= 1'b1;
        end
      end
    end
  end
endmodule
