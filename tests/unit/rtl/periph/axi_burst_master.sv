// Test peripheral for the AXI4 master -> TLM adapter: an AXI4 master (64-bit
// address and data) that runs one burst per command. Writes send beat n =
// seed + n * 0x0101010101010101 with WSTRB on the beat's active lanes (AXI
// burst address rules for FIXED/INCR/WRAP and narrow sizes); with w_first the
// data is offered two cycles before the address. Reads keep each beat's data
// in a 256-word buffer the testbench reads through rd_index/rd_word. With
// stall, RREADY/BREADY follow an LFSR (about one cycle in two).
module axi_burst_master (
    input  logic        clk,
    input  logic        aresetn,
    // Command
    input  logic        cmd_valid,
    output logic        cmd_ready,
    input  logic        cmd_write,
    input  logic [63:0] cmd_addr,
    input  logic [7:0]  cmd_len,
    input  logic [2:0]  cmd_size,
    input  logic [1:0]  cmd_burst,
    input  logic [63:0] cmd_seed,
    input  logic        cmd_w_first,
    input  logic        cmd_stall,
    // Result of the last command
    output logic        done,
    output logic [1:0]  resp,       // worst BRESP/RRESP
    output logic        rlast_ok,   // RLAST on the last read beat only
    output logic [8:0]  beats,      // data beats transferred
    input  logic [7:0]  rd_index,
    output logic [63:0] rd_word,
    // AXI4 master
    output logic        m_awvalid,
    input  logic        m_awready,
    output logic [63:0] m_awaddr,
    output logic [7:0]  m_awlen,
    output logic [2:0]  m_awsize,
    output logic [1:0]  m_awburst,
    output logic        m_wvalid,
    input  logic        m_wready,
    output logic [63:0] m_wdata,
    output logic [7:0]  m_wstrb,
    output logic        m_wlast,
    input  logic        m_bvalid,
    output logic        m_bready,
    input  logic [1:0]  m_bresp,
    output logic        m_arvalid,
    input  logic        m_arready,
    output logic [63:0] m_araddr,
    output logic [7:0]  m_arlen,
    output logic [2:0]  m_arsize,
    output logic [1:0]  m_arburst,
    input  logic        m_rvalid,
    output logic        m_rready,
    input  logic [63:0] m_rdata,
    input  logic [1:0]  m_rresp,
    input  logic        m_rlast
);
  typedef enum logic [2:0] {SIdle, SWrite, SResp, SRead} state_e;
  state_e      state;
  logic        write, w_first, stall;
  logic [63:0] addr, seed;
  logic [7:0]  len;
  logic [2:0]  size;
  logic [1:0]  burst;
  logic        aw_done, w_done;
  logic [1:0]  aw_delay;
  logic [8:0]  wbeat;
  logic [15:0] lfsr;
  logic [63:0] rbuf[256];

  // Address and byte lanes of write beat `wbeat` (AXI burst address rules).
  logic [63:0] nb, total, aligned0, wrap_lo, beat_addr, beat_aligned;
  logic [3:0]  lane_lo, lane_hi;
  always_comb begin
    nb       = 64'd1 << size;
    total    = nb * (64'(len) + 64'd1);
    aligned0 = addr & ~(nb - 64'd1);
    wrap_lo  = addr & ~(total - 64'd1);
    if (burst == 2'b00 || wbeat == 9'd0) beat_addr = addr;
    else beat_addr = aligned0 + 64'(wbeat) * nb;
    if (burst == 2'b10 && beat_addr >= wrap_lo + total) beat_addr = beat_addr - total;
    beat_aligned = beat_addr & ~(nb - 64'd1);
    lane_lo = {1'b0, beat_addr[2:0]};
    lane_hi = 4'(beat_aligned[2:0]) + 4'(nb) - 4'd1;
  end

  assign cmd_ready = (state == SIdle);
  assign m_awaddr  = addr;
  assign m_awlen   = len;
  assign m_awsize  = size;
  assign m_awburst = burst;
  assign m_araddr  = addr;
  assign m_arlen   = len;
  assign m_arsize  = size;
  assign m_arburst = burst;
  assign m_awvalid = (state == SWrite) && !aw_done && aw_delay == 2'd0;
  assign m_wvalid  = (state == SWrite) && !w_done;
  assign m_wdata   = seed + 64'(wbeat) * 64'h0101010101010101;
  assign m_wstrb   = 8'((9'd1 << (lane_hi + 4'd1)) - 9'd1) & ~8'((9'd1 << lane_lo) - 9'd1);
  assign m_wlast   = wbeat == {1'b0, len};
  assign m_bready  = (state == SResp) && (!stall || lfsr[0]);
  assign m_arvalid = (state == SRead) && !aw_done;  // aw_done doubles as "AR accepted"
  assign m_rready  = (state == SRead) && aw_done && (!stall || lfsr[1]);
  assign rd_word   = rbuf[rd_index];

  function automatic logic [1:0] worse(input logic [1:0] a, input logic [1:0] b);
    return (a == 2'b11 || b == 2'b11) ? 2'b11 : (a == 2'b10 || b == 2'b10) ? 2'b10 : 2'b00;
  endfunction

  always_ff @(posedge clk) begin
    if (!aresetn) begin
      state    <= SIdle;
      write    <= 1'b0;
      w_first  <= 1'b0;
      stall    <= 1'b0;
      addr     <= '0;
      seed     <= '0;
      len      <= '0;
      size     <= '0;
      burst    <= '0;
      aw_done  <= 1'b0;
      w_done   <= 1'b0;
      aw_delay <= '0;
      wbeat    <= '0;
      lfsr     <= 16'h7A5D;
      done     <= 1'b0;
      resp     <= '0;
      rlast_ok <= 1'b0;
      beats    <= '0;
    end else begin
      lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
      case (state)
        SIdle:
        if (cmd_valid) begin
          write    <= cmd_write;
          w_first  <= cmd_w_first;
          stall    <= cmd_stall;
          addr     <= cmd_addr;
          seed     <= cmd_seed;
          len      <= cmd_len;
          size     <= cmd_size;
          burst    <= cmd_burst;
          aw_done  <= 1'b0;
          w_done   <= 1'b0;
          aw_delay <= cmd_w_first ? 2'd2 : 2'd0;
          wbeat    <= '0;
          done     <= 1'b0;
          resp     <= 2'b00;
          rlast_ok <= 1'b1;
          beats    <= '0;
          state    <= cmd_write ? SWrite : SRead;
        end
        SWrite: begin
          if (aw_delay != 2'd0) aw_delay <= aw_delay - 2'd1;
          if (m_awvalid && m_awready) aw_done <= 1'b1;
          if (m_wvalid && m_wready) begin
            wbeat <= wbeat + 9'd1;
            beats <= beats + 9'd1;
            if (m_wlast) w_done <= 1'b1;
          end
          if ((aw_done || (m_awvalid && m_awready)) && (w_done || (m_wvalid && m_wready && m_wlast)))
            state <= SResp;
        end
        SResp:
        if (m_bvalid && m_bready) begin
          resp  <= m_bresp;
          done  <= 1'b1;
          state <= SIdle;
        end
        SRead: begin
          if (m_arvalid && m_arready) aw_done <= 1'b1;
          if (m_rvalid && m_rready) begin
            rbuf[beats[7:0]] <= m_rdata;
            resp  <= worse(resp, m_rresp);
            beats <= beats + 9'd1;
            if (m_rlast != (beats == {1'b0, len})) rlast_ok <= 1'b0;
            if (beats == {1'b0, len}) begin
              done  <= 1'b1;
              state <= SIdle;
            end
          end
        end
        default: state <= SIdle;
      endcase
    end
  end
  wire unused_ok = &{1'b0, write, w_first, nb[63:8], beat_aligned[63:3]};
endmodule
