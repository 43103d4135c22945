// Combinational CRC-32 step of Linux's crc32_le (spec "Registers", CHECKSUM):
// reflected polynomial 0xEDB88320, bytes taken least significant first, no
// final inversion (the caller seeds 0xFFFFFFFF). Consumes `nbytes` (0..8)
// bytes of `data` per cycle: data[7:0] first.
module epf_crc32 (
    input  logic [31:0] crc_in,
    input  logic [63:0] data,
    input  logic [3:0]  nbytes,
    output logic [31:0] crc_out
);
  localparam logic [31:0] Poly = 32'hEDB88320;
  always_comb begin
    logic [31:0] c;
    c = crc_in;
    for (int i = 0; i < 8; i++) begin
      if (4'(i) < nbytes) begin
        c = c ^ {24'b0, data[8*i+:8]};
        for (int b = 0; b < 8; b++) c = c[0] ? (c >> 1) ^ Poly : (c >> 1);
      end
    end
    crc_out = c;
  end
endmodule
