#include "store/props_json.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace certos::store {
namespace {

// PropsSax accepts exactly one object of string values; any other event stops the parse.
class PropsSax final : public nlohmann::json_sax<nlohmann::json> {
public:
    explicit PropsSax(std::map<std::string, std::string>& out) : out_(out) {}

    bool start_object(std::size_t /*elements*/) override { return depth_++ == 0; }
    bool end_object() override { return --depth_ == 0; }
    // key and string copy the lexer's token instead of moving it: a moved-from token buffer starts again
    // without capacity and regrows character by character for the next string, which cost more than the copy.
    bool key(string_t& key) override {
        key_.assign(key);
        return true;
    }
    bool string(string_t& value) override {
        if (depth_ != 1) {
            return false;
        }
        // PropsToJson writes the keys in order, so each one normally goes at the end (no search).
        if (out_.empty() || out_.rbegin()->first < key_) {
            out_.emplace_hint(out_.end(), key_, value);
        } else {
            out_.insert_or_assign(key_, value);
        }
        return true;
    }
    bool null() override { return false; }
    bool boolean(bool /*value*/) override { return false; }
    bool number_integer(number_integer_t /*value*/) override { return false; }
    bool number_unsigned(number_unsigned_t /*value*/) override { return false; }
    bool number_float(number_float_t /*value*/, const string_t& /*text*/) override { return false; }
    bool binary(binary_t& /*value*/) override { return false; }
    bool start_array(std::size_t /*elements*/) override { return false; }
    bool end_array() override { return false; }
    bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                     const nlohmann::detail::exception& /*error*/) override {
        return false;
    }

private:
    std::map<std::string, std::string>& out_;
    std::string key_;
    int depth_ = 0;
};

}  // namespace

std::string PropsToJson(const std::map<std::string, std::string>& props) {
    try {
        return nlohmann::json(props).dump();
    } catch (const nlohmann::json::exception&) {
        // dump() fails only on a string that is not UTF-8.
        throw core::Failure("cannot store properties: a value is not valid UTF-8");
    }
}

std::optional<std::map<std::string, std::string>> PropsFromJson(std::string_view text) {
    std::map<std::string, std::string> props;
    PropsSax sax(props);
    if (!nlohmann::json::sax_parse(text, &sax, nlohmann::json::input_format_t::json, true)) {
        return std::nullopt;
    }
    return props;
}

}  // namespace certos::store
