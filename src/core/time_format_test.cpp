#include "core/time_format.hpp"

#include <cstdlib>
#include <ctime>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::core {
namespace {

class TimeFormatTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("TZ", "UTC", 1);
        tzset();
    }
};

TEST_F(TimeFormatTest, PrintsRouterOs710Form) {
    TimePoint t = std::chrono::system_clock::from_time_t(1678730229);  // 2023-03-13 17:57:09 UTC
    EXPECT_EQ(FormatDateTime(t), "2023-03-13 17:57:09");
}

TEST_F(TimeFormatTest, ParsesBothForms) {
    TimePoint t = std::chrono::system_clock::from_time_t(1678730229);
    EXPECT_EQ(ParseDateTime("2023-03-13 17:57:09"), t);
    EXPECT_EQ(ParseDateTime("mar/13/2023 17:57:09"), t);
    EXPECT_EQ(ParseDateTime("Mar/13/2023 17:57:09"), t);
}

TEST_F(TimeFormatTest, RejectsGarbage) {
    for (const char* bad : {"", "2023-13-01 00:00:00", "xyz/01/2023 00:00:00", "2023-03-13", "2023-03-13 17:57:09x"}) {
        EXPECT_THROW(ParseDateTime(bad), Error) << bad;
    }
}

TEST_F(TimeFormatTest, LogTimeIsShortToday) {
    TimePoint now = std::chrono::system_clock::from_time_t(1678730229);
    EXPECT_EQ(FormatLogTime(now - std::chrono::hours(1), now), "16:57:09");
    EXPECT_EQ(FormatLogTime(now - std::chrono::hours(24), now), "2023-03-12 17:57:09");
}

}  // namespace
}  // namespace certos::core
