#include "core/duration.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::core {
namespace {

using std::chrono::seconds;

TEST(DurationTest, ParsesUnitForm) {
    EXPECT_EQ(ParseDuration("52w1d3h4m5s"), seconds(52 * 604800 + 86400 + 3 * 3600 + 4 * 60 + 5));
    EXPECT_EQ(ParseDuration("1d"), seconds(86400));
    EXPECT_EQ(ParseDuration("90m"), seconds(5400));
    EXPECT_EQ(ParseDuration("1500ms"), seconds(1));
    EXPECT_EQ(ParseDuration("30"), seconds(30));
}

TEST(DurationTest, ParsesClockForm) {
    EXPECT_EQ(ParseDuration("00:05:00"), seconds(300));
    EXPECT_EQ(ParseDuration("1d02:03:04"), seconds(86400 + 7384));
    EXPECT_EQ(ParseDuration("-00:00:10"), seconds(-10));
}

TEST(DurationTest, RejectsGarbage) {
    for (const char* bad : {"", "abc", "1x", "5s3", "1:99:00", "w", "-", "1d2"}) {
        EXPECT_THROW(ParseDuration(bad), Error) << bad;
    }
}

TEST(DurationTest, PrintsLikeRouterOs) {
    EXPECT_EQ(FormatDuration(seconds(0)), "0s");
    EXPECT_EQ(FormatDuration(seconds(521 * 604800 + 2 * 86400 + 23 * 3600 + 56 * 60 + 20)), "521w2d23h56m20s");
    EXPECT_EQ(FormatDuration(seconds(872 * 604800 + 3 * 86400 + 7 * 60 + 34)), "872w3d7m34s");
    EXPECT_EQ(FormatDuration(seconds(-61)), "-1m1s");
}

TEST(DurationTest, RoundTrips) {
    for (long v : {1L, 59L, 60L, 3661L, 86399L, 604800L, 31536000L}) {
        EXPECT_EQ(ParseDuration(FormatDuration(seconds(v))), seconds(v));
    }
}

}  // namespace
}  // namespace certos::core
