#include "api/error_table.hpp"

#include <gtest/gtest.h>

namespace certos::api {
namespace {

using core::ErrorCategory;

TEST(ApiErrorTableTest, EveryCategoryIsMapped) {
    for (ErrorCategory category : core::kAllErrorCategories) {
        auto mapping = FindApiError(category);
        ASSERT_TRUE(mapping.has_value()) << "category " << static_cast<int>(category) << " has no API mapping";
        EXPECT_EQ(mapping->category, category);
        if (mapping->category_code) {
            EXPECT_GE(*mapping->category_code, 0);
            EXPECT_LE(*mapping->category_code, 7);
        }
    }
}

TEST(ApiErrorTableTest, RouterOsCategoriesGoOnTheWireAsTheyAre) {
    EXPECT_EQ(TrapSentence(core::ArgumentError("input does not match any value of key-size")),
              (Sentence{"!trap", "=category=1", "=message=input does not match any value of key-size"}));
    EXPECT_EQ(TrapSentence(core::NoSuchItem()), (Sentence{"!trap", "=category=0", "=message=no such item"}));
    EXPECT_EQ(TrapSentence(core::Error(ErrorCategory::kInterrupted, "interrupted")),
              (Sentence{"!trap", "=category=2", "=message=interrupted"}));
}

// The message of a kFailure error is plain; the table puts RouterOS's "failure: " before it, as the console does.
TEST(ApiErrorTableTest, FailuresGetTheFailurePrefix) {
    EXPECT_EQ(TrapSentence(core::Failure("certificate with the same name already exists")),
              (Sentence{"!trap", "=category=4", "=message=failure: certificate with the same name already exists"}));
}

TEST(ApiErrorTableTest, LoginFailureHasNoCategory) {
    EXPECT_EQ(TrapSentence(core::Error(ErrorCategory::kAuthentication, "invalid user name or password (6)")),
              (Sentence{"!trap", "=message=invalid user name or password (6)"}));
}

TEST(ApiErrorTableTest, PermissionIsAGeneralFailure) {
    EXPECT_EQ(TrapSentence(core::Error(ErrorCategory::kPermission, "not enough permissions (9)")),
              (Sentence{"!trap", "=category=4", "=message=not enough permissions (9)"}));
}

TEST(ApiErrorTableTest, InternalErrorsDoNotLeakTheirMessage) {
    EXPECT_EQ(TrapSentence(core::Error(ErrorCategory::kInternal, "sqlite: /secret")),
              (Sentence{"!trap", "=category=4", "=message=failure: internal error"}));
}

}  // namespace
}  // namespace certos::api
