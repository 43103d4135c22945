// Shared definitions of the epf-test RTL that are not part of the register map
// (the register map is generated from tlm_models/epf_test/epf_test_regs.h into
// epf_test_regs_pkg at build time, so the two cannot drift).
package epf_test_pkg;
  // DMA operations, core -> epf_dma.
  typedef enum logic [1:0] {
    OpRead  = 2'd1,  // COMMAND.READ: SRC -> CRC
    OpWrite = 2'd2,  // COMMAND.WRITE: pattern -> DST, CRC
    OpCopy  = 2'd3   // COMMAND.COPY: SRC -> DST
  } dma_op_e;

  // AXI encodings.
  localparam logic [1:0] AxiBurstIncr = 2'b01;
  localparam logic [2:0] AxiSize8 = 3'd3;  // 8 bytes per beat (64-bit data)
  localparam logic [1:0] AxiOkay = 2'b00;

  // The WRITE command's data (docs/adding-rtl.md, "The epf-test RTL"): a
  // Marsaglia xorshift64 stream (13, 7, 17); byte q of the transfer is byte
  // q % 8 (little-endian) of word q / 8, word i being the state after i + 1
  // steps. The starting state depends on the seed and on the number of WRITE
  // commands since reset, so two WRITEs never send the same data.
  localparam logic [63:0] PatternSalt = 64'h9E3779B97F4A7C15;

  function automatic logic [63:0] xorshift64(input logic [63:0] x);
    logic [63:0] y;
    y = x ^ (x << 13);
    y = y ^ (y >> 7);
    y = y ^ (y << 17);
    return y;
  endfunction

  function automatic logic [63:0] pattern_start(input logic [63:0] seed, input logic [31:0] count);
    logic [63:0] s;
    s = seed ^ {count, count} ^ PatternSalt;
    return s == 64'd0 ? PatternSalt : s;  // xorshift must not start at 0
  endfunction
endpackage
