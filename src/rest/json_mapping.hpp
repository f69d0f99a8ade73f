#pragma once
// How REST JSON maps onto the command tree's requests and results (facts §2).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "menu/filter.hpp"
#include "menu/record.hpp"

namespace certos::rest {

// BodyArguments are what a JSON request body carries: command arguments, and for print `.proplist` and
// `.query`.
struct BodyArguments {
    std::vector<std::pair<std::string, std::string>> args;
    std::vector<std::string> proplist;
    std::optional<menu::Filter> filter;
};

// ParseBody reads a request body: empty, or one JSON object whose values become argument text. Strings are
// taken as they are, numbers as decimal text, booleans as "true"/"false", null as "", and arrays of those
// are joined with ',' (key-usage=["tls-server","tls-client"]). `.proplist` is a comma list or an array of
// names; `.query` an array of API query words without the `?` (menu::ParseApiQuery). Unknown argument
// names are left for the command tree to reject. Throws core::Error (kArgument) for malformed JSON, a body
// that is not an object, or a value that is an object or a nested array.
BodyArguments ParseBody(std::string_view body);

// RecordJson renders a record as a JSON object of strings in the record's order; RecordsJson an array of
// them ("[]" when empty); RetJson a return value as {"ret":"..."}.
std::string RecordJson(const menu::Record& record);
std::string RecordsJson(const std::vector<menu::Record>& records);
std::string RetJson(std::string_view ret);

// RecordJsonBuffer builds a JSON text piece by piece in one reused buffer: records as RecordJson writes them,
// and raw punctuation ("[", ",", "]") between them. A streamed listing appends each row and hands the buffer on
// in large parts, instead of building a string (and a serializer) per row.
class RecordJsonBuffer {
public:
    RecordJsonBuffer();
    ~RecordJsonBuffer();
    RecordJsonBuffer(const RecordJsonBuffer&) = delete;
    RecordJsonBuffer& operator=(const RecordJsonBuffer&) = delete;

    void Append(const menu::Record& record);
    void Append(std::string_view raw) { text_.append(raw); }
    std::string& text() { return text_; }

private:
    class Writer;
    std::string text_;
    std::unique_ptr<Writer> writer_;
};

}  // namespace certos::rest
