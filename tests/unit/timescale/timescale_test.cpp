// timescale/: units, durations, the scale, modes and the sync policy.
#include <gtest/gtest.h>

#include "cosim/timescale/sync.h"
#include "cosim/timescale/units.h"

namespace cosim::timescale {
namespace {

TEST(TimescaleUnits, Conversions) {
  EXPECT_EQ(ns_to_ps(3), 3000u);
  EXPECT_EQ(ns_to_ps(UINT64_MAX / 10), UINT64_MAX);
  EXPECT_EQ(ps_to_ns_floor(1999), 1u);
  EXPECT_EQ(ps_to_ns_ceil(1999), 2u);
  EXPECT_EQ(ps_to_ns_ceil(2000), 2u);
}

TEST(TimescaleUnits, ParseDuration) {
  EXPECT_EQ(parse_duration_ps("250ps"), 250u);
  EXPECT_EQ(parse_duration_ps("1.5us"), 1'500'000u);
  EXPECT_EQ(parse_duration_ps("2ms"), 2 * kPsPerMs);
  EXPECT_EQ(parse_duration_ps("1s"), kPsPerS);
  EXPECT_EQ(parse_duration_ps("0.001ns"), 1u);
  EXPECT_FALSE(parse_duration_ps("0.0001ns"));  // finer than a picosecond
  EXPECT_FALSE(parse_duration_ps("10"));
  EXPECT_FALSE(parse_duration_ps("ms"));
  EXPECT_FALSE(parse_duration_ps("1 ms"));
  EXPECT_FALSE(parse_duration_ps("-1ms"));
  EXPECT_FALSE(parse_duration_ps("300000000s"));  // beyond 2^64 ps
}

TEST(TimescaleUnits, Format) {
  EXPECT_EQ(format_duration(1'500'000), "1500 ns");
  EXPECT_EQ(format_duration(kPsPerMs), "1 ms");
  EXPECT_EQ(format_duration(7), "7 ps");
  EXPECT_EQ(format_seconds(12'345 * kPsPerMs), "12.345 s");
  EXPECT_EQ(format_seconds(3'200 * kPsPerUs), "3.200 ms");
  EXPECT_EQ(format_seconds(1'500'000), "1.500 us");
}

TEST(TimescaleScale, IdentityIsExact) {
  Scale k1;
  EXPECT_EQ(k1.guest_ns_to_device_ps(5), 5000u);
  EXPECT_EQ(k1.device_ps_to_guest_ns(5001), 6u);  // a deadline is never early
  EXPECT_EQ(k1.device_to_guest_ps(123), 123u);
}

TEST(TimescaleScale, DilationRoundsSafely) {
  // Guest time runs 10x the device's: one device microsecond is 10 guest microseconds.
  Scale k10(10.0);
  EXPECT_EQ(k10.device_ps_to_guest_ns(kPsPerUs), 10'000u);
  EXPECT_EQ(k10.guest_ns_to_device_ps(10'000), kPsPerUs);
  EXPECT_EQ(k10.guest_ns_to_device_ps(1), 100u);
  Scale k3(3.0);
  // 1 guest ns = 333.33 device ps: the grant rounds down, the deadline of the
  // device's 334 ps rounds up past it.
  EXPECT_EQ(k3.guest_ns_to_device_ps(1), 333u);
  EXPECT_EQ(k3.device_ps_to_guest_ns(334), 2u);
  for (uint64_t ps : {1ull, 999ull, 123456789ull, 5ull * kPsPerS}) {
    const uint64_t ns = k3.device_ps_to_guest_ns(ps);
    EXPECT_GE(k3.guest_ns_to_device_ps(ns), ps) << ps;  // at that deadline the grant reaches the event
  }
}

TEST(TimescaleScale, Parse) {
  ASSERT_TRUE(parse_scale("2.5"));
  EXPECT_DOUBLE_EQ(parse_scale("2.5")->k(), 2.5);
  EXPECT_TRUE(parse_scale("1")->identity());
  EXPECT_FALSE(parse_scale("0"));
  EXPECT_FALSE(parse_scale("-1"));
  EXPECT_FALSE(parse_scale("x"));
  EXPECT_FALSE(parse_scale(""));
  EXPECT_FALSE(parse_scale("1e9"));
}

TEST(TimescaleMode, ParsePrintWire) {
  for (Mode m : {Mode::kOff, Mode::kFreeze, Mode::kLockstep}) {
    EXPECT_EQ(parse_mode(to_string(m)), m);
    EXPECT_EQ(mode_from_wire(to_wire(m)), m);
  }
  EXPECT_FALSE(parse_mode("Freeze"));
  EXPECT_FALSE(parse_mode(""));
  EXPECT_FALSE(mode_from_wire(3));
}

TEST(TimescalePolicy, OffNeverSyncs) {
  SyncPolicy p(Mode::kOff, kPsPerUs);
  EXPECT_FALSE(p.next_sync_ps({100, 0, 50, 90}));
}

TEST(TimescalePolicy, IdleDeviceCostsNothing) {
  for (Mode m : {Mode::kFreeze, Mode::kLockstep}) {
    SyncPolicy p(m, 10 * kPsPerUs);
    EXPECT_FALSE(p.next_sync_ps({5 * kPsPerMs, kPsPerMs, std::nullopt, std::nullopt})) << to_string(m);
  }
}

TEST(TimescalePolicy, PostedWritesSyncAQuantumAfterTheFirst) {
  SyncPolicy p(Mode::kFreeze, 10 * kPsPerUs);
  EXPECT_EQ(p.next_sync_ps({kPsPerMs, kPsPerMs, std::nullopt, kPsPerMs}), kPsPerMs + 10 * kPsPerUs);
  // Later writes and the guest's clock moving on do not push the sync back:
  // at the deadline it is due.
  const uint64_t at = kPsPerMs + 10 * kPsPerUs;
  EXPECT_EQ(p.next_sync_ps({at, kPsPerMs, std::nullopt, kPsPerMs}), at);
}

TEST(TimescalePolicy, BusyDeviceSyncsAtItsNextEventOrAQuantum) {
  SyncPolicy p(Mode::kLockstep, 10 * kPsPerUs);
  // Next event 3 us ahead, nearer than a quantum (an RTL clock edge): a
  // quantum after the device's time, not a round trip per edge.
  EXPECT_EQ(p.next_sync_ps({kPsPerMs, kPsPerMs, kPsPerMs + 3 * kPsPerUs, {}}), kPsPerMs + 10 * kPsPerUs);
  // Next event far away (the end of a long DMA): exactly there (lookahead),
  // one round trip instead of one per quantum.
  EXPECT_EQ(p.next_sync_ps({kPsPerMs, kPsPerMs, 2 * kPsPerMs, {}}), 2 * kPsPerMs);
  // ... which stays put as the guest's clock moves towards it.
  EXPECT_EQ(p.next_sync_ps({kPsPerMs + 10 * kPsPerUs, kPsPerMs, 2 * kPsPerMs, {}}), 2 * kPsPerMs);
  // Device behind the guest with an event already due: sync now.
  const auto behind = p.next_sync_ps({kPsPerMs, 500 * kPsPerUs, 600 * kPsPerUs, {}});
  ASSERT_TRUE(behind);
  EXPECT_LE(*behind, kPsPerMs);
  // Both: the earlier wins (posted writes a quantum after the first of them).
  EXPECT_EQ(p.next_sync_ps({kPsPerMs, kPsPerMs, kPsPerMs + 20 * kPsPerUs, kPsPerMs}), kPsPerMs + 10 * kPsPerUs);
}

TEST(TimescalePolicy, GrantNeverPassesTheGuestOrGoesBack) {
  SyncPolicy p(Mode::kFreeze, kPsPerUs);
  EXPECT_EQ(p.grant_ps({700, 500, std::nullopt, {}}), 700u);
  EXPECT_EQ(p.grant_ps({700, 900, std::nullopt, {}}), 900u);  // device ahead: nothing to grant
}

TEST(TimescaleStats, Format) {
  Stats s{12'301 * kPsPerMs, 10'100 * kPsPerMs, 10 * kPsPerS, 2'100 * kPsPerMs, 42, 41};
  EXPECT_EQ(format_stats(Mode::kFreeze, s),
            "time: mode freeze, wall 12.301 s, guest 10.100 s, device 10.000 s, frozen 2.100 s (41 freezes), 42 syncs");
}

}  // namespace
}  // namespace cosim::timescale
