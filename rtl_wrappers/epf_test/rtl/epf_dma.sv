// DMA engine of epf-test: READ (SRC -> CRC-32), WRITE (pattern -> DST, CRC-32)
// and COPY (SRC -> DST) over an AXI4 master with 64-bit data.
//
// A transfer runs in chunks that never cross a 2 KiB boundary of the buffer
// source (SRC for READ/COPY, the stream position for WRITE) or of DST, so each
// chunk is one INCR burst of at most 256 8-byte beats per direction and no
// burst crosses a 4 KiB boundary (AXI rule). A chunk is read (or generated)
// into a 256-word buffer aligned to its source, then written out with a byte
// shift to DST's alignment; partial first/last beats use WSTRB. Reads fetch
// whole aligned beats (up to 7 bytes before and after the buffer; an 8-byte
// aligned word never crosses a page) and discard the extra bytes.
//
// An error response (SLVERR/DECERR) or a misplaced RLAST ends the command
// after the burst completes: src_err for reads, dst_err for writes.
module epf_dma
  import epf_test_pkg::*;
(
    input  logic        clk,
    input  logic        aresetn,
    // Command from the core (sampled when start is high and busy is low).
    input  logic        start,
    input  dma_op_e     op,
    input  logic [63:0] src,
    input  logic [63:0] dst,
    input  logic [31:0] size,      // 1..kMaxTransfer; the core checks SIZE and wrap-around
    input  logic [63:0] pat_seed,  // xorshift64 state before the first WRITE word
    output logic        busy,
    output logic        done,      // one cycle; results below are valid with it
    output logic        src_err,
    output logic        dst_err,
    output logic [31:0] crc,       // crc32_le(~0, data): bytes read (READ) or written (WRITE)
    // AXI4 master (subset: no ID, PROT, CACHE, LOCK, QOS, REGION, USER)
    `EPF_AXI4_MASTER_PORTS(m)
);
  typedef enum logic [3:0] {
    SIdle,
    SChunk,  // size the next chunk from pos
    SAr,     // read burst address
    SR,      // read beats into the buffer
    SGen,    // WRITE: pattern words into the buffer
    SW,      // write burst: address and beats together (AXI: the master
             // must not wait for AWREADY before asserting WVALID)
    SB,      // write response
    SDone
  } state_e;

  state_e      state;
  dma_op_e     op_q;
  logic [63:0] src_q, dst_q;
  logic [31:0] size_q;
  logic [31:0] pos;       // bytes of the transfer completed
  logic [11:0] len;       // bytes in this chunk, 1..2048
  logic [2:0]  so;        // offset of the chunk's first byte in buffer word 0
  logic [2:0]  dof;       // offset of the chunk's first byte in the first DST beat
  logic [8:0]  rbeats;    // buffer words in this chunk (read beats), 1..256
  logic [8:0]  wbeats;    // write beats in this chunk, 1..256
  logic [8:0]  beat;      // beat counter of the current phase
  logic [63:0] ar_addr_q, aw_addr_q;
  logic [63:0] buffer[256];
  logic [31:0] crc_q;
  logic [63:0] pat_q;     // last pattern word generated
  logic        err_q;     // an error response in the current read burst
  logic        aw_done;   // the write burst's address has been accepted
  logic        w_done;    // all write beats have been accepted

  // ---- Chunk sizing (combinational from pos) -------------------------------
  logic [63:0] sa, da;       // SRC and DST positions of the chunk
  logic [10:0] bsa;          // buffer-source position (SRC, or the stream for WRITE) mod 2 KiB
  logic [31:0] rem;
  logic [11:0] lim_b, lim_d, len_c;
  logic [2:0]  so_c;
  logic [8:0]  rbeats_c, wbeats_c;
  always_comb begin
    sa    = src_q + {32'b0, pos};
    da    = dst_q + {32'b0, pos};
    bsa   = (op_q == OpWrite) ? pos[10:0] : sa[10:0];
    rem   = size_q - pos;
    lim_b = 12'd2048 - {1'b0, bsa};
    lim_d = 12'd2048 - {1'b0, da[10:0]};
    len_c = (rem > 32'd2048) ? 12'd2048 : rem[11:0];
    if (lim_b < len_c) len_c = lim_b;
    if (op_q != OpRead && lim_d < len_c) len_c = lim_d;
    so_c     = bsa[2:0];
    rbeats_c = 9'((13'(so_c) + 13'(len_c) + 13'd7) >> 3);
    wbeats_c = 9'((13'(da[2:0]) + 13'(len_c) + 13'd7) >> 3);
  end

  // ---- Bytes of the chunk in the current buffer word (read/generate) -------
  logic        last_rbeat, last_wbeat;
  logic [12:0] rtail, wtail;  // chunk bytes from the start of this beat on
  logic [3:0]  crc_lo, crc_hi;
  logic [63:0] fill_word;      // word entering the buffer this cycle
  logic [63:0] pat_next;
  logic [31:0] crc_next;
  always_comb begin
    last_rbeat = (beat == rbeats - 9'd1);
    last_wbeat = (beat == wbeats - 9'd1);
    rtail      = 13'(so) + 13'(len) - {1'b0, beat, 3'b0};
    crc_lo     = (beat == 9'd0) ? {1'b0, so} : 4'd0;
    crc_hi     = (rtail >= 13'd8) ? 4'd8 : rtail[3:0];
    // WRITE: the first word of a chunk that starts inside a word is the word
    // the previous chunk ended in.
    pat_next   = (beat == 9'd0 && so != 3'd0) ? pat_q : xorshift64(pat_q);
    fill_word  = (state == SGen) ? pat_next : m_rdata;
  end

  epf_crc32 u_crc (
      .crc_in (crc_q),
      .data   (fill_word >> {crc_lo, 3'b0}),
      .nbytes (crc_hi - crc_lo),
      .crc_out(crc_next)
  );

  // ---- Write beat data and strobes: buffer shifted from SO to DOF ----------
  logic [7:0] k0, k1, km;
  logic [2:0] sh;
  logic [3:0] w_lo, w_hi;
  always_comb begin
    k0    = beat[7:0];
    k1    = beat[7:0] + 8'd1;  // wraps only where WSTRB masks the lanes
    km    = beat[7:0] - 8'd1;
    wtail = 13'(dof) + 13'(len) - {1'b0, beat, 3'b0};
    w_lo  = (beat == 9'd0) ? {1'b0, dof} : 4'd0;
    w_hi  = (wtail >= 13'd8) ? 4'd8 : wtail[3:0];
    m_wstrb = 8'((9'd1 << w_hi) - 9'd1) & ~8'((9'd1 << w_lo) - 9'd1);
    if (so >= dof) begin
      sh = so - dof;
      m_wdata = (sh == 3'd0) ? buffer[k0]
                             : (buffer[k0] >> {sh, 3'b0}) | (buffer[k1] << (7'd64 - {1'b0, sh, 3'b0}));
    end else begin
      sh = dof - so;
      m_wdata = (buffer[k0] << {sh, 3'b0}) | (buffer[km] >> (7'd64 - {1'b0, sh, 3'b0}));
    end
  end

  // ---- AXI outputs ----------------------------------------------------------
  assign busy      = (state != SIdle);
  assign m_arvalid = (state == SAr);
  assign m_araddr  = ar_addr_q;
  assign m_arlen   = 8'(rbeats - 9'd1);
  assign m_arsize  = AxiSize8;
  assign m_arburst = AxiBurstIncr;
  assign m_rready  = (state == SR);
  assign m_awvalid = (state == SW) && !aw_done;
  assign m_awaddr  = aw_addr_q;
  assign m_awlen   = 8'(wbeats - 9'd1);
  assign m_awsize  = AxiSize8;
  assign m_awburst = AxiBurstIncr;
  assign m_wvalid  = (state == SW) && !w_done;
  assign m_wlast   = last_wbeat;
  assign m_bready  = (state == SB);
  assign done      = (state == SDone);
  assign crc       = crc_q;

  // ---- Sequencing -----------------------------------------------------------
  logic [31:0] pos_after;
  assign pos_after = pos + {20'b0, len};

  always_ff @(posedge clk) begin
    if (!aresetn) begin
      state     <= SIdle;
      op_q      <= OpRead;
      src_q     <= '0;
      dst_q     <= '0;
      size_q    <= '0;
      pos       <= '0;
      len       <= '0;
      so        <= '0;
      dof       <= '0;
      rbeats    <= '0;
      wbeats    <= '0;
      beat      <= '0;
      ar_addr_q <= '0;
      aw_addr_q <= '0;
      crc_q     <= '0;
      pat_q     <= '0;
      err_q     <= 1'b0;
      aw_done   <= 1'b0;
      w_done    <= 1'b0;
      src_err   <= 1'b0;
      dst_err   <= 1'b0;
    end else begin
      case (state)
        SIdle:
        if (start) begin
          op_q    <= op;
          src_q   <= src;
          dst_q   <= dst;
          size_q  <= size;
          pos     <= '0;
          crc_q   <= 32'hFFFFFFFF;
          pat_q   <= pat_seed;
          src_err <= 1'b0;
          dst_err <= 1'b0;
          state   <= SChunk;
        end
        SChunk: begin
          len       <= len_c;
          so        <= so_c;
          dof       <= da[2:0];
          rbeats    <= rbeats_c;
          wbeats    <= wbeats_c;
          beat      <= '0;
          err_q     <= 1'b0;
          aw_done   <= 1'b0;
          w_done    <= 1'b0;
          ar_addr_q <= {sa[63:3], 3'b0};
          aw_addr_q <= {da[63:3], 3'b0};
          state     <= (op_q == OpWrite) ? SGen : SAr;
        end
        SAr: if (m_arready) state <= SR;
        SR:
        if (m_rvalid) begin
          buffer[beat[7:0]] <= m_rdata;
          if (op_q == OpRead) crc_q <= crc_next;
          beat <= beat + 9'd1;
          if (last_rbeat) begin
            beat <= '0;
            if (err_q || m_rresp != AxiOkay || !m_rlast) begin
              src_err <= 1'b1;
              state   <= SDone;
            end else if (op_q == OpRead) begin
              pos   <= pos_after;
              state <= (pos_after == size_q) ? SDone : SChunk;
            end else begin
              state <= SW;
            end
          end else if (m_rresp != AxiOkay || m_rlast) begin
            err_q <= 1'b1;  // finish the burst first: the slave still sends its beats
          end
        end
        SGen: begin
          buffer[beat[7:0]] <= pat_next;
          pat_q <= pat_next;
          crc_q <= crc_next;
          beat  <= beat + 9'd1;
          if (last_rbeat) begin
            beat  <= '0;
            state <= SW;
          end
        end
        SW: begin
          if (m_awvalid && m_awready) aw_done <= 1'b1;
          if (m_wvalid && m_wready) begin
            beat <= beat + 9'd1;
            if (last_wbeat) w_done <= 1'b1;
          end
          if ((aw_done || m_awready) && (w_done || (m_wvalid && m_wready && last_wbeat))) state <= SB;
        end
        SB:
        if (m_bvalid) begin
          if (m_bresp != AxiOkay) begin
            dst_err <= 1'b1;
            state   <= SDone;
          end else begin
            pos   <= pos_after;
            state <= (pos_after == size_q) ? SDone : SChunk;
          end
        end
        SDone: state <= SIdle;
        default: state <= SIdle;
      endcase
    end
  end
endmodule
