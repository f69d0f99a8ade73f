#include "api/mapping.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::api {
namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

TEST(MappingTest, CommandWordIsPathAndVerb) {
    Command command = ParseCommand({"/certificate/print"});
    ASSERT_EQ(command.kind, CommandKind::kTree);
    ASSERT_EQ(command.requests.size(), 1u);
    EXPECT_EQ(command.requests[0].path, "/certificate");
    EXPECT_EQ(command.requests[0].verb, "print");
    EXPECT_FALSE(command.tag);

    menu::Request nested = ParseCommand({"/system/resource/getall"}).requests[0];
    EXPECT_EQ(nested.path, "/system/resource");
    EXPECT_EQ(nested.verb, "print");
}

TEST(MappingTest, AttributesKeepEqualsAndEmptyValues) {
    menu::Request request =
        ParseCommand({"/certificate/add", "=name=a=b", "=common-name=", "=days-valid=30", "=.id=*1A"}).requests[0];
    EXPECT_EQ(request.args, (Args{{"name", "a=b"}, {"common-name", ""}, {"days-valid", "30"}, {".id", "*1A"}}));
}

TEST(MappingTest, ProplistQueryAndTag) {
    Command command =
        ParseCommand({"/certificate/print", "=.proplist=name,.id", "?name=x", "?days-valid", "?#|", ".tag=7"});
    EXPECT_EQ(command.tag, "7");
    const menu::Request& request = command.requests[0];
    EXPECT_EQ(request.proplist, (std::vector<std::string>{"name", ".id"}));
    EXPECT_TRUE(request.filter.has_value());
    EXPECT_TRUE(request.args.empty());
}

TEST(MappingTest, UnsetWordsBecomeAnUnsetAfterTheSet) {
    Command command = ParseCommand({"/ip/service/set", "=.id=*6", "=port=9000", "=!address="});
    ASSERT_EQ(command.requests.size(), 2u);
    EXPECT_EQ(command.requests[0].verb, "set");
    EXPECT_EQ(command.requests[0].args, (Args{{".id", "*6"}, {"port", "9000"}}));
    EXPECT_EQ(command.requests[1].verb, "unset");
    EXPECT_EQ(command.requests[1].args, (Args{{".id", "*6"}, {"value-name", "address"}}));

    Command only = ParseCommand({"/ip/service/set", "=numbers=api", "=!address=", "=!vrf="});
    ASSERT_EQ(only.requests.size(), 1u);
    EXPECT_EQ(only.requests[0].args, (Args{{"numbers", "api"}, {"value-name", "address,vrf"}}));
}

TEST(MappingTest, ApiCommands) {
    Command login = ParseCommand({"/login", "=name=admin", "=password=p=w", ".tag=1"});
    EXPECT_EQ(login.kind, CommandKind::kLogin);
    EXPECT_EQ(login.attributes, (Args{{"name", "admin"}, {"password", "p=w"}}));
    EXPECT_EQ(login.tag, "1");
    EXPECT_EQ(ParseCommand({"/cancel", "=tag=3"}).kind, CommandKind::kCancel);
    EXPECT_EQ(ParseCommand({"/quit"}).kind, CommandKind::kQuit);
}

TEST(MappingTest, BadWords) {
    try {
        ParseCommand({"certificate"});
        FAIL();
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kMissingItem);
    }
    EXPECT_THROW(ParseCommand({"/certificate/print", "name=x"}), core::Error);
    EXPECT_THROW(ParseCommand({"/certificate/print", "=x"}), core::Error);
    EXPECT_THROW(ParseCommand({"/certificate/print", "?#z"}), core::Error);
    EXPECT_EQ(FindTag({"bad", ".tag=9"}), "9");
}

Sentence Decode(const std::string& bytes, std::size_t index) {
    SentenceDecoder decoder;
    decoder.Feed(bytes);
    std::optional<Sentence> sentence;
    for (std::size_t i = 0; i <= index; ++i) {
        sentence = decoder.Next();
    }
    return sentence.value_or(Sentence{});
}

TEST(MappingTest, RenderRecordsRetAndTags) {
    menu::Result result;
    menu::Record record;
    record.Set(".id", "*1");
    record.Set("name", "a");
    record.Set("comment", "");
    result.records.push_back(record);
    std::string out;
    RenderResult(result, ReplyOptions{"t", true}, out);
    EXPECT_EQ(Decode(out, 0), (Sentence{"!re", "=.id=*1", "=name=a", "=comment=", ".tag=t"}));
    EXPECT_EQ(Decode(out, 1), (Sentence{"!done", ".tag=t"}));

    out.clear();
    RenderResult(menu::Result{{}, "*5"}, ReplyOptions{}, out);
    EXPECT_EQ(Decode(out, 0), (Sentence{"!done", "=ret=*5"}));
}

TEST(MappingTest, EmptyOnlyWhenEnabled) {
    std::string out;
    RenderResult(menu::Result{}, ReplyOptions{std::nullopt, true}, out);
    EXPECT_EQ(Decode(out, 0), (Sentence{"!empty"}));
    EXPECT_EQ(Decode(out, 1), (Sentence{"!done"}));
    out.clear();
    RenderResult(menu::Result{}, ReplyOptions{"x", false}, out);
    EXPECT_EQ(Decode(out, 0), (Sentence{"!done", ".tag=x"}));
}

TEST(MappingTest, TrapThenDone) {
    std::string out;
    RenderTrap(core::NoSuchItem(), ReplyOptions{"2", false}, out);
    EXPECT_EQ(Decode(out, 0), (Sentence{"!trap", "=category=0", "=message=no such item", ".tag=2"}));
    EXPECT_EQ(Decode(out, 1), (Sentence{"!done", ".tag=2"}));
}

}  // namespace
}  // namespace certos::api
