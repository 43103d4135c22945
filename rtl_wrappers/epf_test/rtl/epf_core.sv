// BAR0 of epf-test: the register block of shared/specs/epf-test.md
// ("Registers"), the memory after it, and the command sequencer (accept
// COMMAND, run a DMA command, raise the interrupt). Register names and values
// come from epf_test_regs_pkg, generated from tlm_models/epf_test/epf_test_regs.h.
//
// Behaviour follows the native model (tlm_models/epf_test/native):
// - COMMAND holds a written command until the sequencer is idle and accepts
//   it (COMMAND reads 0 again, STATUS is cleared); one command per write, in
//   Linux's priority RAISE_INTX, WRITE, READ, COPY, RAISE_MSI, RAISE_MSIX;
//   IRQ_TYPE > 2 or no command bit: the command is dropped.
// - INTx is the level STATUS.IRQ_RAISED && "raised by INTx"; a STATUS write
//   with IRQ_RAISED clear ends it.
// - An MSI/MSI-X vector outside 1..cfg count, or INTx without a pin, raises
//   nothing and leaves IRQ_RAISED clear.
module epf_core
  import epf_test_pkg::*;
  import epf_test_regs_pkg::*;
#(
    parameter int unsigned BAR0_SIZE = 512,  // bytes, power of two >= 64
    parameter int          AW        = 32
) (
    input  logic          clk,
    input  logic          aresetn,
    // Straps from the host (the device's configuration, PCI config space side)
    input  logic          cfg_intx_en,       // the function has an INTx pin
    input  logic [5:0]    cfg_msi_vectors,   // 0..32
    input  logic [11:0]   cfg_msix_vectors,  // 0..2048
    input  logic [63:0]   cfg_write_seed,    // seeds the WRITE pattern
    // BAR0 register bus (from epf_axil_slave)
    `EPF_REG_BUS_TARGET_PORTS,
    // DMA engine
    output logic          dma_start,
    output dma_op_e       dma_op,
    output logic [63:0]   dma_src,
    output logic [63:0]   dma_dst,
    output logic [31:0]   dma_size,
    output logic [63:0]   dma_pat_seed,
    input  logic          dma_done,
    input  logic          dma_src_err,
    input  logic          dma_dst_err,
    input  logic [31:0]   dma_crc,
    output logic          busy,              // a command is pending or running
    // Interrupts
    output logic          intx,              // level
    output logic          irq_req_valid,     // MSI / MSI-X message request
    input  logic          irq_req_ready,
    output logic          irq_req_msix,      // 0: MSI, 1: MSI-X
    output logic [10:0]   irq_req_vector     // 0-based (IRQ_NUMBER - 1)
);
  typedef enum logic [1:0] {
    SIdle,
    SDma,     // a READ/WRITE/COPY is running in epf_dma
    SRaise,   // raise the interrupt of raise_kind
    SIrqReq   // MSI/MSI-X request waiting for irq_req_ready
  } state_e;

  localparam logic [2:0] CmdNone = 3'd0;

  // ---- Registers (one per row of the spec's table) --------------------------
  logic [31:0] magic, command, status, src_lo, src_hi, dst_lo, dst_hi;
  logic [31:0] size, checksum, irq_type, irq_number, flags;
  logic        irq_from_intx;   // the IRQ_RAISED in STATUS was set by an INTx
  logic [31:0] write_count;     // WRITE commands since reset: varies the pattern
  state_e      state;
  logic [1:0]  raise_kind;      // kIrqIntx / kIrqMsi / kIrqMsix
  dma_op_e     dma_kind;        // which DMA command runs (for its STATUS bits)

  // ---- Register bus decode --------------------------------------------------
  logic        wr_reg, rd_reg;
  logic [3:0]  wr_idx, rd_idx;
  logic        ram_wr_err, ram_rd_err;
  logic [31:0] ram_rd_data;
  logic [31:0] reg_rd_q;
  logic        rd_reg_q;

  assign wr_reg = {{(64 - AW) {1'b0}}, wr_addr} < 64'(kRegBlockBytes);
  assign rd_reg = {{(64 - AW) {1'b0}}, rd_addr} < 64'(kRegBlockBytes);
  assign wr_idx = wr_addr[5:2];
  assign rd_idx = rd_addr[5:2];
  assign wr_err = wr_reg ? 1'b0 : ram_wr_err;
  assign rd_err = rd_reg ? 1'b0 : ram_rd_err;
  assign rd_data = rd_reg_q ? reg_rd_q : ram_rd_data;

  epf_bar_ram #(
      .SIZE(BAR0_SIZE),
      .AW  (AW)
  ) u_ram (
      .clk    (clk),
      .wr_en  (wr_en && !wr_reg),
      .wr_addr(wr_addr),
      .wr_data(wr_data),
      .wr_strb(wr_strb),
      .wr_err (ram_wr_err),
      .rd_en  (rd_en && !rd_reg),
      .rd_addr(rd_addr),
      .rd_data(ram_rd_data),
      .rd_err (ram_rd_err)
  );

  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] data,
                                        input logic [3:0] strb);
    for (int b = 0; b < 4; b++) if (strb[b]) old[8*b+:8] = data[8*b+:8];
    return old;
  endfunction

  function automatic logic [31:0] read_reg(input logic [3:0] idx);
    case (32'(idx) * 4)
      kMagic:     return magic;
      kCommand:   return command;
      kStatus:    return status;
      kSrcAddrLo: return src_lo;
      kSrcAddrHi: return src_hi;
      kDstAddrLo: return dst_lo;
      kDstAddrHi: return dst_hi;
      kSize:      return size;
      kChecksum:  return checksum;
      kIrqType:   return irq_type;
      kIrqNumber: return irq_number;
      kFlags:     return flags;
      default:    return 32'd0;
    endcase
  endfunction

  always_ff @(posedge clk) begin
    if (!aresetn) begin
      reg_rd_q <= '0;
      rd_reg_q <= 1'b0;
    end else if (rd_en) begin
      reg_rd_q <= rd_reg ? read_reg(rd_idx) : 32'd0;
      rd_reg_q <= rd_reg;
    end
  end

  // ---- Command decode ------------------------------------------------------
  logic [63:0] src_addr, dst_addr;
  logic        size_ok, src_ok, dst_ok;
  logic [2:0]  cmd_sel;  // 1 RAISE_INTX, 2 WRITE, 3 READ, 4 COPY, 5 RAISE_MSI, 6 RAISE_MSIX
  assign src_addr = {src_hi, src_lo};
  assign dst_addr = {dst_hi, dst_lo};
  assign size_ok  = size != 32'd0 && size <= kMaxTransfer;
  // [addr, addr + SIZE) must not wrap around the 64-bit address space.
  assign src_ok   = ({1'b0, src_addr} + {33'b0, size} - 65'd1) <= {1'b0, {64{1'b1}}};
  assign dst_ok   = ({1'b0, dst_addr} + {33'b0, size} - 65'd1) <= {1'b0, {64{1'b1}}};

  always_comb begin
    if (irq_type > kIrqMsix) cmd_sel = CmdNone;
    else if ((command & kCmdRaiseIntx) != 0) cmd_sel = 3'd1;
    else if ((command & kCmdWrite) != 0) cmd_sel = 3'd2;
    else if ((command & kCmdRead) != 0) cmd_sel = 3'd3;
    else if ((command & kCmdCopy) != 0) cmd_sel = 3'd4;
    else if ((command & kCmdRaiseMsi) != 0) cmd_sel = 3'd5;
    else if ((command & kCmdRaiseMsix) != 0) cmd_sel = 3'd6;
    else cmd_sel = CmdNone;
  end

  // ---- Next state -------------------------------------------------------------
  logic        accept;
  logic        start_dma;
  logic [31:0] status_n, command_n, checksum_n;
  logic        from_intx_n;
  state_e      state_n;
  logic [1:0]  raise_kind_n;
  dma_op_e     dma_kind_n;
  logic        irq_valid_n, irq_msix_n;
  logic [10:0] irq_vector_n;
  logic [31:0] vec_count;

  assign accept = (state == SIdle) && (command != 32'd0);
  assign vec_count = (raise_kind == 2'(kIrqMsi)) ? {26'b0, cfg_msi_vectors} : {20'b0, cfg_msix_vectors};

  always_comb begin
    status_n     = status;
    command_n    = command;
    checksum_n   = checksum;
    from_intx_n  = irq_from_intx;
    state_n      = state;
    raise_kind_n = raise_kind;
    dma_kind_n   = dma_kind;
    irq_valid_n  = irq_req_valid;
    irq_msix_n   = irq_req_msix;
    irq_vector_n = irq_req_vector;
    start_dma    = 1'b0;

    case (state)
      SIdle:
      if (accept) begin
        command_n   = 32'd0;  // accepted
        status_n    = 32'd0;  // every command starts from a clean STATUS
        from_intx_n = 1'b0;
        case (cmd_sel)
          3'd1: begin
            raise_kind_n = 2'(kIrqIntx);
            state_n = SRaise;
          end
          3'd2, 3'd3, 3'd4: begin
            dma_kind_n = (cmd_sel == 3'd2) ? OpWrite : (cmd_sel == 3'd3) ? OpRead : OpCopy;
            raise_kind_n = irq_type[1:0];
            if (!size_ok) begin
              status_n = (cmd_sel == 3'd2) ? kStWriteFail : (cmd_sel == 3'd3) ? kStReadFail : kStCopyFail;
              state_n = SRaise;
            end else if (cmd_sel != 3'd2 && !src_ok) begin
              status_n = kStSrcAddrInvalid | ((cmd_sel == 3'd3) ? kStReadFail : kStCopyFail);
              state_n = SRaise;
            end else if (cmd_sel != 3'd3 && !dst_ok) begin
              status_n = kStDstAddrInvalid | ((cmd_sel == 3'd2) ? kStWriteFail : kStCopyFail);
              state_n = SRaise;
            end else begin
              start_dma = 1'b1;
              state_n = SDma;
            end
          end
          3'd5: begin
            raise_kind_n = 2'(kIrqMsi);
            state_n = SRaise;
          end
          3'd6: begin
            raise_kind_n = 2'(kIrqMsix);
            state_n = SRaise;
          end
          default: ;  // dropped: bad IRQ_TYPE or no command bit
        endcase
      end
      SDma:
      if (dma_done) begin
        case (dma_kind)
          OpRead:
          status_n = status | (dma_src_err ? (kStSrcAddrInvalid | kStReadFail)
                                           : (dma_crc == checksum ? kStReadSuccess : kStReadFail));
          OpWrite: begin
            status_n = status | (dma_dst_err ? (kStDstAddrInvalid | kStWriteFail) : kStWriteSuccess);
            if (!dma_dst_err) checksum_n = dma_crc;
          end
          default:
          status_n = status | (dma_src_err ? (kStSrcAddrInvalid | kStCopyFail)
                             : dma_dst_err ? (kStDstAddrInvalid | kStCopyFail) : kStCopySuccess);
        endcase
        state_n = SRaise;
      end
      SRaise: begin
        state_n = SIdle;
        if (raise_kind == 2'(kIrqIntx)) begin
          if (cfg_intx_en) begin
            status_n    = status | kStIrqRaised;
            from_intx_n = 1'b1;
          end
        end else if (irq_number != 32'd0 && irq_number <= vec_count) begin
          // STATUS first: the handler reads it as soon as the message arrives.
          status_n     = status | kStIrqRaised;
          irq_valid_n  = 1'b1;
          irq_msix_n   = (raise_kind == 2'(kIrqMsix));
          irq_vector_n = 11'(irq_number - 32'd1);
          state_n      = SIrqReq;
        end
      end
      SIrqReq:
      if (irq_req_ready) begin
        irq_valid_n = 1'b0;
        state_n = SIdle;
      end
      default: state_n = SIdle;
    endcase

    // Bus writes land after the sequencer's update of the same cycle.
    if (wr_en && wr_reg) begin
      case (32'(wr_idx) * 4)
        kCommand: command_n = merge(command_n, wr_data, wr_strb);
        kStatus: begin
          status_n = merge(status_n, wr_data, wr_strb);
          // The driver's handler acknowledges by writing IRQ_RAISED back as 0.
          if ((status_n & kStIrqRaised) == 0) from_intx_n = 1'b0;
        end
        kChecksum: checksum_n = merge(checksum_n, wr_data, wr_strb);
        default: ;
      endcase
    end
  end

  always_ff @(posedge clk) begin
    if (!aresetn) begin
      magic          <= '0;
      command        <= '0;
      status         <= '0;
      src_lo         <= '0;
      src_hi         <= '0;
      dst_lo         <= '0;
      dst_hi         <= '0;
      size           <= '0;
      checksum       <= '0;
      irq_type       <= '0;
      irq_number     <= '0;
      flags          <= '0;
      irq_from_intx  <= 1'b0;
      write_count    <= '0;
      state          <= SIdle;
      raise_kind     <= '0;
      dma_kind       <= OpRead;
      irq_req_valid  <= 1'b0;
      irq_req_msix   <= 1'b0;
      irq_req_vector <= '0;
    end else begin
      command        <= command_n;
      status         <= status_n;
      checksum       <= checksum_n;
      irq_from_intx  <= from_intx_n;
      state          <= state_n;
      raise_kind     <= raise_kind_n;
      dma_kind       <= dma_kind_n;
      irq_req_valid  <= irq_valid_n;
      irq_req_msix   <= irq_msix_n;
      irq_req_vector <= irq_vector_n;
      if (accept && cmd_sel == 3'd2) write_count <= write_count + 32'd1;
      if (wr_en && wr_reg) begin
        case (32'(wr_idx) * 4)
          kMagic:     magic <= merge(magic, wr_data, wr_strb);
          kSrcAddrLo: src_lo <= merge(src_lo, wr_data, wr_strb);
          kSrcAddrHi: src_hi <= merge(src_hi, wr_data, wr_strb);
          kDstAddrLo: dst_lo <= merge(dst_lo, wr_data, wr_strb);
          kDstAddrHi: dst_hi <= merge(dst_hi, wr_data, wr_strb);
          kSize:      size <= merge(size, wr_data, wr_strb);
          kIrqType:   irq_type <= merge(irq_type, wr_data, wr_strb);
          kIrqNumber: irq_number <= merge(irq_number, wr_data, wr_strb);
          kFlags:     flags <= merge(flags, wr_data, wr_strb);
          default: ;  // COMMAND, STATUS, CHECKSUM: in the next-state logic
        endcase
      end
    end
  end

  // ---- Outputs -------------------------------------------------------------------
  assign busy         = (state != SIdle) || (command != 32'd0);
  assign intx         = ((status & kStIrqRaised) != 0) && irq_from_intx;
  assign dma_start    = start_dma;
  assign dma_op       = dma_kind_n;
  assign dma_src      = src_addr;
  assign dma_dst      = dst_addr;
  assign dma_size     = size;
  assign dma_pat_seed = pattern_start(cfg_write_seed, write_count);

  // Offsets inside a register come as WSTRB.
  wire unused_ok = &{1'b0, wr_addr[1:0], rd_addr[1:0]};
endmodule
