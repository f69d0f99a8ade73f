#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace certos::store {

// Every backend keeps a row's properties as one JSON object of strings: {"key-size":"2048",...}.

// PropsToJson writes them; throws core::Error (kFailure) when a value is not valid UTF-8.
std::string PropsToJson(const std::map<std::string, std::string>& props);

// PropsFromJson reads them back; nullopt when `text` is not a JSON object whose values are all strings.
// It fills the map straight from nlohmann's SAX parser: listing 10,000 certificates reads 10,000 of these,
// and building a json DOM first cost more than everything else in the listing.
std::optional<std::map<std::string, std::string>> PropsFromJson(std::string_view text);

}  // namespace certos::store
