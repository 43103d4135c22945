// AXI4-Lite slave front end of one BAR: turns the five AXI4-Lite channels into
// a one-cycle register bus (wr_en / rd_en) for a backend (BAR0 registers or a
// BAR memory). One write and one read in flight; AW and W may arrive in any
// order or together. A backend error (offset outside the BAR) answers SLVERR.
//
// Register bus timing:
//   write: wr_en is high for one cycle with wr_addr/wr_data/wr_strb; the
//          backend reports wr_err combinationally in that cycle.
//   read:  rd_en is high for one cycle with rd_addr; the backend reports rd_err
//          combinationally in that cycle and registers rd_data on that edge,
//          holding it until the next rd_en (it is shown on RDATA while RVALID).
module epf_axil_slave #(
    parameter int AW = 32
) (
    input  logic          clk,
    input  logic          aresetn,
    // AXI4-Lite slave
    input  logic          awvalid,
    output logic          awready,
    input  logic [AW-1:0] awaddr,
    input  logic          wvalid,
    output logic          wready,
    input  logic [31:0]   wdata,
    input  logic [3:0]    wstrb,
    output logic          bvalid,
    input  logic          bready,
    output logic [1:0]    bresp,
    input  logic          arvalid,
    output logic          arready,
    input  logic [AW-1:0] araddr,
    output logic          rvalid,
    input  logic          rready,
    output logic [31:0]   rdata,
    output logic [1:0]    rresp,
    // Register bus to the backend
    output logic          wr_en,
    output logic [AW-1:0] wr_addr,
    output logic [31:0]   wr_data,
    output logic [3:0]    wr_strb,
    input  logic          wr_err,
    output logic          rd_en,
    output logic [AW-1:0] rd_addr,
    input  logic [31:0]   rd_data,
    input  logic          rd_err
);
  localparam logic [1:0] RespOkay = 2'b00;
  localparam logic [1:0] RespSlvErr = 2'b10;

  logic          aw_have;
  logic          w_have;
  logic [AW-1:0] aw_addr_q;
  logic [31:0]   w_data_q;
  logic [3:0]    w_strb_q;

  // A channel is ready while its holding register is empty and no response
  // is pending, so at most one write is in flight.
  assign awready = !aw_have && !bvalid;
  assign wready  = !w_have && !bvalid;
  assign wr_en   = aw_have && w_have;
  assign wr_addr = aw_addr_q;
  assign wr_data = w_data_q;
  assign wr_strb = w_strb_q;

  always_ff @(posedge clk) begin
    if (!aresetn) begin
      aw_have   <= 1'b0;
      w_have    <= 1'b0;
      aw_addr_q <= '0;
      w_data_q  <= '0;
      w_strb_q  <= '0;
      bvalid    <= 1'b0;
      bresp     <= RespOkay;
    end else begin
      if (awvalid && awready) begin
        aw_have   <= 1'b1;
        aw_addr_q <= awaddr;
      end
      if (wvalid && wready) begin
        w_have   <= 1'b1;
        w_data_q <= wdata;
        w_strb_q <= wstrb;
      end
      // wr_en implies !bvalid: the channels were not ready while it was high.
      if (wr_en) begin
        aw_have <= 1'b0;
        w_have  <= 1'b0;
        bvalid  <= 1'b1;
        bresp   <= wr_err ? RespSlvErr : RespOkay;
      end else if (bvalid && bready) begin
        bvalid <= 1'b0;
      end
    end
  end

  // Reads: the address goes straight to the backend in the handshake cycle;
  // RVALID follows one cycle later with the backend's registered data.
  assign arready = !rvalid;
  assign rd_en   = arvalid && arready;
  assign rd_addr = araddr;
  assign rdata   = rd_data;

  always_ff @(posedge clk) begin
    if (!aresetn) begin
      rvalid <= 1'b0;
      rresp  <= RespOkay;
    end else if (rd_en) begin
      rvalid <= 1'b1;
      rresp  <= rd_err ? RespSlvErr : RespOkay;
    end else if (rvalid && rready) begin
      rvalid <= 1'b0;
    end
  end
endmodule
