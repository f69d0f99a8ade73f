#include "rest/json_mapping.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/value.hpp"
#include "menu/api_query.hpp"

namespace certos::rest {
namespace {

using Json = nlohmann::ordered_json;

core::Error InvalidValue(const std::string& name) { return core::ArgumentError("invalid value for argument " + name); }

// ScalarText converts a JSON scalar to argument text; nullopt for objects and arrays.
std::optional<std::string> ScalarText(const Json& value) {
    switch (value.type()) {
        case Json::value_t::string:
            return value.get<std::string>();
        case Json::value_t::boolean:
            return core::WireBool(value.get<bool>());
        case Json::value_t::number_integer:
            return std::to_string(value.get<std::int64_t>());
        case Json::value_t::number_unsigned:
            return std::to_string(value.get<std::uint64_t>());
        case Json::value_t::number_float: {
            double number = value.get<double>();
            if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9.0e15) {
                return std::to_string(static_cast<std::int64_t>(number));
            }
            return value.dump();  // "1.5": the tree's schema rejects it where a number is wanted
        }
        case Json::value_t::null:
            return std::string();
        default:
            return std::nullopt;
    }
}

std::string ArgumentText(const std::string& name, const Json& value) {
    if (value.is_array()) {
        std::vector<std::string> parts;
        for (const Json& element : value) {
            std::optional<std::string> text = ScalarText(element);
            if (!text) {
                throw InvalidValue(name);
            }
            parts.push_back(std::move(*text));
        }
        return core::JoinList(parts);
    }
    std::optional<std::string> text = ScalarText(value);
    if (!text) {
        throw InvalidValue(name);
    }
    return *text;
}

std::vector<std::string> StringList(const std::string& name, const Json& value) {
    std::vector<std::string> out;
    if (value.is_string()) {
        return core::SplitList(value.get<std::string>());
    }
    if (!value.is_array()) {
        throw InvalidValue(name);
    }
    for (const Json& element : value) {
        if (!element.is_string()) {
            throw InvalidValue(name);
        }
        out.push_back(element.get<std::string>());
    }
    return out;
}

// Brief takes nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: ..." and keeps
// the part after the bracketed id.
std::string Brief(const std::exception& e) {
    std::string_view text = e.what();
    if (!text.empty() && text.front() == '[') {
        std::size_t end = text.find("] ");
        if (end != std::string_view::npos) {
            text.remove_prefix(end + 2);
        }
    }
    return std::string(text);
}

}  // namespace

BodyArguments ParseBody(std::string_view body) {
    BodyArguments out;
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return out;
    }
    Json json;
    try {
        json = Json::parse(body);
    } catch (const Json::exception& e) {
        throw core::ArgumentError("invalid JSON: " + Brief(e));
    }
    if (!json.is_object()) {
        throw core::ArgumentError("invalid JSON: expected an object");
    }
    for (const auto& [name, value] : json.items()) {
        if (name == ".proplist") {
            out.proplist = StringList(name, value);
        } else if (name == ".query") {
            if (!value.is_array()) {
                throw InvalidValue(name);
            }
            out.filter = menu::ParseApiQuery(StringList(name, value));
        } else {
            out.args.emplace_back(name, ArgumentText(name, value));
        }
    }
    return out;
}

namespace {

// RecordWriter writes records as JSON objects of strings into one std::string. One nlohmann serializer
// escapes every name and value straight into the output (its output adapter appends to the string), so a
// listing of 10,000 records builds no json value per field: building them cost more than the escaping.
class RecordWriter {
public:
    explicit RecordWriter(std::string& out)
        : out_(out),
          serializer_(nlohmann::detail::output_adapter<char>(out), ' ', Json::error_handler_t::replace),
          text_(std::string()) {}

    void Write(const menu::Record& record) {
        out_ += '{';
        bool first = true;
        for (const auto& [name, value] : record.fields()) {
            if (!first) {
                out_ += ',';
            }
            first = false;
            WriteString(name);
            out_ += ':';
            WriteString(value);
        }
        out_ += '}';
    }

private:
    void WriteString(const std::string& text) {
        text_.get_ref<std::string&>().assign(text);  // reuses the buffer: no allocation per string
        serializer_.dump(text_, false, false, 0);
    }

    std::string& out_;
    nlohmann::detail::serializer<Json> serializer_;
    Json text_;
};

}  // namespace

std::string RecordJson(const menu::Record& record) {
    std::string out;
    RecordWriter(out).Write(record);
    return out;
}

std::string RecordsJson(const std::vector<menu::Record>& records) {
    std::string out = "[";
    RecordWriter writer(out);
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        writer.Write(records[i]);
        if (i == 0) {
            // Records of one menu are alike: size the buffer once instead of growing a 10 MB string by copies.
            out.reserve(2 + records.size() * (out.size() + out.size() / 4 + 1));
        }
    }
    out += ']';
    return out;
}

class RecordJsonBuffer::Writer : public RecordWriter {
public:
    using RecordWriter::RecordWriter;
};

RecordJsonBuffer::RecordJsonBuffer() : writer_(std::make_unique<Writer>(text_)) {}

RecordJsonBuffer::~RecordJsonBuffer() = default;

void RecordJsonBuffer::Append(const menu::Record& record) { writer_->Write(record); }

std::string RetJson(std::string_view ret) {
    Json json = Json::object();
    json["ret"] = std::string(ret);
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace certos::rest
