// console::Globals: the bounds on a process's globals, and sharing between threads.

#include "console/globals.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"

namespace certos::console {
namespace {

TEST(GlobalsTest, SetGetListRemove) {
    Globals globals;
    globals.Set("b", Value::Num(2));
    globals.Declare("a");
    globals.Declare("b");  // an existing global keeps its value
    EXPECT_EQ(globals.Get("b")->number, 2);
    EXPECT_TRUE(globals.Get("a")->IsNil());
    EXPECT_FALSE(globals.Get("c").has_value());
    std::vector<std::pair<std::string, std::string>> expected = {{"a", ""}, {"b", "2"}};
    EXPECT_EQ(globals.List(), expected);
    EXPECT_TRUE(globals.Remove("a"));
    EXPECT_FALSE(globals.Remove("a"));
    EXPECT_EQ(globals.List().size(), 1u);
}

TEST(GlobalsTest, CountIsBounded) {
    Globals globals;
    for (std::size_t i = 0; i < kMaxGlobals; ++i) {
        globals.Set("v" + std::to_string(i), Value::Num(1));
    }
    try {
        globals.Set("one-more", Value::Num(1));
        ADD_FAILURE() << "a global beyond the bound was kept";
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()), "too many global variables (more than 1000)");
    }
    globals.Set("v0", Value::Num(2));  // changing one that exists is still allowed
    EXPECT_EQ(globals.Get("v0")->number, 2);
    EXPECT_FALSE(globals.Get("one-more").has_value());
}

TEST(GlobalsTest, SizeIsBoundedAndAReplacedValueFreesItsBytes) {
    Globals globals;
    std::string big(kMaxGlobalBytes / 2, 'x');
    globals.Set("a", Value::Str(big));
    EXPECT_THROW(globals.Set("b", Value::Str(big)), core::Error);
    EXPECT_FALSE(globals.Get("b").has_value());
    globals.Set("a", Value::Str("small"));
    globals.Set("b", Value::Str(big));  // room again
    EXPECT_EQ(globals.Get("b")->text.size(), big.size());
}

TEST(GlobalsTest, ThreadsShareOneStore) {
    Globals globals;
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&globals, t] {
            for (int i = 0; i < 200; ++i) {
                globals.Set("t" + std::to_string(t) + "-" + std::to_string(i), Value::Num(i));
                globals.Get("t0-0");
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(globals.List().size(), 800u);
}

}  // namespace
}  // namespace certos::console
