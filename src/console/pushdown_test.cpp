// Filters pushed down to the store (issue 13) select exactly what the row-by-row evaluation selects: hundreds of
// generated console `where` expressions and API query sentences over a generated /certificate store, each
// compared with Filter::Matches over the full rendered list (same ids, same order, same count).

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "console/lexer.hpp"
#include "console/where.hpp"
#include "core/error.hpp"
#include "menu/api_query.hpp"
#include "menu/certificate_pushdown.hpp"
#include "menu/test_tree.hpp"

namespace certos::console {
namespace {

using menu::Filter;
using menu::Record;

class PushdownTest : public ::testing::Test {
protected:
    void SetUp() override {
        Run("add", {{"name", "ca"},
                    {"common-name", "ca"},
                    {"key-usage", "key-cert-sign,crl-sign"},
                    {"key-size", "prime256v1"}});
        Run("sign", {{"number", "ca"}});
        // Certificates signed for real, of the validity periods the expressions compare with.
        const char* days[] = {"1", "29", "30", "31", "90", "365"};
        for (int i = 0; i < 12; ++i) {
            std::string name = "s" + std::to_string(i);
            Run("add", {{"name", name},
                        {"common-name", i % 3 == 0 ? "host.example.com" : name},
                        {"subject-alt-name", i % 2 == 0 ? "DNS:a.example.com" : ""},
                        {"days-valid", days[i % 6]},
                        {"key-size", i % 4 == 1 ? "secp384r1" : "prime256v1"},
                        {"trusted", i % 5 == 0 ? "yes" : "no"}});
            if (i % 4 == 3) {
                Run("sign", {{"number", name}});  // self-signed
            } else {
                Run("sign", {{"number", name}, {"ca", "ca"}});
            }
        }
        for (int i = 0; i < 10; ++i) {
            Run("add", {{"name", "t" + std::to_string(i)},
                        {"common-name", i % 2 == 0 ? "Web Server" : ""},
                        {"key-size", i % 3 == 0 ? "2048" : "prime256v1"},
                        {"trusted", i % 4 == 0 ? "yes" : "no"}});
        }
        CloneRows();
        full_ = Run("print", {}).records;  // no filter: the rendered list, as before any pushdown
        ASSERT_GT(full_.size(), 250U);
    }

    menu::Result Run(const std::string& verb, std::vector<std::pair<std::string, std::string>> args,
                     std::optional<Filter> filter = std::nullopt, const menu::Session& session = {}) {
        menu::Request request;
        request.path = "/certificate";
        request.verb = verb;
        request.args = std::move(args);
        request.filter = std::move(filter);
        return fixture_.tree().Execute(request, session);
    }

    // Streamed is `print` with a row sink (what REST, the API and the console set): the rows it was given,
    // after checking that the result held none of them.
    std::vector<Record> Streamed(std::vector<std::pair<std::string, std::string>> args, std::optional<Filter> filter,
                                 menu::Session session = {}) {
        std::vector<Record> rows;
        session.rows = [&](Record&& row) { rows.push_back(std::move(row)); };
        EXPECT_TRUE(Run("print", std::move(args), std::move(filter), session).records.empty());
        return rows;
    }

    // Same expects two listings to hold the same records, but for expires-after (it moves with the clock).
    static void ExpectSame(std::vector<Record> streamed, std::vector<Record> whole, const std::string& text) {
        ASSERT_EQ(streamed.size(), whole.size()) << text;
        for (std::size_t i = 0; i < whole.size(); ++i) {
            streamed[i].Erase("expires-after");
            whole[i].Erase("expires-after");
            EXPECT_EQ(streamed[i].fields(), whole[i].fields()) << text << " (row " << i << ")";
        }
    }

    // CloneRows stores rows copied from the signed ones, with other names, subjects, trust and ends of validity
    // (half a day off whole days, so that no comparison with whole days sits on a boundary while the test runs),
    // some without issuer, key-type or with the ACME flag: the variety the expressions are to tell apart.
    void CloneRows() {
        std::mt19937 random(7);
        auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
        auto tx = fixture_.tree().store().Begin(store::TxMode::kWrite);
        std::vector<store::CertificateRow> signed_rows;
        for (store::CertificateRow& row : tx->ListCertificates()) {
            if (!row.der.empty()) {
                signed_rows.push_back(std::move(row));
            }
        }
        std::optional<core::ObjectId> ca = tx->FindCertificateId("ca");
        auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                       .count();
        const char* names[] = {"host.example.com", "Web Server", "", "mail", "c"};
        const char* sans[] = {"", "DNS:a.example.com", "DNS:b.example.com,IP:10.0.0.1"};
        for (int i = 0; i < 240; ++i) {
            store::CertificateRow row = signed_rows[pick(signed_rows.size())];
            row.name = "c" + std::to_string(i);
            row.props["common-name"] = i % 4 == 0 ? row.name : names[pick(std::size(names))];
            row.props["subject-alt-name"] = sans[pick(std::size(sans))];
            row.props["trusted"] = pick(3) == 0 ? "true" : "false";
            long long days = static_cast<long long>(pick(440)) - 40;
            row.props["not-after"] = std::to_string(now + days * 86400 + 43200);
            row.props["serial-number"] = std::to_string(100000 + pick(900000));
            row.props["fingerprint"] = std::to_string(pick(1000)) + "ab";
            row.issuer_id = pick(3) == 0 ? std::nullopt : ca;
            if (pick(20) == 0) {
                row.props.erase("key-type");  // shown as its key-size's type: not indexed
            }
            if (pick(15) == 0) {
                row.props["acme-managed"] = "true";
            }
            if (i == 5) {
                row.props["scep-managed"] = "true";  // with a sensitive property, challenge-password
                row.props["challenge-password"] = "secret";
            }
            tx->InsertCertificate(row);
        }
        tx->Commit();
    }

    // Expected is the row-by-row answer: Filter::Matches over the full list.
    std::vector<std::string> Expected(Filter filter) {
        filter.Normalize(fixture_menu().properties);
        std::vector<std::string> ids;
        for (const Record& record : full_) {
            if (filter.Matches(record)) {
                ids.push_back(record.GetOr(".id"));
            }
        }
        return ids;
    }

    const menu::Menu& fixture_menu() { return *fixture_.tree().FindMenu("/certificate"); }

    // Check compares print, print count-only and find for `filter` with the row-by-row answer; it returns
    // whether the filter was pushed down exactly (counted by the store).
    bool Check(const Filter& filter, const std::string& text) {
        std::vector<std::string> expected = Expected(filter);
        std::vector<std::string> printed;
        for (const Record& record : Run("print", {}, filter).records) {
            printed.push_back(record.GetOr(".id"));
        }
        EXPECT_EQ(printed, expected) << text;
        ExpectSame(Streamed({}, filter), Run("print", {}, filter).records, text);
        EXPECT_EQ(Run("print", {{"count-only", ""}}, filter).ret, std::to_string(expected.size())) << text;
        std::string found = Run("find", {}, filter).ret.value_or("");
        std::string joined;
        for (const std::string& id : expected) {
            joined += (joined.empty() ? "" : ";") + id;
        }
        EXPECT_EQ(found, joined) << text;
        Filter normalized = filter;
        normalized.Normalize(fixture_menu().properties);
        return menu::PushDown(normalized, std::chrono::system_clock::now()).exact;
    }

    menu::testing::TreeFixture fixture_;
    std::vector<Record> full_;
};

// Generator draws properties, operators and values from what the store holds, plus a few values it does not.
class Generator {
public:
    explicit Generator(const std::vector<Record>& records) : random_(13) {
        for (const Record& record : records) {
            for (const char* property : {"name", "common-name", "subject-alt-name", "issuer", "ca", "serial-number",
                                         "fingerprint", "key-type"}) {
                values_.emplace_back(property, record.GetOr(property));
            }
        }
    }

    std::string Property() { return Pick(kProperties); }

    // Value is a value for `property` and operator `op` ("~" for a regex).
    std::string Value(const std::string& property, const std::string& op) {
        if (op == "~") {
            return Pick(kRegexes);
        }
        if (property == "expires-after" || (op != "=" && op != "!=" && op != "in" && Chance(4))) {
            return Pick(kDurations);
        }
        if (property == "trusted" || property == "expired" || property == "private-key" || property == "issued" ||
            property == "authority" || property == "acme-managed" || property == "smart-card-key" ||
            property == "crl") {
            return Pick(kBooleans);
        }
        if (Chance(6)) {
            return Pick(kOthers);
        }
        for (int tries = 0; tries < 50; ++tries) {
            const auto& [name, value] = values_[Index(values_.size())];
            if (name == property) {
                return value;
            }
        }
        return Pick(kOthers);
    }

    bool Chance(int one_in) { return Index(static_cast<std::size_t>(one_in)) == 0; }
    std::size_t Index(std::size_t n) { return static_cast<std::size_t>(random_() % n); }
    template <typename List>
    std::string Pick(const List& list) {
        return list[Index(std::size(list))];
    }

private:
    static constexpr const char* kProperties[] = {
        "name",          "common-name",  "subject-alt-name", "key-type",      "trusted",    "issuer",      "ca",
        "serial-number", "fingerprint",  "expires-after",    "invalid-after", "expired",    "private-key", "issued",
        "authority",     "acme-managed", "smart-card-key",   "crl",           "days-valid", "key-size",    "revoked",
    };
    static constexpr const char* kRegexes[] = {"^c1", "example", "^s",  "9ab",  "Web|host", "^c.?5",
                                               "a.e", "ec",      "^ca", "^s1?", "^ca*",     "^c1|^s"};
    static constexpr const char* kDurations[] = {"30d", "7d", "1w2d", "0s", "400d", "1d", "12h", "-5", "365d", "31"};
    static constexpr const char* kBooleans[] = {"true", "false", "yes", "no", ""};
    static constexpr const char* kOthers[] = {"", "zzz", "c5", "A", "false", "10", "CN=ca", "ec", "rsa"};

    std::mt19937 random_;
    std::vector<std::pair<std::string, std::string>> values_;
};

// WhereText writes a random `where` expression of up to `depth` levels.
std::string WhereText(Generator& gen, int depth) {
    if (depth > 0 && gen.Chance(2)) {
        std::string left = WhereText(gen, depth - 1);
        std::string right = WhereText(gen, depth - 1);
        switch (gen.Index(3)) {
            case 0:
                return "( " + left + " and " + right + " )";
            case 1:
                return "( " + left + " or " + right + " )";
            default:
                return "not ( " + left + " )";
        }
    }
    static constexpr const char* kOps[] = {"=", "!=", "<", ">", "<=", ">=", "~", "in", ""};
    std::string property = gen.Property();
    std::string op = gen.Pick(kOps);
    if (op.empty()) {
        return property;
    }
    std::string value = gen.Value(property, op);
    if (op == "in") {
        value += "," + gen.Value(property, "=");
        return property + " in \"" + value + "\"";
    }
    return property + op + "\"" + value + "\"";
}

Filter ParseConsoleWhere(const menu::Menu& menu, const std::string& text) {
    Lexer lexer(text);
    std::optional<Statement> statement = lexer.Next();
    auto plain = [](std::span<const Piece> pieces) {
        std::string out;
        for (const Piece& piece : pieces) {
            out += piece.text;
        }
        return Value::Str(out);
    };
    return ParseWhere(menu, statement->words, plain, text.size());
}

TEST_F(PushdownTest, WhereExpressionsSelectWhatRowByRowEvaluationSelects) {
    Generator gen(full_);
    int exact = 0;
    int total = 0;
    for (int i = 0; i < 500; ++i) {
        std::string text = WhereText(gen, 3);
        Filter filter = ParseConsoleWhere(fixture_menu(), text);
        exact += Check(filter, text) ? 1 : 0;
        ++total;
    }
    // Most generated expressions are counted by the store: the test exercises the pushdown, not the fallback.
    EXPECT_GT(exact, total / 3) << exact << " of " << total;
}

TEST_F(PushdownTest, ChosenExpressionsAgreeToo) {
    for (const char* text :
         {"expires-after<30d", "expires-after>=\"1w2d\"", "name=c77", "name=\"s3\" or name=ca",
          "trusted and not issued", "expired", "!expired and private-key", "ca=ca and trusted=yes", "key-type=ec",
          "key-type!=rsa", "name~\"^c1\" and expires-after<400d", "common-name in \"Web Server,mail\"", "acme-managed",
          "authority", "name~\"^c1\"", "common-name~\"^Web S*\"", "name~\"^c1|s\"", "name~\"^c1\" or trusted",
          "not name~\"^s\""}) {
        Filter filter = ParseConsoleWhere(fixture_menu(), text);
        Check(filter, text);
    }
    // A regex with an anchored prefix narrows the rows to a range, and is matched on them; one with an
    // alternation is not pushed.
    auto pushed = [&](const char* text) {
        Filter filter = ParseConsoleWhere(fixture_menu(), text);
        filter.Normalize(fixture_menu().properties);
        return menu::PushDown(filter, std::chrono::system_clock::now());
    };
    EXPECT_FALSE(pushed("name~\"^c1\"").exact);
    EXPECT_NE(pushed("name~\"^c1\"").condition.op, store::CertificateCondition::Op::kTrue);
    EXPECT_EQ(pushed("name~\"^c1|s\"").condition.op, store::CertificateCondition::Op::kTrue);
    // The cases the benchmark measures are answered by the store alone.
    for (const char* text : {"expires-after<30d", "name=c77", "trusted and not issued", "expired"}) {
        EXPECT_TRUE(Check(ParseConsoleWhere(fixture_menu(), text), text)) << text;
    }
}

TEST_F(PushdownTest, StreamedPrintGivesWhatTheWholeListGives) {
    std::vector<Record> all = Streamed({}, std::nullopt);
    EXPECT_EQ(all.size(), full_.size());
    ExpectSame(all, full_, "no filter");
    // proplist and from, alone and with a filter.
    for (const char* text : {"", "expires-after<30d", "name~\"^c1\"", "trusted"}) {
        std::optional<Filter> filter;
        if (*text != 0) {
            filter = ParseConsoleWhere(fixture_menu(), text);
        }
        for (const std::vector<std::pair<std::string, std::string>>& args :
             std::vector<std::vector<std::pair<std::string, std::string>>>{
                 {{"proplist", "name,ca,expired"}},
                 {{"from", "c3,ca,*1,c17,s2"}},
                 {{"from", "c10,c11,c12,c13"}, {"proplist", ".id,fingerprint"}}}) {
            ExpectSame(Streamed(args, filter), Run("print", args, filter).records, text);
        }
    }
    // A `from` naming what does not exist fails as the whole-list print does.
    EXPECT_THROW(Streamed({{"from", "nothing"}}, std::nullopt), core::Error);
    // count-only and one `.id` are answered as before, with no rows streamed.
    EXPECT_TRUE(Streamed({{"count-only", ""}}, std::nullopt).empty());
    EXPECT_EQ(Run("print", {{"count-only", ""}}, std::nullopt).ret, std::to_string(full_.size()));
    // A session without the sensitive policy gets streamed rows without the sensitive properties, as records.
    menu::Session reader;
    reader.policies = menu::kPolicyRead;
    const menu::PropertySpec* sensitive = nullptr;
    for (const menu::PropertySpec& spec : fixture_menu().properties) {
        if (spec.sensitive) {
            sensitive = &spec;
        }
    }
    ASSERT_NE(sensitive, nullptr);
    auto c5 = std::find_if(all.begin(), all.end(), [](const Record& r) { return r.GetOr("name") == "c5"; });
    ASSERT_NE(c5, all.end());
    EXPECT_EQ(c5->GetOr(sensitive->name, "absent"), "secret");
    std::vector<Record> stripped = Streamed({}, std::nullopt, reader);
    ExpectSame(stripped, Run("print", {}, std::nullopt, reader).records, "reader");
    for (const Record& record : stripped) {
        EXPECT_FALSE(record.Has(sensitive->name));
    }
}

TEST_F(PushdownTest, AStoppedStreamLeavesThePrint) {
    menu::Session session;
    std::size_t seen = 0;
    session.rows = [&](Record&&) {
        if (++seen == 5) {
            throw core::Error(core::ErrorCategory::kInterrupted, "interrupted");
        }
    };
    EXPECT_THROW(Run("print", {}, std::nullopt, session), core::Error);
    EXPECT_EQ(seen, 5U);
    // The store is usable after a listing stopped half-way (its cursor was closed with the transaction).
    EXPECT_EQ(Run("print", {{"count-only", ""}}, std::nullopt).ret, std::to_string(full_.size()));
    Run("add", {{"name", "after"}});
    EXPECT_EQ(Run("print", {{"count-only", ""}}, std::nullopt).ret, std::to_string(full_.size() + 1));
}

TEST_F(PushdownTest, ApiQuerySentencesSelectWhatRowByRowEvaluationSelects) {
    Generator gen(full_);
    static constexpr const char* kStackOps[] = {"#!", "#&", "#|", "#.", "#&!", "#|!"};
    int exact = 0;
    int total = 0;
    for (int i = 0; i < 400; ++i) {
        std::vector<std::string> words;
        std::string text;
        std::size_t count = 1 + gen.Index(5);
        for (std::size_t w = 0; w < count; ++w) {
            std::string word;
            std::string property = gen.Property();
            switch (gen.Index(6)) {
                case 0:
                    word = "?" + property;
                    break;
                case 1:
                    word = "?-" + property;
                    break;
                case 2:
                    word = "?<" + property + "=" + gen.Value(property, "<");
                    break;
                case 3:
                    word = "?>" + property + "=" + gen.Value(property, ">");
                    break;
                default:
                    word = "?" + property + "=" + gen.Value(property, "=");
            }
            words.push_back(word);
            if (w > 0 && gen.Chance(2)) {
                words.emplace_back(std::string("?") + gen.Pick(kStackOps));
            }
        }
        for (const std::string& word : words) {
            text += word + " ";
        }
        Filter filter = menu::ParseApiQuery(words);
        exact += Check(filter, text) ? 1 : 0;
        ++total;
    }
    EXPECT_GT(exact, total / 3) << exact << " of " << total;
}

}  // namespace
}  // namespace certos::console
